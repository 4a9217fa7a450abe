/* vhost-user-blk: a fio external ioengine that drives a vhost-user-blk
 * backend (qemu-storage-daemon's vhost-user-blk export, or any other) over
 * the same virtqueue protocol a guest's virtio-blk driver uses, with no
 * guest: fio's I/O units become virtio-blk requests in shared memory.
 *
 *   fio --ioengine=external:/usr/local/lib/vmio-bench/engines/vhost-user-blk.so \
 *       --vhost_socket=/run/vub.sock --rw=randread --bs=4k --iodepth=32 ...
 *
 * One job, one virtqueue (queue 0), one request per I/O unit in flight:
 * a three-descriptor chain (header, data, status; two for a flush) from
 * slot s's descriptors 3s..3s+2, so iodepth * 3 must fit the queue size.
 * I/O buffers are fio's own, allocated by this engine (iomem_alloc) in a
 * memfd the backend maps: no copy.  Completions come by the call eventfd,
 * or with vhost_poll=1 by spinning on the used ring.
 *
 * The protocol itself is in vhost_user.c; this file is the fio glue. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fio.h"
#include "optgroup.h"

#include "vhost_user.h"

/* virtio-blk (virtio 1.x, 5.2) */
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2
#define VUB_CONFIG_LEN 24          /* capacity .. blk_size */

struct vub_options {
	void *pad;                 /* fio's: the first member is its own */
	char *socket;
	unsigned int queue_size;
	unsigned int poll;
	unsigned int timeout;
};

static struct fio_option options[] = {
	{
		.name = "vhost_socket",
		.lname = "vhost-user socket",
		.type = FIO_OPT_STR_STORE,
		.off1 = offsetof(struct vub_options, socket),
		.help = "Path of the vhost-user-blk backend's unix socket",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "vhost_queue_size",
		.lname = "virtqueue size",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct vub_options, queue_size),
		.def = "128",
		.minval = 4,
		.maxval = VU_MAX_QUEUE_SIZE,
		.help = "Virtqueue size (a power of two; each I/O in flight takes 3 descriptors)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "vhost_poll",
		.lname = "poll the used ring",
		.type = FIO_OPT_BOOL,
		.off1 = offsetof(struct vub_options, poll),
		.def = "0",
		.help = "Poll the used ring for completions instead of waiting on the call eventfd",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "vhost_timeout",
		.lname = "backend timeout",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct vub_options, timeout),
		.def = "30",
		.minval = 1,
		.help = "Seconds to wait for any answer or completion from the backend before failing",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = NULL,
	},
};

/* In shared memory, one per slot */
struct vub_req_hdr {
	uint32_t type;
	uint32_t ioprio;
	uint64_t sector;
};

struct vub {
	struct vu_conn c;
	struct vu_queue q;
	unsigned depth;                  /* slots: fio's iodepth */
	struct vub_req_hdr *hdr;         /* [depth], shared */
	uint8_t *status;                 /* [depth], shared */
	struct io_u **slot_io;           /* [depth]: the I/O unit in each slot */
	unsigned *free_slots, nfree;
	struct io_u **pending;           /* queued, not yet committed */
	unsigned npending;
	struct io_u **events;            /* completed, for ->event() */
	struct vring_used_elem *used;
	uint64_t capacity;               /* bytes */
	bool has_flush;
	bool buffers;                    /* iomem_alloc made the buffer region */
	bool broken;                     /* the backend failed us: said once */
};

static int vub_error(struct thread_data *td, struct vub *v, const char *what)
{
	log_err("fio: vhost-user-blk: %s: %s\n", what, v->c.err);
	return 1;
}

/* Options fio cannot check for us; 0 or 1 with a message. */
static int check_options(struct thread_data *td, const struct vub_options *o)
{
	unsigned qs = o->queue_size;
	if (!o->socket || !*o->socket) {
		log_err("fio: vhost-user-blk: no socket: give vhost_socket=PATH (the backend's vhost-user-blk socket)\n");
		return 1;
	}
	if (qs & (qs - 1)) {
		log_err("fio: vhost-user-blk: vhost_queue_size=%u is not a power of two\n", qs);
		return 1;
	}
	if (td->o.iodepth * 3 > qs) {
		log_err("fio: vhost-user-blk: iodepth=%u needs %u descriptors, more than vhost_queue_size=%u: "
		        "raise vhost_queue_size (up to %d) or lower iodepth\n",
		        td->o.iodepth, td->o.iodepth * 3, qs, VU_MAX_QUEUE_SIZE);
		return 1;
	}
	if (td->o.numjobs > 1) {
		log_err("fio: vhost-user-blk: numjobs=%u is not supported: a vhost-user-blk socket serves one frontend, "
		        "and each job would need its own; run one job with a higher iodepth\n", td->o.numjobs);
		return 1;
	}
	return 0;
}

