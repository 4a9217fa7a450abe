/* tuneout: what a tune leaves (tune.h): tune.json (its keys spelled here
 * alone; results/tune.schema.json documents them), winner.ini, winner.xml
 * and the ranked table on stdout. */
#include "config.h"
#include "cmd/tune.h"
#include "core/options.h"
#include "core/results.h"
#include "core/util.h"
#include "summary/tuneobj.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TUNE_SCHEMA 1
#define K_SCHEMA "schema"
#define K_MODE "mode"
#define K_OBJECTIVE "objective"
#define K_LOWER_BETTER "lower_better"
#define K_SPACE "space"
#define K_MIN_EFFECT "min_effect_pct"
#define K_BUDGET "budget_min"
#define K_SECONDS "seconds"
#define K_SEED "seed"
#define K_CANDIDATES "candidates"
#define K_NAME "name"
#define K_TAG "tag"
#define K_SETTINGS "settings"
#define K_DEFAULT "is_default"
#define K_VALUES "values"
#define K_MEAN "mean"
#define K_CI95 "ci95"
#define K_REPS "reps"
#define K_DROPPED_ROUND "dropped_round"
#define K_DROP_REASON "drop_reason"
#define K_ROUNDS "rounds"
#define K_STOP "stop"
#define K_WINNER "winner"
#define K_CONFIRMATION "confirmation"

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *cand_json(const struct vb_tune *t, size_t i)
{
	const struct vb_race_cand *rc = &t->race.c[i];
	const struct vb_tune_cand *c = &t->cand[i];
	double mean, lo, hi;
	json_t *vals = json_array();
	for (size_t k = 0; k < rc->n; k++)
		json_array_append_new(vals, json_real(rc->v[k]));
	/* the race's own figure and spread (round means), not each
	 * repetition taken as independent: tighter than what was tested */
	vb_race_estimate(&t->race, i, &mean, &lo, &hi);
	json_t *ci = isfinite(lo) && isfinite(hi) ? json_pack("[f, f]", lo, hi) : json_null();
	return json_pack("{s:s, s:s, s:O, s:b, s:o, s:o, s:o, s:i, s:o, s:o}", K_NAME, c->name, K_TAG, c->tag, K_SETTINGS,
	                 c->set, K_DEFAULT, c->is_default, K_VALUES, vals, K_MEAN, num(mean), K_CI95, ci, K_REPS,
	                 (int)rc->n, K_DROPPED_ROUND,
	                 rc->dropped ? json_integer(rc->dropped) : json_null(), K_DROP_REASON,
	                 c->reason ? json_string(c->reason) : rc->dropped ? json_string("slower") : json_null());
}

/* The job the race ran, as option lines: the winner is the winner for
 * this job, and `run` with another one would measure something else. */
static void ini_job(struct vb_buf *b, const struct vb_config *c)
{
	static const char *const job[] = {"bs", "iodepth", "rw", "rwmixread", "numjobs", "runtime", "ramp", NULL};
	json_t *all = vb_options_to_json(c, "run");
	for (size_t i = 0; job[i]; i++) {
		const struct vb_option *o = vb_option_find(job[i], "run");
		json_t *v = o && o->record ? json_object_get(all, o->record) : NULL;
		if (json_is_integer(v))
			vb_buf_addf(b, "%s = %lld\n", job[i], (long long)json_integer_value(v));
		else if (json_is_string(v))
			vb_buf_addf(b, "%s = %s\n", job[i], json_string_value(v));
	}
	json_decref(all);
}

/* winner.ini: `run -c winner.ini --modes MODE` measures the winner, on
 * the job the race ran. */
static int write_ini(const struct vb_tune *t)
{
	const struct vb_tune_cand *c = &t->cand[t->winner];
	struct vb_buf b = {0};
	const char *k;
	json_t *v;
	vb_buf_addf(&b, "; vmio-bench tune %s: the winner %s of %s (objective %s)\n; run it: vmio-bench run -c winner.ini "
	            "--modes %s\n[global]\n", t->id, c->tag, t->m->name, t->c->objective, t->m->name);
	ini_job(&b, t->c);
	vb_buf_addf(&b, "[mode %s]\n", t->m->name);
	json_object_foreach(c->set, k, v)
		vb_buf_addf(&b, "%s = %s\n", k, json_string_value(v));
	char *path = vb_asprintf("%s/winner.ini", t->dir);
	int r = vb_write_file_atomic(path, b.s, b.len);
	free(path);
	vb_buf_free(&b);
	return r;
}

/* winner.xml: the confirmation's domain of MODE+tuned, as libvirt took it. */
static int write_xml(const struct vb_tune *t)
{
	/* (the first pair's run: each pair's guest is the same domain) */
	const char *run = json_string_value(json_object_get(json_array_get(json_object_get(t->confirm, "runs"), 0), "run"));
	if (!run)
		return 0;
	char *rel = vb_asprintf("confirm/%s/%s+tuned/domain.xml", run, t->m->name);
	size_t len = 0;
	char *xml = vb_read_regular_below(t->dir, rel, 1 << 20, &len);
	free(rel);
	if (!xml)
		return vb_error("tune: the confirmation run %s kept no domain XML of %s+tuned: winner.xml is not written", run,
		                t->m->name);
	char *path = vb_asprintf("%s/winner.xml", t->dir);
	int r = vb_write_file_atomic(path, xml, len);
	free(path);
	free(xml);
	return r;
}

