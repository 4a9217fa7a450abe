/* runrec: run.json written and read in one place (runrec.h).  Each key is
 * spelled once, below; results/run.schema.json documents the same keys. */
#include "config.h"
#include "summary/runrec.h"
#include "core/results.h"
#include "core/envrec.h"
#include "core/util.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

/* the keys of run.json */
#define K_SCHEMA "schema"
#define K_ID "id"
#define K_STATE "state"
#define K_STARTED "started"
#define K_ENDED "ended"
#define K_RESUMED "resumed"
#define K_INTERRUPTED "interrupted"
#define K_VERSIONS "versions"
#define K_VMIO_BENCH "vmio_bench"
#define K_QEMU "qemu"
#define K_LIBVIRT "libvirt"
#define K_FIO "fio"
#define K_GUEST_KERNEL "guest_kernel"
#define K_HOST_KERNEL "host_kernel"
#define K_HOST "host"
#define K_HOSTNAME "hostname"
#define K_CPU "cpu"
#define K_CPUS "cpus"
#define K_MACHINE "machine"
#define K_HYPERVISOR "hypervisor"
#define K_REMOTE "remote"
#define K_HELPERS "helpers"
#define K_PLACEMENT "placement"
#define K_ACCELERATOR "accelerator"
#define K_NAME "name"
#define K_WHY "why"
#define K_EMULATED "emulated"
#define K_BASELINE "baseline"
#define K_CONNECT "connect"
#define K_IMAGE "image"
#define K_KERNEL "kernel"
#define K_INITRD "initrd"
#define K_MANIFEST "manifest"
#define K_BACKING_STORE "backing_store"
#define K_PATH "path"
#define K_TYPE "type"
#define K_SIZE "size"
#define K_CREATED "created_by_vmio_bench"
#define K_QCOW2 "qcow2_image"
#define K_GUEST "guest"
#define K_CPU_TOPOLOGY "cpu_topology"
#define K_SOCKETS "sockets"
#define K_CORES "cores"
#define K_THREADS "threads"
#define K_KERNEL_CMDLINE "kernel_cmdline"
#define K_JOB "job"
#define K_DESCRIPTION "description"
#define K_FIO_ARGS "fio_args"
#define K_SWEEP "sweep"
#define K_POINTS "points"
#define K_LABEL "label"
#define K_DIR "dir"
#define K_PARAMS "params"
#define K_CONFIG "config"
#define K_CONFIG_FILE "config_file"
#define K_TEXT "text"
#define K_MODES "modes"
#define K_SEEDS "seeds"
#define K_MODE "mode"
#define K_STATUS "status"
#define K_REASON "reason"
#define K_TUNING "tuning"
#define K_TUNING_OVERRIDES "tuning_overrides"
#define K_VARIANT_OF "variant_of"
#define K_IOTUNE "iotune"
#define K_IOTUNE_ALL "all"
#define K_IOTUNE_NEIGHBOURS "neighbours"
#define K_GUEST_DISK "guest_disk"
#define K_TEARDOWN "teardown"
#define K_STORAGE "storage"
#define K_TIMINGS "timings"
#define K_IMPORTED "imported"
#define K_REPS "reps"
#define K_AUTO_REPS "auto_reps"
#define K_REP "rep"
#define K_FILE "file"
#define K_IOPS_LOG "iops_log"
#define K_LAT_LOG "lat_log"
#define K_LAT_LOG_TRUNCATED "lat_log_truncated"
#define K_IOPS "iops"
#define K_READ "read"
#define K_WRITE "write"
#define K_SEED "seed"
#define K_WALL_S "wall_s"
#define K_HOST_CPU "host_cpu"
#define K_HOST_CPU_NS "host_cpu_ns"
#define K_WINDOW_S "window_s"
#define K_PROCESSES "processes"
#define K_THREADS "threads"
#define K_CLASSES "classes"
#define K_FLEET "fleet"
#define K_HOSTS "hosts"
#define K_EXIT "exit"
#define K_AT "at"
#define K_FIO_FIRST "fio_first"
#define K_FIO_LAST "fio_last"
#define K_FIO_VERSION "fio_version"
#define K_FILES "files"
#define K_ORIGIN "origin"
#define K_BYTES "bytes"
#define K_RERUN_OF "rerun_of"
/* --vms (issue 26) */
#define K_VMS "vms"
#define K_N "n"
#define K_N_MAX "n_max"
#define K_START_SPREAD_S "start_spread_s"
#define K_GUESTS "guests"
#define K_VM "vm"
#define K_ROLE "role"
#define K_START_S "start_s"
#define K_DISK "disk"
#define K_GUEST_DISK_BYTES "guest_disk_bytes"
#define K_MEMORY_MIB "memory_mib"
#define K_BOOTS "boots"
#define K_BOOT_S "boot_s"
#define K_PARTIAL "partial"
/* host.env (issue 28): the hypervisor's environment */
#define K_ENV "env"
#define K_ENV_GOVERNOR "cpufreq_governor"
#define K_ENV_BOOST "cpu_boost"
#define K_ENV_THP "thp"
#define K_ENV_THP_ENABLED "enabled"
#define K_ENV_THP_DEFRAG "defrag"
#define K_ENV_MITIGATIONS "mitigations"
#define K_ENV_NUMA_NODES "numa_nodes"
#define K_ENV_MEM_TOTAL_KIB "mem_total_kib"
#define K_ENV_STORE "store"
#define K_ENV_MOUNT "mount"
#define K_ENV_FS "fs"
#define K_ENV_SOURCE "source"
#define K_ENV_DEVICE "device"
#define K_ENV_SCHEDULER "scheduler"
#define K_ENV_ROTATIONAL "rotational"