/* Connect and negotiate: features, the CONFIG read (capacity), SET_FEATURES.
 * A backend that just let a previous frontend go (our own setup's
 * connection) may drop a new one for a moment: retried for up to 3 s. */
static int vub_connect(struct thread_data *td, struct vub *v, bool ack)
{
	const struct vub_options *o = td->eo;
	uint8_t cfg[VUB_CONFIG_LEN] = {0};
	for (int tries = 0;; tries++) {
		if (vu_connect(&v->c, o->socket, (int)o->timeout * 1000) == 0 &&
		    vu_handshake(&v->c, (1ull << VU_PROTOCOL_F_CONFIG) | (1ull << VU_PROTOCOL_F_REPLY_ACK)) == 0)
			break;
		if (tries == 30 || !v->c.hung_up) {
			vu_close(&v->c);
			return vub_error(td, v, "connecting");
		}
		vu_close(&v->c);
		usleep(100000);
	}
	if (vu_get_config(&v->c, cfg, sizeof(cfg)) < 0)
		return vub_error(td, v, "reading the disk's config");
	memcpy(&v->capacity, cfg, 8);
	if (v->capacity > UINT64_MAX / 512) {
		log_err("fio: vhost-user-blk: malformed config from the backend: capacity %llu sectors\n",
		        (unsigned long long)v->capacity);
		return 1;
	}
	v->capacity *= 512;
	if ((v->c.features & (1ull << VIRTIO_BLK_F_RO)) && td_write(td)) {
		log_err("fio: vhost-user-blk: the backend's disk is read-only and the job writes\n");
		return 1;
	}
	v->has_flush = v->c.features & (1ull << VIRTIO_BLK_F_FLUSH);
	if (!ack)
		return 0;
	uint64_t want = (1ull << VU_F_VERSION_1) | (1ull << VIRTIO_BLK_F_FLUSH) | (1ull << VIRTIO_BLK_F_RO) |
	                (1ull << VIRTIO_BLK_F_BLK_SIZE) | (1ull << VU_F_PROTOCOL_FEATURES);
	if (vu_set_features(&v->c, v->c.features & want) < 0)
		return vub_error(td, v, "SET_FEATURES");
	return 0;
}

/* In fio's main process, before the jobs start: the disk's size, from a
 * connection of its own (the job's process makes its own in init). */
static int vub_setup(struct thread_data *td)
{
	struct vub v;
	int ret;
	if (check_options(td, td->eo))
		return 1;
	if (!td->files_index) {
		add_file(td, "vhost-user-blk", 0, 0);
		td->o.nr_files = td->o.nr_files ? : 1;
		td->o.open_files++;
	}
	memset(&v, 0, sizeof(v));
	ret = vub_connect(td, &v, false);
	vu_close(&v.c);
	if (ret)
		return ret;
	for (unsigned i = 0; i < td->files_index; i++) {
		td->files[i]->real_file_size = v.capacity;
		fio_file_set_size_known(td->files[i]);
	}
	return 0;
}

static void vub_free(struct vub *v)
{
	vu_queue_stop(&v->q);
	vu_close(&v->c);
	vu_regions_free(&v->c);
	free(v->slot_io);
	free(v->free_slots);
	free(v->pending);
	free(v->events);
	free(v->used);
	free(v);
}

static int vub_init(struct thread_data *td)
{
	const struct vub_options *o = td->eo;
	struct vub *v = calloc(1, sizeof(*v));
	if (!v)
		return 1;
	td->io_ops_data = v;
	v->q.kick = v->q.call = -1;
	v->c.sock = -1;
	if (check_options(td, o) || vub_connect(td, v, true))
		return 1;
	v->depth = td->o.iodepth;
	v->slot_io = calloc(v->depth, sizeof(*v->slot_io));
	v->free_slots = calloc(v->depth, sizeof(*v->free_slots));
	v->pending = calloc(v->depth, sizeof(*v->pending));
	v->events = calloc(v->depth, sizeof(*v->events));
	v->used = calloc(v->depth, sizeof(*v->used));
	if (!v->slot_io || !v->free_slots || !v->pending || !v->events || !v->used)
		return 1;
	for (unsigned i = 0; i < v->depth; i++)
		v->free_slots[i] = v->depth - 1 - i;
	v->nfree = v->depth;
	/* region 0: the ring, then the request headers and status bytes */
	size_t ring = vu_queue_bytes(o->queue_size);
	char *mem = vu_region_add(&v->c, ring + v->depth * (sizeof(struct vub_req_hdr) + 1));
	if (!mem)
		return vub_error(td, v, "shared memory");
	v->hdr = (struct vub_req_hdr *)(mem + ring);
	v->status = (uint8_t *)(v->hdr + v->depth);
	return 0;
}

