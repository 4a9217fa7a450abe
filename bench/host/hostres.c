#include "config.h"
#include "hostres.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

pid_t vb_daemon_start(const char *const argv[], const char *log)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
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
		execvp(argv[0], (char *const *)argv);
		dprintf(STDERR_FILENO, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

bool vb_daemon_alive(pid_t pid)
{
	int st;
	return pid > 0 && waitpid(pid, &st, WNOHANG) == 0;
}

void vb_daemon_stop(pid_t pid, int timeout_s)
{
	int st;
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (int i = 0; i < timeout_s * 20; i++) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid || (r < 0 && errno == ECHILD))
			return;
		usleep(50000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
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


/* utime + stime of one process (all its threads), fields 14 and 15 of
 * /proc/PID/stat, after the command name (which may hold spaces and
 * parentheses: parse from the last ')'). */
int vb_proc_cpu_ns(pid_t pid, unsigned long long *ns)
{
	char path[64], *text, *p;
	unsigned long long ut, st;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	text = vb_read_file(path, 8192, NULL);
	if (!text)
		return -1;
	p = strrchr(text, ')');
	/* after ')': state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
	int n = p ? sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) : 0;
	free(text);
	if (n != 2)
		return -1;
	*ns = (ut + st) * (1000000000ull / (unsigned long long)sysconf(_SC_CLK_TCK));
	return 0;
}

/* Each process whose parent is pid, by a walk of /proc. */
static void children_cpu(pid_t pid, unsigned long long *sum)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char path[300], *text, *p;
		long ppid;
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		if (!(text = vb_read_file(path, 8192, NULL)))
			continue;
		p = strrchr(text, ')');
		if (p && sscanf(p + 1, " %*c %ld", &ppid) == 1 && ppid == (long)pid) {
			unsigned long long ns;
			if (vb_proc_cpu_ns((pid_t)atol(e->d_name), &ns) == 0)
				*sum += ns;
		}
		free(text);
	}
	if (d)
		closedir(d);
}

int vb_proc_tree_cpu_ns(pid_t pid, unsigned long long *ns)
{
	if (vb_proc_cpu_ns(pid, ns) < 0)
		return -1;
	children_cpu(pid, ns);
	return 0;
}

pid_t vb_proc_find(const char *comm)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;
	while (d && (e = readdir(d)) && !found) {
		char path[300], *text;
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		if ((text = vb_read_file(path, 256, NULL))) {
			text[strcspn(text, "\n")] = '\0';
			if (strcmp(text, comm) == 0)
				found = (pid_t)atol(e->d_name);
			free(text);
		}
	}
	if (d)
		closedir(d);
	return found;
}
