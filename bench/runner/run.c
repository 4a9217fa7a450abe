#include "config.h"
#include "guest/accel.h"
#include "guest/image.h"
#include "modes/mode.h"
#include "host/store.h"
#include "guest/agent.h"
#include "commands.h"
#include "guest/domxml.h"
#include "summary/fiojson.h"
#include "host/hostres.h"
#include "host/hv.h"
#include "runner/place.h"
#include "runner/fleet.h"
#include "core/job.h"
#include "core/layout.h"
#include "runner/manifest.h"
#include "guest/session.h"
#include "core/options.h"
#include "core/progress.h"
#include "render/report.h"
#include "core/results.h"
#include "summary/stats.h"
#include "core/sweep.h"
#include "core/util.h"

#include <dirent.h>
#include <math.h>
#include <errno.h>
#include <signal.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Repetitions a point may get: --reps, or with --reps auto the cap. */
static unsigned reps_max(const struct vb_config *c)
{
	return c->reps ? c->reps : c->max_reps;
}

/* Everything one run carries from mode to mode. */
struct run_ctx {
	struct vb_config *cfg;
	const struct vb_mode **modes; /* the plan's modes, in order */
	json_t *resumed;     /* run.json of the run --resume continues, or NULL */
	json_t *rerun_of;    /* run.json of the run --rerun-of repeats, or NULL */
	char *results;       /* absolute results root */
	struct vb_virt *virt;
	struct vb_image img;
	struct vb_store store;
	struct vb_accel accel;
	char *dir;           /* absolute run folder */
	char *run_dir;       /* private folder for sockets and daemon logs */
	json_t *runjson;     /* run.json as it grows */
	char *id;
	struct vb_plan plan;
	json_t **point_args; /* fio arguments of each job point */
	bool probed;         /* --modes all probed every mode already */
	struct vb_mode_dropped *dropped; /* --modes all: the modes this host cannot run, and why */
	json_t *seeds;       /* fio's random seed of each repetition (run.json's "seeds") */
	json_t *placement;   /* a remote hypervisor: the pool and volumes (run.json) */
	double accel_s;      /* choosing the accelerator (a probe boot unless cached) */
	pid_t drawing;       /* the report of the run so far, being drawn, or 0 */
	char *host_lost;     /* a remote host that became unreachable: why (the
	                        modes after it are not run; --resume runs them) */
	const char *fleet_dir; /* one host of a fleet: its folder in the fleet's run */
	const char *fleet_id;
};

static int save_text(const char *dir, const char *file, const char *text)
{
	char *p = vb_asprintf("%s/%s", dir, file);
	int r = vb_write_file_atomic(p, text, strlen(text));
	free(p);
	return r;
}

static json_t *jstr_or_null(char *s)
{
	json_t *j = s ? json_string(s) : json_null();
	free(s);
	return j ? j : json_null();
}

/* Keep one repetition: fio's JSON exactly as fio wrote it (checked to be
 * fio JSON), its IOPS log, and what the controller measured around it
 * (extra: the seed, the host CPU; stolen). */
static int keep_rep(struct run_ctx *x, const char *pdir, const char *prefix, unsigned rep, const char *text, size_t len,
                    const char *iops_log, json_t *extra, json_t *reps, char **why)
{
	struct vb_fio_result fr;
	char *p;
	int rc;
	if (vb_fio_parse(text, len, &fr, why) < 0) {
		json_decref(extra);
		return -1;
	}
	json_t *versions = json_object_get(x->runjson, "versions");
	if (!json_is_string(json_object_get(versions, "fio")) && vb_valid_fio_version(fr.fio_version))
		json_object_set_new(versions, "fio", json_string(fr.fio_version));
	p = vb_asprintf("%s/rep-%u.fio.json", pdir, rep);
	rc = vb_write_file_atomic(p, text, len);
	free(p);
	if (rc < 0) {
		*why = vb_strdup("cannot store fio's result");
		json_decref(extra);
		vb_fio_result_release(&fr);
		return -1;
	}
	json_t *entry = json_pack("{s:i, s:o, s:o, s:{s:f, s:f}}", "rep", (int)rep,
	                          "file", jstr_or_null(vb_asprintf("%srep-%u.fio.json", prefix, rep)), "iops_log", json_null(),
	                          "iops", "read", fr.read.iops, "write", fr.write.iops);
	vb_fio_result_release(&fr);
	json_object_update(entry, extra);
	json_decref(extra);
	if (iops_log && *iops_log) {
		p = vb_asprintf("%s/rep-%u.iops.log", pdir, rep);
		if (vb_write_file_atomic(p, iops_log, strlen(iops_log)) == 0)
			json_object_set_new(entry, "iops_log", jstr_or_null(vb_asprintf("%srep-%u.iops.log", prefix, rep)));
		free(p);
	}
	json_array_append_new(reps, entry);
	return 0;
}

/* fio's arguments for one repetition: the point's job and the
 * repetition's own random seed. */
static json_t *rep_args(struct run_ctx *x, size_t pi, unsigned rep)
{
	json_t *a = json_copy(x->point_args[pi]);
	char seed[48];
	snprintf(seed, sizeof(seed), "--randseed=%lld", (long long)json_integer_value(json_array_get(x->seeds, rep - 1)));
	json_array_append_new(a, json_string(seed));
	return a;
}

/* Wait for the report being drawn in the background, if any. */
static void drawn(struct run_ctx *x)
{
	if (x->drawing > 0)
		while (waitpid(x->drawing, NULL, 0) < 0 && errno == EINTR)
			;
	x->drawing = 0;
}

