/* race: the decision rule of `vmio-bench tune` (issue 27), kept free of
 * I/O so that a simulation (tests/racesim.c) can run it thousands of
 * times against candidates whose true means it knows.
 *
 * A field of candidates, each with the repetitions measured so far (the
 * objective's values: IOPS, IOPS per host CPU, or a p99 where lower is
 * better).  After each round the leader is the candidate with the best
 * mean of log values; a candidate is dropped when it trails the leader by
 * more than the minimum effect (3% by default) AND Welch's test on the
 * log values says so, one-sided, after Holm's correction across the
 * comparisons with the leader.  A rank test cannot do it: with 3
 * repetitions a side its smallest p is 0.1.  The race ends with one
 * survivor, when the budget is spent (vb_race_fits), or when the survivors are
 * indistinguishable: every one's ratio to the leader has its 95% interval
 * inside 1 +- the minimum effect (an equivalence, not a failure to find a
 * difference).
 *
 * Alpha is spent over the rounds, not once per round: a round may use
 * alpha times the share of the budget spent since the last round that
 * tested anything (Holm's split across the field within it), so that the
 * sum over the whole race stays under alpha (a union bound: it holds
 * however the rounds fall, with no model of how they correlate).  Testing
 * every round at the full alpha dropped a candidate 2% behind in 9.7% of
 * races (tests/racesim -p -x -g 0: CV 10%, 16 candidates, 18 repetitions
 * each) and in 17.4% with a 3% guest offset at CV 5% (-p -x): the leader
 * and its nearest rival meet again every round, each meeting one more
 * chance.  The spending is linear in the budget (Pocock-like) rather than
 * O'Brien-Fleming's: racing earns its keep by dropping the clearly worse
 * early, and O'Brien-Fleming's boundary at a third of the budget
 * (alpha ~ 3e-4, before Holm's split) keeps even a candidate 40% behind
 * alive; front-loading it (alpha times the square root of the share) won
 * nothing measurable (92.6% against 93.3%).  Without a budget
 * (budget 0) round j may use alpha / (j (j + 1)), which also sums to alpha.
 *
 * The samples are per-round means (of the log values), not repetitions:
 * a round measures each candidate in a fresh guest, and guests differ
 * (a per-guest offset) besides the noise of each repetition.  Repetitions
 * of one guest share its offset; taken as independent they understate the
 * spread.  With the spending above they still held the rates at a 3%
 * guest offset (a near-equal dropped in 1.9% of races at CV 5%, -p), but
 * not at 8% (12.4%, -p -g 0.08), and nothing tells the race which host it
 * is on; round means held 0.1-0.2% at both.  The cost: a drop needs two
 * rounds of each side (the first only ranks), and with few rounds the
 * race drops little: at CV 10%, a 5% lead and 18 repetitions a candidate
 * the best wins 93.3% of races against a sweep's 89.8% (repetitions as
 * samples: 97.2%).  per_rep = true takes repetitions as samples (for
 * repetitions known to be independent). */
#ifndef VB_RACE_H
#define VB_RACE_H

#include <stdbool.h>
#include <stddef.h>

struct vb_race_cand {
	double *v;          /* the objective per repetition (> 0) */
	size_t n, cap;
	bool alive;
	int dropped;        /* the round it was dropped in; 0: never */
	int *rnd;           /* per repetition: the round (r->round when added) */
};

struct vb_race {
	struct vb_race_cand *c;
	size_t n;
	double min_effect;  /* 0.03: a drop needs the leader ahead by more */
	double alpha;       /* 0.05: the chance of any wrong drop, whole race */
	bool lower_better;  /* clat_p99: smaller wins */
	int round;          /* rounds pruned so far */
	/* Set by the caller after vb_race_init: */
	size_t budget;      /* repetitions the race may spend; 0: unknown */
	bool per_rep;       /* false (default): a round's mean is one sample */
	/* Kept by the rule: */
	size_t spent;       /* repetitions added */
	double alpha_spent; /* alpha the rounds so far have used */
};

enum vb_race_stop {
	VB_RACE_ON,         /* more rounds would tell */
	VB_RACE_ONE,        /* one survivor */
	VB_RACE_TIED,       /* the survivors are within the minimum effect of each other */
};

void vb_race_init(struct vb_race *r, size_t n, double min_effect, double alpha, bool lower_better);
void vb_race_release(struct vb_race *r);
/* One repetition's value of candidate i (a value <= 0 or not finite is
 * a failed repetition: it counts as the worst there is, never dropped
 * silently: callers fail the candidate instead).  The repetitions added
 * between two vb_race_prune calls are one guest's: one sample (unless
 * per_rep), so a round boots one guest per candidate. */
void vb_race_add(struct vb_race *r, size_t i, double value);
/* The leader among the survivors (the best mean of log values); n when
 * none has a value. */
size_t vb_race_leader(const struct vb_race *r);
/* End a round: drop what the rule drops.  The number dropped. */
size_t vb_race_prune(struct vb_race *r);
/* Whether the race is over, and why. */
enum vb_race_stop vb_race_stop(const struct vb_race *r);
/* Survivors. */
size_t vb_race_alive(const struct vb_race *r);
/* Whether more repetitions fit the budget (always, without one): the
 * race's third stop, which vb_race_stop leaves to the caller because a
 * round's cost (survivors x repetitions) is the caller's to know. */
bool vb_race_fits(const struct vb_race *r, size_t more);
/* Candidate i's samples as "higher is better" logs into out (room for
 * c[i].n): per-round means, or each repetition when per_rep.  Their
 * number. */
size_t vb_race_samples(const struct vb_race *r, size_t i, double *out);

/* The confirmation's judgement of n pairs (d[k], w[k]): the default's
 * and the winner's value measured side by side.  gain: the geometric
 * mean of the ratios, winner over default (> 1 better, for either sense
 * of the objective), with its 95% interval (lo, hi) and the paired
 * t-test's two-sided p on the log ratios (n - 1 degrees of freedom);
 * verdict "gain" when the interval is above 1 and the gain at least
 * min_effect (0.03), "default better" when the interval is below 1 (the
 * winner measured worse), else "default as good". */
struct vb_paired {
	double gain, lo, hi, p;
	const char *verdict;
};
void vb_race_paired(const double *d, const double *w, size_t n, bool lower_better, double min_effect,
                    struct vb_paired *out);

/* Candidate i's figure as the race sees it: *point the geometric mean of
 * its repetitions (what ranks the leader), *lo..*hi its 95% interval from
 * the spread of its samples (round means of logs, t with samples - 1
 * degrees of freedom), NaN with fewer than two.  The number of samples. */
int vb_race_estimate(const struct vb_race *r, size_t i, double *point, double *lo, double *hi);

#endif
