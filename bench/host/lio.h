/* lio: the host kernel's SCSI target (LIO), driven through its configfs
 * tree by hand (mkdir, a write, a link: host/hvfile.h), here or on a
 * remote hypervisor alike, with no targetcli.  What vmio-bench needs of
 * it: one backstore exporting a file (fileio) or a block device (iblock),
 * behind the vhost fabric (vhost-scsi: the kernel serves a guest's
 * virtio-scsi queues), made for one run and removed again, step by step
 * in reverse, whatever point setting it up reached. */
#ifndef VB_LIO_H
#define VB_LIO_H

#include <jansson.h>
#include <stdbool.h>

#define VB_LIO_ROOT "/sys/kernel/config/target"

/* Can LIO serve a vhost-scsi LUN on the hypervisor: configfs mounted with
 * target_core_mod, /dev/vhost-scsi (vhost_scsi), and the backstore's
 * module (target_core_iblock for a block device, target_core_file for a
 * file; both when either may come)?  0, or -1 with *why: one line naming
 * what is missing and what to load. */
int vb_lio_probe(bool want_file, bool want_block, char **why);

/* What was made, to be unmade in reverse (vb_lio_remove). */
struct vb_lio_step {
	char kind;   /* 'd' a folder, 'l' a link, 'n' the tpg's nexus */
	char *path;
};

struct vb_lio {
	char wwpn[24];     /* the vhost target port, naa.5001405XXXXXXXXX */
	char *store;       /* the backstore's folder (core/PLUGIN_N/NAME) */
	const char *backstore; /* "fileio" or "iblock" */
	json_t *record;    /* what was set, for run.json */
	struct vb_lio_step *steps;
	size_t nsteps;
};

/* A vhost-scsi target exporting path (a block device when is_block) as
 * LUN 0 of tpgt_1 of a WWPN made for this run, its VPD unit serial
 * serial, and the nexus set; the backstore set as close to QEMU's --cache
 * cache as LIO allows (lio.c says how, the record what).  0, or -1 with
 * *why; vb_lio_remove follows in both cases. */
int vb_lio_vhost_new(struct vb_lio *l, const char *path, bool is_block, const char *serial, const char *cache,
                     char **why);
/* Undo every step made, in reverse; a step that will not go is warned
 * about once.  l may be zeroed (nothing made). */
void vb_lio_remove(struct vb_lio *l);

#endif
