/* boot: a guest mode's boots, each with the repetitions it runs (boot.h). */
#include "config.h"
#include "runner/boot.h"
#include "runner/integrity.h"
#include "runner/job.h"
#include "runner/reps.h"
#include "guest/agent.h"
#include "guest/domxml.h"
#include "guest/session.h"
#include "summary/runrec.h"
#include "host/hv.h"
#include "core/layout.h"
#include "core/progress.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The whole of a guest's teardown, bye to power-off (session.h) */
#define VB_TEARDOWN_S 30

/* The guest's disk as its hello names it, recorded in mj and checked:
 * *why says what is wrong with it. */
static void check_disk(const struct vb_mode *m, struct vb_disk_ctx *d, const char *mdir, const char *console,
                      json_t *hello, json_t *mj, double t0, char **why)
{
	json_t *disk = d->serial ? vb_agent_hello_disk(hello, d->serial) : json_array_get(json_object_get(hello, "disks"), 0);
	if (!disk) {
		*why = d->serial ? vb_asprintf("the guest sees no disk with serial '%s' (see %s/hello.json)", d->serial, mdir)
		                 : vb_asprintf("the guest sees no disk: its driver did not bring the passed-through device up (see %s)",
		                               console);
		return;
	}
	vb_runrec_mode_set_guest_disk(mj, disk);
	if (vb_agent_check_disk(m, disk, why) != 0)
		return;
	json_t *dname = json_object_get(disk, "name");
	vb_info("%s: guest up after %.1f s, disk %s on %s", m->name, vb_now() - t0,
	        json_is_string(dname) ? json_string_value(dname) : "?", m->guest_driver ? m->guest_driver : "its driver");
	vb_runrec_timing(mj, VB_PHASE_BOOT, vb_now() - t0); /* define and start to the agent's hello */
}

/* Boot b of this storage model as the mode's boot number, and whether
 * each boot has a console log of its own (a boot per repetition, or more
 * than one storage model: a guest each). */
static unsigned boot_number(const struct vb_runner *x, unsigned b)
{
	return x->boot_base + b;
}

static bool console_per_boot(const struct vb_runner *x)
{
	return x->cfg->boot_per_rep || x->storage_groups > 1;
}

/* The domain XML's file: domain.xml, or with several storage models
 * domain-storage-NAME.xml, each model's own guest. */
static char *domain_file(const struct vb_runner *x)
{
	return x->storage_groups > 1 ? vb_asprintf("domain-storage-%s.xml", x->storage_now) : vb_strdup("domain.xml");
}

/* Boot one guest and check the disk it sees.  Returns the guest, or NULL
 * with *why. */
static struct vb_guest *boot(struct vb_runner *x, const struct vb_mode *m, struct vb_disk_ctx *d, const char *mdir,
                             unsigned boot_no, struct vb_mode_result *r, json_t *mj, char **why)
{
	const struct vb_config *c = x->cfg;
	char *console = vb_layout_console(mdir, console_per_boot(x), boot_number(x, boot_no));
	char *rconsole = vb_hv_console_path(m->name, boot_number(x, boot_no));
	char *dfile = domain_file(x);
	char *name = vb_layout_domain(vb_hv_label(), x->id, m->name);
	char *xml = vb_domain_xml_for_mode(c, m, x->accel.domain_type, x->img.kernel, x->img.initrd, d, name,
	                                   rconsole ? rconsole : console);
	struct vb_guest *g = NULL;
	json_t *hello = NULL;
	double t0 = vb_now();

	/* virtlogd (root) opens the console log by name, following a link; a
	 * resumed run's folder is input, so nothing planted there survives
	 * (the log is written afresh, append='off', in any case) */
	if (!rconsole)
		unlink(console);
	if (vb_runner_save_text(mdir, dfile, xml) < 0) {
		*why = vb_strdup("cannot save the domain XML");
		goto out;
	}
	vb_info("%s: booting the guest (%s)", m->name, x->accel.name);
	vb_progress_step(VB_STEP_BOOTING);
	g = vb_session_start(x->virt, xml, t0, c->boot_timeout, mdir, &hello, why);
	if (!g) {
		if (!*why)
			*why = vb_asprintf("the guest did not greet the controller within %u s (see %s; raise --boot-timeout on a slow host)",
			                   c->boot_timeout, console);
		goto out;
	}
	if (d->stor->server_pid > 0)
		vb_guest_watch(g, d->stor->server_pid, d->stor->server_name);
	json_t *k = json_object_get(hello, "kernel");
	free(r->guest_kernel);
	r->guest_kernel = vb_strdup(json_is_string(k) ? json_string_value(k) : "unknown");
	check_disk(m, d, mdir, console, hello, mj, t0, why);
	if (*why) {
		vb_guest_free(g);
		g = NULL;
	}
out:
	json_decref(hello);
	free(dfile);
	free(xml);
	free(name);
	free(console);
	free(rconsole);
	return g;
}

/* One boot: the guest up, repetitions first..last of every point, and
 * its power-off. */
static int run_boot(struct vb_runner *x, const struct vb_mode *m, struct vb_disk_ctx *d, const char *mdir, unsigned b,
                    unsigned first, unsigned last, struct vb_mode_result *r, json_t *mj, json_t **point_reps, char **why)
{
	struct vb_guest *g = boot(x, m, d, mdir, b, r, mj, why);
	if (!g)
		return -1;
	/* repetition-major: every point once, then again, so that a drift
	 * over time spreads over all points alike */
	for (unsigned rep = first; rep <= last; rep++) {
		for (size_t pi = 0; pi < x->plan.npoints; pi++) {
			if (!vb_reps_need(x, point_reps, pi, rep))
				continue;
			if (vb_interrupted)
				*why = vb_strdup("interrupted by a signal");
			if (vb_interrupted || vb_runner_guest_job(x, m, g, d, mdir, pi, rep, point_reps[pi], why) < 0) {
				vb_guest_free(g);
				return -1;
			}
		}
	}
	if (vb_integrity_due(x, m, d) && vb_integrity_write(x, m, g, d, why) < 0) {
		vb_guest_free(g);
		return -1;
	}
	double t0 = vb_now();
	vb_progress_step(VB_STEP_TEARDOWN);
	const char *how;
	if (vb_session_end(g, t0 + VB_TEARDOWN_S, &how) < 0)
		vb_warn("%s: the guest was %s", m->name, how);
	vb_runrec_timing(mj, VB_PHASE_TEARDOWN, vb_now() - t0);
	/* a boot destroyed at the deadline is what the mode's record keeps */
	vb_runrec_mode_set_teardown(mj, how);
	return 0;
}

int vb_runner_guest_boots(struct vb_runner *x, const struct vb_mode *m, struct vb_disk_ctx *d, const char *mdir,
                          struct vb_mode_result *r, json_t *mj, json_t **point_reps, char **why)
{
	const struct vb_config *c = x->cfg;
	unsigned boots = c->boot_per_rep ? vb_reps_max(c) : 1;

	for (unsigned b = 1; b <= boots; b++) {
		unsigned first = c->boot_per_rep ? b : 1, last = c->boot_per_rep ? b : vb_reps_max(c);
		if (!vb_reps_left(x, point_reps, first, last))
			continue;
		int rc = run_boot(x, m, d, mdir, b, first, last, r, mj, point_reps, why);
		/* a console written on a remote hypervisor comes home */
		char *console = vb_layout_console(mdir, console_per_boot(x), boot_number(x, b));
		vb_hv_fetch_console(m->name, boot_number(x, b), console);
		free(console);
		if (rc < 0)
			return -1;
	}
	x->boot_base += boots;
	return 0;
}
