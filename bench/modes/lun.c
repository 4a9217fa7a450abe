/* lun: SCSI passthrough.  The guest's virtio-scsi controller hands SCSI
 * commands straight to a host SCSI device (QEMU scsi-block): by default a
 * loopback iSCSI LUN that vmio-bench serves from the backing store with
 * tgtd, or a host SCSI disk given with --lun-device. */
#include "config.h"
#include "modes/mode.h"
#include "core/proto.h"
#include "host/hostres.h"
#include "host/hv.h"
#include "host/tgt.h"
#include "core/util.h"
#include "guest/secret.h"
#include "guest/virt.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* lun's own options (vb_mode.options, into this struct). */
struct lun_options {
	char *device; /* --lun-device: a host SCSI disk to pass through */
};

static const struct vb_option lun_options[] = {
	{.name = "lun-device", .type = VB_OPT_STR, .offset = offsetof(struct lun_options, device),
	 .cmds = "run xml modes", .metavar = "DEV", .record = "lun_device",
	 .help = "lun: pass this host SCSI disk through instead of a loopback iSCSI LUN"},
	{.name = NULL},
};

/* --lun-device, or NULL. */
static const char *lun_device(const struct vb_config *c)
{
	const struct lun_options *o = vb_config_part(c, lun_options);
	return o->device;
}

#define TGT_PORT "3260"


/* lun's own state (vb_disk_ctx.priv): the target it made, or the device's serial */
struct lun_state {
	struct vb_tgt tgt;   /* the system's tgtd and the iSCSI target we made in it */
	bool started_tgtd;   /* tgtd was not running: we stop it again */
	char *serial_owned;  /* --lun-device's own serial */
	char secret_uuid[37]; /* the libvirt secret holding its CHAP password ("" none) */
};

/* Is the host block device a SCSI disk (it has an sg node)? */
static int scsi_disk(const char *dev, char **why)
{
	char *real = vb_hv_realpath(dev), *sys;
	if (!real || !vb_hv_test("-b", real)) {
		*why = vb_asprintf("--lun-device '%s' is not a block device on %s", dev, vb_hv_where());
		free(real);
		return -1;
	}
	sys = vb_asprintf("/sys/block/%s/device/scsi_generic", strrchr(real, '/') + 1);
	bool ok = vb_hv_test("-e", sys);
	free(sys);
	free(real);
	if (!ok) {
		*why = vb_asprintf("--lun-device '%s' is not a whole SCSI disk (it has no sg node): pass e.g. /dev/sdb", dev);
		return -1;
	}
	return 0;
}

static int lun_probe(const struct vb_config *cfg, char **why)
{
	if (lun_device(cfg))
		return scsi_disk(lun_device(cfg), why);
	if (!vb_tgt_qemu_has_iscsi()) {
		*why = vb_strdup("QEMU's iSCSI block driver is missing: apt-get install qemu-block-extra");
		return -1;
	}
	if (!vb_tgt_installed()) {
		*why = vb_asprintf("tgtd/tgtadm are missing on %s (they serve the loopback iSCSI LUN): apt-get install tgt there, or pass --lun-device /dev/sdX",
		                   vb_hv_where());
		return -1;
	}
	return 0;
}

static int lun_check_config(const struct vb_config *cfg, char **why)
{
	if (vb_mode_refuse_null(cfg, "lun", why) < 0)
		return -1;
	/* that it is a block device at all is a usage matter; whether it is a
	 * SCSI disk is the probe's (it depends on the host, not the command) */
	if (lun_device(cfg) && vb_hv_is_this_host()) { /* a remote host's device: its probe looks */
		char real[PATH_MAX];
		struct stat st;
		if (!realpath(lun_device(cfg), real) || stat(real, &st) < 0 || !S_ISBLK(st.st_mode)) {
			*why = vb_asprintf("--lun-device '%s' is not a block device: pass a host SCSI disk such as /dev/sdb",
			                   lun_device(cfg));
			return -1;
		}
	}
	/* tgtd serves a file or a device as the LUN's raw blocks: a qcow2
	 * image served so would be written over, a server's socket is no file */
	const struct vb_storage *sm = vb_storage_of(cfg);
	if (strcmp(cfg->format, "qcow2") == 0 || (sm && strcmp(sm->name, "raw") != 0 && strcmp(sm->name, "block") != 0)) {
		*why = vb_asprintf("mode lun passes a SCSI device through, which has no image format or server: its LUN is "
		                   "the raw store (storage raw or block), not storage %s: leave lun out of this storage",
		                   sm ? sm->name : cfg->format);
		return -1;
	}
	return 0;
}

static char *vpd_serial(const char *dev)
{
	char *real = vb_hv_realpath(dev);
	size_t len = 0;
	if (!real)
		return NULL;
	char *p = vb_asprintf("/sys/block/%s/device/vpd_pg80", strrchr(real, '/') + 1);
	char *raw = vb_hv_read_file(p, 4096, &len);
	char *r = NULL;
	free(p);
	free(real);
	if (raw && len > 4) {
		char serial[256];
		vb_serial_from_vpd80((const unsigned char *)raw, len, serial, sizeof(serial));
		r = vb_strdup(serial);
	}
	free(raw);
	return r;
}

/* Start the system's tgtd on 127.0.0.1:3260 when none answers (stopped
 * again by cleanup). */
