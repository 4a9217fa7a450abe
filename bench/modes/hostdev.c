/* hostdev: PCI passthrough of a whole PCI function (an NVMe drive, an
 * SR-IOV VF) with VFIO: the guest's own driver talks to the hardware.  Needs
 * an IOMMU, the vfio-pci driver and a spare function given with
 * --pci-device; the probe says which of those is missing. */
#include "config.h"
#include "modes/mode.h"
#include "host/nvmevf.h"
#include "host/hv.h"
#include "core/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* hostdev's own options (vb_mode.options, into this struct). */
struct hostdev_options {
	char *pci_device; /* --pci-device: DDDD:BB:SS.F */
	char *sriov; /* --sriov: PF[:VF], a virtual function made for the run */
};

static const struct vb_option hostdev_options[] = {
	{.name = "pci-device", .type = VB_OPT_STR, .offset = offsetof(struct hostdev_options, pci_device),
	 .cmds = "run xml modes", .metavar = "DDDD:BB:SS.F", .record = "pci_device",
	 .help = "hostdev: the PCI function (e.g. an NVMe drive or SR-IOV VF) to pass through"},
	{.name = "sriov", .type = VB_OPT_STR, .offset = offsetof(struct hostdev_options, sriov),
	 .cmds = "run xml modes", .metavar = "PF[:VF]", .record = "sriov",
	 .help = "hostdev: pass through virtual function VF (default 0) of physical function PF, made for the run when PF has none (sriov_numvfs back to 0 after)"},
	{.name = NULL},
};

static const struct hostdev_options *hostdev_opts(const struct vb_config *c)
{
	return vb_config_part(c, hostdev_options);
}

/* Parse DDDD:BB:SS.F (domain optional); 0 on success.  With vf, a
 * trailing ":N" (--sriov PF[:VF]) is taken too (N 0 when absent). */
static int parse_pci_vf(const char *s, unsigned *dom, unsigned *bus, unsigned *slot, unsigned *fn, unsigned *vf)
{
	int n = 0;
	char tail;
	if (!s)
		return -1;
	if (sscanf(s, "%4x:%2x:%2x.%1x%n", dom, bus, slot, fn, &n) != 4) {
		*dom = 0;
		n = 0;
		if (sscanf(s, "%2x:%2x.%1x%n", bus, slot, fn, &n) != 3)
			return -1;
	}
	if (*slot >= 32 || *fn >= 8)
		return -1;
	if (!s[n])
		return vf ? (*vf = 0, 0) : 0;
	if (!vf || s[n] != ':' || sscanf(s + n + 1, "%3u%c", vf, &tail) != 1 || s[n + 1] < '0' || s[n + 1] > '9')
		return -1;
	return 0;
}

static int parse_pci(const char *s, unsigned *dom, unsigned *bus, unsigned *slot, unsigned *fn)
{
	return parse_pci_vf(s, dom, bus, slot, fn, NULL);
}

static char *pci_name(unsigned dom, unsigned bus, unsigned slot, unsigned fn)
{
	return vb_asprintf("%04x:%02x:%02x.%x", dom, bus, slot, fn);
}

/* What the run set up: the function passed through, its host driver
 * before the run, and the PF whose sriov_numvfs the run changed. */
struct hostdev_state {
	char *addr;
	char *driver;        /* "" when it had none */
	char *pf;            /* --sriov: the physical function */
	unsigned vf;
	bool made_vfs;       /* sriov_numvfs was 0 and we raised it */
	bool nvme;           /* an NVMe VF, brought online through its PF */
	char *autoprobe;     /* the PF's sriov_drivers_autoprobe before the run */
};

static int hostdev_check_config(const struct vb_config *cfg, char **why)
{
	const struct hostdev_options *o = hostdev_opts(cfg);
	unsigned dom, bus, slot, fn, vf;
	if (vb_mode_refuse_null(cfg, "hostdev", why) < 0)
		return -1;
	/* the guest's disk is the passed-through device, whatever storage a
	 * sweep names: its figures under another model's name would lie */
	const struct vb_storage *sm = vb_storage_of(cfg);
	bool swept = cfg->sweep && strstr(cfg->sweep, "storage=");
	if (sm && (swept || (sm->disk_type && strcmp(sm->disk_type, "file") != 0 && strcmp(sm->disk_type, "block") != 0))) {
		*why = vb_asprintf("mode hostdev measures the passed-through device itself, not storage %s: leave hostdev out "
		                   "of a storage sweep or run it with the default storage", sm->name);
		return -1;
	}
	if (o->pci_device && o->sriov) {
		*why = vb_strdup("give hostdev either --pci-device (a function that exists) or --sriov PF[:VF] (a VF made for the run), not both");
		return -1;
	}
	if (o->sriov) {
		if (parse_pci_vf(o->sriov, &dom, &bus, &slot, &fn, &vf) < 0) {
			*why = vb_asprintf("--sriov '%s' is not PF[:VF]: a PCI address DDDD:BB:SS.F and a VF index (e.g. 0000:01:00.0:0)", o->sriov);
			return -1;
		}
		return 0;
	}
	if (!o->pci_device) {
		*why = vb_strdup("mode hostdev needs the PCI function to pass through: give it with --pci-device DDDD:BB:SS.F, or a VF to make with --sriov PF[:VF]");
		return -1;
	}
	if (parse_pci(o->pci_device, &dom, &bus, &slot, &fn) < 0) {
		*why = vb_asprintf("--pci-device '%s' is not a PCI address of the form DDDD:BB:SS.F", o->pci_device);
		return -1;
	}
	return 0;
}

