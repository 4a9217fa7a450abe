/* gnuplot charts of a summary: data files and one script per run, drawn
 * as PNG and SVG in a private folder and then moved into RUN/plots/.
 * gnuplot is run from an argument vector; every string that reaches the
 * script is quoted for gnuplot. */
#include "config.h"
#include "render/gp.h"
#include "render/render.h"
#include "summary/findings.h"
#include "summary/runrec.h"
#include "core/lathist.h"
#include "core/util.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void gp_str(FILE *f, const char *s)
{
	struct vb_buf b = {0};
	vb_gp_quote(&b, s);
	fputs(b.s, f);
	vb_buf_free(&b);
}

/* Mode names are table rows, but data files are read back by gnuplot,
 * so keep them to plain characters anyway. */
static void gp_word(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(((unsigned char)*s > 0x20 && *s != '"' && *s != '#') ? *s : '_', f);
}

static const struct vb_row *row(const struct vb_summary *s, const char *mode, const char *point, const char *dir)
{
	return vb_summary_find(s, mode, point, dir);
}

static bool mode_ok(const struct vb_summary *s, size_t i)
{
	return strcmp(s->modes[i].status, "ok") == 0;
}

struct chart {
	FILE *gp;
	const char *dir;
	const struct vb_summary *s;
	int drawn;
};

/* Start a chart: output both formats from one plot command by wrapping
 * it in a loop over terminals. */
static void begin(struct chart *c, const char *name, const char *title, const char *ylabel)
{
	FILE *f = c->gp;
	fprintf(f, "\n# ---- %s\nreset\n", name);
	vb_gp_formats(f, name);
	fputs("  set title ", f);
	gp_str(f, title);
	fputs(" noenhanced\n  set ylabel ", f);
	gp_str(f, ylabel);
	fputs("\n  set key outside right top noenhanced\n  set grid ytics\n  set border 3\n  set xtics nomirror noenhanced\n  set ytics nomirror\n", f);
	if (c->s->emulated)
		fputs("  set label 1 'emulated (TCG): figures are bound by CPU emulation, not by the bus' at graph 0.01, graph 0.97 left tc rgb '#b00000'\n", f);
	c->drawn++;
}

static void end(struct chart *c)
{
	fputs("  unset output\n}\n", c->gp);
}

static char *subtitle(const struct vb_summary *s)
{
	bool st = s->storage && strcmp(s->storage, "raw") != 0 && !json_object_get(vb_runrec_job_sweep(s->run), "storage");
	return vb_asprintf("%s%s%s | %s%s | %s", s->job, st ? ", storage " : "", st ? s->storage : "", s->accel,
	                   s->emulated ? " (emulated)" : "",
	                   s->fio_version ? s->fio_version : "fio");
}

static FILE *data(struct chart *c, const char *name)
{
	char *p = vb_asprintf("%s/%s.dat", c->dir, name);
	FILE *f = vb_fopen_write(p);
	free(p);
	return f;
}

/* The bars of the IOPS chart: each mode's place (a cluster's x) and the
 * top of its highest error bar. */
struct bars {
	const char **mode;
	double *top;
	int n;
};

/* Over each mode whose lead on the next in its ranking is significant
 * (findings.h: q below VB_FINDINGS_ALPHA), a label with the ratio and
 * q; a step that is not significant gets no mark.  The labels' room
 * above the bars: the y range, returned (0: no marks, autoscale). */
static double iops_marks(struct chart *c, const char *point, const struct bars *b)
{
	const struct vb_findings *fs = c->s->findings;
	double ymax = 0;
	int label = 10; /* 1 is the emulated note */
	for (size_t i = 0; fs && i < fs->n; i++) {
		const struct vb_finding *f = &fs->f[i];
		if (f->kind != VB_FINDING_STEP || !f->significant || (f->point && strcmp(f->point, point) != 0))
			continue;
		char *full = f->host ? vb_asprintf("%s/%s", f->host, f->mode) : vb_strdup(f->mode);
		int x = 0;
		while (x < b->n && strcmp(b->mode[x], full) != 0)
			x++;
		free(full);
		if (x == b->n)
			continue;
		char q[24] = "q under 0.001"; /* gnuplot's quoting takes no '<' */
		if (f->q >= 0.001)
			vb_fmt_q(f->q, q, sizeof(q));
		char *t = vb_asprintf("%.*fx %s (%s)", vb_ratio_decimals(f->value), f->value, f->other, q);
		fprintf(c->gp, "  set label %d ", label++);
		gp_str(c->gp, t);
		fprintf(c->gp, " at %d, first %g center offset 0, 1 front noenhanced font \",9\"\n", x, b->top[x]);
		free(t);
		for (int k = 0; k < b->n; k++)
			ymax = b->top[k] * 1.15 > ymax ? b->top[k] * 1.15 : ymax;
	}
	return ymax;
}

