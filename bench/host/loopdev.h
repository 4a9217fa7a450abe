/* loopdev: a loop device over a file on the hypervisor, for the storage
 * models whose libvirt pool wants a block device of its own (logical's
 * volume group, disk's partition table) on a host that has no spare disk.
 * Every command is losetup's, an argument vector run on the hypervisor
 * (host/hv.h).  The device reads and writes its file with O_DIRECT where
 * the kernel and the file's file system allow it (losetup --direct-io=on;
 * the kernel falls back to the page cache without a word, so what it
 * chose is read back and recorded). */
#ifndef VB_LOOPDEV_H
#define VB_LOOPDEV_H

#include <stdbool.h>

/* One attached device.  Zero it first; the strings are the struct's own
 * (vb_loop_detach frees them). */
struct vb_loop {
	char *dev;        /* /dev/loopN, NULL while none is attached */
	char *file;       /* its backing file */
	bool direct_io;   /* the kernel reads the file with O_DIRECT */
	bool partscan;    /* the kernel scans it for partitions (/dev/loopNpM) */
};

/* Can the hypervisor's kernel make loop devices (/dev/loop-control)?  -1
 * with *why naming the module to load. */
int vb_loop_probe(char **why);

/* Attach file (partscan: losetup -P, for a partition table's devices),
 * losetup's output going to log.  0, or -1 with *why. */
int vb_loop_attach(struct vb_loop *l, const char *file, bool partscan, const char *log, char **why);
/* Is l->dev still the device over l->file (losetup's BACK-FILE)?  A
 * device detached behind the run's back may already serve someone else:
 * nothing destructive (parted rm, a pool's delete, losetup -d) may then
 * touch it. */
bool vb_loop_is_ours(const struct vb_loop *l);
/* Detach it (only while it is ours) and free the strings; -1 with *why (saying what to run) if
 * the device is still there. */
int vb_loop_detach(struct vb_loop *l, char **why);

/* The loop devices whose backing file's name starts with prefix (in any
 * folder), as "DEVICE FILE" lines, NULL when none (caller frees). */
char *vb_loop_list_prefix(const char *prefix);

#endif
