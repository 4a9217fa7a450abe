#include "config.h"
#include "summary/summary.h"
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
};

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
			vb_error("--metric: unknown metric '%s': choose from iops, bw, clat_mean, clat_p99", tok);
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

static const char *jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static double jnum(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* A path stored in run.json must stay inside the run folder. */
/* A file named by run.json, relative to its mode folder: plain
 * components only (check_strings has refused anything else). */
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
	r->cap = nreps;
	r->ratio_host = r->host_cpu_us_per_io = r->guest_cpu_us_per_io = NAN;
	return r;
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
                       double *gcpu, size_t *ng)
{
	double ios = (double)(fr->read.total_ios + fr->write.total_ios);
	double iops = fr->read.iops + fr->write.iops;
	double run_ms = (double)(fr->read.runtime_ms > fr->write.runtime_ms ? fr->read.runtime_ms : fr->write.runtime_ms);
	double job_ms = fr->job_runtime_ms ? (double)fr->job_runtime_ms : run_ms;
	double fio_cpu_us = (fr->usr_cpu + fr->sys_cpu) / 100.0 * job_ms * 1000.0;
	json_t *hc = json_object_get(rep, "host_cpu");

	if (ios <= 0)
		return;
	if (!is_host)
		gcpu[(*ng)++] = fio_cpu_us / ios;
	if (json_is_object(hc)) {
		double w = jnum(hc, "window_s"), ns = 0;
		const char *k;
		json_t *v;
		json_object_foreach(json_object_get(hc, "processes"), k, v) {
			if (!json_is_integer(v) || json_integer_value(v) < 0)
				return;
			ns += (double)json_integer_value(v);
		}
		if (w > 0 && iops > 0 && ns > 0)
			hcpu[(*nh)++] = ns / 1000.0 / w / iops;
	} else if (!json_object_get(rep, "host_cpu")) {
		double qemu_ns = jnum(rep, "host_cpu_ns"), wall = jnum(rep, "wall_s");
		if (is_host)
			hcpu[(*nh)++] = fio_cpu_us / ios;
		else if (!isnan(qemu_ns) && !isnan(wall) && wall > 0)
			hcpu[(*nh)++] = qemu_ns / 1000.0 * (run_ms / 1000.0 / wall) / ios;
	}
}

/* Read and parse one repetition's fio JSON (its path from run.json, which
 * must stay inside the run folder).  Reports and returns -1 on failure. */
static int load_rep(const struct vb_summary *s, const char *mode, json_t *rep, struct vb_fio_result *fr)
{
	const char *file = jstr(rep, "file");
	char *path, *text, *why = NULL;
	size_t len = 0;
	int ret = -1;

	if (!safe_rel(file))
		return vb_error("'%s/run.json': a repetition of mode '%s' names no file inside the run folder", s->run_dir, mode);
	path = vb_asprintf("%s/%s/%s", s->run_dir, mode, file);
	text = vb_read_regular(path, MAX_RESULT_FILE, &len);
	if (!text)
		vb_error("cannot read '%s': %s", path, errno == EFBIG ? "larger than 64 MiB" : errno == EINVAL ? "not a regular file" : strerror(errno));
	else if (vb_fio_parse(text, len, fr, &why) < 0)
		vb_error("'%s' is not fio JSON output (%s): it cannot be summarised", path, why);
	else
		ret = 0;
	free(why);
	free(text);
	free(path);
	return ret;
}

/* One mode's one job point: read every repetition's fio JSON, fill a row
 * per direction. */
