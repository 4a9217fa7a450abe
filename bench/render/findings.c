/* The findings (summary/findings.h) in words, for every sink: the lines
 * after the terminal's table, summary.md's section, summary.json's
 * "findings" (each statement's numbers and its sentence) and the top of
 * report.html.  A sentence is plain text; each sink escapes it whole
 * (mode names are checked words, but point labels, host names and
 * reasons come from the results folder). */
#include "config.h"
#include "render/render.h"
#include "summary/findings.h"
#include "core/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int vb_ratio_decimals(double r)
{
	return r >= 100 ? 0 : r >= 1.5 ? 1 : 2;
}

void vb_fmt_q(double q, char *out, size_t n)
{
	if (q < 0.001)
		snprintf(out, n, "q < 0.001");
	else
		snprintf(out, n, q < 0.01 ? "q %.1g" : "q %.2g", q);
}

static void q_text(struct vb_buf *b, double q)
{
	char t[24];
	vb_fmt_q(q, t, sizeof(t));
	vb_buf_adds(b, t);
}

/* "3 repetitions each", "1 repetition each", "3 and 2 repetitions" */
static void reps_text(struct vb_buf *b, size_t n, size_t m)
{
	if (n == m)
		vb_buf_addf(b, "%zu repetition%s each", n, n == 1 ? "" : "s");
	else
		vb_buf_addf(b, "%zu and %zu repetitions", n, m);
}

static void name(struct vb_buf *b, const char *mode, bool imported)
{
	vb_buf_addf(b, "%s%s", mode, imported ? " (imported)" : "");
}

static const char *metric_text(enum vb_headline h)
{
	return h == VB_HEADLINE_READ ? "read IOPS" : h == VB_HEADLINE_WRITE ? "write IOPS" : "IOPS (reads + writes)";
}

static void rank_text(struct vb_buf *b, const struct vb_finding *f)
{
	vb_buf_addf(b, "ranked by %s, best first: ", metric_text(f->headline));
	for (size_t i = 0; i < f->nranked; i++) {
		vb_buf_adds(b, i ? ", " : "");
		name(b, f->ranked[i].mode, f->ranked[i].imported);
		vb_buf_addf(b, " %.0f", f->ranked[i].mean);
	}
}

/* "virtio-blk reads 3.2× sata", "... does 3.2× the IOPS of sata" */
static void ratio_claim(struct vb_buf *b, const struct vb_finding *f)
{
	static const char *const verb[] = {[VB_HEADLINE_READ] = "reads", [VB_HEADLINE_WRITE] = "writes",
	                                   [VB_HEADLINE_TOTAL] = "does"};
	name(b, f->mode, f->imported);
	vb_buf_addf(b, " %s %.*f× ", verb[f->headline], vb_ratio_decimals(f->value), f->value);
	vb_buf_adds(b, f->headline == VB_HEADLINE_TOTAL ? "the IOPS of " : "");
	name(b, f->other, f->other_imported);
}

static void step_text(struct vb_buf *b, const struct vb_finding *f)
{
	int d = vb_ratio_decimals(f->value);
	if (isnan(f->value)) {
		vb_buf_addf(b, "%s and %s: no ratio, %s measured no I/O", f->mode, f->other, f->other);
		return;
	}
	if (!isnan(f->q) && !f->significant) {
		vb_buf_addf(b, "%s and %s: no difference this run can show (", f->mode, f->other);
		q_text(b, f->q);
		vb_buf_adds(b, ", ");
		reps_text(b, f->n, f->n_other);
		vb_buf_adds(b, ")");
		return;
	}
	ratio_claim(b, f);
	if (!isnan(f->q)) {
		vb_buf_addf(b, " (%.*f–%.*f×, ", d, f->lo, d, f->hi);
		q_text(b, f->q);
		vb_buf_adds(b, ")");
	} else if (f->n < 2 || f->n_other < 2) {
		vb_buf_adds(b, ", from ");
		reps_text(b, f->n, f->n_other);
		vb_buf_adds(b, ": no interval and no test (run --reps 3 or more)");
	} else {
		vb_buf_adds(b, ": a repetition measured no I/O, so no test");
	}
}

static void share_text(struct vb_buf *b, const struct vb_finding *f)
{
	double v = f->value * 100;
	int d = v < 10 ? 1 : 0;
	name(b, f->mode, f->imported);
	vb_buf_addf(b, " reaches %.*f%% of %s", d, v, f->other);
	if (isnan(f->lo))
		vb_buf_adds(b, " (1 repetition: no interval)");
	else
		vb_buf_addf(b, " (%.*f–%.*f%%)", d, f->lo * 100, d, f->hi * 100);
}

