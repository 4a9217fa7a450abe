#include "config.h"
#include "summary/summary.h"
#include "core/iotune.h"
#include "summary/runrec.h"
#include "summary/fiojson.h"
#include "core/results.h"
#include "core/sweep.h"
#include "core/util.h"

#include <unistd.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const double vb_pct_levels[VB_NPCT] = {50, 90, 99, 99.9, 99.99};
const struct vb_metric_info vb_metrics[VB_NMETRICS] = {
	[VB_M_IOPS] = {"iops", "IOPS", true},
	[VB_M_BW] = {"bw", "bytes/s", true},
	[VB_M_CLAT_MEAN] = {"clat_mean", "ns", false},
	[VB_M_CLAT_P99] = {"clat_p99", "ns", false},
	[VB_M_WORST_GUEST_IOPS] = {"worst_guest_iops", "IOPS", true},
};

bool vb_row_has_metric(const struct vb_row *r, int m)
{
	return m != VB_M_WORST_GUEST_IOPS || r->vms;
}

int vb_metrics_parse(const char *list, bool want[VB_NMETRICS])
{
	char *copy = vb_strdup(list), *save = NULL, *tok;
	int n = 0;
	memset(want, 0, sizeof(bool) * VB_NMETRICS);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int m;
		for (m = 0; m < VB_NMETRICS && strcmp(vb_metrics[m].name, tok); m++)
			;
		if (m == VB_NMETRICS) {
			vb_error("--metric: unknown metric '%s': choose from iops, bw, clat_mean, clat_p99, worst_guest_iops", tok);
			free(copy);
			return -1;
		}
		want[m] = true;
		n++;
	}
	free(copy);
	return n ? 0 : vb_error("--metric: the list is empty: e.g. --metric iops,clat_p99");
}

#define MAX_RESULT_FILE (64u << 20)
#define MAX_MODES 256       /* mode entries in one run.json */

/* A path stored in run.json must stay inside the run folder. */
/* A file named by run.json, relative to its mode folder: plain
 * components only (check_strings has refused anything else). */

/* A storage model's name from run.json (input): a short word of
 * lowercase letters, digits and dashes, or "?" for anything else, so
 * that it can reach a terminal, a chart or a page as it is. */
