/* `vmio-bench run`: boot a guest per bus mode, run the same fio job in
 * each, store everything under RESULTS/<run-id>/ and print a table -- on
 * one hypervisor or a fleet, new, resumed or a rerun.  The run engine
 * (runner/runner.h) does all of it; this is its command. */
#include "config.h"
#include "commands.h"
#include "runner/runner.h"

static int vb_cmd_run(struct vb_config *c, int nrest, char **rest)
{
	(void)nrest;
	(void)rest;
	return vb_runner_run(c);
}

const struct vb_command vb_command_run = {
	.name = "run", .args = false, .fn = vb_cmd_run,
	.synopsis = "run [options]",
	.summary = "boot a guest per bus mode, run fio in each, store and print the results",
	.help = "Boot a guest per bus mode through libvirt, run the same fio job in each,\n"
	        "store everything under RESULTS/<run-id>/ and print a table.\n",
};
