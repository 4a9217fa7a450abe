/* vmsjob: one repetition of a point across a group's guests: the jobs
 * sent held, one "go", each guest's window in a thread of its own, and
 * what is kept of it (vmsgroup.h). */
#include "config.h"
#include "runner/vmsgroup.h"
#include "runner/job.h"
#include "runner/reps.h"
#include "guest/agent.h"
#include "summary/fiojson.h"
#include "summary/runrec.h"
#include "core/job.h"
#include "core/progress.h"
#include "core/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How long a guest may take to say "ready" to a held job */
#define VMS_READY_S 60

/* fio's arguments for guest v: the point's job or, for a neighbour, the
 * neighbours' job; the repetition's seed; on the host, v's slice. */
static json_t *guest_args(struct vms_group *s, struct vms_guest *v, size_t pi, unsigned rep)
{
	struct vb_runner *x = s->x;
	json_t *a = v->measured ? json_copy(x->point_args[pi]) : vb_point_neighbour_args(&x->plan.points[pi], x->cfg->neighbour);
	json_array_append_new(a, json_sprintf("--randseed=%lld", (long long)json_integer_value(json_array_get(x->seeds, rep - 1))));
	if (s->m->host && v->d.slice_size) { /* the fio process's own region, as a guest's slice */
		json_array_append_new(a, json_sprintf("--offset=%llu", v->d.slice_offset));
		json_array_append_new(a, json_sprintf("--size=%llu", v->d.slice_size));
	}
	return a;
}

/* What guest v runs in this repetition (v->job NULL: nothing -- its slot
 * failed, or it is a neighbour and the point is the idle half). */
static void job_setup(struct vms_group *s, struct vms_guest *v, size_t pi, unsigned rep)
{
	const struct vb_point *pt = &s->x->plan.points[pi];
	v->job = NULL;
	v->msg = NULL;
	v->why = NULL;
	v->out = NULL;
	v->cpu = NULL;
	v->start_t = v->go_t = 0;
	v->measured = !s->x->cfg->neighbour || v->i == 1;
	v->d.cfg = &pt->cfg; /* this point's ramp and runtime place the window */
	v->limit_s = pt->cfg.runtime * 2 + pt->cfg.ramp + 124;
	if (v->fail || (!v->measured && pt->neighbour != VB_NEIGHBOUR_BUSY))
		return;
	double win[2];
	vb_job_window(&pt->cfg, &win[0], &win[1]);
	v->job = vb_agent_msg_new("job");
	json_object_set_new(v->job, "id", json_sprintf("rep-%u %s vm-%u", rep, pt->label, v->i));
	json_object_set_new(v->job, "serial", v->d.serial ? json_string(v->d.serial) : json_null());
	json_object_set_new(v->job, "args", guest_args(s, v, pi, rep));
	json_object_set_new(v->job, "iops_log", json_true());
	json_object_set_new(v->job, "progress", json_boolean(v->i == 1));
	json_object_set_new(v->job, "window", json_pack("[f, f]", win[0], win[1]));
	if (v->g)
		vb_cpu_meter_init(&v->meter, v->g, v->d.helper_name, v->d.helper_pid);
}

/* A guest whose job broke: its slot fails from here on (its guest is
 * destroyed; the others go on). */
static void slot_fails(struct vms_guest *v, const char *why)
{
	if (!v->why)
		v->why = vb_strdup(why);
	if (v->g && !v->fail) {
		v->fail = vb_strdup(v->why);
		int was = vb_interrupt_defer();
		vb_guest_free(v->g);
		vb_interrupt_resume(was);
		v->g = NULL;
	}
}

/* Every guest's job held until all are ready, then one "go".  Every job
 * is sent first, then one deadline for all the "ready"s: k silent guests
 * cost VMS_READY_S, not k times it. */
static void hold_and_go(struct vms_group *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		struct vms_guest *v = &s->v[i];
		char *why = NULL;
		if (v->job && vb_session_hold(v->g, v->job, &why) < 0)
			slot_fails(v, why);
		free(why);
	}
	double ready_by = vb_now() + VMS_READY_S;
	for (unsigned i = 0; i < s->n; i++) {
		struct vms_guest *v = &s->v[i];
		char *why = NULL;
		if (!v->job || v->why)
			continue;
		int rc = vb_session_ready(v->g, v->job, ready_by, &why);
		if (rc == 0)
			why = vb_asprintf("the guest agent did not answer the held job within %u s", VMS_READY_S);
		if (rc <= 0)
			slot_fails(v, why);
		free(why);
	}
	for (unsigned i = 0; i < s->n; i++) {
		struct vms_guest *v = &s->v[i];
		char *why = NULL;
		if (!v->job || v->why)
			continue;
		v->go_t = vb_now();
		if (vb_session_go(v->g, &why) < 0)
			slot_fails(v, why);
		free(why);
	}
}

