/* manifest: run.json, the record of a run -- what was measured how, as the
 * run goes: created at the start (state "incomplete"), updated after each
 * mode, closed at the end; and read back for --resume. */
#include "config.h"
#include "runner/manifest.h"
#include "guest/domxml.h"
#include "core/job.h"
#include "core/options.h"
#include "core/results.h"
#include "host/hv.h"
#include "core/util.h"
#include "guest/virt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <string.h>
#include <sys/random.h>
#include <sys/utsname.h>
#include <unistd.h>

static json_t *str_or_null(char *s)
{
	json_t *j = s ? json_string(s) : json_null();
	free(s);
	return j ? j : json_null();
}

/* The job as run.json records it: its description, fio's arguments and
 * the sweep's points. */
static json_t *job_json(const struct vb_manifest_in *in)
{
	const struct vb_config *c = in->cfg;
	char *desc = vb_job_describe(c);
	if (c->sweep) {
		char *d2 = vb_asprintf("%s; swept: %s", desc, c->sweep);
		free(desc);
		desc = d2;
	}
	json_t *jpoints = json_array();
	for (size_t i = 0; i < in->plan->npoints; i++)
		json_array_append_new(jpoints, json_pack("{s:s, s:s, s:o, s:O}", "label", in->plan->points[i].label,
		                                         "dir", in->plan->points[i].dir, "params",
		                                         vb_point_params(&in->plan->points[i]), "fio_args", in->point_args[i]));
	json_t *job = json_pack("{s:s, s:O, s:O?, s:o}", "description", desc, "fio_args", in->point_args[0], "sweep",
	                        in->plan->sweep, "points", jpoints);
	free(desc);
	return job;
}

/* What the guests and the store were: image, backing store, baseline. */
static void setup_json(json_t *run, const struct vb_manifest_in *in)
{
	const struct vb_config *c = in->cfg;
	const struct vb_store *st = in->store;
	/* the mode every other is divided by: host, when it runs */
	json_t *baseline = json_null();
	for (size_t i = 0; in->modes[i]; i++)
		if (in->modes[i]->baseline && json_is_null(baseline))
			baseline = json_string(in->modes[i]->name);
	json_object_set_new(run, "baseline", baseline);
	json_object_set_new(run, "connect", json_string(c->connect));
	json_object_set_new(run, "image", json_pack("{s:s, s:s, s:O?}", "kernel", in->img->kernel, "initrd", in->img->initrd,
	                                            "manifest", in->img->manifest));
	json_object_set_new(run, "backing_store", json_pack("{s:s?, s:s, s:I, s:b}", "path", st->path, "type",
		strcmp(c->backend, "null") == 0 ? "null" : st->is_block ? "block" : "file",
		"size", (json_int_t)(st->path ? st->size : c->size), "created_by_vmio_bench", st->created));
	if (st->image)
		json_object_set_new(json_object_get(run, "backing_store"), "qcow2_image", json_string(st->image));
	/* what every guest was given beyond the job's settings (each mode's
	 * domain.xml has the rest, with the drivers its /init loads) */
	json_object_set_new(run, "guest", json_pack("{s:{s:i, s:i, s:i}, s:s}", "cpu_topology", "sockets", 1, "cores",
	                                            (int)c->vcpus, "threads", 1, "kernel_cmdline", VB_GUEST_CMDLINE));
}

/* The hypervisor the run measured on: where it is and how it was reached
 * (a remote one: over ssh, its pool and volumes). */
static json_t *hypervisor_json(const struct vb_manifest_in *in)
{
	json_t *h = json_pack("{s:o, s:b, s:s}", "hostname", str_or_null(vb_virt_hostname(in->virt)), "remote",
	                      vb_hv_remote(), "helpers", vb_hv_where());
	if (in->placement)
		json_object_set(h, "placement", in->placement);
	return h;
}

