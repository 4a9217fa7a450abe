/* session: one guest's life as the controller sees it: start the domain
 * and wait for the agent's hello; exchange a job (fio's result back, the
 * host CPU sampled at the window the agent marks); bye and power-off.
 * `run` boots its guests through it and so does the accelerator probe.
 *
 * Failures are handed back in *why (caller frees), never reported here. */
#ifndef VB_SESSION_H
#define VB_SESSION_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "guest/agent.h"
#include "host/hostload.h"
#include "host/hostres.h"
#include "guest/virt.h"

/* Start the domain, wait wait_s seconds from t0 (0: from when the domain
 * has started) for the agent's hello.  The guest,
 * with *hello (new reference; hello may be NULL); or NULL with *why, which
 * stays NULL when only the deadline passed (the caller says what it waited
 * for).  With dir, domain-live.xml and hello.json are kept there. */
struct vb_guest *vb_session_start(struct vb_virt *v, const char *xml, double t0, double wait_s, const char *dir,
                                  json_t **hello, char **why);

/* The host processes that serve a guest's I/O -- its QEMU (from /proc when
 * it runs here, else libvirt's figure), a mode's helper daemon, and the
 * kernel's vhost workers of that QEMU -- sampled at the edges of a job's
 * window. */
#define VB_METER_VHOST_MAX 8
struct vb_cpu_meter {
	struct vb_guest *g;
	pid_t qemu;
	const char *helper_name;     /* NULL: none */
	pid_t helper_pid;
	/* Before Linux 6.4 a vhost device's worker is a kernel thread of its
	 * own, "vhost-<QEMU's pid>" (vhost-scsi's, vhost-net's), outside
	 * QEMU's CPU time; from 6.4 it is a thread of QEMU, counted there
	 * (and no process of that name exists).  Found once the guest runs. */
	pid_t vhost[VB_METER_VHOST_MAX];
	size_t nvhost;
	int edges;                   /* window edges the agent has marked */
	bool lost;                   /* a sample failed (a process is gone) */
	double t[2];
	double start_unix;           /* the start edge's read, as Unix time */
	unsigned long long ns[2][2 + VB_METER_VHOST_MAX]; /* [edge][qemu, helper, vhost...] */
	/* Each process's threads at each edge, in the same slots, read
	 * together with ns (QEMU's pid known: /proc on the hypervisor). */
	struct vb_proc_threads th[2][2 + VB_METER_VHOST_MAX];
	bool threads;
	/* The host's busy CPU, load and QEMUs at the same edges (issue 28's
	 * host_load). */
	struct vb_hostload load;
};
void vb_cpu_meter_init(struct vb_cpu_meter *m, struct vb_guest *g, const char *helper_name, pid_t helper_pid);
/* Free what the samples hold (the meter itself is the caller's). */
void vb_cpu_meter_release(struct vb_cpu_meter *m);
/* {"window_s", "start_unix", "processes": {name: ns}, "threads": {name:
 * split}, "source"}, or null when the window was not marked in full or a process
 * went away (new reference).  "threads" (threadcpu.h's split, one per
 * process) is there when the threads were read; a process's figure in
 * "processes" is then its split's total.  start_unix (when the start
 * edge's read began) lets another reader of /proc check the figures over
 * the same span (tests/threads.sh). */
json_t *vb_cpu_meter_json(const struct vb_cpu_meter *m);

/* Send a job and wait until deadline for its reply, sampling the meter at
 * each window edge on the way.  1 with *reply (new reference) and *type
 * (borrowed from it), 0 at the deadline, -1 with *why. */
int vb_session_job(struct vb_guest *g, json_t *job, double deadline, struct vb_cpu_meter *meter, json_t **reply,
                   const char **type, char **why);

/* The job in two halves (--vms: every guest's job starts at one signal):
 * vb_session_hold sends it marked "hold" (0, or -1 with *why), and
 * vb_session_ready waits until deadline for the agent's "ready" (1; 0 at
 * the deadline; -1 with *why): every guest's job is sent before the first
 * "ready" is awaited, so all share one deadline; vb_session_go says
 * "go" (0, or -1 with *why); vb_session_wait then waits for its reply as
 * vb_session_job does, sampling the meter at the window's edges.  A reply
 * (and a window edge) must carry the job's id (wait: id; NULL checks
 * none): one for another job is -1 with *why. */
int vb_session_hold(struct vb_guest *g, json_t *job, char **why);
/* Whether msg (of type) answers the job named id: a stale reply (an
 * earlier job's) or a foreign one is never taken for this job's.  An
 * error without an id passes (the agent names none when it could not read
 * the job's); it fails the job all the same. */
bool vb_session_reply_for(json_t *msg, const char *type, const char *id);
int vb_session_ready(struct vb_guest *g, json_t *job, double deadline, char **why);
int vb_session_go(struct vb_guest *g, char **why);
int vb_session_wait(struct vb_guest *g, const char *id, double deadline, struct vb_cpu_meter *meter, json_t **reply,
                    const char **type, char **why);

/* How long the agent has to answer bye, all messages together. */
#define VB_BYE_WAIT_S 5
/* Say bye and free the guest, all by deadline (a hard one): the agent's
 * answer within VB_BYE_WAIT_S (messages it sends meanwhile do not extend
 * it), then the power-off by deadline.  A guest without an answer or
 * still running at deadline is destroyed.  0 if it stopped by itself, -1
 * if destroyed; with how, a phrase for run.json (a string constant). */
int vb_session_end(struct vb_guest *g, double deadline, const char **how);

#endif
