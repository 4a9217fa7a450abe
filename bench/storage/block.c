/* block: a host block device given as --disk, opened raw through
 * <disk type='block'> (what --backend block spelled). */
#include "config.h"
#include "storage/storage.h"
#include "core/util.h"

static int block_check(const struct vb_config *c, char **why)
{
	if (!c->disk) {
		*why = vb_strdup("storage block needs --disk /dev/...: vmio-bench's own store is a file");
		return -1;
	}
	return 0;
}

static int block_prepare(struct vb_stor *s, char **why)
{
	if (!s->store->is_block) {
		*why = vb_asprintf("storage block needs --disk to name a block device; '%s' is a file", s->store->path);
		return -1;
	}
	s->path = vb_strdup(s->store->path);
	s->medium = vb_strdup(s->store->path);
	s->is_block = true;
	return 0;
}

const struct vb_storage vb_storage_block = {
	.name = "block",
	.summary = "a host block device given as --disk, raw (<disk type='block'>)",
	.disk_type = "block",
	.format = "raw",
	.needs = "--disk naming a block device",
	.check_config = block_check,
	.prepare = block_prepare,
};
