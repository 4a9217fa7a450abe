#include "config.h"
#include "summary/rank.h"
#include "core/util.h"

#include <math.h>
#include <stdbool.h>
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

/* P(U <= s) for s = 0 .. m*n, kept for the sizes asked most recently
 * (a gate asks for the same few sizes over and over; the table is small
 * and never freed).  The array belongs to the cache. */
#define CDF_CACHE 16
static const double *mwu_cdf(size_t m, size_t n)
{
	static struct {
		size_t m, n;
		double *cdf;
	} cache[CDF_CACHE];
	static size_t next;
	for (size_t i = 0; i < CDF_CACHE; i++)
		if (cache[i].cdf && cache[i].m == m && cache[i].n == n)
			return cache[i].cdf;
	double *f = mwu_counts(m, n), all = 0, run = 0;
	for (size_t s = 0; s <= m * n; s++)
		all += f[s];
	for (size_t s = 0; s <= m * n; s++) {
		run += f[s];
		f[s] = run / all;
	}
	size_t k = next++ % CDF_CACHE;
	free(cache[k].cdf);
	cache[k].m = m;
	cache[k].n = n;
	cache[k].cdf = f;
	return f;
}

double vb_mwu_exact_cdf(double u, size_t m, size_t n)
{
	if (!m || !n || m * n > VB_MWU_EXACT_PAIRS)
		return -1;
	if (u < 0)
		return 0;
	const double *cdf = mwu_cdf(m, n);
	double s = floor(u + 1e-9);
	return s >= (double)(m * n) ? 1.0 : cdf[(size_t)s];
}

/* Standard normal quantile (Acklam's rational approximation, refined by
 * one Newton step on erfc: good to 1e-12 over (0, 1)). */
static double norm_quantile(double p)
{
	static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
	                           1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
	static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
	                           6.680131188771972e+01, -1.328068155288572e+01};
	static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
	                           -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
	static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
	                           3.754408661907416e+00};
	double q, r, x;
	if (p <= 0)
		return -INFINITY;
	if (p >= 1)
		return INFINITY;
	if (p < 0.02425) {
		q = sqrt(-2 * log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	} else if (p > 1 - 0.02425) {
		q = sqrt(-2 * log(1 - p));
		x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	} else {
		q = p - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
		    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
	}
	double e = 0.5 * erfc(-x / sqrt(2.0)) - p;
	return x - e * sqrt(2 * M_PI) * exp(x * x / 2);
}

long vb_mwu_critical(size_t m, size_t n, double tail)
{
	if (!m || !n)
		return -1;
	if (m * n <= VB_MWU_EXACT_PAIRS) {
		const double *cdf = mwu_cdf(m, n);
		long u = -1;
		for (size_t s = 0; s <= m * n && cdf[s] <= tail + 1e-12; s++)
			u = (long)s;
		return u;
	}
	double mu = (double)m * (double)n / 2.0, sd = sqrt((double)m * (double)n * (double)(m + n + 1) / 12.0);
	double u = floor(mu + norm_quantile(tail) * sd - 0.5);
	return u < 0 ? -1 : (long)u;
}

void vb_shift_interval(const double *a, size_t na, const double *b, size_t nb, double conf, double *est, double *lo,
                       double *hi)
{
	*est = NAN;
	*lo = -INFINITY;
	*hi = INFINITY;
	if (!na || !nb)
		return;
	size_t k = na * nb;
	double *d = vb_calloc(k, sizeof(double));
	for (size_t i = 0; i < na; i++)
		for (size_t j = 0; j < nb; j++)
			d[i * nb + j] = b[j] - a[i];
	qsort(d, k, sizeof(double), cmp_double);
	*est = k % 2 ? d[k / 2] : (d[k / 2 - 1] + d[k / 2]) / 2.0;
	/* the interval holds the shifts the test would not reject: drop the
	 * c + 1 smallest and largest differences, c the critical U */
	long c = vb_mwu_critical(na, nb, (1.0 - conf) / 2.0);
	if (c >= 0 && (size_t)c + 1 < k - (size_t)c) {
		*lo = d[c];
		*hi = d[k - 1 - (size_t)c];
	}
	free(d);
}

/* Standard normal upper tail. */
static double norm_sf(double z)
{
	return 0.5 * erfc(z / sqrt(2.0));
}

static void mwu(const double *a, size_t na, const double *b, size_t nb, struct vb_mwu *out, bool allow_exact)
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
	if (allow_exact && ties == 0 && na * nb <= VB_MWU_EXACT_PAIRS) {
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

void vb_mwu_test(const double *a, size_t na, const double *b, size_t nb, struct vb_mwu *out)
{
	mwu(a, na, b, nb, out, true);
}

void vb_mwu_test_normal(const double *a, size_t na, const double *b, size_t nb, struct vb_mwu *out)
{
	mwu(a, na, b, nb, out, false);
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
