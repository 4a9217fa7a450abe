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
#include "summary/fiojson.h"
#include "core/layout.h"
#include "runner/manifest.h"
#include "summary/runrec.h"
#include "modes/mode.h"
#include "core/options.h"
#include "render/report.h"
#include "core/results.h"
#include "core/util.h"

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

/* An option of fio's first job: its own, else the global one, under key
 * or its other name alias (NULL for none); def when the file has neither. */
static const char *fio_opt(json_t *fio, const char *key, const char *alias, const char *def)
{
	json_t *job = json_object_get(json_array_get(json_object_get(fio, "jobs"), 0), "job options");
	json_t *global = json_object_get(fio, "global options");
	const char *names[] = {key, alias};
	for (int i = 0; i < 2 && names[i]; i++) {
		json_t *j = json_object_get(job, names[i]);
		if (!json_is_string(j))
			j = json_object_get(global, names[i]);
		if (json_is_string(j))
			return json_string_value(j);
	}
	return def;
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
	const char *rw = fio_opt(fio, "rw", "readwrite", NULL);
	const char *bs = fio_opt(fio, "bs", "blocksize", NULL);
	bool known = !rw;
	for (size_t i = 0; rw && rws[i]; i++)
		known |= strcmp(rw, rws[i]) == 0;
	if (!known)
		return vb_error("import: '%s': fio's rw '%.40s' is not one vmio-bench knows", file, rw);
	snprintf(p->rw, sizeof(p->rw), "%s", !rw ? "read" : strcmp(rw, "readwrite") == 0 ? "rw" : rw);
	if (vb_parse_size(bs ? bs : "4k", &p->bs) < 0 || p->bs == 0)
		return vb_error("import: '%s': fio's bs '%.40s' is not one block size (a bs range or split does not compare)",
		                file, bs);
	if (read_long(fio_opt(fio, "iodepth", NULL, "1"), 1, 65536, &p->iodepth) < 0 ||
	    read_long(fio_opt(fio, "numjobs", NULL, "1"), 1, 4096, &p->numjobs) < 0 ||
	    read_long(fio_opt(fio, "rwmixread", NULL, "50"), 0, 100, &p->rwmixread) < 0)
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
	json_t *run = vb_runrec_import_new(id, fio_version, started, ended, desc, params);
	free(desc);
	return run;
}

/* The run's job point the files measured: --point, or its only one. */
static json_t *pick_point(const struct vb_config *c, json_t *run, const char *dir)
{
	json_t *points = vb_runrec_job_points(run), *p;
	size_t i;
	if (!c->point) {
		if (json_array_size(points) == 1)
			return json_array_get(points, 0);
		vb_error("import: run '%s' has %zu job points: say which one the files measured with --point LABEL", dir,
		         json_array_size(points));
		return NULL;
	}
	json_array_foreach(points, i, p) {
		const char *l = vb_runrec_point_label(p);
		if (l && strcmp(l, c->point) == 0)
			return p;
	}
	vb_error("import: run '%s' has no job point '%s': see its run.json's job.points for the labels", dir, c->point);
	return NULL;
}

static int check_name(const char *name)
{
	if (!name)
		return vb_error("import: give the imported results a name with --mode NAME (e.g. --mode baremetal)");
	if (!vb_valid_name(name, 32) || strchr(name, '+')) /* BASE+TAG is a variant of one of vmio-bench's modes */
		return vb_error("import: --mode '%s' is not a mode name: lower-case letters, digits and '-', at most 32", name);
	if (vb_mode_find(name))
		return vb_error("import: '%s' is one of vmio-bench's own modes: give the imported results a name of their own "
		                "(e.g. --mode %s-imported)", name, name);
	return 0;
}

/* One import as it goes: the files, what they ran, and the run they join. */
struct import {
	const struct vb_config *c;
	int n;
	char **files, **texts;
	size_t *lens;
	struct job_params job;
	json_t *reps, *origins;   /* run.json's repetitions and the files' origins */
	char *fio_version, *when;
	char *first_t, *last_t;   /* when fio ran the first and the last file */
	json_t *run;
	char *dir, *id;           /* the run folder; id when it is new */
};

static void keep_earliest(char **slot, const char *t, int sign)
{
	if (t && (!*slot || sign * strcmp(t, *slot) < 0)) {
		free(*slot);
		*slot = vb_strdup(t);
	}
}

/* Every file first: nothing is written unless all of them are fio JSON
 * of one and the same job.  0, or -1 reported. */
