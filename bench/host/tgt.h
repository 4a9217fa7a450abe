/* tgt: tgtd, Linux's userspace SCSI target, serving a file of the
 * hypervisor as an iSCSI LUN: lun's loopback LUN (the system's tgtd on
 * 127.0.0.1:3260) and the iscsi storage model (a tgtd of the run's own on
 * a free port).  Every tgtadm call is an argument vector run on the
 * hypervisor (host/hv.h), against one tgtd named by its control port
 * (tgtd -C N, its socket /var/run/tgtd/socket.N).  The target, its LUN and
 * its CHAP account carry this process's pid, so that we never touch
 * anyone else's. */
#ifndef VB_TGT_H
#define VB_TGT_H

#include <stdbool.h>
#include <sys/types.h>

/* One tgtd and the target we made in it.  Zero it first; the strings are
 * the struct's own (vb_tgt_target_remove frees them). */
struct vb_tgt {
	int control;  /* tgtd's control port: 0, the system's tgtd */
	pid_t pid;    /* a tgtd of our own (vb_tgt_start), else 0 */
	int port;     /* its portal on 127.0.0.1, 0 while none */
	int tid;      /* our target's id, 0 none */
	char *iqn;    /* its name */
	char *user;   /* its CHAP account, NULL none */
};

/* Is tgtadm installed on the hypervisor (Debian's package tgt)?  Each
 * caller words what to do without it. */
bool vb_tgt_installed(void);
/* Does QEMU on the hypervisor have its iSCSI block driver (libiscsi,
 * Debian's qemu-block-extra)? */
bool vb_tgt_qemu_has_iscsi(void);

/* tgtadm --lld iscsi ARGS... (NULL-terminated) against t's tgtd.  With
 * why NULL it is a question: tgtadm's complaint stays off the terminal. */
int vb_tgtadm(const struct vb_tgt *t, char **why, ...) __attribute__((sentinel));
bool vb_tgt_answers(const struct vb_tgt *t);

/* Start a tgtd of our own in the foreground, its portal on 127.0.0.1 at a
 * free port and its control socket numbered after it, its output to log.
 * 0, or -1 with *why (vb_tgt_stop undoes whatever was done). */
int vb_tgt_start(struct vb_tgt *t, const char *log, char **why);
/* Stop our own tgtd (if any) and remove its control socket. */
void vb_tgt_stop(struct vb_tgt *t);
/* tgtd's version ("1.0.85"); caller frees, NULL if unknown. */
char *vb_tgt_version(void);

/* Make a target of our own (t->tid, t->iqn); 0 or -1 with *why. */
int vb_tgt_target_new(struct vb_tgt *t, char **why);
/* LUN 1 of it, backed by path (opened O_DIRECT, as QEMU's cache=none
 * does), with serial as its unit serial number when not NULL. */
int vb_tgt_lun_new(struct vb_tgt *t, const char *path, const char *serial, char **why);
/* A CHAP account of the run's own, bound to the target. */
int vb_tgt_account_new(struct vb_tgt *t, const char *password, char **why);
/* Let in initiators from 127.0.0.1 alone. */
int vb_tgt_bind_local(struct vb_tgt *t, char **why);
/* Remove the target and its account (warning, prefixed with who, with
 * the command to do it by hand when tgtadm cannot), and free t's strings. */
void vb_tgt_target_remove(struct vb_tgt *t, const char *who);

#endif
