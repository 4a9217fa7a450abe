/* report: everything for one run folder from its stored results --
 * summary.{json,csv,md}, plots/, report.html and the table -- as `run`
 * ends and as `vmio-bench report RUN` rebuilds it (no libvirt needed). */
#ifndef VB_REPORT_H
#define VB_REPORT_H

#include <stdio.h>

/* Everything for one run folder: summary.{json,csv,md}, plots/,
 * report.html; the table goes to table_out (may be NULL). */
int vb_report_run(const char *run_dir, FILE *table_out);
/* --json: the run's summary.json (written by vb_report_run) to f, in place
 * of the table.  0, or -1 after reporting. */
int vb_report_print_json(const char *run_dir, FILE *f);

#endif
