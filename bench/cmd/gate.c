/* `vmio-bench gate ROOT [RUN]`: the nightly regression gate.
 *
 * RUN (default: ROOT's newest run) is judged against the history: the
 * pooled repetitions of the last --history accepted runs in ROOT that
 * measured the same job with the same tuning and accelerator on the same
 * machine (host name, CPU model).  What is under test -- the versions of
 * QEMU, libvirt, the kernels and fio -- may differ: such runs pool, and
 * the verdict names every version that changed (judging an upgrade is
 * what the gate is for).  A --vms point is judged on its aggregate IOPS
 * and on its slowest guest's (worst_guest_iops, in --metric's default).  The history itself is one population: the
 * accepted runs since its versions last changed (an accepted upgrade
 * starts it afresh, so that losing its gain is not the older norm).  Per mode, job point, direction and metric the
 * decision rule of verdict.h gives pass, improved, inconclusive or
 * regressed.  What RUN's plan asked for and did not get regresses,
 * whatever the history: a mode that failed or was unavailable at probe
 * time, a point without repetitions, a direction that read 0 IOPS (its
 * repetitions count as 0 in the tests, too); under --modes all, a mode
 * unavailable tonight that the history never finished is only listed as
 * not measured (nothing was lost).  A mode the history has and
 * RUN's plan did not ask for is listed as not measured and judged by
 * nothing.  With --rerun N,
 * the modes left inconclusive are measured again (N more repetitions, a
 * new run folder marked as RUN's rerun) and judged with RUN's own.  A run
 * that passes is accepted into the history (accepted.json), and so is one
 * still inconclusive after its rerun; a regressed run, or an inconclusive
 * one without a rerun, is not.
 *
 * Exit status: 0 pass, 1 regressed, 2 usage or input, 3 inconclusive.
 *
 * `vmio-bench accept RUN` accepts a run by hand (after an intended
 * change: it then starts the history that later runs are judged by). */
#include "config.h"
#include "commands.h"
#include "runner/runner.h"
#include "summary/runrec.h"
#include "summary/history.h"
#include "host/hv.h"
#include "summary/summary.h"
#include "render/render.h"
#include "core/util.h"
#include "summary/verdict.h"
#include "guest/xmlbuf.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define FDR 0.05

/* One judged row: a mode, point, direction and metric, its pooled values
 * and the test; or (metric -1) what is missing from the plan: a mode that
 * failed or was unavailable, a point without repetitions, a direction
 * that read 0 IOPS -- regressed, whatever the history says. */
struct item {
	const char *mode, *point, *dir;
	int metric;
	double *hv, *nv;
	size_t nh, nn, caph, capn;
	struct vb_test t;
	const char *was, *now; /* metric -1: the status in the history and now */
	char *note;            /* metric -1: why it regressed (t.why points here) */
};

struct gate {
	struct vb_config *c;
	const char *root;
	struct vb_history h;
	struct vb_night *target;
	struct vb_night **hist;   /* the history, newest first */
	size_t nhist;
	size_t not_accepted, differing; /* earlier runs left out */
	size_t older;             /* accepted runs left out: from before the history's versions */
	struct vb_night *ref;     /* threshold-only: the run compared with */
	bool first;               /* nothing before RUN to compare with */
	struct vb_gate_rule rule;
	struct item *items;
	size_t nitems, new_rows;
	char **planned;           /* the modes tonight's plan asked for (vb_run_planned_modes) */
	json_t *changes;          /* what is under test that changed since the history (vb_version_changes) */
	char **not_measured;      /* modes the history has and tonight's plan did not ask for */
	size_t nnot;
	enum vb_verdict overall;
	bool accepted;
	const char *rerun_note;   /* what became of --rerun, or NULL */
	bool rerun_impossible;    /* only imported modes needed one */
};

static bool complete(const struct vb_night *n)
{
	return n->run.state && strcmp(n->run.state, "complete") == 0;
}

/* The history: the last K accepted, complete, comparable runs before RUN;
 * failing that, the newest comparable run (judged by --threshold only). */