static void chart_iops(struct chart *c, const char *point)
{
	const struct vb_summary *s = c->s;
	FILE *d = data(c, "iops");
	struct bars b = {vb_calloc(s->nmodes + 1, sizeof(char *)), vb_calloc(s->nmodes + 1, sizeof(double)), 0};
	if (!d)
		goto out;
	fputs("# mode read_mean read_ci95 write_mean write_ci95\n", d);
	for (size_t i = 0; i < s->nmodes; i++) {
		const struct vb_row *r = row(s, s->modes[i].mode, point, "read"), *w = row(s, s->modes[i].mode, point, "write");
		if (!mode_ok(s, i) || !r || !w || !r->n)
			continue;
		gp_word(d, s->modes[i].mode);
		fprintf(d, " %g %g %g %g\n", r->s[VB_M_IOPS].mean, r->s[VB_M_IOPS].ci95, w->s[VB_M_IOPS].mean, w->s[VB_M_IOPS].ci95);
		b.mode[b.n] = s->modes[i].mode;
		b.top[b.n++] = fmax(r->s[VB_M_IOPS].mean + r->s[VB_M_IOPS].ci95, w->s[VB_M_IOPS].mean + w->s[VB_M_IOPS].ci95);
	}
	fclose(d);
	if (!b.n)
		goto out; /* no mode finished: an empty chart would only fail */
	char *t = subtitle(s), *title = vb_asprintf("IOPS per mode (mean, 95%% CI)\n%s", t);
	begin(c, "iops", title, "IOPS");
	double ymax = iops_marks(c, point, &b);
	if (ymax > 0)
		fprintf(c->gp, "  set yrange [0:%g]\n", ymax);
	else
		fputs("  set yrange [0:*]\n", c->gp);
	fputs("  set style data histograms\n  set style histogram errorbars gap 2 lw 1\n  set style fill solid 0.7 border -1\n"
	      "  set xtics rotate by -20\n"
	      "  plot sprintf('%s/iops.dat', DIR) using 2:3:xtic(1) title 'read', '' using 4:5 title 'write'\n", c->gp);
	end(c);
	free(t);
	free(title);
out:
	free(b.mode);
	free(b.top);
}

static void chart_latency(struct chart *c, const char *point, const char *dir)
{
	const struct vb_summary *s = c->s;
	char name[32];
	snprintf(name, sizeof(name), "latency-%s", dir);
	FILE *d = data(c, name);
	if (!d)
		return;
	fputs("# mode p50 p90 p99 p99.9 p99.99 (microseconds, merged bins)\n", d);
	int rows = 0;
	for (size_t i = 0; i < s->nmodes; i++) {
		const struct vb_row *r = row(s, s->modes[i].mode, point, dir);
		if (!mode_ok(s, i) || !r || r->pct[0] <= 0)
			continue;
		gp_word(d, s->modes[i].mode);
		for (int p = 0; p < VB_NPCT; p++)
			fprintf(d, " %g", r->pct[p] / 1000.0);
		fputc('\n', d);
		rows++;
	}
	fclose(d);
	if (!rows)
		return;
	char *t = subtitle(s), *title = vb_asprintf("%s completion latency percentiles (merged over repetitions)\n%s", dir, t);
	begin(c, name, title, "latency (us, log scale)");
	fprintf(c->gp, "  set style data histograms\n  set style histogram clustered gap 2\n  set style fill solid 0.7 border -1\n"
	        "  set logscale y\n  set xtics rotate by -20\n"
	        "  plot for [k=2:6] sprintf('%%s/%s.dat', DIR) using k:xtic(1) title word('p50 p90 p99 p99.9 p99.99', k-1)\n", name);
	end(c);
	free(t);
	free(title);
}