int vb_tune_write(struct vb_tune *t)
{
	json_t *cands = json_array();
	for (size_t i = 0; i < t->n; i++)
		json_array_append_new(cands, cand_json(t, i));
	json_t *doc = json_pack("{s:i, s:s, s:s, s:b, s:O, s:f, s:i, s:f, s:I, s:o, s:O, s:s, s:o, s:O?}", K_SCHEMA,
	                        TUNE_SCHEMA, K_MODE, t->m->name, K_OBJECTIVE, t->c->objective, K_LOWER_BETTER,
	                        vb_objective_lower_better(t->obj), K_SPACE, t->space, K_MIN_EFFECT, t->c->min_effect,
	                        K_BUDGET, (int)t->c->budget, K_SECONDS, vb_now() - t->t0, K_SEED, (json_int_t)t->seed, K_CANDIDATES, cands,
	                        K_ROUNDS, t->rounds, K_STOP, t->stop ? t->stop : "failed", K_WINNER,
	                        t->winner < t->n ? json_string(t->cand[t->winner].tag) : json_null(), K_CONFIRMATION,
	                        t->confirm);
	char *path = vb_asprintf("%s/tune.json", t->dir);
	int r = vb_results_write_json(path, doc);
	free(path);
	json_decref(doc);
	if (r == 0 && t->winner < t->n)
		r = write_ini(t) < 0 || write_xml(t) < 0 ? -1 : 0;
	return r;
}

/* Rank: the winner, the survivors by mean, then the dropped, the latest
 * round first. */
static int rank_cmp(const struct vb_tune *t, size_t a, size_t b)
{
	const struct vb_race_cand *x = &t->race.c[a], *y = &t->race.c[b];
	if ((a == t->winner) != (b == t->winner))
		return a == t->winner ? -1 : 1;
	if (x->dropped != y->dropped)
		return !x->dropped ? -1 : !y->dropped ? 1 : y->dropped - x->dropped;
	double mx, my, lo, hi;
	vb_race_estimate(&t->race, a, &mx, &lo, &hi);
	vb_race_estimate(&t->race, b, &my, &lo, &hi);
	if (!x->n || !y->n)
		return !y->n - !x->n; /* no figure last */
	double d = t->race.lower_better ? mx - my : my - mx;
	return d < 0 ? -1 : d > 0;
}

static void table_row(const struct vb_tune *t, size_t i, size_t rank)
{
	const struct vb_race_cand *rc = &t->race.c[i];
	double mean, lo, hi;
	char st[48];
	vb_race_estimate(&t->race, i, &mean, &lo, &hi);
	if (i == t->winner)
		snprintf(st, sizeof(st), "winner");
	else if (!rc->dropped)
		snprintf(st, sizeof(st), "survivor");
	else
		snprintf(st, sizeof(st), "%s round %d", t->cand[i].reason ? "failed" : "dropped", rc->dropped);
	char val[64];
	int dec = mean >= 100 ? 0 : 3; /* IOPS whole; a p99 in ns too; per-CPU figures may be small */
	if (rc->n && isfinite(lo))
		snprintf(val, sizeof(val), "%.*f (%.*f-%.*f)", dec, mean, dec, lo, dec, hi);
	else if (rc->n)
		snprintf(val, sizeof(val), "%.*f", dec, mean);
	else
		snprintf(val, sizeof(val), "-");
	printf("%4zu  %-4s %-44s %-22s %4zu  %s%s\n", rank, t->cand[i].tag, t->cand[i].label, val, rc->n, st,
	       t->cand[i].is_default ? " (default)" : "");
}

void vb_tune_table(const struct vb_tune *t)
{
	size_t *o = vb_calloc(t->n + 1, sizeof(size_t));
	for (size_t i = 0; i < t->n; i++)
		o[i] = i;
	for (size_t i = 1; i < t->n; i++) /* insertion sort: at most 64 */
		for (size_t j = i; j > 0 && rank_cmp(t, o[j - 1], o[j]) > 0; j--) {
			size_t x = o[j];
			o[j] = o[j - 1];
			o[j - 1] = x;
		}
	printf("tune %s: %s, objective %s (%s, 95%% interval)\n", t->id, t->m->name, t->c->objective,
	       t->race.lower_better ? "lower is better" : "higher is better");
	printf("%4s  %-4s %-44s %-22s %4s  %s\n", "rank", "cand", "settings", t->c->objective, "reps", "status");
	for (size_t i = 0; i < t->n; i++)
		table_row(t, o[i], i + 1);
	static const struct { const char *stop, *why; } stops[] = {
		{"one", "one survivor"}, {"tied", "the survivors are within the minimum effect of each other"},
		{"budget", "the budget: another round would not fit"}, {"failed", "no candidate finished a round"},
		{"interrupted", "a signal: the race is unfinished"},
	};
	for (size_t k = 0; k < sizeof(stops) / sizeof(stops[0]); k++)
		if (t->stop && !strcmp(stops[k].stop, t->stop))
			printf("stop: %s after %d round%s (%s)\n", t->stop, t->race.round, t->race.round == 1 ? "" : "s", stops[k].why);
	printf("%s\n", t->confirm_line ? t->confirm_line : "confirmation: not run");
	free(o);
}
