#include "config.h"
#include "rank.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* How many arrangements of m values among m + n give each U (0 .. m*n):
 * the partitions of U into at most m parts of at most n each, counted by
 * adding part sizes 1 .. n in turn (dp[c][s]: c parts summing to s). */
static double *mwu_counts(size_t m, size_t n)
{
	size_t top = m * n;
	double *dp = vb_calloc((m + 1) * (top + 1), sizeof(double));
	double *f = vb_calloc(top + 1, sizeof(double));
	dp[0] = 1;
	for (size_t v = 1; v <= n; v++)
		for (size_t c = 1; c <= m; c++)
			for (size_t s = v; s <= top; s++)
				dp[c * (top + 1) + s] += dp[(c - 1) * (top + 1) + s - v];
	for (size_t c = 0; c <= m; c++)
		for (size_t s = 0; s <= top; s++)
			f[s] += dp[c * (top + 1) + s];
	free(dp);
	return f;
}

double vb_mwu_exact_cdf(double u, size_t m, size_t n)
{
	if (!m || !n || m * n > VB_MWU_EXACT_PAIRS)
		return -1;
	if (u < 0)
		return 0;
	double *f = mwu_counts(m, n), below = 0, all = 0;
	for (size_t s = 0; s <= m * n; s++) {
		all += f[s];
		if ((double)s <= u + 1e-9)
			below += f[s];
	}
	free(f);
	return below / all;
}

/* Standard normal upper tail. */
static double norm_sf(double z)
{
	return 0.5 * erfc(z / sqrt(2.0));
}

void vb_mwu_test(const double *a, size_t na, const double *b, size_t nb, struct vb_mwu *out)
{
	memset(out, 0, sizeof(*out));
	out->p = 1;
	if (!na || !nb)
		return;
	size_t n = na + nb;
	struct item {
		double v;
		int side;
	} *all = vb_calloc(n, sizeof(*all));
	for (size_t i = 0; i < na; i++)
		all[i] = (struct item){a[i], 0};
	for (size_t i = 0; i < nb; i++)
		all[na + i] = (struct item){b[i], 1};
	/* midranks, and the tie term sum(t^3 - t) */
	qsort(all, n, sizeof(*all), cmp_double); /* v is the first member */
	double ranks_a = 0, ties = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && all[j + 1].v == all[i].v)
			j++;
		double t = (double)(j - i + 1), mid = (double)(i + j) / 2.0 + 1.0;
		ties += t * t * t - t;
		for (size_t k = i; k <= j; k++)
			if (all[k].side == 0)
				ranks_a += mid;
		i = j + 1;
	}
	free(all);
	double m = (double)na, nn = (double)nb;
	out->u = ranks_a - m * (m + 1) / 2.0;
	if (ties == 0 && na * nb <= VB_MWU_EXACT_PAIRS) {
		/* two-sided: twice the smaller tail, the distribution being symmetric */
		double lo = vb_mwu_exact_cdf(out->u, na, nb), hi = 1.0 - vb_mwu_exact_cdf(out->u - 1, na, nb);
		out->p = fmin(1.0, 2.0 * fmin(lo, hi));
		out->exact = true;
		return;
	}
	double N = (double)n, mu = m * nn / 2.0;
	double var = m * nn / 12.0 * ((N + 1) - ties / (N * (N - 1)));
	if (var <= 0)
		return; /* every value the same: nothing to tell apart */
	double z = (fabs(out->u - mu) - 0.5) / sqrt(var);
	out->p = z <= 0 ? 1.0 : fmin(1.0, 2.0 * norm_sf(z));
}

void vb_bh_adjust(const double *p, size_t k, double *q)
{
	if (!k)
		return;
	size_t *order = vb_calloc(k, sizeof(size_t));
	double *sorted = vb_calloc(k, sizeof(double));
	for (size_t i = 0; i < k; i++)
		order[i] = i;
	/* indices by p ascending (insertion sort: families are small) */
	for (size_t i = 1; i < k; i++)
		for (size_t j = i; j > 0 && p[order[j]] < p[order[j - 1]]; j--) {
			size_t t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	double run = 1.0;
	for (size_t r = k; r-- > 0;) {
		double v = p[order[r]] * (double)k / (double)(r + 1);
		run = fmin(run, v);
		sorted[r] = run;
	}
	for (size_t r = 0; r < k; r++)
		q[order[r]] = sorted[r];
	free(order);
	free(sorted);
}

double vb_median(const double *v, size_t n)
{
	if (!n)
		return 0;
	double *c = vb_calloc(n, sizeof(double));
	memcpy(c, v, n * sizeof(double));
	qsort(c, n, sizeof(double), cmp_double);
	double m = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2.0;
	free(c);
	return m;
}

double vb_mad(const double *v, size_t n)
{
	if (!n)
		return 0;
	double med = vb_median(v, n), *d = vb_calloc(n, sizeof(double));
	for (size_t i = 0; i < n; i++)
		d[i] = fabs(v[i] - med);
	double mad = 1.4826 * vb_median(d, n);
	free(d);
	return mad;
}