static const char *storage_word(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (!n || n > 32 || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
		return "?";
	return s;
}

static bool safe_rel(const char *p)
{
	return vb_valid_relpath(p);
}

static struct vb_row *add_row(struct vb_summary *s, const char *mode, const char *point, const char *dir, size_t nreps)
{
	struct vb_row *r;
	s->rows = realloc(s->rows, (s->nrows + 1) * sizeof(*s->rows));
	if (!s->rows)
		abort();
	r = &s->rows[s->nrows++];
	memset(r, 0, sizeof(*r));
	r->mode = vb_strdup(mode);
	r->point = vb_strdup(point);
	r->dir = vb_strdup(dir);
	for (int m = 0; m < VB_NMETRICS; m++)
		r->val[m] = vb_calloc(nreps, sizeof(double));
	r->iops_logs = vb_calloc(nreps, sizeof(char *));
	r->lat_logs = vb_calloc(nreps, sizeof(char *));
	r->host_cpu_rep = vb_calloc(nreps, sizeof(double));
	for (size_t k = 0; k < nreps; k++)
		r->host_cpu_rep[k] = NAN;
	r->cap = nreps;
	r->ratio_host = r->host_cpu_us_per_io = r->guest_cpu_us_per_io = NAN;
	return r;
}

static bool split_label_ok(const char *l)
{
	size_t n = strspn(l, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");
	return n > 0 && n <= 32 && !l[n];
}

/* The host CPU per I/O of one repetition by thread class, summed into
 * sum ({label: us}) over the repetitions that have it (*n): the classes of
 * every process in host_cpu, QEMU's by their names, a helper's and
 * vhost's own threads under the process's name.  per: us per ns. */
static void split_add(json_t *sum, size_t *n, json_t *hc, double per)
{
	json_t *one = json_object(), *v, *cv;
	const char *k, *c;
	json_object_foreach(vb_runrec_host_cpu_processes(hc), k, v) {
		json_t *classes = vb_runrec_host_cpu_classes(hc, k);
		if (!json_is_object(classes))
			goto out; /* a process not read by thread: no split */
		json_object_foreach(classes, c, cv) {
			if (!json_is_integer(cv) || json_integer_value(cv) < 0)
				goto out;
			const char *label = !strcmp(c, "helper") ? k : c;
			if (!split_label_ok(label))
				label = "other"; /* it reaches the terminal and the page: a plain word only */
			json_t *had = json_object_get(one, label);
			json_object_set_new(one, label, json_real(json_number_value(had) + (double)json_integer_value(cv) * per));
		}
	}
	json_object_foreach(one, k, v) {
		json_t *had = json_object_get(sum, k);
		json_object_set_new(sum, k, json_real(json_number_value(had) + json_number_value(v)));
	}
	(*n)++;
out:
	json_decref(one);
}

/* sum's classes over n repetitions, each their mean (new reference). */
static json_t *split_mean(json_t *sum, size_t n)
{
	json_t *o = json_object(), *v;
	const char *k;
	json_object_foreach(sum, k, v) json_object_set_new(o, k, json_real(json_number_value(v) / (double)n));
	return o;
}

/* CPU per I/O of one repetition.
 * - In the guest (or for host, on the host): fio's usr_cpu and sys_cpu
 *   are percentages of job_runtime, which with group_reporting is summed
 *   over the jobs, so the CPU fio's jobs used is their sum times that.
 * - On the host: the CPU of every process serving the I/O (QEMU, the
 *   storage daemon or tgtd; fio itself for host), sampled at the edges of
 *   the job's window (vb_job_window), as a rate, over fio's I/O rate.
 *   Runs stored before windows existed have host_cpu_ns over the whole job,
 *   scaled by runtime/wall; they are read as they were. */
static void cpu_per_io(const struct vb_fio_result *fr, json_t *rep, bool is_host, double *hcpu, size_t *nh,
                       double *gcpu, size_t *ng, json_t *split, size_t *nsplit)
{
	double ios = (double)(fr->read.total_ios + fr->write.total_ios);
	double iops = fr->read.iops + fr->write.iops;
	double run_ms = (double)(fr->read.runtime_ms > fr->write.runtime_ms ? fr->read.runtime_ms : fr->write.runtime_ms);
	double job_ms = fr->job_runtime_ms ? (double)fr->job_runtime_ms : run_ms;
	double fio_cpu_us = (fr->usr_cpu + fr->sys_cpu) / 100.0 * job_ms * 1000.0;
	json_t *hc = vb_runrec_rep_host_cpu(rep);

	if (ios <= 0)
		return;
	if (!is_host)
		gcpu[(*ng)++] = fio_cpu_us / ios;
	if (json_is_object(hc)) {
		double w = vb_runrec_host_cpu_window_s(hc), ns = 0;
		const char *k;
		json_t *v;
		json_object_foreach(vb_runrec_host_cpu_processes(hc), k, v) {
			if (!json_is_integer(v) || json_integer_value(v) < 0)
				return;
			ns += (double)json_integer_value(v);
		}
		if (w > 0 && iops > 0 && ns > 0) {
			hcpu[(*nh)++] = ns / 1000.0 / w / iops;
			split_add(split, nsplit, hc, 1.0 / 1000.0 / w / iops);
		}
	} else if (!hc) {
		double qemu_ns = vb_runrec_rep_host_cpu_ns(rep), wall = vb_runrec_rep_wall_s(rep);
		if (is_host)
			hcpu[(*nh)++] = fio_cpu_us / ios;
		else if (!isnan(qemu_ns) && !isnan(wall) && wall > 0)
			hcpu[(*nh)++] = qemu_ns / 1000.0 * (run_ms / 1000.0 / wall) / ios;
	}
}

/* Read and parse one fio JSON named by run.json (which must stay inside
 * the run folder).  Reports and returns -1 on failure. */
int vb_summary_read_fio(struct vb_summary *s, const char *mode, const char *file, struct vb_fio_result *fr)
{
	char *path, *text, *why = NULL;
	size_t len = 0;
	int ret = -1;

	if (!safe_rel(file))
		return vb_error("'%s/run.json': a repetition of mode '%s' names no file inside the run folder", s->run_dir, mode);
	path = vb_asprintf("%s/%s/%s", s->run_dir, mode, file);
	char *rel = vb_asprintf("%s/%s", mode, file);
	text = vb_read_regular_below(s->run_dir, rel, MAX_RESULT_FILE, &len);
	free(rel);
	if (!text)
		vb_error("cannot read '%s': %s", path,
		         errno == EFBIG    ? "larger than 64 MiB"
		         : errno == EINVAL ? "not a regular file (a link, in a folder or as the file, is not followed)"
		                           : strerror(errno));
	else if (vb_fio_parse(text, len, fr, &why) < 0)
		vb_error("'%s' is not fio JSON output (%s): it cannot be summarised", path, why);
	else
		ret = 0;
	/* the version reaches chart titles and the terminal: only what looks
	 * like fio's own version string is kept */
	if (!ret && !s->fio_version && vb_valid_fio_version(fr->fio_version))
		s->fio_version = vb_strdup(fr->fio_version);
	free(why);
	free(text);
	free(path);
	return ret;
}

/* A --vms repetition into the rows' index k: the aggregate of its
 * measured guests (vms.c). */
static int load_vms_rep(struct vb_summary *s, const char *mode, json_t *rep, struct vb_vms_acc *a, struct vb_row *row[2],
                        size_t k, double *hcpu, size_t *nh, double *gcpu, size_t *ng)
{
	struct vb_vms_rep f;
	if (vb_vms_load_rep(s, mode, rep, a, &f) < 0)
		return -1;
	for (int d = 0; d < 2; d++) {
		row[d]->vms = true;
		row[d]->val[VB_M_IOPS][k] = f.iops[d];
		row[d]->val[VB_M_BW][k] = f.bw[d];
		row[d]->val[VB_M_CLAT_MEAN][k] = f.clat_mean[d];
		row[d]->val[VB_M_CLAT_P99][k] = f.p99[d];
		row[d]->val[VB_M_WORST_GUEST_IOPS][k] = f.worst[d];
	}
	if (!isnan(f.host_cpu_us_per_io))
		hcpu[(*nh)++] = f.host_cpu_us_per_io;
	if (!isnan(f.guest_cpu_us_per_io))
		gcpu[(*ng)++] = f.guest_cpu_us_per_io;
	return 0;
}

/* The rows' statistics over their k repetitions; a --vms point's
 * percentiles are its worst guest's. */
static void finish_rows(struct vb_row *row[2], size_t k, struct vb_hist hist[2], const struct vb_vms_acc *vms,
                        const double *hcpu, size_t nh, const double *gcpu, size_t ng)
{
	for (int d = 0; d < 2; d++) {
		struct vb_sample cs;
		row[d]->n = k;
		for (int m = 0; m < VB_NMETRICS; m++)
			vb_sample_compute(row[d]->val[m], k, &row[d]->s[m]);
		for (int p = 0; p < VB_NPCT; p++)
			row[d]->pct[p] = vb_hist_percentile(&hist[d], vb_pct_levels[p]);
		if (vms)
			vb_vms_worst_pct(vms, d, row[d]->pct);
		if (nh) {
			vb_sample_compute(hcpu, nh, &cs);
			row[d]->host_cpu_us_per_io = cs.mean;
		}
		if (ng) {
			vb_sample_compute(gcpu, ng, &cs);
			row[d]->guest_cpu_us_per_io = cs.mean;
		}
	}
}

/* issue 28: the point's host_load and busy flag onto both its rows (its
 * why is free text from the results folder: cleaned for a terminal). */
static void load_busy(json_t *point, struct vb_row *row[2])
{
	struct vb_runrec_load l;
	bool busy;
	const char *why;
	if (!vb_runrec_point_host_load(point, &l, &busy, &why))
		return;
	for (int d = 0; d < 2; d++) {
		row[d]->has_load = true;
		row[d]->busy = busy;
		row[d]->busy_why = busy ? vb_text_clean(vb_strdup(why ? why : "no reason recorded")) : NULL;
		row[d]->other_cpu = l.other_cpu;
		row[d]->other_qemu = l.other_qemu;
	}
}

/* One mode's one job point: read every repetition's fio JSON, fill a row
 * per direction. */
static int load_point(struct vb_summary *s, const char *mode, bool is_host, json_t *point)
{
	json_t *reps = vb_runrec_point_reps(point);
	const char *label = vb_runrec_point_label(point);
	size_t n = json_array_size(reps), i;
	static const char *const dirs[2] = {"read", "write"};
	struct vb_row *row[2] = {NULL, NULL};
	struct vb_hist hist[2] = {{0}};
	double *hcpu = vb_calloc(n + 1, sizeof(double)), *gcpu = vb_calloc(n + 1, sizeof(double));
	size_t nh = 0, ng = 0, ok = 0, nsplit = 0;
	struct vb_vms_acc *vms = NULL;
	json_t *rep, *split = json_object();
	int ret = -1;

	if (!label || !json_is_array(reps)) {
		vb_error("'%s/run.json': mode '%s' has a point without a label or reps: the file is damaged", s->run_dir, mode);
		goto out;
	}
	if (!n) {
		ret = 0;
		goto out;
	}
	/* add both rows first: adding moves the array */
	size_t first = s->nrows;
	for (int d = 0; d < 2; d++)
		add_row(s, mode, label, dirs[d], n);
	for (int d = 0; d < 2; d++)
		row[d] = &s->rows[first + d];
	json_array_foreach(reps, i, rep) {
		struct vb_fio_result fr;
		if (vb_runrec_rep_vms(rep)) {
			vms = vms ? vms : vb_vms_acc_new();
			if (load_vms_rep(s, mode, rep, vms, row, ok++, hcpu, &nh, gcpu, &ng) < 0)
				goto out;
			continue;
		}
		if (vb_summary_read_fio(s, mode, vb_runrec_rep_file(rep), &fr) < 0)
			goto out;
		const struct vb_fio_dir *fd[2] = {&fr.read, &fr.write};
		const char *log = json_string_value(vb_runrec_rep_iops_log(rep));
		const char *lat = json_string_value(vb_runrec_rep_lat_log(rep));
		for (int d = 0; d < 2; d++) {
			row[d]->val[VB_M_IOPS][ok] = fd[d]->iops;
			row[d]->val[VB_M_BW][ok] = fd[d]->bw_bytes;
			row[d]->val[VB_M_CLAT_MEAN][ok] = fd[d]->clat_mean_ns;
			row[d]->val[VB_M_CLAT_P99][ok] = fd[d]->clat_p99_ns;
			if (fd[d]->bins && vb_hist_add_fio_bins(&hist[d], fd[d]->bins) < 0) {
				vb_error("'%s/%s/%s': the %s latency bins are malformed", s->run_dir, mode, vb_runrec_rep_file(rep), dirs[d]);
				vb_fio_result_release(&fr);
				goto out;
			}
			if (safe_rel(log))
				row[d]->iops_logs[ok] = vb_asprintf("%s/%s/%s", s->run_dir, mode, log);
			if (safe_rel(lat))
				row[d]->lat_logs[ok] = vb_asprintf("%s/%s/%s", s->run_dir, mode, lat);
		}
		size_t nh0 = nh;
		cpu_per_io(&fr, rep, is_host, hcpu, &nh, gcpu, &ng, split, &nsplit);
		for (int d = 0; d < 2 && nh > nh0; d++)
			row[d]->host_cpu_rep[ok] = hcpu[nh - 1];
		vb_fio_result_release(&fr);
		ok++;
	}
	finish_rows(row, ok, hist, vms, hcpu, nh, gcpu, ng);
	load_busy(point, row);
	if (vms)
		vb_vms_fairness(s, mode, point, vms);
	for (int d = 0; d < 2; d++)
		if (nh && nsplit == nh) /* the mean of each class: they add up to the mean */
			row[d]->host_cpu_split = split_mean(split, nsplit);
	ret = 0;
out:
	vb_hist_release(&hist[0]);
	vb_hist_release(&hist[1]);
	vb_vms_acc_free(vms);
	json_decref(split);
	free(hcpu);
	free(gcpu);
	return ret;
}

/* A point's folder: one plain component, or none ("" or absent: the
 * default point). */
static bool point_dir_ok(json_t *point)
{
	json_t *d = vb_runrec_point_dir(point);
	return !d || json_is_null(d) || vb_valid_component(json_string_value(d), true);
}

/* Every path a mode entry names (its points' folders, its repetitions'
 * files and IOPS logs) is plain components below the mode folder: never
 * "..", never absolute.  0, or -1 reported naming the field. */
static int check_files(json_t *mode, const char *path)
{
	const char *name = vb_runrec_mode_name(mode);
	json_t *p, *rep, *log;
	size_t j, k;
	json_array_foreach(vb_runrec_mode_points(mode), j, p) {
		if (!point_dir_ok(p))
			return vb_error("'%s': mode '%s', points[%zu].dir is not a plain folder name ([A-Za-z0-9][A-Za-z0-9._+-]*): the file is damaged", path, name, j);
		json_array_foreach(vb_runrec_point_reps(p), k, rep) {
			if (!vb_valid_relpath(vb_runrec_rep_file(rep)))
				return vb_error("'%s': mode '%s', points[%zu].reps[%zu].file is not a plain file name inside the mode folder: the file is damaged", path, name, j, k);
			log = vb_runrec_rep_iops_log(rep);
			if (log && !json_is_null(log) && !vb_valid_relpath(json_string_value(log)))
				return vb_error("'%s': mode '%s', points[%zu].reps[%zu].iops_log is not a plain file name inside the mode folder: the file is damaged", path, name, j, k);
			log = vb_runrec_rep_lat_log(rep);
			if (log && !vb_valid_relpath(json_string_value(log)))
				return vb_error("'%s': mode '%s', points[%zu].reps[%zu].lat_log is not a plain file name inside the mode folder: the file is damaged", path, name, j, k);
		}
	}
	return 0;
}

/* Strings that name files or reach gnuplot scripts must match their
 * whitelist; everything else is cleaned of control characters. */
static int check_strings(struct vb_summary *s, const char *path)
{
	json_t *sweep = vb_runrec_job_sweep(s->run), *points = vb_runrec_job_points(s->run), *o, *v;
	const char *k;
	size_t i;

	if (!vb_valid_id(vb_runrec_id(s->run)))
		return vb_error("'%s': the run id is not a plain name ([A-Za-z0-9._-]): the file is damaged", path);
	json_t *rr = vb_runrec_config_get(s->run, "rerun_of");
	if (rr && !json_is_null(rr) && !vb_valid_id(json_string_value(rr)))
		return vb_error("'%s': config.rerun_of is not a plain run id ([A-Za-z0-9._-]): the file is damaged", path);
	k = vb_runrec_accel(s->run);
	/* none: a run made by 'import' alone, where no guest ran */
	if (k && strcmp(k, "kvm") != 0 && strcmp(k, "tcg") != 0 && strcmp(k, "none") != 0)
		return vb_error("'%s': the accelerator is neither kvm, tcg nor none: the file is damaged", path);
	json_object_foreach(sweep, k, v) {
		if (!vb_sweep_is_param(k))
			return vb_error("'%s': the sweep names a parameter vmio-bench does not sweep: the file is damaged", path);
	}
	if (json_array_size(points) > VB_SWEEP_MAX_POINTS)
		return vb_error("'%s': more than %d job points, more than a sweep makes: the file is damaged", path,
		                VB_SWEEP_MAX_POINTS);
	json_array_foreach(points, i, o) {
		if (!point_dir_ok(o))
			return vb_error("'%s': job.points[%zu].dir is not a plain folder name ([A-Za-z0-9][A-Za-z0-9._+-]*): the file is damaged", path, i);
	}
	/* a host has a few bus modes (and what was imported beside them):
	 * every table of gate and report grows with them */
	if (json_array_size(vb_runrec_modes(s->run)) > MAX_MODES)
		return vb_error("'%s': more than %d modes: the file is damaged", path, MAX_MODES);
	json_array_foreach(vb_runrec_modes(s->run), i, o) {
		if (!vb_valid_name(vb_runrec_mode_name(o), 32))
			return vb_error("'%s': a mode entry has no valid name ([a-z0-9-]): the file is damaged", path);
		if (check_files(o, path) < 0 || vb_vms_check_files(o, path) < 0)
			return -1;
	}
	/* free text of run.json (descriptions, reasons, labels) is shown on a
	 * terminal: control characters are replaced in the loaded copy (HTML,
	 * gnuplot and CSV escape it again for themselves) */
	vb_runrec_clean_text(s->run, vb_text_clean);
	return 0;
}

/* "from FILE (and N more), fio-3.33, imported 2026-...": where an
 * imported mode's figures came from, cleaned for any sink; NULL for a
 * mode vmio-bench measured. */
static char *imported_text(json_t *imp)
{
	if (!json_is_object(imp))
		return NULL;
	const char *origin = vb_runrec_imported_origin(imp);
	const char *fio = vb_runrec_imported_fio(imp), *at = vb_runrec_imported_at(imp);
	size_t nfiles = vb_runrec_imported_nfiles(imp), more = nfiles > 1 ? nfiles - 1 : 0;
	char *t = vb_asprintf("from %.300s%s%.0zu%s, %.44s, imported %.40s", origin ? origin : "an unnamed file",
	                      more ? " and " : "", more, more ? " more" : "", fio ? fio : "fio version unknown",
	                      at ? at : "at an unknown time");
	return vb_text_clean(t);
}

/* The job points' labels, in plan order. */
static void load_labels(struct vb_summary *s, json_t *points)
{
	json_t *p;
	size_t i;
	if (!json_is_array(points))
		return;
	s->points = vb_calloc(json_array_size(points) + 1, sizeof(char *));
	json_array_foreach(points, i, p) {
		const char *l = vb_runrec_point_label(p);
		s->points[s->npoints++] = vb_strdup(l ? l : "?");
	}
}

static int load_fleet(struct vb_summary *s);

/* The rate a limit caps, as the point measured it: the mean of the read
 * row, the write row, or both (total). */
static double limited_rate(const struct vb_summary *s, const char *mode, const char *point,
                           const struct vb_iotune_name *n)
{
	static const char *const dirs[2] = {"read", "write"};
	int m = n->kind == VB_IOTUNE_BYTES ? VB_M_BW : VB_M_IOPS;
	double sum = 0;
	for (int d = 0; d < 2; d++) {
		const struct vb_row *r = vb_summary_find(s, mode, point, dirs[d]);
		if (!strcmp(n->dir, "total") || !strcmp(n->dir, dirs[d]))
			sum += r ? r->s[m].mean : NAN;
	}
	return sum;
}

/* Mode m's --iotune rate limits (not its bursts) beside each point's
 * measured rate.  Only names of core/iotune.h's table are taken: run.json
 * is input, and the name reaches the terminal. */
static void load_limits(struct vb_summary *s, json_t *m)
{
	json_t *all = vb_runrec_mode_iotune_all(m), *v;
	const char *mode = vb_runrec_mode_name(m), *k;
	json_object_foreach(all, k, v) {
		const struct vb_iotune_name *n = vb_iotune_find(k);
		if (!n || n->kind == VB_IOTUNE_BURST || !json_is_integer(v) || json_integer_value(v) <= 0)
			continue;
		for (size_t p = 0; p < s->npoints; p++) {
			double got = limited_rate(s, mode, s->points[p], n);
			if (isnan(got))
				continue; /* the point has no figures */
			/* <iotune> limits each guest's disk: a --vms row is their sum */
			const struct vb_fairness *f = vb_vms_fairness_find(s, mode, s->points[p]);
			size_t per = f && f->nran ? f->nran : 0;
			if (per)
				got /= (double)per;
			s->limits = realloc(s->limits, (s->nlimits + 1) * sizeof(*s->limits));
			if (!s->limits)
				abort();
			s->limits[s->nlimits++] = (struct vb_limit){
				.mode = vb_strdup(mode), .point = vb_strdup(s->points[p]), .name = n->name,
				.bytes = n->kind == VB_IOTUNE_BYTES, .limit = (double)json_integer_value(v), .measured = got,
				.per_guest = per};
		}
	}
}

int vb_summary_load(const char *run_dir, struct vb_summary *s)
{
	char *path = vb_asprintf("%s/run.json", run_dir);
	json_t *modes, *m, *points;
	size_t i;

	memset(s, 0, sizeof(*s));
	s->run_dir = vb_strdup(run_dir);
	if (!(s->run = vb_runrec_load(run_dir, path)))
		goto fail;
	if (vb_runrec_is_fleet(s->run)) {
		free(path);
		return load_fleet(s);
	}
	if (check_strings(s, path) < 0)
		goto fail;
	s->id = vb_runrec_id(s->run);
	s->state = vb_runrec_state(s->run);
	s->started = vb_runrec_started(s->run);
	s->accel = vb_runrec_accel(s->run);
	s->job = vb_runrec_job_description(s->run);
	s->storage = storage_word(vb_runrec_storage(s->run));
	modes = vb_runrec_modes(s->run);
	points = vb_runrec_job_points(s->run);
	if (!s->id || !s->accel || !s->job || !json_is_array(modes)) {
		vb_error("'%s' lacks its id, accelerator, job or modes: the file is damaged", path);
		goto fail;
	}
	s->emulated = strcmp(s->accel, "tcg") == 0;
	s->baseline = vb_runrec_baseline(s->run);
	if (s->baseline && !vb_valid_name(s->baseline, 32)) {
		vb_error("'%s': the baseline is not a mode name: the file is damaged", path);
		goto fail;
	}
	load_labels(s, points);
	s->modes = vb_calloc(json_array_size(modes) + 1, sizeof(*s->modes));
	json_array_foreach(modes, i, m) {
		const char *name = vb_runrec_mode_name(m);
		json_t *pts = vb_runrec_mode_points(m), *pt;
		size_t k;
		s->modes[s->nmodes].mode = vb_strdup(name);
		const char *status = vb_runrec_mode_status(m);
		s->modes[s->nmodes].status = vb_strdup(status ? status : "unknown");
		s->modes[s->nmodes].reason = vb_strdup(vb_runrec_mode_reason(m));
		s->modes[s->nmodes].imported = imported_text(vb_runrec_mode_imported(m));
		s->nmodes++;
		/* no guest: the baseline, and host-side modes run.json marks so
		 * (backend): fio's CPU is the host's, not a guest's */
		bool no_guest = (s->baseline && strcmp(name, s->baseline) == 0) || vb_runrec_mode_no_guest(m);
		json_array_foreach(pts, k, pt) {
			if (load_point(s, name, no_guest, pt) < 0)
				goto fail;
		}
	}
	json_array_foreach(modes, i, m)
		load_limits(s, m);
	/* ratio to the host baseline: same point, same direction */
	for (size_t r = 0; r < s->nrows; r++) {
		const struct vb_row *h = s->baseline ? vb_summary_find(s, s->baseline, s->rows[r].point, s->rows[r].dir) : NULL;
		if (h && h->s[VB_M_IOPS].mean > 0)
			s->rows[r].ratio_host = s->rows[r].s[VB_M_IOPS].mean / h->s[VB_M_IOPS].mean;
	}
	vb_vms_neighbours(s);
	free(path);
	return 0;
fail:
	free(path);
	vb_summary_release(s);
	return -1;
}

bool vb_mode_unavailable(const struct vb_mode_status *m)
{
	return strcmp(m->status, "unavailable") == 0;
}

const char *vb_mode_bare(const char *mode)
{
	const char *slash = strchr(mode, '/');
	return slash ? slash + 1 : mode;
}

int vb_mode_host_len(const char *mode)
{
	const char *slash = strchr(mode, '/');
	return slash ? (int)(slash - mode) : 0;
}

/* Take host's rows and modes into the fleet's summary f, named
 * "HOST/MODE"; host's run.json modes likewise into modes. */
static void merge_host(struct vb_summary *f, struct vb_summary *h, const char *label, json_t *modes)
{
	f->rows = realloc(f->rows, (f->nrows + h->nrows + 1) * sizeof(*f->rows));
	f->modes = realloc(f->modes, (f->nmodes + h->nmodes + 1) * sizeof(*f->modes));
	if (!f->rows || !f->modes)
		abort();
	for (size_t i = 0; i < h->nrows; i++) {
		struct vb_row *r = &f->rows[f->nrows++];
		*r = h->rows[i];
		r->mode = vb_asprintf("%s/%s", label, h->rows[i].mode);
		free(h->rows[i].mode);
	}
	h->nrows = 0;
	for (size_t i = 0; i < h->nmodes; i++) {
		struct vb_mode_status *m = &f->modes[f->nmodes++];
		*m = h->modes[i];
		m->mode = vb_asprintf("%s/%s", label, h->modes[i].mode);
		free(h->modes[i].mode);
	}
	h->nmodes = 0;
	json_t *e;
	size_t k;
	json_array_foreach(vb_runrec_modes(h->run), k, e) {
		char *name = vb_asprintf("%s/%s", label, vb_runrec_mode_name(e));
		json_array_append_new(modes, vb_runrec_fleet_mode_new(e, name, label));
		free(name);
	}
}

/* A host the fleet has no results from: one failed entry for it. */
static void host_missing(struct vb_summary *f, const char *label, json_t *h, json_t *modes)
{
	f->modes = realloc(f->modes, (f->nmodes + 2) * sizeof(*f->modes));
	if (!f->modes)
		abort();
	const char *why = vb_runrec_fleet_host_reason(h);
	char *reason = vb_text_clean(vb_strdup(why ? why : "no results from this host"));
	f->modes[f->nmodes++] = (struct vb_mode_status){.mode = vb_asprintf("%s/-", label), .status = vb_strdup("failed"),
	                                                .reason = reason};
	char *name = vb_asprintf("%s/-", label);
	json_array_append_new(modes, vb_runrec_fleet_missing_new(name, label, reason));
	free(name);
}

/* A fleet's run: each host's folder loaded as a run of its own, rows and
 * modes named HOST/MODE, each divided by its own host's baseline. */
static int load_fleet(struct vb_summary *s)
{
	json_t *top = s->run, *hosts = vb_runrec_fleet_hosts(top), *h, *merged = NULL;
	json_t *modes = json_array();
	size_t i;

	s->run = NULL;
	if (!vb_valid_id(vb_runrec_id(top)) || !json_is_array(hosts) || json_array_size(hosts) > VB_FLEET_MAX_HOSTS) {
		vb_error("'%s/run.json': a fleet's run without a valid id or hosts (at most %d): the file is damaged", s->run_dir,
		         VB_FLEET_MAX_HOSTS);
		goto fail;
	}
	json_array_foreach(hosts, i, h) {
		const char *label = vb_runrec_fleet_host_label(h);
		if (!vb_valid_label(label)) {
			vb_error("'%s/run.json': a host of the fleet has no valid name ([A-Za-z0-9.-]): the file is damaged", s->run_dir);
			goto fail;
		}
		char *sub = vb_asprintf("%s/%s", s->run_dir, label), *p = vb_asprintf("%s/run.json", sub);
		bool there = access(p, F_OK) == 0;
		struct vb_summary hs;
		free(p);
		if (there && vb_summary_load(sub, &hs) < 0) {
			free(sub);
			goto fail;
		}
		free(sub);
		if (!there) {
			host_missing(s, label, h, modes);
			continue;
		}
		if (!merged) { /* the job, accelerator and versions of the first host stand for the fleet's */
			merged = json_deep_copy(hs.run);
			s->fio_version = hs.fio_version ? vb_strdup(hs.fio_version) : NULL;
			for (size_t k = 0; k < hs.npoints; k++) {
				s->points = realloc(s->points, (s->npoints + 2) * sizeof(char *));
				s->points[s->npoints++] = vb_strdup(hs.points[k]);
			}
		}
		merge_host(s, &hs, label, modes);
		vb_summary_release(&hs);
	}
	if (!merged) {
		vb_error("'%s': no host of the fleet has results yet: continue it with 'vmio-bench run --resume %s'", s->run_dir,
		         s->run_dir);
		goto fail;
	}
	vb_runrec_fleet_merge(merged, top, modes, vb_text_clean);
	modes = NULL;
	s->run = merged;
	s->fleet = true;
	s->id = vb_runrec_id(merged);
	s->state = vb_runrec_state(merged);
	s->started = vb_runrec_started(merged);
	s->accel = vb_runrec_accel(merged);
	s->job = vb_runrec_job_description(merged);
	s->storage = storage_word(vb_runrec_storage(merged));
	s->emulated = s->accel && strcmp(s->accel, "tcg") == 0;
	s->baseline = vb_runrec_baseline_recorded(merged);
	json_decref(top);
	return 0;
fail:
	json_decref(top);
	json_decref(modes);
	vb_summary_release(s);
	return -1;
}

const struct vb_row *vb_summary_find(const struct vb_summary *s, const char *mode, const char *point, const char *dir)
{
	for (size_t i = 0; i < s->nrows; i++)
		if (!strcmp(s->rows[i].mode, mode) && !strcmp(s->rows[i].point, point) && !strcmp(s->rows[i].dir, dir))
			return &s->rows[i];
	return NULL;
}

void vb_summary_release(struct vb_summary *s)
{
	for (size_t i = 0; i < s->nrows; i++) {
		struct vb_row *r = &s->rows[i];
		for (int m = 0; m < VB_NMETRICS; m++)
			free(r->val[m]);
		for (size_t k = 0; r->iops_logs && k < r->cap; k++)
			free(r->iops_logs[k]);
		free(r->iops_logs);
		for (size_t k = 0; r->lat_logs && k < r->cap; k++)
			free(r->lat_logs[k]);
		free(r->lat_logs);
		free(r->host_cpu_rep);
		json_decref(r->host_cpu_split);
		free(r->busy_why);
		free(r->mode);
		free(r->point);
		free(r->dir);
	}
	free(s->rows);
	for (size_t i = 0; i < s->nlimits; i++) {
		free(s->limits[i].mode);
		free(s->limits[i].point);
	}
	free(s->limits);
	for (size_t i = 0; i < s->nmodes; i++) {
		free(s->modes[i].mode);
		free(s->modes[i].status);
		free(s->modes[i].reason);
		free(s->modes[i].imported);
	}
	free(s->modes);
	vb_vms_release(s);
	for (size_t i = 0; i < s->npoints; i++)
		free(s->points[i]);
	free(s->points);
	free(s->fio_version);
	free(s->run_dir);
	json_decref(s->run);
	memset(s, 0, sizeof(*s));
}

static json_t *num_or_null(double v)
{
	return isnan(v) || isinf(v) ? json_null() : json_real(v);
}

/* [{"mode", "point", "limit": NAME, "value", "unit", "measured",
 * "of_limit"}, ...] */
static json_t *limits_json(const struct vb_summary *s)
{
	json_t *a = json_array();
	for (size_t i = 0; i < s->nlimits; i++) {
		const struct vb_limit *l = &s->limits[i];
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:f, s:s, s:o, s:o}", "mode", l->mode, "point", l->point,
		                                   "limit", l->name, "value", l->limit, "unit", l->bytes ? "bytes/s" : "IOPS",
		                                   "measured", num_or_null(l->measured),
		                                   "of_limit", num_or_null(l->measured / l->limit)));
	}
	return a;
}

