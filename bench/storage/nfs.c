/* nfs: the run's data served over NFSv3 by nfs-ganesha (its VFS backend,
 * in userspace: this machine's kernel has no NFS server or client) on the
 * hypervisor's loopback, and read by QEMU's own NFS client (libnfs,
 * qemu-block-extra's block-nfs), <disk type='network'> protocol 'nfs'.
 *
 * The export is a folder of the run's own holding one hard link to the
 * filled store, so that nothing else of the host is exposed.  ganesha
 * listens on ports the kernel picks (0 in its configuration: nothing to
 * clash with) and registers them with rpcbind, where libnfs looks them up:
 * QEMU's nfs driver takes no port (QEMU 7.2's NFSServer is a host alone),
 * so rpcbind is needed.  rpcbind is a shared system daemon: one already
 * running is used and left alone; one we start is stopped at teardown.
 *
 * QEMU runs as libvirt-qemu under qemu:///system; libnfs would speak as
 * that uid (AUTH_SYS) and meet a root-owned store, so the disk names the
 * identity root (No_Root_Squash on the export), which keeps the store's
 * ownership untouched. */
#include "config.h"
#include "storage/storage.h"
#include "host/hostres.h"
#include "host/hv.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NFS_HOST "127.0.0.1"
#define NFS_FILE "disk.raw"
#define NFS_PROG 100003
#define MNT_PROG 100005
#define READY_S 30

struct nfs_priv {
	char *dir;         /* RUN_DIR/nfs: configuration, pidfile, recovery, export */
	char *export_dir;  /* dir/export, what ganesha exports */
	char *file;        /* export_dir/disk.raw, a hard link to the store */
	char *log;         /* ganesha's messages (the mode's folder) */
	pid_t ganesha;     /* as vb_daemon_start gave it */
	pid_t rpcbind;     /* an rpcbind we started, else 0 */
	long port, mnt_port;
};

static int nfs_probe(const struct vb_config *c, char **why)
{
	(void)c;
	const char *vfs[] = {"/usr/lib/*/ganesha/libfsalvfs.so", "/usr/lib/ganesha/libfsalvfs.so",
	                     "/usr/lib64/ganesha/libfsalvfs.so", NULL};
	const char *blk[] = {"/usr/lib/*/qemu/block-nfs.so", "/usr/lib/qemu/block-nfs.so", "/usr/lib64/qemu/block-nfs.so",
	                     NULL};
	if (!vb_hv_on_path("ganesha.nfsd"))
		*why = vb_asprintf("ganesha.nfsd (the NFS server) is missing on %s: apt-get install nfs-ganesha "
		                   "nfs-ganesha-vfs there", vb_hv_where());
	else if (!vb_hv_glob_any(vfs))
		*why = vb_asprintf("nfs-ganesha's VFS backend (libfsalvfs.so) is missing on %s: apt-get install "
		                   "nfs-ganesha-vfs there", vb_hv_where());
	else if (!vb_hv_on_path("rpcbind") || !vb_hv_on_path("rpcinfo"))
		*why = vb_asprintf("rpcbind (where QEMU's NFS client finds ganesha's ports) is missing on %s: "
		                   "apt-get install rpcbind there", vb_hv_where());
	else if (!vb_hv_glob_any(blk))
		*why = vb_asprintf("QEMU's nfs block driver (block-nfs.so) is missing on %s: apt-get install "
		                   "qemu-block-extra there", vb_hv_where());
	return *why ? -1 : 0;
}

static void nfs_plan(struct vb_stor *s)
{
	struct nfs_priv *p = s->priv;
	if (s->run_dir && !p->dir) {
		p->dir = vb_asprintf("%s/nfs", s->run_dir);
		p->export_dir = vb_asprintf("%s/export", p->dir);
		p->file = vb_asprintf("%s/%s", p->export_dir, NFS_FILE);
	}
	/* the hard link is the store itself: host mode reads it there */
	if (s->store && s->store->path && !s->medium)
		s->medium = vb_strdup(s->store->path);
	json_t *set = vb_stor_settings(s);
	json_object_set_new(set, "client", json_string("libnfs"));
	json_object_set_new(set, "nfs_version", json_integer(3));
	json_object_set_new(set, "export", p->export_dir ? json_string(p->export_dir) : json_null());
	json_object_set_new(set, "file", p->file ? json_string(p->file) : json_null());
	json_object_set_new(set, "identity", json_string("root"));
}

