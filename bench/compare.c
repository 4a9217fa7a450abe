/* `vmio-bench compare BASE NEW`: did NEW regress against BASE?  Per mode,
 * job point, direction and metric: the change of the mean in percent,
 * Welch's t-test over the repetitions, and a verdict:
 *   unchanged  the change is smaller than --threshold
 *   regressed  worse by more than the threshold, and significant (p < 0.05)
 *   improved   better by more than the threshold, and significant
 *   noise      beyond the threshold but not significant: more repetitions
 *              would tell
 * A mode that ran in BASE but failed or is missing in NEW counts as
 * regressed.  Exit 0 no regression, 1 regression, 2 error. */
#include "config.h"
#include "commands.h"
#include "options.h"
#include "report.h"
#include "util.h"
#include "xmlbuf.h"

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

static json_t *job_of(const struct vb_summary *s)
{
	return json_object_get(json_object_get(s->run, "job"), "points");
}

static const char *mode_status(const struct vb_summary *s, const char *mode)
{
	for (size_t i = 0; i < s->nmodes; i++)
		if (!strcmp(s->modes[i].mode, mode))
			return s->modes[i].status;
	return NULL;
}

static int parse_metrics(const char *list, bool want[VB_NMETRICS])
{
	char *copy = vb_strdup(list), *save = NULL, *tok;
	int n = 0;
	memset(want, 0, sizeof(bool) * VB_NMETRICS);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int m;
		for (m = 0; m < VB_NMETRICS && strcmp(vb_metrics[m].name, tok); m++)
			;
		if (m == VB_NMETRICS) {
			vb_error("--metric: unknown metric '%s': choose from iops, bw, clat_mean, clat_p99", tok);
			free(copy);
			return -1;
		}
		want[m] = true;
		n++;
	}
	free(copy);
	return n ? 0 : vb_error("--metric: the list is empty: e.g. --metric iops,clat_p99");
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

