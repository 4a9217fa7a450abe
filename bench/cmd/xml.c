/* `vmio-bench xml --mode M`: print the domain XML `run` would create, so a
 * user can read, validate or hand-edit exactly what will boot. */
#include "config.h"
#include "commands.h"
#include "core/iotune.h"
#include "core/options.h"
#include "guest/domxml.h"
#include "guest/image.h"
#include "core/layout.h"
#include "modes/mode.h"
#include "storage/storage.h"
#include "host/store.h"
#include "host/hv.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int vb_cmd_xml(struct vb_config *c, int nrest, char **rest)
{
	struct vb_image img = {0};
	struct vb_store store = {0};
	const struct vb_mode *m;
	char *xml, *console = NULL;
	int ret = VB_EXIT_USAGE;

	if (!(m = vb_mode_find(c->mode))) {
		char *names = vb_mode_names();
		vb_error("--mode: unknown mode '%s': choose from %s", c->mode, names);
		free(names);
		goto out;
	}
	if (m->host) {
		vb_error("--mode %s runs fio on the host: it has no guest, so no domain XML (choose a guest mode: 'vmio-bench modes')",
		         m->name);
		goto out;
	}
	char *why = NULL;
	if (vb_storage_settle(c) < 0)
		goto out;
	const struct vb_storage *sm = vb_storage_of(c);
	if (vb_mode_check_config(m, c, &why) < 0 || (sm->check_config && sm->check_config(c, &why) < 0)) {
		vb_error("%s", why);
		free(why);
		goto out;
	}
	if (vb_mode_check_tuning(c) < 0 || vb_image_locate(c, &img) < 0)
		goto out;
	if (c->disk) {
		if (vb_store_prepare(c, &store) < 0)
			goto out;
	} else {
		store.path = vb_layout_store(c->cache_dir, c->size);
	}
	/* Without booting a probe, auto means the accelerator run would try
	 * first; run falls back to TCG when the probe fails. */
	const char *type = strcmp(c->accel, "tcg") == 0 ? "qemu" : "kvm";
	/* libvirt wants absolute paths; run resolves the results root too. */
	char cwd[4096];
	char *rundir = c->results[0] == '/' || !getcwd(cwd, sizeof(cwd)) ? vb_asprintf("%s/RUN-ID", c->results)
	                                                                 : vb_asprintf("%s/%s/RUN-ID", cwd, c->results);
	char *mdir = vb_layout_mode_dir(rundir, m->name);
	console = vb_layout_console(mdir, false, 0);
	char *name = vb_layout_domain(vb_hv_label(), "RUN-ID", m->name);
	struct vb_disk_ctx d;
	char *private_dir = vb_layout_private_dir(c->cache_dir, -1);
	struct vb_stor st;
	/* what run would set up, named but not made (a server's port is
	 * picked when it starts: the XML shows a placeholder) */
	vb_stor_init(&st, sm, c, NULL, &store, private_dir, mdir, vb_hv_system());
	vb_stor_plan(&st);
	vb_mode_disk_ctx(&d, c, &st, private_dir);
	d.iotune = vb_iotune_parse(c->iotune);
	xml = vb_domain_xml_for_mode(c, m, type, img.kernel, img.initrd, &d, name, console);
	json_decref(d.iotune);
	vb_stor_teardown(&st);
	free(private_dir);
	free(mdir);
	free(rundir);
	fputs(xml, stdout);
	free(xml);
	free(name);
	ret = VB_EXIT_OK;
out:
	free(console);
	vb_image_release(&img);
	vb_store_release(&store);
	return ret;
}

const struct vb_command vb_command_xml = {
	.name = "xml", .args = false, .fn = vb_cmd_xml,
	.synopsis = "xml [options]",
	.summary = "print the libvirt domain XML a mode's guest would get",
	.help = "",
};
