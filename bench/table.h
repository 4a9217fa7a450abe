/* table: renders a run summary as the text table printed after a run.
 * Reads the summary only; measures nothing. */
#ifndef VB_TABLE_H
#define VB_TABLE_H

#include <stdio.h>

#include "results.h"

void vb_table_render(FILE *f, const struct vb_run_summary *s);

#endif