json_t *vb_manifest_new(const struct vb_manifest_in *in)
{
	char *started = vb_utc_timestamp();
	json_t *run = json_pack("{s:i, s:s, s:s, s:s, s:o}", "schema", VB_RESULTS_SCHEMA, "id", in->id, "state", "incomplete",
	                        "started", started, "ended", json_null());
	free(started);
	json_object_set_new(run, "versions", json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}",
		"vmio_bench", PACKAGE_VERSION,
		"qemu", str_or_null(vb_virt_hypervisor_version(in->virt)),
		"libvirt", str_or_null(vb_virt_library_version(in->virt)),
		"fio", json_null(),
		"guest_kernel", json_null(),
		"host_kernel", str_or_null(vb_hv_uname('r'))));
	/* the machine: a history pools only runs of the same host name and CPU */
	json_object_set_new(run, "host", json_pack("{s:o, s:o, s:i, s:o}", "hostname", str_or_null(vb_virt_hostname(in->virt)),
		"cpu", str_or_null(vb_hv_cpu_model()), "cpus", (int)vb_hv_cpus(), "machine", str_or_null(vb_hv_uname('m'))));
	if (vb_hv_remote())
		json_object_set_new(run, "hypervisor", hypervisor_json(in));
	json_object_set_new(run, "accelerator", json_pack("{s:s, s:s, s:b}",
		"name", in->accel->name, "why", in->accel->why, "emulated", strcmp(in->accel->name, "tcg") == 0));
	setup_json(run, in);
	json_object_set_new(run, "job", job_json(in));
	json_object_set_new(run, "config", vb_options_to_json(in->cfg, VB_CMD_RUN));
	if (in->cfg->config_text) /* -c FILE: its text, and its per-mode tuning as run applied it */
		json_object_set_new(run, "config_file",
		                    json_pack("{s:s, s:s, s:O}", "path", in->cfg->config, "text", in->cfg->config_text, "modes",
		                              in->cfg->mode_tuning));
	json_object_set_new(run, "modes", json_array());
	return run;
}

/* --resume RUN: the run's own run.json, its recorded configuration applied
 * to c (and its accelerator, so that the figures stay comparable).  NULL
 * after reporting when the run cannot be resumed. */
/* One of dir and dir/run.json: ours (or root's) and writable by nobody
 * else, else reported. */
static int trusted_one(const char *path, const struct stat *st, const char *what)
{
	/* group-writable is fine for this user's own group (umask 002) */
	if ((st->st_uid == geteuid() || st->st_uid == 0) && !(st->st_mode & S_IWOTH) &&
	    (!(st->st_mode & S_IWGRP) || st->st_gid == getegid()))
		return 0;
	return vb_error("%s: '%s' is owned by uid %u with mode %03o: others could have written the run.json whose --disk, "
	                "--pci-device and hypervisor would be measured again; make it yours and not writable by others "
	                "(chown, chmod go-w) if you trust it, or measure a new run",
	                what, path, (unsigned)st->st_uid, (unsigned)(st->st_mode & 0777));
}

int vb_manifest_trusted(const char *dir, const char *what)
{
	char *p = vb_asprintf("%s/run.json", dir);
	struct stat d, f;
	int r;
	if (stat(dir, &d) < 0 || lstat(p, &f) < 0)
		r = vb_error("%s: cannot read '%s': %s: give a run folder vmio-bench made", what, p, strerror(errno));
	else if (!S_ISREG(f.st_mode))
		r = vb_error("%s: '%s' is not a regular file: not a run.json vmio-bench wrote", what, p);
	else
		r = trusted_one(dir, &d, what) < 0 || trusted_one(p, &f, what) < 0 ? -1 : 0;
	free(p);
	return r;
}

json_t *vb_manifest_resume(struct vb_config *c)
{
	if (vb_manifest_trusted(c->resume, "--resume") < 0)
		return NULL;
	char *path = vb_asprintf("%s/run.json", c->resume);
	json_error_t err;
	json_t *run = vb_json_load_regular(path, 64u << 20, JSON_REJECT_DUPLICATES, &err);
	const char *state = run ? json_string_value(json_object_get(run, "state")) : NULL;
	const char *accel = run ? json_string_value(json_object_get(json_object_get(run, "accelerator"), "name")) : NULL;

	if (!run) {
		vb_error("--resume: cannot read '%s' (%s): give a run folder vmio-bench made", path, err.text);
		goto fail;
	}
	if (!json_is_integer(json_object_get(run, "schema")) || !json_is_string(json_object_get(run, "id")) ||
	    !json_is_array(json_object_get(run, "modes")) || !state || !accel) {
		vb_error("--resume: '%s' is not a run.json this vmio-bench wrote", path);
		goto fail;
	}
	if (strcmp(state, "complete") == 0) {
		vb_error("--resume: run '%s' is complete: there is nothing to resume", c->resume);
		goto fail;
	}
	char *keep = vb_strdup(c->resume);
	bool quiet = c->quiet;
	json_decref(c->mode_tuning); /* the run's own per-mode tuning, if it had any */
	c->mode_tuning = json_deep_copy(json_object_get(json_object_get(run, "config_file"), "modes"));
	if (vb_options_from_json(c, VB_CMD_RUN, json_object_get(run, "config")) < 0) {
		free(keep);
		goto fail;
	}
	free(c->resume);
	c->resume = keep;
	c->quiet = quiet;
	free(c->accel);
	c->accel = vb_strdup(accel);
	free(path);
	return run;
fail:
	json_decref(run);
	free(path);
	return NULL;
}