/* Draw the report of the run so far (tables, charts, report.html) in a
 * child process while the next mode prepares and boots, so a long run's
 * report.html follows it mode by mode.  Quiet: the final report, drawn
 * after the last mode, says what went wrong, once. */
static void draw_behind(struct run_ctx *x)
{
	drawn(x);
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		_exit(vb_report_run(x->dir, NULL) < 0 ? 1 : 0);
	}
	if (pid > 0)
		x->drawing = pid;
}

/* Where a run's wall time goes (run.json "timings", in seconds): set a
 * phase, or append to a phase that happens more than once (boots). */
static void timing(json_t *owner, const char *phase, double seconds, bool many)
{
	json_t *t = json_object_get(owner, "timings");
	if (!json_is_object(t))
		json_object_set_new(owner, "timings", t = json_object());
	if (!many) {
		json_object_set_new(t, phase, json_real(seconds));
		return;
	}
	json_t *a = json_object_get(t, phase);
	if (!json_is_array(a))
		json_object_set_new(t, phase, a = json_array());
	json_array_append_new(a, json_real(seconds));
}

/* On a remote hypervisor virtlogd writes the console there, in the run's
 * private folder; it is fetched into the mode's folder after the boot.
 * NULL locally. */
static char *remote_console(const struct vb_mode *m, unsigned boot_no)
{
	return vb_hv_remote() ? vb_asprintf("%s/console-%s-%u.log", vb_hv_scratch(), m->name, boot_no) : NULL;
}

static void fetch_console(struct run_ctx *x, const struct vb_mode *m, const char *mdir, unsigned boot_no)
{
	char *remote = remote_console(m, boot_no), *local = vb_layout_console(mdir, x->cfg->boot_per_rep, boot_no);
	vb_hv_fetch(remote, local, 64u << 20);
	free(remote);
	free(local);
}

/* Boot one guest and check the disk it sees.  Returns the guest, or NULL
 * with *why. */
static struct vb_guest *boot(struct run_ctx *x, const struct vb_mode *m, struct vb_disk_ctx *d, const char *mdir,
                             unsigned boot_no, struct vb_mode_result *r, json_t *mj, char **why)
{
	const struct vb_config *c = x->cfg;
	char *console = vb_layout_console(mdir, c->boot_per_rep, boot_no);
	char *rconsole = remote_console(m, boot_no);
	char *name = vb_layout_domain(vb_hv_label(), x->id, m->name);
	char *xml = vb_domain_xml_for_mode(c, m, x->accel.domain_type, x->img.kernel, x->img.initrd, d, name,
	                                   rconsole ? rconsole : console);
	struct vb_guest *g = NULL;
	json_t *hello = NULL;
	double t0 = vb_now();

	/* virtlogd (root) opens the console log by name, following a link; a
	 * resumed run's folder is input, so nothing planted there survives
	 * (the log is written afresh, append='off', in any case) */
	if (!rconsole)
		unlink(console);
	if (save_text(mdir, "domain.xml", xml) < 0) {
		*why = vb_strdup("cannot save the domain XML");
		goto out;
	}
	vb_info("%s: booting the guest (%s)", m->name, x->accel.name);
	vb_progress_step(VB_STEP_BOOTING);
	g = vb_session_start(x->virt, xml, t0, c->boot_timeout, mdir, &hello, why);
	if (!g) {
		if (!*why)
			*why = vb_asprintf("the guest did not greet the controller within %u s (see %s; raise --boot-timeout on a slow host)",
			                   c->boot_timeout, console);
		goto out;
	}
	json_t *k = json_object_get(hello, "kernel");
	free(r->guest_kernel);
	r->guest_kernel = vb_strdup(json_is_string(k) ? json_string_value(k) : "unknown");
	json_t *disk = d->serial ? vb_agent_hello_disk(hello, d->serial) : json_array_get(json_object_get(hello, "disks"), 0);
	if (!disk) {
		*why = d->serial ? vb_asprintf("the guest sees no disk with serial '%s' (see %s/hello.json)", d->serial, mdir)
		                 : vb_asprintf("the guest sees no disk: its driver did not bring the passed-through device up (see %s)",
		                               console);
	} else {
		json_object_set_new(mj, "guest_disk", json_deep_copy(disk));
		if (vb_agent_check_disk(m, disk, why) == 0) {
			json_t *dname = json_object_get(disk, "name");
			vb_info("%s: guest up after %.1f s, disk %s on %s", m->name, vb_now() - t0,
			        json_is_string(dname) ? json_string_value(dname) : "?", m->guest_driver ? m->guest_driver : "its driver");
			timing(mj, "boot_s", vb_now() - t0, true); /* define and start to the agent's hello */
		}
	}
	if (*why) {
		vb_guest_free(g);
		g = NULL;
	}
out:
	json_decref(hello);
	free(xml);
	free(name);
	free(console);
	free(rconsole);
	return g;
}

/* fio's messages from the guest, kept beside its result. */
static void save_stderr(const char *pdir, unsigned rep, json_t *msg)
{
	json_t *fio_err = json_object_get(msg, "stderr");
	if (json_is_string(fio_err) && json_string_length(fio_err)) {
		char *f = vb_asprintf("rep-%u.stderr.txt", rep);
		save_text(pdir, f, json_string_value(fio_err));
		free(f);
	}
}

/* A point's folder below the run folder (a resumed run's folder is
 * input: no link in it is followed).  0, or -1 with *why. */
