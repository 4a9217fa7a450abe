/* runner: the engine's door (runner.h): a fleet or one host; a rerun. */
#include "config.h"
#include "runner/runner.h"
#include "runner/engine.h"
#include "runner/fleet.h"
#include "core/options.h"
#include "core/results.h"
#include "summary/runrec.h"
#include "core/util.h"

#include <stdlib.h>

int vb_runner_run(struct vb_config *c)
{
	if (vb_fleet_is(c) && c->rerun_of)
		return vb_error("--rerun-of with several --connect: a fleet is not a rerun of one run; run the fleet again, "
		                "or rerun one host's run on its own"), VB_EXIT_USAGE;
	if (vb_fleet_is(c))
		return vb_fleet_run(c);
	return vb_engine_host(c, NULL, NULL);
}

int vb_runner_check(struct vb_config *c)
{
	return vb_fleet_is(c) ? VB_EXIT_OK : vb_engine_check(c);
}

int vb_runner_rerun(json_t *run, const char *id, const char *root, const char *modes, unsigned more)
{
	struct vb_config rc = {0};
	char *argv[] = {"run", NULL};
	if (vb_options_parse(&rc, VB_CMD_RUN, 1, argv, NULL, NULL) < 0 ||
	    vb_options_from_json(&rc, VB_CMD_RUN, vb_runrec_config(run)) < 0) {
		vb_config_release(&rc);
		return VB_EXIT_USAGE;
	}
	rc.mode_tuning = json_deep_copy(vb_runrec_config_file_modes(run));
	free(rc.modes);
	rc.modes = vb_strdup(modes);
	free(rc.results);
	rc.results = vb_strdup(root);
	free(rc.rerun_of);
	rc.rerun_of = vb_strdup(id);
	if (rc.reps == 0 && more >= 2)
		rc.max_reps = more; /* --reps auto: at most N more */
	else
		rc.reps = more;
	int r = vb_runner_run(&rc);
	vb_config_release(&rc);
	return r;
}
