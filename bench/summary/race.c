/* race: the racing rule of `vmio-bench tune` (race.h). */
#include "config.h"
#include "summary/race.h"
#include "summary/stats.h"
#include "core/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void vb_race_init(struct vb_race *r, size_t n, double min_effect, double alpha, bool lower_better)
{
	memset(r, 0, sizeof(*r));
	r->c = vb_calloc(n ? n : 1, sizeof(*r->c));
	r->n = n;
	r->min_effect = min_effect;
	r->alpha = alpha;
	r->lower_better = lower_better;
	for (size_t i = 0; i < n; i++)
		r->c[i].alive = true;
}

void vb_race_release(struct vb_race *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->c[i].v);
		free(r->c[i].rnd);
	}
	free(r->c);
	memset(r, 0, sizeof(*r));
}

void vb_race_add(struct vb_race *r, size_t i, double value)
{
	struct vb_race_cand *c = &r->c[i];
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 8;
		if (!(c->v = realloc(c->v, c->cap * sizeof(*c->v))) || !(c->rnd = realloc(c->rnd, c->cap * sizeof(*c->rnd))))
			abort();
	}
	c->rnd[c->n] = r->round;
	c->v[c->n++] = isfinite(value) && value > 0 ? value : 1e-300;
	r->spent++;
}

bool vb_race_fits(const struct vb_race *r, size_t more)
{
	return !r->budget || r->spent + more <= r->budget;
}

static double higher_log(const struct vb_race *r, double v)
{
	return r->lower_better ? -log(v) : log(v);
}

size_t vb_race_samples(const struct vb_race *r, size_t i, double *out)
{
	const struct vb_race_cand *c = &r->c[i];
	size_t m = 0, k = 0;
	while (k < c->n) {
		/* a round's repetitions are adjacent: one guest's */
		size_t from = k;
		double s = 0;
		do
			s += higher_log(r, c->v[k++]);
		while (!r->per_rep && k < c->n && c->rnd[k] == c->rnd[from]);
		out[m++] = s / (double)(k - from);
	}
	return m;
}

static double mean_log(const struct vb_race *r, size_t i)
{
	double s = 0;
	for (size_t k = 0; k < r->c[i].n; k++)
		s += higher_log(r, r->c[i].v[k]);
	return r->c[i].n ? s / (double)r->c[i].n : -INFINITY;
}

int vb_race_estimate(const struct vb_race *r, size_t i, double *point, double *lo, double *hi)
{
	const struct vb_race_cand *c = &r->c[i];
	double sign = r->lower_better ? -1 : 1, m = mean_log(r, i);
	*point = c->n ? exp(sign * m) : NAN;
	*lo = *hi = NAN;
	double *smp = vb_calloc(c->n ? c->n : 1, sizeof(double)), sm, var;
	size_t k = vb_race_samples(r, i, smp);
	if (k >= 2) {
		vb_mean_var(smp, k, &sm, &var);
		double half = vb_t_quantile(0.975, (double)(k - 1)) * sqrt(var / (double)k);
		/* back from "higher is better" logs: a lower-is-better value's
		 * upper end comes from the lower log */
		*lo = exp(sign * (sign > 0 ? m - half : m + half));
		*hi = exp(sign * (sign > 0 ? m + half : m - half));
	}
	free(smp);
	return (int)k;
}

size_t vb_race_leader(const struct vb_race *r)
{
	size_t best = r->n;
	double bm = -INFINITY;
	for (size_t i = 0; i < r->n; i++) {
		if (!r->c[i].alive || !r->c[i].n)
			continue;
		double m = mean_log(r, i);
		if (best == r->n || m > bm) {
			best = i;
			bm = m;
		}
	}
	return best;
}

size_t vb_race_alive(const struct vb_race *r)
{
	size_t a = 0;
	for (size_t i = 0; i < r->n; i++)
		a += r->c[i].alive;
	return a;
}

struct cmp {
	size_t i;
	double p;
};

static int by_p(const void *a, const void *b)
{
	double x = ((const struct cmp *)a)->p, y = ((const struct cmp *)b)->p;
	return x < y ? -1 : x > y;
}

/* The alpha this round may use (race.h: spent over the budget, or
 * alpha / (j (j + 1)) without one), and mark it used. */
static double round_alpha(struct vb_race *r)
{
	double upto;
	if (r->budget)
		upto = r->alpha * (double)(r->spent < r->budget ? r->spent : r->budget) / (double)r->budget;
	else {
		/* the j-th testing round: alpha_spent = alpha (1 - 1/j) so far */
		double j = r->alpha_spent < r->alpha ? r->alpha / (r->alpha - r->alpha_spent) : 1e9;
		upto = r->alpha * (1 - 1 / (j + 1));
	}
	double a = upto - r->alpha_spent;
	r->alpha_spent = upto;
	return a > 0 ? a : 0;
}

