/* runpool: a libvirt storage pool of one run's own, made for one storage
 * model's guests and gone after them, of a type that needs the host's
 * kernel.  guest/pool.h keeps vmio-bench's own persistent dir pool; this
 * is the other kind, in two lifecycles:
 *
 * - transient (vb_runpool_start, vb_runpool_stop), for a pool whose start
 *   is the whole setup: an iscsi pool, whose start logs the kernel's
 *   initiator in; a netfs pool, whose start mounts an NFS export.  It is
 *   started from its XML (virStoragePoolCreateXML) and gone once
 *   destroyed, so that no definition outlives the run, and destroying it
 *   is what undoes its start (the logout, the unmount).
 * - built (vb_runpool_build, vb_runpool_remove), for a pool over the
 *   kernel's devices whose removal must also delete what its build made
 *   (logical: a volume group; disk: a partition table).  It is defined,
 *   built (what libvirt's backend does to the device: pvcreate and
 *   vgcreate, parted mklabel), started, given volumes, and at the end
 *   taken down in the reverse order: volumes deleted, pool destroyed,
 *   deleted (vgremove, pvremove) and undefined.
 *
 * The caller writes the pool's XML (guest/xmlbuf.h).  Errors come back as
 * whole sentences in *why, with libvirt's own words. */
#ifndef VB_RUNPOOL_H
#define VB_RUNPOOL_H

#include <stdint.h>

#include "guest/virt.h"

struct vb_runpool;

/* Transient: start the pool xml describes (its name is name), or NULL
 * with *why saying what libvirt said and what to check (hint). */
struct vb_runpool *vb_runpool_start(struct vb_virt *v, const char *name, const char *xml, const char *hint,
                                    char **why);
/* Destroy a started pool (libvirt logs out or unmounts); 0, or -1 with
 * *why (libvirt's message); the pool is freed either way (NULL is fine). */
int vb_runpool_stop(struct vb_runpool *p, char **why);

/* Built: define pool name from xml, build and start it.  A pool by that
 * name already there is an error naming what to remove (never reused: it
 * is some other run's).  NULL with *why; whatever was done is undone. */
struct vb_runpool *vb_runpool_build(struct vb_virt *v, const char *name, const char *xml, char **why);
/* Take a built pool all down (volumes first) and free p (NULL is fine).
 * 0, or -1 with *why naming what is left and the virsh command that
 * removes it. */
int vb_runpool_remove(struct vb_runpool *p, char **why);

/* The pool's first volume (libvirt lists them sorted by name): its name
 * and path (caller frees both) and capacity, after refreshing the pool
 * until one shows or wait_s seconds passed (a LUN the kernel scans after
 * the login).  0, or -1 with *why. */
int vb_runpool_volume(struct vb_runpool *p, int wait_s, char **name, char **path, uint64_t *capacity, char **why);
/* Create volume vol of capacity bytes, all of it allocated (a logical
 * volume that is not sparse, a partition); its path (caller frees), or
 * NULL with *why. */
char *vb_runpool_volume_new(struct vb_runpool *p, const char *vol, uint64_t capacity, char **why);
/* Read the pool's volumes again (after a tool changed the device behind
 * libvirt's back).  -1 with *why. */
int vb_runpool_refresh(struct vb_runpool *p, char **why);

/* Is a pool of that name known to libvirt (a leftover)? */
int vb_runpool_exists(struct vb_virt *v, const char *name);
/* The pools (defined or running) whose names start with prefix, one a
 * line, but for except; NULL when none (caller frees). */
char *vb_runpool_list_prefix(struct vb_virt *v, const char *prefix, const char *except);

/* Where libvirt is built modular (Debian, Fedora), is its pool backend
 * libvirt_storage_backend_BACKEND.so on the hypervisor?  -1 with *why
 * naming the pool type (label: "dir" for backend "fs") and the packages
 * (Debian 12's libvirt-daemon, fedora_pkg on Fedora); 0 when it is there
 * or libvirt is not modular (libvirt then says it itself).  No
 * connection is needed: a probe's check. */
int vb_runpool_backend_ready(const char *label, const char *backend, const char *fedora_pkg, char **why);

#endif
