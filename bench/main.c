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

/* Every command, in the order 'vmio-bench --help' lists them.  Each is a
 * file that defines its row, vb_command_NAME; adding one is its file, its
 * word here and its line in Makefile.am. */
#define VB_COMMANDS(X) \
	X(run) X(tune) X(modes) X(storage) X(doctor) X(xml) X(report) X(compare) X(gate) X(accept) X(trend) \
	X(import) X(image)

#define DECLARE(name) extern const struct vb_command vb_command_##name;
VB_COMMANDS(DECLARE)
#define ROW(name) &vb_command_##name,
static const struct vb_command *const vb_commands[] = {VB_COMMANDS(ROW) NULL};

static void usage(FILE *f)
{
	fprintf(f, "usage: vmio-bench COMMAND [options]\n\ncommands:\n");
	for (const struct vb_command *const *k = vb_commands; *k; k++)
		fprintf(f, "  %-8s %s\n", (*k)->name, (*k)->summary);
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

	const char *file = vb_options_config_file(k->name, argc, argv);
	vb_options_defaults(&c);
	if ((file && vb_config_file_load(&c, k->name, file) < 0) ||
	    vb_options_parse_args(&c, k->name, argc, argv, k->args ? &args : NULL, k->args ? &nargs : NULL) < 0) {
		ret = VB_EXIT_USAGE;
	} else if (!c.help && c.connects.n == 1 && vb_hv_use(c.connect) < 0) {
		ret = VB_EXIT_USAGE; /* where the hypervisor is, for every host-side step */
	} else if (c.help) {
		printf("usage: vmio-bench %s\n%soptions:\n", k->synopsis, k->help);
		vb_options_help(stdout, k->name);
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
	for (const struct vb_command *const *k = vb_commands; *k; k++)
		if (strcmp(argv[1], (*k)->name) == 0)
			return dispatch(*k, argc - 1, argv + 1);
	vb_error("unknown command '%s': see 'vmio-bench --help'", argv[1]);
	return VB_EXIT_USAGE;
}
