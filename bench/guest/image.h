/* image: the guest image (kernel + initramfs with busybox, fio and
 * vmio-agent).  `vmio-bench image build` runs scripts/mkimage; run and xml
 * find the result in the cache folder unless --kernel/--initrd say
 * otherwise. */
#ifndef VB_IMAGE_H
#define VB_IMAGE_H

#include <jansson.h>

#include "core/vbconfig.h"

struct vb_image {
	char *kernel;    /* absolute paths */
	char *initrd;
	json_t *manifest; /* image manifest, or NULL for a user's own image */
};

/* Locate the image; reports and returns -1 when it is missing. */
int vb_image_locate(const struct vb_config *c, struct vb_image *img);
void vb_image_release(struct vb_image *img);

/* Where the helper files live: the build tree when vmio-bench runs from it,
 * the installed folders otherwise.  Caller frees. */
char *vb_helper_path(const char *name);

#endif
