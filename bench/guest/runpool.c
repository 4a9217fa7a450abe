/* runpool: a libvirt storage pool of one run's own, transient or built
 * (runpool.h). */
#include "config.h"
#include "guest/runpool.h"
#include "guest/xmlbuf.h"
#include "host/hv.h"
#include "core/util.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

struct vb_runpool {
	virStoragePoolPtr pool;
	char *name;
	bool built;   /* libvirt's build ran: delete undoes it */
};

static const char *last_error(void)
{
	const char *m = virGetLastErrorMessage();
	return m ? m : "unknown libvirt error";
}

static struct vb_runpool *wrap(virStoragePoolPtr pool, const char *name)
{
	struct vb_runpool *p = vb_calloc(1, sizeof(*p));
	p->pool = pool;
	p->name = vb_strdup(name);
	return p;
}

static void release(struct vb_runpool *p)
{
	if (p->pool)
		virStoragePoolFree(p->pool);
	free(p->name);
	free(p);
}

static virStoragePoolPtr lookup(struct vb_virt *v, const char *name)
{
	return virStoragePoolLookupByName((virConnectPtr)vb_virt_handle(v), name);
}

/* ---- transient: started from XML, gone once destroyed ---------------- */

struct vb_runpool *vb_runpool_start(struct vb_virt *v, const char *name, const char *xml, const char *hint,
                                    char **why)
{
	virConnectPtr conn = (virConnectPtr)vb_virt_handle(v);
	virStoragePoolPtr pool = virStoragePoolCreateXML(conn, xml, 0);
	if (!pool) {
		*why = vb_asprintf("libvirt cannot start the storage pool '%s' (%s): %s", name, last_error(), hint);
		return NULL;
	}
	return wrap(pool, name);
}

int vb_runpool_stop(struct vb_runpool *p, char **why)
{
	if (!p)
		return 0;
	int rc = virStoragePoolDestroy(p->pool);
	if (rc < 0)
		*why = vb_asprintf("libvirt cannot destroy the storage pool '%s' (%s)", p->name, last_error());
	release(p);
	return rc < 0 ? -1 : 0;
}

/* ---- built: defined, built, started; removed with what build made ---- */

/* The virsh commands that remove pool name, for messages. */
static char *removal(const char *name)
{
	return vb_asprintf("'virsh pool-destroy %s; virsh pool-delete %s; virsh pool-undefine %s'", name, name, name);
}

struct vb_runpool *vb_runpool_build(struct vb_virt *v, const char *name, const char *xml, char **why)
{
	virStoragePoolPtr old = lookup(v, name);
	if (old) {
		char *rm = removal(name);
		*why = vb_asprintf("a storage pool named '%s' is already defined on the hypervisor (an earlier run's, with "
		                   "this run's pid): check it with 'virsh pool-dumpxml %s' and remove it with %s",
		                   name, name, rm);
		free(rm);
		virStoragePoolFree(old);
		return NULL;
	}
	struct vb_runpool *p = wrap(NULL, name);
	const char *step = "define";
	if (!(p->pool = virStoragePoolDefineXML((virConnectPtr)vb_virt_handle(v), xml, 0)))
		goto fail;
	step = "build";
	if (virStoragePoolBuild(p->pool, 0) < 0)
		goto fail;
	p->built = true;
	step = "start";
	if (virStoragePoolCreate(p->pool, 0) < 0)
		goto fail;
	return p;
fail:
	*why = vb_asprintf("cannot %s the storage pool '%s' on the hypervisor (%s)", step, name, last_error());
	char *ignored = NULL;
	vb_runpool_remove(p, &ignored); /* what was done is undone */
	free(ignored);
	return NULL;
}

/* Delete every volume of the pool (all of them ours: the pool is). */
static int delete_volumes(struct vb_runpool *p)
{
	virStorageVolPtr *vols = NULL;
	int n = virStoragePoolListAllVolumes(p->pool, &vols, 0), bad = n < 0;
	for (int i = 0; i < n; i++) {
		if (virStorageVolDelete(vols[i], 0) < 0)
			bad++;
		virStorageVolFree(vols[i]);
	}
	free(vols);
	return bad ? -1 : 0;
}

/* Undo build: a backend with nothing to undo says "not supported". */
static int delete_built(struct vb_runpool *p)
{
	if (!p->built || virStoragePoolDelete(p->pool, 0) == 0)
		return 0;
	return virGetLastErrorCode() == VIR_ERR_NO_SUPPORT ? 0 : -1;
}

int vb_runpool_remove(struct vb_runpool *p, char **why)
{
	if (!p)
		return 0;
	const char *failed = NULL;
	if (p->pool) {
		if (virStoragePoolIsActive(p->pool) == 1 && delete_volumes(p) < 0)
			failed = "delete its volumes";
		if (virStoragePoolIsActive(p->pool) == 1 && virStoragePoolDestroy(p->pool) < 0 && !failed)
			failed = "stop it";
		if (!failed && delete_built(p) < 0)
			failed = "delete what its build made";
		if (!failed && virStoragePoolUndefine(p->pool) < 0)
			failed = "undefine it";
	}
	int rc = 0;
	if (failed) {
		char *rm = removal(p->name);
		*why = vb_asprintf("the storage pool '%s' is left on the hypervisor: libvirt could not %s (%s): remove it "
		                   "with %s", p->name, failed, last_error(), rm);
		free(rm);
		rc = -1;
	}
	release(p);
	return rc;
}

/* ---- volumes ---------------------------------------------------------- */