static int load_point(struct vb_summary *s, const char *mode, bool is_host, json_t *point)
{
	json_t *reps = json_object_get(point, "reps");
	const char *label = jstr(point, "label");
	size_t n = json_array_size(reps), i;
	static const char *const dirs[2] = {"read", "write"};
	struct vb_row *row[2] = {NULL, NULL};
	struct vb_hist hist[2] = {{0}};
	double *hcpu = vb_calloc(n + 1, sizeof(double)), *gcpu = vb_calloc(n + 1, sizeof(double));
	size_t nh = 0, ng = 0, ok = 0;
	json_t *rep;
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
		if (load_rep(s, mode, rep, &fr) < 0)
			goto out;
		/* the version reaches chart titles and the terminal: only what
		 * looks like fio's own version string is kept */
		if (!s->fio_version && vb_valid_fio_version(fr.fio_version))
			s->fio_version = vb_strdup(fr.fio_version);
		const struct vb_fio_dir *fd[2] = {&fr.read, &fr.write};
		const char *log = jstr(rep, "iops_log");
		for (int d = 0; d < 2; d++) {
			row[d]->val[VB_M_IOPS][ok] = fd[d]->iops;
			row[d]->val[VB_M_BW][ok] = fd[d]->bw_bytes;
			row[d]->val[VB_M_CLAT_MEAN][ok] = fd[d]->clat_mean_ns;
			row[d]->val[VB_M_CLAT_P99][ok] = fd[d]->clat_p99_ns;
			if (fd[d]->bins && vb_hist_add_fio_bins(&hist[d], fd[d]->bins) < 0) {
				vb_error("'%s/%s/%s': the %s latency bins are malformed", s->run_dir, mode, jstr(rep, "file"), dirs[d]);
				vb_fio_result_release(&fr);
				goto out;
			}
			if (safe_rel(log))
				row[d]->iops_logs[ok] = vb_asprintf("%s/%s/%s", s->run_dir, mode, log);
		}
		cpu_per_io(&fr, rep, is_host, hcpu, &nh, gcpu, &ng);
		vb_fio_result_release(&fr);
		ok++;
	}
	for (int d = 0; d < 2; d++) {
		struct vb_sample cs;
		row[d]->n = ok;
		for (int m = 0; m < VB_NMETRICS; m++)
			vb_sample_compute(row[d]->val[m], ok, &row[d]->s[m]);
		for (int p = 0; p < VB_NPCT; p++)
			row[d]->pct[p] = vb_hist_percentile(&hist[d], vb_pct_levels[p]);
		if (nh) {
			vb_sample_compute(hcpu, nh, &cs);
			row[d]->host_cpu_us_per_io = cs.mean;
		}
		if (ng) {
			vb_sample_compute(gcpu, ng, &cs);
			row[d]->guest_cpu_us_per_io = cs.mean;
		}
	}
	ret = 0;
out:
	vb_hist_release(&hist[0]);
	vb_hist_release(&hist[1]);
	free(hcpu);
	free(gcpu);
	return ret;
}

/* Free text of run.json (descriptions, reasons, labels) is shown on a
 * terminal: control characters are replaced in the loaded copy.  (HTML,
 * gnuplot and CSV escape it again for themselves.) */
static void clean_text(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_string(v))
		return;
	char *c = vb_text_clean(vb_strdup(json_string_value(v)));
	if (strcmp(c, json_string_value(v)) != 0)
		json_object_set_new(o, key, json_string(c));
	free(c);
}

/* A point's folder: one plain component, or none ("" or absent: the
 * default point). */
static bool point_dir_ok(json_t *point)
{
	json_t *d = json_object_get(point, "dir");
	return !d || json_is_null(d) || vb_valid_component(json_string_value(d), true);
}

/* Every path a mode entry names (its points' folders, its repetitions'
 * files and IOPS logs) is plain components below the mode folder: never
 * "..", never absolute.  0, or -1 reported naming the field. */
static int check_files(json_t *mode, const char *path)
{
	const char *name = jstr(mode, "mode");
	json_t *p, *rep, *log;
	size_t j, k;
	json_array_foreach(json_object_get(mode, "points"), j, p) {
		if (!point_dir_ok(p))
			return vb_error("'%s': mode '%s', points[%zu].dir is not a plain folder name ([A-Za-z0-9][A-Za-z0-9._-]*): the file is damaged", path, name, j);
		json_array_foreach(json_object_get(p, "reps"), k, rep) {
			if (!vb_valid_relpath(jstr(rep, "file")))
				return vb_error("'%s': mode '%s', points[%zu].reps[%zu].file is not a plain file name inside the mode folder: the file is damaged", path, name, j, k);
			log = json_object_get(rep, "iops_log");
			if (log && !json_is_null(log) && !vb_valid_relpath(json_string_value(log)))
				return vb_error("'%s': mode '%s', points[%zu].reps[%zu].iops_log is not a plain file name inside the mode folder: the file is damaged", path, name, j, k);
		}
	}
	return 0;
}

/* Strings that name files or reach gnuplot scripts must match their
 * whitelist; everything else is cleaned of control characters. */
