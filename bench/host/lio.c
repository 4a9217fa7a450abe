/* lio: a vhost-scsi target in the kernel's LIO, through configfs by hand
 * (lio.h). */
#include "config.h"
#include "host/lio.h"
#include "host/hv.h"
#include "host/hvfile.h"
#include "core/util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* What is missing, first found first: the tree, the fabric's device, the
 * backstore's module. */
struct lio_need {
	const char *path;     /* present when the piece is there */
	const char *missing;  /* what is missing, and */
	const char *fix;      /* what to do */
	bool file, block;     /* needed only for that kind of backstore */
};

static const struct lio_need needs[] = {
	{.path = "/sys/module/target_core_mod",
	 .missing = "LIO, the kernel's SCSI target (module target_core_mod), is not loaded",
	 .fix = "modprobe target_core_mod, then mount configfs (mount -t configfs none /sys/kernel/config)"},
	{.path = VB_LIO_ROOT, .missing = "LIO's configfs tree " VB_LIO_ROOT " is absent (configfs is not mounted)",
	 .fix = "mount -t configfs none /sys/kernel/config (after modprobe target_core_mod)"},
	{.path = "/dev/vhost-scsi", .missing = "/dev/vhost-scsi is missing",
	 .fix = "modprobe vhost_scsi (the kernel's vhost-scsi fabric of LIO)"},
	{.path = "/sys/module/target_core_file", .missing = "LIO's fileio backstore (module target_core_file) is not loaded",
	 .fix = "modprobe target_core_file", .file = true},
	{.path = "/sys/module/target_core_iblock", .missing = "LIO's iblock backstore (module target_core_iblock) is not loaded",
	 .fix = "modprobe target_core_iblock", .block = true},
};

int vb_lio_probe(bool want_file, bool want_block, char **why)
{
	for (size_t i = 0; i < sizeof(needs) / sizeof(needs[0]); i++) {
		const struct lio_need *n = &needs[i];
		if ((n->file && !want_file) || (n->block && !want_block) || vb_hv_test("-e", n->path))
			continue;
		*why = vb_asprintf("%s on %s: %s", n->missing, vb_hv_where(), n->fix);
		return -1;
	}
	return 0;
}

/* How a fileio backstore comes closest to QEMU's --cache (the guest's
 * other disks in the same run open the same store so).  LIO's
 * asynchronous path (fd_async_io=1) is always O_DIRECT (IOCB_DIRECT, with
 * IOCB_DSYNC only on a FUA write), its synchronous one goes through the
 * page cache, with O_DSYNC unless fd_buffered_io=1, which also shows the
 * guest a write cache. */
struct lio_cache {
	const char *cache;
	bool async_io;    /* fd_async_io=1 */
	bool buffered;    /* fd_buffered_io=1 */
	bool wce;         /* attrib/emulate_write_cache=1 */
	const char *how;
};

static const struct lio_cache caches[] = {
	{"none", true, false, true,
	 "O_DIRECT asynchronous I/O (fd_async_io=1) and a write cache the guest flushes (emulate_write_cache=1), as QEMU's cache=none"},
	{"directsync", true, false, false,
	 "O_DIRECT asynchronous I/O (fd_async_io=1), no write cache shown; LIO's direct path syncs only FUA writes, "
	 "so this is nearer QEMU's cache=none than its directsync (O_DSYNC on every write)"},
	{"writethrough", false, false, false,
	 "the page cache with O_DSYNC (fd_buffered_io=0), no write cache shown, as QEMU's cache=writethrough"},
	{"writeback", false, true, true,
	 "the page cache without O_DSYNC (fd_buffered_io=1, a write cache shown), as QEMU's cache=writeback"},
	{"unsafe", false, true, true,
	 "the page cache without O_DSYNC (fd_buffered_io=1) as QEMU's cache=writeback: LIO cannot ignore flushes as cache=unsafe does"},
};

static const struct lio_cache *cache_find(const char *cache)
{
	for (size_t i = 0; i < sizeof(caches) / sizeof(caches[0]); i++)
		if (cache && strcmp(caches[i].cache, cache) == 0)
			return &caches[i];
	return &caches[0];
}

static void step_push(struct vb_lio *l, char kind, const char *path)
{
	l->steps = realloc(l->steps, (l->nsteps + 1) * sizeof(*l->steps));
	if (!l->steps)
		abort();
	l->steps[l->nsteps++] = (struct vb_lio_step){.kind = kind, .path = vb_strdup(path)};
}

