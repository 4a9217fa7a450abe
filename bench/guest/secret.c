/* secret: a run's CHAP login to its iSCSI target (secret.h). */
#include "config.h"
#include "guest/secret.h"
#include "core/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A password nobody can guess: 16 random bytes, as hex. */
static int random_password(char out[33], char **why)
{
	unsigned char b[16];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, b, sizeof(b)) : -1;
	if (fd >= 0)
		close(fd);
	if (n != (ssize_t)sizeof(b)) {
		*why = vb_strdup("cannot read /dev/urandom for the iSCSI target's CHAP password");
		return -1;
	}
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	return 0;
}

int vb_chap_new(struct vb_virt *v, struct vb_tgt *t, char uuid[37], const char *who, char **why)
{
	char password[33];
	int r = vb_chap_new_keep(v, t, uuid, who, password, why);
	memset(password, 0, sizeof(password));
	return r;
}

int vb_chap_new_keep(struct vb_virt *v, struct vb_tgt *t, char uuid[37], const char *who, char password[33],
                     char **why)
{
	password[0] = '\0';
	if (!v) {
		*why = vb_asprintf("%s: no libvirt connection for the target's CHAP secret", who);
		return -1;
	}
	if (random_password(password, why) < 0)
		return -1;
	int r = vb_tgt_account_new(t, password, why);
	if (r == 0)
		r = vb_virt_iscsi_secret_new(v, t->iqn, password, uuid, why);
	return r;
}

void vb_chap_remove(struct vb_virt *v, char uuid[37], const char *who)
{
	char *why = NULL;
	if (uuid[0] && v && vb_virt_secret_remove(v, uuid, &why) < 0)
		vb_warn("%s: %s", who, why);
	free(why);
	uuid[0] = '\0';
}
