/* mode: the modes of a run in turn, each end to end (mode.h). */
#include "config.h"
#include "runner/mode.h"
#include "runner/boot.h"
#include "runner/integrity.h"
#include "runner/job.h"
#include "runner/manifest.h"
#include "runner/reps.h"
#include "runner/resume.h"
#include "runner/vms.h"
#include "summary/runrec.h"
#include "guest/virt.h"
#include "host/hv.h"
#include "host/hostres.h"
#include "core/iotune.h"
#include "core/layout.h"
#include "core/options.h"
#include "core/progress.h"
#include "core/util.h"
#include "storage/storage.h"

#include <stdlib.h>
#include <string.h>

/* A host mode's repetitions: fio on the host, repetition-major as in a
 * guest. */
static int run_host(struct vb_runner *x, const struct vb_mode *m, struct vb_disk_ctx *d, const char *mdir,
                    json_t **point_reps, char **why)
{
	/* The baseline reads the medium the storage's data lives on (the
	 * store, a qcow2 image's file, what a server serves), never through
	 * a format layer or a server (backend's daemon serves what
	 * vhost-user-blk's would). */
	if (m->baseline)
		d->source = d->stor->medium;
	vb_runner_drawn(x); /* never measure while the report of earlier modes is drawn */
	for (unsigned rep = 1; rep <= vb_reps_max(x->cfg); rep++)
		for (size_t pi = 0; pi < x->plan.npoints; pi++)
			if (vb_reps_need(x, point_reps, pi, rep) &&
			    vb_runner_host_job(x, m, d, mdir, pi, rep, point_reps[pi], why) < 0)
				return -1;
	return 0;
}

/* What the mode's run.json record says of it, whatever its fate (c: its
 * configuration, with its -c FILE's [mode NAME] section). */
static void record_mode(const struct vb_mode *m, const struct vb_config *c, json_t *mj)
{
	if (m->host && !m->baseline)
		vb_runrec_mode_set_no_guest(mj); /* its fio CPU is the host's (summary) */
	if (m->tuning)
		vb_runrec_mode_set_tuning(mj, m->tuning);
	if (m->host) { /* no guest disk: the unthrottled ceiling (vb_mode_check_config) */
		if (c->iotune || c->neighbour_iotune)
			vb_info("%s: no guest disk to limit: it runs unthrottled, the ceiling the limits are measured against",
			        m->name);
		return;
	}
	json_t *all = vb_iotune_parse(c->iotune), *nb = vb_iotune_parse(c->neighbour_iotune);
	vb_runrec_mode_set_iotune(mj, all, nb);
	json_decref(all);
	json_decref(nb);
}

/* The storage models of the plan's points, each once, in the order they
 * first appear (one model without a storage sweep).  NULL-terminated;
 * caller frees the array. */
static const char **storage_groups(const struct vb_runner *x, size_t *n)
{
	const char **g = vb_calloc(x->plan.npoints + 1, sizeof(*g));
	*n = 0;
	for (size_t i = 0; i < x->plan.npoints; i++) {
		const char *s = x->plan.points[i].cfg.storage;
		size_t k = 0;
		while (k < *n && strcmp(g[k], s) != 0)
			k++;
		if (k == *n)
			g[(*n)++] = s;
	}
	return g;
}

/* A storage server that died under the guest is the cause of what the
 * guest then saw (a stalled disk, QEMU giving up): say it first. */
static void server_lost(const struct vb_stor *st, char **why)
{
	char *gone = st->model->server_gone ? st->model->server_gone(st) : NULL;
	if (gone) {
		char *w = vb_asprintf("storage %s: %s (%s)", st->model->name, gone, *why ? *why : "no other sign");
		free(gone);
		free(*why);
		*why = w;
		return;
	}
	if (st->server_pid <= 0 || vb_daemon_alive(st->server_pid))
		return;
	/* (the guest's wait may have named it already: vb_guest_watch) */
	const char *seen = *why && st->server_name ? strstr(*why, st->server_name) : NULL;
	char *w = seen ? vb_asprintf("storage %s: its server %s", st->model->name, seen)
	               : vb_asprintf("storage %s: its server %s exited during the run (%s)", st->model->name,
	                             st->server_name ? st->server_name : "", *why ? *why : "no other sign");
	free(*why);
	*why = w;
}

/* Mode m's points on one storage model: the storage set up, the mode's
 * host side, its guests (or fio on the host), all taken down again.  0,
 * or -1 with *why. */
