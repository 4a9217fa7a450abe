#include "config.h"
#include "core/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

bool vb_quiet;
const char *vb_msg_host;
volatile int vb_interrupted;
void (*vb_msg_hook)(bool after);
void (*vb_wait_hook)(void);
_Thread_local bool vb_thread_quiet;

void vb_waiting(void)
{
	if (vb_wait_hook && !vb_thread_quiet)
		vb_wait_hook();
}

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	/* One line per message, written in one call so that it is not
	 * interleaved with a child's output. */
	char line[4096];
	int n = vb_msg_host ? snprintf(line, sizeof(line), "vmio-bench: [%s] %s", vb_msg_host, prefix)
	                    : snprintf(line, sizeof(line), "vmio-bench: %s", prefix);
	if (n < 0)
		return;
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	/* Messages quote file contents and guest output: no control character
	 * reaches the terminal (escape sequences, a forged second line). */
	vb_text_clean(line);
	bool hook = vb_msg_hook && !vb_thread_quiet;
	if (hook)
		vb_msg_hook(false); /* a live status line, if any, stays below the log */
	fprintf(stderr, "%s\n", line);
	if (hook)
		vb_msg_hook(true);
}

int vb_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("error: ", fmt, ap);
	va_end(ap);
	return -1;
}

void vb_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void vb_info(const char *fmt, ...)
{
	va_list ap;
	if (vb_quiet)
		return;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

static void oom(void)
{
	fputs("vmio-bench: error: out of memory\n", stderr);
	abort();
}

char *vb_strdup(const char *s)
{
	char *r;
	if (!s)
		return NULL;
	r = strdup(s);
	if (!r)
		oom();
	return r;
}

void *vb_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

char *vb_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *r;
	va_start(ap, fmt);
	if (vasprintf(&r, fmt, ap) < 0)
		oom();
	va_end(ap);
	return r;
}

void vb_buf_add(struct vb_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->s, cap);
		if (!p)
			oom();
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void vb_buf_adds(struct vb_buf *b, const char *s)
{
	vb_buf_add(b, s, strlen(s));
}

void vb_buf_addf(struct vb_buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	vb_buf_add(b, s, (size_t)n);
	free(s);
}

char *vb_buf_release(struct vb_buf *b)
{
	char *s = b->s ? b->s : vb_strdup("");
	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

void vb_buf_free(struct vb_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

void vb_xml_escape(struct vb_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': vb_buf_adds(b, "&lt;"); break;
		case '>': vb_buf_adds(b, "&gt;"); break;
		case '&': vb_buf_adds(b, "&amp;"); break;
		case '"': vb_buf_adds(b, "&quot;"); break;
		case '\'': vb_buf_adds(b, "&apos;"); break;
		case '\n': vb_buf_adds(b, "&#10;"); break;
		case '\r': vb_buf_adds(b, "&#13;"); break;
		case '\t': vb_buf_adds(b, "&#9;"); break;
		default:
			/* Other control characters are not allowed in XML 1.0 at
			 * all; callers validate input, this is the last guard. */
			if ((unsigned char)*s < 0x20)
				vb_buf_adds(b, "?");
			else
				vb_buf_add(b, s, 1);
		}
	}
}

double vb_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int vb_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	if (*end) {
		switch (*end) {
		case 'k': case 'K': mul = 1ULL << 10; break;
		case 'm': case 'M': mul = 1ULL << 20; break;
		case 'g': case 'G': mul = 1ULL << 30; break;
		case 't': case 'T': mul = 1ULL << 40; break;
		default: return -1;
		}
		end++;
		/* accept "4k", "4K", "4KiB", "4kb" */
		if (*end == 'i' || *end == 'I')
			end++;
		if (*end == 'b' || *end == 'B')
			end++;
		if (*end)
			return -1;
	}
	if (v > UINT64_MAX / mul)
		return -1;
	*out = (uint64_t)v * mul;
	return 0;
}

void vb_format_size(uint64_t v, char *out, size_t outlen)
{
	static const char units[] = "kmgt";
	int u = -1;
	while (v && v % 1024 == 0 && u < 3) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(out, outlen, "%llu", (unsigned long long)v);
	else
		snprintf(out, outlen, "%llu%c", (unsigned long long)v, units[u]);
}

