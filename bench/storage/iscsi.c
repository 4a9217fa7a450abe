/* iscsi: the run's data served as an iSCSI LUN by a tgtd of the run's own
 * on 127.0.0.1 (a free port, picked and recorded), read by QEMU's own
 * initiator (libiscsi: the block-iscsi module of qemu-block-extra) through
 * <disk type='network'><source protocol='iscsi'>.  Every I/O crosses a TCP
 * connection and a userspace target before it reaches the store, which is
 * the LUN's backing file (the medium).  The target admits the run's CHAP
 * account alone, its password in a libvirt secret: the same target and
 * secret code as lun's loopback LUN (host/tgt.h, guest/secret.h). */
#include "config.h"
#include "storage/storage.h"
#include "guest/secret.h"
#include "host/hostres.h"
#include "host/hv.h"
#include "host/tgt.h"
#include "core/util.h"

#include <stdio.h>
#include <unistd.h>
#include <fcntl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct iscsi_state {
	struct vb_tgt tgt;
	char secret_uuid[37]; /* the libvirt secret of the CHAP password ("" none) */
	char *secret_file;    /* the same password for QEMU's own secret object
	                         (-blockdev: nvme, qemu-storage-daemon) */
};

#define SECRET_ID "vmio-iscsi-chap"

/* What the xml command shows where the run's own names go. */
#define PLAN_IQN "iqn.2026-11.org.vmio-bench:run-PID-TID"
#define PLAN_USER "vmio-PID-TID"
#define PLAN_PORT 3260

static int iscsi_probe(const struct vb_config *cfg, char **why)
{
	(void)cfg;
	char *v = vb_tgt_version();
	bool have = v && vb_tgt_installed();
	free(v);
	if (!have) {
		*why = vb_asprintf("tgtd/tgtadm are missing on %s (they serve the iSCSI LUN): apt-get install tgt there",
		                   vb_hv_where());
		return -1;
	}
	if (!vb_tgt_qemu_has_iscsi()) {
		*why = vb_asprintf("QEMU's iSCSI block driver (block-iscsi.so) is missing on %s: apt-get install "
		                   "qemu-block-extra there", vb_hv_where());
		return -1;
	}
	return 0;
}

static void record(struct vb_stor *s, const struct vb_tgt *t, const char *version)
{
	json_t *set = vb_stor_settings(s);
	char portal[32];
	snprintf(portal, sizeof(portal), "127.0.0.1:%d", t->port ? t->port : PLAN_PORT);
	json_object_set_new(set, "initiator", json_string("libiscsi"));
	json_object_set_new(set, "portal", json_string(portal));
	json_object_set_new(set, "iqn", json_string(t->iqn ? t->iqn : PLAN_IQN));
	json_object_set_new(set, "lun", json_integer(1));
	json_object_set_new(set, "chap", json_true());
	json_t *srv = json_pack("{s:s, s:s?, s:i}", "name", "tgtd", "version", version, "port", t->port ? t->port : PLAN_PORT);
	if (t->pid > 0)
		json_object_set_new(srv, "pid", json_integer(vb_daemon_host_pid(t->pid)));
	json_object_set_new(s->record, "server", srv);
}

static void iscsi_plan(struct vb_stor *s)
{
	struct iscsi_state *st = s->priv;
	if (s->store && s->store->path)
		s->medium = vb_strdup(s->store->path);
	record(s, &st->tgt, NULL);
}

/* The CHAP account and libvirt's secret for the disk, and the same
 * password in a file for QEMU's own secret object (nvme's command line,
 * qemu-storage-daemon): private to QEMU's user, removed by teardown. */
