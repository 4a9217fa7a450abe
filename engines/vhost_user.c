/* vhost_user: see vhost_user.h.  Message layouts follow QEMU's
 * docs/interop/vhost-user.rst ("Message specification"); ring layouts the
 * virtio 1.x spec's split virtqueue. */
#include "vhost_user.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

enum vu_request {
	VU_GET_FEATURES = 1,
	VU_SET_FEATURES = 2,
	VU_SET_OWNER = 3,
	VU_SET_MEM_TABLE = 5,
	VU_SET_VRING_NUM = 8,
	VU_SET_VRING_ADDR = 9,
	VU_SET_VRING_BASE = 10,
	VU_SET_VRING_KICK = 12,
	VU_SET_VRING_CALL = 13,
	VU_GET_PROTOCOL_FEATURES = 15,
	VU_SET_PROTOCOL_FEATURES = 16,
	VU_SET_VRING_ENABLE = 18,
	VU_GET_CONFIG = 24,
};

static const char *const request_names[] = {
	[VU_GET_FEATURES] = "GET_FEATURES", [VU_SET_FEATURES] = "SET_FEATURES",
	[VU_SET_OWNER] = "SET_OWNER", [VU_SET_MEM_TABLE] = "SET_MEM_TABLE",
	[VU_SET_VRING_NUM] = "SET_VRING_NUM", [VU_SET_VRING_ADDR] = "SET_VRING_ADDR",
	[VU_SET_VRING_BASE] = "SET_VRING_BASE", [VU_SET_VRING_KICK] = "SET_VRING_KICK",
	[VU_SET_VRING_CALL] = "SET_VRING_CALL", [VU_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
	[VU_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES", [VU_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
	[VU_GET_CONFIG] = "GET_CONFIG",
};

#define VU_VERSION 0x1
#define VU_FLAG_REPLY (1u << 2)
#define VU_FLAG_NEED_REPLY (1u << 3)
#define VU_VRING_NOFD (1ull << 8)
#define VU_HDR_SIZE 12
#define VU_MAX_PAYLOAD 4096

/* The payload follows the 12-byte header directly: packed. */
struct __attribute__((packed)) vu_msg {
	uint32_t request, flags, size;
	union {
		uint64_t u64;
		struct { uint32_t index, num; } state;
		struct { uint32_t index, flags; uint64_t desc, used, avail, log; } addr;
		struct { uint32_t nregions, padding; struct { uint64_t gpa, size, uaddr, offset; } r[VU_MAX_REGIONS]; } mem;
		struct { uint32_t offset, size, flags; uint8_t region[256]; } config;
		uint8_t bytes[VU_MAX_PAYLOAD];
	} p;
};

static int fail(struct vu_conn *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return -1;
}

static const char *name_of(uint32_t req)
{
	return req < sizeof(request_names) / sizeof(request_names[0]) && request_names[req] ? request_names[req] : "?";
}

int vu_connect(struct vu_conn *c, const char *path, int timeout_ms)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	memset(c, 0, sizeof(*c));
	c->sock = -1;
	c->timeout_ms = timeout_ms;
	if (!path || !*path)
		return fail(c, "no vhost-user socket given (vhost_socket=PATH)");
	if (strlen(path) >= sizeof(sa.sun_path))
		return fail(c, "the socket path '%s' is longer than a unix socket allows (%zu bytes)", path,
		            sizeof(sa.sun_path) - 1);
	strcpy(sa.sun_path, path);
	c->sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->sock < 0)
		return fail(c, "socket: %s", strerror(errno));
	if (connect(c->sock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(c->sock);
		c->sock = -1;
		return fail(c, "cannot connect to the vhost-user socket '%s': %s (is the backend running?)", path,
		            strerror(e));
	}
	return 0;
}

void vu_close(struct vu_conn *c)
{
	if (c->sock >= 0)
		close(c->sock);
	c->sock = -1;
}

static int send_msg(struct vu_conn *c, struct vu_msg *m, const int *fds, int nfds)
{
	struct iovec iov = {.iov_base = m, .iov_len = VU_HDR_SIZE + m->size};
	char cbuf[CMSG_SPACE(sizeof(int) * VU_MAX_REGIONS)];
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	m->flags |= VU_VERSION;
	if (nfds > 0) {
		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	}
	do
		n = sendmsg(c->sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)iov.iov_len)
		return fail(c, "sending %s to the backend failed: %s", name_of(m->request),
		            n < 0 ? strerror(errno) : "short write");
	return 0;
}

