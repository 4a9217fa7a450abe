#include "config.h"
#include "guest/virt.h"
#include "host/hv.h"
#include "host/hostres.h"
#include "core/util.h"
#include "guest/xmlbuf.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

struct vb_virt {
	/* replaced by reconnect, which the boot threads of a --vms run may
	 * call at once: read under lock (conn_ref), never closed under a
	 * thread that uses it */
	virConnectPtr conn;
	pthread_mutex_t lock;
	char *uri;
};

/* How long a guest whose libvirtd died waits for libvirtd to return. */
#define VB_LIBVIRTD_RETURN_S 30

struct vb_guest {
	struct vb_virt *v;
	virDomainPtr dom;
	virStreamPtr st;
	char *name;
	struct vb_buf in;     /* bytes received but not yet returned as lines */
	bool stream_done;
	pid_t watch;          /* a host process the guest's disk needs (a storage server) */
	char *watch_name;
};

static void quiet_errors(void *opaque, virErrorPtr err)
{
	/* Errors are reported once, by us, as whole sentences. */
	(void)opaque;
	(void)err;
}

static const char *last_error(void)
{
	const char *m = virGetLastErrorMessage();
	return m ? m : "unknown libvirt error";
}

static pthread_once_t event_once = PTHREAD_ONCE_INIT;

static void *event_loop(void *arg)
{
	(void)arg;
	for (;;)
		virEventRunDefaultImpl();
	return NULL;
}

/* libvirt's remote client only delivers stream data and keepalives while an
 * event loop runs; one background thread serves it. */
static void start_event_loop(void)
{
	pthread_t t;
	virSetErrorFunc(NULL, quiet_errors);
	if (virEventRegisterDefaultImpl() < 0)
		return;
	if (pthread_create(&t, NULL, event_loop, NULL) == 0)
		pthread_detach(t);
}

struct vb_virt *vb_virt_open(const char *uri)
{
	struct vb_virt *v;
	virConnectPtr conn;

	pthread_once(&event_once, start_event_loop);
	conn = virConnectOpen(uri);
	if (!conn) {
		vb_error("cannot connect to libvirt at '%s' (%s): is libvirtd running? Start it (e.g. 'virtlogd -d; libvirtd -d' or 'systemctl start libvirtd') or choose another --connect URI",
		         uri, last_error());
		return NULL;
	}
	/* Notice a dead libvirtd within seconds rather than never. */
	virConnectSetKeepAlive(conn, 5, 3);
	v = vb_calloc(1, sizeof(*v));
	v->conn = conn;
	pthread_mutex_init(&v->lock, NULL);
	v->uri = vb_strdup(uri);
	return v;
}

void vb_virt_free(struct vb_virt *v)
{
	if (!v)
		return;
	virConnectClose(v->conn);
	pthread_mutex_destroy(&v->lock);
	free(v->uri);
	free(v);
}

static char *version_string(unsigned long ver)
{
	return vb_asprintf("%lu.%lu.%lu", ver / 1000000, (ver / 1000) % 1000, ver % 1000);
}

char *vb_virt_hypervisor_version(struct vb_virt *v)
{
	unsigned long ver = 0;
	if (virConnectGetVersion(v->conn, &ver) < 0 || !ver)
		return NULL;
	return version_string(ver);
}

char *vb_virt_library_version(struct vb_virt *v)
{
	unsigned long ver = 0;
	if (virConnectGetLibVersion(v->conn, &ver) < 0 || !ver)
		return NULL;
	return version_string(ver);
}

static bool conn_alive(struct vb_virt *v);
static bool reconnect(struct vb_virt *v);

void *vb_virt_handle(struct vb_virt *v)
{
	pthread_mutex_lock(&v->lock);
	virConnectPtr c = v->conn;
	pthread_mutex_unlock(&v->lock);
	return c;
}

/* The current connection, with a reference of the caller's own (a
 * virConnectClose ends it): a reconnect in another thread cannot free it
 * mid-call. */
static virConnectPtr conn_ref(struct vb_virt *v)
{
	pthread_mutex_lock(&v->lock);
	virConnectPtr c = v->conn;
	virConnectRef(c);
	pthread_mutex_unlock(&v->lock);
	return c;
}

char *vb_virt_hostname(struct vb_virt *v)
{
	char *h = virConnectGetHostname(v->conn);
	char *r = h ? vb_text_clean(vb_strdup(h)) : NULL;
	free(h);
	return r;
}

bool vb_virt_reachable(struct vb_virt *v)
{
	return conn_alive(v) || reconnect(v);
}

