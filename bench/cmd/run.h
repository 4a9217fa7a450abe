/* run: `vmio-bench run`: plan, backing store, accelerator, then each mode in
 * turn (one guest per mode, never two on one backing store), recording
 * everything in the run folder, then the table. */
#ifndef VB_RUN_H
#define VB_RUN_H

#include "accel.h"
#include "image.h"
#include "mode.h"
#include "store.h"

/* The disk context a mode starts from (before its prepare hook). */
void vb_run_disk_ctx(struct vb_disk_ctx *d, const struct vb_config *c, const struct vb_store *store, const char *run_dir);
/* The domain XML `run` creates for a mode; caller frees. */
char *vb_run_domain_xml_new(const struct vb_config *c, const struct vb_mode *m, const char *domain_type,
                            const struct vb_image *img, const struct vb_disk_ctx *disk,
                            const char *name, const char *console_log);
/* Refuse tuning combinations libvirt or QEMU would refuse, before any
 * domain exists; reports and returns -1. */
int vb_run_check_tuning(const struct vb_config *c);

#endif
