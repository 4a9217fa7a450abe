/* job: one job point's repetition, in a guest or on the host, and what is
 * kept of it (job.h). */
#include "config.h"
#include "runner/job.h"
#include "runner/reps.h"
#include "guest/agent.h"
#include "host/hostload.h"
#include "summary/fiojson.h"
#include "summary/runrec.h"
#include "core/job.h"
#include "core/lathist.h"
#include "core/progress.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A lat log (core/lathist.h), from a guest or the host's fio: read
 * strictly, then written by us (nothing of what came is copied), or
 * left out with a warning: latency over time never fails a repetition. */
struct lat_in {
	const char *text; /* NULL: none came */
	size_t len;
	bool truncated;   /* cut where it was made */
};

static void keep_lat_log(const char *pdir, const char *prefix, unsigned rep, const struct lat_in *lat, json_t *entry)
{
	struct vb_latrow *rows;
	size_t n;
	bool cut;
	const char *bad;
	if (!lat || !lat->text)
		return;
	if (vb_latlog_parse(lat->text, lat->len, &rows, &n, &cut, &bad) < 0) {
		vb_warn("'%s': repetition %u's latency log %s: it is left out (latency over time is not drawn for it).", pdir, rep, bad);
		return;
	}
	if (!n) { /* fio closed no 1 s window (a run under a second) */
		free(rows);
		return;
	}
	char *text = vb_latlog_format(rows, n), *p = vb_asprintf("%s/rep-%u.lat.log", pdir, rep);
	if (text && vb_write_file_atomic(p, text, strlen(text)) == 0) {
		char *l = vb_asprintf("%srep-%u.lat.log", prefix, rep);
		vb_runrec_rep_set_lat_log(entry, l, cut || lat->truncated);
		free(l);
	}
	free(p);
	free(text);
	free(rows);
}

/* Keep one repetition: fio's JSON exactly as fio wrote it (checked to be
 * fio JSON), its IOPS and latency logs, and what the controller measured
 * around it (extra: the seed, the host CPU; stolen). */
static int keep_rep(struct vb_runner *x, const char *pdir, const char *prefix, unsigned rep, const char *text, size_t len,
                    const char *iops_log, const struct lat_in *lat, json_t *extra, json_t *reps, char **why)
{
	struct vb_fio_result fr;
	char *p;
	int rc;
	if (vb_fio_parse(text, len, &fr, why) < 0) {
		json_decref(extra);
		return -1;
	}
	if (vb_valid_fio_version(fr.fio_version))
		vb_runrec_set_fio_version(x->runjson, fr.fio_version);
	p = vb_asprintf("%s/rep-%u.fio.json", pdir, rep);
	rc = vb_write_file_atomic(p, text, len);
	free(p);
	if (rc < 0) {
		*why = vb_strdup("cannot store fio's result");
		json_decref(extra);
		vb_fio_result_release(&fr);
		return -1;
	}
	p = vb_asprintf("%srep-%u.fio.json", prefix, rep);
	json_t *entry = vb_runrec_rep_new((int)rep, p, fr.read.iops, fr.write.iops);
	free(p);
	vb_fio_result_release(&fr);
	vb_runrec_rep_add(entry, extra);
	json_decref(extra);
	if (iops_log && *iops_log) {
		p = vb_asprintf("%s/rep-%u.iops.log", pdir, rep);
		if (vb_write_file_atomic(p, iops_log, strlen(iops_log)) == 0) {
			char *l = vb_asprintf("%srep-%u.iops.log", prefix, rep);
			vb_runrec_rep_set_iops_log(entry, l);
			free(l);
		}
		free(p);
	}
	keep_lat_log(pdir, prefix, rep, lat, entry);
	json_array_append_new(reps, entry);
	return 0;
}

void vb_runner_rep_load(json_t *measure, json_t *host_cpu, const struct vb_hostload *h, const long *own_qemu, size_t n)
{
	json_t *procs = vb_runrec_host_cpu_processes(host_cpu), *v;
	const char *k;
	unsigned long long own = 0;
	struct vb_hostload_figures f;
	if (!json_is_object(procs) || !h)
		return;
	json_object_foreach(procs, k, v) {
		if (json_integer_value(v) > 0)
			own += (unsigned long long)json_integer_value(v);
	}
	if (vb_hostload_figures(h, own, own_qemu, n, &f) < 0)
		return;
	struct vb_runrec_load l = {.window_s = f.window_s, .cpus = f.cpus, .total_cpu = f.total_cpu,
	                           .own_cpu = f.own_cpu, .other_cpu = f.other_cpu, .loadavg = f.loadavg,
	                           .other_qemu = f.other_qemu, .other_qemu_cpu = f.other_qemu_cpu};
	vb_runrec_rep_set_host_load(measure, &l);
}

