/* runrec: run.json, the record of a run, in one module.  Every key of the
 * file is spelled here (runrec.c) and nowhere else: the run engine and the
 * fleet write it through the setters below as a run goes, import writes
 * an imported run with them, and every reader (summary, history, gate,
 * import, fleet, trend, compare) loads it through the getters.  The
 * format is documented once, as a JSON Schema: results/run.schema.json
 * (installed in $(pkgdatadir)); its "schema" number is VB_RESULTS_SCHEMA
 * (core/results.h), and what an older number lacks is answered here.
 *
 * Ownership: functions named _new return a new reference the caller
 * decrefs; every other json_t * returned is borrowed from the record
 * (valid while it lives and that part is not replaced); const char *
 * getters borrow too and answer NULL when the key is missing or not a
 * string.  Setters copy the strings they are given; a json_t * parameter
 * marked "stolen" becomes the record's, "borrowed" is copied or
 * referenced. */
#ifndef VB_RUNREC_H
#define VB_RUNREC_H

#include <jansson.h>
#include <stdbool.h>

/* ---- loading ------------------------------------------------------------ */

/* RUN_DIR/run.json (path): a JSON object of a schema number this
 * vmio-bench reads, or NULL after reporting why not (no file, not
 * regular, too large, not JSON, an unknown schema number). */
json_t *vb_runrec_load(const char *run_dir, const char *path);
/* The record's schema number, 0 when it has none. */
int vb_runrec_schema(json_t *run);
/* Does it carry a schema number at all (an integer)? */
bool vb_runrec_has_schema(json_t *run);
/* Is run an object with a schema number this vmio-bench reads and a list
 * of modes? */
bool vb_runrec_usable(json_t *run);

/* ---- reading: the run --------------------------------------------------- */

const char *vb_runrec_id(json_t *run);
const char *vb_runrec_state(json_t *run);
const char *vb_runrec_started(json_t *run);
bool vb_runrec_complete(json_t *run);
const char *vb_runrec_accel(json_t *run);           /* accelerator.name */
const char *vb_runrec_job_description(json_t *run);
json_t *vb_runrec_job_points(json_t *run);          /* the plan's points (array) */
json_t *vb_runrec_job_sweep(json_t *run);           /* object, or null/NULL */
json_t *vb_runrec_job_point_params(json_t *run, size_t index);
json_t *vb_runrec_modes(json_t *run);               /* the mode entries (array) */
/* The mode every other is divided by: NULL when the run had none (a
 * recorded null); "host" in a run from before the key was recorded (or
 * one that records something else than a name or null). */
const char *vb_runrec_baseline(json_t *run);
/* The baseline as recorded: its name, else NULL. */
const char *vb_runrec_baseline_recorded(json_t *run);
json_t *vb_runrec_config(json_t *run);              /* the effective options */
/* One option as the run recorded it (its long name, '-' as '_'). */
json_t *vb_runrec_config_get(json_t *run, const char *option);
const char *vb_runrec_config_str(json_t *run, const char *option);
json_t *vb_runrec_config_file_modes(json_t *run);   /* -c FILE's [mode] tuning, or NULL */
const char *vb_runrec_connect(json_t *run);         /* the top-level "connect" */
json_t *vb_runrec_hypervisor(json_t *run);          /* a remote one's record, or NULL */
bool vb_runrec_hypervisor_remote(json_t *run);
const char *vb_runrec_store_type(json_t *run);      /* backing_store.type */
const char *vb_runrec_store_path(json_t *run);
json_t *vb_runrec_seeds_get(json_t *run);           /* array or NULL */

/* What a comparison of runs reads (history.c): each field where the
 * record keeps it.  VB_RRF_CONFIG is an option, named by history. */
enum vb_runrec_field {
	VB_RRF_QEMU, VB_RRF_LIBVIRT, VB_RRF_HOST_KERNEL, VB_RRF_GUEST_KERNEL, VB_RRF_FIO,
	VB_RRF_ACCEL, VB_RRF_HOSTNAME, VB_RRF_CPU, VB_RRF_TUNING, VB_RRF_CONFIG,
};
/* The field's value, or NULL when not recorded. */
json_t *vb_runrec_field(json_t *run, enum vb_runrec_field f, const char *option);
/* The storage model a run used (config.storage; in a run from before
 * storage models, what its --backend and --format spelled). */
const char *vb_runrec_storage(json_t *run);
/* The storage model --backend/--format name: null, block, qcow2, raw. */
const char *vb_runrec_legacy_storage(const char *backend, const char *format);
/* A mode's record of one storage model it ran on (modes[].storage.NAME:
 * settings, server, ports; copied). */
