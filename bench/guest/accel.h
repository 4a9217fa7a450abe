/* accel: chooses the accelerator.  `auto` trusts KVM only when a probe
 * guest actually boots under it before a deadline: on some hosts /dev/kvm
 * exists but a guest hangs after the BIOS, and a benchmark must not wait
 * forever or silently report nothing. */
#ifndef VB_ACCEL_H
#define VB_ACCEL_H

#include <jansson.h>
#include <stdbool.h>

#include "core/vbconfig.h"
#include "guest/image.h"
#include "guest/virt.h"

struct vb_accel {
	const char *name;        /* "kvm" or "tcg" (static) */
	const char *domain_type; /* "kvm" or "qemu" (static) */
	char *why;               /* how it was chosen; caller frees */
};

/* Returns 0, or -1 after reporting (e.g. --accel kvm on a host without
 * KVM). */
int vb_accel_choose(struct vb_virt *v, const struct vb_config *c, const struct vb_image *img,
                    struct vb_accel *out);

/* The probe's cache (CACHE_DIR/accel-probe.json): the verdict stored for
 * `key` (1 KVM boots, 0 it does not, with *why saying why and when), or -1
 * when none is stored for this key; and storing one. */
int vb_accel_cache_read(const char *path, json_t *key, char **why);
void vb_accel_cache_write(const char *path, json_t *key, bool boots, const char *why);

#endif
