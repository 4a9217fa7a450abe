/* import: fio JSON measured elsewhere (a bare-metal host, another tool)
 * becomes a mode of a run, so that report, compare, trend and gate show it
 * beside the modes vmio-bench measured.  The files are stored untouched,
 * exactly as a measured repetition's are; the mode's run.json entry says
 * it was imported, from where and when.
 *
 * The job must be the run's: the parameters that decide what a figure
 * means (rw, bs, iodepth, numjobs, rwmixread) are read from each file's
 * own job options (fio's defaults where it gives none) and must match the
 * run's job point, or the import is refused. */
#include "config.h"
#include "commands.h"
#include "fiojson.h"
#include "layout.h"
#include "manifest.h"
#include "mode.h"
#include "options.h"
#include "report.h"
#include "results.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_IMPORT_FILE (64u << 20)

/* What one file's job was, as run.json's point params name it. */
struct job_params {
	char rw[24];
	uint64_t bs;
	long iodepth, numjobs, rwmixread;
};

/* An option of fio's first job: its own, else the global one. */
static const char *fio_opt(json_t *fio, const char *key)
{
	json_t *j = json_object_get(json_object_get(json_array_get(json_object_get(fio, "jobs"), 0), "job options"), key);
	if (!json_is_string(j))
		j = json_object_get(json_object_get(fio, "global options"), key);
	return json_is_string(j) ? json_string_value(j) : NULL;
}

static int read_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = s ? strtol(s, &end, 10) : 0;
	if (!s || errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* The job the file ran, with fio's defaults (rw read, bs 4k, iodepth 1,
 * numjobs 1, rwmixread 50) for what it does not name. */
static int file_params(const char *file, json_t *fio, struct job_params *p)
{
	static const char *const rws[] = {"read", "write", "randread", "randwrite", "rw", "readwrite", "randrw", "trim",
	                                  "randtrim", "trimwrite", NULL};
	const char *rw = fio_opt(fio, "rw") ? fio_opt(fio, "rw") : fio_opt(fio, "readwrite");
	const char *bs = fio_opt(fio, "bs") ? fio_opt(fio, "bs") : fio_opt(fio, "blocksize");
	bool known = !rw;
	for (size_t i = 0; rw && rws[i]; i++)
		known |= strcmp(rw, rws[i]) == 0;
	if (!known)
		return vb_error("import: '%s': fio's rw '%.40s' is not one vmio-bench knows", file, rw);
	snprintf(p->rw, sizeof(p->rw), "%s", !rw ? "read" : strcmp(rw, "readwrite") == 0 ? "rw" : rw);
	if (vb_parse_size(bs ? bs : "4k", &p->bs) < 0 || p->bs == 0)
		return vb_error("import: '%s': fio's bs '%.40s' is not one block size (a bs range or split does not compare)",
		                file, bs);
	if (read_long(fio_opt(fio, "iodepth") ? fio_opt(fio, "iodepth") : "1", 1, 65536, &p->iodepth) < 0 ||
	    read_long(fio_opt(fio, "numjobs") ? fio_opt(fio, "numjobs") : "1", 1, 4096, &p->numjobs) < 0 ||
	    read_long(fio_opt(fio, "rwmixread") ? fio_opt(fio, "rwmixread") : "50", 0, 100, &p->rwmixread) < 0)
		return vb_error("import: '%s': fio's iodepth, numjobs or rwmixread is not a plain number", file);
	if (json_array_size(json_object_get(fio, "jobs")) != 1)
		return vb_error("import: '%s' holds %zu jobs: run fio with --group_reporting (one job's figures per file)", file,
		                json_array_size(json_object_get(fio, "jobs")));
	return 0;
}

static bool mixed(const char *rw)
{
	return strcmp(rw, "rw") == 0 || strcmp(rw, "randrw") == 0;
}

/* Does the file's job differ from the point's?  Names the first
 * difference in *what. */
