/* resume: a run that continues or repeats another.  --resume RUN goes on
 * in RUN's folder: the repetitions a mode finished are kept (points
 * matched by label) and only the rest run.  --rerun-of ID repeats run ID
 * of the same results root as a new run marked as its rerun.  Either runs
 * on that run's own hypervisor, disk and store, or not at all. */
#ifndef VB_RUNNER_RESUME_H
#define VB_RUNNER_RESUME_H

#include <jansson.h>

#include "runner/ctx.h"

/* The run.json of the run --resume continues (x->resumed) or --rerun-of
 * repeats (x->rerun_of), and its hypervisor made this process's.  0, or
 * -1 after reporting. */
int vb_resume_load(struct vb_runner *x);
/* That run's disk and store are the ones this run would use.  0, or -1
 * after reporting. */
int vb_resume_same_place(const struct vb_runner *x);
/* The mode's run.json "points" for this plan, each with the repetitions
 * it finished before (none for a new run); point_reps[pi] gets point pi's
 * "reps" (borrowed from mj). */
void vb_resume_mode_points(const struct vb_runner *x, json_t *mj, json_t **point_reps);

#endif