void vb_manifest_resumed(json_t *run)
{
	char *now = vb_utc_timestamp();
	json_t *res = json_object_get(run, "resumed");
	if (!json_is_array(res))
		json_object_set_new(run, "resumed", res = json_array());
	json_array_append_new(res, json_string(now));
	free(now);
	json_object_set_new(run, "state", json_string("incomplete"));
}

/* Each repetition's random seed, drawn once per run and kept in run.json
 * (so that --resume goes on with the same ones); rep N of every mode and
 * point uses seed N, so modes still see the same offsets as each other. */
json_t *vb_manifest_seeds(json_t *run, unsigned reps)
{
	json_t *s = json_object_get(run, "seeds");
	if (!json_is_array(s)) {
		s = json_array();
		json_object_set_new(run, "seeds", s);
	}
	while (json_array_size(s) < reps) {
		uint32_t v = 0;
		if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
			v = (uint32_t)(vb_now() * 1e6) ^ (uint32_t)getpid();
		json_array_append_new(s, json_integer((json_int_t)v + 1));
	}
	return s;
}

json_t *vb_manifest_mode_find(json_t *run, const char *mode)
{
	json_t *e;
	size_t k;
	json_array_foreach(json_object_get(run, "modes"), k, e) {
		const char *name = json_string_value(json_object_get(e, "mode"));
		if (name && strcmp(name, mode) == 0)
			return e;
	}
	return NULL;
}

json_t *vb_manifest_mode(json_t *run, const char *mode)
{
	json_t *e = vb_manifest_mode_find(run, mode);
	if (!e) {
		e = json_pack("{s:s}", "mode", mode);
		json_array_append_new(json_object_get(run, "modes"), e);
	}
	return e;
}

bool vb_manifest_mode_done(json_t *mj)
{
	const char *st = json_string_value(json_object_get(mj, "status"));
	return st && strcmp(st, "ok") == 0;
}

void vb_manifest_end(json_t *run, bool interrupted)
{
	char *ended = vb_utc_timestamp();
	json_object_set_new(run, "ended", json_string(ended));
	free(ended);
	/* "incomplete" until every mode has had its turn: --resume continues it */
	json_object_set_new(run, "state", json_string(interrupted ? "incomplete" : "complete"));
	if (interrupted)
		json_object_set_new(run, "interrupted", json_true());
	else
		json_object_del(run, "interrupted");
}

int vb_manifest_save(const char *dir, json_t *run)
{
	char *p = vb_asprintf("%s/run.json", dir);
	int r = vb_results_write_json(p, run);
	free(p);
	return r;
}

/* ---- where a resumed run or a rerun measures ----------------------------- */

/* The recorded URI: config.connect, which --resume and a gate's rerun
 * apply; the top-level "connect" says the same in a run.json we wrote. */
static const char *recorded_uri(json_t *run, const char *what, const char *id)
{
	const char *uri = json_string_value(json_object_get(json_object_get(run, "config"), "connect"));
	const char *top = json_string_value(json_object_get(run, "connect"));
	if (!uri || (top && strcmp(top, uri) != 0)) {
		vb_error("%s: run %s's run.json does not name one hypervisor (connect '%s', config.connect '%s'): it was "
		         "edited; measure a new run instead",
		         what, id, top ? top : "none", uri ? uri : "none");
		return NULL;
	}
	return uri;
}

/* A recorded --disk, on the hypervisor now: there, the same kind (file or
 * block device) at the same real path; never another device by its name. */
