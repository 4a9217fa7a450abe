/* start: check a run's inputs, then start its host side (start.h). */
#include "config.h"
#include "runner/start.h"
#include "runner/vms.h"
#include "runner/place.h"
#include "guest/image.h"
#include "host/hv.h"
#include "core/options.h"
#include "core/results.h"
#include "core/util.h"
#include "storage/storage.h"

#include <stdlib.h>
#include <string.h>

/* -c FILE's [mode NAME] sections: each mode's tuning, applied to a copy
 * of the run's configuration, must hold.  0 or -1. */
static int check_tuning(const struct vb_config *c)
{
	const char *k;
	json_t *ov;
	json_object_foreach(c->mode_tuning, k, ov) {
		struct vb_config mc;
		char *why = NULL;
		vb_config_copy(&mc, c);
		const struct vb_mode *m = vb_mode_find(k);
		int r = vb_config_apply(&mc, VB_CMD_RUN, ov, &why) < 0 ? -1 : vb_mode_check_tuning_quiet(&mc, &why);
		/* (a mode's own --iotune where it has no <disk> to throttle) */
		if (r == 0 && m && (mc.iotune || mc.neighbour_iotune) && vb_mode_check_own_config(m, &mc, &why) < 0)
			r = -1;
		vb_config_release(&mc);
		if (r < 0) {
			vb_error("-c %s, [mode %s]: %s", c->config ? c->config : "(the run's file)", k, why);
			free(why);
			return -1;
		}
	}
	return 0;
}

/* Every storage model the plan's points name exists and suits the
 * configuration.  0 or -1. */
static int check_storages(struct vb_runner *x)
{
	const struct vb_config *c = x->cfg;
	/* an older spelling names one model; a sweep of models would drop it */
	if (json_object_get(x->plan.sweep, "storage") &&
	    strcmp(vb_storage_legacy_name(c->backend, c->format), "raw") != 0)
		return vb_error("--sweep storage names the storage of every point: drop --backend %s / --format %s",
		                c->backend, c->format);
	for (size_t i = 0; i < x->plan.npoints; i++) {
		const struct vb_config *pc = &x->plan.points[i].cfg;
		const struct vb_storage *m = vb_storage_find(pc->storage);
		char *why = NULL;
		if (!m) {
			char *names = vb_storage_names();
			vb_error("--sweep storage: unknown storage model '%s': choose from %s", pc->storage, names);
			free(names);
			return -1;
		}
		if (m->local_only && !vb_hv_is_this_host())
			return vb_error("storage %s is set up on this host only (for now): run it with a local --connect",
			                m->name);
		if (m->check_config && m->check_config(pc, &why) < 0) {
			vb_error("%s", why);
			free(why);
			return -1;
		}
		/* and every mode suits every model (host has nothing to read
		 * under null) */
		for (size_t k = 0; x->modes[k]; k++) {
			if (vb_mode_check_config(x->modes[k], pc, &why) < 0) {
				vb_error("%s", why);
				free(why);
				return -1;
			}
		}
	}
	return 0;
}

/* Does some point's storage read the filled store (any but null)? */
static bool need_store(const struct vb_runner *x)
{
	for (size_t i = 0; i < x->plan.npoints; i++) {
		const struct vb_storage *m = vb_storage_find(x->plan.points[i].cfg.storage);
		if (m && !m->no_data)
			return true;
	}
	return false;
}

int vb_runner_check_inputs(struct vb_runner *x)
{
	struct vb_config *c = x->cfg;
	bool system_uri = vb_hv_local_system(); /* QEMU, unprivileged, on this machine */

	/* the storage model first: the plan's points copy the configuration */
	if (vb_storage_settle(c) < 0)
		return -1;
	if (!(x->modes = vb_mode_list_pick(c->modes, c, &x->probed, &x->dropped)))
		return -1;
	if (vb_mode_check_tuning(c) < 0 || vb_plan_build(c, &x->plan) < 0 || check_storages(x) < 0)
		return -1;
	if (check_tuning(c) < 0 || vb_vms_check(x) < 0)
		return -1;
	for (size_t i = 0; x->modes[i]; i++) {
		char *why = NULL;
		if (vb_mode_check_config(x->modes[i], c, &why) < 0) {
			vb_error("%s", why);
			free(why);
			return -1;
		}
	}
	if (vb_image_locate(c, &x->img) < 0)
		return -1;
	if (!vb_hv_places_files() && c->disk && vb_store_prepare(c, &x->store) < 0)
		return -1; /* a remote --disk is checked there, once libvirt is reached */
	if (!x->resumed && vb_results_check_root(c->results) < 0)
		return -1;
	if (system_uri && (vb_check_reachable("the guest kernel", x->img.kernel) < 0 ||
	                   vb_check_reachable("the guest initramfs", x->img.initrd) < 0 ||
	                   (c->disk && vb_check_reachable("--disk", x->store.path) < 0)))
		return -1;
	return 0;
}

static int choose_accel(struct vb_runner *x)
{
	const struct vb_config *c = x->cfg;
	double t0 = vb_now();
	if (vb_accel_choose(x->virt, c, &x->img, &x->accel) < 0)
		return VB_EXIT_USAGE;
	x->accel_s = vb_now() - t0;
	vb_info("accelerator: %s: %s", x->accel.name, x->accel.why);
	return VB_EXIT_OK;
}

/* On a remote hypervisor: libvirt first, then the private folder there
 * and the image and store placed through the pool. */
static int start_remote(struct vb_runner *x)
{
	const struct vb_config *c = x->cfg;
	if (!(x->virt = vb_virt_open(c->connect)))
		return VB_EXIT_FAIL;
	if (vb_hv_private_dir_new(c->cache_dir, &x->run_dir) < 0)
		return VB_EXIT_FAIL;
	if (vb_place_remote(c, x->virt, &x->img, &x->store, need_store(x), &x->placement) < 0)
		return VB_EXIT_FAIL;
	return choose_accel(x);
}

int vb_runner_start_host(struct vb_runner *x)
{
	const struct vb_config *c = x->cfg;

	if (vb_hv_places_files())
		return start_remote(x);
	if (!x->store.path && need_store(x) && vb_store_prepare(c, &x->store) < 0)
		return VB_EXIT_FAIL;
	if (vb_hv_private_dir_new(c->cache_dir, &x->run_dir) < 0)
		return VB_EXIT_FAIL;
	if (!(x->virt = vb_virt_open(c->connect)))
		return VB_EXIT_FAIL;
	return choose_accel(x);
}
