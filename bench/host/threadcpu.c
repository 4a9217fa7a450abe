/* threadcpu: a process's CPU over a window split by thread class (see
 * threadcpu.h).  QEMU 7.2 under libvirt 9.0 (which passes -name
 * ...,debug-threads=on) names its threads as the table says; seen here
 * (/proc/QEMU/task/ * /comm, a virtio-blk guest under TCG): the main loop
 * "qemu-system-x86" (tid == pid), call_rcu with the same name, "IO
 * mon_iothread", "CPU 0/TCG", "CPU 1/TCG", "IO iothread1", "worker". */
#include "config.h"
#include "host/threadcpu.h"

#include <string.h>

const struct vb_thread_kind vb_threads_qemu = {NULL}, vb_threads_helper = {"helper"}, vb_threads_vhost = {"vhost"};

/* QEMU's thread names, by prefix; the first row that matches wins. */
static const struct {
	const char *prefix, *cls;
} qemu_names[] = {
	{"CPU ", "vcpu"},     /* "CPU 0/TCG", "CPU 1/KVM" */
	{"IO mon_iothread", "other"}, /* the QMP monitor's own thread: no disk's */
	{"IO ", "iothread"},  /* "IO iothread1": an <iothread> */
	{"worker", "worker"}, /* the block layer's thread pool (io='threads', file ops) */
	{"vhost-", "vhost"},  /* Linux >= 6.4: a vhost device's worker is QEMU's thread */
};

/* The classes in the order run.json lists them (all of them, 0 or not,
 * so that readers compare like with like). */
static const char *const qemu_classes[] = {"vcpu", "iothread", "main", "worker", "vhost", "other"};

const char *vb_thread_class_qemu(const char *comm, long tid, long pid)
{
	if (tid == pid)
		return "main";
	for (size_t i = 0; i < sizeof(qemu_names) / sizeof(qemu_names[0]); i++)
		if (strncmp(comm, qemu_names[i].prefix, strlen(qemu_names[i].prefix)) == 0)
			return qemu_names[i].cls;
	/* call_rcu (started before QEMU names its threads: it keeps the
	 * process's name, "qemu-system-x86"), vnc_worker... */
	return "other";
}

void vb_thread_comm_clean(const char *comm, char out[16])
{
	size_t i = 0;
	for (; comm[i] && i < 15; i++)
		out[i] = comm[i] >= 0x20 && comm[i] < 0x7f ? comm[i] : '?';
	out[i] = '\0';
}

static void add_ns(json_t *classes, const char *cls, unsigned long long ns)
{
	json_t *v = json_object_get(classes, cls);
	json_object_set_new(classes, cls, json_integer(json_integer_value(v) + (json_int_t)ns));
}

/* The thread's CPU at the start edge, 0 when it was born since. */
static unsigned long long at_start(const struct vb_proc_threads *a, long tid)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->t[i].tid == tid)
			return a->t[i].ns;
	return 0;
}

json_t *vb_thread_split(const struct vb_thread_kind *k, const struct vb_proc_threads *a,
                        const struct vb_proc_threads *b, json_t *into, unsigned long long *total)
{
	json_t *o = into ? into : json_pack("{s:{}, s:[]}", "classes", "per_thread");
	json_t *classes = json_object_get(o, "classes"), *per = json_object_get(o, "per_thread");
	unsigned long long live = 0, proc = b->ns > a->ns ? b->ns - a->ns : 0;

	if (!into && !k->all)
		for (size_t i = 0; i < sizeof(qemu_classes) / sizeof(qemu_classes[0]); i++)
			json_object_set_new(classes, qemu_classes[i], json_integer(0));
	if (!into && k->all)
		json_object_set_new(classes, k->all, json_integer(0));
	for (size_t i = 0; i < b->n; i++) {
		const struct vb_thread_cpu *t = &b->t[i];
		unsigned long long s = at_start(a, t->tid), ns = t->ns > s ? t->ns - s : 0;
		const char *cls = k->all ? k->all : vb_thread_class_qemu(t->comm, t->tid, b->pid);
		char comm[16];
		vb_thread_comm_clean(t->comm, comm);
		live += ns;
		add_ns(classes, cls, ns);
		json_array_append_new(per, json_pack("{s:I, s:s, s:s, s:I}", "tid", (json_int_t)t->tid, "comm", comm, "class",
		                                     cls, "ns", (json_int_t)ns));
	}
	if (live > proc)
		proc = live;
	add_ns(classes, "exited", proc - live);
	*total = proc;
	return o;
}
