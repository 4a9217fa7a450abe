/* `vmio-bench trend RUN... | ROOT`: each mode's IOPS across runs (nightly
 * history), as a table and a gnuplot chart, with the change points of each
 * mode's series marked (changepoint.h) and the first run after each named.
 * Only runs of the newest run's job and accelerator are drawn: anything
 * else is not the same measurement.  A rerun (gate --rerun) is a part of
 * the run it reran: its repetitions join that run's for change points. */
#include "config.h"
#include "commands.h"
#include "core/options.h"
#include "summary/changepoint.h"
#include "render/gp.h"
#include "summary/history.h"
#include "summary/summary.h"
#include "core/util.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* CP_ALPHA: the family-wise error of one series' scan (Bonferroni over
 * its splits); a change must also be at least --threshold. */
#define CP_ALPHA 0.01
#define CP_MAX 16

static bool is_run(const char *dir)
{
	char *p = vb_asprintf("%s/run.json", dir);
	bool r = access(p, F_OK) == 0;
	free(p);
	return r;
}

/* The runs a trend covers: the run folders given, or every run folder in
 * a results root (one that cannot be read is reported and left out).
 * *out gets the default output folder.  0, or -1 after reporting. */
static int find_runs(const struct vb_config *c, int nrest, char **rest, struct vb_history *h, char **out, bool *below)
{
	if (nrest == 1 && !is_run(rest[0])) {
		if (vb_history_load(rest[0], h) < 0)
			return -1;
		*below = !c->out; /* ROOT/trend: a folder the user did not name */
		*out = c->out ? vb_strdup(c->out) : vb_asprintf("%s/trend", rest[0]);
	} else {
		vb_history_from(rest, (size_t)nrest, "the runs given", h);
		if (h->skipped)
			return vb_error("trend: %zu of the runs given cannot be read (see above)", h->skipped);
		*out = vb_strdup(c->out ? c->out : "trend");
	}
	if (!h->n)
		return vb_error("trend: no run folders in '%s'", rest[0]);
	return 0;
}

/* The trend: nights in start order, the newest run's point and modes,
 * which nights measured the same job under the same accelerator, and the
 * change points of each mode and direction over those. */
struct trend {
	struct vb_history h;
	size_t kept;
	const struct vb_summary *last;
	const char *point;
	bool *keep;
	size_t *index;                 /* a kept night's position among the kept */
	struct vb_change (*ch)[2][CP_MAX]; /* per mode of last, read and write */
	size_t (*nch)[2];
	double threshold;
};

static const char *const dir_names[2] = {"read", "write"};

/* The night a change's index among the kept nights points at. */
static const struct vb_night *kept_night(const struct trend *t, size_t k)
{
	for (size_t i = 0; i < t->h.n; i++)
		if (t->keep[i] && t->index[i] == k)
			return &t->h.nights[i];
	return NULL;
}

static bool changed_at(const struct trend *t, size_t m, size_t k)
{
	for (int d = 0; d < 2; d++)
		for (size_t c = 0; c < t->nch[m][d]; c++)
			if (t->ch[m][d][c].at == k)
				return true;
	return false;
}

