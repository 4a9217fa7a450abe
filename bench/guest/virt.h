/* virt: the only part of the controller that talks to libvirt.  It turns
 * libvirt's errors into whole sentences (reported once, here) and gives the
 * rest of the controller a small vocabulary: open a connection, start a
 * transient guest, exchange lines with its agent over the virtio-serial
 * channel (through libvirt's stream API, so remote URIs work the same), and
 * destroy it.
 *
 * Ownership: vb_virt_open/vb_guest_start return objects freed with
 * vb_virt_free/vb_guest_free (both accept NULL); vb_guest_free destroys a
 * guest that is still running and returns once libvirt has let go of it
 * (so its name can be used again). */
#ifndef VB_VIRT_H
#define VB_VIRT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct vb_virt;
struct vb_guest;

struct vb_virt *vb_virt_open(const char *uri);
void vb_virt_free(struct vb_virt *v);
/* "7.2.22" / "9.0.0"; caller frees; NULL if unknown. */
char *vb_virt_hypervisor_version(struct vb_virt *v);
char *vb_virt_library_version(struct vb_virt *v);
/* The libvirt connection itself (a virConnectPtr), for pool.c, the other
 * file that speaks libvirt's API. */
void *vb_virt_handle(struct vb_virt *v);
/* The hypervisor's host name, as libvirt reports it; caller frees. */
char *vb_virt_hostname(struct vb_virt *v);
/* Is libvirtd there (the connection alive, or opened anew)? */
bool vb_virt_reachable(struct vb_virt *v);
/* Does the host offer <domain type='kvm'> for x86_64? */
bool vb_virt_offers_kvm(struct vb_virt *v);

/* Start xml as a paused transient domain and destroy it at once: the
 * seconds libvirt took to start it, or -1 with *why (caller frees). */
double vb_virt_try_domain(struct vb_virt *v, const char *xml, char **why);

/* An iSCSI CHAP secret for one run: ephemeral (never on disk) and
 * private (libvirt does not hand its value out), its usage named after
 * the target (usage: the target's IQN).  The secret's UUID goes to
 * uuid[37]; -1 with *why (caller frees) on failure.  Remove it with
 * vb_virt_secret_remove once the guest is gone. */
int vb_virt_iscsi_secret_new(struct vb_virt *v, const char *usage, const char *value, char uuid[37], char **why);
/* Undefine the secret of that UUID; 0, or -1 with *why (caller frees). */
int vb_virt_secret_remove(struct vb_virt *v, const char *uuid, char **why);

/* Create a transient domain (destroyed automatically should the controller
 * die) and open its agent channel.  Returns NULL with *why (caller frees;
 * not reported: the caller decides how to say it) on failure. */
struct vb_guest *vb_guest_start(struct vb_virt *v, const char *xml, const char *channel, char **why);
/* The pid of the guest's QEMU when it runs on this host under
 * qemu:///system, else 0. */
pid_t vb_guest_pid(struct vb_guest *g);
/* Receive one line (without the newline; caller frees) before the absolute
 * vb_now() deadline.  Returns 1 with *line, 0 at the deadline, -1 if the
 * guest is gone, the channel broke or a line exceeds max bytes (*why set,
 * caller frees). */
int vb_guest_recv_line(struct vb_guest *g, char **line, size_t max, double deadline, char **why);
/* Send one line; -1 with *why (caller frees) when it cannot be sent. */
int vb_guest_send_line(struct vb_guest *g, const char *line, char **why);
/* The same, given up at deadline (vb_now()'s clock): a guest that does not
 * read its channel cannot hold a caller with a deadline of its own. */
int vb_guest_send_line_by(struct vb_guest *g, const char *line, double deadline, char **why);
/* The live domain XML (with libvirt's additions); caller frees. */
char *vb_guest_live_xml(struct vb_guest *g);
bool vb_guest_running(struct vb_guest *g);
/* While the controller waits on the guest, pid (a storage server on the
 * hypervisor, or the ssh that stands for it) must live: its end fails
 * the wait at once, naming it. */
void vb_guest_watch(struct vb_guest *g, pid_t pid, const char *name);
/* Close the agent channel (before the guest powers off: libvirt 9.0's
 * libvirtd can deadlock tearing down a domain whose channel a client still
 * holds open). */
void vb_guest_close_channel(struct vb_guest *g);
/* Wait until the guest has powered off, up to the deadline; then destroy
 * it if it still runs.  Returns 0 if it stopped by itself. */
int vb_guest_stop(struct vb_guest *g, double deadline);
/* Host CPU time used by the guest's QEMU so far, in ns (0 if unknown). */
unsigned long long vb_guest_cpu_ns(struct vb_guest *g);
void vb_guest_free(struct vb_guest *g);

#endif
