/* vhost_user: a minimal vhost-user frontend (the "master" side QEMU plays)
 * and split virtqueues in shared memory, with no dependency on fio, so that
 * the protocol can be read (and tested) apart from the engine.
 *
 * The protocol is QEMU's docs/interop/vhost-user.rst: a header of three
 * little-endian u32 (request, flags, size) and a payload on a unix socket,
 * file descriptors in SCM_RIGHTS.  Memory the backend must reach (rings,
 * request headers, I/O buffers) lives in memfd regions that are mmap()ed
 * here and handed to the backend in SET_MEM_TABLE.  Every reply is checked
 * (request code, reply flag, size) and every used-ring entry too: a backend
 * that sends nonsense gets an error, never a crash or a wait for ever. */
#ifndef VU_VHOST_USER_H
#define VU_VHOST_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* virtio and vhost-user feature bits this frontend knows */
#define VU_F_PROTOCOL_FEATURES 30  /* VHOST_USER_F_PROTOCOL_FEATURES */
#define VU_F_VERSION_1 32
#define VU_PROTOCOL_F_REPLY_ACK 3
#define VU_PROTOCOL_F_CONFIG 9
#define VU_MAX_REGIONS 8
#define VU_MAX_QUEUE_SIZE 1024     /* what libvhost-user accepts */

struct vu_region {
	int fd;             /* memfd */
	void *addr;         /* our mapping */
	uint64_t size;
	uint64_t gpa;       /* "guest physical" address the backend sees */
};

struct vu_conn {
	int sock;
	int timeout_ms;          /* for each reply */
	uint64_t features;       /* offered, then acked */
	uint64_t protocol_features;
	bool reply_ack;
	bool hung_up;            /* the backend closed the socket on a reply */
	struct vu_region regions[VU_MAX_REGIONS];
	int nregions;
	char err[256];           /* the last error, one line */
};

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2
#define VRING_AVAIL_F_NO_INTERRUPT 1
#define VRING_USED_F_NO_NOTIFY 1

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vu_queue {
	unsigned index, num;
	struct vring_desc *desc;
	volatile uint16_t *avail;   /* flags, idx, ring[num], used_event */
	volatile uint16_t *used;    /* flags, idx, then elements */
	uint16_t avail_idx;         /* next free avail slot (not yet published) */
	uint16_t last_used;         /* next used entry to read */
	unsigned in_flight;         /* heads published and not yet used */
	int kick, call;             /* eventfds */
	bool poll;                  /* completions by polling the used ring */
};

/* Connect to the backend's socket; -1 with c->err. */
int vu_connect(struct vu_conn *c, const char *path, int timeout_ms);
void vu_close(struct vu_conn *c);
/* GET_FEATURES, the protocol features (wanted & offered), SET_OWNER. */
int vu_handshake(struct vu_conn *c, uint64_t wanted_protocol);
/* GET_CONFIG: len bytes of the device's config space from offset 0. */
int vu_get_config(struct vu_conn *c, void *buf, uint32_t len);
/* SET_FEATURES with `acked` (a subset of what was offered). */
int vu_set_features(struct vu_conn *c, uint64_t acked);
/* A shared memory region of `size` bytes (memfd, mapped here); returns
 * its address or NULL with c->err. */
void *vu_region_add(struct vu_conn *c, uint64_t size);
/* Translate an address inside a region to the backend's view (gpa);
 * false if it lies in none. */
bool vu_gpa(const struct vu_conn *c, const void *p, uint64_t len, uint64_t *gpa);
/* SET_MEM_TABLE with every region added so far. */
int vu_set_mem_table(struct vu_conn *c);
/* Lay out queue q (num entries, a power of two) in memory at `mem`
 * (vu_queue_bytes(num) bytes inside a region) and start it at the backend:
 * NUM, BASE, ADDR, KICK, CALL, ENABLE. */
size_t vu_queue_bytes(unsigned num);
int vu_queue_start(struct vu_conn *c, struct vu_queue *q, unsigned index, unsigned num, void *mem, bool poll);
void vu_queue_stop(struct vu_queue *q);
/* Put a chain head on the avail ring (not yet visible to the backend). */
void vu_queue_add(struct vu_queue *q, uint16_t head);
/* Publish what was added and kick the backend unless it said not to. */
int vu_queue_kick(struct vu_conn *c, struct vu_queue *q);
/* Used entries ready now, up to max, into out[]; -1 with c->err if the
 * backend wrote an impossible used index. */
int vu_queue_harvest(struct vu_conn *c, struct vu_queue *q, struct vring_used_elem *out, unsigned max);
/* Wait until the used ring has an entry, the backend's socket closes or
 * speaks out of turn, or timeout_ms passes: 1 ready, 0 timeout, -1 error
 * (c->err says which). */
int vu_queue_wait(struct vu_conn *c, struct vu_queue *q, int timeout_ms);
/* Release the regions' mappings and memfds. */
void vu_regions_free(struct vu_conn *c);

#endif
