/* mode: a bus mode is one row in a table of ops (the fio ioengine_ops
 * pattern).  Each mode lives in its own mode_<name>.c and says what it adds
 * to the domain XML, which guest driver should end up owning the disk, and
 * whether it can run on this host (and if not, why).
 *
 * Adding a mode: write mode_<name>.c defining a `const struct vb_mode`, add
 * one line to the table in mode.c and the file to Makefile.am. */
#ifndef VB_MODE_H
#define VB_MODE_H

#include <stdbool.h>

#include "vbconfig.h"
#include "xmlbuf.h"

/* What a mode needs to describe its disk. */
struct vb_disk_ctx {
	const struct vb_config *cfg;
	const char *source;    /* backing store path */
	bool source_is_block;  /* block device rather than a file */
	const char *serial;    /* the serial the agent looks the disk up by */
};

struct vb_mode {
	const char *name;
	const char *summary;
	/* The guest driver expected to own the disk under test (checked from
	 * the agent's hello). */
	const char *guest_driver;
	/* Does the domain want an <iothreads> pool for this mode's disk? */
	bool iothread;
	/* 0 if the mode can run here; otherwise -1 and *why (caller frees) says
	 * what is missing and what to do.  NULL means "always possible". */
	int (*probe)(const struct vb_config *cfg, char **why);
	/* Append the disk (and any controller it needs) inside <devices>. */
	void (*devices_xml)(struct vb_xml *x, const struct vb_disk_ctx *d);
};

/* NULL-terminated table of every mode, in display order. */
extern const struct vb_mode *const vb_modes[];

const struct vb_mode *vb_mode_find(const char *name);
/* Parse "a,b,c" into a NULL-terminated array of modes (caller frees the
 * array, not the modes).  Reports one line and returns NULL on bad input:
 * unknown names, empty items, duplicates. */
const struct vb_mode **vb_mode_list_parse(const char *list);
/* "sata, virtio-blk, ..." for messages; caller frees. */
char *vb_mode_names(void);

#endif
