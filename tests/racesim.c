/* The racing rule's error rates, by simulation (issue 27, point 5).
 *
 * Synthetic fields of candidates with known true means run through the
 * rule `vmio-bench tune` uses (bench/summary/race.c), against a full sweep
 * of the same budget (every candidate the same repetitions, the best mean
 * wins), the way tune measures:
 *
 *   - 16 candidates: the best at 1.00, a runner-up behind it, the rest
 *     spread evenly from 0.60 to 0.93 (a tuning space is mostly clearly
 *     worse settings)
 *   - a round measures every survivor in a fresh guest, 3 repetitions
 *     each; a guest has its own offset (log-normal, CV 3% by default)
 *     and each repetition its own error (log-normal with the row's CV,
 *     5 to 30%: this machine's TCG runs show that range)
 *   - the race: rounds, pruned after each, until one survives, the
 *     survivors tie, or the next round would pass the budget (12
 *     repetitions a candidate on average: 4 guests each in a sweep); the
 *     leader then wins
 *   - "lead": the runner-up at 0.95 (the best leads by 5%): how often the
 *     best wins
 *   - "near": the runner-up at 0.98 (within 2% of the best): how often
 *     the race drops it -- dropping a near-equal is the race's own error;
 *     the sweep's counterpart is the same test at its end saying it is
 *     worse
 *
 * It fails when the best wins less than 90% of the time at CV 10% with a
 * 5% lead, or when a candidate within 2% is dropped more than 10% of the
 * time at CV 10% or below, with or without the guests' offsets; and when
 * the rule's own checks fail (the minimum repetitions of a drop, a tie, the
 * budget stop).  A fixed seed makes every run of it the same.
 *
 * racesim [-t TRIALS] [-g GUEST_CV] [-b REPS_PER_CANDIDATE] [-r REPS_PER_ROUND]
 *         [-p] (repetitions as samples) [-x] (no alpha spending: the old rule)
 * prints one table for exploring; with no options it runs the checked set. */
#include "config.h"
#include "summary/race.h"
#include "summary/stats.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define K 16

struct setup {
	int trials;
	double guest_cv;
	int per_cand;  /* budget: repetitions a candidate on average */
	int per_round; /* repetitions a guest (a candidate's round) */
	bool per_rep, no_spend;
};

#define SIMRNG_SEED 0x7a1ce27ULL
#include "simrng.h"

/* A log-normal factor with mean 1 and coefficient of variation cv. */
static double lognormal(double cv)
{
	double s = sqrt(log(1 + cv * cv));
	return cv > 0 ? exp(s * normal() - s * s / 2) : 1;
}

static void field(double runner_up, double mu[K])
{
	mu[0] = 1.0;
	mu[1] = runner_up;
	for (int i = 2; i < K; i++)
		mu[i] = 0.60 + (0.93 - 0.60) * (i - 2) / (double)(K - 3);
}

/* One round of candidate i: a fresh guest, its repetitions. */
static void measure(struct vb_race *r, size_t i, double mu, double cv, const struct setup *s)
{
	double guest = lognormal(s->guest_cv);
	for (int k = 0; k < s->per_round; k++)
		vb_race_add(r, i, mu * guest * lognormal(cv));
}

struct outcome {
	int race_won, sweep_won, race_near_dropped, sweep_near_worse;
	long race_reps;
	int tied, one, budget;
};

static void race_init(struct vb_race *r, const struct setup *s)
{
	vb_race_init(r, K, 0.03, 0.05, false);
	r->budget = (size_t)(K * s->per_cand);
	r->per_rep = s->per_rep;
}

