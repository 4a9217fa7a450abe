/* `vmio-bench compare BASE NEW`: did NEW regress against BASE?  Per mode,
 * job point, direction and metric: the change of the mean in percent,
 * Welch's t-test over the repetitions, and a verdict:
 *   unchanged  the change is smaller than --threshold
 *   regressed  worse by more than the threshold, and significant (p < 0.05)
 *   improved   better by more than the threshold, and significant
 *   noise      beyond the threshold but not significant: more repetitions
 *              would tell
 * A --vms point is judged on its aggregate (the row's IOPS) and on its
 * slowest guest (worst_guest_iops): one guest's loss hidden in an
 * unchanged sum is a regression too.
 * A mode that ran in BASE but failed or is missing in NEW counts as
 * regressed.  Runs that differ in what defines the measurement -- job,
 * tuning, accelerator, machine (host name, CPU model) -- are refused (each
 * difference named) unless --force, and so are runs with a single
 * repetition on a side (nothing could be judged).  Versions of what is
 * under test (QEMU, libvirt, kernels, fio) may differ: "before and after
 * an upgrade" is what compare is for; the changes are printed.  Latency
 * percentiles are read off merged bins.  Exit 0 no regression, 1
 * regression, 2 error or refusal. */
#include "config.h"
#include "commands.h"
#include "summary/history.h"
#include "core/options.h"
#include "summary/summary.h"
#include "render/render.h"
#include "core/util.h"
#include "guest/xmlbuf.h"
#include "summary/runrec.h"
#include "core/envrec.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ALPHA 0.05

struct verdict {
	const struct vb_row *base, *new_;
	const char *mode, *point, *dir;
	int metric;
	double change, p;
	const char *word;
};

static const char *mode_status(const struct vb_summary *s, const char *mode)
{
	for (size_t i = 0; i < s->nmodes; i++)
		if (!strcmp(s->modes[i].mode, mode))
			return s->modes[i].status;
	return NULL;
}

/* The figure compared: the mean over repetitions, except for latency
 * percentiles, which are read off the bins merged over the repetitions
 * (as in the tables); the test's spread still comes from the
 * per-repetition values. */
static double value(const struct vb_row *r, int m)
{
	return m == VB_M_CLAT_P99 ? r->pct[2] : r->s[m].mean;
}

/* Runs that measured different things are refused, each difference named. */
static int differences(const struct vb_summary *a, const struct vb_summary *b)
{
	int n = vb_runs_differ(a, b, true, "compare");
	if (n)
		vb_error("compare: %d difference%s between runs %s and %s: their figures are not comparable (pass --force to compare anyway)",
		         n, n == 1 ? "" : "s", a->id, b->id);
	return n;
}

/* Welch's test needs a spread on each side: with one repetition it can
 * only ever say "noise", which would pass anything. */
static bool too_few_reps(const struct vb_summary *a, const struct vb_summary *b)
{
	const struct vb_summary *side[2] = {a, b};
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < side[k]->nrows; i++) {
			const struct vb_row *r = &side[k]->rows[i];
			if (r->n == 1) {
				vb_error("compare: run %s has 1 repetition of mode '%s': a verdict needs at least 2 per side (3 or more are better): rerun with --reps 3",
				         side[k]->id, r->mode);
				return true;
			}
		}
	}
	return false;
}

static void junit(const char *path, struct verdict *v, size_t n, const char *base_id, const char *new_id)
{
	struct vb_buf b = {0};
	size_t failures = 0;
	for (size_t i = 0; i < n; i++)
		failures += !strcmp(v[i].word, "regressed");
	vb_buf_addf(&b, "<?xml version='1.0' encoding='UTF-8'?>\n<testsuite name='vmio-bench compare' tests='%zu' failures='%zu'>\n", n,
	            failures);
	for (size_t i = 0; i < n; i++) {
		vb_buf_adds(&b, "  <testcase classname='");
		vb_xml_escape(&b, v[i].mode);
		vb_buf_adds(&b, "' name='");
		char *name = vb_asprintf("%s %s %s", v[i].point, v[i].dir, v[i].metric >= 0 ? vb_metrics[v[i].metric].name : "status");
		vb_xml_escape(&b, name);
		free(name);
		vb_buf_adds(&b, "'>");
		if (!strcmp(v[i].word, "regressed")) {
			char *msg = v[i].metric >= 0
			                ? vb_asprintf("%s regressed by %.1f%% (p=%.3g) from run %s to run %s", vb_metrics[v[i].metric].name,
			                              fabs(v[i].change), v[i].p, base_id, new_id)
			                : vb_asprintf("the mode ran in %s but not in %s", base_id, new_id);
			vb_buf_adds(&b, "<failure message='");
			vb_xml_escape(&b, msg);
			vb_buf_adds(&b, "'/>");
			free(msg);
		}
		vb_buf_adds(&b, "</testcase>\n");
	}
	vb_buf_adds(&b, "</testsuite>\n");
	vb_write_file_atomic(path, b.s, b.len);
	vb_buf_free(&b);
}