/* fio's I/O buffers, in a region the backend maps (region 1) */
static int vub_iomem_alloc(struct thread_data *td, size_t size)
{
	struct vub *v = td->io_ops_data;
	void *p = vu_region_add(&v->c, size);
	if (!p)
		return vub_error(td, v, "I/O buffers");
	td->orig_buffer = p;
	v->buffers = true;
	return 0;
}

static void vub_iomem_free(struct thread_data *td)
{
	/* the regions are unmapped in cleanup, which fio calls after this */
}

/* After the buffers exist: the memory table, then the queue. */
static int vub_post_init(struct thread_data *td)
{
	const struct vub_options *o = td->eo;
	struct vub *v = td->io_ops_data;
	if (!v->buffers) {
		log_err("fio: vhost-user-blk: fio did not allocate its buffers through the engine (a mem= option?)\n");
		return 1;
	}
	if (vu_set_mem_table(&v->c) < 0)
		return vub_error(td, v, "SET_MEM_TABLE");
	if (vu_queue_start(&v->c, &v->q, 0, o->queue_size, v->c.regions[0].addr, o->poll) < 0)
		return vub_error(td, v, "starting the virtqueue");
	return 0;
}

static void vub_cleanup(struct thread_data *td)
{
	struct vub *v = td->io_ops_data;
	if (v)
		vub_free(v);
	td->io_ops_data = NULL;
}

static int vub_open_file(struct thread_data *td, struct fio_file *f)
{
	return 0;
}

static int vub_close_file(struct thread_data *td, struct fio_file *f)
{
	return 0;
}

static int vub_invalidate(struct thread_data *td, struct fio_file *f)
{
	return 0;
}

static void set_desc(struct vub *v, unsigned i, uint64_t addr, uint32_t len, uint16_t flags)
{
	v->q.desc[i].addr = addr;
	v->q.desc[i].len = len;
	v->q.desc[i].flags = flags;
	v->q.desc[i].next = (uint16_t)(i + 1);
}

/* The descriptor chain of io_u in slot s: 0 or an errno. */
static int build_chain(struct thread_data *td, struct vub *v, unsigned s, struct io_u *io_u)
{
	struct vub_req_hdr *h = &v->hdr[s];
	unsigned d = 3 * s;
	uint64_t ga, buf_ga = 0;
	bool data = io_u->ddir == DDIR_READ || io_u->ddir == DDIR_WRITE;

	if (data && ((io_u->offset | io_u->xfer_buflen) & 511))
		return EINVAL;
	if (data && !vu_gpa(&v->c, io_u->xfer_buf, io_u->xfer_buflen, &buf_ga))
		return EFAULT;
	h->type = io_u->ddir == DDIR_READ ? VIRTIO_BLK_T_IN : io_u->ddir == DDIR_WRITE ? VIRTIO_BLK_T_OUT
	                                                                               : VIRTIO_BLK_T_FLUSH;
	h->ioprio = 0;
	h->sector = data ? io_u->offset >> 9 : 0;
	v->status[s] = 0xff;
	vu_gpa(&v->c, h, sizeof(*h), &ga);
	set_desc(v, d++, ga, sizeof(*h), VRING_DESC_F_NEXT);
	if (data)
		set_desc(v, d++, buf_ga, (uint32_t)io_u->xfer_buflen,
		         VRING_DESC_F_NEXT | (io_u->ddir == DDIR_READ ? VRING_DESC_F_WRITE : 0));
	vu_gpa(&v->c, &v->status[s], 1, &ga);
	set_desc(v, d, ga, 1, VRING_DESC_F_WRITE);
	return 0;
}

static enum fio_q_status vub_queue(struct thread_data *td, struct io_u *io_u)
{
	struct vub *v = td->io_ops_data;
	int err;

	fio_ro_check(td, io_u);
	if (ddir_sync(io_u->ddir) && !v->has_flush)
		return FIO_Q_COMPLETED;  /* no volatile cache to flush */
	if (io_u->ddir == DDIR_TRIM || (!ddir_sync(io_u->ddir) && io_u->ddir != DDIR_READ && io_u->ddir != DDIR_WRITE)) {
		io_u->error = EOPNOTSUPP;
		return FIO_Q_COMPLETED;
	}
	if (!v->nfree)
		return FIO_Q_BUSY;
	unsigned s = v->free_slots[--v->nfree];
	err = build_chain(td, v, s, io_u);
	if (err) {
		v->free_slots[v->nfree++] = s;
		io_u->error = err;
		return FIO_Q_COMPLETED;
	}
	v->slot_io[s] = io_u;
	io_u->engine_data = (void *)(uintptr_t)s;
	vu_queue_add(&v->q, (uint16_t)(3 * s));
	v->pending[v->npending++] = io_u;
	return FIO_Q_QUEUED;
}

