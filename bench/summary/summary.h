/* summary: the model of a run folder's stored results (run.json, fio's
 * JSON and IOPS logs per repetition) -- per mode, job point and direction:
 * mean, standard deviation, 95% confidence interval and coefficient of
 * variation over repetitions, latency percentiles from merged histogram
 * bins, the ratio to the host baseline and the CPU spent per I/O.
 * Renderers (render.h) and commands read it; it renders nothing and needs
 * no libvirt.
 *
 * Ownership: vb_summary_load fills a summary released with
 * vb_summary_release; rows borrow nothing from the caller. */
#ifndef VB_SUMMARY_H
#define VB_SUMMARY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "summary/stats.h"

#define VB_SUMMARY_SCHEMA 1
#define VB_NPCT 5
extern const double vb_pct_levels[VB_NPCT]; /* 50, 90, 99, 99.9, 99.99 */

/* Metrics compared across runs, one row each: name, unit, whether larger
 * is better, and where the per-repetition values live in a row. */
enum vb_metric { VB_M_IOPS, VB_M_BW, VB_M_CLAT_MEAN, VB_M_CLAT_P99, VB_NMETRICS };
struct vb_metric_info {
	const char *name;
	const char *unit;
	bool higher_is_better;
};
extern const struct vb_metric_info vb_metrics[VB_NMETRICS];
/* --metric: a comma-separated list of metric names into want[]; reports
 * and returns -1 on an unknown name or an empty list. */
int vb_metrics_parse(const char *list, bool want[VB_NMETRICS]);

struct vb_row {
	char *mode, *point, *dir;      /* dir: "read" or "write" */
	size_t n;                      /* repetitions */
	double *val[VB_NMETRICS];      /* per repetition */
	struct vb_sample s[VB_NMETRICS];
	double pct[VB_NPCT];           /* ns, from merged bins; 0 when fio gave none */
	double ratio_host;             /* mean IOPS / host's; NAN without a host row */
	double host_cpu_us_per_io;     /* NAN when unknown */
	/* host_cpu_us_per_io by thread class ({class: us}, adding up to it;
	 * a helper daemon's or vhost's threads under the process's name), or
	 * NULL when some repetition's threads were not read (owned) */
	json_t *host_cpu_split;
	double guest_cpu_us_per_io;    /* NAN for host */
	char **iops_logs;              /* absolute paths per repetition, NULL if none */
	size_t cap;                    /* entries allocated per array */
};

struct vb_mode_status {
	char *mode, *status, *reason;
	char *imported;                /* where an imported mode's figures came from, or NULL */
};

struct vb_summary {
	char *run_dir;
	json_t *run;                   /* run.json */
	const char *id, *accel, *job, *state, *started; /* borrowed from run */
	const char *storage;   /* the storage model (a word: vb_summary_storage_ok), or "?" */
	char *fio_version;
	const char *baseline;          /* the mode every row is divided by (run.json's
	                                  "baseline"; "host" in runs from before it
	                                  was recorded), or NULL */
	bool emulated;
	struct vb_row *rows;
	size_t nrows;
	struct vb_mode_status *modes;
	size_t nmodes;
	char **points;                 /* labels, in plan order */
	size_t npoints;
	/* A fleet's run: rows and modes are named HOST/MODE (each divided by
	 * its own host's baseline); run is the first host's run.json with the
	 * fleet's id, state, times, "fleet" and every host's modes. */
	bool fleet;
};

/* Was the mode dropped at probe time (--modes all: this host cannot run
 * it; status "unavailable", the probe's reason in reason)? */
bool vb_mode_unavailable(const struct vb_mode_status *m);

/* MODE of "HOST/MODE" (a fleet's), or the name itself; and the length of
 * its HOST part (0 outside a fleet). */
const char *vb_mode_bare(const char *mode);
int vb_mode_host_len(const char *mode);

/* Load and summarise a run folder.  Reports one line naming the file and
 * the problem and returns -1 on malformed input. */
int vb_summary_load(const char *run_dir, struct vb_summary *s);
void vb_summary_release(struct vb_summary *s);
const struct vb_row *vb_summary_find(const struct vb_summary *s, const char *mode, const char *point, const char *dir);
json_t *vb_summary_to_json(const struct vb_summary *s);

#endif