static void print_table(const struct trend *t)
{
	const struct vb_summary *last = t->last;
	printf("trend of %zu run(s): %s, %s, point %s (IOPS mean, read / write; * the first run after a change)\n", t->kept,
	       last->job, last->accel, t->point);
	printf("%-18s %-21s", "run", "started");
	for (size_t m = 0; m < last->nmodes; m++)
		printf(" %21s", last->modes[m].mode);
	printf("\n");
	for (size_t i = 0; i < t->h.n; i++) {
		if (!t->keep[i])
			continue;
		const struct vb_summary *run = &t->h.nights[i].run;
		printf("%-18s %-21s", run->id, run->started ? run->started : "?");
		for (size_t m = 0; m < last->nmodes; m++) {
			const struct vb_row *r = vb_summary_find(run, last->modes[m].mode, t->point, "read");
			const struct vb_row *w = vb_summary_find(run, last->modes[m].mode, t->point, "write");
			char cell[40] = "-";
			if (r && w)
				snprintf(cell, sizeof(cell), "%s%.0f / %.0f", changed_at(t, m, t->index[i]) ? "* " : "",
				         r->s[VB_M_IOPS].mean, w->s[VB_M_IOPS].mean);
			printf(" %21s", cell);
		}
		printf("\n");
	}
	size_t total = 0;
	for (size_t m = 0; m < last->nmodes; m++)
		total += t->nch[m][0] + t->nch[m][1];
	printf("change points (binary segmentation over each series' repetitions, Mann-Whitney, Bonferroni over the splits at %.2f,\n"
	       "at least %.1f%%): %s\n", CP_ALPHA, t->threshold, total ? "" : "none");
	for (size_t m = 0; m < last->nmodes; m++)
		for (int d = 0; d < 2; d++)
			for (size_t c = 0; c < t->nch[m][d]; c++) {
				const struct vb_change *x = &t->ch[m][d][c];
				const struct vb_night *n = kept_night(t, x->at);
				printf("  %s %s IOPS: %+.1f%% from run %s on (p=%.2g)\n", last->modes[m].mode, dir_names[d], x->change_pct,
				       n ? n->run.id : "?", x->p);
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
	for (size_t i = 0; i < t->h.n; i++) {
		if (!t->keep[i])
			continue;
		const struct vb_summary *run = &t->h.nights[i].run;
		fprintf(dat, "%zu %s", t->index[i], run->id);
		for (size_t m = 0; m < last->nmodes; m++) {
			for (int d = 0; d < 2; d++) {
				const struct vb_row *r = vb_summary_find(run, last->modes[m].mode, t->point, dir_names[d]);
				if (r)
					fprintf(dat, " %g %g", r->s[VB_M_IOPS].mean, r->s[VB_M_IOPS].ci95);
				else
					fputs(" NaN NaN", dat);
			}
		}
		fputc('\n', dat);
	}
}

/* changes.json: every change point, for machines. */
static void write_changes(FILE *f, const struct trend *t)
{
	json_t *a = json_array();
	for (size_t m = 0; m < t->last->nmodes; m++)
		for (int d = 0; d < 2; d++)
			for (size_t c = 0; c < t->nch[m][d]; c++) {
				const struct vb_change *x = &t->ch[m][d][c];
				const struct vb_night *n = kept_night(t, x->at);
				json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:i, s:f, s:f}", "mode", t->last->modes[m].mode,
				                                   "dir", dir_names[d], "metric", "iops", "first_run", n ? n->run.id : "?",
				                                   "index", (int)x->at, "change_pct", x->change_pct, "p_value", x->p));
			}
	json_t *doc = json_pack("{s:s, s:f, s:f, s:o}", "method",
	                        "binary segmentation, Mann-Whitney U (normal approximation), Bonferroni over the splits",
	                        "alpha", CP_ALPHA, "min_change_pct", t->threshold, "changes", a);
	json_dumpf(doc, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', f);
	json_decref(doc);
}

/* trend.gp: a line per mode and direction against run order; a dashed
 * line before the first run after each change, labelled. */
static void write_script(FILE *gp, const struct trend *t)
{
	const struct vb_summary *last = t->last;
	fprintf(gp, "# draw again with 'gnuplot -c trend.gp FOLDER'\nDIR = ARGC > 0 ? ARG1 : '.'\n"
	            "reset\n");
	vb_gp_formats(gp, "trend");
	fprintf(gp, "  set title 'IOPS per mode across runs (mean, 95%% CI; dashed: a change point)' noenhanced\n  set key outside right noenhanced\n"
	            "  set xtics rotate by -30 noenhanced\n  set grid ytics\n  set yrange [0:*]\n  set ylabel 'IOPS'\n");
	if (!strcmp(last->accel, "tcg"))
		fputs("  set label 1 'emulated (TCG)' at graph 0.01, graph 0.97 tc rgb '#b00000'\n", gp);
	int tag = 10;
	for (size_t m = 0; m < last->nmodes; m++)
		for (int d = 0; d < 2; d++)
			for (size_t c = 0; c < t->nch[m][d]; c++) {
				const struct vb_change *x = &t->ch[m][d][c];
				struct vb_buf b = {0};
				char *text = vb_asprintf("%s %s %+.0f%%", last->modes[m].mode, dir_names[d], x->change_pct);
				vb_buf_addf(&b, "  set arrow %d from %g, graph 0 to %g, graph 1 nohead dt 2 lc rgb '#b00000'\n", tag,
				            (double)x->at - 0.5, (double)x->at - 0.5);
				vb_buf_addf(&b, "  set label %d ", tag);
				vb_gp_quote(&b, text);
				vb_buf_addf(&b, " at %g, graph %g rotate by 90 right tc rgb '#b00000' noenhanced\n", (double)x->at - 0.4,
				            0.95 - 0.05 * (double)(tag % 4));
				fputs(b.s, gp);
				vb_buf_free(&b);
				free(text);
				tag++;
			}
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

/* Move every file of the private folder into out (renameat: a link
 * planted in out is replaced, never followed). */
static int publish(const char *priv, const char *out)
{
	int fd = vb_subdir_open(out, NULL), ret = fd < 0 ? -1 : 0;
	DIR *d = fd < 0 ? NULL : opendir(priv);
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && vb_publish(priv, e->d_name, fd, out) < 0)
			ret = -1;
	if (d)
		closedir(d);
	if (fd >= 0)
		close(fd);
	return ret;
}

/* trend.dat, trend.gp and the chart are made in a private folder (mkdtemp,
 * nothing planted there), gnuplot's messages go to OUT/gnuplot.log (never
 * through a link), and then everything moves into OUT.  0, or -1 reported. */
