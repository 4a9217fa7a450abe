/* Text renderers of a summary: the table printed after a run, CSV and
 * Markdown.  They read the summary and measure nothing. */
#include "config.h"
#include "render/render.h"
#include "summary/runrec.h"
#include "core/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void vb_fmt_lat(double ns, char *out, size_t n)
{
	if (isnan(ns) || ns <= 0)
		snprintf(out, n, "-");
	else if (ns >= 1e6)
		snprintf(out, n, "%.2f ms", ns / 1e6);
	else
		snprintf(out, n, "%.1f us", ns / 1e3);
}

void vb_fmt_bw(double b, char *out, size_t n)
{
	if (b >= 1e9)
		snprintf(out, n, "%.2f GB/s", b / 1e9);
	else
		snprintf(out, n, "%.1f MB/s", b / 1e6);
}

char *vb_fmt_limit(const struct vb_summary *s, const struct vb_limit *l)
{
	char lim[32] = "", got[32];
	if (l->bytes) {
		char bw[24];
		vb_fmt_bw(l->limit, bw, sizeof(bw));
		snprintf(lim, sizeof(lim), " (%s)", bw);
		vb_fmt_bw(l->measured, got, sizeof(got));
	} else {
		snprintf(got, sizeof(got), "%.0f IOPS", l->measured);
	}
	char per[48] = "";
	if (l->per_guest)
		snprintf(per, sizeof(per), " per guest (the mean of %zu)", l->per_guest);
	return vb_asprintf("%s%s%s: iotune %s=%.0f%s, measured %s%s (%.1f%% of the limit)", l->mode,
	                   s->npoints > 1 ? " " : "", s->npoints > 1 ? l->point : "", l->name, l->limit, lim, got, per,
	                   l->measured / l->limit * 100);
}

void vb_fmt_opt(double v, char kind, char *out, size_t n)
{
	if (isnan(v))
		snprintf(out, n, "-");
	else if (kind == 'r')
		snprintf(out, n, "%.3f", v);
	else if (kind == '%')
		snprintf(out, n, "%.1f%%", v);
	else
		snprintf(out, n, "%.1f us", v);
}

bool vb_row_shown(const struct vb_row *r, const char *point)
{
	/* a direction fio did not exercise (randread's writes) is not a row */
	return strcmp(r->point, point) == 0 && !(r->s[VB_M_IOPS].mean == 0 && r->s[VB_M_BW].mean == 0);
}

bool vb_row_split_first(const struct vb_summary *s, size_t i, const char *point)
{
	const struct vb_row *r = &s->rows[i];
	if (!r->host_cpu_split || !vb_row_shown(r, point))
		return false;
	for (size_t k = 0; k < i; k++)
		if (s->rows[k].host_cpu_split && !strcmp(s->rows[k].mode, r->mode) && vb_row_shown(&s->rows[k], point))
			return false;
	return true;
}

char *vb_split_text(const struct vb_row *r)
{
	struct vb_buf b = {0};
	const char *k;
	json_t *v;
	json_object_foreach(r->host_cpu_split, k, v) {
		char us[24];
		if (json_number_value(v) <= 0)
			continue;
		vb_fmt_opt(json_number_value(v), 'u', us, sizeof(us));
		vb_buf_addf(&b, "%s%s %s", b.len ? ", " : "", k, us);
	}
	return b.len ? vb_buf_release(&b) : vb_strdup("-");
}

/* Under the table: each mode's host CPU per I/O by thread class. */
static void table_split(FILE *f, const struct vb_summary *s, const char *point)
{
	for (size_t i = 0; i < s->nrows; i++) {
		if (!vb_row_split_first(s, i, point))
			continue;
		char *t = vb_split_text(&s->rows[i]);
		vb_render_mode_cell(f, s->rows[i].mode, s->fleet);
		fprintf(f, "host CPU/IO by thread: %s\n", t);
		free(t);
	}
}

/* issue 28: is row i the first shown row of its mode in point, of a
 * point measured while the host was busy? */