/* The port rpcbind maps (prog, version 3, tcp) to, from `rpcinfo -p`'s
 * listing; 0 when not registered. */
static long rpcb_port(const char *listing, long prog)
{
	for (const char *l = listing; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : "") {
		long pr, vers, port;
		char proto[8];
		if (sscanf(l, " %ld %ld %7s %ld", &pr, &vers, proto, &port) == 4 && pr == prog && vers == 3 &&
		    strcmp(proto, "tcp") == 0)
			return port;
	}
	return 0;
}

/* rpcbind's listing on the hypervisor, NULL when none answers. */
static char *rpcb_listing(void)
{
	/* "Connection refused" while none runs is ours to word */
	const char *argv[] = {"sh", "-c", "exec rpcinfo -p \"$0\" 2>/dev/null", NFS_HOST, NULL};
	char *out = NULL;
	if (vb_hv_run(argv, &out, 10) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* rpcbind running (ours when none was), and no other NFS server
 * registered there (ganesha would take its place in rpcbind). */
static int rpcbind_ready(struct vb_stor *s, char **why)
{
	struct nfs_priv *p = s->priv;
	char *l = rpcb_listing();
	if (!l) {
		char *log = vb_asprintf("%s/rpcbind.log", s->log_dir);
		/* no -w: a warm start would bring back the registrations the
		 * last rpcbind saved when it stopped, stale servers among them */
		const char *argv[] = {"rpcbind", "-f", NULL};
		vb_info("nfs: starting rpcbind (none runs on %s; it is stopped again after the run)", vb_hv_where());
		p->rpcbind = vb_daemon_start(argv, log);
		for (double end = vb_now() + 10; p->rpcbind > 0 && !l && vb_now() < end; usleep(100000)) {
			if (!vb_daemon_alive(p->rpcbind))
				break;
			l = rpcb_listing();
		}
		if (!l) {
			char *last = vb_file_last_line(log);
			*why = vb_asprintf("cannot start rpcbind on %s: %s (see %s)", vb_hv_where(), last ? last : "no answer",
			                   log);
			free(last);
		}
		free(log);
	}
	json_object_set_new(s->record, "rpcbind", json_pack("{s:b}", "started", p->rpcbind > 0));
	if (l && rpcb_port(l, NFS_PROG)) {
		*why = vb_asprintf("another NFS server is registered with rpcbind on %s (rpcinfo -p lists nfs on port %ld): "
		                   "stop it, or if none runs, 'rpcinfo -d %d 3; rpcinfo -d %d 3; rpcinfo -d %d 1'",
		                   vb_hv_where(), rpcb_port(l, NFS_PROG), NFS_PROG, MNT_PROG, MNT_PROG);
		free(l);
		return -1;
	}
	free(l);
	return *why ? -1 : 0;
}

/* The export folder with the store linked into it. */
static int make_export(struct vb_stor *s, char **why)
{
	struct nfs_priv *p = s->priv;
	const char *ln[] = {"ln", "--", s->store->path, p->file, NULL};
	/* root's alone: over NFS any local process may claim uid 0
	 * (No_Root_Squash, for QEMU's identity), and a file it made there must
	 * be of no use to anyone else on the host (a setuid binary) */
	const char *lock[] = {"chmod", "0700", "--", p->dir, NULL};
	if (vb_hv_mkdir_p(p->export_dir) < 0 || vb_hv_run_quiet(lock, NULL, 30) != 0) {
		*why = vb_asprintf("cannot create the NFS export folder '%s' on %s", p->export_dir, vb_hv_where());
		return -1;
	}
	if (vb_hv_run_quiet(ln, NULL, 30) != 0) {
		*why = vb_asprintf("cannot hard-link the store '%s' into the NFS export '%s' on %s: give --cache-dir on "
		                   "the store's filesystem", s->store->path, p->export_dir, vb_hv_where());
		return -1;
	}
	return 0;
}

/* ganesha's configuration: NFSv3 alone, TCP on the loopback, ports the
 * kernel picks, no NLM or rquota, recovery state in our folder, one
 * export. */
static int write_config(struct vb_stor *s, const char *conf, char **why)
{
	struct nfs_priv *p = s->priv;
	/* ganesha's quoted strings end at a quote; our own folders never hold one */
	if (strpbrk(p->dir, "\"\\\n")) {
		*why = vb_asprintf("the run folder '%s' holds a quote or backslash, which ganesha's configuration cannot "
		                   "say: choose another --cache-dir", p->dir);
		return -1;
	}
	char *text = vb_asprintf("NFS_Core_Param {\n\tProtocols = 3;\n\tBind_addr = %s;\n\tNFS_Port = 0;\n"
	                         "\tMNT_Port = 0;\n\tNLM_Port = 0;\n\tRquota_Port = 0;\n\tEnable_NLM = false;\n"
	                         "\tEnable_RQUOTA = false;\n\tEnable_UDP = false;\n}\n"
	                         "NFSv4 {\n\tGraceless = true;\n\tRecoveryBackend = fs;\n\tRecoveryRoot = \"%s/recovery\";\n}\n"
	                         "EXPORT {\n\tExport_Id = 1;\n\tPath = \"%s\";\n\tPseudo = \"%s\";\n\tProtocols = 3;\n"
	                         "\tTransports = TCP;\n\tAccess_Type = RW;\n\tSquash = No_Root_Squash;\n\tSecType = sys;\n"
	                         "\tFSAL { Name = VFS; }\n}\n",
	                         NFS_HOST, p->dir, p->export_dir, p->export_dir);
	const char *sh[] = {"sh", "-c", "printf '%s' \"$1\" > \"$2\"", "sh", text, conf, NULL};
	int rc = vb_hv_run(sh, NULL, 30);
	free(text);
	if (rc != 0)
		*why = vb_asprintf("cannot write ganesha's configuration '%s' on %s", conf, vb_hv_where());
	return rc == 0 ? 0 : -1;
}

/* Wait until rpcbind maps both NFS and mountd (ganesha registers them when
 * it serves): their ports are ganesha's. */
static int wait_ready(struct vb_stor *s, char **why)
{
	struct nfs_priv *p = s->priv;
	for (double end = vb_now() + READY_S; vb_now() < end; usleep(200000)) {
		if (!vb_daemon_alive(p->ganesha)) {
			char *last = vb_file_last_line(p->log);
			*why = vb_asprintf("ganesha.nfsd exited at start: %s (see %s)", last ? last : "no message", p->log);
			free(last);
			p->ganesha = 0;
			return -1;
		}
		char *l = rpcb_listing();
		p->port = rpcb_port(l, NFS_PROG);
		p->mnt_port = rpcb_port(l, MNT_PROG);
		free(l);
		if (p->port && p->mnt_port)
			return 0;
	}
	char *last = vb_file_last_line(p->log);
	*why = vb_asprintf("ganesha.nfsd did not register NFS and mountd with rpcbind within %d s: %s (see %s)", READY_S,
	                   last ? last : "no message", p->log);
	free(last);
	return -1;
}

static char *ganesha_version(void)
{
	const char *argv[] = {"ganesha.nfsd", "-v", NULL};
	char *v = vb_hv_command_first_line(argv); /* "NFS-Ganesha Release = V4.3" */
	const char *eq = v ? strrchr(v, '=') : NULL;
	char *r = eq ? vb_strdup(eq + 1 + strspn(eq + 1, " V")) : vb_strdup(v ? v : "unknown");
	free(v);
	return r;
}

static int nfs_prepare(struct vb_stor *s, char **why)
{
	struct nfs_priv *p = s->priv;
	if (!s->store || !s->store->path || s->store->is_block) {
		*why = vb_strdup("storage nfs serves vmio-bench's own store or a --disk file, not a block device: drop "
		                 "--disk or use --storage raw");
		return -1;
	}
	nfs_plan(s);
	p->log = vb_asprintf("%s/ganesha.log", s->log_dir);
	char *conf = vb_asprintf("%s/ganesha.conf", p->dir), *pidfile = vb_asprintf("%s/ganesha.pid", p->dir);
	int rc = -1;
	if (rpcbind_ready(s, why) < 0 || make_export(s, why) < 0 || write_config(s, conf, why) < 0)
		goto out;
	const char *argv[] = {"ganesha.nfsd", "-F", "-f", conf, "-L", "STDERR", "-p", pidfile, NULL};
	vb_info("nfs: starting ganesha.nfsd exporting %s", p->export_dir);
	p->ganesha = vb_daemon_start(argv, p->log);
	if (p->ganesha < 0) {
		p->ganesha = 0;
		*why = vb_strdup("cannot start ganesha.nfsd");
		goto out;
	}
	if (wait_ready(s, why) < 0)
		goto out;
	char *ver = ganesha_version();
	json_object_set_new(s->record, "server", json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "name", "nfs-ganesha",
	                                                   "version", ver, "host", NFS_HOST, "port", (json_int_t)p->port,
	                                                   "mount_port", (json_int_t)p->mnt_port, "pid",
	                                                   (json_int_t)vb_daemon_host_pid(p->ganesha)));
	free(ver);
	s->server_name = "ganesha.nfsd";
	s->server_pid = p->ganesha;
	rc = 0;
out:
	free(conf);
	free(pidfile);
	return rc;
}

/* A ganesha that was killed leaves its ports in rpcbind: take them out,
 * if they are still the ones it registered. */
static void rpcb_forget(const struct nfs_priv *p)
{
	char *l = rpcb_listing();
	if (p->port && rpcb_port(l, NFS_PROG) == p->port) {
		const char *argv[] = {"rpcinfo", "-d", "100003", "3", NULL};
		vb_hv_run_quiet(argv, NULL, 10);
	}
	if (p->mnt_port && rpcb_port(l, MNT_PROG) == p->mnt_port) {
		const char *v3[] = {"rpcinfo", "-d", "100005", "3", NULL}, *v1[] = {"rpcinfo", "-d", "100005", "1", NULL};
		vb_hv_run_quiet(v3, NULL, 10);
		vb_hv_run_quiet(v1, NULL, 10);
	}
	free(l);
}

static void nfs_teardown(struct vb_stor *s)
{
	struct nfs_priv *p = s->priv;
	if (!p)
		return;
	/* one found dead (and reaped) is not signalled: its pid may be another's */
	if (p->ganesha > 0 && vb_daemon_alive(p->ganesha))
		vb_daemon_stop(p->ganesha, 15);
	else if (p->ganesha > 0)
		vb_proc_unalias(p->ganesha);
	if (p->ganesha > 0 || p->port)
		rpcb_forget(p);
	if (p->dir) {
		const char *rm[] = {"rm", "-rf", "--", p->dir, NULL};
		vb_hv_run(rm, NULL, 60);
	}
	if (p->rpcbind > 0 && vb_daemon_alive(p->rpcbind)) /* ours: leave the host as we found it */
		vb_daemon_stop(p->rpcbind, 10);
	else if (p->rpcbind > 0)
		vb_proc_unalias(p->rpcbind);
	free(p->dir);
	free(p->export_dir);
	free(p->file);
	free(p->log);
	memset(p, 0, sizeof(*p));
}

static void nfs_source_xml(struct vb_xml *x, const struct vb_stor *s)
{
	const struct nfs_priv *p = s->priv;
	vb_xml_open(x, "source", "protocol", "nfs", "name", p->file ? p->file : "", NULL);
	/* libnfs finds ganesha's port through rpcbind: QEMU takes none */
	vb_xml_empty(x, "host", "name", NFS_HOST, NULL);
	vb_xml_empty(x, "identity", "user", "root", "group", "root", NULL);
	vb_xml_close(x);
}

static json_t *nfs_blockdev(const struct vb_stor *s, const char *node)
{
	const struct nfs_priv *p = s->priv;
	return json_pack("{s:s, s:s, s:{s:s, s:s}, s:s, s:i, s:i, s:o}", "driver", "nfs", "node-name", node, "server",
	                 "type", "inet", "host", NFS_HOST, "path", p->file ? p->file : "", "user", 0, "group", 0, "cache",
	                 vb_stor_cache(s->cfg));
}

const struct vb_storage vb_storage_nfs = {
	.name = "nfs",
	.summary = "NFSv3 from nfs-ganesha on the loopback, QEMU's libnfs client (<disk type='network'>)",
	.disk_type = "network",
	.format = "raw",
	.needs = "nfs-ganesha, nfs-ganesha-vfs, rpcbind, qemu-block-extra",
	.local_only = true, /* the hard link needs the run folder on the store's filesystem: checked here only */
	.priv_size = sizeof(struct nfs_priv),
	.probe = nfs_probe,
	.plan = nfs_plan,
	.prepare = nfs_prepare,
	.teardown = nfs_teardown,
	.source_xml = nfs_source_xml,
	.blockdev = nfs_blockdev,
};
