/* vms: --vms N, its checks, the guests' boots and teardown (vms.h). */
#include "config.h"
#include "runner/vms.h"
#include "runner/vmsgroup.h"
#include "runner/reps.h"
#include "guest/agent.h"
#include "guest/domxml.h"
#include "guest/session.h"
#include "summary/runrec.h"
#include "host/hv.h"
#include "core/layout.h"
#include "core/progress.h"
#include "core/iotune.h"
#include "core/util.h"

#include <pthread.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MIB (1ull << 20)
/* The whole of the guests' teardown, bye to power-off, all at once */
#define VMS_TEARDOWN_S 30

unsigned vb_vms_max(const struct vb_runner *x)
{
	unsigned n = 0;
	for (size_t i = 0; i < x->plan.npoints; i++)
		if (x->plan.points[i].cfg.vms > n)
			n = x->plan.points[i].cfg.vms;
	return n;
}

/* Whether a job pattern writes (only read and randread do not). */
static bool writes(const char *rw)
{
	return strcmp(rw, "read") != 0 && strcmp(rw, "randread") != 0;
}

/* The neighbours' job writes (its --rw= argument)? */
static bool neighbour_writes(const struct vb_point *p, const char *spec)
{
	json_t *a = vb_point_neighbour_args(p, spec), *v;
	size_t i;
	bool w = false;
	json_array_foreach(a, i, v) if (!strncmp(json_string_value(v), "--rw=", 5)) w = writes(json_string_value(v) + 5);
	json_decref(a);
	return w;
}

/* Each guest's slice of a store of size bytes: size / N, whole MiB. */
static unsigned long long slice_of(unsigned long long size, unsigned nmax)
{
	return size / nmax / MIB * MIB;
}

/* --vms with several guests: the modes and storage that can split. */
static int check_split(const struct vb_runner *x, unsigned nmax)
{
	for (size_t i = 0; x->modes[i]; i++)
		if (!x->modes[i]->vms)
			return vb_error("--vms %u: mode %s cannot run several guests (no libvirt <disk> on the store to give each "
			                "a slice of): the modes that take --vms N > 1 are host, virtio-blk, sata and virtio-scsi",
			                nmax, x->modes[i]->name);
	for (size_t i = 0; i < x->plan.npoints; i++) {
		const char *st = x->plan.points[i].cfg.storage;
		if (st && strcmp(st, "raw") != 0 && x->cfg->shared)
			return vb_error("--vms %u --shared: storage %s cannot be shared between guests: only --storage raw can "
			                "(the raw store, read by every guest; a qcow2 overlay each over it when the job writes)",
			                nmax, st);
		if (st && strcmp(st, "raw") != 0)
			return vb_error("--vms %u: storage %s cannot be split between guests: only --storage raw can (a slice "
			                "of the store each); --shared gives every guest the whole raw store", nmax, st);
	}
	return 0;
}

/* --shared and some point's job (or its neighbours') writes: the guests
 * then write to a qcow2 overlay each, never to the shared raw store. */
static bool shared_writes(const struct vb_runner *x)
{
	const struct vb_config *c = x->cfg;
	for (size_t i = 0; c->shared && i < x->plan.npoints; i++) {
		const struct vb_point *p = &x->plan.points[i];
		if (writes(p->cfg.rw) || (c->neighbour && neighbour_writes(p, c->neighbour)))
			return true;
	}
	return false;
}

/* --shared writes only through overlays, over a raw store; otherwise each
 * slice big enough for the job. */
