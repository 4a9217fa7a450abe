/* tune: race a mode's tuning space on this host (tune.h, issue 27).
 *
 * Every candidate is the mode under another name, MODE+cNN (a variant:
 * modes/mode.h), with its settings as that variant's [mode] tuning, so a
 * round is one ordinary run of the surviving candidates, each in its own
 * guest, in a shuffled order (drift over the round hits all alike).  The
 * rule that drops candidates is summary/race.c's; the confirmation is
 * three more runs, MODE beside MODE+tuned, in alternating order. */
#include "config.h"
#include "cmd/tune.h"
#include "commands.h"
#include "core/options.h"
#include "core/results.h"
#include "core/util.h"
#include "host/hv.h"
#include "runner/fleet.h"
#include "runner/runner.h"
#include "summary/stats.h"
#include "summary/summary.h"
#include "summary/tuneobj.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The most candidates a space may have: 64 guests a round is hours under
 * TCG already. */
#define MAX_CANDS 64
/* Later rounds' repetitions per candidate: 2 keep every round's order
 * shuffled and give each survivor a variance estimate that grows, where
 * the first round's --round-reps (3) lets the rule drop at all. */
#define LATER_REPS 2
/* A guest's cost beyond its fio time, for the budget: a TCG boot (~15 s)
 * and teardown, the integrity pass, the run's own steps. */
#define BOOT_S 15.0
#define OVERHEAD_S 10.0

/* The knobs tune races: per-mode tuning options (a [mode] section's keys). */
static const char *const knobs[] = {"io", "cache", "iothreads", "queues", NULL};

/* Which knobs a mode's guest reads, and its default space: values the
 * mode's defaults are among, so the default is a candidate too; io_uring
 * joins io only where the probe passes (8 candidates, 12 with it; cache
 * stays the default none: directsync only adds a flush per write, which
 * a --space can race).  queues=0 is the default, QEMU's own (a queue per
 * vCPU), against a single queue. */
static const struct mode_space {
	const char *mode, *knobs, *space;
} spaces[] = {
	{"virtio-blk", "io cache iothreads queues", "io=native,threads iothreads=0,1 queues=0,1"},
	{"virtio-scsi", "io cache iothreads queues", "io=native,threads iothreads=0,1 queues=0,1"},
	{"sata", "io cache", "io=native,threads cache=none,directsync"},
	{NULL, NULL, NULL},
};

static const struct mode_space *space_of(const char *mode)
{
	for (size_t i = 0; spaces[i].mode; i++)
		if (!strcmp(spaces[i].mode, mode))
			return &spaces[i];
	return NULL;
}

