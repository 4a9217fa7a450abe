/* vms: a --vms point's figures (summary.h, its section for vms.c).  The row of such a point is the
 * aggregate of its measured guests; how they shared the host is the
 * fairness entry; a --neighbour pair gives the headline. */
#include "config.h"
#include "summary/summary.h"
#include "summary/fiojson.h"
#include "summary/runrec.h"
#include "summary/stats.h"
#include "core/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct vb_vms_acc {
	struct vb_hist hist[VB_VMS_MAX][2];   /* each guest's bins, merged over repetitions */
	double iops_sum[VB_VMS_MAX];          /* reads + writes, summed over its repetitions */
	size_t reps[VB_VMS_MAX];              /* repetitions it has figures in */
	size_t failed_reps[VB_VMS_MAX];       /* repetitions it failed in (counted as 0 IOPS) */
	bool seen[VB_VMS_MAX], measured[VB_VMS_MAX], failed[VB_VMS_MAX];
	int n;                                /* guests (the largest "n" seen) */
	double spread;                        /* start spread, the largest; NAN: none */
	char *reason;                         /* the first failed guest's */
};

struct vb_vms_acc *vb_vms_acc_new(void)
{
	struct vb_vms_acc *a = vb_calloc(1, sizeof(*a));
	a->spread = NAN;
	return a;
}

void vb_vms_acc_free(struct vb_vms_acc *a)
{
	if (!a)
		return;
	for (int g = 0; g < VB_VMS_MAX; g++)
		for (int d = 0; d < 2; d++)
			vb_hist_release(&a->hist[g][d]);
	free(a->reason);
	free(a);
}

/* A failed guest: counted, and the first reason kept -- cleaned of
 * control characters and cut short here; each sink escapes it again. */
static void guest_failed(struct vb_vms_acc *a, int i, json_t *g)
{
	a->failed[i] = true;
	if (!a->reason) {
		const char *why = vb_runrec_guest_reason(g);
		a->reason = vb_text_clean(vb_asprintf("%.200s", why ? why : "no reason recorded"));
	}
}

/* One guest's fio figures into the repetition's sums (measured guests
 * only make the row) and its own bins. */
struct sums {
	double iops[2], bw[2], lat_w[2], p99[2], worst[2];
	double ios_all, iops_all, gcpu_us;
	double cpu_rate;                      /* host CPU ns per s, each guest's over its own window */
	bool cpu_lost;                        /* a guest that ran has no CPU figure */
};

/* A guest's host CPU rate (ns per second of its own window): the guests'
 * windows differ, so each is divided by its own.  NAN: not recorded. */
static double guest_cpu_rate(json_t *g)
{
	json_t *hc = vb_runrec_guest_host_cpu(g), *v;
	double w = vb_runrec_host_cpu_window_s(hc), ns = 0;
	const char *k;
	if (!json_is_object(hc) || !(w > 0) || !isfinite(w))
		return NAN;
	json_object_foreach(vb_runrec_host_cpu_processes(hc), k, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return NAN;
		ns += (double)json_integer_value(v);
	}
	return ns / w;
}

static int add_guest(struct vb_summary *s, const char *mode, json_t *g, int i, struct vb_vms_acc *a,
                     struct sums *t)
{
	struct vb_fio_result fr;
	if (vb_summary_read_fio(s, mode, vb_runrec_guest_file(g), &fr) < 0)
		return -1;
	const struct vb_fio_dir *fd[2] = {&fr.read, &fr.write};
	double run_ms = (double)(fr.read.runtime_ms > fr.write.runtime_ms ? fr.read.runtime_ms : fr.write.runtime_ms);
	double job_ms = fr.job_runtime_ms ? (double)fr.job_runtime_ms : run_ms;
	t->ios_all += (double)(fr.read.total_ios + fr.write.total_ios);
	t->iops_all += fr.read.iops + fr.write.iops;
	t->gcpu_us += (fr.usr_cpu + fr.sys_cpu) / 100.0 * job_ms * 1000.0;
	double rate = guest_cpu_rate(g);
	if (isnan(rate))
		t->cpu_lost = true;
	else
		t->cpu_rate += rate;
	a->iops_sum[i] += fr.read.iops + fr.write.iops;
	a->reps[i]++;
	for (int d = 0; d < 2 && vb_runrec_guest_measured(g); d++) {
		t->iops[d] += fd[d]->iops;
		t->bw[d] += fd[d]->bw_bytes;
		t->lat_w[d] += fd[d]->iops * fd[d]->clat_mean_ns;
		t->p99[d] = fmax(t->p99[d], fd[d]->clat_p99_ns);
		t->worst[d] = isnan(t->worst[d]) ? fd[d]->iops : fmin(t->worst[d], fd[d]->iops);
		if (fd[d]->bins && vb_hist_add_fio_bins(&a->hist[i][d], fd[d]->bins) < 0) {
			vb_fio_result_release(&fr);
			return vb_error("'%s/%s/%s': the latency bins are malformed", s->run_dir, mode, vb_runrec_guest_file(g));
		}
	}
	vb_fio_result_release(&fr);
	return 0;
}

