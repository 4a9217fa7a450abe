/* vmio-agent: the program inside the guest.  It finds the virtio-serial port
 * named org.vmio.agent.0, greets the controller with what it sees (kernel,
 * block devices with their serials and drivers), runs each fio job it is
 * sent against the disk named by serial, and returns fio's JSON output
 * untouched.  Every failure becomes an `error` message with fio's stderr,
 * never silence.  Statically linked: the initramfs has no shared libraries.
 * Protocol: bench/core/proto.h. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/proto.h"
#include "core/fiopath.h"
#include "core/lathist.h"

#define AGENT_VERSION PACKAGE_VERSION
#define MAX_OUTPUT (30u << 20)   /* fio's JSON (json+ bins included) fits well below */
#define MAX_STDERR (64u << 10)

static int port = -1;

static void logmsg(const char *fmt, ...)
{
	va_list ap;
	struct timespec up;
	/* stamped like the kernel's own lines, so the console log shows where
	 * a boot's time went */
	clock_gettime(CLOCK_BOOTTIME, &up);
	va_start(ap, fmt);
	fprintf(stderr, "[%5ld.%06ld] vmio-agent: ", (long)up.tv_sec, up.tv_nsec / 1000);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the port ---------------------------------------------------------- */

static char *read_small(const char *path, size_t *lenp)
{
	char buf[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	if (lenp)
		*lenp = (size_t)n;
	char *r = malloc((size_t)n + 1);
	if (r)
		memcpy(r, buf, (size_t)n + 1);
	return r;
}

static void chomp(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
}

/* A whole file up to max bytes; NULL if missing or larger. */
static char *read_all(const char *path, size_t max, size_t *lenp)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;
	if (!f)
		return NULL;
	buf = malloc(max + 1);
	n = buf ? fread(buf, 1, max + 1, f) : 0;
	fclose(f);
	if (!buf || n > max) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*lenp = n;
	return buf;
}

static int open_port(double timeout)
{
	double deadline = now() + timeout;
	while (now() < deadline) {
		DIR *d = opendir("/sys/class/virtio-ports");
		struct dirent *e;
		while (d && (e = readdir(d))) {
			char path[PATH_MAX];
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name", e->d_name);
			char *name = read_small(path, NULL);
			if (!name)
				continue;
			chomp(name);
			bool match = strcmp(name, VB_PROTO_CHANNEL) == 0;
			free(name);
			if (match) {
				snprintf(path, sizeof(path), "/dev/%s", e->d_name);
				int fd = open(path, O_RDWR | O_CLOEXEC);
				if (fd >= 0) {
					closedir(d);
					logmsg("talking to the controller on %s", path);
					return fd;
				}
			}
		}
		if (d)
			closedir(d);
		usleep(100000);
	}
	return -1;
}

static int send_msg(json_t *m)
{
	char *s = json_dumps(m, JSON_COMPACT);
	size_t len, off = 0;
	double deadline = now() + 60;
	if (!s)
		return -1;
	len = strlen(s);
	s[len++] = '\n'; /* json_dumps leaves room: the NUL becomes the newline */
	while (off < len) {
		ssize_t n = write(port, s + off, len - off);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		/* The host side may not be connected yet (EPIPE/EAGAIN): wait. */
		if (n < 0 && errno != EINTR && errno != EAGAIN && errno != EPIPE && errno != ENODEV) {
			logmsg("write to the port failed: %s", strerror(errno));
			free(s);
			return -1;
		}
		if (now() > deadline) {
			logmsg("the controller did not take a message for 60 s");
			free(s);
			return -1;
		}
		usleep(50000);
	}
	free(s);
	return 0;
}

static json_t *msg_new(const char *type)
{
	return json_pack("{s:i, s:s}", "v", VB_PROTO_VERSION, "type", type);
}

static void send_error(const char *id, const char *stderr_text, const char *fmt, ...)
{
	va_list ap;
	char msg[1024];
	json_t *m = msg_new("error");
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	logmsg("error: %s", msg);
	json_object_set_new(m, "message", json_string(msg));
	if (id)
		json_object_set_new(m, "id", json_string(id));
	if (stderr_text) {
		json_t *s = json_string(stderr_text);
		json_object_set_new(m, "stderr", s ? s : json_string("(not UTF-8)"));
	}
	send_msg(m);
	json_decref(m);
}

/* Read one line from the port; NULL when nothing will come. */
static char *recv_line(void)
{
	static char *buf;
	static size_t len, cap;
	for (;;) {
		char *nl = len ? memchr(buf, '\n', len) : NULL;
		if (nl) {
			size_t n = (size_t)(nl - buf);
			char *line = malloc(n + 1);
			if (!line)
				return NULL;
			memcpy(line, buf, n);
			line[n] = '\0';
			memmove(buf, nl + 1, len - n - 1);
			len -= n + 1;
			return line;
		}
		if (len > VB_PROTO_MAX_LINE) {
			logmsg("the controller sent an overlong line; dropping it");
			len = 0;
		}
		if (cap - len < 65536) {
			size_t ncap = cap ? cap * 2 : 131072;
			char *p = realloc(buf, ncap);
			if (!p)
				return NULL;
			buf = p;
			cap = ncap;
		}
		ssize_t n = read(port, buf + len, cap - len);
		if (n > 0) {
			len += (size_t)n;
		} else if (n == 0 || errno == EAGAIN || errno == EINTR || errno == EPIPE) {
			/* No controller connected right now: wait for one. */
			usleep(100000);
		} else {
			logmsg("read from the port failed: %s", strerror(errno));
			return NULL;
		}
	}
}

/* ---- disks ------------------------------------------------------------- */

static char *disk_serial(const char *name)
{
	char path[PATH_MAX];
	char *s;
	size_t len = 0;

	/* virtio-blk exposes the serial directly, NVMe on its controller, and
	 * SCSI/ATA disks in VPD page 0x80 (unit serial number). */
	snprintf(path, sizeof(path), "/sys/block/%s/serial", name);
	if ((s = read_small(path, NULL)) && (chomp(s), *s))
		return s;
	free(s);
	snprintf(path, sizeof(path), "/sys/block/%s/device/serial", name);
	if ((s = read_small(path, NULL)) && (chomp(s), *s))
		return s;
	free(s);
	snprintf(path, sizeof(path), "/sys/block/%s/device/vpd_pg80", name);
	if ((s = read_small(path, &len)) && len > 4) {
		char serial[256];
		vb_serial_from_vpd80((const unsigned char *)s, len, serial, sizeof(serial));
		free(s);
		return strdup(serial);
	}
	free(s);
	return NULL;
}

/* The sysfs path of the first controller path (nvmeScCnN, hidden) of the
 * multipath head nvmeSnN, in real (PATH_MAX bytes); false if none. */
static bool nvme_path_of_head(const char *head, char *real)
{
	int subsys, ns, n = 0;
	bool found = false;
	if (sscanf(head, "nvme%dn%d%n", &subsys, &ns, &n) != 2 || head[n])
		return false;
	DIR *d = opendir("/sys/block");
	struct dirent *e;
	while (d && !found && (e = readdir(d))) {
		int s2, c, ns2, m = 0;
		char path[PATH_MAX], got[PATH_MAX];
		if (sscanf(e->d_name, "nvme%dc%dn%d%n", &s2, &c, &ns2, &m) == 3 && !e->d_name[m] && s2 == subsys && ns2 == ns) {
			snprintf(path, sizeof(path), "/sys/block/%s", e->d_name);
			if ((found = realpath(path, got) != NULL))
				memcpy(real, got, sizeof(got));
		}
	}
	if (d)
		closedir(d);
	return found;
}

static json_t *disk_info(const char *name)
{
	char path[PATH_MAX + 16], real[PATH_MAX], link[PATH_MAX];
	json_t *d = json_object();
	json_t *drivers = json_array();
	char *s;

	json_object_set_new(d, "name", json_string(name));
	snprintf(path, sizeof(path), "/sys/block/%s/size", name);
	if ((s = read_small(path, NULL))) {
		json_object_set_new(d, "size", json_integer((json_int_t)strtoull(s, NULL, 10) * 512));
		free(s);
	}
	s = disk_serial(name);
	json_object_set_new(d, "serial", s ? json_string(s) : json_null());
	free(s);
	/* The chain of drivers from the disk up to the PCI function, e.g.
	 * ["sd", "virtio_scsi", "virtio-pci"]: proof of which bus is in use. */
	snprintf(path, sizeof(path), "/sys/block/%s", name);
	if (realpath(path, real)) {
		/* An NVMe namespace of a multi-controller subsystem is a multipath
		 * head under /sys/devices/virtual/nvme-subsystem: its PCI place is
		 * that of the controller path under it (nvmeXcYnZ). */
		if (strstr(real, "/nvme-subsystem/") && nvme_path_of_head(name, real))
			json_object_set_new(d, "multipath_head", json_true());
		json_object_set_new(d, "devpath", json_string(real));
		char *cut;
		while ((cut = strrchr(real, '/')) && cut != real) {
			snprintf(path, sizeof(path), "%s/driver", real);
			ssize_t n = readlink(path, link, sizeof(link) - 1);
			if (n > 0) {
				link[n] = '\0';
				const char *base = strrchr(link, '/');
				json_array_append_new(drivers, json_string(base ? base + 1 : link));
			}
			*cut = '\0';
		}
	}
	json_object_set_new(d, "driver", json_array_size(drivers) ? json_incref(json_array_get(drivers, 0)) : json_null());
	json_object_set_new(d, "drivers", drivers);
	/* SCSI identity: QEMU's emulated disks say "QEMU", a passed-through
	 * LUN says who it really is. */
	static const char *const ids[] = {"vendor", "model"};
	for (size_t k = 0; k < 2; k++) {
		snprintf(path, sizeof(path), "/sys/block/%s/device/%s", name, ids[k]);
		if ((s = read_small(path, NULL))) {
			chomp(s);
			json_t *v = json_string(s);
			if (v)
				json_object_set_new(d, ids[k], v);
			free(s);
		}
	}
	snprintf(path, sizeof(path), "/sys/block/%s/device/scsi_generic", name);
	DIR *sg = opendir(path);
	if (sg) {
		struct dirent *e;
		while ((e = readdir(sg)))
			if (e->d_name[0] != '.')
				json_object_set_new(d, "sg", json_string(e->d_name));
		closedir(sg);
	}
	return d;
}

/* An NVMe controller's own path to a namespace of a multipath head
 * (nvmeScCnN under nvmeSnN) is hidden: no /dev node, not a disk to use. */
static bool hidden_disk(const char *name)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "/sys/block/%s/hidden", name);
	char *s = read_small(path, NULL);
	bool h = s && s[0] == '1';
	free(s);
	return h;
}