static bool running(const struct vms_guest *v)
{
	return v->job && !v->why;
}

/* A guest's job after "go": its window's edges sampled as they come, its
 * result awaited. */
static void *wait_thread(void *arg)
{
	struct vms_guest *v = arg;
	vb_thread_quiet = v->i > 1;
	const char *id = json_string_value(json_object_get(v->job, "id"));
	int rc = vb_session_wait(v->g, id, v->go_t + v->limit_s, &v->meter, &v->msg, &v->type, &v->why);
	if (rc == 0)
		v->why = vb_asprintf("fio in guest %u did not finish within %.0f s", v->i, v->limit_s);
	else if (rc > 0 && strcmp(v->type, "error") == 0) {
		json_t *em = json_object_get(v->msg, "message");
		v->why = vb_asprintf("the guest agent reported: %s", json_is_string(em) ? json_string_value(em) : "an error");
	} else if (rc > 0 && (strcmp(v->type, "result") != 0 || !json_is_string(json_object_get(v->msg, "fio"))))
		v->why = vb_asprintf("the guest agent sent '%s' where a result with fio's output was due", v->type);
	if (v->meter.edges >= 1)
		v->start_t = v->meter.t[0];
	return NULL;
}

/* The host mode's fio process v, on its slice of the medium. */
static void *host_thread(void *arg)
{
	struct vms_guest *v = arg;
	json_t *args = json_object_get(v->job, "args");
	vb_thread_quiet = v->i > 1;
	v->start_t = v->go_t = vb_now();
	v->grp->m->measure(&v->d, args, v->logprefix, &v->out, &v->cpu, &v->why);
	return NULL;
}

/* A repetition's sums over the guests. */
struct tally {
	double r, w, wall, t_min, t_max, window_s;
	json_t *guests, *procs, *first_cpu;
	bool cpu_lost, partial;
	char *file, *log, *why;
	/* issue 28: the host's load at the first guest's window edges (the
	 * one whose host_cpu the repetition's window is), the group's QEMUs */
	struct vb_hostload load;
	bool have_load;
	long qemu[32];
	size_t nqemu;
};

/* fio's text for guest v (its reply's, or the host fio's), or NULL. */
static const char *fio_text(const struct vms_guest *v, size_t *len)
{
	json_t *f = json_object_get(v->msg, "fio");
	if (v->out)
		return *len = strlen(v->out), v->out;
	*len = json_string_length(f);
	return json_string_value(f);
}

/* Guest v's IOPS log: from its reply, or the host fio's file. */
static char *iops_log(const struct vms_guest *v)
{
	if (!v->out) {
		json_t *l = json_object_get(v->msg, "iops_log");
		return json_is_string(l) ? vb_strdup(json_string_value(l)) : NULL;
	}
	char *f = vb_asprintf("%s_iops.log", v->logprefix);
	char *t = vb_read_file(f, 4u << 20, NULL);
	unlink(f);
	free(f);
	f = vb_asprintf("%s_clat_hist.log", v->logprefix); /* --vms keeps no latency over time (yet) */
	unlink(f);
	free(f);
	return t;
}

/* Keep guest v's fio JSON (and IOPS log, messages) as
 * PDIR/vm-I/rep-R.*; its figures into t.  0, or -1 with v->why. */
