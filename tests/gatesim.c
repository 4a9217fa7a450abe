/* The nightly gate's error rates, by simulation (issue 12, point 4).
 *
 * Synthetic nightly histories run through the gate's own decision rule
 * (bench/summary/verdict.c, the code 'vmio-bench gate' calls) and its
 * history policy, as a nightly job would:
 *
 *   - 4 modes, each with 4 series (read and write, IOPS and p99 latency):
 *     16 tests a night, Benjamini-Hochberg over all 16
 *   - every repetition is the series' true value times (1 + 0.05 z),
 *     z standard normal: a per-repetition CV of 5%
 *   - 3 repetitions a night, 30 nights; night 1 starts the history
 *   - a night is judged against the pooled repetitions of the last 10
 *     accepted nights; a mode with an inconclusive test is re-measured
 *     with 7 more repetitions (gate --rerun 7) and judged again with
 *     them; a night with no regressed test is accepted (as the gate does:
 *     pass, or inconclusive after the rerun)
 *   - step trials: from a night drawn in 12..30, one series (one mode's
 *     read IOPS) is 10% lower; that is the hardest case for
 *     Benjamini-Hochberg (one true change among 16 tests)
 *
 * It checks: the step is found (regressed on its first night) in at least
 * 95% of trials, and at most 1% of mode-metric-nights without a step get
 * a "regressed".  A fixed seed makes every run of it the same.  It prints
 * the rates, the reruns and what stayed inconclusive. */
#include "config.h"
#include "summary/rank.h"
#include "summary/verdict.h"
#include "core/util.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MODES 4
#define SERIES 4 /* per mode: read IOPS, write IOPS, read p99, write p99 */
#define NTESTS (MODES * SERIES)
#define NIGHTS 30
#define REPS 3
#define RERUN 7
#define K 10
#define CV 0.05
#define STEP 0.10
#ifndef TRIALS
#define TRIALS 300
#endif

#define SIMRNG_SEED 0x5eed0f12ULL
#include "simrng.h"

struct night {
	double v[NTESTS][REPS + RERUN];
	size_t n[NTESTS];
	bool accepted;
};

static double truth(size_t s, int night, int step_night)
{
	double base = 1000.0 * (1 + (double)s);
	if (step_night > 0 && night >= step_night && s == 0)
		return base * (1.0 - STEP); /* mode 0's read IOPS: worse */
	return base;
}

static void measure(struct night *nt, size_t s, size_t reps, int night, int step_night)
{
	for (size_t r = 0; r < reps; r++)
		nt->v[s][nt->n[s]++] = truth(s, night, step_night) * (1.0 + CV * normal());
}

struct tally {
	size_t tests, regressed;     /* mode-metric-nights without a step, and their false "regressed" */
	size_t trials, found;        /* step trials, and those whose step night said "regressed" */
	size_t nights, reruns, inconclusive_nights;
	size_t step_inconclusive;
};

