#include "config.h"
#include "modes/mode.h"
#include "core/iotune.h"
#include "core/proto.h"
#include "host/hv.h"
#include "core/util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct vb_mode vb_mode_host, vb_mode_sata, vb_mode_virtio_blk, vb_mode_virtio_scsi,
	vb_mode_lun, vb_mode_nvme, vb_mode_native, vb_mode_backend, vb_mode_vhost_user_blk, vb_mode_hostdev,
	vb_mode_vhost_scsi;

/* Display and run order: the host ceiling first, then emulation to
 * paravirtualisation to passthrough; native (fio's own storage client)
 * and backend (vhost-user-blk's daemon with no guest) just before
 * vhost-user-blk. */
const struct vb_mode *const vb_modes[] = {
	&vb_mode_host,
	&vb_mode_sata,
	&vb_mode_virtio_blk,
	&vb_mode_virtio_scsi,
	&vb_mode_vhost_scsi,
	&vb_mode_lun,
	&vb_mode_nvme,
	&vb_mode_native,
	&vb_mode_backend,
	&vb_mode_vhost_user_blk,
	&vb_mode_hostdev,
	NULL,
};

/* Every mode joins the option table before main runs, its own rows (if
 * any) in the table's order: the options know no modes, so the modes
 * tell them (and a -c file's [mode NAME] sections are theirs). */
/* each mode's options take one of the configuration's parts: a table that
 * outgrows them fails the build, not the first run */
_Static_assert(sizeof(vb_modes) / sizeof(vb_modes[0]) - 1 <= VB_CONFIG_PARTS,
               "more modes than VB_CONFIG_PARTS (core/vbconfig.h): raise it");
__attribute__((constructor)) static void modes_join_options(void)
{
	static struct vb_option_part parts[VB_CONFIG_PARTS];
	for (size_t i = 0; vb_modes[i]; i++) {
		parts[i] = (struct vb_option_part){
			.name = vb_modes[i]->name, .rows = vb_modes[i]->options, .size = vb_modes[i]->options_size};
		vb_options_add_part(&parts[i]);
	}
}

static const struct vb_mode *table_find(const char *name)
{
	for (size_t i = 0; vb_modes[i]; i++)
		if (strcmp(vb_modes[i]->name, name) == 0)
			return vb_modes[i];
	return NULL;
}

/* Variants made so far: a tune makes one per candidate (at most 64) plus
 * its confirmation's, a run a few; past the cap a variant is refused. */
#define MAX_VARIANTS 256
static struct vb_mode *variants[MAX_VARIANTS];
static size_t nvariants;
/* --vms guests look modes up from threads of their own */
static pthread_mutex_t variants_lock = PTHREAD_MUTEX_INITIALIZER;

static const struct vb_mode *variant_find(const char *name, const struct vb_mode *base)
{
	struct vb_mode *v = NULL;
	pthread_mutex_lock(&variants_lock);
	for (size_t i = 0; i < nvariants && !v; i++)
		if (strcmp(variants[i]->name, name) == 0)
			v = variants[i];
	if (!v && nvariants < MAX_VARIANTS) {
		v = vb_calloc(1, sizeof(*v));
		*v = *base;
		v->name = vb_strdup(name);
		v->variant_of = base->name;
		variants[nvariants++] = v;
	}
	pthread_mutex_unlock(&variants_lock);
	return v;
}

const struct vb_mode *vb_mode_find(const char *name)
{
	char base[64];
	const struct vb_mode *b;
	if (!name)
		return NULL;
	if (!vb_mode_variant_base(name, base, sizeof(base)))
		return table_find(name);
	return (b = table_find(base)) ? variant_find(name, b) : NULL;
}

char *vb_mode_names(void)
{
	struct vb_buf b = {0};
	for (size_t i = 0; vb_modes[i]; i++)
		vb_buf_addf(&b, "%s%s", i ? ", " : "", vb_modes[i]->name);
	return vb_buf_release(&b);
}

const struct vb_mode **vb_mode_list_parse(const char *list, const struct vb_config *cfg, bool *probed)
{
	struct vb_mode_dropped *dropped = NULL;
	const struct vb_mode **out = vb_mode_list_pick(list, cfg, probed, &dropped);
	vb_mode_dropped_free(dropped);
	return out;
}

void vb_mode_dropped_free(struct vb_mode_dropped *d)
{
	for (size_t i = 0; d && d[i].mode; i++)
		free(d[i].why);
	free(d);
}

const struct vb_mode **vb_mode_list_pick(const char *list, const struct vb_config *cfg, bool *probed,
                                         struct vb_mode_dropped **dropped)
{
	size_t nmodes = 0, n = 0;
	const struct vb_mode **out;
	char *copy, *save = NULL, *tok;

