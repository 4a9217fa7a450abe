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
#include <string.h>

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
	/* the job's own engine (libaio) gives way to the model's: one
	 * --ioengine in fio's record of the job */
	json_t *args = json_array(), *a;
	size_t i;
	json_array_foreach(fio_args, i, a)
		if (strncmp(json_string_value(a), "--ioengine=", 11) != 0)
			json_array_append(args, a);
	rc = vb_mode_host_fio(d, args, (const char *const *)extra, log_prefix, fio_json, host_cpu, why);
	json_decref(args);
	for (i = 0; extra[i]; i++)
		free(extra[i]);
	free(extra);
	/* fio's nbd engine says "fio: connected to NBD server" on stdout
	 * before the JSON: the repetition's file is fio's JSON alone */
	char *brace = rc == 0 && *fio_json && **fio_json != '{' ? strstr(*fio_json, "\n{") : NULL;
	if (brace)
		memmove(*fio_json, brace + 1, strlen(brace + 1) + 1);
	return rc;
}

const struct vb_mode vb_mode_native = {
	.name = "native",
	.no_iotune = "fio's own storage client runs on the host, with no QEMU to throttle it",
	.summary = "fio's own client for the storage (its nbd engine for nbd), no QEMU at all",
	.host = true,
	.check_config = native_check_config,
	.measure = native_measure,
};
