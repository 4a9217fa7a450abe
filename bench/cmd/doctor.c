/* `vmio-bench doctor`: what is wrong with this host, each check with a
 * verdict (ok, warn, fail) and the exact fix, then which modes could run.
 * Exit 0 when every mode the host could run is ready (no check failed),
 * 1 otherwise.  The checks are rows of a table: name, function. */
#include "config.h"
#include "guest/accel.h"
#include "commands.h"
#include "render/gp.h"
#include "guest/image.h"
#include "modes/mode.h"
#include "core/options.h"
#include "host/hv.h"
#include "runner/place.h"
#include "guest/pool.h"
#include "core/util.h"
#include "guest/virt.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

enum verdict { OK, WARN, FAIL };
static const char *const words[] = {"ok", "warn", "fail"};

struct doctor {
	struct vb_config *c;
	struct vb_virt *virt;
	struct vb_image img;
	bool have_image;
	int fails, warns;
};

/* Run argv quietly: its output goes to a log in doctor's private folder
 * (mkdtemp: no name in /tmp another user could have planted), and on
 * failure *why (when asked for) gets the log's last line.  The exit
 * status. */
static char *scratch;

static int quiet_run(const char *const argv[], int timeout_s, char **why)
{
	char *log = scratch ? vb_asprintf("%s/command.log", scratch) : vb_strdup("/dev/null");
	int rc = vb_hv_run_logged(argv, log, timeout_s);
	if (rc != 0 && why)
		*why = scratch ? vb_file_last_line(log) : vb_strdup("(no log)");
	if (scratch)
		unlink(log);
	free(log);
	return rc;
}

/* One verdict line: what, what was found, and the fix when not ok. */
static void say(struct doctor *d, enum verdict v, const char *what, const char *found, const char *fix)
{
	printf("%-4s  %-20s %s\n", words[v], what, found);
	if (v != OK && fix)
		printf("      %-20s fix: %s\n", "", fix);
	d->fails += v == FAIL;
	d->warns += v == WARN;
}

static void check_libvirt(struct doctor *d)
{
	d->virt = vb_virt_open(d->c->connect); /* reports its own error line, which names the cause */
	if (!d->virt) {
		char *found = vb_asprintf("%s is out of reach (see the error above)", d->c->connect);
		say(d, FAIL, "libvirtd", found,
		    strcmp(d->c->connect, "qemu:///system") == 0
		        ? "start it: 'systemctl start libvirtd' (or, without systemd, scripts/start-libvirtd)"
		        : "check the URI and that libvirtd runs on that host");
		free(found);
		return;
	}
	char *lib = vb_virt_library_version(d->virt), *hv = vb_virt_hypervisor_version(d->virt);
	char *found = vb_asprintf("%s reachable (libvirt %s, QEMU %s)", d->c->connect, lib ? lib : "?", hv ? hv : "?");
	say(d, OK, "libvirtd", found, NULL);
	free(found);
	free(lib);
	free(hv);
}

static void check_qemu(struct doctor *d)
{
	const char *argv[] = {"qemu-system-x86_64", "-machine", "help", NULL};
	char *out = NULL;
	if (!vb_hv_on_path("qemu-system-x86_64") || vb_hv_run(argv, &out, 30) != 0 || !out) {
		say(d, FAIL, "QEMU", "qemu-system-x86_64 does not run", "apt-get install qemu-system-x86");
	} else {
		bool q35 = strstr(out, "\nq35 ") || strstr(out, "\npc-q35"), pc = strstr(out, "\npc ") || strstr(out, "\npc-i440fx");
		say(d, q35 && pc ? OK : FAIL, "QEMU machine types", q35 && pc ? "q35 and pc (i440fx) offered" : "q35 or pc missing",
		    "install Debian's qemu-system-x86");
	}
	free(out);
}

/* QEMU's user under qemu:///system: qemu.conf's "user", else Debian's. */
static char *qemu_user(void)
{
	char *conf = vb_read_file("/etc/libvirt/qemu.conf", 1 << 20, NULL), *user = NULL;
	for (char *line = conf ? strtok(conf, "\n") : NULL; line && !user; line = strtok(NULL, "\n")) {
		char name[64];
		if (sscanf(line, " user = \"%63[^\"]\"", name) == 1)
			user = vb_strdup(name);
	}
	free(conf);
	return user ? user : vb_strdup("libvirt-qemu");
}

static bool in_group(const char *user, gid_t gid)
{
	struct passwd *pw = getpwnam(user);
	struct group *gr = getgrgid(gid);
	if (pw && pw->pw_gid == gid)
		return true;
	for (char **m = gr ? gr->gr_mem : NULL; m && *m; m++)
		if (!strcmp(*m, user))
			return true;
	return false;
}

