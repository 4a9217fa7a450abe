/* kpool: a run's own libvirt storage pool over the kernel's devices
 * (kpool.h). */
#include "config.h"
#include "guest/kpool.h"
#include "guest/xmlbuf.h"
#include "core/util.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

struct vb_kpool {
	virStoragePoolPtr pool;
	char *name;
	bool built;   /* libvirt's build ran: delete undoes it */
};

static const char *last_error(void)
{
	const char *m = virGetLastErrorMessage();
	return m ? m : "unknown libvirt error";
}

/* The virsh commands that remove pool name, for messages. */
static char *removal(const char *name)
{
	return vb_asprintf("'virsh pool-destroy %s; virsh pool-delete %s; virsh pool-undefine %s'", name, name, name);
}

struct vb_kpool *vb_kpool_new(struct vb_virt *v, const char *name, const char *xml, char **why)
{
	virConnectPtr conn = (virConnectPtr)vb_virt_handle(v);
	virStoragePoolPtr old = virStoragePoolLookupByName(conn, name);
	if (old) {
		char *rm = removal(name);
		*why = vb_asprintf("a storage pool named '%s' is already defined on the hypervisor (an earlier run's, with "
		                   "this run's pid): check it with 'virsh pool-dumpxml %s' and remove it with %s",
		                   name, name, rm);
		free(rm);
		virStoragePoolFree(old);
		return NULL;
	}
	struct vb_kpool *p = vb_calloc(1, sizeof(*p));
	p->name = vb_strdup(name);
	const char *step = "define";
	if (!(p->pool = virStoragePoolDefineXML(conn, xml, 0)))
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
	vb_kpool_remove(p, &ignored); /* what was done is undone */
	free(ignored);
	return NULL;
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

char *vb_kpool_volume_new(struct vb_kpool *p, const char *vol, uint64_t capacity, char **why)
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

int vb_kpool_refresh(struct vb_kpool *p, char **why)
{
	if (virStoragePoolRefresh(p->pool, 0) == 0)
		return 0;
	*why = vb_asprintf("cannot refresh the storage pool '%s' on the hypervisor (%s)", p->name, last_error());
	return -1;
}

/* Delete every volume of the pool (all of them ours: the pool is). */
static int delete_volumes(struct vb_kpool *p)
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
static int delete_built(struct vb_kpool *p)
{
	if (!p->built || virStoragePoolDelete(p->pool, 0) == 0)
		return 0;
	return virGetLastErrorCode() == VIR_ERR_NO_SUPPORT ? 0 : -1;
}

int vb_kpool_remove(struct vb_kpool *p, char **why)
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
	if (p->pool)
		virStoragePoolFree(p->pool);
	free(p->name);
	free(p);
	return rc;
}

char *vb_kpool_list_prefix(struct vb_virt *v, const char *prefix, const char *except)
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
