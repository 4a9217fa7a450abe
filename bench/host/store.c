#include "config.h"
#include "host/store.h"
#include "core/layout.h"
#include "host/hostres.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/fs.h>

int vb_check_reachable(const char *what, const char *path)
{
	char *p = vb_strdup(path);
	int ret = 0;
	for (char *slash = strrchr(p, '/'); slash && slash != p; slash = strrchr(p, '/')) {
		struct stat st;
		*slash = '\0';
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode) && !(st.st_mode & S_IXOTH)) {
			ret = vb_error("%s '%s' is inside folder '%s', which QEMU's unprivileged user cannot enter: move it (e.g. under /var/cache/vmio-bench) or run 'chmod o+x %s'",
			               what, path, p, p);
			break;
		}
	}
	free(p);
	return ret;
}

static int fill_file(const char *path, uint64_t size)
{
	char *tmp = vb_asprintf("%s.tmp", path);
	size_t chunk = 1u << 20;
	unsigned char *buf = vb_calloc(1, chunk);
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	uint64_t done = 0;
	int fd, ret = -1;

	/* Non-zero, non-repeating data: no backend can skip it as zeroes. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		vb_error("cannot create the backing store '%s': %s: choose another --cache-dir or pass --disk", tmp, strerror(errno));
		goto out;
	}
	while (done < size && !vb_interrupted) {
		size_t n = size - done < chunk ? (size_t)(size - done) : chunk;
		for (size_t i = 0; i + 8 <= n; i += 8) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			memcpy(buf + i, &x, 8);
		}
		ssize_t w = pwrite(fd, buf, n, (off_t)done);
		if (w <= 0) {
			vb_error("cannot fill the backing store '%s': %s: free some space, pass a smaller --size or another --cache-dir",
			         tmp, w < 0 ? strerror(errno) : "short write");
			goto out;
		}
		done += (uint64_t)w;
	}
	if (vb_interrupted) {
		vb_error("interrupted while filling the backing store '%s'", tmp);
		goto out;
	}
	if (fsync(fd) < 0 || rename(tmp, path) < 0) {
		vb_error("cannot finish the backing store '%s': %s", path, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	if (ret < 0)
		unlink(tmp);
	free(tmp);
	free(buf);
	return ret;
}

static int user_disk(const struct vb_config *c, struct vb_store *s)
{
	char real[PATH_MAX];
	struct stat st;
	int fd;

	if (!realpath(c->disk, real) || stat(real, &st) < 0)
		return vb_error("--disk '%s': %s: give an existing file or block device", c->disk, strerror(errno));
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return vb_error("--disk '%s' is neither a regular file nor a block device", c->disk);
	fd = open(real, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return vb_error("--disk '%s' cannot be opened for reading and writing: %s", c->disk, strerror(errno));
	if (S_ISBLK(st.st_mode)) {
		uint64_t bytes = 0;
		if (ioctl(fd, BLKGETSIZE64, &bytes) < 0)
			bytes = 0;
		s->size = bytes;
	} else {
		s->size = (uint64_t)st.st_size;
	}
	close(fd);
	if (s->size < (1u << 20))
		return vb_error("--disk '%s' is smaller than 1 MiB: give a larger file or device", c->disk);
	s->path = vb_strdup(real);
	s->is_block = S_ISBLK(st.st_mode);
	return 0;
}

int vb_store_prepare(const struct vb_config *c, struct vb_store *s)
{
	char sz[32];
	char *dir, *marker;
	struct stat st;
	int ret = 0;

	memset(s, 0, sizeof(*s));
	if (c->disk) {
		return user_disk(c, s);
	}

	dir = vb_asprintf("%s/store", c->cache_dir);
	if (vb_mkdir_p(dir, 0755) < 0) {
		ret = vb_error("cannot create '%s': %s: choose another --cache-dir", dir, strerror(errno));
		free(dir);
		return ret;
	}
	s->path = vb_layout_store(c->cache_dir, c->size);
	s->size = c->size;
	s->created = true;
	free(dir);
	/* The marker says the file was filled completely; without it (or with
	 * the wrong size) it is written again. */
	marker = vb_asprintf("%s.filled", s->path);
	if (stat(s->path, &st) == 0 && (uint64_t)st.st_size == c->size && access(marker, F_OK) == 0) {
		free(marker);
		return 0;
	}
	unlink(marker);
	/* (an image made from the old fill knows it: storage/qcow2.c) */
	if (c->size % (1ULL << 30) == 0)
		snprintf(sz, sizeof(sz), "%llu GiB", (unsigned long long)(c->size >> 30));
	else
		snprintf(sz, sizeof(sz), "%llu MiB", (unsigned long long)(c->size >> 20));
	vb_info("filling the backing store %s (%s) so that reads hit real blocks", s->path, sz);
	if (fill_file(s->path, c->size) < 0) {
		ret = -1;
	} else {
		int fd = open(marker, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0)
			close(fd);
	}
	free(marker);
	return ret;
}

void vb_store_release(struct vb_store *s)
{
	free(s->path);
	memset(s, 0, sizeof(*s));
}
