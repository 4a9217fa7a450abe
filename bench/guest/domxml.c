#include "config.h"
#include "guest/domxml.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/proto.h"
#include "core/util.h"

/* Everything before <devices>: size, memory backing, direct kernel boot,
 * CPU and clock, and what ends the domain. */
static void machine(struct vb_xml *x, const struct vb_guest_xml *s)
{
	char num[32], mem[32];

	snprintf(num, sizeof(num), "%u", s->cfg->vcpus);
	snprintf(mem, sizeof(mem), "%u", s->cfg->memory);
	vb_xml_text(x, "name", s->name, NULL);
	vb_xml_text(x, "memory", mem, "unit", "MiB", NULL);
	if (s->shared_memory) {
		/* vhost-user: the daemon maps guest RAM, so it must be shared. */
		vb_xml_open(x, "memoryBacking", NULL);
		vb_xml_empty(x, "source", "type", "memfd", NULL);
		vb_xml_empty(x, "access", "mode", "shared", NULL);
		vb_xml_close(x);
	}
	vb_xml_text(x, "vcpu", num, NULL);
	if (s->iothreads && s->cfg->iothreads) {
		char n[16];
		snprintf(n, sizeof(n), "%u", s->cfg->iothreads);
		vb_xml_text(x, "iothreads", n, NULL);
	}

	vb_xml_open(x, "os", NULL);
	vb_xml_text(x, "type", "hvm", "arch", "x86_64", "machine", "q35", NULL);
	vb_xml_text(x, "kernel", s->kernel, NULL);
	vb_xml_text(x, "initrd", s->initrd, NULL);
	vb_xml_text(x, "cmdline", s->cmdline, NULL);
	vb_xml_close(x);

	vb_xml_open(x, "features", NULL);
	vb_xml_empty(x, "acpi", NULL); /* the agent powers off through ACPI */
	vb_xml_close(x);
	/* Under KVM the guest sees the host CPU; under TCG QEMU's default
	 * model is the one every QEMU emulates.  The vCPUs are cores of one
	 * socket, as QEMU's own -smp N gives them: libvirt's default makes
	 * each vCPU a socket of its own, and with that topology the guest's
	 * scheduler keeps fio away from the CPU that takes the disk's
	 * interrupts (sata, one interrupt vector: 15-20% fewer IOPS than the
	 * same guest with QEMU's default, measured under TCG). */
	vb_xml_open(x, "cpu", "mode", s->domain_type[0] == 'k' ? "host-passthrough" : NULL, NULL);
	vb_xml_empty(x, "topology", "sockets", "1", "dies", "1", "cores", num, "threads", "1", NULL);
	vb_xml_close(x);
	vb_xml_empty(x, "clock", "offset", "utc", NULL);
	/* Any way the guest stops ends the domain: nothing lingers. */
	vb_xml_text(x, "on_poweroff", "destroy", NULL);
	vb_xml_text(x, "on_reboot", "destroy", NULL);
	vb_xml_text(x, "on_crash", "destroy", NULL);
}

/* <devices>: the disk under test, the logged console, the agent's channel. */
static void devices(struct vb_xml *x, const struct vb_guest_xml *s)
{
	vb_xml_open(x, "devices", NULL);
	if (s->devices)
		s->devices(x, s->arg);

	vb_xml_open(x, "serial", "type", "pty", NULL);
	if (s->console_log)
		vb_xml_empty(x, "log", "file", s->console_log, "append", "off", NULL);
	vb_xml_empty(x, "target", "port", "0", NULL);
	vb_xml_close(x);

	vb_xml_open(x, "channel", "type", "unix", NULL);
	vb_xml_empty(x, "source", "mode", "bind", NULL);
	vb_xml_empty(x, "target", "type", "virtio", "name", VB_PROTO_CHANNEL, NULL);
	vb_xml_close(x);

	/* Nothing else competes for the guest's attention. */
	vb_xml_empty(x, "controller", "type", "usb", "model", "none", NULL);
	vb_xml_empty(x, "memballoon", "model", "none", NULL);
	vb_xml_close(x);
}

char *vb_guest_xml_new(const struct vb_guest_xml *s)
{
	struct vb_xml x = {0};

	vb_xml_open(&x, "domain", "type", s->domain_type,
	            "xmlns:qemu", s->commandline ? "http://libvirt.org/schemas/domain/qemu/1.0" : NULL, NULL);
	machine(&x, s);
	devices(&x, s);
	if (s->commandline)
		s->commandline(&x, s->arg);
	return vb_xml_release(&x);
}
