/* engine: one host's run, its steps in order (engine.h): check, start,
 * open, the modes, finish, release. */
#include "config.h"
#include "runner/engine.h"
#include "runner/ctx.h"
#include "runner/manifest.h"
#include "runner/mode.h"
#include "runner/reps.h"
#include "runner/resume.h"
#include "runner/start.h"
#include "host/hv.h"
#include "core/job.h"
#include "core/progress.h"
#include "core/results.h"
#include "render/report.h"
#include "summary/runrec.h"
#include "core/util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The run's folder: a new one in the results root, a fleet host's, or
 * the one --resume continues.  0 or -1. */
static int run_folder(struct vb_runner *x)
{
	const struct vb_config *c = x->cfg;
	char real[PATH_MAX], *dir = NULL;

	if (x->resumed) {
		x->id = vb_strdup(vb_runrec_id(x->resumed));
		dir = vb_strdup(c->resume);
	} else if (x->fleet_dir) {
		x->id = vb_strdup(x->fleet_id);
		dir = vb_strdup(x->fleet_dir);
		if (vb_mkdir_p(dir, 0755) < 0) {
			free(dir);
			return vb_error("cannot create '%s': %s", x->fleet_dir, strerror(errno));
		}
	} else if (vb_results_create_run_dir(c->results, &x->id, &dir) < 0) {
		return -1;
	}
	x->dir = vb_strdup(realpath(dir, real) ? real : dir);
	free(dir);
	x->results = vb_strdup(realpath(c->results, real) ? real : c->results);
	if (vb_hv_local_system() && vb_check_reachable("the results folder", x->dir) < 0)
		return -1;
	return 0;
}

/* The run folder and its run.json, new or resumed.  0 or -1. */
static int open_run(struct vb_runner *x)
{
	const struct vb_config *c = x->cfg;

	if (run_folder(x) < 0)
		return -1;
	x->point_args = vb_calloc(x->plan.npoints, sizeof(json_t *));
	for (size_t i = 0; i < x->plan.npoints; i++)
		x->point_args[i] = vb_job_args(&x->plan.points[i].cfg);
	if (x->resumed) {
		x->runjson = json_incref(x->resumed);
		vb_runrec_resumed(x->runjson);
	} else {
		struct vb_manifest_in in = {.id = x->id, .cfg = c, .virt = x->virt, .accel = &x->accel, .img = &x->img,
		                            .store = &x->store, .plan = &x->plan, .point_args = x->point_args, .modes = x->modes,
		                            .placement = x->placement};
		x->runjson = vb_manifest_new(&in);
	}
	x->seeds = vb_runrec_seeds(x->runjson, vb_reps_max(c));
	x->verified = json_object();
	/* the plan asked for them: the gate sees them missing, report shows why */
	for (size_t i = 0; x->dropped && x->dropped[i].mode; i++) {
		json_t *mj = vb_runrec_mode(x->runjson, x->dropped[i].mode->name);
		if (vb_runrec_mode_done(mj))
			continue; /* finished before --resume, when it could run */
		vb_runrec_mode_set_status(mj, "unavailable", x->dropped[i].why);
	}
	if (vb_manifest_save(x->dir, x->runjson) < 0)
		return -1;
	if (!x->resumed && !c->rerun_of && !x->fleet_dir) /* a rerun belongs to its run; latest stays that run */
		vb_results_link_latest(x->results, x->id);
	vb_info("results: %s%s", x->dir, x->resumed ? " (resumed)" : "");
	return 0;
}

/* Close run.json and render everything from what was stored, exactly as
 * 'vmio-bench report' would.  The exit status. */
static int finish(struct vb_runner *x, bool failed)
{
	vb_progress_end();
	vb_runrec_end(x->runjson, vb_interrupted || x->host_lost);
	if (vb_manifest_save(x->dir, x->runjson) < 0)
		failed = true;
	vb_runner_drawn(x);
	double t0 = vb_now();
	/* a fleet's host draws its own folder; the fleet prints one table */
	FILE *table = x->cfg->json || x->fleet_dir ? NULL : stdout;
	if (vb_report_run(x->dir, table) < 0 || (x->cfg->json && !x->fleet_dir && vb_report_print_json(x->dir, stdout) < 0))
		failed = true;
	/* the report's own time, recorded after it (run.json saved again) */
	vb_runrec_timing(x->runjson, VB_PHASE_REPORT, vb_now() - t0);
	if (!failed && vb_manifest_save(x->dir, x->runjson) < 0)
		failed = true;
	if (vb_interrupted)
		vb_error("interrupted by a signal: the finished repetitions are kept in %s; continue with 'vmio-bench run --resume %s'",
		         x->dir, x->dir);
	return failed || vb_interrupted ? VB_EXIT_FAIL : VB_EXIT_OK;
}

static void run_release(struct vb_runner *x)
{
	vb_runner_drawn(x);
	vb_virt_free(x->virt);
	vb_image_release(&x->img);
	vb_store_release(&x->store);
	free(x->accel.why);
	free(x->dir);
	free(x->id);
	free(x->results);
	vb_hv_private_dir_remove(x->run_dir);
	free(x->run_dir);
	free(x->host_lost);
	json_decref(x->placement);
	json_decref(x->verified);
	for (size_t i = 0; x->point_args && i < x->plan.npoints; i++)
		json_decref(x->point_args[i]);
	free(x->point_args);
	vb_plan_release(&x->plan);
	json_decref(x->runjson);
	json_decref(x->resumed);
	json_decref(x->rerun_of);
	free(x->modes);
	vb_mode_dropped_free(x->dropped);
}

int vb_engine_check(struct vb_config *c)
{
	struct vb_runner x = {.cfg = c};
	char *why = NULL;
	int ret = VB_EXIT_OK;
	if (vb_hv_check(&why) < 0) {
		vb_error("%s", why);
		ret = VB_EXIT_FAIL;
	} else if (vb_runner_check_inputs(&x) < 0)
		ret = VB_EXIT_USAGE;
	free(why);
	run_release(&x);
	return ret;
}

int vb_engine_host(struct vb_config *c, const char *fleet_dir, const char *fleet_id)
{
	struct vb_runner x = {.cfg = c, .fleet_dir = fleet_dir, .fleet_id = fleet_id};
	int ret = VB_EXIT_USAGE;
	double t0 = vb_now(), t1, t2;

	if (vb_resume_load(&x) < 0)
		goto out;
	char *why = NULL;
	if (vb_hv_check(&why) < 0) { /* before any probe asks that host something */
		vb_error("%s", why);
		free(why);
		ret = VB_EXIT_FAIL;
		goto out;
	}
	if (vb_resume_same_place(&x) < 0 || vb_runner_check_inputs(&x) < 0)
		goto out;
	t1 = vb_now();
	/* from here on, what the host cannot do is a failed measurement (1) */
	vb_install_signal_handlers();
	if ((ret = vb_runner_start_host(&x)) != VB_EXIT_OK)
		goto out;
	t2 = vb_now();
	ret = VB_EXIT_FAIL;
	if (open_run(&x) < 0)
		goto out;
	vb_runrec_timing(x.runjson, VB_PHASE_CHECKS, t1 - t0);
	vb_runrec_timing(x.runjson, VB_PHASE_HOST_SETUP, t2 - t1); /* store, libvirt, accelerator (probe) */
	vb_runrec_timing(x.runjson, VB_PHASE_ACCEL_PROBE, x.accel_s); /* of which the accelerator's choice */
	ret = finish(&x, vb_runner_modes(&x));
out:
	vb_progress_end();
	run_release(&x);
	return ret;
}