static void chart_host(struct chart *c, const char *point)
{
	const struct vb_summary *s = c->s;
	FILE *d = data(c, "percent-of-host");
	int rows = 0;
	if (!d)
		return;
	fputs("# mode read_pct write_pct\n", d);
	for (size_t i = 0; i < s->nmodes; i++) {
		const struct vb_row *r = row(s, s->modes[i].mode, point, "read"), *w = row(s, s->modes[i].mode, point, "write");
		if (!mode_ok(s, i) || !r || !w || isnan(r->ratio_host) || (s->baseline && !strcmp(vb_mode_bare(s->modes[i].mode), s->baseline)))
			continue;
		gp_word(d, s->modes[i].mode);
		fprintf(d, " %g %g\n", r->ratio_host * 100, isnan(w->ratio_host) ? 0 : w->ratio_host * 100);
		rows++;
	}
	fclose(d);
	if (!rows)
		return;
	char *t = subtitle(s), *title = vb_asprintf("IOPS as a percentage of the host baseline\n%s", t);
	begin(c, "percent-of-host", title, "% of host IOPS");
	fputs("  set style data histograms\n  set style histogram clustered gap 2\n  set style fill solid 0.7 border -1\n"
	      "  set yrange [0:*]\n  set xtics rotate by -20\n"
	      "  plot sprintf('%s/percent-of-host.dat', DIR) using 2:xtic(1) title 'read', '' using 3 title 'write'\n", c->gp);
	end(c);
	free(t);
	free(title);
}

/* fio's IOPS log: "msec, value, direction, bs, offset[, prio]" per line,
 * one line per direction and 1 s window; the two directions of a window
 * may be stamped a few ms apart, so windows are keyed by the second. */
/* A repetition's log, path being run_dir/MODE/FILE (summary.c): read
 * below run_dir without following a link (a results folder is input);
 * NULL when it is missing, a link, or not below run_dir. */
static char *read_run_file(const char *run_dir, const char *path, size_t max, size_t *len)
{
	size_t rl = strlen(run_dir);
	if (strncmp(path, run_dir, rl) != 0 || path[rl] != '/')
		return NULL;
	return vb_read_regular_below(run_dir, path + rl + 1, max, len);
}

static int log_series(const char *run_dir, const char *path, FILE *out)
{
	char *text = read_run_file(run_dir, path, 8u << 20, NULL);
	double t_prev = -1, rd = 0, wr = 0;
	int n = 0;
	if (!text)
		return 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		double ms, v;
		int dir;
		if (sscanf(line, "%lf, %lf, %d", &ms, &v, &dir) != 3 || ms < 0 || v < 0)
			continue;
		ms = round(ms / 1000.0) * 1000.0;
		if (t_prev >= 0 && ms != t_prev) {
			fprintf(out, "%g %g %g\n", t_prev / 1000.0, rd, wr);
			rd = wr = 0;
			n++;
		}
		t_prev = ms;
		if (dir == 0)
			rd += v;
		else if (dir == 1)
			wr += v;
	}
	if (t_prev >= 0) {
		fprintf(out, "%g %g %g\n", t_prev / 1000.0, rd, wr);
		n++;
	}
	free(text);
	return n;
}

static void chart_time(struct chart *c, const char *point)
{
	const struct vb_summary *s = c->s;
	struct vb_buf plot = {0};
	for (size_t i = 0; i < s->nmodes; i++) {
		const struct vb_row *r = row(s, s->modes[i].mode, point, "read");
		if (!mode_ok(s, i) || !r || !r->n || !r->iops_logs[0])
			continue;
		char *name = vb_asprintf("time-%s", s->modes[i].mode);
		for (char *sl = strchr(name, '/'); sl; sl = strchr(sl, '/'))
			*sl = '_'; /* a fleet's HOST/MODE: one file name */
		FILE *d = data(c, name);
		if (d) {
			fputs("# seconds read_iops write_iops (repetition 1)\n", d);
			if (log_series(s->run_dir, r->iops_logs[0], d) > 0) {
				vb_buf_addf(&plot, "%ssprintf('%%s/%s.dat', DIR) using 1:($2+$3) with linespoints title ",
				            plot.len ? ", " : "", name);
				vb_gp_quote(&plot, s->modes[i].mode);
			}
			fclose(d);
		}
		free(name);
	}
	if (!plot.len)
		return;
	char *t = subtitle(s), *title = vb_asprintf("IOPS over time, reads + writes, repetition 1\n%s", t);
	begin(c, "iops-over-time", title, "IOPS (1 s averages)");
	fprintf(c->gp, "  set xlabel 'seconds'\n  set yrange [0:*]\n  plot %s\n", plot.s);
	end(c);
	free(t);
	free(title);
	vb_buf_free(&plot);
}