static bool word_in(const char *list, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = list; (p = strstr(p, w)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

/* io_uring where QEMU and the host kernel offer it: qemu-io (QEMU's own
 * block layer, in qemu-utils) opens a scratch file with --aio io_uring
 * and reads 4k; a QEMU built without liburing or a kernel without the
 * syscall (or with it disabled, kernel.io_uring_disabled) fails that.
 * Only this host can be probed: a remote hypervisor's io_uring is left
 * out (and refused in --space). */
static bool io_uring_works(const char *cache_dir)
{
	if (!vb_hv_is_this_host())
		return false;
	/* the cache folder's file system is the store's; /tmp when it is not
	 * made yet */
	char *path = vb_asprintf("%s/.io-uring-probe-XXXXXX", cache_dir && *cache_dir ? cache_dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0) {
		free(path);
		path = vb_strdup("/tmp/.vmio-io-uring-probe-XXXXXX");
		fd = mkstemp(path);
	}
	bool ok = false;
	if (fd >= 0) {
		static const char zero[4096];
		if (write(fd, zero, sizeof(zero)) == (ssize_t)sizeof(zero)) {
			const char *argv[] = {"qemu-io", "-f", "raw", "--aio", "io_uring", "-n", "-c", "read 0 4k", path, NULL};
			/* its messages go to a scratch log, not the terminal:
			 * a failed probe is a fact, not an error */
			char *log = vb_asprintf("%s.log", path), *out = NULL;
			size_t len = 0;
			ok = vb_run_logged(argv, log, 20) == 0 && (out = vb_read_file(log, 1 << 16, &len)) &&
			     !strstr(out, "failed");
			unlink(log);
			free(log);
			free(out);
		}
		close(fd);
		unlink(path);
	}
	free(path);
	return ok;
}

/* One "knob=v,v" word of --space into space.  0, or -1 reported. */
static int space_word(struct vb_tune *t, const struct mode_space *ms, char *w, bool *uring)
{
	char *eq = strchr(w, '=');
	if (!eq || eq == w || !eq[1])
		return vb_error("tune --space: '%s' is not KNOB=VALUE,...: write e.g. 'io=native,threads iothreads=0,1'", w);
	const char *vl = eq + 1;
	size_t vn = strlen(vl);
	/* strtok would skip an empty value silently: a typo, not a choice */
	if (vl[0] == ',' || vl[vn - 1] == ',' || strstr(vl, ",,"))
		return vb_error("tune --space: '%s' has an empty value: list the values comma-separated, none empty", w);
	*eq = '\0';
	const char *k = w;
	size_t i = 0;
	while (knobs[i] && strcmp(knobs[i], k))
		i++;
	if (!knobs[i])
		return vb_error("tune --space: unknown knob '%s': the knobs are io, cache, iothreads and queues", k);
	if (!word_in(ms->knobs, k))
		return vb_error("tune --space: mode %s has no knob '%s': its knobs are %s", t->m->name, k, ms->knobs);
	if (json_object_get(t->space, k))
		return vb_error("tune --space: knob '%s' is given twice: list its values once, comma-separated", k);
	json_t *vals = json_array();
	json_object_set_new(t->space, k, vals);
	char *save = NULL;
	for (char *v = strtok_r(eq + 1, ",", &save); v; v = strtok_r(NULL, ",", &save)) {
		struct vb_config sc;
		char *why = NULL;
		json_t *one = json_pack("{s:s}", k, v);
		vb_config_copy(&sc, t->c);
		int r = vb_config_apply(&sc, VB_CMD_RUN, one, &why);
		vb_config_release(&sc);
		json_decref(one);
		if (r < 0) {
			vb_error("tune --space: %s", why);
			free(why);
			return -1;
		}
		if (!strcmp(k, "io") && !strcmp(v, "io_uring") && !*uring)
			return vb_error("tune --space: io=io_uring: this host's QEMU or kernel cannot do it (qemu-io --aio io_uring "
			                "failed on a scratch file): leave it out");
		size_t j;
		json_t *seen;
		json_array_foreach(vals, j, seen)
			if (!strcmp(json_string_value(seen), v))
				return vb_error("tune --space: %s=%s is given twice: list each value once", k, v);
		json_array_append_new(vals, json_string(v));
	}
	return 0;
}

/* The space: --space, or the mode's own.  0, or -1 reported. */
static int parse_space(struct vb_tune *t)
{
	const struct mode_space *ms = space_of(t->m->name);
	if (!ms)
		return vb_error("tune --mode %s: tune races the tuning of virtio-blk, virtio-scsi and sata; %s has no knobs it "
		                "can race", t->m->name, t->m->name);
	bool uring = io_uring_works(t->c->cache_dir);
	char *spec = vb_strdup(t->c->space ? t->c->space : ms->space);
	t->space = json_object();
	char *save = NULL;
	int r = 0;
	for (char *w = strtok_r(spec, " \t", &save); w && r == 0; w = strtok_r(NULL, " \t", &save))
		r = space_word(t, ms, w, &uring);
	if (r == 0 && !t->c->space && uring) /* the default space: io_uring where probed */
		json_array_append_new(json_object_get(t->space, "io"), json_string("io_uring"));
	if (r == 0 && !json_object_size(t->space))
		r = vb_error("tune --space: the space is empty: name at least one knob and its values");
	free(spec);
	return r;
}

/* A candidate's settings as "k=v k=v". */
static char *label_of(json_t *set)
{
	struct vb_buf b = {0};
	const char *k;
	json_t *v;
	json_object_foreach(set, k, v)
		vb_buf_addf(&b, "%s%s=%s", b.len ? " " : "", k, json_string_value(v));
	return b.s ? vb_buf_release(&b) : vb_strdup("");
}

/* Does set describe the mode's defaults (the configuration as given)? */
static bool same_as_base(const struct vb_tune *t, json_t *set)
{
	struct vb_config sc;
	char *why = NULL;
	vb_config_copy(&sc, t->c);
	vb_config_apply(&sc, VB_CMD_RUN, set, &why);
	free(why);
	json_t *a = vb_options_to_json(t->c, VB_CMD_RUN), *b = vb_options_to_json(&sc, VB_CMD_RUN);
	bool same = true;
	for (size_t i = 0; knobs[i]; i++)
		same = same && json_equal(json_object_get(a, knobs[i]), json_object_get(b, knobs[i]));
	json_decref(a);
	json_decref(b);
	vb_config_release(&sc);
	return same;
}

/* Candidate number idx of the product (mixed radix over the knobs in
 * order), or NULL when the mode refuses the combination (why set). */
static json_t *combination(const struct vb_tune *t, size_t idx, char **why)
{
	json_t *set = json_object(), *vals;
	const char *k;
	json_object_foreach(t->space, k, vals) {
		size_t nv = json_array_size(vals);
		json_object_set(set, k, json_array_get(vals, idx % nv));
		idx /= nv;
	}
	struct vb_config sc;
	vb_config_copy(&sc, t->c);
	int r = vb_config_apply(&sc, VB_CMD_RUN, set, why) < 0 ? -1 : vb_mode_check_tuning_quiet(&sc, why);
	vb_config_release(&sc);
	if (r < 0) {
		json_decref(set);
		return NULL;
	}
	return set;
}

/* Every combination the mode takes.  0, or -1 reported. */
static int build_candidates(struct vb_tune *t)
{
	size_t total = 1;
	const char *k;
	json_t *vals;
	json_object_foreach(t->space, k, vals)
		total *= json_array_size(vals);
	if (total > MAX_CANDS)
		return vb_error("tune --space: %zu candidates, more than %d: race fewer knobs or values", total, MAX_CANDS);
	t->cand = vb_calloc(total, sizeof(*t->cand));
	for (size_t i = 0; i < total; i++) {
		char *why = NULL;
		json_t *set = combination(t, i, &why);
		if (!set) {
			vb_info("tune: leaving out a combination %s refuses: %s", t->m->name, why);
			free(why);
			continue;
		}
		struct vb_tune_cand *c = &t->cand[t->n];
		snprintf(c->tag, sizeof(c->tag), "c%02zu", t->n);
		c->name = vb_asprintf("%s+%s", t->m->name, c->tag);
		c->set = set;
		c->label = label_of(set);
		c->is_default = same_as_base(t, set);
		t->n++;
	}
	if (t->n < 2)
		return vb_error("tune --space: %zu candidate%s left that %s takes: a race needs two or more", t->n,
		                t->n == 1 ? "" : "s", t->m->name);
	return 0;
}

/* Seconds one candidate costs in a round of reps repetitions. */
static double cand_cost(const struct vb_tune *t, unsigned reps)
{
	return BOOT_S + OVERHEAD_S + reps * (double)(t->c->ramp + t->c->runtime);
}

static unsigned long long rnd(struct vb_tune *t)
{
	t->rng ^= t->rng << 13; /* xorshift64 */
	t->rng ^= t->rng >> 7;
	t->rng ^= t->rng << 17;
	return t->rng;
}

/* The run this process's child made under root: root/latest's target. */
static char *latest_id(const char *root)
{
	char *link = vb_asprintf("%s/latest", root), buf[256];
	ssize_t n = readlink(link, buf, sizeof(buf) - 1);
	free(link);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	const char *slash = strrchr(buf, '/');
	return vb_valid_id(slash ? slash + 1 : buf) ? vb_strdup(slash ? slash + 1 : buf) : NULL;
}

/* One run of modes (a --modes list) with tuning under root, reps each, in
 * a child as gate's rerun does (the runner prints its table: to stderr
 * here, stdout is tune's table).  The run's id (new), or NULL when none
 * was made; *rc its exit status. */
static char *run_once(struct vb_tune *t, const char *modes, json_t *tuning, unsigned reps, const char *root, int *rc)
{
	char *before = latest_id(root);
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		struct vb_config rc2;
		vb_config_copy(&rc2, t->c);
		free(rc2.modes);
		rc2.modes = vb_strdup(modes);
		free(rc2.results);
		rc2.results = vb_strdup(root);
		rc2.mode_tuning = json_deep_copy(tuning);
		rc2.reps = reps;
		dup2(2, 1);
		int r = vb_runner_run(&rc2);
		vb_hv_close();
		fflush(NULL);
		_exit(r);
	}
	int st = 0;
	if (pid < 0) {
		vb_error("tune: cannot start a run: %s", strerror(errno));
		*rc = VB_EXIT_FAIL;
		free(before);
		return NULL;
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	*rc = WIFEXITED(st) ? WEXITSTATUS(st) : VB_EXIT_FAIL;
	char *id = latest_id(root);
	if (id && before && !strcmp(id, before)) { /* refused before it made a folder */
		free(id);
		id = NULL;
	}
	free(before);
	return id;
}

/* The survivors in a fresh shuffled order (Fisher-Yates): a --modes list
 * and their tunings.  The number of survivors. */
static size_t round_plan(struct vb_tune *t, struct vb_buf *modes, json_t *tuning, json_t *order)
{
	size_t *idx = vb_calloc(t->n, sizeof(size_t)), k = 0;
	for (size_t i = 0; i < t->n; i++)
		if (t->race.c[i].alive)
			idx[k++] = i;
	for (size_t i = k; i > 1; i--) {
		size_t j = (size_t)(rnd(t) % i), x = idx[i - 1];
		idx[i - 1] = idx[j];
		idx[j] = x;
	}
	for (size_t i = 0; i < k; i++) {
		const struct vb_tune_cand *c = &t->cand[idx[i]];
		vb_buf_addf(modes, "%s%s", i ? "," : "", c->name);
		json_object_set(tuning, c->name, c->set);
		json_array_append_new(order, json_string(c->tag));
	}
	free(idx);
	return k;
}

/* Candidate i failed this round: dropped with the reason, never kept as a
 * slow one. */
static void fail_cand(struct vb_tune *t, size_t i, const char *why)
{
	t->race.c[i].alive = false;
	t->race.c[i].dropped = t->race.round + 1;
	free(t->cand[i].reason);
	t->cand[i].reason = vb_strdup(why ? why : "it failed");
	vb_text_clean(t->cand[i].reason);
}

/* The round's run folder read: each survivor's values into the race (a
 * failed one dropped).  0, or -1 when the folder cannot be read. */
static int round_feed(struct vb_tune *t, const char *dir)
{
	struct vb_summary s = {0};
	if (vb_summary_load(dir, &s) < 0)
		return -1;
	for (size_t i = 0; i < t->n; i++) {
		if (!t->race.c[i].alive)
			continue;
		const struct vb_mode_status *ms = vb_summary_mode(&s, t->cand[i].name);
		double *v = NULL;
		size_t nv = 0;
		if (!ms || !ms->status || strcmp(ms->status, "ok")) {
			fail_cand(t, i, ms && ms->reason ? ms->reason : "its mode did not finish");
			continue;
		}
		vb_objective_values(&s, t->cand[i].name, t->obj, &v, &nv);
		bool good = nv > 0;
		for (size_t k = 0; k < nv; k++)
			good = good && isfinite(v[k]) && v[k] > 0;
		if (!good)
			fail_cand(t, i, "no value of the objective in its results (no host CPU read for iops-per-cpu?)");
		for (size_t k = 0; good && k < nv; k++)
			vb_race_add(&t->race, i, v[k]);
		free(v);
	}
	vb_summary_release(&s);
	return 0;
}

/* "round 2: 7 of 16 left (dropped c03 c05)" on stderr, and the round's
 * record. */
static void round_done(struct vb_tune *t, json_t *rec, const bool *was)
{
	struct vb_buf b = {0};
	json_t *dropped = json_array();
	for (size_t i = 0; i < t->n; i++) {
		if (was[i] && !t->race.c[i].alive) {
			vb_buf_addf(&b, " %s", t->cand[i].tag);
			json_array_append_new(dropped, json_string(t->cand[i].tag));
		}
	}
	json_object_set_new(rec, "dropped", dropped);
	fprintf(stderr, "round %d: %zu of %zu left%s%s%s\n", t->race.round, vb_race_alive(&t->race), t->n,
	        b.len ? " (dropped" : "", b.len ? b.s : "", b.len ? ")" : "");
	vb_buf_free(&b);
}

/* One round: the survivors run, read and pruned.  0, or -1 when the
 * round made no run folder (the run refused: that is the reason). */
static int round_run(struct vb_tune *t, unsigned reps)
{
	struct vb_buf modes = {0};
	json_t *tuning = json_object(), *order = json_array();
	bool *was = vb_calloc(t->n, sizeof(bool));
	for (size_t i = 0; i < t->n; i++)
		was[i] = t->race.c[i].alive;
	round_plan(t, &modes, tuning, order);
	char *root = vb_asprintf("%s/rounds", t->dir);
	double t0 = vb_now();
	int rc = 0;
	char *id = run_once(t, modes.s, tuning, reps, root, &rc);
	json_t *rec = json_pack("{s:i, s:s?, s:o, s:i, s:f, s:i}", "round", t->race.round + 1, "run", id, "order", order,
	                        "reps", (int)reps, "seconds", vb_now() - t0, "exit", rc);
	json_array_append_new(t->rounds, rec);
	if (json_array_size(t->rounds) == 1)
		t->first_rc = rc;
	int r = 0;
	if (!id)
		r = vb_error("tune: round %d made no run (exit %d): see the messages above", t->race.round + 1, rc);
	else {
		char *dir = vb_asprintf("%s/%s", root, id);
		r = round_feed(t, dir);
		free(dir);
	}
	if (r == 0) {
		vb_race_prune(&t->race);
		round_done(t, rec, was);
	}
	free(id);
	free(root);
	free(was);
	vb_buf_free(&modes);
	json_decref(tuning);
	return r;
}

/* The confirmation's pairs: CONFIRM_PAIRS runs of MODE and MODE+tuned, one
 * guest each (CONFIRM_REPS repetitions in it), the order alternating from run to
 * run (the first seeded): a pair is one run's two values, measured minutes
 * apart, so drift and the position in a run cancel out of its ratio.  (run
 * has no interleaving of its own: its modes run one after the other.) */
#define CONFIRM_PAIRS 3
/* each run's repetitions of a mode (one guest): 2, so that compare takes
 * the folder (it wants 2 a side); the pair's value is their mean */
#define CONFIRM_REPS 2

/* Mode name's value in a pair's run folder (the geometric mean of its
 * repetitions); NAN when it has none or a repetition failed. */
static double run_value(const struct vb_tune *t, const char *dir, const char *name)
{
	struct vb_summary s = {0};
	double *v = NULL, out = NAN, lsum = 0;
	size_t n = 0;
	if (vb_summary_load(dir, &s) < 0)
		return NAN;
	vb_objective_values(&s, name, t->obj, &v, &n);
	for (size_t k = 0; k < n; k++)
		lsum += isfinite(v[k]) && v[k] > 0 ? log(v[k]) : NAN;
	if (n >= 1 && isfinite(lsum))
		out = exp(lsum / (double)n);
	free(v);
	vb_summary_release(&s);
	return out;
}

/* The paired gain (> 1: the winner better, for either sense of the
 * objective): the geometric mean of the pairs' ratios, its 95% interval
 * and the paired t-test's two-sided p on the log ratios. */
static void confirm_judge(struct vb_tune *t, const double *d, const double *w, size_t n)
{
	struct vb_paired pr;
	vb_race_paired(d, w, n, vb_objective_lower_better(t->obj), t->c->min_effect / 100, &pr);
	double gain = pr.gain, lo = pr.lo, hi = pr.hi, p = pr.p;
	json_object_set_new(t->confirm, "gain", json_real(gain));
	json_object_set_new(t->confirm, "ci95", json_pack("[f, f]", lo, hi));
	json_object_set_new(t->confirm, "p", json_real(p));
	json_object_set_new(t->confirm, "verdict", json_string(pr.verdict));
	const struct vb_tune_cand *c = &t->cand[t->winner];
	if (!strcmp(pr.verdict, "gain"))
		t->confirm_line = vb_asprintf("confirmation: %s (%s) gains %+.1f%% over the default (95%% interval %+.1f%% to "
		                              "%+.1f%%, paired p = %.3g, %zu pairs)", c->tag, c->label, (gain - 1) * 100,
		                              (lo - 1) * 100, (hi - 1) * 100, p, n);
	else if (!strcmp(pr.verdict, "default better"))
		t->confirm_line = vb_asprintf("confirmation: the default is better: %s (%s) measured %+.1f%% beside it (95%% "
		                              "interval %+.1f%% to %+.1f%%, paired p = %.3g, %zu pairs): keep the default",
		                              c->tag, c->label, (gain - 1) * 100, (lo - 1) * 100, (hi - 1) * 100, p, n);
	else
		t->confirm_line = vb_asprintf("confirmation: the default is as good: %s (%s) %+.1f%% (95%% interval %+.1f%% to "
		                              "%+.1f%%, paired p = %.3g, %zu pairs; a gain needs the interval above 0 and at "
		                              "least %g%%)%s", c->tag, c->label, (gain - 1) * 100, (lo - 1) * 100,
		                              (hi - 1) * 100, p, n, t->c->min_effect,
		                              c->is_default ? "; the winner is the default's settings" : "");
}

/* Pair k: one run of the two modes under confirm/, its values into d[k]
 * and w[k] (NAN when a mode failed).  0, or -1 when it made no run. */
static int confirm_pair(struct vb_tune *t, size_t k, bool tuned_first, json_t *runs, double *d, double *w)
{
	char *tuned = vb_asprintf("%s+tuned", t->m->name), *root = vb_asprintf("%s/confirm", t->dir);
	bool first = (k % 2 == 0) == tuned_first;
	char *modes = first ? vb_asprintf("%s,%s", tuned, t->m->name) : vb_asprintf("%s,%s", t->m->name, tuned);
	json_t *tuning = json_pack("{s:O}", tuned, t->cand[t->winner].set);
	int rc = 0, r = 0;
	char *id = run_once(t, modes, tuning, CONFIRM_REPS, root, &rc);
	d[k] = w[k] = NAN;
	if (!id)
		r = vb_error("tune: confirmation run %zu made no run (exit %d): see the messages above", k + 1, rc);
	else {
		char *dir = vb_asprintf("%s/%s", root, id);
		d[k] = run_value(t, dir, t->m->name);
		w[k] = run_value(t, dir, tuned);
		json_array_append_new(runs, json_pack("{s:s, s:s, s:o, s:o}", "run", id, "modes", modes, "default",
		                                      isfinite(d[k]) ? json_real(d[k]) : json_null(), "winner",
		                                      isfinite(w[k]) ? json_real(w[k]) : json_null()));
		free(dir);
	}
	free(id);
	free(modes);
	free(root);
	free(tuned);
	json_decref(tuning);
	return r;
}

/* The confirmation: the winner's settings (MODE+tuned) beside the default
 * (MODE) in CONFIRM_PAIRS plain run folders under confirm/ (report and
 * compare read each as any run).  0, or -1 when a run was not made. */
static int confirm_run(struct vb_tune *t)
{
	const struct vb_tune_cand *c = &t->cand[t->winner];
	double d[CONFIRM_PAIRS], w[CONFIRM_PAIRS];
	size_t n = 0;
	bool tuned_first = rnd(t) & 1;
	json_t *runs = json_array();
	t->confirm = json_pack("{s:s, s:i, s:i, s:b, s:o}", "winner", c->tag, "pairs", CONFIRM_PAIRS, "reps",
	                       CONFIRM_REPS, "winner_is_default", c->is_default, "runs", runs);
	for (size_t k = 0; k < CONFIRM_PAIRS; k++) {
		if (confirm_pair(t, k, tuned_first, runs, d, w) < 0)
			return -1;
		if (vb_interrupted) { /* the pair's run stopped its guests; the next would start already interrupted */
			t->confirm_line = vb_asprintf("confirmation: interrupted by a signal in pair %zu of %d: no verdict "
			                              "(the runs under confirm/ keep what was measured)", k + 1, CONFIRM_PAIRS);
			return -1;
		}
		if (isfinite(d[k]) && isfinite(w[k])) { /* a failed pair is left out, and said so below */
			d[n] = d[k];
			w[n++] = w[k];
		}
	}
	if (n < 2)
		t->confirm_line = vb_asprintf("confirmation: failed: %zu of %d pairs have both values (the runs under "
		                              "confirm/ say why)", n, CONFIRM_PAIRS);
	else
		confirm_judge(t, d, w, n);
	return 0;
}

/* Rounds until one survivor, a tie, or the budget.  0, or -1 (a round
 * made no run). */
/* The budget's repetitions counted again from a round's measured cost
 * (per: measured over estimated) and the seconds left: while no round
 * has tested anything (the first gives each candidate one sample), no
 * alpha is spent, and the race may spend it over what the clock really
 * buys rather than over the estimate's guess. */
static void recount_budget(struct vb_tune *t, double per, double left)
{
	double rep_s = per * cand_cost(t, LATER_REPS) / LATER_REPS;
	t->race.budget = t->race.spent + (left > 0 && rep_s > 0 ? (size_t)(left / rep_s) : 0);
}

static int race(struct vb_tune *t)
{
	double budget = t->c->budget * 60.0, confirm = 2 * CONFIRM_PAIRS * cand_cost(t, CONFIRM_REPS);
	unsigned reps = t->c->round_reps;
	for (int round = 1;; round++) {
		size_t before = vb_race_alive(&t->race);
		double r0 = vb_now();
		if (round_run(t, reps) < 0)
			return -1;
		if (vb_interrupted) { /* the round's run stopped its guests; tune.json says how far it got */
			t->stop = "interrupted";
			return -1;
		}
		double per = (vb_now() - r0) / (double)before / cand_cost(t, reps); /* measured over estimated */
		if (t->race.alpha_spent == 0)
			recount_budget(t, per, budget - (vb_now() - t->t0) - per * confirm);
		size_t alive = vb_race_alive(&t->race);
		enum vb_race_stop st = vb_race_stop(&t->race);
		if (!alive)
			t->stop = "failed";
		else if (alive == 1 || st == VB_RACE_ONE)
			t->stop = "one";
		else if (st == VB_RACE_TIED)
			t->stop = "tied";
		else if (vb_now() - t->t0 + per * alive * cand_cost(t, LATER_REPS) + per * confirm > budget || round >= 50 ||
		         !vb_race_fits(&t->race, alive * LATER_REPS))
			t->stop = "budget";
		if (t->stop)
			break;
		reps = LATER_REPS;
	}
	size_t lead = vb_race_leader(&t->race);
	t->winner = lead < t->n ? lead : t->n;
	return 0;
}

/* The repetitions the budget buys, as the race's rule spends its alpha
 * over them (race.h): the first round's, then later rounds' at their
 * cost each, the confirmation's time kept aside.  An estimate made
 * before any guest runs, and fixed: a slower host stops on the clock
 * with alpha unspent (conservative), a faster one on this count. */
static size_t budget_reps(const struct vb_tune *t)
{
	double left = t->c->budget * 60.0 - 2 * CONFIRM_PAIRS * cand_cost(t, CONFIRM_REPS) -
	              (double)t->n * cand_cost(t, t->c->round_reps);
	size_t reps = t->n * t->c->round_reps;
	if (left > 0)
		reps += (size_t)(left / (cand_cost(t, LATER_REPS) / LATER_REPS));
	return reps;
}

/* --mode: one of the table's modes.  The mode, or NULL reported. */
static const struct vb_mode *tune_mode(const struct vb_config *c)
{
	if (!c->tune_mode || !*c->tune_mode)
		return vb_error("tune: --mode is required: name the mode whose tuning to race (e.g. --mode virtio-blk)"), NULL;
	const struct vb_mode *m = vb_mode_find(c->tune_mode);
	if (m && m->variant_of)
		return vb_error("tune --mode %s: a variant: name the mode itself (%s)", c->tune_mode, m->variant_of), NULL;
	if (!m) {
		char *names = vb_mode_names();
		vb_error("tune --mode: unknown mode '%s': choose from %s", c->tune_mode, names);
		free(names);
	}
	return m;
}

/* A round of every candidate and the confirmation after it must fit the
 * budget (race() keeps the confirmation's time aside, and runs it however
 * the race ended: a budget that fits the round alone was overspent by
 * the confirmation's 6 guests).  0, or -1 reported. */
static int check_budget(const struct vb_tune *t)
{
	double round = (double)t->n * cand_cost(t, t->c->round_reps);
	double confirm = 2 * CONFIRM_PAIRS * cand_cost(t, CONFIRM_REPS);
	if (round + confirm <= t->c->budget * 60.0)
		return 0;
	return vb_error("tune --budget %u: one round of %zu candidates (%zu x (boot %.0f s + %u x %u s of fio + %.0f s)) "
	                "and the confirmation (%d guests) take about %.1f min: give --budget %.0f or more, or a smaller --space",
	                t->c->budget, t->n, t->n, BOOT_S, t->c->round_reps, t->c->ramp + t->c->runtime, OVERHEAD_S,
	                2 * CONFIRM_PAIRS, (round + confirm) / 60, ceil((round + confirm) / 60));
}

/* RESULTS/tune-YYYYMMDD-HHMMSS/ (suffixed if taken).  0, or -1 reported. */
static int make_dir(struct vb_tune *t)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "tune-%Y%m%d-%H%M%S", &tm);
	if (vb_results_check_root(t->c->results) < 0)
		return -1;
	for (int i = 0; i < 100; i++) {
		t->id = i ? vb_asprintf("%s-%d", stamp, i) : vb_strdup(stamp);
		t->dir = vb_asprintf("%s/%s", t->c->results, t->id);
		if (mkdir(t->dir, 0755) == 0)
			return 0;
		int e = errno;
		free(t->id);
		free(t->dir);
		t->id = t->dir = NULL;
		if (e != EEXIST)
			return vb_error("tune: cannot make its folder in '%s': %s", t->c->results, strerror(e));
	}
	return vb_error("tune: '%s' has 100 tune folders of this second: wait a second", t->c->results);
}

