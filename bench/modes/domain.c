/* domain: the domain XML of a mode's guest.  The guest's domain (guest/
 * domxml.c) knows no modes; this fills in the disk under test from the
 * mode's row: its devices, its <qemu:commandline> (or QEMU's null-co drive
 * on its bus with --backend null), the shared memory and IOThreads it
 * wants, the guest modules it needs. */
#include "config.h"
#include "modes/mode.h"
#include "guest/domxml.h"
#include "core/util.h"

#include <stdlib.h>

static bool null_device(const struct vb_domain_spec *s)
{
	return s->mode && s->disk.null_backend && s->mode->null_device;
}

static void mode_devices(struct vb_xml *x, const void *arg)
{
	const struct vb_domain_spec *s = arg;
	s->mode->devices_xml(x, &s->disk);
}

static void mode_commandline(struct vb_xml *x, const void *arg)
{
	const struct vb_domain_spec *s = arg;
	if (null_device(s))
		vb_mode_null_commandline(x, s->mode, &s->disk);
	else
		s->mode->commandline_xml(x, &s->disk);
}

char *vb_domain_xml_new(const struct vb_domain_spec *s)
{
	const struct vb_mode *m = s->mode;
	struct vb_guest_xml g = {
		.name = s->name,
		.domain_type = s->domain_type,
		.cfg = s->cfg,
		.kernel = s->kernel,
		.initrd = s->initrd,
		.cmdline = s->cmdline,
		.console_log = s->console_log,
		.shared_memory = m && m->shared_memory,
		.iothreads = m && m->iothread,
		.devices = m && m->devices_xml ? mode_devices : NULL,
		.commandline = m && (m->commandline_xml || null_device(s)) ? mode_commandline : NULL,
		.arg = s,
	};
	return vb_guest_xml_new(&g);
}

char *vb_domain_xml_for_mode(const struct vb_config *c, const struct vb_mode *m, const char *domain_type,
                             const char *kernel, const char *initrd, const struct vb_disk_ctx *disk, const char *name,
                             const char *console_log)
{
	/* the guest's /init loads only the bus's drivers (vmio.modules=a,b) */
	char *cmdline = m && m->guest_modules ? vb_asprintf("%s vmio.modules=%s", VB_GUEST_CMDLINE, m->guest_modules)
	                                      : vb_strdup(VB_GUEST_CMDLINE);
	struct vb_domain_spec spec = {
		.name = name,
		.domain_type = domain_type,
		.mode = m,
		.cfg = c,
		.kernel = kernel,
		.initrd = initrd,
		.cmdline = cmdline,
		.console_log = console_log,
		.disk = *disk,
	};
	char *xml = vb_domain_xml_new(&spec);
	free(cmdline);
	return xml;
}