/* /dev/kvm on a remote hypervisor, as stat(1) shows it there. */
static void check_remote_kvm(struct doctor *d)
{
	const char *argv[] = {"stat", "-L", "-c", "%a %G", "--", "/dev/kvm", NULL};
	char *v = vb_hv_command_first_line(argv);
	unsigned mode = 0;
	char group[64] = "?";
	if (!v || sscanf(v, "%o %63s", &mode, group) < 1) {
		say(d, WARN, "/dev/kvm", "absent there: guests run under TCG (emulation), far slower than a KVM host",
		    "enable virtualization in that host's firmware and load kvm_intel or kvm_amd");
	} else {
		char *found = vb_asprintf("mode %04o, group %s on %s", mode, vb_text_clean(group), vb_hv_where());
		say(d, (mode & 0060) == 0060 || (mode & 0006) == 0006 ? OK : WARN, "/dev/kvm", found,
		    "chown root:kvm /dev/kvm && chmod 0660 /dev/kvm there (Debian's udev does it)");
		free(found);
	}
	free(v);
}

static void check_kvm(struct doctor *d)
{
	if (!vb_hv_is_this_host()) { /* the check below reads this machine's qemu.conf, users and groups */
		check_remote_kvm(d);
		return;
	}
	struct stat st;
	if (stat("/dev/kvm", &st) < 0) {
		say(d, WARN, "/dev/kvm", "absent: guests run under TCG (emulation), far slower than a KVM host",
		    "enable virtualization in the firmware and load kvm_intel or kvm_amd");
		return;
	}
	char *user = qemu_user();
	bool usable = strcmp(user, "root") == 0 || (st.st_mode & S_IROTH && st.st_mode & S_IWOTH) ||
	              (st.st_mode & S_IRGRP && st.st_mode & S_IWGRP && in_group(user, st.st_gid));
	char *found = vb_asprintf("mode %04o, group %s; QEMU runs as %s: %s", (unsigned)(st.st_mode & 07777),
	                          getgrgid(st.st_gid) ? getgrgid(st.st_gid)->gr_name : "?", user,
	                          usable ? "usable" : "not usable by QEMU's user");
	say(d, usable ? OK : WARN, "/dev/kvm", found,
	    "chown root:kvm /dev/kvm && chmod 0660 /dev/kvm (what Debian's udev rules do; scripts/setup does it): "
	    "without it libvirt probes QEMU again at every guest start (72 s each, measured)");
	free(found);
	free(user);
}

static void check_image(struct doctor *d)
{
	d->have_image = vb_image_locate(d->c, &d->img) == 0; /* reports what is missing */
	if (!d->have_image) {
		char *found = vb_asprintf("no guest image in %s/image (see above)", d->c->cache_dir);
		say(d, FAIL, "guest image", found, "vmio-bench image build (scripts/setup does it)");
		free(found);
		return;
	}
	const char *gfio = json_string_value(json_object_get(d->img.manifest, "fio_version"));
	const char *argv[] = {"fio", "--version", NULL};
	char *hfio = NULL;
	if (!vb_hv_on_path("fio") || vb_hv_run(argv, &hfio, 10) != 0) {
		free(hfio);
		hfio = NULL;
	}
	if (hfio)
		hfio[strcspn(hfio, "\n")] = '\0';
	bool same = gfio && hfio && !strcmp(gfio, hfio);
	char *found = vb_asprintf("%s; guest fio %s, host fio %s", d->img.kernel, gfio ? gfio : "?", hfio && *hfio ? hfio : "absent");
	say(d, same ? OK : WARN, "guest image", found,
	    "rebuild the image so that the guest runs the host's fio: vmio-bench image build");
	free(found);
	free(hfio);
}

static void check_accel(struct doctor *d)
{
	if (!d->virt || !d->have_image) {
		say(d, WARN, "KVM guest boots", "not tried (needs libvirtd and the guest image)", NULL);
		return;
	}
	if (!vb_hv_is_this_host()) { /* a probe boot needs the image there: 'run' places it and probes */
		bool kvm = vb_virt_offers_kvm(d->virt);
		say(d, kvm ? OK : WARN, "KVM offered", kvm ? "libvirt offers KVM there (run probes that a guest boots)"
		                                            : "libvirt offers no KVM there: guests run under TCG (emulation)",
		    "figures under TCG compare buses only among themselves; run on a host where KVM boots a guest");
		return;
	}
	struct vb_accel acc = {0};
	struct vb_config c = *d->c;
	char automatic[] = "auto";
	c.accel = automatic;
	if (vb_accel_choose(d->virt, &c, &d->img, &acc) < 0) {
		say(d, FAIL, "KVM guest boots", "the probe could not run (see above)", "see the message above");
		return;
	}
	say(d, strcmp(acc.name, "kvm") == 0 ? OK : WARN, "KVM guest boots", acc.why,
	    "figures under TCG compare buses only among themselves; run on a host where KVM boots a guest");
	free(acc.why);
}