#define MAX_RESULT_FILE (64u << 20)

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static double num(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static json_t *str_or_null(const char *s)
{
	json_t *j = s ? json_string(s) : NULL;
	return j ? j : json_null();
}

/* ---- loading ------------------------------------------------------------- */

json_t *vb_runrec_load(const char *run_dir, const char *path)
{
	struct stat st;
	json_error_t err;
	if (stat(path, &st) < 0) {
		vb_error("'%s' is not a vmio-bench run folder (no run.json: %s)", run_dir, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		vb_error("'%s' is not a regular file: not a run.json vmio-bench wrote", path);
		return NULL;
	}
	if (st.st_size > (off_t)MAX_RESULT_FILE) {
		vb_error("'%s' is larger than 64 MiB: not a run.json vmio-bench wrote", path);
		return NULL;
	}
	json_t *run = vb_json_load_regular(path, MAX_RESULT_FILE, JSON_REJECT_DUPLICATES, &err);
	if (!json_is_object(run)) {
		vb_error("'%s' is not valid JSON (line %d: %s)", path, err.line, err.text);
		json_decref(run);
		return NULL;
	}
	json_t *schema = json_object_get(run, K_SCHEMA);
	if (!json_is_integer(schema) || !VB_RESULTS_SCHEMA_OK(json_integer_value(schema))) {
		vb_error("'%s' has no results schema %d to %d: it was not written by this vmio-bench (or by a newer one: "
		         "upgrade to read it)", path, VB_RESULTS_SCHEMA_MIN, VB_RESULTS_SCHEMA);
		json_decref(run);
		return NULL;
	}
	return run;
}

const char *vb_runrec_legacy_storage(const char *backend, const char *format)
{
	if (backend && strcmp(backend, "null") == 0)
		return "null";
	if (backend && strcmp(backend, "block") == 0)
		return "block";
	if (format && strcmp(format, "qcow2") == 0)
		return "qcow2";
	return "raw";
}

const char *vb_runrec_storage(json_t *run)
{
	json_t *c = json_object_get(run, K_CONFIG);
	const char *s = str(c, "storage");
	return s && *s ? s : vb_runrec_legacy_storage(str(c, "backend"), str(c, "format"));
}

void vb_runrec_mode_point_set_reason(json_t *mode, size_t pi, const char *why)
{
	json_t *p = json_array_get(json_object_get(mode, K_POINTS), pi);
	if (json_is_object(p))
		json_object_set_new(p, K_REASON, json_string(why));
}

void vb_runrec_mode_set_storage(json_t *mode, const char *model, json_t *record)
{
	json_t *o = json_object_get(mode, K_STORAGE);
	if (!json_is_object(o)) {
		o = json_object();
		json_object_set_new(mode, K_STORAGE, o);
	}
	json_object_set(o, model, record ? record : json_null());
}

int vb_runrec_schema(json_t *run)
{
	json_t *s = json_object_get(run, K_SCHEMA);
	return json_is_integer(s) ? (int)json_integer_value(s) : 0;
}

bool vb_runrec_has_schema(json_t *run)
{
	return json_is_integer(json_object_get(run, K_SCHEMA));
}

bool vb_runrec_usable(json_t *run)
{
	return json_is_object(run) && VB_RESULTS_SCHEMA_OK(json_integer_value(json_object_get(run, K_SCHEMA))) &&
	       json_is_array(json_object_get(run, K_MODES));
}

/* ---- reading: the run ---------------------------------------------------- */

const char *vb_runrec_id(json_t *run) { return str(run, K_ID); }
const char *vb_runrec_state(json_t *run) { return str(run, K_STATE); }
const char *vb_runrec_started(json_t *run) { return str(run, K_STARTED); }
const char *vb_runrec_accel(json_t *run) { return str(json_object_get(run, K_ACCELERATOR), K_NAME); }
const char *vb_runrec_job_description(json_t *run) { return str(json_object_get(run, K_JOB), K_DESCRIPTION); }
json_t *vb_runrec_job_points(json_t *run) { return json_object_get(json_object_get(run, K_JOB), K_POINTS); }
json_t *vb_runrec_job_sweep(json_t *run) { return json_object_get(json_object_get(run, K_JOB), K_SWEEP); }
json_t *vb_runrec_modes(json_t *run) { return json_object_get(run, K_MODES); }
json_t *vb_runrec_config(json_t *run) { return json_object_get(run, K_CONFIG); }
json_t *vb_runrec_config_get(json_t *run, const char *option) { return json_object_get(vb_runrec_config(run), option); }
const char *vb_runrec_config_str(json_t *run, const char *option) { return json_string_value(vb_runrec_config_get(run, option)); }
json_t *vb_runrec_config_file_modes(json_t *run) { return json_object_get(json_object_get(run, K_CONFIG_FILE), K_MODES); }
const char *vb_runrec_connect(json_t *run) { return str(run, K_CONNECT); }
json_t *vb_runrec_hypervisor(json_t *run) { return json_object_get(run, K_HYPERVISOR); }
const char *vb_runrec_store_type(json_t *run) { return str(json_object_get(run, K_BACKING_STORE), K_TYPE); }
const char *vb_runrec_store_path(json_t *run) { return str(json_object_get(run, K_BACKING_STORE), K_PATH); }

bool vb_runrec_complete(json_t *run)
{
	const char *s = vb_runrec_state(run);
	return s && strcmp(s, "complete") == 0;
}

json_t *vb_runrec_job_point_params(json_t *run, size_t index)
{
	return json_object_get(json_array_get(vb_runrec_job_points(run), index), K_PARAMS);
}

const char *vb_runrec_baseline_recorded(json_t *run)
{
	return str(run, K_BASELINE);
}

const char *vb_runrec_baseline(json_t *run)
{
	json_t *base = json_object_get(run, K_BASELINE);
	/* absent: a run from before "baseline" was recorded, whose baseline was host */
	return json_is_string(base) ? json_string_value(base) : json_is_null(base) ? NULL : "host";
}

bool vb_runrec_hypervisor_remote(json_t *run)
{
	return json_is_true(json_object_get(vb_runrec_hypervisor(run), K_REMOTE));
}

json_t *vb_runrec_seeds_get(json_t *run)
{
	json_t *s = json_object_get(run, K_SEEDS);
	return json_is_array(s) ? s : NULL;
}

/* Where each compared field lives, and the schema that began to record it. */
static const struct {
	const char *obj, *key;
	int since;
} fields[] = {
	[VB_RRF_QEMU] = {K_VERSIONS, K_QEMU, 1},
	[VB_RRF_LIBVIRT] = {K_VERSIONS, K_LIBVIRT, 1},
	[VB_RRF_HOST_KERNEL] = {K_VERSIONS, K_HOST_KERNEL, 1},
	[VB_RRF_GUEST_KERNEL] = {K_VERSIONS, K_GUEST_KERNEL, 1},
	[VB_RRF_FIO] = {K_VERSIONS, K_FIO, 1},
	[VB_RRF_ACCEL] = {K_ACCELERATOR, K_NAME, 1},
	[VB_RRF_HOSTNAME] = {K_HOST, K_HOSTNAME, 2},
	[VB_RRF_CPU] = {K_HOST, K_CPU, 1},
	[VB_RRF_TUNING] = {K_CONFIG_FILE, K_MODES, 1},
	[VB_RRF_CONFIG] = {K_CONFIG, NULL, 1},
};
/* the paths, for messages: "versions.qemu" */
static const char *const field_paths[] = {
	[VB_RRF_QEMU] = K_VERSIONS "." K_QEMU,
	[VB_RRF_LIBVIRT] = K_VERSIONS "." K_LIBVIRT,
	[VB_RRF_HOST_KERNEL] = K_VERSIONS "." K_HOST_KERNEL,
	[VB_RRF_GUEST_KERNEL] = K_VERSIONS "." K_GUEST_KERNEL,
	[VB_RRF_FIO] = K_VERSIONS "." K_FIO,
	[VB_RRF_ACCEL] = K_ACCELERATOR "." K_NAME,
	[VB_RRF_HOSTNAME] = K_HOST "." K_HOSTNAME,
	[VB_RRF_CPU] = K_HOST "." K_CPU,
	[VB_RRF_TUNING] = K_CONFIG_FILE "." K_MODES,
	[VB_RRF_CONFIG] = K_CONFIG,
};

json_t *vb_runrec_field(json_t *run, enum vb_runrec_field f, const char *option)
{
	return json_object_get(json_object_get(run, fields[f].obj), fields[f].key ? fields[f].key : option);
}

bool vb_runrec_field_optional(enum vb_runrec_field f) { return fields[f].since > VB_RESULTS_SCHEMA_MIN; }

const char *vb_runrec_field_path(enum vb_runrec_field f) { return field_paths[f]; }
bool vb_runrec_field_is_fio(enum vb_runrec_field f) { return f == VB_RRF_FIO; }

static void clean_one(json_t *o, const char *key, char *(*clean)(char *))
{
	json_t *v = json_object_get(o, key);
	if (!json_is_string(v))
		return;
	char *c = clean(vb_strdup(json_string_value(v)));
	if (strcmp(c, json_string_value(v)) != 0)
		json_object_set_new(o, key, json_string(c));
	free(c);
}

void vb_runrec_clean_text(json_t *run, char *(*clean)(char *))
{
	json_t *job = json_object_get(run, K_JOB), *o, *p, *v;
	size_t i, j;
	const char *k;
	json_array_foreach(vb_runrec_modes(run), i, o) {
		clean_one(o, K_STATUS, clean);
		clean_one(o, K_REASON, clean);
		json_array_foreach(json_object_get(o, K_POINTS), j, p) clean_one(p, K_LABEL, clean);
	}
	json_array_foreach(json_object_get(job, K_POINTS), i, o) clean_one(o, K_LABEL, clean);
	clean_one(job, K_DESCRIPTION, clean);
	clean_one(run, K_STATE, clean);
	clean_one(run, K_STARTED, clean);
	clean_one(run, K_ENDED, clean);
	json_object_foreach(json_object_get(run, K_VERSIONS), k, v) clean_one(json_object_get(run, K_VERSIONS), k, clean);
	clean_one(json_object_get(run, K_ACCELERATOR), K_WHY, clean);
	clean_one(json_object_get(run, K_HOST), K_CPU, clean);
	clean_one(json_object_get(run, K_HOST), K_HOSTNAME, clean);
	clean_one(json_object_get(run, K_BACKING_STORE), K_PATH, clean);
}

/* ---- reading: a fleet ---------------------------------------------------- */

bool vb_runrec_is_fleet(json_t *run) { return json_is_object(json_object_get(run, K_FLEET)); }
json_t *vb_runrec_fleet(json_t *run) { return json_object_get(run, K_FLEET); }
json_t *vb_runrec_fleet_hosts(json_t *run) { return json_object_get(vb_runrec_fleet(run), K_HOSTS); }
const char *vb_runrec_fleet_host_label(json_t *host) { return str(host, K_LABEL); }
const char *vb_runrec_fleet_host_connect(json_t *host) { return str(host, K_CONNECT); }
const char *vb_runrec_fleet_host_dir(json_t *host) { return str(host, K_DIR); }
const char *vb_runrec_fleet_host_state(json_t *host) { return str(host, K_STATE); }
const char *vb_runrec_fleet_host_reason(json_t *host) { return str(host, K_REASON); }

json_t *vb_runrec_fleet_mode_new(json_t *mode, const char *name, const char *host)
{
	json_t *c = json_deep_copy(mode);
	json_object_set_new(c, K_MODE, json_string(name));
	json_object_set_new(c, K_HOST, json_string(host));
	return c;
}

json_t *vb_runrec_fleet_missing_new(const char *name, const char *host, const char *reason)
{
	return json_pack("{s:s, s:s, s:s, s:s}", K_MODE, name, K_HOST, host, K_STATUS, "failed", K_REASON, reason);
}

void vb_runrec_fleet_merge(json_t *merged, json_t *top, json_t *modes, char *(*clean)(char *))
{
	json_object_set_new(merged, K_MODES, modes);
	json_object_set(merged, K_ID, json_object_get(top, K_ID));
	json_object_set(merged, K_FLEET, json_object_get(top, K_FLEET));
	const char *keys[] = {K_STATE, K_STARTED, K_ENDED};
	for (int k = 0; k < 3; k++) {
		json_object_set(merged, keys[k], json_object_get(top, keys[k]));
		clean_one(merged, keys[k], clean);
	}
}

/* ---- reading: a mode, a point, a repetition ------------------------------ */

const char *vb_runrec_mode_name(json_t *mode) { return str(mode, K_MODE); }
const char *vb_runrec_mode_status(json_t *mode) { return str(mode, K_STATUS); }
const char *vb_runrec_mode_reason(json_t *mode) { return str(mode, K_REASON); }
json_t *vb_runrec_mode_points(json_t *mode) { return json_object_get(mode, K_POINTS); }
bool vb_runrec_mode_no_guest(json_t *mode) { return json_is_false(json_object_get(mode, K_GUEST)); }
json_t *vb_runrec_mode_iotune_all(json_t *mode)
{
	json_t *o = json_object_get(json_object_get(mode, K_IOTUNE), K_IOTUNE_ALL);
	return json_is_object(o) ? o : NULL;
}

json_t *vb_runrec_mode_imported(json_t *mode)
{
	json_t *imp = json_object_get(mode, K_IMPORTED);
	return json_is_object(imp) ? imp : NULL;
}

json_t *vb_runrec_mode_find(json_t *run, const char *mode)
{
	json_t *e;
	size_t k;
	json_array_foreach(vb_runrec_modes(run), k, e) {
		const char *name = vb_runrec_mode_name(e);
		if (name && strcmp(name, mode) == 0)
			return e;
	}
	return NULL;
}

bool vb_runrec_mode_done(json_t *mode)
{
	const char *st = vb_runrec_mode_status(mode);
	return st && strcmp(st, "ok") == 0;
}

json_t *vb_runrec_mode_point_reps(json_t *mode, const char *label)
{
	json_t *prev = NULL, *op;
	size_t k;
	json_array_foreach(vb_runrec_mode_points(mode), k, op) {
		const char *l = vb_runrec_point_label(op);
		if (l && !strcmp(l, label) && json_is_array(vb_runrec_point_reps(op)))
			prev = vb_runrec_point_reps(op);
	}
	return prev;
}

const char *vb_runrec_point_label(json_t *point) { return str(point, K_LABEL); }
json_t *vb_runrec_point_dir(json_t *point) { return json_object_get(point, K_DIR); }
const char *vb_runrec_point_dir_str(json_t *point) { return str(point, K_DIR); }
json_t *vb_runrec_point_params(json_t *point) { return json_object_get(point, K_PARAMS); }
json_t *vb_runrec_point_reps(json_t *point) { return json_object_get(point, K_REPS); }

const char *vb_runrec_rep_file(json_t *rep) { return str(rep, K_FILE); }
json_t *vb_runrec_rep_iops_log(json_t *rep) { return json_object_get(rep, K_IOPS_LOG); }
json_t *vb_runrec_rep_lat_log(json_t *rep) { return json_object_get(rep, K_LAT_LOG); }
bool vb_runrec_rep_lat_log_truncated(json_t *rep) { return json_is_true(json_object_get(rep, K_LAT_LOG_TRUNCATED)); }
json_t *vb_runrec_rep_host_cpu(json_t *rep) { return json_object_get(rep, K_HOST_CPU); }
double vb_runrec_rep_host_cpu_ns(json_t *rep) { return num(rep, K_HOST_CPU_NS); }
double vb_runrec_rep_wall_s(json_t *rep) { return num(rep, K_WALL_S); }
double vb_runrec_host_cpu_window_s(json_t *hc) { return num(hc, K_WINDOW_S); }
json_t *vb_runrec_host_cpu_processes(json_t *hc) { return json_object_get(hc, K_PROCESSES); }
json_t *vb_runrec_host_cpu_classes(json_t *hc, const char *process)
{
	return json_object_get(json_object_get(json_object_get(hc, K_THREADS), process), K_CLASSES);
}

const char *vb_runrec_imported_origin(json_t *imp) { return str(json_array_get(json_object_get(imp, K_FILES), 0), K_ORIGIN); }
const char *vb_runrec_imported_fio(json_t *imp) { return str(imp, K_FIO_VERSION); }
const char *vb_runrec_imported_at(json_t *imp) { return str(imp, K_AT); }
size_t vb_runrec_imported_nfiles(json_t *imp) { return json_array_size(json_object_get(imp, K_FILES)); }

/* ---- writing: the record of a run ---------------------------------------- */

/* What the guests and the store were: baseline, image, backing store. */
static void head_setup(json_t *run, const struct vb_runrec_head *h)
{
	json_object_set_new(run, K_BASELINE, str_or_null(h->baseline));
	json_object_set_new(run, K_CONNECT, json_string(h->connect));
	json_object_set_new(run, K_IMAGE, json_pack("{s:s, s:s, s:O?}", K_KERNEL, h->kernel, K_INITRD, h->initrd, K_MANIFEST,
	                                            h->image_manifest));
	json_object_set_new(run, K_BACKING_STORE, json_pack("{s:s?, s:s, s:I, s:b}", K_PATH, h->store_path, K_TYPE,
	                                                    h->store_type, K_SIZE, (json_int_t)h->store_size, K_CREATED,
	                                                    h->store_created));
	if (h->store_image)
		json_object_set_new(json_object_get(run, K_BACKING_STORE), K_QCOW2, json_string(h->store_image));
	json_object_set_new(run, K_GUEST, json_pack("{s:{s:i, s:i, s:i}, s:s}", K_CPU_TOPOLOGY, K_SOCKETS, 1, K_CORES,
	                                            h->vcpus, K_THREADS, 1, K_KERNEL_CMDLINE, h->kernel_cmdline));
}

json_t *vb_runrec_new(const struct vb_runrec_head *h)
{
	char *started = vb_utc_timestamp();
	json_t *run = json_pack("{s:i, s:s, s:s, s:s, s:n}", K_SCHEMA, VB_RESULTS_SCHEMA, K_ID, h->id, K_STATE, "incomplete",
	                        K_STARTED, started, K_ENDED);
	free(started);
	json_object_set_new(run, K_VERSIONS, json_pack("{s:s, s:o, s:o, s:n, s:n, s:o}", K_VMIO_BENCH, PACKAGE_VERSION,
	                                               K_QEMU, str_or_null(h->qemu), K_LIBVIRT, str_or_null(h->libvirt),
	                                               K_FIO, K_GUEST_KERNEL, K_HOST_KERNEL, str_or_null(h->host_kernel)));
	/* the machine: a history pools only runs of the same host name and CPU */
	json_object_set_new(run, K_HOST, json_pack("{s:o, s:o, s:i, s:o}", K_HOSTNAME, str_or_null(h->hostname), K_CPU,
	                                           str_or_null(h->cpu), K_CPUS, h->cpus, K_MACHINE, str_or_null(h->machine)));
	if (h->remote) {
		json_t *hv = json_pack("{s:o, s:b, s:s}", K_HOSTNAME, str_or_null(h->hv_hostname), K_REMOTE, 1, K_HELPERS,
		                       h->hv_helpers);
		if (h->placement)
			json_object_set(hv, K_PLACEMENT, h->placement);
		json_object_set_new(run, K_HYPERVISOR, hv);
	}
	json_object_set_new(run, K_ACCELERATOR, json_pack("{s:s, s:s, s:b}", K_NAME, h->accel, K_WHY, h->accel_why,
	                                                  K_EMULATED, strcmp(h->accel, "tcg") == 0));
	head_setup(run, h);
	json_object_set_new(run, K_JOB, json_pack("{s:s, s:O, s:O?, s:o}", K_DESCRIPTION, h->job_description, K_FIO_ARGS,
	                                          h->fio_args, K_SWEEP, h->sweep, K_POINTS, h->points));
	json_object_set_new(run, K_CONFIG, h->config);
	if (h->config_text) /* -c FILE: its text, and its per-mode tuning as run applied it */
		json_object_set_new(run, K_CONFIG_FILE, json_pack("{s:s, s:s, s:O}", K_PATH, h->config_path, K_TEXT,
		                                                  h->config_text, K_MODES, h->config_modes));
	json_object_set_new(run, K_MODES, json_array());
	return run;
}

json_t *vb_runrec_job_point_new(const char *label, const char *dir, json_t *params, json_t *fio_args)
{
	return json_pack("{s:s, s:s, s:o, s:O}", K_LABEL, label, K_DIR, dir, K_PARAMS, params, K_FIO_ARGS, fio_args);
}

/* Each repetition's random seed, drawn once per run and kept in run.json
 * (so that --resume goes on with the same ones); rep N of every mode and
 * point uses seed N, so modes still see the same offsets as each other. */
json_t *vb_runrec_seeds(json_t *run, unsigned reps)
{
	json_t *s = json_object_get(run, K_SEEDS);
	if (!json_is_array(s)) {
		s = json_array();
		json_object_set_new(run, K_SEEDS, s);
	}
	while (json_array_size(s) < reps) {
		uint32_t v = 0;
		if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
			v = (uint32_t)(vb_now() * 1e6) ^ (uint32_t)getpid();
		json_array_append_new(s, json_integer((json_int_t)v + 1));
	}
	return s;
}

void vb_runrec_set_state(json_t *run, const char *state)
{
	json_object_set_new(run, K_STATE, json_string(state));
}

void vb_runrec_resumed(json_t *run)
{
	char *now = vb_utc_timestamp();
	json_t *res = json_object_get(run, K_RESUMED);
	if (!json_is_array(res))
		json_object_set_new(run, K_RESUMED, res = json_array());
	json_array_append_new(res, json_string(now));
	free(now);
	vb_runrec_set_state(run, "incomplete");
}

void vb_runrec_close(json_t *run, const char *state)
{
	char *ended = vb_utc_timestamp();
	json_object_set_new(run, K_ENDED, json_string(ended));
	free(ended);
	vb_runrec_set_state(run, state);
}

void vb_runrec_end(json_t *run, bool interrupted)
{
	/* "incomplete" until every mode has had its turn: --resume continues it */
	vb_runrec_close(run, interrupted ? "incomplete" : "complete");
	if (interrupted)
		json_object_set_new(run, K_INTERRUPTED, json_true());
	else
		json_object_del(run, K_INTERRUPTED);
}

void vb_runrec_set_fio_version(json_t *run, const char *version)
{
	json_t *versions = json_object_get(run, K_VERSIONS);
	if (!json_is_string(json_object_get(versions, K_FIO)))
		json_object_set_new(versions, K_FIO, json_string(version));
}

void vb_runrec_set_guest_kernel(json_t *run, const char *kernel)
{
	json_object_set_new(json_object_get(run, K_VERSIONS), K_GUEST_KERNEL, json_string(kernel));
}

/* ---- writing: a mode, a point, a repetition ------------------------------ */

json_t *vb_runrec_mode(json_t *run, const char *mode)
{
	json_t *e = vb_runrec_mode_find(run, mode);
	if (!e) {
		e = json_pack("{s:s}", K_MODE, mode);
		json_array_append_new(vb_runrec_modes(run), e);
	}
	return e;
}

void vb_runrec_mode_set_reason(json_t *mode, const char *reason)
{
	json_object_set_new(mode, K_REASON, json_string(reason));
}

void vb_runrec_mode_set_status(json_t *mode, const char *status, const char *reason)
{
	json_object_set_new(mode, K_STATUS, json_string(status));
	if (reason)
		vb_runrec_mode_set_reason(mode, reason);
}

void vb_runrec_mode_begin(json_t *mode, json_t *points)
{
	json_object_set_new(mode, K_POINTS, points);
	json_object_del(mode, K_REASON);
}

void vb_runrec_mode_set_no_guest(json_t *mode) { json_object_set_new(mode, K_GUEST, json_false()); }
void vb_runrec_mode_set_tuning(json_t *mode, const char *tuning) { json_object_set_new(mode, K_TUNING, json_string(tuning)); }
void vb_runrec_mode_set_iotune(json_t *mode, json_t *all, json_t *neighbours)
{
	json_t *o = json_object();
	if (all)
		json_object_set(o, K_IOTUNE_ALL, all);
	if (neighbours)
		json_object_set(o, K_IOTUNE_NEIGHBOURS, neighbours);
	if (json_object_size(o))
		json_object_set_new(mode, K_IOTUNE, o);
	else
		json_decref(o);
}
void vb_runrec_mode_set_overrides(json_t *mode, json_t *ov) { json_object_set(mode, K_TUNING_OVERRIDES, ov); }
void vb_runrec_mode_set_variant_of(json_t *mode, const char *base)
{
	json_object_set_new(mode, K_VARIANT_OF, json_string(base));
}
const char *vb_runrec_mode_variant_of(json_t *mode) { return str(mode, K_VARIANT_OF); }

void vb_runrec_mode_set_guest_kernel(json_t *mode, const char *kernel)
{
	json_object_set_new(mode, K_GUEST_KERNEL, json_string(kernel));
}

void vb_runrec_mode_set_guest_disk(json_t *mode, json_t *disk)
{
	json_object_set_new(mode, K_GUEST_DISK, json_deep_copy(disk));
}

void vb_runrec_mode_set_teardown(json_t *mode, const char *how)
{
	json_t *was = json_object_get(mode, K_TEARDOWN);
	if (!json_is_string(was) || strcmp(json_string_value(was), "powered off") == 0)
		json_object_set_new(mode, K_TEARDOWN, json_string(how));
}

/* Each phase's key in "timings"; many: a list, one figure each time. */
static const struct {
	const char *key;
	bool many;
} phases[] = {
	[VB_PHASE_CHECKS] = {"checks_s", false},   [VB_PHASE_HOST_SETUP] = {"host_setup_s", false},
	[VB_PHASE_ACCEL_PROBE] = {"accel_probe_s", false}, [VB_PHASE_REPORT] = {"report_s", false},
	[VB_PHASE_PREPARE] = {"prepare_s", false}, [VB_PHASE_CLEANUP] = {"cleanup_s", false},
	[VB_PHASE_BOOT] = {"boot_s", true},        [VB_PHASE_TEARDOWN] = {"teardown_s", true},
};

void vb_runrec_timing(json_t *owner, enum vb_runrec_phase ph, double seconds)
{
	const char *phase = phases[ph].key;
	bool many = phases[ph].many;
	json_t *t = json_object_get(owner, K_TIMINGS);
	if (!json_is_object(t)) {
		t = json_object();
		json_object_set_new(owner, K_TIMINGS, t);
	}
	json_t *was = many ? json_object_get(t, phase) : NULL;
	if (!many)
		json_object_set_new(t, phase, json_real(seconds));
	else if (json_is_array(was))
		json_array_append_new(was, json_real(seconds));
	else /* the first of a phase that happens more than once */
		json_object_set_new(t, phase, json_pack("[f]", seconds));
}

json_t *vb_runrec_point_new(const char *label, const char *dir, json_t *params, json_t *reps)
{
	return json_pack("{s:s, s:s, s:o, s:O}", K_LABEL, label, K_DIR, dir, K_PARAMS, params, K_REPS, reps);
}

static json_t *real_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

void vb_runrec_point_set_auto_reps(json_t *mode, size_t pi, bool met, int reps, double ci_target, double read_ci,
                                   double write_ci)
{
	json_t *o = json_pack("{s:s, s:i, s:f, s:o, s:o}", "stopped_by", met ? "ci-target" : "max-reps", K_REPS, reps,
	                      "ci_target_pct", ci_target, "read_ci95_pct", real_or_null(read_ci), "write_ci95_pct",
	                      real_or_null(write_ci));
	json_object_set_new(json_array_get(vb_runrec_mode_points(mode), pi), K_AUTO_REPS, o);
}

json_t *vb_runrec_rep_new(int rep, const char *file, double read_iops, double write_iops)
{
	return json_pack("{s:i, s:o, s:n, s:{s:f, s:f}}", K_REP, rep, K_FILE, str_or_null(file), K_IOPS_LOG, K_IOPS,
	                 K_READ, read_iops, K_WRITE, write_iops);
}

json_t *vb_runrec_rep_measure_new(json_t *seed, double wall_s, json_t *host_cpu)
{
	return json_pack("{s:O, s:f, s:o}", K_SEED, seed, K_WALL_S, wall_s, K_HOST_CPU, host_cpu ? host_cpu : json_null());
}

void vb_runrec_rep_add(json_t *rep, json_t *measure) { json_object_update(rep, measure); }
void vb_runrec_rep_set_file(json_t *rep, const char *file) { json_object_set_new(rep, K_FILE, json_string(file)); }
void vb_runrec_rep_set_iops_log(json_t *rep, const char *file) { json_object_set_new(rep, K_IOPS_LOG, str_or_null(file)); }
void vb_runrec_rep_set_lat_log(json_t *rep, const char *file, bool truncated)
{
	json_object_set_new(rep, K_LAT_LOG, json_string(file));
	if (truncated)
		json_object_set_new(rep, K_LAT_LOG_TRUNCATED, json_true());
}

/* ---- writing: --vms ------------------------------------------------------ */

json_t *vb_runrec_vms_guest_new(unsigned vm, bool measured, const char *file, double read_iops, double write_iops,
                                double start_s, json_t *host_cpu)
{
	return json_pack("{s:i, s:s, s:s, s:s, s:{s:f, s:f}, s:o, s:o}", K_VM, (int)vm, K_ROLE,
	                 measured ? "measured" : "neighbour", K_STATUS, "ok", K_FILE, file, K_IOPS, K_READ, read_iops, K_WRITE,
	                 write_iops, K_START_S, real_or_null(start_s), K_HOST_CPU, host_cpu ? host_cpu : json_null());
}

json_t *vb_runrec_vms_guest_failed(unsigned vm, bool measured, const char *reason)
{
	return json_pack("{s:i, s:s, s:s, s:s}", K_VM, (int)vm, K_ROLE, measured ? "measured" : "neighbour", K_STATUS,
	                 "failed", K_REASON, reason);
}

void vb_runrec_rep_set_vms(json_t *rep, unsigned n, double start_spread_s, json_t *guests)
{
	json_object_set_new(rep, K_VMS, json_pack("{s:i, s:o, s:o}", K_N, (int)n, K_START_SPREAD_S, real_or_null(start_spread_s),
	                                          K_GUESTS, guests));
}

void vb_runrec_mode_set_vms(json_t *mode, unsigned n_max, const char *disk, unsigned long long disk_bytes,
                            unsigned memory_mib)
{
	json_t *o = json_object_get(mode, K_VMS);
	if (!json_is_object(o)) { /* a resumed run's boots stay */
		o = json_object();
		json_object_set_new(o, K_BOOTS, json_array());
		json_object_set_new(mode, K_VMS, o);
	}
	json_object_set_new(o, K_N_MAX, json_integer((json_int_t)n_max));
	json_object_set_new(o, K_DISK, json_string(disk));
	json_object_set_new(o, K_GUEST_DISK_BYTES, json_integer((json_int_t)disk_bytes));
	json_object_set_new(o, K_MEMORY_MIB, json_integer((json_int_t)memory_mib));
}

void vb_runrec_mode_vms_boot(json_t *mode, unsigned vm, unsigned n, const char *reason, double boot_s)
{
	json_t *b = json_pack("{s:i, s:i, s:s, s:o}", K_VM, (int)vm, K_N, (int)n, K_STATUS, reason ? "failed" : "ok", K_BOOT_S,
	                      real_or_null(boot_s));
	if (reason)
		json_object_set_new(b, K_REASON, json_string(reason));
	json_array_append_new(json_object_get(json_object_get(mode, K_VMS), K_BOOTS), b);
}

void vb_runrec_vms_starts_from(json_t *guests, double t0)
{
	size_t i;
	json_t *g;
	json_array_foreach(guests, i, g) {
		json_t *s = json_object_get(g, K_START_S);
		if (json_is_real(s))
			json_object_set_new(g, K_START_S, json_real(json_real_value(s) - t0));
	}
}

void vb_runrec_point_set_partial(json_t *mode, size_t pi)
{
	json_t *p = json_array_get(json_object_get(mode, K_POINTS), pi);
	if (json_is_object(p))
		json_object_set_new(p, K_PARTIAL, json_true());
}

/* ---- writing: a fleet, an import ----------------------------------------- */

json_t *vb_runrec_fleet_new(const char *id, json_t *hosts, json_t *config)
{
	char *started = vb_utc_timestamp();
	json_t *run = json_pack("{s:i, s:s, s:s, s:s, s:n, s:{s:o}, s:o}", K_SCHEMA, VB_RESULTS_SCHEMA, K_ID, id, K_STATE,
	                        "incomplete", K_STARTED, started, K_ENDED, K_FLEET, K_HOSTS, hosts, K_CONFIG, config);
	free(started);
	/* run.json's connect is a list here: each host's own run.json has its URI */
	json_object_set_new(vb_runrec_config(run), K_CONNECT, json_null());
	return run;
}

json_t *vb_runrec_fleet_host_new(const char *label, const char *connect, const char *dir)
{
	return json_pack("{s:s, s:s, s:s}", K_LABEL, label, K_CONNECT, connect, K_DIR, dir);
}

void vb_runrec_fleet_host_end(json_t *host, const char *state, int exit, const char *reason)
{
	json_object_set_new(host, K_STATE, json_string(state));
	json_object_set_new(host, K_EXIT, json_integer(exit));
	if (reason)
		json_object_set_new(host, K_REASON, json_string(reason));
	else
		json_object_del(host, K_REASON);
}

json_t *vb_runrec_import_new(const char *id, const char *fio_version, const char *started, const char *ended,
                             const char *description, json_t *params)
{
	return json_pack("{s:i, s:s, s:s, s:s, s:s, s:{s:s, s:s?}, s:{}, s:{s:s, s:s, s:b}, s:n, s:n,"
	                 " s:{s:s, s:[], s:n, s:[{s:s, s:s, s:o, s:[]}]}, s:{s:n}, s:[]}",
	                 K_SCHEMA, VB_RESULTS_SCHEMA, K_ID, id, K_STATE, "complete", K_STARTED, started, K_ENDED, ended,
	                 K_VERSIONS, K_VMIO_BENCH, PACKAGE_VERSION, K_FIO, fio_version, K_HOST, K_ACCELERATOR, K_NAME,
	                 "none", K_WHY, "imported results: no guest ran under vmio-bench", K_EMULATED, 0, K_BASELINE,
	                 K_CONNECT, K_JOB, K_DESCRIPTION, description, K_FIO_ARGS, K_SWEEP, K_POINTS, K_LABEL, "default",
	                 K_DIR, "", K_PARAMS, params, K_FIO_ARGS, K_CONFIG, K_RERUN_OF, K_MODES);
}

json_t *vb_runrec_import_origin_new(const char *origin, long long bytes)
{
	return json_pack("{s:s, s:I}", K_ORIGIN, origin, K_BYTES, (json_int_t)bytes);
}

void vb_runrec_add_imported(json_t *run, const char *mode, json_t *point, json_t *reps, const char *at,
                            const char *first, const char *last, const char *fio_version, json_t *origins)
{
	json_t *imported = json_pack("{s:s, s:s?, s:s?, s:s, s:O}", K_AT, at, K_FIO_FIRST, first, K_FIO_LAST, last,
	                             K_FIO_VERSION, fio_version, K_FILES, origins);
	json_array_append_new(vb_runrec_modes(run),
	                      json_pack("{s:s, s:[{s:O, s:O, s:O, s:O}], s:s, s:b, s:o}", K_MODE, mode, K_POINTS, K_LABEL,
	                                json_object_get(point, K_LABEL), K_DIR, json_object_get(point, K_DIR), K_PARAMS,
	                                json_object_get(point, K_PARAMS), K_REPS, reps, K_STATUS, "ok", K_GUEST, 0,
	                                K_IMPORTED, imported));
}

/* ---- issue 23 point 2, the run engine's last keys (r6): a remote
 * hypervisor's placement, a repetition's IOPS ----------------------------- */

#define K_POOL "pool"
#define K_POOL_DIR "pool_dir"
#define K_STORE "store"
#define K_FROM "from"
#define K_VOLUME "volume"
#define K_SHA256 "sha256"
#define K_REUSED "reused"
#define K_QCOW2_VOLUME "qcow2_volume"

json_t *vb_runrec_placement_new(const char *pool, const char *pool_dir)
{
	return json_pack("{s:s, s:s}", K_POOL, pool, K_POOL_DIR, pool_dir);
}

void vb_runrec_placement_file(json_t *pl, bool initrd, const char *from, const char *volume, const char *path,
                              const char *sha256, bool reused)
{
	json_object_set_new(pl, initrd ? K_INITRD : K_KERNEL,
	                    json_pack("{s:s, s:s, s:s, s:s, s:b}", K_FROM, from, K_VOLUME, volume, K_PATH, path, K_SHA256,
	                              sha256, K_REUSED, reused));
}

void vb_runrec_placement_store(json_t *pl, const char *volume, const char *path, bool reused)
{
	json_object_set_new(pl, K_STORE, json_pack("{s:s, s:s, s:b}", K_VOLUME, volume, K_PATH, path, K_REUSED, reused));
}

void vb_runrec_placement_store_qcow2(json_t *pl, const char *volume)
{
	json_object_set_new(json_object_get(pl, K_STORE), K_QCOW2_VOLUME, json_string(volume));
}

double vb_runrec_rep_iops(json_t *rep, bool write)
{
	return num(json_object_get(rep, K_IOPS), write ? K_WRITE : K_READ);
}

/* ---- issue 26: what the summary reads of a --vms repetition ------------- */

#define K_NEIGHBOUR "neighbour"

json_t *vb_runrec_rep_vms(json_t *rep)
{
	json_t *v = json_object_get(rep, K_VMS);
	return json_is_object(v) ? v : NULL;
}

int vb_runrec_vms_n(json_t *vms)
{
	json_t *n = json_object_get(vms, K_N);
	return json_is_integer(n) ? (int)json_integer_value(n) : -1;
}

double vb_runrec_vms_start_spread_s(json_t *vms) { return num(vms, K_START_SPREAD_S); }
json_t *vb_runrec_vms_guests(json_t *vms) { return json_object_get(vms, K_GUESTS); }

int vb_runrec_guest_vm(json_t *g)
{
	json_t *n = json_object_get(g, K_VM);
	return json_is_integer(n) ? (int)json_integer_value(n) : -1;
}

bool vb_runrec_guest_measured(json_t *g)
{
	const char *r = str(g, K_ROLE);
	return !r || strcmp(r, "neighbour") != 0; /* without --neighbour every guest is measured */
}

bool vb_runrec_guest_failed(json_t *g)
{
	const char *st = str(g, K_STATUS);
	return !st || strcmp(st, "ok") != 0;
}

const char *vb_runrec_guest_reason(json_t *g) { return str(g, K_REASON); }
const char *vb_runrec_guest_file(json_t *g) { return str(g, K_FILE); }
json_t *vb_runrec_guest_file_json(json_t *g) { return json_object_get(g, K_FILE); }
json_t *vb_runrec_guest_host_cpu(json_t *g) { return json_object_get(g, K_HOST_CPU); }
bool vb_runrec_point_partial(json_t *point) { return json_is_true(json_object_get(point, K_PARTIAL)); }

const char *vb_runrec_point_neighbour(json_t *params)
{
	return str(params, K_NEIGHBOUR);
}

static bool same_but(json_t *a, json_t *b, const char *key)
{
	json_t *x = json_deep_copy(a), *y = json_deep_copy(b);
	json_object_del(x, key);
	json_object_del(y, key);
	bool same = json_equal(x, y);
	json_decref(x);
	json_decref(y);
	return same;
}

bool vb_runrec_point_same_but_neighbour(json_t *a, json_t *b) { return same_but(a, b, K_NEIGHBOUR); }
bool vb_runrec_point_same_but_vms(json_t *a, json_t *b) { return same_but(a, b, K_VMS); }

int vb_runrec_point_vms(json_t *params)
{
	json_t *v = json_object_get(params, K_VMS);
	long n = json_is_integer(v) ? (long)json_integer_value(v) : json_is_string(v) ? strtol(json_string_value(v), NULL, 10) : 0;
	return n >= 1 && n <= 1000 ? (int)n : 0;
}

/* ---- issue 28: the hypervisor's environment (host.env) ----------------- */

static json_t *tristate(int v)
{
	return v < 0 ? json_null() : json_boolean(v);
}

static json_t *int_or_null(long long v)
{
	return v < 0 ? json_null() : json_integer((json_int_t)v);
}

static json_t *env_store_new(const struct vb_env *e)
{
	if (!e->has_store)
		return json_null();
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", K_PATH, str_or_null(e->store_path), K_ENV_MOUNT,
	                 str_or_null(e->store_mount), K_ENV_FS, str_or_null(e->store_fs), K_ENV_SOURCE,
	                 str_or_null(e->store_source), K_ENV_DEVICE, str_or_null(e->store_device), K_DISK,
	                 str_or_null(e->store_disk), K_ENV_SCHEDULER, str_or_null(e->store_scheduler), K_ENV_ROTATIONAL,
	                 tristate(e->store_rotational));
}

void vb_runrec_set_host_env(json_t *run, const struct vb_env *e)
{
	json_t *host = json_object_get(run, K_HOST), *mit = json_null();
	if (!json_is_object(host))
		json_object_set_new(run, K_HOST, host = json_object());
	if (e->has_mitigations) {
		mit = json_object();
		for (size_t i = 0; i < e->nmitigations; i++)
			json_object_set_new(mit, e->mitigations[i].name, str_or_null(e->mitigations[i].text));
	}
	json_object_set_new(host, K_ENV, json_pack("{s:o, s:o, s:o, s:{s:o, s:o}, s:o, s:o, s:o, s:o}", K_KERNEL,
	                                           str_or_null(e->kernel), K_ENV_GOVERNOR, str_or_null(e->governor),
	                                           K_ENV_BOOST, tristate(e->boost), K_ENV_THP, K_ENV_THP_ENABLED,
	                                           str_or_null(e->thp_enabled), K_ENV_THP_DEFRAG, str_or_null(e->thp_defrag),
	                                           K_ENV_MITIGATIONS, mit, K_ENV_NUMA_NODES, int_or_null(e->numa_nodes),
	                                           K_ENV_MEM_TOTAL_KIB, int_or_null(e->mem_total_kib), K_ENV_STORE,
	                                           env_store_new(e)));
}

/* Read back: a run.json is input, so each value is checked for its type
 * and cleaned for its field again, as hostenv.c cleaned it. */
static char *env_word(json_t *o, const char *k)
{
	return vb_env_word(str(o, k), VB_ENV_WORD_MAX);
}

static char *env_text(json_t *o, const char *k, size_t cap)
{
	return vb_env_text(str(o, k), cap);
}

static int env_tristate(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_boolean(v) ? json_is_true(v) : -1;
}

static long long env_count(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_integer(v) && json_integer_value(v) >= 0 ? (long long)json_integer_value(v) : -1;
}

static void env_store_get(json_t *st, struct vb_env *e)
{
	if (!json_is_object(st))
		return;
	e->has_store = true;
	e->store_path = env_text(st, K_PATH, VB_ENV_PATH_MAX);
	e->store_mount = env_text(st, K_ENV_MOUNT, VB_ENV_PATH_MAX);
	e->store_fs = env_word(st, K_ENV_FS);
	e->store_source = env_text(st, K_ENV_SOURCE, VB_ENV_PATH_MAX);
	e->store_device = env_word(st, K_ENV_DEVICE);
	e->store_disk = env_word(st, K_DISK);
	e->store_scheduler = env_word(st, K_ENV_SCHEDULER);
	e->store_rotational = env_tristate(st, K_ENV_ROTATIONAL);
}

bool vb_runrec_host_env(json_t *run, struct vb_env *e)
{
	json_t *env = json_object_get(json_object_get(run, K_HOST), K_ENV), *thp, *mit, *v;
	const char *name;
	memset(e, 0, sizeof(*e));
	e->boost = e->numa_nodes = e->store_rotational = -1;
	e->mem_total_kib = -1;
	if (!json_is_object(env))
		return false;
	e->kernel = env_text(env, K_KERNEL, VB_ENV_TEXT_MAX);
	e->governor = env_text(env, K_ENV_GOVERNOR, VB_ENV_TEXT_MAX);
	e->boost = env_tristate(env, K_ENV_BOOST);
	thp = json_object_get(env, K_ENV_THP);
	e->thp_enabled = env_word(thp, K_ENV_THP_ENABLED);
	e->thp_defrag = env_word(thp, K_ENV_THP_DEFRAG);
	mit = json_object_get(env, K_ENV_MITIGATIONS);
	e->has_mitigations = json_is_object(mit);
	json_object_foreach(mit, name, v)
		vb_env_add_mitigation(e, name, json_string_value(v));
	long long nodes = env_count(env, K_ENV_NUMA_NODES);
	e->numa_nodes = nodes <= 65536 ? (int)nodes : -1;
	e->mem_total_kib = env_count(env, K_ENV_MEM_TOTAL_KIB);
	env_store_get(json_object_get(env, K_ENV_STORE), e);
	return true;
}

/* ---- issue 28, point 2: the host's load while each point measured ------- */

#define K_HOST_LOAD "host_load"
#define K_TOTAL_CPU "total_cpu"
#define K_OWN_CPU "own_cpu"
#define K_OTHER_CPU "other_cpu"
#define K_LOADAVG "loadavg"
#define K_OTHER_QEMU "other_qemu"
#define K_OTHER_QEMU_CPU "other_qemu_cpu"
#define K_BUSY "busy"

static json_t *load_json(const struct vb_runrec_load *l)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:i, s:o}", K_TOTAL_CPU, real_or_null(l->total_cpu), K_OWN_CPU,
	                 real_or_null(l->own_cpu), K_OTHER_CPU, real_or_null(l->other_cpu), K_LOADAVG,
	                 real_or_null(l->loadavg >= 0 ? l->loadavg : NAN), K_OTHER_QEMU, l->other_qemu, K_OTHER_QEMU_CPU,
	                 real_or_null(l->other_qemu_cpu));
}