/* Host CPU per I/O of the repetition: every guest's QEMU over every
 * guest's I/O, neighbours' too: they are what it paid.  Each guest's CPU
 * over its own window (sums); a run.json without the guests' own figures
 * has only the repetition's sum over guest 1's window. */
static double host_cpu(json_t *rep, const struct sums *t)
{
	double iops_all = t->iops_all;
	if (!t->cpu_lost && t->cpu_rate > 0)
		return iops_all > 0 ? t->cpu_rate / 1000.0 / iops_all : NAN;
	json_t *hc = vb_runrec_rep_host_cpu(rep), *v;
	double w = vb_runrec_host_cpu_window_s(hc), ns = 0;
	const char *k;
	json_object_foreach(vb_runrec_host_cpu_processes(hc), k, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return NAN;
		ns += (double)json_integer_value(v);
	}
	return w > 0 && iops_all > 0 && ns > 0 ? ns / 1000.0 / w / iops_all : NAN;
}

int vb_vms_load_rep(struct vb_summary *s, const char *mode, json_t *rep, struct vb_vms_acc *a,
                    struct vb_vms_rep *out)
{
	json_t *vms = vb_runrec_rep_vms(rep), *g;
	struct sums t = {.worst = {NAN, NAN}};
	size_t k;
	int n = vb_runrec_vms_n(vms);
	if (n < 1 || n > VB_VMS_MAX || json_array_size(vb_runrec_vms_guests(vms)) > (size_t)n)
		return vb_error("'%s/run.json': mode '%s' has a repetition whose vms.n is not 1 to %d guests: the file is damaged",
		                s->run_dir, mode, VB_VMS_MAX);
	a->n = n > a->n ? n : a->n;
	double sp = vb_runrec_vms_start_spread_s(vms);
	bool named[VB_VMS_MAX] = {false};
	if (isfinite(sp) && sp >= 0 && sp < 3600) /* (a start an hour apart is no record of ours) */
		a->spread = isnan(a->spread) ? sp : fmax(a->spread, sp);
	json_array_foreach(vb_runrec_vms_guests(vms), k, g) {
		int vm = vb_runrec_guest_vm(g);
		if (vm < 1 || vm > n)
			return vb_error("'%s/run.json': mode '%s' has a guest numbered outside 1 to %d: the file is damaged",
			                s->run_dir, mode, n);
		if (named[vm - 1])
			return vb_error("'%s/run.json': mode '%s' names guest %d twice in one repetition: the file is damaged",
			                s->run_dir, mode, vm);
		named[vm - 1] = a->seen[vm - 1] = true;
		a->measured[vm - 1] = vb_runrec_guest_measured(g);
		if (vb_runrec_guest_failed(g)) {
			guest_failed(a, vm - 1, g);
			a->failed_reps[vm - 1]++;
			if (a->measured[vm - 1]) /* the slowest measured guest did nothing */
				t.worst[0] = t.worst[1] = 0;
		}
		else if (vb_runrec_guest_file(g) && add_guest(s, mode, g, vm - 1, a, &t) < 0)
			return -1; /* no file: an idle neighbour */
	}
	for (int d = 0; d < 2; d++) {
		/* the aggregate is the measured guests' fio files' sum, as every
		 * other figure of the row (run.json's own sum is the runner's
		 * copy of the same, and input) */
		out->iops[d] = t.iops[d];
		out->bw[d] = t.bw[d];
		out->clat_mean[d] = t.iops[d] > 0 ? t.lat_w[d] / t.iops[d] : 0;
		out->p99[d] = t.p99[d];
		out->worst[d] = isnan(t.worst[d]) ? 0 : t.worst[d];
	}
	out->host_cpu_us_per_io = host_cpu(rep, &t);
	out->guest_cpu_us_per_io = t.ios_all > 0 ? t.gcpu_us / t.ios_all : NAN;
	return 0;
}

