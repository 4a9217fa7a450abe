/* place: what a run needs on a remote hypervisor, put there through
 * libvirt's storage API: the guest image uploaded into vmio-bench's own
 * pool (reused when the checksums match), the backing store a volume of it
 * filled on the remote side (nothing of its size crosses the link), or the
 * user's --disk checked there.  Locally nothing of this happens: the image
 * and the store are this machine's files. */
#ifndef VB_PLACE_H
#define VB_PLACE_H

#include <jansson.h>

#include "guest/image.h"
#include "host/store.h"
#include "core/vbconfig.h"
#include "guest/virt.h"

/* Replace img's paths with the remote volumes' and fill s.  *record gets
 * what was placed how, for run.json ("placement").  Reports and returns
 * -1 on failure. */
/* need_store: some storage of the plan reads the filled store (not all
 * of it is null). */
int vb_place_remote(const struct vb_config *c, struct vb_virt *v, struct vb_image *img, struct vb_store *s,
                    bool need_store, json_t **record);
/* The pool's name and folder on the current hypervisor; caller frees. */
char *vb_place_pool_name(void);
char *vb_place_pool_dir(void);

#endif