int vb_cmd_compare(int argc, char **argv)
{
	struct vb_config c = {0};
	struct vb_summary base = {0}, now = {0};
	char **rest = NULL;
	int nrest = 0, ret = VB_EXIT_USAGE;
	bool want[VB_NMETRICS];
	struct verdict *v = NULL;
	size_t nv = 0, regressed = 0;

	if (vb_options_parse(&c, VB_CMD_COMPARE, argc, argv, &rest, &nrest) < 0)
		goto out;
	if (c.help) {
		printf("usage: vmio-bench compare BASE NEW [options]\n"
		       "Did run NEW regress against run BASE?  Exit 0 no regression, 1 regression, 2 error.\noptions:\n");
		vb_options_help(stdout, VB_CMD_COMPARE);
		ret = VB_EXIT_OK;
		goto out;
	}
	if (nrest != 2) {
		vb_error("compare: give two run folders, BASE and NEW: see 'vmio-bench compare --help'");
		goto out;
	}
	if (parse_metrics(c.metric, want) < 0)
		goto out;
	if (vb_summary_load(rest[0], &base) < 0 || vb_summary_load(rest[1], &now) < 0)
		goto out;
	if (!c.force && !json_equal(job_of(&base), job_of(&now))) {
		vb_error("compare: runs %s and %s ran different jobs ('%s' and '%s'): compare like with like, or pass --force",
		         base.id, now.id, base.job, now.job);
		goto out;
	}
	if (!c.force && strcmp(base.accel, now.accel) != 0) {
		vb_error("compare: run %s ran under %s and run %s under %s: figures from different accelerators are not comparable (pass --force to compare anyway)",
		         base.id, base.accel, now.id, now.accel);
		goto out;
	}

	v = vb_calloc(base.nrows * VB_NMETRICS + base.nmodes + 1, sizeof(*v));
	for (size_t i = 0; i < base.nmodes; i++) {
		const char *st = mode_status(&now, base.modes[i].mode);
		if (strcmp(base.modes[i].status, "ok") == 0 && (!st || strcmp(st, "ok") != 0)) {
			v[nv++] = (struct verdict){.mode = base.modes[i].mode, .point = "-", .dir = "-", .metric = -1,
			                           .change = NAN, .p = NAN, .word = "regressed"};
			regressed++;
		}
	}
	for (size_t i = 0; i < base.nrows; i++) {
		const struct vb_row *b = &base.rows[i];
		const struct vb_row *n = vb_summary_find(&now, b->mode, b->point, b->dir);
		if (!n || !b->n || !n->n || b->s[VB_M_IOPS].mean <= 0)
			continue; /* a direction the job does not exercise, or a mode that failed */
		for (int m = 0; m < VB_NMETRICS; m++) {
			if (!want[m] || b->s[m].mean <= 0)
				continue;
			struct verdict *x = &v[nv++];
			x->base = b;
			x->new_ = n;
			x->mode = b->mode;
			x->point = b->point;
			x->dir = b->dir;
			x->metric = m;
			x->change = (n->s[m].mean - b->s[m].mean) / b->s[m].mean * 100.0;
			x->p = vb_welch_p(b->val[m], b->n, n->val[m], n->n);
			bool worse = vb_metrics[m].higher_is_better ? x->change < 0 : x->change > 0;
			if (fabs(x->change) < c.threshold)
				x->word = "unchanged";
			else if (x->p >= ALPHA)
				x->word = "noise";
			else
				x->word = worse ? "regressed" : "improved";
			regressed += !strcmp(x->word, "regressed");
		}
	}

	if (strcmp(c.output, "json") == 0) {
		json_t *a = json_array();
		for (size_t i = 0; i < nv; i++) {
			json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "mode", v[i].mode, "point", v[i].point, "dir", v[i].dir,
			                      "metric", v[i].metric >= 0 ? vb_metrics[v[i].metric].name : "status", "verdict", v[i].word);
			if (v[i].metric >= 0) {
				json_object_set_new(o, "base_mean", json_real(v[i].base->s[v[i].metric].mean));
				json_object_set_new(o, "new_mean", json_real(v[i].new_->s[v[i].metric].mean));
				json_object_set_new(o, "change_pct", json_real(v[i].change));
				json_object_set_new(o, "p_value", json_real(v[i].p));
			}
			json_array_append_new(a, o);
		}
		json_t *doc = json_pack("{s:s, s:s, s:f, s:f, s:b, s:o}", "base", base.id, "new", now.id, "threshold_pct", c.threshold,
		                        "alpha", ALPHA, "regression", regressed > 0, "comparisons", a);
		char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		puts(s);
		free(s);
		json_decref(doc);
	} else {
		printf("compare %s -> %s (%s, %s), threshold %.1f%%, Welch's t-test at p < %.2f\n", base.id, now.id, base.job,
		       base.accel, c.threshold, ALPHA);
		printf("%-15s %-20s %-5s %-9s %12s %12s %8s %8s  %s\n", "mode", "point", "dir", "metric", "base", "new", "change", "p",
		       "verdict");
		for (size_t i = 0; i < nv; i++) {
			if (v[i].metric < 0) {
				printf("%-15s %-20s %-5s %-9s %12s %12s %8s %8s  %s (ran in base, not in new)\n", v[i].mode, "-", "-", "status",
				       "ok", "failed", "", "", v[i].word);
				continue;
			}
			printf("%-15s %-20s %-5s %-9s %12.6g %12.6g %+7.1f%% %8.3g  %s\n", v[i].mode, v[i].point, v[i].dir,
			       vb_metrics[v[i].metric].name, v[i].base->s[v[i].metric].mean, v[i].new_->s[v[i].metric].mean, v[i].change,
			       v[i].p, v[i].word);
		}
		printf("%s\n", regressed ? "REGRESSION" : "no regression");
	}
	if (c.junit)
		junit(c.junit, v, nv, base.id, now.id);
	ret = regressed ? VB_EXIT_FAIL : VB_EXIT_OK;
out:
	free(v);
	vb_summary_release(&base);
	vb_summary_release(&now);
	if (nrest)
		free(rest);
	vb_config_release(&c);
	return ret;
}
