/* native: fio's own client for the storage, with no QEMU at all (fio's nbd
 * engine against the NBD server, where the storage model has one): the
 * storage's ceiling as a client sees it, beside host (the medium) and
 * backend (QEMU's block layer in qemu-storage-daemon).  A storage model
 * without such an engine is refused: there, host is that figure. */
#include "config.h"
#include "modes/mode.h"
#include "storage/storage.h"
#include "core/util.h"

#include <stdlib.h>

static int native_check_config(const struct vb_config *cfg, char **why)
{
	const struct vb_storage *m = vb_storage_of(cfg);
	if (m && !m->fio_native) {
		*why = vb_asprintf("mode native: fio has no client of its own for storage %s (the model's figure with no "
		                   "QEMU is host's): leave native out, or run it on a model fio speaks (nbd)", m->name);
		return -1;
	}
	return 0;
}

static int native_measure(const struct vb_disk_ctx *d, json_t *fio_args, const char *log_prefix, char **fio_json,
                          json_t **host_cpu, char **why)
{
	char **extra = d->stor->model->fio_native ? d->stor->model->fio_native(d->stor) : NULL;
	int rc;
	*host_cpu = NULL;
	if (!extra) {
		*why = vb_asprintf("native: storage %s has no fio client of its own", d->stor->model->name);
		return -1;
	}
	rc = vb_mode_host_fio(d, fio_args, (const char *const *)extra, log_prefix, fio_json, host_cpu, why);
	for (size_t i = 0; extra[i]; i++)
		free(extra[i]);
	free(extra);
	return rc;
}

const struct vb_mode vb_mode_native = {
	.name = "native",
	.summary = "fio's own client for the storage (its nbd engine for nbd), no QEMU at all",
	.host = true,
	.check_config = native_check_config,
	.measure = native_measure,
};
