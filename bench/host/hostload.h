/* hostload: how busy the hypervisor was while a repetition measured --
 * its CPUs' busy time (/proc/stat), the load average, and the QEMU
 * processes on it -- read at the edges of the repetition's window (where
 * the CPU meter reads the run's own processes), for run.json's host_load.
 * "Other" CPU is the host's busy time less what the run's own processes
 * took over the same window: a CPU hog, a build, another helper's guest.
 *
 * One read is one round trip where the hypervisor is (hv.h: here, or one
 * ssh); the arithmetic is pure (tests/unit.c).  Nothing here allocates:
 * the structs are the caller's. */
#ifndef VB_HOSTLOAD_H
#define VB_HOSTLOAD_H

#include <stdbool.h>
#include <stddef.h>

/* Busy rule: a point is busy when processes that are not the run's own
 * took more than this many cores on average over its measurement
 * windows, or when a QEMU that is not one of the run's guests ran.  A
 * quarter of a core: on a quiet host the remainder (the kernel's
 * workers, libvirtd and virtlogd, the sampling itself, /proc/stat's
 * tick rounding) stays well under a tenth of a core (README), while a
 * quarter of a core taken from a TCG guest (one vCPU thread bound to one
 * core) moves its IOPS by more than a run's usual spread. */
#define VB_BUSY_OTHER_CPU 0.25

#define VB_HOSTLOAD_QEMU_MAX 64
struct vb_hostload_qemu {
	long pid;
	unsigned long long ns;         /* its CPU so far (user + system) */
};
struct vb_hostload_sample {
	bool ok;                       /* read in full */
	double t;                      /* vb_now() when read */
	double uptime;                 /* the host's /proc/uptime, read with busy_ns (0: none) */
	unsigned long long busy_ns;    /* every CPU's user + nice + system */
	int ncpu;                      /* cpuN lines */
	double loadavg;                /* the 1-minute load average */
	unsigned long long self_ns;    /* this controller's own CPU (0 on a remote hypervisor) */
	struct vb_hostload_qemu qemu[VB_HOSTLOAD_QEMU_MAX];
	size_t nqemu;
};
/* A window: its start and end reads (n: how many were taken). */
struct vb_hostload {
	struct vb_hostload_sample s[2];
	int n;
};

/* Take the window's next edge (the first call its start, the second its
 * end; further calls are ignored).  A read that fails leaves the sample
 * not ok: the window then has no figures. */
void vb_hostload_edge(struct vb_hostload *h);

/* Parse one read's text into s (the time and self_ns are the caller's):
 * /proc/uptime's line, /proc/stat's cpu lines, "L " and /proc/loadavg, "Q " and a
 * qemu-system-* process's /proc/PID/stat; tick is the length of a clock
 * tick in ns.  0, or -1 when the cpu line is missing or malformed. */
int vb_hostload_parse(const char *text, unsigned long long tick_ns, struct vb_hostload_sample *s);

/* What a window comes to, in cores (CPU-seconds per second). */
struct vb_hostload_figures {
	double window_s;
	double total_cpu;              /* the host's busy CPU */
	double own_cpu;                /* the run's own processes' (own_ns, and this controller) */
	double other_cpu;              /* total - own, never below 0 */
	double loadavg;                /* the mean of the two reads */
	int cpus;
	int other_qemu;                /* QEMUs that are not the run's and ran in it */
	double other_qemu_cpu;         /* their CPU */
};
/* The figures of window h, given the CPU the run's own processes took
 * over it (own_ns: the meter's sum) and the run's QEMU pids (own_qemu[n],
 * where they run).  A QEMU not among them "ran" when it took CPU in the
 * window or started or ended inside it.  0, or -1 when h was not read at
 * both edges. */
int vb_hostload_figures(const struct vb_hostload *h, unsigned long long own_ns, const long *own_qemu, size_t n,
                        struct vb_hostload_figures *f);

/* The busy rule over a point's means (other_cpu in cores; other_qemu:
 * the most seen in one window): why it is busy, a sentence without its
 * full stop written into why, or false. */
bool vb_hostload_busy(double other_cpu, int other_qemu, double other_qemu_cpu, char *why, size_t n);

#endif
