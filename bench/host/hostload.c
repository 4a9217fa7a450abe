/* hostload: the hypervisor's busy CPU, load average and QEMU processes
 * at a window's edges, and what a window comes to (hostload.h). */
#include "config.h"
#include "host/hostload.h"
#include "host/hostres.h"
#include "host/hv.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One read where the hypervisor is: its uptime and /proc/stat's cpu lines
 * in one cat (so that the busy time and the clock it is divided by are
 * read together: a loaded host may take a tenth of a second to run the
 * rest), the load average, the stat line of every qemu-system-* process
 * (pgrep matches the kernel's comm, "qemu-system-x86" for x86_64).
 * Nothing of the processes but their pid, name and CPU is kept. */
static const char read_script[] =
	"cat /proc/uptime /proc/stat | grep -E '^(cpu|[0-9])'; echo \"L $(cat /proc/loadavg)\"; "
	"for p in $(pgrep '^qemu-system-'); do s=$(cat /proc/$p/stat 2>/dev/null) && echo \"Q $s\"; done; exit 0";

/* "cpu  user nice system idle ...": user + nice + system, in ticks.
 * irq and softirq are left out (the I/O's own completions run there,
 * whoever issued it), steal and idle are no work done here; guest time
 * is inside user already. */
static int parse_cpu(const char *l, unsigned long long *busy)
{
	unsigned long long user, nice, system;
	if (sscanf(l + 3, " %llu %llu %llu", &user, &nice, &system) != 3)
		return -1;
	*busy = user + nice + system;
	return 0;
}

static void parse_qemu(const char *l, struct vb_hostload_sample *s)
{
	long pid;
	char comm[64];
	unsigned long long ns;
	if (vb_proc_stat_parse(l, &pid, comm, &ns) < 0 || strncmp(comm, "qemu-system-", 12) != 0 ||
	    s->nqemu >= VB_HOSTLOAD_QEMU_MAX)
		return;
	s->qemu[s->nqemu].pid = pid;
	s->qemu[s->nqemu++].ns = ns;
}

int vb_hostload_parse(const char *text, unsigned long long tick_ns, struct vb_hostload_sample *s)
{
	char *copy = vb_strdup(text ? text : ""), *save = NULL;
	bool cpu = false;
	int rc = 0;
	s->ncpu = 0;
	s->nqemu = 0;
	s->uptime = 0;
	s->loadavg = -1;
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		unsigned long long busy = 0;
		if (!strncmp(l, "cpu ", 4)) {
			if (parse_cpu(l, &busy) < 0)
				rc = -1;
			s->busy_ns = busy * tick_ns;
			cpu = true;
		} else if (!strncmp(l, "cpu", 3) && l[3] >= '0' && l[3] <= '9') {
			s->ncpu++;
		} else if (l[0] >= '0' && l[0] <= '9') { /* /proc/uptime */
			if (sscanf(l, "%lf", &s->uptime) != 1)
				s->uptime = 0;
		} else if (!strncmp(l, "L ", 2)) {
			if (sscanf(l + 2, "%lf", &s->loadavg) != 1)
				s->loadavg = -1;
		} else if (!strncmp(l, "Q ", 2)) {
			parse_qemu(l + 2, s);
		}
	}
	free(copy);
	return cpu ? rc : -1;
}

/* This controller's own CPU, where it runs on the hypervisor. */
static unsigned long long self_ns(void)
{
	char *text = vb_read_file("/proc/self/stat", 8192, NULL), comm[64];
	long pid;
	unsigned long long ns = 0;
	if (!text || vb_proc_stat_parse(text, &pid, comm, &ns) < 0)
		ns = 0;
	free(text);
	return ns;
}

void vb_hostload_edge(struct vb_hostload *h)
{
	if (h->n >= 2)
		return;
	struct vb_hostload_sample *s = &h->s[h->n++];
	const char *argv[] = {"sh", "-c", read_script, NULL};
	char *out = NULL;
	memset(s, 0, sizeof(*s));
	long hz = sysconf(_SC_CLK_TCK); /* a remote Linux's USER_HZ is 100 as well */
	if (vb_hv_run_quiet(argv, &out, 20) == 0 && vb_hostload_parse(out, 1000000000ull / (unsigned long long)(hz > 0 ? hz : 100), s) == 0)
		s->ok = true;
	s->self_ns = vb_hv_remote() ? 0 : self_ns();
	s->t = vb_now();
	free(out);
}

