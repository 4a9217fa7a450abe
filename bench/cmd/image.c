#include "config.h"
#include "guest/image.h"
#include "commands.h"
#include "core/options.h"
#include "core/util.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int image_build(const struct vb_config *c)
{
	char *mk = vb_helper_path("mkimage");
	char *agent = vb_helper_path("vmio-agent");
	char *init = vb_helper_path("init");
	char *out = vb_asprintf("%s/image", c->cache_dir);
	int ret = VB_EXIT_FAIL;

	if (!vb_is_executable(agent)) {
		vb_error("the guest agent '%s' is missing: build it with 'make' first", agent);
		goto done;
	}
	const char *argv[] = {"bash", mk, "--cache", c->cache_dir, "--agent", agent, "--init", init, NULL};
	int st = vb_run(argv, NULL, 0);
	if (st == 0)
		ret = VB_EXIT_OK;
	else if (st == 2)
		ret = VB_EXIT_USAGE;
	else
		vb_error("building the guest image in '%s' failed (see the lines above)", out);
done:
	free(mk);
	free(agent);
	free(init);
	free(out);
	return ret;
}

static int image_info(const struct vb_config *c)
{
	struct vb_image img;
	struct stat sk, si;
	json_t *v;
	if (vb_image_locate(c, &img) < 0)
		return VB_EXIT_FAIL;
	stat(img.kernel, &sk);
	stat(img.initrd, &si);
	printf("kernel:    %s (%.1f MiB)\n", img.kernel, (double)sk.st_size / 1048576.0);
	printf("initramfs: %s (%.1f MiB)\n", img.initrd, (double)si.st_size / 1048576.0);
	if (img.manifest) {
		const char *keys[][2] = {{"kernel_version", "guest kernel"}, {"kernel_package", "from package"}, {"boot", "boot"},
		                         {"fio_version", "fio"}, {"agent_version", "vmio-agent"},
		                         {"busybox", "busybox"}, {"built", "built"}};
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			v = json_object_get(img.manifest, keys[k][0]);
			if (json_is_string(v))
				printf("%-10s %s\n", keys[k][1], json_string_value(v));
		}
		v = json_object_get(img.manifest, "modules");
		if (json_is_array(v)) {
			size_t i;
			json_t *m;
			printf("modules:   ");
			json_array_foreach(v, i, m) printf("%s%s", i ? " " : "", json_is_string(m) ? json_string_value(m) : "?");
			printf("\n");
		}
		v = json_object_get(img.manifest, "files");
		if (json_is_array(v)) {
			size_t i;
			json_t *f;
			printf("largest files in the initramfs:\n");
			json_array_foreach(v, i, f) {
				json_t *p = json_object_get(f, "path"), *s = json_object_get(f, "size");
				if (json_is_string(p) && json_is_integer(s))
					printf("  %9.1f KiB  %s\n", (double)json_integer_value(s) / 1024.0, json_string_value(p));
			}
		}
	} else {
		printf("(no manifest: a kernel and initramfs of your own)\n");
	}
	vb_image_release(&img);
	return VB_EXIT_OK;
}

static int vb_cmd_image(struct vb_config *c, int nrest, char **rest)
{
	if (nrest == 1 && strcmp(rest[0], "build") == 0)
		return image_build(c);
	if (nrest == 1 && strcmp(rest[0], "info") == 0)
		return image_info(c);
	vb_error("image: expected 'build' or 'info'%s%s: see 'vmio-bench image --help'", nrest ? ", not " : "",
	         nrest ? rest[0] : "");
	return VB_EXIT_USAGE;
}

const struct vb_command vb_command_image = {
	.name = "image", .args = true, .fn = vb_cmd_image,
	.synopsis = "image build|info [options]",
	.summary = "build the guest image (image build) or describe it (image info)",
	.help = "  build   make the guest kernel + initramfs in CACHE/image from Debian packages\n"
	        "  info    print what the image holds and its size\n",
};
