/* vmsgroup: what vms.c (the boots) and vmsjob.c (a repetition across the
 * guests) share: one group of N guests of a mode. */
#ifndef VB_RUNNER_VMSGROUP_H
#define VB_RUNNER_VMSGROUP_H

#include <jansson.h>
#include <stdbool.h>

#include "guest/session.h"
#include "runner/ctx.h"

struct vms_group;

/* One guest (or, in the host mode, one fio process) of the group. */
struct vms_guest {
	struct vms_group *grp;
	unsigned i;               /* 1..n */
	struct vb_disk_ctx d;     /* the mode's, with this guest's slice */
	char *dir;                /* its boot folder, absolute: MODE/guests-N/vm-I */
	char *xml;                /* its domain */
	char *overlay;            /* --shared, a job that writes: its qcow2 overlay (run_dir) */
	struct vb_guest *g;       /* NULL: no guest (failed, or the host mode) */
	char *fail;               /* why its slot failed (NULL: it did not) */
	char *kernel;             /* the guest's kernel, from its hello */
	json_t *disk;             /* the disk under test, from its hello */
	double t0, boot_s;
	/* the repetition under way */
	json_t *job;              /* NULL: nothing to run in this point */
	bool measured;            /* guest 1, or every guest without --neighbour */
	struct vb_cpu_meter meter;
	json_t *msg;              /* the agent's reply */
	const char *type;
	char *why;                /* this job's failure */
	double go_t, start_t;     /* host clock: "go" sent, window start seen */
	char *out;                /* host mode: fio's JSON */
	json_t *cpu;              /* host mode: its host CPU record */
	char *logprefix;          /* host mode: its IOPS log's prefix */
	double limit_s;           /* how long its job may take after "go" */
};

struct vms_group {
	struct vb_runner *x;
	const struct vb_mode *m;
	const char *mdir;
	json_t *mj;
	unsigned n;
	bool overlay;             /* --shared and a job that writes: an overlay each */
	struct vms_guest *v;
	json_t *nb_iotune;        /* --neighbour-iotune: guests 2..N's <iotune> (NULL: as guest 1's) */
};

/* Run fn over the guests take() picks, at most at_once at a time (0: all
 * together), each in a thread of its own; the calling thread waits. */
void vms_threads(struct vms_group *s, void *(*fn)(void *), unsigned at_once, bool (*take)(const struct vms_guest *));

/* One repetition of point pi with every live guest; 0, or -1 with *why
 * when no measured guest finished. */
int vms_job(struct vms_group *s, size_t pi, unsigned rep, json_t *reps, char **why);

#endif
