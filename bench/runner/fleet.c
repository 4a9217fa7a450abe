#include "config.h"
#include "runner/fleet.h"
#include "summary/runrec.h"
#include "runner/engine.h"
#include "host/hv.h"
#include "core/options.h"
#include "render/report.h"
#include "core/results.h"
#include "core/util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct fleet_host {
	char *uri, *label;
	pid_t pid;
	int exit;      /* the host process's exit status; -1: killed */
};

struct fleet {
	struct fleet_host *hosts;
	size_t n;
	char *dir, *id;
	json_t *run;   /* the fleet's run.json */
};

/* The fleet's run.json at dir, or NULL when dir is not a fleet's run. */
static json_t *fleet_json(const char *dir)
{
	char *p = vb_asprintf("%s/run.json", dir);
	json_t *j = vb_json_load_regular(p, 64u << 20, JSON_REJECT_DUPLICATES, NULL);
	free(p);
	if (vb_runrec_is_fleet(j))
		return j;
	json_decref(j);
	return NULL;
}

bool vb_fleet_is(const struct vb_config *c)
{
	if (c->connects.n > 1)
		return true;
	json_t *j = c->resume ? fleet_json(c->resume) : NULL;
	json_decref(j);
	return j != NULL;
}

/* A host's label: the URI's host as a name part, or "local". */
static char *label_of(const char *uri, char **why)
{
	struct vb_hv_uri u;
	if (vb_hv_uri_parse(uri, &u, why) < 0)
		return NULL;
	char *l = vb_strdup(*u.label ? u.label : "local");
	vb_hv_uri_release(&u);
	return l;
}

static int add_host(struct fleet *f, const char *uri)
{
	char *why = NULL, *label = label_of(uri, &why);
	if (!label) {
		vb_error("%s", why);
		free(why);
		return -1;
	}
	if (f->n == VB_FLEET_MAX_HOSTS) {
		free(label);
		return vb_error("--connect: more than %d hosts in one fleet: split them over several runs", VB_FLEET_MAX_HOSTS);
	}
	for (size_t i = 0; i < f->n; i++) {
		if (strcmp(f->hosts[i].label, label) == 0) {
			vb_error("--connect: '%s' and '%s' name the same host (%s): give each host once, under a name of its own",
			         f->hosts[i].uri, uri, label);
			free(label);
			return -1;
		}
	}
	f->hosts = realloc(f->hosts, (f->n + 1) * sizeof(*f->hosts));
	if (!f->hosts)
		abort();
	f->hosts[f->n++] = (struct fleet_host){.uri = vb_strdup(uri), .label = label};
	return 0;
}

/* The hosts: from --connect (a new fleet) or from the fleet's run.json
 * (--resume). */
static int fleet_hosts(struct fleet *f, const struct vb_config *c)
{
	if (c->resume) {
		json_t *h;
		size_t i;
		json_array_foreach(vb_runrec_fleet_hosts(f->run), i, h) {
			const char *uri = vb_runrec_fleet_host_connect(h);
			if (!uri || add_host(f, uri) < 0)
				return vb_error("--resume: '%s/run.json' names a host badly: the file is damaged", c->resume);
		}
		return f->n ? 0 : vb_error("--resume: '%s/run.json' names no host: the file is damaged", c->resume);
	}
	int rc = 0;
	for (size_t i = 0; i < c->connects.n && rc == 0; i++)
		rc = add_host(f, c->connects.v[i]);
	return rc;
}

static json_t *hosts_json(const struct fleet *f)
{
	json_t *a = json_array();
	for (size_t i = 0; i < f->n; i++)
		json_array_append_new(a, vb_runrec_fleet_host_new(f->hosts[i].label, f->hosts[i].uri, f->hosts[i].label));
	return a;
}

/* A new fleet's folder and run.json; or the resumed one's. */
static int fleet_open(struct fleet *f, const struct vb_config *c)
{
	if (c->resume) {
		char real[PATH_MAX];
		const char *state = vb_runrec_state(f->run);
		const char *id = vb_runrec_id(f->run);
		if (!id || !vb_valid_id(id))
			return vb_error("--resume: '%s/run.json' has no valid id: the file is damaged", c->resume);
		if (state && strcmp(state, "complete") == 0)
			return vb_error("--resume: run '%s' is complete: there is nothing to resume", c->resume);
		f->id = vb_strdup(id);
		f->dir = vb_strdup(realpath(c->resume, real) ? real : c->resume);
		vb_runrec_set_state(f->run, "incomplete");
		return 0;
	}
	if (vb_results_check_root(c->results) < 0 || vb_results_create_run_dir(c->results, &f->id, &f->dir) < 0)
		return -1;
	f->run = vb_runrec_fleet_new(f->id, hosts_json(f), vb_options_to_json(c, VB_CMD_RUN));
	return 0;
}

static int fleet_save(const struct fleet *f)
{
	char *p = vb_asprintf("%s/run.json", f->dir);
	int rc = vb_results_write_json(p, f->run);
	free(p);
	return rc;
}

