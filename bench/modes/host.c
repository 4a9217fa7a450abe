/* host: the same fio job on the host, on the same backing store: the
 * ceiling every guest mode is divided by. */
#include "config.h"
#include "modes/mode.h"
#include "core/fiopath.h"
#include "host/hostload.h"
#include "host/hostres.h"
#include "host/hv.h"
#include "core/job.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

static int host_probe(const struct vb_config *cfg, char **why)
{
	const char *argv[] = {"fio", "--version", NULL};
	char *v = vb_hv_command_first_line(argv);
	if (!v) {
		*why = vb_asprintf("fio is not installed on %s: apt-get install fio there", vb_hv_where());
		return -1;
	}
	free(v);
	return 0;
}

/* fio's processes (the main one and a child per job), and the helper
 * daemon serving its I/O if there is one, sampled at the window's edges,
 * counted from fio's start: on the host its start-up takes milliseconds,
 * well inside the window's margin. */
struct host_window {
	const char *pidfile; /* on a remote hypervisor: where fio's pid is */
	double t0, start, end, t[2];
	pid_t helper, ssh;
	struct vb_hostload *load; /* the disk context's, or NULL */
	unsigned long long ns[2], helper_ns[2];
	int taken;
	bool lost, resolved;
};

static void host_tick(void *arg, pid_t pid)
{
	struct host_window *w = arg;
	double edge = w->taken == 0 ? w->start : w->end;
	/* the ssh stands for the remote fio; if it cannot, its CPU is lost
	 * (the ssh's own would be a wrong figure) */
	if (w->pidfile && !w->ssh && !vb_proc_alias(w->ssh = pid, w->pidfile))
		w->lost = true;
	if (w->lost)
		return;
	if (w->ssh && !w->resolved) /* learn the remote fio's pid early, not at the edge */
		w->resolved = vb_daemon_host_pid(pid) > 0;
	if (w->taken >= 2 || vb_now() < w->t0 + edge)
		return;
	pid_t pids[2] = {pid, w->helper};
	bool tree[2] = {true, false};
	unsigned long long ns[2];
	if (vb_proc_cpu_many(pids, tree, w->helper > 0 ? 2 : 1, ns) < 0) {
		w->lost = true; /* fio ended before the edge: no window */
		return;
	}
	w->ns[w->taken] = ns[0];
	w->helper_ns[w->taken] = ns[1];
	w->t[w->taken++] = vb_now();
	if (w->load)
		vb_hostload_edge(w->load);
}

/* fio's IOPS log, written on the remote hypervisor, copied to where a
 * local fio would have written it. */
static void fetch_log(const char *remote_prefix, const char *local_prefix)
{
	char *r = vb_asprintf("%s_iops.log", remote_prefix), *l = vb_asprintf("%s_iops.log", local_prefix);
	vb_hv_fetch(r, l, 4u << 20);
	free(r);
	free(l);
	/* fio's latency histogram log: 4 kB a line, two lines a second */
	r = vb_asprintf("%s_clat_hist.log", remote_prefix);
	l = vb_asprintf("%s_clat_hist.log", local_prefix);
	vb_hv_fetch(r, l, 256u << 20);
	free(r);
	free(l);
}

int vb_mode_host_fio(const struct vb_disk_ctx *d, json_t *fio_args, const char *const *extra, const char *log_prefix,
                     char **fio_json, json_t **host_cpu, char **why)
{
	size_t n = json_array_size(fio_args), nx = 0, i;
	while (extra[nx])
		nx++;
	const char **argv = vb_calloc(n + nx + 8, sizeof(char *));
	/* on a remote hypervisor fio's log is written there and fetched */
	char *rprefix = vb_hv_scratch_path("host-log");
	char *pidfile = vb_hv_scratch_path("host-fio.pid");
	char *log = vb_asprintf("--write_iops_log=%s", rprefix ? rprefix : log_prefix);
	char *hist = vb_asprintf("--write_hist_log=%s", rprefix ? rprefix : log_prefix);
	char *out = NULL;
	struct host_window w = {.t0 = vb_now(), .helper = d->helper_pid, .pidfile = pidfile, .load = d->load};
	json_t *a;
	int st;

	*host_cpu = NULL;
	vb_job_window(d->cfg, &w.start, &w.end);
	argv[0] = "fio";
	json_array_foreach(fio_args, i, a) argv[i + 1] = json_string_value(a);
	for (i = 0; i < nx; i++)
		argv[n + 1 + i] = extra[i];
	argv[n + nx + 1] = "--output-format=json+";
	argv[n + nx + 2] = log;
	argv[n + nx + 3] = "--log_avg_msec=1000";
	argv[n + nx + 4] = "--per_job_logs=0";
	argv[n + nx + 5] = hist; /* completion latency over time, 1 s windows */
	argv[n + nx + 6] = "--log_hist_msec=1000";
	/* fio's own limit is generous: runtime plus start-up, never unbounded */
	char **run = pidfile ? vb_hv_argv_pidfile(argv, pidfile) : vb_hv_argv(argv);
	st = vb_run_watched((const char *const *)run, &out, NULL, (int)(d->cfg->runtime * 2 + d->cfg->ramp) + 60, host_tick, &w);
	vb_hv_argv_free(run);
	if (rprefix)
		fetch_log(rprefix, log_prefix);
	if (st != 0) {
		*why = vb_asprintf("fio on %s exited with status %d (its messages are above)", vb_hv_where(), st);
		free(out);
		out = NULL;
	} else if (w.taken == 2 && w.t[1] > w.t[0]) {
		*host_cpu = json_pack("{s:f, s:{s:I}}", "window_s", w.t[1] - w.t[0], "processes", "fio",
		                      (json_int_t)(w.ns[1] - w.ns[0]));
		if (w.helper > 0)
			json_object_set_new(json_object_get(*host_cpu, "processes"), d->helper_name,
			                    json_integer((json_int_t)(w.helper_ns[1] - w.helper_ns[0])));
	}
	*fio_json = out;
	if (w.ssh > 0) { /* a remote fio that failed or ran late is stopped there */
		if (st != 0)
			vb_daemon_stop(w.ssh, 5);
		vb_proc_unalias(w.ssh);
	}
	free(pidfile);
	free(rprefix);
	free(log);
	free(hist);
	free(argv);
	return out ? 0 : -1;
}

static int host_measure(const struct vb_disk_ctx *d, json_t *fio_args, const char *log_prefix, char **fio_json,
                        json_t **host_cpu, char **why)
{
	/* checked when --disk was parsed; a store's path is checked here */
	const char *refused = vb_fio_path_check(d->source);
	if (refused) {
		*host_cpu = NULL;
		*why = vb_asprintf("host: the disk's path '%s' %s", d->source, refused);
		return -1;
	}
	char *escaped = vb_fio_path_arg(d->source);
	if (!escaped)
		abort();
	char *filename = vb_asprintf("--filename=%s", escaped);
	const char *extra[] = {filename, NULL};
	int rc = vb_mode_host_fio(d, fio_args, extra, log_prefix, fio_json, host_cpu, why);
	free(filename);
	free(escaped);
	return rc;
}

static int host_check_config(const struct vb_config *cfg, char **why)
{
	return vb_mode_refuse_null(cfg, "host", why);
}

const struct vb_mode vb_mode_host = {
	.name = "host",
	.no_iotune = "fio runs on the host, with no guest and no disk to throttle",
	.vms = true,
	.summary = "fio on the host itself, same job, same backing store (the baseline)",
	.host = true,
	.baseline = true,
	.check_config = host_check_config,
	.probe = host_probe,
	.measure = host_measure,
};
