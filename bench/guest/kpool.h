/* kpool: a libvirt storage pool of a run's own, made for one storage
 * model's guests and removed after them -- the pools over the host
 * kernel's devices (logical: a volume group; disk: a partition table),
 * where guest/pool.h's is vmio-bench's persistent dir pool.  The caller
 * writes the pool's XML (guest/xmlbuf.h); here it is defined, built (what
 * libvirt's backend does to the device: pvcreate and vgcreate, parted
 * mklabel), started, given volumes, and at the end taken down in the
 * reverse order: volumes deleted, pool destroyed, deleted (vgremove,
 * pvremove) and undefined.
 *
 * Errors are whole sentences in *why, quoting libvirt's own message. */
#ifndef VB_KPOOL_H
#define VB_KPOOL_H

#include <stdint.h>

#include "guest/virt.h"

struct vb_kpool;

/* Define pool name from xml, build and start it.  A pool by that name
 * already there is an error naming what to remove (never reused: it is
 * some other run's).  NULL with *why; whatever was done is undone. */
struct vb_kpool *vb_kpool_new(struct vb_virt *v, const char *name, const char *xml, char **why);
/* Create volume vol of capacity bytes, all of it allocated (a logical
 * volume that is not sparse, a partition); its path (caller frees), or
 * NULL with *why. */
char *vb_kpool_volume_new(struct vb_kpool *p, const char *vol, uint64_t capacity, char **why);
/* Read the pool's volumes again (after a tool changed the device behind
 * libvirt's back).  -1 with *why. */
int vb_kpool_refresh(struct vb_kpool *p, char **why);
/* Take it all down (volumes first) and free p (NULL is fine).  0, or -1
 * with *why naming what is left and the virsh command that removes it. */
int vb_kpool_remove(struct vb_kpool *p, char **why);

/* The pools (defined or running) whose names start with prefix, one a
 * line, but for except; NULL when none (caller frees). */
char *vb_kpool_list_prefix(struct vb_virt *v, const char *prefix, const char *except);

#endif
