/* integrity: a guest's writes read back with no guest (integrity.h). */
#include "config.h"
#include "runner/integrity.h"
#include "modes/vhost_user_blk.h"
#include "storage/storage.h"
#include "guest/agent.h"
#include "guest/image.h"
#include "guest/session.h"
#include "host/hv.h"
#include "core/util.h"

#include <stdlib.h>
#include <sys/random.h>
#include <unistd.h>
#include <string.h>

#define ENGINE "vhost-user-blk.so"
/* 16 MiB in 64 KiB blocks, seconds under TCG.  Every block: fio's header
 * (its magic, length and offset) and then a 32-bit value repeated, new
 * for every run.  Not crc32c alone: a block an earlier run wrote (the
 * store outlives runs) carries a valid checksum of its own data, and fio
 * skips the header's seed check on a write job's verify (fio 3.33,
 * verify.c), so a storage that dropped this run's writes would pass. */
#define PATTERN_BYTES "16m"

/* The job both sides run: the guest writes it, the host re-runs it with
 * --verify_only (fio recomputes what each block must hold). */
static const char *const pattern[] = {
	"--name=vmio-integrity", "--rw=write", "--bs=64k", "--size=" PATTERN_BYTES, "--offset=0", "--direct=1",
	"--iodepth=4", "--verify=pattern", "--verify_fatal=1", "--do_verify=1", NULL,
};

/* A new value for every write (never 0: a zeroed block must not pass):
 * the models of a run share the store, so a value another check wrote
 * must not pass for this one. */
static void new_seed(struct vb_runner *x)
{
	x->integrity_seed = 0;
	while (!(x->integrity_seed & 0xffffffffULL))
		if (getrandom(&x->integrity_seed, sizeof(x->integrity_seed), 0) < 0)
			x->integrity_seed = (unsigned long long)(vb_now() * 1e6) * 2654435761ULL;
}

static unsigned long long run_seed(const struct vb_runner *x)
{
	return x->integrity_seed;
}

static json_t *pattern_args(struct vb_runner *x, const char *engine_arg, bool verify_only)
{
	json_t *a = json_array();
	for (size_t i = 0; pattern[i]; i++)
		json_array_append_new(a, json_string(pattern[i]));
	char *seed = vb_asprintf("--verify_pattern=0x%08llx", run_seed(x) & 0xffffffffULL);
	json_array_append_new(a, json_string(seed));
	free(seed);
	json_array_append_new(a, json_string(engine_arg));
	if (verify_only) {
		json_array_append_new(a, json_string("--verify_only=1"));
		/* fio would save its verify state in the current folder
		 * (local-vmio-integrity-0-verify.state), wherever vmio-bench
		 * was started */
		json_array_append_new(a, json_string("--verify_state_save=0"));
	}
	return a;
}

bool vb_integrity_due(const struct vb_runner *x, const struct vb_mode *m, const struct vb_disk_ctx *d)
{
	/* a passed-through device is not the model's storage */
	if (strcmp(x->cfg->integrity, "off") == 0 || m->host || m->guest_pci || d->foreign_disk ||
	    d->stor->model->no_data)
		return false;
	return strcmp(x->cfg->integrity, "each") == 0 || !json_object_get(x->verified, d->stor->model->name);
}

bool vb_integrity_written(const struct vb_runner *x)
{
	return x->integrity_written;
}

int vb_integrity_write(struct vb_runner *x, const struct vb_mode *m, struct vb_guest *g, struct vb_disk_ctx *d,
                       char **why)
{
	json_t *job = vb_agent_msg_new("job"), *msg = NULL;
	const char *type;
	struct vb_cpu_meter meter;
	new_seed(x);
	x->integrity_written = false;
	json_object_set_new(job, "id", json_string("integrity"));
	json_object_set_new(job, "serial", d->serial ? json_string(d->serial) : json_null());
	json_object_set_new(job, "args", pattern_args(x, "--ioengine=libaio", false));
	json_object_set_new(job, "window", json_pack("[f, f]", 0.0, 0.0));
	vb_info("%s: integrity: the guest writes %s of verifiable blocks (storage %s)", m->name, PATTERN_BYTES,
	        d->stor->model->name);
	vb_cpu_meter_init(&meter, g, d->helper_name, d->helper_pid);
	int rc = vb_session_job(g, job, vb_now() + 300, &meter, &msg, &type, why);
	if (rc == 0)
		*why = vb_strdup("integrity: the guest's write did not finish within 300 s");
	else if (rc > 0 && strcmp(type, "result") != 0) {
		json_t *em = json_object_get(msg, "message");
		*why = vb_asprintf("integrity: the guest could not write and verify its pattern: %s",
		                   json_is_string(em) ? json_string_value(em) : type);
		rc = -1;
	}
	vb_cpu_meter_release(&meter);
	json_decref(job);
	json_decref(msg);
	x->integrity_written = rc > 0;
	return rc > 0 ? 0 : -1;
}

