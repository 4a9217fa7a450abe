/* util: error reporting, growable strings, files written atomically and
 * child processes started from argument vectors (never through a shell).
 *
 * The error rule, for every function in bench/: a failure is either
 * REPORTED (vb_error, one whole sentence naming the thing and what to do,
 * where it happens; then return -1 or NULL) or HANDED BACK (a `char **why`
 * the caller frees and reports, or adds to a mode's failure reason) --
 * never both, so that every failure reaches the user exactly once.
 * Functions with a `why` parameter hand back; the others report.
 *
 * Ownership: functions named *_new or returning char * hand the caller a
 * heap string to free(); everything else borrows. */
#ifndef VB_UTIL_H
#define VB_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* Exit statuses, the same for every subcommand. */
enum { VB_EXIT_OK = 0, VB_EXIT_FAIL = 1, VB_EXIT_USAGE = 2, VB_EXIT_INCONCLUSIVE = 3 };

/* Report a whole sentence once, where the failure happens; returns -1 so
 * that callers can write `return vb_error(...)`. */
int vb_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vb_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vb_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* When set, vb_info() prints nothing (tests and --quiet). */
extern bool vb_quiet;
/* In a fleet, the host a process measures: its messages carry "[HOST] ". */
extern const char *vb_msg_host;
/* A live display's hooks (progress.c sets them; NULL: none): called
 * before (false) and after (true) each message line, and from every wait
 * loop through vb_waiting(). */
extern void (*vb_msg_hook)(bool after);
extern void (*vb_wait_hook)(void);
void vb_waiting(void);
/* Set in a thread that must leave the status line alone (--vms: every
 * guest but the first waits in a thread of its own; one thread draws). */
extern _Thread_local bool vb_thread_quiet;

char *vb_strdup(const char *s);
char *vb_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *vb_calloc(size_t n, size_t size);