static int run_on_storage(struct vb_runner *x, const struct vb_mode *m, const char *mdir, struct vb_mode_result *r,
                          json_t *mj, json_t **point_reps, char **why)
{
	const struct vb_storage *sm = vb_storage_find(x->storage_now);
	struct vb_stor st;
	struct vb_disk_ctx d;
	int rc = -1;
	double t0 = vb_now();
	bool check = false;

	vb_stor_init(&st, sm, x->cfg, x->virt, &x->store, x->run_dir, mdir, vb_hv_system());
	if (sm->probe && sm->probe(x->cfg, why) < 0) {
		char *w = vb_asprintf("storage %s: %s", sm->name, *why);
		free(*why);
		*why = w;
		goto out;
	}
	if (vb_stor_prepare(&st, why) < 0)
		goto out;
	vb_mode_disk_ctx(&d, x->cfg, &st, x->run_dir);
	d.iotune = vb_iotune_parse(x->cfg->iotune); /* every guest's (--vms: the neighbours' may differ) */
	d.virt = x->virt; /* lun's CHAP secret lives in libvirt */
	d.mode_dir = mdir;
	if (!m->baseline) { /* host reads the medium itself, past any server */
		d.helper_name = st.server_name; /* a mode's own daemon takes its place */
		d.helper_pid = st.server_pid;
	}
	d.priv = m->priv_size ? vb_calloc(1, m->priv_size) : NULL;
	if (!m->prepare || m->prepare(&d, why) == 0) {
		vb_runrec_timing(mj, VB_PHASE_PREPARE, vb_now() - t0);
		if (vb_vms_max(x))
			rc = vb_vms_run(x, m, &d, mdir, r, mj, point_reps, why);
		else
			rc = m->host ? run_host(x, m, &d, mdir, point_reps, why)
			             : vb_runner_guest_boots(x, m, &d, mdir, r, mj, point_reps, why);
	}
	if (rc < 0)
		server_lost(&st, why);
	check = rc == 0 && vb_integrity_due(x, m, &d) && vb_integrity_written(x);
	t0 = vb_now();
	vb_progress_step(VB_STEP_TEARDOWN);
	int was = vb_interrupt_defer(); /* undo it all, also after a Ctrl-C */
	if (m->cleanup)
		m->cleanup(&d);
	vb_interrupt_resume(was);
	vb_runrec_timing(mj, VB_PHASE_CLEANUP, vb_now() - t0);
	/* the mode's own daemon is gone: the storage is free to open again
	 * (a served model's medium is read once its server is gone, below) */
	if (check && !st.server_pid && vb_integrity_check(x, &d, sm->name, st.record, why) < 0)
		rc = -1;
	free(d.priv);
	json_decref(d.iotune);
out:
	vb_runrec_mode_set_storage(mj, sm->name, st.record);
	json_t *rec = json_incref(st.record); /* the same object as run.json's */
	bool served = st.server_pid > 0;
	int held = vb_interrupt_defer();
	vb_stor_teardown(&st);
	vb_interrupt_resume(held);
	if (check && served && vb_integrity_check_medium(x, mdir, sm->name, rec, why) < 0)
		rc = -1;
	json_decref(rec);
	return rc;
}

/* The points of storage model name failed, for why: run.json says so
 * beside each. */
static void fail_points(const struct vb_runner *x, json_t *mj, const char *name, const char *why)
{
	for (size_t pi = 0; pi < x->plan.npoints; pi++)
		if (strcmp(x->plan.points[pi].cfg.storage, name) == 0)
			vb_runrec_mode_point_set_reason(mj, pi, why);
}

/* Run one mode end to end, storage model by storage model.  Returns 0, or
 * -1 with r->reason set. */
static int run_mode(struct vb_runner *x, const struct vb_mode *m, struct vb_mode_result *r, json_t *mj)
{
	char *mdir = vb_layout_mode_dir(x->dir, m->name);
	char *why = NULL;
	json_t **point_reps = vb_calloc(x->plan.npoints, sizeof(json_t *));
	size_t ngroups;
	const char **groups = storage_groups(x, &ngroups);
	int rc = -1;

	vb_resume_mode_points(x, mj, point_reps);
	record_mode(m, x->cfg, mj);
	/* a resumed run's folder is input: its mode folder may not be a link */
	if (vb_subdir_why(x->dir, m->name, &why) < 0)
		goto out;
	if (m->probe && !x->probed && m->probe(x->cfg, &why) < 0)
		goto out;
	x->storage_groups = ngroups;
	x->boot_base = 0;
	rc = 0;
	/* a storage model that fails fails its own points: the others go
	 * on (unless the run is interrupted or the host is lost) */
	for (size_t g = 0; g < ngroups && !vb_interrupted; g++) {
		char *gwhy = NULL;
		x->storage_now = groups[g];
		if (run_on_storage(x, m, mdir, r, mj, point_reps, &gwhy) == 0)
			continue;
		if (!gwhy)
			gwhy = vb_strdup("unknown failure");
		if (ngroups > 1) {
			char *pre = vb_asprintf("storage %s: ", groups[g]);
			if (strncmp(gwhy, pre, strlen(pre)) != 0) {
				char *w = vb_asprintf("%s%s", pre, gwhy);
				free(gwhy);
				gwhy = w;
			}
			free(pre);
			vb_warn("%s: %s", m->name, gwhy);
			fail_points(x, mj, groups[g], gwhy);
		}
		if (!why)
			why = gwhy;
		else
			free(gwhy);
		rc = -1;
		if (vb_hv_may_be_lost() && !vb_virt_reachable(x->virt))
			break;
	}
	x->storage_now = NULL;
	vb_reps_record_host_load(x, mj, point_reps); /* a failed mode's kept repetitions too */
	if (rc == 0)
		vb_reps_record_stops(x, mj, point_reps);
out:
	r->ok = rc == 0;
	if (!r->ok)
		r->reason = why ? why : vb_strdup("unknown failure");
	else
		free(why);
	vb_runrec_mode_set_status(mj, r->ok ? "ok" : "failed", r->reason);
	if (r->guest_kernel)
		vb_runrec_mode_set_guest_kernel(mj, r->guest_kernel);
	free(groups);
	free(point_reps);
	free(mdir);
	return r->ok ? 0 : -1;
}

