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
	for (size_t i = 0; i < r->n; i++)
		free(r->c[i].v);
	free(r->c);
	memset(r, 0, sizeof(*r));
}

void vb_race_add(struct vb_race *r, size_t i, double value)
{
	struct vb_race_cand *c = &r->c[i];
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 8;
		if (!(c->v = realloc(c->v, c->cap * sizeof(*c->v))))
			abort();
	}
	c->v[c->n++] = isfinite(value) && value > 0 ? value : 1e-300;
}

/* Candidate i's values as "higher is better" logs, into out (n of them). */
static void logs(const struct vb_race *r, size_t i, double *out)
{
	for (size_t k = 0; k < r->c[i].n; k++)
		out[k] = r->lower_better ? -log(r->c[i].v[k]) : log(r->c[i].v[k]);
}

static double mean_log(const struct vb_race *r, size_t i)
{
	double s = 0;
	for (size_t k = 0; k < r->c[i].n; k++)
		s += r->lower_better ? -log(r->c[i].v[k]) : log(r->c[i].v[k]);
	return r->c[i].n ? s / (double)r->c[i].n : -INFINITY;
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

/* One-sided p that survivor i trails the leader by more than the
 * minimum effect (Welch on the logs, the null shifted to log(1 + effect)):
 * a candidate 2% behind is no more likely dropped than chance allows. */
static double trail_p(const struct vb_race *r, size_t lead, size_t i, double *a, double *b)
{
	logs(r, lead, a);
	logs(r, i, b);
	return vb_welch_p_above(a, r->c[lead].n, b, r->c[i].n, log(1 + r->min_effect));
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
	for (size_t i = 0; i < r->n; i++)
		if (i != lead && r->c[i].alive)
			t[m++] = (struct cmp){i, trail_p(r, lead, i, a, b)};
	qsort(t, m, sizeof(*t), by_p);
	/* Holm's step-down: the k-th smallest p against alpha / (m - k); the
	 * first that fails ends it */
	for (size_t k = 0; k < m && t[k].p <= r->alpha / (double)(m - k); k++) {
		r->c[t[k].i].alive = false;
		r->c[t[k].i].dropped = r->round;
		dropped++;
	}
	free(t);
	free(a);
	free(b);
	return dropped;
}

enum vb_race_stop vb_race_stop(const struct vb_race *r)
{
	size_t lead = vb_race_leader(r);
	if (vb_race_alive(r) <= 1)
		return VB_RACE_ONE;
	if (lead == r->n)
		return VB_RACE_ON;
	/* tied: every survivor's ratio to the leader (higher is better) is
	 * within 1 +- the minimum effect, interval and all */
	for (size_t i = 0; i < r->n; i++) {
		if (i == lead || !r->c[i].alive)
			continue;
		size_t na = r->c[lead].n, nb = r->c[i].n;
		double *a = vb_calloc(na, sizeof(double)), *b = vb_calloc(nb + 1, sizeof(double)), q, lo, hi;
		for (size_t k = 0; k < na; k++)
			a[k] = r->lower_better ? 1 / r->c[lead].v[k] : r->c[lead].v[k];
		for (size_t k = 0; k < nb; k++)
			b[k] = r->lower_better ? 1 / r->c[i].v[k] : r->c[i].v[k];
		vb_ratio_ci95(a, na, b, nb, &q, &lo, &hi);
		free(a);
		free(b);
		if (!(lo >= 1 - r->min_effect && hi <= 1 + r->min_effect))
			return VB_RACE_ON;
	}
	return VB_RACE_TIED;
}