static int check_disks(const struct vb_runner *x, unsigned nmax)
{
	const struct vb_config *c = x->cfg;
	for (size_t i = 0; shared_writes(x) && i < x->plan.npoints; i++) {
		const char *st = x->plan.points[i].cfg.storage;
		/* the overlay's backing is declared raw: the store itself */
		if (st && strcmp(st, "raw") != 0)
			return vb_error("--shared: the job writes, and guests that share a disk write to a qcow2 overlay each "
			                "over the raw store, which storage %s is not: use --storage raw, or a read-only job "
			                "(rw=read or randread)", st);
	}
	unsigned long long slice = slice_of(c->size, nmax);
	if (!c->shared && !c->disk && (slice < MIB || slice < c->bs)) {
		char sz[32];
		vb_format_size(c->size, sz, sizeof(sz));
		return vb_error("--vms %u: each guest's slice of the %s store would be %llu bytes, too small for the job: "
		                "give a larger --size or fewer guests", nmax, sz, slice);
	}
	return 0;
}

int vb_vms_check(struct vb_runner *x)
{
	struct vb_config *c = x->cfg;
	unsigned nmax = vb_vms_max(x);
	if (!nmax) {
		if (c->shared || c->neighbour || c->neighbour_iotune)
			return vb_error("--%s needs --vms N: give e.g. --vms 2",
			                c->shared ? "shared" : c->neighbour ? "neighbour" : "neighbour-iotune");
		return 0;
	}
	/* 256 MiB each, at every N (also 1) so that the points compare: a
	 * --memory of the operator's own is refused, not overridden unseen */
	if (c->memory != 512 && c->memory != 256)
		return vb_error("--vms gives every guest 256 MiB, at every N, so that the points compare: leave out "
		                "--memory %u", c->memory);
	c->memory = 256;
	for (size_t i = 0; i < x->plan.npoints; i++)
		x->plan.points[i].cfg.memory = 256;
	if (c->boot_per_rep)
		return vb_error("--boot-per-rep cannot be combined with --vms: the N guests boot once for each N");
	if (vb_hv_places_files()) /* each guest's console log is a local path */
		return vb_error("--vms runs on this machine's hypervisor only, not yet on a remote one: leave out --connect %s",
		                vb_hv_where());
	for (size_t i = 0; (c->neighbour || c->neighbour_iotune) && i < x->plan.npoints; i++)
		if (x->plan.points[i].cfg.vms < 2)
			return vb_error("--%s needs --vms 2 or more at every point (point %s has %u): guest 1 is "
			                "measured, the others are its neighbours", c->neighbour ? "neighbour" : "neighbour-iotune",
			                x->plan.points[i].label,
			                x->plan.points[i].cfg.vms);
	if (nmax > 1 && check_split(x, nmax) < 0)
		return -1;
	return check_disks(x, nmax);
}

void vms_threads(struct vms_group *s, void *(*fn)(void *), unsigned at_once, bool (*take)(const struct vms_guest *))
{
	pthread_t *t = vb_calloc(s->n, sizeof(*t));
	bool *on = vb_calloc(s->n, sizeof(*on));
	if (!at_once)
		at_once = s->n;
	for (unsigned b = 0; b < s->n; b += at_once) {
		unsigned e = b + at_once < s->n ? b + at_once : s->n;
		for (unsigned i = b; i < e; i++) {
			if (!take(&s->v[i]))
				continue;
			on[i] = pthread_create(&t[i], NULL, fn, &s->v[i]) == 0;
			if (!on[i])
				fn(&s->v[i]); /* no thread to be had: in turn, then */
		}
		for (unsigned i = b; i < e; i++)
			if (on[i])
				pthread_join(t[i], NULL);
	}
	free(on);
	free(t);
}

static bool live(const struct vms_guest *v)
{
	return v->g != NULL;
}

static bool slot_ok(const struct vms_guest *v)
{
	return !v->fail;
}

