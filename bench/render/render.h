/* render: the renderers of a summary (summary.h) -- the text table, CSV,
 * Markdown, gnuplot charts and report.html.  They only read the summary. */
#ifndef VB_RENDER_H
#define VB_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "summary/summary.h"

/* Shared by the renderers: "1.23 ms" / "456.7 us" ("-" when unknown),
 * "12.3 MB/s", and kind '%' a percentage, 'u' microseconds or 'r' a ratio
 * ("0.988") ("-" for NaN). */
void vb_fmt_lat(double ns, char *out, size_t n);
void vb_fmt_bw(double b, char *out, size_t n);
void vb_fmt_opt(double v, char kind, char *out, size_t n);
/* "virtio-blk: iotune total_iops_sec=300, measured 298 IOPS (99.3% of the
 * limit)", the point after the mode when the run has several; caller
 * frees.  Mode and point are checked names (summary.c). */
char *vb_fmt_limit(const struct vb_summary *s, const struct vb_limit *l);
/* Is row r shown under job point `point`?  (A direction fio did not
 * exercise, such as randread's writes, is not.) */
/* Is row i the one that carries its mode's host CPU split by thread at
 * point (shown there, with a split, the mode's first such row)? */
bool vb_row_split_first(const struct vb_summary *s, size_t i, const char *point);
/* A row's split as "vcpu 120.3 us, iothread 20.1 us, ..." (classes of 0
 * left out); caller frees. */
char *vb_split_text(const struct vb_row *r);
bool vb_row_shown(const struct vb_row *r, const char *point);

/* --vms runs (issue 26): does any row aggregate guests; a mode and
 * point's fairness entry (or NULL); its guests' IOPS as "4100 3280
 * failed" (a neighbour "n:..."); "1 of 2 guests failed: REASON" of a
 * partial point, or NULL (the reason is cleaned for a terminal only:
 * other sinks escape it); "x0.61 [0.52, 0.70]" of a ratio.  The char *
 * results are the caller's. */
bool vb_summary_has_vms(const struct vb_summary *s);
const struct vb_fairness *vb_fairness_find(const struct vb_summary *s, const char *mode, const char *point);
char *vb_fairness_guests(const struct vb_fairness *f);
char *vb_fairness_partial(const struct vb_fairness *f);
char *vb_ratio_text(double r, double lo, double hi);
/* A neighbour row's texts: both p99s, both ratios with their intervals
 * (vb_nb_text_release frees them). */
struct vb_nb_text {
	char p99_idle[24], p99_busy[24];
	char *iops_ratio, *p99_ratio;
};
void vb_nb_text(const struct vb_neighbour *e, struct vb_nb_text *t);
void vb_nb_text_release(struct vb_nb_text *t);

/* Renderers: read a summary, write text. */
void vb_render_table(FILE *f, const struct vb_summary *s);
/* A text table's mode cell ("%-15s "); in a fleet's, HOST/MODE as two
 * cells, host then mode ("host/mode" heads them). */
void vb_render_mode_cell(FILE *f, const char *mode, bool fleet);
void vb_render_csv(FILE *f, const struct vb_summary *s);
void vb_render_md(FILE *f, const struct vb_summary *s);
/* The charts one `report` drew, for report.html: each SVG's text as gnuplot
 * wrote it in a private folder (never an SVG found in the run folder,
 * which anyone may have planted); why: the reason none were drawn (static
 * text), or NULL.  vb_charts_release frees the texts. */
struct vb_charts {
	size_t n;
	char **names, **svgs;
	const char *why;
};
void vb_charts_release(struct vb_charts *c);
/* The SVG drawn as NAME.svg, or NULL (borrowed). */
const char *vb_charts_svg(const struct vb_charts *c, const char *name);
/* gnuplot charts into RUN/plots (PNG and SVG), drawn in a private folder
 * and moved into place; *out (released by the caller) gets what was drawn.
 * Returns the number drawn (0: out->why says why, after one warning when
 * gnuplot is missing or failed), or -1 when refused (a link at plots/ or
 * gnuplot.log), reported. */
int vb_render_plots(const struct vb_summary *s, const char *run_dir, struct vb_charts *out);
/* The gnuplot script of those charts into gp, their data files into dir;
 * returns the number of charts (the fuzz target checks the script). */
int vb_plot_script(const struct vb_summary *s, const char *dir, FILE *gp);

/* report.html at path, inlining only the SVGs in charts (NULL: none). */
int vb_render_html(const struct vb_summary *s, const char *path, const struct vb_charts *charts);

/* Markdown text: the characters Markdown would read as markup escaped,
 * a newline a space. */
void vb_md_escape(FILE *f, const char *s);

/* The findings (summary/findings.h, s->findings; nothing when NULL or
 * empty), rendered (findings.c): a statement's sentence, plain text the
 * sink escapes, and the line on how they were computed (both the
 * caller's); the terminal's lines after the table; summary.md's section;
 * report.html's, at its top; summary.json's "findings" array (new). */
struct vb_findings;
struct vb_finding;
struct vb_buf;
char *vb_finding_text(const struct vb_findings *fs, const struct vb_finding *f);
/* Decimals for a ratio and its interval ("2.3", "1.07", "180"); a q
 * value as "q 0.41", "q 0.004", "q < 0.001" (two figures at most, never
 * rounded across the 0.05 line). */
int vb_ratio_decimals(double r);
void vb_fmt_q(double q, char *out, size_t n);
char *vb_findings_method(const struct vb_findings *fs);
void vb_render_findings(FILE *f, const struct vb_summary *s);
void vb_render_findings_md(FILE *f, const struct vb_summary *s);
void vb_render_findings_html(struct vb_buf *b, const struct vb_summary *s);
json_t *vb_findings_json(const struct vb_summary *s);

#endif
