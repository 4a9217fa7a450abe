/* backend: the vhost-user-blk mode's qemu-storage-daemon, on the same store
 * with the same settings, driven by fio on the host through vmio-bench's
 * own vhost-user-blk ioengine (engines/): the same virtqueue protocol a
 * guest speaks, with no guest.  Beside host (the file) and vhost-user-blk
 * (the daemon plus a guest) it splits a guest's cost into its parts. */
#include "config.h"
#include "modes/vhost_user_blk.h"
#include "guest/image.h"
#include "core/fiopath.h"
#include "host/hv.h"
#include "core/util.h"

#include <stdlib.h>

/* backend's own options (vb_mode.options, into this struct). */
struct backend_options {
	bool vhost_poll; /* --vhost-poll: the engine polls the used ring */
};

static const struct vb_option backend_options[] = {
	{.name = "vhost-poll", .type = VB_OPT_FLAG, .offset = offsetof(struct backend_options, vhost_poll),
	 .cmds = "run", .record = "vhost_poll",
	 .help = "backend: the engine polls the used ring for completions instead of waiting on the call eventfd"},
	{.name = NULL},
};

static const struct backend_options *backend_opts(const struct vb_config *c)
{
	return vb_config_part(c, backend_options);
}

#define ENGINE "vhost-user-blk.so"
/* QEMU's vhost-user-blk device's default queue size; each request takes
 * three descriptors in the engine (a Linux guest uses one, indirect). */
#define QUEUE_SIZE_MIN 128
#define QUEUE_SIZE_MAX 1024

/* Where the engine should be and how to put it there: a build without
 * fio's source (configure --without-fio-source, as the Debian package is)
 * never had one. */
static char *engine_missing(const char *engine)
{
#ifdef VB_HAVE_ENGINES
	return vb_asprintf("fio's vhost-user-blk engine is not built (%s): run scripts/fio-source, then "
	                   "./configure && make install", engine);
#else
	return vb_asprintf("this vmio-bench was built without fio's vhost-user-blk engine (configure "
	                   "--without-fio-source, as the Debian package is): build engines/vhost-user-blk.so from "
	                   "vmio-bench's source against the installed fio (scripts/fio-source, then ./configure "
	                   "--with-fio-source=DIR && make) and copy it to %s (README.Debian says how), or leave "
	                   "backend out", engine);
#endif
}

static int backend_probe(const struct vb_config *cfg, char **why)
{
	char *engine = vb_helper_path(ENGINE);
	int rc = vb_vhost_probe(cfg, why);
	/* fio runs on the hypervisor and loads the engine there */
	if (rc == 0 && !vb_hv_test("-r", engine)) {
		*why = vb_hv_is_this_host() /* another host is named, and what to install there */
		           ? engine_missing(engine)
		           : vb_asprintf("fio's vhost-user-blk engine is not on %s at %s: install vmio-bench there too (the "
		                         "same prefix), or leave backend out", vb_hv_where(), engine);
		rc = -1;
	}
	free(engine);
	return rc;
}

static int backend_check_config(const struct vb_config *cfg, char **why)
{
	if (cfg->numjobs > 1) {
		*why = vb_asprintf("backend: --numjobs %u: a vhost-user-blk socket serves one frontend, so the engine runs "
		                   "one job; use --numjobs 1 and a higher --iodepth", cfg->numjobs);
		return -1;
	}
	if (cfg->iodepth * 3 > QUEUE_SIZE_MAX) {
		*why = vb_asprintf("backend: --iodepth %u needs %u virtqueue descriptors, more than the %u a backend takes; "
		                   "use --iodepth %u or less", cfg->iodepth, cfg->iodepth * 3, QUEUE_SIZE_MAX, QUEUE_SIZE_MAX / 3);
		return -1;
	}
	return 0;
}

static unsigned queue_size(unsigned iodepth)
{
	unsigned q = QUEUE_SIZE_MIN;
	while (q < iodepth * 3)
		q *= 2;
	return q;
}

static int backend_measure(const struct vb_disk_ctx *d, json_t *fio_args, const char *log_prefix, char **fio_json,
                           json_t **host_cpu, char **why)
{
	const struct vhost_state *st = d->priv;
	char *engine = vb_helper_path(ENGINE);
	char *ioengine = vb_asprintf("--ioengine=external:%s", engine);
	char *sock = vb_asprintf("--vhost_socket=%s", st->socket);
	char *qs = vb_asprintf("--vhost_queue_size=%u", queue_size(d->cfg->iodepth));
	const char *extra[] = {ioengine, sock, qs, backend_opts(d->cfg)->vhost_poll ? "--vhost_poll=1" : "--vhost_poll=0",
	                       "--filename=vhost-user-blk", NULL};
	int rc = -1;
	*host_cpu = NULL;
	/* fio's filename here is a label (the engine opens the socket); the
	 * socket's path is an option value, read by fio's parser alike */
	const char *refused = vb_fio_path_check(st->socket);
	if (refused)
		*why = vb_asprintf("backend: the daemon's socket path '%s' %s", st->socket, refused);
	else if (backend_check_config(d->cfg, why) == 0)  /* a sweep point may ask for more */
		rc = vb_mode_host_fio(d, fio_args, extra, log_prefix, fio_json, host_cpu, why);
	free(engine);
	free(ioengine);
	free(sock);
	free(qs);
	return rc;
}


const struct vb_mode vb_mode_backend = {
	.name = "backend",
	.no_iotune = "fio runs on the host against the daemon, with no guest disk to throttle",
	.summary = "vhost-user-blk's qemu-storage-daemon driven by fio on the host through engines/vhost-user-blk (no guest)",
	.host = true,
	.options = backend_options,
	.options_size = sizeof(struct backend_options),
	.check_config = backend_check_config,
	.probe = backend_probe,
	.priv_size = sizeof(struct vhost_state),
	.prepare = vb_vhost_prepare,
	.cleanup = vb_vhost_cleanup,
	.measure = backend_measure,
};
