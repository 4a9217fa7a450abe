/* tuneobj: a tune's objective per repetition (tuneobj.h). */
#include "config.h"
#include "summary/tuneobj.h"
#include "core/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const vb_objective_names[VB_NOBJ] = {"iops", "iops-per-cpu", "clat_p99"};

int vb_objective_find(const char *name)
{
	for (int i = 0; i < VB_NOBJ; i++)
		if (name && strcmp(vb_objective_names[i], name) == 0)
			return i;
	return -1;
}

bool vb_objective_lower_better(int obj)
{
	return obj == VB_OBJ_CLAT_P99;
}

/* One repetition k of a point's read and write rows. */
static double value_at(const struct vb_row *rd, const struct vb_row *wr, size_t k, int obj)
{
	double iops = rd->val[VB_M_IOPS][k] + wr->val[VB_M_IOPS][k];
	switch (obj) {
	case VB_OBJ_IOPS:
		return iops;
	case VB_OBJ_IOPS_PER_CPU:
		/* host CPU us per I/O -> I/Os per host CPU second */
		return rd->host_cpu_rep[k] > 0 ? 1e6 / rd->host_cpu_rep[k] : NAN;
	default: {
		/* the slower direction that did I/O (a read-only job has no
		 * write p99) */
		double a = rd->val[VB_M_IOPS][k] > 0 ? rd->val[VB_M_CLAT_P99][k] : 0;
		double b = wr->val[VB_M_IOPS][k] > 0 ? wr->val[VB_M_CLAT_P99][k] : 0;
		return a > b ? a : b > 0 ? b : NAN;
	}
	}
}

void vb_objective_values(const struct vb_summary *s, const char *mode, int obj, double **vals, size_t *n)
{
	const struct vb_row *rd = NULL, *wr = NULL;
	*vals = NULL;
	*n = 0;
	for (size_t i = 0; i < s->nrows; i++) {
		if (strcmp(s->rows[i].mode, mode) != 0)
			continue;
		if (!strcmp(s->rows[i].dir, "read") && !rd)
			rd = &s->rows[i];
		else if (!strcmp(s->rows[i].dir, "write") && !wr)
			wr = &s->rows[i];
	}
	if (!rd || !wr || rd->n != wr->n || !rd->n)
		return;
	*vals = vb_calloc(rd->n, sizeof(double));
	for (size_t k = 0; k < rd->n; k++)
		(*vals)[k] = value_at(rd, wr, k, obj);
	*n = rd->n;
}

const struct vb_mode_status *vb_summary_mode(const struct vb_summary *s, const char *mode)
{
	for (size_t i = 0; i < s->nmodes; i++)
		if (s->modes[i].mode && strcmp(s->modes[i].mode, mode) == 0)
			return &s->modes[i];
	return NULL;
}