bool vb_virt_offers_kvm(struct vb_virt *v)
{
	char *caps = virConnectGetDomainCapabilities(v->conn, NULL, "x86_64", NULL, "kvm", 0);
	bool ok = caps != NULL;
	free(caps);
	return ok;
}

static bool conn_alive(struct vb_virt *v)
{
	virConnectPtr c = conn_ref(v);
	bool alive = virConnectIsAlive(c) == 1;
	virConnectClose(c);
	return alive;
}

/* Why a guest was lost with the connection: libvirtd here, or the link to
 * a remote host (or libvirtd there). */
static const char *lost_text(void)
{
	static _Thread_local char text[512]; /* a guest's thread each */
	if (vb_hv_is_this_host())
		return "the connection to libvirtd was lost (libvirtd stopped or crashed)";
	snprintf(text, sizeof(text), "the connection to libvirtd on %s was lost (the host became unreachable, or libvirtd "
	         "stopped there)", vb_hv_where());
	return text;
}

/* Replace a dead connection (libvirtd restarted) with a new one, once:
 * a thread that finds it alive again (another one replaced it) keeps it,
 * for closing it would end that thread's guests (AUTODESTROY). */
static bool reconnect(struct vb_virt *v)
{
	pthread_mutex_lock(&v->lock);
	bool ok = virConnectIsAlive(v->conn) == 1;
	if (!ok) {
		virConnectPtr conn = virConnectOpen(v->uri);
		if (conn) {
			virConnectSetKeepAlive(conn, 5, 3);
			virConnectClose(v->conn);
			v->conn = conn;
			ok = true;
		}
	}
	pthread_mutex_unlock(&v->lock);
	return ok;
}

#define LIBVIRTD_LOST lost_text()
#define GUEST_STOPPED "the guest stopped (it powered off, crashed or QEMU died)"

/* Why a guest went quiet, once its state was asked (running: the answer):
 * the lost connection when it is lost, for a state query over a connection
 * libvirtd just dropped fails as if the guest were gone (and only then
 * marks the connection dead); else stopped, or if_running. */
static const char *quiet_reason(struct vb_guest *g, bool running, const char *if_running)
{
	if (!conn_alive(g->v))
		return LIBVIRTD_LOST;
	return running ? if_running : GUEST_STOPPED;
}

static void destroy_after_libvirtd_loss(struct vb_virt *v, const char *name, const char *uuid);

/* The <name> of a domain XML we wrote (no escaping needed: ours are plain). */
static char *xml_name(const char *xml)
{
	const char *a = strstr(xml, "<name>"), *b = a ? strstr(a, "</name>") : NULL;
	if (!a || !b)
		return NULL;
	a += strlen("<name>");
	char *r = vb_calloc((size_t)(b - a) + 1, 1);
	memcpy(r, a, (size_t)(b - a));
	return r;
}

double vb_virt_try_domain(struct vb_virt *v, const char *xml, char **why)
{
	reconnect(v); /* when dead */
	virConnectPtr c = conn_ref(v);
	double t0 = vb_now();
	/* the XML travels in the call: no file that only this host has */
	virDomainPtr dom = virDomainCreateXML(c, xml, VIR_DOMAIN_START_PAUSED | VIR_DOMAIN_START_AUTODESTROY);
	double s = vb_now() - t0;
	if (!dom)
		*why = vb_strdup(last_error()); /* before any other call resets it */
	virConnectClose(c); /* the domain holds its own reference */
	if (!dom)
		return -1;
	virDomainDestroy(dom);
	virDomainFree(dom);
	return s;
}

struct vb_guest *vb_guest_start(struct vb_virt *v, const char *xml, const char *channel, char **why)
{
	struct vb_guest *g = vb_calloc(1, sizeof(*g));

