/* virtio-blk: the paravirtual block device most production guests use.
 * Best practice so that it is not under-reported: cache=none with native
 * AIO (O_DIRECT on the host) and a dedicated IOThread. */
#include "config.h"
#include "modes/mode.h"

#include <jansson.h>

static void virtio_blk_devices(struct vb_xml *x, const struct vb_disk_ctx *d)
{
	char q[16];
	if (d->null_backend)
		return; /* the device comes from virtio_blk_null */
	vb_mode_disk_open(x, d, "disk");
	vb_mode_disk_driver(x, d, "1", vb_mode_queues(d, q, sizeof(q)));
	vb_mode_disk_source(x, d);
	vb_xml_empty(x, "target", "dev", "vda", "bus", "virtio", NULL);
	vb_xml_text(x, "serial", d->serial, NULL);
	vb_mode_disk_iotune(x, d);
	vb_xml_close(x);
}

static json_t *virtio_blk_null(const struct vb_disk_ctx *d)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "driver", "virtio-blk-pci", "drive", VB_NULL_NODE,
	                      "serial", d->serial, "bus", "pcie.0", "addr", VB_PCI_ADDR_NULL);
	if (d->cfg->iothreads)
		json_object_set_new(j, "iothread", json_string("iothread1")); /* libvirt's name for the first */
	if (d->cfg->queues)
		json_object_set_new(j, "num-queues", json_integer(d->cfg->queues));
	return j;
}

const struct vb_mode vb_mode_virtio_blk = {
	.name = "virtio-blk",
	.vms = true,
	.summary = "paravirtual virtio block device (<target bus='virtio'>)",
	.guest_driver = "virtio_blk",
	.bus_driver = "virtio-pci",
	.guest_modules = "virtio_blk",
	.iothread = true,
	.iotune = true,
	.devices_xml = virtio_blk_devices,
	.null_device = virtio_blk_null,
};