static int start_tgtd(struct vb_disk_ctx *d, struct lun_state *st, char **why)
{
	/* Listening on loopback only: the LUN is for this host's guests. */
	const char *argv[] = {"tgtd", "--iscsi", "portal=127.0.0.1:" TGT_PORT, NULL};
	char *log = vb_asprintf("%s/tgtd.log", d->mode_dir);
	vb_info("lun: starting tgtd");
	int rc = vb_hv_run_logged(argv, log, 20);
	free(log);
	if (rc != 0) {
		*why = vb_strdup("cannot start tgtd: see tgtd.log in the mode's results, or run 'tgtd' by hand");
		return -1;
	}
	st->started_tgtd = true;
	for (int i = 0; i < 50 && !vb_tgt_answers(&st->tgt); i++)
		usleep(100000);
	if (!vb_tgt_answers(&st->tgt)) {
		*why = vb_strdup("tgtd started but does not answer tgtadm");
		return -1;
	}
	return 0;
}

static int lun_prepare(struct vb_disk_ctx *d, char **why)
{
	struct lun_state *st = d->priv;
	struct vb_tgt *t = &st->tgt;

	if (lun_device(d->cfg)) {
		/* A real SCSI disk keeps its own serial; the agent finds it by that. */
		st->serial_owned = vpd_serial(lun_device(d->cfg));
		if (!st->serial_owned || !*st->serial_owned) {
			*why = vb_asprintf("--lun-device '%s' reports no unit serial number (VPD page 0x80): the guest could not tell it apart",
			                   lun_device(d->cfg));
			return -1;
		}
		d->serial = st->serial_owned;
		d->foreign_disk = true; /* the guest writes that disk, not the store */
		return 0;
	}
	if (!vb_tgt_answers(t) && start_tgtd(d, st, why) < 0)
		return -1;
	if (vb_tgt_target_new(t, why) < 0 || vb_tgt_lun_new(t, d->source, d->serial, why) < 0)
		return -1;
	/* Only the run's own guest may log in: a CHAP account made for this
	 * run, its password in a libvirt secret. */
	if (vb_chap_new(d->virt, t, st->secret_uuid, "lun", why) < 0 || vb_tgt_bind_local(t, why) < 0)
		return -1;
	/* tgtd serves the LUN: its CPU is part of this bus's cost */
	d->helper_name = "tgtd";
	d->helper_pid = vb_proc_find("tgtd");
	return 0;
}

static void lun_cleanup(struct vb_disk_ctx *d)
{
	struct lun_state *st = d->priv;
	vb_tgt_target_remove(&st->tgt, "lun");
	vb_chap_remove(d->virt, st->secret_uuid, "lun");
	if (st->started_tgtd) {
		vb_tgtadm(&st->tgt, NULL, "--mode", "system", "--op", "delete", NULL);
		st->started_tgtd = false;
	}
	free(st->serial_owned);
	st->serial_owned = NULL;
}

static void lun_devices(struct vb_xml *x, const struct vb_disk_ctx *d)
{
	const struct lun_state *st = d->priv;
	const struct vb_tgt *t = st ? &st->tgt : NULL;
	vb_mode_virtio_scsi_controller(x, d);
	if (lun_device(d->cfg)) {
		vb_xml_open(x, "disk", "type", "block", "device", "lun", NULL);
		vb_xml_empty(x, "driver", "name", "qemu", "type", "raw", "cache", d->cfg->cache, "io", d->cfg->io, NULL);
		vb_xml_empty(x, "source", "dev", lun_device(d->cfg), NULL);
	} else {
		char *name = vb_asprintf("%s/1", t && t->iqn ? t->iqn : "iqn.2026-11.org.vmio-bench:TARGET");
		vb_xml_open(x, "disk", "type", "network", "device", "lun", NULL);
		vb_xml_empty(x, "driver", "name", "qemu", "type", "raw", "cache", d->cfg->cache, NULL);
		vb_xml_open(x, "source", "protocol", "iscsi", "name", name, NULL);
		vb_xml_empty(x, "host", "name", "127.0.0.1", "port", TGT_PORT, NULL);
		/* the run's CHAP account (the xml command shows where it goes) */
		vb_xml_open(x, "auth", "username", t && t->user ? t->user : "vmio-PID-TID", NULL);
		vb_xml_empty(x, "secret", "type", "iscsi", "uuid",
		             st && st->secret_uuid[0] ? st->secret_uuid : "00000000-0000-0000-0000-000000000000", NULL);
		vb_xml_close(x);
		vb_xml_close(x);
		free(name);
	}
	vb_xml_empty(x, "target", "dev", "sda", "bus", "scsi", NULL);
	vb_xml_empty(x, "address", "type", "drive", "controller", "0", "bus", "0", "target", "0", "unit", "0", NULL);
	vb_xml_close(x);
}


const struct vb_mode vb_mode_lun = {
	.name = "lun",
	.no_iotune = "the guest's SCSI commands pass through to the LUN (scsi-block's SG_IO), past QEMU's throttling",
	.options = lun_options,
	.options_size = sizeof(struct lun_options),
	.summary = "SCSI passthrough (device='lun' on virtio-scsi) of a loopback iSCSI LUN or --lun-device",
	.guest_driver = "sd",
	.bus_driver = "virtio_scsi",
	.guest_modules = "virtio_scsi,sd_mod,sg",
	.passthrough = true,
	.check_config = lun_check_config,
	.iothread = true,
	.probe = lun_probe,
	.priv_size = sizeof(struct lun_state),
	.prepare = lun_prepare,
	.cleanup = lun_cleanup,
	.devices_xml = lun_devices,
};
