/* accel: chooses the accelerator.  `auto` trusts KVM only when a probe
 * guest actually boots under it before a deadline: on some hosts /dev/kvm
 * exists but a guest hangs after the BIOS, and a benchmark must not wait
 * forever or silently report nothing. */
#ifndef VB_ACCEL_H
#define VB_ACCEL_H

#include "vbconfig.h"
#include "image.h"
#include "virt.h"

struct vb_accel {
	const char *name;        /* "kvm" or "tcg" (static) */
	const char *domain_type; /* "kvm" or "qemu" (static) */
	char *why;               /* how it was chosen; caller frees */
};

/* Returns 0, or -1 after reporting (e.g. --accel kvm on a host without
 * KVM). */
int vb_accel_choose(struct vb_virt *v, const struct vb_config *c, const struct vb_image *img,
                    struct vb_accel *out);

#endif