	g->v = v;
	reconnect(v); /* when libvirtd restarted since the last guest */
	virConnectPtr c = conn_ref(v);
	g->dom = virDomainCreateXML(c, xml, VIR_DOMAIN_START_AUTODESTROY);
	/* libvirt's error before any other call (the close, conn_alive())
	 * resets it */
	char *failed = g->dom ? NULL : vb_strdup(last_error());
	virConnectClose(c); /* the domain holds its own reference */
	if (!g->dom) {
		if (!conn_alive(v)) {
			/* libvirtd died while starting it: QEMU may run all the same */
			char *name = xml_name(xml);
			*why = vb_strdup(LIBVIRTD_LOST);
			if (name)
				destroy_after_libvirtd_loss(v, name, NULL);
			free(name);
		} else {
			*why = vb_asprintf("libvirt could not start the guest: %s", failed);
		}
		free(failed);
		free(g);
		return NULL;
	}
	g->name = vb_strdup(virDomainGetName(g->dom));
	g->st = virStreamNew(virDomainGetConnect(g->dom), VIR_STREAM_NONBLOCK);
	if (!g->st || virDomainOpenChannel(g->dom, channel, g->st, VIR_DOMAIN_CHANNEL_FORCE) < 0) {
		/* libvirt's error first: conn_alive() resets it */
		char *err = vb_strdup(last_error());
		*why = !conn_alive(v) ? vb_strdup(LIBVIRTD_LOST)
		                      : vb_asprintf("cannot open the agent channel '%s' of guest '%s': %s", channel, g->name, err);
		free(err);
		vb_guest_free(g);
		return NULL;
	}
	return g;
}

pid_t vb_guest_pid(struct vb_guest *g)
{
	/* libvirt's QEMU driver keeps the pid here for the /system instance,
	 * read on the hypervisor (this host or over ssh); the session
	 * instance has none */
	if (!g->name || !vb_hv_system())
		return 0;
	char *p = vb_asprintf("/run/libvirt/qemu/%s.pid", g->name), *text = vb_hv_read_file(p, 64, NULL);
	long pid = text ? atol(text) : 0;
	free(p);
	free(text);
	return pid > 0 ? (pid_t)pid : 0;
}

bool vb_guest_running(struct vb_guest *g)
{
	int state = 0, reason = 0;
	if (!g || !g->dom)
		return false;
	if (virDomainGetState(g->dom, &state, &reason, 0) < 0)
		return false; /* a transient domain that stopped is gone */
	return state == VIR_DOMAIN_RUNNING || state == VIR_DOMAIN_PAUSED || state == VIR_DOMAIN_BLOCKED;
}


int vb_guest_recv_line(struct vb_guest *g, char **line, size_t max, double deadline, char **why)
{
	double next_check = 0;
	*line = NULL;
	for (;;) {
		char *nl = g->in.len ? memchr(g->in.s, '\n', g->in.len) : NULL;
		if (nl) {
			size_t n = (size_t)(nl - g->in.s);
			*line = vb_calloc(n + 1, 1);
			memcpy(*line, g->in.s, n);
			memmove(g->in.s, nl + 1, g->in.len - n - 1);
			g->in.len -= n + 1;
			g->in.s[g->in.len] = '\0';
			return 1;
		}
		if (g->in.len > max) {
			*why = vb_asprintf("the guest agent sent a line longer than %zu bytes", max);
			return -1;
		}
		if (vb_interrupted) {
			*why = vb_strdup("interrupted by a signal");
			return -1;
		}
		if (g->stream_done) {
			/* The channel closes when QEMU goes away, too, a moment before
			 * libvirt notices: give it that moment, then say which. */
			bool running = true;
			for (int i = 0; i < 20 && conn_alive(g->v) && (running = vb_guest_running(g)); i++)
				usleep(100000);
			*why = vb_strdup(quiet_reason(g, running, "the guest closed the agent channel"));
			return -1;
		}
		char chunk[65536];
		if (!g->st) {
			*why = vb_strdup("the agent channel is closed");
			return -1;
		}
		int n = virStreamRecv(g->st, chunk, sizeof(chunk));
		if (n > 0) {
			vb_buf_add(&g->in, chunk, (size_t)n);
			continue;
		}
		if (n == 0) {
			g->stream_done = true;
			continue;
		}
		if (n != -2) {
			char *err = vb_strdup(last_error());
			char *failed = vb_asprintf("the agent channel failed: %s", err);
			*why = vb_strdup(quiet_reason(g, vb_guest_running(g), failed));
			free(failed);
			free(err);
			return -1;
		}
		double now = vb_now();
		if (now >= deadline)
			return 0;
		if (now >= next_check) {
			/* A guest that died or powered off says nothing more. */
			if (!vb_guest_running(g)) {
				*why = vb_strdup(quiet_reason(g, false, NULL));
				return -1;
			}
			/* nor does one whose storage server is gone: its disk
			 * stalls until fio's own deadline (minutes) */
			if (g->watch > 0 && !vb_daemon_alive(g->watch)) {
				*why = vb_asprintf("the storage server %s exited while the guest used it", g->watch_name);
				return -1;
			}
			next_check = now + 0.5;
		}
		vb_waiting();
		usleep(10000);
	}
}