static bool iommu_active(void)
{
	DIR *d = opendir("/sys/kernel/iommu_groups");
	struct dirent *e;
	bool any = false;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			any = true;
	if (d)
		closedir(d);
	return any;
}

/* A small sysfs attribute of a PCI function, without its newline. */
static char *pci_attr(const char *addr, const char *attr)
{
	char *p = vb_asprintf("/sys/bus/pci/devices/%s/%s", addr, attr);
	char *v = vb_read_file(p, 4096, NULL);
	free(p);
	if (v)
		v[strcspn(v, "\n")] = '\0';
	return v;
}

/* The name a sysfs link of the function points at (its driver, its
 * IOMMU group, a VF), or NULL. */
static char *pci_link(const char *addr, const char *link)
{
	char *p = vb_asprintf("/sys/bus/pci/devices/%s/%s", addr, link), buf[PATH_MAX];
	ssize_t n = readlink(p, buf, sizeof(buf) - 1);
	free(p);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return vb_strdup(strrchr(buf, '/') ? strrchr(buf, '/') + 1 : buf);
}

static int hostdev_probe(const struct vb_config *cfg, char **why)
{
	const struct hostdev_options *o = hostdev_opts(cfg);
	unsigned dom, bus, slot, fn, vf = 0;
	if (hostdev_check_config(cfg, why) < 0)
		return -1;
	if (!vb_hv_is_this_host()) { /* its checks read this machine's sysfs and bind drivers here */
		*why = vb_asprintf("hostdev is not offered on a remote hypervisor (%s): PCI passthrough binds and checks the "
		                   "device where vmio-bench runs; run vmio-bench on that host itself", vb_hv_where());
		return -1;
	}
	parse_pci_vf(o->sriov ? o->sriov : o->pci_device, &dom, &bus, &slot, &fn, &vf);
	char *addr = pci_name(dom, bus, slot, fn);
	char *sys = vb_asprintf("/sys/bus/pci/devices/%s", addr);
	bool present = access(sys, F_OK) == 0;
	free(sys);
	if (!present) {
		*why = vb_asprintf("PCI function %s does not exist on this host (lspci lists what does)", addr);
		free(addr);
		return -1;
	}
	if (o->sriov) {
		char *total = pci_attr(addr, "sriov_totalvfs");
		long t = total ? strtol(total, NULL, 10) : 0;
		free(total);
		if (t <= 0 || vf >= (unsigned long)t) {
			*why = t <= 0 ? vb_asprintf("PCI function %s offers no SR-IOV virtual functions (no sriov_totalvfs)", addr)
			              : vb_asprintf("PCI function %s offers %ld virtual functions: VF %u is not one of them", addr, t, vf);
			free(addr);
			return -1;
		}
	}
	free(addr);
	if (!iommu_active()) {
		*why = vb_strdup("no IOMMU is active (/sys/kernel/iommu_groups is empty): enable VT-d/AMD-Vi in the firmware and boot with intel_iommu=on or amd_iommu=on");
		return -1;
	}
	if (access("/sys/bus/pci/drivers/vfio-pci", F_OK) < 0 && access("/sys/module/vfio_pci", F_OK) < 0) {
		*why = vb_strdup("the vfio-pci driver is not loaded: modprobe vfio-pci");
		return -1;
	}
	return 0;
}

/* VFIO assigns whole IOMMU groups: a function that shares its group with
 * another endpoint cannot go alone (bridges do not count). */
