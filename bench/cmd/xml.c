/* `vmio-bench xml --mode M`: print the domain XML `run` would create, so a
 * user can read, validate or hand-edit exactly what will boot. */
#include "config.h"
#include "commands.h"
#include "options.h"
#include "run.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int vb_cmd_xml(struct vb_config *c, int nrest, char **rest)
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
	char *why = NULL;
	if (m->check_config && m->check_config(c, &why) < 0) {
		vb_error("%s", why);
		free(why);
		goto out;
	}
	if (vb_run_check_tuning(c) < 0 || vb_image_locate(c, &img) < 0)
		goto out;
	if (c->disk) {
		if (vb_store_prepare(c, &store) < 0)
			goto out;
	} else {
		char sz[32];
		vb_format_size(c->size, sz, sizeof(sz));
		store.path = vb_asprintf("%s/store/disk-%s.raw", c->cache_dir, sz);
	}
	/* Without booting a probe, auto means the accelerator run would try
	 * first; run falls back to TCG when the probe fails. */
	const char *type = strcmp(c->accel, "tcg") == 0 ? "qemu" : "kvm";
	/* libvirt wants absolute paths; run resolves the results root too. */
	char cwd[4096];
	if (c->results[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		console = vb_asprintf("%s/RUN-ID/%s/console.log", c->results, m->name);
	else
		console = vb_asprintf("%s/%s/RUN-ID/%s/console.log", cwd, c->results, m->name);
	char *name = vb_asprintf("vmio-RUN-ID-%s", m->name);
	struct vb_disk_ctx d;
	char *run_dir = vb_asprintf("%s/run/PID", c->cache_dir);
	vb_run_disk_ctx(&d, c, &store, run_dir);
	xml = vb_run_domain_xml_new(c, m, type, &img, &d, name, console);
	free(run_dir);
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