/* How long libvirt takes to start (paused) and destroy a trivial domain,
 * through libvirt's API: the XML goes with the call, so a remote
 * hypervisor is never handed a path that only this host has. */
static void check_start_time(struct doctor *d)
{
	if (!d->virt)
		return;
	char *name = vb_asprintf("vmio-doctor-%s%s%ld", vb_hv_label(), *vb_hv_label() ? "-" : "", (long)getpid());
	char *xml = vb_asprintf("<domain type='qemu'><name>%s</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>"
	                        "<os><type arch='x86_64' machine='q35'>hvm</type></os><devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
	                        "</devices></domain>", name);
	char *why = NULL;
	double t0 = vb_now(), s = vb_virt_try_domain(d->virt, xml, &why);
	bool started = s >= 0;
	if (!started)
		s = vb_now() - t0;
	char *found = started ? vb_asprintf("a trivial domain started in %.2f s", s)
	                      : vb_asprintf("a trivial domain did not start in %.1f s: %s", s, why ? why : "?");
	free(why);
	say(d, !started ? FAIL : s > 10 ? WARN : OK, "libvirt domain start", found,
	    !started ? "see libvirtd's log (virt-admin daemon-log-outputs)"
	             : "slow starts come from libvirt probing QEMU again: give /dev/kvm mode 0660 group kvm, "
	               "and check that nothing else holds libvirtd");
	free(found);
	free(xml);
	free(name);
}

static void check_tools(struct doctor *d)
{
	const char *tgt[] = {"tgtadm", "--lld", "iscsi", "--mode", "target", "--op", "show", NULL};
	bool tgt_installed = vb_hv_on_path("tgtd") && vb_hv_on_path("tgtadm"), tgtd = tgt_installed && quiet_run(tgt, 10, NULL) == 0;
	say(d, tgt_installed ? OK : WARN, "tgtd",
	    !tgt_installed ? "absent: lun cannot run (but for --lun-device)"
	    : tgtd         ? "installed and answering"
	                   : "installed, not running: the lun mode starts it for its run and stops it after",
	    "apt-get install tgt");
	const char *qsd[] = {"qemu-storage-daemon", "--version", NULL};
	char *qsd_version = vb_hv_command_first_line(qsd); /* it runs, not just is there */
	bool have_qsd = qsd_version != NULL;
	free(qsd_version);
	say(d, have_qsd ? OK : WARN, "qemu-storage-daemon", have_qsd ? "installed" : "absent: vhost-user-blk and backend cannot run",
	    "apt-get install qemu-system-x86 (Debian ships it there)");
	say(d, vb_gp_available() ? OK : WARN, "gnuplot", vb_gp_available() ? "installed (charts are drawn here)" : "absent: no charts, tables only",
	    "apt-get install gnuplot-nox");
	size_t groups = vb_hv_dir_count("/sys/kernel/iommu_groups");
	bool vfio = vb_hv_test("-e", "/sys/bus/pci/drivers/vfio-pci") || vb_hv_test("-e", "/sys/module/vfio_pci");
	char *found = vb_asprintf("%zu IOMMU group%s, vfio-pci %s%s", groups, groups == 1 ? "" : "s", vfio ? "loaded" : "not loaded",
	                          groups && vfio ? "" : ": hostdev cannot run");
	say(d, groups && vfio ? OK : WARN, "IOMMU and vfio-pci", found,
	    groups ? "modprobe vfio-pci" : "enable VT-d/AMD-Vi in the firmware and boot with intel_iommu=on (or amd_iommu=on)");
	free(found);
}

static void check_space(struct doctor *d, const char *what, const char *dir, unsigned long long need)
{
	struct statvfs sv;
	/* the nearest folder that exists: the one the folder would be made in */
	char *probe = dir[0] == '/' ? vb_strdup(dir) : vb_asprintf("./%s", dir);
	while (statvfs(probe, &sv) < 0 && strrchr(probe, '/')) {
		char *slash = strrchr(probe, '/');
		slash[slash == probe] = '\0'; /* "/top" becomes "/" */
		if (slash == probe)
			break;
	}
	if (statvfs(probe, &sv) < 0) {
		say(d, WARN, what, "cannot tell its free space", "check that the folder can be reached");
		free(probe);
		return;
	}
	unsigned long long avail = (unsigned long long)sv.f_bavail * sv.f_frsize;
	char *found = vb_asprintf("%s: %.1f GiB free (needs %.1f GiB)", dir, (double)avail / (1 << 30), (double)need / (1 << 30));
	char *fix = vb_asprintf("free space there, or choose another folder (--%s)", strcmp(what, "cache folder") ? "results" : "cache-dir");
	say(d, avail >= need ? OK : FAIL, what, found, fix);
	free(fix);
	free(found);
	free(probe);
}

