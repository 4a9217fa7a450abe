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

struct vb_findings;

#define VB_SUMMARY_SCHEMA 1
#define VB_NPCT 5
extern const double vb_pct_levels[VB_NPCT]; /* 50, 90, 99, 99.9, 99.99 */

/* Metrics compared across runs, one row each: name, unit, whether larger
 * is better, and where the per-repetition values live in a row. */
enum vb_metric { VB_M_IOPS, VB_M_BW, VB_M_CLAT_MEAN, VB_M_CLAT_P99, VB_M_WORST_GUEST_IOPS, VB_NMETRICS };
struct vb_metric_info {
	const char *name;
	const char *unit;
	bool higher_is_better;
};
extern const struct vb_metric_info vb_metrics[VB_NMETRICS];
/* --metric: a comma-separated list of metric names into want[]; reports
 * and returns -1 on an unknown name or an empty list. */
int vb_metrics_parse(const char *list, bool want[VB_NMETRICS]);

/* The most guests a --vms point has (the option's range). */
#define VB_VMS_MAX 16

struct vb_row {
	char *mode, *point, *dir;      /* dir: "read" or "write" */
	size_t n;                      /* repetitions */
	double *val[VB_NMETRICS];      /* per repetition */
	struct vb_sample s[VB_NMETRICS];
	double pct[VB_NPCT];           /* ns, from merged bins; 0 when fio gave none */
	double ratio_host;             /* mean IOPS / host's; NAN without a host row */
	double host_cpu_us_per_io;     /* NAN when unknown */
	double *host_cpu_rep;          /* the same per repetition (NAN: unknown; a --vms
	                                  point has none): tune's iops-per-cpu */
	/* host_cpu_us_per_io by thread class ({class: us}, adding up to it;
	 * a helper daemon's or vhost's threads under the process's name), or
	 * NULL when some repetition's threads were not read (owned) */
	json_t *host_cpu_split;
	double guest_cpu_us_per_io;    /* NAN for host */
	char **iops_logs;              /* absolute paths per repetition, NULL if none */
	char **lat_logs;               /* the same for latency percentiles per second (core/lathist.h) */
	size_t cap;                    /* entries allocated per array */
	/* A --vms point's row is the aggregate of its measured guests: IOPS
	 * and bandwidth summed, clat mean weighted by IOPS, percentiles (and
	 * clat_p99) the worst guest's; worst_guest_iops the slowest guest's
	 * IOPS.  Other rows have no worst_guest_iops (vb_row_has_metric). */
	bool vms;
	/* issue 28: the point's host_load (run.json): whether it was recorded
	 * (runs before schema 3 have none), the busy flag and why (owned,
	 * cleaned for a terminal; NULL when not busy), the other processes'
	 * CPU in cores (mean over repetitions) and the other QEMUs seen. */
	bool has_load;
	bool busy;
	char *busy_why;
	double other_cpu;
	int other_qemu;
};
/* Does the row carry metric m (worst_guest_iops: only a --vms point's)? */
bool vb_row_has_metric(const struct vb_row *r, int m);

/* How a --vms point's guests shared the host: per mode and point. */
struct vb_guest_share {
	int vm;                        /* 1..N */
	bool measured;                 /* ran the measured job (not a neighbour) */
	bool failed;                   /* failed in some repetition */
	double iops;                   /* reads + writes, mean over its repetitions; NAN: none */
};
struct vb_fairness {
	char *mode, *point;
	size_t n;                      /* guests booted for the point */
	struct vb_guest_share guest[VB_VMS_MAX];
	size_t nmeasured;              /* measured guests (a failed one too: its failed repetitions count as 0) */
	size_t nran;                   /* measured guests with figures */
	double jain;                   /* (sum x)^2 / (n sum x^2) over them; NAN with none */
	double min_max;                /* slowest / fastest of them; NAN with none */
	double start_spread_s;         /* the largest over repetitions; NAN: not recorded */
	bool partial;                  /* a guest failed: the figures are the others' */
	size_t nfailed;
	char *reason;                  /* why (the first failed guest's), cleaned for a terminal; or NULL */
};

/* A --neighbour pair: the measured guest with its neighbours idle and
 * busy (the same boots), per mode. */
struct vb_neighbour {
	char *mode, *idle, *busy;      /* idle and busy: the points' labels */
	double iops_idle, iops_busy;   /* the measured guest's reads + writes, mean */
	double p99_idle, p99_busy;     /* ns: the slower direction's, from merged bins */
	double iops_ratio, iops_lo, iops_hi; /* busy / idle, 95% interval (NAN: too few reps) */
	double p99_ratio, p99_lo, p99_hi;
	size_t nfailed;                /* guests that failed in either half (the Guests table says why) */
};

