#include "config.h"
#include "core/options.h"
#include "core/fiopath.h"
#include "core/iotune.h"
#include "core/util.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define F(field) offsetof(struct vb_config, field)

const struct vb_option vb_options[] = {
	{.name = "connect", .type = VB_OPT_STR, .offset = F(connect), .defval = "qemu:///system",
	 .cmds = "run xml modes storage doctor tune", .metavar = "URI", .record = "connect", .repeatable = true,
	 .list_offset = F(connects),
	 .help = "libvirt connection URI (qemu+ssh://[USER@]HOST/system for a remote host); run: give it again for a fleet of hosts"},
	{.name = "modes", .type = VB_OPT_STR, .offset = F(modes), .defval = "host,sata,virtio-blk,virtio-scsi",
	 .cmds = "run", .metavar = "LIST", .record = "modes",
	 .help = "comma-separated bus modes to run ('vmio-bench modes' lists them)"},
	{.name = "mode", .type = VB_OPT_STR, .offset = F(mode), .defval = "virtio-blk",
	 .cmds = "xml", .metavar = "MODE", .record = "",
	 .help = "the bus mode whose domain XML to print"},
	{.name = "mode", .type = VB_OPT_STR, .offset = F(import_mode),
	 .cmds = "import", .metavar = "NAME", .record = "",
	 .help = "the name the imported results take, a mode of their own ([a-z0-9-], e.g. baremetal)"},
	{.name = "into", .type = VB_OPT_STR, .offset = F(into),
	 .cmds = "import", .metavar = "RUN", .record = "",
	 .help = "add them to this run folder (default: a new run in --results)"},
	{.name = "point", .type = VB_OPT_STR, .offset = F(point),
	 .cmds = "import", .metavar = "LABEL", .record = "",
	 .help = "the job point of RUN they measured (needed when RUN sweeps)"},
	{.name = "results", .type = VB_OPT_STR, .offset = F(results), .defval = "results",
	 .cmds = "run xml doctor import tune", .metavar = "DIR", .record = "results", .fio_path = true, /* fio writes its IOPS log in it */
	 .help = "results root; each run writes DIR/<run-id>/ and DIR/latest"},
	{.name = "cache-dir", .type = VB_OPT_STR, .offset = F(cache_dir), .defval = "/var/cache/vmio-bench",
	 .cmds = "*", .metavar = "DIR", .record = "cache_dir", .fio_path = true, /* the store in it */
	 .help = "guest image, backing store and fio source"},
	{.name = "kernel", .type = VB_OPT_STR, .offset = F(kernel),
	 .cmds = "run xml tune", .metavar = "FILE", .record = "kernel",
	 .help = "guest kernel (default: the built image's)"},
	{.name = "initrd", .type = VB_OPT_STR, .offset = F(initrd),
	 .cmds = "run xml tune", .metavar = "FILE", .record = "initrd",
	 .help = "guest initramfs (default: the built image's)"},
	{.name = "disk", .type = VB_OPT_STR, .offset = F(disk),
	 .cmds = "run xml tune", .metavar = "PATH", .record = "disk", .fio_path = true,
	 .help = "backing store: an existing file or block device (default: a filled raw file in the cache)"},
	{.name = "size", .type = VB_OPT_SIZE, .offset = F(size), .defval = "1g", .min = 16ULL << 20, .max = 1ULL << 50,
	 .cmds = "run xml doctor tune", .metavar = "SIZE", .record = "size",
	 .help = "size of the backing store vmio-bench creates"},
	{.name = "accel", .type = VB_OPT_CHOICE, .offset = F(accel), .defval = "auto", .choices = "auto|kvm|tcg",
	 .cmds = "run xml tune", .metavar = "auto|kvm|tcg", .record = "accel",
	 .help = "accelerator; auto uses KVM only if a probe guest boots under it"},
	{.name = "vcpus", .type = VB_OPT_UINT, .offset = F(vcpus), .defval = "2", .min = 1, .max = 64,
	 .cmds = "run xml tune", .metavar = "N", .record = "vcpus",
	 .help = "guest vCPUs"},
	{.name = "memory", .type = VB_OPT_UINT, .offset = F(memory), .defval = "512", .min = 128, .max = 65536,
	 .cmds = "run xml tune", .metavar = "MIB", .record = "memory_mib",
	 .help = "guest memory in MiB"},
	{.name = "boot-timeout", .type = VB_OPT_UINT, .offset = F(boot_timeout), .defval = "180", .min = 5, .max = 3600,
	 .cmds = "run tune", .metavar = "SEC", .record = "boot_timeout",
	 .help = "seconds a guest may take to boot and greet the controller"},
	{.name = "accel-timeout", .type = VB_OPT_UINT, .offset = F(accel_timeout), .defval = "20", .min = 2, .max = 600,
	 .cmds = "run doctor tune", .metavar = "SEC", .record = "accel_timeout",
	 .help = "seconds the KVM probe guest may take to boot"},
	{.name = "cache", .type = VB_OPT_CHOICE, .offset = F(cache), .defval = "none", .choices = "none|directsync|writethrough|writeback|unsafe",
	 .cmds = "run xml", .metavar = "MODE", .record = "cache",
	 .help = "host page cache mode of the disk"},
	{.name = "io", .type = VB_OPT_CHOICE, .offset = F(io), .defval = "native", .choices = "native|io_uring|threads",
	 .cmds = "run xml", .metavar = "native|io_uring|threads", .record = "io",
	 .help = "QEMU's I/O submission for the disk"},
	{.name = "iothreads", .type = VB_OPT_UINT, .offset = F(iothreads), .defval = "1", .max = 64,
	 .cmds = "run xml", .metavar = "N", .record = "iothreads",
	 .help = "IOThreads in the guest's QEMU; the disk (virtio-blk) or controller (virtio-scsi) uses the first"},
	{.name = "queues", .type = VB_OPT_UINT, .offset = F(queues), .defval = "0", .max = 64,
	 .cmds = "run xml", .metavar = "N", .record = "queues",
	 .help = "virtqueues of virtio-blk, virtio-scsi and vhost-user-blk (0: the bus's default)"},
	{.name = "format", .type = VB_OPT_CHOICE, .offset = F(format), .defval = "raw", .choices = "raw|qcow2",
	 .cmds = "run xml tune", .metavar = "raw|qcow2", .record = "format",
	 .help = "image format the guest's disk is opened with (qcow2 is made from the filled raw store)"},
	{.name = "backend", .type = VB_OPT_CHOICE, .offset = F(backend), .defval = "file", .choices = "file|block|null",
	 .cmds = "run xml tune", .metavar = "file|block|null", .record = "backend",
	 .help = "backing store: a file, a block device (with --disk), or QEMU's null-co driver (pure bus overhead, no storage)"},
	{.name = "storage", .type = VB_OPT_STR, .offset = F(storage), .defval = NULL,
	 .cmds = "run xml tune", .metavar = "MODEL", .record = "storage", .sweepable = true, .point_if_swept = true,
	 .help = "the storage under the disk: raw, qcow2 (and -metadata, -falloc, -full), volume, nbd, null, ... "
	         "('vmio-bench storage' lists them; default: what --backend and --format say, raw)"},
	{.name = "integrity", .type = VB_OPT_CHOICE, .offset = F(integrity), .defval = "once", .choices = "once|each|off",
	 .cmds = "run", .metavar = "once|each|off", .record = "integrity",
	 .help = "check that what a guest writes reaches the storage: fio writes 16 MiB of blocks of a pattern new for every run in a "
	         "guest, then reads them back through the storage with no guest; once per storage model, for each mode, or off"},
	{.name = "bs", .type = VB_OPT_SIZE, .offset = F(bs), .defval = "4k", .min = 512, .max = 64ULL << 20,
	 .cmds = "run tune", .metavar = "SIZE", .record = "bs", .sweepable = true,
	 .help = "fio block size"},
	{.name = "iodepth", .type = VB_OPT_UINT, .offset = F(iodepth), .defval = "32", .min = 1, .max = 65536,
	 .cmds = "run tune", .metavar = "N", .record = "iodepth", .sweepable = true,
	 .help = "fio iodepth"},
	{.name = "rw", .type = VB_OPT_CHOICE, .offset = F(rw), .defval = "randrw", .choices = "randrw|randread|randwrite|read|write|rw",
	 .cmds = "run tune", .metavar = "PATTERN", .record = "rw", .sweepable = true,
	 .help = "fio access pattern"},
	{.name = "rwmixread", .type = VB_OPT_UINT, .offset = F(rwmixread), .defval = "50", .max = 100,
	 .cmds = "run tune", .metavar = "PCT", .record = "rwmixread", .sweepable = true,
	 .help = "percent of reads in a mixed pattern"},
	{.name = "numjobs", .type = VB_OPT_UINT, .offset = F(numjobs), .defval = "1", .min = 1, .max = 256,
	 .cmds = "run tune", .metavar = "N", .record = "numjobs", .sweepable = true,
	 .help = "fio jobs (threads of I/O) in the guest"},
	{.name = "runtime", .type = VB_OPT_UINT, .offset = F(runtime), .defval = "10", .min = 1, .max = 86400,
	 .cmds = "run tune", .metavar = "SEC", .record = "runtime",
	 .help = "seconds of fio per repetition (time based)"},
	{.name = "reps", .type = VB_OPT_UINT, .offset = F(reps), .defval = "3", .min = 1, .max = 1000, .zero_word = "auto",
	 .cmds = "run", .metavar = "N|auto", .record = "reps",
	 .help = "repetitions of every job point in every mode; auto: until the 95% CI of IOPS is within --ci-target (at least 3, at most --max-reps)"},
	{.name = "ci-target", .type = VB_OPT_PCT, .offset = F(ci_target), .defval = "3", .max = 100,
	 .cmds = "run", .metavar = "PCT", .record = "ci_target",
	 .help = "--reps auto: stop a job point when its 95% confidence interval is within this percent of the mean"},
	{.name = "max-reps", .type = VB_OPT_UINT, .offset = F(max_reps), .defval = "10", .min = 2, .max = 1000,
	 .cmds = "run", .metavar = "N", .record = "max_reps",
	 .help = "--reps auto: the most repetitions of a job point"},
	{.name = "rerun-of", .type = VB_OPT_STR, .offset = F(rerun_of),
	 .cmds = "run", .metavar = "RUN-ID", .record = "rerun_of",
	 .help = "this run re-measures modes of run RUN-ID in the same results root, on its hypervisor and --disk (gate --rerun sets it): gate and trend pool the two"},
	{.name = "ramp", .type = VB_OPT_UINT, .offset = F(ramp), .defval = "2", .max = 3600,
	 .cmds = "run tune", .metavar = "SEC", .record = "ramp", .sweepable = true,
	 .help = "seconds fio runs before it starts counting (ramp_time)"},
	{.name = "sweep", .type = VB_OPT_STR, .offset = F(sweep),
	 .cmds = "run", .metavar = "'P=V,V P=V,V'", .record = "sweep",
	 .help = "run the matrix of these parameters (fio's bs, iodepth, numjobs, rw, rwmixread, ramp; storage; vms)"},
	{.name = "iotune", .type = VB_OPT_STR, .offset = F(iotune), .check = vb_iotune_check,
	 .cmds = "run xml", .metavar = "NAME=VALUE,...", .record = "iotune",
	 .help = "QoS: libvirt's <iotune> limits on every guest's disk, by their element names (total_iops_sec, "
	         "total_bytes_sec, read_/write_ forms, _max and _max_length bursts, size_iops_sec), e.g. total_iops_sec=300; "
	         "modes with a libvirt <disk> only (sata, virtio-blk, virtio-scsi; host runs unthrottled beside them)"},
	{.name = "neighbour-iotune", .type = VB_OPT_STR, .offset = F(neighbour_iotune), .check = vb_iotune_check,
	 .cmds = "run", .metavar = "NAME=VALUE,...", .record = "neighbour_iotune",
	 .help = "the same limits on the neighbours' disks only (guests 2..N of --vms), in place of --iotune there"},
	{.name = "resume", .type = VB_OPT_STR, .offset = F(resume),
	 .cmds = "run", .metavar = "RUN", .record = "",
	 .help = "continue an interrupted run folder with its own configuration, keeping every finished repetition"},
	{.name = "vms", .type = VB_OPT_UINT, .offset = F(vms), .defval = "off", .min = 1, .max = 16, .zero_word = "off",
	 .cmds = "run", .metavar = "N", .record = "vms", .sweepable = true,
	 .help = "boot N guests of each mode (256 MiB each), each on its own slice of the store, and start their job together (host: N fio processes)"},
	{.name = "shared", .type = VB_OPT_FLAG, .offset = F(shared),
	 .cmds = "run", .record = "shared",
	 .help = "with --vms: every guest on the whole store, shared (a qcow2 overlay each when the job writes)"},
	{.name = "neighbour", .type = VB_OPT_STR, .offset = F(neighbour),
	 .cmds = "run", .metavar = "'P=V P=V'", .record = "neighbour",
	 .help = "with --vms N >= 2: guests 2..N run this job (fio parameters as --sweep names them) while guest 1 is measured; each point runs with the neighbours idle and busy"},
	{.name = "boot-per-rep", .type = VB_OPT_FLAG, .offset = F(boot_per_rep),
	 .cmds = "run", .record = "boot_per_rep",
	 .help = "boot a fresh guest for every repetition (default: one boot per mode)"},
	{.name = "threshold", .type = VB_OPT_PCT, .offset = F(threshold), .defval = "5", .max = 1000,
	 .cmds = "compare gate trend", .metavar = "PCT", .record = "threshold",
	 .help = "smallest change in percent that counts as a regression or an improvement"},
	{.name = "metric", .type = VB_OPT_STR, .offset = F(metric), .defval = "iops,clat_p99,worst_guest_iops",
	 .cmds = "compare gate", .metavar = "M,...", .record = "metric",
	 .help = "metrics to compare: iops, bw, clat_mean, clat_p99, worst_guest_iops (the slowest guest's IOPS of a --vms point; other points have none)"},
	{.name = "format", .type = VB_OPT_CHOICE, .offset = F(output), .defval = "text", .choices = "text|json",
	 .cmds = "compare gate", .metavar = "text|json", .record = "format",
	 .help = "output format"},
	{.name = "junit", .type = VB_OPT_STR, .offset = F(junit),
	 .cmds = "compare gate", .metavar = "FILE", .record = "junit",
	 .help = "also write the verdicts as JUnit XML (one test case per mode, point, direction and metric)"},
	{.name = "force", .type = VB_OPT_FLAG, .offset = F(force),
	 .cmds = "compare", .record = "force",
	 .help = "compare runs whose jobs, tuning, accelerators or machines (host name, CPU model) differ"},
	{.name = "out", .type = VB_OPT_STR, .offset = F(out),
	 .cmds = "trend", .metavar = "DIR", .record = "out",
	 .help = "where trend writes its data and charts (default: ROOT/trend or ./trend)"},
	{.name = "history", .type = VB_OPT_UINT, .offset = F(history), .defval = "10", .min = 1, .max = 1000,
	 .cmds = "gate", .metavar = "K", .record = "history",
	 .help = "pool the repetitions of the last K accepted comparable runs as the history"},
	{.name = "spread-mult", .type = VB_OPT_PCT, .offset = F(spread_mult), .defval = "1", .max = 100,
	 .cmds = "gate", .metavar = "X", .record = "spread_mult",
	 .help = "a change must also exceed X times the history's robust spread (MAD over median)"},
	{.name = "rerun", .type = VB_OPT_UINT, .offset = F(rerun), .defval = "0", .max = 1000,
	 .cmds = "gate", .metavar = "N", .record = "rerun",
	 .help = "re-measure inconclusive modes with N more repetitions (a new run folder, judged with the first)"},
	{.name = "mode", .type = VB_OPT_STR, .offset = F(tune_mode),
	 .cmds = "tune", .metavar = "MODE", .record = "",
	 .help = "the mode whose tuning to race (required; a mode of 'vmio-bench modes', not a variant)"},
	{.name = "space", .type = VB_OPT_STR, .offset = F(space),
	 .cmds = "tune", .metavar = "'K=V,V K=V,V'", .record = "",
	 .help = "the candidates, written as --sweep writes its parameters: knobs io, cache, iothreads, queues, each with its values; "
	         "the candidates are every combination (at most 64). Default: the mode's own space (about 20)"},
	{.name = "objective", .type = VB_OPT_CHOICE, .offset = F(objective), .defval = "iops", .choices = "iops|iops-per-cpu|clat_p99",
	 .cmds = "tune", .metavar = "iops|iops-per-cpu|clat_p99", .record = "",
	 .help = "what the race maximises (IOPS, reads and writes; IOPS per host CPU second) or minimises (the slower direction's p99)"},
	{.name = "budget", .type = VB_OPT_UINT, .offset = F(budget), .defval = "60", .min = 1, .max = 1440,
	 .cmds = "tune", .metavar = "MINUTES", .record = "",
	 .help = "wall time the race and its confirmation may take; no round starts that would not fit"},
	{.name = "min-effect", .type = VB_OPT_PCT, .offset = F(min_effect), .defval = "3", .max = 100,
	 .cmds = "tune", .metavar = "PCT", .record = "",
	 .help = "a candidate is dropped only when the leader is ahead by more than this (and Welch's test, Holm-corrected, says so)"},
	{.name = "round-reps", .type = VB_OPT_UINT, .offset = F(round_reps), .defval = "3", .min = 2, .max = 20,
	 .cmds = "tune", .metavar = "N", .record = "",
	 .help = "repetitions of each candidate in the first round (later rounds: 2 each)"},
	{.name = "seed", .type = VB_OPT_UINT, .offset = F(seed), .defval = "0", .max = 4294967295ull,
	 .cmds = "tune", .metavar = "N", .record = "",
	 .help = "the seed of each round's shuffled order (0: from the clock; tune.json records it)"},
	{.name = "config", .type = VB_OPT_STR, .offset = F(config),
	 .cmds = "run", .metavar = "FILE", .record = "",
	 .help = "-c FILE: options from a file in fio's INI style ([global], and [mode NAME] for one mode's tuning); the command line overrides it"},
	{.name = "quiet", .type = VB_OPT_FLAG, .offset = F(quiet),
	 .cmds = "*", .record = "",
	 .help = "print only results and errors"},
	{.name = "json", .type = VB_OPT_FLAG, .offset = F(json),
	 .cmds = "run report", .record = "",
	 .help = "print the run's summary as JSON (summary.json) on stdout instead of the table"},
	{.name = "help", .type = VB_OPT_FLAG, .offset = F(help),
	 .cmds = "*", .record = "",
	 .help = "show this help"},
	{.name = NULL},
};

