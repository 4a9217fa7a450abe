/* verdict: the nightly gate's decision rule, free of I/O so that the test
 * suite can simulate it over synthetic histories (tests/unit.c) with the
 * very code the gate runs.
 *
 * One test compares the pooled repetitions of the accepted history with
 * the run's repetitions, for one mode, job point, direction and metric:
 *
 *   change   the change of the medians, in % of the history's median
 *   interval 95% distribution-free interval of the change (Moses'
 *            interval of the shift of the logarithms, turned into %)
 *   p        Mann-Whitney U, two-sided; q: Benjamini-Hochberg over every
 *            test of the run
 *   gate     the larger of --threshold and --spread-mult times the
 *            history's robust spread (MAD over median, in %)
 *
 * and the verdict:
 *
 *   regressed / improved  |change| > gate and q < fdr, worse / better
 *   inconclusive          worse by more than the gate but q >= fdr (large,
 *                         not shown to be real); or, before a rerun (gate
 *                         --rerun), worse with a raw p < VB_RERUN_P (a
 *                         hint the rerun's repetitions will settle)
 *   pass                  everything else (better by more than the gate
 *                         without significance is a pass: the gate guards
 *                         against regressions and does not rerun for
 *                         improvements)
 *
 * Without an accepted history (a first run) a test is judged by the
 * threshold alone against whatever it is given, and says so. */
#ifndef VB_VERDICT_H
#define VB_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

/* In order of gravity: a run's verdict is the greatest of its tests'. */
enum vb_verdict { VB_PASS, VB_IMPROVED, VB_INCONCLUSIVE, VB_REGRESSED };
extern const char *const vb_verdict_names[4]; /* "pass", "improved", "inconclusive", "regressed" */

struct vb_gate_rule {
	double threshold_pct;  /* smallest change that counts */
	double spread_mult;    /* ... and it must exceed this many robust spreads of the history */
	double fdr;            /* Benjamini-Hochberg false discovery rate, e.g. 0.05 */
	bool threshold_only;   /* no accepted history: the threshold alone decides */
	bool rerun_follows;    /* an inconclusive mode will be re-measured: also
	                          call a change toward worse inconclusive when
	                          its raw p < VB_RERUN_P, so that a real step whose
	                          first estimate fell short of the gate gets the
	                          repetitions it needs */
};
#define VB_RERUN_P 0.2

struct vb_test {
	/* in: borrowed */
	const double *hist, *now;
	size_t nh, nn;
	bool higher_is_better;
	/* out (vb_test_measure) */
	double med_hist, med_now;
	double change_pct;     /* (med_now - med_hist) / med_hist * 100 */
	double lo_pct, hi_pct; /* 95% interval of the change; -inf/+inf when too few values */
	double spread_pct;     /* MAD / median of the history, in % */
	double p;              /* Mann-Whitney, two-sided (NAN when threshold-only) */
	bool exact;
	/* out (vb_tests_decide) */
	double gate_pct, q;
	enum vb_verdict verdict;
	const char *why;       /* a short phrase for the verdict (static) */
};

/* The figures of one test; values must be > 0 (IOPS, bandwidth, latency). */
void vb_test_measure(struct vb_test *t, const struct vb_gate_rule *rule);
/* q-values over the family, then each test's verdict. */
void vb_tests_decide(struct vb_test *t, size_t k, const struct vb_gate_rule *rule);

#endif
