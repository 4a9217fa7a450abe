/* storage: the storage under the bus, an axis of its own.  A storage model
 * is one row in a table of ops, as a bus mode is: each lives in its own
 * storage/<name>.c (variants of one family, such as qcow2's
 * preallocations, share a file) and says what it needs, how to set it up
 * on the hypervisor (an image, a pool volume, a server), the <source> of
 * the libvirt disk that reaches it, the -blockdev QEMU's block layer opens
 * it with (nvme's command line, qemu-storage-daemon), how to take it down,
 * and what run.json records of it.
 *
 * Adding a model: write storage/<name>.c defining a `const struct
 * vb_storage`, add one line to the table in storage.c and the file to
 * Makefile.am. */
#ifndef VB_STORAGE_H
#define VB_STORAGE_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "core/vbconfig.h"
#include "guest/virt.h"
#include "guest/xmlbuf.h"
#include "host/store.h"

/* One model set up for a mode's guests (prepare to teardown). */
struct vb_stor {
	const struct vb_storage *model;
	const struct vb_config *cfg;
	struct vb_virt *virt;        /* NULL in the xml command: nothing is set up */
	const struct vb_store *store; /* the run's filled raw store: every model's data */
	const char *run_dir;         /* a private folder on the hypervisor (sockets) */
	const char *log_dir;         /* where a server's log goes (the mode's folder) */
	bool system;                 /* qemu:///system: QEMU runs unprivileged */

	/* Filled by prepare (or, in the xml command, by the model's plan). */
	char *path;                  /* what QEMU opens for type file/block/volume */
	bool is_block;
	char *medium;                /* the file the data lives on (host mode's target) */
	const char *server_name;     /* a process serving the I/O besides QEMU */
	pid_t server_pid;
	json_t *record;              /* run.json's storage record (settings, server, ports) */
	void *priv;                  /* the model's own state, priv_size bytes */
};

struct vb_storage {
	const char *name;
	const char *summary;
	/* <disk type=...>: "file", "block", "volume" or "network"; NULL: no
	 * libvirt disk at all (null: QEMU's null-co on the command line). */
	const char *disk_type;
	const char *format;          /* the format layer: "raw" or "qcow2" */
	const char *needs;           /* what it needs on the hypervisor, for people */
	bool no_data;                /* reads return nothing real (null): no integrity check */
	bool local_only;             /* cannot be set up on a remote hypervisor yet */
	size_t priv_size;
	/* Does the configuration suit it (--disk, the modes)?  -1 with *why. */
	int (*check_config)(const struct vb_config *cfg, char **why);
	/* Can it run on the hypervisor?  -1 with *why naming what to install. */
	int (*probe)(const struct vb_config *cfg, char **why);
	/* Fill path/medium/record without setting anything up (the xml
	 * command); NULL: prepare alone. */
	void (*plan)(struct vb_stor *s);
	/* Set it up; -1 with *why.  teardown follows, also after a failure. */
	int (*prepare)(struct vb_stor *s, char **why);
	void (*teardown)(struct vb_stor *s);
	/* The disk's <source> (and <auth>) inside <disk>. */
	void (*source_xml)(struct vb_xml *x, const struct vb_stor *s);
	/* The protocol node QEMU's block layer opens it with, named node
	 * (the format node goes above it). */
	json_t *(*blockdev)(const struct vb_stor *s, const char *node);
	/* fio's own client for it, where fio has one (its nbd engine for NBD):
	 * the arguments after the job's (--ioengine=..., where), NULL-
	 * terminated, caller frees the array and its strings.  NULL: none
	 * (the native mode refuses the model). */
	char **(*fio_native)(const struct vb_stor *s);
	/* QEMU objects the blockdev needs beside it (iscsi's CHAP password
	 * as a secret object), for -object/--object: an array, or NULL. */
	json_t *(*objects)(const struct vb_stor *s);
	const char *fio_engine;      /* that engine's name, for people */
	/* A server that is no process of ours (the kernel's nfsd), asked
	 * after a failure: a sentence saying it stopped serving ("its server
	 * ... stopped"), or NULL while it serves; caller frees.  server_pid
	 * tells it for a daemon we started. */
	char *(*server_gone)(const struct vb_stor *s);
};

/* NULL-terminated table of every model, in display order. */
extern const struct vb_storage *const vb_storages[];

const struct vb_storage *vb_storage_find(const char *name);
/* "raw, qcow2, ..." for messages; caller frees. */
char *vb_storage_names(void);
/* The model a configuration names: --storage, or what the older --backend
 * and --format spell (null, block, qcow2, raw).  NULL after an unknown
 * name (never, once vb_storage_settle passed). */
const struct vb_storage *vb_storage_of(const struct vb_config *c);
/* The model name older options spell: --backend null/block, --format
 * qcow2, else raw. */
const char *vb_storage_legacy_name(const char *backend, const char *format);
/* Check --storage against --backend/--format and the table, and write the
 * model's name into c->storage (so run.json records the one in use).
 * Reports and returns -1. */
int vb_storage_settle(struct vb_config *c);

/* Start model m for a mode: prepare (teardown on failure), -1 with *why.
 * s is zeroed first; the caller fills the inputs through vb_stor_init. */
void vb_stor_init(struct vb_stor *s, const struct vb_storage *m, const struct vb_config *c, struct vb_virt *v,
                  const struct vb_store *store, const char *run_dir, const char *log_dir, bool system);
int vb_stor_prepare(struct vb_stor *s, char **why);
/* Fill what the xml command prints, setting nothing up. */
void vb_stor_plan(struct vb_stor *s);
void vb_stor_teardown(struct vb_stor *s);

/* The pieces every mode's disk is made of. */
const char *vb_stor_disk_type(const struct vb_stor *s);
void vb_stor_source_xml(struct vb_xml *x, const struct vb_stor *s);
json_t *vb_stor_blockdev(const struct vb_stor *s, const char *node);
/* The objects the blockdev needs (new reference, an array, maybe empty). */
json_t *vb_stor_objects(const struct vb_stor *s);

/* Shared by the models: the <source file|dev=path/> of a local path and
 * the file or host_device node QEMU opens it with (--cache, --io). */
void vb_stor_path_source(struct vb_xml *x, const struct vb_stor *s);
json_t *vb_stor_path_blockdev(const struct vb_stor *s, const char *node);
/* --cache as -blockdev's "cache" object ({direct, no-flush}). */
json_t *vb_stor_cache(const struct vb_config *c);
/* record's "settings" object, made on first use. */
json_t *vb_stor_settings(struct vb_stor *s);

#endif
