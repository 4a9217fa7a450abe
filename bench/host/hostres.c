#include "config.h"
#include "host/hostres.h"
#include "host/hv.h"
#include "core/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Processes started here that stand for one on a remote hypervisor (the
 * ssh that runs it): where the remote one wrote its pid.  Under lock: the
 * threads of a --vms run read and change it at once. */
static struct {
	pid_t local, remote;
	char *pidfile;
} aliases[VB_PROC_ALIASES];
static pthread_mutex_t aliases_lock = PTHREAD_MUTEX_INITIALIZER;

/* The slot of local, or -1; the caller holds the lock. */
static int alias_slot_locked(pid_t local)
{
	for (int i = 0; i < VB_PROC_ALIASES; i++)
		if (aliases[i].pidfile && aliases[i].local == local)
			return i;
	return -1;
}

static int alias_slot(pid_t local)
{
	pthread_mutex_lock(&aliases_lock);
	int i = alias_slot_locked(local);
	pthread_mutex_unlock(&aliases_lock);
	return i;
}

bool vb_proc_alias(pid_t local, const char *pidfile)
{
	pthread_mutex_lock(&aliases_lock);
	int free_slot = -1;
	bool have = alias_slot_locked(local) >= 0;
	for (int i = 0; i < VB_PROC_ALIASES && !have && free_slot < 0; i++)
		if (!aliases[i].pidfile)
			free_slot = i;
	if (!have && free_slot >= 0) {
		aliases[free_slot].local = local;
		aliases[free_slot].remote = 0;
		aliases[free_slot].pidfile = vb_strdup(pidfile);
	}
	pthread_mutex_unlock(&aliases_lock);
	return have || free_slot >= 0;
}

void vb_proc_unalias(pid_t local)
{
	pthread_mutex_lock(&aliases_lock);
	int i = alias_slot_locked(local);
	char *pidfile = i >= 0 ? aliases[i].pidfile : NULL;
	if (i >= 0)
		memset(&aliases[i], 0, sizeof(aliases[i]));
	pthread_mutex_unlock(&aliases_lock);
	if (pidfile)
		vb_hv_remove(pidfile);
	free(pidfile);
}

pid_t vb_daemon_host_pid(pid_t pid)
{
	pthread_mutex_lock(&aliases_lock);
	int i = alias_slot_locked(pid);
	pid_t remote = i >= 0 ? aliases[i].remote : pid;
	char *pidfile = i >= 0 && !remote ? vb_strdup(aliases[i].pidfile) : NULL;
	pthread_mutex_unlock(&aliases_lock);
	if (!pidfile)
		return remote;
	/* read unlocked (over ssh it takes a while), stored if still ours */
	char *t = vb_hv_read_file(pidfile, 64, NULL);
	long r = t ? atol(t) : 0;
	free(t);
	free(pidfile);
	if (r <= 0)
		return -1;
	pthread_mutex_lock(&aliases_lock);
	if ((i = alias_slot_locked(pid)) >= 0)
		aliases[i].remote = (pid_t)r;
	pthread_mutex_unlock(&aliases_lock);
	return (pid_t)r;
}