static void tune_release(struct vb_tune *t)
{
	for (size_t i = 0; t->cand && i < t->n; i++) {
		free(t->cand[i].name);
		free(t->cand[i].label);
		free(t->cand[i].reason);
		json_decref(t->cand[i].set);
	}
	free(t->cand);
	free(t->dir);
	free(t->id);
	free(t->confirm_line);
	json_decref(t->space);
	json_decref(t->rounds);
	json_decref(t->confirm);
	vb_race_release(&t->race);
}

/* The first round's run checked as run checks it (the guest kernel and
 * image, each candidate's tuning, the hypervisor reachable) before tune
 * makes its folder: a job input run refuses is one line and exit 2 here
 * too, with no tune folder left behind.  0, or an exit status. */
static int check_round(const struct vb_tune *t)
{
	struct vb_buf modes = {0};
	json_t *tuning = json_object();
	for (size_t i = 0; i < t->n; i++) {
		vb_buf_addf(&modes, "%s%s", i ? "," : "", t->cand[i].name);
		json_object_set(tuning, t->cand[i].name, t->cand[i].set);
	}
	struct vb_config rc;
	vb_config_copy(&rc, t->c);
	free(rc.modes);
	rc.modes = vb_buf_release(&modes);
	rc.mode_tuning = tuning;
	rc.reps = t->c->round_reps;
	int r = vb_runner_check(&rc);
	vb_config_release(&rc);
	return r;
}

