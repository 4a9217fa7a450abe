#include "config.h"
#include "guest/pool.h"
#include "guest/xmlbuf.h"
#include "host/hv.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

struct vb_pool {
	virStoragePoolPtr pool;
	char *name;
};

static const char *last_error(void)
{
	const char *m = virGetLastErrorMessage();
	return m ? m : "unknown libvirt error";
}

static char *pool_xml(const char *name, const char *dir)
{
	struct vb_xml x = {0};
	vb_xml_open(&x, "pool", "type", "dir", NULL);
	vb_xml_text(&x, "name", name, NULL);
	vb_xml_open(&x, "target", NULL);
	vb_xml_text(&x, "path", dir, NULL);
	vb_xml_open(&x, "permissions", NULL);
	vb_xml_text(&x, "mode", "0755", NULL);
	return vb_xml_release(&x);
}

struct vb_pool *vb_pool_open_why(struct vb_virt *v, const char *name, const char *dir, char **why)
{
	virConnectPtr conn = (virConnectPtr)vb_virt_handle(v);
	virStoragePoolPtr pool = virStoragePoolLookupByName(conn, name);
	bool defined_now = !pool;
	if (!pool) {
		char *xml = pool_xml(name, dir);
		pool = virStoragePoolDefineXML(conn, xml, 0);
		free(xml);
		if (!pool || virStoragePoolBuild(pool, 0) < 0) {
			*why = vb_asprintf("cannot define vmio-bench's storage pool '%s' at %s on the hypervisor (%s): check that libvirt's storage driver runs there (libvirt-daemon-driver-storage) and that it may create the folder",
			                   name, dir, last_error());
			goto fail;
		}
		virStoragePoolSetAutostart(pool, 1);
	}
	if (virStoragePoolIsActive(pool) != 1 && virStoragePoolCreate(pool, 0) < 0) {
		*why = vb_asprintf("cannot start vmio-bench's storage pool '%s' at %s on the hypervisor (%s): make that path a folder libvirt may use, or see 'virsh pool-info %s' there",
		                   name, dir, last_error(), name);
		goto fail;
	}
	virStoragePoolRefresh(pool, 0); /* volumes an earlier run left are found again */
	struct vb_pool *p = vb_calloc(1, sizeof(*p));
	p->pool = pool;
	p->name = vb_strdup(name);
	return p;
fail:
	/* a pool defined here that never ran is not one to keep */
	if (pool && defined_now)
		virStoragePoolUndefine(pool);
	if (pool)
		virStoragePoolFree(pool);
	return NULL;
}

struct vb_pool *vb_pool_open(struct vb_virt *v, const char *name, const char *dir)
{
	char *why = NULL;
	struct vb_pool *p = vb_pool_open_why(v, name, dir, &why);
	if (!p) {
		vb_error("%s", why);
		free(why);
	}
	return p;
}

int vb_pool_driver_ready(struct vb_virt *v, char **why)
{
	if (virConnectNumOfStoragePools((virConnectPtr)vb_virt_handle(v)) >= 0)
		return 0;
	*why = vb_asprintf("libvirt's storage driver does not answer on the hypervisor (%s): install it there (libvirt-daemon on Debian 12, libvirt-daemon-driver-storage elsewhere) and restart libvirtd",
	                   last_error());
	return -1;
}

/* A pool folder's path, as a short stable name part (FNV-1a). */
static uint32_t dir_digest(const char *dir)
{
	uint32_t h = 2166136261u;
	for (const unsigned char *c = (const unsigned char *)dir; *c; c++)
		h = (h ^ *c) * 16777619u;
	return h;
}

char *vb_pool_own_dir(const char *cache_dir)
{
	if (vb_hv_places_files() || !cache_dir) /* where the image and store go too */
		return vb_asprintf("%s/%s/pool", VB_HV_REMOTE_ROOT, vb_hv_label());
	return vb_asprintf("%s/pool", cache_dir);
}

char *vb_pool_own_name(const char *cache_dir)
{
	if (vb_hv_places_files() || !cache_dir) /* where the image and store go too */
		return vb_asprintf("vmio-bench-%s", vb_hv_label());
	char *dir = vb_pool_own_dir(cache_dir), *name = vb_asprintf("vmio-bench-%08" PRIx32, dir_digest(dir));
	free(dir);
	return name;
}

void vb_pool_free(struct vb_pool *p)
{
	if (!p)
		return;
	virStoragePoolFree(p->pool);
	free(p->name);
	free(p);
}

const char *vb_pool_name(const struct vb_pool *p)
{
	return p->name;
}

char *vb_pool_volume_path(struct vb_pool *p, const char *name, uint64_t *capacity)
{
	virStorageVolPtr vol = virStorageVolLookupByName(p->pool, name);
	virStorageVolInfo info;
	char *path = NULL;
	if (!vol)
		return NULL;
	if (virStorageVolGetInfo(vol, &info) == 0 && (path = virStorageVolGetPath(vol)) && capacity)
		*capacity = info.capacity;
	virStorageVolFree(vol);
	return path;
}