static json_t *list_disks(void)
{
	json_t *a = json_array();
	DIR *d = opendir("/sys/block");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.' || !strncmp(e->d_name, "loop", 4) || !strncmp(e->d_name, "ram", 3) ||
		    hidden_disk(e->d_name))
			continue;
		json_array_append_new(a, disk_info(e->d_name));
	}
	if (d)
		closedir(d);
	return a;
}

/* Wait until a disk with this serial appears (drivers probe
 * asynchronously); returns its name or NULL. */
static char *find_disk(const char *serial, double timeout)
{
	double deadline = now() + timeout;
	do {
		json_t *disks = list_disks();
		size_t i;
		json_t *d;
		json_array_foreach(disks, i, d) {
			json_t *s = json_object_get(d, "serial");
			if (json_is_string(s) && strcmp(json_string_value(s), serial) == 0) {
				char *name = strdup(json_string_value(json_object_get(d, "name")));
				json_decref(disks);
				return name;
			}
		}
		json_decref(disks);
		usleep(200000);
	} while (now() < deadline);
	return NULL;
}

static char *only_disk(void)
{
	json_t *disks = list_disks();
	char *name = NULL;
	if (json_array_size(disks) == 1)
		name = strdup(json_string_value(json_object_get(json_array_get(disks, 0), "name")));
	json_decref(disks);
	return name;
}

