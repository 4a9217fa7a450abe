/* ctx: what one host's run carries from step to step and mode to mode
 * (struct vb_runner), shared by the run engine's files -- engine.c (the
 * steps), start.c, mode.c, boot.c, job.c, reps.c, resume.c -- and the few
 * things they all do: save a small file, draw
 * the report of the run so far behind the next mode.  Not an API: the
 * commands and the fleet use runner.h and engine.h.
 *
 * The struct owns what its pointers hold (engine.c's release frees them);
 * cfg is borrowed (a mode's tuning swaps it for a copy while that mode
 * runs). */
#ifndef VB_RUNNER_CTX_H
#define VB_RUNNER_CTX_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "guest/accel.h"
#include "guest/image.h"
#include "guest/virt.h"
#include "host/store.h"
#include "modes/mode.h"
#include "core/results.h"
#include "core/sweep.h"
#include "core/vbconfig.h"

/* Everything one run carries from mode to mode. */
struct vb_runner {
	struct vb_config *cfg;
	const struct vb_mode **modes; /* the plan's modes, in order */
	json_t *resumed;     /* run.json of the run --resume continues, or NULL */
	json_t *rerun_of;    /* run.json of the run --rerun-of repeats, or NULL */
	char *results;       /* absolute results root */
	struct vb_virt *virt;
	struct vb_image img;
	struct vb_store store;
	struct vb_accel accel;
	char *dir;           /* absolute run folder */
	char *run_dir;       /* private folder for sockets and daemon logs */
	json_t *runjson;     /* run.json as it grows */
	char *id;
	struct vb_plan plan;
	json_t **point_args; /* fio arguments of each job point */
	bool probed;         /* --modes all probed every mode already */
	struct vb_mode_dropped *dropped; /* --modes all: the modes this host cannot run, and why */
	json_t *seeds;       /* fio's random seed of each repetition (run.json's "seeds") */
	json_t *placement;   /* a remote hypervisor: the pool and volumes (run.json) */
	double accel_s;      /* choosing the accelerator (a probe boot unless cached) */
	pid_t drawing;       /* the report of the run so far, being drawn, or 0 */
	char *host_lost;     /* a remote host that became unreachable: why (the
	                        modes after it are not run; --resume runs them) */
	/* The storage model whose points run now (a mode's points run model
	 * by model, each with its own guest): the others' are left alone;
	 * NULL between modes.  storage_groups: how many models the plan has;
	 * boot_base: the boots of this mode before this model's. */
	const char *storage_now;
	unsigned long long integrity_seed; /* the integrity pattern's value, the last write's */
	bool integrity_written; /* a guest wrote it since the last check */
	json_t *verified;    /* storage models whose integrity a guest showed: {name: true} */
	size_t storage_groups;
	unsigned boot_base;
	unsigned vms_now;    /* --vms: the N whose guests run now (0: none) */
	const char *fleet_dir; /* one host of a fleet: its folder in the fleet's run */
	const char *fleet_id;
};

/* Write text to dir/file (atomically).  0 or -1. */
int vb_runner_save_text(const char *dir, const char *file, const char *text);

/* Draw the report of the run so far in a child process, while the next
 * mode prepares and boots; vb_runner_drawn waits for it (nothing is
 * measured while it draws). */
void vb_runner_draw_behind(struct vb_runner *x);
void vb_runner_drawn(struct vb_runner *x);

#endif
