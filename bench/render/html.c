/* report.html: one self-contained page (tables, charts inlined as SVG, run
 * metadata) that opens offline.  Every string from the results is escaped. */
#include "config.h"
#include "render/render.h"
#include "summary/runrec.h"
#include "core/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void esc(struct vb_buf *b, const char *s)
{
	vb_xml_escape(b, s ? s : "");
}

static void meta(struct vb_buf *b, const char *k, const char *v)
{
	vb_buf_adds(b, "<tr><th>");
	esc(b, k);
	vb_buf_adds(b, "</th><td>");
	esc(b, v ? v : "unknown");
	vb_buf_adds(b, "</td></tr>\n");
}

static const char *jget(json_t *o, const char *a, const char *k)
{
	json_t *v = json_object_get(a ? json_object_get(o, a) : o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Inline an SVG this invocation drew (without its XML prologue); when
 * none were drawn, a placeholder naming why.  A chart gnuplot did not draw
 * although it ran had no figures: nothing to show. */
static void svg(struct vb_buf *b, const struct vb_charts *c, const char *name, const char *caption)
{
	const char *text = vb_charts_svg(c, name), *start = text ? strstr(text, "<svg") : NULL;
	if (!start && !(c && c->why))
		return;
	vb_buf_adds(b, "<figure>");
	if (start) {
		vb_buf_adds(b, start);
	} else {
		vb_buf_adds(b, "<p class='nochart'>chart not drawn: ");
		esc(b, c->why);
		vb_buf_adds(b, "</p>");
	}
	vb_buf_adds(b, "<figcaption>");
	esc(b, caption);
	vb_buf_adds(b, "</figcaption></figure>\n");
}

static void lat(struct vb_buf *b, double ns)
{
	char t[32];
	vb_fmt_lat(ns, t, sizeof(t));
	vb_buf_addf(b, "<td>%s</td>", t);
}

static void opt(struct vb_buf *b, double v, char kind)
{
	char t[32];
	vb_fmt_opt(v, kind, t, sizeof(t));
	vb_buf_addf(b, "<td>%s</td>", t);
}

static void head(struct vb_buf *b, const struct vb_summary *s)
{
	vb_buf_adds(b, "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'/>\n<title>vmio-bench run ");
	esc(b, s->id);
	vb_buf_adds(b, "</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:1500px}"
	               "table{border-collapse:collapse;margin:1em 0;font-size:.9em}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right;white-space:nowrap}"
	               ".meta td{text-align:left;white-space:normal}"
	               "th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}"
	               ".tcg{background:#fff0f0;border:1px solid #d88;padding:.6em;color:#900}"
	               "ul.findings li{margin:.2em 0}.findings .diff{font-weight:bold}.findings .weak{color:#900}.method{color:#555;font-size:.9em}"
	               "figure{margin:1.5em 0}.partial{color:#900;text-align:left;white-space:normal}.nochart{color:#777;font-style:italic}svg{max-width:100%;height:auto}</style></head><body>\n");
	vb_buf_adds(b, "<h1>vmio-bench run ");
	esc(b, s->id);
	vb_buf_adds(b, "</h1>\n");
	if (s->emulated)
		vb_buf_adds(b, "<p class='tcg'><b>Emulated (TCG).</b> These guests ran without hardware virtualisation: "
		               "every figure is bound by CPU emulation, not by the disk bus. Compare modes within this run, as ratios.</p>\n");
}

static void metadata(struct vb_buf *b, const struct vb_summary *s)
{
	vb_buf_adds(b, "<h2>Run</h2><table class='meta'>\n");
	meta(b, "job", s->job);
	meta(b, "storage", s->storage);
	meta(b, "accelerator", s->accel);
	meta(b, "why this accelerator", jget(s->run, "accelerator", "why"));
	meta(b, "state", s->state);
	meta(b, "started", s->started);
	meta(b, "ended", jget(s->run, NULL, "ended"));
	meta(b, "fio", s->fio_version);
	meta(b, "QEMU", jget(s->run, "versions", "qemu"));
	meta(b, "libvirt", jget(s->run, "versions", "libvirt"));
	meta(b, "guest kernel", jget(s->run, "versions", "guest_kernel"));
	meta(b, "host kernel", jget(s->run, "versions", "host_kernel"));
	meta(b, "host CPU", jget(s->run, "host", "cpu"));
	meta(b, "vmio-bench", jget(s->run, "versions", "vmio_bench"));
	meta(b, "backing store", jget(s->run, "backing_store", "path"));
	vb_buf_adds(b, "</table>\n");
}

/* One job point's table. */
static void point_table(struct vb_buf *b, const struct vb_summary *s, size_t p)
{
	vb_buf_adds(b, "<h2>");
	esc(b, s->npoints > 1 ? s->points[p] : "Results");
	vb_buf_adds(b, s->fleet ? "</h2>\n<table><tr><th>host</th>" : "</h2>\n<table><tr>");
	vb_buf_adds(b, "<th>mode</th><th>dir</th><th>reps</th><th>IOPS</th><th>±95% CI</th><th>CV</th>"
	               "<th>MB/s</th><th>clat mean</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>p99.99</th>"
	               "<th>of host</th><th>host CPU/IO</th><th>guest CPU/IO</th></tr>\n");
	for (size_t i = 0; i < s->nrows; i++) {
		const struct vb_row *r = &s->rows[i];
		if (!vb_row_shown(r, s->points[p]))
			continue;
		vb_buf_adds(b, "<tr><td>");
		if (s->fleet) {
			char *host = vb_asprintf("%.*s", vb_mode_host_len(r->mode), r->mode);
			esc(b, host);
			vb_buf_adds(b, "</td><td>");
			free(host);
		}
		esc(b, vb_mode_bare(r->mode));
		vb_buf_addf(b, "</td><td>%s</td><td>%zu</td><td>%.0f</td><td>%.0f</td><td>%.1f%%</td><td>%.1f</td>", r->dir, r->n,
		            r->s[VB_M_IOPS].mean, r->s[VB_M_IOPS].ci95, r->s[VB_M_IOPS].cv * 100, r->s[VB_M_BW].mean / 1e6);
		lat(b, r->s[VB_M_CLAT_MEAN].mean);
		for (int k = 0; k < VB_NPCT; k++)
			lat(b, r->pct[k]);
		opt(b, r->ratio_host * 100, '%');
		opt(b, r->host_cpu_us_per_io, 'u');
		opt(b, r->guest_cpu_us_per_io, 'u');
		vb_buf_adds(b, "</tr>\n");
	}
	vb_buf_adds(b, "</table>\n");
}

/* The --neighbour headline: the measured guest idle against busy. */
static void neighbours(struct vb_buf *b, const struct vb_summary *s)
{
	if (!s->nnb)
		return;
	vb_buf_adds(b, "<h2>Neighbour headline</h2>\n<p>The measured guest with its neighbours idle, then busy (the same "
	               "boots); busy/idle with its 95% interval.</p>\n<table><tr><th>mode</th><th>points</th><th>IOPS idle</th>"
	               "<th>IOPS busy</th><th>IOPS busy/idle</th><th>p99 idle</th><th>p99 busy</th><th>p99 busy/idle</th></tr>\n");
	for (size_t i = 0; i < s->nnb; i++) {
		const struct vb_neighbour *e = &s->nb[i];
		struct vb_nb_text t;
		vb_nb_text(e, &t);
		vb_buf_adds(b, "<tr><td>");
		esc(b, e->mode);
		vb_buf_adds(b, "</td><td>");
		esc(b, e->busy);
		vb_buf_adds(b, " / ");
		esc(b, e->idle);
		vb_buf_addf(b, "</td><td>%.0f</td><td>%.0f</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", e->iops_idle,
		            e->iops_busy, t.iops_ratio, t.p99_idle, t.p99_busy, t.p99_ratio);
		vb_nb_text_release(&t);
	}
	vb_buf_adds(b, "</table>\n");
}

/* How each --vms point's guests shared the host. */
static void fairness(struct vb_buf *b, const struct vb_summary *s)
{
	if (!s->nfair)
		return;
	vb_buf_adds(b, "<h2>Guests</h2>\n<p class='vms'>vms rows: IOPS and bandwidth summed over the measured guests, clat "
	               "mean weighted by IOPS; latency percentiles of the worst guest. Each guest's IOPS are reads + writes, "
	               "the mean over repetitions (n: a neighbour); Jain's index and slowest/fastest are over the measured "
	               "guests.</p>\n<table><tr><th>mode</th><th>point</th><th>guests' IOPS</th><th>Jain</th><th>min/max</th>"
	               "<th>start spread</th><th>failed</th></tr>\n");
	for (size_t i = 0; i < s->nfair; i++) {
		const struct vb_fairness *f = &s->fair[i];
		char *g = vb_fairness_guests(f), *part = vb_fairness_partial(f);
		vb_buf_adds(b, "<tr><td>");
		esc(b, f->mode);
		vb_buf_adds(b, "</td><td>");
		esc(b, f->point);
		vb_buf_adds(b, "</td><td>");
		esc(b, g);
		vb_buf_adds(b, "</td>");
		opt(b, f->jain, 'r');
		opt(b, f->min_max, 'r');
		if (isnan(f->start_spread_s))
			vb_buf_adds(b, "<td>-</td>");
		else
			vb_buf_addf(b, "<td>%.1f ms</td>", f->start_spread_s * 1e3);
		vb_buf_adds(b, part ? "<td class='partial'>" : "<td>");
		esc(b, part ? part : "-");
		vb_buf_adds(b, "</td></tr>\n");
		free(g);
		free(part);
	}
	vb_buf_adds(b, "</table>\n");
}

/* Colours of the thread classes in the bars; others grey. */
static const struct {
	const char *cls, *colour;
} split_colours[] = {
	{"vcpu", "#4e79a7"}, {"iothread", "#f28e2b"}, {"main", "#59a14f"}, {"worker", "#b07aa1"},
	{"vhost", "#edc948"}, {"other", "#9c755f"}, {"exited", "#bab0ac"},
};

static const char *split_colour(const char *cls)
{
	for (size_t i = 0; i < sizeof(split_colours) / sizeof(split_colours[0]); i++)
		if (!strcmp(split_colours[i].cls, cls))
			return split_colours[i].colour;
	return "#e15759"; /* a helper daemon's threads */
}

/* One mode's bar: a segment per class, widths in proportion to the
 * longest bar (max us). */
static void split_bar(struct vb_buf *b, const struct vb_row *r, double max)
{
	const char *k;
	json_t *v;
	vb_buf_adds(b, "<tr><td>");
	esc(b, r->mode);
	vb_buf_adds(b, "</td><td style='text-align:left'><div style='display:flex;width:600px'>");
	json_object_foreach(r->host_cpu_split, k, v) {
		double us = json_number_value(v);
		if (us <= 0)
			continue;
		vb_buf_addf(b, "<div style='width:%.1fpx;background:%s;height:1.2em' title='", 600.0 * us / max, split_colour(k));
		esc(b, k); /* the labels are plain words (summary.c); escaped all the same */
		vb_buf_addf(b, " %.1f us'></div>", us);
	}
	char *t = vb_split_text(r);
	vb_buf_addf(b, "</div></td><td style='text-align:left'>%.1f us: ", r->host_cpu_us_per_io);
	esc(b, t);
	vb_buf_adds(b, "</td></tr>\n");
	free(t);
}

/* "µs of host CPU per I/O, by thread": a stacked bar per mode and point
 * whose threads were read. */
static void split_bars(struct vb_buf *b, const struct vb_summary *s)
{
	double max = 0;
	bool any = false;
	for (size_t p = 0; p < s->npoints; p++)
		for (size_t i = 0; i < s->nrows; i++)
			if (vb_row_split_first(s, i, s->points[p]) && s->rows[i].host_cpu_us_per_io > max)
				max = s->rows[i].host_cpu_us_per_io;
	if (max <= 0)
		return;
	vb_buf_adds(b, "<h2 id='cpu-by-thread'>µs of host CPU per I/O, by thread</h2>\n");
	if (s->emulated)
		vb_buf_adds(b, "<p class='tcg'>Under TCG the vCPU threads also do the device emulation's work (every "
		               "guest instruction that touches the device is translated and run there), so they dominate: "
		               "the split shows where emulation spends the host, not what the bus would cost under KVM.</p>\n");
	for (size_t p = 0; p < s->npoints; p++) {
		vb_buf_adds(b, "<table class='split'>");
		if (s->npoints > 1) {
			vb_buf_adds(b, "<caption>");
			esc(b, s->points[p]);
			vb_buf_adds(b, "</caption>");
		}
		for (size_t i = 0; i < s->nrows; i++)
			if (vb_row_split_first(s, i, s->points[p])) {
				split_bar(b, &s->rows[i], max);
				any = true;
			}
		vb_buf_adds(b, "</table>\n");
	}
	if (any) {
		vb_buf_adds(b, "<p>");
		for (size_t i = 0; i < sizeof(split_colours) / sizeof(split_colours[0]); i++)
			vb_buf_addf(b, "<span style='background:%s'>&nbsp;&nbsp;&nbsp;</span> %s ", split_colours[i].colour,
			            split_colours[i].cls);
		vb_buf_adds(b, "<span style='background:#e15759'>&nbsp;&nbsp;&nbsp;</span> a helper daemon's threads. "
		               "From /proc/PID/task/*/stat over the measurement window; <i>exited</i> is the threads that "
		               "ended inside it (the process's total less its live threads').</p>\n");
	}
}

static void charts(struct vb_buf *b, const struct vb_summary *s, const struct vb_charts *c)
{
	vb_buf_adds(b, "<h2>Charts</h2>\n");
	svg(b, c, "iops", "IOPS per mode with 95% confidence intervals over repetitions; a label over a mode marks its lead "
	                  "on the next in the ranking where that lead is significant (q < 0.05, see Findings), and only there");
	svg(b, c, "latency-read", "Read completion latency percentiles, from fio's histogram bins merged over repetitions");
	svg(b, c, "latency-write", "Write completion latency percentiles, from merged bins");
	svg(b, c, "percent-of-host", "Each mode's IOPS as a percentage of fio on the host, same store");
	svg(b, c, "iops-over-time", "IOPS over time (1 s averages), first repetition");
	svg(b, c, "p99-over-time", "p99 completion latency per second, reads and writes, first repetition (from fio's "
	                           "latency histogram log; only where the modes were measured with it)");
	json_t *sweep = vb_runrec_job_sweep(s->run);
	const char *param;
	json_t *v;
	svg(b, c, "iops-vs-guests", "IOPS (reads + writes, summed over the guests) against N guests, per mode, with the 95% "
	                            "interval over repetitions (plots/iops-vs-guests.svg)");
	json_object_foreach(sweep, param, v) {
		if (strcmp(param, "vms") == 0)
			continue; /* drawn as iops-vs-guests */
		char *name = vb_asprintf("sweep-%s", param), *cap = vb_asprintf("IOPS against %s", param);
		svg(b, c, name, cap);
		free(name);
		free(cap);
	}
}

int vb_render_html(const struct vb_summary *s, const char *path, const struct vb_charts *c)
{
	struct vb_buf b = {0};
	int ret;

	head(&b, s);
	vb_render_findings_html(&b, s);
	metadata(&b, s);
	neighbours(&b, s);
	for (size_t p = 0; p < s->npoints; p++)
		point_table(&b, s, p);
	for (size_t i = 0; i < s->nlimits; i++) {
		char *t = vb_fmt_limit(s, &s->limits[i]);
		vb_buf_adds(&b, "<p>");
		esc(&b, t);
		vb_buf_adds(&b, "</p>\n");
		free(t);
	}
	fairness(&b, s);
	for (size_t i = 0; i < s->nmodes; i++) {
		if (strcmp(s->modes[i].status, "ok") == 0)
			continue;
		vb_buf_adds(&b, "<p><b>");
		esc(&b, s->modes[i].mode);
		vb_buf_adds(&b, vb_mode_unavailable(&s->modes[i]) ? " unavailable</b> (dropped at probe time): " : " failed:</b> ");
		esc(&b, s->modes[i].reason ? s->modes[i].reason : s->modes[i].status);
		vb_buf_adds(&b, "</p>\n");
	}
	for (size_t i = 0; i < s->nmodes; i++) {
		if (!s->modes[i].imported)
			continue;
		vb_buf_adds(&b, "<p><b>");
		esc(&b, s->modes[i].mode);
		vb_buf_adds(&b, " was imported</b>, not measured by vmio-bench: ");
		esc(&b, s->modes[i].imported);
		vb_buf_adds(&b, "</p>\n");
	}
	split_bars(&b, s);
	charts(&b, s, c);
	vb_buf_adds(&b, "<p>CPU per I/O: <i>host</i> is every host process that serves the I/O (the guest's QEMU, plus "
	                "qemu-storage-daemon or tgtd; fio itself for the host baseline), sampled over a window inside fio's "
	                "counted runtime; <i>guest</i> is fio inside the guest. Per completed I/O, reads and writes "
	                "together.</p>\n</body></html>\n");
	ret = vb_write_file_atomic(path, b.s, b.len);
	vb_buf_free(&b);
	return ret;
}