/* Descriptors passed along with a received message (none is expected):
 * closed.  Only headers the kernel wrote, each no longer than the part it
 * filled (msg_controllen), are read. */
static void close_passed_fds(struct msghdr *mh)
{
	if (mh->msg_controllen < sizeof(struct cmsghdr))
		return;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len < CMSG_LEN(0))
			continue;
		for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(fd));
			close(fd);
		}
	}
}

/* Read exactly n bytes within the reply timeout; descriptors that come
 * along (none is expected) are closed. */
static int read_full(struct vu_conn *c, void *buf, size_t n, const char *what)
{
	size_t got = 0;
	while (got < n) {
		struct pollfd pfd = {.fd = c->sock, .events = POLLIN};
		int r = poll(&pfd, 1, c->timeout_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			return fail(c, "the backend did not answer %s within %d ms", what, c->timeout_ms);
		char cbuf[CMSG_SPACE(sizeof(int) * VU_MAX_REGIONS)];
		memset(cbuf, 0, sizeof(cbuf));
		struct iovec iov = {.iov_base = (char *)buf + got, .iov_len = n - got};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
		ssize_t k = recvmsg(c->sock, &mh, MSG_CMSG_CLOEXEC);
		if (k < 0 && errno == EINTR)
			continue;
		/* the kernel fills mh's control part only when a message came:
		 * after a failure or a hang-up it holds nothing to walk */
		if (k > 0)
			close_passed_fds(&mh);
		c->hung_up = k == 0;
		if (k == 0)
			return fail(c, "the backend closed the connection while we waited for its answer to %s", what);
		if (k < 0)
			return fail(c, "the connection to the backend failed (%s) while we waited for its answer to %s",
			            strerror(errno), what);
		got += (size_t)k;
	}
	return 0;
}

/* The reply to `req`: checked for request code, reply flag and size (the
 * size must be `size`, or at most `size` when `exact` is false). */
static int recv_reply(struct vu_conn *c, struct vu_msg *m, uint32_t req, uint32_t size, bool exact)
{
	if (read_full(c, m, VU_HDR_SIZE, name_of(req)) < 0)
		return -1;
	if (m->request != req)
		return fail(c, "malformed reply from the backend: answer to %s came as request %u", name_of(req),
		            m->request);
	if ((m->flags & 3) != VU_VERSION || !(m->flags & VU_FLAG_REPLY))
		return fail(c, "malformed reply from the backend to %s: flags 0x%x (want version 1 and the reply bit)",
		            name_of(req), m->flags);
	if (m->size > VU_MAX_PAYLOAD || (exact ? m->size != size : m->size > size))
		return fail(c, "malformed reply from the backend to %s: %u payload bytes, want %s%u", name_of(req),
		            m->size, exact ? "" : "at most ", size);
	return read_full(c, &m->p, m->size, name_of(req));
}

static int get_u64(struct vu_conn *c, uint32_t req, uint64_t *v)
{
	struct vu_msg m = {.request = req};
	if (send_msg(c, &m, NULL, 0) < 0 || recv_reply(c, &m, req, 8, true) < 0)
		return -1;
	*v = m.p.u64;
	return 0;
}

/* Send a message that has no reply of its own; with REPLY_ACK, ask for the
 * acknowledgement and check it. */
static int send_acked(struct vu_conn *c, struct vu_msg *m, const int *fds, int nfds)
{
	uint32_t req = m->request;
	if (c->reply_ack)
		m->flags |= VU_FLAG_NEED_REPLY;
	if (send_msg(c, m, fds, nfds) < 0)
		return -1;
	if (!c->reply_ack)
		return 0;
	struct vu_msg r;
	if (recv_reply(c, &r, req, 8, true) < 0)
		return -1;
	if (r.p.u64 != 0)
		return fail(c, "the backend refused %s (status %llu)", name_of(req), (unsigned long long)r.p.u64);
	return 0;
}

static int send_u64(struct vu_conn *c, uint32_t req, uint64_t v, const int *fds, int nfds)
{
	struct vu_msg m = {.request = req, .size = 8, .p.u64 = v};
	return send_acked(c, &m, fds, nfds);
}

static int send_state(struct vu_conn *c, uint32_t req, unsigned index, unsigned num)
{
	struct vu_msg m = {.request = req, .size = 8, .p.state = {index, num}};
	return send_acked(c, &m, NULL, 0);
}

int vu_handshake(struct vu_conn *c, uint64_t wanted_protocol)
{
	struct vu_msg m = {.request = VU_SET_OWNER};
	if (get_u64(c, VU_GET_FEATURES, &c->features) < 0)
		return -1;
	if (c->features & (1ull << VU_F_PROTOCOL_FEATURES)) {
		uint64_t offered;
		if (get_u64(c, VU_GET_PROTOCOL_FEATURES, &offered) < 0)
			return -1;
		c->protocol_features = offered & wanted_protocol;
		if (send_u64(c, VU_SET_PROTOCOL_FEATURES, c->protocol_features, NULL, 0) < 0)
			return -1;
		c->reply_ack = c->protocol_features & (1ull << VU_PROTOCOL_F_REPLY_ACK);
	}
	return send_acked(c, &m, NULL, 0);
}

int vu_get_config(struct vu_conn *c, void *buf, uint32_t len)
{
	struct vu_msg m = {.request = VU_GET_CONFIG, .size = 12 + len};
	if (!(c->protocol_features & (1ull << VU_PROTOCOL_F_CONFIG)))
		return fail(c, "the backend does not offer the CONFIG protocol feature: cannot read the disk's size");
	if (len > sizeof(m.p.config.region))
		return fail(c, "config read of %u bytes is too long", len);
	m.p.config.size = len;
	if (send_msg(c, &m, NULL, 0) < 0 || recv_reply(c, &m, VU_GET_CONFIG, 12 + len, true) < 0)
		return -1;
	if (m.p.config.offset != 0 || m.p.config.size != len)
		return fail(c, "malformed reply from the backend to GET_CONFIG: offset %u size %u, want 0 and %u",
		            m.p.config.offset, m.p.config.size, len);
	memcpy(buf, m.p.config.region, len);
	return 0;
}

int vu_set_features(struct vu_conn *c, uint64_t acked)
{
	if (acked & ~c->features)
		return fail(c, "internal: acking features 0x%llx the backend did not offer",
		            (unsigned long long)(acked & ~c->features));
	c->features = acked;
	return send_u64(c, VU_SET_FEATURES, acked, NULL, 0);
}

void *vu_region_add(struct vu_conn *c, uint64_t size)
{
	struct vu_region *r = &c->regions[c->nregions];
	uint64_t gpa = 0;
	if (c->nregions == VU_MAX_REGIONS) {
		fail(c, "more than %d memory regions", VU_MAX_REGIONS);
		return NULL;
	}
	size = (size + 4095) & ~4095ull;
	for (int i = 0; i < c->nregions; i++)
		if (c->regions[i].gpa + c->regions[i].size > gpa)
			gpa = c->regions[i].gpa + c->regions[i].size;
	r->fd = memfd_create("vhost-user-blk", MFD_CLOEXEC);
	if (r->fd < 0 || ftruncate(r->fd, (off_t)size) < 0) {
		fail(c, "cannot create %llu bytes of shared memory: %s", (unsigned long long)size, strerror(errno));
		if (r->fd >= 0)
			close(r->fd);
		return NULL;
	}
	r->addr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	if (r->addr == MAP_FAILED) {
		fail(c, "cannot map %llu bytes of shared memory: %s", (unsigned long long)size, strerror(errno));
		close(r->fd);
		return NULL;
	}
	r->size = size;
	r->gpa = gpa;
	c->nregions++;
	return r->addr;
}

bool vu_gpa(const struct vu_conn *c, const void *p, uint64_t len, uint64_t *gpa)
{
	for (int i = 0; i < c->nregions; i++) {
		const char *base = c->regions[i].addr;
		if ((const char *)p >= base && (uint64_t)((const char *)p - base) + len <= c->regions[i].size) {
			*gpa = c->regions[i].gpa + (uint64_t)((const char *)p - base);
			return true;
		}
	}
	return false;
}

int vu_set_mem_table(struct vu_conn *c)
{
	struct vu_msg m = {.request = VU_SET_MEM_TABLE, .size = 8 + 32 * c->nregions};
	int fds[VU_MAX_REGIONS];
	m.p.mem.nregions = c->nregions;
	for (int i = 0; i < c->nregions; i++) {
		m.p.mem.r[i].gpa = c->regions[i].gpa;
		m.p.mem.r[i].size = c->regions[i].size;
		m.p.mem.r[i].uaddr = (uint64_t)(uintptr_t)c->regions[i].addr;
		m.p.mem.r[i].offset = 0;
		fds[i] = c->regions[i].fd;
	}
	return send_acked(c, &m, fds, c->nregions);
}

void vu_regions_free(struct vu_conn *c)
{
	for (int i = 0; i < c->nregions; i++) {
		munmap(c->regions[i].addr, c->regions[i].size);
		close(c->regions[i].fd);
	}
	c->nregions = 0;
}

/* ---- split virtqueues ---------------------------------------------------- */

/* desc table (16 bytes each), then avail (6 + 2 num), then used (6 + 8 num)
 * at a 4-byte boundary; each part page-aligned to keep them apart. */
static size_t avail_off(unsigned num)
{
	return ((size_t)16 * num + 4095) & ~(size_t)4095;
}

static size_t used_off(unsigned num)
{
	return avail_off(num) + (((size_t)6 + 2 * num + 4095) & ~(size_t)4095);
}

size_t vu_queue_bytes(unsigned num)
{
	return used_off(num) + (((size_t)6 + 8 * num + 4095) & ~(size_t)4095);
}

static int queue_addr(struct vu_conn *c, struct vu_queue *q)
{
	struct vu_msg m = {.request = VU_SET_VRING_ADDR, .size = 40};
	m.p.addr.index = q->index;
	m.p.addr.desc = (uint64_t)(uintptr_t)q->desc;
	m.p.addr.avail = (uint64_t)(uintptr_t)q->avail;
	m.p.addr.used = (uint64_t)(uintptr_t)q->used;
	return send_acked(c, &m, NULL, 0);
}

int vu_queue_start(struct vu_conn *c, struct vu_queue *q, unsigned index, unsigned num, void *mem, bool poll)
{
	memset(q, 0, sizeof(*q));
	q->index = index;
	q->num = num;
	q->poll = poll;
	q->desc = mem;
	q->avail = (volatile uint16_t *)((char *)mem + avail_off(num));
	q->used = (volatile uint16_t *)((char *)mem + used_off(num));
	q->avail[0] = poll ? VRING_AVAIL_F_NO_INTERRUPT : 0;
	q->kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	q->call = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->kick < 0 || q->call < 0)
		return fail(c, "eventfd: %s", strerror(errno));
	if (send_state(c, VU_SET_VRING_NUM, index, num) < 0 || send_state(c, VU_SET_VRING_BASE, index, 0) < 0 ||
	    queue_addr(c, q) < 0 || send_u64(c, VU_SET_VRING_KICK, index, &q->kick, 1) < 0 ||
	    send_u64(c, VU_SET_VRING_CALL, index, &q->call, 1) < 0)
		return -1;
	if (c->features & (1ull << VU_F_PROTOCOL_FEATURES))
		return send_state(c, VU_SET_VRING_ENABLE, index, 1);
	return 0;
}