static int group_alone(const char *addr, char **why)
{
	char *group = pci_link(addr, "iommu_group");
	if (!group) {
		*why = vb_asprintf("PCI function %s is in no IOMMU group: is the IOMMU on for it?", addr);
		return -1;
	}
	char *dir = vb_asprintf("/sys/kernel/iommu_groups/%s/devices", group);
	struct vb_buf others = {0};
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, addr) == 0)
			continue;
		char *class = pci_attr(e->d_name, "class");
		bool bridge = class && strncmp(class, "0x0604", 6) == 0;
		free(class);
		if (!bridge)
			vb_buf_addf(&others, "%s%s", others.len ? ", " : "", e->d_name);
	}
	if (d)
		closedir(d);
	free(dir);
	int r = 0;
	if (others.len) {
		*why = vb_asprintf("PCI function %s shares IOMMU group %s with %s: VFIO can only assign a whole group, so pass a function that is alone in its group",
		                   addr, group, others.s);
		r = -1;
	}
	vb_buf_free(&others);
	free(group);
	return r;
}

static int write_attr(const char *addr, const char *attr, const char *value, char **why)
{
	char *p = vb_asprintf("/sys/bus/pci/devices/%s/%s", addr, attr);
	int fd = open(p, O_WRONLY | O_CLOEXEC), r = -1;
	if (fd >= 0) {
		/* a sysfs attribute takes the value in one write, or says why not */
		r = write(fd, value, strlen(value)) == (ssize_t)strlen(value) ? 0 : -1;
		int e = errno;
		close(fd);
		errno = e;
	}
	if (r < 0)
		*why = vb_asprintf("cannot write %s to %s: %s", value, p, strerror(errno));
	free(p);
	return r;
}

/* --sriov PF:VF: make the VF when the PF has none yet (sriov_numvfs from
 * 0 to VF + 1; cleanup sets it back to 0), and pass it through. */
static int make_vf(struct hostdev_state *st, const struct vb_config *cfg, char **why)
{
	const struct hostdev_options *o = hostdev_opts(cfg);
	unsigned dom, bus, slot, fn, vf;
	parse_pci_vf(o->sriov, &dom, &bus, &slot, &fn, &vf);
	st->pf = pci_name(dom, bus, slot, fn);
	char *num = pci_attr(st->pf, "sriov_numvfs");
	long n = num ? strtol(num, NULL, 10) : -1;
	free(num);
	if (n < 0) {
		*why = vb_asprintf("cannot read %s's sriov_numvfs: is it an SR-IOV physical function?", st->pf);
		return -1;
	}
	st->vf = vf;
	if (n == 0) {
		char want[16];
		snprintf(want, sizeof(want), "%u", vf + 1);
		/* an NVMe VF needs its queues before it exists, and no host
		 * driver may probe it before it is online: libvirt gives it to
		 * vfio-pci */
		if (vb_nvme_vf_assign(st->pf, vf, &st->nvme, why) < 0)
			return -1;
		st->autoprobe = pci_attr(st->pf, "sriov_drivers_autoprobe");
		if (st->autoprobe && write_attr(st->pf, "sriov_drivers_autoprobe", "0", why) < 0)
			return -1;
		if (write_attr(st->pf, "sriov_numvfs", want, why) < 0)
			return -1;
		st->made_vfs = true;
	} else if ((unsigned long)n <= vf) {
		*why = vb_asprintf("%s has %ld virtual functions already, and VF %u is not one of them: vmio-bench changes sriov_numvfs only from 0 (set it yourself, or give one of the existing VFs)",
		                   st->pf, n, vf);
		return -1;
	}
	char link[32];
	snprintf(link, sizeof(link), "virtfn%u", vf);
	/* the VF appears once the PF's driver has made it */
	for (int i = 0; i < 50 && !st->addr; i++) {
		st->addr = pci_link(st->pf, link);
		if (!st->addr)
			usleep(100000);
	}
	if (!st->addr) {
		*why = vb_asprintf("%s did not make its VF %u (no %s link within 5 s)", st->pf, vf, link);
		return -1;
	}
	if (st->nvme && vb_nvme_vf_online(st->pf, vf, why) < 0)
		return -1;
	vb_info("hostdev: made VF %u of %s: %s%s", vf, st->pf, st->addr, st->nvme ? " (NVMe secondary controller online)" : "");
	return 0;
}

static int hostdev_prepare(struct vb_disk_ctx *d, char **why)
{
	const struct hostdev_options *o = hostdev_opts(d->cfg);
	struct hostdev_state *st = d->priv;
	/* The device keeps its own serial; the agent takes the guest's only
	 * block device. */
	d->serial = NULL;
	if (o->sriov) {
		if (make_vf(st, d->cfg, why) < 0)
			return -1;
	} else {
		unsigned dom, bus, slot, fn;
		parse_pci(o->pci_device, &dom, &bus, &slot, &fn);
		st->addr = pci_name(dom, bus, slot, fn);
	}
	if (group_alone(st->addr, why) < 0)
		return -1;
	/* libvirt's managed mode unbinds it from this driver and binds it
	 * back after the guest: cleanup checks that it did */
	st->driver = pci_link(st->addr, "driver");
	if (!st->driver)
		st->driver = vb_strdup("");
	return 0;
}