static int read_files(struct import *im)
{
	struct vb_fio_result fr = {0};
	for (int i = 0; i < im->n; i++) {
		const char *f = im->files[i];
		struct job_params p;
		char *why = NULL;
		if (!(im->texts[i] = vb_read_file(f, MAX_IMPORT_FILE, &im->lens[i])))
			return vb_error("import: cannot read '%s': %s", f,
			                errno == EFBIG ? "larger than 64 MiB, not one fio result" : strerror(errno));
		if (vb_fio_parse(im->texts[i], im->lens[i], &fr, &why) < 0) {
			vb_error("import: '%s' is not fio's JSON output (%s): give files fio wrote with --output-format=json or json+",
			         f, why);
			free(why);
			return -1;
		}
		int bad = file_params(f, fr.root, &p);
		if (!bad && fr.read.total_ios + fr.write.total_ios == 0)
			bad = vb_error("import: '%s' reports no completed I/O: there is nothing to compare", f);
		if (!bad && i == 0) {
			im->job = p;
			im->fio_version = vb_strdup(vb_valid_fio_version(fr.fio_version) ? fr.fio_version : "unknown");
		} else if (!bad && memcmp(&p, &im->job, sizeof(p)) != 0) {
			bad = vb_error("import: '%s' ran another job than '%s': import each job on its own", f, im->files[0]);
		}
		char *t = fio_time(fr.root), real[PATH_MAX];
		keep_earliest(&im->first_t, t, 1);
		keep_earliest(&im->last_t, t, -1);
		free(t);
		json_array_append_new(im->origins,
		                      vb_runrec_import_origin_new(realpath(f, real) ? real : f, (long long)im->lens[i]));
		json_array_append_new(im->reps, vb_runrec_rep_new(i + 1, "", fr.read.iops, fr.write.iops));
		vb_fio_result_release(&fr);
		memset(&fr, 0, sizeof(fr));
		if (bad)
			return -1;
	}
	return 0;
}

/* RUN's run.json (--into), checked to take the files; or a new run.
 * 0, or an exit status reported. */
static int open_target(struct import *im)
{
	const struct vb_config *c = im->c;
	if (!c->into) {
		if (vb_results_check_root(c->results) < 0 || vb_results_create_run_dir(c->results, &im->id, &im->dir) < 0)
			return VB_EXIT_FAIL;
		im->run = new_run(im->id, &im->job, im->fio_version, im->first_t ? im->first_t : im->when,
		                  im->last_t ? im->last_t : im->when);
		return 0;
	}
	char *p = vb_asprintf("%s/run.json", c->into);
	json_error_t err;
	im->run = vb_json_load_regular(p, MAX_IMPORT_FILE, JSON_REJECT_DUPLICATES, &err);
	free(p);
	if (!vb_runrec_usable(im->run))
		return vb_error("import: '%s' is not a vmio-bench run folder (its run.json is missing or damaged)", c->into),
		       VB_EXIT_USAGE;
	const char *state = vb_runrec_state(im->run);
	if (!state || strcmp(state, "complete") != 0)
		return vb_error("import: run '%s' is not complete: finish it with 'vmio-bench run --resume %s' first", c->into,
		                c->into),
		       VB_EXIT_USAGE;
	if (vb_runrec_mode_find(im->run, c->import_mode))
		return vb_error("import: run '%s' already has a mode '%s': choose another --mode", c->into, c->import_mode),
		       VB_EXIT_USAGE;
	im->dir = vb_strdup(c->into);
	return 0;
}

/* The point's folder comes from run.json, which is input: one plain
 * component ("" for the default point); the folders it names below the
 * run folder, where they exist already, are folders and not links.
 * (store() creates them without following a link either.)  0, or -1
 * reported. */
static int check_target(const struct import *im, json_t *point)
{
	json_t *d = vb_runrec_point_dir(point);
	const char *rel = json_string_value(d);
	struct stat st;
	if (d && !json_is_null(d) && !vb_valid_component(rel, true))
		return vb_error("import: '%s/run.json': job.points[].dir is not a plain folder name ([A-Za-z0-9][A-Za-z0-9._+-]*): the file is damaged",
		                im->dir);
	char *mdir = vb_layout_mode_dir(im->dir, im->c->import_mode);
	char *pdir = rel && *rel ? vb_asprintf("%s/%s", mdir, rel) : NULL;
	int r = 0;
	for (int k = 0; k < 2 && !r; k++) {
		const char *p = k ? pdir : mdir;
		if (p && lstat(p, &st) == 0 && !S_ISDIR(st.st_mode))
			r = vb_error(S_ISLNK(st.st_mode) ? "import: '%s' is a symbolic link: vmio-bench does not follow links below the folder it is given; remove the link and try again"
			                                 : "import: '%s' is in the way: it is not a folder; remove it and try again", p);
	}
	free(pdir);
	free(mdir);
	return r;
}

