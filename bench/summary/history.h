/* history: a results root read as a nightly history, for gate and trend.
 *
 * A night is one run folder with the reruns judged with it (run folders
 * whose run.json says "rerun_of": its id, made by gate --rerun), in the
 * order the runs started.  A run is accepted into the history when
 * RUN/accepted.json says so: written by the gate when the run shows no
 * regression, or by 'vmio-bench accept RUN'.
 *
 * Runs are comparable when they measured the same job with the same
 * tuning and accelerator on the same machine (host name, CPU model):
 * vb_runs_differ; compare refuses the others, gate and trend leave them
 * out and count them.  What is under test -- the versions of QEMU,
 * libvirt, the host and guest kernels and fio -- may differ between
 * comparable runs: such runs pool, and vb_version_changes names what
 * changed (the gate exists to judge an upgrade). */
#ifndef VB_HISTORY_H
#define VB_HISTORY_H

#include <stdbool.h>
#include <stdio.h>

#include "summary/summary.h"

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
 * and machine (what defines the measurement; versions are not counted);
 * with report, one error line each, prefixed by who. */
int vb_runs_differ(const struct vb_summary *a, const struct vb_summary *b, bool report, const char *who);
/* What is under test that changed from the runs before[0..n) to now, a
 * new JSON array: one {"what": "QEMU", "field": "versions.qemu", "from":
 * [the earlier versions, distinct], "to", "runs": how many of the n had
 * another, "of": n} per version that changed.  A version a run did not
 * know is no change. */
json_t *vb_version_changes(const struct vb_summary *const *before, size_t n, const struct vb_summary *now);
/* Whether two runs had the same versions under test (one a run did not
 * know is no difference). */
bool vb_versions_same(const struct vb_summary *a, const struct vb_summary *b);
/* "QEMU 7.2.22 → 8.2.0" of one such change (caller frees). */
char *vb_version_change_text(json_t *change);

/* The modes a run's plan asked for (HOST/MODE in a fleet): its --modes
 * list, and every mode its run.json records (--modes all: those that ran
 * and those dropped at probe time).  NULL-terminated; caller frees each
 * and the array. */
char **vb_run_planned_modes(const struct vb_summary *s, size_t *n);
/* Whether job point index (s->points[index], job.points[index]) does I/O
 * in direction dir ("read", "write"), from its rw and rwmixread: 1, 0, or
 * -1 when run.json does not say. */
int vb_point_exercises(const struct vb_summary *s, size_t index, const char *dir);

/* Append the values of one metric of one row (mode, point, direction)
 * over a night's run and reruns to *v (grown as needed; *len values,
 * *cap allocated).  Only repetitions of modes that finished are taken,
 * and only values > 0. */
void vb_night_values(const struct vb_night *n, const char *mode, const char *point, const char *dir, int metric,
                     double **v, size_t *len, size_t *cap);
/* The repetitions of one row of a night for a direction the plan
 * exercises, each counted: a repetition that read 0 IOPS is 0 for IOPS
 * and bandwidth (and is left out of latency, which it did not measure). */
struct vb_values {
	double *v;
	size_t n, cap;
	size_t reps;           /* repetitions seen */
	size_t zeros;          /* of which read 0 IOPS */
};
void vb_night_values_all(const struct vb_night *n, const char *mode, const char *point, const char *dir, int metric,
                         struct vb_values *out);
/* The mode's entry in the night: the run's, or a rerun's that finished it
 * (borrowed), or NULL when the night has no record of the mode. */
const struct vb_mode_status *vb_night_mode(const struct vb_night *n, const char *mode);
/* The mode's status in the night: "ok" if the run or a rerun finished it. */
const char *vb_night_mode_status(const struct vb_night *n, const char *mode);

/* Mark a run accepted (RUN/accepted.json, written atomically). */
int vb_accept_write(const char *run_dir, const char *by, const char *verdict);
/* "gate" or "hand" when the run is accepted (caller frees), else NULL. */
char *vb_accept_read(const char *run_dir);

#endif