/* One trial of NIGHTS nights; step_night 0: no step. */
static void trial(int step_night, struct tally *ty)
{
	static struct night nights[NIGHTS + 1];
	static double hist[NTESTS][K * (REPS + RERUN)];
	memset(nights, 0, sizeof(nights));
	struct vb_gate_rule rule = {.threshold_pct = 5, .spread_mult = 1, .fdr = 0.05};
	for (int n = 1; n <= NIGHTS; n++) {
		struct night *nt = &nights[n];
		for (size_t s = 0; s < NTESTS; s++)
			measure(nt, s, REPS, n, step_night);
		/* the history: the last K accepted nights, pooled */
		size_t nh[NTESTS] = {0}, taken = 0;
		for (int h = n - 1; h >= 1 && taken < K; h--) {
			if (!nights[h].accepted)
				continue;
			taken++;
			for (size_t s = 0; s < NTESTS; s++)
				for (size_t r = 0; r < nights[h].n[s]; r++)
					hist[s][nh[s]++] = nights[h].v[s][r];
		}
		if (!taken) {
			nt->accepted = true; /* the first night starts the history */
			continue;
		}
		struct vb_test t[NTESTS];
		bool rerun_done = false;
		for (;;) {
			rule.rerun_follows = !rerun_done;
			for (size_t s = 0; s < NTESTS; s++) {
				t[s] = (struct vb_test){.hist = hist[s], .nh = nh[s], .now = nt->v[s], .nn = nt->n[s],
				                        .higher_is_better = (s % SERIES) < 2};
				vb_test_measure(&t[s], &rule);
			}
			vb_tests_decide(t, NTESTS, &rule);
			if (rerun_done)
				break;
			bool again = false;
			for (size_t m = 0; m < MODES; m++) {
				bool inc = false;
				for (size_t s = m * SERIES; s < (m + 1) * SERIES; s++)
					inc |= t[s].verdict == VB_INCONCLUSIVE;
				if (!inc)
					continue;
				again = true;
				ty->reruns++;
				for (size_t s = m * SERIES; s < (m + 1) * SERIES; s++)
					measure(nt, s, RERUN, n, step_night);
			}
			if (!again)
				break;
			rerun_done = true;
		}
		bool regressed = false, inconclusive = false;
		for (size_t s = 0; s < NTESTS; s++) {
			regressed |= t[s].verdict == VB_REGRESSED;
			inconclusive |= t[s].verdict == VB_INCONCLUSIVE;
			bool stepped = step_night > 0 && n >= step_night && s == 0;
			if (!stepped) {
				ty->tests++;
				ty->regressed += t[s].verdict == VB_REGRESSED;
			}
		}
		ty->nights++;
		ty->inconclusive_nights += inconclusive;

		if (step_night > 0 && n == step_night) {
			ty->found += t[0].verdict == VB_REGRESSED;
			ty->step_inconclusive += t[0].verdict == VB_INCONCLUSIVE;
		}
		nt->accepted = !regressed;
	}
}

int main(void)
{
	struct tally step = {0}, none = {0};
	for (int i = 0; i < TRIALS; i++) {
		trial(12 + (int)(uniform() * 19), &step); /* nights 12..30 */
		step.trials++;
		trial(0, &none);
	}
	size_t fr = step.regressed + none.regressed, ft = step.tests + none.tests;
	double found = (double)step.found / (double)step.trials, false_rate = (double)fr / (double)ft;
	printf("# gate simulation: CV %.0f%%, %d reps a night (+%d on rerun), history of %d accepted nights, %d nights, %d tests a night, seed fixed\n",
	       CV * 100, REPS, RERUN, K, NIGHTS, NTESTS);
	printf("# a %.0f%% step in one series: found on its first night in %zu of %zu trials (%.1f%%); left inconclusive in %zu\n",
	       STEP * 100, step.found, step.trials, found * 100, step.step_inconclusive);
	printf("# false regressions: %zu of %zu mode-metric-nights without a step (%.3f%%)\n", fr, ft, false_rate * 100);
	printf("# reruns: %zu mode reruns over %zu nights (%.2f a night); nights still inconclusive after the rerun: %zu (%.1f%%)\n",
	       step.reruns + none.reruns, step.nights + none.nights,
	       (double)(step.reruns + none.reruns) / (double)(step.nights + none.nights),
	       step.inconclusive_nights + none.inconclusive_nights,
	       100.0 * (double)(step.inconclusive_nights + none.inconclusive_nights) / (double)(step.nights + none.nights));
	int bad = 0;
	printf("%s 1 - a 10%% step is found in at least 95%% of trials (%.1f%%)\n", found >= 0.95 ? "ok" : "not ok", found * 100);
	bad += found < 0.95;
	printf("%s 2 - at most 1%% of mode-metric-nights without a step regress (%.3f%%)\n", false_rate <= 0.01 ? "ok" : "not ok",
	       false_rate * 100);
	bad += false_rate > 0.01;
	printf("1..2\n");
	return bad ? 1 : 0;
}
