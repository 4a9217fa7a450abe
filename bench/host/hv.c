#include "config.h"
#include "host/hv.h"
#include "core/util.h"
#include "core/layout.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <dirent.h>
#include <ftw.h>
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

/* libvirt's transports, as its remote driver knows them
 * (src/remote/remote_sockets.c, remoteSplitURIScheme): whether one reaches
 * another host, and whether the URI's user, port, ?keyfile= and
 * ?no_verify= are ssh's (with tls and tcp they are libvirtd's port and a
 * SASL user; helpers then go to the host with ssh's own defaults). */
static const struct transport {
	const char *name;
	bool remote, ssh;
	const char *refused; /* why vmio-bench cannot use it, or NULL */
} transports[] = {
	{"tls", true, false, NULL},
	{"tcp", true, false, NULL},
	{"ssh", true, true, NULL},
	{"libssh", true, true, NULL},
	{"libssh2", true, true, NULL},
	{"unix", false, false, NULL},
	{"ext", false, false,
	 "the ext transport runs a command of the URI's own, so vmio-bench cannot tell which host its helpers belong on: "
	 "use qemu+ssh://HOST/system"},
	{NULL, false, false, NULL},
};

static const struct transport *transport_find(const char *name)
{
	for (const struct transport *t = transports; t->name; t++)
		if (strcasecmp(t->name, name) == 0) /* libvirt lowercases it first */
			return t;
	return NULL;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* s[0..len) with each %XX decoded, as libxml2 decodes a URI's user, host
 * and path and libvirt each query name and value; NULL on a broken escape
 * or an encoded NUL. */
static char *unescape(const char *s, size_t len)
{
	char *r = vb_calloc(len + 1, 1), *o = r;
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '%') {
			*o++ = s[i];
			continue;
		}
		int hi = i + 2 < len ? hexval(s[i + 1]) : -1, lo = i + 2 < len ? hexval(s[i + 2]) : -1;
		if (hi < 0 || lo < 0 || hi + lo == 0) {
			free(r);
			return NULL;
		}
		*o++ = (char)(hi * 16 + lo);
		i += 2;
	}
	return r;
}

/* What the URI's query says to ssh, read as libvirt's remote driver reads
 * it: parameters split at '&' (at ';' once no '&' is left), names matched
 * case-insensitively, the last of a repeated one wins, and every
 * no_verify= must be an integer.  -1 with *bad naming what is wrong. */
static int query_parse(const char *q, struct vb_hv_uri *u, const char **bad)
{
	for (const char *p = q; p && *p;) {
		const char *end = strchr(p, '&');
		if (!end)
			end = strchr(p, ';');
		if (!end)
			end = p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(end - p));
		char *name = end == p || eq == p ? NULL : unescape(p, (size_t)((eq ? eq : end) - p));
		char *value = eq ? unescape(eq + 1, (size_t)(end - eq - 1)) : vb_strdup("");
		int rc = 0;
		if ((end != p && eq != p && !name) || !value) {
			*bad = "a parameter has a broken %-escape";
			rc = -1;
		} else if (name && strcasecmp(name, "keyfile") == 0) {
			free(u->keyfile);
			u->keyfile = value;
			value = NULL;
		} else if (name && strcasecmp(name, "no_verify") == 0) {
			char *e = NULL;
			errno = 0;
			long v = strtol(value, &e, 10);
			if (!*value || *e || errno || v != (int)v) {
				*bad = "its no_verify= is not an integer (libvirt refuses it too)";
				rc = -1;
			}
			u->no_verify = v != 0;
		}
		free(name);
		free(value);
		if (rc < 0)
			return -1;
		p = *end ? end + 1 : end;
	}
	return 0;
}

