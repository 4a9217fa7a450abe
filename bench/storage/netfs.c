/* netfs: the run's data on an NFS export of the hypervisor's KERNEL NFS
 * server (nfsd, nfs-kernel-server) from 127.0.0.1, mounted by the host
 * kernel's NFS client through a transient libvirt `netfs` pool, the guest
 * on the file in it (<disk type='volume'>).  Every I/O crosses the
 * kernel's NFS client, the loopback and nfsd; `host` reads the file
 * through the mount, so it measures the kernel's client too.
 *
 * As the nfs model (nfs-ganesha) does, the export is a folder of the
 * run's own holding one hard link to the filled store, so that nothing
 * else of the host is exposed; it lies beside the store (a hard link
 * needs the store's file system, which nfsd can export: the run's private
 * folder may be on a tmpfs or an overlay).  exportfs adds it for
 * 127.0.0.1 alone (no_root_squash: libvirt hands the file to QEMU's user
 * with a chown through the mount), and removes it at teardown.
 *
 * NFSv3 (no grace period after nfsd starts, the version nfs's ganesha
 * serves), mounted soft with a short timeo/retrans through libvirt's
 * fs:mount_opts, so that a server that stops fails the I/O in seconds
 * instead of hanging it; nolock, since the client is the server's own
 * host (no rpc.statd needed).  nfsd is no process of ours: a stopped
 * server (rpc.nfsd 0, or the export removed) is told by server_gone. */
#include "config.h"
#include "storage/storage.h"
#include "guest/runpool.h"
#include "host/hv.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NFS_HOST "127.0.0.1"
#define NFS_FILE "disk.raw"
#define NFS_VERSION "3"
/* nfsd's export: rw for the loopback alone, root as root, each write on
 * disk before the reply (sync: what an NFS server promises by default) */
#define EXPORT_OPTIONS "rw,sync,no_root_squash,no_subtree_check"
/* soft, 2 s, then 4 s, then 6 s (TCP backs off linearly): a server that
 * stopped fails the I/O after about 12 s, and a slow one (TCG inside TCG
 * has seen 1.7 s) only costs a retransmission */
static const char *const mount_options[] = {"soft", "timeo=20", "retrans=2", "nolock", NULL};
#define LIBVIRT_OPTIONS "nodev,nosuid,noexec" /* what libvirt adds itself */

struct netfs_state {
	struct vb_runpool *pool;
	char *pool_name;
	char *export_dir; /* beside the store: STORE_DIR/netfs-PID */
	char *mount_dir;  /* RUN_DIR/netfs */
	char *log;        /* exportfs' messages */
	bool dir_made;    /* export_dir is the run's: made by it */
	bool linked;      /* the store's hard link is in it */
	bool exported;
};

static int netfs_probe(const struct vb_config *c, char **why)
{
	(void)c;
	const char *w = vb_hv_where();
	char *threads = vb_hv_read_file("/proc/fs/nfsd/threads", 64, NULL);
	bool serving = threads && atoi(threads) > 0;
	free(threads);
	if (!vb_hv_on_path("exportfs"))
		*why = vb_asprintf("exportfs (the kernel NFS server's tools) is missing on %s: apt-get install "
		                   "nfs-kernel-server there", w);
	else if (!serving)
		*why = vb_asprintf("the kernel NFS server (nfsd) is not running on %s (/proc/fs/nfsd/threads is absent or 0): "
		                   "apt-get install nfs-kernel-server and start it there (systemctl start nfs-server)", w);
	else if (!vb_hv_test("-x", "/sbin/mount.nfs") && !vb_hv_test("-x", "/usr/sbin/mount.nfs"))
		*why = vb_asprintf("mount.nfs (the kernel NFS client's mount helper) is missing on %s: apt-get install "
		                   "nfs-common there", w);
	else
		return vb_runpool_backend_ready("fs", "fs", "libvirt-daemon-driver-storage-fs", why);
	return -1;
}

