/* reps: repetitions and the rules that stop them (reps.h): --reps N, or
 * --reps auto's confidence interval against --ci-target and its cap. */
#include "config.h"
#include "runner/reps.h"
#include "summary/stats.h"
#include "summary/runrec.h"
#include "host/hostload.h"
#include "core/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

unsigned vb_reps_max(const struct vb_config *c)
{
	return c->reps ? c->reps : c->max_reps;
}

/* --reps auto stops a point after at least 3 repetitions (or the cap,
 * when it is 2). */
static unsigned auto_least(const struct vb_config *c)
{
	return vb_reps_auto_least(c->max_reps);
}

unsigned vb_reps_least(const struct vb_config *c)
{
	return c->reps ? c->reps : auto_least(c);
}

static bool rep_done(json_t **point_reps, size_t pi, unsigned rep)
{
	return json_array_size(point_reps[pi]) >= rep;
}

/* --reps auto: whether the 95% confidence interval of a point's IOPS is
 * within target percent of the mean in every direction the job exercises
 * (at least 2 repetitions with the figure).  ci_pct gets each direction's
 * interval (read, write; NAN where the point does no I/O that way). */
static bool ci_met(double target, json_t *reps, double ci_pct[2])
{
	size_t n = json_array_size(reps);
	bool ok = n >= 2;
	for (int d = 0; d < 2; d++) {
		double *v = vb_calloc(n ? n : 1, sizeof(double));
		size_t k = 0, i;
		json_t *r;
		json_array_foreach(reps, i, r) {
			double x = vb_runrec_rep_iops(r, d == 1);
			if (!isnan(x))
				v[k++] = x;
		}
		struct vb_sample smp;
		vb_sample_compute(v, k, &smp);
		free(v);
		ci_pct[d] = smp.mean > 0 && k >= 2 ? smp.ci95 / smp.mean * 100.0 : NAN;
		if (k < n) /* a repetition without the figure (from before it was recorded) */
			ok = false;
		else if (smp.mean > 0 && !(ci_pct[d] <= target))
			ok = false;
	}
	return ok;
}

/* --reps auto stops a point after at least 3 repetitions (or the cap,
 * when it is 2) once its interval meets --ci-target. */
static bool settled(const struct vb_config *c, json_t *reps)
{
	double ci[2];
	return json_array_size(reps) >= auto_least(c) && ci_met(c->ci_target, reps, ci);
}

bool vb_reps_need(const struct vb_runner *x, json_t **point_reps, size_t pi, unsigned rep)
{
	const char *st = x->plan.points[pi].cfg.storage;
	if (x->storage_now && st && strcmp(st, x->storage_now) != 0)
		return false; /* another storage model's point: another guest's */
	if (x->vms_now && x->plan.points[pi].cfg.vms != x->vms_now)
		return false; /* --vms: another N's point: another group of guests' */
	if (rep_done(point_reps, pi, rep))
		return false;
	return x->cfg->reps || !settled(x->cfg, point_reps[pi]);
}

bool vb_reps_left(const struct vb_runner *x, json_t **point_reps, unsigned first, unsigned last)
{
	for (unsigned rep = first; rep <= last; rep++)
		for (size_t pi = 0; pi < x->plan.npoints; pi++)
			if (vb_reps_need(x, point_reps, pi, rep))
				return true;
	return false;
}

void vb_reps_record_stops(const struct vb_runner *x, json_t *mj, json_t **point_reps)
{
	if (x->cfg->reps)
		return;
	for (size_t pi = 0; pi < x->plan.npoints; pi++) {
		double ci[2];
		bool met = ci_met(x->cfg->ci_target, point_reps[pi], ci);
		vb_runrec_point_set_auto_reps(mj, pi, met, (int)json_array_size(point_reps[pi]), x->cfg->ci_target, ci[0],
		                              ci[1]);
	}
}

/* The means of a point's repetitions' host_load (loadavg over those that
 * have one; other_qemu: the most in one repetition); how many had one. */
static int load_mean(json_t *reps, struct vb_runrec_load *m)
{
	struct vb_runrec_load l;
	json_t *r;
	size_t i;
	int n = 0, nl = 0;
	memset(m, 0, sizeof(*m));
	json_array_foreach(reps, i, r) {
		if (!vb_runrec_rep_host_load(r, &l))
			continue;
		n++;
		m->window_s += isnan(l.window_s) ? 0 : l.window_s;
		m->total_cpu += isnan(l.total_cpu) ? 0 : l.total_cpu;
		m->own_cpu += l.own_cpu;
		m->other_cpu += l.other_cpu;
		m->other_qemu_cpu += isnan(l.other_qemu_cpu) ? 0 : l.other_qemu_cpu;
		if (l.other_qemu > m->other_qemu)
			m->other_qemu = l.other_qemu;
		if (!isnan(l.loadavg) && l.loadavg >= 0) {
			m->loadavg += l.loadavg;
			nl++;
		}
		m->cpus = l.cpus;
	}
	if (n) {
		m->window_s /= n;
		m->total_cpu /= n;
		m->own_cpu /= n;
		m->other_cpu /= n;
		m->other_qemu_cpu /= n;
	}
	m->loadavg = nl ? m->loadavg / nl : NAN;
	return n;
}

/* The first repetition of a point that was busy on its own, named in
 * why: false when none was. */
static bool rep_busy(json_t *reps, char *why, size_t n)
{
	struct vb_runrec_load l;
	char one[200];
	json_t *r;
	size_t i;
	json_array_foreach(reps, i, r) {
		if (vb_runrec_rep_host_load(r, &l) &&
		    vb_hostload_busy(l.other_cpu, l.other_qemu, isnan(l.other_qemu_cpu) ? 0 : l.other_qemu_cpu, one, sizeof(one))) {
			snprintf(why, n, "repetition %zu of %zu: %s", i + 1, json_array_size(reps), one);
			return true;
		}
	}
	return false;
}

int vb_reps_point_load(json_t *reps, struct vb_runrec_load *m, bool *busy, char *why, size_t n)
{
	int k = load_mean(reps, m);
	*busy = k && vb_hostload_busy(m->other_cpu, m->other_qemu, m->other_qemu_cpu, why, n);
	if (k && !*busy) /* a mean hides a hog that took one repetition of three: each is judged too */
		*busy = rep_busy(reps, why, n);
	return k;
}

void vb_reps_record_host_load(const struct vb_runner *x, json_t *mj, json_t **point_reps)
{
	for (size_t pi = 0; pi < x->plan.npoints; pi++) {
		struct vb_runrec_load m;
		char why[256];
		bool busy;
		int n = point_reps[pi] ? vb_reps_point_load(point_reps[pi], &m, &busy, why, sizeof(why)) : 0;
		if (n)
			vb_runrec_point_set_host_load(mj, pi, &m, n, busy, busy ? why : NULL);
	}
}
