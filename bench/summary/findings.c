/* findings: the statements a run's figures support (findings.h), computed
 * from the summary; worded by render/findings.c. */
#include "config.h"
#include "summary/findings.h"
#include "summary/rank.h"
#include "summary/runrec.h"
#include "summary/stats.h"
#include "summary/summary.h"
#include "core/options.h"
#include "core/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A mode with figures at a scope, a candidate for the ranking. */
struct cand {
	const char *full;      /* as the summary names it (HOST/MODE in a fleet) */
	double *v;             /* headline IOPS per repetition (owned) */
	size_t n, order;       /* repetitions; its place in run.json (ties) */
	double mean, cv_dirs;  /* cv_dirs: the largest CV of the directions the job exercises */
	bool imported;
};

/* Where statements are being gathered: the run, its list, one scope. */
struct gather {
	const struct vb_summary *s;
	struct vb_findings *fs;
	const char *host;      /* the scope's fleet host (NULL outside a fleet) */
	const char *point;     /* the scope's job point */
	enum vb_headline headline;
	double ci_target;
	unsigned max_reps;
};

static struct vb_finding *add(struct gather *g, enum vb_finding_kind kind, const char *point)
{
	struct vb_findings *fs = g->fs;
	fs->f = realloc(fs->f, (fs->n + 1) * sizeof(*fs->f));
	if (!fs->f)
		abort();
	struct vb_finding *f = &fs->f[fs->n++];
	*f = (struct vb_finding){.kind = kind, .headline = g->headline, .mean = NAN, .mean_other = NAN, .value = NAN,
	                         .lo = NAN, .hi = NAN, .p = NAN, .q = NAN};
	f->host = g->host ? vb_strdup(g->host) : NULL;
	f->point = point && g->s->npoints > 1 ? vb_strdup(point) : NULL;
	return f;
}

/* An option the run recorded (its run.json config), else the option's
 * default (runs from before it was recorded). */
static double option_value(const struct vb_summary *s, const char *name, const char *key)
{
	json_t *v = vb_runrec_config_get(s->run, key);
	/* within any option's range: a damaged file's figure stays harmless */
	if (json_is_number(v) && json_number_value(v) > 0 && json_number_value(v) <= 1e6)
		return json_number_value(v);
	VB_FOREACH_OPTION(o) {
		if (!strcmp(o->name, name) && o->defval)
			return strtod(o->defval, NULL);
	}
	return NAN;
}

static bool mode_imported(const struct vb_summary *s, const char *full)
{
	for (size_t i = 0; i < s->nmodes; i++)
		if (!strcmp(s->modes[i].mode, full))
			return s->modes[i].imported != NULL;
	return false;
}

/* The headline IOPS of mode at point per repetition (reads + writes: a
 * side the job does not exercise adds 0) into c; which sides it exercised
 * into used[]; false when the point has no figures. */
static bool candidate(const struct vb_summary *s, const char *full, const char *point, struct cand *c, bool used[2])
{
	const struct vb_row *r = vb_summary_find(s, full, point, "read"), *w = vb_summary_find(s, full, point, "write");
	if (!r || !w || !r->n || r->n != w->n)
		return false;
	const struct vb_row *side[2] = {r, w};
	struct vb_sample x;
	*c = (struct cand){.full = full, .n = r->n, .v = vb_calloc(r->n, sizeof(double)),
	                   .imported = mode_imported(s, full)};
	for (size_t k = 0; k < r->n; k++)
		c->v[k] = r->val[VB_M_IOPS][k] + w->val[VB_M_IOPS][k];
	vb_sample_compute(c->v, c->n, &x);
	c->mean = x.mean;
	c->cv_dirs = x.cv;
	for (int d = 0; d < 2; d++) {
		if (!(side[d]->s[VB_M_IOPS].mean > 0))
			continue;
		used[d] = true;
		if (side[d]->s[VB_M_IOPS].cv > c->cv_dirs)
			c->cv_dirs = side[d]->s[VB_M_IOPS].cv;
	}
	return true;
}