int vb_mkdir_p(const char *path, mode_t mode)
{
	char *p = vb_strdup(path);
	int ret = 0;
	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, mode) < 0 && errno != EEXIST) {
				ret = -1;
				break;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	if (ret == 0) {
		struct stat st;
		if (stat(path, &st) < 0)
			return -1;
		if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			return -1;
		}
	}
	return ret;
}

int vb_write_file_atomic(const char *path, const void *data, size_t len)
{
	char *tmp = vb_asprintf("%s.tmp.XXXXXX", path);
	const char *p = data;
	/* mkostemp creates with O_EXCL: a link planted at the name is an
	 * error, never followed; rename then replaces a link at path itself */
	int fd = mkostemp(tmp, O_CLOEXEC);
	int saved;

	if (fd < 0) {
		saved = errno;
		free(tmp);
		errno = saved;
		return vb_error("cannot write '%s': %s: check that the folder exists, is writable and has free space", path, strerror(saved));
	}
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fchmod(fd, 0644) < 0 || fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	free(tmp);
	return 0;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	errno = saved;
	return vb_error("cannot write '%s': %s: check that the folder is writable and has free space", path, strerror(saved));
}

/* Why a write through path was refused: a link is named as one. */
static int refused(const char *path, int err)
{
	if (err == ELOOP)
		return vb_error("'%s' is a symbolic link: vmio-bench does not write through links in a results folder; remove the link and try again", path);
	return vb_error("cannot write '%s': %s: check that the folder exists and is writable", path, strerror(err));
}

int vb_open_write(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return refused(path, errno);
	return fd;
}

FILE *vb_fopen_write(const char *path)
{
	int fd = vb_open_write(path);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
	if (fd >= 0 && !f) {
		vb_error("cannot write '%s': %s", path, strerror(errno));
		close(fd);
	}
	return f;
}

/* One step down from fd into comp, creating it where missing; shown as
 * top/rel-so-far in messages.  A link, or anything not a folder, is
 * refused. */
static int subdir_step(int fd, const char *comp, const char *shown, char **why)
{
	if (mkdirat(fd, comp, 0755) < 0 && errno != EEXIST) {
		*why = vb_asprintf("cannot create '%s': %s", shown, strerror(errno));
		return -1;
	}
	int sub = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub >= 0)
		return sub;
	struct stat st;
	if (fstatat(fd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		*why = vb_asprintf("'%s' is a symbolic link: vmio-bench does not follow links below the folder it is given; remove the link and try again", shown);
	else
		*why = vb_asprintf("'%s' is not a folder vmio-bench can use: %s", shown, strerror(errno));
	return -1;
}

int vb_subdir_open_why(const char *top, const char *rel, char **why)
{
	int fd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		*why = vb_asprintf("cannot open the folder '%s': %s", top, strerror(errno));
		return -1;
	}
	if (!rel || !*rel)
		return fd;
	if (!vb_valid_relpath(rel)) {
		close(fd);
		*why = vb_asprintf("'%s/%.128s': not a plain folder name ([A-Za-z0-9][A-Za-z0-9._+-]*): refused", top, rel);
		return -1;
	}
	char *r = vb_strdup(rel), *save = NULL;
	struct vb_buf shown = {0};
	vb_buf_adds(&shown, top);
	for (char *c = strtok_r(r, "/", &save); c && fd >= 0; c = strtok_r(NULL, "/", &save)) {
		vb_buf_addf(&shown, "/%s", c);
		int sub = subdir_step(fd, c, shown.s, why);
		close(fd);
		fd = sub;
	}
	vb_buf_free(&shown);
	free(r);
	return fd;
}

int vb_subdir_open(const char *top, const char *rel)
{
	char *why = NULL;
	int fd = vb_subdir_open_why(top, rel, &why);
	if (fd < 0) {
		vb_error("%s", why);
		free(why);
	}
	return fd;
}