static int chap(struct vb_stor *s, struct iscsi_state *st, char **why)
{
	char password[33];
	int rc = vb_chap_new_keep(s->virt, &st->tgt, st->secret_uuid, "storage iscsi", password, why);
	/* (here only: on a remote hypervisor the file would have to cross
	 * the link, and the modes that open -blockdev fail there, naming the
	 * missing secret) */
	if (rc == 0 && vb_hv_is_this_host()) {
		st->secret_file = vb_asprintf("%s/iscsi-chap.secret", s->run_dir);
		int fd = open(st->secret_file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		size_t n = strlen(password);
		if (fd < 0 || write(fd, password, n) != (ssize_t)n) {
			*why = vb_asprintf("storage iscsi: cannot write the CHAP secret file '%s': %s", st->secret_file,
			                   strerror(errno));
			rc = -1;
		}
		if (fd >= 0)
			close(fd);
		if (rc == 0 && s->system)
			rc = vb_hv_chown_qemu(st->secret_file, why);
	}
	memset(password, 0, sizeof(password));
	return rc;
}

static int iscsi_prepare(struct vb_stor *s, char **why)
{
	struct iscsi_state *st = s->priv;
	struct vb_tgt *t = &st->tgt;
	if (!s->store || !s->store->path) {
		*why = vb_strdup("storage iscsi serves the run's store, and there is none");
		return -1;
	}
	s->medium = vb_strdup(s->store->path);
	char *log = vb_asprintf("%s/tgtd.log", s->log_dir);
	int rc = vb_tgt_start(t, log, why);
	free(log);
	if (rc < 0)
		return -1;
	/* tgtd serves every I/O: its CPU is part of the cost */
	s->server_name = "tgtd";
	s->server_pid = t->pid;
	if (vb_tgt_target_new(t, why) < 0 || vb_tgt_lun_new(t, s->store->path, NULL, why) < 0 ||
	    chap(s, st, why) < 0 || vb_tgt_bind_local(t, why) < 0)
		return -1;
	char *version = vb_tgt_version();
	record(s, t, version);
	free(version);
	return 0;
}

static json_t *iscsi_objects(const struct vb_stor *s)
{
	const struct iscsi_state *st = s->priv;
	/* (the xml command, which sets nothing up, names where it would be) */
	char *file = st->secret_file ? vb_strdup(st->secret_file) : vb_asprintf("%s/iscsi-chap.secret", s->run_dir);
	json_t *o = json_pack("[{s:s, s:s, s:s, s:s}]", "qom-type", "secret", "id", SECRET_ID, "file", file, "format", "raw");
	free(file);
	return o;
}

static void iscsi_teardown(struct vb_stor *s)
{
	struct iscsi_state *st = s->priv;
	struct vb_tgt *t = &st->tgt;
	/* QEMU has logged out with the guest gone; a tgtd that died took
	 * its target and account with it */
	if (!vb_daemon_alive(t->pid)) {
		t->tid = 0;
		free(t->user);
		t->user = NULL;
	}
	vb_tgt_target_remove(t, "storage iscsi");
	vb_chap_remove(s->virt, st->secret_uuid, "storage iscsi");
	if (st->secret_file)
		vb_hv_remove(st->secret_file);
	free(st->secret_file);
	st->secret_file = NULL;
	vb_tgt_stop(t);
	s->server_pid = 0;
}

static void iscsi_source(struct vb_xml *x, const struct vb_stor *s)
{
	const struct iscsi_state *st = s->priv;
	const struct vb_tgt *t = &st->tgt;
	char port[16], *name = vb_asprintf("%s/1", t->iqn ? t->iqn : PLAN_IQN);
	snprintf(port, sizeof(port), "%d", t->port ? t->port : PLAN_PORT);
	vb_xml_open(x, "source", "protocol", "iscsi", "name", name, NULL);
	vb_xml_empty(x, "host", "name", "127.0.0.1", "port", port, NULL);
	vb_xml_open(x, "auth", "username", t->user ? t->user : PLAN_USER, NULL);
	vb_xml_empty(x, "secret", "type", "iscsi", "usage", t->iqn ? t->iqn : PLAN_IQN, NULL);
	vb_xml_close(x);
	vb_xml_close(x);
	free(name);
}

/* The node QEMU's -blockdev opens, its password in the secret object
 * iscsi_objects defines beside it. */
static json_t *iscsi_blockdev(const struct vb_stor *s, const char *node)
{
	const struct iscsi_state *st = s->priv;
	const struct vb_tgt *t = &st->tgt;
	char portal[32];
	snprintf(portal, sizeof(portal), "127.0.0.1:%d", t->port ? t->port : PLAN_PORT);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s}", "driver", "iscsi", "node-name", node, "transport",
	                 "tcp", "portal", portal, "target", t->iqn ? t->iqn : PLAN_IQN, "lun", 1, "user",
	                 t->user ? t->user : PLAN_USER, "password-secret", SECRET_ID);
}

const struct vb_storage vb_storage_iscsi = {
	.name = "iscsi",
	.summary = "an iSCSI LUN of a tgtd of the run's own on 127.0.0.1, through QEMU's libiscsi, with CHAP",
	.disk_type = "network",
	.format = "raw",
	.needs = "tgtd (apt-get install tgt), QEMU's iSCSI driver (apt-get install qemu-block-extra)",
	.priv_size = sizeof(struct iscsi_state),
	.probe = iscsi_probe,
	.plan = iscsi_plan,
	.prepare = iscsi_prepare,
	.teardown = iscsi_teardown,
	.source_xml = iscsi_source,
	.blockdev = iscsi_blockdev,
	.objects = iscsi_objects,
};