static int check_strings(struct vb_summary *s, const char *path)
{
	json_t *job = json_object_get(s->run, "job"), *sweep = json_object_get(job, "sweep"), *o, *v;
	const char *k;
	size_t i;

	if (!vb_valid_id(jstr(s->run, "id")))
		return vb_error("'%s': the run id is not a plain name ([A-Za-z0-9._-]): the file is damaged", path);
	json_t *rr = json_object_get(json_object_get(s->run, "config"), "rerun_of");
	if (rr && !json_is_null(rr) && !vb_valid_id(json_string_value(rr)))
		return vb_error("'%s': config.rerun_of is not a plain run id ([A-Za-z0-9._-]): the file is damaged", path);
	k = jstr(json_object_get(s->run, "accelerator"), "name");
	/* none: a run made by 'import' alone, where no guest ran */
	if (k && strcmp(k, "kvm") != 0 && strcmp(k, "tcg") != 0 && strcmp(k, "none") != 0)
		return vb_error("'%s': the accelerator is neither kvm, tcg nor none: the file is damaged", path);
	json_object_foreach(sweep, k, v) {
		if (!vb_sweep_is_param(k))
			return vb_error("'%s': the sweep names a parameter vmio-bench does not sweep: the file is damaged", path);
	}
	if (json_array_size(json_object_get(job, "points")) > VB_SWEEP_MAX_POINTS)
		return vb_error("'%s': more than %d job points, more than a sweep makes: the file is damaged", path,
		                VB_SWEEP_MAX_POINTS);
	json_array_foreach(json_object_get(job, "points"), i, o) {
		if (!point_dir_ok(o))
			return vb_error("'%s': job.points[%zu].dir is not a plain folder name ([A-Za-z0-9][A-Za-z0-9._-]*): the file is damaged", path, i);
	}
	/* a host has a few bus modes (and what was imported beside them):
	 * every table of gate and report grows with them */
	if (json_array_size(json_object_get(s->run, "modes")) > MAX_MODES)
		return vb_error("'%s': more than %d modes: the file is damaged", path, MAX_MODES);
	json_array_foreach(json_object_get(s->run, "modes"), i, o) {
		if (!vb_valid_name(jstr(o, "mode"), 32))
			return vb_error("'%s': a mode entry has no valid name ([a-z0-9-]): the file is damaged", path);
		if (check_files(o, path) < 0)
			return -1;
		clean_text(o, "status");
		clean_text(o, "reason");
		json_t *p;
		size_t j;
		json_array_foreach(json_object_get(o, "points"), j, p) clean_text(p, "label");
	}
	json_array_foreach(json_object_get(job, "points"), i, o) clean_text(o, "label");
	clean_text(job, "description");
	clean_text(s->run, "state");
	clean_text(s->run, "started");
	clean_text(s->run, "ended");
	json_object_foreach(json_object_get(s->run, "versions"), k, v) clean_text(json_object_get(s->run, "versions"), k);
	clean_text(json_object_get(s->run, "accelerator"), "why");
	clean_text(json_object_get(s->run, "host"), "cpu");
	clean_text(json_object_get(s->run, "host"), "hostname");
	clean_text(json_object_get(s->run, "backing_store"), "path");
	return 0;
}

/* "from FILE (and N more), fio-3.33, imported 2026-...": where an
 * imported mode's figures came from, cleaned for any sink; NULL for a
 * mode vmio-bench measured. */
static char *imported_text(json_t *imp)
{
	if (!json_is_object(imp))
		return NULL;
	json_t *files = json_object_get(imp, "files");
	const char *origin = jstr(json_array_get(files, 0), "origin");
	const char *fio = jstr(imp, "fio_version"), *at = jstr(imp, "at");
	size_t more = json_array_size(files) > 1 ? json_array_size(files) - 1 : 0;
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
		const char *l = jstr(p, "label");
		s->points[s->npoints++] = vb_strdup(l ? l : "?");
	}
}

static int load_fleet(struct vb_summary *s);