/* Zeroes, standing for a part's struct a configuration has not made yet. */
static const union {
	char bytes[512];
	long double align;
} zeroes;

/* The parts that joined (vb_options_add_part), in order. */
static const struct vb_option_part *parts[VB_CONFIG_PARTS];
static size_t nparts;

void vb_options_add_part(const struct vb_option_part *p)
{
	if (vb_options_part_known(p->name))
		return;
	if (nparts == VB_CONFIG_PARTS || p->size > sizeof(zeroes.bytes))
		abort(); /* a bug: raise VB_CONFIG_PARTS or zeroes */
	parts[nparts++] = p;
}

bool vb_options_part_known(const char *name)
{
	for (size_t i = 0; i < nparts; i++)
		if (strcmp(parts[i]->name, name) == 0)
			return true;
	return false;
}

/* The part whose rows hold o, or -1 for the table's own rows. */
static int part_of(const struct vb_option *o)
{
	for (size_t i = 0; i < nparts; i++) {
		const struct vb_option *r = parts[i]->rows;
		for (size_t k = 0; r && r[k].name; k++)
			if (r + k == o)
				return (int)i;
	}
	return -1;
}

const void *vb_config_part(const struct vb_config *c, const struct vb_option *rows)
{
	int i = part_of(rows);
	return i >= 0 && c->part[i] ? c->part[i] : zeroes.bytes;
}