static void choose_history(struct gate *g)
{
	size_t t = (size_t)(g->target - g->h.nights);
	g->hist = vb_calloc(g->h.n ? g->h.n : 1, sizeof(*g->hist));
	for (size_t i = t; i-- > 0;) {
		struct vb_night *n = &g->h.nights[i];
		if (!complete(n))
			continue;
		if (vb_runs_differ(&n->run, &g->target->run, false, NULL)) {
			g->differing++;
			continue;
		}
		if (!n->accepted_by) {
			g->not_accepted++;
			if (!g->ref)
				g->ref = n;
			continue;
		}
		/* the history is one population: the accepted runs since its
		 * versions under test last changed.  Pooled with the runs from
		 * before an accepted upgrade, a step (an improvement) would make
		 * the next night's loss of it look like the older norm */
		if (g->nhist >= g->c->history)
			continue;
		if (g->nhist && (g->older || !vb_versions_same(&n->run, &g->hist[0]->run))) {
			g->older++;
			continue;
		}
		g->hist[g->nhist++] = n;
	}
	if (g->nhist)
		g->ref = NULL;
	g->rule.threshold_only = !g->nhist;
	g->first = !g->nhist && !g->ref;
}

static void free_items(struct gate *g)
{
	for (size_t i = 0; i < g->nitems; i++) {
		free(g->items[i].hv);
		free(g->items[i].nv);
		free(g->items[i].note);
	}
	free(g->items);
	g->items = NULL;
	g->nitems = 0;
	g->new_rows = 0;
	json_decref(g->changes);
	g->changes = NULL;
	for (size_t i = 0; i < g->nnot; i++)
		free(g->not_measured[i]);
	free(g->not_measured);
	g->not_measured = NULL;
	g->nnot = 0;
	for (size_t i = 0; g->planned && g->planned[i]; i++)
		free(g->planned[i]);
	free(g->planned);
	g->planned = NULL;
}

/* A regression of what the plan asked for and did not get. */
static void missing(struct gate *g, size_t *k, const char *mode, const char *point, const char *dir, const char *was,
                    const char *now, char *note)
{
	g->items[(*k)++] = (struct item){.mode = mode, .point = point, .dir = dir, .metric = -1, .was = was, .now = now,
	                                 .note = note, .t = {.verdict = VB_REGRESSED, .why = note, .change_pct = NAN,
	                                                     .p = NAN, .q = NAN}};
}

static bool finished_in(struct vb_night *const *from, size_t nfrom, const char *mode)
{
	for (size_t i = 0; i < nfrom; i++) {
		const char *st = vb_night_mode_status(from[i], mode);
		if (st && !strcmp(st, "ok"))
			return true;
	}
	return false;
}

static char *why_missing(const struct vb_mode_status *ms)
{
	if (!ms)
		return vb_strdup("asked for, but the run has no record of it");
	if (!strcmp(ms->status, "unavailable"))
		return vb_asprintf("asked for, unavailable at probe time: %s", ms->reason ? ms->reason : "no reason recorded");
	return vb_asprintf("asked for, %s: %s", ms->status, ms->reason ? ms->reason : "no reason recorded");
}

/* One wanted metric of one exercised row: tonight's values against the
 * history's, every repetition counted. */
static void test_row(struct gate *g, size_t *k, struct vb_night *const *from, size_t nfrom, const char *mode,
                     const char *point, const char *dir, int m)
{
	struct item it = {.mode = mode, .point = point, .dir = dir, .metric = m};
	struct vb_values now = {0}, hist = {0};
	vb_night_values_all(g->target, mode, point, dir, m, &now);
	for (size_t i = 0; i < nfrom; i++)
		vb_night_values_all(from[i], mode, point, dir, m, &hist);
	if (!now.n || !hist.n) {
		g->new_rows += now.n && !hist.n;
		free(now.v);
		free(hist.v);
		return;
	}
	it.nv = now.v, it.nn = now.n, it.hv = hist.v, it.nh = hist.n;
	it.t = (struct vb_test){.hist = it.hv, .nh = it.nh, .now = it.nv, .nn = it.nn,
	                        .higher_is_better = vb_metrics[m].higher_is_better};
	vb_test_measure(&it.t, &g->rule);
	g->items[(*k)++] = it;
}

/* Does the row do I/O?  The plan says (rw, rwmixread); where it does not
 * (an imported trim job), any IOPS tonight or in the history. */
static bool exercised(const struct gate *g, struct vb_night *const *from, size_t nfrom, const char *mode,
                      size_t p, const char *dir)
{
	const char *point = g->target->run.points[p];
	int ex = vb_point_exercises(&g->target->run, p, dir);
	if (ex >= 0)
		return ex;
	struct vb_values v = {0};
	vb_night_values_all(g->target, mode, point, dir, VB_M_IOPS, &v);
	for (size_t i = 0; i < nfrom; i++)
		vb_night_values_all(from[i], mode, point, dir, VB_M_IOPS, &v);
	bool any = v.zeros < v.reps;
	free(v.v);
	return any;
}

