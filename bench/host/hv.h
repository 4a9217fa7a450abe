/* hv: the hypervisor host -- where the guests run and where every
 * host-side helper (host fio, tgtadm, qemu-storage-daemon, reading /proc)
 * must run too.  Locally (qemu:///system, qemu:///session) that is this
 * machine and nothing changes.  With a remote libvirt URI
 * (qemu+ssh://[USER@]HOST[:PORT]/system, qemu+tls://HOST/system,
 * qemu://HOST/system, read by libvirt's own rules) helpers run on HOST
 * over ssh, to the same destination the URI names (with ssh, libssh and
 * libssh2 its user, port and ?keyfile=, ?no_verify=): an argument vector
 * is sent quoted for the remote shell, one argument at a time, never an
 * interpolated string.  ssh's control socket is in a private folder; a
 * command's output beyond VB_RUN_OUT_MAX is an error, never cut.
 *
 * One controller process serves one hypervisor (a fleet forks one process
 * per host), so the hypervisor is this process's: vb_hv_use sets it. */
#ifndef VB_HV_H
#define VB_HV_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* What a libvirt URI says about where its hypervisor is. */
struct vb_hv_uri {
	bool remote;       /* a transport to another host (ssh, tls, libssh...) */
	bool system;       /* the /system instance: QEMU runs as an unprivileged user */
	char *user;        /* NULL: ssh's default */
	char *host;        /* NULL when local */
	char *port;        /* ssh's port (ssh, libssh, libssh2), NULL: 22 */
	char *keyfile;     /* ?keyfile= */
	bool no_verify;    /* ?no_verify=1: do not check the host key */
	char *label;       /* the host as a name part: [A-Za-z0-9.-], "" locally */
};

/* Parse uri as libvirt does (transport names in any case, a host without
 * a transport is TLS, the query's last repeated parameter wins, %-escapes
 * decoded); -1 with *why (one line) on an unknown or unusable transport,
 * a URI that names no host where its transport needs one, a query libvirt
 * refuses, or a host, user or keyfile that would not be a safe ssh
 * argument. */
int vb_hv_uri_parse(const char *uri, struct vb_hv_uri *u, char **why);
void vb_hv_uri_release(struct vb_hv_uri *u);

/* Make uri this process's hypervisor (reports and returns -1 on a bad
 * URI).  Until then, and after vb_hv_use(NULL), it is this machine. */
int vb_hv_use(const char *uri);
bool vb_hv_remote(void);
/* Close the ssh connection that carries the helpers (also at exit). */
void vb_hv_close(void);
/* The hypervisor's /system instance (QEMU runs as an unprivileged user). */
bool vb_hv_system(void);
/* The hypervisor as a name part ("" locally): pools, volumes, domains and
 * a fleet's folders carry it so that two hosts never clash. */
const char *vb_hv_label(void);
/* Where helpers run, for messages: "this host" or "HOST (over ssh)". */
const char *vb_hv_where(void);

/* Can helpers run there (ssh reaches it without a prompt)?  -1 with *why,
 * which quotes ssh's own complaint.  0 locally. */
int vb_hv_check(char **why);

/* The argument vector that runs argv on the hypervisor: argv itself
 * locally; ssh's, with argv quoted, remotely.  NULL-terminated; free it
 * with vb_hv_argv_free. */
char **vb_hv_argv(const char *const argv[]);
void vb_hv_argv_free(char **argv);
/* argv quoted for a POSIX shell, each argument in single quotes. */
char *vb_hv_quote(const char *const argv[]);

/* util's vb_run family, on the hypervisor. */
int vb_hv_run(const char *const argv[], char **out, int timeout_s);
int vb_hv_run_logged(const char *const argv[], const char *log, int timeout_s);
char *vb_hv_command_first_line(const char *const argv[]);
/* vb_hv_run with the command's stderr dropped on a remote host (a probe's
 * "not found" is ours to word). */
int vb_hv_run_quiet(const char *const argv[], char **out, int timeout_s);
/* argv, with its pid written to pidfile on the hypervisor first (so that
 * its CPU can be read and it can be stopped there). */
char **vb_hv_argv_pidfile(const char *const argv[], const char *pidfile);

/* Files on the hypervisor. */
char *vb_hv_read_file(const char *path, size_t max, size_t *lenp);
/* Copy remote (a file on the hypervisor, at most max bytes) to local here,
 * and remove it there.  -1 if it could not be read or written. */
int vb_hv_fetch(const char *remote, const char *local, size_t max);
/* test(1): op is one of "-e", "-f", "-b", "-S", "-r", "-x", "-d". */
bool vb_hv_test(const char *op, const char *path);
int vb_hv_mkdir_p(const char *path);
/* realpath(3) there; caller frees, NULL if it does not resolve. */
char *vb_hv_realpath(const char *path);
void vb_hv_remove(const char *path);
/* The user QEMU runs as under qemu:///system on this machine ("libvirt-qemu"
 * on Debian). */