/* Where option o's value lives in c: a field of c, or of its part's own
 * struct (made here on first use). */
static void *field_of(struct vb_config *c, const struct vb_option *o)
{
	int i = part_of(o);
	if (i < 0)
		return (char *)c + o->offset;
	if (!c->part[i])
		c->part[i] = vb_calloc(1, parts[i]->size);
	return (char *)c->part[i] + o->offset;
}

/* The same for reading: zeroes where c has no struct for the part. */
static const void *field_in(const struct vb_config *c, const struct vb_option *o)
{
	int i = part_of(o);
	return i < 0 ? (const char *)c + o->offset : (const char *)vb_config_part(c, parts[i]->rows) + o->offset;
}

/* Table k of the option rows: 0 is this file's, k >= 1 the parts' own;
 * NULL past the last. */
static const struct vb_option *table(size_t k)
{
	if (k == 0)
		return vb_options;
	for (size_t i = 0; i < nparts; i++)
		if (parts[i]->rows && --k == 0)
			return parts[i]->rows;
	return NULL;
}

const struct vb_option *vb_option_next(const struct vb_option *o)
{
	const struct vb_option *t;
	size_t k = 0;

	if (!o)
		return vb_options;
	if (o[1].name)
		return o + 1;
	/* o is the last row of its table: the next table's first row */
	for (; (t = table(k)); k++) {
		size_t n = 0;
		while (t[n].name)
			n++;
		if (o >= t && o < t + n)
			break;
	}
	for (k++; (t = table(k)); k++)
		if (t[0].name)
			return t;
	return NULL;
}

