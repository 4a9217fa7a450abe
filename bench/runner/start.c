/* start: check a run's inputs, then start its host side (start.h). */
#include "config.h"
#include "runner/start.h"
#include "runner/place.h"
#include "guest/image.h"
#include "host/hv.h"
#include "core/options.h"
#include "core/results.h"
#include "core/util.h"

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
		int r = vb_config_apply(&mc, VB_CMD_RUN, ov, &why) < 0 ? -1 : vb_mode_check_tuning_quiet(&mc, &why);
		vb_config_release(&mc);
		if (r < 0) {
			vb_error("-c %s, [mode %s]: %s", c->config ? c->config : "(the run's file)", k, why);
			free(why);
			return -1;
		}
	}
	return 0;
}

int vb_runner_check_inputs(struct vb_runner *x)
{
	struct vb_config *c = x->cfg;
	bool system_uri = vb_hv_local_system(); /* QEMU, unprivileged, on this machine */

	if (!(x->modes = vb_mode_list_pick(c->modes, c, &x->probed, &x->dropped)))
		return -1;
	if (vb_mode_check_tuning(c) < 0 || vb_plan_build(c, &x->plan) < 0)
		return -1;
	if (check_tuning(c) < 0)
		return -1;
	for (size_t i = 0; x->modes[i]; i++) {
		char *why = NULL;
		if (x->modes[i]->check_config && x->modes[i]->check_config(c, &why) < 0) {
			vb_error("%s", why);
			free(why);
			return -1;
		}
	}
	if (vb_image_locate(c, &x->img) < 0)
		return -1;
	if (!vb_hv_places_files() && (c->disk || strcmp(c->backend, "block") == 0) && vb_store_prepare(c, &x->store) < 0)
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
	if (vb_place_remote(c, x->virt, &x->img, &x->store, &x->placement) < 0)
		return VB_EXIT_FAIL;
	return choose_accel(x);
}

int vb_runner_start_host(struct vb_runner *x)
{
	const struct vb_config *c = x->cfg;

	if (vb_hv_places_files())
		return start_remote(x);
	if (!x->store.path && strcmp(c->backend, "null") != 0 && vb_store_prepare(c, &x->store) < 0)
		return VB_EXIT_FAIL;
	if (vb_hv_private_dir_new(c->cache_dir, &x->run_dir) < 0)
		return VB_EXIT_FAIL;
	if (!(x->virt = vb_virt_open(c->connect)))
		return VB_EXIT_FAIL;
	return choose_accel(x);
}
