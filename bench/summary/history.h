/* history: a results root read as a nightly history, for gate and trend.
 *
 * A night is one run folder with the reruns judged with it (run folders
 * whose run.json says "rerun_of": its id, made by gate --rerun), in the
 * order the runs started.  A run is accepted into the history when
 * RUN/accepted.json says so: written by the gate when the run shows no
 * regression, or by 'vmio-bench accept RUN'.
 *
 * Runs are comparable when they measured the same job with the same
 * tuning, accelerator and versions (vb_runs_differ); compare refuses the
 * others, gate and trend leave them out and count them. */
#ifndef VB_HISTORY_H
#define VB_HISTORY_H

#include <stdbool.h>
#include <stdio.h>

#include "summary.h"

struct vb_night {
	struct vb_summary run;
	struct vb_summary *reruns;
	size_t nreruns;
	char *accepted_by;      /* "gate" or "hand", or NULL: not accepted */
};

struct vb_history {
	struct vb_night *nights; /* by start time, oldest first */
	size_t n;
	size_t skipped;          /* run folders that could not be read (each reported) */
};

/* Every run folder in root ('latest' and hidden entries aside).  A folder
 * that cannot be read is reported, counted and left out.  -1 after
 * reporting when root cannot be read. */
int vb_history_load(const char *root, struct vb_history *h);
/* The same for the run folders given (where: how to name them in a
 * message, e.g. "the runs given"). */
int vb_history_from(char *const *dirs, size_t ndirs, const char *where, struct vb_history *h);
void vb_history_release(struct vb_history *h);
/* The night of a run folder (a path, or an id in root), or NULL. */
struct vb_night *vb_history_find(struct vb_history *h, const char *run);

/* The number of differences between two runs' job, tuning, accelerator
 * and versions; with report, one error line each, prefixed by who. */
int vb_runs_differ(const struct vb_summary *a, const struct vb_summary *b, bool report, const char *who);

/* Append the values of one metric of one row (mode, point, direction)
 * over a night's run and reruns to *v (grown as needed; *len values,
 * *cap allocated).  Only repetitions of modes that finished are taken,
 * and only values > 0. */
void vb_night_values(const struct vb_night *n, const char *mode, const char *point, const char *dir, int metric,
                     double **v, size_t *len, size_t *cap);
/* The mode's status in the night: "ok" if the run or a rerun finished it. */
const char *vb_night_mode_status(const struct vb_night *n, const char *mode);

/* Mark a run accepted (RUN/accepted.json, written atomically). */
int vb_accept_write(const char *run_dir, const char *by, const char *verdict);
/* "gate" or "hand" when the run is accepted (caller frees), else NULL. */
char *vb_accept_read(const char *run_dir);

#endif
