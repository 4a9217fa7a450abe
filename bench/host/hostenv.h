/* hostenv: what moves I/O figures on the hypervisor, read once per run
 * (issue 28): the CPU frequency governor(s) and boost, transparent huge
 * pages, the CPU's vulnerability mitigations, NUMA nodes, memory, the
 * kernel release, and under the backing store its file system, its block
 * device, that disk's I/O scheduler and rotational flag (core/envrec.h
 * holds the result; run.json records it as host.env).
 *
 * One helper command reads it all, on this machine or over ssh on a
 * remote hypervisor (hv.h decides where): a shell script that prints
 * tagged lines (TAG TAB VALUE...), which the parsers below read.  What it
 * prints is input from another host: every value is cleaned for its field
 * (envrec.h's vb_env_word and vb_env_text) before it is stored.
 *
 * Ownership: _release frees what the struct holds; strings returned are
 * new (caller frees). */
#ifndef VB_HOSTENV_H
#define VB_HOSTENV_H

#include "core/envrec.h"

/* Read the hypervisor's environment into e (zeroed first).  store is the
 * backing store's path there, or NULL when the run has none.  It never
 * fails: what cannot be read is recorded as unknown (a helper that cannot
 * run at all is warned about once). */
void vb_hostenv_read(const char *store, struct vb_env *e);

/* ---- the parsers (pure: tests/unit.c) ------------------------------------ */

/* The [selected] choice of a sysfs line ("[mq-deadline] none" ->
 * "mq-deadline", "always [madvise] never" -> "madvise"); a line of one
 * word alone is that word (a queue with no choice says "none"); NULL
 * otherwise.  A clean word (vb_env_word). */
char *vb_hostenv_selected(const char *line);

/* The mount that holds path, from mountinfo (the text of
 * /proc/self/mountinfo): the longest mount point that is path or one of
 * its folders (a whole component: /mnt/a does not hold /mnt/ab), a later
 * line winning a tie (mounted over the earlier).  The mount point and the
 * source are unescaped (\040 is a blank) and cleaned.  0, or -1 when no
 * line holds it. */
struct vb_hostenv_mount {
	char *point, *fs, *source;
	unsigned major, minor;
};
int vb_hostenv_mount_find(const char *mountinfo, const char *path, struct vb_hostenv_mount *m);
void vb_hostenv_mount_release(struct vb_hostenv_mount *m);

/* The helper's output into e (zeroed first): lines
 *   f TAB PATH TAB TEXT       a file's first line (cpufreq, THP, a vulnerability)
 *   vuln                      the vulnerabilities folder is there
 *   node TAB NAME             a NUMA node
 *   mem TAB "MemTotal: N kB"  /proc/meminfo's line
 *   uname TAB RELEASE
 *   real TAB PATH             the store's real path
 *   rdev TAB MAJ:MIN          the store is a block device (hex, as stat %t:%T)
 *   mi TAB LINE               a line of /proc/self/mountinfo
 *   blk TAB NAME TAB MAJ:MIN TAB SCHEDULER-LINE TAB ROTATIONAL
 *   part TAB NAME TAB MAJ:MIN TAB DISK
 * anything else ignored. */
void vb_hostenv_parse(const char *out, struct vb_env *e);

#endif