/* A lat log (a results folder's file: read strictly, core/lathist.h) as
 * "seconds read_p99_ms write_p99_ms" per second, '?' for a direction
 * without completions that second.  The lines written; 0 when the file
 * is missing or refused (warned: the chart goes on without it). */
static int lat_series(const char *run_dir, const char *path, FILE *out)
{
	size_t len = 0, n = 0;
	/* what keep_lat_log wrote: at most VB_LAT_MAX_ROWS lines of seven
	 * numbers of at most 15 digits */
	char *text = read_run_file(run_dir, path, (size_t)VB_LAT_MAX_ROWS * 128, &len);
	struct vb_latrow *rows = NULL;
	const char *why;
	bool cut;
	int lines = 0;
	if (!text)
		return 0;
	if (vb_latlog_parse(text, len, &rows, &n, &cut, &why) < 0) {
		vb_warn("'%s' %s: its p99 over time is not drawn.", path, why);
		free(text);
		return 0;
	}
	for (size_t i = 0; i < n;) {
		uint64_t ms = rows[i].msec;
		double v[2] = {NAN, NAN};
		for (; i < n && rows[i].msec == ms; i++)
			v[rows[i].dir] = (double)rows[i].p[2] / 1e6;
		fprintf(out, "%g", (double)ms / 1000.0);
		for (int d = 0; d < 2; d++)
			if (isnan(v[d]))
				fputs(" ?", out);
			else
				fprintf(out, " %g", v[d]);
		fputc('\n', out);
		lines++;
	}
	free(rows);
	free(text);
	return lines;
}

/* p99 completion latency per second, reads and writes, of each mode's
 * first repetition: beside IOPS over time, where a stall shows. */
static void chart_p99_time(struct chart *c, const char *point)
{
	const struct vb_summary *s = c->s;
	struct vb_buf plot = {0};
	for (size_t i = 0; i < s->nmodes; i++) {
		const struct vb_row *r = row(s, s->modes[i].mode, point, "read");
		if (!mode_ok(s, i) || !r || !r->n || !r->lat_logs || !r->lat_logs[0])
			continue;
		char *name = vb_asprintf("p99-%s", s->modes[i].mode);
		for (char *sl = strchr(name, '/'); sl; sl = strchr(sl, '/'))
			*sl = '_'; /* a fleet's HOST/MODE: one file name */
		FILE *d = data(c, name);
		if (d) {
			fputs("# seconds read_p99_ms write_p99_ms (repetition 1; ? no completions)\n", d);
			if (lat_series(s->run_dir, r->lat_logs[0], d) > 0) {
				static const char *const dirs[2] = {"read", "write"};
				for (int k = 0; k < 2; k++) {
					char *t = vb_asprintf("%s %s", s->modes[i].mode, dirs[k]);
					vb_buf_addf(&plot, "%ssprintf('%%s/%s.dat', DIR) using 1:%d with linespoints title ",
					            plot.len ? ", " : "", name, k + 2);
					vb_gp_quote(&plot, t);
					free(t);
				}
			}
			fclose(d);
		}
		free(name);
	}
	if (!plot.len)
		return;
	char *t = subtitle(s), *title = vb_asprintf("p99 completion latency over time, repetition 1\n%s", t);
	begin(c, "p99-over-time", title, "p99 completion latency (ms, per second)");
	fprintf(c->gp, "  set datafile missing '?'\n  set xlabel 'seconds'\n  set yrange [0:*]\n  plot %s\n", plot.s);
	end(c);
	free(t);
	free(title);
	vb_buf_free(&plot);
}

/* For each swept parameter: IOPS (reads + writes) against its values,
 * the other parameters at their first value. */