void vb_runrec_mode_set_storage(json_t *mode, const char *model, json_t *record);
/* Point pi of a mode failed (its storage model did): why. */
void vb_runrec_mode_point_set_reason(json_t *mode, size_t pi, const char *why);
/* Was the field recorded only by a later schema (host.hostname: 2 on), so
 * that an older run says nothing of it -- which is not a difference? */
bool vb_runrec_field_optional(enum vb_runrec_field f);
/* Its path in run.json for messages and gate.json ("versions.qemu"). */
const char *vb_runrec_field_path(enum vb_runrec_field f);
bool vb_runrec_field_is_fio(enum vb_runrec_field f);

/* Free text shown on a terminal (descriptions, reasons, labels, states,
 * versions, paths): clean(text) returns a new string (freed here) that
 * replaces each where it differs. */
void vb_runrec_clean_text(json_t *run, char *(*clean)(char *));

/* ---- reading: a fleet --------------------------------------------------- */

bool vb_runrec_is_fleet(json_t *run);
json_t *vb_runrec_fleet(json_t *run);               /* the "fleet" object */
json_t *vb_runrec_fleet_hosts(json_t *run);         /* its hosts (array) */
const char *vb_runrec_fleet_host_label(json_t *host);
const char *vb_runrec_fleet_host_connect(json_t *host);
const char *vb_runrec_fleet_host_dir(json_t *host);
const char *vb_runrec_fleet_host_state(json_t *host);
const char *vb_runrec_fleet_host_reason(json_t *host);
/* A fleet's run as the summary reads it, one run with HOST/MODE modes: a
 * host's mode entry (copied, renamed, marked with its host); a host with
 * no results (a failed entry); the merged record (the first host's copy)
 * given the fleet's modes (stolen), id, fleet and times from top (its
 * state and times cleaned by clean, as vb_runrec_clean_text). */
json_t *vb_runrec_fleet_mode_new(json_t *mode, const char *name, const char *host);
json_t *vb_runrec_fleet_missing_new(const char *name, const char *host, const char *reason);
void vb_runrec_fleet_merge(json_t *merged, json_t *top, json_t *modes, char *(*clean)(char *));

/* ---- reading: a mode, a point, a repetition ----------------------------- */

json_t *vb_runrec_mode_find(json_t *run, const char *mode);
const char *vb_runrec_mode_name(json_t *mode);
const char *vb_runrec_mode_status(json_t *mode);
const char *vb_runrec_mode_reason(json_t *mode);
json_t *vb_runrec_mode_points(json_t *mode);
json_t *vb_runrec_mode_imported(json_t *mode);      /* object, or NULL */
bool vb_runrec_mode_no_guest(json_t *mode);         /* "guest": false */
/* "iotune": {"all": {...}}: the <iotune> limits on every guest's disk, or
 * NULL (borrowed). */
json_t *vb_runrec_mode_iotune_all(json_t *mode);
/* Did that mode finish in full (an earlier part of a resumed run)? */
bool vb_runrec_mode_done(json_t *mode);
/* The reps a mode's point of this label kept (--resume), or NULL. */
json_t *vb_runrec_mode_point_reps(json_t *mode, const char *label);

const char *vb_runrec_point_label(json_t *point);
json_t *vb_runrec_point_dir(json_t *point);         /* string, null or NULL */
const char *vb_runrec_point_dir_str(json_t *point);
json_t *vb_runrec_point_params(json_t *point);
json_t *vb_runrec_point_reps(json_t *point);

const char *vb_runrec_rep_file(json_t *rep);
json_t *vb_runrec_rep_iops_log(json_t *rep);        /* string, null or NULL */
/* schema 3: the repetition's completion latency percentiles per second
 * (core/lathist.h), string or NULL; truncated: the log was cut at its cap */
json_t *vb_runrec_rep_lat_log(json_t *rep);
bool vb_runrec_rep_lat_log_truncated(json_t *rep);
json_t *vb_runrec_rep_host_cpu(json_t *rep);        /* object, null or NULL */
double vb_runrec_rep_host_cpu_ns(json_t *rep);      /* schema 1's QEMU ns; NAN */
double vb_runrec_rep_wall_s(json_t *rep);           /* NAN when missing */
/* host_cpu's window (NAN when missing) and CPU ns per process (object). */
double vb_runrec_host_cpu_window_s(json_t *host_cpu);
json_t *vb_runrec_host_cpu_processes(json_t *host_cpu);
/* One process's CPU ns by thread class (host_cpu.threads.PROCESS.classes,
 * an object), or NULL in runs from before threads were read. */