static bool busy_first(const struct vb_summary *s, size_t i, const char *point)
{
	const struct vb_row *r = &s->rows[i];
	if (!r->busy || !vb_row_shown(r, point))
		return false;
	for (size_t k = 0; k < i; k++)
		if (!strcmp(s->rows[k].mode, r->mode) && vb_row_shown(&s->rows[k], point))
			return false;
	return true;
}

/* Under the table: why each busy-flagged mode's figures are suspect. */
static void table_busy(FILE *f, const struct vb_summary *s, const char *point)
{
	for (size_t i = 0; i < s->nrows; i++) {
		if (!busy_first(s, i, point))
			continue;
		vb_render_mode_cell(f, s->rows[i].mode, s->fleet);
		fprintf(f, "BUSY: the host was busy while it measured: %s\n", s->rows[i].busy_why);
	}
}

static bool has_load(const struct vb_summary *s)
{
	for (size_t i = 0; i < s->nrows; i++)
		if (s->rows[i].has_load)
			return true;
	return false;
}

static bool has_host(const struct vb_summary *s)
{
	for (size_t i = 0; i < s->nrows; i++)
		if (!isnan(s->rows[i].ratio_host))
			return true;
	return false;
}

static const char *tcg_note(const struct vb_summary *s)
{
	return s->emulated ? " (emulated: figures are bound by TCG, not by the bus)" : "";
}

void vb_render_mode_cell(FILE *f, const char *mode, bool fleet)
{
	if (fleet)
		fprintf(f, "%-15.*s ", vb_mode_host_len(mode), mode);
	fprintf(f, "%-15s ", vb_mode_bare(mode));
}

/* The storage model beside the job, unless it is the plain raw file (as
 * every run before storage models was) or a sweep names it per point. */
static bool storage_shown(const struct vb_summary *s)
{
	return s->storage && strcmp(s->storage, "raw") != 0 && !json_object_get(vb_runrec_job_sweep(s->run), "storage");
}

bool vb_summary_has_vms(const struct vb_summary *s)
{
	for (size_t i = 0; i < s->nrows; i++)
		if (s->rows[i].vms)
			return true;
	return false;
}

const struct vb_fairness *vb_fairness_find(const struct vb_summary *s, const char *mode, const char *point)
{
	for (size_t i = 0; i < s->nfair; i++)
		if (!strcmp(s->fair[i].mode, mode) && !strcmp(s->fair[i].point, point))
			return &s->fair[i];
	return NULL;
}

char *vb_fairness_guests(const struct vb_fairness *f)
{
	struct vb_buf b = {0};
	for (size_t k = 0; k < f->n; k++) {
		const struct vb_guest_share *g = &f->guest[k];
		vb_buf_addf(&b, "%s%s", k ? " " : "", g->measured ? "" : "n:");
		if (isnan(g->iops))
			vb_buf_adds(&b, g->failed ? "failed" : "-");
		else
			vb_buf_addf(&b, "%.0f", g->iops);
	}
	return vb_buf_release(&b);
}

char *vb_fairness_partial(const struct vb_fairness *f)
{
	if (!f->partial)
		return NULL;
	return vb_asprintf("%zu of %zu guest%s failed: %s", f->nfailed, f->n, f->n == 1 ? "" : "s",
	                   f->reason ? f->reason : "no reason recorded");
}

char *vb_ratio_text(double r, double lo, double hi)
{
	if (isnan(r))
		return vb_strdup("-");
	if (isnan(lo) || isnan(hi))
		return vb_asprintf("x%.2f (too few repetitions for an interval)", r);
	return vb_asprintf("x%.2f [%.2f, %.2f]", r, lo, hi);
}