void vb_vms_worst_pct(const struct vb_vms_acc *a, int d, double pct[VB_NPCT])
{
	double worst = -1;
	for (int g = 0; g < VB_VMS_MAX; g++) {
		double p99 = vb_hist_percentile(&a->hist[g][d], vb_pct_levels[2]);
		if (!a->measured[g] || a->hist[g][d].total <= 0 || p99 <= worst)
			continue;
		worst = p99;
		for (int p = 0; p < VB_NPCT; p++)
			pct[p] = vb_hist_percentile(&a->hist[g][d], vb_pct_levels[p]);
	}
}

const struct vb_fairness *vb_vms_fairness_find(const struct vb_summary *s, const char *mode, const char *point)
{
	for (size_t i = 0; i < s->nfair; i++)
		if (!strcmp(s->fair[i].mode, mode) && !strcmp(s->fair[i].point, point))
			return &s->fair[i];
	return NULL;
}

void vb_vms_fairness(struct vb_summary *s, const char *mode, json_t *point, const struct vb_vms_acc *a)
{
	if (!(s->fair = realloc(s->fair, (s->nfair + 1) * sizeof(*s->fair))))
		abort();
	struct vb_fairness *f = &s->fair[s->nfair++];
	double sum = 0, sq = 0, lo = INFINITY, hi = 0;
	memset(f, 0, sizeof(*f));
	f->mode = vb_strdup(mode);
	f->point = vb_strdup(vb_runrec_point_label(point));
	f->n = (size_t)a->n;
	f->start_spread_s = a->spread;
	f->partial = vb_runrec_point_partial(point);
	f->reason = a->reason ? vb_strdup(a->reason) : NULL;
	for (int g = 0; g < a->n; g++) {
		struct vb_guest_share *e = &f->guest[g];
		/* a guest the repetitions never name is an idle neighbour (the
		 * runner records only the guests that ran a job or failed) */
		/* a repetition it failed in counts as 0 IOPS: a dead guest is
		 * the least fair share there is, not one left out */
		size_t nr = a->reps[g] + a->failed_reps[g];
		*e = (struct vb_guest_share){.vm = g + 1, .measured = a->seen[g] && a->measured[g], .failed = a->failed[g],
		                             .iops = nr ? a->iops_sum[g] / (double)nr : NAN};
		if (e->measured && a->reps[g])
			f->nran++;
		f->nfailed += a->failed[g];
		f->partial |= a->failed[g];
		if (!e->measured || isnan(e->iops))
			continue;
		f->nmeasured++;
		sum += e->iops;
		sq += e->iops * e->iops;
		lo = fmin(lo, e->iops);
		hi = fmax(hi, e->iops);
	}
	f->jain = sq > 0 ? sum * sum / ((double)f->nmeasured * sq) : NAN;
	f->min_max = hi > 0 ? lo / hi : NAN;
}

/* The measured guest's reads + writes and worst-direction p99 per
 * repetition of a mode's point, into iops[] and p99[] (n values). */
static size_t pair_values(const struct vb_summary *s, const char *mode, const char *point, double **iops, double **p99,
                          double *pct99)
{
	const struct vb_row *r = vb_summary_find(s, mode, point, "read"), *w = vb_summary_find(s, mode, point, "write");
	size_t n = r ? r->n : 0;
	*iops = vb_calloc(n + 1, sizeof(double));
	*p99 = vb_calloc(n + 1, sizeof(double));
	*pct99 = fmax(r ? r->pct[2] : 0, w ? w->pct[2] : 0);
	for (size_t k = 0; k < n; k++) {
		(*iops)[k] = r->val[VB_M_IOPS][k] + (w && k < w->n ? w->val[VB_M_IOPS][k] : 0);
		(*p99)[k] = fmax(r->val[VB_M_CLAT_P99][k], w && k < w->n ? w->val[VB_M_CLAT_P99][k] : 0);
	}
	return n;
}