static int make_dir(struct vb_lio *l, const char *path, char **why)
{
	if (vb_hv_mkdir(path, why) < 0)
		return -1;
	step_push(l, 'd', path);
	return 0;
}

/* dir/attr = value, and the record's list of what was written */
static int put(struct vb_lio *l, const char *dir, const char *attr, const char *value, char **why)
{
	char *p = vb_asprintf("%s/%s", dir, attr);
	int rc = vb_hv_write_text(p, value, why);
	free(p);
	if (rc == 0)
		json_array_append_new(json_object_get(l->record, "written"), json_pack("[s, s]", attr, value));
	return rc;
}

/* A folder core/PLUGIN_N of our own (an HBA: LIO keeps one per backstore
 * as targetcli does), N clear of the low numbers targetcli picks. */
static char *hba_new(struct vb_lio *l, const char *plugin, char **why)
{
	for (unsigned i = 0, base = (unsigned)getpid() % 100000 + 1000; i < 64; i++) {
		char *p = vb_asprintf(VB_LIO_ROOT "/core/%s_%u", plugin, base + i);
		if (!vb_hv_test("-e", p)) {
			if (make_dir(l, p, why) == 0)
				return p;
			free(p);
			return NULL;
		}
		free(p);
	}
	*why = vb_asprintf("no free LIO backstore folder " VB_LIO_ROOT "/core/%s_N on %s", plugin, vb_hv_where());
	return NULL;
}

/* The backstore over path: fileio with the cache table's settings, or
 * iblock on a block device (bios straight to it: no page cache, its own
 * write cache shown). */
static int backstore_new(struct vb_lio *l, const char *path, bool is_block, const char *serial, const char *cache,
                         char **why)
{
	const struct lio_cache *c = cache_find(cache);
	char *hba = hba_new(l, is_block ? "iblock" : "fileio", why), *size = NULL;
	int rc = -1;

	if (!hba)
		return -1;
	l->backstore = is_block ? "iblock" : "fileio";
	l->store = vb_asprintf("%s/vmio-%ld", hba, (long)getpid());
	json_object_set_new(l->record, "backstore", json_string(l->backstore));
	json_object_set_new(l->record, "backstore_dir", json_string(l->store));
	if (make_dir(l, l->store, why) < 0)
		goto out;
	char *opt = vb_asprintf("%s=%s", is_block ? "udev_path" : "fd_dev_name", path);
	rc = put(l, l->store, "control", opt, why);
	free(opt);
	if (rc < 0)
		goto out;
	rc = -1;
	if (!is_block) {
		const char *argv[] = {"stat", "-L", "-c", "%s", "--", path, NULL};
		if (!(size = vb_hv_command_first_line(argv))) {
			*why = vb_asprintf("cannot read the size of '%s' on %s", path, vb_hv_where());
			goto out;
		}
		char *opt2 = vb_asprintf("fd_dev_size=%s", size);
		int r = put(l, l->store, "control", opt2, why);
		free(opt2);
		if (r < 0 || (c->async_io && put(l, l->store, "control", "fd_async_io=1", why) < 0) ||
		    (c->buffered && put(l, l->store, "control", "fd_buffered_io=1", why) < 0))
			goto out;
	}
	if (put(l, l->store, "udev_path", path, why) < 0 || put(l, l->store, "enable", "1", why) < 0)
		goto out;
	if (!is_block && c->wce && put(l, l->store, "attrib/emulate_write_cache", "1", why) < 0)
		goto out;
	/* no persistent reservations: a guest's PERSISTENT RESERVE OUT with
	 * APTPL would have LIO write a file of its own on the host
	 * (/var/target/pr/aptpl_SERIAL) that outlives the run */
	if (put(l, l->store, "attrib/emulate_pr", "0", why) < 0)
		goto out;
	/* the guest finds its disk by the unit serial (VPD page 0x80): ours,
	 * set before the LUN is exported (LIO refuses it after) */
	if (put(l, l->store, "wwn/vpd_unit_serial", serial, why) < 0)
		goto out;
	json_object_set_new(l->record, "cache", json_string(is_block ? "iblock" : c->cache));
	json_object_set_new(l->record, "how",
	                    json_string(is_block ? "iblock: bios straight to the device (no page cache, as O_DIRECT), "
	                                           "the device's own write cache shown to the guest"
	                                         : c->how));
	rc = 0;
out:
	free(size);
	free(hba);
	return rc;
}

/* naa.5001405 (NAA 5, LIO's IEEE OUI 00:14:05) and 9 hex digits of this
 * run (time and pid), flip telling the initiator's port from the
 * target's. */