/* The first volume libvirt lists, or NULL. */
static virStorageVolPtr first_volume(virStoragePoolPtr pool)
{
	virStorageVolPtr *vols = NULL, first = NULL;
	int n = virStoragePoolListAllVolumes(pool, &vols, 0);
	for (int i = 0; i < n; i++) {
		if (!first)
			first = vols[i];
		else
			virStorageVolFree(vols[i]);
	}
	free(vols);
	return first;
}

int vb_runpool_volume(struct vb_runpool *p, int wait_s, char **name, char **path, uint64_t *capacity, char **why)
{
	virStorageVolPtr vol = NULL;
	for (double end = vb_now() + wait_s; !vol && !vb_interrupted; usleep(500000)) {
		virStoragePoolRefresh(p->pool, 0); /* (libvirt rescans the session's LUNs) */
		if ((vol = first_volume(p->pool)) || vb_now() > end)
			break;
	}
	virStorageVolInfo info;
	char *vpath = vol ? virStorageVolGetPath(vol) : NULL;
	if (!vpath || virStorageVolGetInfo(vol, &info) < 0) {
		*why = vb_asprintf("the storage pool '%s' shows no volume within %d s (%s): see 'virsh vol-list %s'", p->name,
		                   wait_s, vol ? last_error() : "none listed", p->name);
		free(vpath);
		if (vol)
			virStorageVolFree(vol);
		return -1;
	}
	*name = vb_strdup(virStorageVolGetName(vol));
	*path = vpath;
	*capacity = info.capacity;
	virStorageVolFree(vol);
	return 0;
}

static char *volume_xml(const char *name, uint64_t capacity)
{
	struct vb_xml x = {0};
	char cap[32];
	snprintf(cap, sizeof(cap), "%" PRIu64, capacity);
	vb_xml_open(&x, "volume", NULL);
	vb_xml_text(&x, "name", name, NULL);
	vb_xml_text(&x, "capacity", cap, "unit", "bytes", NULL);
	/* as much allocated as asked for: a logical volume of less would be
	 * a sparse one (a snapshot with a virtual size), not a plain LV */
	vb_xml_text(&x, "allocation", cap, "unit", "bytes", NULL);
	return vb_xml_release(&x);
}

char *vb_runpool_volume_new(struct vb_runpool *p, const char *vol, uint64_t capacity, char **why)
{
	char *xml = volume_xml(vol, capacity), *path = NULL;
	virStorageVolPtr v = virStorageVolCreateXML(p->pool, xml, 0);
	free(xml);
	if (v && !(path = virStorageVolGetPath(v)))
		virStorageVolDelete(v, 0);
	if (!path)
		*why = vb_asprintf("cannot create the volume '%s' of %" PRIu64 " bytes in the storage pool '%s' on the "
		                   "hypervisor (%s)", vol, capacity, p->name, last_error());
	if (v)
		virStorageVolFree(v);
	return path;
}

int vb_runpool_refresh(struct vb_runpool *p, char **why)
{
	if (virStoragePoolRefresh(p->pool, 0) == 0)
		return 0;
	*why = vb_asprintf("cannot refresh the storage pool '%s' on the hypervisor (%s)", p->name, last_error());
	return -1;
}

/* ---- leftovers and backends ------------------------------------------ */

int vb_runpool_exists(struct vb_virt *v, const char *name)
{
	virStoragePoolPtr pool = lookup(v, name);
	if (!pool)
		return 0;
	virStoragePoolFree(pool);
	return 1;
}

char *vb_runpool_list_prefix(struct vb_virt *v, const char *prefix, const char *except)
{
	virStoragePoolPtr *pools = NULL;
	int n = virConnectListAllStoragePools((virConnectPtr)vb_virt_handle(v), &pools, 0);
	struct vb_buf b = {0};
	for (int i = 0; i < n; i++) {
		const char *name = virStoragePoolGetName(pools[i]);
		if (name && strncmp(name, prefix, strlen(prefix)) == 0 && (!except || strcmp(name, except) != 0))
			vb_buf_addf(&b, "%s%s", b.len ? "\n" : "", name);
		virStoragePoolFree(pools[i]);
	}
	free(pools);
	if (!b.len) {
		vb_buf_free(&b);
		return NULL;
	}
	return vb_buf_release(&b);
}

/* A modular libvirt is known by its connection drivers (the qemu one,
 * the storage one: either will do), and its pool backends are files
 * beside them, whose absence is known before a connection. */
int vb_runpool_backend_ready(const char *label, const char *backend, const char *fedora_pkg, char **why)
{
	const char *modular[] = {"/usr/lib/*/libvirt/connection-driver/libvirt_driver_qemu.so",
	                         "/usr/lib64/libvirt/connection-driver/libvirt_driver_qemu.so",
	                         "/usr/lib/*/libvirt/connection-driver/libvirt_driver_storage.so",
	                         "/usr/lib64/libvirt/connection-driver/libvirt_driver_storage.so", NULL};
	char *deb = vb_asprintf("/usr/lib/*/libvirt/storage-backend/libvirt_storage_backend_%s.so", backend);
	char *rpm = vb_asprintf("/usr/lib64/libvirt/storage-backend/libvirt_storage_backend_%s.so", backend);
	const char *found[] = {deb, rpm, NULL};
	int rc = 0;
	if (vb_hv_glob_any(modular) && !vb_hv_glob_any(found)) {
		*why = vb_asprintf("libvirt's %s pool backend (libvirt_storage_backend_%s.so) is not installed on %s: install "
		                   "libvirt-daemon (Debian 12) or %s (Fedora) and restart libvirtd",
		                   label, backend, vb_hv_where(), fedora_pkg);
		rc = -1;
	}
	free(deb);
	free(rpm);
	return rc;
}
