/* raw: the run's filled store as it is, a plain file (or the --disk file
 * or device) opened raw: the reference every other model is measured
 * against, and what vmio-bench measured before storage was an axis. */
#include "config.h"
#include "storage/storage.h"

const struct vb_storage vb_storage_raw = {
	.name = "raw",
	.summary = "a raw image file (<disk type='file'>), the filled store itself",
	.disk_type = "file",
	.format = "raw",
	.needs = "nothing",
};