/* Is word w (of length len) one of the space-separated words of list? */
static bool word_in(const char *w, size_t len, const char *list)
{
	for (; *list; list += strspn(list, " ")) {
		size_t n = strcspn(list, " ");
		if (n == len && !strncmp(list, w, len))
			return true;
		list += n;
	}
	return false;
}

bool vb_option_takes(const struct vb_option *o, const char *cmd)
{
	if (!strcmp(o->cmds, "*"))
		return true;
	for (; *cmd; cmd += strspn(cmd, " ")) {
		size_t n = strcspn(cmd, " ");
		if (word_in(cmd, n, o->cmds))
			return true;
		cmd += n;
	}
	return false;
}

const struct vb_option *vb_option_find(const char *name, const char *cmd)
{
	VB_FOREACH_OPTION(o)
		if (strcmp(o->name, name) == 0 && vb_option_takes(o, cmd))
			return o;
	return NULL;
}

static void list_clear(struct vb_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void list_add(struct vb_strlist *l, const char *v)
{
	l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v));
	if (!l->v)
		abort();
	l->v[l->n++] = vb_strdup(v);
}

void vb_config_release(struct vb_config *c)
{
	free(c->config_text);
	c->config_text = NULL;
	json_decref(c->mode_tuning);
	c->mode_tuning = NULL;
	VB_FOREACH_OPTION(o) {
		char **p = (char **)field_in(c, o);
		if ((o->type == VB_OPT_STR || o->type == VB_OPT_CHOICE) && *p) {
			free(*p);
			*p = NULL;
		}
		if (o->repeatable)
			list_clear((struct vb_strlist *)((char *)c + o->list_offset));
	}
	for (size_t i = 0; i < VB_CONFIG_PARTS; i++) {
		free(c->part[i]);
		c->part[i] = NULL;
	}
}

