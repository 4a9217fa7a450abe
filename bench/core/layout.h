/* layout: the names vmio-bench gives what it makes -- domains, run and mode
 * folders, console logs, the private folder for sockets, the backing
 * store -- in one place, so that `run` and `xml` name them alike.
 * Every function returns a new string the caller frees. */
#ifndef VB_LAYOUT_H
#define VB_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

/* "vmio-RUNID-MODE": a guest's domain name; "vmio-HOST-RUNID-MODE" on a
 * remote hypervisor (host: its label, "" locally), so that the hosts of a
 * fleet that are one machine never clash */
char *vb_layout_domain(const char *host, const char *run_id, const char *mode);
/* RUN/MODE: a mode's results folder */
char *vb_layout_mode_dir(const char *run_dir, const char *mode);
/* MODE_DIR/console.log, or console-bootN.log with a boot per repetition */
char *vb_layout_console(const char *mode_dir, bool per_boot, unsigned boot);
/* CACHE/run/PID: sockets and daemon files of one controller (pid < 0: the
 * placeholder "PID", for `xml`) */
char *vb_layout_private_dir(const char *cache_dir, long pid);
/* CACHE/store/disk-SIZE.raw: vmio-bench's own backing store */
char *vb_layout_store(const char *cache_dir, uint64_t size);

#endif
