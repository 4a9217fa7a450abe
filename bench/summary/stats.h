/* stats: the arithmetic behind every figure vmio-bench reports, kept free
 * of I/O so that unit tests can check it against values worked by hand.
 *
 * - sample statistics: mean, standard deviation (n-1), 95% confidence
 *   interval from Student's t, coefficient of variation
 * - Welch's t-test (two-sided p) for compare, and a ratio of two means
 *   with its interval from the same figures (the neighbour headline)
 * - latency percentiles from merged fio json+ histogram bins: bins of all
 *   repetitions are summed, then read off once (averaging percentiles is
 *   wrong: the p99 of two runs is not the mean of their p99s) */
#ifndef VB_STATS_H
#define VB_STATS_H

#include <jansson.h>
#include <stddef.h>

struct vb_sample {
	size_t n;
	double mean, sd, ci95, cv; /* ci95: half-width; cv: sd/mean (0 when mean is 0) */
};

void vb_sample_compute(const double *v, size_t n, struct vb_sample *out);
/* Two-sided quantile of Student's t with dof degrees of freedom
 * (e.g. p = 0.975 for a 95% interval). */
double vb_t_quantile(double p, double dof);
/* CDF of Student's t. */
double vb_t_cdf(double t, double dof);
/* Welch's unequal-variance t-test: two-sided p value (1 when it cannot
 * be computed, e.g. fewer than 2 values on a side). */
double vb_welch_p(const double *a, size_t na, const double *b, size_t nb);
/* Welch's test, one-sided, of a's mean exceeding b's by more than delta
 * (H0: mean(a) - mean(b) <= delta): its p (1 with fewer than 2 values a
 * side). */
double vb_welch_p_above(const double *a, size_t na, const double *b, size_t nb, double delta);
/* Welch-Satterthwaite degrees of freedom of a difference of two means
 * whose variances (of the means) are va and vb, from na and nb values. */
double vb_welch_df(double va, size_t na, double vb, size_t nb);
/* Mean and sample variance (n-1; 0 with fewer than 2 values), without
 * vb_sample_compute's interval (a quantile search: slow in a loop). */
void vb_mean_var(const double *v, size_t n, double *mean, double *var);
/* The ratio of b's mean to a's and its 95% interval, from the same
 * Welch figures (the delta method on the log of the ratio, Welch's
 * degrees of freedom): *lo and *hi NAN with fewer than 2 values a side,
 * all three NAN when a's mean is not positive. */
void vb_ratio_ci95(const double *a, size_t na, const double *b, size_t nb, double *ratio, double *lo, double *hi);

/* Two samples of positive figures (IOPS) on a log scale, as findings
 * compare modes: the ratio of b's geometric mean to a's, its 95%
 * interval and Welch's two-sided p, all from the logs of the values
 * (vb_welch_p and Welch's degrees of freedom on them: a ratio's spread
 * is symmetric in logs).  lo, hi and p are NAN with fewer than 2 values
 * a side (nothing to test).  Returns -1, out all NAN, when a side is
 * empty or holds a value that is not positive and finite. */
struct vb_log_ratio {
	double ratio, lo, hi, p;
};
int vb_log_ratio_welch(const double *a, size_t na, const double *b, size_t nb, struct vb_log_ratio *out);

/* --reps auto's rule (runner/reps.c): a point stops after at least
 * vb_reps_auto_least(--max-reps) repetitions, once the 95% interval of
 * its IOPS is within --ci-target percent of the mean, or at --max-reps. */
unsigned vb_reps_auto_least(unsigned max_reps);
/* The repetitions that rule needs when the figures spread by cv (sd over
 * mean, a fraction): the least n >= least with
 * t(0.975, n-1) * cv / sqrt(n) * 100 <= target_pct, whatever the cap;
 * 0 when even VB_REPS_FOR_CV_MAX would not do. */
#define VB_REPS_FOR_CV_MAX 1000000ul
unsigned long vb_reps_for_cv(double cv, double target_pct, unsigned least);

/* A latency histogram: sorted bin values (ns) with counts. */
struct vb_hist {
	size_t n, cap;
	double *value;
	double *count;
	double total;
};
/* fio's json+ has at most 1,856 bins per direction; merged repetitions
 * share them.  More distinct values than this is not fio's output. */
#define VB_HIST_MAX_BINS 8192
/* Add fio's "bins" object ({"<ns>": count, ...}) to h, merging equal
 * values (O(n log n)).  Returns -1, h unchanged, on a malformed object:
 * a key that is not a finite number >= 0 (nan, inf), a negative or
 * non-finite count, or more than VB_HIST_MAX_BINS values. */
int vb_hist_add_fio_bins(struct vb_hist *h, json_t *bins);
/* Value at percentile p (0..100): the smallest bin value whose cumulative
 * count reaches p% of all samples; 0 for an empty histogram. */
double vb_hist_percentile(const struct vb_hist *h, double p);
void vb_hist_release(struct vb_hist *h);

#endif