/* A boot's thread: the domain started, the agent's hello awaited. */
static void *boot_thread(void *arg)
{
	struct vms_guest *v = arg;
	const struct vb_config *c = v->grp->x->cfg;
	json_t *hello = NULL;
	vb_thread_quiet = v->i > 1;
	v->t0 = vb_now();
	v->g = vb_session_start(v->grp->x->virt, v->xml, v->t0, c->boot_timeout, v->dir, &hello, &v->fail);
	v->boot_s = vb_now() - v->t0;
	if (!v->g && !v->fail)
		v->fail = vb_asprintf("the guest did not greet the controller within %u s (see %s/console.log; raise "
		                      "--boot-timeout on a slow host)", c->boot_timeout, v->dir);
	if (v->g) {
		const char *serial = v->d.serial;
		json_t *disk = serial ? vb_agent_hello_disk(hello, serial)
		                      : json_array_get(json_object_get(hello, "disks"), 0);
		if (!disk)
			v->fail = vb_asprintf("the guest sees no disk%s%s (see %s/hello.json)", serial ? " with serial " : "",
			                      serial ? serial : "", v->dir);
		else
			vb_agent_check_disk(v->grp->m, disk, &v->fail);
		json_t *k = json_object_get(hello, "kernel");
		v->kernel = vb_strdup(json_is_string(k) ? json_string_value(k) : "unknown");
		v->disk = json_incref(disk);
		if (v->fail) {
			vb_guest_free(v->g);
			v->g = NULL;
		}
	}
	json_decref(hello);
	return NULL;
}

/* Guest v's overlay over the store, on the hypervisor, in the run's
 * private folder (removed at the group's end, also after a Ctrl-C). */
static int overlay_make(struct vms_guest *v)
{
	const char *argv[] = {"qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", v->d.stor->path, v->overlay,
	                      NULL};
	char *log = vb_asprintf("%s/qemu-img.log", v->dir), *why = NULL;
	if (vb_hv_run_logged(argv, log, 60) != 0) {
		v->fail = vb_asprintf("cannot create the overlay '%s' over '%s' (see %s): check qemu-utils and the cache "
		                      "folder's space", v->overlay, v->d.stor->path, log);
	} else if (vb_hv_system() && vb_hv_chown_qemu(v->overlay, &why) < 0) {
		v->fail = vb_asprintf("cannot hand the overlay '%s' to QEMU's user: %s", v->overlay, why);
	}
	free(why);
	free(log);
	return v->fail ? -1 : 0;
}

/* Guest i's disk, folder and domain. */
static void guest_setup(struct vms_group *s, struct vms_guest *v, const struct vb_disk_ctx *d, unsigned i,
                        unsigned long long slice)
{
	struct vb_runner *x = s->x;
	v->grp = s;
	v->i = i;
	v->d = *d;
	if (i > 1 && s->nb_iotune)
		v->d.iotune = s->nb_iotune; /* the neighbours' own limits (guest 1 keeps --iotune's) */
	if (x->cfg->shared && s->overlay && !s->m->host) {
		v->d.overlay = v->overlay = vb_asprintf("%s/%s-%u-vm%u.qcow2", x->run_dir, s->m->name, s->n, i);
	} else if (x->cfg->shared) {
		v->d.shareable = true;
	} else if (slice) {
		v->d.slice_offset = (unsigned long long)(i - 1) * slice;
		v->d.slice_size = slice;
		v->d.shareable = s->n > 1; /* one file, several writers: each its own bytes */
	}
	if (s->m->host)
		return; /* fio processes: no boot, nothing to keep of one */
	char *rel = vb_asprintf("%s/guests-%u/vm-%u", s->m->name, s->n, i);
	char *why = NULL;
	if (vb_subdir_why(x->dir, rel, &why) < 0)
		v->fail = why;
	v->dir = vb_asprintf("%s/%s", x->dir, rel);
	free(rel);
	if (v->fail || (v->overlay && overlay_make(v) < 0))
		return;
	char *base = vb_layout_domain(vb_hv_label(), x->id, s->m->name);
	char *name = vb_asprintf("%s-vm%u", base, i);
	char *console = vb_asprintf("%s/console.log", v->dir);
	unlink(console); /* virtlogd (root) follows a link: nothing planted survives */
	v->xml = vb_domain_xml_for_mode(x->cfg, s->m, x->accel.domain_type, x->img.kernel, x->img.initrd, &v->d, name,
	                                console);
	if (vb_runner_save_text(v->dir, "domain.xml", v->xml) < 0)
		v->fail = vb_strdup("cannot save the domain XML");
	free(console);
	free(name);
	free(base);
}

