/* runner: the run engine's door, for the commands.  `run` and `gate
 * --rerun` call it; it decides once whether the run is a fleet's (several
 * --connect, or --resume of a fleet's run: fleet.c, which runs each host
 * through engine.h's vb_engine_host) or one host's (engine.h).
 *
 * The engine's files, each one job:
 *   runner.c  this door: fleet or one host; a gate's rerun
 *   fleet.c   several hypervisors at once, a host per process
 *   engine.c  one host's run, its steps in order
 *   start.c   inputs checked, the host side started
 *   resume.c  --resume and --rerun-of: the run continued or repeated
 *   mode.c    the modes in turn, each end to end
 *   boot.c    a guest mode's boots
 *   job.c     one repetition of a point, in a guest or on the host
 *   reps.c    repetitions and the rules that stop them
 *   vms.c, vmsjob.c  --vms N: N guests at once, started by one signal
 *   ctx.c     the run's context and what every step does (timings)
 *   manifest.c, place.c  run.json; the image and store on a remote host
 *
 * The configuration is borrowed; the caller releases it. */
#ifndef VB_RUNNER_H
#define VB_RUNNER_H

#include <jansson.h>

#include "core/vbconfig.h"

/* The run c describes, on one hypervisor or a fleet.  An exit status (0
 * every mode finished, 1 a failed measurement, 2 usage). */
int vb_runner_run(struct vb_config *c);

/* The checks a run of c makes before it makes a folder or boots a guest
 * (its inputs, the hypervisor reachable), alone: tune asks them of its
 * first round before it makes its own folder.  0, or an exit status with
 * the problem said in one line (2 bad input, 1 a hypervisor out of
 * reach).  A fleet's hosts check their own: 0. */
int vb_runner_check(struct vb_config *c);

/* gate --rerun: modes (a --modes list) of run id measured again with
 * more repetitions (--reps auto: at most that many) as a new run in the
 * results root root, marked as id's rerun, with the configuration id
 * recorded in its run.json (run: borrowed) -- its hypervisor, disk and
 * store.  An exit status, as vb_runner_run's. */
int vb_runner_rerun(json_t *run, const char *id, const char *root, const char *modes, unsigned more);

#endif