static void wwpn_make(char *out, size_t n, uint64_t flip)
{
	static unsigned calls;
	uint64_t v = ((uint64_t)time(NULL) << 16) ^ ((uint64_t)getpid() << 4) ^ calls++;
	snprintf(out, n, "naa.5001405%09llx", (unsigned long long)((v ^ flip) & 0xfffffffffULL));
}

/* The vhost fabric's target port: WWPN/tpgt_1/lun/lun_0 linked to the
 * backstore, and the I_T nexus vhost-scsi needs before QEMU can attach. */
static int vhost_target_new(struct vb_lio *l, char **why)
{
	char nexus[24];
	const char *fabric = VB_LIO_ROOT "/vhost";
	/* the fabric's folder registers vhost with LIO: it stays (another
	 * run, or the host's own targets, may use it by the time this one
	 * ends), so it is no step of the run's to undo */
	if (!vb_hv_test("-d", fabric) && vb_hv_mkdir(fabric, why) < 0)
		return -1;
	wwpn_make(l->wwpn, sizeof(l->wwpn), 0);
	wwpn_make(nexus, sizeof(nexus), 0x800000000ULL);
	char *port = vb_asprintf("%s/%s", fabric, l->wwpn), *tpg = vb_asprintf("%s/tpgt_1", port);
	char *lun = vb_asprintf("%s/lun/lun_0", tpg), *link = vb_asprintf("%s/vmio", lun);
	int rc = -1;
	/* the nexus before the LUN: vhost-scsi refuses to drop a nexus while
	 * a LUN is linked (EBUSY), so undone in reverse it goes after it */
	if (make_dir(l, port, why) < 0 || make_dir(l, tpg, why) < 0 || put(l, tpg, "nexus", nexus, why) < 0)
		goto out;
	step_push(l, 'n', tpg);
	if (make_dir(l, lun, why) < 0 || vb_hv_symlink(l->store, link, why) < 0)
		goto out;
	step_push(l, 'l', link);
	json_object_set_new(l->record, "wwpn", json_string(l->wwpn));
	json_object_set_new(l->record, "tpgt", json_integer(1));
	json_object_set_new(l->record, "lun", json_integer(0));
	json_object_set_new(l->record, "nexus", json_string(nexus));
	rc = 0;
out:
	free(port);
	free(tpg);
	free(lun);
	free(link);
	return rc;
}

int vb_lio_vhost_new(struct vb_lio *l, const char *path, bool is_block, const char *serial, const char *cache,
                     char **why)
{
	memset(l, 0, sizeof(*l));
	l->record = json_pack("{s:s, s:s, s:[]}", "target", "LIO (the host kernel's SCSI target)", "fabric", "vhost",
	                      "written");
	/* the control file splits its options at commas and newlines */
	if (strpbrk(path, ",\n")) {
		*why = vb_asprintf("LIO cannot take '%s' as a backstore: its path has a comma or a newline: rename it", path);
		return -1;
	}
	if (backstore_new(l, path, is_block, serial, cache, why) < 0)
		return -1;
	return vhost_target_new(l, why);
}

/* "NULL" ends the I_T nexus.  It is refused (EBUSY) while a vhost
 * endpoint holds the port: a QEMU just stopped may release its
 * /dev/vhost-scsi a moment later, so try for 10 s. */
static int drop_nexus(const char *tpg, char **why)
{
	char *p = vb_asprintf("%s/nexus", tpg);
	double deadline = vb_now() + 10;
	int rc;
	while ((rc = vb_hv_write_text(p, "NULL", why)) < 0 && vb_now() < deadline) {
		free(*why);
		*why = NULL;
		usleep(200000);
	}
	free(p);
	return rc;
}

void vb_lio_remove(struct vb_lio *l)
{
	while (l->nsteps > 0) {
		struct vb_lio_step *s = &l->steps[--l->nsteps];
		char *why = NULL;
		int rc = s->kind == 'd'   ? vb_hv_rmdir(s->path, &why)
		         : s->kind == 'l' ? vb_hv_unlink(s->path, &why)
		                          : drop_nexus(s->path, &why);
		if (rc < 0) {
			/* each of the run's own objects that stays, by name: never
			 * advice that would clear the host's other targets */
			vb_warn("LIO: %s: remove %s by hand (%s)", why, s->path,
			        s->kind == 'd' ? "rmdir" : s->kind == 'l' ? "rm, the LUN's link" : "echo NULL > it");
		}
		free(why);
		free(s->path);
	}
	free(l->steps);
	free(l->store);
	json_decref(l->record);
	memset(l, 0, sizeof(*l));
}
