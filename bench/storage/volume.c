/* volume: the run's data in a volume of vmio-bench's own libvirt `dir`
 * pool, reached through libvirt's storage API: <disk type='volume'> with
 * <source pool='POOL' volume='VOL'/>, which libvirt resolves to the
 * volume's path (and labels for QEMU's user) as the domain starts.  Under
 * the disk it is a file opened raw, as raw's is: what this model adds is
 * libvirt's pool in the way, and what a run finds out is whether that
 * costs anything.
 *
 * The pool is persistent and stays (the one thing a run may leave behind:
 * guest/pool.h's vb_pool_own_name, the pool a remote hypervisor keeps the
 * image and store in).  The volume is made for the mode's guests and
 * deleted by teardown: created empty through libvirt (so libvirt owns it,
 * its mode and owner), then the store's data copied into it on the
 * hypervisor with cp --reflink=never and synced, so that reads hit the
 * store's real, non-zero blocks and writes land on blocks of their own. */
#include "config.h"
#include "storage/storage.h"
#include "guest/pool.h"
#include "guest/runpool.h"
#include "host/hv.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct volume_state {
	struct vb_pool *pool;   /* NULL until prepare opened it (never in the xml command) */
	char *pool_name;
	char *pool_dir;
	char *vol;
	bool made;              /* the volume exists: teardown deletes it */
};

/* How the volume's content is made, for run.json. */
#define VOLUME_ALLOCATION "an empty raw volume, the store copied in (cp --reflink=never, then sync)"

/* The names a run would use: the pool's, and volume-SIZE.raw in it. */
static void volume_plan(struct vb_stor *s)
{
	struct volume_state *v = s->priv;
	char sz[32];
	uint64_t size = s->store && s->store->size ? s->store->size : s->cfg->size;
	vb_format_size(size, sz, sizeof(sz));
	v->pool_name = vb_pool_own_name(s->cfg->cache_dir);
	v->pool_dir = vb_pool_own_dir(s->cfg->cache_dir);
	v->vol = vb_asprintf("volume-%s.raw", sz);
	s->path = vb_asprintf("%s/%s", v->pool_dir, v->vol); /* what a dir pool names it */
	s->medium = vb_strdup(s->path);
	json_t *o = vb_stor_settings(s);
	json_object_set_new(o, "pool", json_string(v->pool_name));
	json_object_set_new(o, "pool_type", json_string("dir"));
	json_object_set_new(o, "pool_dir", json_string(v->pool_dir));
	json_object_set_new(o, "volume", json_string(v->vol));
	json_object_set_new(o, "path", json_string(s->path));
	json_object_set_new(o, "allocation", json_string(VOLUME_ALLOCATION));
}

/* The volume's path as libvirt names it, which QEMU will open. */
static void take_path(struct vb_stor *s, char *path)
{
	free(s->path);
	free(s->medium);
	s->path = path;
	s->medium = vb_strdup(path);
	json_object_set_new(vb_stor_settings(s), "path", json_string(path));
}

/* The store's data into the volume, on the hypervisor.  -1 with *why. */
static int copy_store(struct vb_stor *s, char **why)
{
	const struct volume_state *v = s->priv;
	char *log = vb_asprintf("%s/volume-copy.log", s->log_dir);
	/* a real copy, on disk before the guest starts: shared extents would
	 * make the guest's writes pay a copy-on-write raw does not, and dirty
	 * pages would flush during the first repetitions */
	const char *argv[] = {"sh", "-c", "cp --reflink=never -- \"$1\" \"$2\" && sync -- \"$2\"", "sh", s->store->path,
	                      s->path, NULL};
	vb_info("copying the backing store %s into volume %s of pool %s", s->store->path, v->vol, v->pool_name);
	int rc = vb_hv_run_logged(argv, log, (int)(s->store->size >> 20) + 120);
	if (rc != 0) {
		char *said = vb_read_file(log, 4096, NULL);
		if (said)
			said[strcspn(said, "\n")] = '\0';
		*why = vb_asprintf("cannot copy the backing store '%s' into the volume '%s' on %s (cp: %s): check the pool folder's free space",
		                   s->store->path, s->path, vb_hv_where(), said && *said ? said : "no message");
		free(said);
	} else {
		unlink(log); /* cp says nothing when it works */
	}
	free(log);
	return rc == 0 ? 0 : -1;
}

/* Where libvirt is built modular (Debian, Fedora), the dir pool's
 * backend is a file on the hypervisor, and its absence is known before a
 * connection; elsewhere prepare asks libvirt. */
static int volume_probe(const struct vb_config *c, char **why)
{
	(void)c;
	return vb_runpool_backend_ready("dir", "fs", "libvirt-daemon-driver-storage-core", why);
}

static int volume_prepare(struct vb_stor *s, char **why)
{
	struct volume_state *v = s->priv;
	if (!s->store || !s->store->path || s->store->is_block) {
		*why = vb_strdup("storage volume copies vmio-bench's own store or a --disk file into a pool volume, not a "
		                 "block device: drop --disk or use --storage block");
		return -1;
	}
	volume_plan(s);
	if (vb_pool_driver_ready(s->virt, why) < 0 || !(v->pool = vb_pool_open_why(s->virt, v->pool_name, v->pool_dir, why)))
		return -1;
	char *path = vb_pool_volume_new(v->pool, v->vol, s->store->size, why);
	if (!path)
		return -1;
	v->made = true;
	take_path(s, path);
	return copy_store(s, why);
}

static void volume_teardown(struct vb_stor *s)
{
	struct volume_state *v = s->priv;
	if (v->pool && v->made) {
		vb_pool_volume_delete(v->pool, v->vol);
		char *left = vb_pool_volume_path(v->pool, v->vol, NULL);
		if (left)
			vb_warn("the volume '%s' of pool '%s' could not be deleted: remove it with 'virsh vol-delete %s --pool %s'",
			        v->vol, v->pool_name, v->vol, v->pool_name);
		free(left);
	}
	vb_pool_free(v->pool);
	free(v->pool_name);
	free(v->pool_dir);
	free(v->vol);
}

static void volume_source(struct vb_xml *x, const struct vb_stor *s)
{
	const struct volume_state *v = s->priv;
	vb_xml_empty(x, "source", "pool", v->pool_name, "volume", v->vol, NULL);
}

const struct vb_storage vb_storage_volume = {
	.name = "volume",
	.summary = "a raw volume of a libvirt dir pool (<disk type='volume'>), the store copied in",
	.disk_type = "volume",
	.format = "raw",
	.needs = "libvirt's storage driver (libvirt-daemon on Debian 12)",
	.priv_size = sizeof(struct volume_state),
	.probe = volume_probe,
	.plan = volume_plan,
	.prepare = volume_prepare,
	.teardown = volume_teardown,
	.source_xml = volume_source,
};