void vb_runrec_rep_set_host_load(json_t *rep, const struct vb_runrec_load *l)
{
	json_t *o = load_json(l);
	json_object_set_new(o, K_WINDOW_S, real_or_null(l->window_s));
	json_object_set_new(o, K_CPUS, json_integer(l->cpus));
	json_object_set_new(rep, K_HOST_LOAD, o);
}

/* host_load's figures into l: false when o is not one (other_cpu and
 * own_cpu are what every reader needs). */
static bool load_read(json_t *o, struct vb_runrec_load *l)
{
	json_t *q = json_object_get(o, K_OTHER_QEMU);
	l->window_s = num(o, K_WINDOW_S);
	l->cpus = json_is_integer(json_object_get(o, K_CPUS)) ? (int)json_integer_value(json_object_get(o, K_CPUS)) : 0;
	l->total_cpu = num(o, K_TOTAL_CPU);
	l->own_cpu = num(o, K_OWN_CPU);
	l->other_cpu = num(o, K_OTHER_CPU);
	l->loadavg = num(o, K_LOADAVG);
	l->other_qemu = json_is_integer(q) && json_integer_value(q) >= 0 && json_integer_value(q) < 100000
	                        ? (int)json_integer_value(q) : 0;
	l->other_qemu_cpu = num(o, K_OTHER_QEMU_CPU);
	return json_is_object(o) && !isnan(l->other_cpu) && !isnan(l->own_cpu);
}

bool vb_runrec_rep_host_load(json_t *rep, struct vb_runrec_load *l)
{
	return load_read(json_object_get(rep, K_HOST_LOAD), l);
}

void vb_runrec_point_set_host_load(json_t *mode, size_t pi, const struct vb_runrec_load *l, int nreps, bool busy,
                                   const char *why)
{
	json_t *p = json_array_get(json_object_get(mode, K_POINTS), pi), *o = load_json(l);
	json_object_set_new(o, K_REPS, json_integer(nreps));
	json_object_set_new(o, K_BUSY, json_boolean(busy));
	json_object_set_new(o, K_WHY, str_or_null(why));
	if (json_is_object(p))
		json_object_set_new(p, K_HOST_LOAD, o);
	else
		json_decref(o);
}

bool vb_runrec_point_host_load(json_t *point, struct vb_runrec_load *l, bool *busy, const char **why)
{
	json_t *o = json_object_get(point, K_HOST_LOAD);
	*busy = json_is_true(json_object_get(o, K_BUSY));
	*why = str(o, K_WHY);
	return load_read(o, l);
}