	while (vb_modes[nmodes])
		nmodes++;
	*dropped = NULL;
	if (!list || !*list) {
		vb_error("--modes: the list is empty: name at least one mode ('vmio-bench modes' lists them)");
		return NULL;
	}
	*probed = false;
	*dropped = vb_calloc(nmodes + 1, sizeof(**dropped));
	if (strcmp(list, "all") == 0) {
		size_t nd = 0;
		*probed = true;
		out = vb_calloc(nmodes + 1, sizeof(*out));
		for (size_t i = 0; i < nmodes; i++) {
			char *why = NULL;
			/* a mode this configuration does not suit (host with
			 * --backend null, nvme on a block device) is not part of
			 * the plan; one this host cannot run (its probe failed:
			 * tgtd or qemu-storage-daemon gone) is, and is dropped
			 * with its reason, for run.json and the gate to see */
			if (vb_mode_check_config(vb_modes[i], cfg, &why) < 0) {
				vb_info("--modes all: leaving out %s: %s", vb_modes[i]->name, why);
				free(why);
				continue;
			}
			if (vb_modes[i]->probe && vb_modes[i]->probe(cfg, &why) < 0) {
				vb_warn("--modes all: %s is unavailable here: %s", vb_modes[i]->name, why);
				(*dropped)[nd++] = (struct vb_mode_dropped){.mode = vb_modes[i], .why = why};
				continue;
			}
			out[n++] = vb_modes[i];
		}
		return out;
	}
	if (list[0] == ',' || list[strlen(list) - 1] == ',' || strstr(list, ",,")) {
		vb_error("--modes: '%s' has an empty item: separate mode names with single commas", list);
		return NULL;
	}
	copy = vb_strdup(list);
	out = vb_calloc(nmodes + 1, sizeof(*out));
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const struct vb_mode *m = vb_mode_find(tok);
		if (!m && strchr(tok, '+')) {
			vb_error("--modes: '%s' is no variant of a mode: write BASE+TAG, BASE a mode ('vmio-bench modes'), "
			         "TAG 1-%d of [a-z0-9-] starting with a letter or digit", tok, VB_VARIANT_TAG_MAX);
			goto fail;
		}
		if (!m) {
			char *names = vb_mode_names();
			vb_error("--modes: unknown mode '%s': choose from %s, or all", tok, names);
			free(names);
			goto fail;
		}
		for (size_t i = 0; i < n; i++) {
			if (out[i] == m) {
				vb_error("--modes: mode '%s' is named twice: name each mode once", tok);
				goto fail;
			}
		}
		out[n++] = m;
	}
	free(copy);
	return out;
fail:
	free(copy);
	free(out);
	free(*dropped);
	*dropped = NULL;
	return NULL;
}

const char *vb_mode_queues(const struct vb_disk_ctx *d, char *buf, size_t n)
{
	if (!d->cfg->queues)
		return NULL;
	snprintf(buf, n, "%u", d->cfg->queues);
	return buf;
}

void vb_mode_disk_driver(struct vb_xml *x, const struct vb_disk_ctx *d, const char *iothread, const char *queues)
{
	vb_xml_empty(x, "driver", "name", "qemu", "type", d->overlay ? "qcow2" : d->format, "cache", d->cfg->cache,
	             "io", d->cfg->io, "iothread", d->cfg->iothreads ? iothread : NULL, "queues", queues, NULL);
}

/* The guest's overlay over the raw store: its writes stay in the overlay,
 * and the backing, read-only in every QEMU (a shared lock each), needs no
 * <shareable/>.  libvirt takes the chain as given (no probing). */
static void overlay_source(struct vb_xml *x, const struct vb_disk_ctx *d)
{
	const char *type = d->stor->is_block ? "block" : "file";
	vb_xml_empty(x, "source", "file", d->overlay, NULL);
	vb_xml_open(x, "backingStore", "type", type, NULL);
	vb_xml_empty(x, "format", "type", "raw", NULL);
	vb_xml_empty(x, "source", d->stor->is_block ? "dev" : "file", d->stor->path, NULL);
	vb_xml_close(x);
}

void vb_mode_disk_source(struct vb_xml *x, const struct vb_disk_ctx *d)
{
	if (d->overlay && d->stor->path) {
		overlay_source(x, d);
		return;
	}
	if (d->slice_size && d->stor->path) { /* --vms: this guest's slice of the raw store */
		char off[24], size[24];
		snprintf(off, sizeof(off), "%llu", d->slice_offset);
		snprintf(size, sizeof(size), "%llu", d->slice_size);
		vb_xml_open(x, "source", d->stor->is_block ? "dev" : "file", d->stor->path, NULL);
		vb_xml_open(x, "slices", NULL);
		vb_xml_empty(x, "slice", "type", "storage", "offset", off, "size", size, NULL);
		vb_xml_close(x);
		vb_xml_close(x);
	} else {
		vb_stor_source_xml(x, d->stor);
	}
	if (d->shareable)
		vb_xml_empty(x, "shareable", NULL);
}