/* One race on the field mu. */
static void race(const double mu[K], double cv, const struct setup *s, struct outcome *o)
{
	struct vb_race r;
	race_init(&r, s);
	for (;;) {
		for (size_t i = 0; i < K; i++)
			if (r.c[i].alive)
				measure(&r, i, mu[i], cv, s);
		size_t budget = r.budget;
		if (s->no_spend) /* every round at the full alpha */
			r.alpha_spent = 0, r.budget = r.spent;
		vb_race_prune(&r);
		r.budget = budget;
		enum vb_race_stop st = vb_race_stop(&r);
		if (st != VB_RACE_ON || !vb_race_fits(&r, vb_race_alive(&r) * (size_t)s->per_round)) {
			o->one += st == VB_RACE_ONE;
			o->tied += st == VB_RACE_TIED;
			o->budget += st == VB_RACE_ON;
			break;
		}
	}
	o->race_won += vb_race_leader(&r) == 0;
	o->race_near_dropped += !r.c[1].alive;
	o->race_reps += (long)r.spent;
	vb_race_release(&r);
}

/* The full sweep of the same budget: every candidate the same rounds;
 * the best mean wins; the same Holm test at the end (all of alpha: its
 * budget is spent) names the worse. */
static void sweep(const double mu[K], double cv, const struct setup *s, struct outcome *o)
{
	struct vb_race r;
	race_init(&r, s);
	for (int g = 0; g < s->per_cand / s->per_round; g++) {
		for (size_t i = 0; i < K; i++)
			measure(&r, i, mu[i], cv, s);
		r.round++; /* the next guest */
	}
	o->sweep_won += vb_race_leader(&r) == 0;
	r.budget = r.spent;
	vb_race_prune(&r);
	o->sweep_near_worse += !r.c[1].alive;
	vb_race_release(&r);
}

static const double cvs[] = {0.05, 0.10, 0.20, 0.30};

/* The table of one setup; whether its rates hold the thresholds. */
static bool table(const struct setup *s)
{
	bool ok = true;
	printf("\n%d candidates, budget %d repetitions (%d each in a sweep), %d a guest, guest offset CV %.0f%%, "
	       "samples: %s%s; %d trials a row\n",
	       K, K * s->per_cand, s->per_cand, s->per_round, 100 * s->guest_cv, s->per_rep ? "repetitions" : "round means",
	       s->no_spend ? ", full alpha every round" : "", s->trials);
	printf("%-5s %-5s %10s %10s %11s %11s %10s  %s\n", "CV", "case", "race wins", "sweep wins", "race drops",
	       "sweep drops", "race reps", "race ended: one / tied / budget");
	for (size_t c = 0; c < sizeof(cvs) / sizeof(cvs[0]); c++) {
		for (int near = 0; near < 2; near++) {
			double mu[K];
			struct outcome o = {0};
			field(near ? 0.98 : 0.95, mu);
			for (int t = 0; t < s->trials; t++) {
				race(mu, cvs[c], s, &o);
				sweep(mu, cvs[c], s, &o);
			}
			double n = s->trials, rw = o.race_won / n, sw = o.sweep_won / n;
			double rd = o.race_near_dropped / n, sd = o.sweep_near_worse / n;
			printf("%-5.0f %-5s %9.1f%% %9.1f%% %10.1f%% %10.1f%% %10.1f  %d / %d / %d\n", 100 * cvs[c],
			       near ? "near" : "lead", 100 * rw, 100 * sw, 100 * rd, 100 * sd, o.race_reps / n, o.one, o.tied,
			       o.budget);
			if (!near && cvs[c] == 0.10 && rw < 0.90) {
				printf("not ok - at CV 10%% and a 5%% lead the best wins %.1f%% of races (want 90%%)\n", 100 * rw);
				ok = false;
			}
			if (near && cvs[c] <= 0.10 && rd > 0.10) {
				printf("not ok - at CV %.0f%% a candidate within 2%% is dropped in %.1f%% of races (want at most "
				       "10%%)\n",
				       100 * cvs[c], 100 * rd);
				ok = false;
			}
		}
	}
	return ok;
}

/* The fewest samples a side with which a rank test's smallest one-sided
 * p, 1 / C(2n, n), passes Holm's first step at k candidates. */
static int rank_min(int k)
{
	double c = 1;
	for (int n = 1; n < 64; n++) {
		c = c * (2 * n) * (2 * n - 1) / ((double)n * n); /* C(2n, n) */
		if (1 / c <= 0.05 / (k - 1))
			return n;
	}
	return -1;
}

