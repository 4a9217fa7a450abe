/* manifest: run.json, the record of a run (written through summary/runrec.h,
 * which owns its keys; the format: results/run.schema.json): versions,
 * host, accelerator, image, backing store, the job and its points, the full
 * configuration, the baseline mode, the repetitions' seeds, and each mode's
 * status and repetitions as they finish.  `run` creates it here
 * (vb_manifest_new), saves it after every mode; --resume reads it back
 * here.  Its seeds, modes, repetitions and end the engine sets with
 * runrec's own functions (vb_runrec_seeds, vb_runrec_mode, ...).
 *
 * Ownership: vb_manifest_new and vb_manifest_resume return a new reference;
 * the others borrow. */
#ifndef VB_MANIFEST_H
#define VB_MANIFEST_H

#include <jansson.h>
#include <stdbool.h>

#include "guest/accel.h"
#include "guest/image.h"
#include "modes/mode.h"
#include "host/store.h"
#include "core/sweep.h"

struct vb_virt;

/* What a new run.json records. */
struct vb_manifest_in {
	const char *id;
	const struct vb_config *cfg;
	struct vb_virt *virt;
	const struct vb_accel *accel;
	const struct vb_image *img;
	const struct vb_store *store;
	const struct vb_plan *plan;
	json_t *const *point_args;        /* fio's arguments of each point */
	const struct vb_mode *const *modes; /* NULL-terminated */
	json_t *placement;                /* a remote hypervisor's pool and volumes, or NULL */
};

/* A fresh run.json, state "incomplete", no modes yet. */
json_t *vb_manifest_new(const struct vb_manifest_in *in);
/* --resume RUN: its run.json, with its recorded configuration applied to c
 * (and its accelerator); NULL after reporting when it cannot be resumed. */
json_t *vb_manifest_resume(struct vb_config *c);
/* --resume and --rerun-of measure where run (a run.json) measured: c's
 * hypervisor (already this process's, vb_hv_use) must be the one the run
 * recorded, the record must agree with itself (its URI, whether it was
 * remote), and a recorded --disk must still be, on that host, the same
 * kind of thing at the same real path.  Reports one line naming what
 * (the option) and returns -1 otherwise. */
int vb_manifest_check_place(json_t *run, const struct vb_config *c, const char *what);
/* A run folder whose run.json --resume or --rerun-of may act on: it and
 * its run.json (a regular file) belong to this user or root and nobody
 * else can write them -- what it records (--disk, --pci-device, the
 * hypervisor) is measured again, so a folder others could write is not
 * trusted.  0, or -1 reported (what: "--resume"). */
int vb_manifest_trusted(const char *dir, const char *what);
/* Write RUN_DIR/run.json atomically; reports and returns -1. */
int vb_manifest_save(const char *dir, json_t *run);

#endif
