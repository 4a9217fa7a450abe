/* vmio-bench: how fast is a KVM/QEMU guest's disk on each virtual bus?
 * main() finds the command's row, parses its options, answers --help and
 * dispatches; the commands are rows of vb_commands. */
#include "config.h"
#include "core/cfgfile.h"
#include "commands.h"
#include "core/options.h"
#include "host/hv.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every command, in the order 'vmio-bench --help' lists them; NULL name ends it. */
static const struct vb_command vb_commands[] = {
	{"run", VB_CMD_RUN, false, vb_cmd_run, "run [options]",
	 "boot a guest per bus mode, run fio in each, store and print the results",
	 "Boot a guest per bus mode through libvirt, run the same fio job in each,\n"
	 "store everything under RESULTS/<run-id>/ and print a table.\n"},
	{"modes", VB_CMD_MODES, false, vb_cmd_modes, "modes [options]",
	 "list the bus modes and whether each can run on this host", ""},
	{"doctor", VB_CMD_DOCTOR, false, vb_cmd_doctor, "doctor [options]",
	 "check this host (libvirtd, QEMU, /dev/kvm, the image, tgtd, space...), each with the fix",
	 "Check what vmio-bench needs on this host, each check with a verdict (ok, warn, fail)\n"
	 "and the exact fix, then list the modes the host could run.\n"
	 "Exit status: 0 every mode the host could run is ready (no check failed), 1 otherwise.\n"},
	{"xml", VB_CMD_XML, false, vb_cmd_xml, "xml [options]",
	 "print the libvirt domain XML a mode's guest would get", ""},
	{"report", VB_CMD_REPORT, true, vb_cmd_report, "report RUN",
	 "rebuild a run's summaries, charts and report.html from its stored results",
	 "Rebuild summary.{json,csv,md}, plots/ and report.html of a run folder from its stored\n"
	 "results (no libvirt needed), and print its table.\n"},
	{"compare", VB_CMD_COMPARE, true, vb_cmd_compare, "compare BASE NEW [options]",
	 "compare two runs: exit 1 when NEW regressed against BASE beyond noise",
	 "Did run NEW regress against run BASE?  Exit 0 no regression, 1 regression, 2 error.\n"},
	{"gate", VB_CMD_GATE, true, vb_cmd_gate, "gate ROOT [RUN] [options]",
	 "the nightly regression gate: judge a run against the history of accepted runs in ROOT",
	 "Judge RUN (default: ROOT's newest run) against the pooled repetitions of the last\n"
	 "--history accepted runs in ROOT that measured the same job the same way.  Per mode,\n"
	 "job point, direction and metric: the change of medians must exceed the gate (the\n"
	 "larger of --threshold and --spread-mult times the history's MAD) and Mann-Whitney U\n"
	 "must be significant after Benjamini-Hochberg (q < 0.05) for a regression.  A run\n"
	 "without a regression is accepted into the history.  With no accepted run yet, RUN is\n"
	 "judged against the newest comparable run by --threshold alone.\n"
	 "Exit status: 0 pass, 1 regressed, 2 usage or input, 3 inconclusive (try --rerun).\n"},
	{"accept", VB_CMD_ACCEPT, true, vb_cmd_accept, "accept RUN",
	 "accept a run into its results root's history by hand (after an intended change)",
	 "Mark RUN as accepted (RUN/accepted.json): gate pools accepted runs as its history.\n"},
	{"trend", VB_CMD_TREND, true, vb_cmd_trend, "trend RUN... | ROOT [--out DIR]",
	 "each mode's history across runs, as a table and a chart",
	 "Each mode's IOPS across runs (e.g. nightly), as a table and a chart.\n"},
	{"import", VB_CMD_IMPORT, true, vb_cmd_import, "import FILE.json... --mode NAME [--into RUN] [options]",
	 "bring fio JSON from elsewhere (a bare-metal host, another tool) into a run",
	 "Each FILE is fio's JSON output (--output-format=json or json+) of one repetition of\n"
	 "one job.  The files become mode NAME: in RUN (--into), at the job point they measured,\n"
	 "or in a new run of their own in --results.  They are stored untouched and marked as\n"
	 "imported, with where they came from, and show in report, compare, trend and gate like\n"
	 "any measured mode.  A file whose job differs from RUN's (rw, bs, iodepth, numjobs,\n"
	 "rwmixread) is refused: the figures would not compare.  The report is drawn again.\n"},
	{"image", VB_CMD_IMAGE, true, vb_cmd_image, "image build|info [options]",
	 "build the guest image (image build) or describe it (image info)",
	 "  build   make the guest kernel + initramfs in CACHE/image from Debian packages\n"
	 "  info    print what the image holds and its size\n"},
	{NULL, 0, false, NULL, NULL, NULL, NULL},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: vmio-bench COMMAND [options]\n\ncommands:\n");
	for (const struct vb_command *k = vb_commands; k->name; k++)
		fprintf(f, "  %-8s %s\n", k->name, k->summary);
	fprintf(f, "\n'vmio-bench COMMAND --help' lists a command's options; 'man vmio-bench' has them all\n"
	           "('vmio-bench --man' prints that page, 'vmio-bench --bash-completion' the completion script).\n"
	           "Exit status: 0 success, 1 the measurement failed (compare, gate: a regression), 2 bad usage or input,\n"
	           "3 gate: inconclusive.\n");
}

static int dispatch(const struct vb_command *k, int argc, char **argv)
{
	struct vb_config c = {0};
	char **args = NULL;
	int nargs = 0, ret;

	const char *file = vb_options_config_file(k->cmd, argc, argv);
	vb_options_defaults(&c);
	if ((file && vb_config_file_load(&c, k->cmd, file) < 0) ||
	    vb_options_parse_args(&c, k->cmd, argc, argv, k->args ? &args : NULL, k->args ? &nargs : NULL) < 0) {
		ret = VB_EXIT_USAGE;
	} else if (!c.help && c.connects.n == 1 && vb_hv_use(c.connect) < 0) {
		ret = VB_EXIT_USAGE; /* where the hypervisor is, for every host-side step */
	} else if (c.help) {
		printf("usage: vmio-bench %s\n%soptions:\n", k->synopsis, k->help);
		vb_options_help(stdout, k->cmd);
		ret = VB_EXIT_OK;
	} else {
		ret = k->fn(&c, nargs, args);
	}
	if (nargs)
		free(args);
	vb_config_release(&c);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		vb_error("no command given: try 'vmio-bench run', or see 'vmio-bench --help'");
		return VB_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return VB_EXIT_OK;
	}
	if (strcmp(argv[1], "--man") == 0) {
		vb_doc_man(stdout, vb_commands);
		return VB_EXIT_OK;
	}
	if (strcmp(argv[1], "--bash-completion") == 0) {
		vb_doc_bash_completion(stdout, vb_commands);
		return VB_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("vmio-bench %s\n", PACKAGE_VERSION);
		return VB_EXIT_OK;
	}
	for (const struct vb_command *k = vb_commands; k->name; k++)
		if (strcmp(argv[1], k->name) == 0)
			return dispatch(k, argc - 1, argv + 1);
	vb_error("unknown command '%s': see 'vmio-bench --help'", argv[1]);
	return VB_EXIT_USAGE;
}
