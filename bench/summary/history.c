#include "config.h"
#include "summary/history.h"
#include "summary/runrec.h"
#include "core/results.h"
#include "core/util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What run.json's fields are to a comparison of runs.  What is under test
 * (the versions of what sits in the I/O path) may differ: such runs pool,
 * and the change is named.  What defines the measurement (the job, the
 * tuning, the accelerator, the machine) must be equal, or the figures are
 * of something else.  optional: recorded only since results schema 2; a
 * run from before says nothing about it, which is not a difference. */
enum kind { UNDER_TEST, MEASUREMENT };
static const struct field {
	const char *what;
	enum vb_runrec_field f;
	const char *option; /* VB_RRF_CONFIG: the option as run.json's config names it */
	enum kind kind;
} fields[] = {
	{"QEMU", VB_RRF_QEMU, NULL, UNDER_TEST},
	{"libvirt", VB_RRF_LIBVIRT, NULL, UNDER_TEST},
	{"host kernel", VB_RRF_HOST_KERNEL, NULL, UNDER_TEST},
	{"guest kernel", VB_RRF_GUEST_KERNEL, NULL, UNDER_TEST},
	{"fio", VB_RRF_FIO, NULL, UNDER_TEST},
	{"accelerator", VB_RRF_ACCEL, NULL, MEASUREMENT},
	{"host name", VB_RRF_HOSTNAME, NULL, MEASUREMENT},
	{"CPU model", VB_RRF_CPU, NULL, MEASUREMENT},
	{"--cache", VB_RRF_CONFIG, "cache", MEASUREMENT},
	{"--io", VB_RRF_CONFIG, "io", MEASUREMENT},
	{"--iothreads", VB_RRF_CONFIG, "iothreads", MEASUREMENT},
	{"--queues", VB_RRF_CONFIG, "queues", MEASUREMENT},
	{"--vcpus", VB_RRF_CONFIG, "vcpus", MEASUREMENT},
	{"--memory", VB_RRF_CONFIG, "memory_mib", MEASUREMENT},
	{"--size", VB_RRF_CONFIG, "size", MEASUREMENT},
	{"--ramp", VB_RRF_CONFIG, "ramp", MEASUREMENT},
	{"--lun-device", VB_RRF_CONFIG, "lun_device", MEASUREMENT},
	{"--pci-device", VB_RRF_CONFIG, "pci_device", MEASUREMENT},
	{"--iotune", VB_RRF_CONFIG, "iotune", MEASUREMENT},
	{"--neighbour-iotune", VB_RRF_CONFIG, "neighbour_iotune", MEASUREMENT},
	{"per-mode tuning (-c FILE's [mode] sections)", VB_RRF_TUNING, NULL, MEASUREMENT},
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static json_t *job_of(const struct vb_summary *s)
{
	return vb_runrec_job_points(s->run);
}

static char *show(json_t *v)
{
	char *s = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
	char *r = s ? vb_text_clean(s) : vb_strdup("(none)");
	if (strlen(r) > 80)
		strcpy(r + 77, "...");
	return r;
}

static json_t *field_of(const struct vb_summary *s, const struct field *f)
{
	return vb_runrec_field(s->run, f->f, f->option);
}

int vb_runs_differ(const struct vb_summary *a, const struct vb_summary *b, bool report, const char *who)
{
	int n = 0;
	if (!json_equal(job_of(a), job_of(b))) {
		if (report)
			vb_error("%s: the runs ran different jobs: '%s' in %s, '%s' in %s", who, a->job, a->id, b->job, b->id);
		n++;
	}
	/* the storage model, however the run spelled it (--storage, or the
	 * older --backend and --format) */
	const char *sa = vb_runrec_storage(a->run), *sb = vb_runrec_storage(b->run);
	if (strcmp(sa, sb) != 0) {
		if (report) {
			char *ca = vb_text_clean(vb_strdup(sa)), *cb = vb_text_clean(vb_strdup(sb));
			vb_error("%s: the storage model differs: %s in %s, %s in %s", who, ca, a->id, cb, b->id);
			free(ca);
			free(cb);
		}
		n++;
	}
	for (size_t i = 0; i < NFIELDS; i++) {
		const struct field *f = &fields[i];
		json_t *x = field_of(a, f), *y = field_of(b, f);
		if (f->kind != MEASUREMENT || (vb_runrec_field_optional(f->f) && (!x || !y)))
			continue;
		if (json_is_null(x))
			x = NULL; /* an option not given is the same as one a run from before it never recorded */
		if (json_is_null(y))
			y = NULL;
		if (json_is_object(x) && !json_object_size(x))
			x = NULL; /* no per-mode tuning is the same as none recorded */
		if (json_is_object(y) && !json_object_size(y))
			y = NULL;
		if ((x || y) && !(x && y && json_equal(x, y))) {
			if (report) {
				char *sx = show(x), *sy = show(y);
				vb_error("%s: %s differs: %s in %s, %s in %s", who, f->what, sx, a->id, sy, b->id);
				free(sx);
				free(sy);
			}
			n++;
		}
	}
	return n;
}

/* A version as run.json has it, or NULL when the run did not know it
 * (fio: from the repetitions' own JSON when run.json has none). */
static const char *version_of(const struct vb_summary *s, const struct field *f)
{
	const char *v = json_string_value(field_of(s, f));
	if (!v && vb_runrec_field_is_fio(f->f))
		v = s->fio_version;
	return v && *v && strcmp(v, "unknown") != 0 ? v : NULL;
}

static bool listed(json_t *a, const char *v)
{
	size_t i;
	json_t *e;
	json_array_foreach(a, i, e)
		if (!strcmp(json_string_value(e), v))
			return true;
	return false;
}

bool vb_versions_same(const struct vb_summary *a, const struct vb_summary *b)
{
	for (size_t i = 0; i < NFIELDS; i++) {
		const char *x = fields[i].kind == UNDER_TEST ? version_of(a, &fields[i]) : NULL;
		const char *y = x ? version_of(b, &fields[i]) : NULL;
		if (x && y && strcmp(x, y) != 0)
			return false;
	}
	return true;
}

json_t *vb_version_changes(const struct vb_summary *const *before, size_t n, const struct vb_summary *now)
{
	json_t *changes = json_array();
	for (size_t i = 0; i < NFIELDS; i++) {
		const struct field *f = &fields[i];
		const char *to = f->kind == UNDER_TEST ? version_of(now, f) : NULL;
		json_t *from = json_array();
		size_t runs = 0;
		for (size_t k = 0; to && k < n; k++) {
			const char *v = version_of(before[k], f);
			if (!v || !strcmp(v, to))
				continue; /* the same, or not known then */
			runs++;
			if (!listed(from, v))
				json_array_append_new(from, json_string(v));
		}
		if (runs)
			json_array_append_new(changes, json_pack("{s:s, s:s, s:o, s:s, s:I, s:I}", "what", f->what, "field",
			                                         vb_runrec_field_path(f->f), "from", from, "to", to, "runs",
			                                         (json_int_t)runs, "of", (json_int_t)n));
		else
			json_decref(from);
	}
	return changes;
}

char *vb_version_change_text(json_t *change)
{
	struct vb_buf b = {0};
	json_t *from = json_object_get(change, "from"), *e;
	size_t i;
	vb_buf_addf(&b, "%s ", json_string_value(json_object_get(change, "what")));
	json_array_foreach(from, i, e)
		vb_buf_addf(&b, "%s%.60s", i ? ", " : "", json_string_value(e));
	vb_buf_addf(&b, " \u2192 %.60s", json_string_value(json_object_get(change, "to")));
	return vb_text_clean(vb_buf_release(&b));
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
	return vb_runrec_config_str(s->run, "rerun_of");
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
		struct stat st;
		if (!is_run(p)) {
			free(p);
			continue;
		}
		/* a run folder below the root is never a link: gate would write
		 * its accepted.json wherever one pointed (latest is skipped above) */
		if (lstat(p, &st) == 0 && S_ISLNK(st.st_mode)) {
			vb_warn("leaving out '%s': it is a symbolic link, and vmio-bench does not follow links below the folder "
			        "it is given (remove the link)", p);
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

/* Every repetition of an exercised direction: one that read 0 IOPS
 * counts as 0 for IOPS and bandwidth (and is counted in *zeros), and has
 * no latency (fio measured none). */
static void take_all(const struct vb_summary *s, const char *mode, const char *point, const char *dir, int metric,
                     struct vb_values *out)
{
	const char *st = status_in(s, mode);
	const struct vb_row *r = vb_summary_find(s, mode, point, dir);
	if (!r || !st || strcmp(st, "ok") != 0)
		return;
	for (size_t i = 0; i < r->n; i++) {
		bool none = !(r->val[VB_M_IOPS][i] > 0);
		double v = none && vb_metrics[metric].higher_is_better ? 0.0 : r->val[metric][i];
		out->zeros += none;
		out->reps++;
		if ((none && !vb_metrics[metric].higher_is_better) || (!none && !(v > 0)))
			continue;
		if (out->n == out->cap) {
			out->cap = out->cap ? 2 * out->cap : 16;
			if (!(out->v = realloc(out->v, out->cap * sizeof(double))))
				abort();
		}
		out->v[out->n++] = v;
	}
}

void vb_night_values_all(const struct vb_night *n, const char *mode, const char *point, const char *dir, int metric,
                         struct vb_values *out)
{
	take_all(&n->run, mode, point, dir, metric, out);
	for (size_t k = 0; k < n->nreruns; k++)
		take_all(&n->reruns[k], mode, point, dir, metric, out);
}

int vb_point_exercises(const struct vb_summary *s, size_t index, const char *dir)
{
	/* by its index: a search by label per point made the gate quadratic
	 * in the points (20000 of them in a 3 MB run.json: minutes) */
	json_t *params = vb_runrec_job_point_params(s->run, index);
	const char *rw = json_string_value(json_object_get(params, "rw"));
	json_t *mix = json_object_get(params, "rwmixread");
	long pct = json_is_integer(mix) ? (long)json_integer_value(mix) : 50;
	bool read = !strcmp(dir, "read");
	if (!rw)
		return -1;
	if (!strcmp(rw, "read") || !strcmp(rw, "randread"))
		return read;
	if (!strcmp(rw, "write") || !strcmp(rw, "randwrite"))
		return !read;
	if (!strcmp(rw, "rw") || !strcmp(rw, "randrw") || !strcmp(rw, "readwrite"))
		return read ? pct > 0 : pct < 100;
	return -1; /* trim and the like: the figures tell */
}

static void add_name(char ***names, size_t *n, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*names)[i], name))
			return;
	if (!(*names = realloc(*names, (*n + 2) * sizeof(char *))))
		abort();
	(*names)[(*n)++] = vb_strdup(name);
	(*names)[*n] = NULL;
}