static void add_not_measured(struct gate *g, const char *name)
{
	if (!(g->not_measured = realloc(g->not_measured, (g->nnot + 1) * sizeof(char *))))
		abort();
	g->not_measured[g->nnot++] = vb_strdup(name);
}

/* Was tonight's plan "every mode this host offers" (--modes all)? */
static bool asked_all(const struct vb_summary *s)
{
	const char *list = vb_runrec_config_str(s->run, "modes");
	return list && !strcmp(list, "all");
}

/* The modes the history finished that tonight's plan did not ask for:
 * listed, judged by nothing. */
static void find_not_measured(struct gate *g, struct vb_night *const *from, size_t nfrom, char **planned)
{
	for (size_t i = 0; i < nfrom; i++) {
		for (size_t m = 0; m < from[i]->run.nmodes; m++) {
			const char *name = from[i]->run.modes[m].mode;
			bool known = false;
			for (size_t p = 0; planned[p] && !known; p++)
				known = !strcmp(planned[p], name);
			for (size_t p = 0; p < g->nnot && !known; p++)
				known = !strcmp(g->not_measured[p], name);
			const char *st = vb_night_mode_status(from[i], name);
			if (known || !st || strcmp(st, "ok") != 0)
				continue;
			add_not_measured(g, name);
		}
	}
}

/* Every mode, point and direction tonight's plan asked for, and every
 * metric wanted of it, against the history; what the plan asked for and
 * did not get regresses.  Then the verdicts. */
static void judge(struct gate *g, const bool want[VB_NMETRICS])
{
	const struct vb_summary *s = &g->target->run;
	struct vb_night **from = g->nhist ? g->hist : &g->ref;
	size_t nfrom = g->nhist ? g->nhist : g->ref ? 1 : 0;
	size_t k = 0, nplanned = 0;
	static const char *const dirs[2] = {"read", "write"};

	free_items(g);
	char **planned = g->planned = vb_run_planned_modes(s, &nplanned); /* the items borrow its names */
	g->items = vb_calloc(nplanned * (s->npoints * 2 * (VB_NMETRICS + 1) + 1) + 1, sizeof(*g->items));
	const struct vb_summary **before = vb_calloc(nfrom + 1, sizeof(*before));
	for (size_t i = 0; i < nfrom; i++)
		before[i] = &from[i]->run;
	g->changes = vb_version_changes(before, nfrom, s);
	free(before);
	find_not_measured(g, from, nfrom, planned);
	for (size_t pm = 0; pm < nplanned; pm++) {
		const struct vb_mode_status *ms = vb_night_mode(g->target, planned[pm]);
		const char *mode = planned[pm];
		const char *was = finished_in(from, nfrom, mode) ? "ok" : "-";
		if (ms && !strcmp(ms->status, "unavailable") && asked_all(s) && !strcmp(was, "-")) {
			/* --modes all on a host that never ran it: nothing was lost
			 * (a host without tgtd would stay red every night) */
			add_not_measured(g, mode);
			continue;
		}
		if (!ms || strcmp(ms->status, "ok") != 0) {
			missing(g, &k, mode, "-", "-", was, ms ? ms->status : "missing", why_missing(ms));
			continue;
		}
		for (size_t p = 0; p < s->npoints; p++) {
			for (int d = 0; d < 2; d++) {
				const char *point = s->points[p];
				if (!exercised(g, from, nfrom, mode, p, dirs[d]))
					continue;
				struct vb_values iops = {0};
				vb_night_values_all(g->target, mode, point, dirs[d], VB_M_IOPS, &iops);
				free(iops.v);
				if (!iops.reps) {
					missing(g, &k, mode, point, "-", was, "none",
					        vb_strdup("asked for, but the mode has no repetition of this job point"));
					break;
				}
				if (iops.zeros)
					missing(g, &k, mode, point, dirs[d], was, "0 IOPS",
					        vb_asprintf("read 0 IOPS in %zu of %zu repetitions", iops.zeros, iops.reps));
				for (int m = 0; m < VB_NMETRICS; m++)
					if (want[m])
						test_row(g, &k, from, nfrom, mode, point, dirs[d], m);
			}
		}
	}
	g->nitems = k;
	/* the family: every test of the run (status items carry no p) */
	struct vb_test *t = vb_calloc(k ? k : 1, sizeof(*t));
	size_t nt = 0;
	for (size_t i = 0; i < k; i++)
		if (g->items[i].metric >= 0)
			t[nt++] = g->items[i].t;
	vb_tests_decide(t, nt, &g->rule);
	nt = 0;
	for (size_t i = 0; i < k; i++)
		if (g->items[i].metric >= 0)
			g->items[i].t = t[nt++];
	free(t);
	/* the run's verdict: the worst of its tests, in the order of the
	 * enum (pass, improved, inconclusive, regressed) */
	g->overall = VB_PASS;
	for (size_t i = 0; i < k; i++)
		if (g->items[i].t.verdict > g->overall)
			g->overall = g->items[i].t.verdict;
}

