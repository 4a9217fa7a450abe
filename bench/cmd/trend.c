/* `vmio-bench trend RUN... | ROOT`: each mode's IOPS across runs (nightly
 * history), as a table and a gnuplot chart.  Only runs of the newest run's
 * job and accelerator are drawn: anything else is not the same
 * measurement. */
#include "config.h"
#include "commands.h"
#include "options.h"
#include "gp.h"
#include "summary.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int by_started(const void *a, const void *b)
{
	const struct vb_summary *x = a, *y = b;
	return strcmp(x->started ? x->started : "", y->started ? y->started : "");
}

static bool is_run(const char *dir)
{
	char *p = vb_asprintf("%s/run.json", dir);
	bool r = access(p, F_OK) == 0;
	free(p);
	return r;
}

/* The runs a trend covers: the run folders given, or those in a results
 * root.  dirs gets new strings (at most 4096); *out the default output
 * folder.  Their number, or -1 after reporting. */
static int find_runs(const struct vb_config *c, int nrest, char **rest, char **dirs, char **out)
{
	size_t n = 0;
	if (nrest == 1 && !is_run(rest[0])) {
		DIR *d = opendir(rest[0]);
		struct dirent *e;
		if (!d)
			return vb_error("trend: cannot open '%s': %s", rest[0], strerror(errno));
		while ((e = readdir(d)) && n < 4096) {
			if (e->d_name[0] == '.' || !strcmp(e->d_name, "latest") || !strcmp(e->d_name, "trend"))
				continue;
			char *p = vb_asprintf("%s/%s", rest[0], e->d_name);
			if (is_run(p))
				dirs[n++] = p;
			else
				free(p);
		}
		closedir(d);
		*out = c->out ? vb_strdup(c->out) : vb_asprintf("%s/trend", rest[0]);
	} else {
		for (int i = 0; i < nrest && n < 4096; i++)
			dirs[n++] = vb_strdup(rest[i]);
		*out = vb_strdup(c->out ? c->out : "trend");
	}
	if (!n)
		return vb_error("trend: no run folders in '%s'", rest[0]);
	return (int)n;
}

/* The trend: runs in start order, the newest run's point and modes, and
 * which runs measured the same job under the same accelerator. */
struct trend {
	struct vb_summary *runs;
	size_t nruns, kept;
	const struct vb_summary *last;
	const char *point;
	bool *keep;
};

static void print_table(const struct trend *t)
{
	const struct vb_summary *last = t->last;
	printf("trend of %zu run(s): %s, %s, point %s (IOPS mean, read / write)\n", t->kept, last->job, last->accel, t->point);
	printf("%-18s %-21s", "run", "started");
	for (size_t m = 0; m < last->nmodes; m++)
		printf(" %21s", last->modes[m].mode);
	printf("\n");
	for (size_t i = 0; i < t->nruns; i++) {
		if (!t->keep[i])
			continue;
		printf("%-18s %-21s", t->runs[i].id, t->runs[i].started ? t->runs[i].started : "?");
		for (size_t m = 0; m < last->nmodes; m++) {
			const struct vb_row *r = vb_summary_find(&t->runs[i], last->modes[m].mode, t->point, "read");
			const struct vb_row *w = vb_summary_find(&t->runs[i], last->modes[m].mode, t->point, "write");
			char cell[32] = "-";
			if (r && w)
				snprintf(cell, sizeof(cell), "%.0f / %.0f", r->s[VB_M_IOPS].mean, w->s[VB_M_IOPS].mean);
			printf(" %21s", cell);
		}
		printf("\n");
	}
}

/* trend.dat: one line per run, a mean and interval per mode and direction. */
static void write_data(FILE *dat, const struct trend *t)
{
	const struct vb_summary *last = t->last;
	fputs("# index run", dat);
	for (size_t m = 0; m < last->nmodes; m++)
		fprintf(dat, " %s_read %s_read_ci %s_write %s_write_ci", last->modes[m].mode, last->modes[m].mode,
		        last->modes[m].mode, last->modes[m].mode);
	fputc('\n', dat);
	size_t k = 0;
	for (size_t i = 0; i < t->nruns; i++) {
		if (!t->keep[i])
			continue;
		fprintf(dat, "%zu %s", k++, t->runs[i].id);
		for (size_t m = 0; m < last->nmodes; m++) {
			const char *dn[2] = {"read", "write"};
			for (int d = 0; d < 2; d++) {
				const struct vb_row *r = vb_summary_find(&t->runs[i], last->modes[m].mode, t->point, dn[d]);
				if (r)
					fprintf(dat, " %g %g", r->s[VB_M_IOPS].mean, r->s[VB_M_IOPS].ci95);
				else
					fputs(" NaN NaN", dat);
			}
		}
		fputc('\n', dat);
	}
}

