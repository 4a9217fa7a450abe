/* vmio-bench: how fast is a KVM/QEMU guest's disk on each virtual bus?
 * main() only dispatches to the subcommands' table. */
#include "config.h"
#include "commands.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{"run", vb_cmd_run, "boot a guest per bus mode, run fio in each, store and print the results"},
	{"modes", vb_cmd_modes, "list the bus modes and whether each can run on this host"},
	{"xml", vb_cmd_xml, "print the libvirt domain XML a mode's guest would get"},
	{"report", vb_cmd_report, "rebuild a run's summaries, charts and report.html from its stored results"},
	{"compare", vb_cmd_compare, "compare two runs: exit 1 when NEW regressed against BASE beyond noise"},
	{"trend", vb_cmd_trend, "each mode's history across runs, as a table and a chart"},
	{"image", vb_cmd_image, "build the guest image (image build) or describe it (image info)"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: vmio-bench COMMAND [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n'vmio-bench COMMAND --help' lists a command's options.\n"
	           "Exit status: 0 success, 1 the measurement failed (compare: a regression), 2 bad usage or input.\n");
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
	if (strcmp(argv[1], "--version") == 0) {
		printf("vmio-bench %s\n", PACKAGE_VERSION);
		return VB_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	vb_error("unknown command '%s': see 'vmio-bench --help'", argv[1]);
	return VB_EXIT_USAGE;
}