/* --rerun: the inconclusive modes again, as a new run in ROOT made with
 * RUN's own recorded configuration -- its hypervisor, disk and store:
 * --rerun-of makes the child use them, or refuse (vb_manifest_check_place)
 * -- in a child whose output goes to
 * stderr (stdout is the verdict's).  Returns the run's exit status, or -1
 * when nothing needed a rerun that vmio-bench can measure (an imported
 * mode's figures came from elsewhere). */
static bool imported_mode(const struct vb_summary *s, const char *mode)
{
	for (size_t i = 0; i < s->nmodes; i++)
		if (strcmp(s->modes[i].mode, mode) == 0)
			return s->modes[i].imported != NULL;
	return false;
}

static int rerun(struct gate *g)
{
	struct vb_buf modes = {0};
	if (g->target->run.fleet)
		return -2; /* its modes are HOST/MODE, each host's own run: not one run to repeat */
	for (size_t i = 0; i < g->nitems; i++) {
		if (g->items[i].t.verdict != VB_INCONCLUSIVE || imported_mode(&g->target->run, g->items[i].mode))
			continue;
		char *want = vb_asprintf(",%s,", g->items[i].mode), *have = vb_asprintf(",%s,", modes.s ? modes.s : "");
		if (!strstr(have, want))
			vb_buf_addf(&modes, "%s%s", modes.len ? "," : "", g->items[i].mode);
		free(want);
		free(have);
	}
	if (!modes.len)
		return -1;
	vb_info("gate: re-measuring %s with %u more repetition%s (a rerun of %s)", modes.s, g->c->rerun,
	        g->c->rerun == 1 ? "" : "s", g->target->run.id);
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(2, 1);
		int r = vb_runner_rerun(g->target->run.run, g->target->run.id, g->root, modes.s, g->c->rerun);
		vb_hv_close(); /* a remote run's ssh master: _exit skips atexit */
		fflush(NULL);
		_exit(r);
	}
	vb_buf_free(&modes);
	if (pid < 0)
		return vb_error("gate: cannot start the rerun: %s", strerror(errno)), VB_EXIT_FAIL;
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : VB_EXIT_FAIL;
}

/* ---- output ------------------------------------------------------------ */

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static const char *metric_name(const struct item *it)
{
	return it->metric >= 0 ? vb_metrics[it->metric].name : "status";
}

/* "since the history", "since 2 of the history's 5 runs", "since run X" */
static char *since(const struct gate *g, json_t *change)
{
	json_int_t runs = json_integer_value(json_object_get(change, "runs"));
	json_int_t of = json_integer_value(json_object_get(change, "of"));
	if (g->rule.threshold_only && g->ref)
		return vb_asprintf("since run %s", g->ref->run.id);
	if (runs == of)
		return vb_strdup("since the history");
	return vb_asprintf("since %lld of the history's %lld runs", (long long)runs, (long long)of);
}

/* "QEMU 7.2.22 → 8.2.0 since the history" (caller frees) */
static char *change_line(const struct gate *g, json_t *change)
{
	char *what = vb_version_change_text(change), *when = since(g, change);
	char *line = vb_asprintf("%s %s", what, when);
	free(what);
	free(when);
	return line;
}

