#include "config.h"
#include "guest/image.h"
#include "core/options.h"
#include "core/util.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Helpers and where each lives in the build tree and once installed. */
static const struct {
	const char *name;
	const char *build;    /* relative to VB_BUILDDIR or VB_SRCDIR */
	bool in_srcdir;
	const char *installed_dir;
} helpers[] = {
	{"vmio-agent", "guest-agent/vmio-agent", false, VB_PKGLIBEXECDIR},
	{"mkimage", "scripts/mkimage", true, VB_PKGDATADIR},
	{"init", "guest-agent/init", true, VB_PKGDATADIR},
	{"vhost-user-blk.so", "engines/vhost-user-blk.so", false, VB_ENGINEDIR},
};

static bool running_from_build_tree(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *want = vb_asprintf("%s/bench/", VB_BUILDDIR);
	bool r;
	if (n < 0) {
		free(want);
		return false;
	}
	exe[n] = '\0';
	r = strncmp(exe, want, strlen(want)) == 0;
	free(want);
	return r;
}

char *vb_helper_path(const char *name)
{
	bool build = running_from_build_tree();
	for (size_t i = 0; i < sizeof(helpers) / sizeof(helpers[0]); i++) {
		if (strcmp(helpers[i].name, name) != 0)
			continue;
		if (build)
			return vb_asprintf("%s/%s", helpers[i].in_srcdir ? VB_SRCDIR : VB_BUILDDIR, helpers[i].build);
		return vb_asprintf("%s/%s", helpers[i].installed_dir, name);
	}
	return NULL;
}

static char *absolute(const char *what, const char *path)
{
	char real[PATH_MAX];
	struct stat st;
	if (!realpath(path, real) || stat(real, &st) < 0) {
		vb_error("%s '%s': %s", what, path, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		vb_error("%s '%s' is not a regular file", what, path);
		return NULL;
	}
	return vb_strdup(real);
}

int vb_image_locate(const struct vb_config *c, struct vb_image *img)
{
	char *dir = vb_asprintf("%s/image", c->cache_dir);
	/* the image's uncompressed kernel boots through its PVH entry, with no
	 * decompression in the guest (scripts/mkimage keeps it only when the
	 * kernel has that entry); an older image has only vmlinuz */
	char *k = c->kernel ? vb_strdup(c->kernel) : vb_asprintf("%s/vmlinux", dir);
	if (!c->kernel && access(k, R_OK) < 0) {
		free(k);
		k = vb_asprintf("%s/vmlinuz", dir);
	}
	char *i = c->initrd ? vb_strdup(c->initrd) : vb_asprintf("%s/initrd.img", dir);
	int ret = -1;

	memset(img, 0, sizeof(*img));
	if (!c->kernel && !c->initrd && (access(k, R_OK) < 0 || access(i, R_OK) < 0)) {
		vb_error("no guest image in '%s': build it with 'vmio-bench image build' (scripts/setup does this), or pass --kernel and --initrd",
		         dir);
		goto out;
	}
	if (!(img->kernel = absolute("--kernel", k)) || !(img->initrd = absolute("--initrd", i)))
		goto out;
	if (!c->kernel && !c->initrd) {
		char *m = vb_asprintf("%s/manifest.json", dir);
		img->manifest = json_load_file(m, 0, NULL);
		free(m);
	}
	ret = 0;
out:
	if (ret < 0)
		vb_image_release(img);
	free(dir);
	free(k);
	free(i);
	return ret;
}

void vb_image_release(struct vb_image *img)
{
	free(img->kernel);
	free(img->initrd);
	json_decref(img->manifest);
	memset(img, 0, sizeof(*img));
}
