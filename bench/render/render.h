/* render: the renderers of a summary (summary.h) -- the text table, CSV,
 * Markdown, gnuplot charts and report.html.  They only read the summary. */
#ifndef VB_RENDER_H
#define VB_RENDER_H

#include <stdio.h>

#include "summary.h"

/* Renderers: read a summary, write text. */
void vb_render_table(FILE *f, const struct vb_summary *s);
void vb_render_csv(FILE *f, const struct vb_summary *s);
void vb_render_md(FILE *f, const struct vb_summary *s);
/* gnuplot charts into dir (PNG and SVG); returns the number drawn, or -1
 * when gnuplot is missing (after one warning). */
int vb_render_plots(const struct vb_summary *s, const char *dir);
/* The gnuplot script of those charts into gp, their data files into dir;
 * returns the number of charts (the fuzz target checks the script). */
int vb_plot_script(const struct vb_summary *s, const char *dir, FILE *gp);

int vb_render_html(const struct vb_summary *s, const char *path);

#endif
