/* job: one job point, one repetition -- fio in a running guest through
 * its agent, or fio on the host for a host mode -- and what is kept of it
 * in the point's folder (fio's JSON as fio wrote it, its IOPS log, its
 * messages) and in the point's run.json "reps" (the seed, the wall time,
 * the host CPU). */
#ifndef VB_RUNNER_JOB_H
#define VB_RUNNER_JOB_H

#include <jansson.h>

#include "runner/ctx.h"
#include "guest/session.h"

/* Repetition rep of point pi in the running guest g; appended to reps.
 * 0, or -1 with *why. */
int vb_runner_guest_job(struct vb_runner *x, const struct vb_mode *m, struct vb_guest *g, struct vb_disk_ctx *d,
                        const char *mdir, size_t pi, unsigned rep, json_t *reps, char **why);
/* issue 28: a repetition's host_load into measure (vb_runrec_rep_measure_new's)
 * from the host's load read at its window's edges (h), the run's own
 * processes' CPU over it (host_cpu's processes, as the meter counted them)
 * and the run's QEMU pids there (own_qemu[n]); nothing when the window or
 * host_cpu is missing. */
struct vb_hostload;
void vb_runner_rep_load(json_t *measure, json_t *host_cpu, const struct vb_hostload *h, const long *own_qemu, size_t n);
/* The same through the host mode m's own measure (no guest). */
int vb_runner_host_job(struct vb_runner *x, const struct vb_mode *m, struct vb_disk_ctx *d, const char *mdir, size_t pi,
                       unsigned rep, json_t *reps, char **why);

#endif
