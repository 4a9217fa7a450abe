/* session: one guest's life as the controller sees it -- start the domain,
 * wait for the agent's hello, exchange jobs (sampling the host CPU at the
 * window edges the agent marks), say bye and see it power off.  `run` and
 * the accelerator probe both boot guests through it. */
#include "config.h"
#include "guest/session.h"
#include "host/hostres.h"
#include "host/threadcpu.h"
#include "core/results.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct vb_guest *vb_session_start(struct vb_virt *v, const char *xml, double t0, double wait_s, const char *dir,
                                  json_t **hello, char **why)
{
	struct vb_guest *g = vb_guest_start(v, xml, VB_PROTO_CHANNEL, why);
	double deadline = (t0 > 0 ? t0 : vb_now()) + wait_s;
	json_t *msg = NULL;
	const char *type;
	char *live;
	int rc;

	if (!g)
		return NULL;
	if (dir && (live = vb_guest_live_xml(g))) {
		char *p = vb_asprintf("%s/domain-live.xml", dir);
		vb_write_file_atomic(p, live, strlen(live));
		free(p);
		free(live);
	}
	rc = vb_agent_recv(g, deadline, &msg, &type, why);
	if (rc == 1 && strcmp(type, "hello") != 0) {
		*why = vb_asprintf("the guest agent sent '%s' before 'hello'", type);
		rc = -1;
	}
	if (rc <= 0) {
		/* rc 0: the deadline passed and *why is unset: the caller names it */
		json_decref(msg);
		vb_guest_free(g);
		return NULL;
	}
	if (dir) {
		char *p = vb_asprintf("%s/hello.json", dir);
		vb_results_write_json(p, msg);
		free(p);
	}
	if (hello)
		*hello = msg;
	else
		json_decref(msg);
	return g;
}

void vb_cpu_meter_init(struct vb_cpu_meter *m, struct vb_guest *g, const char *helper_name, pid_t helper_pid)
{
	memset(m, 0, sizeof(*m));
	m->g = g;
	m->qemu = vb_guest_pid(g);
	m->helper_name = helper_name;
	m->helper_pid = helper_pid;
	if (m->qemu) {
		char comm[32];
		snprintf(comm, sizeof(comm), "vhost-%ld", (long)m->qemu);
		m->nvhost = vb_proc_find_all(comm, m->vhost, VB_METER_VHOST_MAX);
	}
}


void vb_cpu_meter_release(struct vb_cpu_meter *m)
{
	for (int e = 0; e < 2; e++)
		for (size_t i = 0; i < 2 + VB_METER_VHOST_MAX; i++)
			vb_proc_threads_release(&m->th[e][i]);
}

/* Sample at the edge just marked (edges is 1 or 2): with QEMU's pid,
 * every process's threads and total in one read where they run (slots:
 * qemu, helper, vhost...; an absent helper's stays empty); else
 * libvirt's figure for QEMU. */
static void meter_sample(struct vb_cpu_meter *m)
{
	unsigned long long *ns = m->ns[m->edges - 1];
	struct vb_proc_threads got[2 + VB_METER_VHOST_MAX];
	pid_t pids[2 + VB_METER_VHOST_MAX] = {m->qemu};
	size_t slot[2 + VB_METER_VHOST_MAX] = {0}, n = 1;
	bool tree = false;

	if (m->edges == 1) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		m->start_unix = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	}
	if (m->helper_pid > 0) {
		slot[n] = 1;
		pids[n++] = m->helper_pid;
	}
	for (size_t i = 0; i < m->nvhost; i++) {
		slot[n] = 2 + i;
		pids[n++] = m->vhost[i];
	}
	if (m->qemu) {
		m->threads = true;
		if (vb_proc_threads_many(pids, n, got) < 0)
			m->lost = true;
		for (size_t i = 0; i < n; i++) {
			ns[slot[i]] = got[i].ns;
			m->th[m->edges - 1][slot[i]] = got[i]; /* the meter owns it now */
		}
	} else if (!(ns[0] = vb_guest_cpu_ns(m->g)) ||
	           (m->helper_pid > 0 && vb_proc_cpu_many(pids + 1, &tree, 1, ns + 1) < 0)) {
		m->lost = true;
	}
	m->t[m->edges - 1] = vb_now();
	vb_hostload_edge(&m->load);
}