json_t *vb_runrec_host_cpu_classes(json_t *host_cpu, const char *process);

/* The imported entry's first origin, fio version, time and file count. */
const char *vb_runrec_imported_origin(json_t *imp);
const char *vb_runrec_imported_fio(json_t *imp);
const char *vb_runrec_imported_at(json_t *imp);
size_t vb_runrec_imported_nfiles(json_t *imp);

/* ---- writing: the record of a run --------------------------------------- */

/* What a new run.json records first (runner/manifest.c fills it from the
 * hypervisor, the image and the store).  NULL strings are written null. */
struct vb_runrec_head {
	const char *id;
	const char *qemu, *libvirt, *host_kernel;     /* versions */
	const char *hostname, *cpu, *machine;         /* host */
	int cpus;
	bool remote;                                  /* a "hypervisor" record: */
	const char *hv_hostname, *hv_helpers;
	json_t *placement;                            /* borrowed, or NULL */
	const char *accel, *accel_why;
	const char *baseline, *connect;
	const char *kernel, *initrd;
	json_t *image_manifest;                       /* borrowed, or NULL */
	const char *store_path, *store_type, *store_image;
	long long store_size;
	bool store_created;
	int vcpus;
	const char *kernel_cmdline;
	const char *job_description;
	json_t *fio_args, *sweep;                     /* borrowed; sweep may be NULL */
	json_t *points;                               /* stolen: vb_runrec_job_point_new's */
	json_t *config;                               /* stolen */
	const char *config_path, *config_text;        /* -c FILE, or NULL */
	json_t *config_modes;                         /* borrowed */
};

/* A fresh run.json: state "incomplete", no modes yet. */
json_t *vb_runrec_new(const struct vb_runrec_head *h);
/* One of the plan's points (params stolen, fio_args borrowed). */
json_t *vb_runrec_job_point_new(const char *label, const char *dir, json_t *params, json_t *fio_args);
/* The repetitions' seeds, drawn once (kept on resume); borrowed array. */
json_t *vb_runrec_seeds(json_t *run, unsigned reps);
/* A resumed run: a timestamp appended to "resumed", state "incomplete". */
void vb_runrec_resumed(json_t *run);
void vb_runrec_set_state(json_t *run, const char *state);
/* Close: "ended" now, and the state. */
void vb_runrec_close(json_t *run, const char *state);
/* Close a run: state "complete", or "incomplete" and "interrupted". */
void vb_runrec_end(json_t *run, bool interrupted);
/* versions.fio, when not known yet; versions.guest_kernel. */
void vb_runrec_set_fio_version(json_t *run, const char *version);
void vb_runrec_set_guest_kernel(json_t *run, const char *kernel);

/* ---- writing: a mode, a point, a repetition ----------------------------- */

/* A mode's entry in "modes", added when missing (borrowed). */
json_t *vb_runrec_mode(json_t *run, const char *mode);
/* The status ("ok", "failed", "not run", "unavailable") and, when not
 * NULL, the reason (else any earlier reason stays). */
void vb_runrec_mode_set_status(json_t *mode, const char *status, const char *reason);
void vb_runrec_mode_set_reason(json_t *mode, const char *reason);
/* A mode starts: its points (stolen) replace the earlier ones, the
 * earlier reason goes. */
void vb_runrec_mode_begin(json_t *mode, json_t *points);
void vb_runrec_mode_set_no_guest(json_t *mode);     /* "guest": false */
void vb_runrec_mode_set_tuning(json_t *mode, const char *tuning);
/* "iotune": {"all": all, "neighbours": neighbours}, each {"total_iops_sec":
 * 300, ...} (borrowed; NULL: not given); nothing when both are NULL. */
void vb_runrec_mode_set_iotune(json_t *mode, json_t *all, json_t *neighbours);
void vb_runrec_mode_set_overrides(json_t *mode, json_t *overrides); /* borrowed */
/* a variant mode (BASE+TAG): the mode it is a variant of */
void vb_runrec_mode_set_variant_of(json_t *mode, const char *base);
const char *vb_runrec_mode_variant_of(json_t *mode); /* NULL: not a variant */
void vb_runrec_mode_set_guest_kernel(json_t *mode, const char *kernel);
void vb_runrec_mode_set_guest_disk(json_t *mode, json_t *disk);     /* borrowed, copied */
/* The teardown's outcome: a boot destroyed at the deadline is what the
 * record keeps over one powered off. */
