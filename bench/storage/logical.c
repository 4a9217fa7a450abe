/* logical: the run's data on a logical volume of a libvirt `logical`
 * pool -- an LVM volume group of the run's own on a loop device over a
 * sparse file in the store's folder (storage/loopvol.h) -- reached through
 * <disk type='volume'>, which libvirt resolves to the volume's block
 * device, /dev/VG/LV (device-mapper's linear target over the loop
 * device).  What it adds to block's path: device-mapper and the loop
 * device between QEMU and the file, the article's "LVM volumes" under
 * virtio-blk.  libvirt's build makes the volume group (pvcreate,
 * vgcreate on the device), its delete removes it (vgremove, pvremove). */
#include "config.h"
#include "storage/loopvol.h"
#include "guest/runpool.h"
#include "host/hv.h"
#include "host/loopdev.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

#define LV_NAME "vmio-data"

static char *logical_pool_xml(const char *name, const char *dev)
{
	struct vb_xml x = {0};
	char *target = vb_asprintf("/dev/%s", name);
	vb_xml_open(&x, "pool", "type", "logical", NULL);
	vb_xml_text(&x, "name", name, NULL);
	vb_xml_open(&x, "source", NULL);
	vb_xml_empty(&x, "device", "path", dev, NULL);
	vb_xml_text(&x, "name", name, NULL); /* the volume group's */
	vb_xml_empty(&x, "format", "type", "lvm2", NULL);
	vb_xml_close(&x);
	vb_xml_open(&x, "target", NULL);
	vb_xml_text(&x, "path", target, NULL);
	free(target);
	return vb_xml_release(&x);
}

static char *logical_volume_name(const char *name, const char *dev)
{
	(void)name;
	(void)dev;
	return vb_strdup(LV_NAME);
}

static void logical_record(json_t *o, const char *name, const char *dev)
{
	json_object_set_new(o, "volume_group", json_string(name));
	json_object_set_new(o, "physical_volume", json_string(dev));
}

/* Volume groups of the prefix: "volume group VG on PV\tcommand" lines. */
static char *logical_leftovers(const char *prefix)
{
	const char *argv[] = {"vgs", "--noheadings", "--options", "vg_name,pv_name", NULL};
	char *out = NULL;
	struct vb_buf b = {0};
	if (vb_hv_run_quiet(argv, &out, 30) == 0 && out)
		for (char *l = strtok(out, "\n"); l; l = strtok(NULL, "\n")) {
			char vg[128], pv[256];
			if (sscanf(l, " %127s %255s", vg, pv) == 2 && strncmp(vg, prefix, strlen(prefix)) == 0)
				vb_buf_addf(&b, "volume group %s on %s\tvgremove -y %s; pvremove %s\n", vg, pv, vg, pv);
		}
	free(out);
	return b.len ? vb_buf_release(&b) : (vb_buf_free(&b), NULL);
}

static const struct vb_loopvol_kind kind = {
	.model = "logical",
	.prefix = "vmio-lvm-",
	.pool_type = "logical",
	.overhead = 8ull << 20, /* the PV's metadata, a 4 MiB extent's rounding */
	.allocation = "a logical volume of the store's size, all of it allocated (libvirt's lvcreate), in a volume "
	              "group on the loop device",
	.pool_xml = logical_pool_xml,
	.volume_name = logical_volume_name,
	.record = logical_record,
	.leftovers = logical_leftovers,
};

/* What a host needs, in the order a person installs it. */
static int logical_probe(const struct vb_config *c, char **why)
{
	(void)c;
	if (vb_runpool_backend_ready("logical", "logical", "libvirt-daemon-driver-storage-logical", why) < 0)
		return -1;
	if (!vb_hv_on_path("vgcreate") || !vb_hv_on_path("lvcreate")) {
		*why = vb_asprintf("LVM's tools (vgcreate, lvcreate) are missing on %s: apt-get install lvm2 there",
		                   vb_hv_where());
		return -1;
	}
	if (vb_loop_probe(why) < 0)
		return -1;
	/* (the kernel's own device, not /dev/mapper/control: LVM's tools make
	 * that node themselves, whether or not the kernel has the driver) */
	if (!vb_hv_test("-e", "/sys/class/misc/device-mapper")) {
		*why = vb_asprintf("the kernel on %s has no device-mapper (no /sys/class/misc/device-mapper), which LVM's "
		                   "volumes are made of: modprobe dm_mod there", vb_hv_where());
		return -1;
	}
	return 0;
}

static void logical_plan(struct vb_stor *s)
{
	vb_loopvol_plan(s, &kind);
}

static int logical_prepare(struct vb_stor *s, char **why)
{
	return vb_loopvol_prepare(s, &kind, why);
}

static void logical_teardown(struct vb_stor *s)
{
	vb_loopvol_teardown(s, &kind);
}

const struct vb_storage vb_storage_logical = {
	.name = "logical",
	.summary = "a logical volume of a libvirt logical pool (LVM on a loop device of the run's own), the store "
	           "copied in",
	.disk_type = "volume",
	.format = "raw",
	.needs = "lvm2, the kernel's loop and dm_mod, libvirt's logical pool backend (libvirt-daemon on Debian 12)",
	.priv_size = sizeof(struct vb_loopvol),
	.probe = logical_probe,
	.plan = logical_plan,
	.prepare = logical_prepare,
	.teardown = logical_teardown,
	.source_xml = vb_loopvol_source,
};
