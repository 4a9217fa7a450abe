#include "config.h"
#include <errno.h>
#include <string.h>
#include "render/report.h"
#include "render/render.h"
#include "core/results.h"
#include "summary/summary.h"
#include "summary/findings.h"
#include "core/util.h"

#include <stdbool.h>
#include <stdlib.h>

/* What the outputs of one run folder share: the folder, its summary, and
 * the charts the plots drew for report.html to inline. */
struct output {
	const char *dir;
	const struct vb_summary *s;
	struct vb_charts charts;
};

/* A text renderer's output into DIR/name, written atomically. */
static int write_text(const struct output *o, const char *name, void (*fn)(FILE *, const struct vb_summary *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r;
	if (!f)
		return vb_error("out of memory rendering %s", name);
	fn(f, o->s);
	fclose(f);
	char *path = vb_asprintf("%s/%s", o->dir, name);
	r = vb_write_file_atomic(path, buf, len);
	free(path);
	free(buf);
	return r;
}

static int write_json(struct output *o, const char *name)
{
	json_t *j = vb_summary_to_json(o->s);
	json_object_set_new(j, "findings", vb_findings_json(o->s));
	char *p = vb_asprintf("%s/%s", o->dir, name);
	int r = vb_results_write_json(p, j);
	free(p);
	json_decref(j);
	return r;
}

/* without gnuplot: one warning, tables still written; a link planted at
 * plots/ or gnuplot.log is refused */
static int write_plots(struct output *o, const char *name)
{
	return vb_render_plots(o->s, o->dir, &o->charts) < 0 ? -1 : 0;
}

static int write_html(struct output *o, const char *name)
{
	char *p = vb_asprintf("%s/%s", o->dir, name);
	int r = vb_render_html(o->s, p, &o->charts);
	free(p);
	return r;
}

/* A run folder's outputs, in the order they are written (report.html
 * inlines the charts the plots drew).  A new format is one row: a text
 * renderer (render.h) that the table writes into the file, or a function
 * that writes it. */
static const struct renderer {
	const char *name;       /* what it writes in the run folder */
	void (*text)(FILE *f, const struct vb_summary *s);
	int (*write)(struct output *o, const char *name);
} renderers[] = {
	{"summary.json", NULL, write_json},
	{"summary.csv", vb_render_csv, NULL},
	{"summary.md", vb_render_md, NULL},
	{"plots", NULL, write_plots},
	{"report.html", NULL, write_html},
	{NULL, NULL, NULL},
};

int vb_report_run(const char *run_dir, FILE *table_out)
{
	struct vb_summary s;
	int ret = 0;
	if (vb_summary_load(run_dir, &s) < 0)
		return -1;
	s.findings = vb_findings_new(&s);
	struct output o = {.dir = run_dir, .s = &s};
	bool text_failed = false;
	for (const struct renderer *r = renderers; r->name; r++) {
		/* a text file that could not be written (memory, the folder):
		 * the next ones would fail alike, so one error, not one each */
		if (r->text && text_failed)
			continue;
		if ((r->text ? write_text(&o, r->name, r->text) : r->write(&o, r->name)) < 0) {
			ret = -1;
			text_failed |= r->text != NULL;
		}
	}
	vb_charts_release(&o.charts);
	if (table_out) {
		vb_render_table(table_out, &s);
		vb_render_findings(table_out, &s);
	}
	vb_findings_free(s.findings);
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