void vb_nb_text(const struct vb_neighbour *e, struct vb_nb_text *t)
{
	vb_fmt_lat(e->p99_idle, t->p99_idle, sizeof(t->p99_idle));
	vb_fmt_lat(e->p99_busy, t->p99_busy, sizeof(t->p99_busy));
	t->iops_ratio = vb_ratio_text(e->iops_ratio, e->iops_lo, e->iops_hi);
	if (e->nfailed) { /* the busy half was quieter than asked, or the pair unequal */
		char *r = vb_asprintf("%s (%zu guest%s failed: see the guests' table)", t->iops_ratio, e->nfailed,
		                      e->nfailed == 1 ? "" : "s");
		free(t->iops_ratio);
		t->iops_ratio = r;
	}
	t->p99_ratio = vb_ratio_text(e->p99_ratio, e->p99_lo, e->p99_hi);
}

void vb_nb_text_release(struct vb_nb_text *t)
{
	free(t->iops_ratio);
	free(t->p99_ratio);
}

/* The --neighbour headline: the first lines of such a run's table. */
static void table_neighbours(FILE *f, const struct vb_summary *s)
{
	if (!s->nnb)
		return;
	fprintf(f, "neighbour headline: the measured guest with its neighbours idle -> busy, busy/idle with its 95%% interval\n");
	for (size_t i = 0; i < s->nnb; i++) {
		const struct vb_neighbour *e = &s->nb[i];
		struct vb_nb_text t;
		vb_nb_text(e, &t);
		vb_render_mode_cell(f, e->mode, s->fleet);
		fprintf(f, "IOPS %.0f -> %.0f %s; p99 %s -> %s %s", e->iops_idle, e->iops_busy, t.iops_ratio, t.p99_idle,
		        t.p99_busy, t.p99_ratio);
		if (s->npoints > 2)
			fprintf(f, " (%s / %s)", e->busy, e->idle);
		fputc('\n', f);
		vb_nb_text_release(&t);
	}
}

/* Under a --vms run's table: what its rows are, and how each point's
 * guests shared the host. */
static void table_fairness(FILE *f, const struct vb_summary *s)
{
	if (!vb_summary_has_vms(s))
		return;
	fprintf(f, "vms rows: IOPS and bandwidth summed over the measured guests, clat mean weighted by IOPS; "
	           "latency percentiles of the worst guest\n");
	fprintf(f, "fairness: each guest's IOPS (reads + writes, mean over repetitions; n: a neighbour), Jain's index "
	           "and slowest/fastest over the measured guests\n");
	for (size_t i = 0; i < s->nfair; i++) {
		const struct vb_fairness *fa = &s->fair[i];
		char *g = vb_fairness_guests(fa), *part = vb_fairness_partial(fa);
		vb_render_mode_cell(f, fa->mode, s->fleet);
		fprintf(f, "%-16s guests %s  Jain %.3f  min/max %.2f", fa->point, g, fa->jain, fa->min_max);
		if (!isnan(fa->start_spread_s))
			fprintf(f, "  start spread %.1f ms", fa->start_spread_s * 1e3);
		if (part)
			fprintf(f, "  PARTIAL (%s)", part);
		fputc('\n', f);
		free(g);
		free(part);
	}
}

