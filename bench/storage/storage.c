/* storage: the table of storage models and what they share (storage.h). */
#include "config.h"
#include "storage/storage.h"
#include "summary/runrec.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

extern const struct vb_storage vb_storage_raw, vb_storage_block, vb_storage_qcow2, vb_storage_qcow2_metadata,
	vb_storage_qcow2_falloc, vb_storage_qcow2_full, vb_storage_volume, vb_storage_nbd, vb_storage_iscsi,
	vb_storage_nfs, vb_storage_null;
extern const struct vb_storage vb_storage_logical, vb_storage_disk;
extern const struct vb_storage vb_storage_iscsi_kernel, vb_storage_netfs;

/* Display order: plain files, the formats over them, libvirt's pool, the
 * network protocols, and no storage at all. */
const struct vb_storage *const vb_storages[] = {
	&vb_storage_raw,
	&vb_storage_block,
	&vb_storage_qcow2,
	&vb_storage_qcow2_metadata,
	&vb_storage_qcow2_falloc,
	&vb_storage_qcow2_full,
	&vb_storage_volume,
	&vb_storage_logical,
	&vb_storage_disk,
	&vb_storage_nbd,
	&vb_storage_iscsi,
	&vb_storage_nfs,
	&vb_storage_iscsi_kernel,
	&vb_storage_netfs,
	&vb_storage_null,
	NULL,
};

const struct vb_storage *vb_storage_find(const char *name)
{
	for (size_t i = 0; name && vb_storages[i]; i++)
		if (strcmp(vb_storages[i]->name, name) == 0)
			return vb_storages[i];
	return NULL;
}

char *vb_storage_names(void)
{
	struct vb_buf b = {0};
	for (size_t i = 0; vb_storages[i]; i++)
		vb_buf_addf(&b, "%s%s", i ? ", " : "", vb_storages[i]->name);
	return vb_buf_release(&b);
}

const char *vb_storage_legacy_name(const char *backend, const char *format)
{
	return vb_runrec_legacy_storage(backend, format); /* one spelling for run.json's readers too */
}

const struct vb_storage *vb_storage_of(const struct vb_config *c)
{
	if (c->storage && *c->storage)
		return vb_storage_find(c->storage);
	return vb_storage_find(vb_storage_legacy_name(c->backend, c->format));
}

int vb_storage_settle(struct vb_config *c)
{
	const char *legacy = vb_storage_legacy_name(c->backend, c->format);
	bool old_spelling = strcmp(legacy, "raw") != 0;
	if (c->storage && *c->storage) {
		if (!vb_storage_find(c->storage)) {
			char *names = vb_storage_names();
			vb_error("--storage: unknown storage model '%s': choose from %s ('vmio-bench storage' describes them)",
			         c->storage, names);
			free(names);
			return -1;
		}
		if (old_spelling && strcmp(legacy, c->storage) != 0)
			return vb_error("--storage %s and --backend %s / --format %s name different storage: give --storage alone",
			                c->storage, c->backend, c->format);
		return 0;
	}
	free(c->storage);
	c->storage = vb_strdup(legacy);
	return 0;
}

void vb_stor_init(struct vb_stor *s, const struct vb_storage *m, const struct vb_config *c, struct vb_virt *v,
                  const struct vb_store *store, const char *run_dir, const char *log_dir, bool system)
{
	memset(s, 0, sizeof(*s));
	s->model = m;
	s->cfg = c;
	s->virt = v;
	s->store = store;
	s->run_dir = run_dir;
	s->log_dir = log_dir;
	s->system = system;
	s->record = json_pack("{s:s, s:s}", "model", m->name, "format", m->format);
	s->priv = m->priv_size ? vb_calloc(1, m->priv_size) : NULL;
}

/* Without a hook of its own, a model opens the store's path as it is. */
static void plain_path(struct vb_stor *s)
{
	if (s->path || !s->store || !s->store->path)
		return;
	s->path = vb_strdup(s->store->path);
	s->is_block = s->store->is_block;
	if (!s->medium)
		s->medium = vb_strdup(s->store->path);
}

int vb_stor_prepare(struct vb_stor *s, char **why)
{
	const struct vb_storage *m = s->model;
	if (m->check_config && m->check_config(s->cfg, why) < 0)
		return -1;
	if (m->prepare && m->prepare(s, why) < 0)
		return -1;
	if (!m->prepare)
		plain_path(s);
	/* what QEMU opened, when it is a path */
	if (s->path && !json_object_get(s->record, "image"))
		json_object_set_new(s->record, "image", json_string(s->path));
	return 0;
}

void vb_stor_plan(struct vb_stor *s)
{
	if (s->model->plan)
		s->model->plan(s);
	else
		plain_path(s);
}

void vb_stor_teardown(struct vb_stor *s)
{
	if (!s->model)
		return;
	if (s->model->teardown)
		s->model->teardown(s);
	free(s->path);
	free(s->medium);
	free(s->priv);
	json_decref(s->record);
	memset(s, 0, sizeof(*s));
}

const char *vb_stor_disk_type(const struct vb_stor *s)
{
	if (s->model->disk_type && strcmp(s->model->disk_type, "file") == 0 && s->is_block)
		return "block";
	return s->model->disk_type;
}

void vb_stor_source_xml(struct vb_xml *x, const struct vb_stor *s)
{
	if (s->model->source_xml)
		s->model->source_xml(x, s);
	else
		vb_stor_path_source(x, s);
}

json_t *vb_stor_blockdev(const struct vb_stor *s, const char *node)
{
	return s->model->blockdev ? s->model->blockdev(s, node) : vb_stor_path_blockdev(s, node);
}

json_t *vb_stor_objects(const struct vb_stor *s)
{
	json_t *o = s->model->objects ? s->model->objects(s) : NULL;
	return o ? o : json_array();
}

void vb_stor_path_source(struct vb_xml *x, const struct vb_stor *s)
{
	vb_xml_empty(x, "source", s->is_block ? "dev" : "file", s->path, NULL);
}

json_t *vb_stor_cache(const struct vb_config *c)
{
	/* QEMU's -blockdev spells the cache modes as two flags */
	bool direct = !strcmp(c->cache, "none") || !strcmp(c->cache, "directsync");
	return json_pack("{s:b, s:b}", "direct", direct, "no-flush", !strcmp(c->cache, "unsafe"));
}

json_t *vb_stor_path_blockdev(const struct vb_stor *s, const char *node)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:o}", "driver", s->is_block ? "host_device" : "file", "node-name", node,
	                 "filename", s->path ? s->path : "", "aio", s->cfg->io, "cache", vb_stor_cache(s->cfg));
}

json_t *vb_stor_settings(struct vb_stor *s)
{
	json_t *o = json_object_get(s->record, "settings");
	if (!o) {
		o = json_object();
		json_object_set_new(s->record, "settings", o);
	}
	return o;
}
