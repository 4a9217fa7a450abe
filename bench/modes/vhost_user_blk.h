/* vhost_user_blk: the qemu-storage-daemon that the vhost-user-blk mode
 * starts on the store, shared with the backend mode, which drives the same
 * daemon with fio's vhost-user-blk engine instead of a guest. */
#ifndef VB_VHOST_USER_BLK_H
#define VB_VHOST_USER_BLK_H

#include "modes/mode.h"

/* Its private state (vb_disk_ctx.priv): the daemon it started */
struct vhost_state {
	char *socket;        /* the daemon's vhost-user socket */
	pid_t daemon;        /* qemu-storage-daemon */
	char *daemon_log;
};

/* qemu-storage-daemon is installed; -1 with *why. */
int vb_vhost_probe(const struct vb_config *cfg, char **why);
/* Start the daemon exporting the store (or --backend null's null-co) with
 * the run's --cache, --io and --queues and an IOThread; -1 with *why. */
int vb_vhost_prepare(struct vb_disk_ctx *d, char **why);
void vb_vhost_cleanup(struct vb_disk_ctx *d);

#endif
