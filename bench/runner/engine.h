/* engine: one host's run, step by step: what it continues or repeats
 * (resume.c), the hypervisor reachable, the inputs checked and the host
 * side started (start.c), the run folder and its run.json opened (new or
 * resumed), the modes in turn (mode.c), run.json closed and the report
 * drawn from what was stored, and everything released (the run's private
 * folder on the hypervisor removed).  runner.h's vb_runner_run calls it
 * for a run on one hypervisor; the fleet (fleet.c) calls it for each of
 * its hosts, in a process of its own. */
#ifndef VB_RUNNER_ENGINE_H
#define VB_RUNNER_ENGINE_H

#include "core/vbconfig.h"

/* One host's run, into a new run folder of c->results (or c->resume's),
 * or, with fleet_dir, into a fleet's host folder under the fleet's id
 * fleet_id: a fleet's host prints no table (the fleet prints one), and
 * with c->resume it continues that folder.  An exit status (0 every mode
 * finished, 1 a failed measurement, 2 usage). */
int vb_engine_host(struct vb_config *c, const char *fleet_dir, const char *fleet_id);

/* vb_engine_host's checks before its run folder, alone (runner.h's
 * vb_runner_check): 0, or an exit status with one line said. */
int vb_engine_check(struct vb_config *c);

#endif