void vb_runrec_mode_set_teardown(json_t *mode, const char *how);
/* Where the wall time goes ("timings", seconds) of a mode or of the whole
 * run (owner: a mode entry or the run): set a phase, or append to one that
 * happens more than once (boots, teardowns). */
enum vb_runrec_phase {
	VB_PHASE_CHECKS, VB_PHASE_HOST_SETUP, VB_PHASE_ACCEL_PROBE, VB_PHASE_REPORT, /* the run's */
	VB_PHASE_PREPARE, VB_PHASE_CLEANUP, VB_PHASE_BOOT, VB_PHASE_TEARDOWN,         /* a mode's */
};
void vb_runrec_timing(json_t *owner, enum vb_runrec_phase phase, double seconds);
/* A mode's point (params stolen, reps borrowed and referenced). */
json_t *vb_runrec_point_new(const char *label, const char *dir, json_t *params, json_t *reps);
/* --reps auto: what stopped point pi of mode (NAN ci: null). */
void vb_runrec_point_set_auto_reps(json_t *mode, size_t pi, bool met, int reps, double ci_target, double read_ci,
                                   double write_ci);
/* A repetition: rep, file (NULL: null), iops_log null, iops. */
json_t *vb_runrec_rep_new(int rep, const char *file, double read_iops, double write_iops);
/* What the run engine adds to it: seed (borrowed), wall time, host CPU
 * (stolen; NULL: null) -- merged by vb_runrec_rep_add. */
json_t *vb_runrec_rep_measure_new(json_t *seed, double wall_s, json_t *host_cpu);
void vb_runrec_rep_add(json_t *rep, json_t *measure);  /* measure borrowed */
void vb_runrec_rep_set_file(json_t *rep, const char *file);
void vb_runrec_rep_set_iops_log(json_t *rep, const char *file);
void vb_runrec_rep_set_lat_log(json_t *rep, const char *file, bool truncated);

/* --vms: a guest's share of a repetition (vm counts from 1; measured:
 * guest 1 under --neighbour, every guest without; file relative to the
 * mode's folder; host_cpu stolen), or its failure; a repetition's "vms"
 * record (guests stolen; start_spread_s NAN: unknown); the mode's record
 * (n_max, how the guests' disks are carved, their size and memory) and
 * each boot; a point whose aggregate lacks a guest. */
json_t *vb_runrec_vms_guest_new(unsigned vm, bool measured, const char *file, double read_iops, double write_iops,
                                double start_s, json_t *host_cpu);
json_t *vb_runrec_vms_guest_failed(unsigned vm, bool measured, const char *reason);
/* Each guest's start_s (a host clock time when made) made relative to t0. */
void vb_runrec_vms_starts_from(json_t *guests, double t0);
void vb_runrec_rep_set_vms(json_t *rep, unsigned n, double start_spread_s, json_t *guests);
void vb_runrec_mode_set_vms(json_t *mode, unsigned n_max, const char *disk, unsigned long long disk_bytes,
                            unsigned memory_mib);
void vb_runrec_mode_vms_boot(json_t *mode, unsigned vm, unsigned n, const char *reason, double boot_s);
void vb_runrec_point_set_partial(json_t *mode, size_t pi);

/* ---- writing: a fleet, an import ---------------------------------------- */

/* A fleet's run.json: hosts (stolen) and config (stolen; its connect is
 * written null: each host's own run.json has its URI). */
json_t *vb_runrec_fleet_new(const char *id, json_t *hosts, json_t *config);
json_t *vb_runrec_fleet_host_new(const char *label, const char *connect, const char *dir);
/* How a host's part ended: state, exit status, reason (NULL: removed). */
void vb_runrec_fleet_host_end(json_t *host, const char *state, int exit, const char *reason);

/* A run made by import alone: one point (params stolen), no guest. */
json_t *vb_runrec_import_new(const char *id, const char *fio_version, const char *started, const char *ended,
                             const char *description, json_t *params);
json_t *vb_runrec_import_origin_new(const char *origin, long long bytes);
/* The imported mode's entry: point (borrowed: the job's), reps
 * (borrowed), where from (at, first and last fio time, version, origins
 * borrowed). */
void vb_runrec_add_imported(json_t *run, const char *mode, json_t *point, json_t *reps, const char *at,
                            const char *first, const char *last, const char *fio_version, json_t *origins);

/* ---- issue 23 point 2, the run engine's last keys (r6) ------------------ */

