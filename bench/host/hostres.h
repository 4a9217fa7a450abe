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
/* The user QEMU runs as under qemu:///system ("libvirt-qemu" on Debian). */
int vb_qemu_user(uid_t *uid, gid_t *gid);

/* CPU time (user + system, every thread) a process has used, from
 * /proc/PID/stat; -1 when it is gone. */
int vb_proc_cpu_ns(pid_t pid, unsigned long long *ns);
/* The same for pid and its live children (fio's job processes). */
int vb_proc_tree_cpu_ns(pid_t pid, unsigned long long *ns);
/* The first process whose /proc/PID/comm is comm (e.g. "tgtd"), or 0. */
pid_t vb_proc_find(const char *comm);

#endif