/* What the run is judged against, and what changed under test since. */
static void print_history(const struct gate *g)
{
	if (g->first) {
		printf("first run of this history: nothing before it in %s measured the same way, so there is nothing to judge it by;\n"
		       "it is accepted as the history's start\n", g->root);
	} else if (g->rule.threshold_only) {
		printf("no accepted run in %s measured the same way: judged against run %s by --threshold %.1f%% only (no rank test)\n",
		       g->root, g->ref->run.id, g->rule.threshold_pct);
	} else {
		if (g->nhist == 1)
			printf("history: 1 accepted run (%s)", g->hist[0]->run.id);
		else
			printf("history: %zu accepted runs (%s ... %s)", g->nhist, g->hist[g->nhist - 1]->run.id, g->hist[0]->run.id);
		printf("; left out: %zu not accepted, %zu measured differently", g->not_accepted, g->differing);
		if (g->older)
			printf(", %zu accepted before the history's versions (QEMU, libvirt, kernels, fio) last changed", g->older);
		printf("\n");
		printf("rule: change of medians beyond the gate (the larger of %.1f%% and %.2g x the history's MAD) and "
		       "Mann-Whitney U significant at Benjamini-Hochberg q < %.2f\n",
		       g->rule.threshold_pct, g->rule.spread_mult, g->rule.fdr);
	}
	size_t ci;
	json_t *c;
	json_array_foreach(g->changes, ci, c) {
		char *line = change_line(g, c);
		printf("under test, changed: %s\n", line);
		free(line);
	}
}

static void print_text(const struct gate *g)
{
	const struct vb_summary *s = &g->target->run;
	size_t ci;
	json_t *c;
	printf("gate %s (%s, %s)\n", s->id, s->job, s->accel);
	print_history(g);
	if (g->target->nreruns)
		printf("with rerun%s:", g->target->nreruns == 1 ? "" : "s");
	for (size_t i = 0; i < g->target->nreruns; i++)
		printf(" %s%s", g->target->reruns[i].id, i + 1 == g->target->nreruns ? "\n" : "");
	bool fleet = g->target->run.fleet;
	int mw = 9; /* the metric column: wider only when worst_guest_iops is in it */
	for (size_t i = 0; i < g->nitems; i++)
		if ((int)strlen(metric_name(&g->items[i])) > mw)
			mw = (int)strlen(metric_name(&g->items[i]));
	if (g->nitems) {
		vb_render_mode_cell(stdout, fleet ? "host/mode" : "mode", fleet);
		printf("%-16s %-5s %-*s %11s %11s %8s %18s %6s %8s %8s  %s\n", "point", "dir", mw, "metric", "history",
		       "new", "change", "95% interval", "gate", "p", "q", "verdict");
	}
	for (size_t i = 0; i < g->nitems; i++) {
		const struct item *it = &g->items[i];
		const struct vb_test *t = &it->t;
		if (it->metric < 0) {
			vb_render_mode_cell(stdout, it->mode, fleet);
			printf("%-16s %-5s %-*s %11s %11s %8s %18s %6s %8s %8s  %s (%s)\n", it->point, it->dir, mw, "status", it->was,
			       it->now, "", "", "", "", "", vb_verdict_names[t->verdict], t->why);
			continue;
		}
		char hist[48], now[48], iv[48], p[16], q[16];
		snprintf(hist, sizeof(hist), t->med_hist >= 100 ? "%.0f/%zu" : "%.3g/%zu", t->med_hist, t->nh);
		snprintf(now, sizeof(now), t->med_now >= 100 ? "%.0f/%zu" : "%.3g/%zu", t->med_now, t->nn);
		if (isfinite(t->lo_pct) && isfinite(t->hi_pct))
			snprintf(iv, sizeof(iv), "[%+.1f%%, %+.1f%%]", t->lo_pct, t->hi_pct);
		else
			snprintf(iv, sizeof(iv), "%s", g->rule.threshold_only ? "-" : "(too few)");
		snprintf(p, sizeof(p), isnan(t->p) ? "-" : "%.3g", t->p);
		snprintf(q, sizeof(q), isnan(t->q) ? "-" : "%.3g", t->q);
		vb_render_mode_cell(stdout, it->mode, fleet);
		printf("%-16s %-5s %-*s %11s %11s %+7.1f%% %18s %5.1f%% %8s %8s  %s\n", it->point, it->dir,
		       mw, metric_name(it), hist, now, t->change_pct, iv, t->gate_pct, p, q, vb_verdict_names[t->verdict]);
	}
	printf("(history and new: median/repetitions)\n");
	if (g->new_rows && !g->first)
		printf("%zu row%s had nothing in the history to compare with (a new mode or point): not judged\n", g->new_rows,
		       g->new_rows == 1 ? "" : "s");
	if (g->nnot) {
		printf("not measured (tonight's plan did not ask for %s), judged by nothing:", g->nnot == 1 ? "it" : "them");
		for (size_t k = 0; k < g->nnot; k++)
			printf(" %s%s", g->not_measured[k], k + 1 < g->nnot ? "," : "\n");
	}
	if (g->rerun_note)
		printf("%s\n", g->rerun_note);
	printf("verdict: %s", vb_verdict_names[g->overall]);
	json_array_foreach(g->changes, ci, c) {
		char *line = change_line(g, c);
		printf("%s %s", ci ? "," : ", with", line);
		free(line);
	}
	if (g->overall == VB_INCONCLUSIVE && !g->target->nreruns && !g->rerun_impossible)
		printf(" (more repetitions would tell: 'vmio-bench gate %s %s --rerun 7')", g->root, s->id);
	else if (g->overall == VB_INCONCLUSIVE)
		printf(" (still after its rerun: worse by more than the gate, but not significantly)");
	printf("; %s\n", g->accepted ? "accepted into the history" : "not accepted into the history");
}