/* ---- fio --------------------------------------------------------------- */

struct capture {
	char *s;
	size_t len, cap, max;
	bool truncated;
};

static void cap_add(struct capture *c, const char *p, size_t n)
{
	if (c->len + n > c->max) {
		c->truncated = true;
		n = c->max > c->len ? c->max - c->len : 0;
	}
	if (c->len + n + 1 > c->cap) {
		size_t ncap = c->cap ? c->cap : 65536;
		while (ncap < c->len + n + 1)
			ncap *= 2;
		char *q = realloc(c->s, ncap);
		if (!q)
			return;
		c->s = q;
		c->cap = ncap;
	}
	memcpy(c->s + c->len, p, n);
	c->len += n;
	c->s[c->len] = '\0';
}

/* The host samples its CPU over a window of the job that the agent marks:
 * `window` messages at [start, end] seconds after the disk's first I/O
 * (fio's own start-up, under emulation seconds long, is not I/O). */
struct window {
	const char *id, *dev;
	double start, end;      /* seconds after the first I/O; end 0: no window */
	double t_io;            /* when the disk's completion count first moved */
	unsigned long long ios0;
	int sent;               /* edges sent: 0, 1 (start) or 2 (end) */
	/* live figures: a `progress` message each second the job asked for */
	bool live;
	double t0, t_last;
	unsigned long long rd_last, wr_last;
};

