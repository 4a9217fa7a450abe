/* tune: `vmio-bench tune` (issue 27), shared by its two files:
 *   tune.c     the command: the space, its candidates, the race, the
 *              confirmation
 *   tuneout.c  what it leaves: tune.json, winner.ini, winner.xml, the
 *              ranked table */
#ifndef VB_CMD_TUNE_H
#define VB_CMD_TUNE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/vbconfig.h"
#include "modes/mode.h"
#include "summary/race.h"

/* One candidate: a variant MODE+cNN with its settings. */
struct vb_tune_cand {
	char tag[8];        /* "c07" */
	char *name;         /* "virtio-blk+c07" */
	json_t *set;        /* {"io": "native", "iothreads": "1"}: its [mode] section */
	char *label;        /* "io=native iothreads=1" */
	bool is_default;    /* the mode's settings without tuning */
	char *reason;       /* why it was dropped when it failed (not slow) */
};

struct vb_tune {
	struct vb_config *c;
	const struct vb_mode *m;
	int obj;
	json_t *space;      /* {knob: [values]} */
	struct vb_tune_cand *cand;
	size_t n;
	char *dir, *id;     /* the tune folder and its name */
	unsigned seed;
	unsigned long long rng;
	struct vb_race race;
	json_t *rounds;     /* [{round, run, order, reps, seconds, dropped}] */
	const char *stop;   /* one | tied | budget | failed */
	double t0;
	size_t winner;      /* n: none */
	int first_rc;       /* the first round's exit status */
	json_t *confirm;    /* the confirmation's record, or NULL */
	char *confirm_line; /* its sentence */
};

/* tuneout.c */
int vb_tune_write(struct vb_tune *t);
void vb_tune_table(const struct vb_tune *t);

#endif
