/* secret: an iSCSI target's CHAP login for one run, on both sides: a
 * random password, the account tgtd binds to the target (host/tgt.h), and
 * the libvirt secret QEMU reads it from (ephemeral, private, its usage the
 * target's IQN).  lun's loopback LUN and the iscsi storage model share it;
 * the address ACL alone would admit any process of the host. */
#ifndef VB_SECRET_H
#define VB_SECRET_H

#include "guest/virt.h"
#include "host/tgt.h"

/* Make t's CHAP account (t->user) and its libvirt secret (uuid[37]).
 * who prefixes messages ("lun").  0, or -1 with *why; vb_chap_remove
 * undoes what was made either way. */
int vb_chap_new(struct vb_virt *v, struct vb_tgt *t, char uuid[37], const char *who, char **why);
/* The same, the password also handed back in password[33] (for QEMU's
 * own -object secret, where libvirt's does not reach: -blockdev). */
int vb_chap_new_keep(struct vb_virt *v, struct vb_tgt *t, char uuid[37], const char *who, char password[33],
                     char **why);
/* Undefine the secret (a warning when libvirt cannot) and forget its
 * UUID; the account goes with vb_tgt_target_remove. */
void vb_chap_remove(struct vb_virt *v, char uuid[37], const char *who);

#endif
