#include "config.h"
#include "summary/stats.h"
#include "core/util.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void vb_sample_compute(const double *v, size_t n, struct vb_sample *out)
{
	double sum = 0, ss = 0;
	memset(out, 0, sizeof(*out));
	out->n = n;
	if (!n)
		return;
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	out->mean = sum / (double)n;
	if (n < 2)
		return;
	for (size_t i = 0; i < n; i++)
		ss += (v[i] - out->mean) * (v[i] - out->mean);
	out->sd = sqrt(ss / (double)(n - 1));
	out->ci95 = vb_t_quantile(0.975, (double)(n - 1)) * out->sd / sqrt((double)n);
	out->cv = out->mean != 0 ? out->sd / fabs(out->mean) : 0;
}

/* Continued fraction for the regularized incomplete beta function
 * (modified Lentz's method). */
/* One step of the modified Lentz method for a continued fraction with
 * partial numerator aa; returns the factor the value is multiplied by. */
static double lentz_step(double aa, double *c, double *d)
{
	const double tiny = 1e-300;
	*d = 1 + aa * *d;
	if (fabs(*d) < tiny)
		*d = tiny;
	*c = 1 + aa / *c;
	if (fabs(*c) < tiny)
		*c = tiny;
	*d = 1 / *d;
	return *d * *c;
}

static double betacf(double a, double b, double x)
{
	const double tiny = 1e-300, eps = 1e-15;
	double qab = a + b, qap = a + 1, qam = a - 1;
	double c = 1, d = 1 - qab * x / qap, h;
	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (int m = 1; m <= 300; m++) {
		int m2 = 2 * m;
		/* the even and the odd step of the fraction */
		h *= lentz_step(m * (b - m) * x / ((qam + m2) * (a + m2)), &c, &d);
		double del = lentz_step(-(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)), &c, &d);
		h *= del;
		if (fabs(del - 1) < eps)
			break;
	}
	return h;
}

static double betai(double a, double b, double x)
{
	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	double bt = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(1 - x));
	if (x < (a + 1) / (a + b + 2))
		return bt * betacf(a, b, x) / a;
	return 1 - bt * betacf(b, a, 1 - x) / b;
}

double vb_t_cdf(double t, double dof)
{
	double x = dof / (dof + t * t);
	double tail = 0.5 * betai(dof / 2, 0.5, x); /* P(T > |t|) */
	return t >= 0 ? 1 - tail : tail;
}

