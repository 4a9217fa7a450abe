/* virtio-scsi: a SCSI disk (QEMU scsi-hd) behind a paravirtual virtio-scsi
 * host adapter, with an IOThread on the controller. */
#include "config.h"
#include "modes/mode.h"

static void virtio_scsi_devices(struct vb_xml *x, const struct vb_disk_ctx *d)
{
	vb_mode_virtio_scsi_controller(x, d);
	if (d->null_backend)
		return; /* the disk comes from virtio_scsi_null */
	vb_mode_disk_open(x, d, "disk");
	vb_mode_disk_driver(x, d, NULL, NULL); /* tuning lives on the controller */
	vb_mode_disk_source(x, d);
	vb_xml_empty(x, "target", "dev", "sda", "bus", "scsi", NULL);
	vb_xml_text(x, "serial", d->serial, NULL);
	vb_mode_disk_iotune(x, d);
	vb_xml_empty(x, "address", "type", "drive", "controller", "0", "bus", "0", "target", "0", "unit", "0", NULL);
	vb_xml_close(x);
}

static json_t *virtio_scsi_null(const struct vb_disk_ctx *d)
{
	/* on libvirt's controller, whose QEMU id is scsi0 */
	return json_pack("{s:s, s:s, s:s, s:s, s:i, s:i}", "driver", "scsi-hd", "drive", VB_NULL_NODE, "bus", "scsi0.0",
	                 "serial", d->serial, "scsi-id", 0, "lun", 0);
}

const struct vb_mode vb_mode_virtio_scsi = {
	.name = "virtio-scsi",
	.vms = true,
	.summary = "SCSI disk on a virtio-scsi controller (<target bus='scsi'>)",
	.guest_driver = "sd",
	.bus_driver = "virtio_scsi",
	.guest_modules = "virtio_scsi,sd_mod",
	.iothread = true,
	.iotune = true,
	.devices_xml = virtio_scsi_devices,
	.null_device = virtio_scsi_null,
};