static int set_value(struct vb_config *c, const struct vb_option *o, const char *v, char **msg);

/* Was o given before on this command line?  (Notes it if not.) */
static bool repeated(const struct vb_option *o, const struct vb_option **seen, size_t *nseen)
{
	for (size_t i = 0; i < *nseen; i++)
		if (seen[i] == o)
			return true;
	if (*nseen < 8)
		seen[(*nseen)++] = o;
	return false;
}

/* A value from the command line: a repeatable option given again keeps
 * its earlier values. */
static int set_arg(struct vb_config *c, const struct vb_option *o, const char *val, const struct vb_option **seen,
                   size_t *nseen)
{
	if (o->repeatable && repeated(o, seen, nseen))
		return vb_option_add_quiet(c, o, val, NULL);
	return set_value(c, o, val, NULL);
}

int vb_option_add_quiet(struct vb_config *c, const struct vb_option *o, const char *v, char **msg)
{
	struct vb_strlist *l = (struct vb_strlist *)((char *)c + o->list_offset), keep = *l;
	*l = (struct vb_strlist){0};
	if (set_value(c, o, v, msg) < 0) {
		list_clear(l);
		*l = keep;
		return -1;
	}
	/* the earlier values, then v; the string joins them one per line,
	 * the form run.json records */
	list_add(&keep, v);
	list_clear(l);
	*l = keep;
	char **field = field_of(c, o);
	struct vb_buf b = {0};
	for (size_t i = 0; i < l->n; i++)
		vb_buf_addf(&b, "%s%s", i ? "\n" : "", l->v[i]);
	free(*field);
	*field = vb_buf_release(&b);
	return 0;
}

