/* nvmevf: an NVMe virtual function made usable.  An NVMe SR-IOV VF is a
 * secondary controller of its PF: before a driver can bring it up it needs
 * queue and interrupt resources and the online state, set through the
 * PF's Virtualization Management admin command (NVMe 1.4, 5.22).  These
 * functions send it through the PF's nvme driver (/dev/nvmeN), as
 * nvme-cli's virt-mgmt would.  A PF that is no NVMe controller with
 * Virtualization Management needs none of this: vb_nvme_vf_assign says so
 * by returning 0 and setting *applies to false. */
#ifndef VB_NVMEVF_H
#define VB_NVMEVF_H

#include <stdbool.h>

/* Before sriov_numvfs: give VF vf (0-based) of pf its flexible queues and
 * interrupts.  0, or -1 with *why. */
int vb_nvme_vf_assign(const char *pf, unsigned vf, bool *applies, char **why);
/* After sriov_numvfs: the VF's controller online (a driver may take it). */
int vb_nvme_vf_online(const char *pf, unsigned vf, char **why);
/* Before sriov_numvfs goes back to 0: offline again.  Best effort. */
void vb_nvme_vf_offline(const char *pf, unsigned vf);

#endif
