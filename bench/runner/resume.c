/* resume: what a run takes over from the run it continues (--resume) or
 * repeats (--rerun-of) (resume.h). */
#include "config.h"
#include "runner/resume.h"
#include "runner/manifest.h"
#include "summary/runrec.h"
#include "host/hv.h"
#include "core/results.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* --rerun-of ID: that run's run.json, in the same results root; NULL
 * after reporting. */
static json_t *rerun_of_json(const struct vb_config *c)
{
	char *p = vb_asprintf("%s/%s/run.json", c->results, c->rerun_of);
	char *dir = vb_asprintf("%s/%s", c->results, c->rerun_of);
	int mine = vb_valid_id(c->rerun_of) && access(p, F_OK) == 0 ? vb_manifest_trusted(dir, "--rerun-of") : 0;
	free(dir);
	if (mine < 0) {
		free(p);
		return NULL;
	}
	json_t *run = vb_valid_id(c->rerun_of) ? vb_json_load_regular(p, 64u << 20, JSON_REJECT_DUPLICATES, NULL) : NULL;
	free(p);
	if (!json_is_object(run)) {
		json_decref(run);
		vb_error("--rerun-of: '%s' is not a run in the results root '%s': give the id of a run folder there",
		         c->rerun_of, c->results);
		return NULL;
	}
	return run;
}

int vb_resume_load(struct vb_runner *x)
{
	struct vb_config *c = x->cfg;
	if (c->resume && !(x->resumed = vb_manifest_resume(c)))
		return -1;
	if (c->rerun_of && !(x->rerun_of = rerun_of_json(c)))
		return -1;
	/* the resumed or repeated run's own hypervisor, whichever this process
	 * had (a gate's rerun is its child) */
	if ((x->resumed || x->rerun_of) && vb_hv_use(c->connect) < 0)
		return -1;
	return 0;
}

int vb_resume_same_place(const struct vb_runner *x)
{
	/* there, on the disk and store it measured, or not at all */
	if ((x->resumed && vb_manifest_check_place(x->resumed, x->cfg, "--resume") < 0) ||
	    (x->rerun_of && vb_manifest_check_place(x->rerun_of, x->cfg, "--rerun-of") < 0))
		return -1;
	return 0;
}

void vb_resume_mode_points(const struct vb_runner *x, json_t *mj, json_t **point_reps)
{
	json_t *points = json_array();
	/* --resume: the repetitions a mode already finished are kept and
	 * skipped; points are matched by label */
	for (size_t pi = 0; pi < x->plan.npoints; pi++) {
		json_t *prev = vb_runrec_mode_point_reps(mj, x->plan.points[pi].label);
		point_reps[pi] = prev ? json_incref(prev) : json_array();
		json_array_append_new(points, vb_runrec_point_new(x->plan.points[pi].label, x->plan.points[pi].dir,
		                                                  vb_point_params(&x->plan.points[pi]), point_reps[pi]));
		json_decref(point_reps[pi]); /* owned by the point now; still borrowed here */
	}
	vb_runrec_mode_begin(mj, points); /* the earlier reason goes */
}