static char *options_joined(void)
{
	struct vb_buf b = {0};
	vb_buf_addf(&b, "%s,nfsvers=%s", LIBVIRT_OPTIONS, NFS_VERSION);
	for (size_t i = 0; mount_options[i]; i++)
		vb_buf_addf(&b, ",%s", mount_options[i]);
	return vb_buf_release(&b);
}

static void netfs_plan(struct vb_stor *s)
{
	struct netfs_state *p = s->priv;
	if (!p->pool_name) {
		char *dir = s->store && s->store->path ? vb_strdup(s->store->path) : vb_strdup("/store/disk.raw");
		*strrchr(dir, '/') = '\0';
		p->pool_name = vb_asprintf("vmio-netfs-%ld", (long)getpid());
		p->export_dir = vb_asprintf("%s/netfs-%ld", *dir ? dir : "/", (long)getpid());
		p->mount_dir = vb_asprintf("%s/netfs", s->run_dir ? s->run_dir : "/run");
		free(dir);
	}
	if (!s->path) {
		s->path = vb_asprintf("%s/%s", p->mount_dir, NFS_FILE);
		s->medium = vb_strdup(s->path);
	}
	json_t *set = vb_stor_settings(s);
	char *opts = options_joined();
	json_object_set_new(set, "client", json_string("kernel (nfs)"));
	json_object_set_new(set, "pool", json_string(p->pool_name));
	json_object_set_new(set, "pool_type", json_string("netfs"));
	json_object_set_new(set, "export", json_pack("s++", NFS_HOST ":", p->export_dir, ""));
	json_object_set_new(set, "export_options", json_string(EXPORT_OPTIONS));
	json_object_set_new(set, "mount_point", json_string(p->mount_dir));
	json_object_set_new(set, "mount_options", json_string(opts));
	json_object_set_new(set, "nfs_version", json_string(NFS_VERSION));
	json_object_set_new(set, "file", json_string(s->path));
	json_object_set_new(s->record, "server", json_pack("{s:s, s:s}", "name", "kernel nfsd", "host", NFS_HOST));
	free(opts);
}

/* The export folder beside the store, the store linked into it, then
 * exported.  -1 with *why. */
static int make_export(struct vb_stor *s, char **why)
{
	struct netfs_state *p = s->priv;
	char *file = vb_asprintf("%s/%s", p->export_dir, NFS_FILE);
	const char *mk[] = {"mkdir", "-m", "0711", "--", p->export_dir, NULL};
	const char *ln[] = {"ln", "--", s->store->path, file, NULL};
	char *client = vb_asprintf("%s:%s", NFS_HOST, p->export_dir);
	const char *ex[] = {"exportfs", "-o", EXPORT_OPTIONS, client, NULL};
	int rc = -1;
	if (vb_hv_run_logged(mk, p->log, 30) != 0)
		*why = vb_asprintf("cannot create the NFS export folder '%s' on %s (see %s)", p->export_dir, vb_hv_where(), p->log);
	else if (!(p->dir_made = true) || vb_hv_run_logged(ln, p->log, 30) != 0)
		*why = vb_asprintf("cannot hard-link the store '%s' into the NFS export '%s' on %s (see %s)", s->store->path,
		                   p->export_dir, vb_hv_where(), p->log);
	else if (!(p->linked = true) || vb_hv_run_logged(ex, p->log, 60) != 0) {
		char *last = vb_file_last_line(p->log);
		*why = vb_asprintf("exportfs cannot export %s on %s: %s (is rpc.mountd running? see %s)", client, vb_hv_where(),
		                   last ? last : "no message", p->log);
		free(last);
	} else {
		rc = 0;
	}
	p->exported = rc == 0;
	free(client);
	free(file);
	return rc;
}

