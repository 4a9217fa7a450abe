/* threadcpu: where a process's CPU went over a window, by thread class --
 * QEMU's vCPU threads, IOThreads, main loop, thread-pool workers and the
 * rest; a helper daemon's threads; the kernel's vhost workers -- from two
 * samples of its threads (hostres.h's vb_proc_threads), for run.json's
 * host_cpu.threads.
 *
 * Threads that ended inside the window are the class "exited": the
 * process's total less its live threads', so the classes always add up to
 * the process's total.  Threads born inside it count from 0. */
#ifndef VB_THREADCPU_H
#define VB_THREADCPU_H

#include <jansson.h>

#include "host/hostres.h"

/* How a process's threads are named: QEMU's (by the table in
 * threadcpu.c), or every thread one class (a helper daemon's, "helper";
 * a vhost worker, "vhost"). */
struct vb_thread_kind {
	const char *all; /* NULL: QEMU's names */
};
extern const struct vb_thread_kind vb_threads_qemu, vb_threads_helper, vb_threads_vhost;

/* The class of a thread of a QEMU process (tid == pid: the main loop). */
const char *vb_thread_class_qemu(const char *comm, long tid, long pid);

/* {"classes": {class: ns}, "per_thread": [{"tid", "comm", "class", "ns"}]}
 * over the window from a (start) to b (end) of one process (new
 * reference).  *total is the process's CPU over it: its own counter's,
 * or its live threads' sum when that is larger (each counter is rounded
 * down to a clock tick, so without an ended thread the sum may pass the
 * total by a tick or two; then "exited" is 0).  Several processes of one
 * kind (vhost workers) are one object: call it again with into. */
json_t *vb_thread_split(const struct vb_thread_kind *k, const struct vb_proc_threads *a,
                        const struct vb_proc_threads *b, json_t *into, unsigned long long *total);

/* A thread's name as run.json keeps it: printable ASCII, at most 15
 * characters, anything else '?' (a process names its own threads). */
void vb_thread_comm_clean(const char *comm, char out[16]);

#endif
