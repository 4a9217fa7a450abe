#include "config.h"
#include "options.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define F(field) offsetof(struct vb_config, field)
#define RUNX (VB_CMD_RUN | VB_CMD_XML)

const struct vb_option vb_options[] = {
	{"connect", VB_OPT_STR, F(connect), "qemu:///system", NULL, 0, 0, RUNX | VB_CMD_MODES, "URI",
	 "libvirt connection URI", "connect"},
	{"modes", VB_OPT_STR, F(modes), "host,sata,virtio-blk,virtio-scsi", NULL, 0, 0, VB_CMD_RUN, "LIST",
	 "comma-separated bus modes to run ('vmio-bench modes' lists them)", "modes"},
	{"mode", VB_OPT_STR, F(mode), "virtio-blk", NULL, 0, 0, VB_CMD_XML, "MODE",
	 "the bus mode whose domain XML to print", ""},
	{"results", VB_OPT_STR, F(results), "results", NULL, 0, 0, RUNX, "DIR",
	 "results root; each run writes DIR/<run-id>/ and DIR/latest", "results"},
	{"cache-dir", VB_OPT_STR, F(cache_dir), "/var/cache/vmio-bench", NULL, 0, 0, VB_CMD_ALL, "DIR",
	 "guest image, backing store and fio source", "cache_dir"},
	{"kernel", VB_OPT_STR, F(kernel), NULL, NULL, 0, 0, RUNX, "FILE",
	 "guest kernel (default: the built image's)", "kernel"},
	{"initrd", VB_OPT_STR, F(initrd), NULL, NULL, 0, 0, RUNX, "FILE",
	 "guest initramfs (default: the built image's)", "initrd"},
	{"disk", VB_OPT_STR, F(disk), NULL, NULL, 0, 0, RUNX, "PATH",
	 "backing store: an existing file or block device (default: a filled raw file in the cache)", "disk"},
	{"size", VB_OPT_SIZE, F(size), "1g", NULL, 16ULL << 20, 1ULL << 50, RUNX, "SIZE",
	 "size of the backing store vmio-bench creates", "size"},
	{"accel", VB_OPT_CHOICE, F(accel), "auto", "auto|kvm|tcg", 0, 0, RUNX, "auto|kvm|tcg",
	 "accelerator; auto uses KVM only if a probe guest boots under it", "accel"},
	{"vcpus", VB_OPT_UINT, F(vcpus), "2", NULL, 1, 64, RUNX, "N",
	 "guest vCPUs", "vcpus"},
	{"memory", VB_OPT_UINT, F(memory), "512", NULL, 128, 65536, RUNX, "MIB",
	 "guest memory in MiB", "memory_mib"},
	{"boot-timeout", VB_OPT_UINT, F(boot_timeout), "180", NULL, 5, 3600, VB_CMD_RUN, "SEC",
	 "seconds a guest may take to boot and greet the controller", "boot_timeout"},
	{"accel-timeout", VB_OPT_UINT, F(accel_timeout), "20", NULL, 2, 600, VB_CMD_RUN, "SEC",
	 "seconds the KVM probe guest may take to boot", "accel_timeout"},
	{"cache", VB_OPT_CHOICE, F(cache), "none", "none|directsync|writethrough|writeback|unsafe", 0, 0, RUNX,
	 "MODE", "host page cache mode of the disk", "cache"},
	{"io", VB_OPT_CHOICE, F(io), "native", "native|io_uring|threads", 0, 0, RUNX, "native|io_uring|threads",
	 "QEMU's I/O submission for the disk", "io"},
	{"iothreads", VB_OPT_UINT, F(iothreads), "1", NULL, 0, 64, RUNX, "N",
	 "IOThreads in the guest's QEMU; the disk (virtio-blk) or controller (virtio-scsi) uses the first", "iothreads"},
	{"queues", VB_OPT_UINT, F(queues), "0", NULL, 0, 64, RUNX, "N",
	 "virtqueues of virtio-blk, virtio-scsi and vhost-user-blk (0: the bus's default)", "queues"},
	{"format", VB_OPT_CHOICE, F(format), "raw", "raw|qcow2", 0, 0, RUNX, "raw|qcow2",
	 "image format the guest's disk is opened with (qcow2 is made from the filled raw store)", "format"},
	{"backend", VB_OPT_CHOICE, F(backend), "file", "file|block|null", 0, 0, RUNX, "file|block|null",
	 "backing store: a file, a block device (with --disk), or QEMU's null-co driver (pure bus overhead, no storage)", "backend"},
	{"lun-device", VB_OPT_STR, F(lun_device), NULL, NULL, 0, 0, RUNX | VB_CMD_MODES, "DEV",
	 "lun: pass this host SCSI disk through instead of a loopback iSCSI LUN", "lun_device"},
	{"pci-device", VB_OPT_STR, F(pci_device), NULL, NULL, 0, 0, RUNX | VB_CMD_MODES, "DDDD:BB:SS.F",
	 "hostdev: the PCI function (e.g. an NVMe drive or SR-IOV VF) to pass through", "pci_device"},
	{"bs", VB_OPT_SIZE, F(bs), "4k", NULL, 512, 64ULL << 20, VB_CMD_RUN, "SIZE",
	 "fio block size", "bs"},
	{"iodepth", VB_OPT_UINT, F(iodepth), "32", NULL, 1, 65536, VB_CMD_RUN, "N",
	 "fio iodepth", "iodepth"},
	{"rw", VB_OPT_CHOICE, F(rw), "randrw", "randrw|randread|randwrite|read|write|rw", 0, 0, VB_CMD_RUN,
	 "PATTERN", "fio access pattern", "rw"},
	{"rwmixread", VB_OPT_UINT, F(rwmixread), "50", NULL, 0, 100, VB_CMD_RUN, "PCT",
	 "percent of reads in a mixed pattern", "rwmixread"},
	{"numjobs", VB_OPT_UINT, F(numjobs), "1", NULL, 1, 256, VB_CMD_RUN, "N",
	 "fio jobs (threads of I/O) in the guest", "numjobs"},
	{"runtime", VB_OPT_UINT, F(runtime), "10", NULL, 1, 86400, VB_CMD_RUN, "SEC",
	 "seconds of fio per repetition (time based)", "runtime"},
	{"reps", VB_OPT_UINT, F(reps), "3", NULL, 1, 1000, VB_CMD_RUN, "N",
	 "repetitions of every job point in every mode", "reps"},
	{"ramp", VB_OPT_UINT, F(ramp), "2", NULL, 0, 3600, VB_CMD_RUN, "SEC",
	 "seconds fio runs before it starts counting (ramp_time)", "ramp"},
	{"sweep", VB_OPT_STR, F(sweep), NULL, NULL, 0, 0, VB_CMD_RUN, "'P=V,V P=V,V'",
	 "run the matrix of these fio parameters (bs, iodepth, numjobs, rw, rwmixread, ramp)", "sweep"},
	{"resume", VB_OPT_STR, F(resume), NULL, NULL, 0, 0, VB_CMD_RUN, "RUN",
	 "continue an interrupted run folder with its own configuration, keeping every finished repetition", ""},
	{"boot-per-rep", VB_OPT_FLAG, F(boot_per_rep), NULL, NULL, 0, 0, VB_CMD_RUN, NULL,
	 "boot a fresh guest for every repetition (default: one boot per mode)", "boot_per_rep"},
	{"threshold", VB_OPT_PCT, F(threshold), "5", NULL, 0, 1000, VB_CMD_COMPARE, "PCT",
	 "smallest change in percent that counts as a regression or an improvement", "threshold"},
	{"metric", VB_OPT_STR, F(metric), "iops,clat_p99", NULL, 0, 0, VB_CMD_COMPARE, "M,...",
	 "metrics to compare: iops, bw, clat_mean, clat_p99", "metric"},
	{"format", VB_OPT_CHOICE, F(output), "text", "text|json", 0, 0, VB_CMD_COMPARE, "text|json",
	 "output format", "format"},
	{"junit", VB_OPT_STR, F(junit), NULL, NULL, 0, 0, VB_CMD_COMPARE, "FILE",
	 "also write the verdicts as JUnit XML (one test case per mode, point, direction and metric)", "junit"},
	{"force", VB_OPT_FLAG, F(force), NULL, NULL, 0, 0, VB_CMD_COMPARE, NULL,
	 "compare runs whose jobs or accelerators differ", "force"},
	{"out", VB_OPT_STR, F(out), NULL, NULL, 0, 0, VB_CMD_TREND, "DIR",
	 "where trend writes its data and charts (default: ROOT/trend or ./trend)", "out"},
	{"quiet", VB_OPT_FLAG, F(quiet), NULL, NULL, 0, 0, VB_CMD_ALL, NULL,
	 "print only results and errors", ""},
	{"help", VB_OPT_FLAG, F(help), NULL, NULL, 0, 0, VB_CMD_ALL, NULL,
	 "show this help", ""},
	{NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL, NULL, NULL},
};

