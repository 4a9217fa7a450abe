/* vms: --vms N, a mode's points run by N guests at once (or, in the host
 * mode, N fio processes), each on its own slice of the raw store or all on
 * the whole store (--shared, read-only jobs).  The guests boot in parallel
 * (up to the host's cores at a time); every repetition's job is sent to
 * each guest held, and once all are ready one "go" starts them together;
 * each guest's window is sampled in a thread of its own.  A guest that
 * fails to boot fails its slot: the others' results are kept and the
 * points are marked partial.  --neighbour: guest 1 runs the measured job,
 * guests 2..N the neighbour job in a point's "busy" half and nothing in
 * its "idle" half.
 *
 * run.json: each repetition's "vms" record, the mode's "vms" record and
 * its boots (summary/runrec.h); every guest's fio JSON kept as
 * MODE/POINT/vm-I/rep-R.fio.json. */
#ifndef VB_RUNNER_VMS_H
#define VB_RUNNER_VMS_H

#include <jansson.h>
#include <stdbool.h>

#include "runner/ctx.h"

/* The largest N of the plan (0: --vms not given). */
unsigned vb_vms_max(const struct vb_runner *x);

/* Whether the run's --vms, --shared and --neighbour suit its modes,
 * storage and job; reports one line and returns -1 when not.  Sets the
 * guests' memory to 256 MiB (base and points) when --vms is given. */
int vb_vms_check(struct vb_runner *x);

/* Mode m's points on the current storage model with N guests, for each N
 * the plan has in turn (x->vms_now while it runs).  0, or -1 with *why. */
int vb_vms_run(struct vb_runner *x, const struct vb_mode *m, struct vb_disk_ctx *d, const char *mdir,
               struct vb_mode_result *r, json_t *mj, json_t **point_reps, char **why);

#endif
