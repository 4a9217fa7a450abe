/* vms: the figures of a --vms point (issue 26), for summary.c -- each
 * repetition's aggregate over its measured guests, every guest's own
 * latency bins, the fairness of the guests' shares, and the --neighbour
 * headline (idle against busy).  Internal to summary/: renderers read
 * the results from struct vb_summary (summary.h).
 *
 * Ownership: vb_vms_acc_new's accumulator is freed with vb_vms_acc_free;
 * fairness and neighbour entries belong to the summary (released with
 * it, vb_vms_release). */
#ifndef VB_SUMMARY_VMS_H
#define VB_SUMMARY_VMS_H

#include <jansson.h>

#include "summary/summary.h"
#include "summary/fiojson.h"

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
/* Every --neighbour pair of every mode into s->nb (after the rows). */
void vb_vms_neighbours(struct vb_summary *s);
/* Every guest's file of a mode's points is a plain relative path: 0, or
 * -1 reported naming the field. */
int vb_vms_check_files(json_t *mode, const char *path);
void vb_vms_release(struct vb_summary *s);

/* summary.c's reader of one fio JSON named by run.json (relative to the
 * mode folder, checked), for the guests' files; the first plausible fio
 * version it sees becomes s->fio_version. */
int vb_summary_read_fio(struct vb_summary *s, const char *mode, const char *file, struct vb_fio_result *fr);

#endif
