/* mode: a bus mode is one row in a table of ops (the fio ioengine_ops
 * pattern).  Each mode lives in its own modes/<name>.c and says what it adds
 * to the domain XML, what it needs on the host (and sets up and tears down
 * there: an iSCSI target, a qemu-storage-daemon), which guest driver should
 * end up owning the disk, and whether it can run here (and if not, why).
 *
 * Adding a mode: write modes/<name>.c (virtio_blk.c for virtio-blk) defining
 * a `const struct vb_mode`, add one line to the table in mode.c and the file
 * to Makefile.am. */
#ifndef VB_MODE_H
#define VB_MODE_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "core/options.h"
#include "core/vbconfig.h"
#include "guest/xmlbuf.h"
#include "storage/storage.h"

/* What a mode needs to describe its disk, shared by every mode; what one
 * mode sets up on the host lives in its own private state (priv). */
struct vb_hostload; /* host/hostload.h */

struct vb_disk_ctx {
	const struct vb_config *cfg;
	const struct vb_stor *stor; /* the storage under the disk (storage.h) */
	const char *source;    /* the path QEMU opens (file or device; NULL for
	                          a network model): stor's path */
	bool source_is_block;  /* block device rather than a file */
	const char *format;    /* "raw" or "qcow2": stor's model's */
	const char *serial;    /* the serial the agent looks the disk up by */
	bool system;           /* qemu:///system: QEMU runs unprivileged */
	bool null_backend;     /* storage null: QEMU's null-co, no storage at all */
	const char *run_dir;   /* a private folder for sockets */
	const char *mode_dir;  /* the mode's results folder (daemon logs go there) */
	struct vb_virt *virt;  /* the run's libvirt connection (NULL in the xml command) */

	/* The mode's own state (its struct, vb_mode.priv_size bytes), zeroed
	 * before prepare and freed after cleanup; NULL where nothing is set up
	 * (the xml command), which devices_xml must allow for. */
	void *priv;
	/* A host process besides QEMU that serves this mode's I/O (tgtd,
	 * qemu-storage-daemon): its CPU counts in the mode's CPU per I/O. */
	const char *helper_name;
	pid_t helper_pid;
	/* The guest's disk is a device of the operator's own (lun's
	 * --lun-device), not the storage model's data: nothing the guest
	 * writes there can be read back from the model (no integrity check). */
	bool foreign_disk;
	/* --vms: this guest's part of a raw store (slice_size 0: the whole),
	 * and whether other guests open the same file (<shareable/>: QEMU's
	 * image locking refuses a second writer otherwise). */
	unsigned long long slice_offset, slice_size;
	bool shareable;
	/* --vms --shared with a job that writes: this guest's qcow2 overlay
	 * (a file in the run's private folder), backed read-only by stor's
	 * raw path; NULL: the disk is stor's own. */
	const char *overlay;
	/* libvirt's <iotune> limits on this guest's disk ({"total_iops_sec":
	 * 300}, core/iotune.h), borrowed; NULL: none.  --iotune sets it; with
	 * --vms the neighbours' may differ (--neighbour-iotune). */
	json_t *iotune;
	/* issue 28: where a host mode's measure reads the host's load at its
	 * CPU window's edges (host/hostload.h), or NULL: not read. */
	struct vb_hostload *load;
};