static int keep_guest(struct vms_group *s, struct vms_guest *v, const char *pdir, const char *prefix, unsigned rep,
                      struct tally *t)
{
	size_t len;
	const char *text = fio_text(v, &len);
	struct vb_fio_result fr;
	if (vb_fio_parse(text, len, &fr, &v->why) < 0)
		return -1;
	if (vb_valid_fio_version(fr.fio_version))
		vb_runrec_set_fio_version(s->x->runjson, fr.fio_version);
	char *p = vb_asprintf("%s/vm-%u/rep-%u.fio.json", pdir, v->i, rep);
	char *rel = vb_asprintf("%svm-%u/rep-%u.fio.json", prefix, v->i, rep);
	int rc = vb_write_file_atomic(p, text, len);
	if (rc < 0)
		v->why = vb_strdup("cannot store fio's result");
	double start = v->start_t > 0 ? v->start_t : NAN;
	json_t *cpu = v->out ? json_incref(v->cpu) : vb_cpu_meter_json(&v->meter);
	if (rc == 0) {
		json_array_append_new(t->guests, vb_runrec_vms_guest_new(v->i, v->measured, rel, fr.read.iops, fr.write.iops,
		                                                         start, json_incref(cpu)));
		if (v->measured) {
			t->r += fr.read.iops;
			t->w += fr.write.iops;
			if (!t->file)
				t->file = vb_strdup(rel);
		}
		if (start < t->t_min)
			t->t_min = start;
		if (start > t->t_max)
			t->t_max = start;
		json_t *procs = json_object_get(cpu, "processes"), *ns;
		const char *k;
		if (!procs)
			t->cpu_lost = true;
		json_object_foreach(procs, k, ns) json_object_set_new(
			t->procs, k, json_integer(json_integer_value(json_object_get(t->procs, k)) + json_integer_value(ns)));
		if (procs && !t->first_cpu && v->meter.load.n == 2) {
			t->load = v->meter.load;
			t->have_load = true;
		}
		if (procs && !t->first_cpu)
			t->first_cpu = json_incref(cpu);
	}
	json_decref(cpu);
	vb_fio_result_release(&fr);
	free(p);
	char *log = rc == 0 ? iops_log(v) : NULL;
	if (log && *log) {
		p = vb_asprintf("%s/vm-%u/rep-%u.iops.log", pdir, v->i, rep);
		if (vb_write_file_atomic(p, log, strlen(log)) == 0 && v->i == 1)
			t->log = vb_asprintf("%svm-%u/rep-%u.iops.log", prefix, v->i, rep);
		free(p);
	}
	free(log);
	free(rel);
	return rc;
}

/* Guest v's part of the repetition recorded in t; a failed one's slot
 * fails (a guest mid-job is lost to the later repetitions too). */
static void record(struct vms_group *s, struct vms_guest *v, const char *pdir, const char *prefix, unsigned rep,
                   struct tally *t)
{
	long q = v->job ? (long)v->meter.qemu : v->g ? (long)vb_guest_pid(v->g) : 0; /* an idle neighbour is the run's too */
	if (q > 0 && t->nqemu < sizeof(t->qemu) / sizeof(t->qemu[0]))
		t->qemu[t->nqemu++] = q;
	if (!v->job && v->fail) {
		json_array_append_new(t->guests, vb_runrec_vms_guest_failed(v->i, v->measured, v->fail));
		t->partial = true;
	}
	if (!v->job)
		return;
	if (!v->why)
		keep_guest(s, v, pdir, prefix, rep, t);
	json_t *fio_err = json_object_get(v->msg, "stderr");
	if (json_is_string(fio_err) && json_string_length(fio_err)) {
		char *d = vb_asprintf("%s/vm-%u", pdir, v->i), *f = vb_asprintf("rep-%u.stderr.txt", rep);
		vb_runner_save_text(d, f, json_string_value(fio_err));
		free(d);
		free(f);
	}
	if (v->why) {
		json_array_append_new(t->guests, vb_runrec_vms_guest_failed(v->i, v->measured, v->why));
		t->partial = true;
		if (v->measured && !t->why)
			t->why = vb_asprintf("guest %u: %s", v->i, v->why);
		if (!s->m->host)
			slot_fails(v, v->why);
	}
	json_decref(v->msg);
	json_decref(v->job);
	json_decref(v->cpu);
	vb_cpu_meter_release(&v->meter); /* (a guest's meter reads its threads: their memory) */
	memset(&v->meter, 0, sizeof(v->meter));
	free(v->out);
	free(v->why);
	free(v->logprefix);
	v->msg = v->job = v->cpu = NULL;
	v->out = v->why = v->logprefix = NULL;
}

/* The repetition's entry: the measured guests' sum, the CPU of them all,
 * each guest's own part.  0, or -1 with *why when no measured guest
 * finished. */
