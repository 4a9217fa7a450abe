/* disk: the run's data on a partition of a libvirt `disk` pool -- a GPT
 * label on a loop device of the run's own over a sparse file in the
 * store's folder (storage/loopvol.h) -- reached through <disk
 * type='volume'>, which libvirt resolves to the partition's block device
 * (/dev/loopNp2).  libvirt's build writes the label (parted mklabel), a
 * volume is a partition (parted mkpart; libvirt_parthelper reads the
 * table back), named as the kernel names it.  The kernel makes the
 * partitions' devices only on a loop device that scans for them
 * (losetup -P), and their /dev nodes come from devtmpfs, so no udev is
 * needed. */
#include "config.h"
#include "storage/loopvol.h"
#include "guest/runpool.h"
#include "host/hv.h"
#include "host/loopdev.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

static char *disk_pool_xml(const char *name, const char *dev)
{
	struct vb_xml x = {0};
	vb_xml_open(&x, "pool", "type", "disk", NULL);
	vb_xml_text(&x, "name", name, NULL);
	vb_xml_open(&x, "source", NULL);
	vb_xml_empty(&x, "device", "path", dev, NULL);
	vb_xml_empty(&x, "format", "type", "gpt", NULL);
	vb_xml_close(&x);
	vb_xml_open(&x, "target", NULL);
	/* the partitions' own nodes, not a by-path link udev would make */
	vb_xml_text(&x, "path", "/dev", NULL);
	return vb_xml_release(&x);
}

/* libvirt insists on the kernel's name: the device's, "p", the number
 * (a device whose name ends in a digit). */
static char *partition_name(const char *dev, int n)
{
	const char *base = strrchr(dev, '/');
	return vb_asprintf("%sp%d", base ? base + 1 : dev, n);
}

/* The data is the second partition: see disk_pad. */
static char *disk_volume_name(const char *name, const char *dev)
{
	(void)name;
	return partition_name(dev, 2);
}

/* libvirt starts a GPT partition where the free space starts, right after
 * the label (sector 34 of 512 bytes), not on a MiB as parted and fdisk
 * would: every 4k I/O of the guest would then straddle two blocks of the
 * file system under the loop device (measured: 40% fewer IOPS than an
 * aligned partition on the same device).  A first partition up to 1 MiB
 * makes libvirt start the data's at 1 MiB. */
#define GPT_FIRST_FREE (34ull * 512ull)
#define DATA_START (1ull << 20)

static int disk_pad(struct vb_runpool *pool, const char *dev, char **why)
{
	char *pad = partition_name(dev, 1);
	char *path = vb_runpool_volume_new(pool, pad, DATA_START - GPT_FIRST_FREE, why);
	free(pad);
	free(path);
	return path ? 0 : -1;
}

static void disk_record(json_t *o, const char *name, const char *dev)
{
	(void)name;
	json_object_set_new(o, "device", json_string(dev));
	json_object_set_new(o, "partition_table", json_string("gpt"));
	/* where the kernel says the data's partition starts, once it exists */
	char *part = partition_name(dev, 2), *sys = vb_asprintf("/sys/class/block/%s/start", part);
	char *sectors = strncmp(dev, "/dev/loopN", 10) ? vb_hv_read_file(sys, 64, NULL) : NULL;
	json_int_t start = sectors ? (json_int_t)strtoull(sectors, NULL, 10) * 512 : (json_int_t)DATA_START;
	json_object_set_new(o, "partition_start", json_integer(start));
	free(sectors);
	free(sys);
	free(part);
}

/* libvirt 9.0 (and its master of 2026) cannot delete a partition whose
 * name has a "p" before its number, but on device-mapper: it runs
 * "parted DEV rm p1" for loop0p1, and parted finds no partition "p1".
 * So the partition is removed here, with parted as libvirt would, and
 * the pool read again; its destroy, delete (the label wiped) and
 * undefine are libvirt's. */
static int disk_volume_remove(struct vb_runpool *pool, const char *dev, const char *vol, char **why)
{
	const char *argv[] = {"parted", "--script", dev, "rm", "2", "rm", "1", NULL};
	char *out = NULL;
	if (vb_hv_run_quiet(argv, &out, 60) != 0) {
		*why = vb_asprintf("cannot remove the partition %s of %s on %s with parted: the pool's delete and the loop "
		                   "device's detach take it with them", vol, dev, vb_hv_where());
		free(out);
		return -1;
	}
	free(out);
	return vb_runpool_refresh(pool, why);
}

static const struct vb_loopvol_kind kind = {
	.model = "disk",
	.prefix = "vmio-disk-",
	.pool_type = "disk",
	.partscan = true,
	.overhead = 4ull << 20, /* GPT's two copies, the pad before the data */
	.allocation = "a GPT partition of the store's size at 1 MiB (libvirt's parted mkpart; a first partition "
	              "pads the space before it) on the loop device",
	.pool_xml = disk_pool_xml,
	.volume_name = disk_volume_name,
	.record = disk_record,
	.before_volume = disk_pad,
	.volume_remove = disk_volume_remove,
	.removed_by = "parted rm (libvirt's own volume delete cannot name a loop device's partition)",
};

static int disk_probe(const struct vb_config *c, char **why)
{
	(void)c;
	if (vb_runpool_backend_ready("disk", "disk", "libvirt-daemon-driver-storage-disk", why) < 0)
		return -1;
	if (!vb_hv_on_path("parted")) {
		*why = vb_asprintf("parted is missing on %s (libvirt's disk pool writes its partitions with it): apt-get "
		                   "install parted there", vb_hv_where());
		return -1;
	}
	return vb_loop_probe(why);
}

static void disk_plan(struct vb_stor *s)
{
	vb_loopvol_plan(s, &kind);
}

static int disk_prepare(struct vb_stor *s, char **why)
{
	return vb_loopvol_prepare(s, &kind, why);
}

static void disk_teardown(struct vb_stor *s)
{
	vb_loopvol_teardown(s, &kind);
}

const struct vb_storage vb_storage_disk = {
	.name = "disk",
	.summary = "a partition of a libvirt disk pool (GPT on a loop device of the run's own), the store copied in",
	.disk_type = "volume",
	.format = "raw",
	.needs = "parted, the kernel's loop, libvirt's disk pool backend (libvirt-daemon on Debian 12)",
	.priv_size = sizeof(struct vb_loopvol),
	.probe = disk_probe,
	.plan = disk_plan,
	.prepare = disk_prepare,
	.teardown = disk_teardown,
	.source_xml = vb_loopvol_source,
};