pid_t vb_daemon_start(const char *const argv[], const char *log)
{
	static unsigned seq;
	char *pidfile = vb_hv_remote() ? vb_asprintf("%s/daemon-%ld-%u.pid", vb_hv_scratch(), (long)getpid(), ++seq) : NULL;
	char **a = pidfile ? vb_hv_argv_pidfile(argv, pidfile) : NULL;
	pid_t pid = fork();
	if (pid < 0) {
		vb_hv_argv_free(a);
		free(pidfile);
		return -1;
	}
	if (pid == 0) {
		unlink(log); /* a link planted in its place goes, not what it names */
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
		int nul = open("/dev/null", O_RDONLY);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		if (nul >= 0)
			dup2(nul, STDIN_FILENO);
		/* Its own process group: a ^C to vmio-bench is ours to handle,
		 * and we stop the daemon ourselves. */
		setpgid(0, 0);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		const char *const *run = a ? (const char *const *)a : argv;
		execvp(run[0], (char *const *)run);
		dprintf(STDERR_FILENO, "cannot run %s: %s\n", run[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid); /* as the child does: the group exists before any kill */
	/* the ssh stands for the daemon: it ends when the daemon does */
	if (pidfile && !vb_proc_alias(pid, pidfile)) {
		vb_error("cannot follow '%s' on %s: %d remote processes are watched already", argv[0], vb_hv_where(),
		         VB_PROC_ALIASES);
		kill(-pid, SIGTERM); /* its ssh: the remote daemon ends with it */
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	vb_hv_argv_free(a);
	free(pidfile);
	return pid;
}

bool vb_daemon_alive(pid_t pid)
{
	int st;
	return pid > 0 && waitpid(pid, &st, WNOHANG) == 0;
}

/* Signal a daemon where it runs: itself, or the remote process its ssh
 * stands for. */
static void daemon_kill(pid_t pid, int sig)
{
	if (alias_slot(pid) < 0) {
		/* its group (vb_daemon_start made it one): what it forked ends too */
		if (kill(-pid, sig) < 0)
			kill(pid, sig);
		return;
	}
	pid_t remote = vb_daemon_host_pid(pid);
	char num[24];
	snprintf(num, sizeof(num), "%ld", (long)remote);
	const char *argv[] = {"kill", sig == SIGKILL ? "-KILL" : "-TERM", num, NULL};
	/* quiet: "No such process" when it has just ended is no news */
	if ((remote <= 0 || vb_hv_run_quiet(argv, NULL, 20) != 0 || sig == SIGKILL) && vb_daemon_alive(pid))
		kill(pid, sig); /* the link is gone, or the last resort: end the ssh */
}

void vb_daemon_stop(pid_t pid, int timeout_s)
{
	int st;
	if (pid <= 0)
		return;
	daemon_kill(pid, SIGTERM);
	for (int i = 0; i < timeout_s * 20; i++) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid || (r < 0 && errno == ECHILD))
			goto out;
		usleep(50000);
	}
	daemon_kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
out:
	vb_proc_unalias(pid);
}

/* One line of /proc/PID/stat: pid, command, parent and utime + stime in
 * ns.  The command may hold spaces and parentheses: parse from the last
 * ')'.  After it: state ppid pgrp session tty tpgid flags minflt cminflt
 * majflt cmajflt utime stime. */
struct proc_stat {
	long pid, ppid;
	char comm[64];
	unsigned long long ns;
};

static int parse_stat(const char *line, struct proc_stat *ps)
{
	const char *open = strchr(line, '('), *close = strrchr(line, ')');
	unsigned long long ut, st;
	if (!open || !close || close < open || sscanf(line, "%ld", &ps->pid) != 1 ||
	    sscanf(close + 1, " %*c %ld %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ps->ppid, &ut, &st) != 3)
		return -1;
	size_t n = (size_t)(close - open - 1);
	if (n >= sizeof(ps->comm))
		n = sizeof(ps->comm) - 1;
	memcpy(ps->comm, open + 1, n);
	ps->comm[n] = '\0';
	ps->ns = (ut + st) * (1000000000ull / (unsigned long long)sysconf(_SC_CLK_TCK));
	return 0;
}

int vb_proc_stat_parse(const char *line, long *pid, char comm[64], unsigned long long *ns)
{
	struct proc_stat ps;
	if (parse_stat(line, &ps) < 0)
		return -1;
	*pid = ps.pid;
	memcpy(comm, ps.comm, sizeof(ps.comm));
	*ns = ps.ns;
	return 0;
}

int vb_proc_cpu_ns(pid_t pid, unsigned long long *ns)
{
	char path[64], *text;
	struct proc_stat ps;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)vb_daemon_host_pid(pid));
	text = vb_hv_read_file(path, 8192, NULL);
	int rc = text ? parse_stat(text, &ps) : -1;
	free(text);
	if (rc == 0)
		*ns = ps.ns;
	return rc;
}

/* A process's children: the kernel's own list (/proc/PID/task/TID/
 * children) where it keeps one, else the processes whose parent it is
 * (this machine's microVM kernel keeps none). */
static void children_local(long pid, struct vb_buf *b)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%ld/task", pid);
	DIR *d = opendir(path);
	bool listed = false;
	for (struct dirent *e; d && (e = readdir(d));) {
		char *f = vb_asprintf("%s/%s/children", path, e->d_name), *text;
		if (e->d_name[0] != '.' && (text = vb_read_file(f, 1 << 16, NULL))) {
			listed = true;
			vb_buf_adds(b, text);
			vb_buf_adds(b, " ");
			free(text);
		}
		free(f);
	}
	if (d)
		closedir(d);
	if (listed)
		return;
	char num[24], *out = NULL;
	snprintf(num, sizeof(num), "%ld", pid);
	const char *argv[] = {"pgrep", "-P", num, NULL};
	if (vb_run(argv, &out, 10) == 0 && out)
		vb_buf_adds(b, out);
	free(out);
}

