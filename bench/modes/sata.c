/* sata: a disk on QEMU's emulated AHCI controller (the q35 machine's
 * ICH9).  Every register access traps: the bus that shows what full
 * emulation costs. */
#include "config.h"
#include "modes/mode.h"

static void sata_devices(struct vb_xml *x, const struct vb_disk_ctx *d)
{
	if (d->null_backend)
		return; /* the device comes from sata_null */
	vb_mode_disk_open(x, d, "disk");
	vb_mode_disk_driver(x, d, NULL, NULL); /* no IOThreads or queues on AHCI */
	vb_mode_disk_source(x, d);
	vb_xml_empty(x, "target", "dev", "sda", "bus", "sata", NULL);
	vb_xml_text(x, "serial", d->serial, NULL);
	vb_mode_disk_iotune(x, d);
	vb_xml_close(x);
}

static json_t *sata_null(const struct vb_disk_ctx *d)
{
	/* q35's built-in AHCI controller: its first port */
	return json_pack("{s:s, s:s, s:s, s:s}", "driver", "ide-hd", "drive", VB_NULL_NODE, "bus", "ide.0",
	                 "serial", d->serial);
}

const struct vb_mode vb_mode_sata = {
	.name = "sata",
	.vms = true,
	.summary = "emulated SATA disk on an AHCI controller (<target bus='sata'>)",
	.guest_driver = "sd",
	.bus_driver = "ahci",
	.guest_modules = "ahci,sd_mod",
	.iotune = true,
	.devices_xml = sata_devices,
	.null_device = sata_null,
};