int vb_qemu_user(uid_t *uid, gid_t *gid);
/* Hand path to the user QEMU runs as under /system ("libvirt-qemu"). */
int vb_hv_chown_qemu(const char *path, char **why);
/* path's owner as "UID:GID" (caller frees; NULL if it cannot be read),
 * and giving it back. */
char *vb_hv_owner(const char *path);
int vb_hv_chown(const char *path, const char *owner);
/* The hypervisor's kernel release (what 'r', uname -r) or machine ('m');
 * caller frees, NULL if unknown. */
char *vb_hv_uname(char what);
/* Its CPU model ("model name" of /proc/cpuinfo) and online CPUs. */
char *vb_hv_cpu_model(void);
long vb_hv_cpus(void);

/* The hypervisor's scratch folder for this process's pidfiles, sockets
 * and console logs (the run's private folder); set by whoever made it. */
void vb_hv_set_scratch(const char *dir);
const char *vb_hv_scratch(void);

/* The folder on a remote hypervisor under which vmio-bench keeps its pool
 * and each run's private files. */
#define VB_HV_REMOTE_ROOT "/var/lib/vmio-bench"

/* runner's helpers (issue 23) */
/* The hypervisor is this machine's /system instance: QEMU runs there as
 * an unprivileged user, who must reach every file the run gives it by
 * its path (the kernel, the initramfs, --disk, the results folder). */
bool vb_hv_local_system(void);
/* The guest's image and store are placed on the hypervisor through its
 * storage pool (a remote host, after libvirt is reached) rather than
 * used by their paths on this machine (checked before anything starts). */
bool vb_hv_places_files(void);
/* The hypervisor can go out of reach in the middle of a run (a remote
 * host: its link, its sshd, its libvirtd), and the modes after a failure
 * then wait for --resume. */
bool vb_hv_may_be_lost(void);
/* The run's private folder on the hypervisor (the scratch folder: its
 * sockets, pidfiles, daemon logs and console logs), made and set as
 * vb_hv_scratch: locally under cache_dir (folders of runs that died
 * removed first), remotely under VB_HV_REMOTE_ROOT.  *dir gets it (the
 * caller frees it; NULL when a remote one could not be made).  0, or -1
 * after reporting. */
int vb_hv_private_dir_new(const char *cache_dir, char **dir);
/* Remove it at the end of the run: remotely with all it holds, locally
 * only when empty.  dir may be NULL. */
void vb_hv_private_dir_remove(const char *dir);
/* Where virtlogd writes a guest's console (boot boot_no of mode) on a
 * remote hypervisor, in the scratch folder; NULL locally, where it is
 * written straight into the run folder.  Caller frees. */
char *vb_hv_console_path(const char *mode, unsigned boot_no);
/* Bring that console home, to local, and remove it there; nothing
 * locally. */
void vb_hv_fetch_console(const char *mode, unsigned boot_no, const char *local);

/* local or remote, decided here (issue 23): what a mode or a command asks
 * of the hypervisor, answered here and there alike; the callers ask no
 * vb_hv_remote(). */

/* The hypervisor is this machine, where vmio-bench runs: what it reads,
 * binds or boots here directly (sysfs, /dev, users and groups, the cache
 * folder's image) is the hypervisor's.  Only what a command must say or do
 * differently for the user asks this (a message that names the other host,
 * hostdev's refusal, doctor's checks that have no remote form). */
bool vb_hv_is_this_host(void);
/* Is name an executable in PATH on the hypervisor? */
bool vb_hv_on_path(const char *name);
/* Does any of patterns (NULL-terminated glob(7) patterns of ours, with no
 * blank or quote: a remote shell expands them) name a file there? */
bool vb_hv_glob_any(const char *const patterns[]);
/* The entries of folder dir there, but for its dot files; 0 if it cannot
 * be read. */
size_t vb_hv_dir_count(const char *dir);
/* A path in the scratch folder (vb_hv_scratch) for a file that a helper
 * writes on a remote hypervisor and this process fetches or reads there
 * (a log, a pidfile); NULL on this machine, where the file is written
 * where it belongs and a child's pid is known.  Caller frees. */
char *vb_hv_scratch_path(const char *name);
/* Hand path there to QEMU's user (vb_hv_chown_qemu), keeping its owner
 * ("UID:GID", caller frees) in *saved to give back with vb_hv_chown; -1
 * with *why. */
int vb_hv_hand_to_qemu(const char *path, char **saved, char **why);
/* What identifies the hypervisor's kernel, its QEMU binary and /dev/kvm,
 * for a cache key that must change when they do (a JSON object; caller
 * owns it). */
json_t *vb_hv_kvm_identity(const char *qemu_binary);

#endif