/* The files, untouched, where a measured mode keeps its repetitions; the
 * mode's entry in run.json, marked imported.  0, or -1 reported. */
static int store(struct import *im, json_t *point)
{
	const char *rel = vb_runrec_point_dir_str(point);
	bool sub = rel && *rel;
	char *mdir = vb_layout_mode_dir(im->dir, im->c->import_mode);
	char *pdir = sub ? vb_asprintf("%s/%s", mdir, rel) : vb_strdup(mdir);
	char *prel = sub ? vb_asprintf("%s/%s", im->c->import_mode, rel) : vb_strdup(im->c->import_mode);
	int bad = vb_subdir(im->dir, prel);
	free(prel);
	for (int i = 0; i < im->n && !bad; i++) {
		char *f = vb_asprintf("%s/rep-%d.fio.json", pdir, i + 1);
		bad = vb_write_file_atomic(f, im->texts[i], im->lens[i]);
		free(f);
		char *rf = sub ? vb_asprintf("%s/rep-%d.fio.json", rel, i + 1) : vb_asprintf("rep-%d.fio.json", i + 1);
		vb_runrec_rep_set_file(json_array_get(im->reps, (size_t)i), rf);
		free(rf);
	}
	free(pdir);
	free(mdir);
	if (bad)
		return -1;
	vb_runrec_add_imported(im->run, im->c->import_mode, point, im->reps, im->when, im->first_t, im->last_t,
	                       im->fio_version, im->origins);
	return vb_manifest_save(im->dir, im->run);
}

static int vb_cmd_import(struct vb_config *c, int nargs, char **args)
{
	struct import im = {.c = c, .n = nargs, .files = args, .reps = json_array(), .origins = json_array(),
	                    .when = vb_utc_timestamp()};
	int ret = VB_EXIT_USAGE;
	char what[160];

	im.texts = vb_calloc((size_t)(nargs > 0 ? nargs : 1), sizeof(char *));
	im.lens = vb_calloc((size_t)(nargs > 0 ? nargs : 1), sizeof(size_t));
	if (nargs < 1) {
		vb_error("import: give one or more fio JSON files: see 'vmio-bench import --help'");
		goto out;
	}
	if (check_name(c->import_mode) < 0 || read_files(&im) < 0 || (ret = open_target(&im)) != 0) {
		ret = ret ? ret : VB_EXIT_USAGE;
		goto out;
	}
	ret = VB_EXIT_USAGE;
	json_t *point = pick_point(c, im.run, im.dir);
	if (!point)
		goto out;
	if (params_differ(&im.job, vb_runrec_point_params(point), what, sizeof(what))) {
		vb_error("import: '%s' ran %s: the figures would not compare (import it without --into, as a run of its own)",
		         args[0], what);
		goto out;
	}
	if (check_target(&im, point) < 0)
		goto out;
	ret = VB_EXIT_FAIL;
	if (store(&im, point) < 0)
		goto out;
	printf("imported %d file%s as mode %s into run %s\n", nargs, nargs == 1 ? "" : "s", c->import_mode,
	       vb_runrec_id(im.run));
	ret = vb_report_run(im.dir, stdout) < 0 ? VB_EXIT_FAIL : VB_EXIT_OK;
out:
	for (int i = 0; i < nargs; i++)
		free(im.texts[i]);
	free(im.texts);
	free(im.lens);
	json_decref(im.run);
	json_decref(im.reps);
	json_decref(im.origins);
	free(im.dir);
	free(im.id);
	free(im.fio_version);
	free(im.when);
	free(im.first_t);
	free(im.last_t);
	return ret;
}

const struct vb_command vb_command_import = {
	.name = "import", .args = true, .fn = vb_cmd_import,
	.synopsis = "import FILE.json... --mode NAME [--into RUN] [options]",
	.summary = "bring fio JSON from elsewhere (a bare-metal host, another tool) into a run",
	.help = "Each FILE is fio's JSON output (--output-format=json or json+) of one repetition of\n"
	        "one job.  The files become mode NAME: in RUN (--into), at the job point they measured,\n"
	        "or in a new run of their own in --results.  They are stored untouched and marked as\n"
	        "imported, with where they came from, and show in report, compare, trend and gate like\n"
	        "any measured mode.  A file whose job differs from RUN's (rw, bs, iodepth, numjobs,\n"
	        "rwmixread) is refused: the figures would not compare.  The report is drawn again.\n",
};