static bool params_differ(const struct job_params *f, json_t *params, char *what, size_t n)
{
	const char *rw = json_string_value(json_object_get(params, "rw"));
	json_int_t bs = json_integer_value(json_object_get(params, "bs"));
	json_int_t qd = json_integer_value(json_object_get(params, "iodepth"));
	json_int_t nj = json_integer_value(json_object_get(params, "numjobs"));
	json_int_t mix = json_integer_value(json_object_get(params, "rwmixread"));
	if (!rw || strcmp(rw, f->rw) != 0)
		snprintf(what, n, "rw=%s where the run's point has rw=%s", f->rw, rw ? rw : "?");
	else if ((uint64_t)bs != f->bs)
		snprintf(what, n, "bs=%" PRIu64 " where the run's point has bs=%" JSON_INTEGER_FORMAT, f->bs, bs);
	else if (qd != f->iodepth)
		snprintf(what, n, "iodepth=%ld where the run's point has iodepth=%" JSON_INTEGER_FORMAT, f->iodepth, qd);
	else if (nj != f->numjobs)
		snprintf(what, n, "numjobs=%ld where the run's point has numjobs=%" JSON_INTEGER_FORMAT, f->numjobs, nj);
	else if (mixed(f->rw) && mix != f->rwmixread)
		snprintf(what, n, "rwmixread=%ld where the run's point has rwmixread=%" JSON_INTEGER_FORMAT, f->rwmixread, mix);
	else
		return false;
	return true;
}

/* When fio finished, from its "timestamp" (seconds since the epoch), in
 * run.json's form; NULL when the file gives none that is plausible. */
