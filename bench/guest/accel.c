#include "config.h"
#include "guest/accel.h"
#include "guest/session.h"
#include "guest/domxml.h"
#include "core/results.h"
#include "host/hv.h"
#include "core/util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The probe's verdict is cached per host: the same QEMU (its binary and
 * version), host kernel, /dev/kvm node and libvirt URI give the same
 * answer, so only a change to one of them pays for a probe again (up to
 * --accel-timeout, 20 s, on a host whose KVM cannot boot a guest). */
#define PROBE_CACHE "accel-probe.json"
#define QEMU_BINARY "/usr/bin/qemu-system-x86_64"

static json_t *probe_key(struct vb_virt *v, const struct vb_config *c)
{
	char *qemu = vb_virt_hypervisor_version(v);
	json_t *key = json_pack("{s:s, s:s?}", "connect", c->connect, "qemu_version", qemu);
	json_t *id = vb_hv_kvm_identity(QEMU_BINARY); /* kernel, qemu_binary..., dev_kvm: in this order */
	json_object_update(key, id);
	json_decref(id);
	free(qemu);
	return key;
}

int vb_accel_cache_read(const char *path, json_t *key, char **why)
{
	json_t *j = json_load_file(path, 0, NULL);
	int r = -1;
	if (j && json_equal(json_object_get(j, "key"), key) && json_is_boolean(json_object_get(j, "kvm_boots"))) {
		const char *w = json_string_value(json_object_get(j, "why"));
		const char *when = json_string_value(json_object_get(j, "when"));
		r = json_is_true(json_object_get(j, "kvm_boots"));
		*why = vb_asprintf("%s; probed %s, cached in %s: delete it to probe again", w ? w : "no reason recorded",
		                   when ? when : "earlier", path);
		vb_text_clean(*why);
	}
	json_decref(j);
	return r;
}

void vb_accel_cache_write(const char *path, json_t *key, bool boots, const char *why)
{
	char *when = vb_utc_timestamp();
	json_t *j = json_pack("{s:O, s:b, s:s, s:s}", "key", key, "kvm_boots", boots, "why", why ? why : "", "when", when);
	char *text = json_dumps(j, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	if (text && vb_write_file_atomic(path, text, strlen(text)) < 0)
		vb_warn("cannot cache the accelerator probe in '%s': it will run again next time", path);
	free(text);
	free(when);
	json_decref(j);
}

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
	struct vb_guest_xml spec = {
		.name = name, .domain_type = "kvm", .cfg = c,
		.kernel = img->kernel, .initrd = img->initrd, .cmdline = VB_GUEST_CMDLINE,
	};
	char *xml = vb_guest_xml_new(&spec);
	struct vb_guest *g = vb_session_start(v, xml, 0, c->accel_timeout, NULL, NULL, why);
	bool ok = g != NULL;

	if (ok)
		vb_session_end(g, vb_now() + 5, NULL);
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
		return 0;
	}
	char *path = vb_asprintf("%s/%s", c->cache_dir, PROBE_CACHE);
	json_t *key = probe_key(v, c);
	int boots = vb_accel_cache_read(path, key, &why);
	if (boots < 0) {
		boots = kvm_boots(v, c, img, &why);
		if (boots)
			why = vb_strdup("a probe guest booted under KVM");
		else if (!why)
			why = vb_strdup("the probe guest failed");
		vb_accel_cache_write(path, key, boots, why);
	}
	if (boots)
		set(out, true, vb_strdup(why));
	else
		set(out, false, vb_asprintf("KVM is offered but unusable here (%s), so guests run under TCG (emulation)", why));
	free(why);
	free(path);
	json_decref(key);
	return 0;
}