static json_t *to_json(const struct gate *g)
{
	json_t *tests = json_array(), *hist = json_array(), *reruns = json_array();
	for (size_t i = 0; i < g->nhist; i++)
		json_array_append_new(hist, json_string(g->hist[i]->run.id));
	for (size_t i = 0; i < g->target->nreruns; i++)
		json_array_append_new(reruns, json_string(g->target->reruns[i].id));
	for (size_t i = 0; i < g->nitems; i++) {
		const struct item *it = &g->items[i];
		const struct vb_test *t = &it->t;
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "mode", it->mode, "point", it->point, "dir", it->dir,
		                      "metric", metric_name(it), "verdict", vb_verdict_names[t->verdict], "why", t->why);
		if (it->metric < 0) {
			json_object_set_new(o, "history_status", json_string(it->was));
			json_object_set_new(o, "new_status", json_string(it->now));
		} else {
			json_object_set_new(o, "history", json_pack("{s:o, s:i}", "median", num(t->med_hist), "reps", (int)t->nh));
			json_object_set_new(o, "new", json_pack("{s:o, s:i}", "median", num(t->med_now), "reps", (int)t->nn));
			json_object_set_new(o, "change_pct", num(t->change_pct));
			json_object_set_new(o, "interval_pct", json_pack("[o, o]", num(t->lo_pct), num(t->hi_pct)));
			json_object_set_new(o, "gate_pct", num(t->gate_pct));
			json_object_set_new(o, "history_spread_pct", num(t->spread_pct));
			json_object_set_new(o, "p_value", num(t->p));
			json_object_set_new(o, "q_value", num(t->q));
			json_object_set_new(o, "exact", json_boolean(t->exact));
		}
		json_array_append_new(tests, o);
	}
	json_t *doc = json_pack("{s:s, s:s, s:o, s:{s:o, s:i, s:i, s:i}, s:{s:f, s:f, s:f, s:i, s:b}, s:b, s:o, s:o, s:s, s:b, s:i}",
	                        "run", g->target->run.id, "root", g->root, "reruns", reruns, "history", "runs", hist,
	                        "left_out_not_accepted", (int)g->not_accepted, "left_out_differing", (int)g->differing, "left_out_older_versions", (int)g->older,
	                        "rule", "threshold_pct", g->rule.threshold_pct, "spread_mult", g->rule.spread_mult, "fdr",
	                        g->rule.fdr, "history_k", (int)g->c->history, "threshold_only", g->rule.threshold_only,
	                        "first_run", g->first, "reference", g->ref ? json_string(g->ref->run.id) : json_null(),
	                        "tests", tests, "verdict", vb_verdict_names[g->overall], "accepted", g->accepted,
	                        "exit_status", g->overall == VB_REGRESSED ? 1 : g->overall == VB_INCONCLUSIVE ? 3 : 0);
	json_object_set_new(doc, "rerun", g->rerun_note ? json_string(g->rerun_note) : json_null());
	json_object_set_new(doc, "new_rows_not_judged", json_integer((json_int_t)g->new_rows));
	json_t *changes = json_deep_copy(g->changes), *c, *nm = json_array();
	size_t ci;
	json_array_foreach(changes, ci, c) {
		char *line = change_line(g, c);
		json_object_set_new(c, "text", json_string(line));
		free(line);
	}
	json_object_set_new(doc, "version_changes", changes);
	for (size_t i = 0; i < g->nnot; i++)
		json_array_append_new(nm, json_string(g->not_measured[i]));
	json_object_set_new(doc, "not_measured", nm);
	return doc;
}

/* JUnit: a test case per test; regressed is a failure, inconclusive is
 * skipped (neither passed nor failed), with the figures in the message. */
