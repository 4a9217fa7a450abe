#include "config.h"
#include "core/progress.h"
#include "core/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Until a run has shown its own, what a boot, a job's overhead beyond its
 * fio seconds, and a mode's preparing and teardown are taken to cost (TCG
 * on a small host; the figures are replaced by the run's own as soon as
 * it has them). */
#define GUESS_BOOT_S 10.0
#define GUESS_JOB_OVERHEAD_S 3.0
#define GUESS_MODE_OVERHEAD_S 3.0

static struct {
	bool on;     /* a status line is drawn */
	bool shown;  /* it is on the screen now */
	size_t nmodes, k;
	unsigned jobs;
	double fio_s;
	char mode[64];
	bool boots;
	enum vb_step step;
	double t_step, t_mode;
	/* the job running now */
	unsigned rep, reps, jobs_done;
	char label[96];
	double job_s, t_job;
	double riops, wiops;
	bool have_iops;
	/* what the run has shown so far */
	double boot_sum, over_sum, mode_sum;
	unsigned boot_n, over_n, mode_n;
	double m_boot, m_jobs; /* this mode's boots and jobs, wall seconds */
	long last_drawn; /* the elapsed second last drawn */
} P;

static void draw(void)
{
	char line[512];
	struct winsize ws;
	size_t width = ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10 ? ws.ws_col : 80;
	if (width > sizeof(line))
		width = sizeof(line);
	size_t n = vb_progress_format(line, width - 1, vb_now());
	/* carriage return, the line, then erase what an older, longer line
	 * left to its right: one write, so nothing lands in between */
	char out[sizeof(line) + 8];
	int len = snprintf(out, sizeof(out), "\r%.*s\033[K", (int)n, line);
	if (len > 0 && write(STDERR_FILENO, out, (size_t)len) < 0)
		P.on = false;
	P.shown = true;
	P.last_drawn = (long)(vb_now() - P.t_step);
}

void vb_progress_hide(void)
{
	if (P.on && P.shown && write(STDERR_FILENO, "\r\033[K", 4) < 0)
		P.on = false;
	P.shown = false;
}

void vb_progress_show(void)
{
	if (P.on)
		draw();
}

static void msg_hook(bool after)
{
	if (after)
		vb_progress_show();
	else
		vb_progress_hide();
}

void vb_progress_begin(size_t nmodes, unsigned jobs, double fio_s)
{
	const char *term = getenv("TERM");
	memset(&P, 0, sizeof(P));
	P.nmodes = nmodes;
	P.jobs = jobs ? jobs : 1;
	P.fio_s = fio_s;
	P.t_step = P.t_mode = vb_now();
	/* a fleet's hosts share one terminal: their log lines say which is which */
	P.on = !vb_quiet && !vb_msg_host && isatty(STDERR_FILENO) && !(term && strcmp(term, "dumb") == 0);
	vb_msg_hook = P.on ? msg_hook : NULL;
	vb_wait_hook = P.on ? vb_progress_tick : NULL;
}

void vb_progress_mode(size_t k, const char *name, bool boots)
{
	if (P.k && P.step != VB_STEP_DONE && P.step != VB_STEP_FAILED)
		vb_progress_step(VB_STEP_DONE);
	P.k = k;
	snprintf(P.mode, sizeof(P.mode), "%s", name);
	vb_text_clean(P.mode);
	P.boots = boots;
	P.jobs_done = 0;
	P.m_boot = P.m_jobs = 0;
	P.t_mode = vb_now();
	P.step = VB_STEP_PREPARING;
	P.t_step = P.t_mode;
	if (P.on)
		draw();
}

void vb_progress_step(enum vb_step step)
{
	double t = vb_now();
	if (P.step == VB_STEP_BOOTING && step == VB_STEP_RUNNING) {
		P.boot_sum += t - P.t_step;
		P.boot_n++;
		P.m_boot += t - P.t_step;
	}
	if (step == VB_STEP_DONE && P.step != VB_STEP_DONE && P.step != VB_STEP_FAILED && P.jobs_done) {
		/* what the mode cost beyond its boots and jobs: preparing,
		 * teardown, cleanup */
		P.mode_sum += fmax(0, t - P.t_mode - P.m_boot - P.m_jobs);
		P.mode_n++;
	}
	P.step = step;
	P.t_step = t;
	P.have_iops = false;
	if (P.on)
		draw();
}

void vb_progress_job(unsigned rep, unsigned reps, const char *label, double seconds)
{
	P.rep = rep;
	P.reps = reps;
	snprintf(P.label, sizeof(P.label), "%s", label ? label : "");
	vb_text_clean(P.label);
	P.job_s = seconds;
	P.t_job = vb_now();
	P.have_iops = false;
	if (P.step != VB_STEP_RUNNING)
		vb_progress_step(VB_STEP_RUNNING);
	else if (P.on)
		draw();
}

