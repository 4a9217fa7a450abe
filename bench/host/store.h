/* store: the backing store every mode's disk sits on.  By default a raw
 * file in the cache folder, written through once with non-zero data so that
 * reads hit real blocks rather than holes; --disk uses a user's file or
 * block device as it is. */
#ifndef VB_STORE_H
#define VB_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/vbconfig.h"

struct vb_store {
	char *path;        /* absolute */
	bool is_block;
	uint64_t size;
	bool created;      /* made (or reused) by vmio-bench */
};

/* Prepare the store.  Reports and returns -1 on failure. */
int vb_store_prepare(const struct vb_config *c, struct vb_store *s);
void vb_store_release(struct vb_store *s);
/* Check that QEMU, running as an unprivileged user under qemu:///system,
 * can reach path (every parent folder traversable by others).  Reports
 * and returns -1 naming the folder that blocks it. */
int vb_check_reachable(const char *what, const char *path);

#endif
