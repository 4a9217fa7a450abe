/* tuneobj: a tune's objective, per repetition, read from a run folder
 * with the summary's own readers (the values compare uses): what the race
 * (race.h) is fed. */
#ifndef VB_TUNEOBJ_H
#define VB_TUNEOBJ_H

#include <stdbool.h>
#include <stddef.h>

#include "summary/summary.h"

/* --objective's names, as --metric spells them (iops, clat_p99) and one of
 * its own (iops-per-cpu). */
enum vb_objective { VB_OBJ_IOPS, VB_OBJ_IOPS_PER_CPU, VB_OBJ_CLAT_P99, VB_NOBJ };
extern const char *const vb_objective_names[VB_NOBJ];
/* The objective named so, or -1. */
int vb_objective_find(const char *name);
/* clat_p99: smaller wins. */
bool vb_objective_lower_better(int obj);

/* Mode mode's values of objective obj in the loaded summary s, one per
 * repetition of its (single) job point: IOPS reads and writes summed; IOPS
 * per host CPU second; the slower direction's p99 (ns).  *vals is new
 * (caller frees), *n its length; a mode without rows gives 0 values; a
 * value it cannot compute (no host CPU read) is NAN. */
void vb_objective_values(const struct vb_summary *s, const char *mode, int obj, double **vals, size_t *n);
/* A mode's status in s ("ok", "failed", ...) and reason; NULL: not there. */
const struct vb_mode_status *vb_summary_mode(const struct vb_summary *s, const char *mode);

#endif