/* fio's arguments for one repetition: the point's job and the
 * repetition's own random seed. */
static json_t *rep_args(struct vb_runner *x, size_t pi, unsigned rep)
{
	json_t *a = json_copy(x->point_args[pi]);
	char seed[48];
	snprintf(seed, sizeof(seed), "--randseed=%lld", (long long)json_integer_value(json_array_get(x->seeds, rep - 1)));
	json_array_append_new(a, json_string(seed));
	return a;
}

/* fio's messages from the guest, kept beside its result. */
static void save_stderr(const char *pdir, unsigned rep, json_t *msg)
{
	json_t *fio_err = json_object_get(msg, "stderr");
	if (json_is_string(fio_err) && json_string_length(fio_err)) {
		char *f = vb_asprintf("rep-%u.stderr.txt", rep);
		vb_runner_save_text(pdir, f, json_string_value(fio_err));
		free(f);
	}
}

/* A point's folder below the run folder (a resumed run's folder is
 * input: no link in it is followed).  0, or -1 with *why. */
static int point_dir(const struct vb_runner *x, const struct vb_mode *m, const struct vb_point *pt, char **why)
{
	char *rel = *pt->dir ? vb_asprintf("%s/%s", m->name, pt->dir) : vb_strdup(m->name);
	int r = vb_subdir_why(x->dir, rel, why);
	free(rel);
	return r;
}

int vb_runner_guest_job(struct vb_runner *x, const struct vb_mode *m, struct vb_guest *g, struct vb_disk_ctx *d,
                        const char *mdir, size_t pi, unsigned rep, json_t *reps, char **why)
{
	const struct vb_config *c = x->cfg;
	const struct vb_point *pt = &x->plan.points[pi];
	char *pdir = *pt->dir ? vb_asprintf("%s/%s", mdir, pt->dir) : vb_strdup(mdir);
	char *prefix = *pt->dir ? vb_asprintf("%s/", pt->dir) : vb_strdup("");
	char *id = vb_asprintf("rep-%u %s", rep, pt->label);
	json_t *job = vb_agent_msg_new("job"), *msg = NULL, *host_cpu = NULL;
	unsigned limit = pt->cfg.runtime * 2 + pt->cfg.ramp + 120;
	const char *type;
	int rc, ret = -1;

	vb_runner_drawn(x); /* never measure while the report of earlier modes is drawn */
	if (point_dir(x, m, pt, why) < 0)
		goto out;
	double win[2];
	vb_job_window(&pt->cfg, &win[0], &win[1]);
	json_object_set_new(job, "id", json_string(id));
	json_object_set_new(job, "serial", d->serial ? json_string(d->serial) : json_null());
	json_object_set_new(job, "args", rep_args(x, pi, rep));
	json_object_set_new(job, "iops_log", json_true());
	json_object_set_new(job, "lat_log", json_true());
	json_object_set_new(job, "progress", json_true());
	json_object_set_new(job, "window", json_pack("[f, f]", win[0], win[1]));
	vb_info("%s: rep %u/%u%s, %s: fio for %u s", m->name, rep, vb_reps_max(c), c->reps ? "" : " at most", pt->label,
	        pt->cfg.ramp + pt->cfg.runtime);
	struct vb_cpu_meter meter;
	vb_cpu_meter_init(&meter, g, d->helper_name, d->helper_pid);
	vb_progress_job(rep, vb_reps_max(c), pt->label, pt->cfg.ramp + pt->cfg.runtime);
	double t0 = vb_now();
	/* fio's own start-up under TCG takes seconds; allow for it generously
	 * but never wait without a limit */
	rc = vb_session_job(g, job, t0 + limit, &meter, &msg, &type, why);
	host_cpu = vb_cpu_meter_json(&meter);
	struct vb_hostload load = meter.load;
	long own_qemu = meter.qemu;
	vb_cpu_meter_release(&meter);
	if (rc == 0)
		*why = vb_asprintf("fio in the guest did not finish within %u s of its %u s run", limit, pt->cfg.runtime);
	if (rc <= 0)
		goto out;
	double wall = vb_now() - t0;
	vb_progress_job_done();
	save_stderr(pdir, rep, msg);
	if (strcmp(type, "error") == 0) {
		json_t *em = json_object_get(msg, "message");
		*why = vb_asprintf("the guest agent reported: %s", json_is_string(em) ? json_string_value(em) : "an error without a message");
		goto out;
	}
	json_t *fio = json_object_get(msg, "fio");
	if (strcmp(type, "result") != 0 || !json_is_string(fio)) {
		*why = vb_asprintf("the guest agent sent '%s' where a result with fio's output was due", type);
		goto out;
	}
	json_t *log = json_object_get(msg, "iops_log"), *lat = json_object_get(msg, "lat_log");
	struct lat_in li = {json_string_value(lat), json_string_length(lat),
	                    json_is_true(json_object_get(msg, "lat_log_truncated"))};
	json_t *measure = vb_runrec_rep_measure_new(json_array_get(x->seeds, rep - 1), wall, host_cpu);
	vb_runner_rep_load(measure, host_cpu, &load, &own_qemu, own_qemu > 0 ? 1 : 0);
	host_cpu = NULL; /* the repetition's record has it */
	ret = keep_rep(x, pdir, prefix, rep, json_string_value(fio), json_string_length(fio),
	               json_is_string(log) ? json_string_value(log) : NULL, &li, measure, reps, why);
out:
	json_decref(host_cpu);
	json_decref(job);
	json_decref(msg);
	free(id);
	free(prefix);
	free(pdir);
	return ret;
}

