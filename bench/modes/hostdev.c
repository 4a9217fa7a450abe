/* hostdev: PCI passthrough of a whole PCI function (an NVMe drive, an
 * SR-IOV VF) with VFIO: the guest's own driver talks to the hardware.  Needs
 * an IOMMU, the vfio-pci driver and a spare function given with
 * --pci-device; the probe says which of those is missing. */
#include "config.h"
#include "mode.h"
#include "util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Parse DDDD:BB:SS.F (domain optional); 0 on success. */
static int parse_pci(const char *s, unsigned *dom, unsigned *bus, unsigned *slot, unsigned *fn)
{
	char tail;
	if (!s)
		return -1;
	if (sscanf(s, "%4x:%2x:%2x.%1x%c", dom, bus, slot, fn, &tail) == 4)
		return *slot < 32 && *fn < 8 ? 0 : -1;
	*dom = 0;
	if (sscanf(s, "%2x:%2x.%1x%c", bus, slot, fn, &tail) == 3)
		return *slot < 32 && *fn < 8 ? 0 : -1;
	return -1;
}

static int hostdev_check_config(const struct vb_config *cfg, char **why)
{
	unsigned dom, bus, slot, fn;
	if (vb_mode_refuse_null(cfg, "hostdev", why) < 0)
		return -1;
	if (!cfg->pci_device) {
		*why = vb_strdup("mode hostdev needs the PCI function to pass through: give it with --pci-device DDDD:BB:SS.F");
		return -1;
	}
	if (parse_pci(cfg->pci_device, &dom, &bus, &slot, &fn) < 0) {
		*why = vb_asprintf("--pci-device '%s' is not a PCI address of the form DDDD:BB:SS.F", cfg->pci_device);
		return -1;
	}
	return 0;
}

static bool iommu_active(void)
{
	DIR *d = opendir("/sys/kernel/iommu_groups");
	struct dirent *e;
	bool any = false;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			any = true;
	if (d)
		closedir(d);
	return any;
}

static int hostdev_probe(const struct vb_config *cfg, char **why)
{
	unsigned dom, bus, slot, fn;
	if (hostdev_check_config(cfg, why) < 0)
		return -1;
	parse_pci(cfg->pci_device, &dom, &bus, &slot, &fn);
	char *sys = vb_asprintf("/sys/bus/pci/devices/%04x:%02x:%02x.%x", dom, bus, slot, fn);
	bool present = access(sys, F_OK) == 0;
	free(sys);
	if (!present) {
		*why = vb_asprintf("PCI function %s does not exist on this host (lspci lists what does)", cfg->pci_device);
		return -1;
	}
	if (!iommu_active()) {
		*why = vb_strdup("no IOMMU is active (/sys/kernel/iommu_groups is empty): enable VT-d/AMD-Vi in the firmware and boot with intel_iommu=on or amd_iommu=on");
		return -1;
	}
	if (access("/sys/bus/pci/drivers/vfio-pci", F_OK) < 0 && access("/sys/module/vfio_pci", F_OK) < 0) {
		*why = vb_strdup("the vfio-pci driver is not loaded: modprobe vfio-pci");
		return -1;
	}
	return 0;
}

static int hostdev_prepare(struct vb_disk_ctx *d, char **why)
{
	/* The device keeps its own serial; the agent takes the guest's only
	 * block device. */
	d->serial = NULL;
	return 0;
}

static void hostdev_devices(struct vb_xml *x, const struct vb_disk_ctx *d)
{
	unsigned dom = 0, bus = 0, slot = 0, fn = 0;
	char sd[8], sb[8], ss[8], sf[8];
	parse_pci(d->cfg->pci_device, &dom, &bus, &slot, &fn);
	snprintf(sd, sizeof(sd), "0x%04x", dom);
	snprintf(sb, sizeof(sb), "0x%02x", bus);
	snprintf(ss, sizeof(ss), "0x%02x", slot);
	snprintf(sf, sizeof(sf), "0x%x", fn);
	vb_xml_open(x, "hostdev", "mode", "subsystem", "type", "pci", "managed", "yes", NULL);
	vb_xml_empty(x, "driver", "name", "vfio", NULL);
	vb_xml_open(x, "source", NULL);
	vb_xml_empty(x, "address", "domain", sd, "bus", sb, "slot", ss, "function", sf, NULL);
	vb_xml_close(x);
	/* a fixed place in the guest (an integrated endpoint on q35's root
	 * bus), so that the agent's hello can prove the disk is this one */
	vb_xml_empty(x, "address", "type", "pci", "domain", "0x0000", "bus", "0x00", "slot", VB_PCI_ADDR_HOSTDEV, "function",
	             "0x0", NULL);
	vb_xml_close(x);
}

static const struct vb_option hostdev_options[] = {
	{.name = "pci-device", .type = VB_OPT_STR, .offset = VB_OPT_FIELD(pci_device),
	 .cmds = VB_CMD_RUN | VB_CMD_XML | VB_CMD_MODES, .metavar = "DDDD:BB:SS.F", .record = "pci_device",
	 .help = "hostdev: the PCI function (e.g. an NVMe drive or SR-IOV VF) to pass through"},
	{.name = NULL},
};

const struct vb_mode vb_mode_hostdev = {
	.name = "hostdev",
	.options = hostdev_options,
	.summary = "PCI passthrough of --pci-device with VFIO (<hostdev type='pci'>)",
	.guest_driver = NULL, /* the device's own driver, whatever it is */
	.guest_pci = "0000:00:12.0", /* VB_PCI_ADDR_HOSTDEV */
	.check_config = hostdev_check_config,
	.probe = hostdev_probe,
	.prepare = hostdev_prepare,
	.devices_xml = hostdev_devices,
};
