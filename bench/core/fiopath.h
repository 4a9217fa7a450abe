/* A path handed to fio as a filename.  fio reads an option's value, not a
 * path: it cuts --filename at every ':' (several files), drops everything
 * from a ';' or '#' on and the blanks around the rest, substitutes
 * ${VAR}, $ncpus, $pagesize and $mb_memory (in job files), and takes "-"
 * for stdin/stdout.  A path either reaches fio as itself or is refused.
 *
 * Self-contained (libc only): the guest agent links it too. */
#ifndef VB_FIOPATH_H
#define VB_FIOPATH_H

/* NULL when fio would take path as it is once vb_fio_path_arg has escaped
 * it; else why not, as a phrase to follow the quoted path ("holds '${':
 * fio would put an environment variable there"): a string constant, not
 * to be freed. */
const char *vb_fio_path_check(const char *path);

/* path with each ':' escaped as "\:" (fio's HOWTO, filename=), for
 * --filename=; the caller frees it.  NULL only when out of memory.  Call
 * vb_fio_path_check first: this escapes, it does not judge. */
char *vb_fio_path_arg(const char *path);

#endif
