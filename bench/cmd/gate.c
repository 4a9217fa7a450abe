/* `vmio-bench gate ROOT [RUN]`: the nightly regression gate.
 *
 * RUN (default: ROOT's newest run) is judged against the history: the
 * pooled repetitions of the last --history accepted runs in ROOT that
 * measured the same job with the same tuning, accelerator and versions.
 * Per mode, job point, direction and metric the decision rule of
 * verdict.h gives pass, improved, inconclusive or regressed; a mode that
 * finished in the history but not in RUN is regressed.  With --rerun N,
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
#include "history.h"
#include "hv.h"
#include "options.h"
#include "summary.h"
#include "render.h"
#include "util.h"
#include "verdict.h"
#include "xmlbuf.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define FDR 0.05

/* One judged row: a mode, point, direction and metric (metric -1: the
 * mode's status), its pooled values and the test. */
struct item {
	const char *mode, *point, *dir;
	int metric;
	double *hv, *nv;
	size_t nh, nn, caph, capn;
	struct vb_test t;
};

struct gate {
	struct vb_config *c;
	const char *root;
	struct vb_history h;
	struct vb_night *target;
	struct vb_night **hist;   /* the history, newest first */
	size_t nhist;
	size_t not_accepted, differing; /* earlier runs left out */
	struct vb_night *ref;     /* threshold-only: the run compared with */
	bool first;               /* nothing before RUN to compare with */
	struct vb_gate_rule rule;
	struct item *items;
	size_t nitems, new_rows;
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
		if (g->nhist < g->c->history)
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
	}
	free(g->items);
	g->items = NULL;
	g->nitems = 0;
	g->new_rows = 0;
}

/* Every row of RUN and metric asked for, with the history's values; the
 * modes that finished before and not now.  Then the verdicts. */