static int check_disk(json_t *run, const char *disk, const char *what, const char *id)
{
	json_t *bs = json_object_get(run, "backing_store");
	const char *type = json_string_value(json_object_get(bs, "type"));
	const char *was = json_string_value(json_object_get(bs, "path"));
	if (!type || (strcmp(type, "file") != 0 && strcmp(type, "block") != 0) || !was)
		return vb_error("%s: run %s's run.json records --disk '%s' without its backing store's path and type: it "
		                "was edited; measure a new run instead", what, id, disk);
	char *real = vb_hv_realpath(disk);
	if (!real)
		return vb_error("%s: run %s's --disk '%s' does not exist on %s: attach it there again, or measure a new run",
		                what, id, disk, vb_hv_where());
	bool blk = vb_hv_test("-b", real), want = strcmp(type, "block") == 0;
	int r = 0;
	if (strcmp(real, was) != 0)
		r = vb_error("%s: run %s's --disk '%s' is '%s' on %s now, not '%s' as the run measured: not writing to "
		             "another file or device; measure a new run", what, id, disk, real, vb_hv_where(), was);
	else if (blk != want)
		r = vb_error("%s: run %s's --disk '%s' was a %s on %s and is %s now: not writing to it; measure a new run",
		             what, id, disk, want ? "block device" : "file", vb_hv_where(), blk ? "a block device" : "not one");
	else if (!blk && !vb_hv_test("-f", real))
		r = vb_error("%s: run %s's --disk '%s' is no longer a regular file on %s: measure a new run", what, id, disk,
		             vb_hv_where());
	free(real);
	return r;
}

int vb_manifest_check_place(json_t *run, const struct vb_config *c, const char *what)
{
	const char *id = json_string_value(json_object_get(run, "id"));
	id = id ? id : "?";
	if (json_object_get(run, "fleet"))
		return vb_error("%s: run %s is a fleet's (several --connect): it is not measured again as one run; run the "
		                "fleet again", what, id);
	const char *uri = recorded_uri(run, what, id);
	if (!uri)
		return -1;
	if (strchr(uri, '\n'))
		return vb_error("%s: run %s records several hypervisors but no fleet: its run.json was edited; measure a new "
		                "run instead", what, id);
	struct vb_hv_uri u;
	char *why = NULL;
	if (vb_hv_uri_parse(uri, &u, &why) < 0) {
		vb_error("%s: run %s's recorded hypervisor: %s", what, id, why);
		free(why);
		return -1;
	}
	bool remote = u.remote;
	vb_hv_uri_release(&u);
	json_t *hyp = json_object_get(run, "hypervisor");
	if (remote != json_is_true(json_object_get(hyp, "remote")) || (!remote && hyp))
		return vb_error("%s: run %s records the hypervisor '%s' but says it was %s: its run.json was edited; "
		                "measure a new run instead", what, id, uri, remote ? "this host" : "remote");
	if (!c->connect || strcmp(c->connect, uri) != 0)
		return vb_error("%s: run %s was measured on '%s', not '%s': it is measured again only there (give "
		                "--connect '%s')", what, id, uri, c->connect ? c->connect : "this host", uri);
	if (vb_hv_remote() != remote) /* a caller that did not vb_hv_use the URI: never measure here by its name */
		return vb_error("%s: run %s was measured on '%s', but this process's helpers would run on %s: not "
		                "measuring it", what, id, uri, vb_hv_where());
	const char *disk = json_string_value(json_object_get(json_object_get(run, "config"), "disk"));
	const char *type = json_string_value(json_object_get(json_object_get(run, "backing_store"), "type"));
	if (!disk && type && strcmp(type, "block") == 0)
		return vb_error("%s: run %s's run.json records a block device as its store but no --disk: it was edited; "
		                "measure a new run instead", what, id);
	if ((disk || c->disk) && (!disk || !c->disk || strcmp(c->disk, disk) != 0))
		return vb_error("%s: run %s measured %s%s%s, not %s%s%s: it is measured again only on its own store", what, id,
		                disk ? "--disk '" : "vmio-bench's own store", disk ? disk : "", disk ? "'" : "",
		                c->disk ? "--disk '" : "vmio-bench's own store", c->disk ? c->disk : "", c->disk ? "'" : "");
	return disk ? check_disk(run, disk, what, id) : 0;
}
