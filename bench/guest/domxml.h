/* domxml: the libvirt domain definition of a vmio guest: direct kernel
 * boot of the vmio image, no root disk (the disk under test, drawn by the
 * mode that knows it, is the only block device: modes/domain.c), the
 * serial console logged to a file, and the agent's virtio-serial channel.
 * Pure string building: no libvirt calls, so it is unit-tested and
 * validated with virt-xml-validate. */
#ifndef VB_DOMXML_H
#define VB_DOMXML_H

#include <stdbool.h>

#include "core/vbconfig.h"
#include "guest/xmlbuf.h"

/* Kernel command line of every vmio guest.  cryptomgr.notests skips the
 * self-tests of the kernel's crypto algorithms at boot (0.2-0.4 s of a
 * guest's boot under TCG; the benchmark's guests use none of them). */
#define VB_GUEST_CMDLINE "console=ttyS0 panic=-1 loglevel=4 cryptomgr.notests"

struct vb_guest_xml {
	const char *name;
	const char *domain_type;  /* "kvm" or "qemu" (TCG) */
	const struct vb_config *cfg; /* vcpus, memory, iothreads */
	const char *kernel, *initrd;
	const char *cmdline;
	const char *console_log;  /* NULL: no console log */
	bool shared_memory;       /* vhost-user: guest RAM shared with a daemon */
	bool iothreads;           /* an <iothreads> pool of cfg->iothreads */
	/* The disk under test, drawn by whoever knows it (a mode): inside
	 * <devices>, and <qemu:commandline> after them.  NULL: none (the KVM
	 * probe's guest has no disk at all). */
	void (*devices)(struct vb_xml *x, const void *arg);
	void (*commandline)(struct vb_xml *x, const void *arg);
	const void *arg;
};

/* The domain XML; caller frees. */
char *vb_guest_xml_new(const struct vb_guest_xml *s);

#endif