static int point_dir(const struct run_ctx *x, const struct vb_mode *m, const struct vb_point *pt, char **why)
{
	char *rel = *pt->dir ? vb_asprintf("%s/%s", m->name, pt->dir) : vb_strdup(m->name);
	int r = vb_subdir_why(x->dir, rel, why);
	free(rel);
	return r;
}

/* One job point, one repetition, in a running guest. */
static int guest_job(struct run_ctx *x, const struct vb_mode *m, struct vb_guest *g, struct vb_disk_ctx *d,
                     const char *mdir, size_t pi, unsigned rep, json_t *reps, char **why)
{
	const struct vb_config *c = x->cfg;
	const struct vb_point *pt = &x->plan.points[pi];
	char *pdir = *pt->dir ? vb_asprintf("%s/%s", mdir, pt->dir) : vb_strdup(mdir);
	char *prefix = *pt->dir ? vb_asprintf("%s/", pt->dir) : vb_strdup("");
	char *id = vb_asprintf("rep-%u %s", rep, pt->label);
	json_t *job = vb_agent_msg_new("job"), *msg = NULL;
	unsigned limit = pt->cfg.runtime * 2 + pt->cfg.ramp + 120;
	const char *type;
	int rc, ret = -1;

	drawn(x); /* never measure while the report of earlier modes is drawn */
	if (point_dir(x, m, pt, why) < 0)
		goto out;
	double win[2];
	vb_job_window(&pt->cfg, &win[0], &win[1]);
	json_object_set_new(job, "id", json_string(id));
	json_object_set_new(job, "serial", d->serial ? json_string(d->serial) : json_null());
	json_object_set_new(job, "args", rep_args(x, pi, rep));
	json_object_set_new(job, "iops_log", json_true());
	json_object_set_new(job, "progress", json_true());
	json_object_set_new(job, "window", json_pack("[f, f]", win[0], win[1]));
	vb_info("%s: rep %u/%u%s, %s: fio for %u s", m->name, rep, reps_max(c), c->reps ? "" : " at most", pt->label,
	        pt->cfg.ramp + pt->cfg.runtime);
	struct vb_cpu_meter meter;
	vb_cpu_meter_init(&meter, g, d->helper_name, d->helper_pid);
	vb_progress_job(rep, reps_max(c), pt->label, pt->cfg.ramp + pt->cfg.runtime);
	double t0 = vb_now();
	/* fio's own start-up under TCG takes seconds; allow for it generously
	 * but never wait without a limit */
	rc = vb_session_job(g, job, t0 + limit, &meter, &msg, &type, why);
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
	json_t *log = json_object_get(msg, "iops_log");
	ret = keep_rep(x, pdir, prefix, rep, json_string_value(fio), json_string_length(fio),
	               json_is_string(log) ? json_string_value(log) : NULL,
	               json_pack("{s:O, s:f, s:o}", "seed", json_array_get(x->seeds, rep - 1), "wall_s", wall, "host_cpu",
	                         vb_cpu_meter_json(&meter)),
	               reps, why);
out:
	json_decref(job);
	json_decref(msg);
	free(id);
	free(prefix);
	free(pdir);
	return ret;
}