/* Holm's step-down over the sorted p values t[0..m): the k-th smallest
 * against alpha / (m - k), the first that fails ends it. */
static size_t holm_drop(struct vb_race *r, const struct cmp *t, size_t m, double alpha)
{
	size_t k = 0;
	for (; k < m && t[k].p <= alpha / (double)(m - k); k++) {
		r->c[t[k].i].alive = false;
		r->c[t[k].i].dropped = r->round;
	}
	return k;
}

size_t vb_race_prune(struct vb_race *r)
{
	size_t lead = vb_race_leader(r), m = 0, dropped = 0, most = 0;
	r->round++;
	if (lead == r->n)
		return 0;
	for (size_t i = 0; i < r->n; i++)
		most = r->c[i].n > most ? r->c[i].n : most;
	struct cmp *t = vb_calloc(r->n, sizeof(*t));
	double *a = vb_calloc(most + 1, sizeof(double)), *b = vb_calloc(most + 1, sizeof(double));
	size_t na = vb_race_samples(r, lead, a);
	/* one-sided: that survivor i trails the leader by more than the
	 * minimum effect (the null shifted to it), so that a candidate 2%
	 * behind is no likelier dropped than alpha allows */
	for (size_t i = 0; i < r->n; i++) {
		if (i == lead || !r->c[i].alive)
			continue;
		size_t nb = vb_race_samples(r, i, b);
		if (na >= 2 && nb >= 2)
			t[m++] = (struct cmp){i, vb_welch_p_above(a, na, b, nb, log(1 + r->min_effect))};
	}
	/* a round with nothing to test spends nothing: the next one that
	 * tests claims its share */
	if (m) {
		qsort(t, m, sizeof(*t), by_p);
		dropped = holm_drop(r, t, m, round_alpha(r));
	}
	free(t);
	free(a);
	free(b);
	return dropped;
}

/* Whether survivor i's ratio to the leader has its 95% interval inside
 * 1 +- the minimum effect: two one-sided Welch tests at 2.5% on the
 * samples (the interval, without a quantile search). */
static bool equivalent(const struct vb_race *r, const double *a, size_t na, size_t i, double *b)
{
	size_t nb = vb_race_samples(r, i, b);
	if (na < 2 || nb < 2)
		return false;
	return vb_welch_p_above(b, nb, a, na, log(1 - r->min_effect)) <= 0.025 &&
	       vb_welch_p_above(a, na, b, nb, -log(1 + r->min_effect)) <= 0.025;
}

void vb_race_paired(const double *d, const double *w, size_t n, bool lower_better, double min_effect,
                    struct vb_paired *out)
{
	double *lr = vb_calloc(n ? n : 1, sizeof(double));
	struct vb_sample s;
	for (size_t k = 0; k < n; k++)
		lr[k] = lower_better ? log(d[k] / w[k]) : log(w[k] / d[k]);
	vb_sample_compute(lr, n, &s);
	free(lr);
	double se = s.sd / sqrt((double)n), tq = vb_t_quantile(0.975, (double)n - 1);
	out->gain = exp(s.mean);
	out->lo = exp(s.mean - tq * se);
	out->hi = exp(s.mean + tq * se);
	out->p = se > 0 ? 2 * (1 - vb_t_cdf(fabs(s.mean / se), (double)n - 1)) : s.mean == 0 ? 1 : 0;
	if (out->lo > 1 && out->gain - 1 >= min_effect)
		out->verdict = "gain";
	else if (out->hi < 1) /* not "as good": the default measured better */
		out->verdict = "default better";
	else
		out->verdict = "default as good";
}

enum vb_race_stop vb_race_stop(const struct vb_race *r)
{
	size_t lead = vb_race_leader(r), most = 0;
	if (vb_race_alive(r) <= 1)
		return VB_RACE_ONE;
	if (lead == r->n)
		return VB_RACE_ON;
	for (size_t i = 0; i < r->n; i++)
		most = r->c[i].n > most ? r->c[i].n : most;
	double *a = vb_calloc(most + 1, sizeof(double)), *b = vb_calloc(most + 1, sizeof(double));
	size_t na = vb_race_samples(r, lead, a);
	enum vb_race_stop st = VB_RACE_TIED;
	for (size_t i = 0; i < r->n && st == VB_RACE_TIED; i++)
		if (i != lead && r->c[i].alive && !equivalent(r, a, na, i, b))
			st = VB_RACE_ON;
	free(a);
	free(b);
	return st;
}
