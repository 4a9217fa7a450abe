/* loopdev: loop devices on the hypervisor (loopdev.h). */
#include "config.h"
#include "host/loopdev.h"
#include "host/hv.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int vb_loop_probe(char **why)
{
	if (vb_hv_test("-e", "/dev/loop-control"))
		return 0;
	*why = vb_asprintf("the kernel on %s has no loop device support (/dev/loop-control is absent): modprobe loop there",
	                   vb_hv_where());
	return -1;
}

/* The last line of log that names a loop device (losetup --show's
 * answer; a warning may come before it), or NULL. */
static char *device_line(const char *log)
{
	char *text = vb_read_file(log, 16384, NULL), *dev = NULL;
	for (char *line = text ? strtok(text, "\n") : NULL; line; line = strtok(NULL, "\n"))
		if (strncmp(line, "/dev/loop", 9) == 0 && !strchr(line, ' ')) {
			free(dev);
			dev = vb_strdup(line);
		}
	free(text);
	return dev;
}

/* What the kernel chose: losetup's DIO column, "1" when the device reads
 * its file with O_DIRECT. */
static bool reads_direct(const char *dev)
{
	const char *argv[] = {"losetup", "--list", "--noheadings", "--output", "DIO", dev, NULL};
	char *out = NULL;
	bool on = vb_hv_run_quiet(argv, &out, 20) == 0 && out && strtol(out, NULL, 10) == 1;
	free(out);
	return on;
}

int vb_loop_attach(struct vb_loop *l, const char *file, bool partscan, const char *log, char **why)
{
	/* (--find --show takes a free device and binds it in one call: two
	 * runs attaching at once get two devices) */
	const char *argv[7] = {"losetup", "--find", "--show", "--direct-io=on"};
	size_t n = 4;
	if (partscan)
		argv[n++] = "--partscan";
	argv[n++] = file;
	argv[n] = NULL;
	int rc = vb_hv_run_logged(argv, log, 60);
	char *dev = rc == 0 ? device_line(log) : NULL;
	if (!dev) {
		char *said = vb_file_last_line(log);
		*why = vb_asprintf("cannot attach a loop device to '%s' on %s (losetup: %s): check 'losetup -a' for free "
		                   "devices and that the kernel has loop (modprobe loop)",
		                   file, vb_hv_where(), said && *said ? said : "no message");
		free(said);
		return -1;
	}
	unlink(log); /* losetup says nothing else when it works */
	l->dev = dev;
	l->file = vb_strdup(file);
	l->partscan = partscan;
	l->direct_io = reads_direct(dev);
	vb_info("loop device %s over %s (direct I/O %s%s)", dev, file, l->direct_io ? "on" : "off",
	        partscan ? ", partitions scanned" : "");
	return 0;
}

/* Is a device still bound to file?  losetup -d on a device something
 * still holds (a device-mapper table) succeeds and only marks it to go
 * once released, so the file is asked, not the command's status. */
static char *still_bound(const char *file, const char *dev)
{
	const char *argv[] = {"losetup", "--associated", file, NULL};
	char *out = NULL;
	if (vb_hv_run_quiet(argv, &out, 20) != 0) {
		free(out);
		return vb_strdup(dev); /* unknown: taken as still bound */
	}
	if (!out || !*out) {
		free(out);
		return NULL;
	}
	out[strcspn(out, ":\n")] = '\0';
	return out;
}

bool vb_loop_is_ours(const struct vb_loop *l)
{
	if (!l->dev || !l->file)
		return false;
	const char *argv[] = {"losetup", "--noheadings", "--output", "BACK-FILE", "--", l->dev, NULL};
	char *out = NULL;
	bool ours = vb_hv_run_quiet(argv, &out, 20) == 0 && out;
	if (ours) {
		out[strcspn(out, "\n")] = '\0';
		/* (a file removed under it reads "FILE (deleted)": not ours to trust) */
		char *end = out + strlen(out);
		while (end > out && end[-1] == ' ')
			*--end = '\0';
		ours = strcmp(out, l->file) == 0;
	}
	free(out);
	return ours;
}

int vb_loop_detach(struct vb_loop *l, char **why)
{
	int rc = 0;
	if (l->dev && !vb_loop_is_ours(l)) {
		*why = vb_asprintf("the loop device %s no longer reads '%s' on %s (detached and reused by someone else?): "
		                   "left alone; see 'losetup --associated %s'", l->dev, l->file, vb_hv_where(), l->file);
		rc = -1;
	} else if (l->dev) {
		const char *argv[] = {"losetup", "--detach", l->dev, NULL};
		vb_hv_run_quiet(argv, NULL, 60);
		char *left = still_bound(l->file, l->dev);
		if (left) {
			*why = vb_asprintf("the loop device %s over '%s' is still attached on %s (something holds it: see "
			                   "'dmsetup ls' and 'lsblk %s'): detach it with 'losetup -d %s' once free",
			                   left, l->file, vb_hv_where(), left, left);
			rc = -1;
		}
		free(left);
	}
	free(l->dev);
	free(l->file);
	memset(l, 0, sizeof(*l));
	return rc;
}

char *vb_loop_list_prefix(const char *prefix)
{
	const char *argv[] = {"losetup", "--list", "--noheadings", "--output", "NAME,BACK-FILE", NULL};
	char *out = NULL;
	struct vb_buf b = {0};
	if (vb_hv_run_quiet(argv, &out, 20) != 0 || !out) {
		free(out);
		return NULL;
	}
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		char *file = strchr(line, ' ');
		while (file && *file == ' ')
			file++;
		const char *base = file ? strrchr(file, '/') : NULL;
		if (base && strncmp(base + 1, prefix, strlen(prefix)) == 0)
			vb_buf_addf(&b, "%s%s", b.len ? "\n" : "", line);
	}
	free(out);
	if (!b.len) {
		vb_buf_free(&b);
		return NULL;
	}
	return vb_buf_release(&b);
}