int vb_guest_send_line(struct vb_guest *g, const char *line, char **why)
{
	return vb_guest_send_line_by(g, line, vb_now() + 30, why);
}

int vb_guest_send_line_by(struct vb_guest *g, const char *line, double deadline, char **why)
{
	size_t len = strlen(line);
	char *msg;
	size_t off = 0;

	if (!g->st) {
		*why = vb_strdup("the agent channel is closed");
		return -1;
	}
	msg = vb_calloc(len + 2, 1);

	memcpy(msg, line, len);
	msg[len++] = '\n';
	while (off < len) {
		int n = virStreamSend(g->st, msg + off, len - off);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n == -2 && vb_now() < deadline && !vb_interrupted) {
			usleep(10000);
			continue;
		}
		free(msg);
		*why = vb_asprintf("cannot send to the agent of guest '%s': %s", g->name,
		                   n == -2 ? "the channel stayed full until the deadline" : last_error());
		return -1;
	}
	free(msg);
	return 0;
}

char *vb_guest_live_xml(struct vb_guest *g)
{
	char *xml = g->dom ? virDomainGetXMLDesc(g->dom, 0) : NULL;
	char *r = vb_strdup(xml);
	free(xml);
	return r;
}

unsigned long long vb_guest_cpu_ns(struct vb_guest *g)
{
	virDomainInfo info;
	if (!g->dom || virDomainGetInfo(g->dom, &info) < 0)
		return 0;
	return info.cpuTime;
}

/* A transient domain is removed from libvirt's list a moment after it
 * stops; until then its name is taken and the next guest of the same name
 * would be refused ("already exists").  vb_guest_free, which every guest
 * goes through, waits for that. */
static bool domain_gone(struct vb_guest *g)
{
	int state = 0, reason = 0;
	/* any failure (no such domain, or libvirtd gone) leaves nothing to wait for */
	return virDomainGetState(g->dom, &state, &reason, 0) < 0;
}

static void wait_gone(struct vb_guest *g, double deadline)
{
	while (!domain_gone(g) && vb_now() < deadline)
		usleep(20000);
}

void vb_guest_close_channel(struct vb_guest *g)
{
	if (g && g->st) {
		virStreamAbort(g->st);
		virStreamFree(g->st);
		g->st = NULL;
	}
}

int vb_guest_stop(struct vb_guest *g, double deadline)
{
	if (!g || !g->dom)
		return 0;
	while (vb_now() < deadline && !vb_interrupted && vb_guest_running(g))
		usleep(50000);
	if (vb_guest_running(g)) {
		virDomainDestroy(g->dom);
		return -1;
	}
	return 0;
}

/* Destroy a guest that outlived libvirtd, through the new libvirtd: it
 * may refuse at first (it is still reconnecting to the guest's QEMU and
 * holds the domain's job: "cannot acquire state change lock"), so try
 * again until the guest is gone or RETRY_S pass.  A QEMU left running
 * holds the store's write lock, and the next mode could not start. */
#define VB_DESTROY_RETRY_S 30
static bool destroy_gone(struct vb_virt *v, const char *name, const char *uuid)
{
	double deadline = vb_now() + VB_DESTROY_RETRY_S;
	for (;;) {
		virConnectPtr c = conn_ref(v);
		virDomainPtr dom = uuid && uuid[0] ? virDomainLookupByUUIDString(c, uuid) : virDomainLookupByName(c, name);
		virConnectClose(c);
		if (!dom)
			return true; /* a transient domain that stopped is gone */
		int state = 0, reason = 0;
		bool off = virDomainDestroy(dom) == 0 ||
		           (virDomainGetState(dom, &state, &reason, 0) == 0 && state == VIR_DOMAIN_SHUTOFF);
		virDomainFree(dom);
		if (off)
			return true;
		if (vb_now() >= deadline || vb_interrupted)
			return false;
		usleep(500000);
	}
}

/* libvirtd died under a running guest of ours.  QEMU outlives it, and the
 * guest's automatic destruction went with the old connection: wait a
 * while for libvirtd to come back (an init system restarts it), then
 * destroy the guest through a new connection, which later modes use too,
 * by its UUID, or by name when we never learnt the UUID (libvirtd died
 * while starting it).  If it does not come back, say exactly what is left
 * and how to remove it. */