static char *pool_xml(const struct netfs_state *p)
{
	struct vb_xml x = {0};
	vb_xml_open(&x, "pool", "type", "netfs", "xmlns:fs", "http://libvirt.org/schemas/storagepool/fs/1.0", NULL);
	vb_xml_text(&x, "name", p->pool_name, NULL);
	vb_xml_open(&x, "source", NULL);
	vb_xml_empty(&x, "host", "name", NFS_HOST, NULL);
	vb_xml_empty(&x, "dir", "path", p->export_dir, NULL);
	vb_xml_empty(&x, "format", "type", "nfs", NULL);
	vb_xml_empty(&x, "protocol", "ver", NFS_VERSION, NULL);
	vb_xml_close(&x);
	vb_xml_open(&x, "target", NULL);
	vb_xml_text(&x, "path", p->mount_dir, NULL);
	vb_xml_close(&x);
	vb_xml_open(&x, "fs:mount_opts", NULL);
	for (size_t i = 0; mount_options[i]; i++)
		vb_xml_empty(&x, "fs:option", "name", mount_options[i], NULL);
	return vb_xml_release(&x);
}

/* The mount's line in /proc/mounts (its options as the kernel took
 * them), or NULL when nothing is mounted there; caller frees. */
static char *mounted(const char *dir)
{
	char *m = vb_hv_read_file("/proc/mounts", 1u << 20, NULL), *r = NULL;
	char *needle = vb_asprintf(" %s nfs", dir);
	char *at = m ? strstr(m, needle) : NULL;
	if (at) {
		while (at > m && at[-1] != '\n')
			at--;
		size_t n = strcspn(at, "\n");
		r = vb_calloc(1, n + 1);
		memcpy(r, at, n);
	}
	free(needle);
	free(m);
	return r;
}

/* The NFS version the kernel mounted with ("vers=3"), for the record. */
static void record_mount(struct vb_stor *s)
{
	const struct netfs_state *p = s->priv;
	char *line = mounted(p->mount_dir);
	const char *v = line ? strstr(line, ",vers=") : NULL;
	json_t *set = vb_stor_settings(s);
	if (v)
		json_object_set_new(set, "nfs_version", json_stringn(v + 6, strcspn(v + 6, ", ")));
	json_object_set_new(set, "mounted", line ? json_string(line) : json_null());
	free(line);
}

static int netfs_prepare(struct vb_stor *s, char **why)
{
	struct netfs_state *p = s->priv;
	if (!s->store || !s->store->path || s->store->is_block) {
		*why = vb_strdup("storage netfs exports vmio-bench's own store or a --disk file, not a block device: drop "
		                 "--disk or use --storage raw");
		return -1;
	}
	netfs_plan(s);
	p->log = vb_asprintf("%s/netfs.log", s->log_dir);
	if (make_export(s, why) < 0 || vb_hv_mkdir_p(p->mount_dir) < 0)
		return -1;
	char *xml = pool_xml(p);
	vb_info("netfs: mounting %s:%s (kernel nfsd) on %s (libvirt pool %s)", NFS_HOST, p->export_dir, p->mount_dir,
	        p->pool_name);
	p->pool = vb_runpool_start(s->virt, p->pool_name, xml, "check nfsd, rpc.mountd and 'exportfs -v' there", why);
	free(xml);
	char *vol = NULL, *path = NULL;
	uint64_t cap = 0;
	if (!p->pool || vb_runpool_volume(p->pool, 10, &vol, &path, &cap, why) < 0)
		return -1;
	free(s->path);
	free(s->medium);
	s->path = path;
	s->medium = vb_strdup(path);
	json_object_set_new(vb_stor_settings(s), "file", json_string(path));
	free(vol);
	record_mount(s);
	return 0;
}

/* Is the kernel's server still serving our export?  A sentence if not. */
static char *netfs_gone(const struct vb_stor *s)
{
	const struct netfs_state *p = s->priv;
	if (!p->exported)
		return NULL;
	char *threads = vb_hv_read_file("/proc/fs/nfsd/threads", 64, NULL);
	int n = threads ? atoi(threads) : 0;
	free(threads);
	if (n <= 0)
		return vb_strdup("its server, the kernel NFS server (nfsd), stopped during the run (/proc/fs/nfsd/threads is 0)");
	/* exportfs' table: a line "DIR<tab>HOST(options)" per export */
	char *etab = vb_hv_read_file("/var/lib/nfs/etab", 1u << 20, NULL);
	char *line = vb_asprintf("\n%s\t%s(", p->export_dir, NFS_HOST);
	bool there = etab && (strncmp(etab, line + 1, strlen(line + 1)) == 0 || strstr(etab, line));
	free(etab);
	free(line);
	if (!there)
		return vb_asprintf("its NFS export %s:%s was removed from the kernel NFS server during the run", NFS_HOST,
		                   p->export_dir);
	return NULL;
}

