#include "config.h"
#include <errno.h>
#include <string.h>
#include "render/report.h"
#include "render/render.h"
#include "core/results.h"
#include "summary/summary.h"
#include "core/util.h"

#include <stdlib.h>

static int write_rendered(const char *dir, const char *name, void (*fn)(FILE *, const struct vb_summary *),
                          const struct vb_summary *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r;
	if (!f)
		return vb_error("out of memory rendering %s", name);
	fn(f, s);
	fclose(f);
	char *path = vb_asprintf("%s/%s", dir, name);
	r = vb_write_file_atomic(path, buf, len);
	free(path);
	free(buf);
	return r;
}

int vb_report_run(const char *run_dir, FILE *table_out)
{
	struct vb_summary s;
	int ret = 0;
	if (vb_summary_load(run_dir, &s) < 0)
		return -1;
	json_t *j = vb_summary_to_json(&s);
	char *p = vb_asprintf("%s/summary.json", run_dir);
	if (vb_results_write_json(p, j) < 0)
		ret = -1;
	free(p);
	json_decref(j);
	if (write_rendered(run_dir, "summary.csv", vb_render_csv, &s) < 0 ||
	    write_rendered(run_dir, "summary.md", vb_render_md, &s) < 0)
		ret = -1;
	/* without gnuplot: one warning, tables still written; a link planted
	 * at plots/ or gnuplot.log is refused */
	struct vb_charts charts;
	if (vb_render_plots(&s, run_dir, &charts) < 0)
		ret = -1;
	p = vb_asprintf("%s/report.html", run_dir);
	if (vb_render_html(&s, p, &charts) < 0)
		ret = -1;
	free(p);
	vb_charts_release(&charts);
	if (table_out)
		vb_render_table(table_out, &s);
	vb_summary_release(&s);
	return ret;
}

int vb_report_print_json(const char *run_dir, FILE *f)
{
	char *p = vb_asprintf("%s/summary.json", run_dir);
	char *text = vb_read_file(p, 256u << 20, NULL);
	if (!text) {
		vb_error("cannot read '%s': %s", p, strerror(errno));
		free(p);
		return -1;
	}
	fputs(text, f);
	if (*text && text[strlen(text) - 1] != '\n')
		fputc('\n', f);
	free(text);
	free(p);
	return 0;
}
