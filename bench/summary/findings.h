/* findings: what a run's figures say, as a short list of statements
 * computed from its summary (summary.h), so that the reader does not have
 * to do the comparing.  Per scope -- a fleet's host, a sweep's job point --
 * the modes are ranked by the headline metric (IOPS: reads plus writes for
 * a mixed job, the one side of a pure read or write job; the mean over
 * repetitions), and each step of the ranking (mode k against mode k+1) is
 * tested: the ratio of geometric means, its 95% interval and Welch's test
 * on log IOPS over the repetitions (vb_log_ratio_welch), the p values
 * adjusted by Benjamini-Hochberg over every step of the run (one family),
 * a step significant at q < VB_FINDINGS_ALPHA.  (Welch's, not a rank test:
 * Mann-Whitney cannot go below p = 0.1 at 3 repetitions each.)  Then the
 * best mode's share of the baseline (host), a warning for each mode whose
 * spread makes the run weak (CV over VB_FINDINGS_CV_WEAK, with the
 * repetitions --reps auto would need), and the modes that are not ranked
 * (failed, unavailable) with their reasons.
 *
 * A statement is generic: a kind, its scope, the modes it names and its
 * numbers; renderers (render/findings.c) word it for each sink.  A new
 * kind is an enum value here, where it is computed, and its wording there.
 * Nothing here prints.
 *
 * Ownership: vb_findings_new returns a list freed with vb_findings_free
 * (which takes NULL); every string in it is its own copy. */
#ifndef VB_FINDINGS_H
#define VB_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>

struct vb_summary;

#define VB_FINDINGS_ALPHA 0.05   /* a step is a difference at q below this */
#define VB_FINDINGS_CV_WEAK 0.20 /* a mode spreading more makes the run weak */

enum vb_finding_kind {
	VB_FINDING_RANK,       /* the scope's modes in order (ranked[], mean) */
	VB_FINDING_STEP,       /* mode against the next in the ranking, other */
	VB_FINDING_SHARE,      /* the best mode's share of the baseline, other */
	VB_FINDING_SPREAD,     /* mode's CV over VB_FINDINGS_CV_WEAK */
	VB_FINDING_NOT_RANKED, /* mode failed or was unavailable (status, reason); "-": a fleet's host without results */
	VB_FINDING_BUSY,       /* mode measured on a busy host (reason: why; value: other processes' CPU, cores) */
};

/* The headline metric of a scope: what "reads", "writes" or "does the
 * IOPS of" says. */
enum vb_headline { VB_HEADLINE_READ, VB_HEADLINE_WRITE, VB_HEADLINE_TOTAL };

struct vb_ranked {
	char *mode;                /* bare mode name */
	double mean;               /* headline IOPS, mean over repetitions */
	size_t n;                  /* repetitions */
	bool imported;             /* figures imported, not measured by vmio-bench */
};

struct vb_finding {
	enum vb_finding_kind kind;
	char *host;                /* a fleet's host, or NULL */
	char *point;               /* the job point's label in a sweep, or NULL (one point, or not per point) */
	enum vb_headline headline;
	char *mode;                /* bare mode name */
	char *other;               /* STEP: the next mode; SHARE: the baseline; else NULL */
	bool imported, other_imported;
	size_t n, n_other;         /* repetitions of mode and of other */
	double mean, mean_other;   /* headline IOPS, means over repetitions (NAN: none) */
	/* STEP: mode / other (geometric means); SHARE: mode / baseline
	 * (arithmetic means, as the tables' "of host"); SPREAD: the CV of
	 * the headline IOPS; lo and hi: the 95% interval (NAN: none) */
	double value, lo, hi;
	/* STEP: Welch's p on log IOPS and its BH q over the run's steps; NAN
	 * when not tested (fewer than 2 repetitions a side, or a repetition
	 * with no IOPS) */
	double p, q;
	bool significant;          /* STEP: q < VB_FINDINGS_ALPHA */
	/* SPREAD: the repetitions --reps auto would need for its interval
	 * (0: more than VB_REPS_FOR_CV_MAX), from the largest CV of the
	 * directions it checks; the run's --ci-target and --max-reps */
	unsigned long reps_needed;
	double ci_target;
	unsigned max_reps;
	char *status, *reason;     /* NOT_RANKED: "failed" or "unavailable", and why (cleaned text, or NULL); BUSY: why */
	struct vb_ranked *ranked;  /* RANK: the modes, best first */
	size_t nranked;
};

struct vb_findings {
	struct vb_finding *f;
	size_t n;
	size_t ntests;             /* steps tested: the Benjamini-Hochberg family */
	bool scoped;               /* several scopes (hosts or points): statements name theirs */
};

/* The findings of s (loaded by vb_summary_load); never NULL. */
struct vb_findings *vb_findings_new(const struct vb_summary *s);
void vb_findings_free(struct vb_findings *fs);

#endif