/* The stat lines of n processes on this machine and, for tree[i], of
 * their children: only these are read, never all of /proc. */
static char *stats_local(const long *pids, const bool *tree, size_t n)
{
	struct vb_buf b = {0}, kids = {0};
	for (size_t i = 0; i < n; i++) {
		vb_buf_addf(&kids, "%ld ", pids[i]);
		if (tree[i])
			children_local(pids[i], &kids);
	}
	char *list = vb_buf_release(&kids), *save = NULL;
	for (char *w = strtok_r(list, " \n", &save); w; w = strtok_r(NULL, " \n", &save)) {
		char path[64], *text;
		snprintf(path, sizeof(path), "/proc/%ld/stat", atol(w));
		if ((text = vb_read_file(path, 8192, NULL))) {
			text[strcspn(text, "\n")] = '\0';
			vb_buf_addf(&b, "%s\n", text);
			free(text);
		}
	}
	free(list);
	return b.len ? vb_buf_release(&b) : vb_strdup("");
}

/* script (sh -c) on the hypervisor with the pids as its arguments,
 * "+PID" for tree[i] (tree may be NULL); its output, NULL on failure. */
static char *remote_pids(const char *script, const long *pids, const bool *tree, size_t n)
{
	const char **argv = vb_calloc(n + 5, sizeof(char *));
	char **words = vb_calloc(n, sizeof(char *));
	argv[0] = "sh";
	argv[1] = "-c";
	argv[2] = script;
	argv[3] = "sh";
	for (size_t i = 0; i < n; i++)
		argv[4 + i] = words[i] = vb_asprintf("%s%ld", tree && tree[i] ? "+" : "", pids[i]);
	char *out = NULL;
	if (vb_hv_run(argv, &out, 20) != 0) {
		free(out);
		out = NULL;
	}
	for (size_t i = 0; i < n; i++)
		free(words[i]);
	free(words);
	free(argv);
	return out;
}

/* The same on a remote hypervisor, in one ssh round trip (each one is
 * time a window's edge is late by): "+PID" asks for its children too. */
static char *stats_remote(const long *pids, const bool *tree, size_t n)
{
	return remote_pids("for a; do p=${a#+}; cat /proc/$p/stat; [ \"$a\" = \"$p\" ] && continue; "
	                   "k=$(cat /proc/$p/task/*/children) || k=$(pgrep -P $p); "
	                   "for c in $k; do cat /proc/$c/stat; done; done 2>/dev/null; exit 0",
	                   pids, tree, n);
}

/* The CPU of n processes where they run (pids there), tree[i] with the
 * children of the i-th: -1 when one is gone or cannot be read. */