/* The label of the point where param has value v and every other swept
 * parameter its first value, or NULL. */
static const char *point_at(json_t *sweep, json_t *points, const char *param, const char *v)
{
	size_t pi;
	json_t *pt;
	json_array_foreach(points, pi, pt) {
		const char *label = vb_runrec_point_label(pt), *k;
		json_t *vals;
		bool keepit = label != NULL;
		json_object_foreach(sweep, k, vals) {
			const char *want = strcmp(k, param) == 0 ? v : json_string_value(json_array_get(vals, 0));
			char *item = vb_asprintf("%s=%s", k, want ? want : "");
			size_t n = strlen(item);
			const char *at = label ? strstr(label, item) : NULL;
			/* a whole item: "storage=qcow2" is not in "storage=qcow2-full" */
			if (!at || (at != label && at[-1] != ',') || (at[n] && at[n] != ','))
				keepit = false;
			free(item);
		}
		if (keepit)
			return label;
	}
	return NULL;
}

/* Does mode have figures at some point (a failed mode may, before it failed)? */
static bool measured_any(const struct vb_summary *s, const char *mode)
{
	for (size_t p = 0; p < s->npoints; p++) {
		const struct vb_row *r = row(s, mode, s->points[p], "read");
		if (r && r->n)
			return true;
	}
	return false;
}

/* A categorical parameter (the storage model): each bus a cluster of
 * bars, one per value, so that a bus's storage models sit side by side. */
static void chart_by_bus(struct chart *c, const char *param, json_t *values)
{
	const struct vb_summary *s = c->s;
	json_t *sweep = vb_runrec_job_sweep(s->run), *points = vb_runrec_job_points(s->run), *v;
	char *name = vb_asprintf("sweep-%s", param);
	FILE *d = data(c, name);
	struct vb_buf plot = {0};
	size_t vi;
	int rows = 0;
	if (!d) {
		free(name);
		return;
	}
	fputs("# mode, then IOPS (reads + writes) for each value in turn\n", d);
	for (size_t i = 0; i < s->nmodes; i++) {
		/* a bus one model failed on keeps the others' bars */
		if (!mode_ok(s, i) && !measured_any(s, s->modes[i].mode))
			continue;
		gp_word(d, s->modes[i].mode);
		json_array_foreach(values, vi, v) {
			const char *label = point_at(sweep, points, param, json_string_value(v));
			const struct vb_row *r = label ? row(s, s->modes[i].mode, label, "read") : NULL;
			const struct vb_row *w = label ? row(s, s->modes[i].mode, label, "write") : NULL;
			if (r && w && r->n)
				fprintf(d, " %g", r->s[VB_M_IOPS].mean + w->s[VB_M_IOPS].mean);
			else
				fputs(" ?", d); /* not measured (that model failed): missing, not 0 */
		}
		fputc('\n', d);
		rows++;
	}
	fclose(d);
	json_array_foreach(values, vi, v) {
		vb_buf_addf(&plot, "%ssprintf('%%s/%s.dat', DIR) using %zu%s title ", plot.len ? ", " : "", name, vi + 2,
		            vi ? "" : ":xtic(1)");
		vb_gp_quote(&plot, json_is_string(v) ? json_string_value(v) : "?");
	}
	if (rows && plot.len) {
		char *t = subtitle(s), *title = vb_asprintf("IOPS (reads + writes) of each bus by %s\n%s", param, t);
		begin(c, name, title, "IOPS");
		fputs("  set datafile missing '?'\n  set style data histograms\n  set style histogram clustered gap 1\n"
		      "  set style fill solid 0.7 border -1\n"
		      "  set yrange [0:*]\n  set xtics rotate by -20\n", c->gp);
		fprintf(c->gp, "  plot %s\n", plot.s);
		end(c);
		free(t);
		free(title);
	}
	vb_buf_free(&plot);
	free(name);
}

/* A swept parameter with a chart of its own: the storage model (bars by
 * bus), the number of guests (chart_vms, with its intervals).  True when
 * drawn, or to be drawn, there. */
static bool chart_own(struct chart *c, const char *param, json_t *values)
{
	if (strcmp(param, "storage") == 0)
		chart_by_bus(c, param, values);
	return strcmp(param, "storage") == 0 || strcmp(param, "vms") == 0;
}

