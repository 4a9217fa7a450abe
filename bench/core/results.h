/* results: the run folder (results/<run-id>/, results/latest), files
 * written atomically into it, and how each mode of the current run went.
 * Summaries of stored results are report.h's. */
#ifndef VB_RESULTS_H
#define VB_RESULTS_H

#include <jansson.h>
#include <stdbool.h>

#include <stddef.h>

/* run.json's schema: a field added extends it and raises the number;
 * every older number keeps loading (a run from before says nothing of the
 * new field).  2: host.hostname, and a mode "unavailable" (dropped at
 * probe time by --modes all, with the probe's reason).  3 (issue 28): the
 * host's environment (host.env), the host's load sampled during each point
 * (a point's host_load, with its busy flag) and per-second latency
 * percentiles (a repetition's lat_log).  The format is
 * results/run.schema.json, whose "schema" enum lists every number from
 * VB_RESULTS_SCHEMA_MIN to this one (tests/schema.sh checks); its keys are
 * spelled in summary/runrec.c alone. */
#define VB_RESULTS_SCHEMA 3
#define VB_RESULTS_SCHEMA_MIN 1
/* Is this a results schema number this vmio-bench reads? */
#define VB_RESULTS_SCHEMA_OK(n) ((n) >= VB_RESULTS_SCHEMA_MIN && (n) <= VB_RESULTS_SCHEMA)

/* How one mode of the current run went (the figures live in its files). */
struct vb_mode_result {
	char *mode;
	bool ok;
	char *reason;        /* why the mode failed; NULL when ok */
	char *guest_kernel;
};


/* Can runs be stored under root (created if missing)?  Checked with the
 * other inputs, before anything boots; reports and returns -1 if not. */
int vb_results_check_root(const char *root);
/* Create root/<id>/ with a fresh id (UTC time, suffixed if taken); *id and
 * *dir are new strings.  Reports and returns -1 on failure. */
int vb_results_create_run_dir(const char *root, char **id, char **dir);
/* Point root/latest at id, atomically. */
int vb_results_link_latest(const char *root, const char *id);
/* Write a JSON document atomically, indented, with a final newline. */
int vb_results_write_json(const char *path, json_t *doc);
/* "2026-11-25T13:15:00Z"; caller frees. */
char *vb_utc_timestamp(void);

/* The most hosts one fleet run has (run refuses more; a run.json naming
 * more is not one vmio-bench wrote). */
#define VB_FLEET_MAX_HOSTS 256

#endif