/* summary.json's "fairness": per --vms mode and point, each guest's
 * share and the indices over the measured ones. */
static json_t *fairness_json(const struct vb_summary *s)
{
	json_t *a = json_array();
	for (size_t i = 0; i < s->nfair; i++) {
		const struct vb_fairness *f = &s->fair[i];
		json_t *g = json_array();
		for (size_t k = 0; k < f->n; k++)
			json_array_append_new(g, json_pack("{s:i, s:s, s:s, s:o}", "vm", f->guest[k].vm, "role",
			                                   f->guest[k].measured ? "measured" : "neighbour", "status",
			                                   f->guest[k].failed ? "failed" : "ok", "iops", num_or_null(f->guest[k].iops)));
		json_array_append_new(a, json_pack("{s:s, s:s, s:i, s:i, s:o, s:o, s:o, s:b, s:i, s:s?, s:o}", "mode", f->mode,
		                                   "point", f->point, "n", (int)f->n, "measured", (int)f->nmeasured, "jain",
		                                   num_or_null(f->jain), "min_max", num_or_null(f->min_max), "start_spread_s",
		                                   num_or_null(f->start_spread_s), "partial", f->partial, "failed",
		                                   (int)f->nfailed, "reason", f->reason, "guests", g));
	}
	return a;
}