static int cpu_of(const long *host, const bool *tree, size_t n, unsigned long long *ns)
{
	char *text = vb_hv_remote() ? stats_remote(host, tree, n) : stats_local(host, tree, n), *save = NULL;
	bool *seen = vb_calloc(n, sizeof(bool));
	int rc = text ? 0 : -1;
	memset(ns, 0, n * sizeof(*ns));
	for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
		struct proc_stat ps;
		if (parse_stat(l, &ps) < 0)
			continue;
		for (size_t i = 0; i < n; i++) {
			if (ps.pid == host[i])
				seen[i] = true;
			if (ps.pid == host[i] || (tree[i] && ps.ppid == host[i]))
				ns[i] += ps.ns;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (!seen[i])
			rc = -1; /* gone */
	free(seen);
	free(text);
	return rc;
}

int vb_proc_tree_cpu_ns(pid_t pid, unsigned long long *ns)
{
	bool tree = true;
	return vb_proc_cpu_many(&pid, &tree, 1, ns);
}

int vb_proc_cpu_many(const pid_t *pids, const bool *tree, size_t n, unsigned long long *ns)
{
	long *host = vb_calloc(n, sizeof(long));
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		if ((host[i] = (long)vb_daemon_host_pid(pids[i])) <= 0)
			rc = -1;
	if (rc == 0)
		rc = cpu_of(host, tree, n, ns);
	free(host);
	return rc;
}

pid_t vb_proc_find(const char *comm)
{
	const char *argv[] = {"pgrep", "-o", "-x", "--", comm, NULL}; /* the oldest: the daemon, not a child of it */
	char *v = vb_hv_command_first_line(argv);
	long pid = v ? atol(v) : 0;
	free(v);
	return pid > 0 ? (pid_t)pid : 0;
}

size_t vb_proc_find_all(const char *comm, pid_t *pids, size_t max)
{
	const char *argv[] = {"pgrep", "-x", "--", comm, NULL}; /* processes, not threads: a thread of QEMU is QEMU's */
	char *out = NULL, *save = NULL;
	size_t n = 0;
	if (vb_hv_run_quiet(argv, &out, 10) == 0 && out)
		for (char *w = strtok_r(out, " \n", &save); w && n < max; w = strtok_r(NULL, " \n", &save))
			if (atol(w) > 0)
				pids[n++] = (pid_t)atol(w);
	free(out);
	return n;
}

/* The threads' stat lines of n processes, each process as "P PID", its
 * threads' lines, then "= " and its own line (read last: the total is
 * then never behind its threads); only these files are read. */
static char *threads_local(const long *pids, size_t n)
{
	struct vb_buf b = {0};
	for (size_t i = 0; i < n; i++) {
		char path[64], *text;
		vb_buf_addf(&b, "P %ld\n", pids[i]);
		snprintf(path, sizeof(path), "/proc/%ld/task", pids[i]);
		DIR *d = opendir(path);
		for (struct dirent *e; d && (e = readdir(d));) {
			char *f = vb_asprintf("%s/%s/stat", path, e->d_name);
			if (e->d_name[0] != '.' && (text = vb_read_file(f, 8192, NULL))) {
				text[strcspn(text, "\n")] = '\0';
				vb_buf_addf(&b, "%s\n", text);
				free(text);
			}
			free(f);
		}
		if (d)
			closedir(d);
		snprintf(path, sizeof(path), "/proc/%ld/stat", pids[i]);
		if ((text = vb_read_file(path, 8192, NULL))) {
			text[strcspn(text, "\n")] = '\0';
			vb_buf_addf(&b, "= %s\n", text);
			free(text);
		}
	}
	return vb_buf_release(&b);
}

/* The same on a remote hypervisor, in one ssh round trip. */
static char *threads_remote(const long *pids, size_t n)
{
	return remote_pids("for p; do echo \"P $p\"; for t in /proc/$p/task/*/stat; do cat \"$t\"; done; "
	                   "s=$(cat /proc/$p/stat) && echo \"= $s\"; done 2>/dev/null; exit 0",
	                   pids, NULL, n);
}

/* Parse threads_local's (or threads_remote's) text into out[n]: 0, or -1
 * when a process's own line is missing (it is gone). */
static int threads_parse(char *text, const long *host, size_t n, struct vb_proc_threads *out)
{
	struct vb_proc_threads *cur = NULL;
	bool *seen = vb_calloc(n, sizeof(bool));
	char *save = NULL;
	int rc = 0;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		struct proc_stat ps;
		if (l[0] == 'P' && l[1] == ' ') {
			cur = NULL;
			for (size_t i = 0; i < n; i++)
				if (host[i] == atol(l + 2))
					cur = &out[i];
		} else if (!cur) {
			continue;
		} else if (l[0] == '=' && l[1] == ' ') {
			if (parse_stat(l + 2, &ps) == 0 && ps.pid == cur->pid) {
				cur->ns = ps.ns;
				seen[cur - out] = true;
			}
		} else if (parse_stat(l, &ps) == 0) {
			if (!(cur->t = realloc(cur->t, (cur->n + 1) * sizeof(*cur->t))))
				abort();
			struct vb_thread_cpu *t = &cur->t[cur->n++];
			t->tid = ps.pid;
			size_t len = strnlen(ps.comm, sizeof(t->comm) - 1);
			memcpy(t->comm, ps.comm, len);
			t->comm[len] = '\0';
			t->ns = ps.ns;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (!seen[i])
			rc = -1;
	free(seen);
	return rc;
}

int vb_proc_threads_many(const pid_t *pids, size_t n, struct vb_proc_threads *out)
{
	long *host = vb_calloc(n, sizeof(long));
	int rc = 0;
	memset(out, 0, n * sizeof(*out));
	for (size_t i = 0; i < n; i++)
		if ((out[i].pid = host[i] = (long)vb_daemon_host_pid(pids[i])) <= 0)
			rc = -1;
	if (rc == 0) {
		char *text = vb_hv_remote() ? threads_remote(host, n) : threads_local(host, n);
		rc = text ? threads_parse(text, host, n, out) : -1;
		free(text);
	}
	free(host);
	return rc;
}

void vb_proc_threads_release(struct vb_proc_threads *p)
{
	if (!p)
		return;
	free(p->t);
	p->t = NULL;
	p->n = 0;
}