/* The authority [USER@]HOST[:PORT], decoded; -1 with *bad. */
static int authority_parse(const char *a, size_t len, bool ssh, struct vb_hv_uri *u, const char **bad)
{
	const char *at = NULL;
	for (const char *p = a; p < a + len; p++)
		if (*p == '@')
			at = p;
	if (at && !(u->user = unescape(a, (size_t)(at - a)))) {
		*bad = "its user has a broken %-escape";
		return -1;
	}
	const char *h = at ? at + 1 : a, *end = a + len, *colon;
	if (*h == '[') { /* [::1]: ssh takes the address bare */
		const char *close = memchr(h, ']', (size_t)(end - h));
		if (!close) {
			*bad = "its IPv6 address has no ']'";
			return -1;
		}
		u->host = strndup(h + 1, (size_t)(close - h - 1));
		colon = close + 1 < end && close[1] == ':' ? close + 1 : NULL;
	} else {
		colon = memchr(h, ':', (size_t)(end - h));
		if (!(u->host = unescape(h, (size_t)((colon ? colon : end) - h)))) {
			*bad = "its host has a broken %-escape";
			return -1;
		}
	}
	if (colon && colon + 1 < end) {
		char *port = strndup(colon + 1, (size_t)(end - colon - 1));
		if (strspn(port, "0123456789") != strlen(port) || atol(port) > 65535) {
			free(port);
			*bad = "its port is not a number (libvirt cannot parse it either)";
			return -1;
		}
		if (ssh)
			u->port = port;
		else
			free(port);
	}
	if (!*u->host) {
		free(u->host);
		u->host = NULL;
	}
	if (!ssh) { /* a SASL user is not ssh's */
		free(u->user);
		u->user = NULL;
	}
	return 0;
}