static void judge(struct gate *g, const bool want[VB_NMETRICS])
{
	const struct vb_summary *s = &g->target->run;
	struct vb_night **from = g->nhist ? g->hist : &g->ref;
	size_t nfrom = g->nhist ? g->nhist : g->ref ? 1 : 0;
	size_t k = 0;

	free_items(g);
	g->items = vb_calloc(s->nrows * VB_NMETRICS + s->nmodes + 1, sizeof(*g->items));
	for (size_t m = 0; m < s->nmodes; m++) {
		const char *now = vb_night_mode_status(g->target, s->modes[m].mode);
		bool before = false;
		for (size_t i = 0; i < nfrom; i++) {
			const char *st = vb_night_mode_status(from[i], s->modes[m].mode);
			before |= st && !strcmp(st, "ok");
		}
		if (before && (!now || strcmp(now, "ok") != 0))
			g->items[k++] = (struct item){.mode = s->modes[m].mode, .point = "-", .dir = "-", .metric = -1,
			                              .t = {.verdict = VB_REGRESSED, .why = "finished in the history, not in this run",
			                                    .change_pct = NAN, .p = NAN, .q = NAN}};
	}
	for (size_t r = 0; r < s->nrows; r++) {
		const struct vb_row *row = &s->rows[r];
		if (!row->n || row->s[VB_M_IOPS].mean <= 0)
			continue; /* a direction the job does not exercise */
		for (int m = 0; m < VB_NMETRICS; m++) {
			if (!want[m])
				continue;
			struct item it = {.mode = row->mode, .point = row->point, .dir = row->dir, .metric = m};
			vb_night_values(g->target, it.mode, it.point, it.dir, m, &it.nv, &it.nn, &it.capn);
			for (size_t i = 0; i < nfrom; i++)
				vb_night_values(from[i], it.mode, it.point, it.dir, m, &it.hv, &it.nh, &it.caph);
			if (!it.nn || !it.nh) {
				g->new_rows += it.nn && !it.nh;
				free(it.hv);
				free(it.nv);
				continue;
			}
			it.t = (struct vb_test){.hist = it.hv, .nh = it.nh, .now = it.nv, .nn = it.nn,
			                        .higher_is_better = vb_metrics[m].higher_is_better};
			vb_test_measure(&it.t, &g->rule);
			g->items[k++] = it;
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
		struct vb_config rc = {0};
		char *argv[] = {"run", NULL};
		dup2(2, 1);
		if (vb_options_parse(&rc, VB_CMD_RUN, 1, argv, NULL, NULL) < 0 ||
		    vb_options_from_json(&rc, VB_CMD_RUN, json_object_get(g->target->run.run, "config")) < 0)
			_exit(VB_EXIT_USAGE);
		rc.mode_tuning = json_deep_copy(json_object_get(json_object_get(g->target->run.run, "config_file"), "modes"));
		free(rc.modes);
		rc.modes = vb_strdup(modes.s);
		free(rc.results);
		rc.results = vb_strdup(g->root);
		free(rc.rerun_of);
		rc.rerun_of = vb_strdup(g->target->run.id);
		if (rc.reps == 0 && g->c->rerun >= 2)
			rc.max_reps = g->c->rerun; /* --reps auto: at most N more */
		else
			rc.reps = g->c->rerun;
		int r = vb_cmd_run(&rc, 0, NULL);
		vb_config_release(&rc);
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

static void print_text(const struct gate *g)
{
	const struct vb_summary *s = &g->target->run;
	printf("gate %s (%s, %s)\n", s->id, s->job, s->accel);
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
		printf("; left out: %zu not accepted, %zu measured differently\n", g->not_accepted, g->differing);
		printf("rule: change of medians beyond the gate (the larger of %.1f%% and %.2g x the history's MAD) and "
		       "Mann-Whitney U significant at Benjamini-Hochberg q < %.2f\n",
		       g->rule.threshold_pct, g->rule.spread_mult, g->rule.fdr);
	}
	if (g->target->nreruns)
		printf("with rerun%s:", g->target->nreruns == 1 ? "" : "s");
	for (size_t i = 0; i < g->target->nreruns; i++)
		printf(" %s%s", g->target->reruns[i].id, i + 1 == g->target->nreruns ? "\n" : "");
	bool fleet = g->target->run.fleet;
	if (g->nitems) {
		vb_render_mode_cell(stdout, fleet ? "host/mode" : "mode", fleet);
		printf("%-16s %-5s %-9s %11s %11s %8s %18s %6s %8s %8s  %s\n", "point", "dir", "metric", "history",
		       "new", "change", "95% interval", "gate", "p", "q", "verdict");
	}
	for (size_t i = 0; i < g->nitems; i++) {
		const struct item *it = &g->items[i];
		const struct vb_test *t = &it->t;
		if (it->metric < 0) {
			vb_render_mode_cell(stdout, it->mode, fleet);
			printf("%-16s %-5s %-9s %11s %11s %8s %18s %6s %8s %8s  %s (%s)\n", "-", "-", "status", "ok",
			       "failed", "", "", "", "", "", vb_verdict_names[t->verdict], t->why);
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
		printf("%-16s %-5s %-9s %11s %11s %+7.1f%% %18s %5.1f%% %8s %8s  %s\n", it->point, it->dir,
		       metric_name(it), hist, now, t->change_pct, iv, t->gate_pct, p, q, vb_verdict_names[t->verdict]);
	}
	printf("(history and new: median/repetitions)\n");
	if (g->new_rows && !g->first)
		printf("%zu row%s had nothing in the history to compare with (a new mode or point): not judged\n", g->new_rows,
		       g->new_rows == 1 ? "" : "s");
	if (g->rerun_note)
		printf("%s\n", g->rerun_note);
	printf("verdict: %s", vb_verdict_names[g->overall]);
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
		if (it->metric >= 0) {
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
	json_t *doc = json_pack("{s:s, s:s, s:o, s:{s:o, s:i, s:i}, s:{s:f, s:f, s:f, s:i, s:b}, s:b, s:o, s:o, s:s, s:b, s:i}",
	                        "run", g->target->run.id, "root", g->root, "reruns", reruns, "history", "runs", hist,
	                        "left_out_not_accepted", (int)g->not_accepted, "left_out_differing", (int)g->differing,
	                        "rule", "threshold_pct", g->rule.threshold_pct, "spread_mult", g->rule.spread_mult, "fdr",
	                        g->rule.fdr, "history_k", (int)g->c->history, "threshold_only", g->rule.threshold_only,
	                        "first_run", g->first, "reference", g->ref ? json_string(g->ref->run.id) : json_null(),
	                        "tests", tests, "verdict", vb_verdict_names[g->overall], "accepted", g->accepted,
	                        "exit_status", g->overall == VB_REGRESSED ? 1 : g->overall == VB_INCONCLUSIVE ? 3 : 0);
	json_object_set_new(doc, "rerun", g->rerun_note ? json_string(g->rerun_note) : json_null());
	json_object_set_new(doc, "new_rows_not_judged", json_integer((json_int_t)g->new_rows));
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
	g->nhist = g->not_accepted = g->differing = 0;
	g->ref = NULL;
	vb_history_release(&g->h);
}

int vb_cmd_gate(struct vb_config *c, int nrest, char **rest)
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

int vb_cmd_accept(struct vb_config *c, int nrest, char **rest)
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
	if (json_string_value(json_object_get(json_object_get(s.run, "config"), "rerun_of"))) {
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
