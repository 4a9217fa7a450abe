/* `vmio-bench storage`: every storage model, whether it can run on the
 * hypervisor, and what it needs. */
#include "config.h"
#include "commands.h"
#include "storage/storage.h"
#include "host/hv.h"
#include "core/options.h"
#include "core/util.h"

#include <stdlib.h>

static int vb_cmd_storage(struct vb_config *c, int nrest, char **rest)
{
	char *unreachable = NULL;
	(void)nrest;
	(void)rest;
	if (vb_hv_check(&unreachable) < 0) { /* every probe would ask that host in vain */
		vb_error("%s", unreachable);
		free(unreachable);
		return VB_EXIT_FAIL;
	}
	printf("%-16s %-5s %-8s %s\n", "storage", "here", "disk", "what it is (needs) / why it cannot run here");
	for (size_t i = 0; vb_storages[i]; i++) {
		const struct vb_storage *m = vb_storages[i];
		char *why = NULL;
		bool ok = !m->probe || m->probe(c, &why) == 0;
		printf("%-16s %-5s %-8s ", m->name, ok ? "yes" : "no", m->disk_type ? m->disk_type : "-");
		if (ok)
			printf("%s (needs %s)\n", m->summary, m->needs);
		else
			printf("%s\n", why);
		free(why);
	}
	return VB_EXIT_OK;
}

const struct vb_command vb_command_storage = {
	.name = "storage", .args = false, .fn = vb_cmd_storage,
	.synopsis = "storage [options]",
	.summary = "list the storage models and whether each can run on this host",
	.help = "A storage model is what sits under the guest's disk: a raw or qcow2 image, a libvirt pool volume, a "
	        "network server (NBD, iSCSI, NFS), or none (null).  Choose one with 'run --storage NAME', or compare "
	        "several with 'run --sweep storage=raw,qcow2,...'.",
};
