/* iotune: libvirt's <iotune> limits of a disk, as --iotune and
 * --neighbour-iotune give them: "NAME=VALUE[,NAME=VALUE...]" with the
 * element names of libvirt's domain XML (total_iops_sec=300).  The names
 * are one table here; the domain XML, run.json and the summary read it. */
#ifndef VB_IOTUNE_H
#define VB_IOTUNE_H

#include <jansson.h>

/* What a limit caps: the rate the summary sets beside it. */
enum vb_iotune_kind {
	VB_IOTUNE_IOPS,  /* I/O operations per second */
	VB_IOTUNE_BYTES, /* bytes per second */
	VB_IOTUNE_BURST, /* a burst's ceiling or length, or the I/O size an
	                    operation counts for: no steady rate to compare */
};

struct vb_iotune_name {
	const char *name;      /* libvirt's element */
	enum vb_iotune_kind kind;
	const char *dir;       /* "total", "read" or "write" */
};

/* Every element vmio-bench takes, in the order libvirt's schema lists
 * them; a row without a name ends it. */
extern const struct vb_iotune_name vb_iotune_names[];

/* NULL when spec is a valid list; else why not (caller frees): an unknown
 * name, a value that is not a whole number from 1 up, a name given twice,
 * or a combination libvirt or QEMU refuses. */
char *vb_iotune_check(const char *spec);
/* spec as {"name": integer, ...} in the order given (new reference); NULL
 * for a NULL spec or a bad one (check it first). */
json_t *vb_iotune_parse(const char *spec);
/* The table's row of name, or NULL. */
const struct vb_iotune_name *vb_iotune_find(const char *name);

#endif
