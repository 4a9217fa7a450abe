/* changepoint: where a nightly series changed level, for trend.
 *
 * Binary segmentation (Scott and Knott 1974, Vostrikova 1981) with a rank
 * test: over a segment of nights, every split leaving at least
 * VB_CP_MIN_NIGHTS nights on each side is tried; the split whose
 * Mann-Whitney U of the pooled repetitions before against after is the
 * most standard deviations from its mean (Pettitt's scan, 1979) is a
 * change point when its p, times the number of splits tried (Bonferroni:
 * the scan looked at all of them), is below alpha and
 * the change of medians is at least min_change_pct.  The two sides are
 * then searched the same way.  When no single split is a change, a
 * stretch of nights that differs from those around it (a level that went
 * and came back, which no single split can see) is looked for the same
 * way, both its ends being changes.  At the end each change is placed again
 * between its neighbours (and dropped if no longer significant there).
 * A rank test needs no model of the noise
 * (TCG's is far from normal) and one wild night cannot make a change on
 * its own: it must hold for VB_CP_MIN_NIGHTS nights. */
#ifndef VB_CHANGEPOINT_H
#define VB_CHANGEPOINT_H

#include <stddef.h>

#define VB_CP_MIN_NIGHTS 2

struct vb_change {
	size_t at;          /* the first night after the change */
	double change_pct;  /* median after against median before, within the segment searched */
	double p;           /* Mann-Whitney p of the split, before the Bonferroni factor */
};

/* v[i] holds n[i] values of night i (none: the night is skipped over).
 * Writes at most max changes to out, ordered by night; returns their
 * number. */
size_t vb_change_points(double *const *v, const size_t *n, size_t nights, double alpha, double min_change_pct,
                        struct vb_change *out, size_t max);

#endif