static void chart_sweep(struct chart *c)
{
	const struct vb_summary *s = c->s;
	json_t *sweep = vb_runrec_job_sweep(s->run);
	json_t *points = vb_runrec_job_points(s->run);
	const char *param;
	json_t *values;
	if (!json_is_object(sweep))
		return;
	json_object_foreach(sweep, param, values) {
		if (chart_own(c, param, values))
			continue;
		char *name = vb_asprintf("sweep-%s", param);
		FILE *d = data(c, name);
		struct vb_buf plot = {0};
		size_t pi;
		json_t *pt;
		if (!d) {
			free(name);
			continue;
		}
		fputs("# value", d);
		for (size_t i = 0; i < s->nmodes; i++)
			if (mode_ok(s, i)) {
				fputc(' ', d);
				gp_word(d, s->modes[i].mode);
			}
		fputc('\n', d);
		json_array_foreach(points, pi, pt) {
			/* keep points whose other swept parameters sit at their first value */
			const char *label = vb_runrec_point_label(pt);
			bool keepit = label != NULL;
			const char *other;
			json_t *ovals;
			json_object_foreach(sweep, other, ovals) {
				char *want = vb_asprintf("%s=%s", other, json_string_value(json_array_get(ovals, 0)));
				if (strcmp(other, param) != 0 && label && !strstr(label, want))
					keepit = false;
				free(want);
			}
			if (!keepit)
				continue;
			const char *eq = strstr(label, param);
			char val[64] = "?";
			if (eq && (eq = strchr(eq, '=')))
				snprintf(val, sizeof(val), "%.*s", (int)strcspn(eq + 1, ","), eq + 1);
			gp_word(d, val);
			for (size_t i = 0; i < s->nmodes; i++) {
				if (!mode_ok(s, i))
					continue;
				const struct vb_row *r = row(s, s->modes[i].mode, label, "read"), *w = row(s, s->modes[i].mode, label, "write");
				fprintf(d, " %g", (r ? r->s[VB_M_IOPS].mean : 0) + (w ? w->s[VB_M_IOPS].mean : 0));
			}
			fputc('\n', d);
		}
		fclose(d);
		int col = 2;
		for (size_t i = 0; i < s->nmodes; i++)
			if (mode_ok(s, i)) {
				vb_buf_addf(&plot, "%ssprintf('%%s/%s.dat', DIR) using %d:xtic(1) with linespoints title ",
				            plot.len ? ", " : "", name, col++);
				vb_gp_quote(&plot, s->modes[i].mode);
			}
		if (plot.len) {
			char *t = subtitle(s), *title = vb_asprintf("IOPS (reads + writes) against %s\n%s", param, t), *xl = vb_asprintf("%s", param);
			begin(c, name, title, "IOPS");
			fputs("  set xlabel ", c->gp);
			gp_str(c->gp, xl);
			fprintf(c->gp, "\n  set yrange [0:*]\n  plot %s\n", plot.s);
			end(c);
			free(t);
			free(title);
			free(xl);
		}
		vb_buf_free(&plot);
		free(name);
	}
}

/* The job point (its index) of each number of guests, the other
 * parameters at the first --vms point's values and the neighbours not
 * busy (their run is the headline's, not the capacity's); N ascending.
 * Returns how many (at most VB_VMS_MAX). */
static size_t vms_points(const struct vb_summary *s, int n[VB_VMS_MAX], size_t at[VB_VMS_MAX])
{
	json_t *points = vb_runrec_job_points(s->run), *first = NULL, *pt;
	size_t pi, k = 0;
	json_array_foreach(points, pi, pt) {
		json_t *params = vb_runrec_point_params(pt);
		const char *nb = vb_runrec_point_neighbour(params);
		int v = vb_runrec_point_vms(params);
		if (!v || pi >= s->npoints || (nb && strcmp(nb, "busy") == 0))
			continue;
		first = first ? first : params;
		size_t j = 0;
		while (j < k && n[j] != v)
			j++;
		if (j < k || k == VB_VMS_MAX || !vb_runrec_point_same_but_vms(params, first))
			continue;
		for (j = k++; j > 0 && n[j - 1] > v; j--) { /* insertion: N ascending */
			n[j] = n[j - 1];
			at[j] = at[j - 1];
		}
		n[j] = v;
		at[j] = pi;
	}
	return k;
}