int vb_subdir_why(const char *top, const char *rel, char **why)
{
	int fd = vb_subdir_open_why(top, rel, why);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

int vb_subdir(const char *top, const char *rel)
{
	int fd = vb_subdir_open(top, rel);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

char *vb_private_dir_new(const char *parent, const char *name)
{
	char *p = vb_asprintf("%s/.%s-XXXXXX", parent, name);
	if (!mkdtemp(p)) {
		vb_error("cannot create a private folder in '%s': %s: check that it is writable", parent, strerror(errno));
		free(p);
		return NULL;
	}
	return p;
}

void vb_private_dir_remove(const char *dir)
{
	DIR *d;
	struct dirent *e;
	if (!dir || !(d = opendir(dir)))
		return;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	rmdir(dir);
}

int vb_publish(const char *from, const char *name, int to_fd, const char *to)
{
	int ffd = open(from, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = ffd < 0 ? -1 : renameat(ffd, name, to_fd, name);
	int saved = errno;
	if (ffd >= 0)
		close(ffd);
	if (r < 0)
		return vb_error("cannot move '%s' into '%s': %s", name, to, strerror(saved));
	return 0;
}

static char *read_fd(int fd, size_t max, size_t *lenp);

char *vb_read_file(const char *path, size_t max, size_t *lenp)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? NULL : read_fd(fd, max, lenp);
}

/* fd's contents when it is a regular file of at most max bytes (else
 * NULL with EINVAL or EFBIG); fd is closed. */
static char *read_if_regular(int fd, size_t max, size_t *lenp)
{
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	if (st.st_size > (off_t)max) {
		close(fd);
		errno = EFBIG;
		return NULL;
	}
	return read_fd(fd, max, lenp);
}

char *vb_read_regular(const char *path, size_t max, size_t *lenp)
{
	/* O_NONBLOCK: opening a FIFO planted at path must not wait for a
	 * writer; it is refused below like any other non-file */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	return fd < 0 ? NULL : read_if_regular(fd, max, lenp);
}

char *vb_read_regular_below(const char *root, const char *rel, size_t max, size_t *lenp)
{
	/* every folder on the way opened without following a link (openat,
	 * O_NOFOLLOW), and the file too: a results folder is input, and a
	 * link planted in it must not lead a reader elsewhere */
	int dir = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char *copy = vb_strdup(rel), *save = NULL, *next;
	char *part = strtok_r(copy, "/", &save);
	while (dir >= 0 && part && (next = strtok_r(NULL, "/", &save))) {
		int sub = strcmp(part, "..") && strcmp(part, ".") ? openat(dir, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
		                                                  : (errno = ELOOP, -1); /* never up, out of root */
		close(dir);
		dir = sub;
		part = next;
	}
	int fd = dir >= 0 && part && strcmp(part, "..") && strcmp(part, ".")
	                 ? openat(dir, part, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC)
	                 : (errno = dir >= 0 ? ELOOP : errno, -1);
	int saved = errno;
	if (dir >= 0)
		close(dir);
	free(copy);
	if (fd < 0) {
		errno = saved == ELOOP || saved == ENOTDIR ? EINVAL : saved; /* a link, or a link for a folder */
		return NULL;
	}
	return read_if_regular(fd, max, lenp);
}

json_t *vb_json_load_regular(const char *path, size_t max, size_t flags, json_error_t *err)
{
	size_t len = 0;
	char *text = vb_read_regular(path, max, &len);
	if (!text) {
		int saved = errno;
		if (err) {
			memset(err, 0, sizeof(*err));
			snprintf(err->text, sizeof(err->text), "%s", saved == EINVAL ? "not a regular file" : strerror(saved));
		}
		errno = saved;
		return NULL;
	}
	json_t *j = json_loadb(text, len, flags, err);
	free(text);
	return j;
}

/* Read fd to its end (at most max bytes, else EFBIG) and close it. */
static char *read_fd(int fd, size_t max, size_t *lenp)
{
	struct vb_buf b = {0};
	char chunk[65536];

	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int saved = errno;
			close(fd);
			vb_buf_free(&b);
			errno = saved;
			return NULL;
		}
		if (n == 0)
			break;
		if (b.len + (size_t)n > max) {
			close(fd);
			vb_buf_free(&b);
			errno = EFBIG;
			return NULL;
		}
		vb_buf_add(&b, chunk, (size_t)n);
	}
	close(fd);
	if (lenp)
		*lenp = b.len;
	return vb_buf_release(&b);
}

int vb_run(const char *const argv[], char **out, int timeout_s)
{
	return vb_run_watched(argv, out, NULL, timeout_s, NULL, NULL);
}

int vb_run_logged(const char *const argv[], const char *log, int timeout_s)
{
	return vb_run_watched(argv, NULL, log, timeout_s, NULL, NULL);
}

/* The child of vb_run_watched: stdout to the pipe (pfd, when given), or
 * stdout and stderr to logfd; the default SIGINT/SIGTERM.  It leads its own
 * process group, so run_kill ends what it forked too (fio's job processes
 * would outlive their parent, reparented to init); stdin is /dev/null, so
 * a group off the terminal's foreground never stops on SIGTTIN. */
static pid_t run_spawn(const char *const argv[], const int *pfd, int logfd)
{
	pid_t pid = fork();
	if (pid > 0)
		setpgid(pid, pid); /* here too: a kill right after fork finds the group */
	if (pid != 0)
		return pid;
	setpgid(0, 0);
	int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (nul >= 0)
		dup2(nul, STDIN_FILENO);
	if (pfd)
		dup2(pfd[1], STDOUT_FILENO);
	if (logfd >= 0) {
		dup2(logfd, STDOUT_FILENO);
		dup2(logfd, STDERR_FILENO);
	}
	/* A child must not inherit our handlers' view of SIGINT. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	execvp(argv[0], (char *const *)argv);
	_exit(127);
}

int vb_interrupt_defer(void)
{
	int was = vb_interrupted;
	vb_interrupted = 0;
	return was;
}

void vb_interrupt_resume(int was)
{
	if (was)
		vb_interrupted = was;
}

static bool run_expired(double deadline)
{
	return (deadline && vb_now() > deadline) || vb_interrupted;
}

/* End the child's whole process group: SIGTERM first, SIGKILL for what is
 * left once the leader has ended or 5 s have passed.  fio's job processes
 * lead groups of their own: only fio's main process, on SIGTERM, ends
 * them, so it is given the time to.  The leader is not reaped here
 * (WNOWAIT). */
static void run_kill(pid_t pid)
{
	siginfo_t si;
	kill(-pid, SIGTERM);
	for (int i = 0; i < 250; i++) {
		si.si_pid = 0;
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == pid)
			break;
		usleep(20000);
	}
	kill(-pid, SIGKILL);
}

/* Read the child's stdout into *b until it closes, the deadline passes or
 * the output outgrows VB_RUN_OUT_MAX (then false: never a cut text that
 * parses as a whole); the child is killed on the last two. */
static bool run_collect(int fd, pid_t pid, struct vb_buf *b, double deadline,
                        void (*tick)(void *arg, pid_t pid), void *arg)
{
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int r = poll(&p, 1, tick ? 50 : 200);
		vb_waiting();
		if (tick)
			tick(arg, pid);
		if (r > 0) {
			char chunk[4096];
			ssize_t n = read(fd, chunk, sizeof(chunk));
			if (n <= 0)
				return true;
			if (b->len + (size_t)n > VB_RUN_OUT_MAX) {
				run_kill(pid);
				return false;
			}
			vb_buf_add(b, chunk, (size_t)n);
		}
		if (run_expired(deadline)) {
			run_kill(pid);
			return true;
		}
	}
}