/* The fewest samples a side with which a candidate trailing by gap is
 * dropped at Holm's first step (all of alpha: a lower bound) half the
 * time: its expected Welch t reaches the critical value at df 2n - 2.  A
 * sample is a round's mean: per_round repetitions at cv in one guest
 * whose offset has guest_cv. */
static int welch_min(int k, double gap, double cv, double guest_cv, int per_round)
{
	double s = sqrt(log(1 + guest_cv * guest_cv) + log(1 + cv * cv) / per_round);
	double d = -log(1 - gap) - log(1.03);
	for (int n = 2; n < 64; n++)
		if (d / (s * sqrt(2.0 / n)) >= vb_t_quantile(1 - 0.05 / (k - 1), 2.0 * n - 2))
			return n;
	return -1;
}

static void minimum_reps(int r)
{
	printf("\nthe minimum repetitions of a drop (one-sided, alpha 0.05, Holm's first step, a 3%% minimum effect, "
	       "%d repetitions a round):\n", r);
	for (int k = 16; k >= 4; k -= 12) {
		int w10 = welch_min(k, 0.10, 0.10, 0.03, r), w20 = welch_min(k, 0.20, 0.10, 0.03, r);
		int w40 = welch_min(k, 0.40, 0.10, 0.03, r);
		printf("k=%d: a drop needs at least %d repetitions of each (2 rounds: Welch's t on round means needs 2 a side, "
		       "a rank test %d rounds); half the time, at CV 10%% and a 3%% guest offset, a candidate 40%% behind "
		       "needs %d rounds of each, 20%% behind %d, 10%% behind %d\n",
		       k, 2 * r, rank_min(k), w40, w20, w10);
	}
}

static int fails;

static void check(bool ok, const char *what)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", what);
	fails += !ok;
}

/* Two candidates, 6 repetitions each (taken as samples), the second
 * its own values times f: the largest f whose drop p is under 0.04. */
static void near_pair(struct vb_race *r, double f)
{
	static const double v[] = {1.00, 1.06, 0.95, 1.03, 0.97, 1.01};
	vb_race_init(r, 2, 0.03, 0.05, false);
	r->per_rep = true;
	r->budget = 36;
	for (size_t k = 0; k < 6; k++) {
		vb_race_add(r, 0, v[k]);
		vb_race_add(r, 1, f * v[(k + 3) % 6]);
	}
}

/* A drop at p between a round's share of alpha and all of it: the
 * spending keeps it (12 of 36 repetitions: alpha / 3); testing every
 * round at the full alpha would drop it. */
static void spending_check(void)
{
	struct vb_race r;
	double a[6], b[6], p = 1, f = 0.97;
	for (; f > 0.5; f -= 0.0005) {
		near_pair(&r, f);
		vb_race_samples(&r, 0, a);
		vb_race_samples(&r, 1, b);
		p = vb_welch_p_above(a, 6, b, 6, log(1.03));
		vb_race_release(&r);
		if (p <= 0.04)
			break;
	}
	near_pair(&r, f);
	check(p > 0.05 / 3 && vb_race_prune(&r) == 0, "a p above the round's share of alpha: kept");
	vb_race_release(&r);
	near_pair(&r, f);
	r.budget = r.spent;
	check(vb_race_prune(&r) == 1, "the same p with all of alpha: dropped");
	vb_race_release(&r);
}

/* The rule's stops and bookkeeping, on fields small enough to reason
 * about. */