static void spread_text(struct vb_buf *b, const struct vb_finding *f)
{
	vb_buf_addf(b, "%s's %s vary by %.0f%% between repetitions (CV), which makes its figures weak: ", f->mode,
	            metric_text(f->headline), f->value * 100);
	if (!f->reps_needed) {
		vb_buf_addf(b, "--reps auto could not bring its 95%% interval within ±%g%% in a million repetitions",
		            f->ci_target);
		return;
	}
	vb_buf_addf(b, "--reps auto would need %lu repetitions to bring its 95%% interval within ±%g%%", f->reps_needed,
	            f->ci_target);
	if (f->reps_needed > f->max_reps)
		vb_buf_addf(b, " (it stops at --max-reps %u)", f->max_reps);
}

static void not_ranked_text(struct vb_buf *b, const struct vb_finding *f)
{
	const char *why = f->reason ? f->reason : "no reason recorded";
	if (!strcmp(f->mode, "-"))
		vb_buf_addf(b, "no results from this host: %s", why);
	else if (!strcmp(f->status, "failed"))
		vb_buf_addf(b, "%s failed and is not ranked: %s", f->mode, why);
	else if (!strcmp(f->status, "unavailable"))
		vb_buf_addf(b, "%s was unavailable on this host and is not ranked: %s", f->mode, why);
	else if (!strcmp(f->status, "not run"))
		vb_buf_addf(b, "%s was not run and is not ranked", f->mode);
	else
		vb_buf_addf(b, "%s is not ranked (its status: %s)", f->mode, f->status);
}

static void busy_text(struct vb_buf *b, const struct vb_finding *f)
{
	vb_buf_addf(b, "%s was measured while the host was busy: %s; its figures may be low: measure it again on a quiet host",
	            f->mode, f->reason ? f->reason : "no reason recorded");
}

char *vb_finding_text(const struct vb_findings *fs, const struct vb_finding *f)
{
	struct vb_buf b = {0};
	if (fs->scoped && (f->host || f->point)) {
		if (f->host)
			vb_buf_addf(&b, "on %s", f->host);
		if (f->point)
			vb_buf_addf(&b, "%sat %s", f->host ? " " : "", f->point);
		vb_buf_adds(&b, ": ");
	}
	switch (f->kind) {
	case VB_FINDING_RANK:
		rank_text(&b, f);
		break;
	case VB_FINDING_STEP:
		step_text(&b, f);
		break;
	case VB_FINDING_SHARE:
		share_text(&b, f);
		break;
	case VB_FINDING_SPREAD:
		spread_text(&b, f);
		break;
	case VB_FINDING_NOT_RANKED:
		not_ranked_text(&b, f);
		break;
	case VB_FINDING_BUSY:
		busy_text(&b, f);
		break;
	}
	return vb_buf_release(&b);
}

char *vb_findings_method(const struct vb_findings *fs)
{
	if (!fs->ntests)
		return vb_strdup("ranked by mean IOPS over the repetitions");
	return vb_asprintf("ranked by mean IOPS over the repetitions; each step: the ratio of geometric means, its 95%% "
	                   "interval and Welch's t-test on log IOPS, q by Benjamini-Hochberg over the run's %zu test%s; "
	                   "a difference counts at q < %.2g",
	                   fs->ntests, fs->ntests == 1 ? "" : "s", VB_FINDINGS_ALPHA);
}

void vb_render_findings(FILE *out, const struct vb_summary *s)
{
	const struct vb_findings *fs = s->findings;
	if (!fs || !fs->n)
		return;
	fputs("\nfindings:\n", out);
	for (size_t i = 0; i < fs->n; i++) {
		char *t = vb_finding_text(fs, &fs->f[i]);
		fprintf(out, "  - %s\n", t);
		free(t);
	}
	char *m = vb_findings_method(fs);
	fprintf(out, "  (%s)\n", m);
	free(m);
}

void vb_render_findings_md(FILE *out, const struct vb_summary *s)
{
	const struct vb_findings *fs = s->findings;
	if (!fs || !fs->n)
		return;
	fputs("\n## Findings\n\n", out);
	for (size_t i = 0; i < fs->n; i++) {
		char *t = vb_finding_text(fs, &fs->f[i]);
		fputs("- ", out);
		vb_md_escape(out, t);
		fputc('\n', out);
		free(t);
	}
	char *m = vb_findings_method(fs);
	fprintf(out, "\n(%s)\n", m);
	free(m);
}