void vb_config_copy(struct vb_config *dst, const struct vb_config *src)
{
	*dst = *src;
	for (size_t i = 0; i < nparts; i++)
		if (src->part[i])
			dst->part[i] = memcpy(vb_calloc(1, parts[i]->size), src->part[i], parts[i]->size);
	VB_FOREACH_OPTION(o) {
		if (o->type == VB_OPT_STR || o->type == VB_OPT_CHOICE) {
			char **p = field_of(dst, o);
			if (*p)
				*p = vb_strdup(*p);
		}
		if (o->repeatable) {
			struct vb_strlist *l = (struct vb_strlist *)((char *)dst + o->list_offset), from = *l;
			*l = (struct vb_strlist){0};
			for (size_t i = 0; i < from.n; i++)
				list_add(l, from.v[i]);
		}
	}
	dst->config_text = NULL;
	dst->mode_tuning = NULL;
}

int vb_config_apply(struct vb_config *c, const char *cmd, json_t *settings, char **why)
{
	const char *k;
	json_t *v;
	json_object_foreach(settings, k, v) {
		const struct vb_option *o = vb_option_find(k, cmd);
		if (!o || !json_is_string(v)) {
			*why = vb_asprintf("'%s' is not an option to set", k);
			return -1;
		}
		if (set_value(c, o, json_string_value(v), why) < 0)
			return -1;
	}
	return 0;
}

static bool choice_ok(const char *choices, const char *v)
{
	size_t n = strlen(v);
	const char *p = choices;
	while (p && *p) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && strncmp(p, v, n) == 0)
			return true;
		p = bar ? bar + 1 : NULL;
	}
	return false;
}