/* A remote hypervisor's placement (the "hypervisor" record's): its pool;
 * the kernel's or initrd's volume (from: the local file); the backing
 * store's volume, and its qcow2 image's. */
json_t *vb_runrec_placement_new(const char *pool, const char *pool_dir);
void vb_runrec_placement_file(json_t *pl, bool initrd, const char *from, const char *volume, const char *path,
                              const char *sha256, bool reused);
void vb_runrec_placement_store(json_t *pl, const char *volume, const char *path, bool reused);
void vb_runrec_placement_store_qcow2(json_t *pl, const char *volume);
/* A repetition's IOPS, read or write (NAN when not recorded). */
double vb_runrec_rep_iops(json_t *rep, bool write);


/* ---- issue 26: what the summary reads of a --vms repetition ------------- */

/* A repetition's "vms" object (N guests started together), or NULL. */
json_t *vb_runrec_rep_vms(json_t *rep);
int vb_runrec_vms_n(json_t *vms);                   /* -1 when missing */
double vb_runrec_vms_start_spread_s(json_t *vms);   /* NAN when missing */
json_t *vb_runrec_vms_guests(json_t *vms);          /* array, or NULL */
/* One guest of it: its number (1..N, -1 when missing), whether it ran the
 * measured job (role "measured"; a --neighbour run's guests 2..N do not),
 * whether it failed (any status but "ok"), why, its fio JSON (relative to
 * the mode folder), its own host CPU record. */
int vb_runrec_guest_vm(json_t *g);
bool vb_runrec_guest_measured(json_t *g);
bool vb_runrec_guest_failed(json_t *g);
const char *vb_runrec_guest_reason(json_t *g);
const char *vb_runrec_guest_file(json_t *g);
json_t *vb_runrec_guest_file_json(json_t *g);       /* string, null or NULL */
json_t *vb_runrec_guest_host_cpu(json_t *g);
/* Did a guest of the point fail (its figures are the others')? */
bool vb_runrec_point_partial(json_t *point);
/* A point's params: "idle"/"busy" under --neighbour, else NULL; and
 * whether two points' params differ in nothing else. */
const char *vb_runrec_point_neighbour(json_t *params);
bool vb_runrec_point_same_but_neighbour(json_t *a, json_t *b);
/* A point's params: its number of guests (--vms), 0 without; and whether
 * two points' params differ in nothing else. */
int vb_runrec_point_vms(json_t *params);
bool vb_runrec_point_same_but_vms(json_t *a, json_t *b);

/* ---- issue 28: the hypervisor's environment (host.env) ------------------ */

struct vb_env;
/* host.env: what moves I/O figures on the hypervisor (core/envrec.h; the
 * run engine reads it with host/hostenv.h, once per run). */
void vb_runrec_set_host_env(json_t *run, const struct vb_env *e);
/* host.env as recorded, each value checked and cleaned again (a run.json
 * is input): true with e filled (vb_env_release it), or false with e
 * zeroed (unknowns as unknown) when the run has none -- a run from before
 * schema 3, an import, a fleet's top record. */
bool vb_runrec_host_env(json_t *run, struct vb_env *e);
/* ---- issue 28, point 2: the host's load while each point measured ------ */

/* A window's (a repetition's) or a point's figures, in cores (CPU-seconds
 * per second); loadavg < 0 or NAN: unknown. */
struct vb_runrec_load {
	double window_s;
	int cpus;
	double total_cpu, own_cpu, other_cpu, loadavg;
	int other_qemu;                                  /* a point's: the most in one repetition */
	double other_qemu_cpu;
};
/* A repetition's "host_load" (rep: its entry, or the measure that
 * vb_runrec_rep_add merges into it). */
void vb_runrec_rep_set_host_load(json_t *rep, const struct vb_runrec_load *l);
/* A repetition's host_load into l: false when it has none (a run from
 * before schema 3, a window whose edges were not read). */
bool vb_runrec_rep_host_load(json_t *rep, struct vb_runrec_load *l);
/* Point pi of mode: "host_load", the means over its nreps repetitions
 * with figures, the busy flag and why (NULL: null). */
void vb_runrec_point_set_host_load(json_t *mode, size_t pi, const struct vb_runrec_load *l, int nreps, bool busy,
                                   const char *why);
/* A point's host_load: false when it has none; *busy, and *why (borrowed;
 * NULL when null or missing: free text from a results folder, clean it
 * for its sink). */
bool vb_runrec_point_host_load(json_t *point, struct vb_runrec_load *l, bool *busy, const char **why);

#endif