static int vub_commit(struct thread_data *td)
{
	struct vub *v = td->io_ops_data;
	struct timespec now;
	if (!v->npending)
		return 0;
	if (fio_fill_issue_time(td)) {
		fio_gettime(&now, NULL);
		for (unsigned i = 0; i < v->npending; i++) {
			memcpy(&v->pending[i]->issue_time, &now, sizeof(now));
			io_u_queued(td, v->pending[i]);
		}
	}
	io_u_mark_submit(td, v->npending);
	v->npending = 0;
	if (vu_queue_kick(&v->c, &v->q) < 0) {
		vub_error(td, v, "submitting");
		return -EIO;
	}
	return 0;
}

/* One used entry: back to its I/O unit, checked; 0 or -EIO. */
static int complete(struct thread_data *td, struct vub *v, const struct vring_used_elem *e, unsigned n)
{
	unsigned s = e->id / 3;
	if (e->id % 3 || s >= v->depth || !v->slot_io[s]) {
		snprintf(v->c.err, sizeof(v->c.err), "malformed completion: used id %u is no request in flight", e->id);
		return -EIO;
	}
	struct io_u *io_u = v->slot_io[s];
	uint8_t st = v->status[s];
	v->slot_io[s] = NULL;
	v->free_slots[v->nfree++] = s;
	io_u->error = 0;
	if (st == VIRTIO_BLK_S_IOERR)
		io_u->error = EIO;
	else if (st == VIRTIO_BLK_S_UNSUPP)
		io_u->error = EOPNOTSUPP;
	else if (st != VIRTIO_BLK_S_OK) {
		snprintf(v->c.err, sizeof(v->c.err), "malformed completion: status byte 0x%02x", st);
		io_u->error = EIO;
		log_err("fio: vhost-user-blk: %s\n", v->c.err);
	}
	v->events[n] = io_u;
	return 0;
}

static int vub_getevents(struct thread_data *td, unsigned int min, unsigned int max, const struct timespec *t)
{
	const struct vub_options *o = td->eo;
	struct vub *v = td->io_ops_data;
	unsigned got = 0;
	if (v->broken)
		return -EIO;
	long long wait_ms = t ? t->tv_sec * 1000 + t->tv_nsec / 1000000 : -1;

	for (;;) {
		int n = vu_queue_harvest(&v->c, &v->q, v->used, max - got);
		if (n < 0)
			goto broken;
		for (int i = 0; i < n; i++)
			if (complete(td, v, &v->used[i], got + (unsigned)i) < 0)
				goto broken;
		got += (unsigned)n;
		if (got >= min || got == max || (t && wait_ms <= 0))
			return (int)got;
		if (!v->q.in_flight) {
			snprintf(v->c.err, sizeof(v->c.err), "fio waits for %u completions with none in flight", min - got);
			goto broken;
		}
		int w = vu_queue_wait(&v->c, &v->q, t ? (int)wait_ms : (int)o->timeout * 1000);
		if (w < 0)
			goto broken;
		if (w == 0 && !t) {
			snprintf(v->c.err, sizeof(v->c.err), "no completion from the backend in %u s with %u requests in flight",
			         o->timeout, v->q.in_flight);
			goto broken;
		}
		if (w == 0)
			return (int)got;
	}
broken:
	log_err("fio: vhost-user-blk: %s\n", v->c.err);
	v->broken = true;
	return -EIO;
}

static struct io_u *vub_event(struct thread_data *td, int event)
{
	struct vub *v = td->io_ops_data;
	return v->events[event];
}

/* found by fio with dlsym("ioengine") */
struct ioengine_ops ioengine = {
	.name = "vhost-user-blk",
	.version = FIO_IOOPS_VERSION,
	.flags = FIO_DISKLESSIO | FIO_NOEXTEND | FIO_NODISKUTIL | FIO_NO_OFFLOAD | FIO_ASYNCIO_SETS_ISSUE_TIME,
	.setup = vub_setup,
	.init = vub_init,
	.post_init = vub_post_init,
	.queue = vub_queue,
	.commit = vub_commit,
	.getevents = vub_getevents,
	.event = vub_event,
	.cleanup = vub_cleanup,
	.open_file = vub_open_file,
	.close_file = vub_close_file,
	.invalidate = vub_invalidate,
	.iomem_alloc = vub_iomem_alloc,
	.iomem_free = vub_iomem_free,
	.options = options,
	.option_struct_size = sizeof(struct vub_options),
};
