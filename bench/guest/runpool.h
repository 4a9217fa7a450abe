/* runpool: a libvirt storage pool of one run's own, of a type that needs
 * the host's kernel (an iscsi pool, whose start logs the kernel's
 * initiator in; a netfs pool, whose start mounts an NFS export).  It is
 * transient: started from its XML (virStoragePoolCreateXML) and gone once
 * destroyed, so that no definition outlives the run, and destroying it is
 * what undoes its start (the logout, the unmount).  guest/pool.h keeps
 * vmio-bench's own persistent dir pool; this is the other kind.
 *
 * Errors come back as whole sentences in *why, with libvirt's own words. */
#ifndef VB_RUNPOOL_H
#define VB_RUNPOOL_H

#include <stdint.h>

#include "guest/virt.h"

struct vb_runpool;

/* Start the pool xml describes (its name is name), or NULL with *why
 * saying what libvirt said and what to check (hint). */
struct vb_runpool *vb_runpool_start(struct vb_virt *v, const char *name, const char *xml, const char *hint,
                                    char **why);
/* The pool's first volume (libvirt lists them sorted by name): its name
 * and path (caller frees both) and capacity, after refreshing the pool
 * until one shows or wait_s seconds passed (a LUN the kernel scans after
 * the login).  0, or -1 with *why. */
int vb_runpool_volume(struct vb_runpool *p, int wait_s, char **name, char **path, uint64_t *capacity, char **why);
/* Destroy the pool (libvirt logs out or unmounts); 0, or -1 with *why
 * (libvirt's message); the pool is freed either way. */
int vb_runpool_stop(struct vb_runpool *p, char **why);
/* Is a pool of that name known to libvirt (a leftover)? */
int vb_runpool_exists(struct vb_virt *v, const char *name);
/* Where libvirt is built modular (Debian, Fedora), is its pool backend
 * libvirt_storage_backend_NAME.so on the hypervisor?  -1 with *why naming
 * the packages (Debian 12's libvirt-daemon, fedora_pkg on Fedora); 0 when
 * it is there or libvirt is not modular (libvirt then says it itself). */
int vb_runpool_backend_ready(const char *name, const char *fedora_pkg, char **why);

#endif