static void destroy_after_libvirtd_loss(struct vb_virt *v, const char *name, const char *uuid)
{
	double deadline = vb_now() + VB_LIBVIRTD_RETURN_S;
	bool back = false;
	virDomainPtr dom;

	if (!vb_hv_is_this_host()) /* its libvirtd ends a guest whose connection closed, if libvirtd still runs */
		vb_warn("the connection to %s is gone; waiting up to %d s for it to come back to make sure guest '%s' is removed",
		        vb_hv_where(), VB_LIBVIRTD_RETURN_S, name);
	else
		vb_warn("libvirtd is gone; waiting up to %d s for it to come back to remove guest '%s'", VB_LIBVIRTD_RETURN_S, name);
	while (!(back = reconnect(v)) && vb_now() < deadline && !vb_interrupted)
		usleep(500000);
	if (!back && !vb_hv_is_this_host()) {
		vb_error("guest '%s' on %s may still be running if libvirtd there did not end it with the connection; once the "
		         "host is reachable, check with 'virsh -c %s list' and remove it with 'virsh -c %s destroy %s'", name,
		         vb_hv_where(), v->uri, v->uri, name);
		return;
	}
	if (!back) {
		vb_error("guest '%s' may still be running: libvirtd at '%s' did not come back; once it does, remove it with "
		         "'virsh -c %s destroy %s'", name, v->uri, v->uri, name);
		return;
	}
	virConnectPtr c = conn_ref(v);
	dom = uuid && uuid[0] ? virDomainLookupByUUIDString(c, uuid) : virDomainLookupByName(c, name);
	virConnectClose(c);
	if (!dom) {
		vb_info("libvirtd is back; guest '%s' was already gone", name);
		return;
	}
	virDomainFree(dom);
	if (destroy_gone(v, name, uuid))
		vb_info("libvirtd is back; guest '%s' destroyed", name);
	else
		vb_error("libvirtd is back but refused to destroy guest '%s' for %d s (%s): remove it with 'virsh -c %s destroy %s'",
		         name, VB_DESTROY_RETRY_S, last_error(), v->uri, name);
}

void vb_guest_watch(struct vb_guest *g, pid_t pid, const char *name)
{
	g->watch = pid;
	free(g->watch_name);
	g->watch_name = vb_strdup(name ? name : "of the disk");
}

void vb_guest_free(struct vb_guest *g)
{
	if (!g)
		return;
	free(g->watch_name);
	if (g->st) {
		virStreamAbort(g->st);
		virStreamFree(g->st);
	}
	if (g->dom) {
		if (!conn_alive(g->v)) {
			char uuid[VIR_UUID_STRING_BUFLEN];
			if (virDomainGetUUIDString(g->dom, uuid) < 0)
				uuid[0] = '\0';
			destroy_after_libvirtd_loss(g->v, g->name, uuid);
		} else {
			if (vb_guest_running(g))
				virDomainDestroy(g->dom);
			wait_gone(g, vb_now() + 10);
		}
		virDomainFree(g->dom);
	}
	vb_buf_free(&g->in);
	free(g->name);
	free(g);
}

int vb_virt_iscsi_secret_new(struct vb_virt *v, const char *usage, const char *value, char uuid[37], char **why)
{
	struct vb_xml x = {0};
	vb_xml_open(&x, "secret", "ephemeral", "yes", "private", "yes", NULL);
	vb_xml_text(&x, "description", "vmio-bench: CHAP secret of one run's iSCSI target (removed after the run)", NULL);
	vb_xml_open(&x, "usage", "type", "iscsi", NULL);
	vb_xml_text(&x, "target", usage, NULL);
	vb_xml_close(&x);
	vb_xml_close(&x);
	char *xml = vb_xml_release(&x);
	virSecretPtr s = virSecretDefineXML(v->conn, xml, 0);
	free(xml);
	if (!s) {
		*why = vb_asprintf("libvirt refused the iSCSI secret for '%s': %s", usage, last_error());
		return -1;
	}
	int r = 0;
	if (virSecretGetUUIDString(s, uuid) < 0 ||
	    virSecretSetValue(s, (const unsigned char *)value, strlen(value), 0) < 0) {
		*why = vb_asprintf("libvirt could not set the iSCSI secret for '%s': %s", usage, last_error());
		virSecretUndefine(s);
		r = -1;
	}
	virSecretFree(s);
	return r;
}

int vb_virt_secret_remove(struct vb_virt *v, const char *uuid, char **why)
{
	virSecretPtr s = virSecretLookupByUUIDString(v->conn, uuid);
	int r = s ? virSecretUndefine(s) : -1;
	if (r < 0)
		*why = vb_asprintf("libvirt could not remove secret %s: %s (remove it with 'virsh secret-undefine %s')", uuid,
		                   last_error(), uuid);
	if (s)
		virSecretFree(s);
	return r;
}
