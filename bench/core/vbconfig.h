/* config: the effective configuration of one invocation.  Every field is
 * filled from the option table in options.c (defaults included), and the
 * whole struct is recorded in run.json, so a result always says how it was
 * made.  Strings are owned by the struct (vb_config_release frees them). */
#ifndef VB_VBCONFIG_H
#define VB_VBCONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The values of a repeatable option, in the order given (owned). */
struct vb_strlist {
	char **v;
	size_t n;
};

/* Parts above core with options of their own (the bus modes): at most. */
#define VB_CONFIG_PARTS 16

struct vb_config {
	/* where */
	char *connect;     /* libvirt URI; given again, every one, one per line
	                      (as run.json records it): connects is the list */
	struct vb_strlist connects; /* --connect, each one given (several: a fleet) */
	char *results;     /* results root */
	char *cache_dir;   /* image, backing store, fio source */
	char *kernel;      /* override of the image's kernel */
	char *initrd;      /* override of the image's initramfs */
	char *disk;        /* user's file or block device (else a filled raw file) */
	uint64_t size;     /* backing store size in bytes */
	char *modes;       /* comma-separated mode names */
	char *mode;        /* one mode (xml subcommand) */
	char *import_mode; /* import: the name the imported results take */
	char *into;        /* import: the run folder they join (else a new run) */
	char *point;       /* import: the job point of that run they measured */

	/* guest */
	char *accel;       /* auto | kvm | tcg */
	unsigned vcpus;
	unsigned memory;   /* MiB */
	unsigned boot_timeout;  /* seconds until the agent says hello */
	unsigned accel_timeout; /* seconds the KVM probe may take */

	/* bus tuning (applied only where the bus supports it) */
	char *cache;       /* none | directsync | writethrough | writeback | unsafe */
	char *io;          /* native | io_uring | threads */
	unsigned iothreads;
	unsigned queues;   /* 0: the bus's default */
	char *format;      /* raw | qcow2 */
	char *backend;     /* file | block | null (older spelling of storage) */
	char *integrity;   /* once | each | off: a guest's writes read back with no guest */
	char *storage;     /* the storage model (storage/storage.h); settled
	                      from --backend/--format when not given */

	/* fio job */
	uint64_t bs;
	unsigned iodepth;
	char *rw;
	unsigned rwmixread;
	unsigned numjobs;
	unsigned runtime;  /* seconds */
	unsigned ramp;     /* seconds of ramp_time */
	unsigned reps;     /* 0: auto (until --ci-target or --max-reps) */
	double ci_target;  /* --reps auto: percent of the mean */
	unsigned max_reps; /* --reps auto: the cap */
	char *rerun_of;    /* the run this one re-measures (gate --rerun) */
	char *sweep;
	char *iotune;           /* --iotune: libvirt <iotune> limits, NAME=VALUE,... (core/iotune.h) */
	char *neighbour_iotune; /* --neighbour-iotune: the same, for guests 2..N of --vms */
	bool boot_per_rep;
	unsigned vms;      /* guests per mode (0: off, one guest as always) */
	bool shared;       /* --vms: one shared backing instead of a slice each */
	char *neighbour;   /* --vms: the neighbours' job, "rw=write bs=1M" */
	char *resume;      /* a run folder to continue */

	/* compare / trend */
	double threshold;  /* percent */
	char *metric;      /* comma-separated metric names */
	char *output;      /* text | json */
	char *junit;       /* JUnit XML output path */
	bool force;        /* compare runs with different jobs or accelerators */
	char *out;         /* trend: output folder */
	unsigned history;  /* gate: accepted runs pooled as the history */
	double spread_mult; /* gate: the change must exceed this many robust spreads */
	unsigned rerun;    /* gate: repetitions to re-measure inconclusive modes with */

	/* tune (issue 27) */
	char *tune_mode;   /* --mode: the mode whose tuning is raced */
	char *space;       /* 'io=native,threads iothreads=0,1', or NULL: the mode's default */
	char *objective;   /* iops | iops-per-cpu | clat_p99 */
	unsigned budget;   /* minutes of wall time */
	double min_effect; /* percent: a drop needs the leader ahead by more */
	unsigned round_reps; /* repetitions per candidate in the first round */
	unsigned seed;     /* the shuffles' seed (0: from the clock) */

	bool quiet;
	char *config;      /* -c FILE */
	char *config_text; /* its content, recorded in run.json (not an option) */
	struct json_t *mode_tuning; /* its [mode NAME] sections: {mode: {option: value}} (not an option) */
	bool json;         /* run, report: the summary as JSON on stdout instead of the table */
	bool help;

	/* The private option structs of the parts that own options (a bus
	 * mode's: vb_config_part), in the order they joined the table. */
	void *part[VB_CONFIG_PARTS];
};

void vb_config_release(struct vb_config *c);

#endif