/* IOPS (reads + writes) of a mode's point and its 95% interval over the
 * repetitions; false when it has none. */
static bool total_iops(const struct vb_summary *s, const char *mode, const char *point, double *mean, double *ci)
{
	const struct vb_row *r = row(s, mode, point, "read"), *w = row(s, mode, point, "write");
	if (!r || !w || !r->n || r->n != w->n)
		return false;
	double *v = vb_calloc(r->n, sizeof(double));
	struct vb_sample x;
	for (size_t k = 0; k < r->n; k++)
		v[k] = r->val[VB_M_IOPS][k] + w->val[VB_M_IOPS][k];
	vb_sample_compute(v, r->n, &x);
	free(v);
	*mean = x.mean;
	*ci = x.ci95;
	return true;
}

/* IOPS against the number of guests: a line per mode, error bars the
 * 95% interval over repetitions. */
static void chart_vms(struct chart *c)
{
	const struct vb_summary *s = c->s;
	int n[VB_VMS_MAX];
	size_t at[VB_VMS_MAX], np = vms_points(s, n, at);
	struct vb_buf plot = {0};
	FILE *d;
	if (np < 2 || !(d = data(c, "iops-vs-guests")))
		return;
	fputs("# guests, then each mode's IOPS (reads + writes) mean and 95% interval\n", d);
	for (size_t k = 0; k < np; k++) {
		fprintf(d, "%d", n[k]);
		for (size_t i = 0; i < s->nmodes; i++) {
			double m, ci;
			if (total_iops(s, s->modes[i].mode, s->points[at[k]], &m, &ci))
				fprintf(d, " %g %g", m, ci);
			else
				fputs(" ? ?", d); /* not measured: missing, not 0 */
		}
		fputc('\n', d);
	}
	fclose(d);
	for (size_t i = 0; i < s->nmodes; i++) {
		if (!measured_any(s, s->modes[i].mode))
			continue;
		vb_buf_addf(&plot, "%ssprintf('%%s/iops-vs-guests.dat', DIR) using 1:%zu:%zu with yerrorlines title ",
		            plot.len ? ", " : "", 2 * i + 2, 2 * i + 3);
		vb_gp_quote(&plot, s->modes[i].mode);
	}
	if (plot.len) {
		char *t = subtitle(s), *title = vb_asprintf("IOPS (reads + writes, summed over the guests) against N guests (mean, 95%% CI)\n%s", t);
		begin(c, "iops-vs-guests", title, "IOPS");
		fprintf(c->gp, "  set datafile missing '?'\n  set xlabel 'guests (--vms)'\n  set xtics 1\n  set offsets 0.2, 0.2, 0, 0\n"
		        "  set yrange [0:*]\n  plot %s\n", plot.s);
		end(c);
		free(t);
		free(title);
	}
	vb_buf_free(&plot);
}

static int draw(const struct vb_summary *s, const char *run_dir, const char *dir, struct vb_charts *out);

void vb_charts_release(struct vb_charts *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->names[i]);
		free(c->svgs[i]);
	}
	free(c->names);
	free(c->svgs);
	memset(c, 0, sizeof(*c));
}

const char *vb_charts_svg(const struct vb_charts *c, const char *name)
{
	for (size_t i = 0; c && i < c->n; i++)
		if (!strcmp(c->names[i], name))
			return c->svgs[i];
	return NULL;
}

/* Keep a drawn SVG (read from the private folder, where nobody else
 * writes) for report.html. */
static void keep_svg(struct vb_charts *out, const char *dir, const char *file)
{
	size_t n = strlen(file);
	if (n < 5 || strcmp(file + n - 4, ".svg"))
		return;
	char *p = vb_asprintf("%s/%s", dir, file), *text = vb_read_file(p, 16u << 20, NULL);
	free(p);
	if (!text)
		return;
	out->names = realloc(out->names, (out->n + 1) * sizeof(char *));
	out->svgs = realloc(out->svgs, (out->n + 1) * sizeof(char *));
	if (!out->names || !out->svgs)
		abort();
	out->names[out->n] = vb_asprintf("%.*s", (int)(n - 4), file);
	out->svgs[out->n++] = text;
}