static const struct vb_hostload_qemu *qemu_find(const struct vb_hostload_sample *s, long pid)
{
	for (size_t i = 0; i < s->nqemu; i++)
		if (s->qemu[i].pid == pid)
			return &s->qemu[i];
	return NULL;
}

static bool own(const long *own_qemu, size_t n, long pid)
{
	for (size_t i = 0; i < n; i++)
		if (own_qemu[i] == pid)
			return true;
	return false;
}

/* The QEMUs of a window that are not the run's: how many ran, their CPU
 * (ns; those seen at both edges). */
static int other_qemu(const struct vb_hostload *h, const long *own_qemu, size_t n, unsigned long long *ns)
{
	int count = 0;
	*ns = 0;
	for (int e = 0; e < 2; e++)
		for (size_t i = 0; i < h->s[e].nqemu; i++) {
			const struct vb_hostload_qemu *q = &h->s[e].qemu[i];
			const struct vb_hostload_qemu *o = qemu_find(&h->s[1 - e], q->pid);
			if (own(own_qemu, n, q->pid) || (e == 1 && o))
				continue; /* the run's, or counted from the start edge */
			if (!o) { /* started or ended inside the window */
				count++;
			} else if (o->ns > q->ns) {
				count++;
				*ns += o->ns - q->ns;
			}
		}
	return count;
}

int vb_hostload_figures(const struct vb_hostload *h, unsigned long long own_ns, const long *own_qemu, size_t n,
                        struct vb_hostload_figures *f)
{
	const struct vb_hostload_sample *a = &h->s[0], *b = &h->s[1];
	memset(f, 0, sizeof(*f));
	if (h->n < 2 || !a->ok || !b->ok || b->t <= a->t || b->busy_ns < a->busy_ns)
		return -1;
	unsigned long long qns, self = b->self_ns >= a->self_ns ? b->self_ns - a->self_ns : 0;
	/* the host's own clock, read with its busy time; else ours */
	f->window_s = a->uptime > 0 && b->uptime > a->uptime ? b->uptime - a->uptime : b->t - a->t;
	f->total_cpu = (double)(b->busy_ns - a->busy_ns) / 1e9 / f->window_s;
	f->own_cpu = (double)(own_ns + self) / 1e9 / f->window_s;
	f->other_cpu = f->total_cpu > f->own_cpu ? f->total_cpu - f->own_cpu : 0;
	f->loadavg = a->loadavg >= 0 && b->loadavg >= 0 ? (a->loadavg + b->loadavg) / 2 : -1;
	f->cpus = b->ncpu;
	f->other_qemu = other_qemu(h, own_qemu, n, &qns);
	f->other_qemu_cpu = (double)qns / 1e9 / f->window_s;
	return 0;
}

bool vb_hostload_busy(double other_cpu, int other_qemu, double other_qemu_cpu, char *why, size_t n)
{
	if (other_qemu > 0)
		snprintf(why, n, "%d QEMU process%s that %s not this run's ran during the measurement (%.2f cores)",
		         other_qemu, other_qemu == 1 ? "" : "es", other_qemu == 1 ? "is" : "are", other_qemu_cpu);
	else if (other_cpu > VB_BUSY_OTHER_CPU)
		snprintf(why, n, "other processes took %.2f cores during the measurement (over %.2f)", other_cpu,
		         VB_BUSY_OTHER_CPU);
	else
		return false;
	if (other_qemu > 0 && other_cpu > VB_BUSY_OTHER_CPU) { /* both: other CPU named too */
		size_t len = strlen(why);
		snprintf(why + len, n - len, "; other processes took %.2f cores (over %.2f)", other_cpu, VB_BUSY_OTHER_CPU);
	}
	return true;
}