static void junit(const char *path, const struct gate *g)
{
	struct vb_buf b = {0};
	size_t failures = 0, skipped = 0;
	for (size_t i = 0; i < g->nitems; i++) {
		failures += g->items[i].t.verdict == VB_REGRESSED;
		skipped += g->items[i].t.verdict == VB_INCONCLUSIVE;
	}
	vb_buf_addf(&b, "<?xml version='1.0' encoding='UTF-8'?>\n<testsuite name='vmio-bench gate' tests='%zu' failures='%zu' skipped='%zu'>\n",
	            g->nitems, failures, skipped);
	for (size_t i = 0; i < g->nitems; i++) {
		const struct item *it = &g->items[i];
		const struct vb_test *t = &it->t;
		char *name = vb_asprintf("%s %s %s", it->point, it->dir, metric_name(it));
		char *msg = it->metric < 0 ? vb_asprintf("%s: %s", vb_verdict_names[t->verdict], t->why)
		                           : vb_asprintf("%s: %s changed %+.1f%% (95%% interval %+.1f%% to %+.1f%%, gate %.1f%%, p=%.3g, q=%.3g) from the history's median %.6g to %.6g; %s",
		                                         vb_verdict_names[t->verdict], metric_name(it), t->change_pct, t->lo_pct,
		                                         t->hi_pct, t->gate_pct, t->p, t->q, t->med_hist, t->med_now, t->why);
		vb_buf_adds(&b, "  <testcase classname='");
		vb_xml_escape(&b, it->mode);
		vb_buf_adds(&b, "' name='");
		vb_xml_escape(&b, name);
		vb_buf_adds(&b, "'>");
		if (t->verdict == VB_REGRESSED || t->verdict == VB_INCONCLUSIVE) {
			vb_buf_adds(&b, t->verdict == VB_REGRESSED ? "<failure message='" : "<skipped message='");
			vb_xml_escape(&b, msg);
			vb_buf_adds(&b, "'/>");
		}
		vb_buf_adds(&b, "<system-out>");
		vb_xml_escape(&b, msg);
		vb_buf_adds(&b, "</system-out></testcase>\n");
		free(name);
		free(msg);
	}
	vb_buf_adds(&b, "</testsuite>\n");
	if (vb_write_file_atomic(path, b.s, b.len) < 0)
		vb_warn("gate: cannot write the JUnit file '%s': %s", path, strerror(errno));
	vb_buf_free(&b);
}

/* ---- the command ------------------------------------------------------- */

static int find_target(struct gate *g, const char *run)
{
	if (!g->h.n)
		return vb_error("gate: no run folders in '%s': run 'vmio-bench run --results %s' first", g->root, g->root);
	if (!run) {
		g->target = &g->h.nights[g->h.n - 1];
	} else if (!(g->target = vb_history_find(&g->h, run))) {
		return vb_error("gate: '%s' is not a run folder in '%s' (a rerun is judged with the run it reran): give one of its runs, or its id",
		                run, g->root);
	}
	if (!complete(g->target))
		return vb_error("gate: run %s is incomplete (still running, or interrupted: finish it with 'vmio-bench run --resume %s')",
		                g->target->run.id, g->target->run.run_dir);
	return 0;
}

static void release(struct gate *g)
{
	free_items(g);
	free(g->hist);
	g->hist = NULL;
	g->nhist = g->not_accepted = g->differing = g->older = 0;
	g->ref = NULL;
	vb_history_release(&g->h);
}

