/* loopvol: a pool volume on a loop device of the run's own (loopvol.h). */
#include "config.h"
#include "storage/loopvol.h"
#include "guest/runpool.h"
#include "guest/pool.h"
#include "host/hv.h"
#include "core/util.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define COPIED_BY "dd from the store, bs=1M oflag=direct conv=fsync"
#define MIB (1024ull * 1024ull)

static uint64_t store_size(const struct vb_stor *s)
{
	return s->store && s->store->size ? s->store->size : s->cfg->size;
}

/* The store's folder: its file system does O_DIRECT (the loop device's
 * reads then skip the page cache), and it has the room the store has. */
static char *store_dir(const struct vb_stor *s)
{
	const char *p = s->store && s->store->path ? s->store->path : NULL;
	const char *slash = p ? strrchr(p, '/') : NULL;
	if (!slash)
		return vb_asprintf("%s/store", s->cfg->cache_dir);
	return vb_asprintf("%.*s", (int)(slash - p), p);
}

/* The backing file's size: the volume's and what the device needs
 * beside it (metadata, a partition table, alignment). */
static uint64_t backing_bytes(const struct vb_stor *s, const struct vb_loopvol_kind *k)
{
	return (store_size(s) + MIB - 1) / MIB * MIB + k->overhead;
}

static void record(struct vb_stor *s, const struct vb_loopvol_kind *k)
{
	const struct vb_loopvol *lv = s->priv;
	json_t *o = vb_stor_settings(s);
	const char *dev = lv->loop.dev ? lv->loop.dev : "/dev/loopN";
	json_object_set_new(o, "pool", json_string(lv->name));
	json_object_set_new(o, "pool_type", json_string(k->pool_type));
	json_object_set_new(o, "loop_device", json_string(dev));
	json_object_set_new(o, "backing_file", json_string(lv->file));
	json_object_set_new(o, "backing_bytes", json_integer((json_int_t)backing_bytes(s, k)));
	json_object_set_new(o, "direct_io", json_boolean(lv->loop.direct_io));
	json_object_set_new(o, "volume", json_string(lv->vol));
	json_object_set_new(o, "path", json_string(s->path));
	json_object_set_new(o, "allocation", json_string(k->allocation));
	json_object_set_new(o, "copied_by", json_string(COPIED_BY));
	json_object_set_new(o, "volume_removed_by", json_string(k->removed_by ? k->removed_by : "libvirt"));
	k->record(o, lv->name, dev);
}

void vb_loopvol_plan(struct vb_stor *s, const struct vb_loopvol_kind *k)
{
	struct vb_loopvol *lv = s->priv;
	const char *dev = lv->loop.dev ? lv->loop.dev : "/dev/loopN";
	char *dir = store_dir(s);
	free(lv->name);
	free(lv->file);
	free(lv->vol);
	lv->name = vb_asprintf("%s%ld", k->prefix, (long)getpid());
	lv->file = vb_asprintf("%s/%s.img", dir, lv->name);
	lv->vol = k->volume_name(lv->name, dev);
	free(dir);
	/* (what libvirt will name it: the volume's path is asked once made) */
	free(s->path);
	free(s->medium);
	s->path = strcmp(k->pool_type, "logical") == 0 ? vb_asprintf("/dev/%s/%s", lv->name, lv->vol)
	                                               : vb_asprintf("/dev/%s", lv->vol);
	s->medium = vb_strdup(s->path);
	s->is_block = true;
	record(s, k);
}

/* The pid a leftover's name carries (after the prefix), 0 if none. */
static long name_pid(const char *line, const char *prefix)
{
	const char *at = strstr(line, prefix);
	return at ? strtol(at + strlen(prefix), NULL, 10) : 0;
}

/* Is the run that made it alive (here; a remote run's pid is another
 * machine's, so there every leftover is named)? */
