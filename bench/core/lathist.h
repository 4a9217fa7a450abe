/* lathist: completion latency over time.  fio's histogram log
 * (--write_hist_log with --log_hist_msec=1000) holds, per job, direction
 * and window, the counts of fio's 1856 latency buckets; its latency log
 * holds only averages.  This module reduces the histogram log to a few
 * percentiles per second and direction (the "lat log"), and reads a lat
 * log back strictly, for it comes from a guest or a results folder.
 *
 * The lat log, one line per second and direction, ascending:
 *     MSEC, DIR, COMPLETIONS, P50_NS, P90_NS, P99_NS, P99.9_NS
 * MSEC is the end of the 1 s window (1000, 2000, ...), DIR 0 reads and
 * 1 writes; the percentiles follow fio's own rule (the first bucket whose
 * cumulative count reaches p% of the window's completions, valued at the
 * bucket's middle: stat.c, plat_idx_to_val), over the window's
 * completions of every job of the run merged.  Lines starting with '#'
 * are comments.
 *
 * Self-contained (libc only): the guest agent links it too. */
#ifndef VB_LATHIST_H
#define VB_LATHIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* fio 3.x's buckets (stat.h: FIO_IO_U_PLAT_BITS 6, FIO_IO_U_PLAT_GROUP_NR
 * 29): a histogram log line without log_hist_coarseness has this many. */
#define VB_LAT_BITS 6
#define VB_LAT_VAL (1u << VB_LAT_BITS)
#define VB_LAT_BUCKETS (29u * VB_LAT_VAL)
#define VB_LAT_NPCT 4
/* At most this many lines in a lat log (both directions of 16384 s, over
 * four and a half hours at 60 bytes a line: 2 MB); the rest is cut and
 * the cut is said ("truncated"), never a failure. */
#define VB_LAT_MAX_ROWS 32768u
#define VB_LAT_MAX_TEXT (VB_LAT_MAX_ROWS * 80u)
/* A value beyond this (ns: about 2.8 hours) is not a latency. */
#define VB_LAT_MAX_NS 10000000000000ull

/* p50, p90, p99, p99.9 */
extern const double vb_lat_pct[VB_LAT_NPCT];

struct vb_latrow {
	uint64_t msec;
	unsigned dir;       /* 0 read, 1 write */
	uint64_t n;         /* completions in the window */
	uint64_t p[VB_LAT_NPCT]; /* ns */
};

/* The latency (ns) fio gives bucket idx (< VB_LAT_BUCKETS): the middle of
 * its range, as fio's plat_idx_to_val. */
uint64_t vb_lat_bucket_ns(unsigned idx);

/* Percentiles (vb_lat_pct) of a histogram of VB_LAT_BUCKETS counts into
 * out; the number of completions (0: out is all 0). */
uint64_t vb_lat_percentiles(const uint64_t *counts, uint64_t out[VB_LAT_NPCT]);

/* Reduce fio's histogram log at path to a lat log: a NUL-terminated text
 * the caller frees, at most VB_LAT_MAX_ROWS lines (*truncated set when
 * lines were cut, else cleared).  NULL with *why (a phrase, a string
 * constant) when the file cannot be read or a line is not fio's
 * histogram line: nothing is guessed. */
char *vb_lathist_reduce_file(const char *path, bool *truncated, const char **why);

/* Read a lat log strictly: every line (but comments) seven unsigned
 * decimals, directions 0 or 1, lines in ascending (msec, dir) order
 * without repeats, msec a whole second, completions >= 1, percentiles
 * ascending and at most VB_LAT_MAX_NS; at most VB_LAT_MAX_ROWS lines
 * (more: the rest cut, *truncated set).  0 with *rows (the caller frees)
 * and *n; -1 with *why (a string constant) and nothing kept. */
int vb_latlog_parse(const char *text, size_t len, struct vb_latrow **rows, size_t *n, bool *truncated,
                    const char **why);

/* rows as a lat log (with its header comment): a text the caller frees,
 * NULL when out of memory. */
char *vb_latlog_format(const struct vb_latrow *rows, size_t n);

#endif
