/* null: QEMU's null-co driver, no storage at all: reads and writes
 * complete at once, so what is measured is the bus and QEMU's block layer
 * alone (what --backend null spelled).  libvirt has no such disk: each
 * mode puts the drive on QEMU's command line (its null_device). */
#include "config.h"
#include "storage/storage.h"
#include "core/util.h"

static int null_prepare(struct vb_stor *s, char **why)
{
	(void)why;
	json_object_set_new(vb_stor_settings(s), "read_zeroes", json_false());
	return 0;
}

static json_t *null_blockdev(const struct vb_stor *s, const char *node)
{
	/* read-zeroes off: reads do not even touch the buffer */
	return json_pack("{s:s, s:s, s:I, s:b}", "driver", "null-co", "node-name", node, "size", (json_int_t)s->cfg->size,
	                 "read-zeroes", 0);
}

const struct vb_storage vb_storage_null = {
	.name = "null",
	.summary = "QEMU's null-co driver: no storage, the bus and block layer alone",
	.format = "raw",
	.needs = "nothing",
	.no_data = true,
	.prepare = null_prepare,
	.blockdev = null_blockdev,
};
