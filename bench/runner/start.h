/* start: a run's first two steps.  The inputs checked -- the modes, the
 * plan, each mode's tuning and checks, the guest image, the store, the
 * results root -- where a problem is the user's (exit 2) and nothing has
 * booted or been created yet; then the host side started: the backing
 * store, the run's private folder on the hypervisor, libvirt, the image
 * and store placed through the pool on a remote hypervisor, and the
 * accelerator. */
#ifndef VB_RUNNER_START_H
#define VB_RUNNER_START_H

#include "runner/ctx.h"

/* 0, or -1 after reporting (a usage error). */
int vb_runner_check_inputs(struct vb_runner *x);
/* An exit status: VB_EXIT_OK, VB_EXIT_FAIL, or VB_EXIT_USAGE when no
 * accelerator fits. */
int vb_runner_start_host(struct vb_runner *x);

#endif