static void hostdev_cleanup(struct vb_disk_ctx *d)
{
	struct hostdev_state *st = d->priv;
	if (!st)
		return;
	/* a VF made for the run goes with it; any other function must be
	 * back on its own driver */
	if (st->addr && st->driver && !st->made_vfs) {
		/* libvirt rebinds as the domain goes; give it a moment */
		char *now = NULL;
		for (int i = 0; i < 50; i++) {
			free(now);
			now = pci_link(st->addr, "driver");
			if (strcmp(now ? now : "", st->driver) == 0)
				break;
			usleep(100000);
		}
		if (strcmp(now ? now : "", st->driver) != 0)
			vb_warn("hostdev: %s is bound to %s after the run, not to its own driver %s: rebind it (echo %s > /sys/bus/pci/drivers/%s/bind)",
			        st->addr, now ? now : "no driver", *st->driver ? st->driver : "(none)", st->addr,
			        *st->driver ? st->driver : "DRIVER");
		else
			vb_info("hostdev: %s is back on its own driver (%s)", st->addr, *st->driver ? st->driver : "none");
		free(now);
	}
	if (st->made_vfs) {
		char *why = NULL;
		if (st->nvme)
			vb_nvme_vf_offline(st->pf, st->vf);
		if (write_attr(st->pf, "sriov_numvfs", "0", &why) < 0)
			vb_warn("hostdev: %s: set it back to 0 by hand", why);
		free(why);
	}
	if (st->autoprobe) {
		char *why = NULL;
		if (write_attr(st->pf, "sriov_drivers_autoprobe", st->autoprobe, &why) < 0)
			vb_warn("hostdev: %s", why);
		free(why);
	}
	free(st->autoprobe);
	free(st->addr);
	free(st->driver);
	free(st->pf);
}

static void hostdev_devices(struct vb_xml *x, const struct vb_disk_ctx *d)
{
	const struct hostdev_options *o = hostdev_opts(d->cfg);
	const struct hostdev_state *st = d->priv;
	unsigned dom = 0, bus = 0, slot = 0, fn = 0;
	char sd[8], sb[8], ss[8], sf[8];
	/* the VF --sriov made; --pci-device; or, for the xml command (no
	 * prepare), --sriov's PF as a stand-in */
	const char *addr = st && st->addr ? st->addr : o->pci_device ? o->pci_device : o->sriov;
	unsigned vf;
	parse_pci_vf(addr, &dom, &bus, &slot, &fn, &vf);
	snprintf(sd, sizeof(sd), "0x%04x", dom);
	snprintf(sb, sizeof(sb), "0x%02x", bus);
	snprintf(ss, sizeof(ss), "0x%02x", slot);
	snprintf(sf, sizeof(sf), "0x%x", fn);
	vb_xml_open(x, "hostdev", "mode", "subsystem", "type", "pci", "managed", "yes", NULL);
	vb_xml_empty(x, "driver", "name", "vfio", NULL);
	vb_xml_open(x, "source", NULL);
	vb_xml_empty(x, "address", "domain", sd, "bus", sb, "slot", ss, "function", sf, NULL);
	vb_xml_close(x);
	/* a fixed place in the guest (an integrated endpoint on q35's root
	 * bus), so that the agent's hello can prove the disk is this one */
	vb_xml_empty(x, "address", "type", "pci", "domain", "0x0000", "bus", "0x00", "slot", VB_PCI_ADDR_HOSTDEV, "function",
	             "0x0", NULL);
	vb_xml_close(x);
}


const struct vb_mode vb_mode_hostdev = {
	.name = "hostdev",
	.no_iotune = "the guest drives the PCI function itself (VFIO), and a <hostdev> has no <iotune>",
	.options = hostdev_options,
	.options_size = sizeof(struct hostdev_options),
	.summary = "PCI passthrough of --pci-device with VFIO (<hostdev type='pci'>)",
	.guest_driver = NULL, /* the device's own driver, whatever it is */
	.guest_pci = "0000:00:12.0", /* VB_PCI_ADDR_HOSTDEV */
	.check_config = hostdev_check_config,
	.probe = hostdev_probe,
	.prepare = hostdev_prepare,
	.cleanup = hostdev_cleanup,
	.priv_size = sizeof(struct hostdev_state),
	.devices_xml = hostdev_devices,
};
