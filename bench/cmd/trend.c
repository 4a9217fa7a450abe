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

int vb_cmd_trend(struct vb_config *c, int nrest, char **rest)
{
	char **dirs = NULL, *out = NULL;
	int ret = VB_EXIT_USAGE;
	size_t ndirs = 0, nruns = 0;
	struct vb_summary *runs = NULL;

	if (nrest < 1) {
		vb_error("trend: give run folders, or a results root holding them: see 'vmio-bench trend --help'");
		goto out;
	}
	dirs = vb_calloc(4096, sizeof(char *));
	if (nrest == 1 && !is_run(rest[0])) {
		DIR *d = opendir(rest[0]);
		struct dirent *e;
		if (!d) {
			vb_error("trend: cannot open '%s': %s", rest[0], strerror(errno));
			goto out;
		}
		while ((e = readdir(d)) && ndirs < 4096) {
			if (e->d_name[0] == '.' || !strcmp(e->d_name, "latest") || !strcmp(e->d_name, "trend"))
				continue;
			char *p = vb_asprintf("%s/%s", rest[0], e->d_name);
			if (is_run(p))
				dirs[ndirs++] = p;
			else
				free(p);
		}
		closedir(d);
		out = vb_strdup(c->out ? c->out : NULL);
		if (!out)
			out = vb_asprintf("%s/trend", rest[0]);
	} else {
		for (int i = 0; i < nrest && ndirs < 4096; i++)
			dirs[ndirs++] = vb_strdup(rest[i]);
		out = vb_strdup(c->out ? c->out : "trend");
	}
	if (!ndirs) {
		vb_error("trend: no run folders in '%s'", rest[0]);
		goto out;
	}
	runs = vb_calloc(ndirs, sizeof(*runs));
	for (size_t i = 0; i < ndirs; i++) {
		if (vb_summary_load(dirs[i], &runs[nruns]) < 0)
			goto out;
		nruns++;
	}
	qsort(runs, nruns, sizeof(*runs), by_started);
	const struct vb_summary *last = &runs[nruns - 1];
	const char *point = last->npoints ? last->points[0] : "default";
	size_t kept = 0, left = 0;
	bool *keep = vb_calloc(nruns, sizeof(bool));
	for (size_t i = 0; i < nruns; i++) {
		keep[i] = !strcmp(runs[i].job, last->job) && !strcmp(runs[i].accel, last->accel);
		kept += keep[i];
		left += !keep[i];
	}
	if (left)
		vb_warn("trend: leaving out %zu run(s) whose job or accelerator differs from the newest run's (%s, %s)", left, last->job,
		        last->accel);

	/* the modes of the newest run, in its order */
	if (vb_mkdir_p(out, 0755) < 0) {
		vb_error("trend: cannot create '%s': %s", out, strerror(errno));
		free(keep);
		goto out;
	}
	printf("trend of %zu run(s): %s, %s, point %s (IOPS mean, read / write)\n", kept, last->job, last->accel, point);
	printf("%-18s %-21s", "run", "started");
	for (size_t m = 0; m < last->nmodes; m++)
		printf(" %21s", last->modes[m].mode);
	printf("\n");
	for (size_t i = 0; i < nruns; i++) {
		if (!keep[i])
			continue;
		printf("%-18s %-21s", runs[i].id, runs[i].started ? runs[i].started : "?");
		for (size_t m = 0; m < last->nmodes; m++) {
			const struct vb_row *r = vb_summary_find(&runs[i], last->modes[m].mode, point, "read");
			const struct vb_row *w = vb_summary_find(&runs[i], last->modes[m].mode, point, "write");
			char cell[32] = "-";
			if (r && w)
				snprintf(cell, sizeof(cell), "%.0f / %.0f", r->s[VB_M_IOPS].mean, w->s[VB_M_IOPS].mean);
			printf(" %21s", cell);
		}
		printf("\n");
	}
	/* data and chart: one line per mode and direction against run order */
	/* written to memory, then atomically into place */
	char *datp = vb_asprintf("%s/trend.dat", out), *gpp = vb_asprintf("%s/trend.gp", out);
	char *datbuf = NULL, *gpbuf = NULL;
	size_t datlen = 0, gplen = 0;
	FILE *dat = open_memstream(&datbuf, &datlen), *gp = dat ? open_memstream(&gpbuf, &gplen) : NULL;
	if (dat && gp) {
		fputs("# index run", dat);
		for (size_t m = 0; m < last->nmodes; m++)
			fprintf(dat, " %s_read %s_read_ci %s_write %s_write_ci", last->modes[m].mode, last->modes[m].mode,
			        last->modes[m].mode, last->modes[m].mode);
		fputc('\n', dat);
		size_t k = 0;
		for (size_t i = 0; i < nruns; i++) {
			if (!keep[i])
				continue;
			fprintf(dat, "%zu %s", k++, runs[i].id);
			for (size_t m = 0; m < last->nmodes; m++) {
				const char *dn[2] = {"read", "write"};
				for (int d = 0; d < 2; d++) {
					const struct vb_row *r = vb_summary_find(&runs[i], last->modes[m].mode, point, dn[d]);
					if (r)
						fprintf(dat, " %g %g", r->s[VB_M_IOPS].mean, r->s[VB_M_IOPS].ci95);
					else
						fputs(" NaN NaN", dat);
				}
			}
			fputc('\n', dat);
		}
		fclose(dat);
		dat = NULL;
		vb_write_file_atomic(datp, datbuf, datlen);
		fprintf(gp, "# draw again with 'gnuplot -c trend.gp FOLDER'\nDIR = ARGC > 0 ? ARG1 : '.'\n"
		            "reset\n");
		vb_gp_formats(gp, "trend");
		fprintf(gp, "  set title 'IOPS per mode across runs (mean, 95%% CI)' noenhanced\n  set key outside right noenhanced\n"
		            "  set xtics rotate by -30 noenhanced\n  set grid ytics\n  set yrange [0:*]\n  set ylabel 'IOPS'\n");
		if (!strcmp(last->accel, "tcg"))
			fputs("  set label 1 'emulated (TCG)' at graph 0.01, graph 0.97 tc rgb '#b00000'\n", gp);
		fputs("  plot ", gp);
		for (size_t m = 0; m < last->nmodes; m++) {
			struct vb_buf t = {0};
			char *rd = vb_asprintf("%s read", last->modes[m].mode), *wr = vb_asprintf("%s write", last->modes[m].mode);
			vb_buf_addf(&t, "%ssprintf('%%s/trend.dat', DIR) using 1:%zu:%zu:xtic(2) with yerrorlines title ", m ? ", " : "",
			            3 + 4 * m, 4 + 4 * m);
			vb_gp_quote(&t, rd);
			vb_buf_addf(&t, ", sprintf('%%s/trend.dat', DIR) using 1:%zu:%zu with yerrorlines title ", 5 + 4 * m, 6 + 4 * m);
			vb_gp_quote(&t, wr);
			fputs(t.s, gp);
			vb_buf_free(&t);
			free(rd);
			free(wr);
		}
		fputs("\n  unset output\n}\n", gp);
		fclose(gp);
		gp = NULL;
		vb_write_file_atomic(gpp, gpbuf, gplen);
		if (!vb_gp_available()) {
			vb_warn("gnuplot is not installed, so no trend chart was drawn (apt-get install gnuplot-nox)");
		} else {
			char *log = vb_asprintf("%s/gnuplot.log", out);
			if (vb_gp_run(gpp, out, log) != 0)
				vb_warn("gnuplot failed drawing the trend chart in '%s' (see %s)", out, log);
			free(log);
			printf("chart: %s/trend.png, %s/trend.svg\n", out, out);
		}
	}
	if (dat)
		fclose(dat);
	if (gp)
		fclose(gp);
	free(datp);
	free(gpp);
	free(datbuf);
	free(gpbuf);
	free(keep);
	ret = VB_EXIT_OK;
out:
	for (size_t i = 0; i < nruns; i++)
		vb_summary_release(&runs[i]);
	free(runs);
	for (size_t i = 0; dirs && i < ndirs; i++)
		free(dirs[i]);
	free(dirs);
	free(out);
	return ret;
}
