/* job: the fio job every mode runs, derived from the configuration, as a
 * list of "--name=value" arguments.  The same list goes to the guest agent
 * and (later) to fio on the host, so every mode measures the same thing. */
#ifndef VB_JOB_H
#define VB_JOB_H

#include <jansson.h>

#include "core/vbconfig.h"

/* New reference: array of strings, without --filename/--output-format
 * (the side that runs fio adds those). */
json_t *vb_job_args(const struct vb_config *c);
/* "4k randrw 50% read, iodepth 32, 1 job, 10 s, libaio direct"; caller frees. */
char *vb_job_describe(const struct vb_config *c);

/* The part of a job over which host CPU is sampled, in seconds from its
 * first I/O: after the ramp, inside the counted runtime and clear of its
 * edges (a tenth of the runtime, at most 0.5 s, each side). */
void vb_job_window(const struct vb_config *c, double *start, double *end);

#endif
