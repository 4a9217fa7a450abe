/* nbd: the run's filled store served by qemu-nbd (installed with QEMU) on
 * a unix socket in the run's private folder, and reached through QEMU's
 * own NBD client (<disk type='network'><source protocol='nbd'>, or an nbd
 * -blockdev for nvme and qemu-storage-daemon).  What it adds to raw is
 * one more process and a socket hop per request: the cost of a storage
 * server that lives outside QEMU.
 *
 * One server per prepare, on the hypervisor: --persistent so that it
 * outlives each client (every boot of a point is a new connection), and
 * clients without a limit (--shared=0): a guest or qemu-storage-daemon is
 * one, but fio's own nbd engine opens one per job, and with the default of
 * one the second job would wait for the first to end.  The host baseline
 * reads the file the server reads. */
#include "config.h"
#include "storage/storage.h"
#include "host/hostres.h"
#include "host/hv.h"
#include "core/fiopath.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NBD_SOCKET "nbd.sock"
#define NBD_START_S 10 /* qemu-nbd opens a local file: a second is plenty */

/* The server this prepare started (storage.h's priv). */
struct nbd_state {
	pid_t pid;  /* vb_daemon_start's: on a remote host, the ssh that stands for it */
	char *log;
};

static int nbd_probe(const struct vb_config *cfg, char **why)
{
	(void)cfg;
	if (vb_hv_on_path("qemu-nbd"))
		return 0;
	*why = vb_asprintf("qemu-nbd is missing on %s: apt-get install qemu-utils there", vb_hv_where());
	return -1;
}

/* The socket in the run's private folder (path), the store as the medium
 * (medium): what the xml command shows and prepare serves. */
static void nbd_plan(struct vb_stor *s)
{
	if (!s->path)
		s->path = vb_asprintf("%s/%s", s->run_dir, NBD_SOCKET);
	if (!s->medium && s->store && s->store->path)
		s->medium = vb_strdup(s->store->path);
	json_t *set = vb_stor_settings(s);
	json_object_set_new(set, "transport", json_string("unix"));
	json_object_set_new(set, "export_format", json_string("raw"));
}

/* Wait for the server's socket; -1 with *why if it exits or never makes
 * one. */
static int wait_ready(struct vb_stor *s, struct nbd_state *st, char **why)
{
	double deadline = vb_now() + NBD_START_S;
	while (!vb_hv_test("-S", s->path)) {
		if (!vb_daemon_alive(st->pid)) {
			char *last = vb_file_last_line(st->log);
			*why = vb_asprintf("qemu-nbd exited at start: %s (see %s)", last ? last : "no message", st->log);
			free(last);
			st->pid = 0;
			return -1;
		}
		if (vb_now() >= deadline) {
			*why = vb_asprintf("qemu-nbd did not create its socket '%s' within %d s (see %s)", s->path,
			                   NBD_START_S, st->log);
			return -1;
		}
		usleep(100000);
	}
	return 0;
}

/* What run.json says of the server (settings come from plan). */
static void record_server(struct vb_stor *s, const struct nbd_state *st)
{
	const char *argv[] = {"qemu-nbd", "--version", NULL};
	char *version = vb_hv_command_first_line(argv);
	json_object_set_new(s->record, "image", json_string(s->medium)); /* what is served, not the socket */
	json_object_set_new(s->record, "server",
	                    json_pack("{s:s, s:s?, s:s, s:I}", "name", "qemu-nbd", "version", version, "socket", s->path,
	                              "pid", (json_int_t)vb_daemon_host_pid(st->pid)));
	free(version);
}

static int nbd_prepare(struct vb_stor *s, char **why)
{
	struct nbd_state *st = s->priv;
	nbd_plan(s);
	if (!s->medium) {
		*why = vb_strdup("storage nbd has no store to serve");
		return -1;
	}
	st->log = vb_asprintf("%s/qemu-nbd.log", s->log_dir);
	vb_hv_remove(s->path); /* a socket left by a server that died with its run */
	char *cache = vb_asprintf("--cache=%s", s->cfg->cache), *aio = vb_asprintf("--aio=%s", s->cfg->io);
	const char *argv[] = {"qemu-nbd", "--format=raw", cache, aio, "--shared=0", "--persistent",
	                      "--socket", s->path, "--", s->medium, NULL};
	st->pid = vb_daemon_start(argv, st->log);
	free(cache);
	free(aio);
	if (st->pid < 0) {
		st->pid = 0;
		*why = vb_strdup("cannot start qemu-nbd (fork failed)");
		return -1;
	}
	if (wait_ready(s, st, why) < 0)
		return -1;
	/* under /system QEMU connects as its own user, and a socket needs write access */
	if (s->system && vb_hv_chown_qemu(s->path, why) < 0)
		return -1;
	record_server(s, st);
	s->server_name = "qemu-nbd";
	s->server_pid = st->pid;
	vb_info("storage nbd: qemu-nbd (pid %ld) serves %s on %s", (long)vb_daemon_host_pid(st->pid), s->medium,
	        s->path);
	return 0;
}

static void nbd_teardown(struct vb_stor *s)
{
	struct nbd_state *st = s->priv;
	if (!st || !st->log)
		return; /* planned only (the xml command): nothing was started */
	if (st->pid > 0)
		vb_daemon_stop(st->pid, 10);
	st->pid = 0;
	if (s->path)
		vb_hv_remove(s->path); /* a killed server leaves its socket */
	free(st->log);
	st->log = NULL;
}

static void nbd_source(struct vb_xml *x, const struct vb_stor *s)
{
	vb_xml_open(x, "source", "protocol", "nbd", NULL);
	vb_xml_empty(x, "host", "transport", "unix", "socket", s->path, NULL);
	vb_xml_close(x);
}

static json_t *nbd_blockdev(const struct vb_stor *s, const char *node)
{
	return json_pack("{s:s, s:s, s:{s:s, s:s}}", "driver", "nbd", "node-name", node, "server", "type", "unix", "path",
	                 s->path ? s->path : "");
}

/* fio's nbd engine (libnbd) on the same socket: the server's ceiling as
 * an NBD client sees it, with no QEMU (the native mode). */
static char **nbd_fio_native(const struct vb_stor *s)
{
	const char *refused = s->path ? vb_fio_path_check(s->path) : "is missing";
	if (refused) {
		vb_warn("nbd: the socket path '%s' %s: fio's nbd engine cannot be given it", s->path ? s->path : "", refused);
		return NULL;
	}
	char **a = vb_calloc(3, sizeof(char *));
	a[0] = vb_strdup("--ioengine=nbd");
	a[1] = vb_asprintf("--uri=nbd+unix:///?socket=%s", s->path);
	return a;
}

const struct vb_storage vb_storage_nbd = {
	.name = "nbd",
	.summary = "the store served by qemu-nbd on a unix socket, QEMU's NBD client (<disk type='network'>)",
	.disk_type = "network",
	.format = "raw",
	.needs = "qemu-nbd (qemu-utils)",
	.priv_size = sizeof(struct nbd_state),
	.probe = nbd_probe,
	.plan = nbd_plan,
	.prepare = nbd_prepare,
	.teardown = nbd_teardown,
	.source_xml = nbd_source,
	.blockdev = nbd_blockdev,
	.fio_native = nbd_fio_native,
	.fio_engine = "nbd (libnbd)",
};
