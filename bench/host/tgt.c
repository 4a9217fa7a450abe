/* tgt: tgtd's targets, LUNs and accounts, and a tgtd of our own (tgt.h). */
#include "config.h"
#include "host/tgt.h"
#include "host/hostres.h"
#include "host/hv.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

bool vb_tgt_installed(void)
{
	const char *argv[] = {"tgtadm", "--help", NULL};
	char *out = NULL;
	int st = vb_hv_run_quiet(argv, &out, 10);
	free(out);
	return st >= 0 && st != 127;
}

bool vb_tgt_qemu_has_iscsi(void)
{
	const char *const modules[] = {"/usr/lib/*/qemu/block-iscsi.so", "/usr/lib*/qemu/block-iscsi.so", NULL};
	return vb_hv_glob_any(modules);
}

/* tgtadm --lld iscsi ARGS [--control-port N]; its output to *out when out
 * is not NULL.  The exit status, or -1. */
static int tgtadm_v(const struct vb_tgt *t, bool quiet, char **out, va_list ap)
{
	const char *argv[26] = {"tgtadm", "--lld", "iscsi"};
	size_t n = 3;
	char ctl[16], *o = NULL;

	while (n < 23 && (argv[n] = va_arg(ap, const char *)))
		n++;
	if (t && t->control) {
		snprintf(ctl, sizeof(ctl), "%d", t->control);
		argv[n++] = "--control-port";
		argv[n++] = ctl;
	}
	argv[n] = NULL;
	int st = quiet ? vb_hv_run_quiet(argv, &o, 20) : vb_hv_run(argv, &o, 20);
	if (out)
		*out = o;
	else
		free(o);
	return st;
}

int vb_tgtadm(const struct vb_tgt *t, char **why, ...)
{
	va_list ap;
	const char *a[3];

	va_start(ap, why);
	for (int i = 0; i < 3; i++)
		a[i] = va_arg(ap, const char *); /* every call names --mode X --op */
	va_end(ap);
	va_start(ap, why);
	/* a question (no why) keeps tgtadm's own complaint off the terminal */
	int st = tgtadm_v(t, !why, NULL, ap);
	va_end(ap);
	if (st != 0 && why)
		*why = vb_asprintf("'tgtadm %s %s %s' failed (exit %d): is tgtd healthy?", a[0], a[1], a[2], st);
	return st == 0 ? 0 : -1;
}

/* tgtadm's output (a question: quiet); caller frees, NULL on failure. */
static char *tgtadm_out(const struct vb_tgt *t, ...)
{
	va_list ap;
	char *out = NULL;
	va_start(ap, t);
	int st = tgtadm_v(t, true, &out, ap);
	va_end(ap);
	if (st != 0) {
		free(out);
		return NULL;
	}
	return out;
}

bool vb_tgt_answers(const struct vb_tgt *t)
{
	return vb_tgtadm(t, NULL, "--mode", "target", "--op", "show", NULL) == 0;
}

/* A port nobody listens on now: the kernel's pick on this machine; on a
 * remote hypervisor a random one (tgtd's portal list then tells). */
