/* domxml: the libvirt domain definition for one mode's guest: direct kernel
 * boot of the vmio image, no root disk (the disk under test is the only
 * block device), the serial console logged to a file, and the agent's
 * virtio-serial channel.  Pure string building: no libvirt calls, so it is
 * unit-tested and validated with virt-xml-validate. */
#ifndef VB_DOMXML_H
#define VB_DOMXML_H

#include "modes/mode.h"

/* Kernel command line of every vmio guest.  cryptomgr.notests skips the
 * self-tests of the kernel's crypto algorithms at boot (0.2-0.4 s of a
 * guest's boot under TCG; the benchmark's guests use none of them). */
#define VB_GUEST_CMDLINE "console=ttyS0 panic=-1 loglevel=4 cryptomgr.notests"

struct vb_domain_spec {
	const char *name;
	const char *domain_type;  /* "kvm" or "qemu" (TCG) */
	const struct vb_mode *mode; /* NULL: a guest without a disk (the KVM probe) */
	const struct vb_config *cfg;
	const char *kernel, *initrd;
	const char *cmdline;
	const char *console_log;  /* NULL: no console log */
	struct vb_disk_ctx disk;
};

/* The domain XML; caller frees. */
char *vb_domain_xml_new(const struct vb_domain_spec *s);
/* The same for mode m's guest with the vmio kernel command line (what
 * `run` boots and `xml` prints); caller frees. */
char *vb_domain_xml_for_mode(const struct vb_config *c, const struct vb_mode *m, const char *domain_type,
                             const char *kernel, const char *initrd, const struct vb_disk_ctx *disk, const char *name,
                             const char *console_log);

#endif