static json_t *ratio_json(double r, double lo, double hi)
{
	return json_pack("{s:o, s:[o, o]}", "ratio", num_or_null(r), "ci95", num_or_null(lo), num_or_null(hi));
}

/* summary.json's "neighbours": the measured guest idle against busy. */
static json_t *neighbours_json(const struct vb_summary *s)
{
	json_t *a = json_array();
	for (size_t i = 0; i < s->nnb; i++) {
		const struct vb_neighbour *e = &s->nb[i];
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:{s:o, s:o}, s:{s:o, s:o}, s:o, s:o}", "mode", e->mode,
		                                   "idle", e->idle, "busy", e->busy, "iops", "idle", num_or_null(e->iops_idle),
		                                   "busy", num_or_null(e->iops_busy), "clat_p99_ns", "idle",
		                                   num_or_null(e->p99_idle), "busy", num_or_null(e->p99_busy), "iops_busy_idle",
		                                   ratio_json(e->iops_ratio, e->iops_lo, e->iops_hi), "p99_busy_idle",
		                                   ratio_json(e->p99_ratio, e->p99_lo, e->p99_hi)));
	}
	return a;
}

json_t *vb_summary_to_json(const struct vb_summary *s)
{
	json_t *rows = json_array(), *modes = json_array();
	bool any_load = false;
	for (size_t i = 0; i < s->nrows; i++)
		any_load |= s->rows[i].has_load;
	for (size_t i = 0; i < s->nrows; i++) {
		const struct vb_row *r = &s->rows[i];
		json_t *o = json_pack("{s:s, s:s, s:s, s:i}", "mode", r->mode, "point", r->point, "dir", r->dir, "reps", (int)r->n);
		if (s->fleet) { /* mode stays HOST/MODE: a fleet's rows are told apart by it */
			char *host = vb_asprintf("%.*s", vb_mode_host_len(r->mode), r->mode);
			json_object_set_new(o, "host", json_string(host));
			free(host);
		}
		for (int m = 0; m < VB_NMETRICS; m++) {
			if (!vb_row_has_metric(r, m))
				continue;
			json_t *vals = json_array();
			for (size_t k = 0; k < r->n; k++)
				json_array_append_new(vals, json_real(r->val[m][k]));
			json_object_set_new(o, vb_metrics[m].name, json_pack("{s:o, s:o, s:o, s:o, s:o}",
				"mean", num_or_null(r->s[m].mean), "sd", num_or_null(r->s[m].sd),
				"ci95", num_or_null(r->s[m].ci95), "cv", num_or_null(r->s[m].cv), "values", vals));
		}
		json_t *pct = json_object();
		for (int p = 0; p < VB_NPCT; p++) {
			char k[16];
			snprintf(k, sizeof(k), "p%g", vb_pct_levels[p]);
			json_object_set_new(pct, k, num_or_null(r->pct[p]));
		}
		json_object_set_new(o, "clat_percentiles_ns", pct);
		json_object_set_new(o, "ratio_to_host", num_or_null(r->ratio_host));
		json_object_set_new(o, "host_cpu_us_per_io", num_or_null(r->host_cpu_us_per_io));
		json_object_set_new(o, "guest_cpu_us_per_io", num_or_null(r->guest_cpu_us_per_io));
		if (r->vms) /* only then: other runs' summary.json is as it was */
			json_object_set_new(o, "vms", json_true());
		if (r->host_cpu_split) /* only then: older runs' summary.json is as it was */
			json_object_set_new(o, "host_cpu_split_us_per_io", json_deep_copy(r->host_cpu_split));
		if (r->has_load) /* only then: runs without host_load keep their summary.json */
			json_object_set_new(o, "host_load", json_pack("{s:b, s:s?, s:o, s:i}", "busy", r->busy, "why",
			                                              r->busy_why, "other_cpu", num_or_null(r->other_cpu),
			                                              "other_qemu", r->other_qemu));
		else if (any_load) /* one shape for a run's rows: null where the load was not judged (a
		                    * host-side mode whose fio's CPU was not read on a remote hypervisor) */
			json_object_set_new(o, "host_load", json_null());
		json_array_append_new(rows, o);
	}
	for (size_t i = 0; i < s->nmodes; i++) {
		json_t *m = json_pack("{s:s, s:s, s:s?}", "mode", s->modes[i].mode, "status", s->modes[i].status, "reason",
		                      s->modes[i].reason);
		if (s->modes[i].imported) /* only then: measured runs' summary.json is as it was */
			json_object_set_new(m, "imported", json_string(s->modes[i].imported));
		json_array_append_new(modes, m);
	}
	json_t *doc = json_pack("{s:i, s:s, s:s, s:b, s:s, s:s?, s:s?, s:o, s:o}", "schema", VB_SUMMARY_SCHEMA, "run", s->id,
	                        "accelerator", s->accel, "emulated", s->emulated, "job", s->job, "fio_version", s->fio_version,
	                        "state", s->state, "modes", modes, "rows", rows);
	if (s->nfair)
		json_object_set_new(doc, "fairness", fairness_json(s));
	if (s->nnb)
		json_object_set_new(doc, "neighbours", neighbours_json(s));
	if (s->nlimits) /* only then: summary.json of runs without --iotune is as it was */
		json_object_set_new(doc, "iotune", limits_json(s));
	return doc;
}