static void rule_checks(void)
{
	struct vb_race r;
	struct setup s = {.per_round = 3};

	vb_race_init(&r, 2, 0.03, 0.05, false);
	measure(&r, 0, 1.0, 0.01, &s);
	vb_race_prune(&r);
	measure(&r, 0, 1.0, 0.01, &s);
	double x[8];
	check(vb_race_samples(&r, 0, x) == 2, "a round's repetitions are one sample");
	r.per_rep = true;
	check(vb_race_samples(&r, 0, x) == 6, "per_rep: each repetition is a sample");
	check(vb_race_fits(&r, 1000), "no budget: everything fits");
	r.budget = 10;
	check(vb_race_fits(&r, 4) && !vb_race_fits(&r, 5), "the budget stop: 6 spent of 10, 4 more fit, 5 do not");
	vb_race_release(&r);

	/* four equal candidates at CV 1%: tied once intervals are inside +-3% */
	vb_race_init(&r, 4, 0.03, 0.05, false);
	enum vb_race_stop st = VB_RACE_ON;
	int rounds = 0;
	while (st == VB_RACE_ON && rounds < 20) {
		for (size_t i = 0; i < 4; i++)
			measure(&r, i, 1.0, 0.01, &s);
		vb_race_prune(&r);
		st = vb_race_stop(&r);
		rounds++;
	}
	check(st == VB_RACE_TIED && vb_race_alive(&r) == 4, "four equal candidates at CV 1% tie, none dropped");
	check(rounds >= 2, "no tie on one round (one sample a side)");
	check(r.alpha_spent <= r.alpha * (1 + 1e-9), "no budget: the rounds spend at most alpha in all");
	vb_race_release(&r);

	/* equal at CV 30%: two rounds cannot show equivalence */
	vb_race_init(&r, 2, 0.03, 0.05, false);
	for (int g = 0; g < 2; g++) {
		measure(&r, 0, 1.0, 0.30, &s);
		measure(&r, 1, 1.0, 0.30, &s);
		vb_race_prune(&r);
	}
	check(vb_race_stop(&r) == VB_RACE_ON, "equal at CV 30% after 2 rounds: not yet a tie");
	vb_race_release(&r);

	/* a candidate 40% behind at CV 2% goes at round 2, not round 1 */
	vb_race_init(&r, 2, 0.03, 0.05, false);
	r.budget = 30;
	measure(&r, 0, 1.0, 0.02, &s);
	measure(&r, 1, 0.6, 0.02, &s);
	size_t d1 = vb_race_prune(&r);
	measure(&r, 0, 1.0, 0.02, &s);
	measure(&r, 1, 0.6, 0.02, &s);
	size_t d2 = vb_race_prune(&r);
	check(d1 == 0 && d2 == 1 && r.c[1].dropped == 2 && vb_race_stop(&r) == VB_RACE_ONE,
	      "40% behind: kept on one round, dropped on the second, one survivor");
	check(fabs(r.alpha_spent - r.alpha * 12 / 30) < 1e-12, "a budget: alpha spent in proportion (12 of 30 repetitions)");
	vb_race_release(&r);
	spending_check();
}

int main(int argc, char **argv)
{
	struct setup s = {.trials = 2000, .guest_cv = 0.03, .per_cand = 18, .per_round = 3};
	bool explore = false;
	int opt;
	while ((opt = getopt(argc, argv, "t:g:b:r:px")) != -1) {
		explore = true;
		switch (opt) {
		case 't': s.trials = atoi(optarg); break;
		case 'g': s.guest_cv = atof(optarg); break;
		case 'b': s.per_cand = atoi(optarg); break;
		case 'r': s.per_round = atoi(optarg); break;
		case 'p': s.per_rep = true; break;
		case 'x': s.no_spend = true; break;
		default: fprintf(stderr, "usage: racesim [-t TRIALS] [-g GUEST_CV] [-b REPS] [-r REPS_A_ROUND] [-p] [-x]\n"); return 2;
		}
	}
	if (s.trials < 1 || s.per_round < 1 || s.per_cand < s.per_round) {
		fprintf(stderr, "racesim: want trials >= 1 and a budget of at least one round\n");
		return 2;
	}
	if (explore)
		return table(&s) ? 0 : 1;
	rule_checks();
	minimum_reps(s.per_round);
	check(table(&s), "the race holds its rates with a 3% guest offset");
	s.guest_cv = 0;
	check(table(&s), "the race holds its rates without guest offsets");
	printf("%s\n", fails ? "FAIL" : "ok - the race picks right");
	return fails ? 1 : 0;
}
