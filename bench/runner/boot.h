/* boot: a guest mode's boots -- one for all repetitions, or one per
 * repetition with --boot-per-rep -- each the guest up and its disk
 * checked, the repetitions due of every point, and its power-off; the
 * console log kept in the mode's folder. */
#ifndef VB_RUNNER_BOOT_H
#define VB_RUNNER_BOOT_H

#include <jansson.h>

#include "runner/ctx.h"

/* Run guest mode m's boots; r gets the guest's kernel, mj (the mode's
 * run.json record) the guest's disk, boots and teardown.  0, or -1 with
 * *why. */
int vb_runner_guest_boots(struct vb_runner *x, const struct vb_mode *m, struct vb_disk_ctx *d, const char *mdir,
                          struct vb_mode_result *r, json_t *mj, json_t **point_reps, char **why);

#endif
