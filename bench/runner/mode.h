/* mode: the plan's modes in turn, each end to end -- its record in
 * run.json, its disk (prepare, cleanup), its repetitions in a guest
 * (boot.c) or on the host, its timings -- run.json saved after each and
 * the report so far drawn behind.  A mode that fails fails alone; a
 * remote host that went out of reach stops the modes after it (--resume
 * runs them). */
#ifndef VB_RUNNER_MODE_H
#define VB_RUNNER_MODE_H

#include <stdbool.h>

#include "runner/ctx.h"

/* Each mode in turn.  True if any failed (or was not run). */
bool vb_runner_modes(struct vb_runner *x);

#endif