void vu_queue_stop(struct vu_queue *q)
{
	if (q->kick >= 0)
		close(q->kick);
	if (q->call >= 0)
		close(q->call);
	q->kick = q->call = -1;
}

void vu_queue_add(struct vu_queue *q, uint16_t head)
{
	q->avail[2 + (q->avail_idx % q->num)] = head;
	q->avail_idx++;
}

int vu_queue_kick(struct vu_conn *c, struct vu_queue *q)
{
	uint16_t published = q->avail[1];
	uint64_t one = 1;
	if (published == q->avail_idx)
		return 0;
	/* The ring entries before the index; the index before reading the
	 * backend's "do not notify" flag (virtio's kick_prepare). */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	q->avail[1] = q->avail_idx;
	q->in_flight += (uint16_t)(q->avail_idx - published);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (q->used[0] & VRING_USED_F_NO_NOTIFY)
		return 0;
	if (write(q->kick, &one, sizeof(one)) != sizeof(one))
		return fail(c, "kicking the backend: %s", strerror(errno));
	return 0;
}

int vu_queue_harvest(struct vu_conn *c, struct vu_queue *q, struct vring_used_elem *out, unsigned max)
{
	uint16_t idx = q->used[1];
	uint16_t ready = (uint16_t)(idx - q->last_used);
	unsigned n = 0;
	if (ready > q->in_flight)
		return fail(c, "malformed completion from the backend: used index %u is %u ahead with %u requests in flight",
		            idx, ready, q->in_flight);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	const volatile struct vring_used_elem *ring = (const volatile struct vring_used_elem *)(q->used + 2);
	for (; n < ready && n < max; n++) {
		out[n].id = ring[q->last_used % q->num].id;
		out[n].len = ring[q->last_used % q->num].len;
		q->last_used++;
	}
	q->in_flight -= n;
	return (int)n;
}

