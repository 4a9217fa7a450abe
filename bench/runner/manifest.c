/* manifest: run.json, the record of a run -- what was measured how, as the
 * run goes: created at the start (state "incomplete"), updated after each
 * mode, closed at the end; and read back for --resume. */
#include "config.h"
#include "runner/manifest.h"
#include "guest/domxml.h"
#include "core/job.h"
#include "core/options.h"
#include "core/results.h"
#include "summary/runrec.h"
#include "storage/storage.h"
#include "host/hv.h"
#include "host/hostenv.h"
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

/* The job as run.json records it: its description, fio's arguments and
 * the sweep's points. */
static void job_head(struct vb_runrec_head *h, const struct vb_manifest_in *in, char **desc)
{
	const struct vb_config *c = in->cfg;
	*desc = vb_job_describe(c);
	if (c->sweep) {
		char *d2 = vb_asprintf("%s; swept: %s", *desc, c->sweep);
		free(*desc);
		*desc = d2;
	}
	h->points = json_array();
	for (size_t i = 0; i < in->plan->npoints; i++)
		json_array_append_new(h->points, vb_runrec_job_point_new(in->plan->points[i].label, in->plan->points[i].dir,
		                                                         vb_point_params(&in->plan->points[i]),
		                                                         in->point_args[i]));
	h->job_description = *desc;
	h->fio_args = in->point_args[0];
	h->sweep = in->plan->sweep;
}

/* What the guests and the store were: image, backing store, baseline. */
static void setup_head(struct vb_runrec_head *h, const struct vb_manifest_in *in)
{
	const struct vb_config *c = in->cfg;
	const struct vb_store *st = in->store;
	/* the mode every other is divided by: host, when it runs */
	for (size_t i = 0; in->modes[i] && !h->baseline; i++)
		if (in->modes[i]->baseline)
			h->baseline = in->modes[i]->name;
	h->connect = c->connect;
	h->kernel = in->img->kernel;
	h->initrd = in->img->initrd;
	h->image_manifest = in->img->manifest;
	h->store_path = st->path;
	h->store_type = vb_storage_of(c)->no_data ? "null" : st->is_block ? "block" : "file";
	h->store_size = (long long)(st->path ? st->size : c->size);
	h->store_created = st->created;
	/* backing_store.qcow2_image, as --format qcow2 recorded it (each
	 * mode's "storage" record names every model's image) */
	if (!json_object_get(in->plan->sweep, "storage") && strcmp(vb_storage_of(c)->name, "qcow2") == 0 && st->path)
		h->store_image = c->disk ? vb_strdup(st->path) : vb_asprintf("%s.qcow2", st->path);
	/* what every guest was given beyond the job's settings (each mode's
	 * domain.xml has the rest, with the drivers its /init loads) */
	h->vcpus = (int)c->vcpus;
	h->kernel_cmdline = VB_GUEST_CMDLINE;
}

json_t *vb_manifest_new(const struct vb_manifest_in *in)
{
	char *qemu = vb_virt_hypervisor_version(in->virt), *libvirt = vb_virt_library_version(in->virt);
	char *kernel = vb_hv_uname('r'), *hostname = vb_virt_hostname(in->virt), *cpu = vb_hv_cpu_model();
	bool remote = !vb_hv_is_this_host(); /* the record says where the hypervisor was */
	char *machine = vb_hv_uname('m'), *hv_hostname = remote ? vb_virt_hostname(in->virt) : NULL, *desc = NULL;
	struct vb_runrec_head h = {
		.id = in->id, .qemu = qemu, .libvirt = libvirt, .host_kernel = kernel,
		.hostname = hostname, .cpu = cpu, .cpus = (int)vb_hv_cpus(), .machine = machine,
		/* a remote hypervisor: where it is and how it was reached (over ssh, its pool and volumes) */
		.remote = remote, .hv_hostname = hv_hostname, .hv_helpers = vb_hv_where(), .placement = in->placement,
		.accel = in->accel->name, .accel_why = in->accel->why,
		.config = vb_options_to_json(in->cfg, VB_CMD_RUN),
		.config_path = in->cfg->config, .config_text = in->cfg->config_text, .config_modes = in->cfg->mode_tuning,
	};
	setup_head(&h, in);
	job_head(&h, in, &desc);
	json_t *run = vb_runrec_new(&h);
	/* what moves I/O figures on the hypervisor, beside its CPU (issue 28):
	 * its governor, THP, mitigations, the store's device and scheduler */
	struct vb_env env;
	vb_hostenv_read(in->store->path, &env);
	vb_runrec_set_host_env(run, &env);
	vb_env_release(&env);
	free((char *)h.store_image);
	free(qemu);
	free(libvirt);
	free(kernel);
	free(hostname);
	free(cpu);
	free(machine);
	free(hv_hostname);
	free(desc);
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
	const char *state = run ? vb_runrec_state(run) : NULL;
	const char *accel = run ? vb_runrec_accel(run) : NULL;

	if (!run) {
		vb_error("--resume: cannot read '%s' (%s): give a run folder vmio-bench made", path, err.text);
		goto fail;
	}
	if (!vb_runrec_has_schema(run) || !vb_runrec_id(run) || !json_is_array(vb_runrec_modes(run)) || !state || !accel) {
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
	c->mode_tuning = json_deep_copy(vb_runrec_config_file_modes(run));
	if (vb_options_from_json(c, VB_CMD_RUN, vb_runrec_config(run)) < 0) {
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
	const char *uri = vb_runrec_config_str(run, "connect");
	const char *top = vb_runrec_connect(run);
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
	const char *type = vb_runrec_store_type(run);
	const char *was = vb_runrec_store_path(run);
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
	const char *id = vb_runrec_id(run);
	id = id ? id : "?";
	if (vb_runrec_fleet(run))
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
	json_t *hyp = vb_runrec_hypervisor(run);
	if (remote != vb_runrec_hypervisor_remote(run) || (!remote && hyp))
		return vb_error("%s: run %s records the hypervisor '%s' but says it was %s: its run.json was edited; "
		                "measure a new run instead", what, id, uri, remote ? "this host" : "remote");
	if (!c->connect || strcmp(c->connect, uri) != 0)
		return vb_error("%s: run %s was measured on '%s', not '%s': it is measured again only there (give "
		                "--connect '%s')", what, id, uri, c->connect ? c->connect : "this host", uri);
	if (vb_hv_is_this_host() == remote) /* a caller that did not vb_hv_use the URI: never measure here by its name */
		return vb_error("%s: run %s was measured on '%s', but this process's helpers would run on %s: not "
		                "measuring it", what, id, uri, vb_hv_where());
	const char *disk = vb_runrec_config_str(run, "disk");
	const char *type = vb_runrec_store_type(run);
	if (!disk && type && strcmp(type, "block") == 0)
		return vb_error("%s: run %s's run.json records a block device as its store but no --disk: it was edited; "
		                "measure a new run instead", what, id);
	if ((disk || c->disk) && (!disk || !c->disk || strcmp(c->disk, disk) != 0))
		return vb_error("%s: run %s measured %s%s%s, not %s%s%s: it is measured again only on its own store", what, id,
		                disk ? "--disk '" : "vmio-bench's own store", disk ? disk : "", disk ? "'" : "",
		                c->disk ? "--disk '" : "vmio-bench's own store", c->disk ? c->disk : "", c->disk ? "'" : "");
	return disk ? check_disk(run, disk, what, id) : 0;
}