/* A problem with a value: reported, or (msg non-NULL) handed back in *msg. */
static int fail(char **msg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(char **msg, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = NULL;
	if (vasprintf(&m, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (msg) {
		*msg = m;
	} else {
		vb_error("%s", m);
		free(m);
	}
	return -1;
}


/* Is string value v bad for o (a path fio would misread, or what the
 * row's own check refuses)?  Reported or handed back as fail() does. */
static bool str_bad(const struct vb_option *o, const char *v, char **msg)
{
	char *why = NULL;
	if (o->fio_path && vb_fio_path_check(v))
		return fail(msg, "option --%s: '%s' %s", o->name, v, vb_fio_path_check(v)) < 0;
	if (!o->check || !(why = o->check(v)))
		return false;
	fail(msg, "option --%s: %s", o->name, why);
	free(why);
	return true;
}

static int set_value(struct vb_config *c, const struct vb_option *o, const char *v, char **msg)
{
	void *field = field_of(c, o);
	unsigned long long n;
	uint64_t sz;
	char *end;

	for (const char *s = v; *s; s++) {
		if ((unsigned char)*s < 0x20)
			return fail(msg, "option --%s: the value contains a control character (newline or tab): pass a plain value", o->name);
	}
	switch (o->type) {
	case VB_OPT_STR:
		if (!*v)
			return fail(msg, "option --%s: the value is empty: give a %s", o->name, o->metavar);
		if (str_bad(o, v, msg))
			return -1;
		free(*(char **)field);
		*(char **)field = vb_strdup(v);
		if (o->repeatable) { /* set anew: the one value */
			struct vb_strlist *l = (struct vb_strlist *)((char *)c + o->list_offset);
			list_clear(l);
			list_add(l, v);
		}
		return 0;
	case VB_OPT_CHOICE:
		if (!choice_ok(o->choices, v))
			return fail(msg, "option --%s: '%s' is not one of %s", o->name, v, o->choices);
		free(*(char **)field);
		*(char **)field = vb_strdup(v);
		return 0;
	case VB_OPT_UINT:
		if (o->zero_word && strcmp(v, o->zero_word) == 0) {
			*(unsigned *)field = 0;
			return 0;
		}
		errno = 0;
		n = strtoull(v, &end, 10);
		if (!*v || *v == '-' || *v == '+' || *end || (errno && errno != ERANGE))
			return fail(msg, "option --%s: '%s' is not a whole number: give one from %llu to %llu%s%s",
			                o->name, v, o->min, o->max, o->zero_word ? ", or " : "", o->zero_word ? o->zero_word : "");
		if (errno == ERANGE || n < o->min || n > o->max)
			return fail(msg, "option --%s: %s is out of range: give one from %llu to %llu%s%s",
			                o->name, v, o->min, o->max, o->zero_word ? ", or " : "", o->zero_word ? o->zero_word : "");
		*(unsigned *)field = (unsigned)n;
		return 0;
	case VB_OPT_SIZE: {
		char lo[32], hi[32];
		vb_format_size(o->min, lo, sizeof(lo));
		vb_format_size(o->max, hi, sizeof(hi));
		if (vb_parse_size(v, &sz) < 0)
			return fail(msg, "option --%s: '%s' is not a size: use a number with an optional k, m, g or t suffix, e.g. 4k",
			                o->name, v);
		if (sz < o->min || sz > o->max)
			return fail(msg, "option --%s: %s is out of range: give a size from %s to %s", o->name, v, lo, hi);
		*(uint64_t *)field = sz;
		return 0;
	}
	case VB_OPT_FLAG:
		*(bool *)field = true;
		return 0;
	case VB_OPT_PCT: {
		errno = 0;
		double d = strtod(v, &end);
		if (!*v || *end || errno || d != d || d < (double)o->min || d > (double)o->max)
			return fail(msg, "option --%s: '%s' is not a %s from %llu to %llu", o->name, v,
			                strcmp(o->metavar, "PCT") == 0 ? "percentage" : "number", o->min, o->max);
		*(double *)field = d;
		return 0;
	}
	}
	return -1;
}

int vb_option_set_quiet(struct vb_config *c, const struct vb_option *o, const char *v, char **msg)
{
	return set_value(c, o, v, msg);
}

/* Two subcommands may use one name for different things (--format). */
static const struct vb_option *find_option(const char *name, size_t len, const char *cmd)
{
	VB_FOREACH_OPTION(o)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0 && vb_option_takes(o, cmd))
			return o;
	return NULL;
}

void vb_options_defaults(struct vb_config *c)
{
	VB_FOREACH_OPTION(o) {
		/* every default, even of other commands' options: shared code
		 * (mode probes) may read any field */
		if (o->defval && set_value(c, o, o->defval, NULL) < 0)
			abort(); /* a bad default is a bug in the table */
	}
}

const char *vb_options_config_file(const char *cmd, int argc, char **argv)
{
	const char *file = NULL;
	if (!vb_option_find("config", cmd))
		return NULL;
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) && i + 1 < argc)
			file = argv[++i];
		else if (!strncmp(argv[i], "--config=", 9))
			file = argv[i] + 9;
	}
	return file;
}

int vb_options_parse(struct vb_config *c, const char *cmd, int argc, char **argv,
                     char ***rest, int *nrest)
{
	vb_options_defaults(c);
	return vb_options_parse_args(c, cmd, argc, argv, rest, nrest);
}

/* A short option at argv[0]: -h, or -c FILE where the command takes a
 * file (main read it before the rest).  The arguments it used, or -1
 * after reporting. */
static int short_option(struct vb_config *c, const char *cmd, const char *sub, int argc, char **argv)
{
	if (strcmp(argv[0], "-h") == 0) {
		c->help = true;
		return 1;
	}
	if (strcmp(argv[0], "-c") == 0 && vb_option_find("config", cmd)) {
		if (argc < 2)
			return vb_error("%s: option '-c' needs a value (FILE)", sub);
		return 2;
	}
	return vb_error("%s: unknown option '%s': see 'vmio-bench %s --help'", sub, argv[0], sub);
}

