#include "config.h"
#include "runner/place.h"
#include "summary/runrec.h"
#include "host/hv.h"
#include "guest/pool.h"
#include "core/util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *vb_place_pool_name(void)
{
	return vb_pool_own_name(NULL); /* storage/volume.c makes its volumes there too */
}

char *vb_place_pool_dir(void)
{
	return vb_pool_own_dir(NULL);
}

/* sha256sum's digest of path, here (remote false) or on the hypervisor;
 * caller frees; NULL if it cannot be read. */
static char *sha256(const char *path, bool remote)
{
	const char *argv[] = {"sha256sum", "--", path, NULL};
	char *out = NULL;
	int rc = remote ? vb_hv_run_quiet(argv, &out, 300) : vb_run(argv, &out, 300);
	if (rc != 0 || !out || strspn(out, "0123456789abcdef") != 64) {
		free(out);
		return NULL;
	}
	out[64] = '\0';
	return out;
}

/* One file of the guest image as a volume named PREFIX-DIGEST16: reused
 * when the volume there has the local file's checksum, uploaded (through a
 * libvirt stream) otherwise.  *path becomes the remote path. */
static int place_file(struct vb_pool *p, const char *prefix, char **path, json_t *record, bool initrd)
{
	struct stat sb;
	char *digest = sha256(*path, false);
	if (!digest || stat(*path, &sb) < 0) {
		free(digest);
		return vb_error("cannot read the guest image file '%s': rebuild it with 'vmio-bench image build'", *path);
	}
	char *name = vb_asprintf("%s-%.16s", prefix, digest);
	uint64_t cap = 0;
	char *remote = vb_pool_volume_path(p, name, &cap), *there = NULL;
	bool reused = remote && cap == (uint64_t)sb.st_size && (there = sha256(remote, true)) && strcmp(there, digest) == 0;
	if (!reused) {
		free(remote);
		vb_info("uploading %s (%lld KiB) into volume %s of pool %s", *path, (long long)sb.st_size / 1024, name,
		        vb_pool_name(p));
		remote = vb_pool_volume_upload(p, name, *path);
	}
	if (remote)
		vb_runrec_placement_file(record, initrd, *path, name, remote, digest, reused);
	free(there);
	free(digest);
	free(name);
	if (!remote)
		return -1;
	free(*path);
	*path = remote;
	return 0;
}

/* --disk on a remote host: a file or block device there, checked there. */
static int remote_disk(const struct vb_config *c, struct vb_store *s)
{
	char *real = vb_hv_realpath(c->disk);
	bool blk = real && vb_hv_test("-b", real);
	if (!real || (!blk && !vb_hv_test("-f", real))) {
		free(real);
		return vb_error("--disk '%s' is not a file or block device on %s: give a path on the hypervisor", c->disk,
		                vb_hv_where());
	}
	const char *file[] = {"stat", "-L", "-c", "%s", "--", real, NULL}, *dev[] = {"blockdev", "--getsize64", real, NULL};
	char *v = vb_hv_command_first_line(blk ? dev : file);
	s->size = v ? strtoull(v, NULL, 10) : 0;
	free(v);
	s->path = real;
	s->is_block = blk;
	if (s->size < (1u << 20))
		return vb_error("--disk '%s' on %s is smaller than 1 MiB or unreadable: give a larger file or device", c->disk,
		                vb_hv_where());
	return 0;
}

/* path.SUFFIX exists there: the marker that a volume was finished. */
static bool marked(const char *path, const char *suffix)
{
	char *m = vb_asprintf("%s.%s", path, suffix);
	bool r = vb_hv_test("-e", m);
	free(m);
	return r;
}

static int mark(const char *path, const char *suffix)
{
	char *m = vb_asprintf("%s.%s", path, suffix);
	const char *argv[] = {"touch", "--", m, NULL};
	int rc = vb_hv_run(argv, NULL, 30) == 0 ? 0 : -1;
	free(m);
	return rc;
}

/* The store as volume disk-SIZE.raw, filled on the hypervisor from
 * /dev/urandom (non-zero data no backend can skip) by dd there. */
static int remote_store(const struct vb_config *c, struct vb_pool *p, struct vb_store *s, json_t *record)
{
	char sz[32];
	vb_format_size(c->size, sz, sizeof(sz));
	char *name = vb_asprintf("disk-%s.raw", sz);
	uint64_t cap = 0;
	char *path = vb_pool_volume_path(p, name, &cap);
	bool reused = path && cap == c->size && marked(path, "filled");
	int ret = -1;

	if (!reused) {
		free(path);
		if (!(path = vb_pool_volume_create(p, name, c->size, "raw", NULL)))
			goto out;
		char count[32], *of = vb_asprintf("of=%s", path);
		snprintf(count, sizeof(count), "count=%" PRIu64, c->size);
		const char *argv[] = {"dd", "if=/dev/urandom", of, "bs=1M", count, "iflag=count_bytes,fullblock",
		                      "conv=notrunc,fsync", "status=none", NULL};
		vb_info("filling the backing store %s on %s (%s) so that reads hit real blocks", path, vb_hv_where(), sz);
		int rc = vb_hv_run(argv, NULL, (int)(c->size >> 20) + 120);
		free(of);
		if (rc != 0 || mark(path, "filled") < 0) {
			vb_error("cannot fill the backing store %s on %s (dd exited with %d): check the pool's free space", path,
			         vb_hv_where(), rc);
			goto out;
		}
	}
	s->path = path;
	path = NULL;
	s->size = c->size;
	s->created = true;
	vb_runrec_placement_store(record, name, s->path, reused);
	ret = 0;
out:
	free(path);
	free(name);
	return ret;
}

int vb_place_remote(const struct vb_config *c, struct vb_virt *v, struct vb_image *img, struct vb_store *s,
                    bool need_store, json_t **record)
{
	char *pname = vb_place_pool_name(), *pdir = vb_place_pool_dir();
	struct vb_pool *p = vb_pool_open(v, pname, pdir);
	json_t *rec = vb_runrec_placement_new(pname, pdir);
	int ret = -1;

	free(pname);
	free(pdir);
	if (!p)
		goto out;
	if (place_file(p, "vmlinuz", &img->kernel, rec, false) < 0 || place_file(p, "initrd", &img->initrd, rec, true) < 0)
		goto out;
	if (c->disk)
		ret = remote_disk(c, s);
	else if (need_store)
		ret = remote_store(c, p, s, rec);
	else
		ret = 0;
out:
	vb_pool_free(p);
	if (ret == 0)
		*record = rec;
	else
		json_decref(rec);
	return ret;
}