void vb_progress_job_done(void)
{
	double wall = vb_now() - P.t_job, over = wall - P.job_s;
	P.m_jobs += wall;
	if (over > 0) {
		P.over_sum += over;
		P.over_n++;
	}
	P.jobs_done++;
}

void vb_progress_iops(double read_iops, double write_iops)
{
	if (vb_thread_quiet || !(read_iops >= 0 && read_iops < 1e10 && write_iops >= 0 && write_iops < 1e10))
		return;
	P.riops = read_iops;
	P.wiops = write_iops;
	P.have_iops = true;
	if (P.on)
		draw();
}

void vb_progress_tick(void)
{
	if (P.on && (long)(vb_now() - P.t_step) != P.last_drawn)
		draw();
}

void vb_progress_end(void)
{
	vb_progress_hide();
	P.on = false;
	vb_msg_hook = NULL;
	vb_wait_hook = NULL;
}

/* 950, 4.2k, 12k, 1.3M: a rate to the width of a glance. */
static void si(char *out, size_t n, double v)
{
	if (v >= 1e6)
		snprintf(out, n, "%.1fM", v / 1e6);
	else if (v >= 1e4)
		snprintf(out, n, "%.0fk", v / 1e3);
	else if (v >= 1e3)
		snprintf(out, n, "%.1fk", v / 1e3);
	else
		snprintf(out, n, "%.0f", v);
}

static void duration(char *out, size_t n, double s)
{
	long t = s > 0 ? lround(s) : 0;
	if (t >= 3600)
		snprintf(out, n, "%ldh%02ldm", t / 3600, t / 60 % 60);
	else if (t >= 60)
		snprintf(out, n, "%ldm%02lds", t / 60, t % 60);
	else
		snprintf(out, n, "%lds", t);
}

/* Seconds the run still needs, by the plan and what it has shown. */
static double time_left(double now)
{
	double boot = P.boot_n ? P.boot_sum / P.boot_n : GUESS_BOOT_S;
	double over = P.over_n ? P.over_sum / P.over_n : GUESS_JOB_OVERHEAD_S;
	double mode_over = P.mode_n ? P.mode_sum / P.mode_n : GUESS_MODE_OVERHEAD_S;
	double per_job = P.fio_s / P.jobs + over;
	double elapsed = now - P.t_step, left = 0;

	switch (P.step) {
	case VB_STEP_PREPARING:
		left = fmax(0, mode_over - elapsed) + (P.boots ? boot : 0) + P.jobs * per_job;
		break;
	case VB_STEP_BOOTING:
		left = fmax(0, boot - elapsed) + P.jobs * per_job;
		break;
	case VB_STEP_RUNNING:
		left = fmax(0, P.job_s + over - (now - P.t_job));
		if (P.jobs > P.jobs_done + 1)
			left += (P.jobs - P.jobs_done - 1) * per_job;
		break;
	default:
		break;
	}
	/* the modes after this one, each assumed to boot a guest */
	if (P.nmodes > P.k)
		left += (double)(P.nmodes - P.k) * (mode_over + boot + P.jobs * per_job);
	return left;
}

size_t vb_progress_format(char *out, size_t width, double now)
{
	static const char *const names[] = {
		[VB_STEP_PREPARING] = "preparing", [VB_STEP_BOOTING] = "booting",   [VB_STEP_RUNNING] = "running",
		[VB_STEP_TEARDOWN] = "tearing down", [VB_STEP_DONE] = "done",        [VB_STEP_FAILED] = "failed",
	};
	char buf[512], what[256], left[32], r[16], w[16];
	double elapsed = now - P.t_step;

	if (P.step == VB_STEP_RUNNING) {
		int n = snprintf(what, sizeof(what), "rep %u/%u %s %.0f/%.0f s", P.rep, P.reps, P.label,
		                 fmin(now - P.t_job, P.job_s), P.job_s);
		if (P.have_iops && n > 0 && (size_t)n < sizeof(what)) {
			si(r, sizeof(r), P.riops);
			si(w, sizeof(w), P.wiops);
			snprintf(what + n, sizeof(what) - (size_t)n, ", IOPS %s r %s w", r, w);
		}
	} else if (P.step == VB_STEP_BOOTING || P.step == VB_STEP_PREPARING || P.step == VB_STEP_TEARDOWN) {
		snprintf(what, sizeof(what), "%s: %.0f s", names[P.step], elapsed);
	} else {
		snprintf(what, sizeof(what), "%s", names[P.step]);
	}
	duration(left, sizeof(left), time_left(now));
	int n = snprintf(buf, sizeof(buf), "[%zu/%zu %s] %s | ~%s left", P.k, P.nmodes, P.mode, what, left);
	size_t len = n < 0 ? 0 : (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
	if (len > width)
		len = width;
	if (width)
		memcpy(out, buf, len);
	out[len] = '\0';
	return len;
}
