/* rank: the distribution-free statistics the nightly gate needs, free of
 * I/O like stats.h so that unit tests check them against published tables.
 *
 * - Mann-Whitney U (the Wilcoxon rank-sum test), two-sided: exact, by
 *   counting every arrangement of ranks, when there are no ties and the
 *   samples are small; otherwise the normal approximation with the tie
 *   correction and a continuity correction
 * - Benjamini-Hochberg adjusted p-values (q-values) over a family of tests
 * - median and the median absolute deviation (a spread one outlier cannot
 *   inflate) */
#ifndef VB_RANK_H
#define VB_RANK_H

#include <stdbool.h>
#include <stddef.h>

/* Exact when there are no ties and na * nb <= VB_MWU_EXACT_PAIRS. */
#define VB_MWU_EXACT_PAIRS 2000

struct vb_mwu {
	double u;      /* U of sample a: pairs (x in a, y in b) with x > y, ties 1/2 */
	double p;      /* two-sided p; 1 when a side is empty */
	bool exact;    /* p from the exact distribution, not the normal one */
};

void vb_mwu_test(const double *a, size_t na, const double *b, size_t nb, struct vb_mwu *out);
/* The same with the normal approximation always (for scans over many
 * sizes, where the exact distribution would be counted again for each). */
void vb_mwu_test_normal(const double *a, size_t na, const double *b, size_t nb, struct vb_mwu *out);
/* P(U <= u) for samples of sizes m and n without ties (exact; m, n >= 1,
 * m * n <= VB_MWU_EXACT_PAIRS); -1 when out of range. */
double vb_mwu_exact_cdf(double u, size_t m, size_t n);

/* The largest u with P(U <= u) <= tail for samples of sizes m and n
 * (exact within VB_MWU_EXACT_PAIRS, else the normal approximation); -1
 * when even U = 0 is more likely than tail (samples too small). */
long vb_mwu_critical(size_t m, size_t n, double tail);

/* The shift between two samples (b minus a): the Hodges-Lehmann estimate
 * (median of all pairwise differences) and Moses' distribution-free
 * interval at the confidence conf (e.g. 0.95), read off the sorted
 * differences at the Mann-Whitney critical value.  lo/hi are -inf/+inf
 * when the samples are too small for that confidence. */
void vb_shift_interval(const double *a, size_t na, const double *b, size_t nb, double conf, double *est, double *lo,
                       double *hi);

/* Benjamini-Hochberg: q[i] is the smallest false discovery rate at which
 * test i would be rejected (p and q may be the same array). */
void vb_bh_adjust(const double *p, size_t k, double *q);

/* Median of v (not changed); 0 for n = 0. */
double vb_median(const double *v, size_t n);
/* Median absolute deviation from the median, scaled by 1.4826 so that it
 * estimates the standard deviation of normal data. */
double vb_mad(const double *v, size_t n);

#endif