struct vb_mode {
	const char *name;
	/* A variant (BASE+TAG, e.g. "virtio-blk+tuned": BASE's row under
	 * another name, so that one run holds BASE with two tunings): BASE's
	 * name.  NULL for the table's own modes. */
	const char *variant_of;
	const char *summary;
	/* Drivers the guest must show for the disk under test: the disk's own
	 * driver and one on the way to the PCI function (checked from the
	 * agent's hello).  NULL: no guest (host) or not checkable. */
	const char *guest_driver;
	const char *bus_driver;
	/* The image's kernel modules the guest loads for this bus, comma-
	 * separated as the kernel command line carries them (vmio.modules=;
	 * their dependencies first, the agent's channel drivers always):
	 * loading only these shortens the boot.  NULL: every module in the
	 * image. */
	const char *guest_modules;
	/* The SCSI INQUIRY vendor the guest's disk must report (the agent's
	 * hello says it): "LIO-ORG" where the host kernel's target serves the
	 * disk, not QEMU's emulation.  NULL: not checked. */
	const char *scsi_vendor;
	const char *guest_pci;    /* the guest PCI address ("0000:00:12.0") the
	                             disk must sit under (hostdev) */
	bool passthrough;         /* the guest must see the host device's own SCSI
	                             identity, not QEMU's emulated disk */
	bool host;                /* measured on the host: no guest at all */
	bool vms;                 /* takes --vms N > 1: its disk is a libvirt <disk>
	                             on the store (a slice each), or fio on the host */
	bool baseline;            /* the ceiling every other mode is divided by */
	const char *tuning;       /* where the mode departs from QEMU's default
	                             for its device, and why (run.json records it) */
	bool iothread;            /* the domain wants an <iothreads> pool */
	bool shared_memory;       /* vhost-user: guest RAM shared with a daemon */
	bool iotune;              /* its disk is a libvirt <disk> QEMU's block layer
	                             throttles: it takes --iotune (vb_mode_disk_iotune) */
	const char *no_iotune;    /* otherwise why not, for the refusal */
	size_t priv_size;         /* its private state (vb_disk_ctx.priv), 0 for none */
	/* Options only this mode reads (e.g. lun's --lun-device), ended by a
	 * row without a name: their offsets point into the mode's own option
	 * struct (options_size bytes), which the configuration carries for it
	 * (vb_config_part).  The option table merges them (options.h), as
	 * fio's does an engine's. */
	const struct vb_option *options;
	size_t options_size;
	/* Is the configuration complete and sensible for this mode (e.g. a
	 * --pci-device for hostdev)?  Checked before anything runs: a "no" is a
	 * usage error.  -1 with *why; NULL means "always". */
	int (*check_config)(const struct vb_config *cfg, char **why);
	/* 0 if the mode can run on this host; otherwise -1 and *why (caller
	 * frees) says what is missing and what to do.  NULL means "always". */
	int (*probe)(const struct vb_config *cfg, char **why);
	/* Set up host resources before the guest starts; -1 with *why.  May
	 * change d->serial. */
	int (*prepare)(struct vb_disk_ctx *d, char **why);
	/* Release whatever prepare set up; also after a failed prepare. */
	void (*cleanup)(struct vb_disk_ctx *d);
	/* Append the disk (and any controller it needs) inside <devices>. */
	void (*devices_xml)(struct vb_xml *x, const struct vb_disk_ctx *d);
	/* Append <qemu:commandline> (after <devices>). */
	void (*commandline_xml)(struct vb_xml *x, const struct vb_disk_ctx *d);
	/* --backend null: the -device (JSON) that puts the null-co drive
	 * VB_NULL_NODE on this bus; devices_xml then leaves the disk out.
	 * NULL: the mode handles null itself or refuses it in check_config. */
	json_t *(*null_device)(const struct vb_disk_ctx *d);
	/* Modes without a guest measure here: run fio with these arguments
	 * (its IOPS log going to log_prefix) and return its JSON output
	 * (caller frees) and, in *host_cpu (new reference or NULL), the CPU
	 * its processes used over the job's window ({"window_s", "processes":
	 * {name: ns}}, see vb_job_window); or -1 with *why. */
	int (*measure)(const struct vb_disk_ctx *d, json_t *fio_args, const char *log_prefix, char **fio_json,
	               json_t **host_cpu, char **why);
};

/* node-name of the null-co drive with --backend null */
#define VB_NULL_NODE "vmio-null"
/* Free PCI addresses on q35's root bus, clear of libvirt's root ports. */
#define VB_PCI_ADDR_NVME "0x10"
#define VB_PCI_ADDR_NULL "0x11"
#define VB_PCI_ADDR_HOSTDEV "0x12"

/* NULL-terminated table of every mode, in display order. */
extern const struct vb_mode *const vb_modes[];

/* A mode of the table by name, or a variant BASE+TAG of one (an interned
 * copy of BASE's row named BASE+TAG, kept for the process's life: the same
 * name gives the same pointer).  NULL: no such mode, or a bad tag. */
const struct vb_mode *vb_mode_find(const char *name);
/* Parse "a,b,c" into a NULL-terminated array of modes (caller frees the
 * array, not the modes).  Reports one line and returns NULL on bad input:
 * unknown names, empty items, duplicates.  "all" is every mode whose probe
 * passes on this host; *probed says whether the probes have run (then a run
 * does not run them again). */
const struct vb_mode **vb_mode_list_parse(const char *list, const struct vb_config *cfg, bool *probed);
/* A mode --modes all dropped because its probe failed on this host, and
 * the probe's reason. */
struct vb_mode_dropped {
	const struct vb_mode *mode; /* NULL ends the array */
	char *why;
};
/* vb_mode_list_parse, also handing back in *dropped (caller frees with
 * vb_mode_dropped_free; NULL on bad input) the modes "all" dropped at
 * probe time: the plan asked for them and they cannot run here (run.json
 * records them as unavailable).  A mode the configuration does not suit
 * (check_config) is not part of the plan and not listed. */
const struct vb_mode **vb_mode_list_pick(const char *list, const struct vb_config *cfg, bool *probed,
                                         struct vb_mode_dropped **dropped);