/* run.json itself: a JSON object of our schema, or NULL after reporting. */
static json_t *load_run_json(const char *run_dir, const char *path)
{
	struct stat st;
	json_error_t err;
	if (stat(path, &st) < 0) {
		vb_error("'%s' is not a vmio-bench run folder (no run.json: %s)", run_dir, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		vb_error("'%s' is not a regular file: not a run.json vmio-bench wrote", path);
		return NULL;
	}
	if (st.st_size > (off_t)MAX_RESULT_FILE) {
		vb_error("'%s' is larger than 64 MiB: not a run.json vmio-bench wrote", path);
		return NULL;
	}
	json_t *run = vb_json_load_regular(path, MAX_RESULT_FILE, JSON_REJECT_DUPLICATES, &err);
	if (!json_is_object(run)) {
		vb_error("'%s' is not valid JSON (line %d: %s)", path, err.line, err.text);
		json_decref(run);
		return NULL;
	}
	json_t *schema = json_object_get(run, "schema");
	if (!json_is_integer(schema) || !VB_RESULTS_SCHEMA_OK(json_integer_value(schema))) {
		vb_error("'%s' has no results schema %d to %d: it was not written by this vmio-bench (or by a newer one: "
		         "upgrade to read it)", path, VB_RESULTS_SCHEMA_MIN, VB_RESULTS_SCHEMA);
		json_decref(run);
		return NULL;
	}
	return run;
}

int vb_summary_load(const char *run_dir, struct vb_summary *s)
{
	char *path = vb_asprintf("%s/run.json", run_dir);
	json_t *modes, *m, *points;
	size_t i;

	memset(s, 0, sizeof(*s));
	s->run_dir = vb_strdup(run_dir);
	if (!(s->run = load_run_json(run_dir, path)))
		goto fail;
	if (json_is_object(json_object_get(s->run, "fleet"))) {
		free(path);
		return load_fleet(s);
	}
	if (check_strings(s, path) < 0)
		goto fail;
	s->id = jstr(s->run, "id");
	s->state = jstr(s->run, "state");
	s->started = jstr(s->run, "started");
	s->accel = jstr(json_object_get(s->run, "accelerator"), "name");
	s->job = jstr(json_object_get(s->run, "job"), "description");
	modes = json_object_get(s->run, "modes");
	points = json_object_get(json_object_get(s->run, "job"), "points");
	if (!s->id || !s->accel || !s->job || !json_is_array(modes)) {
		vb_error("'%s' lacks its id, accelerator, job or modes: the file is damaged", path);
		goto fail;
	}
	s->emulated = strcmp(s->accel, "tcg") == 0;
	json_t *base = json_object_get(s->run, "baseline");
	s->baseline = json_is_string(base) ? json_string_value(base) : json_is_null(base) ? NULL : "host";
	if (s->baseline && !vb_valid_name(s->baseline, 32)) {
		vb_error("'%s': the baseline is not a mode name: the file is damaged", path);
		goto fail;
	}
	load_labels(s, points);
	s->modes = vb_calloc(json_array_size(modes) + 1, sizeof(*s->modes));
	json_array_foreach(modes, i, m) {
		const char *name = jstr(m, "mode");
		json_t *pts = json_object_get(m, "points"), *pt;
		size_t k;
		s->modes[s->nmodes].mode = vb_strdup(name);
		s->modes[s->nmodes].status = vb_strdup(jstr(m, "status") ? jstr(m, "status") : "unknown");
		s->modes[s->nmodes].reason = vb_strdup(jstr(m, "reason"));
		s->modes[s->nmodes].imported = imported_text(json_object_get(m, "imported"));
		s->nmodes++;
		/* no guest: the baseline, and host-side modes run.json marks so
		 * (backend): fio's CPU is the host's, not a guest's */
		bool no_guest = (s->baseline && strcmp(name, s->baseline) == 0) || json_is_false(json_object_get(m, "guest"));
		json_array_foreach(pts, k, pt) {
			if (load_point(s, name, no_guest, pt) < 0)
				goto fail;
		}
	}
	/* ratio to the host baseline: same point, same direction */
	for (size_t r = 0; r < s->nrows; r++) {
		const struct vb_row *h = s->baseline ? vb_summary_find(s, s->baseline, s->rows[r].point, s->rows[r].dir) : NULL;
		if (h && h->s[VB_M_IOPS].mean > 0)
			s->rows[r].ratio_host = s->rows[r].s[VB_M_IOPS].mean / h->s[VB_M_IOPS].mean;
	}
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
	json_array_foreach(json_object_get(h->run, "modes"), k, e) {
		json_t *c = json_deep_copy(e);
		char *name = vb_asprintf("%s/%s", label, jstr(e, "mode"));
		json_object_set_new(c, "mode", json_string(name));
		json_object_set_new(c, "host", json_string(label));
		json_array_append_new(modes, c);
		free(name);
	}
}

/* A host the fleet has no results from: one failed entry for it. */
static void host_missing(struct vb_summary *f, const char *label, json_t *h, json_t *modes)
{
	f->modes = realloc(f->modes, (f->nmodes + 2) * sizeof(*f->modes));
	if (!f->modes)
		abort();
	const char *why = jstr(h, "reason");
	char *reason = vb_text_clean(vb_strdup(why ? why : "no results from this host"));
	f->modes[f->nmodes++] = (struct vb_mode_status){.mode = vb_asprintf("%s/-", label), .status = vb_strdup("failed"),
	                                                .reason = reason};
	json_array_append_new(modes, json_pack("{s:s+, s:s, s:s, s:s}", "mode", label, "/-", "host", label, "status",
	                                       "failed", "reason", reason));
}

/* A fleet's run: each host's folder loaded as a run of its own, rows and
 * modes named HOST/MODE, each divided by its own host's baseline. */
static int load_fleet(struct vb_summary *s)
{
	json_t *top = s->run, *hosts = json_object_get(json_object_get(top, "fleet"), "hosts"), *h, *merged = NULL;
	json_t *modes = json_array();
	size_t i;

	s->run = NULL;
	if (!vb_valid_id(jstr(top, "id")) || !json_is_array(hosts) || json_array_size(hosts) > VB_FLEET_MAX_HOSTS) {
		vb_error("'%s/run.json': a fleet's run without a valid id or hosts (at most %d): the file is damaged", s->run_dir,
		         VB_FLEET_MAX_HOSTS);
		goto fail;
	}
	json_array_foreach(hosts, i, h) {
		const char *label = jstr(h, "label");
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
	json_object_set_new(merged, "modes", modes);
	modes = NULL;
	json_object_set(merged, "id", json_object_get(top, "id"));
	json_object_set(merged, "fleet", json_object_get(top, "fleet"));
	const char *keys[] = {"state", "started", "ended"};
	for (int k = 0; k < 3; k++) {
		json_object_set(merged, keys[k], json_object_get(top, keys[k]));
		clean_text(merged, keys[k]);
	}
	s->run = merged;
	s->fleet = true;
	s->id = jstr(merged, "id");
	s->state = jstr(merged, "state");
	s->started = jstr(merged, "started");
	s->accel = jstr(json_object_get(merged, "accelerator"), "name");
	s->job = jstr(json_object_get(merged, "job"), "description");
	s->emulated = s->accel && strcmp(s->accel, "tcg") == 0;
	json_t *base = json_object_get(merged, "baseline");
	s->baseline = json_is_string(base) ? json_string_value(base) : NULL;
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
		free(r->mode);
		free(r->point);
		free(r->dir);
	}
	free(s->rows);
	for (size_t i = 0; i < s->nmodes; i++) {
		free(s->modes[i].mode);
		free(s->modes[i].status);
		free(s->modes[i].reason);
		free(s->modes[i].imported);
	}
	free(s->modes);
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

json_t *vb_summary_to_json(const struct vb_summary *s)
{
	json_t *rows = json_array(), *modes = json_array();
	for (size_t i = 0; i < s->nrows; i++) {
		const struct vb_row *r = &s->rows[i];
		json_t *o = json_pack("{s:s, s:s, s:s, s:i}", "mode", r->mode, "point", r->point, "dir", r->dir, "reps", (int)r->n);
		if (s->fleet) { /* mode stays HOST/MODE: a fleet's rows are told apart by it */
			char *host = vb_asprintf("%.*s", vb_mode_host_len(r->mode), r->mode);
			json_object_set_new(o, "host", json_string(host));
			free(host);
		}
		for (int m = 0; m < VB_NMETRICS; m++) {
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
		json_array_append_new(rows, o);
	}
	for (size_t i = 0; i < s->nmodes; i++) {
		json_t *m = json_pack("{s:s, s:s, s:s?}", "mode", s->modes[i].mode, "status", s->modes[i].status, "reason",
		                      s->modes[i].reason);
		if (s->modes[i].imported) /* only then: measured runs' summary.json is as it was */
			json_object_set_new(m, "imported", json_string(s->modes[i].imported));
		json_array_append_new(modes, m);
	}
	return json_pack("{s:i, s:s, s:s, s:b, s:s, s:s?, s:s?, s:o, s:o}", "schema", VB_SUMMARY_SCHEMA, "run", s->id,
	                 "accelerator", s->accel, "emulated", s->emulated, "job", s->job, "fio_version", s->fio_version,
	                 "state", s->state, "modes", modes, "rows", rows);
}