void vb_pool_volume_delete(struct vb_pool *p, const char *name)
{
	virStorageVolPtr vol = virStorageVolLookupByName(p->pool, name);
	if (vol) {
		virStorageVolDelete(vol, 0);
		virStorageVolFree(vol);
	}
}

static char *volume_xml(const char *name, uint64_t capacity, uint64_t allocation, const char *format)
{
	struct vb_xml x = {0};
	char cap[32], alloc[32];
	snprintf(cap, sizeof(cap), "%" PRIu64, capacity);
	snprintf(alloc, sizeof(alloc), "%" PRIu64, allocation);
	vb_xml_open(&x, "volume", NULL);
	vb_xml_text(&x, "name", name, NULL);
	vb_xml_text(&x, "capacity", cap, "unit", "bytes", NULL);
	vb_xml_text(&x, "allocation", alloc, "unit", "bytes", NULL);
	vb_xml_open(&x, "target", NULL);
	vb_xml_empty(&x, "format", "type", format, NULL);
	vb_xml_open(&x, "permissions", NULL);
	vb_xml_text(&x, "mode", "0644", NULL);
	return vb_xml_release(&x);
}

/* The new volume, or NULL with *why. */
static virStorageVolPtr create(struct vb_pool *p, const char *name, uint64_t capacity, uint64_t allocation,
                               const char *format, const char *clone_of, char **why)
{
	virStorageVolPtr src = clone_of ? virStorageVolLookupByName(p->pool, clone_of) : NULL, vol = NULL;
	char *xml = volume_xml(name, capacity, allocation, format);
	vb_pool_volume_delete(p, name);
	if (!clone_of || src)
		vol = src ? virStorageVolCreateXMLFrom(p->pool, xml, src, 0) : virStorageVolCreateXML(p->pool, xml, 0);
	if (!vol)
		*why = vb_asprintf("cannot create volume '%s' in the storage pool '%s' on the hypervisor (%s): check its free space with 'virsh pool-info %s'",
		                   name, p->name, last_error(), p->name);
	free(xml);
	if (src)
		virStorageVolFree(src);
	return vol;
}

/* create, reporting its failure. */
static virStorageVolPtr create_reported(struct vb_pool *p, const char *name, uint64_t capacity, const char *format,
                                        const char *clone_of)
{
	char *why = NULL;
	virStorageVolPtr vol = create(p, name, capacity, capacity, format, clone_of, &why);
	if (!vol) {
		vb_error("%s", why);
		free(why);
	}
	return vol;
}

char *vb_pool_volume_create(struct vb_pool *p, const char *name, uint64_t capacity, const char *format,
                            const char *clone_of)
{
	virStorageVolPtr vol = create_reported(p, name, capacity, format, clone_of);
	char *path = vol ? virStorageVolGetPath(vol) : NULL;
	if (vol)
		virStorageVolFree(vol);
	return path;
}

char *vb_pool_volume_new(struct vb_pool *p, const char *name, uint64_t capacity, char **why)
{
	virStorageVolPtr vol = create(p, name, capacity, 0, "raw", NULL, why);
	char *path = vol ? virStorageVolGetPath(vol) : NULL;
	if (vol && !path) {
		*why = vb_asprintf("libvirt names no path for the new volume '%s' of the storage pool '%s' (%s)", name, p->name,
		                   last_error());
		virStorageVolDelete(vol, 0);
	}
	if (vol)
		virStorageVolFree(vol);
	return path;
}

static int read_source(virStreamPtr st, char *data, size_t n, void *opaque)
{
	(void)st;
	int fd = *(int *)opaque;
	ssize_t r;
	while ((r = read(fd, data, n)) < 0 && errno == EINTR)
		;
	return vb_interrupted ? -1 : (int)r;
}

char *vb_pool_volume_upload(struct vb_pool *p, const char *name, const char *local_path)
{
	struct stat sb;
	int fd = open(local_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) < 0) {
		vb_error("cannot read '%s' to upload it: %s", local_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	virStorageVolPtr vol = create_reported(p, name, (uint64_t)sb.st_size, "raw", NULL);
	virStreamPtr st = vol ? virStreamNew(virStoragePoolGetConnect(p->pool), 0) : NULL;
	char *path = NULL;
	if (st && virStorageVolUpload(vol, st, 0, (unsigned long long)sb.st_size, 0) == 0 &&
	    virStreamSendAll(st, read_source, &fd) == 0 && virStreamFinish(st) == 0) {
		path = virStorageVolGetPath(vol);
	} else if (vol) {
		vb_error("cannot upload '%s' into volume '%s' of the storage pool '%s' (%s)", local_path, name, p->name,
		         vb_interrupted ? "interrupted" : last_error());
		if (st)
			virStreamAbort(st);
		virStorageVolDelete(vol, 0);
	}
	if (st)
		virStreamFree(st);
	if (vol)
		virStorageVolFree(vol);
	close(fd);
	return path;
}