static void add_pair(struct vb_summary *s, const char *mode, const char *idle, const char *busy)
{
	double *ii, *ip, *bi, *bp, pi, pb;
	size_t ni = pair_values(s, mode, idle, &ii, &ip, &pi), nb = pair_values(s, mode, busy, &bi, &bp, &pb);
	if (ni && nb) {
		if (!(s->nb = realloc(s->nb, (s->nnb + 1) * sizeof(*s->nb))))
			abort();
		struct vb_neighbour *e = &s->nb[s->nnb++];
		struct vb_sample si, sb;
		vb_sample_compute(ii, ni, &si);
		vb_sample_compute(bi, nb, &sb);
		*e = (struct vb_neighbour){.mode = vb_strdup(mode), .idle = vb_strdup(idle), .busy = vb_strdup(busy),
		                           .iops_idle = si.mean, .iops_busy = sb.mean, .p99_idle = pi, .p99_busy = pb};
		/* a neighbour that failed left the busy half quieter than asked */
		const struct vb_fairness *fb = vb_vms_fairness_find(s, mode, busy), *fi = vb_vms_fairness_find(s, mode, idle);
		e->nfailed = (fb ? fb->nfailed : 0) + (fi ? fi->nfailed : 0);
		vb_ratio_ci95(ii, ni, bi, nb, &e->iops_ratio, &e->iops_lo, &e->iops_hi);
		vb_ratio_ci95(ip, ni, bp, nb, &e->p99_ratio, &e->p99_lo, &e->p99_hi);
		/* the p99 ratio is the merged bins' (as the rows show it); its
		 * interval keeps the relative width the per-repetition p99s give */
		if (pi > 0 && pb > 0 && isfinite(e->p99_ratio)) {
			double scale = pb / pi / e->p99_ratio;
			e->p99_lo *= scale;
			e->p99_hi *= scale;
			e->p99_ratio = pb / pi;
		}
	}
	free(ii);
	free(ip);
	free(bi);
	free(bp);
}

void vb_vms_neighbours(struct vb_summary *s)
{
	json_t *points = vb_runrec_job_points(s->run), *b, *i;
	size_t bi, ii;
	json_array_foreach(points, bi, b) {
		json_t *pb = vb_runrec_point_params(b);
		const char *nb = vb_runrec_point_neighbour(pb);
		if (!nb || strcmp(nb, "busy") != 0)
			continue;
		json_array_foreach(points, ii, i) {
			json_t *pi = vb_runrec_point_params(i);
			const char *ni = vb_runrec_point_neighbour(pi);
			if (!ni || strcmp(ni, "idle") != 0 || !vb_runrec_point_same_but_neighbour(pi, pb))
				continue;
			for (size_t m = 0; m < s->nmodes; m++)
				add_pair(s, s->modes[m].mode, s->points[ii], s->points[bi]);
			break;
		}
	}
}

int vb_vms_check_files(json_t *mode, const char *path)
{
	json_t *p, *rep, *g;
	size_t j, k, i;
	json_array_foreach(vb_runrec_mode_points(mode), j, p) {
		json_array_foreach(vb_runrec_point_reps(p), k, rep) {
			json_array_foreach(vb_runrec_vms_guests(vb_runrec_rep_vms(rep)), i, g) {
				json_t *f = vb_runrec_guest_file_json(g);
				if (f && !json_is_null(f) && !vb_valid_relpath(json_string_value(f)))
					return vb_error("'%s': mode '%s', points[%zu].reps[%zu].vms.guests[%zu].file is not a plain file "
					                "name inside the mode folder: the file is damaged",
					                path, vb_runrec_mode_name(mode), j, k, i);
			}
		}
	}
	return 0;
}

void vb_vms_warn_partial(const struct vb_summary *s)
{
	for (size_t i = 0; i < s->nfair; i++) {
		const struct vb_fairness *f = &s->fair[i];
		if (f->partial)
			vb_warn("run %s: %s %s is partial: %zu of %zu guests failed (%s); its aggregate is the other guests', "
			        "and the failed ones count as 0 in worst_guest_iops", s->id, f->mode, f->point, f->nfailed, f->n,
			        f->reason ? f->reason : "no reason recorded");
	}
}

void vb_vms_release(struct vb_summary *s)
{
	for (size_t i = 0; i < s->nfair; i++) {
		free(s->fair[i].mode);
		free(s->fair[i].point);
		free(s->fair[i].reason);
	}
	free(s->fair);
	for (size_t i = 0; i < s->nnb; i++) {
		free(s->nb[i].mode);
		free(s->nb[i].idle);
		free(s->nb[i].busy);
	}
	free(s->nb);
}
