#include "config.h"
#include "host/nvmevf.h"
#include "core/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/nvme_ioctl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define OP_IDENTIFY 0x06
#define OP_VIRT_MGMT 0x1c
#define CNS_SEC_CTRL_LIST 0x15
#define ACT_SEC_OFFLINE 0x7
#define ACT_SEC_ASSIGN 0x8
#define ACT_SEC_ONLINE 0x9
#define RT_VQ 0
#define RT_VI 1
/* What a VF gets: an admin and an I/O queue pair, and an interrupt each. */
#define VF_QUEUES 2
#define VF_VECTORS 1

/* /dev/nvmeN of the PF's controller, opened; -1 when the PF is not bound
 * to the nvme driver. */
static int open_ctrl(const char *pf)
{
	char *dir = vb_asprintf("/sys/bus/pci/devices/%s/nvme", pf);
	DIR *d = opendir(dir);
	struct dirent *e;
	int fd = -1;
	while (d && fd < 0 && (e = readdir(d))) {
		if (strncmp(e->d_name, "nvme", 4) != 0)
			continue;
		char *dev = vb_asprintf("/dev/%s", e->d_name);
		fd = open(dev, O_RDWR | O_CLOEXEC);
		free(dev);
	}
	if (d)
		closedir(d);
	free(dir);
	return fd;
}

/* One admin command; the NVMe status (0 success), or -1 with errno. */
static int admin(int fd, uint8_t op, uint32_t cdw10, uint32_t cdw11, void *data, uint32_t len)
{
	struct nvme_admin_cmd c = {.opcode = op, .cdw10 = cdw10, .cdw11 = cdw11, .addr = (uint64_t)(uintptr_t)data,
	                           .data_len = len, .timeout_ms = 10000};
	return ioctl(fd, NVME_IOCTL_ADMIN_CMD, &c);
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* The secondary controller of VF vf: its controller id, and whether it
 * is online.  0, or -1 with *why. */
static int secondary(int fd, const char *pf, unsigned vf, uint16_t *scid, bool *online, char **why)
{
	uint8_t *buf = vb_calloc(1, 4096);
	int st = admin(fd, OP_IDENTIFY, CNS_SEC_CTRL_LIST, 0, buf, 4096), r = -1;
	if (st != 0) {
		*why = vb_asprintf("%s does not list its secondary controllers (Identify 15h: %s)", pf,
		                   st < 0 ? strerror(errno) : "refused");
	} else {
		for (unsigned i = 0; i < buf[0] && i < 127; i++) {
			const uint8_t *e = buf + 32 + 32 * i;
			if (le16(e + 8) == vf + 1) { /* VFN is 1-based */
				*scid = le16(e);
				*online = e[4] & 1;
				r = 0;
			}
		}
		if (r < 0)
			*why = vb_asprintf("%s has no secondary controller for VF %u", pf, vf);
	}
	free(buf);
	return r;
}

static int virt_mgmt(int fd, const char *pf, unsigned act, unsigned rt, uint16_t scid, unsigned nr, char **why)
{
	int st = admin(fd, OP_VIRT_MGMT, act | rt << 8 | (uint32_t)scid << 16, nr, NULL, 0);
	if (st == 0)
		return 0;
	*why = vb_asprintf("%s refused Virtualization Management (action %u, resource %u, controller %u, %u): %s%s", pf,
	                   act, rt, scid, nr, st < 0 ? strerror(errno) : "NVMe status ",
	                   st < 0 ? "" : (st & 0x7ff) == 0x122 ? "not enough flexible resources free: give the primary's back first (nvme virt-mgmt -c PRIMARY -r 0|1 -a 1 -n 0, then reset it)"
	                                                       : "see the NVMe specification, Virtualization Management");
	return -1;
}

int vb_nvme_vf_assign(const char *pf, unsigned vf, bool *applies, char **why)
{
	int fd = open_ctrl(pf);
	*applies = false;
	if (fd < 0)
		return 0; /* not an NVMe controller we drive: plain SR-IOV */
	/* a controller with secondary controllers lists them (Identify 15h);
	 * one without answers with an error or an empty list */
	uint8_t *list = vb_calloc(1, 4096);
	int st = admin(fd, OP_IDENTIFY, CNS_SEC_CTRL_LIST, 0, list, 4096), r = 0;
	if (st == 0 && list[0] > 0) {
		uint16_t scid;
		bool online;
		*applies = true;
		r = secondary(fd, pf, vf, &scid, &online, why);
		if (r == 0 && !online)
			r = virt_mgmt(fd, pf, ACT_SEC_ASSIGN, RT_VQ, scid, VF_QUEUES, why) < 0 ||
			            virt_mgmt(fd, pf, ACT_SEC_ASSIGN, RT_VI, scid, VF_VECTORS, why) < 0
			        ? -1
			        : 0;
	}
	free(list);
	close(fd);
	return r;
}

int vb_nvme_vf_online(const char *pf, unsigned vf, char **why)
{
	int fd = open_ctrl(pf), r;
	uint16_t scid;
	bool online;
	if (fd < 0) {
		*why = vb_asprintf("%s's nvme controller went away before its VF %u was online", pf, vf);
		return -1;
	}
	r = secondary(fd, pf, vf, &scid, &online, why);
	if (r == 0 && !online)
		r = virt_mgmt(fd, pf, ACT_SEC_ONLINE, 0, scid, 0, why);
	close(fd);
	return r;
}

void vb_nvme_vf_offline(const char *pf, unsigned vf)
{
	int fd = open_ctrl(pf);
	uint16_t scid;
	bool online;
	char *why = NULL;
	if (fd < 0)
		return;
	if (secondary(fd, pf, vf, &scid, &online, &why) == 0 && online)
		virt_mgmt(fd, pf, ACT_SEC_OFFLINE, 0, scid, 0, &why);
	if (why)
		vb_warn("hostdev: %s", why);
	free(why);
	close(fd);
}