/* Everything checked before a guest boots.  0, or -1 reported. */
static int tune_setup(struct vb_tune *t, struct vb_config *c)
{
	t->c = c;
	if (!(t->m = tune_mode(c)))
		return -1;
	if ((t->obj = vb_objective_find(c->objective)) < 0)
		return vb_error("tune --objective '%s': choose iops, iops-per-cpu or clat_p99", c->objective);
	if (c->reps == 0)
		c->reps = 1; /* (run's --reps auto has no place in a round) */
	/* a round on several hosts would be a fleet's run: hosts' figures
	 * mixed in one race, and a folder round_feed cannot read */
	if (vb_fleet_is(c))
		return vb_error("tune: tune races on one host: give one --connect (tune each host on its own)");
	if (parse_space(t) < 0 || build_candidates(t) < 0 || check_budget(t) < 0)
		return -1;
	return 0;
}

static int vb_cmd_tune(struct vb_config *c, int nargs, char **args)
{
	(void)nargs;
	(void)args;
	struct vb_tune t = {0};
	int ret = VB_EXIT_USAGE;
	if (tune_setup(&t, c) < 0 || (ret = check_round(&t)) != VB_EXIT_OK)
		goto out;
	ret = VB_EXIT_USAGE;
	if (make_dir(&t) < 0)
		goto out;
	ret = VB_EXIT_FAIL;
	t.winner = t.n; /* none until the race ends */
	t.seed = c->seed ? c->seed : (unsigned)time(NULL) ^ (unsigned)getpid();
	t.rng = 0x9e3779b97f4a7c15ull ^ t.seed;
	t.rounds = json_array();
	t.t0 = vb_now();
	vb_install_signal_handlers(); /* Ctrl-C: the run in progress ends as run's does, then tune.json */
	vb_race_init(&t.race, t.n, c->min_effect / 100.0, 0.05, vb_objective_lower_better(t.obj));
	t.race.budget = budget_reps(&t);
	vb_info("tune: %zu candidates of %s, objective %s, budget %u min, seed %u: %s", t.n, t.m->name, c->objective,
	        c->budget, t.seed, t.dir);
	int r = race(&t);
	if (r == 0 && t.winner < t.n)
		r = confirm_run(&t);
	if (vb_tune_write(&t) < 0)
		r = -1;
	vb_tune_table(&t);
	if (r == 0 && t.winner < t.n)
		ret = VB_EXIT_OK;
	else if (t.first_rc == VB_EXIT_USAGE)
		ret = VB_EXIT_USAGE; /* the first round's run refused its inputs */
out:
	tune_release(&t);
	return ret;
}

const struct vb_command vb_command_tune = {
	.name = "tune", .args = false, .fn = vb_cmd_tune,
	.synopsis = "tune --mode MODE [--space 'K=V,V K=V,V'] [--objective iops|iops-per-cpu|clat_p99] [--budget MIN] [job options]",
	.summary = "race a mode's tuning space on this host: the fastest settings, confirmed against the default",
	.help = "Every candidate (a combination of the space's values) runs as a variant MODE+cNN in its own\n"
	        "guest, a few repetitions per round, in a shuffled order; after each round the candidates\n"
	        "worse than the leader by more than --min-effect, by Welch's test on log values with Holm's\n"
	        "correction, are dropped.  The race stops at one survivor, when the survivors are within the\n"
	        "minimum effect of each other, or at the budget; the winner then runs beside the default\n"
	        "(MODE and MODE+tuned) in 3 runs, the order alternating, and the paired gain is stated with\n"
	        "its 95% interval and p-value, or that the default is as good.\n"
	        "Writes RESULTS/tune-<time>/: tune.json, rounds/ and confirm/ (run folders), winner.ini\n"
	        "('run -c winner.ini --modes MODE' reproduces the winner) and winner.xml.\n",
};
