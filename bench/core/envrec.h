/* envrec: the hypervisor's environment as a run records it (issue 28):
 * what moves I/O figures besides the bus -- the CPU frequency governor and
 * boost, transparent huge pages, the CPU's vulnerability mitigations, NUMA
 * nodes, memory, the kernel, and the backing store's file system, device,
 * I/O scheduler and rotational flag.  A plain struct: host/hostenv.c reads
 * it from the hypervisor, summary/runrec.c writes it as run.json's
 * host.env and reads it back, and a reader (compare) shows it as rows.
 *
 * Every string in it is clean text: what a (remote, perhaps hostile) host
 * or a results folder said is passed through vb_env_text or vb_env_word
 * before it is stored, so printable ASCII only, length-capped.
 *
 * Ownership: the struct owns its strings; vb_env_release frees them (and
 * accepts a zeroed struct). */
#ifndef VB_ENVREC_H
#define VB_ENVREC_H

#include <stdbool.h>
#include <stddef.h>

/* caps of the recorded strings (bytes, without the NUL) */
#define VB_ENV_WORD_MAX 64    /* a governor, a THP mode, a file system type, a device */
#define VB_ENV_TEXT_MAX 256   /* a mitigation's text, the kernel release */
#define VB_ENV_PATH_MAX 1024  /* the store's path, its mount point and source */
#define VB_ENV_MITIGATIONS_MAX 64

/* One file of /sys/devices/system/cpu/vulnerabilities: its name, its text. */
struct vb_env_kv {
	char *name, *text;
};

struct vb_env {
	char *kernel;              /* uname -r; NULL: unknown */
	char *governor;            /* the one scaling_governor, "mixed: a, b" or NULL: no cpufreq */
	int boost;                 /* 1 on, 0 off, -1: no boost control to read */
	char *thp_enabled, *thp_defrag; /* the [selected] mode, NULL if absent */
	bool has_mitigations;      /* the vulnerabilities folder was there */
	struct vb_env_kv *mitigations;
	size_t nmitigations;
	int numa_nodes;            /* -1: unknown */
	long long mem_total_kib;   /* MemTotal; -1: unknown */
	/* the backing store: has_store false when the run had no store file
	 * or device (the null model) */
	bool has_store;
	char *store_path;          /* its real path on the hypervisor */
	char *store_mount;         /* the mount point it lies under; NULL for a block device */
	char *store_fs;            /* that mount's type; NULL for a block device */
	char *store_source;        /* that mount's source ("/dev/vda1", "tmpfs") */
	char *store_device;        /* the block device under it ("vda1"), NULL: none */
	char *store_disk;          /* the whole disk whose queue it uses ("vda") */
	char *store_scheduler;     /* the disk's [selected] I/O scheduler */
	int store_rotational;      /* 1, 0, -1: unknown */
};

void vb_env_release(struct vb_env *e);

/* s as clean text for a record, a new string: printable ASCII (anything
 * else becomes '?'), at most cap bytes, without leading or trailing
 * blanks; NULL when s is NULL or nothing is left. */
char *vb_env_text(const char *s, size_t cap);
/* The same for a one-word field: only [A-Za-z0-9._:+-] is kept as it is
 * (anything else becomes '?'). */
char *vb_env_word(const char *s, size_t cap);
/* Is name a vulnerability's name as the kernel spells them: 1 to 48 of
 * [a-z0-9_]? (Another is not recorded.) */
bool vb_env_name_ok(const char *name);
/* Add a mitigation (name and text cleaned here); false when the name is
 * not one, or VB_ENV_MITIGATIONS_MAX are there already. */
bool vb_env_add_mitigation(struct vb_env *e, const char *name, const char *text);

/* The environment as rows for a person: label ("CPU governor",
 * "mitigation spectre_v2") and value ("performance"; NULL when unknown),
 * in a fixed order.  *rows is a new array (vb_env_rows_free). */
struct vb_env_row {
	char *label, *value;
};
size_t vb_env_rows(const struct vb_env *e, struct vb_env_row **rows);
void vb_env_rows_free(struct vb_env_row *rows, size_t n);

#endif
