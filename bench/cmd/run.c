/* `vmio-bench run`: boot a guest per bus mode, run the same fio job in
 * each, store everything under RESULTS/<run-id>/ and print a table -- on
 * one hypervisor or a fleet, new, resumed or a rerun.  The run engine
 * (runner/runner.h) does all of it; this is its command. */
#include "config.h"
#include "commands.h"
#include "runner/runner.h"

int vb_cmd_run(struct vb_config *c, int nrest, char **rest)
{
	(void)nrest;
	(void)rest;
	return vb_runner_run(c);
}