/* A host's part, in this (forked) process: its own folder, its own
 * hypervisor, its messages marked with its name. */
static int host_part(struct vb_config *c, const struct fleet *f, const struct fleet_host *h)
{
	char *sub = vb_asprintf("%s/%s", f->dir, h->label), *runjson = vb_asprintf("%s/run.json", sub);
	json_t *prev = vb_json_load_regular(runjson, 64u << 20, 0, NULL);
	const char *state = vb_runrec_state(prev);
	int rc;

	vb_msg_host = h->label;
	vb_option_set_quiet(c, vb_option_find("connect", VB_CMD_RUN), h->uri, NULL); /* this host's alone */
	free(c->resume);
	c->resume = NULL;
	if (state && strcmp(state, "complete") == 0) {
		vb_info("finished before, kept as it is");
		rc = VB_EXIT_OK;
	} else if (vb_subdir(f->dir, h->label) < 0) { /* a resumed fleet's folder is input: no link */
		rc = VB_EXIT_USAGE;
	} else if (vb_hv_use(h->uri) < 0) {
		rc = VB_EXIT_USAGE;
	} else if (prev) { /* it began: continue it */
		c->resume = vb_strdup(sub);
		rc = vb_engine_host(c, sub, f->id);
	} else {
		rc = vb_engine_host(c, sub, f->id);
	}
	json_decref(prev);
	free(runjson);
	free(sub);
	return rc;
}

static void fleet_wait(struct fleet *f)
{
	for (size_t i = 0; i < f->n; i++) {
		int st = 0;
		pid_t r;
		if (f->hosts[i].pid <= 0)
			continue;
		while ((r = waitpid(f->hosts[i].pid, &st, 0)) < 0 && errno == EINTR)
			;
		f->hosts[i].exit = r == f->hosts[i].pid && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	}
}

/* How each host ended, from its own run.json; true if every host finished. */
static bool fleet_record(struct fleet *f)
{
	json_t *hosts = vb_runrec_fleet_hosts(f->run);
	bool all = true;
	for (size_t i = 0; i < f->n; i++) {
		char *p = vb_asprintf("%s/%s/run.json", f->dir, f->hosts[i].label);
		json_t *hr = vb_json_load_regular(p, 64u << 20, 0, NULL), *h = json_array_get(hosts, i);
		const char *state = vb_runrec_state(hr);
		bool done = state && strcmp(state, "complete") == 0;
		free(p);
		const char *why = f->hosts[i].exit == VB_EXIT_USAGE
		                  ? "refused before it began (see the log)"
		                  : "its part did not finish (see the log; continue it with run --resume)";
		vb_runrec_fleet_host_end(h, state ? state : "not started", f->hosts[i].exit,
		                         f->hosts[i].exit != 0 && !done ? why : NULL);
		all = all && done;
		json_decref(hr);
	}
	vb_runrec_close(f->run, all ? "complete" : "incomplete");
	return all;
}

static void fleet_release(struct fleet *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->hosts[i].uri);
		free(f->hosts[i].label);
	}
	free(f->hosts);
	free(f->dir);
	free(f->id);
	json_decref(f->run);
}

int vb_fleet_run(struct vb_config *c)
{
	struct fleet f = {0};
	int ret = VB_EXIT_USAGE;

	if (c->resume && !(f.run = fleet_json(c->resume))) {
		vb_error("--resume: '%s' is not a fleet's run folder", c->resume);
		goto out;
	}
	if (fleet_hosts(&f, c) < 0 || fleet_open(&f, c) < 0)
		goto out;
	ret = VB_EXIT_FAIL;
	if (fleet_save(&f) < 0)
		goto out;
	vb_install_signal_handlers();
	vb_info("fleet of %zu hosts, each in its own folder of %s", f.n, f.dir);
	fflush(NULL);
	for (size_t i = 0; i < f.n; i++) {
		f.hosts[i].pid = fork();
		if (f.hosts[i].pid == 0)
			exit(host_part(c, &f, &f.hosts[i]));
		if (f.hosts[i].pid < 0)
			vb_error("cannot start the part of host %s: %s", f.hosts[i].label, strerror(errno));
	}
	fleet_wait(&f);
	bool all = fleet_record(&f), failed = !all;
	for (size_t i = 0; i < f.n; i++)
		failed = failed || f.hosts[i].exit != 0;
	if (fleet_save(&f) < 0)
		failed = true;
	if (!c->resume)
		vb_results_link_latest(c->results, f.id);
	if (vb_report_run(f.dir, c->json ? NULL : stdout) < 0 || (c->json && vb_report_print_json(f.dir, stdout) < 0))
		failed = true;
	if (!all)
		vb_error("not every host finished: the finished repetitions are kept in %s; continue with 'vmio-bench run --resume %s'",
		         f.dir, f.dir);
	ret = failed ? VB_EXIT_FAIL : VB_EXIT_OK;
out:
	fleet_release(&f);
	return ret;
}
