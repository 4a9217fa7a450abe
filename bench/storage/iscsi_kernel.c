/* iscsi-kernel: the run's data as an iSCSI LUN of a tgtd of the run's own
 * on 127.0.0.1 (a free port, CHAP, as the iscsi model's: host/tgt.h,
 * guest/secret.h), read by the host KERNEL's initiator: a transient
 * libvirt `iscsi` pool whose start has libvirt run open-iscsi's iscsiadm
 * (a node record, its CHAP settings from the secret, the login), after
 * which the LUN is a SCSI disk of the host, /dev/sdX, the pool's volume
 * (unit:0:0:1), and the guest's <disk type='volume'>.  Every I/O crosses
 * the kernel's SCSI layer, iscsi_tcp, the loopback and tgtd.  host and
 * backend run on that device too.
 *
 * A target that dies would hold the guest's I/O for open-iscsi's
 * replacement timeout (120 s by default) before the kernel fails it: the
 * session's recovery_tmo and the disk's SCSI command timeout are lowered
 * in sysfs after the login (the host's /etc/iscsi is left alone), and
 * recorded.  Teardown destroys the pool (libvirt logs out), deletes the
 * node record libvirt made, removes the target and stops tgtd, also after
 * tgtd was killed. */
#include "config.h"
#include "storage/storage.h"
#include "guest/runpool.h"
#include "guest/secret.h"
#include "host/hostres.h"
#include "host/hv.h"
#include "host/tgt.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Seconds: how long a lost session waits for its target before the
 * kernel fails the I/O (open-iscsi's replacement_timeout), and how long
 * one SCSI command may take.  Short enough that a dead tgtd fails the
 * point in seconds, long enough for TCG's slow loopback. */
#define RECOVERY_TMO 5
#define SCSI_TIMEOUT 15
/* Seconds for the kernel to scan the LUN after the login. */
#define LUN_WAIT_S 30

#define PLAN_IQN "iqn.2026-11.org.vmio-bench:run-PID-TID"
#define PLAN_PORT 3260
#define PLAN_DEV "/dev/sdX"
#define PLAN_VOL "unit:0:0:1"

struct ik_state {
	struct vb_tgt tgt;
	char secret_uuid[37];
	struct vb_runpool *pool;
	char *pool_name;
	char *portal;  /* 127.0.0.1:PORT */
	char *vol;     /* the LUN's volume in the pool */
	char *session; /* sessionN in /sys/class/iscsi_session */
	char *log;     /* iscsiadm's and the sysfs writes' messages */
};

static int ik_probe(const struct vb_config *cfg, char **why)
{
	(void)cfg;
	const char *w = vb_hv_where();
	char *v = vb_tgt_version();
	bool tgt = v && vb_tgt_installed();
	free(v);
	const char *sock[] = {"grep", "-q", "ISCSIADM_ABSTRACT_NAMESPACE", "/proc/net/unix", NULL};
	if (!vb_hv_on_path("iscsiadm"))
		*why = vb_asprintf("iscsiadm (the kernel initiator's tools) is missing on %s: apt-get install open-iscsi there", w);
	else if (!vb_hv_test("-d", "/sys/module/iscsi_tcp"))
		*why = vb_asprintf("the kernel's iSCSI initiator (modules scsi_transport_iscsi, iscsi_tcp) is not loaded on %s: "
		                   "modprobe iscsi_tcp there", w);
	else if (vb_hv_run_quiet(sock, NULL, 10) != 0)
		*why = vb_asprintf("iscsid (the initiator's daemon) is not running on %s: start it there (systemctl start "
		                   "iscsid, or iscsid)", w);
	else if (!tgt)
		*why = vb_asprintf("tgtd/tgtadm are missing on %s (they serve the iSCSI LUN): apt-get install tgt there", w);
	else
		return vb_runpool_backend_ready("iscsi", "iscsi", "libvirt-daemon-driver-storage-iscsi", why);
	return -1;
}

static void record(struct vb_stor *s, const char *version)
{
	const struct ik_state *st = s->priv;
	const struct vb_tgt *t = &st->tgt;
	json_t *set = vb_stor_settings(s);
	char portal[32];
	snprintf(portal, sizeof(portal), "127.0.0.1:%d", t->port ? t->port : PLAN_PORT);
	json_object_set_new(set, "initiator", json_string("kernel (open-iscsi, iscsi_tcp)"));
	json_object_set_new(set, "pool", json_string(st->pool_name ? st->pool_name : "vmio-iscsi-PID-TID"));
	json_object_set_new(set, "pool_type", json_string("iscsi"));
	json_object_set_new(set, "portal", json_string(portal));
	json_object_set_new(set, "iqn", json_string(t->iqn ? t->iqn : PLAN_IQN));
	json_object_set_new(set, "lun", json_integer(1));
	json_object_set_new(set, "volume", json_string(st->vol ? st->vol : PLAN_VOL));
	json_object_set_new(set, "device", json_string(s->path ? s->path : PLAN_DEV));
	json_object_set_new(set, "chap", json_true());
	json_object_set_new(set, "session", st->session ? json_string(st->session) : json_null());
	json_object_set_new(set, "recovery_tmo_s", json_integer(RECOVERY_TMO));
	json_object_set_new(set, "scsi_timeout_s", json_integer(SCSI_TIMEOUT));
	json_t *srv = json_pack("{s:s, s:s?, s:i}", "name", "tgtd", "version", version, "port", t->port ? t->port : PLAN_PORT);
	if (t->pid > 0)
		json_object_set_new(srv, "pid", json_integer(vb_daemon_host_pid(t->pid)));
	json_object_set_new(s->record, "server", srv);
}

static void ik_plan(struct vb_stor *s)
{
	if (!s->path) {
		s->path = vb_strdup(PLAN_DEV);
		s->medium = vb_strdup(PLAN_DEV);
		s->is_block = true;
	}
	record(s, NULL);
}

/* The pool: the target on our portal, logged in with CHAP from the
 * secret (usage: the IQN), its LUNs named by their /dev paths (no udev:
 * no /dev/disk/by-path to wait for). */
static char *pool_xml(const struct ik_state *st)
{
	const struct vb_tgt *t = &st->tgt;
	struct vb_xml x = {0};
	char port[16];
	snprintf(port, sizeof(port), "%d", t->port);
	vb_xml_open(&x, "pool", "type", "iscsi", NULL);
	vb_xml_text(&x, "name", st->pool_name, NULL);
	vb_xml_open(&x, "source", NULL);
	vb_xml_empty(&x, "host", "name", "127.0.0.1", "port", port, NULL);
	vb_xml_empty(&x, "device", "path", t->iqn, NULL);
	vb_xml_open(&x, "auth", "type", "chap", "username", t->user, NULL);
	vb_xml_empty(&x, "secret", "usage", t->iqn, NULL);
	vb_xml_close(&x);
	vb_xml_close(&x);
	vb_xml_open(&x, "target", NULL);
	vb_xml_text(&x, "path", "/dev", NULL);
	return vb_xml_release(&x);
}

/* The session the login made: sessionN whose targetname is ours. */
static char *find_session(const char *iqn)
{
	const char *argv[] = {"sh", "-c",
	                      "for s in /sys/class/iscsi_session/session*; do "
	                      "[ \"$(cat \"$s/targetname\" 2>/dev/null)\" = \"$1\" ] && echo \"${s##*/}\"; done; true",
	                      "sh", iqn, NULL};
	char *out = NULL;
	if (vb_hv_run(argv, &out, 20) != 0 || !out || !*out) {
		free(out);
		return NULL;
	}
	out[strcspn(out, "\n")] = '\0';
	return out;
}

/* value into a sysfs file of the hypervisor; -1 with *why. */
static int sysfs_set(const char *path, int value, const char *log, char **why)
{
	char v[16];
	snprintf(v, sizeof(v), "%d", value);
	const char *argv[] = {"sh", "-c", "printf '%s\\n' \"$1\" > \"$2\"", "sh", v, path, NULL};
	if (vb_hv_run_logged(argv, log, 20) == 0)
		return 0;
	*why = vb_asprintf("cannot write %s to %s on %s (see %s)", v, path, vb_hv_where(), log);
	return -1;
}

/* The initiator's timeouts, lowered for this session and disk. */
static int lower_timeouts(struct vb_stor *s, char **why)
{
	struct ik_state *st = s->priv;
	if (!(st->session = find_session(st->tgt.iqn))) {
		*why = vb_asprintf("storage iscsi-kernel: no iSCSI session to %s after the pool started (see 'iscsiadm -m "
		                   "session' on %s)", st->tgt.iqn, vb_hv_where());
		return -1;
	}
	const char *dev = strrchr(s->path, '/') ? strrchr(s->path, '/') + 1 : s->path;
	char *tmo = vb_asprintf("/sys/class/iscsi_session/%s/recovery_tmo", st->session);
	char *cmd = vb_asprintf("/sys/block/%s/device/timeout", dev);
	int rc = sysfs_set(tmo, RECOVERY_TMO, st->log, why) < 0 || sysfs_set(cmd, SCSI_TIMEOUT, st->log, why) < 0 ? -1 : 0;
	free(tmo);
	free(cmd);
	return rc;
}

/* tgtd with our target, LUN 1 on the store, CHAP, 127.0.0.1 alone. */
static int serve(struct vb_stor *s, char **why)
{
	struct ik_state *st = s->priv;
	struct vb_tgt *t = &st->tgt;
	char *log = vb_asprintf("%s/tgtd.log", s->log_dir);
	int rc = vb_tgt_start(t, log, why);
	free(log);
	if (rc < 0)
		return -1;
	s->server_name = "tgtd"; /* a dead tgtd fails the guest's wait at once */
	s->server_pid = t->pid;
	return vb_tgt_target_new(t, why) < 0 || vb_tgt_lun_new(t, s->store->path, NULL, why) < 0 ||
	               vb_chap_new(s->virt, t, st->secret_uuid, "storage iscsi-kernel", why) < 0 ||
	               vb_tgt_bind_local(t, why) < 0
	           ? -1
	           : 0;
}

static int ik_prepare(struct vb_stor *s, char **why)
{
	struct ik_state *st = s->priv;
	if (!s->store || !s->store->path) {
		*why = vb_strdup("storage iscsi-kernel serves the run's store, and there is none");
		return -1;
	}
	st->log = vb_asprintf("%s/iscsi-kernel.log", s->log_dir);
	if (serve(s, why) < 0)
		return -1;
	st->pool_name = vb_asprintf("vmio-iscsi-%ld-%d", (long)getpid(), st->tgt.tid);
	st->portal = vb_asprintf("127.0.0.1:%d", st->tgt.port);
	char *xml = pool_xml(st);
	vb_info("iscsi-kernel: logging the kernel's initiator in to %s at %s (libvirt pool %s)", st->tgt.iqn, st->portal,
	        st->pool_name);
	st->pool = vb_runpool_start(s->virt, st->pool_name, xml, "check iscsid and 'iscsiadm -m session' there", why);
	free(xml);
	uint64_t cap = 0;
	char *path = NULL;
	if (!st->pool || vb_runpool_volume(st->pool, LUN_WAIT_S, &st->vol, &path, &cap, why) < 0)
		return -1;
	s->path = path;
	s->medium = vb_strdup(path);
	s->is_block = true;
	if (lower_timeouts(s, why) < 0)
		return -1;
	char *version = vb_tgt_version();
	record(s, version);
	free(version);
	vb_info("iscsi-kernel: LUN 1 is %s (volume %s, session %s, recovery_tmo %d s, SCSI timeout %d s)", s->path, st->vol,
	        st->session, RECOVERY_TMO, SCSI_TIMEOUT);
	return 0;
}

/* What libvirt's login left: the session (if its logout failed) and the
 * node record it made, which its logout keeps. */
static void initiator_clean(struct ik_state *st, bool pool_stopped)
{
	const char *iqn = st->tgt.iqn;
	char *left = find_session(iqn);
	if (left || !pool_stopped) {
		const char *out[] = {"iscsiadm", "-m", "node", "-T", iqn, "-p", st->portal, "--logout", NULL};
		vb_hv_run_logged(out, st->log, 60);
	}
	free(left);
	const char *del[] = {"iscsiadm", "-m", "node", "-T", iqn, "-p", st->portal, "-o", "delete", NULL};
	vb_hv_run_logged(del, st->log, 30);
	if ((left = find_session(iqn)))
		vb_warn("storage iscsi-kernel: the iSCSI %s to %s is still there: log it out with 'iscsiadm -m node -T %s -p "
		        "%s --logout'", left, iqn, iqn, st->portal);
	free(left);
	const char *ask[] = {"iscsiadm", "-m", "node", "-T", iqn, "-p", st->portal, NULL};
	if (vb_hv_run_logged(ask, st->log, 30) == 0) /* ("No records found" is the answer hoped for) */
		vb_warn("storage iscsi-kernel: open-iscsi's node record of %s is still there: remove it with 'iscsiadm -m "
		        "node -T %s -p %s -o delete'", iqn, iqn, st->portal);
}

static void ik_teardown(struct vb_stor *s)
{
	struct ik_state *st = s->priv;
	struct vb_tgt *t = &st->tgt;
	bool stopped = true;
	if (st->pool) {
		char *why = NULL;
		if (vb_runpool_stop(st->pool, &why) < 0) {
			vb_warn("storage iscsi-kernel: %s: logging out with iscsiadm", why);
			stopped = false;
		}
		free(why);
		st->pool = NULL;
	}
	if (t->iqn && st->portal)
		initiator_clean(st, stopped);
	/* a tgtd that died took its target and account with it */
	if (!vb_daemon_alive(t->pid)) {
		t->tid = 0;
		free(t->user);
		t->user = NULL;
	}
	vb_tgt_target_remove(t, "storage iscsi-kernel");
	vb_chap_remove(s->virt, st->secret_uuid, "storage iscsi-kernel");
	vb_tgt_stop(t);
	s->server_pid = 0;
	if (st->pool_name && s->virt && vb_runpool_exists(s->virt, st->pool_name))
		vb_warn("storage iscsi-kernel: the pool '%s' is still defined: 'virsh pool-destroy %s'", st->pool_name,
		        st->pool_name);
	free(st->pool_name);
	free(st->portal);
	free(st->vol);
	free(st->session);
	free(st->log);
}

static void ik_source(struct vb_xml *x, const struct vb_stor *s)
{
	const struct ik_state *st = s->priv;
	/* mode 'host': QEMU opens the kernel's /dev path, not libiscsi */
	vb_xml_empty(x, "source", "pool", st->pool_name ? st->pool_name : "vmio-iscsi-PID-TID", "volume",
	             st->vol ? st->vol : PLAN_VOL, "mode", "host", NULL);
}

const struct vb_storage vb_storage_iscsi_kernel = {
	.name = "iscsi-kernel",
	.summary = "an iSCSI LUN of a tgtd of the run's own on 127.0.0.1, through the host kernel's initiator (a libvirt "
	           "iscsi pool, <disk type='volume'>), with CHAP",
	.disk_type = "volume",
	.format = "raw",
	.needs = "open-iscsi (iscsiadm, iscsid running), the iscsi_tcp module, tgt, libvirt's iscsi pool backend",
	.priv_size = sizeof(struct ik_state),
	.probe = ik_probe,
	.plan = ik_plan,
	.prepare = ik_prepare,
	.teardown = ik_teardown,
	.source_xml = ik_source,
};