/* Reads and writes the disk has completed (its block statistics). */
static void disk_rw(const char *dev, unsigned long long *rd, unsigned long long *wr)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "/sys/block/%s/stat", dev);
	char *s = read_small(path, NULL);
	/* reads completed, merged, sectors, ms; writes completed, ... */
	if (!s || sscanf(s, "%llu %*u %*u %*u %llu", rd, wr) != 2)
		*rd = *wr = 0;
	free(s);
}

static unsigned long long disk_ios(const char *dev)
{
	unsigned long long rd, wr;
	disk_rw(dev, &rd, &wr);
	return rd + wr;
}

/* Live IOPS for the person watching: completions per second since the
 * last message, from the disk's own counters (fio's figures come once,
 * in its result). */
static void progress_tick(struct window *w)
{
	double t = now();
	if (!w || !w->live || t < w->t_last + 1.0)
		return;
	unsigned long long rd, wr;
	disk_rw(w->dev, &rd, &wr);
	double dt = t - w->t_last;
	json_t *m = msg_new("progress");
	json_object_set_new(m, "id", json_string(w->id));
	json_object_set_new(m, "elapsed", json_real(t - w->t0));
	json_object_set_new(m, "read_iops", json_real(rd >= w->rd_last ? (double)(rd - w->rd_last) / dt : 0));
	json_object_set_new(m, "write_iops", json_real(wr >= w->wr_last ? (double)(wr - w->wr_last) / dt : 0));
	send_msg(m);
	json_decref(m);
	w->t_last = t;
	w->rd_last = rd;
	w->wr_last = wr;
}

static void send_edge(struct window *w, const char *edge)
{
	json_t *m = msg_new("window");
	json_object_set_new(m, "id", json_string(w->id));
	json_object_set_new(m, "edge", json_string(edge));
	send_msg(m);
	json_decref(m);
	w->sent++;
}

static void window_tick(struct window *w)
{
	if (!w || w->end <= 0 || w->sent == 2)
		return;
	if (w->t_io == 0) {
		if (disk_ios(w->dev) != w->ios0)
			w->t_io = now();
		return;
	}
	if (w->sent == 0 && now() >= w->t_io + w->start)
		send_edge(w, "start");
	if (w->sent == 1 && now() >= w->t_io + w->end)
		send_edge(w, "end");
}