static char *fio_time(json_t *fio)
{
	json_t *t = json_object_get(fio, "timestamp");
	char buf[32];
	struct tm tm;
	time_t s = json_is_integer(t) ? (time_t)json_integer_value(t) : 0;
	if (s < 946684800 || s > 32503680000 || !gmtime_r(&s, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return NULL;
	return vb_strdup(buf);
}

/* A run of its own for files imported without --into: its job is theirs,
 * its start and end when fio ran them (else when they were imported). */
static json_t *new_run(const char *id, const struct job_params *p, const char *fio_version, const char *started,
                       const char *ended)
{
	char bs[32];
	if (p->bs % (1u << 20) == 0)
		snprintf(bs, sizeof(bs), "%" PRIu64 "m", p->bs >> 20);
	else if (p->bs % 1024 == 0)
		snprintf(bs, sizeof(bs), "%" PRIu64 "k", p->bs >> 10);
	else
		snprintf(bs, sizeof(bs), "%" PRIu64, p->bs);
	char *desc = mixed(p->rw) ? vb_asprintf("imported: %s %s %ld%% read, iodepth %ld, %ld job%s", bs, p->rw, p->rwmixread,
	                                        p->iodepth, p->numjobs, p->numjobs == 1 ? "" : "s")
	                          : vb_asprintf("imported: %s %s, iodepth %ld, %ld job%s", bs, p->rw, p->iodepth, p->numjobs,
	                                        p->numjobs == 1 ? "" : "s");
	json_t *params = json_pack("{s:I, s:I, s:s, s:I, s:I}", "bs", (json_int_t)p->bs, "iodepth", (json_int_t)p->iodepth,
	                           "rw", p->rw, "rwmixread", (json_int_t)p->rwmixread, "numjobs", (json_int_t)p->numjobs);
	json_t *run = json_pack("{s:i, s:s, s:s, s:s, s:s, s:{s:s, s:s?}, s:{}, s:{s:s, s:s, s:b}, s:n, s:n,"
	                        " s:{s:s, s:[], s:n, s:[{s:s, s:s, s:o, s:[]}]}, s:{s:n}, s:[]}",
	                        "schema", VB_RESULTS_SCHEMA, "id", id, "state", "complete", "started", started, "ended", ended,
	                        "versions", "vmio_bench", PACKAGE_VERSION, "fio", fio_version, "host",
	                        "accelerator", "name", "none", "why", "imported results: no guest ran under vmio-bench",
	                        "emulated", 0, "baseline", "connect", "job", "description", desc, "fio_args", "sweep",
	                        "points", "label", "default", "dir", "", "params", params, "fio_args", "config",
	                        "rerun_of", "modes");
	free(desc);
	return run;
}

/* The run's job point the files measured: --point, or its only one. */
static json_t *pick_point(const struct vb_config *c, json_t *run, const char *dir)
{
	json_t *points = json_object_get(json_object_get(run, "job"), "points"), *p;
	size_t i;
	if (!c->point) {
		if (json_array_size(points) == 1)
			return json_array_get(points, 0);
		vb_error("import: run '%s' has %zu job points: say which one the files measured with --point LABEL", dir,
		         json_array_size(points));
		return NULL;
	}
	json_array_foreach(points, i, p) {
		const char *l = json_string_value(json_object_get(p, "label"));
		if (l && strcmp(l, c->point) == 0)
			return p;
	}
	vb_error("import: run '%s' has no job point '%s': see its run.json's job.points for the labels", dir, c->point);
	return NULL;
}

static bool has_mode(json_t *run, const char *name)
{
	json_t *e;
	size_t k;
	json_array_foreach(json_object_get(run, "modes"), k, e) {
		const char *n = json_string_value(json_object_get(e, "mode"));
		if (n && strcmp(n, name) == 0)
			return true;
	}
	return false;
}

static int check_name(const char *name)
{
	if (!name)
		return vb_error("import: give the imported results a name with --mode NAME (e.g. --mode baremetal)");
	if (!vb_valid_name(name, 32))
		return vb_error("import: --mode '%s' is not a mode name: lower-case letters, digits and '-', at most 32", name);
	if (vb_mode_find(name))
		return vb_error("import: '%s' is one of vmio-bench's own modes: give the imported results a name of their own "
		                "(e.g. --mode %s-imported)", name, name);
	return 0;
}

int vb_cmd_import(struct vb_config *c, int nargs, char **args)
{
	struct vb_fio_result fr = {0};
	struct job_params first = {0};
	char **texts = vb_calloc((size_t)nargs, sizeof(char *));
	size_t *lens = vb_calloc((size_t)nargs, sizeof(size_t));
	json_t *run = NULL, *reps = json_array(), *origins = json_array();
	char *dir = NULL, *id = NULL, *fio_version = NULL, *when = vb_utc_timestamp();
	char *first_t = NULL, *last_t = NULL; /* when fio ran the first and the last file */
	int ret = VB_EXIT_USAGE;

	if (nargs < 1) {
		vb_error("import: give one or more fio JSON files: see 'vmio-bench import --help'");
		goto out;
	}
	if (check_name(c->import_mode) < 0)
		goto out;
	/* every file first: nothing is written unless all of them are fio
	 * JSON of one and the same job */
	for (int i = 0; i < nargs; i++) {
		struct job_params p;
		char *why = NULL;
		if (!(texts[i] = vb_read_file(args[i], MAX_IMPORT_FILE, &lens[i]))) {
			vb_error("import: cannot read '%s': %s", args[i],
			         errno == EFBIG ? "larger than 64 MiB, not one fio result" : strerror(errno));
			goto out;
		}
		if (vb_fio_parse(texts[i], lens[i], &fr, &why) < 0) {
			vb_error("import: '%s' is not fio's JSON output (%s): give files fio wrote with --output-format=json or json+",
			         args[i], why);
			free(why);
			goto out;
		}
		int bad = file_params(args[i], fr.root, &p);
		if (!bad && fr.read.total_ios + fr.write.total_ios == 0)
			bad = vb_error("import: '%s' reports no completed I/O: there is nothing to compare", args[i]);
		if (!bad && i == 0) {
			first = p;
			fio_version = vb_strdup(vb_valid_fio_version(fr.fio_version) ? fr.fio_version : "unknown");
		} else if (!bad && memcmp(&p, &first, sizeof(p)) != 0) {
			bad = vb_error("import: '%s' ran another job than '%s': import each job on its own", args[i], args[0]);
		}
		char *t = fio_time(fr.root);
		if (t && (!first_t || strcmp(t, first_t) < 0)) {
			free(first_t);
			first_t = vb_strdup(t);
		}
		if (t && (!last_t || strcmp(t, last_t) > 0)) {
			free(last_t);
			last_t = vb_strdup(t);
		}
		free(t);
		char real[PATH_MAX];
		json_array_append_new(origins, json_pack("{s:s, s:I}", "origin", realpath(args[i], real) ? real : args[i],
		                                         "bytes", (json_int_t)lens[i]));
		json_array_append_new(reps, json_pack("{s:i, s:s, s:n, s:{s:f, s:f}}", "rep", i + 1, "file", "", "iops_log",
		                                      "iops", "read", fr.read.iops, "write", fr.write.iops));
		vb_fio_result_release(&fr);
		memset(&fr, 0, sizeof(fr));
		if (bad)
			goto out;
	}

	/* the run they join, or a new one */
	if (c->into) {
		char *p = vb_asprintf("%s/run.json", c->into);
		json_error_t err;
		struct stat st;
		run = stat(p, &st) == 0 && st.st_size <= (off_t)MAX_IMPORT_FILE ? json_load_file(p, JSON_REJECT_DUPLICATES, &err)
		                                                                 : NULL;
		free(p);
		if (!json_is_object(run) || json_integer_value(json_object_get(run, "schema")) != VB_RESULTS_SCHEMA ||
		    !json_is_array(json_object_get(run, "modes"))) {
			vb_error("import: '%s' is not a vmio-bench run folder (its run.json is missing or damaged)", c->into);
			goto out;
		}
		const char *state = json_string_value(json_object_get(run, "state"));
		if (!state || strcmp(state, "complete") != 0) {
			vb_error("import: run '%s' is not complete: finish it with 'vmio-bench run --resume %s' first", c->into,
			         c->into);
			goto out;
		}
		if (has_mode(run, c->import_mode)) {
			vb_error("import: run '%s' already has a mode '%s': choose another --mode", c->into, c->import_mode);
			goto out;
		}
		dir = vb_strdup(c->into);
	} else {
		if (vb_results_check_root(c->results) < 0 || vb_results_create_run_dir(c->results, &id, &dir) < 0) {
			ret = VB_EXIT_FAIL;
			goto out;
		}
		run = new_run(id, &first, fio_version, first_t ? first_t : when, last_t ? last_t : when);
	}
	json_t *point = pick_point(c, run, dir);
	char what[160];
	if (!point)
		goto out;
	if (params_differ(&first, json_object_get(point, "params"), what, sizeof(what))) {
		vb_error("import: '%s' ran %s: the figures would not compare (import it without --into, as a run of its own)",
		         args[0], what);
		goto out;
	}

	/* the files, untouched, where a measured mode keeps its repetitions */
	ret = VB_EXIT_FAIL;
	const char *pdir_rel = json_string_value(json_object_get(point, "dir"));
	char *mdir = vb_layout_mode_dir(dir, c->import_mode);
	char *pdir = pdir_rel && *pdir_rel ? vb_asprintf("%s/%s", mdir, pdir_rel) : vb_strdup(mdir);
	int bad = vb_mkdir_p(pdir, 0755) < 0 ? vb_error("import: cannot create '%s': %s", pdir, strerror(errno)) : 0;
	for (int i = 0; i < nargs && !bad; i++) {
		char *f = vb_asprintf("%s/rep-%d.fio.json", pdir, i + 1);
		bad = vb_write_file_atomic(f, texts[i], lens[i]);
		free(f);
		json_object_set_new(json_array_get(reps, (size_t)i), "file",
		                    pdir_rel && *pdir_rel ? json_sprintf("%s/rep-%d.fio.json", pdir_rel, i + 1)
		                                          : json_sprintf("rep-%d.fio.json", i + 1));
	}
	free(pdir);
	free(mdir);
	if (bad)
		goto out;
	json_array_append_new(json_object_get(run, "modes"),
	                      json_pack("{s:s, s:[{s:O, s:O, s:O, s:O}], s:s, s:b, s:{s:s, s:s?, s:s?, s:s, s:o}}", "mode",
	                                c->import_mode, "points", "label", json_object_get(point, "label"), "dir",
	                                json_object_get(point, "dir"), "params", json_object_get(point, "params"), "reps",
	                                reps, "status", "ok", "guest", 0, "imported", "at", when, "fio_first", first_t,
	                                "fio_last", last_t, "fio_version",
	                                fio_version, "files", json_incref(origins)));
	if (vb_manifest_save(dir, run) < 0)
		goto out;
	printf("imported %d file%s as mode %s into run %s\n", nargs, nargs == 1 ? "" : "s", c->import_mode,
	       json_string_value(json_object_get(run, "id")));
	ret = vb_report_run(dir, stdout) < 0 ? VB_EXIT_FAIL : VB_EXIT_OK;
out:
	for (int i = 0; i < nargs; i++)
		free(texts[i]);
	free(texts);
	free(lens);
	json_decref(run);
	json_decref(reps);
	json_decref(origins);
	free(dir);
	free(id);
	free(fio_version);
	free(when);
	free(first_t);
	free(last_t);
	return ret;
}
