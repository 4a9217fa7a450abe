/* hvfile: a file system's plain verbs on the hypervisor -- write a string
 * to a file, make or remove one folder, make a symbolic link -- for
 * trees that are driven by such verbs alone (configfs: LIO's target is
 * built by mkdir, echo and ln under /sys/kernel/config/target).  Here
 * they are system calls; on a remote hypervisor, one command each over
 * ssh (hv.h), the data passed as an argument, never pasted into a shell
 * string.  Each returns 0, or -1 with *why (one line naming the path and
 * the kernel's complaint; caller frees). */
#ifndef VB_HVFILE_H
#define VB_HVFILE_H

/* Write text to path in one write(2), as `printf %s TEXT > PATH` would
 * (created if absent, truncated): a configfs attribute takes one write. */
int vb_hv_write_text(const char *path, const char *text, char **why);
/* mkdir(2) of path alone (its parent must exist); an existing path is an
 * error: the caller made it, so it is the caller's to remove. */
int vb_hv_mkdir(const char *path, char **why);
/* rmdir(2) and unlink(2) of path. */
int vb_hv_rmdir(const char *path, char **why);
int vb_hv_unlink(const char *path, char **why);
/* symlink(2): link names target. */
int vb_hv_symlink(const char *target, const char *link, char **why);

#endif