/* "processes" and "threads" from the threads read at both edges: each
 * process's figure is its split's total (threadcpu.h). */
static json_t *meter_threads(const struct vb_cpu_meter *m, json_t *procs)
{
	json_t *threads = json_object(), *vh = NULL;
	unsigned long long tot, vhost = 0;
	json_object_set_new(threads, "qemu", vb_thread_split(&vb_threads_qemu, &m->th[0][0], &m->th[1][0], NULL, &tot));
	json_object_set_new(procs, "qemu", json_integer((json_int_t)tot));
	if (m->helper_pid > 0) {
		json_object_set_new(threads, m->helper_name,
		                    vb_thread_split(&vb_threads_helper, &m->th[0][1], &m->th[1][1], NULL, &tot));
		json_object_set_new(procs, m->helper_name, json_integer((json_int_t)tot));
	}
	for (size_t i = 0; i < m->nvhost; i++) {
		vh = vb_thread_split(&vb_threads_vhost, &m->th[0][2 + i], &m->th[1][2 + i], vh, &tot);
		vhost += tot;
	}
	if (vh) {
		json_object_set_new(threads, "vhost", vh);
		json_object_set_new(procs, "vhost", json_integer((json_int_t)vhost));
	}
	return threads;
}

/* {"window_s", "processes": {name: ns}, "threads", "source"}, or null when
 * the window was not marked in full or a process went away.  The vhost
 * workers are one process, "vhost". */
json_t *vb_cpu_meter_json(const struct vb_cpu_meter *m)
{
	if (m->lost || m->edges != 2 || m->t[1] <= m->t[0])
		return json_null();
	unsigned long long vhost = 0;
	for (size_t i = 0; i < 2 + m->nvhost; i++)
		if (m->ns[1][i] < m->ns[0][i])
			return json_null();
	for (size_t i = 0; i < m->nvhost; i++)
		vhost += m->ns[1][2 + i] - m->ns[0][2 + i];
	json_t *procs = json_pack("{s:I}", "qemu", (json_int_t)(m->ns[1][0] - m->ns[0][0]));
	if (m->helper_pid > 0)
		json_object_set_new(procs, m->helper_name, json_integer((json_int_t)(m->ns[1][1] - m->ns[0][1])));
	if (m->nvhost)
		json_object_set_new(procs, "vhost", json_integer((json_int_t)vhost));
	json_t *o = json_pack("{s:f, s:o}", "window_s", m->t[1] - m->t[0], "processes", procs);
	if (m->threads) {
		json_object_set_new(o, "start_unix", json_real(m->start_unix));
		json_object_set_new(o, "threads", meter_threads(m, procs));
	}
	json_object_set_new(o, "source", json_string(m->qemu ? "/proc" : "libvirt"));
	return o;
}


bool vb_session_reply_for(json_t *msg, const char *type, const char *id)
{
	json_t *got = json_object_get(msg, "id");
	if (!got && strcmp(type, "error") == 0)
		return true;
	return json_is_string(got) && strcmp(json_string_value(got), id) == 0;
}

/* The line for a reply to another job (its id is not repeated: the
 * guest's text, unchecked). */
static char *not_ours(const char *type, const char *id)
{
	return vb_asprintf("the guest agent sent a '%s' that is not for job '%s' (another id, or none)", type, id);
}

int vb_session_job(struct vb_guest *g, json_t *job, double deadline, struct vb_cpu_meter *meter, json_t **reply,
                   const char **type, char **why)
{
	*reply = NULL;
	if (vb_agent_send(g, job, why) < 0)
		return -1;
	return vb_session_wait(g, json_string_value(json_object_get(job, "id")), deadline, meter, reply, type, why);
}