/* Unmount by hand what libvirt could not (a server gone hard). */
static void unmount_left(const struct netfs_state *p)
{
	char *line = mounted(p->mount_dir);
	if (!line)
		return;
	free(line);
	const char *f[] = {"umount", "-f", p->mount_dir, NULL}, *l[] = {"umount", "-l", p->mount_dir, NULL};
	if (vb_hv_run_logged(f, p->log, 60) != 0)
		vb_hv_run_logged(l, p->log, 60);
	if ((line = mounted(p->mount_dir)))
		vb_warn("storage netfs: %s is still mounted: 'umount -l %s'", p->mount_dir, p->mount_dir);
	free(line);
}

static void netfs_teardown(struct vb_stor *s)
{
	struct netfs_state *p = s->priv;
	char *why = NULL;
	if (p->pool && vb_runpool_stop(p->pool, &why) < 0)
		vb_warn("storage netfs: %s: unmounting by hand", why);
	free(why);
	p->pool = NULL;
	if (p->mount_dir && p->log) {
		unmount_left(p);
		const char *rm[] = {"rmdir", "--", p->mount_dir, NULL};
		vb_hv_run_logged(rm, p->log, 30);
	}
	if (p->exported) {
		char *client = vb_asprintf("%s:%s", NFS_HOST, p->export_dir);
		const char *un[] = {"exportfs", "-u", client, NULL};
		if (vb_hv_run_logged(un, p->log, 60) != 0)
			vb_warn("storage netfs: could not remove the export %s: 'exportfs -u %s'", client, client);
		free(client);
	}
	/* only what prepare made, and never a folder's other content: an
	 * export folder by that name that was there already is someone
	 * else's (mkdir failed on it) */
	if (p->linked) {
		char *file = vb_asprintf("%s/%s", p->export_dir, NFS_FILE);
		const char *rm[] = {"rm", "-f", "--", file, NULL};
		vb_hv_run(rm, NULL, 60);
		free(file);
	}
	if (p->dir_made) {
		const char *rm[] = {"rmdir", "--", p->export_dir, NULL};
		if (vb_hv_run(rm, NULL, 60) != 0)
			vb_warn("storage netfs: the export folder '%s' could not be removed (is something else in it?)",
			        p->export_dir);
	}
	if (p->pool_name && s->virt && vb_runpool_exists(s->virt, p->pool_name))
		vb_warn("storage netfs: the pool '%s' is still defined: 'virsh pool-destroy %s'", p->pool_name, p->pool_name);
	free(p->pool_name);
	free(p->export_dir);
	free(p->mount_dir);
	free(p->log);
	memset(p, 0, sizeof(*p));
}

static void netfs_source(struct vb_xml *x, const struct vb_stor *s)
{
	const struct netfs_state *p = s->priv;
	vb_xml_empty(x, "source", "pool", p->pool_name, "volume", NFS_FILE, NULL);
}

const struct vb_storage vb_storage_netfs = {
	.name = "netfs",
	.summary = "NFSv3 from the kernel's nfsd on 127.0.0.1, mounted soft by the host kernel's client (a libvirt netfs "
	           "pool, <disk type='volume'>)",
	.disk_type = "volume",
	.format = "raw",
	.needs = "nfs-kernel-server (nfsd running), nfs-common (mount.nfs), libvirt's fs pool backend",
	.priv_size = sizeof(struct netfs_state),
	.probe = netfs_probe,
	.plan = netfs_plan,
	.prepare = netfs_prepare,
	.teardown = netfs_teardown,
	.source_xml = netfs_source,
	.server_gone = netfs_gone,
};
