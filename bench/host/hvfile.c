/* hvfile: plain file system verbs on the hypervisor (hvfile.h). */
#include "config.h"
#include "host/hvfile.h"
#include "host/hv.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The verbs, each as a shell snippet over its arguments ($1, $2) for a
 * remote hypervisor: stderr joins stdout so that the kernel's complaint
 * (EBUSY, EINVAL from a configfs attribute) comes back in *why. */
static int remote(const char *verb, const char *script, const char *a, const char *b, char **why)
{
	const char *argv[] = {"sh", "-c", script, "sh", a, b, NULL};
	char *out = NULL;
	int rc = vb_hv_run(argv, &out, 20);
	if (rc != 0) {
		if (out)
			out[strcspn(out, "\n")] = '\0';
		*why = vb_asprintf("cannot %s '%s' on %s: %s", verb, b ? b : a, vb_hv_where(),
		                   out && *out ? out : "the command failed");
	}
	free(out);
	return rc == 0 ? 0 : -1;
}

static int local_fail(const char *verb, const char *path, char **why)
{
	*why = vb_asprintf("cannot %s '%s': %s", verb, path, strerror(errno));
	return -1;
}

int vb_hv_write_text(const char *path, const char *text, char **why)
{
	if (vb_hv_remote())
		return remote("write", "exec 2>&1; printf %s \"$1\" > \"$2\"", text, path, why);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t n = strlen(text);
	if (fd < 0)
		return local_fail("open", path, why);
	ssize_t w = write(fd, text, n);
	int saved = errno;
	close(fd);
	if (w != (ssize_t)n) {
		errno = w < 0 ? saved : EIO;
		*why = vb_asprintf("cannot write '%s' to '%s': %s", text, path, strerror(errno));
		return -1;
	}
	return 0;
}

int vb_hv_mkdir(const char *path, char **why)
{
	if (vb_hv_remote())
		return remote("make folder", "exec 2>&1; mkdir -- \"$1\"", path, NULL, why);
	return mkdir(path, 0755) == 0 ? 0 : local_fail("make folder", path, why);
}

int vb_hv_rmdir(const char *path, char **why)
{
	if (vb_hv_remote())
		return remote("remove folder", "exec 2>&1; rmdir -- \"$1\"", path, NULL, why);
	return rmdir(path) == 0 ? 0 : local_fail("remove folder", path, why);
}

int vb_hv_unlink(const char *path, char **why)
{
	if (vb_hv_remote())
		return remote("remove", "exec 2>&1; rm -- \"$1\"", path, NULL, why);
	return unlink(path) == 0 ? 0 : local_fail("remove", path, why);
}

int vb_hv_symlink(const char *target, const char *link, char **why)
{
	if (vb_hv_remote())
		return remote("link", "exec 2>&1; ln -s -- \"$1\" \"$2\"", target, link, why);
	return symlink(target, link) == 0 ? 0 : local_fail("link", link, why);
}
