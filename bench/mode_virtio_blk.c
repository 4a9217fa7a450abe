/* virtio-blk: the paravirtual block device most production guests use.
 * Best practice so that it is not under-reported: cache=none with native
 * AIO (O_DIRECT on the host) and a dedicated IOThread. */
#include "config.h"
#include "mode.h"

static void virtio_blk_devices(struct vb_xml *x, const struct vb_disk_ctx *d)
{
	vb_xml_open(x, "disk", "type", d->source_is_block ? "block" : "file", "device", "disk", NULL);
	vb_xml_empty(x, "driver", "name", "qemu", "type", "raw", "cache", "none", "io", "native",
	             "iothread", "1", NULL);
	vb_xml_empty(x, "source", d->source_is_block ? "dev" : "file", d->source, NULL);
	vb_xml_empty(x, "target", "dev", "vda", "bus", "virtio", NULL);
	vb_xml_text(x, "serial", d->serial, NULL);
	vb_xml_close(x);
}

const struct vb_mode vb_mode_virtio_blk = {
	.name = "virtio-blk",
	.summary = "paravirtual virtio block device (<target bus='virtio'>)",
	.guest_driver = "virtio_blk",
	.iothread = true,
	.probe = NULL,
	.devices_xml = virtio_blk_devices,
};
