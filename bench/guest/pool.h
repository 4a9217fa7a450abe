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

/* vmio-bench's own persistent pool on the current hypervisor, its name
 * and folder (caller frees).  Remotely "vmio-bench-LABEL" at
 * VB_HV_REMOTE_ROOT/LABEL/pool, where the guest image and the store are
 * placed (cache_dir is not used there).  Locally beside the store, at
 * CACHE_DIR/pool, named "vmio-bench-" and a digest of that folder: a pool
 * found by name keeps the folder it was defined with, so two cache
 * folders must never share a name. */
char *vb_pool_own_name(const char *cache_dir);
char *vb_pool_own_dir(const char *cache_dir);

/* Find, or define, build and start, pool name on dir; NULL after
 * reporting (vb_pool_open) or with *why (vb_pool_open_why). */
struct vb_pool *vb_pool_open(struct vb_virt *v, const char *name, const char *dir);
struct vb_pool *vb_pool_open_why(struct vb_virt *v, const char *name, const char *dir, char **why);
/* Does the connection's storage driver answer (can it list pools)?  -1
 * with *why naming what to install. */
int vb_pool_driver_ready(struct vb_virt *v, char **why);
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
/* Create a raw volume name (removing one by that name first) of capacity
 * bytes with none of it allocated, for its content to be written on the
 * hypervisor.  Its path (caller frees), or NULL with *why. */
char *vb_pool_volume_new(struct vb_pool *p, const char *name, uint64_t capacity, char **why);
/* Create volume name and send the local file into it through a libvirt
 * stream.  Its path, or NULL after reporting (nothing half-sent stays). */
char *vb_pool_volume_upload(struct vb_pool *p, const char *name, const char *local_path);
void vb_pool_volume_delete(struct vb_pool *p, const char *name);

#endif
