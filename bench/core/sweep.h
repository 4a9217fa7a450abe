/* sweep: the job points of a run.  `--sweep "bs=4k,64k iodepth=1,32"`
 * names fio parameters (bs, iodepth, numjobs, rw, rwmixread, ramp) and their
 * values; the points are every combination, in the order given.  Without
 * --sweep there is one point, the job the options describe. */
#ifndef VB_SWEEP_H
#define VB_SWEEP_H

/* The most job points a plan has (a run.json with more is not ours). */
#define VB_SWEEP_MAX_POINTS 10000

#include <jansson.h>
#include <stdbool.h>

#include "core/vbconfig.h"

struct vb_point {
	char *label;            /* "bs=4k,iodepth=1", or "default" */
	char *dir;              /* sub-folder in a mode's results ("" for default) */
	struct vb_config cfg;   /* the base configuration with this point's values
	                           (strings borrowed from the base or the plan) */
	int neighbour;          /* --neighbour: VB_NEIGHBOUR_IDLE or _BUSY; 0 without */
};
enum { VB_NEIGHBOUR_IDLE = 1, VB_NEIGHBOUR_BUSY = 2 };

struct vb_plan {
	struct vb_point *points;
	size_t npoints;
	json_t *sweep;          /* {"bs": ["4k","64k"], ...} or NULL */
	char **strings;         /* values the points borrow */
	size_t nstrings;
};

/* Build the plan; reports and returns -1 on a malformed sweep. */
int vb_plan_build(const struct vb_config *base, struct vb_plan *plan);
void vb_plan_release(struct vb_plan *plan);
/* Is k a parameter --sweep accepts (bs, iodepth, ...)? */
bool vb_sweep_is_param(const char *k);
/* A point's fio parameters as JSON (bs in bytes). */
json_t *vb_point_params(const struct vb_point *p);
/* The neighbours' fio arguments at point p: p's job with the --neighbour
 * parameters (spec, "rw=write bs=1M") over it, running as long as p's
 * job and 2 s more, so that it spans the measured job whole.  NULL after
 * reporting a bad spec. */
json_t *vb_point_neighbour_args(const struct vb_point *p, const char *spec);

#endif
