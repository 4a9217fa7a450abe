#include "config.h"
#include "hv.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

/* This process's hypervisor: zeroed means this machine. */
static struct vb_hv_uri hv;
static char *hv_where;
static char *hv_scratch;

/* A host name or user that may stand as one ssh argument: no option
 * look-alike, nothing a shell or ssh_config would read specially. */
static bool safe_part(const char *s, bool user)
{
	if (!s || !*s || *s == '-' || strlen(s) > 253)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' ||
		      *p == '-' || *p == '_' || (!user && *p == ':')))
			return false;
	return true;
}

/* The value of ?name= in a URI's query, or NULL; caller frees. */
static char *query_value(const char *query, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = query; p && *p;) {
		size_t len = strcspn(p, "&");
		if (len > n && strncmp(p, name, n) == 0 && p[n] == '=')
			return strndup(p + n + 1, len - n - 1);
		p += len + (p[len] == '&');
	}
	return NULL;
}

int vb_hv_uri_parse(const char *uri, struct vb_hv_uri *u, char **why)
{
	memset(u, 0, sizeof(*u));
	const char *sep = strstr(uri, "://");
	if (!sep) { /* "qemu" or a libvirt alias: libvirt resolves it, locally */
		u->label = vb_strdup("");
		return 0;
	}
	const char *plus = memchr(uri, '+', (size_t)(sep - uri));
	char *transport = plus ? strndup(plus + 1, (size_t)(sep - plus - 1)) : vb_strdup("");
	const char *auth = sep + 3, *path = auth + strcspn(auth, "/?");
	char *hostport = strndup(auth, (size_t)(path - auth));
	const char *query = strchr(path, '?');
	if (query)
		query++;
	char *at = strrchr(hostport, '@');
	int ret = 0;

	u->system = strncmp(path, "/system", 7) == 0 && (path[7] == '\0' || path[7] == '?');
	if (at) {
		*at = '\0';
		u->user = vb_strdup(hostport);
	}
	const char *h = at ? at + 1 : hostport;
	if (*h) {
		const char *colon = h[0] == '[' ? strstr(h, "]:") : strrchr(h, ':');
		if (colon && h[0] == '[')
			colon++;
		u->host = colon ? strndup(h, (size_t)(colon - h)) : vb_strdup(h);
		if (colon && strcmp(transport, "ssh") == 0)
			u->port = vb_strdup(colon + 1);
		size_t n = strlen(u->host);
		if (n >= 2 && u->host[0] == '[' && u->host[n - 1] == ']') { /* [::1]: ssh takes the address bare */
			memmove(u->host, u->host + 1, n - 2);
			u->host[n - 2] = '\0';
		}
	}
	u->remote = u->host && *transport && strcmp(transport, "unix") != 0;
	if (u->remote) {
		u->keyfile = query_value(query, "keyfile");
		char *nv = query_value(query, "no_verify");
		u->no_verify = nv && strcmp(nv, "0") != 0;
		free(nv);
	}
	if (u->remote && (!safe_part(u->host, false) || (u->user && !safe_part(u->user, true)) ||
	                  (u->port && strspn(u->port, "0123456789") != strlen(u->port)) ||
	                  (u->keyfile && (*u->keyfile != '/' || strchr(u->keyfile, '%'))))) {
		*why = vb_asprintf("--connect '%s': its host, user, port or keyfile cannot be handed to ssh safely: use a plain host name or address, a numeric port and an absolute keyfile path", uri);
		ret = -1;
	}
	/* the label: the host, as a safe name part */
	struct vb_buf b = {0};
	for (const char *p = u->remote ? u->host : ""; *p; p++)
		vb_buf_addf(&b, "%c", (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' ? *p : '-');
	u->label = b.len ? vb_buf_release(&b) : vb_strdup("");
	if (*u->label && !((*u->label >= 'a' && *u->label <= 'z') || (*u->label >= 'A' && *u->label <= 'Z') ||
	                   (*u->label >= '0' && *u->label <= '9'))) { /* "[::1]": a name part starts with a letter or digit */
		char *l = vb_asprintf("h%s", u->label);
		free(u->label);
		u->label = l;
	}
	free(transport);
	free(hostport);
	if (ret < 0)
		vb_hv_uri_release(u);
	return ret;
}

void vb_hv_uri_release(struct vb_hv_uri *u)
{
	free(u->user);
	free(u->host);
	free(u->port);
	free(u->keyfile);
	free(u->label);
	memset(u, 0, sizeof(*u));
}

int vb_hv_use(const char *uri)
{
	char *why = NULL;
	static bool hooked;
	if (!hooked)
		atexit(vb_hv_close); /* the ssh master goes with us */
	hooked = true;
	vb_hv_close();
	vb_hv_uri_release(&hv);
	free(hv_where);
	hv_where = NULL;
	if (uri && vb_hv_uri_parse(uri, &hv, &why) < 0) {
		vb_error("%s", why);
		free(why);
		return -1;
	}
	if (hv.remote)
		hv_where = vb_asprintf("%s (over ssh)", hv.host);
	return 0;
}

void vb_hv_set_scratch(const char *dir)
{
	free(hv_scratch);
	hv_scratch = dir ? vb_strdup(dir) : NULL;
}

const char *vb_hv_scratch(void)
{
	return hv_scratch ? hv_scratch : "/tmp";
}

bool vb_hv_system(void)
{
	return hv.system;
}

bool vb_hv_remote(void)
{
	return hv.remote;
}

const char *vb_hv_label(void)
{
	return hv.label ? hv.label : "";
}

const char *vb_hv_where(void)
{
	return hv_where ? hv_where : "this host";
}

char *vb_hv_quote(const char *const argv[])
{
	struct vb_buf b = {0};
	for (size_t i = 0; argv[i]; i++) {
		vb_buf_adds(&b, i ? " '" : "'");
		for (const char *p = argv[i]; *p; p++)
			vb_buf_adds(&b, *p == '\'' ? "'\\''" : (char[]){*p, '\0'});
		vb_buf_adds(&b, "'");
	}
	return vb_buf_release(&b);
}

static char *control_path(void)
{
	static char path[96];
	snprintf(path, sizeof(path), "/tmp/vmio-bench-ssh-%ld-%%C", (long)getpid());
	return path;
}

static char **ssh_argv(const char *cmd, const char *control);

void vb_hv_close(void)
{
	if (!hv.remote)
		return;
	char **a = ssh_argv(NULL, "exit");
	char *out = NULL;
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC), saved = dup(STDERR_FILENO);
	if (null >= 0)
		dup2(null, STDERR_FILENO); /* ssh's "Exit request sent." */
	vb_run((const char *const *)a, &out, 10);
	if (saved >= 0) {
		dup2(saved, STDERR_FILENO);
		close(saved);
	}
	if (null >= 0)
		close(null);
	free(out);
	vb_hv_argv_free(a);
}

/* ssh to the URI's destination running the remote command line cmd (a
 * string this module built: quoted arguments, perhaps a redirection of
 * ours).  No terminal, no stdin, no prompt; a dead link is noticed within
 * 15 s. */
static char **ssh_argv(const char *cmd, const char *control)
{
	char **a = vb_calloc(40, sizeof(char *));
	size_t n = 0;
	const char *fixed[] = {"ssh", "-n", "-T", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o",
	                       "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3", "-o", "LogLevel=QUIET", NULL};
	for (size_t i = 0; fixed[i]; i++)
		a[n++] = vb_strdup(fixed[i]);
	/* one ssh connection carries every helper: a new one costs a key
	 * exchange (0.8 s measured on a loopback), a multiplexed one a few ms;
	 * the master is ours alone and ends with vb_hv_close, or by itself
	 * 30 s after its last use should we die */
	a[n++] = vb_strdup("-o");
	a[n++] = vb_strdup("ControlMaster=auto");
	a[n++] = vb_strdup("-o");
	a[n++] = vb_asprintf("ControlPath=%s", control_path());
	a[n++] = vb_strdup("-o");
	a[n++] = vb_strdup("ControlPersist=30");
	if (hv.no_verify) {
		a[n++] = vb_strdup("-o");
		a[n++] = vb_strdup("StrictHostKeyChecking=no");
		a[n++] = vb_strdup("-o");
		a[n++] = vb_strdup("UserKnownHostsFile=/dev/null");
	}
	if (hv.keyfile) {
		a[n++] = vb_strdup("-i");
		a[n++] = vb_strdup(hv.keyfile);
	}
	if (hv.port) {
		a[n++] = vb_strdup("-p");
		a[n++] = vb_strdup(hv.port);
	}
	if (hv.user) {
		a[n++] = vb_strdup("-l");
		a[n++] = vb_strdup(hv.user);
	}
	if (control) { /* a request to the master (-O exit), no command */
		a[n++] = vb_strdup("-O");
		a[n++] = vb_strdup(control);
	}
	a[n++] = vb_strdup("--");
	a[n++] = vb_strdup(hv.host);
	if (cmd)
		a[n++] = vb_strdup(cmd);
	return a;
}

static char **copy_argv(const char *const argv[])
{
	size_t n = 0;
	while (argv[n])
		n++;
	char **a = vb_calloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		a[i] = vb_strdup(argv[i]);
	return a;
}

char **vb_hv_argv(const char *const argv[])
{
	if (!hv.remote)
		return copy_argv(argv);
	char *q = vb_hv_quote(argv);
	char **a = ssh_argv(q, NULL);
	free(q);
	return a;
}

void vb_hv_argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

char **vb_hv_argv_pidfile(const char *const argv[], const char *pidfile)
{
	size_t n = 0;
	while (argv[n])
		n++;
	const char **w = vb_calloc(n + 5, sizeof(char *));
	w[0] = "sh";
	w[1] = "-c";
	w[2] = "echo $$ > \"$0\" && exec \"$@\""; /* $0 is the pidfile, "$@" argv */
	w[3] = pidfile;
	for (size_t i = 0; i < n; i++)
		w[4 + i] = argv[i];
	char **a = vb_hv_argv(w);
	free(w);
	return a;
}

static int hv_run_watched(const char *const argv[], char **out, const char *log, int timeout_s,
                          void (*tick)(void *arg, pid_t pid), void *arg)
{
	char **a = vb_hv_argv(argv);
	int rc = vb_run_watched((const char *const *)a, out, log, timeout_s, tick, arg);
	vb_hv_argv_free(a);
	return rc;
}

int vb_hv_run(const char *const argv[], char **out, int timeout_s)
{
	return hv_run_watched(argv, out, NULL, timeout_s, NULL, NULL);
}

int vb_hv_run_logged(const char *const argv[], const char *log, int timeout_s)
{
	return hv_run_watched(argv, NULL, log, timeout_s, NULL, NULL);
}

/* A remote command whose stderr is dropped (a probe's "not found" is
 * ours to word). */
int vb_hv_run_quiet(const char *const argv[], char **out, int timeout_s)
{
	if (!hv.remote)
		return vb_run(argv, out, timeout_s);
	char *q = vb_hv_quote(argv), *cmd = vb_asprintf("%s 2>/dev/null", q);
	char **a = ssh_argv(cmd, NULL);
	int rc = vb_run((const char *const *)a, out, timeout_s);
	vb_hv_argv_free(a);
	free(cmd);
	free(q);
	return rc;
}

char *vb_hv_command_first_line(const char *const argv[])
{
	if (!hv.remote)
		return vb_command_first_line(argv);
	char *out = NULL;
	if (vb_hv_run_quiet(argv, &out, 20) != 0 || !out) {
		free(out);
		return NULL;
	}
	out[strcspn(out, "\n")] = '\0';
	return out;
}

char *vb_hv_read_file(const char *path, size_t max, size_t *lenp)
{
	if (!hv.remote)
		return vb_read_file(path, max, lenp);
	const char *argv[] = {"cat", "--", path, NULL};
	char *out = NULL;
	if (vb_hv_run_quiet(argv, &out, 30) != 0 || !out || strlen(out) > max) {
		free(out);
		errno = ENOENT;
		return NULL;
	}
	if (lenp)
		*lenp = strlen(out);
	return out;
}

int vb_hv_fetch(const char *remote, const char *local, size_t max)
{
	size_t len = 0;
	char *text = vb_hv_read_file(remote, max, &len);
	int rc = text ? vb_write_file_atomic(local, text, len) : -1;
	vb_hv_remove(remote);
	free(text);
	return rc;
}

bool vb_hv_test(const char *op, const char *path)
{
	if (!hv.remote) {
		struct stat st;
		if (strcmp(op, "-r") == 0 || strcmp(op, "-x") == 0)
			return access(path, op[1] == 'r' ? R_OK : X_OK) == 0;
		if (stat(path, &st) < 0)
			return false;
		switch (op[1]) {
		case 'f': return S_ISREG(st.st_mode);
		case 'b': return S_ISBLK(st.st_mode);
		case 'S': return S_ISSOCK(st.st_mode);
		case 'd': return S_ISDIR(st.st_mode);
		default: return true;
		}
	}
	const char *argv[] = {"test", op, path, NULL};
	return vb_hv_run_quiet(argv, NULL, 20) == 0;
}

int vb_hv_mkdir_p(const char *path)
{
	if (!hv.remote)
		return vb_mkdir_p(path, 0755);
	const char *argv[] = {"mkdir", "-p", "-m", "0755", "--", path, NULL};
	return vb_hv_run(argv, NULL, 20) == 0 ? 0 : -1;
}

void vb_hv_remove(const char *path)
{
	if (!hv.remote) {
		if (unlink(path) < 0 && errno == EISDIR)
			rmdir(path);
		return;
	}
	const char *argv[] = {"rm", "-f", "--", path, NULL};
	vb_hv_run(argv, NULL, 20);
}

int vb_qemu_user(uid_t *uid, gid_t *gid)
{
	static const char *const names[] = {"libvirt-qemu", "qemu", NULL};
	for (size_t i = 0; names[i]; i++) {
		struct passwd *pw = getpwnam(names[i]);
		if (pw) {
			*uid = pw->pw_uid;
			*gid = pw->pw_gid;
			return 0;
		}
	}
	return -1;
}

char *vb_hv_owner(const char *path)
{
	if (!hv.remote) {
		struct stat st;
		return stat(path, &st) == 0 ? vb_asprintf("%lu:%lu", (unsigned long)st.st_uid, (unsigned long)st.st_gid) : NULL;
	}
	const char *argv[] = {"stat", "-L", "-c", "%u:%g", "--", path, NULL};
	char *v = vb_hv_command_first_line(argv);
	if (v && (!*v || strspn(v, "0123456789:") != strlen(v))) {
		free(v);
		v = NULL;
	}
	return v;
}

int vb_hv_chown(const char *path, const char *owner)
{
	if (!hv.remote) {
		unsigned long u, g;
		if (sscanf(owner, "%lu:%lu", &u, &g) != 2)
			return -1;
		return chown(path, (uid_t)u, (gid_t)g);
	}
	const char *argv[] = {"chown", owner, "--", path, NULL};
	return vb_hv_run(argv, NULL, 20) == 0 ? 0 : -1;
}

int vb_hv_chown_qemu(const char *path, char **why)
{
	if (!hv.remote) {
		uid_t uid;
		gid_t gid;
		if (vb_qemu_user(&uid, &gid) == 0 && chown(path, uid, gid) < 0) {
			*why = vb_asprintf("cannot hand '%s' to QEMU's user: %s", path, strerror(errno));
			return -1;
		}
		return 0;
	}
	/* Debian's user, then other distributions' */
	const char *deb[] = {"chown", "libvirt-qemu:libvirt-qemu", "--", path, NULL};
	const char *other[] = {"chown", "qemu:qemu", "--", path, NULL};
	if (vb_hv_run_quiet(deb, NULL, 20) == 0 || vb_hv_run_quiet(other, NULL, 20) == 0)
		return 0;
	*why = vb_asprintf("cannot hand '%s' on %s to QEMU's user (neither libvirt-qemu nor qemu could own it)", path, hv.host);
	return -1;
}

int vb_hv_check(char **why)
{
	if (!hv.remote)
		return 0;
	/* the one call whose ssh may speak: its complaint (a refused key, an
	 * unknown host) is the reason; later calls keep quiet */
	char tmpl[] = "/tmp/vmio-bench-ssh-check-XXXXXX";
	int fd = mkstemp(tmpl);
	if (fd >= 0)
		close(fd);
	char **a = ssh_argv("true", NULL);
	for (size_t i = 0; a[i]; i++)
		if (strcmp(a[i], "LogLevel=QUIET") == 0) {
			free(a[i]);
			a[i] = vb_strdup("LogLevel=ERROR");
		}
	int rc = vb_run_logged((const char *const *)a, fd >= 0 ? tmpl : "/dev/null", 30);
	char *last = fd >= 0 ? vb_file_last_line(tmpl) : NULL;
	if (fd >= 0)
		unlink(tmpl);
	vb_hv_argv_free(a);
	if (rc != 0) {
		char *said = rc == 255 || rc < 0 ? vb_asprintf("ssh said: %s", last && *last ? last : "nothing")
		                                 : vb_asprintf("the remote shell exited with %d", rc);
		*why = vb_asprintf("cannot run commands on %s over ssh (%s): vmio-bench runs its host-side helpers there; make "
		                   "'ssh %s%s%s' work without a password (a key in the URI's ?keyfile= or ssh-agent)",
		                   hv.host, said, hv.user ? hv.user : "", hv.user ? "@" : "", hv.host);
		free(said);
	}
	free(last);
	return rc == 0 ? 0 : -1;
}

char *vb_hv_realpath(const char *path)
{
	if (!hv.remote) {
		char real[PATH_MAX];
		return realpath(path, real) ? vb_strdup(real) : NULL;
	}
	const char *argv[] = {"readlink", "-e", "--", path, NULL};
	char *v = vb_hv_command_first_line(argv);
	if (v && *v != '/') {
		free(v);
		v = NULL;
	}
	return v;
}

char *vb_hv_uname(char what)
{
	if (!hv.remote) {
		struct utsname un;
		return uname(&un) == 0 ? vb_strdup(what == 'm' ? un.machine : un.release) : NULL;
	}
	const char *argv[] = {"uname", what == 'm' ? "-m" : "-r", NULL};
	char *v = vb_hv_command_first_line(argv);
	return v ? vb_text_clean(v) : NULL;
}

char *vb_hv_cpu_model(void)
{
	char *info = vb_hv_read_file("/proc/cpuinfo", 1 << 22, NULL);
	char *r = NULL;
	if (info) {
		char *l = strstr(info, "model name");
		if (l && (l = strchr(l, ':'))) {
			l += 2;
			l[strcspn(l, "\n")] = '\0';
			r = vb_text_clean(vb_strdup(l));
		}
		free(info);
	}
	return r ? r : vb_strdup("unknown");
}

long vb_hv_cpus(void)
{
	if (!hv.remote)
		return sysconf(_SC_NPROCESSORS_ONLN);
	const char *argv[] = {"nproc", NULL};
	char *v = vb_hv_command_first_line(argv);
	long n = v ? atol(v) : 0;
	free(v);
	return n > 0 ? n : -1;
}