static int run_fio(char *const argv[], struct capture *out, struct capture *err, struct window *w)
{
	int po[2], pe[2], status;
	pid_t pid;

	if (pipe(po) < 0 || pipe(pe) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]);
		close(pe[0]);
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	struct pollfd p[2] = {{.fd = po[0], .events = POLLIN}, {.fd = pe[0], .events = POLLIN}};
	int open_fds = 2;
	if (w) {
		w->ios0 = disk_ios(w->dev);
		w->t0 = w->t_last = now();
		disk_rw(w->dev, &w->rd_last, &w->wr_last);
	}
	while (open_fds) {
		window_tick(w);
		progress_tick(w);
		int wait_ms = w && w->end > 0 && w->sent < 2 ? 50 : w && w->live ? 250 : -1;
		if (poll(p, 2, wait_ms) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			char buf[65536];
			ssize_t n = read(p[i].fd, buf, sizeof(buf));
			if (n > 0) {
				cap_add(i ? err : out, buf, (size_t)n);
			} else {
				close(p[i].fd);
				p[i].fd = -1;
				open_fds--;
			}
		}
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

static const char *last_line(const char *s, char *buf, size_t n)
{
	size_t len = s ? strlen(s) : 0;
	while (len && s[len - 1] == '\n')
		len--;
	size_t start = len;
	while (start && s[start - 1] != '\n')
		start--;
	snprintf(buf, n, "%.*s", (int)(len - start), s ? s + start : "");
	return buf;
}

/* The disk a job names by its serial (no serial: the guest's only block
 * device; passthrough devices keep their own serials), or NULL after
 * telling the controller which disks there are. */
static char *job_disk(const char *id, const char *serial)
{
	char *dev = serial ? find_disk(serial, 10) : only_disk();
	if (!dev) {
		json_t *disks = list_disks();
		char *listing = json_dumps(disks, JSON_COMPACT);
		send_error(id, NULL, "no disk with serial '%s' in the guest (disks: %s)", serial ? serial : "(only disk)",
		           listing ? listing : "?");
		free(listing);
		json_decref(disks);
	}
	return dev;
}

/* fio's command line for a job: the job's args, then the disk, the output
 * format and, with logprefix, the IOPS log and, with histarg, the
 * latency histogram log.  NULL after refusing an argument (reported) or
 * running out of memory.  argv borrows *filename, *logarg and histarg,
 * which the caller frees. */
static char **job_argv(const char *id, json_t *args, const char *dev, const char *logprefix, const char *histarg,
                       char **filename, char **logarg)
{
	char **argv = calloc(json_array_size(args) + 10, sizeof(char *));
	size_t i, n = 0;
	json_t *a;

	if (!argv)
		return NULL;
	argv[n++] = "fio";
	json_array_foreach(args, i, a) {
		const char *s = json_string_value(a);
		/* Options only, and never ones that redirect files: the disk and
		 * the output format are the agent's to set. */
		if (!s || strncmp(s, "--", 2) != 0 || !strncmp(s, "--filename", 10) || !strncmp(s, "--output", 8)) {
			send_error(id, NULL, "refusing fio argument '%s'", s ? s : "(not a string)");
			goto fail;
		}
		argv[n++] = (char *)s;
	}
	/* a kernel name, but fio reads it as an option value: literal or refused */
	char path[PATH_MAX], *escaped = NULL;
	snprintf(path, sizeof(path), "/dev/%s", dev);
	if (vb_fio_path_check(path)) {
		send_error(id, NULL, "the disk's path '%s' %s", path, vb_fio_path_check(path));
		goto fail;
	}
	escaped = vb_fio_path_arg(path);
	if (!escaped || asprintf(filename, "--filename=%s", escaped) < 0) {
		*filename = NULL;
		free(escaped);
		goto fail;
	}
	free(escaped);
	argv[n++] = *filename;
	argv[n++] = "--output-format=json+";
	if (logprefix && asprintf(logarg, "--write_iops_log=%s", logprefix) > 0) {
		argv[n++] = *logarg;
		argv[n++] = "--log_avg_msec=1000";
		argv[n++] = "--per_job_logs=0";
	}
	if (histarg) { /* 1 s windows of fio's latency buckets (its latency log has only averages) */
		argv[n++] = (char *)histarg;
		argv[n++] = "--log_hist_msec=1000";
	}
	argv[n] = NULL;
	return argv;
fail:
	free(argv);
	return NULL;
}

/* fio's outcome to the controller: its JSON output untouched, with its
 * stderr and the IOPS log in logfile (when not NULL), or an error with
 * fio's stderr. */
/* The latency histogram log reduced to percentiles per second (lathist.h):
 * a few hundred kB where fio's own lines take 4 kB each, and at most
 * VB_LAT_MAX_ROWS lines, cut and said so beyond. */
static void add_lat_log(json_t *m, const char *id, const char *histfile)
{
	bool cut = false;
	const char *why = NULL;
	char *lat = vb_lathist_reduce_file(histfile, &cut, &why);
	json_t *l = lat ? json_string(lat) : NULL;
	if (l) {
		json_object_set_new(m, "lat_log", l);
		if (cut)
			json_object_set_new(m, "lat_log_truncated", json_true());
	} else {
		logmsg("job %s: fio's histogram log %s: no latency over time", id, why ? why : "is not text");
	}
	free(lat);
}

static void send_outcome(const char *id, const char *dev, int st, const struct capture *out,
                         const struct capture *err, const char *logfile, const char *histfile)
{
	char line[512];

	if (st != 0) {
		send_error(id, err->s ? err->s : "", "fio exited with status %d: %s", st,
		           last_line(err->s, line, sizeof(line)));
		return;
	}
	if (out->truncated) {
		send_error(id, err->s, "fio's output exceeded %u bytes", MAX_OUTPUT);
		return;
	}
	json_t *m = msg_new("result");
	json_t *fio = json_stringn(out->s ? out->s : "", out->len);
	if (!fio) {
		json_decref(m);
		send_error(id, err->s, "fio's output is not valid UTF-8 text");
		return;
	}
	json_object_set_new(m, "id", json_string(id));
	json_object_set_new(m, "device", json_string(dev));
	json_object_set_new(m, "fio", fio);
	json_t *e = err->s ? json_string(err->s) : NULL;
	if (e)
		json_object_set_new(m, "stderr", e);
	if (logfile) {
		size_t llen = 0;
		char *log = read_all(logfile, 4u << 20, &llen);
		json_t *l = log ? json_stringn(log, llen) : NULL;
		if (l)
			json_object_set_new(m, "iops_log", l);
		free(log);
	}
	if (histfile)
		add_lat_log(m, id, histfile);
	send_msg(m);
	json_decref(m);
	logmsg("job %s: done", id);
}

/* A held job (--vms): "ready", then nothing until the controller's "go",
 * so that every guest's fio starts at one signal.  0 at "go"; -1 after
 * saying why (the job is dropped). */
static int hold(const char *id)
{
	json_t *r = msg_new("ready");
	json_object_set_new(r, "id", json_string(id));
	int sent = send_msg(r);
	json_decref(r);
	if (sent < 0)
		return -1;
	char *line = recv_line();
	json_t *m = line ? json_loads(line, 0, NULL) : NULL;
	const char *type = m ? json_string_value(json_object_get(m, "type")) : NULL;
	int rc = type && strcmp(type, "go") == 0 ? 0 : -1;
	if (type && strcmp(type, "bye") == 0) { /* the controller gave up on the job: power off as main would */
		json_t *b = msg_new("bye");
		send_msg(b);
		json_decref(b);
		logmsg("bye while held: powering off");
		exit(0);
	}
	if (rc < 0 && line)
		send_error(id, NULL, "job held for 'go', got something else: dropped");
	json_decref(m);
	free(line);
	return rc;
}

static void do_job(json_t *job)
{
	const char *id = json_string_value(json_object_get(job, "id"));
	const char *serial = json_string_value(json_object_get(job, "serial"));
	json_t *args = json_object_get(job, "args");
	struct capture out = {.max = MAX_OUTPUT}, err = {.max = MAX_STDERR};
	char **argv, *dev, *filename = NULL, *logarg = NULL;

	if (!id || !json_is_array(args)) {
		send_error(id, NULL, "malformed job: it needs 'id', 'serial' and an 'args' array");
		return;
	}
	if (!(dev = job_disk(id, serial)))
		return;
	/* IOPS over time: fio logs a per-second average into a file of ours,
	 * which goes back with the result. */
	static int nlog;
	bool want_log = json_is_true(json_object_get(job, "iops_log"));
	char logprefix[64], logfile[96];
	snprintf(logprefix, sizeof(logprefix), "/tmp/vmio-log-%d", ++nlog);
	snprintf(logfile, sizeof(logfile), "%s_iops.log", logprefix);
	bool want_lat = json_is_true(json_object_get(job, "lat_log"));
	char histarg[96], histfile[96];
	snprintf(histarg, sizeof(histarg), "--write_hist_log=%s", logprefix);
	snprintf(histfile, sizeof(histfile), "%s_clat_hist.log", logprefix);
	argv = job_argv(id, args, dev, want_log ? logprefix : NULL, want_lat ? histarg : NULL, &filename, &logarg);
	if (argv) {
		json_t *win = json_object_get(job, "window");
		struct window w = {.id = id, .dev = dev, .live = json_is_true(json_object_get(job, "progress"))};
		if (json_is_array(win) && json_array_size(win) == 2) {
			w.start = json_number_value(json_array_get(win, 0));
			w.end = json_number_value(json_array_get(win, 1));
		}
		if (json_is_true(json_object_get(job, "hold")) && hold(id) < 0) {
			free(logarg);
			free(argv);
			free(filename);
			free(dev);
			return;
		}
		logmsg("job %s: fio on /dev/%s", id, dev);
		int st = run_fio(argv, &out, &err, &w);
		send_outcome(id, dev, st, &out, &err, want_log ? logfile : NULL, want_lat ? histfile : NULL);
	}
	unlink(logfile);
	unlink(histfile);
	free(logarg);
	free(argv);
	free(filename);
	free(dev);
	free(out.s);
	free(err.s);
}

int main(int argc, char **argv)
{
	struct utsname un;
	json_t *hello;

	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("%s\n", AGENT_VERSION);
		return 0;
	}

	signal(SIGPIPE, SIG_IGN);
	/* jansson seeds its hash tables from /dev/urandom on first use, and
	 * early in a boot that read waits for the kernel's entropy pool: 1 s
	 * under TCG, measured.  The agent hashes only the controller's
	 * messages, so a seed from the clock serves. */
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	json_object_seed(((size_t)ts.tv_nsec ^ (size_t)ts.tv_sec) | 1);
	port = open_port(60);
	if (port < 0) {
		logmsg("no virtio-serial port named %s appeared within 60 s", VB_PROTO_CHANNEL);
		return 1;
	}
	uname(&un);
	hello = msg_new("hello");
	json_object_set_new(hello, "agent", json_string(AGENT_VERSION));
	json_object_set_new(hello, "kernel", json_string(un.release));
	json_object_set_new(hello, "disks", list_disks());
	if (send_msg(hello) < 0)
		return 1;
	json_decref(hello);

	for (;;) {
		char *line = recv_line();
		json_error_t jerr;
		json_t *m;
		const char *type;

		if (!line)
			return 1;
		m = json_loads(line, 0, &jerr);
		free(line);
		type = m ? json_string_value(json_object_get(m, "type")) : NULL;
		if (!m || !type) {
			send_error(NULL, NULL, "malformed message from the controller: %s", m ? "no type" : jerr.text);
		} else if (json_integer_value(json_object_get(m, "v")) != VB_PROTO_VERSION) {
			send_error(NULL, NULL, "the controller speaks protocol %lld, this agent %d: rebuild the image with 'vmio-bench image build'",
			           (long long)json_integer_value(json_object_get(m, "v")), VB_PROTO_VERSION);
		} else if (strcmp(type, "job") == 0) {
			do_job(m);
		} else if (strcmp(type, "bye") == 0) {
#ifdef VB_TEST_CHATTY
			/* tests/chatty-agent: never answers bye, never powers off,
			 * talks ten times a second (the controller's teardown must
			 * end by its own deadline all the same) */
			for (;;) { /* a type the controller hands up (progress it swallows) */
				json_t *p = msg_new("window");
				json_object_set_new(p, "edge", json_string("start"));
				send_msg(p);
				json_decref(p);
				usleep(100000);
			}
#endif
			json_t *b = msg_new("bye");
			send_msg(b);
			json_decref(b);
			json_decref(m);
			logmsg("bye: powering off");
			return 0;
		} else {
			send_error(NULL, NULL, "unknown message type '%s'", type);
		}
		json_decref(m);
	}
}
