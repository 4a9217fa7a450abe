#include "config.h"
#include "accel.h"
#include "session.h"
#include "domxml.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void set(struct vb_accel *a, bool kvm, char *why)
{
	a->name = kvm ? "kvm" : "tcg";
	a->domain_type = kvm ? "kvm" : "qemu";
	a->why = why;
}

/* Boot a disk-less guest under KVM and wait for the agent's hello. */
static bool kvm_boots(struct vb_virt *v, const struct vb_config *c, const struct vb_image *img, char **why)
{
	char *name = vb_asprintf("vmio-kvm-probe-%ld", (long)getpid());
	struct vb_domain_spec spec = {
		.name = name, .domain_type = "kvm", .mode = NULL, .cfg = c,
		.kernel = img->kernel, .initrd = img->initrd, .cmdline = VB_GUEST_CMDLINE,
	};
	char *xml = vb_domain_xml_new(&spec);
	struct vb_guest *g = vb_session_start(v, xml, 0, c->accel_timeout, NULL, NULL, why);
	bool ok = g != NULL;

	if (ok)
		vb_session_end(g, vb_now() + 5);
	else if (!*why)
		*why = vb_asprintf("a probe guest did not boot under KVM within %u s", c->accel_timeout);
	else /* libvirt quotes QEMU's stderr, assertion text and all: its first line names the cause */
		(*why)[strcspn(*why, "\n")] = '\0';
	free(xml);
	free(name);
	return ok;
}

int vb_accel_choose(struct vb_virt *v, const struct vb_config *c, const struct vb_image *img,
                    struct vb_accel *out)
{
	bool offered = vb_virt_offers_kvm(v);
	char *why = NULL;

	memset(out, 0, sizeof(*out));
	if (strcmp(c->accel, "tcg") == 0) {
		set(out, false, vb_strdup("TCG was asked for (--accel tcg)"));
		return 0;
	}
	if (strcmp(c->accel, "kvm") == 0) {
		if (!offered)
			return vb_error("--accel kvm: libvirt offers no KVM on this host (is /dev/kvm there and usable?): use --accel tcg or auto");
		set(out, true, vb_strdup("KVM was asked for (--accel kvm)"));
		return 0;
	}
	if (!offered) {
		set(out, false, vb_strdup("KVM is not offered by libvirt on this host, so guests run under TCG (emulation)"));
	} else if (kvm_boots(v, c, img, &why)) {
		set(out, true, vb_strdup("a probe guest booted under KVM"));
	} else {
		set(out, false, vb_asprintf("KVM is offered but unusable here (%s), so guests run under TCG (emulation)",
		                            why ? why : "the probe guest failed"));
	}
	free(why);
	return 0;
}