/* Repetitions are recorded in order, so rep N of a point is done when the
 * point holds N entries (--resume relies on this). */
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
	const char *dn[2] = {"read", "write"};
	bool ok = n >= 2;
	for (int d = 0; d < 2; d++) {
		double *v = vb_calloc(n ? n : 1, sizeof(double));
		size_t k = 0, i;
		json_t *r;
		json_array_foreach(reps, i, r) {
			json_t *x = json_object_get(json_object_get(r, "iops"), dn[d]);
			if (json_is_number(x))
				v[k++] = json_number_value(x);
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
	size_t least = c->max_reps < 3 ? c->max_reps : 3;
	return json_array_size(reps) >= least && ci_met(c->ci_target, reps, ci);
}

/* Whether repetition rep of point pi is still to be run. */
static bool need_rep(const struct run_ctx *x, json_t **point_reps, size_t pi, unsigned rep)
{
	if (rep_done(point_reps, pi, rep))
		return false;
	return x->cfg->reps || !settled(x->cfg, point_reps[pi]);
}

static bool work_left(const struct run_ctx *x, json_t **point_reps, unsigned first, unsigned last)
{
	for (unsigned rep = first; rep <= last; rep++)
		for (size_t pi = 0; pi < x->plan.npoints; pi++)
			if (need_rep(x, point_reps, pi, rep))
				return true;
	return false;
}

/* --reps auto: what stopped each point, in run.json's points. */
static void record_stops(const struct run_ctx *x, json_t *mj, json_t **point_reps)
{
	if (x->cfg->reps)
		return;
	for (size_t pi = 0; pi < x->plan.npoints; pi++) {
		double ci[2];
		bool met = ci_met(x->cfg->ci_target, point_reps[pi], ci);
		json_t *o = json_pack("{s:s, s:i, s:f, s:o, s:o}", "stopped_by", met ? "ci-target" : "max-reps", "reps",
		                      (int)json_array_size(point_reps[pi]), "ci_target_pct", x->cfg->ci_target, "read_ci95_pct",
		                      isfinite(ci[0]) ? json_real(ci[0]) : json_null(), "write_ci95_pct",
		                      isfinite(ci[1]) ? json_real(ci[1]) : json_null());
		json_object_set_new(json_array_get(json_object_get(mj, "points"), pi), "auto_reps", o);
	}
}

/* The whole of a guest's teardown, bye to power-off (session.h) */
#define VB_TEARDOWN_S 30

/* One boot: the guest up, repetitions first..last of every point, and
 * its power-off. */
static int run_boot(struct run_ctx *x, const struct vb_mode *m, struct vb_disk_ctx *d, const char *mdir, unsigned b,
                    unsigned first, unsigned last, struct vb_mode_result *r, json_t *mj, json_t **point_reps, char **why)
{
	struct vb_guest *g = boot(x, m, d, mdir, b, r, mj, why);
	if (!g)
		return -1;
	/* repetition-major: every point once, then again, so that a drift
	 * over time spreads over all points alike */
	for (unsigned rep = first; rep <= last; rep++) {
		for (size_t pi = 0; pi < x->plan.npoints; pi++) {
			if (!need_rep(x, point_reps, pi, rep))
				continue;
			if (vb_interrupted)
				*why = vb_strdup("interrupted by a signal");
			if (vb_interrupted || guest_job(x, m, g, d, mdir, pi, rep, point_reps[pi], why) < 0) {
				vb_guest_free(g);
				return -1;
			}
		}
	}
	double t0 = vb_now();
	vb_progress_step(VB_STEP_TEARDOWN);
	const char *how;
	if (vb_session_end(g, t0 + VB_TEARDOWN_S, &how) < 0)
		vb_warn("%s: the guest was %s", m->name, how);
	timing(mj, "teardown_s", vb_now() - t0, true);
	/* a boot destroyed at the deadline is what the mode's record keeps */
	json_t *was = json_object_get(mj, "teardown");
	if (!json_is_string(was) || strcmp(json_string_value(was), "powered off") == 0)
		json_object_set_new(mj, "teardown", json_string(how));
	return 0;
}

static int run_guest(struct run_ctx *x, const struct vb_mode *m, struct vb_disk_ctx *d, const char *mdir,
                     struct vb_mode_result *r, json_t *mj, json_t **point_reps, char **why)
{
	const struct vb_config *c = x->cfg;
	unsigned boots = c->boot_per_rep ? reps_max(c) : 1;

	for (unsigned b = 1; b <= boots; b++) {
		unsigned first = c->boot_per_rep ? b : 1, last = c->boot_per_rep ? b : reps_max(c);
		if (!work_left(x, point_reps, first, last))
			continue;
		int rc = run_boot(x, m, d, mdir, b, first, last, r, mj, point_reps, why);
		if (vb_hv_remote())
			fetch_console(x, m, mdir, b);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int run_host(struct run_ctx *x, const struct vb_mode *m, struct vb_disk_ctx *d, const char *mdir,
                    json_t **point_reps, char **why)
{
	/* The baseline always reads the store itself, never a qcow2 layer
	 * (backend's daemon serves what vhost-user-blk's would). */
	if (m->baseline)
		d->source = x->store.path;
	drawn(x); /* never measure while the report of earlier modes is drawn */
	for (unsigned rep = 1; rep <= reps_max(x->cfg); rep++) {
		for (size_t pi = 0; pi < x->plan.npoints; pi++) {
			const struct vb_point *pt = &x->plan.points[pi];
			if (!need_rep(x, point_reps, pi, rep))
				continue;
			char *pdir = *pt->dir ? vb_asprintf("%s/%s", mdir, pt->dir) : vb_strdup(mdir);
			char *prefix = *pt->dir ? vb_asprintf("%s/", pt->dir) : vb_strdup("");
			char *logprefix = vb_asprintf("%s/.host-log", pdir);
			char *logfile = vb_asprintf("%s_iops.log", logprefix);
			char *out = NULL, *log = NULL;
			int rc = -1;

			if (vb_interrupted) {
				*why = vb_strdup("interrupted by a signal");
			} else if (point_dir(x, m, pt, why) < 0) {
			} else {
				/* fio (root) opens its IOPS log by name, following a
				 * link: a resumed run's folder is input, so nothing
				 * planted at that name survives */
				unlink(logfile);
				vb_info("%s: rep %u/%u%s, %s: fio%s%s on %s for %u s", m->name, rep, reps_max(x->cfg),
				        x->cfg->reps ? "" : " at most", pt->label,
				        d->helper_name ? " through " : "", d->helper_name ? d->helper_name : "", d->source,
				        pt->cfg.ramp + pt->cfg.runtime);
				vb_progress_job(rep, reps_max(x->cfg), pt->label, pt->cfg.ramp + pt->cfg.runtime);
				double t0 = vb_now();
				json_t *args = rep_args(x, pi, rep), *cpu = NULL;
				struct vb_disk_ctx dp = *d;
				dp.cfg = &pt->cfg; /* this point's ramp and runtime place the CPU window */
				if (m->measure(&dp, args, logprefix, &out, &cpu, why) == 0) {
					vb_progress_job_done();
					log = vb_read_file(logfile, 4u << 20, NULL);
					rc = keep_rep(x, pdir, prefix, rep, out, strlen(out), log,
					              json_pack("{s:O, s:f, s:o}", "seed", json_array_get(x->seeds, rep - 1), "wall_s",
					                        vb_now() - t0, "host_cpu", cpu ? cpu : json_null()),
					              point_reps[pi], why);
				}
				json_decref(args);
			}
			unlink(logfile);
			free(out);
			free(log);
			free(logfile);
			free(logprefix);
			free(prefix);
			free(pdir);
			if (rc < 0)
				return -1;
		}
	}
	return 0;
}

/* Run one mode end to end.  Returns 0, or -1 with r->reason set. */
static int run_mode(struct run_ctx *x, const struct vb_mode *m, struct vb_mode_result *r, json_t *mj)
{
	char *mdir = vb_layout_mode_dir(x->dir, m->name);
	char *why = NULL;
	struct vb_disk_ctx d;
	json_t *points = json_array();
	json_t **point_reps = vb_calloc(x->plan.npoints, sizeof(json_t *));
	int rc = -1;

	/* --resume: the repetitions a mode already finished are kept and
	 * skipped; points are matched by label */
	json_t *old = json_object_get(mj, "points");
	for (size_t pi = 0; pi < x->plan.npoints; pi++) {
		json_t *prev = NULL, *op;
		size_t k;
		json_array_foreach(old, k, op) {
			json_t *l = json_object_get(op, "label");
			if (json_is_string(l) && !strcmp(json_string_value(l), x->plan.points[pi].label) &&
			    json_is_array(json_object_get(op, "reps")))
				prev = json_object_get(op, "reps");
		}
		point_reps[pi] = prev ? json_incref(prev) : json_array();
		json_array_append_new(points, json_pack("{s:s, s:s, s:o, s:O}", "label", x->plan.points[pi].label,
		                                        "dir", x->plan.points[pi].dir,
		                                        "params", vb_point_params(&x->plan.points[pi]), "reps", point_reps[pi]));
		json_decref(point_reps[pi]); /* owned by the point now; still borrowed here */
	}
	json_object_set_new(mj, "points", points);
	json_object_del(mj, "reason");
	if (m->host && !m->baseline)
		json_object_set_new(mj, "guest", json_false()); /* its fio CPU is the host's (summary) */
	if (m->tuning)
		json_object_set_new(mj, "tuning", json_string(m->tuning));
	vb_mode_disk_ctx(&d, x->cfg, x->store.image ? x->store.image : x->store.path, x->store.is_block, x->run_dir);
	d.virt = x->virt; /* lun's CHAP secret lives in libvirt */
	d.mode_dir = mdir;
	d.priv = m->priv_size ? vb_calloc(1, m->priv_size) : NULL;
	/* a resumed run's folder is input: its mode folder may not be a link */
	if (vb_subdir_why(x->dir, m->name, &why) < 0)
		goto out;
	if (m->probe && !x->probed && m->probe(x->cfg, &why) < 0)
		goto out;
	double t0 = vb_now();
	if (m->prepare && m->prepare(&d, &why) < 0)
		goto out;
	timing(mj, "prepare_s", vb_now() - t0, false);
	rc = m->host ? run_host(x, m, &d, mdir, point_reps, &why) : run_guest(x, m, &d, mdir, r, mj, point_reps, &why);
	if (rc == 0)
		record_stops(x, mj, point_reps);
out:
	t0 = vb_now();
	vb_progress_step(VB_STEP_TEARDOWN);
	if (m->cleanup)
		m->cleanup(&d);
	timing(mj, "cleanup_s", vb_now() - t0, false);
	free(d.priv);
	r->ok = rc == 0;
	if (!r->ok)
		r->reason = why ? why : vb_strdup("unknown failure");
	else
		free(why);
	json_object_set_new(mj, "status", json_string(r->ok ? "ok" : "failed"));
	if (r->reason)
		json_object_set_new(mj, "reason", json_string(r->reason));
	if (r->guest_kernel)
		json_object_set_new(mj, "guest_kernel", json_string(r->guest_kernel));
	free(point_reps);
	free(mdir);
	return r->ok ? 0 : -1;
}

/* Private folders of runs that died (a crash, SIGKILL) hold nothing of
 * value but a stale socket: remove them. */
static void sweep_stale_run_dirs(const char *cache_dir)
{
	char *parent = vb_asprintf("%s/run", cache_dir);
	DIR *d = opendir(parent);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (e->d_name[0] == '.' || *end || pid <= 0 || (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
			continue;
		char *dir = vb_asprintf("%s/%s", parent, e->d_name);
		DIR *sub = opendir(dir);
		struct dirent *f;
		while (sub && (f = readdir(sub))) {
			if (f->d_name[0] == '.')
				continue;
			char *p = vb_asprintf("%s/%s", dir, f->d_name);
			unlink(p);
			free(p);
		}
		if (sub)
			closedir(sub);
		rmdir(dir);
		free(dir);
	}
	if (d)
		closedir(d);
	free(parent);
}





/* What the user gave: a problem here is a usage error (exit 2), found
 * before anything boots or is created. */
static int check_inputs(struct run_ctx *x)
{
	struct vb_config *c = x->cfg;
	bool system_uri = vb_hv_system() && !vb_hv_remote(); /* QEMU, unprivileged, on this machine */

	if (!(x->modes = vb_mode_list_pick(c->modes, c, &x->probed, &x->dropped)))
		return -1;
	if (vb_mode_check_tuning(c) < 0 || vb_plan_build(c, &x->plan) < 0)
		return -1;
	const char *k;
	json_t *ov;
	json_object_foreach(c->mode_tuning, k, ov) {
		struct vb_config mc;
		char *why = NULL;
		vb_config_copy(&mc, c);
		int r = vb_config_apply(&mc, VB_CMD_RUN, ov, &why) < 0 ? -1 : vb_mode_check_tuning_quiet(&mc, &why);
		vb_config_release(&mc);
		if (r < 0) {
			vb_error("-c %s, [mode %s]: %s", c->config ? c->config : "(the run's file)", k, why);
			free(why);
			return -1;
		}
	}
	for (size_t i = 0; x->modes[i]; i++) {
		char *why = NULL;
		if (x->modes[i]->check_config && x->modes[i]->check_config(c, &why) < 0) {
			vb_error("%s", why);
			free(why);
			return -1;
		}
	}
	if (vb_image_locate(c, &x->img) < 0)
		return -1;
	if (!vb_hv_remote() && (c->disk || strcmp(c->backend, "block") == 0) && vb_store_prepare(c, &x->store) < 0)
		return -1; /* a remote --disk is checked there, once libvirt is reached */
	if (!x->resumed && vb_results_check_root(c->results) < 0)
		return -1;
	if (system_uri && (vb_check_reachable("the guest kernel", x->img.kernel) < 0 ||
	                   vb_check_reachable("the guest initramfs", x->img.initrd) < 0 ||
	                   (c->disk && vb_check_reachable("--disk", x->store.path) < 0)))
		return -1;
	return 0;
}

static int start_remote(struct run_ctx *x);
static int choose_accel(struct run_ctx *x);

/* The host side before the first mode: the backing store, the private
 * folder, libvirt and the accelerator.  An exit status. */
static int start_host(struct run_ctx *x)
{
	const struct vb_config *c = x->cfg;

	if (vb_hv_remote())
		return start_remote(x);
	if (!x->store.path && strcmp(c->backend, "null") != 0 && vb_store_prepare(c, &x->store) < 0)
		return VB_EXIT_FAIL;
	sweep_stale_run_dirs(c->cache_dir);
	x->run_dir = vb_layout_private_dir(c->cache_dir, (long)getpid());
	if (vb_mkdir_p(x->run_dir, 0755) < 0) {
		vb_error("cannot create '%s': %s: choose another --cache-dir", x->run_dir, strerror(errno));
		return VB_EXIT_FAIL;
	}
	vb_hv_set_scratch(x->run_dir);
	if (!(x->virt = vb_virt_open(c->connect)))
		return VB_EXIT_FAIL;
	return choose_accel(x);
}

/* The same on a remote hypervisor: libvirt first, then the private folder
 * there and the image and store placed through the pool. */
static int start_remote(struct run_ctx *x)
{
	const struct vb_config *c = x->cfg;
	if (!(x->virt = vb_virt_open(c->connect)))
		return VB_EXIT_FAIL;
	x->run_dir = vb_asprintf("%s/%s/run-%ld", VB_HV_REMOTE_ROOT, vb_hv_label(), (long)getpid());
	if (vb_hv_mkdir_p(x->run_dir) < 0) {
		vb_error("cannot create '%s' on %s: check that ssh reaches it as a user who may (see the README's remote section)",
		         x->run_dir, vb_hv_where());
		free(x->run_dir);
		x->run_dir = NULL;
		return VB_EXIT_FAIL;
	}
	vb_hv_set_scratch(x->run_dir);
	if (vb_place_remote(c, x->virt, &x->img, &x->store, &x->placement) < 0)
		return VB_EXIT_FAIL;
	return choose_accel(x);
}

static int choose_accel(struct run_ctx *x)
{
	const struct vb_config *c = x->cfg;
	double t0 = vb_now();
	if (vb_accel_choose(x->virt, c, &x->img, &x->accel) < 0)
		return VB_EXIT_USAGE;
	x->accel_s = vb_now() - t0;
	vb_info("accelerator: %s: %s", x->accel.name, x->accel.why);
	return VB_EXIT_OK;
}

/* The run folder and its run.json, new or resumed.  0 or -1. */
static int open_run(struct run_ctx *x)
{
	const struct vb_config *c = x->cfg;
	char real[PATH_MAX], *dir = NULL;

	if (x->resumed) {
		x->id = vb_strdup(json_string_value(json_object_get(x->resumed, "id")));
		dir = vb_strdup(c->resume);
	} else if (x->fleet_dir) {
		x->id = vb_strdup(x->fleet_id);
		dir = vb_strdup(x->fleet_dir);
		if (vb_mkdir_p(dir, 0755) < 0) {
			free(dir);
			return vb_error("cannot create '%s': %s", x->fleet_dir, strerror(errno));
		}
	} else if (vb_results_create_run_dir(c->results, &x->id, &dir) < 0) {
		return -1;
	}
	x->dir = vb_strdup(realpath(dir, real) ? real : dir);
	free(dir);
	x->results = vb_strdup(realpath(c->results, real) ? real : c->results);
	if (vb_hv_system() && !vb_hv_remote() && vb_check_reachable("the results folder", x->dir) < 0)
		return -1;
	x->point_args = vb_calloc(x->plan.npoints, sizeof(json_t *));
	for (size_t i = 0; i < x->plan.npoints; i++)
		x->point_args[i] = vb_job_args(&x->plan.points[i].cfg);
	if (x->resumed) {
		x->runjson = json_incref(x->resumed);
		vb_manifest_resumed(x->runjson);
	} else {
		struct vb_manifest_in in = {.id = x->id, .cfg = c, .virt = x->virt, .accel = &x->accel, .img = &x->img,
		                            .store = &x->store, .plan = &x->plan, .point_args = x->point_args, .modes = x->modes,
		                            .placement = x->placement};
		x->runjson = vb_manifest_new(&in);
	}
	x->seeds = vb_manifest_seeds(x->runjson, reps_max(c));
	/* the plan asked for them: the gate sees them missing, report shows why */
	for (size_t i = 0; x->dropped && x->dropped[i].mode; i++) {
		json_t *mj = vb_manifest_mode(x->runjson, x->dropped[i].mode->name);
		if (vb_manifest_mode_done(mj))
			continue; /* finished before --resume, when it could run */
		json_object_set_new(mj, "status", json_string("unavailable"));
		json_object_set_new(mj, "reason", json_string(x->dropped[i].why));
	}
	if (vb_manifest_save(x->dir, x->runjson) < 0)
		return -1;
	if (!x->resumed && !c->rerun_of && !x->fleet_dir) /* a rerun belongs to its run; latest stays that run */
		vb_results_link_latest(x->results, x->id);
	vb_info("results: %s%s", x->dir, x->resumed ? " (resumed)" : "");
	return 0;
}

/* A remote host out of reach after mode m failed: m's reason says so
 * (whatever broke first), the modes after it are not run, and the run
 * stays incomplete for --resume. */
static void mark_host_lost(struct run_ctx *x, const struct vb_mode *m, json_t *mj, struct vb_mode_result *r)
{
	if (!strstr(r->reason, vb_hv_where())) {
		char *why = vb_asprintf("%s became unreachable (%s)", vb_hv_where(), r->reason);
		free(r->reason);
		r->reason = why;
		json_object_set_new(mj, "reason", json_string(why));
	}
	vb_warn("%s: %s", m->name, r->reason);
	x->host_lost = vb_asprintf("not run: %s became unreachable during mode %s; continue with 'vmio-bench run --resume'",
	                           vb_hv_where(), m->name);
	vb_error("%s is out of reach: the modes after %s are not run; the run stays incomplete for --resume", vb_hv_where(),
	         m->name);
}

/* Each mode in turn, run.json saved after each.  True if any failed. */
static bool run_modes(struct run_ctx *x)
{
	bool failed = false;
	size_t nmodes = 0;
	while (x->modes[nmodes])
		nmodes++;
	/* the status line's plan: each mode's jobs and their fio seconds
	 * (--reps auto: the least it runs) */
	unsigned reps = x->cfg->reps ? x->cfg->reps : (x->cfg->max_reps < 3 ? x->cfg->max_reps : 3);
	double fio_s = 0;
	for (size_t pi = 0; pi < x->plan.npoints; pi++)
		fio_s += reps * (double)(x->plan.points[pi].cfg.ramp + x->plan.points[pi].cfg.runtime);
	vb_progress_begin(nmodes, reps * (unsigned)x->plan.npoints, fio_s);
	for (size_t i = 0; x->modes[i]; i++) {
		const struct vb_mode *m = x->modes[i];
		json_t *mj = vb_manifest_mode(x->runjson, m->name);
		struct vb_mode_result r = {0};
		vb_progress_mode(i + 1, m->name, !m->host);
		if (vb_manifest_mode_done(mj)) {
			vb_info("%s: finished before, kept as it is", m->name);
			continue;
		}
		if (vb_interrupted || x->host_lost) {
			json_object_set_new(mj, "status", json_string("not run"));
			if (x->host_lost)
				json_object_set_new(mj, "reason", json_string(x->host_lost));
			failed = true;
			continue;
		}
		/* -c FILE's [mode NAME]: this mode alone runs with its tuning */
		json_t *ov = json_object_get(x->cfg->mode_tuning, m->name);
		struct vb_config *base = x->cfg, mc;
		if (ov) {
			char *why = NULL;
			vb_config_copy(&mc, base);
			vb_config_apply(&mc, VB_CMD_RUN, ov, &why); /* checked by check_inputs */
			free(why);
			x->cfg = &mc;
			json_object_set(mj, "tuning_overrides", ov);
		}
		double t0 = vb_now();
		int rm = run_mode(x, m, &r, mj);
		vb_progress_step(rm < 0 ? VB_STEP_FAILED : VB_STEP_DONE);
		if (ov) {
			x->cfg = base;
			vb_config_release(&mc);
		}
		if (rm < 0) {
			failed = true;
			if (vb_hv_remote() && !vb_virt_reachable(x->virt))
				mark_host_lost(x, m, mj, &r);
			else
				vb_warn("%s: %s", m->name, r.reason);
		} else {
			vb_info("%s: done in %.1f s (mode %zu of %zu)", m->name, vb_now() - t0, i + 1, nmodes);
			if (r.guest_kernel)
				json_object_set_new(json_object_get(x->runjson, "versions"), "guest_kernel", json_string(r.guest_kernel));
		}
		free(r.reason);
		free(r.guest_kernel);
		vb_manifest_save(x->dir, x->runjson);
		if (x->modes[i + 1] && !vb_interrupted)
			draw_behind(x);
	}
	return failed;
}

/* Close run.json and render everything from what was stored, exactly as
 * 'vmio-bench report' would.  The exit status. */
static int finish(struct run_ctx *x, bool failed)
{
	vb_progress_end();
	vb_manifest_end(x->runjson, vb_interrupted || x->host_lost);
	if (vb_manifest_save(x->dir, x->runjson) < 0)
		failed = true;
	drawn(x);
	double t0 = vb_now();
	/* a fleet's host draws its own folder; the fleet prints one table */
	FILE *table = x->cfg->json || x->fleet_dir ? NULL : stdout;
	if (vb_report_run(x->dir, table) < 0 || (x->cfg->json && !x->fleet_dir && vb_report_print_json(x->dir, stdout) < 0))
		failed = true;
	/* the report's own time, recorded after it (run.json saved again) */
	timing(x->runjson, "report_s", vb_now() - t0, false);
	if (!failed && vb_manifest_save(x->dir, x->runjson) < 0)
		failed = true;
	if (vb_interrupted)
		vb_error("interrupted by a signal: the finished repetitions are kept in %s; continue with 'vmio-bench run --resume %s'",
		         x->dir, x->dir);
	return failed || vb_interrupted ? VB_EXIT_FAIL : VB_EXIT_OK;
}

static void run_release(struct run_ctx *x)
{
	drawn(x);
	vb_virt_free(x->virt);
	vb_image_release(&x->img);
	vb_store_release(&x->store);
	free(x->accel.why);
	free(x->dir);
	free(x->id);
	free(x->results);
	if (x->run_dir && vb_hv_remote()) {
		const char *argv[] = {"rm", "-rf", "--", x->run_dir, NULL};
		vb_hv_run(argv, NULL, 30);
	} else if (x->run_dir) {
		rmdir(x->run_dir);
	}
	free(x->run_dir);
	free(x->host_lost);
	json_decref(x->placement);
	for (size_t i = 0; x->point_args && i < x->plan.npoints; i++)
		json_decref(x->point_args[i]);
	free(x->point_args);
	vb_plan_release(&x->plan);
	json_decref(x->runjson);
	json_decref(x->resumed);
	json_decref(x->rerun_of);
	free(x->modes);
	vb_mode_dropped_free(x->dropped);
}

/* --rerun-of ID: that run's run.json, in the same results root; NULL
 * after reporting. */
static json_t *rerun_of_json(const struct vb_config *c)
{
	char *p = vb_asprintf("%s/%s/run.json", c->results, c->rerun_of);
	char *dir = vb_asprintf("%s/%s", c->results, c->rerun_of);
	int mine = vb_valid_id(c->rerun_of) && access(p, F_OK) == 0 ? vb_manifest_trusted(dir, "--rerun-of") : 0;
	free(dir);
	if (mine < 0) {
		free(p);
		return NULL;
	}
	json_t *run = vb_valid_id(c->rerun_of) ? vb_json_load_regular(p, 64u << 20, JSON_REJECT_DUPLICATES, NULL) : NULL;
	free(p);
	if (!json_is_object(run)) {
		json_decref(run);
		vb_error("--rerun-of: '%s' is not a run in the results root '%s': give the id of a run folder there",
		         c->rerun_of, c->results);
		return NULL;
	}
	return run;
}

int vb_cmd_run(struct vb_config *c, int nrest, char **rest)
{
	(void)nrest;
	(void)rest;
	if (vb_fleet_is(c) && c->rerun_of)
		return vb_error("--rerun-of with several --connect: a fleet is not a rerun of one run; run the fleet again, "
		                "or rerun one host's run on its own"), VB_EXIT_USAGE;
	if (vb_fleet_is(c))
		return vb_fleet_run(c);
	return vb_run_host(c, NULL, NULL);
}

int vb_run_host(struct vb_config *c, const char *fleet_dir, const char *fleet_id)
{
	struct run_ctx x = {.cfg = c, .fleet_dir = fleet_dir, .fleet_id = fleet_id};
	int ret = VB_EXIT_USAGE;
	double t0 = vb_now(), t1, t2;

	if (c->resume && !(x.resumed = vb_manifest_resume(c)))
		goto out;
	if (c->rerun_of && !(x.rerun_of = rerun_of_json(c)))
		goto out;
	/* the resumed or repeated run's own hypervisor, whichever this process
	 * had (a gate's rerun is its child) */
	if ((x.resumed || x.rerun_of) && vb_hv_use(c->connect) < 0)
		goto out;
	char *why = NULL;
	if (vb_hv_check(&why) < 0) { /* before any probe asks that host something */
		vb_error("%s", why);
		free(why);
		ret = VB_EXIT_FAIL;
		goto out;
	}
	/* there, on the disk and store it measured, or not at all */
	if ((x.resumed && vb_manifest_check_place(x.resumed, c, "--resume") < 0) ||
	    (x.rerun_of && vb_manifest_check_place(x.rerun_of, c, "--rerun-of") < 0))
		goto out;
	if (check_inputs(&x) < 0)
		goto out;
	t1 = vb_now();
	/* from here on, what the host cannot do is a failed measurement (1) */
	vb_install_signal_handlers();
	if ((ret = start_host(&x)) != VB_EXIT_OK)
		goto out;
	t2 = vb_now();
	ret = VB_EXIT_FAIL;
	if (open_run(&x) < 0)
		goto out;
	timing(x.runjson, "checks_s", t1 - t0, false);
	timing(x.runjson, "host_setup_s", t2 - t1, false); /* store, libvirt, accelerator (probe) */
	timing(x.runjson, "accel_probe_s", x.accel_s, false); /* of which the accelerator's choice */
	ret = finish(&x, run_modes(&x));
out:
	vb_progress_end();
	run_release(&x);
	return ret;
}

const struct vb_command vb_command_run = {
	.name = "run", .args = false, .fn = vb_cmd_run,
	.synopsis = "run [options]",
	.summary = "boot a guest per bus mode, run fio in each, store and print the results",
	.help = "Boot a guest per bus mode through libvirt, run the same fio job in each,\n"
	        "store everything under RESULTS/<run-id>/ and print a table.\n",
};
