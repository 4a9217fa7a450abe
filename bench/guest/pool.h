/* pool: vmio-bench's own storage pool on a remote hypervisor, through
 * libvirt's storage API -- the only way files reach a remote host: the
 * guest image is uploaded into volumes through libvirt streams, the backing
 * store is a volume created there (and filled there, not sent).  A
 * directory pool, persistent so that a later run finds its volumes again;
 * named per host so that two URIs reaching one machine never share one.
 *
 * Errors are reported here, once, as whole sentences. */
#ifndef VB_POOL_H
#define VB_POOL_H

#include <stdint.h>

#include "guest/virt.h"

struct vb_pool;

/* Find, or define, build and start, pool name on dir; NULL after
 * reporting. */
struct vb_pool *vb_pool_open(struct vb_virt *v, const char *name, const char *dir);
void vb_pool_free(struct vb_pool *p);
const char *vb_pool_name(const struct vb_pool *p);

/* The path of volume name (caller frees) and its capacity, or NULL when
 * the pool has no such volume. */
char *vb_pool_volume_path(struct vb_pool *p, const char *name, uint64_t *capacity);
/* Create volume name (removing one by that name first): format "raw" or
 * "qcow2", capacity bytes fully allocated, or a copy of volume clone_of
 * converted to format (libvirt runs qemu-img there).  Its path (caller
 * frees), or NULL after reporting. */
char *vb_pool_volume_create(struct vb_pool *p, const char *name, uint64_t capacity, const char *format,
                            const char *clone_of);
/* Create volume name and send the local file into it through a libvirt
 * stream.  Its path, or NULL after reporting (nothing half-sent stays). */
char *vb_pool_volume_upload(struct vb_pool *p, const char *name, const char *local_path);
void vb_pool_volume_delete(struct vb_pool *p, const char *name);

#endif