struct vb_mode_status {
	char *mode, *status, *reason;
	char *imported;                /* where an imported mode's figures came from, or NULL */
};

/* A mode's <iotune> limit (run.json's modes[].iotune.all) beside what a
 * point measured against it: IOPS or bandwidth, reads and writes together
 * for a total_ limit. */
struct vb_limit {
	char *mode, *point;
	const char *name;              /* libvirt's element, from core/iotune.h's table */
	bool bytes;                    /* bytes per second (else IOPS) */
	double limit, measured;        /* per second; measured: the mean over repetitions */
	size_t per_guest;              /* a --vms row: measured is the mean per guest of this many (the limit is each guest's) */
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
	struct vb_fairness *fair;      /* one per --vms mode and point, in order */
	size_t nfair;
	struct vb_neighbour *nb;       /* one per mode and idle/busy pair */
	size_t nnb;
	char **points;                 /* labels, in plan order */
	size_t npoints;
	/* A fleet's run: rows and modes are named HOST/MODE (each divided by
	 * its own host's baseline); run is the first host's run.json with the
	 * fleet's id, state, times, "fleet" and every host's modes. */
	bool fleet;
	struct vb_limit *limits;       /* --iotune's rate limits, each beside its measured rate */
	size_t nlimits;
	/* What the figures say (findings.h), for the renderers: set by
	 * whoever renders them (report: vb_findings_new) and freed by it
	 * (vb_findings_free) before the summary is released; NULL: none. */
	struct vb_findings *findings;
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

/* ---- internal to summary/: a --vms point's figures (vms.c) -------------
 * Each repetition's aggregate over its measured guests, every guest's own
 * latency bins, the fairness of the guests' shares, and the --neighbour
 * headline (idle against busy).  Renderers read the results from struct
 * vb_summary above.  vb_vms_acc_new's accumulator is freed with
 * vb_vms_acc_free; fairness and neighbour entries belong to the summary
 * (vb_vms_release). */

/* What one repetition of a --vms point gives a row, per direction
 * (0 read, 1 write), and its CPU per I/O (NAN when unknown). */
struct vb_vms_rep {
	double iops[2], bw[2], clat_mean[2], p99[2], worst[2];
	double host_cpu_us_per_io, guest_cpu_us_per_io;
};

struct vb_vms_acc;
struct vb_vms_acc *vb_vms_acc_new(void);
void vb_vms_acc_free(struct vb_vms_acc *a);

/* Read repetition rep of a --vms point (its "vms" object: every guest's
 * fio JSON) into out, adding the guests' bins and shares to a.  Reports
 * and returns -1 on malformed input. */
int vb_vms_load_rep(struct vb_summary *s, const char *mode, json_t *rep, struct vb_vms_acc *a,
                    struct vb_vms_rep *out);
/* The percentiles of the measured guest with the largest p99 in
 * direction d (0 read, 1 write). */
void vb_vms_worst_pct(const struct vb_vms_acc *a, int d, double pct[VB_NPCT]);
/* The point's fairness entry (its share of each guest, Jain's index,
 * slowest/fastest, start spread, failures), appended to s->fair. */
void vb_vms_fairness(struct vb_summary *s, const char *mode, json_t *point, const struct vb_vms_acc *a);
/* A warning on stderr for each point of s some guest failed in (compare
 * reads such a point's figures knowing it). */
void vb_vms_warn_partial(const struct vb_summary *s);
/* The fairness entry of mode's point, or NULL. */
const struct vb_fairness *vb_vms_fairness_find(const struct vb_summary *s, const char *mode, const char *point);
/* Every --neighbour pair of every mode into s->nb (after the rows). */
void vb_vms_neighbours(struct vb_summary *s);
/* Every guest's file of a mode's points is a plain relative path: 0, or
 * -1 reported naming the field. */
int vb_vms_check_files(json_t *mode, const char *path);
void vb_vms_release(struct vb_summary *s);

/* summary.c's reader of one fio JSON named by run.json (relative to the
 * mode folder, checked), for the guests' files; the first plausible fio
 * version it sees becomes s->fio_version. */
struct vb_fio_result;
int vb_summary_read_fio(struct vb_summary *s, const char *mode, const char *file, struct vb_fio_result *fr);

#endif
