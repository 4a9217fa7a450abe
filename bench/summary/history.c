#include "config.h"
#include "history.h"
#include "results.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What must be equal for two runs to measure the same thing: the job, the
 * tuning, the accelerator and the versions of what sits in the I/O path. */
static const struct {
	const char *what, *obj, *key;
} same[] = {
	{"accelerator", "accelerator", "name"},
	{"QEMU version", "versions", "qemu"},
	{"fio version", "versions", "fio"},
	{"guest kernel", "versions", "guest_kernel"},
	{"--cache", "config", "cache"},
	{"--io", "config", "io"},
	{"--backend", "config", "backend"},
	{"--format", "config", "format"},
	{"--iothreads", "config", "iothreads"},
	{"--queues", "config", "queues"},
	{"--vcpus", "config", "vcpus"},
	{"--memory", "config", "memory_mib"},
	{"--size", "config", "size"},
	{"--ramp", "config", "ramp"},
	{"--lun-device", "config", "lun_device"},
	{"--pci-device", "config", "pci_device"},
	{"per-mode tuning (-c FILE's [mode] sections)", "config_file", "modes"},
};

static json_t *job_of(const struct vb_summary *s)
{
	return json_object_get(json_object_get(s->run, "job"), "points");
}

static char *show(json_t *v)
{
	char *s = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
	char *r = s ? vb_text_clean(s) : vb_strdup("(none)");
	if (strlen(r) > 80)
		strcpy(r + 77, "...");
	return r;
}

int vb_runs_differ(const struct vb_summary *a, const struct vb_summary *b, bool report, const char *who)
{
	int n = 0;
	if (!json_equal(job_of(a), job_of(b))) {
		if (report)
			vb_error("%s: the runs ran different jobs: '%s' in %s, '%s' in %s", who, a->job, a->id, b->job, b->id);
		n++;
	}
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		json_t *x = json_object_get(json_object_get(a->run, same[i].obj), same[i].key);
		json_t *y = json_object_get(json_object_get(b->run, same[i].obj), same[i].key);
		if (json_is_object(x) && !json_object_size(x))
			x = NULL; /* no per-mode tuning is the same as none recorded */
		if (json_is_object(y) && !json_object_size(y))
			y = NULL;
		if ((x || y) && !(x && y && json_equal(x, y))) {
			if (report) {
				char *sx = show(x), *sy = show(y);
				vb_error("%s: %s differs: %s in %s, %s in %s", who, same[i].what, sx, a->id, sy, b->id);
				free(sx);
				free(sy);
			}
			n++;
		}
	}
	return n;
}

static bool is_run(const char *dir)
{
	char *p = vb_asprintf("%s/run.json", dir);
	bool r = access(p, F_OK) == 0;
	free(p);
	return r;
}

static int by_started(const void *a, const void *b)
{
	const struct vb_summary *x = a, *y = b;
	int c = strcmp(x->started ? x->started : "", y->started ? y->started : "");
	return c ? c : strcmp(x->id, y->id);
}

static const char *rerun_of(const struct vb_summary *s)
{
	return json_string_value(json_object_get(json_object_get(s->run, "config"), "rerun_of"));
}

/* Load the run folders dirs[0..n) (unreadable ones reported, counted and
 * left out) and group them into nights. */
int vb_history_from(char *const *dirs, size_t ndirs, const char *where, struct vb_history *h)
{
	struct vb_summary *all = vb_calloc(ndirs ? ndirs : 1, sizeof(*all));
	size_t n = 0;

	memset(h, 0, sizeof(*h));
	for (size_t i = 0; i < ndirs; i++) {
		if (vb_summary_load(dirs[i], &all[n]) == 0) {
			n++;
		} else {
			vb_warn("leaving out '%s': it cannot be read (see above)", dirs[i]);
			vb_summary_release(&all[n]);
			memset(&all[n], 0, sizeof(all[n]));
			h->skipped++;
		}
	}
	qsort(all, n, sizeof(*all), by_started);
	h->nights = vb_calloc(n ? n : 1, sizeof(*h->nights));
	/* runs first, then each rerun joins the night of the run it reran */
	for (size_t i = 0; i < n; i++) {
		if (rerun_of(&all[i]))
			continue;
		struct vb_night *nt = &h->nights[h->n++];
		nt->run = all[i];
		nt->accepted_by = vb_accept_read(all[i].run_dir);
		all[i].run = NULL; /* moved */
	}
	for (size_t i = 0; i < n; i++) {
		if (!all[i].run)
			continue;
		struct vb_night *nt = NULL;
		for (size_t k = 0; k < h->n && !nt; k++)
			if (!strcmp(h->nights[k].run.id, rerun_of(&all[i])))
				nt = &h->nights[k];
		if (!nt) {
			vb_warn("leaving out '%s': it reran run '%s', which is not in %s", all[i].run_dir, rerun_of(&all[i]), where);
			vb_summary_release(&all[i]);
			h->skipped++;
			continue;
		}
		nt->reruns = realloc(nt->reruns, (nt->nreruns + 1) * sizeof(*nt->reruns));
		if (!nt->reruns)
			abort();
		nt->reruns[nt->nreruns++] = all[i];
	}
	free(all);
	return 0;
}