/* Judge one metric of one row: change, Welch's p, verdict. */
static void judge(struct verdict *x, const struct vb_row *b, const struct vb_row *n, int m, double threshold)
{
	*x = (struct verdict){.base = b, .new_ = n, .mode = b->mode, .point = b->point, .dir = b->dir, .metric = m};
	x->change = (value(n, m) - value(b, m)) / value(b, m) * 100.0;
	x->p = vb_welch_p(b->val[m], b->n, n->val[m], n->n);
	bool worse = vb_metrics[m].higher_is_better ? x->change < 0 : x->change > 0;
	if (fabs(x->change) < threshold)
		x->word = "unchanged";
	else if (x->p >= ALPHA)
		x->word = "noise";
	else
		x->word = worse ? "regressed" : "improved";
}

/* Every verdict: modes that stopped running, then each row and metric.
 * Returns the verdicts (caller frees) and their number in *nv. */
static struct verdict *judge_all(const struct vb_summary *base, const struct vb_summary *now, const bool want[VB_NMETRICS],
                                 double threshold, size_t *nv)
{
	struct verdict *v = vb_calloc(base->nrows * VB_NMETRICS + base->nmodes + 1, sizeof(*v));
	size_t k = 0;
	for (size_t i = 0; i < base->nmodes; i++) {
		const char *st = mode_status(now, base->modes[i].mode);
		if (strcmp(base->modes[i].status, "ok") == 0 && (!st || strcmp(st, "ok") != 0))
			v[k++] = (struct verdict){.mode = base->modes[i].mode, .point = "-", .dir = "-", .metric = -1,
			                          .change = NAN, .p = NAN, .word = "regressed"};
	}
	for (size_t i = 0; i < base->nrows; i++) {
		const struct vb_row *b = &base->rows[i];
		const struct vb_row *n = vb_summary_find(now, b->mode, b->point, b->dir);
		if (!n || !b->n || !n->n || b->s[VB_M_IOPS].mean <= 0)
			continue; /* a direction the job does not exercise, or a mode that failed */
		for (int m = 0; m < VB_NMETRICS; m++)
			if (want[m] && vb_row_has_metric(b, m) && vb_row_has_metric(n, m) && value(b, m) > 0 && value(n, m) >= 0)
				judge(&v[k++], b, n, m, threshold);
	}
	*nv = k;
	return v;
}

/* What is under test that changed from BASE to NEW (a new array). */
static json_t *changes_of(const struct vb_summary *base, const struct vb_summary *now)
{
	const struct vb_summary *before[1] = {base};
	json_t *c = vb_version_changes(before, 1, now), *e;
	size_t i;
	json_array_foreach(c, i, e) {
		char *t = vb_version_change_text(e);
		json_object_set_new(e, "text", json_string(t));
		free(t);
	}
	return c;
}

/* ---- the two hosts' environments, side by side (issue 28) ---------------- */

/* One run's host.env as rows; has false when the run recorded none. */
struct env_side {
	bool has;
	struct vb_env_row *rows;
	size_t n;
};

static void env_side_load(const struct vb_summary *s, struct env_side *side)
{
	struct vb_env e;
	*side = (struct env_side){.has = vb_runrec_host_env(s->run, &e)};
	if (side->has)
		side->n = vb_env_rows(&e, &side->rows);
	vb_env_release(&e);
}

/* The side's row of that label, or NULL. */
static const struct vb_env_row *env_row(const struct env_side *side, const char *label)
{
	for (size_t i = 0; i < side->n; i++)
		if (strcmp(side->rows[i].label, label) == 0)
			return &side->rows[i];
	return NULL;
}

/* The row's value on a side: NULL when unknown or that side has no such row. */
static const char *env_value(const struct env_side *side, const char *label)
{
	const struct vb_env_row *r = env_row(side, label);
	return r ? r->value : NULL;
}

/* Every label of either side, base's order first (borrowed). */
static const char **env_labels(const struct env_side sides[2], size_t *n)
{
	const char **l = vb_calloc(sides[0].n + sides[1].n + 1, sizeof(char *));
	*n = 0;
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < sides[k].n; i++)
			if (k == 0 || !env_row(&sides[0], sides[k].rows[i].label))
				l[(*n)++] = sides[k].rows[i].label;
	return l;
}