static int pick_port(void)
{
	if (!vb_hv_is_this_host())
		return 20000 + (int)(((unsigned)rand() ^ (unsigned)getpid()) % 30000);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static char *control_socket(int control, const char *suffix)
{
	return vb_asprintf("/var/run/tgtd/socket.%d%s", control, suffix);
}

/* Does our tgtd serve its portal?  tgtd that cannot bind one carries on
 * without it, so its portal list is what tells. */
static bool serves_portal(const struct vb_tgt *t)
{
	char *out = tgtadm_out(t, "--mode", "portal", "--op", "show", NULL), want[32];
	snprintf(want, sizeof(want), "127.0.0.1:%d,", t->port);
	bool ok = out && strstr(out, want);
	free(out);
	return ok;
}

/* tgtd's control ports end at 32767: port's, folded into that range. */
static int control_of(int port)
{
	return port & 0x7fff;
}

/* Start tgtd on port (its control socket numbered alike).  0; 1 when the
 * port turned out taken (t is stopped again); -1 with *why. */
static int start_on(struct vb_tgt *t, int port, const char *log, char **why)
{
	char ctl[16], portal[40];
	snprintf(ctl, sizeof(ctl), "%d", control_of(port));
	snprintf(portal, sizeof(portal), "portal=127.0.0.1:%d", port);
	const char *argv[] = {"tgtd", "-f", "-C", ctl, "--iscsi", portal, NULL};
	t->control = control_of(port);
	t->port = port;
	if ((t->pid = vb_daemon_start(argv, log)) < 0) {
		t->pid = 0;
		*why = vb_strdup("cannot start tgtd: is it installed (apt-get install tgt)?");
		return -1;
	}
	double deadline = vb_now() + 10;
	char *sock = control_socket(t->control, "");
	/* asked before its socket is there, tgtadm complains on the terminal */
	while (!vb_hv_test("-S", sock) || !vb_tgt_answers(t)) {
		if (!vb_daemon_alive(t->pid) || vb_now() > deadline) {
			char *last = vb_file_last_line(log);
			*why = vb_asprintf("tgtd %s at start: %s (see %s)", vb_daemon_alive(t->pid) ? "did not answer tgtadm" : "exited",
			                   last ? last : "no output", log);
			free(last);
			free(sock);
			return -1;
		}
		usleep(100000);
	}
	free(sock);
	if (serves_portal(t))
		return 0;
	vb_tgt_stop(t);
	return 1;
}

int vb_tgt_start(struct vb_tgt *t, const char *log, char **why)
{
	for (int tries = 0; tries < 10; tries++) {
		int port = pick_port();
		char *sock = control_socket(control_of(port), "");
		/* another tgtd's control port */
		bool taken = port <= 0 || control_of(port) == 0 || vb_hv_test("-e", sock);
		free(sock);
		if (taken)
			continue;
		int r = start_on(t, port, log, why);
		if (r <= 0)
			return r;
	}
	*why = vb_asprintf("found no free port for tgtd's portal on 127.0.0.1 of %s in 10 tries (see %s)", vb_hv_where(), log);
	return -1;
}

void vb_tgt_stop(struct vb_tgt *t)
{
	if (t->pid <= 0)
		return;
	/* tgtd ignores SIGTERM: this is its own way out */
	if (vb_daemon_alive(t->pid))
		vb_tgtadm(t, NULL, "--mode", "system", "--op", "delete", NULL);
	vb_daemon_stop(t->pid, 5);
	t->pid = 0;
	/* tgtd leaves its control socket behind, killed or not */
	char *sock = control_socket(t->control, ""), *lock = control_socket(t->control, ".lock");
	vb_hv_remove(sock);
	vb_hv_remove(lock);
	free(sock);
	free(lock);
	t->port = 0;
}

char *vb_tgt_version(void)
{
	const char *argv[] = {"tgtd", "-V", NULL};
	return vb_hv_command_first_line(argv);
}

int vb_tgt_target_new(struct vb_tgt *t, char **why)
{
	char tid[16];
	/* A target id and name of our own, so that we never touch anyone
	 * else's targets. */
	for (int n = 1000 + getpid() % 8000, tries = 0; tries < 20; n++, tries++) {
		char *iqn = vb_asprintf("iqn.2026-11.org.vmio-bench:run-%ld-%d", (long)getpid(), n);
		snprintf(tid, sizeof(tid), "%d", n);
		if (vb_tgtadm(t, NULL, "--mode", "target", "--op", "new", "--tid", tid, "--targetname", iqn, NULL) == 0) {
			t->tid = n;
			t->iqn = iqn;
			return 0;
		}
		free(iqn);
	}
	*why = vb_strdup("cannot create an iSCSI target in tgtd (tgtadm refused 20 target ids)");
	return -1;
}

int vb_tgt_lun_new(struct vb_tgt *t, const char *path, const char *serial, char **why)
{
	char tid[16];
	snprintf(tid, sizeof(tid), "%d", t->tid);
	/* tgtd opens the store O_DIRECT, as QEMU does with cache=none. */
	if (vb_tgtadm(t, why, "--mode", "logicalunit", "--op", "new", "--tid", tid, "--lun", "1", "--backing-store", path,
	              "--bsoflags", "direct", NULL) < 0)
		return -1;
	if (!serial)
		return 0;
	char *params = vb_asprintf("scsi_sn=%s", serial);
	int r = vb_tgtadm(t, why, "--mode", "logicalunit", "--op", "update", "--tid", tid, "--lun", "1", "--params", params,
	                  NULL);
	free(params);
	return r;
}

int vb_tgt_account_new(struct vb_tgt *t, const char *password, char **why)
{
	char tid[16];
	snprintf(tid, sizeof(tid), "%d", t->tid);
	t->user = vb_asprintf("vmio-%ld-%s", (long)getpid(), tid);
	if (vb_tgtadm(t, why, "--mode", "account", "--op", "new", "--user", t->user, "--password", password, NULL) < 0) {
		free(t->user);
		t->user = NULL;
		return -1;
	}
	return vb_tgtadm(t, why, "--mode", "account", "--op", "bind", "--tid", tid, "--user", t->user, NULL);
}

int vb_tgt_bind_local(struct vb_tgt *t, char **why)
{
	char tid[16];
	snprintf(tid, sizeof(tid), "%d", t->tid);
	return vb_tgtadm(t, why, "--mode", "target", "--op", "bind", "--tid", tid, "--initiator-address", "127.0.0.1", NULL);
}

void vb_tgt_target_remove(struct vb_tgt *t, const char *who)
{
	char tid[16];
	if (t->tid) {
		snprintf(tid, sizeof(tid), "%d", t->tid);
		if (vb_tgtadm(t, NULL, "--mode", "target", "--op", "delete", "--force", "--tid", tid, NULL) < 0)
			vb_warn("%s: could not remove iSCSI target %s (tid %d): remove it with 'tgtadm --lld iscsi --mode target --op delete --force --tid %d'",
			        who, t->iqn, t->tid, t->tid);
		t->tid = 0;
	}
	if (t->user && vb_tgtadm(t, NULL, "--mode", "account", "--op", "delete", "--user", t->user, NULL) < 0)
		vb_warn("%s: could not remove tgtd's CHAP account '%s': remove it with 'tgtadm --lld iscsi --mode account --op "
		        "delete --user %s'", who, t->user, t->user);
	free(t->user);
	t->user = NULL;
	free(t->iqn);
	t->iqn = NULL;
}
