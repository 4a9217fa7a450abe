/* block: a host block device given as --disk, opened raw through
 * <disk type='block'> (what --backend block spelled). */
#include "config.h"
#include "storage/storage.h"
#include "host/hv.h"
#include "core/util.h"

#include <string.h>
#include <sys/stat.h>

static int block_check(const struct vb_config *c, char **why)
{
	struct stat st;
	if (!c->disk) {
		*why = vb_asprintf("%s block needs --disk /dev/...: vmio-bench's own store is a file",
		                   strcmp(c->backend, "block") == 0 ? "--backend" : "--storage");
		return -1;
	}
	/* here it is checked before anything runs; on a remote hypervisor,
	 * by prepare, there */
	if (vb_hv_is_this_host() && stat(c->disk, &st) == 0 && !S_ISBLK(st.st_mode)) {
		*why = vb_asprintf("%s block needs --disk to name a block device; '%s' is a file",
		                   strcmp(c->backend, "block") == 0 ? "--backend" : "--storage", c->disk);
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
