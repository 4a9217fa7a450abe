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
 * survivor, when the budget is spent, or when the survivors are
 * indistinguishable: every one's ratio to the leader has its 95% interval
 * inside 1 +- the minimum effect (an equivalence, not a failure to find a
 * difference). */
#ifndef VB_RACE_H
#define VB_RACE_H

#include <stdbool.h>
#include <stddef.h>

struct vb_race_cand {
	double *v;          /* the objective per repetition (> 0) */
	size_t n, cap;
	bool alive;
	int dropped;        /* the round it was dropped in; 0: never */
};

struct vb_race {
	struct vb_race_cand *c;
	size_t n;
	double min_effect;  /* 0.03: a drop needs the leader ahead by more */
	double alpha;       /* 0.05, the family-wise error over one round's drops */
	bool lower_better;  /* clat_p99: smaller wins */
	int round;          /* rounds pruned so far */
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
 * silently: callers fail the candidate instead). */
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

#endif