void vb_mode_dropped_free(struct vb_mode_dropped *d);
/* "sata, virtio-blk, ..." for messages; caller frees. */
char *vb_mode_names(void);

/* Shared pieces of disk XML, so that the modes differ only where the buses
 * do.  The driver element honours --cache, --io and the image format. */
void vb_mode_disk_driver(struct vb_xml *x, const struct vb_disk_ctx *d, const char *iothread, const char *queues);
void vb_mode_disk_source(struct vb_xml *x, const struct vb_disk_ctx *d);
/* <disk type=...> of the storage, device kind device; close with vb_xml_close. */
void vb_mode_disk_open(struct vb_xml *x, const struct vb_disk_ctx *d, const char *device);
/* A virtio-scsi controller with the tuning it supports. */
void vb_mode_virtio_scsi_controller(struct vb_xml *x, const struct vb_disk_ctx *d);
/* <iotune> of d->iotune inside the open <disk> (nothing when NULL). */
void vb_mode_disk_iotune(struct vb_xml *x, const struct vb_disk_ctx *d);
/* Does mode m suit configuration c: --iotune (or --neighbour-iotune) on a
 * mode that takes it, then m's own check_config.  0, or -1 with *why. */
int vb_mode_check_config(const struct vb_mode *m, const struct vb_config *c, char **why);
/* The same for a mode's own settings (-c FILE's [mode NAME]): a limit
 * there is refused where it cannot apply, also in a mode with no guest
 * (which otherwise runs unthrottled beside limited guests). */
int vb_mode_check_own_config(const struct vb_mode *m, const struct vb_config *c, char **why);
/* check_config of modes that cannot use --backend null. */
int vb_mode_refuse_null(const struct vb_config *cfg, const char *mode, char **why);
/* The -blockdev (JSON) of the null-co drive. */
json_t *vb_mode_null_blockdev(const struct vb_disk_ctx *d);
/* --backend null on mode m's bus: <qemu:commandline> with the null-co
 * drive and m's null_device. */
void vb_mode_null_commandline(struct vb_xml *x, const struct vb_mode *m, const struct vb_disk_ctx *d);
/* Refuse tuning combinations libvirt or QEMU would refuse, before any
 * domain exists; reports and returns -1. */
/* The same, handing the reason back in *why (caller frees) instead. */
int vb_mode_check_tuning_quiet(const struct vb_config *c, char **why);
int vb_mode_check_tuning(const struct vb_config *cfg);
/* The disk context every mode starts from (before its prepare hook):
 * the storage, prepared (or planned, in the xml command), the serial, the
 * private folder for sockets.  `run` and `xml` alike. */
void vb_mode_disk_ctx(struct vb_disk_ctx *d, const struct vb_config *c, const struct vb_stor *stor,
                      const char *private_dir);
/* fio on the host: fio_args, then extra (NULL-terminated: the target,
 * the engine), its IOPS log to log_prefix; *host_cpu the CPU of fio's
 * processes, and of d->helper_pid when set, over the job's window.  The
 * measure hook of the host-side modes. */
int vb_mode_host_fio(const struct vb_disk_ctx *d, json_t *fio_args, const char *const *extra, const char *log_prefix,
                     char **fio_json, json_t **host_cpu, char **why);
/* A mode's guest, for its domain XML (modes/domain.c, over the guest's
 * domain in guest/domxml.h). */
struct vb_domain_spec {
	const char *name;
	const char *domain_type;  /* "kvm" or "qemu" (TCG) */
	const struct vb_mode *mode; /* NULL: a guest without a disk (the KVM probe) */
	const struct vb_config *cfg;
	const char *kernel, *initrd;
	const char *cmdline;
	const char *console_log;  /* NULL: no console log */
	struct vb_disk_ctx disk;
};

/* The domain XML; caller frees. */
char *vb_domain_xml_new(const struct vb_domain_spec *s);
/* The same for mode m's guest with the vmio kernel command line (what
 * `run` boots and `xml` prints); caller frees. */
char *vb_domain_xml_for_mode(const struct vb_config *c, const struct vb_mode *m, const char *domain_type,
                             const char *kernel, const char *initrd, const struct vb_disk_ctx *disk, const char *name,
                             const char *console_log);

/* Does the disk a hello reports (vb_agent_hello_disk) sit where mode m
 * promises (its drivers, a passthrough's own identity, a passed-through
 * function's address)?  0, or -1 with *why (caller frees).  The mode's
 * judgement of the agent's report: here, above the agent. */
int vb_agent_check_disk(const struct vb_mode *m, json_t *disk, char **why);
/* "%u" of --queues, or NULL when 0 (let libvirt decide). */
const char *vb_mode_queues(const struct vb_disk_ctx *d, char *buf, size_t n);

#endif