/* The socket is readable: the backend closed it, or sent a message we
 * never asked for (we offer no backend-initiated channel). */
static int socket_event(struct vu_conn *c, short revents)
{
	char b;
	ssize_t k = recv(c->sock, &b, 1, MSG_PEEK | MSG_DONTWAIT);
	if (k == 0 || (revents & (POLLHUP | POLLERR)))
		return fail(c, "the backend closed the vhost-user connection (did it exit?)");
	if (k < 0)
		return fail(c, "the vhost-user connection failed: %s", strerror(errno));
	return fail(c, "malformed: the backend sent a message nobody asked for");
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static long long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int vu_queue_wait(struct vu_conn *c, struct vu_queue *q, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	for (;;) {
		uint64_t v;
		if (q->used[1] != q->last_used)
			return 1;
		struct pollfd p[2] = {{.fd = c->sock, .events = POLLIN}, {.fd = q->call, .events = POLLIN}};
		long long left = end - now_ms();
		if (left <= 0)
			return 0;
		/* Polling: spin on the used index, looking at the socket now
		 * and then (every 1000 looks) for a backend that went away. */
		if (q->poll) {
			for (int i = 0; i < 1000 && q->used[1] == q->last_used; i++)
				cpu_relax();
			if (q->used[1] != q->last_used)
				return 1;
			left = 0;
		}
		int r = poll(p, q->poll ? 1 : 2, (int)(left > 1000 ? 1000 : left));
		if (r < 0 && errno != EINTR)
			return fail(c, "poll: %s", strerror(errno));
		if (r > 0 && p[0].revents)
			return socket_event(c, p[0].revents);
		if (r > 0 && p[1].revents && read(q->call, &v, sizeof(v)) < 0 && errno != EAGAIN)
			return fail(c, "reading the call eventfd: %s", strerror(errno));
	}
}