double vb_t_quantile(double p, double dof)
{
	double lo = -1e3, hi = 1e3;
	for (int i = 0; i < 200; i++) {
		double mid = (lo + hi) / 2;
		if (vb_t_cdf(mid, dof) < p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/* Welch-Satterthwaite degrees of freedom of a difference of two means
 * whose variances are va and vb (of the means), from na and nb values. */
static double welch_dof(double va, size_t na, double vb, size_t nb)
{
	return (va + vb) * (va + vb) / (va * va / (double)(na - 1) + vb * vb / (double)(nb - 1));
}

double vb_welch_p(const double *a, size_t na, const double *b, size_t nb)
{
	struct vb_sample sa, sb;
	if (na < 2 || nb < 2)
		return 1;
	vb_sample_compute(a, na, &sa);
	vb_sample_compute(b, nb, &sb);
	double va = sa.sd * sa.sd / (double)na, vb = sb.sd * sb.sd / (double)nb;
	if (va + vb == 0)
		return sa.mean == sb.mean ? 1 : 0; /* no spread at all: any difference is real */
	double t = (sa.mean - sb.mean) / sqrt(va + vb);
	return 2 * (1 - vb_t_cdf(fabs(t), welch_dof(va, na, vb, nb)));
}

double vb_welch_p_above(const double *a, size_t na, const double *b, size_t nb, double delta)
{
	double ma, sa, mb, sb;
	if (na < 2 || nb < 2)
		return 1;
	/* the moments alone: vb_sample_compute's interval costs a quantile
	 * search, and the race's simulation calls this millions of times */
	vb_mean_var(a, na, &ma, &sa);
	vb_mean_var(b, nb, &mb, &sb);
	double va = sa / (double)na, vb = sb / (double)nb, d = ma - mb - delta;
	if (va + vb == 0)
		return d > 0 ? 0 : 1;
	return 1 - vb_t_cdf(d / sqrt(va + vb), welch_dof(va, na, vb, nb));
}

double vb_welch_df(double va, size_t na, double vb, size_t nb)
{
	return welch_dof(va, na, vb, nb);
}

void vb_mean_var(const double *v, size_t n, double *mean, double *var)
{
	double sum = 0, ss = 0;
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	*mean = n ? sum / (double)n : 0;
	for (size_t i = 0; i < n; i++)
		ss += (v[i] - *mean) * (v[i] - *mean);
	*var = n > 1 ? ss / (double)(n - 1) : 0;
}

void vb_ratio_ci95(const double *a, size_t na, const double *b, size_t nb, double *ratio, double *lo, double *hi)
{
	struct vb_sample sa, sb;
	vb_sample_compute(a, na, &sa);
	vb_sample_compute(b, nb, &sb);
	*ratio = *lo = *hi = NAN;
	if (!na || !nb || !(sa.mean > 0) || !(sb.mean >= 0))
		return;
	*ratio = sb.mean / sa.mean;
	if (na < 2 || nb < 2 || !(sb.mean > 0))
		return;
	/* the log of the ratio, by the delta method: each mean's relative
	 * variance, with Welch's degrees of freedom as compare's test has */
	double va = sa.sd * sa.sd / (double)na / (sa.mean * sa.mean), vb = sb.sd * sb.sd / (double)nb / (sb.mean * sb.mean);
	double se = sqrt(va + vb), t = va + vb > 0 ? vb_t_quantile(0.975, welch_dof(va, na, vb, nb)) : 0;
	*lo = *ratio * exp(-t * se);
	*hi = *ratio * exp(t * se);
}

/* The logs of v into l; false when some value is not positive and finite. */
static bool logs_of(const double *v, size_t n, double *l)
{
	for (size_t i = 0; i < n; i++) {
		if (!(v[i] > 0) || !isfinite(v[i]))
			return false;
		l[i] = log(v[i]);
	}
	return true;
}

int vb_log_ratio_welch(const double *a, size_t na, const double *b, size_t nb, struct vb_log_ratio *out)
{
	double *la = vb_calloc(na + 1, sizeof(double)), *lb = vb_calloc(nb + 1, sizeof(double));
	double ma, va, mb, vb;
	int ret = -1;
	*out = (struct vb_log_ratio){NAN, NAN, NAN, NAN};
	if (!na || !nb || !logs_of(a, na, la) || !logs_of(b, nb, lb))
		goto out;
	vb_mean_var(la, na, &ma, &va);
	vb_mean_var(lb, nb, &mb, &vb);
	out->ratio = exp(mb - ma);
	ret = 0;
	if (na < 2 || nb < 2)
		goto out;
	out->p = vb_welch_p(la, na, lb, nb);
	/* the variances of the two means; none at all: the interval is the point */
	double sa = va / (double)na, sb = vb / (double)nb, se = sqrt(sa + sb);
	double t = sa + sb > 0 ? vb_t_quantile(0.975, welch_dof(sa, na, sb, nb)) : 0;
	out->lo = exp(mb - ma - t * se);
	out->hi = exp(mb - ma + t * se);
out:
	free(la);
	free(lb);
	return ret;
}

unsigned vb_reps_auto_least(unsigned max_reps)
{
	return max_reps < 3 ? max_reps : 3;
}

unsigned long vb_reps_for_cv(double cv, double target_pct, unsigned least)
{
	if (!(cv >= 0) || !(target_pct > 0))
		return 0;
	/* t(0.975) exceeds 1.96 at every n: no n below the normal's answer will do */
	double z = 1.959964 * cv * 100.0 / target_pct;
	if (z * z > (double)VB_REPS_FOR_CV_MAX)
		return 0;
	unsigned long n = (unsigned long)floor(z * z);
	if (n < least)
		n = least;
	if (n < 2)
		n = 2; /* one repetition has no interval: --reps auto never stops at it */
	for (; n <= VB_REPS_FOR_CV_MAX; n++)
		if (vb_t_quantile(0.975, (double)(n - 1)) * cv / sqrt((double)n) * 100.0 <= target_pct)
			return n;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int vb_hist_add_fio_bins(struct vb_hist *h, json_t *bins)
{
	const char *key;
	json_t *val;
	size_t m = 0, nb = json_object_size(bins);

	if (!json_is_object(bins) || nb > VB_HIST_MAX_BINS)
		return -1;
	/* the new bins as (value, count) pairs, checked, then sorted */
	double *add = vb_calloc(nb * 2 + 1, sizeof(double));
	json_object_foreach(bins, key, val) {
		char *end;
		double v = strtod(key, &end);
		double c = json_is_number(val) ? json_number_value(val) : -1;
		if (end == key || *end || !isfinite(v) || v < 0 || !isfinite(c) || c < 0) {
			free(add);
			return -1;
		}
		add[2 * m] = v;
		add[2 * m + 1] = c;
		m++;
	}
	qsort(add, m, 2 * sizeof(double), cmp_double);
	/* merge two sorted lists: O(n + m), equal values summed */
	size_t cap = h->n + m, i = 0, k = 0, n = 0;
	double *value = vb_calloc(cap + 1, sizeof(double)), *count = vb_calloc(cap + 1, sizeof(double));
	while (i < h->n || k < m) {
		double v, c;
		if (k >= m || (i < h->n && h->value[i] <= add[2 * k])) {
			v = h->value[i];
			c = h->count[i++];
		} else {
			v = add[2 * k];
			c = add[2 * k + 1];
			k++;
		}
		if (n && value[n - 1] == v) {
			count[n - 1] += c;
		} else {
			value[n] = v;
			count[n++] = c;
		}
	}
	free(add);
	if (n > VB_HIST_MAX_BINS) {
		free(value);
		free(count);
		return -1;
	}
	free(h->value);
	free(h->count);
	h->value = value;
	h->count = count;
	h->n = n;
	h->cap = cap;
	h->total = 0;
	for (k = 0; k < n; k++)
		h->total += count[k];
	return 0;
}

double vb_hist_percentile(const struct vb_hist *h, double p)
{
	double want = h->total * p / 100.0, cum = 0;
	if (h->total <= 0)
		return 0;
	for (size_t i = 0; i < h->n; i++) {
		cum += h->count[i];
		if (cum >= want)
			return h->value[i];
	}
	return h->n ? h->value[h->n - 1] : 0;
}

void vb_hist_release(struct vb_hist *h)
{
	free(h->value);
	free(h->count);
	memset(h, 0, sizeof(*h));
}
