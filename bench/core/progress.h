/* progress: where a run stands, for the person watching it.
 *
 * On a terminal (stderr is a TTY, and neither --quiet nor TERM=dumb) the
 * last line of stderr is a status line, redrawn as the run moves and every
 * half second while it waits:
 *
 *   [2/4 virtio-blk] rep 2/3 default 7/13 s, IOPS 4.2k r 1.8k w | ~2m10s left
 *
 * The log lines (vb_info, vb_warn, vb_error) scroll above it.  Anywhere
 * else nothing is drawn and the log lines alone tell each step, as before.
 * Every function here is a no-op when no status line is drawn, so the code
 * that measures calls them without asking; util's messages and wait loops
 * reach it through util's hooks, which vb_progress_begin sets. */
#ifndef VB_PROGRESS_H
#define VB_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

enum vb_step {
	VB_STEP_PREPARING,
	VB_STEP_BOOTING,
	VB_STEP_RUNNING,
	VB_STEP_TEARDOWN,
	VB_STEP_DONE,
	VB_STEP_FAILED,
};

/* The run's plan: n modes, each running jobs fio jobs of fio_s seconds in
 * all (ramp included).  Starts the status line when stderr is a
 * terminal. */
void vb_progress_begin(size_t nmodes, unsigned jobs, double fio_s);
/* Mode k (1-based) of the plan begins; boots says whether it starts guests. */
void vb_progress_mode(size_t k, const char *name, bool boots);
void vb_progress_step(enum vb_step step);
/* A job begins: repetition rep of reps, at the point labelled label, for
 * seconds of fio. */
void vb_progress_job(unsigned rep, unsigned reps, const char *label, double seconds);
/* A job ended (its wall time counts toward the estimate). */
void vb_progress_job_done(void);
/* Live IOPS of the job running now (from the guest agent). */
void vb_progress_iops(double read_iops, double write_iops);
/* Called from every wait loop: redraws when the elapsed seconds moved. */
void vb_progress_tick(void);
/* The run is over: the status line goes. */
void vb_progress_end(void);

/* For util's messages: take the status line off the screen before a log
 * line, and put it back after. */
void vb_progress_hide(void);
void vb_progress_show(void);

/* The status line as it would be drawn now, at most width columns (tests
 * and the drawing itself); returns its length. */
size_t vb_progress_format(char *out, size_t width, double now);

#endif