/* The guests booted, up to the host's cores at a time; each boot in the
 * mode's record.  The number that came up. */
static unsigned boot_all(struct vms_group *s, struct vb_mode_result *r)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned up = 0;
	vb_info("%s: booting %u guests (%s), up to %ld at a time", s->m->name, s->n, s->x->accel.name, cores > 0 ? cores : 1);
	vb_progress_step(VB_STEP_BOOTING);
	vms_threads(s, boot_thread, cores > 0 ? (unsigned)cores : 1, slot_ok);
	for (unsigned i = 0; i < s->n; i++) {
		struct vms_guest *v = &s->v[i];
		vb_runrec_mode_vms_boot(s->mj, v->i, s->n, v->fail, v->fail && !v->t0 ? -1 : v->boot_s);
		if (v->fail) {
			vb_warn("%s: guest %u of %u failed: %s", s->m->name, v->i, s->n, v->fail);
			continue;
		}
		if (!up++) { /* the first guest up speaks for them all */
			free(r->guest_kernel);
			r->guest_kernel = vb_strdup(v->kernel);
			vb_runrec_mode_set_guest_disk(s->mj, v->disk);
		}
	}
	if (up)
		vb_runrec_timing(s->mj, VB_PHASE_BOOT, s->v[0].boot_s);
	vb_info("%s: %u of %u guests up", s->m->name, up, s->n);
	return up;
}

static void *end_thread(void *arg)
{
	struct vms_guest *v = arg;
	const char *how;
	vb_thread_quiet = true;
	if (vb_session_end(v->g, vb_now() + VMS_TEARDOWN_S, &how) < 0)
		vb_warn("%s: guest %u was %s", v->grp->m->name, v->i, how);
	v->g = NULL;
	return NULL;
}

/* Every guest still up powered off (or destroyed: after a failure or a
 * Ctrl-C, nothing is left running). */
static void teardown(struct vms_group *s, bool failed)
{
	double t0 = vb_now();
	vb_progress_step(VB_STEP_TEARDOWN);
	int was = vb_interrupt_defer();
	if (failed || was) {
		for (unsigned i = 0; i < s->n; i++) {
			vb_guest_free(s->v[i].g);
			s->v[i].g = NULL;
		}
	} else {
		vms_threads(s, end_thread, 0, live);
	}
	vb_interrupt_resume(was);
	vb_runrec_timing(s->mj, VB_PHASE_TEARDOWN, vb_now() - t0);
}

/* Repetition-major, as one guest runs them: every point of this N once,
 * then again. */
static int run_reps(struct vms_group *s, json_t **point_reps, char **why)
{
	struct vb_runner *x = s->x;
	for (unsigned rep = 1; rep <= vb_reps_max(x->cfg); rep++)
		for (size_t pi = 0; pi < x->plan.npoints; pi++) {
			if (!vb_reps_need(x, point_reps, pi, rep))
				continue;
			if (vb_interrupted) {
				*why = vb_strdup("interrupted by a signal");
				return -1;
			}
			if (vms_job(s, pi, rep, point_reps[pi], why) < 0)
				return -1;
		}
	return 0;
}

