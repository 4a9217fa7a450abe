/* fleet: one run over several hypervisors (--connect given more than
 * once).  Each host runs the same plan, one mode at a time as a single host
 * does, in a process of its own, all hosts at once; each writes a complete
 * run folder of its own under the fleet's (RUN/HOST/, HOST the URI's host
 * as a name part).  The fleet's run.json lists the hosts and how each
 * ended; its report puts the hosts side by side, each mode divided by its
 * own host's baseline.  A host that fails (unreachable, a daemon missing)
 * fails its own modes only; `run --resume RUN` runs again the part of every
 * host that did not finish.  Each host's part is engine.h's vb_engine_host
 * (below the fleet: it never calls back here); runner.h decides. */
#ifndef VB_FLEET_H
#define VB_FLEET_H

#include "core/vbconfig.h"

/* Is this a fleet run: several --connect, or --resume of a fleet's run? */
bool vb_fleet_is(const struct vb_config *c);
/* Run it; an exit status (0 all hosts finished, 1 some failed, 2 usage). */
int vb_fleet_run(struct vb_config *c);

#endif