int vb_options_parse_args(struct vb_config *c, const char *cmd, int argc, char **argv,
                          char ***rest, int *nrest)
{
	static char *none[1];
	const char *sub = argc > 0 ? argv[0] : "?";
	char **pos = vb_calloc((size_t)argc + 1, sizeof(char *));
	int npos = 0;
	bool only_pos = false;
	const struct vb_option *seen[8];
	size_t nseen = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = NULL;
		const struct vb_option *o;
		size_t len;

		if (only_pos || a[0] != '-' || a[1] == '\0') {
			pos[npos++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_pos = true;
			continue;
		}
		if (a[1] != '-') {
			int used = short_option(c, cmd, sub, argc - i, argv + i);
			if (used < 0) {
				free(pos);
				return -1;
			}
			i += used - 1;
			continue;
		}
		a += 2;
		len = strcspn(a, "=");
		o = find_option(a, len, cmd);
		if (!o) {
			free(pos);
			return vb_error("%s: unknown option '--%.*s': see 'vmio-bench %s --help'", sub, (int)len, a, sub);
		}
		if (a[len] == '=')
			val = a + len + 1;
		if (o->type == VB_OPT_FLAG) {
			if (val) {
				free(pos);
				return vb_error("%s: option '--%s' takes no value", sub, o->name);
			}
			val = "1";
		} else if (!val) {
			if (i + 1 >= argc) {
				free(pos);
				return vb_error("%s: option '--%s' needs a value (%s)", sub, o->name, o->metavar);
			}
			val = argv[++i];
		}
		if (set_arg(c, o, val, seen, &nseen) < 0) {
			free(pos);
			return -1;
		}
	}
	if (c->quiet)
		vb_quiet = true;
	if (rest) {
		*rest = npos ? pos : none;
		*nrest = npos;
		if (!npos)
			free(pos);
	} else {
		int r = 0;
		if (npos)
			r = vb_error("%s: unexpected argument '%s': see 'vmio-bench %s --help'", sub, pos[0], sub);
		free(pos);
		return r;
	}
	return 0;
}

void vb_options_help(FILE *f, const char *cmd)
{
	VB_FOREACH_OPTION(o) {
		char left[64];
		if (!vb_option_takes(o, cmd))
			continue;
		if (o->metavar && o->type != VB_OPT_FLAG)
			snprintf(left, sizeof(left), "--%s %s", o->name, o->metavar);
		else
			snprintf(left, sizeof(left), "--%s", o->name);
		fprintf(f, "  %-26s %s", left, o->help);
		if (o->defval)
			fprintf(f, " [%s]", o->defval);
		fputc('\n', f);
	}
}

json_t *vb_options_to_json(const struct vb_config *c, const char *cmd)
{
	json_t *o = json_object();
	VB_FOREACH_OPTION(opt) {
		const void *field = field_in(c, opt);
		json_t *v = NULL;
		if (!opt->record || !*opt->record || !vb_option_takes(opt, cmd))
			continue;
		switch (opt->type) {
		case VB_OPT_STR:
		case VB_OPT_CHOICE:
			v = *(char *const *)field ? json_string(*(char *const *)field) : json_null();
			break;
		case VB_OPT_UINT:
			v = opt->zero_word && !*(const unsigned *)field ? json_string(opt->zero_word)
			                                                : json_integer(*(const unsigned *)field);
			break;
		case VB_OPT_SIZE:
			v = json_integer((json_int_t)*(const uint64_t *)field);
			break;
		case VB_OPT_FLAG:
			v = json_boolean(*(const bool *)field);
			break;
		case VB_OPT_PCT:
			v = json_real(*(const double *)field);
			break;
		}
		json_object_set_new(o, opt->record, v ? v : json_null());
	}
	return o;
}

int vb_options_from_json(struct vb_config *c, const char *cmd, json_t *o)
{
	if (!json_is_object(o))
		return vb_error("the run's recorded configuration is missing: the run.json is damaged");
	VB_FOREACH_OPTION(opt) {
		json_t *v;
		char buf[64];
		const char *text = NULL;
		if (!opt->record || !*opt->record || !vb_option_takes(opt, cmd) || !(v = json_object_get(o, opt->record)))
			continue;
		if (json_is_null(v)) {
			if (opt->type == VB_OPT_STR || opt->type == VB_OPT_CHOICE) {
				char **p = field_of(c, opt);
				free(*p);
				*p = NULL;
				if (opt->repeatable)
					list_clear((struct vb_strlist *)((char *)c + opt->list_offset));
			}
			continue;
		}
		switch (opt->type) {
		case VB_OPT_STR:
		case VB_OPT_CHOICE:
			text = json_string_value(v);
			break;
		case VB_OPT_UINT:
		case VB_OPT_SIZE:
			if (opt->zero_word && json_is_string(v)) {
				text = json_string_value(v);
			} else if (json_is_integer(v) && json_integer_value(v) >= 0) {
				snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
				text = buf;
			}
			break;
		case VB_OPT_PCT:
			if (json_is_number(v)) {
				snprintf(buf, sizeof(buf), "%.17g", json_number_value(v));
				text = buf;
			}
			break;
		case VB_OPT_FLAG:
			if (json_is_boolean(v)) {
				*(bool *)field_of(c, opt) = json_is_true(v);
				continue;
			}
			break;
		}
		if (!text)
			return vb_error("the run's recorded option '%s' has the wrong type: the run.json is damaged", opt->record);
		if (set_value(c, opt, text, NULL) < 0)
			return -1;
	}
	return 0;
}