/* Wait for the child, killing it once the deadline passes: its wait status,
 * or -1. */
static int run_reap(pid_t pid, double deadline)
{
	int status = 0;
	bool killed = false;
	for (;;) {
		pid_t r = waitpid(pid, &status, deadline || vb_interrupted ? WNOHANG : 0);
		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		if (r == 0) {
			if (!killed && run_expired(deadline)) {
				run_kill(pid);
				killed = true;
			}
			usleep(50000);
		}
	}
}

int vb_run_watched(const char *const argv[], char **out, const char *log, int timeout_s,
                   void (*tick)(void *arg, pid_t pid), void *arg)
{
	int pfd[2] = {-1, -1};
	struct vb_buf b = {0};
	double deadline = timeout_s > 0 ? vb_now() + timeout_s : 0;
	bool whole = true;

	/* the log is opened here, not in the child: never through a link
	 * (logs live in results folders), and a failure is the caller's to see */
	int logfd = -1;
	if (log)
		unlink(log); /* a link planted in its place goes, not what it names */
	if (log && (logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0)
		return -1;
	if (out && pipe2(pfd, O_CLOEXEC) < 0) {
		if (logfd >= 0)
			close(logfd);
		return -1;
	}
	pid_t pid = run_spawn(argv, out ? pfd : NULL, logfd);
	if (logfd >= 0)
		close(logfd);
	if (out)
		close(pfd[1]);
	if (pid < 0) {
		if (out)
			close(pfd[0]);
		return -1;
	}
	if (out) {
		whole = run_collect(pfd[0], pid, &b, deadline, tick, arg);
		close(pfd[0]);
	}
	int status = run_reap(pid, deadline);
	if (!whole) {
		vb_buf_free(&b);
		*out = NULL;
		errno = EFBIG;
		return -1;
	}
	if (out)
		*out = vb_buf_release(&b);
	if (status == -1 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void on_signal(int sig)
{
	vb_interrupted = sig;
}

void vb_install_signal_handlers(void)
{
	struct sigaction sa = {0};
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

bool vb_is_executable(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

char *vb_command_first_line(const char *const argv[])
{
	char *out = NULL;
	if (vb_run(argv, &out, 10) != 0) {
		free(out);
		return NULL;
	}
	out[strcspn(out, "\n")] = '\0';
	return out;
}

char *vb_text_clean(char *s)
{
	for (unsigned char *p = (unsigned char *)s; p && *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			p[0] = p[1] = '?'; /* C1 controls in UTF-8 (U+0080..U+009F, e.g. CSI) */
	}
	return s;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* [a-z0-9][a-z0-9-]* of n bytes */
static bool name_part(const char *s, size_t n)
{
	if (!n || *s == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!name_char(s[i]))
			return false;
	return true;
}

bool vb_valid_name(const char *s, size_t max)
{
	if (!s)
		return false;
	size_t n = strlen(s);
	const char *plus = strchr(s, '+');
	if (n > max)
		return false;
	if (!plus)
		return name_part(s, n);
	/* a variant, BASE+TAG: one '+' and a short tag (vb_mode_variant_base) */
	return name_part(s, (size_t)(plus - s)) && name_part(plus + 1, strlen(plus + 1)) &&
	       strlen(plus + 1) <= VB_VARIANT_TAG_MAX;
}

bool vb_mode_variant_base(const char *name, char *base, size_t n)
{
	const char *plus = name ? strchr(name, '+') : NULL;
	if (!plus || !vb_valid_name(name, 64) || (size_t)(plus - name) >= n)
		return false;
	memcpy(base, name, (size_t)(plus - name));
	base[plus - name] = '\0';
	return true;
}

bool vb_valid_label(const char *s)
{
	size_t n = 0;
	if (!s || !*s || *s == '-' || *s == '.')
		return false;
	for (; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= '0' && s[n] <= '9') ||
		      s[n] == '.' || s[n] == '-'))
			return false;
	return n <= 64;
}

bool vb_valid_id(const char *s)
{
	size_t n = 0;
	if (!s || !*s || *s == '.' || *s == '-')
		return false;
	for (; *s; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '.' ||
		      *s == '_' || *s == '-') || n >= 64)
			return false;
	return true;
}

bool vb_valid_component(const char *s, bool empty_ok)
{
	size_t n = 0;
	if (!s)
		return false;
	if (!*s)
		return empty_ok;
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
		return false;
	for (; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= '0' && s[n] <= '9') ||
		      s[n] == '.' || s[n] == '_' || s[n] == '-' || s[n] == '+')) /* '+': a variant mode's folder */
			return false;
	return n <= 128;
}

bool vb_valid_relpath(const char *s)
{
	if (!s || !*s)
		return false;
	char *p = vb_strdup(s);
	bool ok = true;
	size_t n = strlen(p);
	/* no empty component: not leading, trailing or doubled '/' */
	if (p[0] == '/' || p[n - 1] == '/' || strstr(p, "//"))
		ok = false;
	char *save = NULL;
	for (char *c = strtok_r(p, "/", &save); c && ok; c = strtok_r(NULL, "/", &save))
		ok = vb_valid_component(c, false);
	free(p);
	return ok;
}

bool vb_valid_fio_version(const char *s)
{
	size_t n = 0;
	if (!s || strncmp(s, "fio-", 4) != 0 || !(s[4] >= '0' && s[4] <= '9'))
		return false;
	for (s += 4; *s; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '.' ||
		      *s == '+' || *s == '~' || *s == '_' || *s == '-') || n >= 40)
			return false;
	return true;
}

char *vb_file_last_line(const char *path)
{
	/* a log in a results folder (input, when resumed) is read only if it
	 * is a file of its own, never through a link planted in its place */
	struct stat st;
	char *text = lstat(path, &st) == 0 && S_ISREG(st.st_mode) ? vb_read_file(path, 1 << 20, NULL) : NULL;
	char *r;
	if (!text)
		return vb_strdup("(no output)");
	size_t n = strlen(text);
	while (n && text[n - 1] == '\n')
		text[--n] = '\0';
	char *nl = strrchr(text, '\n');
	r = vb_strdup(nl ? nl + 1 : (*text ? text : "(no output)"));
	free(text);
	return r;
}
