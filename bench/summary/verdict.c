#include "config.h"
#include "summary/verdict.h"
#include "summary/rank.h"
#include "core/util.h"

#include <math.h>
#include <stdlib.h>

const char *const vb_verdict_names[4] = {"pass", "improved", "inconclusive", "regressed"};

static double *logs(const double *v, size_t n)
{
	double *l = vb_calloc(n ? n : 1, sizeof(double));
	for (size_t i = 0; i < n; i++)
		l[i] = log(v[i] > 0 ? v[i] : 1e-300);
	return l;
}

void vb_test_measure(struct vb_test *t, const struct vb_gate_rule *rule)
{
	t->med_hist = vb_median(t->hist, t->nh);
	t->med_now = vb_median(t->now, t->nn);
	t->change_pct = t->med_hist > 0 ? (t->med_now - t->med_hist) / t->med_hist * 100.0 : NAN;
	t->spread_pct = t->med_hist > 0 ? vb_mad(t->hist, t->nh) / t->med_hist * 100.0 : NAN;
	t->p = NAN;
	t->exact = false;
	t->lo_pct = -INFINITY;
	t->hi_pct = INFINITY;
	if (rule->threshold_only || !t->nh || !t->nn)
		return;
	struct vb_mwu u;
	vb_mwu_test(t->hist, t->nh, t->now, t->nn, &u);
	t->p = u.p;
	t->exact = u.exact;
	/* a change in percent is a shift of the logarithms */
	double *lh = logs(t->hist, t->nh), *ln = logs(t->now, t->nn), est, lo, hi;
	vb_shift_interval(lh, t->nh, ln, t->nn, 0.95, &est, &lo, &hi);
	t->lo_pct = isfinite(lo) ? (exp(lo) - 1.0) * 100.0 : -INFINITY;
	t->hi_pct = isfinite(hi) ? (exp(hi) - 1.0) * 100.0 : INFINITY;
	free(lh);
	free(ln);
}

static void decide(struct vb_test *t, const struct vb_gate_rule *rule)
{
	double c = t->change_pct;
	if (!isfinite(c)) {
		t->verdict = VB_INCONCLUSIVE;
		t->why = "no median to compare";
		return;
	}
	bool worse = t->higher_is_better ? c < 0 : c > 0;
	bool big = fabs(c) > t->gate_pct;
	if (rule->threshold_only) {
		t->verdict = !big ? VB_PASS : worse ? VB_REGRESSED : VB_IMPROVED;
		t->why = !big ? "within the threshold (threshold only: no accepted history)"
		              : "beyond the threshold (threshold only: no accepted history)";
		return;
	}
	bool sig = t->q < rule->fdr;
	if (big && sig) {
		t->verdict = worse ? VB_REGRESSED : VB_IMPROVED;
		t->why = "beyond the gate and significant";
	} else if (big && worse) {
		t->verdict = VB_INCONCLUSIVE;
		t->why = "worse beyond the gate but not significant";
	} else if (worse && rule->rerun_follows && t->p < VB_RERUN_P) {
		t->verdict = VB_INCONCLUSIVE;
		t->why = "worse with a small p: worth more repetitions";
	} else {
		t->verdict = VB_PASS;
		t->why = big ? "better beyond the gate but not significant" : sig ? "significant but within the gate" : "within the gate";
	}
}

void vb_tests_decide(struct vb_test *t, size_t k, const struct vb_gate_rule *rule)
{
	double *p = vb_calloc(k ? k : 1, sizeof(double));
	for (size_t i = 0; i < k; i++)
		p[i] = isnan(t[i].p) ? 1.0 : t[i].p;
	vb_bh_adjust(p, k, p);
	for (size_t i = 0; i < k; i++) {
		t[i].q = rule->threshold_only ? NAN : p[i];
		double noise = rule->spread_mult * t[i].spread_pct;
		t[i].gate_pct = rule->threshold_only || !isfinite(noise) ? rule->threshold_pct : fmax(rule->threshold_pct, noise);
		decide(&t[i], rule);
	}
	free(p);
}