int vb_session_hold(struct vb_guest *g, json_t *job, char **why)
{
	json_object_set_new(job, "hold", json_true());
	return vb_agent_send(g, job, why);
}

int vb_session_ready(struct vb_guest *g, json_t *job, double deadline, char **why)
{
	json_t *msg = NULL;
	const char *type;
	int rc = vb_agent_recv(g, deadline, &msg, &type, why);
	const char *id = json_string_value(json_object_get(job, "id"));
	if (rc == 1 && id && !vb_session_reply_for(msg, type, id)) {
		*why = not_ours(type, id);
		rc = -1;
	} else if (rc == 1 && strcmp(type, "ready") != 0) {
		json_t *em = json_object_get(msg, "message");
		*why = strcmp(type, "error") == 0 && json_is_string(em)
		               ? vb_asprintf("the guest agent reported: %s", json_string_value(em))
		               : vb_asprintf("the guest agent sent '%s' where 'ready' was due", type);
		rc = -1;
	}
	json_decref(msg);
	return rc;
}

int vb_session_go(struct vb_guest *g, char **why)
{
	json_t *go = vb_agent_msg_new("go");
	int rc = vb_agent_send(g, go, why);
	json_decref(go);
	return rc;
}

int vb_session_wait(struct vb_guest *g, const char *id, double deadline, struct vb_cpu_meter *meter, json_t **reply,
                    const char **type, char **why)
{
	json_t *msg = NULL;
	int rc;

	*reply = NULL;
	for (;;) {
		rc = vb_agent_recv(g, deadline, &msg, type, why);
		if (rc <= 0)
			return rc;
		if (id && !vb_session_reply_for(msg, *type, id)) {
			*why = not_ours(*type, id);
			json_decref(msg);
			return -1;
		}
		if (strcmp(*type, "window") != 0)
			break;
		const char *edge = json_string_value(json_object_get(msg, "edge"));
		if (meter->edges >= 2 || !edge || strcmp(edge, meter->edges == 0 ? "start" : "end") != 0) {
			*why = vb_strdup("the guest agent sent a window edge out of order");
			json_decref(msg);
			return -1;
		}
		meter->edges++;
		meter_sample(meter);
		json_decref(msg);
	}
	*reply = msg;
	return 1;
}

int vb_session_end(struct vb_guest *g, double deadline, const char **how)
{
	json_t *bye = vb_agent_msg_new("bye"), *msg = NULL;
	char *ignored = NULL; /* a guest that cannot take bye is stopped all the same */
	const char *type;
	/* one deadline for the answer, fixed now: a guest that keeps talking
	 * (every message would restart a per-message wait) cannot hold it */
	double bye_by = vb_now() + VB_BYE_WAIT_S;
	bool answered = false;

	if (bye_by > deadline)
		bye_by = deadline;
	/* sending bye counts against the same deadline: a guest that does not
	 * read its channel cannot hold teardown either */
	if (vb_agent_send_by(g, bye, bye_by, &ignored) == 0) {
		/* the agent answers bye, then powers the guest off: close the
		 * channel in between (libvirt 9.0's libvirtd deadlocked here once,
		 * tearing down a domain whose channel we still held open) */
		while (!answered && vb_agent_recv(g, bye_by, &msg, &type, &ignored) == 1) {
			answered = strcmp(type, "bye") == 0;
			json_decref(msg);
			msg = NULL;
		}
	}
	vb_guest_close_channel(g);
	free(ignored);
	json_decref(bye);
	/* without its answer the agent will not power the guest off: no
	 * point waiting for it */
	int r = vb_guest_stop(g, answered ? deadline : 0);
	if (how)
		*how = r == 0 ? "powered off"
		       : answered ? "destroyed at the deadline: the guest did not power off in time"
		                  : "destroyed at the deadline: the agent did not answer bye in time";
	vb_guest_free(g);
	return r;
}