int vb_history_load(const char *root, struct vb_history *h)
{
	char **dirs = NULL;
	size_t n = 0, cap = 0;
	DIR *d = opendir(root);
	struct dirent *e;

	memset(h, 0, sizeof(*h));
	if (!d)
		return vb_error("cannot open the results root '%s': %s", root, strerror(errno));
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "latest") || !strcmp(e->d_name, "trend"))
			continue;
		char *p = vb_asprintf("%s/%s", root, e->d_name);
		if (!is_run(p)) {
			free(p);
			continue;
		}
		if (n == cap && !(dirs = realloc(dirs, (cap = cap ? 2 * cap : 16) * sizeof(*dirs))))
			abort();
		dirs[n++] = p;
	}
	closedir(d);
	char *where = vb_asprintf("'%s'", root);
	int r = vb_history_from(dirs, n, where, h);
	free(where);
	for (size_t i = 0; i < n; i++)
		free(dirs[i]);
	free(dirs);
	return r;
}

void vb_history_release(struct vb_history *h)
{
	for (size_t i = 0; i < h->n; i++) {
		vb_summary_release(&h->nights[i].run);
		for (size_t k = 0; k < h->nights[i].nreruns; k++)
			vb_summary_release(&h->nights[i].reruns[k]);
		free(h->nights[i].reruns);
		free(h->nights[i].accepted_by);
	}
	free(h->nights);
	memset(h, 0, sizeof(*h));
}

struct vb_night *vb_history_find(struct vb_history *h, const char *run)
{
	char want[PATH_MAX], got[PATH_MAX];
	bool path = realpath(run, want) != NULL;
	for (size_t i = 0; i < h->n; i++) {
		if (!strcmp(h->nights[i].run.id, run))
			return &h->nights[i];
		if (path && realpath(h->nights[i].run.run_dir, got) && !strcmp(want, got))
			return &h->nights[i];
	}
	return NULL;
}

static const char *status_in(const struct vb_summary *s, const char *mode)
{
	for (size_t i = 0; i < s->nmodes; i++)
		if (!strcmp(s->modes[i].mode, mode))
			return s->modes[i].status;
	return NULL;
}

const char *vb_night_mode_status(const struct vb_night *n, const char *mode)
{
	const char *st = status_in(&n->run, mode);
	for (size_t k = 0; k < n->nreruns && !(st && !strcmp(st, "ok")); k++) {
		const char *r = status_in(&n->reruns[k], mode);
		if (r)
			st = r;
	}
	return st;
}

static void take(const struct vb_summary *s, const char *mode, const char *point, const char *dir, int metric, double **v,
                 size_t *len, size_t *cap)
{
	const char *st = status_in(s, mode);
	const struct vb_row *r = vb_summary_find(s, mode, point, dir);
	if (!r || !st || strcmp(st, "ok") != 0)
		return;
	for (size_t i = 0; i < r->n; i++) {
		if (!(r->val[metric][i] > 0))
			continue;
		if (*len == *cap) {
			*cap = *cap ? 2 * *cap : 16;
			if (!(*v = realloc(*v, *cap * sizeof(double))))
				abort();
		}
		(*v)[(*len)++] = r->val[metric][i];
	}
}

void vb_night_values(const struct vb_night *n, const char *mode, const char *point, const char *dir, int metric,
                     double **v, size_t *len, size_t *cap)
{
	take(&n->run, mode, point, dir, metric, v, len, cap);
	for (size_t k = 0; k < n->nreruns; k++)
		take(&n->reruns[k], mode, point, dir, metric, v, len, cap);
}

int vb_accept_write(const char *run_dir, const char *by, const char *verdict)
{
	char *at = vb_utc_timestamp(), *p = vb_asprintf("%s/accepted.json", run_dir);
	json_t *o = json_pack("{s:b, s:s, s:s, s:s}", "accepted", 1, "by", by, "at", at, "verdict", verdict);
	char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	int r = vb_write_file_atomic(p, text, strlen(text));
	if (r < 0)
		vb_error("cannot write '%s': %s", p, strerror(errno));
	free(text);
	json_decref(o);
	free(p);
	free(at);
	return r;
}

char *vb_accept_read(const char *run_dir)
{
	char *p = vb_asprintf("%s/accepted.json", run_dir);
	json_t *o = json_load_file(p, 0, NULL);
	const char *by = json_string_value(json_object_get(o, "by"));
	char *r = json_is_true(json_object_get(o, "accepted")) && by && (!strcmp(by, "gate") || !strcmp(by, "hand"))
	              ? vb_strdup(by)
	              : NULL;
	json_decref(o);
	free(p);
	return r;
}
