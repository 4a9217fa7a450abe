/* loopvol: what the storage models on a loop device share (logical: a
 * volume group on it, disk: a partition table on it).  A sparse backing
 * file of the run's own in the store's folder (whose file system does
 * O_DIRECT, which the loop device then uses), a loop device over it, a
 * libvirt pool of the run's own on that device (guest/runpool.h), one
 * volume of the store's size in it, the store's data copied in; QEMU
 * opens the volume's block device through <disk type='volume'>.
 *
 * Every name carries the run's pid (two runs never share one); what an
 * earlier run of the same model left (a pool, a volume group, a loop
 * device, a backing file with the model's prefix) is named in a warning
 * with the command that removes it, never touched.  Teardown removes it
 * all, in reverse order, and says what it could not. */
#ifndef VB_LOOPVOL_H
#define VB_LOOPVOL_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/xmlbuf.h"
#include "host/loopdev.h"
#include "storage/storage.h"

struct vb_runpool;

/* One model's way of using the device. */
struct vb_loopvol_kind {
	const char *model;        /* the storage model's name, for messages */
	const char *prefix;       /* of every name it makes: "vmio-lvm-" */
	const char *pool_type;    /* libvirt's: "logical", "disk" */
	bool partscan;            /* the loop device's partitions have nodes (disk) */
	uint64_t overhead;        /* bytes the device needs beyond the volume */
	const char *allocation;   /* how the volume is made, for run.json */
	/* The pool's XML for pool name on device dev (caller frees). */
	char *(*pool_xml)(const char *name, const char *dev);
	/* The volume's name in that pool (caller frees). */
	char *(*volume_name)(const char *name, const char *dev);
	/* Its settings beyond the shared ones (the volume group, the label). */
	void (*record)(json_t *settings, const char *name, const char *dev);
	/* Make what must precede the volume in pool on dev (disk's pad
	 * before an aligned partition); NULL: nothing.  -1 with *why. */
	int (*before_volume)(struct vb_runpool *pool, const char *dev, char **why);
	/* Remove the volume vol on dev where libvirt cannot, then refresh
	 * pool; NULL: libvirt deletes it.  -1 with *why. */
	int (*volume_remove)(struct vb_runpool *pool, const char *dev, const char *vol, char **why);
	const char *removed_by;   /* how, for run.json (NULL: libvirt) */
	/* Other leftovers of the kind's own (volume groups): "what\tremove-command"
	 * lines of names starting with prefix, or NULL (caller frees). */
	char *(*leftovers)(const char *prefix);
};

/* The model's priv (its priv_size): zeroed by vb_stor_init. */
struct vb_loopvol {
	char *name;            /* the pool's (and volume group's): PREFIX + pid */
	char *file;            /* the backing file, in the store's folder */
	char *vol;             /* the volume's name in the pool */
	bool file_made;        /* teardown removes the file */
	struct vb_loop loop;
	struct vb_runpool *pool; /* NULL until made (never in the xml command) */
};

/* The hooks, each given its kind. */
void vb_loopvol_plan(struct vb_stor *s, const struct vb_loopvol_kind *k);
int vb_loopvol_prepare(struct vb_stor *s, const struct vb_loopvol_kind *k, char **why);
void vb_loopvol_teardown(struct vb_stor *s, const struct vb_loopvol_kind *k);
void vb_loopvol_source(struct vb_xml *x, const struct vb_stor *s);

#endif