int vb_runner_host_job(struct vb_runner *x, const struct vb_mode *m, struct vb_disk_ctx *d, const char *mdir, size_t pi,
                       unsigned rep, json_t *reps, char **why)
{
	const struct vb_point *pt = &x->plan.points[pi];
	char *pdir = *pt->dir ? vb_asprintf("%s/%s", mdir, pt->dir) : vb_strdup(mdir);
	char *prefix = *pt->dir ? vb_asprintf("%s/", pt->dir) : vb_strdup("");
	char *logprefix = vb_asprintf("%s/.host-log", pdir);
	char *logfile = vb_asprintf("%s_iops.log", logprefix);
	char *histfile = vb_asprintf("%s_clat_hist.log", logprefix);
	char *out = NULL, *log = NULL, *lat = NULL;
	int rc = -1;

	if (vb_interrupted) {
		*why = vb_strdup("interrupted by a signal");
	} else if (point_dir(x, m, pt, why) < 0) {
	} else {
		/* fio (root) opens its IOPS log by name, following a
		 * link: a resumed run's folder is input, so nothing
		 * planted at that name survives */
		unlink(logfile);
		unlink(histfile);
		vb_info("%s: rep %u/%u%s, %s: fio%s%s on %s for %u s", m->name, rep, vb_reps_max(x->cfg),
		        x->cfg->reps ? "" : " at most", pt->label,
		        d->helper_name ? " through " : "", d->helper_name ? d->helper_name : "", d->source,
		        pt->cfg.ramp + pt->cfg.runtime);
		vb_progress_job(rep, vb_reps_max(x->cfg), pt->label, pt->cfg.ramp + pt->cfg.runtime);
		double t0 = vb_now();
		json_t *args = rep_args(x, pi, rep), *cpu = NULL;
		struct vb_disk_ctx dp = *d;
		struct vb_hostload load = {0};
		dp.cfg = &pt->cfg; /* this point's ramp and runtime place the CPU window */
		dp.load = &load;
		if (m->measure(&dp, args, logprefix, &out, &cpu, why) == 0) {
			vb_progress_job_done();
			log = vb_read_file(logfile, 4u << 20, NULL);
			struct lat_in li = {0};
			const char *bad = NULL;
			lat = vb_lathist_reduce_file(histfile, &li.truncated, &bad);
			if (lat) {
				li.text = lat;
				li.len = strlen(lat);
			} else {
				vb_warn("'%s': fio's latency histogram log %s: repetition %u has no latency over time.", histfile, bad, rep);
			}
			json_t *measure = vb_runrec_rep_measure_new(json_array_get(x->seeds, rep - 1), vb_now() - t0, cpu);
			vb_runner_rep_load(measure, cpu, &load, NULL, 0); /* (cpu: measure's now, still live) */
			rc = keep_rep(x, pdir, prefix, rep, out, strlen(out), log, &li, measure, reps, why);
		}
		json_decref(args);
	}
	unlink(logfile);
	unlink(histfile);
	free(out);
	free(log);
	free(lat);
	free(histfile);
	free(logfile);
	free(logprefix);
	free(prefix);
	free(pdir);
	return rc;
}