/* A growable NUL-terminated string. */
struct vb_buf {
	char *s;
	size_t len, cap;
};
void vb_buf_add(struct vb_buf *b, const char *s, size_t n);
void vb_buf_adds(struct vb_buf *b, const char *s);
void vb_buf_addf(struct vb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *vb_buf_release(struct vb_buf *b); /* caller frees; b is emptied */
void vb_buf_free(struct vb_buf *b);
/* s escaped for XML (and HTML) text and attribute values, appended to b:
 * the five entities, tab, CR and LF as character references, any other
 * control character (not allowed in XML 1.0) as '?'. */
void vb_xml_escape(struct vb_buf *b, const char *s);

/* Monotonic clock in seconds. */
double vb_now(void);

/* Parse "4k", "1G", "512" (powers of 1024) into bytes; -1 on bad input. */
int vb_parse_size(const char *s, uint64_t *out);
/* Render bytes as the largest exact unit ("4k", "1g", "512"). */
void vb_format_size(uint64_t v, char *out, size_t outlen);

int vb_mkdir_p(const char *path, mode_t mode);
/* Write data to path via a temporary file in the same folder, fsync and
 * rename, so that readers never see a half-written file. */
int vb_write_file_atomic(const char *path, const void *data, size_t len);
/* Files vmio-bench writes in a results folder, a trend folder or a
 * temporary folder: a symlink planted there must not turn a write into
 * one elsewhere (root runs these commands).
 *   vb_open_write    O_WRONLY|O_CREAT|O_TRUNC|O_NOFOLLOW, 0644: an fd, or -1
 *                    reported (a link is named as one)
 *   vb_fopen_write   the same as a FILE (NULL reported)
 *   vb_subdir_open   the folder top/rel, created (0755) where missing, each
 *                    component of rel a vb_valid_component and no link: an
 *                    O_DIRECTORY fd, or -1 reported.  top itself, the
 *                    folder the user named, may be a link (results/latest)
 *   vb_subdir        the same, for callers that go on with paths: 0 or -1
 *   *_why            the same, handing the reason back instead
 *   vb_private_dir_new  a fresh folder parent/.NAME-XXXXXX (mkdtemp, 0700)
 *                    that nobody else can have planted anything in; the
 *                    caller frees the path (NULL reported)
 *   vb_private_dir_remove  the files in such a folder, then the folder
 *   vb_publish       move to_fd's NAME into place from folder from (renameat:
 *                    a link at the destination is replaced, not followed) */
int vb_open_write(const char *path);
FILE *vb_fopen_write(const char *path);
int vb_subdir_open(const char *top, const char *rel);
int vb_subdir(const char *top, const char *rel);
int vb_subdir_open_why(const char *top, const char *rel, char **why);
int vb_subdir_why(const char *top, const char *rel, char **why);
char *vb_private_dir_new(const char *parent, const char *name);
void vb_private_dir_remove(const char *dir);
int vb_publish(const char *from, const char *name, int to_fd, const char *to);
/* Read a whole (small) file; NULL with errno set on failure. */
char *vb_read_file(const char *path, size_t max, size_t *lenp);
/* The same for a file in a results folder (input, maybe planted): only a
 * regular file is read (errno EINVAL otherwise: a FIFO there would block
 * report, gate and trend forever, a device never end); larger than max is
 * EFBIG before reading.  vb_json_load_regular parses such a file (NULL, and
 * err's text says why; JSON_* flags as json_loadb's). */
char *vb_read_regular(const char *path, size_t max, size_t *lenp);
/* The same for root/rel, where no folder on rel's way nor the file itself
 * may be a symbolic link (EINVAL then, as for a non-file): a results
 * folder's files, named by its own run.json. */
char *vb_read_regular_below(const char *root, const char *rel, size_t max, size_t *lenp);
struct json_t;
struct json_error_t;
struct json_t *vb_json_load_regular(const char *path, size_t max, size_t flags, struct json_error_t *err);

/* Run argv[0] (looked up in PATH) with argv; no shell is involved.
 * If out is non-NULL, stdout is captured into *out (caller frees);
 * otherwise it is inherited.  stderr is inherited.  Waits at most
 * timeout_s seconds (0 = no limit), then kills the child.  Returns the exit
 * status, or -1 if it could not be started or was killed.  Output beyond
 * VB_RUN_OUT_MAX is an error, never cut: the child is killed, *out is
 * NULL, -1 with errno EFBIG. */
#define VB_RUN_OUT_MAX (8u << 20)
int vb_run(const char *const argv[], char **out, int timeout_s);

/* The same, with stdout and stderr written to the file log (a tool's
 * warnings belong in the run's log, not on the terminal). */
int vb_run_logged(const char *const argv[], const char *log, int timeout_s);

/* Last line of a (log) file, for error messages; caller frees. */
char *vb_file_last_line(const char *path);

/* Either of those (out or log may be NULL), calling tick(arg, pid) about
 * every 50 ms while the child's output is read (out must be non-NULL). */
int vb_run_watched(const char *const argv[], char **out, const char *log, int timeout_s,
                   void (*tick)(void *arg, pid_t pid), void *arg);

/* Set by SIGINT/SIGTERM handlers: every wait loop checks it. */
extern volatile int vb_interrupted;
void vb_install_signal_handlers(void);
/* Taking down what a run set up must finish after a Ctrl-C too: between
 * vb_interrupt_defer and vb_interrupt_resume the interrupt already taken
 * does not kill the commands that undo it (iscsiadm, losetup -d,
 * exportfs -u, a configfs step); their own timeouts still hold, and a
 * second Ctrl-C stops them.  resume gives the first interrupt back. */
int vb_interrupt_defer(void);
void vb_interrupt_resume(int was);

/* True if path is an executable regular file. */
bool vb_is_executable(const char *path);
/* First line of a command's output ("QEMU emulator version 7.2.0"), or NULL. */
char *vb_command_first_line(const char *const argv[]);

/* Whitelists for strings that come from a guest or a results folder and
 * reach a script, a file name or a terminal (see tests/hostile.sh):
 *   vb_valid_name         a mode name: [a-z0-9][a-z0-9-]*, or a variant of one,
 *                         BASE+TAG with TAG [a-z0-9][a-z0-9-]{0,15} (one '+',
 *                         harmless in paths, HTML, gnuplot strings and CSV);
 *                         at most max bytes in all
 *   vb_valid_id           a run id: [A-Za-z0-9._-], not starting with . or -,
 *                         at most 64 bytes
 *   vb_valid_fio_version  "fio-" digit, then [A-Za-z0-9.+~_-], at most 44 bytes */
bool vb_valid_name(const char *s, size_t max);
/* A variant mode's tag: at most this many bytes after the '+'. */
#define VB_VARIANT_TAG_MAX 16
/* name is a valid variant BASE+TAG: BASE copied into base (n bytes), true.
 * False for a plain name or a bad one. */
bool vb_mode_variant_base(const char *name, char *base, size_t n);
bool vb_valid_id(const char *s);
/* a fleet's host name: [A-Za-z0-9.-], not starting with . or -, at most 64 */
bool vb_valid_label(const char *s);
bool vb_valid_fio_version(const char *s);
/* A path component taken from run.json (a point's folder, a file name):
 * [A-Za-z0-9][A-Za-z0-9._+-]* (so never "." or ".."), at most 128 bytes;
 * "" only when empty_ok (the default point has no folder of its own).
 * vb_valid_relpath: one or more such components joined by '/'. */
bool vb_valid_component(const char *s, bool empty_ok);
bool vb_valid_relpath(const char *s);
/* Replace control characters (C0, DEL and UTF-8 C1) in s with '?', in place: free
 * text for a terminal.  Returns s. */
char *vb_text_clean(char *s);

#endif