void vb_render_findings_html(struct vb_buf *b, const struct vb_summary *s)
{
	const struct vb_findings *fs = s->findings;
	if (!fs || !fs->n)
		return;
	vb_buf_adds(b, "<h2 id='findings'>Findings</h2>\n<ul class='findings'>\n");
	for (size_t i = 0; i < fs->n; i++) {
		const struct vb_finding *f = &fs->f[i];
		char *t = vb_finding_text(fs, f);
		bool weak = f->kind == VB_FINDING_SPREAD || f->kind == VB_FINDING_NOT_RANKED || f->kind == VB_FINDING_BUSY;
		vb_buf_adds(b, f->significant ? "<li class='diff'>" : weak ? "<li class='weak'>" : "<li>");
		vb_xml_escape(b, t);
		vb_buf_adds(b, "</li>\n");
		free(t);
	}
	char *m = vb_findings_method(fs);
	vb_buf_adds(b, "</ul>\n<p class='method'>(");
	vb_xml_escape(b, m);
	vb_buf_adds(b, ")</p>\n");
	free(m);
}

static json_t *num(double v)
{
	return isnan(v) || isinf(v) ? json_null() : json_real(v);
}

static const char *const kind_name[] = {
	[VB_FINDING_RANK] = "rank", [VB_FINDING_STEP] = "step", [VB_FINDING_SHARE] = "share",
	[VB_FINDING_SPREAD] = "spread", [VB_FINDING_NOT_RANKED] = "not_ranked", [VB_FINDING_BUSY] = "busy",
};
static const char *const headline_name[] = {
	[VB_HEADLINE_READ] = "read_iops", [VB_HEADLINE_WRITE] = "write_iops", [VB_HEADLINE_TOTAL] = "total_iops",
};

/* The numbers of one statement beside its kind's keys. */
static void finding_numbers(json_t *o, const struct vb_finding *f)
{
	json_t *ranked = json_array();
	switch (f->kind) {
	case VB_FINDING_RANK:
		for (size_t i = 0; i < f->nranked; i++)
			json_array_append_new(ranked, json_pack("{s:s, s:o, s:i, s:b}", "mode", f->ranked[i].mode, "iops",
			                                        num(f->ranked[i].mean), "reps", (int)f->ranked[i].n,
			                                        "imported", f->ranked[i].imported));
		json_object_set(o, "ranking", ranked);
		break;
	case VB_FINDING_STEP:
		json_object_set_new(o, "ratio", num(f->value));
		json_object_set_new(o, "ci95", json_pack("[o, o]", num(f->lo), num(f->hi)));
		json_object_set_new(o, "p", num(f->p));
		json_object_set_new(o, "q", num(f->q));
		json_object_set_new(o, "significant", json_boolean(f->significant));
		json_object_set_new(o, "iops", json_pack("[o, o]", num(f->mean), num(f->mean_other)));
		json_object_set_new(o, "reps", json_pack("[i, i]", (int)f->n, (int)f->n_other));
		break;
	case VB_FINDING_SHARE:
		json_object_set_new(o, "share", num(f->value));
		json_object_set_new(o, "ci95", json_pack("[o, o]", num(f->lo), num(f->hi)));
		json_object_set_new(o, "iops", json_pack("[o, o]", num(f->mean), num(f->mean_other)));
		json_object_set_new(o, "reps", json_pack("[i, i]", (int)f->n, (int)f->n_other));
		break;
	case VB_FINDING_SPREAD:
		json_object_set_new(o, "cv", num(f->value));
		json_object_set_new(o, "reps", json_integer((json_int_t)f->n));
		json_object_set_new(o, "reps_auto_needs", f->reps_needed ? json_integer((json_int_t)f->reps_needed) : json_null());
		json_object_set_new(o, "ci_target_pct", num(f->ci_target));
		json_object_set_new(o, "max_reps", json_integer(f->max_reps));
		break;
	case VB_FINDING_NOT_RANKED:
		json_object_set_new(o, "status", json_string(f->status));
		json_object_set_new(o, "reason", f->reason ? json_string(f->reason) : json_null());
		break;
	case VB_FINDING_BUSY:
		json_object_set_new(o, "other_cpu", num(f->value));
		json_object_set_new(o, "why", f->reason ? json_string(f->reason) : json_null());
		break;
	}
	json_decref(ranked);
}

json_t *vb_findings_json(const struct vb_summary *s)
{
	const struct vb_findings *fs = s->findings;
	json_t *a = json_array();
	for (size_t i = 0; fs && i < fs->n; i++) {
		const struct vb_finding *f = &fs->f[i];
		json_t *o = json_pack("{s:s}", "kind", kind_name[f->kind]);
		if (f->host)
			json_object_set_new(o, "host", json_string(f->host));
		if (f->point)
			json_object_set_new(o, "point", json_string(f->point));
		if (f->kind != VB_FINDING_NOT_RANKED)
			json_object_set_new(o, "metric", json_string(headline_name[f->headline]));
		if (f->mode)
			json_object_set_new(o, "mode", json_string(f->mode));
		if (f->other)
			json_object_set_new(o, "other", json_string(f->other));
		finding_numbers(o, f);
		char *t = vb_finding_text(fs, f);
		json_object_set_new(o, "text", json_string(t));
		free(t);
		json_array_append_new(a, o);
	}
	return a;
}
