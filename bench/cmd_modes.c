/* `vmio-bench modes`: every mode, whether it can run here, and why not. */
#include "config.h"
#include "commands.h"
#include "mode.h"
#include "options.h"
#include "util.h"

#include <stdlib.h>

int vb_cmd_modes(int argc, char **argv)
{
	struct vb_config c = {0};
	if (vb_options_parse(&c, VB_CMD_MODES, argc, argv, NULL, NULL) < 0) {
		vb_config_release(&c);
		return VB_EXIT_USAGE;
	}
	if (c.help) {
		printf("usage: vmio-bench modes [options]\noptions:\n");
		vb_options_help(stdout, VB_CMD_MODES);
		vb_config_release(&c);
		return VB_EXIT_OK;
	}
	printf("%-16s %-5s %s\n", "mode", "here", "what it is / why it cannot run here");
	for (size_t i = 0; vb_modes[i]; i++) {
		const struct vb_mode *m = vb_modes[i];
		char *why = NULL;
		bool ok = !m->probe || m->probe(&c, &why) == 0;
		printf("%-16s %-5s %s\n", m->name, ok ? "yes" : "no", ok ? m->summary : why);
		free(why);
	}
	vb_config_release(&c);
	return VB_EXIT_OK;
}
