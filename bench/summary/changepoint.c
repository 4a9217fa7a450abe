#include "config.h"
#include "summary/changepoint.h"
#include "summary/rank.h"
#include "core/util.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct series {
	double *const *v;
	const size_t *n;
	double alpha, min_change;
	struct vb_change *out;
	size_t max, found;
};

/* The values of nights [lo, hi) in one array (caller frees). */
static double *pool(const struct series *s, size_t lo, size_t hi, size_t *len)
{
	size_t total = 0, k = 0;
	for (size_t i = lo; i < hi; i++)
		total += s->n[i];
	double *a = vb_calloc(total ? total : 1, sizeof(double));
	for (size_t i = lo; i < hi; i++) {
		memcpy(a + k, s->v[i], s->n[i] * sizeof(double));
		k += s->n[i];
	}
	*len = total;
	return a;
}

/* The best split of nights [lo, hi): the one whose U lies the most
 * standard deviations from its mean.  Every p here comes from the normal
 * approximation (with at least VB_CP_MIN_NIGHTS nights a side the samples
 * are big enough for it): the exact distribution would have to be counted
 * anew for every pair of sizes the scan meets, and its far tail differs
 * from the normal one by orders of magnitude, so a mix of the two could
 * not place a change.  False when no split could be tried. */
static bool best_split(const struct series *s, size_t lo, size_t hi, struct vb_change *c, size_t *tried)
{
	double best_z = -1, best_p = 1, best_change = 0;
	size_t best = 0;
	*tried = 0;
	for (size_t k = lo + VB_CP_MIN_NIGHTS; k + VB_CP_MIN_NIGHTS <= hi; k++) {
		size_t na, nb;
		double *a = pool(s, lo, k, &na), *b = pool(s, k, hi, &nb);
		if (na && nb) {
			struct vb_mwu u;
			vb_mwu_test_normal(a, na, b, nb, &u);
			double ma = vb_median(a, na), change = ma > 0 ? (vb_median(b, nb) - ma) / ma * 100.0 : 0;
			double m = (double)na, n = (double)nb, z = fabs(u.u - m * n / 2.0) / sqrt(m * n * (m + n + 1) / 12.0);
			(*tried)++;
			if (z > best_z) {
				best_z = z;
				best_p = u.p;
				best = k;
				best_change = change;
			}
		}
		free(a);
		free(b);
	}
	*c = (struct vb_change){.at = best, .change_pct = best_change, .p = best_p};
	return *tried > 0;
}

static bool significant(const struct series *s, const struct vb_change *c, size_t tried)
{
	return c->p * (double)tried < s->alpha && fabs(c->change_pct) >= s->min_change;
}

/* A stretch [a, b) inside [lo, hi) that differs from the nights around
 * it (a level that went and came back: one split alone cannot see it, as
 * each side then mixes both levels).  The most standard deviations again;
 * its p is Bonferroni-corrected over every stretch tried.  Both ends are
 * changes when they are inside the segment. */
static bool best_stretch(const struct series *s, size_t lo, size_t hi, size_t *a_out, size_t *b_out, double *p_out,
                         size_t *tried)
{
	double best_z = -1;
	*tried = 0;
	for (size_t a = lo; a < hi; a++) {
		for (size_t b = a + VB_CP_MIN_NIGHTS; b <= hi; b++) {
			if ((a - lo < VB_CP_MIN_NIGHTS && a != lo) || (hi - b < VB_CP_MIN_NIGHTS && b != hi) || (a == lo && b == hi) ||
			    (a - lo) + (hi - b) < VB_CP_MIN_NIGHTS)
				continue;
			size_t na, nb, nc;
			double *in = pool(s, a, b, &na), *l = pool(s, lo, a, &nb), *r = pool(s, b, hi, &nc);
			double *out = vb_calloc(nb + nc + 1, sizeof(double));
			memcpy(out, l, nb * sizeof(double));
			memcpy(out + nb, r, nc * sizeof(double));
			if (na && nb + nc) {
				struct vb_mwu u;
				vb_mwu_test_normal(in, na, out, nb + nc, &u);
				double m = (double)na, n = (double)(nb + nc), z = fabs(u.u - m * n / 2.0) / sqrt(m * n * (m + n + 1) / 12.0);
				(*tried)++;
				if (z > best_z) {
					best_z = z;
					*a_out = a;
					*b_out = b;
					*p_out = u.p;
				}
			}
			free(in);
			free(l);
			free(r);
			free(out);
		}
	}
	return *tried > 0;
}

static void add(struct series *s, size_t lo, size_t at, size_t hi)
{
	size_t na, nb;
	double *a = pool(s, lo, at, &na), *b = pool(s, at, hi, &nb);
	double ma = vb_median(a, na);
	struct vb_mwu u;
	vb_mwu_test_normal(a, na, b, nb, &u);
	if (s->found < s->max)
		s->out[s->found++] = (struct vb_change){.at = at, .change_pct = ma > 0 ? (vb_median(b, nb) - ma) / ma * 100.0 : 0,
		                                        .p = u.p};
	free(a);
	free(b);
}

static void segment(struct series *s, size_t lo, size_t hi)
{
	struct vb_change c;
	size_t tried, a, b;
	double p;
	if (hi - lo < 2 * VB_CP_MIN_NIGHTS || s->found >= s->max)
		return;
	if (best_split(s, lo, hi, &c, &tried) && significant(s, &c, tried)) {
		s->out[s->found++] = c;
		segment(s, lo, c.at);
		segment(s, c.at, hi);
		return;
	}
	if (!best_stretch(s, lo, hi, &a, &b, &p, &tried) || p * (double)tried >= s->alpha)
		return;
	if (a > lo)
		add(s, lo, a, b);
	if (b < hi)
		add(s, a, b, hi);
	segment(s, lo, a);
	segment(s, a, b);
	segment(s, b, hi);
}

static int by_night(const void *a, const void *b);

/* Binary segmentation places a change by the segment it searched, which
 * may still hold another change: a split found early can land a night or
 * two off and leave a spurious change beside the true one.  So each
 * change is placed again between its neighbours, and dropped when it is
 * no longer significant there; until nothing moves. */
static void refine(struct series *s, size_t nights)
{
	for (int round = 0; round < 10; round++) {
		bool moved = false;
		qsort(s->out, s->found, sizeof(*s->out), by_night);
		for (size_t i = 0; i < s->found; i++) {
			size_t lo = i ? s->out[i - 1].at : 0, hi = i + 1 < s->found ? s->out[i + 1].at : nights, tried;
			struct vb_change c;
			if (hi - lo >= 2 * VB_CP_MIN_NIGHTS && best_split(s, lo, hi, &c, &tried) && significant(s, &c, tried)) {
				moved |= c.at != s->out[i].at;
				s->out[i] = c;
			} else {
				memmove(&s->out[i], &s->out[i + 1], (s->found - i - 1) * sizeof(*s->out));
				s->found--;
				moved = true;
				break;
			}
		}
		if (!moved)
			return;
	}
}

static int by_night(const void *a, const void *b)
{
	const struct vb_change *x = a, *y = b;
	return x->at < y->at ? -1 : x->at > y->at;
}

size_t vb_change_points(double *const *v, const size_t *n, size_t nights, double alpha, double min_change_pct,
                        struct vb_change *out, size_t max)
{
	struct series s = {.v = v, .n = n, .alpha = alpha, .min_change = min_change_pct, .out = out, .max = max};
	if (!max)
		return 0;
	segment(&s, 0, nights);
	refine(&s, nights);
	qsort(out, s.found, sizeof(*out), by_night);
	return s.found;
}