void vb_render_table(FILE *f, const struct vb_summary *s)
{
	bool host = has_host(s);
	fprintf(f, "run %s: %s%s%s, accelerator %s%s, %s\n", s->id, s->job, storage_shown(s) ? ", storage " : "",
	        storage_shown(s) ? s->storage : "", s->accel, tcg_note(s),
	        s->fio_version ? s->fio_version : "fio version unknown");
	table_neighbours(f, s);
	for (size_t p = 0; p < s->npoints; p++) {
		if (s->npoints > 1)
			fprintf(f, "\njob point %s\n", s->points[p]);
		vb_render_mode_cell(f, s->fleet ? "host/mode" : "mode", s->fleet);
		fprintf(f, "%-5s %9s %8s %5s %11s %10s %10s %10s", "dir", "IOPS", "+-95%CI", "CV",
		        "bandwidth", "clat mean", "clat p99", "p99.9");
		if (host)
			fprintf(f, " %8s", "of host");
		fprintf(f, " %10s %11s\n", "hostCPU/IO", "guestCPU/IO");
		for (size_t i = 0; i < s->nrows; i++) {
			const struct vb_row *r = &s->rows[i];
			char bw[24], mean[24], p99[24], p999[24], ratio[16], hc[16], gc[16];
			if (!vb_row_shown(r, s->points[p]))
				continue;
			vb_fmt_bw(r->s[VB_M_BW].mean, bw, sizeof(bw));
			vb_fmt_lat(r->s[VB_M_CLAT_MEAN].mean, mean, sizeof(mean));
			vb_fmt_lat(r->pct[2], p99, sizeof(p99));
			vb_fmt_lat(r->pct[3], p999, sizeof(p999));
			vb_fmt_opt(r->ratio_host * 100, '%', ratio, sizeof(ratio));
			vb_fmt_opt(r->host_cpu_us_per_io, 'u', hc, sizeof(hc));
			vb_fmt_opt(r->guest_cpu_us_per_io, 'u', gc, sizeof(gc));
			vb_render_mode_cell(f, r->mode, s->fleet);
			fprintf(f, "%-5s %9.0f %8.0f %4.1f%% %11s %10s %10s %10s", r->dir, r->s[VB_M_IOPS].mean,
			        r->s[VB_M_IOPS].ci95, r->s[VB_M_IOPS].cv * 100, bw, mean, p99, p999);
			if (host)
				fprintf(f, " %8s", ratio);
			fprintf(f, " %10s %11s%s\n", hc, gc, r->busy ? "  BUSY" : "");
		}
		table_split(f, s, s->points[p]);
		table_busy(f, s, s->points[p]);
	}
	for (size_t i = 0; i < s->nlimits; i++) {
		char *t = vb_fmt_limit(s, &s->limits[i]);
		fprintf(f, "%s\n", t);
		free(t);
	}
	table_fairness(f, s);
	for (size_t i = 0; i < s->nmodes; i++)
		if (strcmp(s->modes[i].status, "ok") != 0)
			fprintf(f, "%-15s %s: %s\n", s->modes[i].mode, vb_mode_unavailable(&s->modes[i]) ? "UNAVAILABLE" : "FAILED",
			        s->modes[i].reason ? s->modes[i].reason : s->modes[i].status);
	for (size_t i = 0; i < s->nmodes; i++)
		if (s->modes[i].imported)
			fprintf(f, "%-15s IMPORTED, not measured by vmio-bench: %s\n", s->modes[i].mode, s->modes[i].imported);
	if (s->nrows && s->rows[0].n < 2)
		fprintf(f, "(one repetition: no confidence interval; use --reps 3 or more)\n");
}

static void csv_num(FILE *f, double v)
{
	if (isnan(v) || isinf(v))
		fputs(",", f);
	else
		fprintf(f, ",%.6g", v);
}

