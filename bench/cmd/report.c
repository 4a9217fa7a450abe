#include "config.h"
#include "render/report.h"
#include "commands.h"
#include "core/util.h"

static int vb_cmd_report(struct vb_config *c, int nrest, char **rest)
{
	if (nrest != 1) {
		vb_error("report: give exactly one run folder (e.g. results/latest): see 'vmio-bench report --help'");
		return VB_EXIT_USAGE;
	}
	if (vb_report_run(rest[0], c->json ? NULL : stdout) < 0)
		return VB_EXIT_USAGE;
	return c->json && vb_report_print_json(rest[0], stdout) < 0 ? VB_EXIT_FAIL : VB_EXIT_OK;
}

const struct vb_command vb_command_report = {
	.name = "report", .args = true, .fn = vb_cmd_report,
	.synopsis = "report RUN",
	.summary = "rebuild a run's summaries, charts and report.html from its stored results",
	.help = "Rebuild summary.{json,csv,md}, plots/ and report.html of a run folder from its stored\n"
	        "results (no libvirt needed), and print its table.\n",
};