/* A remote host out of reach after mode m failed: m's reason says so
 * (whatever broke first), the modes after it are not run, and the run
 * stays incomplete for --resume. */
static void mark_host_lost(struct vb_runner *x, const struct vb_mode *m, json_t *mj, struct vb_mode_result *r)
{
	if (!strstr(r->reason, vb_hv_where())) {
		char *why = vb_asprintf("%s became unreachable (%s)", vb_hv_where(), r->reason);
		free(r->reason);
		r->reason = why;
		vb_runrec_mode_set_reason(mj, why);
	}
	vb_warn("%s: %s", m->name, r->reason);
	x->host_lost = vb_asprintf("not run: %s became unreachable during mode %s; continue with 'vmio-bench run --resume'",
	                           vb_hv_where(), m->name);
	vb_error("%s is out of reach: the modes after %s are not run; the run stays incomplete for --resume", vb_hv_where(),
	         m->name);
}

/* Mode m with its -c FILE's [mode NAME] tuning, if it has one: this mode
 * alone runs with it.  As run_mode. */
static int run_tuned(struct vb_runner *x, const struct vb_mode *m, struct vb_mode_result *r, json_t *mj)
{
	json_t *ov = json_object_get(x->cfg->mode_tuning, m->name);
	struct vb_config *base = x->cfg, mc;
	if (ov) {
		char *why = NULL;
		vb_config_copy(&mc, base);
		vb_config_apply(&mc, VB_CMD_RUN, ov, &why); /* checked by start.c before the run */
		free(why);
		x->cfg = &mc;
		vb_runrec_mode_set_overrides(mj, ov);
	}
	int rm = run_mode(x, m, r, mj);
	vb_progress_step(rm < 0 ? VB_STEP_FAILED : VB_STEP_DONE);
	if (ov) {
		x->cfg = base;
		vb_config_release(&mc);
	}
	return rm;
}

/* A mode kept from before (--resume) or not run (a signal, a lost host):
 * true when it is not to run now; *failed when the run is the worse for
 * it. */
static bool skip_mode(struct vb_runner *x, const struct vb_mode *m, json_t *mj, bool *failed)
{
	if (vb_runrec_mode_done(mj)) {
		vb_info("%s: finished before, kept as it is", m->name);
		return true;
	}
	if (vb_interrupted || x->host_lost) {
		vb_runrec_mode_set_status(mj, "not run", x->host_lost);
		*failed = true;
		return true;
	}
	return false;
}

/* The status line's plan: each mode's jobs and their fio seconds
 * (--reps auto: the least it runs).  The number of modes. */
static size_t progress_plan(const struct vb_runner *x)
{
	size_t nmodes = 0;
	while (x->modes[nmodes])
		nmodes++;
	unsigned reps = vb_reps_least(x->cfg);
	double fio_s = 0;
	for (size_t pi = 0; pi < x->plan.npoints; pi++)
		fio_s += reps * (double)(x->plan.points[pi].cfg.ramp + x->plan.points[pi].cfg.runtime);
	vb_progress_begin(nmodes, reps * (unsigned)x->plan.npoints, fio_s);
	return nmodes;
}

bool vb_runner_modes(struct vb_runner *x)
{
	bool failed = false;
	size_t nmodes = progress_plan(x);
	for (size_t i = 0; x->modes[i]; i++) {
		const struct vb_mode *m = x->modes[i];
		json_t *mj = vb_runrec_mode(x->runjson, m->name);
		struct vb_mode_result r = {0};
		if (m->variant_of)
			vb_runrec_mode_set_variant_of(mj, m->variant_of);
		vb_progress_mode(i + 1, m->name, !m->host);
		if (skip_mode(x, m, mj, &failed))
			continue;
		double t0 = vb_now();
		if (run_tuned(x, m, &r, mj) < 0) {
			failed = true;
			if (vb_hv_may_be_lost() && !vb_virt_reachable(x->virt))
				mark_host_lost(x, m, mj, &r);
			else
				vb_warn("%s: %s", m->name, r.reason);
		} else {
			vb_info("%s: done in %.1f s (mode %zu of %zu)", m->name, vb_now() - t0, i + 1, nmodes);
			if (r.guest_kernel)
				vb_runrec_set_guest_kernel(x->runjson, r.guest_kernel);
		}
		free(r.reason);
		free(r.guest_kernel);
		vb_manifest_save(x->dir, x->runjson);
		if (x->modes[i + 1] && !vb_interrupted)
			vb_runner_draw_behind(x);
	}
	return failed;
}