/* The host as a name part: [A-Za-z0-9.-], starting with a letter or digit. */
static char *label_of(const char *host)
{
	struct vb_buf b = {0};
	if (host && !((*host >= 'a' && *host <= 'z') || (*host >= 'A' && *host <= 'Z') || (*host >= '0' && *host <= '9')))
		vb_buf_adds(&b, "h"); /* "[::1]" */
	for (const char *p = host ? host : ""; *p; p++)
		vb_buf_addf(&b, "%c", (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' ? *p : '-');
	return b.len ? vb_buf_release(&b) : vb_strdup("");
}

/* Why the URI cannot be used, or NULL when it can. */
static const char *uri_parse(const char *uri, struct vb_hv_uri *u, char **unknown)
{
	const char *sep = strstr(uri, "://"), *bad = NULL;
	if (!sep) /* "qemu" or a libvirt alias: libvirt resolves it, locally */
		return NULL;
	const char *plus = memchr(uri, '+', (size_t)(sep - uri));
	const char *auth = sep + 3, *path = auth + strcspn(auth, "/?#");
	const struct transport *t = NULL;
	if (plus && !(t = transport_find(*unknown = strndup(plus + 1, (size_t)(sep - plus - 1)))))
		return "libvirt knows no such transport (it knows tls, unix, ssh, ext, tcp, libssh2, libssh)";
	if (t && t->refused)
		return t->refused;
	if (authority_parse(auth, (size_t)(path - auth), t && t->ssh, u, &bad) < 0)
		return bad;
	if (!t) /* qemu://HOST/system is TLS to HOST; qemu:///system this machine */
		t = transport_find(u->host ? "tls" : "unix");
	if (!t->remote && u->host)
		return "the unix transport cannot reach a host (libvirt refuses it too): use qemu+ssh://HOST/system";
	if (t->remote && !u->host)
		return "it names no host, and vmio-bench runs its helpers on the hypervisor's host: name it "
		       "(qemu+ssh://HOST/system), or use qemu:///system for this machine";
	size_t plen = strcspn(path, "?#");
	char *p = unescape(path, plen);
	u->system = p && strcmp(p, "/system") == 0;
	free(p);
	u->remote = t->remote;
	const char *query = path[plen] == '?' ? path + plen + 1 : NULL;
	char *q = query ? strndup(query, strcspn(query, "#")) : NULL;
	int rc = t->ssh ? query_parse(q, u, &bad) : 0;
	free(q);
	if (rc < 0)
		return bad;
	if (u->remote && (!safe_part(u->host, false) || (u->user && !safe_part(u->user, true)) ||
	                  (u->keyfile && (*u->keyfile != '/' || strchr(u->keyfile, '%')))))
		return "its host, user or keyfile cannot be handed to ssh safely: use a plain host name or address and an "
		       "absolute keyfile path";
	return NULL;
}

int vb_hv_uri_parse(const char *uri, struct vb_hv_uri *u, char **why)
{
	char *unknown = NULL;
	memset(u, 0, sizeof(*u));
	const char *bad = uri_parse(uri, u, &unknown);
	if (bad) {
		*why = unknown && strstr(bad, "no such transport")
		           ? vb_asprintf("--connect '%s': '%s': %s", uri, unknown, bad)
		           : vb_asprintf("--connect '%s': %s", uri, bad);
		free(unknown);
		vb_hv_uri_release(u);
		return -1;
	}
	free(unknown);
	if (!u->remote) { /* what a local URI says of hosts is not ours */
		free(u->host);
		free(u->user);
		free(u->port);
		free(u->keyfile);
		u->host = u->user = u->port = u->keyfile = NULL;
		u->no_verify = false;
	}
	u->label = label_of(u->remote ? u->host : NULL);
	return 0;
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

/* The folder of this process's ssh control socket (and ssh's complaint
 * in vb_hv_check): made by mkdtemp, so 0700 and ours, never a name
 * another user could have taken first (OpenSSH's mux client does not
 * check who owns the master it talks to).  A fleet's child makes its
 * own; the folder goes at vb_hv_close. */
static char ctl_dir[64];
static pid_t ctl_owner;

static const char *control_dir(void)
{
	if (ctl_owner != getpid()) {
		snprintf(ctl_dir, sizeof(ctl_dir), "/tmp/vmio-bench-ssh-XXXXXX");
		ctl_owner = mkdtemp(ctl_dir) ? getpid() : 0;
		if (!ctl_owner)
			snprintf(ctl_dir, sizeof(ctl_dir), "/nonexistent/vmio-bench-ssh"); /* ssh then runs without a master */
	}
	return ctl_dir;
}

static char *control_path(void)
{
	static _Thread_local char path[96]; /* per thread: ssh_argv may run in several */
	snprintf(path, sizeof(path), "%s/%%C", control_dir()); /* a socket's path has room for 107 bytes */
	return path;
}

/* The folder and what the master left in it. */
static void control_dir_remove(void)
{
	if (ctl_owner != getpid())
		return;
	DIR *d = opendir(ctl_dir);
	for (struct dirent *e; d && (e = readdir(d));)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dirfd(d), e->d_name, 0);
	if (d)
		closedir(d);
	rmdir(ctl_dir);
	ctl_owner = 0;
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
	control_dir_remove();
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

/* Output beyond VB_RUN_OUT_MAX is an error of its own, said once: a
 * figure read from part of it would be wrong without a word. */
static int too_much(int rc, const char *const argv[])
{
	if (rc == -1 && errno == EFBIG)
		vb_error("'%s' on %s wrote more than %u MiB: vmio-bench reads no part of it (report this with the command)",
		         argv[0], vb_hv_where(), VB_RUN_OUT_MAX >> 20);
	return rc;
}

static int hv_run_watched(const char *const argv[], char **out, const char *log, int timeout_s,
                          void (*tick)(void *arg, pid_t pid), void *arg)
{
	char **a = vb_hv_argv(argv);
	int rc = too_much(vb_run_watched((const char *const *)a, out, log, timeout_s, tick, arg), argv);
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
		return too_much(vb_run(argv, out, timeout_s), argv);
	char *q = vb_hv_quote(argv), *cmd = vb_asprintf("%s 2>/dev/null", q);
	char **a = ssh_argv(cmd, NULL);
	int rc = too_much(vb_run((const char *const *)a, out, timeout_s), argv);
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
	char *log = vb_asprintf("%s/check.log", control_dir()); /* the private folder: no name to race for */
	char **a = ssh_argv("true", NULL);
	for (size_t i = 0; a[i]; i++)
		if (strcmp(a[i], "LogLevel=QUIET") == 0) {
			free(a[i]);
			a[i] = vb_strdup("LogLevel=ERROR");
		}
	int rc = vb_run_logged((const char *const *)a, log, 30);
	char *last = vb_file_last_line(log);
	unlink(log);
	free(log);
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

/* runner's helpers (issue 23) */

bool vb_hv_local_system(void)
{
	return hv.system && !hv.remote;
}

bool vb_hv_places_files(void)
{
	return hv.remote;
}

bool vb_hv_may_be_lost(void)
{
	return hv.remote;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* Private folders of runs that died (a crash, SIGKILL) hold nothing of
 * value but stale sockets and a storage model's leftovers: remove them. */
static void sweep_stale_run_dirs(const char *cache_dir)
{
	char *parent = vb_asprintf("%s/run", cache_dir);
	DIR *d = opendir(parent);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (e->d_name[0] == '.' || *end || pid <= 0 || (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
			continue;
		char *dir = vb_asprintf("%s/%s", parent, e->d_name);
		/* depth first, links removed as links, never crossing into
		 * another file system (a storage model's folders: nfs's export) */
		nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
		free(dir);
	}
	if (d)
		closedir(d);
	free(parent);
}

int vb_hv_private_dir_new(const char *cache_dir, char **dir)
{
	if (hv.remote) {
		*dir = vb_asprintf("%s/%s/run-%ld", VB_HV_REMOTE_ROOT, vb_hv_label(), (long)getpid());
		if (vb_hv_mkdir_p(*dir) < 0) {
			vb_error("cannot create '%s' on %s: check that ssh reaches it as a user who may (see the README's remote section)",
			         *dir, vb_hv_where());
			free(*dir);
			*dir = NULL;
			return -1;
		}
	} else {
		sweep_stale_run_dirs(cache_dir);
		*dir = vb_layout_private_dir(cache_dir, (long)getpid());
		if (vb_mkdir_p(*dir, 0755) < 0)
			return vb_error("cannot create '%s': %s: choose another --cache-dir", *dir, strerror(errno));
	}
	vb_hv_set_scratch(*dir);
	return 0;
}

void vb_hv_private_dir_remove(const char *dir)
{
	if (dir && hv.remote) {
		const char *argv[] = {"rm", "-rf", "--", dir, NULL};
		vb_hv_run(argv, NULL, 30);
	} else if (dir) {
		rmdir(dir);
	}
}

char *vb_hv_console_path(const char *mode, unsigned boot_no)
{
	return hv.remote ? vb_asprintf("%s/console-%s-%u.log", vb_hv_scratch(), mode, boot_no) : NULL;
}

void vb_hv_fetch_console(const char *mode, unsigned boot_no, const char *local)
{
	char *remote = vb_hv_console_path(mode, boot_no);
	if (remote)
		vb_hv_fetch(remote, local, 64u << 20);
	free(remote);}

/* local or remote, decided here (issue 23) */

bool vb_hv_is_this_host(void)
{
	return !hv.remote;
}

bool vb_hv_on_path(const char *name)
{
	if (hv.remote) {
		const char *argv[] = {"sh", "-c", "command -v \"$0\" >/dev/null", name, NULL};
		return vb_hv_run_quiet(argv, NULL, 20) == 0;
	}
	char *path = vb_strdup(getenv("PATH") ? getenv("PATH") : "/usr/sbin:/usr/bin:/sbin:/bin"), *save = NULL;
	bool found = false;
	for (char *dir = strtok_r(path, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char *p = vb_asprintf("%s/%s", dir, name);
		found = access(p, X_OK) == 0;
		free(p);
	}
	free(path);
	return found;
}

bool vb_hv_glob_any(const char *const patterns[])
{
	if (hv.remote) { /* the remote shell expands them: "for f in P1 P2; do ..." */
		struct vb_buf b = {0};
		vb_buf_adds(&b, "for f in");
		for (size_t i = 0; patterns[i]; i++)
			vb_buf_addf(&b, " %s", patterns[i]);
		vb_buf_adds(&b, "; do [ -e \"$f\" ] && exit 0; done; exit 1");
		char *script = vb_buf_release(&b);
		const char *argv[] = {"sh", "-c", script, NULL};
		bool found = vb_hv_run_quiet(argv, NULL, 20) == 0;
		free(script);
		return found;
	}
	bool found = false;
	for (size_t i = 0; patterns[i] && !found; i++) {
		glob_t g;
		found = glob(patterns[i], 0, NULL, &g) == 0;
		globfree(&g);
	}
	return found;
}

size_t vb_hv_dir_count(const char *dir)
{
	if (hv.remote) {
		const char *argv[] = {"sh", "-c", "ls -- \"$0\" 2>/dev/null | wc -l", dir, NULL};
		char *out = NULL;
		size_t n = vb_hv_run(argv, &out, 20) == 0 && out ? strtoul(out, NULL, 10) : 0;
		free(out);
		return n;
	}
	DIR *d = opendir(dir);
	size_t n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

char *vb_hv_scratch_path(const char *name)
{
	return hv.remote ? vb_asprintf("%s/%s", vb_hv_scratch(), name) : NULL;
}

int vb_hv_hand_to_qemu(const char *path, char **saved, char **why)
{
	uid_t uid;
	gid_t gid;
	/* here the user must exist first; there, chown names it (vb_hv_chown_qemu) */
	if (!hv.remote && vb_qemu_user(&uid, &gid) < 0) {
		*why = vb_strdup("cannot find the user QEMU runs as (libvirt-qemu): is libvirt-daemon-system installed?");
		return -1;
	}
	if (!(*saved = vb_hv_owner(path))) {
		*why = vb_asprintf("cannot read '%s' on %s: %s", path, vb_hv_where(), strerror(errno ? errno : ENOENT));
		return -1;
	}
	if (vb_hv_chown_qemu(path, why) < 0) {
		free(*saved);
		*saved = NULL;
		return -1;
	}
	return 0;
}

/* A file there as stat(1) sees it (a string: only equality matters). */
static json_t *remote_stat(const char *path)
{
	const char *argv[] = {"stat", "-L", "-c", "%s %Y %t:%T %f %u %g", "--", path, NULL};
	char *v = vb_hv_command_first_line(argv);
	json_t *j = v ? json_string(vb_text_clean(v)) : json_null();
	free(v);
	return j ? j : json_null();
}

json_t *vb_hv_kvm_identity(const char *qemu_binary)
{
	if (hv.remote) {
		char *kernel = vb_hv_uname('r');
		json_t *id = json_pack("{s:s?, s:o, s:o}", "kernel", kernel, "qemu_binary", remote_stat(qemu_binary), "dev_kvm",
		                       remote_stat("/dev/kvm"));
		free(kernel);
		return id;
	}
	struct utsname un;
	struct stat q, k;
	bool has_q = stat(qemu_binary, &q) == 0, has_k = stat("/dev/kvm", &k) == 0;
	uname(&un);
	return json_pack("{s:s, s:I, s:I, s:o}", "kernel", un.release, "qemu_binary_size", (json_int_t)(has_q ? q.st_size : -1),
	                 "qemu_binary_mtime", (json_int_t)(has_q ? q.st_mtime : -1),
	                 "dev_kvm", has_k ? json_pack("{s:I, s:I, s:I, s:I}", "rdev", (json_int_t)k.st_rdev, "mode",
	                                              (json_int_t)k.st_mode, "uid", (json_int_t)k.st_uid, "gid",
	                                              (json_int_t)k.st_gid)
	                                  : json_null());
}
