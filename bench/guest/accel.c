#include "config.h"
#include "accel.h"
#include "agent.h"
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
	struct vb_guest *g;
	json_t *msg = NULL;
	const char *type;
	bool ok = false;
	int r;

	g = vb_guest_start(v, xml, VB_PROTO_CHANNEL, why);
	if (!g) {
		/* libvirt quotes QEMU's stderr, assertion text and all: its
		 * first line names the cause */
		if (*why)
			(*why)[strcspn(*why, "\n")] = '\0';
		goto out;
	}
	r = vb_agent_recv(g, vb_now() + c->accel_timeout, &msg, &type, why);
	if (r == 1 && strcmp(type, "hello") == 0) {
		ok = true;
		json_t *bye = vb_agent_msg_new("bye");
		char *ignored = NULL; /* the probe guest is destroyed anyway */
		vb_agent_send(g, bye, &ignored);
		free(ignored);
		json_decref(bye);
		vb_guest_stop(g, vb_now() + 5);
	} else if (r == 0) {
		*why = vb_asprintf("a probe guest did not boot under KVM within %u s", c->accel_timeout);
	}
out:
	json_decref(msg);
	vb_guest_free(g);
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
