/* report: everything for one run folder from its stored results --
 * summary.{json,csv,md}, plots/, report.html and the table -- as `run`
 * ends and as `vmio-bench report RUN` rebuilds it (no libvirt needed). */
#ifndef VB_REPORT_H
#define VB_REPORT_H

#include <stdio.h>

/* Everything for one run folder: summary.{json,csv,md}, plots/,
 * report.html; the table goes to table_out (may be NULL). */
int vb_report_run(const char *run_dir, FILE *table_out);

#endif
