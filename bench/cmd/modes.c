/* `vmio-bench modes`: every mode, whether it can run here, and why not. */
#include "config.h"
#include "commands.h"
#include "modes/mode.h"
#include "host/hv.h"
#include "core/options.h"
#include "core/util.h"

#include <stdlib.h>

static int vb_cmd_modes(struct vb_config *c, int nrest, char **rest)
{
	char *unreachable = NULL;
	if (vb_hv_check(&unreachable) < 0) { /* every probe would ask that host in vain */
		vb_error("%s", unreachable);
		free(unreachable);
		return VB_EXIT_FAIL;
	}
	printf("%-16s %-5s %s\n", "mode", "here", "what it is / why it cannot run here");
	for (size_t i = 0; vb_modes[i]; i++) {
		const struct vb_mode *m = vb_modes[i];
		char *why = NULL;
		bool ok = !m->probe || m->probe(c, &why) == 0;
		printf("%-16s %-5s %s\n", m->name, ok ? "yes" : "no", ok ? m->summary : why);
		free(why);
	}
	return VB_EXIT_OK;
}

const struct vb_command vb_command_modes = {
	.name = "modes", .args = false, .fn = vb_cmd_modes,
	.synopsis = "modes [options]",
	.summary = "list the bus modes and whether each can run on this host",
	.help = "",
};