static int by_mean(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->mean != y->mean)
		return x->mean < y->mean ? 1 : -1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* The mode every other is divided by: a fleet's summary keeps only a
 * recorded one, but each host's rows were divided by the host's own
 * (run.json's, "host" in runs from before it was recorded). */
static const char *baseline_of(const struct vb_summary *s)
{
	return s->fleet ? vb_runrec_baseline(s->run) : s->baseline;
}

static bool is_baseline(const struct vb_summary *s, const char *full)
{
	const char *b = baseline_of(s);
	return b && !strcmp(vb_mode_bare(full), b);
}

/* Does full belong to the scope's host (every mode, outside a fleet)? */
static bool on_host(const char *full, const char *host)
{
	if (!host)
		return true;
	size_t n = strlen(host);
	return (size_t)vb_mode_host_len(full) == n && !strncmp(full, host, n);
}

static void add_rank(struct gather *g, const struct cand *c, size_t nc)
{
	struct vb_finding *f = add(g, VB_FINDING_RANK, g->point);
	f->ranked = vb_calloc(nc, sizeof(*f->ranked));
	f->nranked = nc;
	for (size_t i = 0; i < nc; i++)
		f->ranked[i] = (struct vb_ranked){.mode = vb_strdup(vb_mode_bare(c[i].full)), .mean = c[i].mean, .n = c[i].n,
		                                  .imported = c[i].imported};
}

/* Mode a against mode b, the next in the ranking: geometric means, the
 * interval and Welch's test on their logs. */
static void add_step(struct gather *g, const struct cand *a, const struct cand *b)
{
	struct vb_finding *f = add(g, VB_FINDING_STEP, g->point);
	struct vb_log_ratio lr;
	f->mode = vb_strdup(vb_mode_bare(a->full));
	f->other = vb_strdup(vb_mode_bare(b->full));
	f->imported = a->imported;
	f->other_imported = b->imported;
	f->n = a->n;
	f->n_other = b->n;
	f->mean = a->mean;
	f->mean_other = b->mean;
	if (vb_log_ratio_welch(b->v, b->n, a->v, a->n, &lr) == 0) {
		f->value = lr.ratio;
		f->lo = lr.lo;
		f->hi = lr.hi;
		f->p = lr.p;
	} else if (b->mean > 0) { /* a repetition without I/O: the means' ratio, no test */
		f->value = a->mean / b->mean;
	}
}

/* The best mode's share of the baseline at the scope: the ratio of the
 * means, as the tables' "of host" column, with its interval. */
static void add_share(struct gather *g, const struct cand *best, const struct cand *base)
{
	struct vb_finding *f = add(g, VB_FINDING_SHARE, g->point);
	f->mode = vb_strdup(vb_mode_bare(best->full));
	f->other = vb_strdup(vb_mode_bare(base->full));
	f->imported = best->imported;
	f->n = best->n;
	f->n_other = base->n;
	f->mean = best->mean;
	f->mean_other = base->mean;
	vb_ratio_ci95(base->v, base->n, best->v, best->n, &f->value, &f->lo, &f->hi);
}

/* A mode whose repetitions spread over VB_FINDINGS_CV_WEAK: what
 * --reps auto would need, from the largest spread it would check. */
static void add_spread(struct gather *g, const struct cand *c)
{
	struct vb_sample x;
	vb_sample_compute(c->v, c->n, &x);
	if (c->n < 2 || !(x.cv > VB_FINDINGS_CV_WEAK))
		return;
	struct vb_finding *f = add(g, VB_FINDING_SPREAD, g->point);
	f->mode = vb_strdup(vb_mode_bare(c->full));
	f->imported = c->imported;
	f->n = c->n;
	f->mean = c->mean;
	f->value = x.cv;
	f->ci_target = g->ci_target;
	f->max_reps = g->max_reps;
	f->reps_needed = vb_reps_for_cv(c->cv_dirs, g->ci_target, vb_reps_auto_least(g->max_reps));
}

/* A mode measured while the host was busy (its point's host_load, issue
 * 28): its figures may be low, whatever the steps say. */
static void add_busy(struct gather *g, const struct cand *c)
{
	const struct vb_row *r = vb_summary_find(g->s, c->full, g->point, "read");
	if (!r || !r->busy)
		return;
	struct vb_finding *f = add(g, VB_FINDING_BUSY, g->point);
	f->mode = vb_strdup(vb_mode_bare(c->full));
	f->imported = c->imported;
	f->n = c->n;
	f->mean = c->mean;
	f->value = r->other_cpu;
	f->reason = r->busy_why ? vb_strdup(r->busy_why) : NULL;
}

static void free_cands(struct cand *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(c[i].v);
	free(c);
}

/* One scope: the host's modes with figures at the point, ranked. */
static void scope(struct gather *g)
{
	const struct vb_summary *s = g->s;
	struct cand *c = vb_calloc(s->nmodes + 1, sizeof(*c)), base = {0};
	size_t nc = 0;
	bool used[2] = {false, false}, has_base = false;
	for (size_t i = 0; i < s->nmodes; i++) {
		const struct vb_mode_status *m = &s->modes[i];
		if (!on_host(m->mode, g->host) || strcmp(m->status, "ok") != 0)
			continue; /* a failed mode is not ranked (named at the end) */
		if (is_baseline(s, m->mode))
			has_base = candidate(s, m->mode, g->point, &base, used);
		else if (candidate(s, m->mode, g->point, &c[nc], used))
			c[nc++].order = i;
	}
	g->headline = used[0] && used[1] ? VB_HEADLINE_TOTAL : used[1] ? VB_HEADLINE_WRITE : used[0] ? VB_HEADLINE_READ
	                                                                                          : VB_HEADLINE_TOTAL;
	qsort(c, nc, sizeof(*c), by_mean);
	if (nc >= 2)
		add_rank(g, c, nc);
	for (size_t i = 0; i + 1 < nc; i++)
		add_step(g, &c[i], &c[i + 1]);
	if (nc && has_base && base.mean > 0)
		add_share(g, &c[0], &base);
	if (has_base)
		add_spread(g, &base);
	for (size_t i = 0; i < nc; i++)
		add_spread(g, &c[i]);
	if (has_base)
		add_busy(g, &base);
	for (size_t i = 0; i < nc; i++)
		add_busy(g, &c[i]);
	free(base.v);
	free_cands(c, nc);
}

/* The host's modes that are not ranked anywhere: failed, unavailable,
 * not run (a fleet's host without results is its "HOST/-"). */
static void not_ranked(struct gather *g)
{
	const struct vb_summary *s = g->s;
	for (size_t i = 0; i < s->nmodes; i++) {
		const struct vb_mode_status *m = &s->modes[i];
		if (!on_host(m->mode, g->host) || !strcmp(m->status, "ok"))
			continue;
		struct vb_finding *f = add(g, VB_FINDING_NOT_RANKED, NULL);
		f->mode = vb_strdup(vb_mode_bare(m->mode));
		f->status = vb_strdup(m->status);
		f->reason = m->reason ? vb_strdup(m->reason) : NULL;
		f->imported = m->imported != NULL;
	}
}

/* Benjamini-Hochberg over every tested step of the run. */
static void adjust(struct vb_findings *fs)
{
	double *p = vb_calloc(fs->n + 1, sizeof(double));
	size_t k = 0;
	for (size_t i = 0; i < fs->n; i++)
		if (fs->f[i].kind == VB_FINDING_STEP && !isnan(fs->f[i].p))
			p[k++] = fs->f[i].p;
	vb_bh_adjust(p, k, p);
	fs->ntests = k;
	k = 0;
	for (size_t i = 0; i < fs->n; i++) {
		struct vb_finding *f = &fs->f[i];
		if (f->kind != VB_FINDING_STEP || isnan(f->p))
			continue;
		f->q = p[k++];
		f->significant = f->q < VB_FINDINGS_ALPHA;
	}
	free(p);
}

/* A fleet's hosts, in the order of their modes: each mode's HOST part,
 * first seen (borrowed from the summary; lengths in len). */
static size_t hosts_of(const struct vb_summary *s, const char **host, int *len)
{
	size_t n = 0;
	for (size_t i = 0; i < s->nmodes; i++) {
		const char *m = s->modes[i].mode;
		int l = vb_mode_host_len(m);
		size_t k = 0;
		while (k < n && !(len[k] == l && !strncmp(host[k], m, (size_t)l)))
			k++;
		if (k == n) {
			host[n] = m;
			len[n++] = l;
		}
	}
	return n;
}

struct vb_findings *vb_findings_new(const struct vb_summary *s)
{
	struct vb_findings *fs = vb_calloc(1, sizeof(*fs));
	struct gather g = {.s = s, .fs = fs, .ci_target = option_value(s, "ci-target", "ci_target"),
	                   .max_reps = (unsigned)option_value(s, "max-reps", "max_reps")};
	const char **host = vb_calloc(s->nmodes + 1, sizeof(char *));
	int *len = vb_calloc(s->nmodes + 1, sizeof(int));
	size_t nh = s->fleet ? hosts_of(s, host, len) : 1;
	fs->scoped = nh > 1 || s->npoints > 1;
	for (size_t h = 0; h < nh; h++) {
		char *name = s->fleet ? vb_asprintf("%.*s", len[h], host[h]) : NULL;
		g.host = name;
		for (size_t p = 0; p < s->npoints; p++) {
			g.point = s->points[p];
			scope(&g);
		}
		not_ranked(&g);
		free(name);
	}
	adjust(fs);
	free(host);
	free(len);
	return fs;
}

void vb_findings_free(struct vb_findings *fs)
{
	if (!fs)
		return;
	for (size_t i = 0; i < fs->n; i++) {
		struct vb_finding *f = &fs->f[i];
		for (size_t k = 0; k < f->nranked; k++)
			free(f->ranked[k].mode);
		free(f->ranked);
		free(f->host);
		free(f->point);
		free(f->mode);
		free(f->other);
		free(f->status);
		free(f->reason);
	}
	free(fs->f);
	free(fs);
}
