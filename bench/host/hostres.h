/* hostres: host-side helpers the modes share: daemons started in the
 * background with their output in a log file (stopped for sure at the end),
 * and handing files to the unprivileged user QEMU runs as under
 * qemu:///system when libvirt does not (qemu:commandline images, sockets of
 * daemons we start). */
#ifndef VB_HOSTRES_H
#define VB_HOSTRES_H

#include <stdbool.h>
#include <sys/types.h>

/* Start argv (no shell) with stdout/stderr to log; returns the pid or -1. */
pid_t vb_daemon_start(const char *const argv[], const char *log);
/* SIGTERM, wait up to timeout_s, then SIGKILL; reaps the child. */
void vb_daemon_stop(pid_t pid, int timeout_s);
bool vb_daemon_alive(pid_t pid);
/* On a remote hypervisor a daemon is started over ssh (vb_hv_argv_pidfile)
 * and the pid these functions take is the local ssh's, which ends when the
 * daemon does; stopping it signals the remote process.  The pid of the
 * process itself where it runs (for its CPU), or -1 while unknown: */
pid_t vb_daemon_host_pid(pid_t pid);
/* Say that local (an ssh) stands for the process whose pid a remote
 * pidfile holds; unalias forgets it and removes the pidfile.  False when
 * VB_PROC_ALIASES are in use already: the caller must then not read the
 * CPU of local (it would be the ssh's, not the process's). */
#define VB_PROC_ALIASES 64
bool vb_proc_alias(pid_t local, const char *pidfile);
void vb_proc_unalias(pid_t local);

/* CPU time (user + system, every thread) a process has used, from
 * /proc/PID/stat on the hypervisor; -1 when it is gone. */
int vb_proc_cpu_ns(pid_t pid, unsigned long long *ns);
/* The same for pid and its live children (fio's job processes). */
int vb_proc_tree_cpu_ns(pid_t pid, unsigned long long *ns);
/* The CPU of n processes at once (tree[i]: with its children), in ns;
 * -1 when one is gone.  On a remote hypervisor one ssh round trip reads
 * them all. */
int vb_proc_cpu_many(const pid_t *pids, const bool *tree, size_t n, unsigned long long *ns);
/* A process's threads at one moment, from /proc/PID/task/TID/stat where
 * it runs: each thread's id, name (the kernel's comm, at most 15 bytes,
 * as the process set it: untrusted text) and CPU in ns; and the process's
 * own total from /proc/PID/stat, which also counts the threads that have
 * ended.  Read after its threads, so that it is never behind them. */
struct vb_thread_cpu {
	long tid;
	char comm[16];
	unsigned long long ns;
};
struct vb_proc_threads {
	long pid;                /* where it runs (the remote pid over ssh) */
	unsigned long long ns;   /* the process's total */
	struct vb_thread_cpu *t; /* owned; vb_proc_threads_release frees it */
	size_t n;
};
/* The threads of n processes at once (one ssh round trip on a remote
 * hypervisor), into out[n]; -1 when one is gone or cannot be read (out
 * is filled as far as it could be and must be released all the same). */
int vb_proc_threads_many(const pid_t *pids, size_t n, struct vb_proc_threads *out);
void vb_proc_threads_release(struct vb_proc_threads *p);

/* One /proc/PID/stat line: its pid, command (at most 63 bytes, as the
 * process named itself: untrusted text) and utime + stime in ns.  0, or
 * -1 when the line is malformed. */
int vb_proc_stat_parse(const char *line, long *pid, char comm[64], unsigned long long *ns);

/* The first process whose /proc/PID/comm is comm (e.g. "tgtd"), or 0. */
pid_t vb_proc_find(const char *comm);
/* Every process whose comm is comm (kernel threads too: a vhost worker,
 * "vhost-<QEMU's pid>"), at most max of them into pids; how many. */
size_t vb_proc_find_all(const char *comm, pid_t *pids, size_t max);

#endif