/* trend.gp: a line per mode and direction against run order. */
static void write_script(FILE *gp, const struct trend *t)
{
	const struct vb_summary *last = t->last;
	fprintf(gp, "# draw again with 'gnuplot -c trend.gp FOLDER'\nDIR = ARGC > 0 ? ARG1 : '.'\n"
	            "reset\n");
	vb_gp_formats(gp, "trend");
	fprintf(gp, "  set title 'IOPS per mode across runs (mean, 95%% CI)' noenhanced\n  set key outside right noenhanced\n"
	            "  set xtics rotate by -30 noenhanced\n  set grid ytics\n  set yrange [0:*]\n  set ylabel 'IOPS'\n");
	if (!strcmp(last->accel, "tcg"))
		fputs("  set label 1 'emulated (TCG)' at graph 0.01, graph 0.97 tc rgb '#b00000'\n", gp);
	fputs("  plot ", gp);
	for (size_t m = 0; m < last->nmodes; m++) {
		struct vb_buf b = {0};
		char *rd = vb_asprintf("%s read", last->modes[m].mode), *wr = vb_asprintf("%s write", last->modes[m].mode);
		vb_buf_addf(&b, "%ssprintf('%%s/trend.dat', DIR) using 1:%zu:%zu:xtic(2) with yerrorlines title ", m ? ", " : "",
		            3 + 4 * m, 4 + 4 * m);
		vb_gp_quote(&b, rd);
		vb_buf_addf(&b, ", sprintf('%%s/trend.dat', DIR) using 1:%zu:%zu with yerrorlines title ", 5 + 4 * m, 6 + 4 * m);
		vb_gp_quote(&b, wr);
		fputs(b.s, gp);
		vb_buf_free(&b);
		free(rd);
		free(wr);
	}
	fputs("\n  unset output\n}\n", gp);
}

/* Write name into out through fn, atomically. */
static void write_file(const char *out, const char *name, void (*fn)(FILE *, const struct trend *), const struct trend *t)
{
	char *buf = NULL, *path = vb_asprintf("%s/%s", out, name);
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (f) {
		fn(f, t);
		fclose(f);
		vb_write_file_atomic(path, buf, len);
	}
	free(buf);
	free(path);
}

static void draw(const char *out)
{
	if (!vb_gp_available()) {
		vb_warn("gnuplot is not installed, so no trend chart was drawn (apt-get install gnuplot-nox)");
		return;
	}
	char *log = vb_asprintf("%s/gnuplot.log", out), *gpp = vb_asprintf("%s/trend.gp", out);
	if (vb_gp_run(gpp, out, log) != 0)
		vb_warn("gnuplot failed drawing the trend chart in '%s' (see %s)", out, log);
	free(log);
	free(gpp);
	printf("chart: %s/trend.png, %s/trend.svg\n", out, out);
}

/* Keep the runs of the newest run's job and accelerator. */
static void select_runs(struct trend *t)
{
	size_t left = 0;
	qsort(t->runs, t->nruns, sizeof(*t->runs), by_started);
	t->last = &t->runs[t->nruns - 1];
	t->point = t->last->npoints ? t->last->points[0] : "default";
	t->keep = vb_calloc(t->nruns, sizeof(bool));
	for (size_t i = 0; i < t->nruns; i++) {
		t->keep[i] = !strcmp(t->runs[i].job, t->last->job) && !strcmp(t->runs[i].accel, t->last->accel);
		t->kept += t->keep[i];
		left += !t->keep[i];
	}
	if (left)
		vb_warn("trend: leaving out %zu run(s) whose job or accelerator differs from the newest run's (%s, %s)", left,
		        t->last->job, t->last->accel);
}

int vb_cmd_trend(struct vb_config *c, int nrest, char **rest)
{
	char **dirs = vb_calloc(4096, sizeof(char *)), *out = NULL;
	int ret = VB_EXIT_USAGE, ndirs = 0;
	struct trend t = {0};

	if (nrest < 1) {
		vb_error("trend: give run folders, or a results root holding them: see 'vmio-bench trend --help'");
		goto out;
	}
	if ((ndirs = find_runs(c, nrest, rest, dirs, &out)) < 0)
		goto out;
	t.runs = vb_calloc((size_t)ndirs, sizeof(*t.runs));
	for (int i = 0; i < ndirs; i++) {
		if (vb_summary_load(dirs[i], &t.runs[t.nruns]) < 0)
			goto out;
		t.nruns++;
	}
	select_runs(&t);
	if (vb_mkdir_p(out, 0755) < 0) {
		vb_error("trend: cannot create '%s': %s", out, strerror(errno));
		goto out;
	}
	print_table(&t);
	write_file(out, "trend.dat", write_data, &t);
	write_file(out, "trend.gp", write_script, &t);
	draw(out);
	ret = VB_EXIT_OK;
out:
	for (size_t i = 0; i < t.nruns; i++)
		vb_summary_release(&t.runs[i]);
	free(t.runs);
	free(t.keep);
	for (int i = 0; i < ndirs; i++)
		free(dirs[i]);
	free(dirs);
	free(out);
	return ret;
}