/* Without the reader (qemu-storage-daemon, the engine vmio-bench builds
 * against fio's source) the check cannot be made: said, once per model
 * and in run.json, not failed, for the measurement itself is sound. */
static void not_checked(struct vb_runner *x, const char *model, json_t *record, const char *engine, char **why)
{
	char *w = *why ? *why : vb_asprintf("fio's vhost-user-blk engine is not built (%s)", engine);
	/* (the reason in run.json: a missing daemon is said once, by its mode) */
	vb_warn("integrity: storage %s not checked: no qemu-storage-daemon or vhost-user-blk engine on %s (run.json "
	        "says which)", model, vb_hv_where());
	json_object_set_new(record, "integrity", json_pack("{s:s, s:s}", "result", "not checked", "why", w));
	free(w);
	*why = NULL;
	json_object_set_new(x->verified, model, json_false());
}

int vb_integrity_check(struct vb_runner *x, const struct vb_disk_ctx *d, const char *model, json_t *record, char **why)
{
	struct vb_disk_ctx h = *d;
	struct vhost_state st = {0};
	char *engine = vb_helper_path(ENGINE), *eng = vb_asprintf("--ioengine=external:%s", engine), *sock = NULL;
	/* fio's IOPS log (here: fetched from a remote hypervisor) is no
	 * result: removed before (a resumed run's folder is input, and fio,
	 * root, would follow a link planted there) and after */
	char *log = vb_asprintf("%s/integrity", d->mode_dir), *out = NULL;
	char *iolog = vb_asprintf("%s_iops.log", log), *histlog = vb_asprintf("%s_clat_hist.log", log);
	unlink(iolog);
	unlink(histlog);
	json_t *cpu = NULL, *args = NULL;
	int rc = -1;

	h.priv = &st;
	/* its daemon's log is kept only when the check fails: no file of a
	 * qemu-storage-daemon the mode itself never ran */
	char *qlog = vb_asprintf("%s/integrity-qemu-storage-daemon.log", d->mode_dir);
	st.daemon_log = vb_strdup(qlog);
	if (vb_vhost_probe(x->cfg, why) < 0 || !vb_hv_test("-r", engine)) {
		not_checked(x, model, record, engine, why);
		free(eng);
		free(engine);
		free(iolog);
		free(histlog);
		free(log);
		free(qlog);
		free(st.daemon_log);
		return 0;
	}
	if (vb_vhost_prepare(&h, why) < 0)
		goto out;
	sock = vb_asprintf("--vhost_socket=%s", st.socket);
	const char *extra[] = {sock, "--vhost_queue_size=128", "--filename=vhost-user-blk", NULL};
	args = pattern_args(x, eng, true);
	rc = vb_mode_host_fio(&h, args, extra, log, &out, &cpu, why);
out:
	vb_vhost_cleanup(&h);
	if (rc == 0)
		unlink(qlog);
	free(qlog);
	x->integrity_written = false;
	unlink(iolog);
	unlink(histlog);
	free(iolog);
	free(histlog);
	json_object_set_new(record, "integrity",
	                    json_pack("{s:s, s:I, s:s, s:s, s:s}", "pattern", PATTERN_BYTES " in 64k blocks: fio's header and a 32-bit value",
	                              "value", (json_int_t)(run_seed(x) & 0xffffffffULL),
	                              "written_by", "fio in the guest", "read_back_by",
	                              "fio's vhost-user-blk engine through qemu-storage-daemon (no guest) on the medium", "result",
	                              rc == 0 ? "ok" : "failed"));
	if (rc < 0) {
		char *w = vb_asprintf("integrity: what the guest wrote did not read back through the storage with no guest "
		                      "(%s)", *why ? *why : "unknown");
		free(*why);
		*why = w;
	} else {
		json_object_set_new(x->verified, model, json_true());
		vb_info("integrity: storage %s read back what the guest wrote", model);
	}
	json_decref(args);
	json_decref(cpu);
	free(out);
	free(sock);
	free(log);
	free(eng);
	free(engine);
	return rc;
}

int vb_integrity_check_medium(struct vb_runner *x, const char *mdir, const char *model, json_t *record, char **why)
{
	/* the store the server read and wrote, opened raw as a file */
	struct vb_stor st;
	struct vb_disk_ctx d;
	vb_stor_init(&st, vb_storage_find("raw"), x->cfg, x->virt, &x->store, x->run_dir, mdir, vb_hv_system());
	vb_stor_plan(&st);
	vb_mode_disk_ctx(&d, x->cfg, &st, x->run_dir);
	d.virt = x->virt;
	d.mode_dir = mdir;
	int rc = vb_integrity_check(x, &d, model, record, why);
	vb_stor_teardown(&st);
	return rc;
}
