/* libFuzzer target: a run folder's run.json, loaded and summarised the way
 * `report` and `compare` do, over the fixture run's real result files
 * (FUZZ_FIXTURE names that folder; it is copied once). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "util.h"

static char dir[] = "/tmp/vmio-fuzz-run.XXXXXX";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *fixture = getenv("FUZZ_FIXTURE");
	(void)argc;
	(void)argv;
	if (!mkdtemp(dir))
		abort();
	if (fixture) {
		const char *cp[] = {"cp", "-r", fixture, dir, NULL};
		char *from = vb_asprintf("%s/.", fixture);
		cp[2] = from;
		vb_run(cp, NULL, 60);
		free(from);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = vb_asprintf("%s/run.json", dir);
	FILE *f = fopen(path, "w");
	struct vb_summary s;
	if (f) {
		fwrite(data, 1, size, f);
		fclose(f);
		if (vb_summary_load(dir, &s) == 0) {
			json_t *j = vb_summary_to_json(&s);
			json_decref(j);
			FILE *null = fopen("/dev/null", "w");
			if (null) {
				vb_render_table(null, &s);
				vb_render_csv(null, &s);
				vb_render_md(null, &s);
				fclose(null);
			}
			/* the chart script: gnuplot runs `backquotes` anywhere in a
			 * line outside single quotes, so none may appear at all */
			char *script = NULL, *plots = vb_asprintf("%s/plots-fuzz", dir);
			size_t len = 0;
			FILE *gp = open_memstream(&script, &len);
			if (gp && vb_mkdir_p(plots, 0755) == 0) {
				vb_plot_script(&s, plots, gp);
				fclose(gp);
				gp = NULL;
				if (script && memchr(script, '`', len)) {
					fprintf(stderr, "fuzz_run: a backquote reached the gnuplot script\n");
					abort();
				}
			}
			if (gp)
				fclose(gp);
			free(script);
			free(plots);
			vb_summary_release(&s);
		}
	}
	free(path);
	return 0;
}
