/* nvme: QEMU's emulated NVMe controller.  libvirt 9.0 has no emulated NVMe
 * disk (<disk type='nvme'> is a *host* NVMe controller as backing), so the
 * drive and device go through <qemu:commandline>.  libvirt then neither
 * relabels nor chowns the image for QEMU's user, so prepare does it (and
 * cleanup gives it back), and the device takes a fixed free PCI address on
 * q35's root bus, clear of libvirt's own root ports. */
#include "config.h"
#include "modes/mode.h"
#include "host/hv.h"
#include "core/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>



/* nvme's own state (vb_disk_ctx.priv): the store's owner to give it back to */
struct nvme_state {
	char *saved_owner;   /* "UID:GID" of the store before we chowned it */
};

static int nvme_prepare(struct vb_disk_ctx *d, char **why)
{
	struct nvme_state *st = d->priv;

	if (!d->system || d->null_backend || !d->source)
		return 0; /* QEMU runs as us, or there is no file (a network storage model) */
	return vb_hv_hand_to_qemu(d->source, &st->saved_owner, why);
}

static void nvme_cleanup(struct vb_disk_ctx *d)
{
	struct nvme_state *st = d->priv;
	if (st->saved_owner && vb_hv_chown(d->source, st->saved_owner) < 0)
		vb_warn("nvme: could not give '%s' back to its owner: %s", d->source, strerror(errno));
	free(st->saved_owner);
	st->saved_owner = NULL;
}

static void arg(struct vb_xml *x, const char *v)
{
	vb_xml_empty(x, "qemu:arg", "value", v, NULL);
}

static void json_arg(struct vb_xml *x, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	arg(x, s);
	free(s);
	json_decref(j);
}

/* libvirt starts QEMU in a private /dev (mount namespace) that holds only
 * the device nodes its own XML names; a block device handed to QEMU on the
 * command line is not there ("Could not open '/dev/loop0': No such file or
 * directory", seen with --disk /dev/loop0). */
static int nvme_check_config(const struct vb_config *cfg, char **why)
{
	struct stat st;
	const struct vb_storage *sm = vb_storage_of(cfg);
	if ((sm && strcmp(sm->name, "block") == 0) || (cfg->disk && stat(cfg->disk, &st) == 0 && S_ISBLK(st.st_mode))) {
		*why = vb_strdup("nvme: a block device as --disk cannot be used: libvirt gives QEMU a private /dev with only "
		                 "the nodes its own XML names, and nvme's disk is on <qemu:commandline>; use a file");
		return -1;
	}
	return 0;
}

static void nvme_commandline(struct vb_xml *x, const struct vb_disk_ctx *d)
{
	vb_xml_open(x, "qemu:commandline", NULL);
	if (d->null_backend) {
		arg(x, "-blockdev");
		json_arg(x, vb_mode_null_blockdev(d));
		arg(x, "-device");
		json_arg(x, json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "driver", "nvme", "drive", VB_NULL_NODE,
		                      "serial", d->serial, "bus", "pcie.0", "addr", VB_PCI_ADDR_NVME, "ioeventfd", 1));
		vb_xml_close(x);
		return;
	}
	json_t *objs = vb_stor_objects(d->stor), *o;
	size_t i;
	json_array_foreach(objs, i, o) {
		arg(x, "-object");
		json_arg(x, json_incref(o));
	}
	json_decref(objs);
	arg(x, "-blockdev");
	json_arg(x, vb_stor_blockdev(d->stor, "vmio-nvme-file"));
	arg(x, "-blockdev");
	json_arg(x, json_pack("{s:s, s:s, s:s}", "driver", d->format, "node-name", "vmio-nvme", "file", "vmio-nvme-file"));
	arg(x, "-device");
	json_arg(x, json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "driver", "nvme", "drive", "vmio-nvme",
	                      "serial", d->serial, "bus", "pcie.0", "addr", VB_PCI_ADDR_NVME, "ioeventfd", 1));
	vb_xml_close(x);
}

const struct vb_mode vb_mode_nvme = {
	.name = "nvme",
	.no_iotune = "its drive is on QEMU's command line (libvirt 9.0 has no emulated NVMe <disk>), where <iotune> does not reach",
	/* QEMU 7.2's nvme leaves ioeventfd off: every doorbell write is then
	 * handled in the vCPU thread.  Upstream measured 153k -> 313k IOPS at
	 * QD64 with it on and has since turned it on by default. */
	.tuning = "ioeventfd=on (QEMU 7.2's nvme default is off)",
	.summary = "QEMU's emulated NVMe controller (through <qemu:commandline>)",
	.guest_driver = "nvme",
	.bus_driver = "nvme",
	.guest_modules = "nvme",
	.check_config = nvme_check_config,
	.priv_size = sizeof(struct nvme_state),
	.prepare = nvme_prepare,
	.cleanup = nvme_cleanup,
	.commandline_xml = nvme_commandline,
};