char **vb_run_planned_modes(const struct vb_summary *s, size_t *n)
{
	char **names = vb_calloc(1, sizeof(char *));
	const char *list = vb_runrec_config_str(s->run, "modes");
	*n = 0;
	if (list && !s->fleet && strcmp(list, "all") != 0) {
		char *copy = vb_strdup(list), *save = NULL;
		for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
			if (vb_valid_name(t, 32))
				add_name(&names, n, t);
		free(copy);
	}
	for (size_t i = 0; i < s->nmodes; i++)
		add_name(&names, n, s->modes[i].mode);
	return names;
}

const struct vb_mode_status *vb_night_mode(const struct vb_night *n, const char *mode)
{
	const struct vb_mode_status *st = NULL;
	const struct vb_summary *runs[1] = {&n->run};
	for (size_t k = 0; k <= n->nreruns; k++) {
		const struct vb_summary *s = k ? &n->reruns[k - 1] : runs[0];
		for (size_t i = 0; i < s->nmodes; i++)
			if (!strcmp(s->modes[i].mode, mode) && !(st && !strcmp(st->status, "ok")))
				st = &s->modes[i];
	}
	return st;
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
	json_t *o = vb_json_load_regular(p, 1 << 20, 0, NULL);
	const char *by = json_string_value(json_object_get(o, "by"));
	char *r = json_is_true(json_object_get(o, "accepted")) && by && (!strcmp(by, "gate") || !strcmp(by, "hand"))
	              ? vb_strdup(by)
	              : NULL;
	json_decref(o);
	free(p);
	return r;
}