static void csv_str(FILE *f, const char *s)
{
	/* RFC 4180: quote when needed, double the quotes */
	if (strpbrk(s, ",\"\n")) {
		fputc('"', f);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else {
		fputs(s, f);
	}
}

/* A --vms run's columns after the others (only then: other runs' CSV
 * is as it was): the fairness of the row's point, repeated on both
 * directions. */
static void csv_fairness(FILE *f, const struct vb_fairness *fa)
{
	if (!fa) {
		fputs(",,,,,,", f);
		return;
	}
	char *g = vb_fairness_guests(fa), *part = vb_fairness_partial(fa);
	fputc(',', f);
	csv_str(f, g);
	csv_num(f, fa->jain);
	csv_num(f, fa->min_max);
	csv_num(f, fa->start_spread_s);
	fprintf(f, ",%d,", fa->partial);
	csv_str(f, part ? part : "");
	free(g);
	free(part);
}

void vb_render_csv(FILE *f, const struct vb_summary *s)
{
	bool vms = vb_summary_has_vms(s);
	fputs(s->fleet ? "run,accelerator,host,mode,point,dir,reps" : "run,accelerator,mode,point,dir,reps", f);
	for (int m = 0; m < VB_NMETRICS; m++)
		if (m != VB_M_WORST_GUEST_IOPS || vms)
			fprintf(f, ",%s_mean,%s_sd,%s_ci95,%s_cv", vb_metrics[m].name, vb_metrics[m].name, vb_metrics[m].name,
			        vb_metrics[m].name);
	for (int p = 0; p < VB_NPCT; p++)
		fprintf(f, ",clat_p%g_ns", vb_pct_levels[p]);
	fputs(",ratio_to_host,host_cpu_us_per_io,guest_cpu_us_per_io", f);
	fputs(vms ? ",guests_iops,jain,min_max,start_spread_s,partial,failed" : "", f);
	bool load = has_load(s); /* only then: runs without host_load keep their CSV */
	fputs(load ? ",host_other_cpu,busy,busy_why\n" : "\n", f);
	for (size_t i = 0; i < s->nrows; i++) {
		const struct vb_row *r = &s->rows[i];
		csv_str(f, s->id);
		fputc(',', f);
		csv_str(f, s->accel);
		fputc(',', f);
		if (s->fleet)
			fprintf(f, "%.*s,", vb_mode_host_len(r->mode), r->mode);
		csv_str(f, vb_mode_bare(r->mode));
		fputc(',', f);
		csv_str(f, r->point);
		fprintf(f, ",%s,%zu", r->dir, r->n);
		for (int m = 0; m < VB_NMETRICS; m++) {
			if (m == VB_M_WORST_GUEST_IOPS && !vms)
				continue;
			bool has = vb_row_has_metric(r, m);
			csv_num(f, has ? r->s[m].mean : NAN);
			csv_num(f, has ? r->s[m].sd : NAN);
			csv_num(f, has ? r->s[m].ci95 : NAN);
			csv_num(f, has ? r->s[m].cv : NAN);
		}
		for (int p = 0; p < VB_NPCT; p++)
			csv_num(f, r->pct[p]);
		csv_num(f, r->ratio_host);
		csv_num(f, r->host_cpu_us_per_io);
		csv_num(f, r->guest_cpu_us_per_io);
		if (vms)
			csv_fairness(f, vb_fairness_find(s, r->mode, r->point));
		if (load) {
			csv_num(f, r->has_load ? r->other_cpu : NAN);
			fprintf(f, ",%s,", r->has_load ? r->busy ? "1" : "0" : "");
			csv_str(f, r->busy_why ? r->busy_why : "");
		}
		fputc('\n', f);
	}
}

static void md_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|' || *s == '\\' || *s == '*' || *s == '_' || *s == '`' || *s == '<')
			fputc('\\', f);
		fputc(*s == '\n' ? ' ' : *s, f);
	}
}

void vb_md_escape(FILE *f, const char *s)
{
	md_text(f, s);
}

/* What summary.md says of a mode under a heading, or NULL for nothing. */
static const char *failure_note(const struct vb_mode_status *m)
{
	return strcmp(m->status, "ok") == 0 || vb_mode_unavailable(m) ? NULL : m->reason ? m->reason : m->status;
}

static const char *unavailable_note(const struct vb_mode_status *m)
{
	return vb_mode_unavailable(m) ? m->reason ? m->reason : m->status : NULL;
}

static const char *import_note(const struct vb_mode_status *m)
{
	return m->imported;
}

/* A list of the modes with a note, under its heading when there is any. */
static void md_mode_notes(FILE *f, const struct vb_summary *s, const char *heading,
                          const char *(*note)(const struct vb_mode_status *m))
{
	bool any = false;
	for (size_t i = 0; i < s->nmodes; i++) {
		const char *n = note(&s->modes[i]);
		if (!n)
			continue;
		if (!any)
			fprintf(f, "\n## %s\n\n", heading);
		any = true;
		fputs("- ", f);
		md_text(f, s->modes[i].mode);
		fputs(": ", f);
		md_text(f, n);
		fputc('\n', f);
	}
}

/* summary.md's --neighbour headline, under the run's facts. */
static void md_neighbours(FILE *f, const struct vb_summary *s)
{
	if (!s->nnb)
		return;
	fputs("\n## Neighbour headline\n\nThe measured guest with its neighbours idle, then busy (the same boots); "
	      "busy/idle with its 95% interval.\n\n| mode | points | IOPS idle | IOPS busy | IOPS busy/idle | p99 idle | "
	      "p99 busy | p99 busy/idle |\n|---|---|--:|--:|--:|--:|--:|--:|\n", f);
	for (size_t i = 0; i < s->nnb; i++) {
		const struct vb_neighbour *e = &s->nb[i];
		struct vb_nb_text t;
		vb_nb_text(e, &t);
		fputs("| ", f);
		md_text(f, e->mode);
		fputs(" | ", f);
		md_text(f, e->busy);
		fputs(" / ", f);
		md_text(f, e->idle);
		fprintf(f, " | %.0f | %.0f | %s | %s | %s | %s |\n", e->iops_idle, e->iops_busy, t.iops_ratio, t.p99_idle,
		        t.p99_busy, t.p99_ratio);
		vb_nb_text_release(&t);
	}
}

/* summary.md's fairness of a --vms run's points. */
static void md_fairness(FILE *f, const struct vb_summary *s)
{
	if (!s->nfair)
		return;
	fputs("\n## Guests\n\nvms rows: IOPS and bandwidth summed over the measured guests, clat mean weighted by IOPS; "
	      "latency percentiles of the worst guest. Each guest's IOPS are reads + writes, the mean over repetitions "
	      "(n: a neighbour); Jain's index and slowest/fastest are over the measured guests.\n\n"
	      "| mode | point | guests' IOPS | Jain | min/max | start spread | failed |\n|---|---|---|--:|--:|--:|---|\n", f);
	for (size_t i = 0; i < s->nfair; i++) {
		const struct vb_fairness *fa = &s->fair[i];
		char *g = vb_fairness_guests(fa), *part = vb_fairness_partial(fa);
		char jain[16], mm[16], sp[24];
		vb_fmt_opt(fa->jain, 'r', jain, sizeof(jain));
		vb_fmt_opt(fa->min_max, 'r', mm, sizeof(mm));
		snprintf(sp, sizeof(sp), isnan(fa->start_spread_s) ? "-" : "%.1f ms", fa->start_spread_s * 1e3);
		fputs("| ", f);
		md_text(f, fa->mode);
		fputs(" | ", f);
		md_text(f, fa->point);
		fputs(" | ", f);
		md_text(f, g);
		fprintf(f, " | %s | %s | %s | ", jain, mm, sp);
		md_text(f, part ? part : "-");
		fputs(" |\n", f);
		free(g);
		free(part);
	}
}

/* After a point's table: each mode's host CPU per I/O by thread class. */
static void md_split(FILE *f, const struct vb_summary *s, const char *point)
{
	bool any = false;
	for (size_t i = 0; i < s->nrows; i++) {
		if (!vb_row_split_first(s, i, point))
			continue;
		char *t = vb_split_text(&s->rows[i]);
		fputs(any ? "- " : "\nHost CPU per I/O by thread:\n\n- ", f);
		md_text(f, s->rows[i].mode);
		fprintf(f, ": %s\n", t);
		free(t);
		any = true;
	}
}

/* After a point's table: why each BUSY mode's figures are suspect. */
static void md_busy(FILE *f, const struct vb_summary *s, const char *point)
{
	bool any = false;
	for (size_t i = 0; i < s->nrows; i++) {
		if (!busy_first(s, i, point))
			continue;
		fputs(any ? "- " : "\nBUSY: the host was busy while these measured (their figures are suspect):\n\n- ", f);
		md_text(f, s->rows[i].mode);
		fputs(": ", f);
		md_text(f, s->rows[i].busy_why);
		fputc('\n', f);
		any = true;
	}
}

void vb_render_md(FILE *f, const struct vb_summary *s)
{
	bool host = has_host(s);
	fputs("# vmio-bench run ", f);
	md_text(f, s->id);
	fputs("\n\n- job: ", f);
	md_text(f, s->job);
	if (storage_shown(s))
		fprintf(f, "\n- storage: %s", s->storage);
	fprintf(f, "\n- accelerator: %s%s\n- fio: ", s->accel, tcg_note(s));
	md_text(f, s->fio_version ? s->fio_version : "unknown");
	fprintf(f, "\n- state: %s\n", s->state ? s->state : "unknown");
	vb_render_findings_md(f, s);
	md_neighbours(f, s);
	for (size_t p = 0; p < s->npoints; p++) {
		fputs("\n## ", f);
		md_text(f, s->npoints > 1 ? s->points[p] : "results");
		fprintf(f, "\n\n|%s mode | dir | IOPS (mean) | ±95%% CI | CV | bandwidth | clat mean | p50 | p99 | p99.9 | p99.99 |%s host CPU/IO | guest CPU/IO |\n",
		        s->fleet ? " host |" : "", host ? " of host |" : "");
		fprintf(f, "|%s---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|%s--:|--:|\n", s->fleet ? "---|" : "", host ? "--:|" : "");
		for (size_t i = 0; i < s->nrows; i++) {
			const struct vb_row *r = &s->rows[i];
			char bw[24], lat[VB_NPCT + 1][24], ratio[16], hc[16], gc[16];
			if (!vb_row_shown(r, s->points[p]))
				continue;
			vb_fmt_bw(r->s[VB_M_BW].mean, bw, sizeof(bw));
			vb_fmt_lat(r->s[VB_M_CLAT_MEAN].mean, lat[0], sizeof(lat[0]));
			for (int k = 0; k < VB_NPCT; k++)
				vb_fmt_lat(r->pct[k], lat[k + 1], sizeof(lat[k + 1]));
			vb_fmt_opt(r->ratio_host * 100, '%', ratio, sizeof(ratio));
			vb_fmt_opt(r->host_cpu_us_per_io, 'u', hc, sizeof(hc));
			vb_fmt_opt(r->guest_cpu_us_per_io, 'u', gc, sizeof(gc));
			fputs("| ", f);
			if (s->fleet)
				fprintf(f, "%.*s | ", vb_mode_host_len(r->mode), r->mode);
			md_text(f, vb_mode_bare(r->mode));
			if (r->busy)
				fputs(" (BUSY)", f);
			fprintf(f, " | %s | %.0f | %.0f | %.1f%% | %s | %s | %s | %s | %s | %s |", r->dir, r->s[VB_M_IOPS].mean,
			        r->s[VB_M_IOPS].ci95, r->s[VB_M_IOPS].cv * 100, bw, lat[0], lat[1], lat[3], lat[4], lat[5]);
			if (host)
				fprintf(f, " %s |", ratio);
			fprintf(f, " %s | %s |\n", hc, gc);
		}
		md_split(f, s, s->points[p]);
		md_busy(f, s, s->points[p]);
	}
	if (s->nlimits)
		fputs("\n## QoS limits (libvirt `<iotune>`)\n\n", f);
	for (size_t i = 0; i < s->nlimits; i++) {
		char *t = vb_fmt_limit(s, &s->limits[i]);
		fputs("- ", f);
		md_text(f, t);
		fputc('\n', f);
		free(t);
	}
	md_fairness(f, s);
	md_mode_notes(f, s, "Modes that failed", failure_note);
	md_mode_notes(f, s, "Modes unavailable on this host (dropped at probe time)", unavailable_note);
	md_mode_notes(f, s, "Imported modes (not measured by vmio-bench)", import_note);
	fputs("\nCPU per I/O: host = the guest's QEMU process (for mode host: fio itself), guest = fio inside the guest; "
	      "both per completed I/O, reads and writes together. Latency percentiles come from fio's histogram bins "
	      "merged over all repetitions.\n", f);
}
