/* vhost-scsi: the guest's virtio-scsi queues are served by the host
 * kernel (the vhost_scsi module, a fabric of LIO, the kernel's SCSI
 * target), not by QEMU: no exit to QEMU's user space per request, which
 * is why vhost exists.  vmio-bench makes a LIO backstore over the mode's
 * storage and a vhost target port for the run (host/lio.h), hands its
 * WWPN to libvirt as <hostdev type='scsi_host'><source protocol='vhost'>,
 * and takes it all down after.  The guest sees a SCSI disk on a
 * virtio-scsi controller whose INQUIRY says LIO-ORG, not QEMU. */
#include "config.h"
#include "modes/mode.h"
#include "host/hv.h"
#include "host/lio.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

/* shown by the xml command, where nothing is made: prepare makes the run's own */
#define WWPN_PLACEHOLDER "naa.5001405000000000"

struct vhost_scsi_state {
	struct vb_lio lio;
};

/* LIO reads a raw local file or block device: no image format, no
 * server's protocol, no null-co. */
static int vhost_scsi_check_config(const struct vb_config *cfg, char **why)
{
	const struct vb_storage *sm = vb_storage_of(cfg);
	if (vb_mode_refuse_null(cfg, "vhost-scsi", why) < 0)
		return -1;
	if (!sm || !sm->disk_type || strcmp(sm->disk_type, "network") == 0 || strcmp(sm->format, "raw") != 0) {
		*why = vb_asprintf("mode vhost-scsi serves the store from the host kernel's LIO target, which reads a raw local "
		                   "file or block device, not storage %s: leave vhost-scsi out of it (raw, block or a pool volume work)",
		                   sm ? sm->name : cfg->storage);
		return -1;
	}
	return 0;
}

static int vhost_scsi_probe(const struct vb_config *cfg, char **why)
{
	const struct vb_storage *sm = vb_storage_of(cfg);
	const char *t = sm && sm->disk_type ? sm->disk_type : "file";
	/* a volume or --disk may be either; block storage is a device */
	bool maybe_block = strcmp(t, "file") != 0 || cfg->disk;
	return vb_lio_probe(strcmp(t, "block") != 0, maybe_block, why);
}

static int vhost_scsi_prepare(struct vb_disk_ctx *d, char **why)
{
	struct vhost_scsi_state *st = d->priv;
	if (!d->stor->path) {
		*why = vb_asprintf("storage %s has no local path for LIO to serve", d->stor->model->name);
		return -1;
	}
	vb_info("vhost-scsi: a LIO %s backstore over %s, behind a vhost target port",
	        d->stor->is_block ? "iblock" : "fileio", d->stor->path);
	int rc = vb_lio_vhost_new(&st->lio, d->stor->path, d->stor->is_block, d->serial, d->cfg->cache, why);
	/* what LIO was told, in run.json beside the storage it served */
	if (st->lio.record)
		json_object_set(d->stor->record, "vhost_scsi", st->lio.record);
	return rc;
}

static void vhost_scsi_cleanup(struct vb_disk_ctx *d)
{
	struct vhost_scsi_state *st = d->priv;
	vb_lio_remove(&st->lio);
}

static void vhost_scsi_devices(struct vb_xml *x, const struct vb_disk_ctx *d)
{
	const struct vhost_scsi_state *st = d->priv;
	/* libvirt opens /dev/vhost-scsi and gives QEMU the descriptor; the
	 * vhost-scsi-pci function gets a PCI address as any virtio device */
	vb_xml_open(x, "hostdev", "mode", "subsystem", "type", "scsi_host", "managed", "no", NULL);
	vb_xml_empty(x, "source", "protocol", "vhost", "wwpn", st && st->lio.wwpn[0] ? st->lio.wwpn : WWPN_PLACEHOLDER,
	             NULL);
	vb_xml_close(x);
}

const struct vb_mode vb_mode_vhost_scsi = {
	.name = "vhost-scsi",
	.no_iotune = "the host kernel's target does the I/O, past QEMU, and a <hostdev> has no <iotune>",
	.summary = "virtio-scsi served by the host kernel (vhost-scsi + LIO, <hostdev type='scsi_host'>)",
	.guest_driver = "sd",
	.bus_driver = "virtio_scsi",
	.guest_modules = "virtio_scsi,sd_mod",
	.scsi_vendor = "LIO-ORG",
	.tuning = "the kernel serves the queues (vhost-scsi + LIO): QEMU's IOThread, --io and --queues do not apply; "
	          "the LIO backstore's settings nearest --cache are in the storage record (vhost_scsi)",
	.check_config = vhost_scsi_check_config,
	.probe = vhost_scsi_probe,
	.priv_size = sizeof(struct vhost_scsi_state),
	.prepare = vhost_scsi_prepare,
	.cleanup = vhost_scsi_cleanup,
	.devices_xml = vhost_scsi_devices,
};