/* A row differs when both runs recorded an environment and the row's
 * values are not the same (a row one side lacks is "-" there). */
static bool env_differs(const struct env_side sides[2], const char *label)
{
	const char *a = env_value(&sides[0], label), *b = env_value(&sides[1], label);
	return sides[0].has && sides[1].has && strcmp(a ? a : "-", b ? b : "-") != 0;
}

static void env_sides_free(struct env_side sides[2])
{
	for (int k = 0; k < 2; k++)
		vb_env_rows_free(sides[k].rows, sides[k].n);
}

#define ENV_COL 34

static const char *env_cell(const struct env_side *side, const char *label)
{
	const char *v = env_value(side, label);
	return !side->has ? "" : v ? v : "-";
}

/* After the verdicts: the rows, '*' where they differ; a value too wide
 * for its column goes on lines of its own below the row ("both:" when
 * the sides agree). */
static void print_env(const struct vb_summary *base, const struct vb_summary *now)
{
	struct env_side sides[2];
	env_side_load(base, &sides[0]);
	env_side_load(now, &sides[1]);
	size_t n, ndiff = 0, lw = 20;
	const char **labels = env_labels(sides, &n);
	for (size_t i = 0; i < n; i++)
		lw = strlen(labels[i]) > lw ? strlen(labels[i]) : lw;
	char *head[2];
	for (int k = 0; k < 2; k++)
		head[k] = vb_asprintf("%s %s%s", k ? "new" : "base", (k ? now : base)->id, sides[k].has ? "" : ": not recorded");
	if (n)
		printf("\n  %-*s %-*s %s\n", (int)lw, "host environment", ENV_COL, head[0], head[1]);
	for (size_t i = 0; i < n; i++) {
		bool d = env_differs(sides, labels[i]);
		const char *a = env_cell(&sides[0], labels[i]), *b = env_cell(&sides[1], labels[i]);
		ndiff += d;
		if (strlen(a) <= ENV_COL && strlen(b) <= ENV_COL) {
			printf("%c %-*s %-*s %s\n", d ? '*' : ' ', (int)lw, labels[i], ENV_COL, a, b);
			continue;
		}
		printf("%c %s\n", d ? '*' : ' ', labels[i]);
		if (sides[0].has && sides[1].has && !d) {
			printf("      both: %s\n", a);
			continue;
		}
		for (int k = 0; k < 2; k++)
			if (sides[k].has)
				printf("      %-5s %s\n", k ? "new:" : "base:", k ? b : a);
	}
	if (!sides[0].has || !sides[1].has)
		printf("host environment: %s (recorded from results schema 3 on): no difference can be shown\n",
		       !sides[0].has && !sides[1].has ? "recorded by neither run" : "recorded by one run only");
	else
		printf("host environment: %zu row%s differ%s%s\n", ndiff, ndiff == 1 ? "" : "s", ndiff == 1 ? "s" : "",
		       ndiff ? " (marked *)" : "");
	free(head[0]);
	free(head[1]);
	free(labels);
	env_sides_free(sides);
}

/* The same for --format json: {"base_recorded", "new_recorded", "rows":
 * [{"what", "base", "new", "differs"}]}, a value null where unknown. */
static json_t *env_json(const struct vb_summary *base, const struct vb_summary *now)
{
	struct env_side sides[2];
	env_side_load(base, &sides[0]);
	env_side_load(now, &sides[1]);
	size_t n;
	const char **labels = env_labels(sides, &n);
	json_t *rows = json_array();
	for (size_t i = 0; i < n; i++) {
		const char *a = env_value(&sides[0], labels[i]), *b = env_value(&sides[1], labels[i]);
		json_array_append_new(rows, json_pack("{s:s, s:s?, s:s?, s:b}", "what", labels[i], "base", a, "new", b,
		                                      "differs", env_differs(sides, labels[i])));
	}
	json_t *o = json_pack("{s:b, s:b, s:o}", "base_recorded", sides[0].has, "new_recorded", sides[1].has, "rows", rows);
	free(labels);
	env_sides_free(sides);
	return o;
}

