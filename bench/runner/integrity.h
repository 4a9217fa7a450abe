/* integrity: does what a guest writes reach the storage?  Once per
 * storage model in a run (the first guest mode that runs on it), the guest
 * writes a pattern fio can verify (a header with its offset in every block,
 * and a value new for every run); after the guest is gone, fio reads it back with no guest,
 * through qemu-storage-daemon opening the model's own blockdev (its
 * server, when it has one) and vmio-bench's vhost-user-blk engine.  A
 * model that dropped or only cached the writes fails there. */
#ifndef VB_RUNNER_INTEGRITY_H
#define VB_RUNNER_INTEGRITY_H

#include <jansson.h>

#include "runner/ctx.h"

/* Is the check due for mode m on this storage model (it has data, the
 * guest's disk is the model's, and no mode checked it before)? */
bool vb_integrity_due(const struct vb_runner *x, const struct vb_mode *m, const struct vb_disk_ctx *d);
/* Did this run's guest write the pattern since the last check (a resumed
 * model whose points were all done wrote none)? */
bool vb_integrity_written(const struct vb_runner *x);
/* In the guest: write the pattern.  0, or -1 with *why. */
int vb_integrity_write(struct vb_runner *x, const struct vb_mode *m, struct vb_guest *g, struct vb_disk_ctx *d,
                       char **why);
/* With no guest (after the mode's own daemon has stopped): read it back
 * and verify; the outcome goes into record (the model's run.json record).
 * 0, or -1 with *why naming what did not read back. */
int vb_integrity_check(struct vb_runner *x, const struct vb_disk_ctx *d, const char *model, json_t *record, char **why);
/* The same on the server's side, once a served model's server is gone:
 * the medium it read and wrote (the store), opened raw as a file, so that
 * a server that only cached the writes fails.  mdir: the mode's folder. */
int vb_integrity_check_medium(struct vb_runner *x, const char *mdir, const char *model, json_t *record, char **why);

#endif