/* The group of n guests: set up, booted, run, torn down. */
static int run_group(struct vb_runner *x, const struct vb_mode *m, struct vb_disk_ctx *d, const char *mdir,
                     struct vb_mode_result *r, json_t *mj, unsigned n, json_t **point_reps, char **why)
{
	struct vms_group s = {.x = x, .m = m, .mdir = mdir, .mj = mj, .n = n};
	unsigned nmax = vb_vms_max(x);
	unsigned long long slice = x->cfg->shared ? 0 : slice_of(x->store.size, nmax);
	int rc = -1;
	if (!x->cfg->shared && (slice < MIB || slice < x->cfg->bs)) {
		*why = vb_asprintf("--vms %u: each guest's slice of the %llu-byte store would be %llu bytes, too small for "
		                   "the job: give a larger store or fewer guests", nmax, (unsigned long long)x->store.size, slice);
		return -1;
	}
	s.overlay = shared_writes(x) && !m->host; /* the host's fio processes write the store, as without --vms */
	vb_runrec_mode_set_vms(mj, nmax, s.overlay ? "overlay" : x->cfg->shared ? "shared" : "slice",
	                       slice ? slice : x->store.size, x->cfg->memory);
	s.v = vb_calloc(n, sizeof(*s.v));
	s.nb_iotune = vb_iotune_parse(x->cfg->neighbour_iotune);
	for (unsigned i = 0; i < n; i++)
		guest_setup(&s, &s.v[i], d, i + 1, slice);
	/* libvirt gives QEMU's user a disk it starts a guest on and gives it
	 * back when the guest stops -- but not a <shareable/> or read-only
	 * one (another guest may still use it): the store would stay QEMU's.
	 * Its owner is put back here, once every guest is down. */
	struct stat own;
	const char *store = d->stor && d->stor->path && !d->stor->is_block ? d->stor->path : NULL;
	bool owned = !m->host && store && stat(store, &own) == 0;
	if (m->host || boot_all(&s, r) > 0)
		rc = run_reps(&s, point_reps, why);
	else
		*why = vb_asprintf("none of the %u guests came up (guest 1: %s)", n, s.v[0].fail ? s.v[0].fail : "unknown");
	if (!m->host)
		teardown(&s, rc < 0);
	struct stat now;
	if (owned && stat(store, &now) == 0 && (now.st_uid != own.st_uid || now.st_gid != own.st_gid) &&
	    chown(store, own.st_uid, own.st_gid) < 0)
		vb_warn("%s: cannot give %s back to its owner (uid %u): %s", m->name, store, (unsigned)own.st_uid,
		        strerror(errno));
	for (unsigned i = 0; i < n; i++) {
		free(s.v[i].dir);
		free(s.v[i].xml);
		if (s.v[i].overlay) /* after teardown: no QEMU holds it */
			vb_hv_remove(s.v[i].overlay);
		free(s.v[i].overlay);
		free(s.v[i].fail);
		vb_cpu_meter_release(&s.v[i].meter); /* a repetition cut short keeps its meter's reads */
		free(s.v[i].kernel);
		json_decref(s.v[i].disk);
	}
	free(s.v);
	json_decref(s.nb_iotune);
	return rc;
}

int vb_vms_run(struct vb_runner *x, const struct vb_mode *m, struct vb_disk_ctx *d, const char *mdir,
               struct vb_mode_result *r, json_t *mj, json_t **point_reps, char **why)
{
	if (m->baseline)
		d->source = d->stor->medium; /* host reads the medium itself */
	vb_runner_drawn(x);
	/* the Ns of this storage model's points, each once, in plan order */
	for (size_t pi = 0; pi < x->plan.npoints; pi++) {
		const struct vb_point *p = &x->plan.points[pi];
		bool seen = false;
		for (size_t k = 0; k < pi; k++)
			seen |= x->plan.points[k].cfg.vms == p->cfg.vms && !strcmp(x->plan.points[k].cfg.storage, p->cfg.storage);
		if (seen || (x->storage_now && strcmp(p->cfg.storage, x->storage_now) != 0))
			continue;
		x->vms_now = p->cfg.vms;
		int rc = vb_reps_left(x, point_reps, 1, vb_reps_max(x->cfg))
		                 ? run_group(x, m, d, mdir, r, mj, p->cfg.vms, point_reps, why) : 0;
		x->vms_now = 0;
		if (rc < 0)
			return -1;
	}
	return 0;
}