void vb_config_release(struct vb_config *c)
{
	for (const struct vb_option *o = vb_options; o->name; o++) {
		if (o->type == VB_OPT_STR || o->type == VB_OPT_CHOICE) {
			char **p = (char **)((char *)c + o->offset);
			free(*p);
			*p = NULL;
		}
	}
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

static int set_value(struct vb_config *c, const struct vb_option *o, const char *v)
{
	void *field = (char *)c + o->offset;
	unsigned long long n;
	uint64_t sz;
	char *end;

	for (const char *s = v; *s; s++) {
		if ((unsigned char)*s < 0x20)
			return vb_error("option --%s: the value contains a control character (newline or tab): pass a plain value", o->name);
	}
	switch (o->type) {
	case VB_OPT_STR:
		if (!*v)
			return vb_error("option --%s: the value is empty: give a %s", o->name, o->metavar);
		free(*(char **)field);
		*(char **)field = vb_strdup(v);
		return 0;
	case VB_OPT_CHOICE:
		if (!choice_ok(o->choices, v))
			return vb_error("option --%s: '%s' is not one of %s", o->name, v, o->choices);
		free(*(char **)field);
		*(char **)field = vb_strdup(v);
		return 0;
	case VB_OPT_UINT:
		errno = 0;
		n = strtoull(v, &end, 10);
		if (!*v || *v == '-' || *v == '+' || *end || (errno && errno != ERANGE))
			return vb_error("option --%s: '%s' is not a whole number: give one from %llu to %llu",
			                o->name, v, o->min, o->max);
		if (errno == ERANGE || n < o->min || n > o->max)
			return vb_error("option --%s: %s is out of range: give one from %llu to %llu",
			                o->name, v, o->min, o->max);
		*(unsigned *)field = (unsigned)n;
		return 0;
	case VB_OPT_SIZE: {
		char lo[32], hi[32];
		vb_format_size(o->min, lo, sizeof(lo));
		vb_format_size(o->max, hi, sizeof(hi));
		if (vb_parse_size(v, &sz) < 0)
			return vb_error("option --%s: '%s' is not a size: use a number with an optional k, m, g or t suffix, e.g. 4k",
			                o->name, v);
		if (sz < o->min || sz > o->max)
			return vb_error("option --%s: %s is out of range: give a size from %s to %s", o->name, v, lo, hi);
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
			return vb_error("option --%s: '%s' is not a percentage from %llu to %llu", o->name, v, o->min, o->max);
		*(double *)field = d;
		return 0;
	}
	}
	return -1;
}

/* Two subcommands may use one name for different things (--format). */
static const struct vb_option *find_option(const char *name, size_t len, unsigned cmd)
{
	for (const struct vb_option *o = vb_options; o->name; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0 && (o->cmds & cmd))
			return o;
	return NULL;
}

int vb_options_parse(struct vb_config *c, unsigned cmd, int argc, char **argv,
                     char ***rest, int *nrest)
{
	static char *none[1];
	const char *sub = argc > 0 ? argv[0] : "?";
	char **pos = vb_calloc((size_t)argc + 1, sizeof(char *));
	int npos = 0;
	bool only_pos = false;

	for (const struct vb_option *o = vb_options; o->name; o++) {
		/* every default, even of other commands' options: shared code
		 * (mode probes) may read any field */
		if (o->defval && set_value(c, o, o->defval) < 0)
			abort(); /* a bad default is a bug in the table */
	}
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
		if (strcmp(a, "-h") == 0) {
			c->help = true;
			continue;
		}
		if (a[1] != '-') {
			free(pos);
			return vb_error("%s: unknown option '%s': see 'vmio-bench %s --help'", sub, a, sub);
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
		if (set_value(c, o, val) < 0) {
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

void vb_options_help(FILE *f, unsigned cmd)
{
	for (const struct vb_option *o = vb_options; o->name; o++) {
		char left[64];
		if (!(o->cmds & cmd))
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

json_t *vb_options_to_json(const struct vb_config *c, unsigned cmd)
{
	json_t *o = json_object();
	for (const struct vb_option *opt = vb_options; opt->name; opt++) {
		const void *field = (const char *)c + opt->offset;
		json_t *v = NULL;
		if (!opt->record || !*opt->record || !(opt->cmds & cmd))
			continue;
		switch (opt->type) {
		case VB_OPT_STR:
		case VB_OPT_CHOICE:
			v = *(char *const *)field ? json_string(*(char *const *)field) : json_null();
			break;
		case VB_OPT_UINT:
			v = json_integer(*(const unsigned *)field);
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

int vb_options_from_json(struct vb_config *c, unsigned cmd, json_t *o)
{
	if (!json_is_object(o))
		return vb_error("the run's recorded configuration is missing: the run.json is damaged");
	for (const struct vb_option *opt = vb_options; opt->name; opt++) {
		json_t *v;
		char buf[64];
		const char *text = NULL;
		if (!opt->record || !*opt->record || !(opt->cmds & cmd) || !(v = json_object_get(o, opt->record)))
			continue;
		if (json_is_null(v)) {
			if (opt->type == VB_OPT_STR || opt->type == VB_OPT_CHOICE) {
				char **p = (char **)((char *)c + opt->offset);
				free(*p);
				*p = NULL;
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
			if (json_is_integer(v) && json_integer_value(v) >= 0) {
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
				*(bool *)((char *)c + opt->offset) = json_is_true(v);
				continue;
			}
			break;
		}
		if (!text)
			return vb_error("the run's recorded option '%s' has the wrong type: the run.json is damaged", opt->record);
		if (set_value(c, opt, text) < 0)
			return -1;
	}
	return 0;
}
