/* reps: a point's repetitions and when they stop: --reps N runs N,
 * --reps auto runs at least 3 (or the cap, when it is 2) and stops a point
 * once the 95% confidence interval of its IOPS is within --ci-target, or
 * at --max-reps.  Repetitions are recorded in order, so rep N of a point
 * is done when the point holds N entries (--resume relies on this).
 *
 * point_reps[pi] is point pi's "reps" array in the mode's run.json
 * record (borrowed). */
#ifndef VB_RUNNER_REPS_H
#define VB_RUNNER_REPS_H

#include <jansson.h>
#include <stdbool.h>

#include "runner/ctx.h"

/* Repetitions a point may get: --reps, or with --reps auto the cap. */
unsigned vb_reps_max(const struct vb_config *c);
/* Repetitions a point gets at least (the status line's plan). */
unsigned vb_reps_least(const struct vb_config *c);
/* Whether repetition rep of point pi is still to be run. */
bool vb_reps_need(const struct vb_runner *x, json_t **point_reps, size_t pi, unsigned rep);
/* Whether any point still needs one of the repetitions first..last. */
bool vb_reps_left(const struct vb_runner *x, json_t **point_reps, unsigned first, unsigned last);
/* --reps auto: what stopped each point, in the mode's run.json points. */
void vb_reps_record_stops(const struct vb_runner *x, json_t *mj, json_t **point_reps);
/* issue 28: each point's host_load in the mode's run.json points -- the
 * means over its repetitions' and the busy rule's verdict (host/hostload.h);
 * nothing for a point none of whose repetitions has one. */
void vb_reps_record_host_load(const struct vb_runner *x, json_t *mj, json_t **point_reps);
/* One point's repetitions (run.json entries): the means of their
 * host_load into m, and the busy verdict: busy when the means are, or when
 * any one repetition was (why names it; why: n bytes).  Returns how many
 * repetitions had a host_load (0: m, busy and why say nothing). */
struct vb_runrec_load;
int vb_reps_point_load(json_t *reps, struct vb_runrec_load *m, bool *busy, char *why, size_t n);

#endif