static int draw(const char *out, const struct trend *t)
{
	char *priv = vb_private_dir_new(out, "trend"), *log = vb_asprintf("%s/gnuplot.log", out), *gpp = NULL;
	int ret = -1, fd;
	if (!priv)
		goto out;
	write_file(priv, "trend.dat", write_data, t);
	write_file(priv, "trend.gp", write_script, t);
	if (!vb_gp_available()) {
		vb_warn("gnuplot is not installed, so no trend chart was drawn (apt-get install gnuplot-nox)");
	} else if ((fd = vb_open_write(log)) < 0) {
		goto out;
	} else {
		close(fd);
		gpp = vb_asprintf("%s/trend.gp", priv);
		if (vb_gp_run(gpp, priv, log) != 0)
			vb_warn("gnuplot failed drawing the trend chart in '%s' (see %s)", out, log);
		else
			printf("chart: %s/trend.png, %s/trend.svg\n", out, out);
	}
	ret = publish(priv, out);
out:
	vb_private_dir_remove(priv);
	free(priv);
	free(log);
	free(gpp);
	return ret;
}

/* Keep the nights of the newest run's job and accelerator. */
static void select_runs(struct trend *t)
{
	size_t left = 0;
	t->last = &t->h.nights[t->h.n - 1].run;
	t->point = t->last->npoints ? t->last->points[0] : "default";
	t->keep = vb_calloc(t->h.n, sizeof(bool));
	t->index = vb_calloc(t->h.n, sizeof(size_t));
	for (size_t i = 0; i < t->h.n; i++) {
		const struct vb_summary *r = &t->h.nights[i].run;
		t->keep[i] = !strcmp(r->job, t->last->job) && !strcmp(r->accel, t->last->accel) &&
		             !strcmp(r->storage, t->last->storage);
		t->index[i] = t->kept;
		t->kept += t->keep[i];
		left += !t->keep[i];
	}
	if (left)
		vb_warn("trend: leaving out %zu run(s) whose job, accelerator or storage model differs from the newest run's (%s, %s, %s)", left,
		        t->last->job, t->last->accel, t->last->storage);
}

/* Each mode's read and write IOPS over the kept nights (a night's run and
 * reruns pooled), searched for change points. */
static void find_changes(struct trend *t)
{
	size_t nm = t->last->nmodes;
	t->ch = vb_calloc(nm ? nm : 1, sizeof(*t->ch));
	t->nch = vb_calloc(nm ? nm : 1, sizeof(*t->nch));
	double **v = vb_calloc(t->kept ? t->kept : 1, sizeof(double *));
	size_t *n = vb_calloc(t->kept ? t->kept : 1, sizeof(size_t));
	for (size_t m = 0; m < nm; m++) {
		for (int d = 0; d < 2; d++) {
			for (size_t i = 0, k = 0; i < t->h.n; i++) {
				if (!t->keep[i])
					continue;
				size_t cap = 0;
				n[k] = 0;
				vb_night_values(&t->h.nights[i], t->last->modes[m].mode, t->point, dir_names[d], VB_M_IOPS, &v[k], &n[k], &cap);
				k++;
			}
			t->nch[m][d] = vb_change_points(v, n, t->kept, CP_ALPHA, t->threshold, t->ch[m][d], CP_MAX);
			for (size_t k = 0; k < t->kept; k++) {
				free(v[k]);
				v[k] = NULL;
			}
		}
	}
	free(v);
	free(n);
}

static int vb_cmd_trend(struct vb_config *c, int nrest, char **rest)
{
	char *out = NULL;
	int ret = VB_EXIT_USAGE;
	bool below = false;
	struct trend t = {.threshold = c->threshold};

	if (nrest < 1) {
		vb_error("trend: give run folders, or a results root holding them: see 'vmio-bench trend --help'");
		goto out;
	}
	if (find_runs(c, nrest, rest, &t.h, &out, &below) < 0)
		goto out;
	select_runs(&t);
	find_changes(&t);
	/* the folder the user named may be a link; ROOT/trend may not */
	if (below ? vb_subdir(rest[0], "trend") < 0 : vb_mkdir_p(out, 0755) < 0) {
		if (!below)
			vb_error("trend: cannot create '%s': %s", out, strerror(errno));
		goto out;
	}
	print_table(&t);
	write_file(out, "changes.json", write_changes, &t);
	if (draw(out, &t) < 0)
		goto out;
	ret = VB_EXIT_OK;
out:
	vb_history_release(&t.h);
	free(t.keep);
	free(t.index);
	free(t.ch);
	free(t.nch);
	free(out);
	return ret;
}

const struct vb_command vb_command_trend = {
	.name = "trend", .args = true, .fn = vb_cmd_trend,
	.synopsis = "trend RUN... | ROOT [--out DIR]",
	.summary = "each mode's history across runs, as a table and a chart",
	.help = "Each mode's IOPS across runs (e.g. nightly), as a table and a chart.\n",
};