/* Move every file gnuplot drew in the private folder into plots/ (by
 * name, renameat: a link planted there is replaced, never followed). */
static int publish(const char *priv, int plots_fd, const char *plots, struct vb_charts *out)
{
	DIR *d = opendir(priv);
	struct dirent *e;
	int ret = 0;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		keep_svg(out, priv, e->d_name);
		if (vb_publish(priv, e->d_name, plots_fd, plots) < 0)
			ret = -1;
	}
	if (d)
		closedir(d);
	return ret;
}

/* Charts are drawn into a private folder beside plots/ (made by mkdtemp:
 * nothing can be planted in it), and each finished file is renamed into
 * plots/, which must be a folder of its own, not a link. */
int vb_render_plots(const struct vb_summary *s, const char *run_dir, struct vb_charts *out)
{
	char *plots = vb_asprintf("%s/plots", run_dir), *priv = NULL;
	int n = -1, fd = vb_subdir_open(run_dir, "plots");

	memset(out, 0, sizeof(*out));
	if (fd >= 0 && (priv = vb_private_dir_new(run_dir, "plots")))
		n = draw(s, run_dir, priv, out);
	if (n > 0 && publish(priv, fd, plots, out) < 0)
		n = -1;
	if (n < 0 && !out->why)
		out->why = "the charts could not be written (see the error above)";
	vb_private_dir_remove(priv);
	if (fd >= 0)
		close(fd);
	free(priv);
	free(plots);
	return n;
}

int vb_plot_script(const struct vb_summary *s, const char *dir, FILE *gp)
{
	struct chart c = {.gp = gp, .dir = dir, .s = s};
	const char *point = s->npoints ? s->points[0] : "default";

	fputs("# drawn by vmio-bench report; draw again with 'gnuplot charts.gp' in this folder\n", gp);
	fputs("DIR = ARGC > 0 ? ARG1 : '.'\n", gp);
	chart_iops(&c, point);
	chart_latency(&c, point, "read");
	chart_latency(&c, point, "write");
	chart_host(&c, point);
	chart_time(&c, point);
	chart_p99_time(&c, point);
	chart_sweep(&c);
	chart_vms(&c);
	return c.drawn;
}

/* Draw into the private folder dir, gnuplot's messages to
 * RUN/gnuplot.log.  The number of charts; 0 with out->why when none were
 * drawn (after one warning where that is news); -1 when refused. */
static int draw(const struct vb_summary *s, const char *run_dir, const char *dir, struct vb_charts *out)
{
	char *script, *log;
	size_t measured = 0;
	int drawn, fd;
	FILE *gp;

	for (size_t i = 0; i < s->nrows; i++)
		measured += s->rows[i].n > 0;
	if (!measured) {
		out->why = "no mode finished a repetition";
		return 0; /* nothing finished: no charts, and nothing to warn about */
	}
	if (!vb_gp_available()) {
		vb_warn("gnuplot is not installed, so no charts were drawn (apt-get install gnuplot-nox); the tables are written");
		out->why = "gnuplot is missing";
		return 0;
	}
	script = vb_asprintf("%s/charts.gp", dir);
	gp = vb_fopen_write(script);
	if (!gp) {
		free(script);
		return -1;
	}
	drawn = vb_plot_script(s, dir, gp);
	fclose(gp);
	if (!drawn) {
		/* only failed modes have figures: the tables show them, marked */
		out->why = "no mode has figures to draw";
		free(script);
		return 0;
	}
	/* gnuplot's warnings (an empty range with one repetition, say) go to
	 * the run's log, not the terminal; its output only counts on failure.
	 * The log is opened here first so that a link there is refused with
	 * its own line. */
	log = vb_asprintf("%s/gnuplot.log", run_dir);
	if ((fd = vb_open_write(log)) < 0) {
		free(script);
		free(log);
		return -1;
	}
	close(fd);
	int st = vb_gp_run(script, dir, log);
	free(script);
	if (st != 0) {
		char *last = vb_file_last_line(log);
		vb_warn("gnuplot failed drawing the charts (exit %d: %s; see %s): the tables are written", st,
		        last ? last : "no message", log);
		free(last);
		free(log);
		out->why = "gnuplot failed (see gnuplot.log)";
		return 0;
	}
	free(log);
	return drawn;
}