static bool run_alive(long pid)
{
	return pid > 0 && pid != (long)getpid() && vb_hv_is_this_host() && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

/* Is the thing that line names (PREFIX + pid) a storage pool already
 * named in b, whose removal takes it along (its volume group)? */
static bool pool_named(const struct vb_buf *b, const char *line, const char *prefix)
{
	const char *at = strstr(line, prefix);
	if (!at || !b->len)
		return false;
	char *pool = vb_asprintf("storage pool %.*s (", (int)strcspn(at, " \t"), at);
	bool named = strstr(b->s, pool) != NULL;
	free(pool);
	return named;
}

/* Add "what (remove: command)" for each "what\tcommand" line of a dead
 * run (but what a named pool's removal removes). */
static void add_dead(struct vb_buf *b, char *lines, const char *prefix)
{
	for (char *line = lines ? strtok(lines, "\n") : NULL; line; line = strtok(NULL, "\n")) {
		char *cmd = strchr(line, '\t');
		if (!cmd || run_alive(name_pid(line, prefix)) || pool_named(b, line, prefix))
			continue;
		*cmd++ = '\0';
		vb_buf_addf(b, "%s%s (remove: %s)", b->len ? "; " : "", line, cmd);
	}
	free(lines);
}

/* Pools, loop devices and backing files of the kind's own prefix. */
static char *generic_leftovers(struct vb_stor *s, const struct vb_loopvol_kind *k)
{
	struct vb_buf b = {0};
	char *pools = vb_runpool_list_prefix(s->virt, k->prefix, NULL), *loops = vb_loop_list_prefix(k->prefix);
	for (char *n = pools ? strtok(pools, "\n") : NULL; n; n = strtok(NULL, "\n"))
		vb_buf_addf(&b, "storage pool %s\tvirsh pool-destroy %s; virsh pool-delete %s; virsh pool-undefine %s\n", n,
		            n, n, n);
	for (char *l = loops ? strtok(loops, "\n") : NULL; l; l = strtok(NULL, "\n")) {
		char *file = strchr(l, ' ');
		if (file)
			*file++ = '\0';
		vb_buf_addf(&b, "loop device %s over %s\tlosetup -d %s\n", l, file ? file : "?", l);
	}
	char *dir = store_dir(s), *pattern = vb_asprintf("%s*.img", k->prefix), *files = NULL;
	const char *argv[] = {"find", dir, "-maxdepth", "1", "-name", pattern, NULL};
	vb_hv_run_quiet(argv, &files, 20);
	for (char *f = files ? strtok(files, "\n") : NULL; f; f = strtok(NULL, "\n"))
		vb_buf_addf(&b, "backing file %s\trm %s\n", f, f);
	free(files);
	free(pattern);
	free(dir);
	free(pools);
	free(loops);
	return b.len ? vb_buf_release(&b) : (vb_buf_free(&b), NULL);
}

/* What an earlier run of this model left, named and not touched. */
static void warn_leftovers(struct vb_stor *s, const struct vb_loopvol_kind *k)
{
	struct vb_buf b = {0};
	add_dead(&b, generic_leftovers(s, k), k->prefix);
	if (k->leftovers)
		add_dead(&b, k->leftovers(k->prefix), k->prefix);
	if (b.len)
		vb_warn("storage %s: left on %s by an earlier run and not touched: %s", k->model, vb_hv_where(), b.s);
	vb_buf_free(&b);
}

/* A sparse file of the device's size, new (never an earlier run's). */
static int make_file(struct vb_stor *s, const struct vb_loopvol_kind *k, char **why)
{
	struct vb_loopvol *lv = s->priv;
	if (vb_hv_test("-e", lv->file)) {
		*why = vb_asprintf("storage %s: the backing file '%s' already exists on %s (an earlier run's with this "
		                   "run's pid): check 'losetup -j %s' and remove it", k->model, lv->file, vb_hv_where(),
		                   lv->file);
		return -1;
	}
	char *size = vb_asprintf("%" PRIu64, backing_bytes(s, k));
	const char *argv[] = {"truncate", "--size", size, "--", lv->file, NULL};
	int rc = vb_hv_run_quiet(argv, NULL, 30);
	free(size);
	if (rc != 0) {
		*why = vb_asprintf("storage %s: cannot create the backing file '%s' on %s: check the store folder's free "
		                   "space and permissions", k->model, lv->file, vb_hv_where());
		return -1;
	}
	lv->file_made = true;
	return 0;
}

/* The volume's path as libvirt names it (what QEMU opens). */
static void take_path(struct vb_stor *s, char *path)
{
	free(s->path);
	free(s->medium);
	s->path = path;
	s->medium = vb_strdup(path);
}

/* The store's data onto the volume, on the hypervisor, on the device
 * before the guest starts (no dirty pages flushing under the first
 * repetitions).  -1 with *why. */
static int copy_in(struct vb_stor *s, const struct vb_loopvol_kind *k, char **why)
{
	const struct vb_loopvol *lv = s->priv;
	char *log = vb_asprintf("%s/%s-copy.log", s->log_dir, k->model);
	char *in = vb_asprintf("if=%s", s->store->path), *out = vb_asprintf("of=%s", s->path);
	/* (O_DIRECT wants whole blocks: a store of odd size goes through the
	 * page cache, and conv=fsync puts it on the device all the same) */
	bool direct = s->store->size % MIB == 0;
	const char *argv[] = {"dd", in, out, "bs=1M", "conv=fsync", "status=none", direct ? "oflag=direct" : NULL, NULL};
	vb_info("storage %s: copying the store %s onto volume %s (%s) of pool %s", k->model, s->store->path, lv->vol,
	        s->path, lv->name);
	int rc = vb_hv_run_logged(argv, log, (int)(s->store->size >> 20) + 120);
	if (rc != 0) {
		char *said = vb_file_last_line(log);
		*why = vb_asprintf("storage %s: cannot copy the store '%s' onto the volume '%s' on %s (dd: %s)", k->model,
		                   s->store->path, s->path, vb_hv_where(), said && *said ? said : "no message");
		free(said);
	} else {
		unlink(log);
	}
	free(log);
	free(in);
	free(out);
	return rc == 0 ? 0 : -1;
}

int vb_loopvol_prepare(struct vb_stor *s, const struct vb_loopvol_kind *k, char **why)
{
	struct vb_loopvol *lv = s->priv;
	if (!s->store || !s->store->path || s->store->is_block) {
		*why = vb_asprintf("storage %s copies vmio-bench's own store or a --disk file onto a volume of its own pool, "
		                   "not a block device: drop --disk or use --storage block", k->model);
		return -1;
	}
	vb_loopvol_plan(s, k);
	if (vb_pool_driver_ready(s->virt, why) < 0)
		return -1;
	warn_leftovers(s, k);
	char *log = vb_asprintf("%s/%s-losetup.log", s->log_dir, k->model);
	int rc = make_file(s, k, why) < 0 || vb_loop_attach(&lv->loop, lv->file, k->partscan, log, why) < 0 ? -1 : 0;
	free(log);
	if (rc < 0)
		return -1;
	vb_loopvol_plan(s, k); /* the names on the device now known */
	char *xml = k->pool_xml(lv->name, lv->loop.dev);
	lv->pool = vb_runpool_build(s->virt, lv->name, xml, why);
	free(xml);
	if (lv->pool && k->before_volume && k->before_volume(lv->pool, lv->loop.dev, why) < 0)
		return -1;
	char *path = lv->pool ? vb_runpool_volume_new(lv->pool, lv->vol, store_size(s), why) : NULL;
	if (!path)
		return -1;
	take_path(s, path);
	record(s, k);
	return copy_in(s, k, why);
}

void vb_loopvol_teardown(struct vb_stor *s, const struct vb_loopvol_kind *k)
{
	struct vb_loopvol *lv = s->priv;
	char *why = NULL;
	if (lv->pool && lv->loop.dev && !vb_loop_is_ours(&lv->loop)) {
		/* the pool's device is no longer the run's: its delete (a label
		 * wiped, pvremove) would hit someone else's device */
		vb_warn("storage %s: the loop device %s no longer reads '%s' (detached behind the run's back?): the pool "
		        "'%s' is left as it is: 'virsh pool-destroy %s; virsh pool-undefine %s'", k->model, lv->loop.dev,
		        lv->file, lv->name, lv->name, lv->name);
		lv->pool = NULL; /* (leaked on purpose: nothing of it may be called) */
	}
	if (lv->pool && k->volume_remove && lv->loop.dev && k->volume_remove(lv->pool, lv->loop.dev, lv->vol, &why) < 0) {
		vb_warn("storage %s: %s", k->model, why);
		free(why);
		why = NULL;
	}
	bool pool_gone = vb_runpool_remove(lv->pool, &why) == 0, loop_gone = !lv->loop.dev;
	if (!pool_gone) {
		vb_warn("storage %s: %s", k->model, why);
	} else if (lv->loop.dev) {
		loop_gone = vb_loop_detach(&lv->loop, &why) == 0;
		if (!loop_gone)
			vb_warn("storage %s: %s", k->model, why);
	}
	free(why);
	if (lv->file_made && loop_gone)
		vb_hv_remove(lv->file);
	else if (lv->file_made)
		vb_warn("storage %s: the backing file '%s' stays with its loop device%s%s: remove it once that is detached "
		        "('rm %s')", k->model, lv->file, lv->loop.dev ? " " : "", lv->loop.dev ? lv->loop.dev : "", lv->file);
	free(lv->loop.dev);
	free(lv->loop.file);
	free(lv->name);
	free(lv->file);
	free(lv->vol);
	memset(lv, 0, sizeof(*lv));
}

void vb_loopvol_source(struct vb_xml *x, const struct vb_stor *s)
{
	const struct vb_loopvol *lv = s->priv;
	vb_xml_empty(x, "source", "pool", lv->name, "volume", lv->vol, NULL);
}
