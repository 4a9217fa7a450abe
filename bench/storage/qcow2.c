/* qcow2: the run's data in a qcow2 image, one model per preallocation
 * (qemu-img's -o preallocation): qcow2 (off), qcow2-metadata,
 * qcow2-falloc and qcow2-full.  Each image is made once per filled store,
 * on the hypervisor, beside it (store.qcow2, store.qcow2-metadata, ...):
 * created with its preallocation, then the store's data written through
 * the qcow2 layer (qemu-img convert), so that reads hit real data as with
 * raw.  Every cluster then holds data: what preallocation still changes is
 * the image's layout on the host, not a first write's allocation cost. */
#include "config.h"
#include "storage/storage.h"
#include "host/hv.h"
#include "core/util.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The preallocation a row stands for: its name after "qcow2-", or off. */
static const char *prealloc(const struct vb_storage *m)
{
	return strncmp(m->name, "qcow2-", 6) == 0 ? m->name + 6 : "off";
}

/* store.qcow2 for off (the name --format qcow2 used), else store.NAME. */
static char *image_path(const struct vb_stor *s)
{
	return vb_asprintf("%s.%s", s->store->path, s->model->name);
}

static int qcow2_probe(const struct vb_config *c, char **why)
{
	(void)c;
	if (vb_hv_on_path("qemu-img"))
		return 0;
	*why = vb_asprintf("qemu-img is missing on %s: apt-get install qemu-utils there", vb_hv_where());
	return -1;
}

/* --disk FILE is a user's own image, opened as it is (qcow2 alone:
 * preallocating means making the image, which is vmio-bench's store's). */
static int qcow2_check(const struct vb_config *c, char **why)
{
	if (c->disk && strcmp(c->storage ? c->storage : "qcow2", "qcow2") != 0) {
		*why = vb_asprintf("storage %s makes its image from vmio-bench's own store: drop --disk, or use --storage qcow2 "
		                   "to open a qcow2 --disk as it is", c->storage);
		return -1;
	}
	return 0;
}

static void qcow2_plan(struct vb_stor *s)
{
	if (s->cfg->disk && s->store && s->store->path) {
		/* a user's image: nothing beside it is ours to write */
		s->path = vb_strdup(s->store->path);
		s->is_block = s->store->is_block;
	} else if (s->store && s->store->path) {
		s->path = image_path(s);
		/* the host's figure is of the file system under the image: the
		 * store beside it (fio writing into the image file would
		 * destroy its metadata) */
		s->medium = vb_strdup(s->store->path);
	}
	json_object_set_new(vb_stor_settings(s), "preallocation", json_string(prealloc(s->model)));
}

/* Which fill of the store an image was made from: the time of its fill
 * marker (written once per fill, here and on a remote hypervisor alike;
 * the store's own time moves with every write a job makes).  An image
 * made from another fill is made again. */
static char *store_stamp(const struct vb_stor *s)
{
	char *marker = vb_asprintf("%s.filled", s->store->path);
	const char *argv[] = {"stat", "-c", "%Y.%y", "--", marker, NULL};
	char *r = vb_hv_command_first_line(argv), *v = r ? vb_asprintf("2 %s", r) : NULL;
	free(marker);
	free(r);
	return v; /* "2": images made before the host stopped writing into them are made again */
}

static int make_image(struct vb_stor *s, const char *stamp, const char *marker, char **why)
{
	/* a temporary of this process's own: two runs sharing the cache
	 * folder each make a whole image, and the last rename wins */
	char *tmp = vb_asprintf("%s.tmp%ld", s->path, (long)getpid()), *log = vb_asprintf("%s/%s-image.log", s->log_dir, s->model->name), *o = NULL, sz[32];
	const char *p = prealloc(s->model);
	int rc;
	snprintf(sz, sizeof(sz), "%" PRIu64, s->store->size);
	vb_info("making the %s image %s from the backing store", s->model->name, s->path);
	if (strcmp(p, "off") == 0) {
		const char *conv[] = {"qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2", s->store->path, tmp, NULL};
		rc = vb_hv_run_logged(conv, log, 3600);
	} else {
		o = vb_asprintf("preallocation=%s", p);
		const char *create[] = {"qemu-img", "create", "-q", "-f", "qcow2", "-o", o, tmp, sz, NULL};
		const char *conv[] = {"qemu-img", "convert", "-q", "-n", "-f", "raw", "-O", "qcow2", s->store->path, tmp, NULL};
		rc = vb_hv_run_logged(create, log, 3600);
		if (rc == 0)
			rc = vb_hv_run_logged(conv, log, 3600);
	}
	const char *mv[] = {"mv", "-f", "--", tmp, s->path, NULL};
	if (rc == 0)
		rc = vb_hv_run(mv, NULL, 60);
	if (rc == 0) {
		const char *sh[] = {"sh", "-c", "printf '%s\\n' \"$1\" > \"$2\"", "sh", stamp, marker, NULL};
		rc = vb_hv_run(sh, NULL, 30);
	}
	if (rc != 0) {
		vb_hv_remove(tmp);
		*why = vb_asprintf("cannot make the %s image '%s' with qemu-img on %s (see %s)", s->model->name, s->path,
		                   vb_hv_where(), log);
	}
	free(tmp);
	free(log);
	free(o);
	return rc == 0 ? 0 : -1;
}

static int qcow2_prepare(struct vb_stor *s, char **why)
{
	if (!s->store || !s->store->path || s->store->is_block) {
		*why = vb_asprintf("storage %s is made from vmio-bench's own store or a --disk file, not a block device: "
		                   "drop --disk or use --storage raw", s->model->name);
		return -1;
	}
	qcow2_plan(s);
	if (s->cfg->disk) {
		json_object_set_new(s->record, "image", json_string(s->path));
		return 0; /* the user's image, as it is */
	}
	char *marker = vb_asprintf("%s.done", s->path), *stamp = store_stamp(s);
	char *was = vb_hv_read_file(marker, 128, NULL);
	if (was)
		was[strcspn(was, "\n")] = '\0';
	int rc = 0;
	if (!stamp) {
		*why = vb_asprintf("cannot read the backing store '%s' on %s", s->store->path, vb_hv_where());
		rc = -1;
	} else if (!was || strcmp(was, stamp) != 0 || !vb_hv_test("-f", s->path)) {
		rc = make_image(s, stamp, marker, why);
	}
	json_object_set_new(s->record, "image", json_string(s->path));
	free(marker);
	free(stamp);
	free(was);
	return rc;
}

#define QCOW2_ROW(sym, nm, what)                                                                                          \
	const struct vb_storage sym = {                                                                                        \
		.name = nm,                                                                                                    \
		.summary = what,                                                                                               \
		.disk_type = "file",                                                                                           \
		.format = "qcow2",                                                                                             \
		.needs = "qemu-img (installed with QEMU)",                                                                     \
		.check_config = qcow2_check,                                                                                   \
		.probe = qcow2_probe,                                                                                          \
		.plan = qcow2_plan,                                                                                            \
		.prepare = qcow2_prepare,                                                                                      \
	}

QCOW2_ROW(vb_storage_qcow2, "qcow2", "a qcow2 image, no preallocation (qemu-img's default)");
QCOW2_ROW(vb_storage_qcow2_metadata, "qcow2-metadata", "a qcow2 image with its metadata preallocated");
QCOW2_ROW(vb_storage_qcow2_falloc, "qcow2-falloc", "a qcow2 image preallocated with fallocate()");
QCOW2_ROW(vb_storage_qcow2_full, "qcow2-full", "a qcow2 image preallocated by writing zeroes");
