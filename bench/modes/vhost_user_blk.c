/* vhost-user-blk: the virtqueues are served by qemu-storage-daemon, a
 * separate process that maps the guest's RAM (shared memory backing), not
 * by QEMU's own block layer.  vmio-bench starts the daemon on the backing
 * store for the run and stops it afterwards. */
#include "config.h"
#include "modes/vhost_user_blk.h"
#include "host/hostres.h"
#include "host/hv.h"
#include "core/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* qemu-storage-daemon answers VIRTIO_BLK_T_GET_ID with this fixed string:
 * it is the serial the guest sees, whatever we would like. */
#define QSD_SERIAL "vhost_user_blk"


int vb_vhost_probe(const struct vb_config *cfg, char **why)
{
	const char *argv[] = {"qemu-storage-daemon", "--version", NULL};
	char *v = vb_hv_command_first_line(argv);
	if (!v) {
		*why = vb_asprintf("qemu-storage-daemon is missing on %s: apt-get install qemu-system-x86 there (Debian ships it in that package)",
		                   vb_hv_where());
		return -1;
	}
	free(v);
	return 0;
}

static unsigned queues(const struct vb_disk_ctx *d)
{
	return d->cfg->queues ? d->cfg->queues : 1;
}

int vb_vhost_prepare(struct vb_disk_ctx *d, char **why)
{
	struct vhost_state *st = d->priv;
	char *blk_file, *blk_fmt, *exp;

	st->socket = vb_asprintf("%s/vhost-user-blk.sock", d->run_dir);
	if (!st->daemon_log) /* a caller may name its own (the integrity check) */
		st->daemon_log = vb_asprintf("%s/qemu-storage-daemon.log", d->mode_dir);
	vb_hv_remove(st->socket);
	json_t *jf = vb_stor_blockdev(d->stor, "file0");
	json_t *jd = json_pack("{s:s, s:s, s:s}", "driver", d->format, "node-name", "disk0", "file", "file0");
	json_t *je = json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:b, s:i, s:s}", "type", "vhost-user-blk", "id", "exp0",
	                       "node-name", "disk0", "addr", "type", "unix", "path", st->socket, "writable", 1,
	                       "num-queues", (int)queues(d), "iothread", "iothread0");
	blk_file = json_dumps(jf, JSON_COMPACT | JSON_PRESERVE_ORDER);
	blk_fmt = json_dumps(jd, JSON_COMPACT | JSON_PRESERVE_ORDER);
	exp = json_dumps(je, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(jf);
	json_decref(jd);
	json_decref(je);
	/* the storage's own objects first (a secret its blockdev names) */
	json_t *objs = vb_stor_objects(d->stor), *o;
	size_t no = json_array_size(objs), k = 0, i;
	const char **argv = vb_calloc(no * 2 + 10, sizeof(char *));
	char **objstr = vb_calloc(no + 1, sizeof(char *));
	argv[k++] = "qemu-storage-daemon";
	json_array_foreach(objs, i, o) {
		objstr[i] = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		argv[k++] = "--object";
		argv[k++] = objstr[i];
	}
	const char *rest[] = {"--object", "iothread,id=iothread0", "--blockdev", blk_file, "--blockdev", blk_fmt,
	                      "--export", exp, NULL};
	for (i = 0; rest[i]; i++)
		argv[k++] = rest[i];
	st->daemon = vb_daemon_start(argv, st->daemon_log);
	for (i = 0; i < no; i++)
		free(objstr[i]);
	free(objstr);
	free(argv);
	json_decref(objs);
	free(blk_file);
	free(blk_fmt);
	free(exp);
	if (st->daemon < 0) {
		*why = vb_strdup("cannot start qemu-storage-daemon");
		return -1;
	}
	/* The export is ready when its socket exists. */
	double deadline = vb_now() + 10;
	bool ready;
	while (!(ready = vb_hv_test("-S", st->socket)) && vb_now() < deadline) {
		if (!vb_daemon_alive(st->daemon)) {
			char *last = vb_file_last_line(st->daemon_log);
			*why = vb_asprintf("qemu-storage-daemon exited at start: %s", last);
			free(last);
			st->daemon = 0;
			return -1;
		}
		usleep(100000);
	}
	if (!ready) {
		*why = vb_asprintf("qemu-storage-daemon did not create its socket within 10 s (see %s)", st->daemon_log);
		return -1;
	}
	/* QEMU, as an unprivileged user, must be able to connect. */
	if (d->system && vb_hv_chown_qemu(st->socket, why) < 0)
		return -1;
	d->serial = QSD_SERIAL;
	d->helper_name = "qemu-storage-daemon";
	d->helper_pid = st->daemon; /* on a remote host, the ssh that stands for it */
	return 0;
}

void vb_vhost_cleanup(struct vb_disk_ctx *d)
{
	struct vhost_state *st = d->priv;
	if (st->daemon > 0)
		vb_daemon_stop(st->daemon, 10);
	st->daemon = 0;
	if (st->socket)
		vb_hv_remove(st->socket);
	free(st->socket);
	free(st->daemon_log);
	st->socket = st->daemon_log = NULL;
}

static void vhost_devices(struct vb_xml *x, const struct vb_disk_ctx *d)
{
	const struct vhost_state *st = d->priv;
	char q[16];
	snprintf(q, sizeof(q), "%u", queues(d));
	vb_xml_open(x, "disk", "type", "vhostuser", "device", "disk", NULL);
	vb_xml_empty(x, "driver", "name", "qemu", "type", "raw", "queues", q, NULL);
	vb_xml_open(x, "source", "type", "unix", "path", st && st->socket ? st->socket : "/run/vmio-bench/vhost-user-blk.sock", NULL);
	vb_xml_empty(x, "reconnect", "enabled", "no", NULL);
	vb_xml_close(x);
	vb_xml_empty(x, "target", "dev", "vda", "bus", "virtio", NULL);
	vb_xml_close(x);
}

const struct vb_mode vb_mode_vhost_user_blk = {
	.name = "vhost-user-blk",
	.no_iotune = "the daemon does the I/O, not QEMU, and libvirt refuses <iotune> on a vhostuser disk",
	.summary = "virtio-blk served by qemu-storage-daemon over vhost-user (<disk type='vhostuser'>)",
	.guest_driver = "virtio_blk",
	.bus_driver = "virtio-pci",
	.guest_modules = "virtio_blk",
	.shared_memory = true,
	.probe = vb_vhost_probe,
	.priv_size = sizeof(struct vhost_state),
	.prepare = vb_vhost_prepare,
	.cleanup = vb_vhost_cleanup,
	.devices_xml = vhost_devices,
};