/* A remote hypervisor: ssh for the helpers, the storage pool for the image
 * and the store, and the free space under it. */
static void check_remote(struct doctor *d)
{
	char *why = NULL;
	if (vb_hv_check(&why) < 0) {
		say(d, FAIL, "ssh", why, "see README, 'A remote hypervisor'");
		free(why);
		return;
	}
	say(d, OK, "ssh", "helpers run there without a prompt", NULL);
	if (!d->virt)
		return;
	char *name = vb_place_pool_name(), *dir = vb_place_pool_dir();
	struct vb_pool *p = vb_pool_open(d->virt, name, dir); /* reports why not */
	char *found = vb_asprintf("%s at %s %s", name, dir, p ? "ready" : "cannot be used (see above)");
	say(d, p ? OK : FAIL, "storage pool", found, "install libvirt-daemon-driver-storage there, or check that libvirt may create the folder");
	vb_pool_free(p);
	free(found);
	const char *argv[] = {"df", "-P", "-B1", VB_HV_REMOTE_ROOT, NULL};
	char *out = NULL;
	unsigned long long avail = 0;
	if (vb_hv_run_quiet(argv, &out, 20) == 0 && out && strchr(out, '\n'))
		sscanf(strchr(out, '\n') + 1, "%*s %*u %*u %llu", &avail);
	found = vb_asprintf("%s: %.1f GiB free (needs %.1f GiB)", VB_HV_REMOTE_ROOT, (double)avail / (1 << 30),
	                    (double)(d->c->size + (256ULL << 20)) / (1 << 30));
	say(d, avail >= d->c->size + (256ULL << 20) ? OK : FAIL, "pool space", found, "free space there, or run with a smaller --size");
	free(found);
	free(out);
	free(name);
	free(dir);
}

static void modes_ready(struct doctor *d)
{
	printf("\nmodes this host could run:");
	for (size_t i = 0; vb_modes[i]; i++) {
		char *why = NULL;
		if (!vb_modes[i]->probe || vb_modes[i]->probe(d->c, &why) == 0)
			printf(" %s", vb_modes[i]->name);
		free(why);
	}
	printf("\n");
}

static int vb_cmd_doctor(struct vb_config *c, int nrest, char **rest)
{
	struct doctor d = {.c = c};
	(void)nrest;
	(void)rest;
	scratch = vb_private_dir_new(getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", "vmio-doctor");
	if (!vb_hv_is_this_host())
		printf("checking the hypervisor %s; the controller (image, results, charts) is this host\n", vb_hv_where());
	check_libvirt(&d);
	if (!vb_hv_is_this_host()) /* ssh, and the pool the disks go in there */
		check_remote(&d);
	check_qemu(&d);
	check_kvm(&d);
	check_image(&d);
	check_accel(&d);
	check_start_time(&d);
	check_tools(&d);
	if (vb_hv_is_this_host()) /* there: the pool's space, above */
		check_space(&d, "cache folder", c->cache_dir, c->size + (256ULL << 20));
	check_space(&d, "results folder", c->results, 64ULL << 20);
	modes_ready(&d);
	printf("%d check%s failed, %d warning%s: %s\n", d.fails, d.fails == 1 ? "" : "s", d.warns, d.warns == 1 ? "" : "s",
	       d.fails ? "fix the failed checks first" : "ready for 'vmio-bench run'");
	if (d.have_image)
		vb_image_release(&d.img);
	vb_virt_free(d.virt);
	vb_private_dir_remove(scratch);
	free(scratch);
	scratch = NULL;
	return d.fails ? VB_EXIT_FAIL : VB_EXIT_OK;
}

const struct vb_command vb_command_doctor = {
	.name = "doctor", .args = false, .fn = vb_cmd_doctor,
	.synopsis = "doctor [options]",
	.summary = "check this host (libvirtd, QEMU, /dev/kvm, the image, tgtd, space...), each with the fix",
	.help = "Check what vmio-bench needs on this host, each check with a verdict (ok, warn, fail)\n"
	        "and the exact fix, then list the modes the host could run.\n"
	        "Exit status: 0 every mode the host could run is ready (no check failed), 1 otherwise.\n",
};