void vb_mode_disk_open(struct vb_xml *x, const struct vb_disk_ctx *d, const char *device)
{
	vb_xml_open(x, "disk", "type", d->overlay ? "file" : vb_stor_disk_type(d->stor), "device", device, NULL);
}

void vb_mode_virtio_scsi_controller(struct vb_xml *x, const struct vb_disk_ctx *d)
{
	char q[16];
	vb_xml_open(x, "controller", "type", "scsi", "index", "0", "model", "virtio-scsi", NULL);
	vb_xml_empty(x, "driver", "iothread", d->cfg->iothreads ? "1" : NULL, "queues", vb_mode_queues(d, q, sizeof(q)), NULL);
	vb_xml_close(x);
}

void vb_mode_disk_iotune(struct vb_xml *x, const struct vb_disk_ctx *d)
{
	const char *k;
	json_t *v;
	if (!json_object_size(d->iotune))
		return;
	vb_xml_open(x, "iotune", NULL);
	/* libvirt's schema lists the elements in an <interleave>: any order */
	json_object_foreach(d->iotune, k, v) {
		char n[32];
		if (!vb_iotune_find(k) || !json_is_integer(v))
			continue; /* vb_iotune_parse made it: never */
		snprintf(n, sizeof(n), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		vb_xml_text(x, k, n, NULL);
	}
	vb_xml_close(x);
}

static int check_config(const struct vb_mode *m, const struct vb_config *c, bool forced, char **why)
{
	const char *opt = c->iotune ? "--iotune" : c->neighbour_iotune ? "--neighbour-iotune" : NULL;
	const struct vb_storage *s = vb_storage_of(c);
	/* a mode with no guest (host, backend, native) is the ceiling a limit
	 * is measured against: it runs unthrottled (runner/mode.c says so) */
	if (opt && !m->iotune && (!m->host || forced)) {
		*why = vb_asprintf("mode %s takes no %s: %s; QEMU throttles only a libvirt <disk> (sata, virtio-blk, "
		                   "virtio-scsi): leave %s out or drop %s", m->name, opt,
		                   m->no_iotune ? m->no_iotune : "it has no libvirt <disk>", m->name, opt);
		return -1;
	}
	if (opt && s && !s->disk_type) {
		*why = vb_asprintf("%s needs a libvirt <disk>, and --storage %s puts the drive on QEMU's command line: "
		                   "use real storage or drop %s", opt, s->name, opt);
		return -1;
	}
	return m->check_config ? m->check_config(c, why) : 0;
}

int vb_mode_check_config(const struct vb_mode *m, const struct vb_config *c, char **why)
{
	return check_config(m, c, false, why);
}

int vb_mode_check_own_config(const struct vb_mode *m, const struct vb_config *c, char **why)
{
	return check_config(m, c, true, why);
}

int vb_mode_refuse_null(const struct vb_config *cfg, const char *mode, char **why)
{
	const struct vb_storage *m = vb_storage_of(cfg);
	if (m && m->no_data) {
		*why = vb_asprintf("mode %s needs real storage; --storage null has none: leave %s out or use another storage", mode, mode);
		return -1;
	}
	return 0;
}

json_t *vb_mode_null_blockdev(const struct vb_disk_ctx *d)
{
	return vb_stor_blockdev(d->stor, VB_NULL_NODE); /* storage/null.c */
}

int vb_mode_check_tuning_quiet(const struct vb_config *c, char **why)
{
	if (strcmp(c->io, "native") == 0 && strcmp(c->cache, "none") != 0 && strcmp(c->cache, "directsync") != 0)
		*why = vb_strdup("--io native needs --cache none or directsync (QEMU refuses native AIO without O_DIRECT): change one of them");
	else if (strcmp(c->backend, "block") == 0 && !c->disk)
		*why = vb_strdup("--backend block needs --disk /dev/...: vmio-bench's own store is a file");
	else
		return 0;
	return -1;
}

int vb_mode_check_tuning(const struct vb_config *c)
{
	char *why = NULL;
	if (vb_mode_check_tuning_quiet(c, &why) == 0)
		return 0;
	vb_error("%s", why);
	free(why);
	return -1;
}

void vb_mode_disk_ctx(struct vb_disk_ctx *d, const struct vb_config *c, const struct vb_stor *stor,
                      const char *private_dir)
{
	memset(d, 0, sizeof(*d));
	d->cfg = c;
	d->stor = stor;
	d->source = stor->path;
	d->source_is_block = stor->is_block;
	d->format = stor->model->format;
	d->serial = VB_DISK_SERIAL;
	d->system = vb_hv_system(); /* the /system instance, here or remote */
	d->null_backend = stor->model->disk_type == NULL;
	d->run_dir = private_dir;
}

void vb_mode_null_commandline(struct vb_xml *x, const struct vb_mode *m, const struct vb_disk_ctx *d)
{
	/* libvirt has no null-co disk: the drive and its device go to QEMU's
	 * command line, on the mode's bus. */
	const char *const args[2] = {"-blockdev", "-device"};
	json_t *j[2] = {vb_mode_null_blockdev(d), m->null_device(d)};
	vb_xml_open(x, "qemu:commandline", NULL);
	for (int i = 0; i < 2; i++) {
		char *v = json_dumps(j[i], JSON_COMPACT | JSON_PRESERVE_ORDER);
		vb_xml_empty(x, "qemu:arg", "value", args[i], NULL);
		vb_xml_empty(x, "qemu:arg", "value", v, NULL);
		free(v);
		json_decref(j[i]);
	}
	vb_xml_close(x);
}

/* The INQUIRY vendor the guest reads (sysfs pads it to 8 with blanks) is
 * the mode's: the kernel's target says LIO-ORG, QEMU's emulation QEMU. */
static int check_vendor(const struct vb_mode *m, json_t *disk, char **why)
{
	json_t *v = json_object_get(disk, "vendor");
	const char *got = json_is_string(v) ? json_string_value(v) : "";
	size_t n = strlen(got);
	while (n > 0 && got[n - 1] == ' ')
		n--;
	if (n == strlen(m->scsi_vendor) && strncmp(got, m->scsi_vendor, n) == 0)
		return 0;
	*why = vb_asprintf("the guest's disk reports SCSI vendor '%.*s', not '%s' as mode %s promises: another target serves it",
	                   (int)n, got, m->scsi_vendor, m->name);
	return -1;
}

/* Does the disk the guest reports sit on the drivers this mode promises?
 * A benchmark of the wrong bus is worse than none. */
int vb_agent_check_disk(const struct vb_mode *m, json_t *disk, char **why)
{
	json_t *drivers = json_object_get(disk, "drivers");
	json_t *first = json_array_get(drivers, 0);
	bool bus = !m->bus_driver;
	size_t i;
	json_t *d;

	if (m->guest_pci) {
		/* a passed-through function has no driver we could promise; it
		 * sits where the domain XML put it in the guest */
		json_t *dp = json_object_get(disk, "devpath");
		char *want = vb_asprintf("/%s/", m->guest_pci);
		bool there = json_is_string(dp) && strstr(json_string_value(dp), want);
		free(want);
		if (!there) {
			*why = vb_asprintf("the guest's disk is not on the passed-through function (guest PCI address %s): it sits at %s",
			                   m->guest_pci, json_is_string(dp) ? json_string_value(dp) : "an unknown place");
			return -1;
		}
	}
	if (!m->guest_driver)
		return 0;
	json_array_foreach(drivers, i, d)
		if (json_is_string(d) && m->bus_driver && strcmp(json_string_value(d), m->bus_driver) == 0)
			bus = true;
	if (!json_is_string(first) || strcmp(json_string_value(first), m->guest_driver) != 0 || !bus) {
		char *got = json_dumps(drivers, JSON_COMPACT);
		*why = vb_asprintf("the guest's disk sits on drivers %s, not on %s over %s as the mode promises",
		                   got ? got : "[]", m->guest_driver, m->bus_driver ? m->bus_driver : "any bus");
		free(got);
		return -1;
	}
	if (m->scsi_vendor && check_vendor(m, disk, why) < 0)
		return -1;
	if (m->passthrough) {
		/* QEMU's emulated SCSI disks call themselves "QEMU"; a
		 * passed-through LUN answers INQUIRY with its own identity, and
		 * has an sg node for raw SCSI commands.  A host disk that is
		 * itself QEMU's (a nested lab's) proves itself by its own unit
		 * serial, which the guest found it by and an emulated disk here
		 * would not carry. */
		json_t *vendor = json_object_get(disk, "vendor"), *serial = json_object_get(disk, "serial");
		bool own_serial = json_is_string(serial) && json_string_length(serial) &&
		                  strcmp(json_string_value(serial), VB_DISK_SERIAL) != 0;
		if (!json_is_string(json_object_get(disk, "sg")) || !json_is_string(vendor) ||
		    (strncmp(json_string_value(vendor), "QEMU", 4) == 0 && !own_serial)) {
			*why = vb_strdup("the guest's disk is QEMU's emulated SCSI disk (or has no sg node), not the passed-through LUN");
			return -1;
		}
	}
	return 0;
}