static int vb_cmd_gate(struct vb_config *c, int nrest, char **rest)
{
	struct gate g = {.c = c};
	bool want[VB_NMETRICS];
	int ret = VB_EXIT_USAGE;
	char *id = NULL;

	if (nrest < 1 || nrest > 2) {
		vb_error("gate: give a results root, and optionally the run to judge: see 'vmio-bench gate --help'");
		return VB_EXIT_USAGE;
	}
	if (vb_metrics_parse(c->metric, want) < 0)
		return VB_EXIT_USAGE;
	g.root = rest[0];
	g.rule = (struct vb_gate_rule){.threshold_pct = c->threshold, .spread_mult = c->spread_mult, .fdr = FDR};
	if (vb_history_load(g.root, &g.h) < 0 || find_target(&g, nrest == 2 ? rest[1] : NULL) < 0)
		goto out;
	choose_history(&g);
	g.rule.rerun_follows = c->rerun > 0 && !g.target->nreruns && !g.rule.threshold_only;
	judge(&g, want);
	if (g.rule.rerun_follows && g.overall == VB_INCONCLUSIVE) {
		int r = rerun(&g);
		id = vb_strdup(g.target->run.id);
		release(&g);
		if (vb_history_load(g.root, &g.h) < 0 || find_target(&g, id) < 0)
			goto out;
		choose_history(&g);
		g.rule.rerun_follows = false;
		judge(&g, want);
		g.rerun_impossible = r < 0;
		if (r == -2)
			g.rerun_note = "a fleet's run is not re-measured by --rerun: run the fleet again with more --reps and gate "
			               "that run";
		else if (r < 0)
			g.rerun_note = "only imported modes were inconclusive, and vmio-bench cannot re-measure them: import more "
			               "repetitions into the run instead";
		else if (r != VB_EXIT_OK)
			g.rerun_note = r == VB_EXIT_FAIL ? "the rerun failed in part (see its messages above): judged with what it measured"
			                                 : "the rerun could not start (see its message above): judged without it";
	} else if (g.rule.rerun_follows) {
		g.rerun_note = "nothing was inconclusive: no rerun needed";
	}
	/* pass and improved are accepted; inconclusive only once its rerun is in (it stays
	 * so with all the repetitions the nightly job will spend on it, and
	 * leaving it out would starve a young history), never before */
	g.accepted = g.overall == VB_PASS || g.overall == VB_IMPROVED ||
	             (g.overall == VB_INCONCLUSIVE && g.target->nreruns > 0);
	if (g.accepted && !g.target->accepted_by && vb_accept_write(g.target->run.run_dir, "gate", vb_verdict_names[g.overall]) < 0)
		g.accepted = false;
	g.accepted |= g.target->accepted_by != NULL; /* accepted before (by hand, or an earlier gate) */
	if (strcmp(c->output, "json") == 0) {
		json_t *doc = to_json(&g);
		char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		puts(s);
		free(s);
		json_decref(doc);
	} else {
		print_text(&g);
	}
	if (c->junit)
		junit(c->junit, &g);
	ret = g.overall == VB_REGRESSED ? VB_EXIT_FAIL : g.overall == VB_INCONCLUSIVE ? VB_EXIT_INCONCLUSIVE : VB_EXIT_OK;
out:
	free(id);
	release(&g);
	return ret;
}

static int vb_cmd_accept(struct vb_config *c, int nrest, char **rest)
{
	struct vb_summary s = {0};
	int ret = VB_EXIT_USAGE;
	(void)c;
	if (nrest != 1) {
		vb_error("accept: give one run folder: see 'vmio-bench accept --help'");
		return VB_EXIT_USAGE;
	}
	if (vb_summary_load(rest[0], &s) < 0)
		goto out;
	if (!s.state || strcmp(s.state, "complete") != 0) {
		vb_error("accept: run %s is incomplete: finish it with 'vmio-bench run --resume %s' first", s.id, rest[0]);
		goto out;
	}
	if (vb_runrec_config_str(s.run, "rerun_of")) {
		vb_error("accept: run %s is a rerun: accept the run it reran instead", s.id);
		goto out;
	}
	if (vb_accept_write(rest[0], "hand", "accepted by hand") < 0) {
		ret = VB_EXIT_FAIL;
		goto out;
	}
	printf("accepted run %s into its history (by hand)\n", s.id);
	ret = VB_EXIT_OK;
out:
	vb_summary_release(&s);
	return ret;
}

const struct vb_command vb_command_gate = {
	.name = "gate", .args = true, .fn = vb_cmd_gate,
	.synopsis = "gate ROOT [RUN] [options]",
	.summary = "the nightly regression gate: judge a run against the history of accepted runs in ROOT",
	.help = "Judge RUN (default: ROOT's newest run) against the pooled repetitions of the last\n"
	        "--history accepted runs in ROOT that measured the same job the same way.  Per mode,\n"
	        "job point, direction and metric: the change of medians must exceed the gate (the\n"
	        "larger of --threshold and --spread-mult times the history's MAD) and Mann-Whitney U\n"
	        "must be significant after Benjamini-Hochberg (q < 0.05) for a regression.  A run\n"
	        "without a regression is accepted into the history.  With no accepted run yet, RUN is\n"
	        "judged against the newest comparable run by --threshold alone.\n"
	        "Exit status: 0 pass, 1 regressed, 2 usage or input, 3 inconclusive (try --rerun).\n",
};

const struct vb_command vb_command_accept = {
	.name = "accept", .args = true, .fn = vb_cmd_accept,
	.synopsis = "accept RUN",
	.summary = "accept a run into its results root's history by hand (after an intended change)",
	.help = "Mark RUN as accepted (RUN/accepted.json): gate pools accepted runs as its history.\n",
};