static int finish(struct vms_group *s, size_t pi, unsigned rep, json_t *reps, struct tally *t, double wall, char **why)
{
	if (vb_interrupted) {
		*why = vb_strdup("interrupted by a signal");
		return -1;
	}
	if (!t->file) {
		*why = vb_asprintf("no measured guest finished its job (%s)", t->why ? t->why : "no guest was up");
		return -1;
	}
	json_t *cpu = json_null();
	if (!t->cpu_lost && t->first_cpu) {
		json_decref(cpu);
		cpu = json_deep_copy(t->first_cpu); /* its window, and every guest's processes summed */
		json_object_set(cpu, "processes", t->procs);
		/* guest 1's own split and start are no figure of the sum: each
		 * guest's stay in its vms.guests[] entry */
		json_object_del(cpu, "threads");
		json_object_del(cpu, "start_unix");
	}
	json_t *entry = vb_runrec_rep_new((int)rep, t->file, t->r, t->w);
	json_t *m = vb_runrec_rep_measure_new(json_array_get(s->x->seeds, rep - 1), wall, cpu);
	vb_runner_rep_load(m, cpu, t->have_load ? &t->load : NULL, t->qemu, t->nqemu);
	vb_runrec_rep_add(entry, m);
	json_decref(m);
	if (t->log)
		vb_runrec_rep_set_iops_log(entry, t->log);
	bool timed = isfinite(t->t_min);
	if (timed)
		vb_runrec_vms_starts_from(t->guests, t->t_min);
	vb_runrec_rep_set_vms(entry, s->n, timed ? t->t_max - t->t_min : NAN, json_incref(t->guests));
	json_array_append_new(reps, entry);
	if (t->partial)
		vb_runrec_point_set_partial(s->mj, pi);
	return 0;
}

/* MODE/POINT/vm-I for every guest with a job (a resumed run's folder is
 * input: no link in it is followed). */
static int guest_dirs(struct vms_group *s, const struct vb_point *pt, char **why)
{
	for (unsigned i = 0; i < s->n; i++) {
		if (!s->v[i].job)
			continue;
		char *rel = *pt->dir ? vb_asprintf("%s/%s/vm-%u", s->m->name, pt->dir, i + 1)
		                     : vb_asprintf("%s/vm-%u", s->m->name, i + 1);
		int r = vb_subdir_why(s->x->dir, rel, why);
		free(rel);
		if (r < 0)
			return -1;
	}
	return 0;
}

int vms_job(struct vms_group *s, size_t pi, unsigned rep, json_t *reps, char **why)
{
	struct vb_runner *x = s->x;
	const struct vb_point *pt = &x->plan.points[pi];
	char *pdir = *pt->dir ? vb_asprintf("%s/%s", s->mdir, pt->dir) : vb_strdup(s->mdir);
	char *prefix = *pt->dir ? vb_asprintf("%s/", pt->dir) : vb_strdup("");
	struct tally t = {.t_min = INFINITY, .t_max = -INFINITY, .guests = json_array(), .procs = json_object()};
	int ret = -1;

	vb_runner_drawn(x); /* never measure while the report of earlier modes is drawn */
	for (unsigned i = 0; i < s->n; i++) {
		job_setup(s, &s->v[i], pi, rep);
		if (s->m->host)
			s->v[i].logprefix = vb_asprintf("%s/vm-%u/.host-log", pdir, i + 1);
	}
	unsigned jobs = 0;
	for (unsigned i = 0; i < s->n; i++)
		jobs += s->v[i].job != NULL;
	if (guest_dirs(s, pt, why) == 0) {
		vb_info("%s: rep %u/%u, %s: fio for %u s in %u of %u %s", s->m->name, rep, vb_reps_max(x->cfg), pt->label,
		        pt->cfg.ramp + pt->cfg.runtime, jobs, s->n, s->m->host ? "processes" : "guests");
		vb_progress_job(rep, vb_reps_max(x->cfg), pt->label, pt->cfg.ramp + pt->cfg.runtime);
		double t0 = vb_now();
		if (!s->m->host)
			hold_and_go(s);
		vms_threads(s, s->m->host ? host_thread : wait_thread, 0, running);
		double wall = vb_now() - t0;
		vb_progress_job_done();
		for (unsigned i = 0; i < s->n; i++)
			record(s, &s->v[i], pdir, prefix, rep, &t);
		ret = finish(s, pi, rep, reps, &t, wall, why);
	}
	for (unsigned i = 0; i < s->n; i++) { /* what a failed setup left */
		json_decref(s->v[i].job);
		s->v[i].job = NULL;
		free(s->v[i].logprefix);
		s->v[i].logprefix = NULL;
	}
	json_decref(t.guests);
	json_decref(t.procs);
	json_decref(t.first_cpu);
	free(t.file);
	free(t.log);
	free(t.why);
	free(prefix);
	free(pdir);
	return ret;
}