static void print_json(const struct vb_summary *base, const struct vb_summary *now, const struct verdict *v, size_t nv,
                       double threshold, size_t regressed)
{
	json_t *a = json_array();
	for (size_t i = 0; i < nv; i++) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "mode", v[i].mode, "point", v[i].point, "dir", v[i].dir,
		                      "metric", v[i].metric >= 0 ? vb_metrics[v[i].metric].name : "status", "verdict", v[i].word);
		if (v[i].metric >= 0) {
			json_object_set_new(o, "base", json_real(value(v[i].base, v[i].metric)));
			json_object_set_new(o, "new", json_real(value(v[i].new_, v[i].metric)));
			json_object_set_new(o, "change_pct", json_real(v[i].change));
			json_object_set_new(o, "p_value", json_real(v[i].p));
		}
		json_array_append_new(a, o);
	}
	json_t *doc = json_pack("{s:s, s:s, s:f, s:f, s:b, s:o, s:o}", "base", base->id, "new", now->id, "threshold_pct",
	                        threshold, "alpha", ALPHA, "regression", regressed > 0, "version_changes",
	                        changes_of(base, now), "comparisons", a);
	json_object_set_new(doc, "host_env", env_json(base, now));
	char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	puts(s);
	free(s);
	json_decref(doc);
}

static void print_text(const struct vb_summary *base, const struct vb_summary *now, const struct verdict *v, size_t nv,
                       double threshold, size_t regressed)
{
	printf("compare %s -> %s (%s, %s), threshold %.1f%%, Welch's t-test at p < %.2f\n", base->id, now->id, base->job,
	       base->accel, threshold, ALPHA);
	json_t *changes = changes_of(base, now), *c;
	size_t ci;
	json_array_foreach(changes, ci, c)
		printf("under test, changed: %s\n", json_string_value(json_object_get(c, "text")));
	json_decref(changes);
	bool fleet = base->fleet || now->fleet;
	int mw = 9; /* the metric column: wider only when worst_guest_iops is in it */
	for (size_t i = 0; i < nv; i++)
		if (v[i].metric >= 0 && (int)strlen(vb_metrics[v[i].metric].name) > mw)
			mw = (int)strlen(vb_metrics[v[i].metric].name);
	vb_render_mode_cell(stdout, fleet ? "host/mode" : "mode", fleet);
	printf("%-20s %-5s %-*s %12s %12s %8s %8s  %s\n", "point", "dir", mw, "metric", "base", "new", "change", "p", "verdict");
	for (size_t i = 0; i < nv; i++) {
		vb_render_mode_cell(stdout, v[i].mode, fleet);
		if (v[i].metric < 0) {
			const char *st = mode_status(now, v[i].mode);
			printf("%-20s %-5s %-*s %12s %12s %8s %8s  %s (ran in base, not in new)\n", "-", "-", mw, "status",
			       "ok", st ? st : "missing", "", "", v[i].word);
			continue;
		}
		printf("%-20s %-5s %-*s %12.6g %12.6g %+7.1f%% %8.3g  %s\n", v[i].point, v[i].dir, mw,
		       vb_metrics[v[i].metric].name, value(v[i].base, v[i].metric), value(v[i].new_, v[i].metric), v[i].change,
		       v[i].p, v[i].word);
	}
	printf("%s\n", regressed ? "REGRESSION" : "no regression");
	print_env(base, now);
}

static int vb_cmd_compare(struct vb_config *c, int nrest, char **rest)
{
	struct vb_summary base = {0}, now = {0};
	int ret = VB_EXIT_USAGE;
	bool want[VB_NMETRICS];
	struct verdict *v = NULL;
	size_t nv = 0, regressed = 0;

	if (nrest != 2) {
		vb_error("compare: give two run folders, BASE and NEW: see 'vmio-bench compare --help'");
		goto out;
	}
	if (vb_metrics_parse(c->metric, want) < 0)
		goto out;
	if (vb_summary_load(rest[0], &base) < 0 || vb_summary_load(rest[1], &now) < 0)
		goto out;
	if (!c->force && differences(&base, &now) > 0)
		goto out;
	if (too_few_reps(&base, &now))
		goto out;
	vb_vms_warn_partial(&base);
	vb_vms_warn_partial(&now);
	v = judge_all(&base, &now, want, c->threshold, &nv);
	for (size_t i = 0; i < nv; i++)
		regressed += !strcmp(v[i].word, "regressed");
	if (strcmp(c->output, "json") == 0)
		print_json(&base, &now, v, nv, c->threshold, regressed);
	else
		print_text(&base, &now, v, nv, c->threshold, regressed);
	if (c->junit)
		junit(c->junit, v, nv, base.id, now.id);
	ret = regressed ? VB_EXIT_FAIL : VB_EXIT_OK;
out:
	free(v);
	vb_summary_release(&base);
	vb_summary_release(&now);
	return ret;
}

const struct vb_command vb_command_compare = {
	.name = "compare", .args = true, .fn = vb_cmd_compare,
	.synopsis = "compare BASE NEW [options]",
	.summary = "compare two runs: exit 1 when NEW regressed against BASE beyond noise",
	.help = "Did run NEW regress against run BASE?  Exit 0 no regression, 1 regression, 2 error.\n",
};
