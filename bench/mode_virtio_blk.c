/* virtio-blk: the paravirtual block device most production guests use.
 * Best practice so that it is not under-reported: cache=none with native
 * AIO (O_DIRECT on the host) and a dedicated IOThread. */
#include "config.h"
#include "mode.h"

static void virtio_blk_devices(struct vb_xml *x, const struct vb_disk_ctx *d)
{
	char q[16];
	vb_xml_open(x, "disk", "type", d->source_is_block ? "block" : "file", "device", "disk", NULL);
	vb_mode_disk_driver(x, d, "1", vb_mode_queues(d, q, sizeof(q)));
	vb_mode_disk_source(x, d);
	vb_xml_empty(x, "target", "dev", "vda", "bus", "virtio", NULL);
	vb_xml_text(x, "serial", d->serial, NULL);
	vb_xml_close(x);
}

const struct vb_mode vb_mode_virtio_blk = {
	.name = "virtio-blk",
	.summary = "paravirtual virtio block device (<target bus='virtio'>)",
	.guest_driver = "virtio_blk",
	.bus_driver = "virtio-pci",
	.iothread = true,
	.devices_xml = virtio_blk_devices,
};
