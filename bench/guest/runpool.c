/* runpool: a transient libvirt pool of one run's own (runpool.h). */
#include "config.h"
#include "guest/runpool.h"
#include "host/hv.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

struct vb_runpool {
	virStoragePoolPtr pool;
	char *name;
};

static const char *last_error(void)
{
	const char *m = virGetLastErrorMessage();
	return m ? m : "unknown libvirt error";
}

struct vb_runpool *vb_runpool_start(struct vb_virt *v, const char *name, const char *xml, const char *hint,
                                    char **why)
{
	virConnectPtr conn = (virConnectPtr)vb_virt_handle(v);
	virStoragePoolPtr pool = virStoragePoolCreateXML(conn, xml, 0);
	if (!pool) {
		*why = vb_asprintf("libvirt cannot start the storage pool '%s' (%s): %s", name, last_error(), hint);
		return NULL;
	}
	struct vb_runpool *p = vb_calloc(1, sizeof(*p));
	p->pool = pool;
	p->name = vb_strdup(name);
	return p;
}

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

int vb_runpool_stop(struct vb_runpool *p, char **why)
{
	if (!p)
		return 0;
	int rc = virStoragePoolDestroy(p->pool);
	if (rc < 0)
		*why = vb_asprintf("libvirt cannot destroy the storage pool '%s' (%s)", p->name, last_error());
	virStoragePoolFree(p->pool);
	free(p->name);
	free(p);
	return rc < 0 ? -1 : 0;
}

int vb_runpool_exists(struct vb_virt *v, const char *name)
{
	virStoragePoolPtr pool = virStoragePoolLookupByName((virConnectPtr)vb_virt_handle(v), name);
	if (!pool)
		return 0;
	virStoragePoolFree(pool);
	return 1;
}

int vb_runpool_backend_ready(const char *name, const char *fedora_pkg, char **why)
{
	const char *modular[] = {"/usr/lib/*/libvirt/connection-driver/libvirt_driver_storage.so",
	                         "/usr/lib64/libvirt/connection-driver/libvirt_driver_storage.so", NULL};
	char *deb = vb_asprintf("/usr/lib/*/libvirt/storage-backend/libvirt_storage_backend_%s.so", name);
	char *rpm = vb_asprintf("/usr/lib64/libvirt/storage-backend/libvirt_storage_backend_%s.so", name);
	const char *backend[] = {deb, rpm, NULL};
	int rc = 0;
	if (vb_hv_glob_any(modular) && !vb_hv_glob_any(backend)) {
		*why = vb_asprintf("libvirt's %s pool backend (libvirt_storage_backend_%s.so) is not installed on %s: install "
		                   "libvirt-daemon (Debian 12) or %s (Fedora) and restart libvirtd",
		                   name, name, vb_hv_where(), fedora_pkg);
		rc = -1;
	}
	free(deb);
	free(rpm);
	return rc;
}
