#!/usr/bin/env python3
"""A small vhost-user-blk backend that misbehaves on purpose, for
tests/engine.sh: it speaks the protocol well enough for the engine to get
as far as the fault under test, then breaks it in one way.

Usage: fake-vhost-user.py FAULT SOCKET

FAULT is one of
  ok             a correct backend (completes every request, reads give
                 zeroes): the control, fio must succeed against it; after
                 each connection it prints what it served, by request type
  wrong-request  answers GET_FEATURES with another request code
  no-reply-flag  answers GET_FEATURES without the reply flag
  bad-size       answers GET_FEATURES with a 4-byte payload
  huge-size      answers GET_FEATURES claiming a 4 GiB payload
  short-config   answers GET_CONFIG with fewer bytes than asked
  hang-up        closes the connection instead of answering GET_FEATURES
  reset          closes the connection with GET_FEATURES unread: the
                 engine's recvmsg fails (ECONNRESET), no message comes
  silent         never answers GET_FEATURES
  bad-id         completes a request under a descriptor id never submitted
  idx-jump       moves the used index 1000 entries ahead
  bad-status     completes with status byte 0x77 (virtio-blk knows 0, 1, 2)
  stall          accepts requests and never completes them
  chatter        sends an unasked message once the queue runs
"""
import ctypes
import mmap
import os
import select
import socket
import struct
import sys

fault, path = sys.argv[1], sys.argv[2]
CAPACITY = 64 << 20
F_VERSION_1, F_FLUSH, F_PROTOCOL = 1 << 32, 1 << 9, 1 << 30
P_CONFIG = 1 << 9
REPLY = 0x4


def recv_exact(conn, n):
    data, fds = b'', []
    while len(data) < n:
        msg, got, _, _ = socket.recv_fds(conn, n - len(data), 8)
        if not msg:
            raise EOFError
        data += msg
        fds += got
    return data, fds


def reply(conn, req, payload, flags=0x1 | REPLY, size=None):
    conn.sendall(struct.pack('<III', req, flags, len(payload) if size is None else size) + payload)


class Queue:
    def __init__(self):
        self.num = 0
        self.desc = self.avail = self.used = None
        self.kick = self.call = None
        self.last_avail = 0
        self.used_idx = 0


counts = {}    # virtio-blk request type -> requests served


def serve(conn):
    regions = []   # (gpa, size, uaddr, mmap)
    q = Queue()
    if fault == 'reset':
        # a unix socket closed with unread data resets its peer
        select.select([conn], [], [])
        raise EOFError

    def at(addr, by_gpa):
        for gpa, size, uaddr, m in regions:
            base = gpa if by_gpa else uaddr
            if base <= addr < base + size:
                return m, addr - base
        raise ValueError('address %x in no region' % addr)

    def handle(req, flags, payload, fds):
        if req == 1:  # GET_FEATURES
            feats = struct.pack('<Q', F_VERSION_1 | F_FLUSH | F_PROTOCOL)
            if fault == 'wrong-request':
                return reply(conn, 2, feats)
            if fault == 'no-reply-flag':
                return reply(conn, 1, feats, flags=0x1)
            if fault == 'bad-size':
                return reply(conn, 1, feats[:4])
            if fault == 'huge-size':
                return reply(conn, 1, feats, size=0xffffffff)
            if fault == 'hang-up':
                raise EOFError
            if fault == 'silent':
                return
            return reply(conn, 1, feats)
        if req == 15:  # GET_PROTOCOL_FEATURES
            return reply(conn, 15, struct.pack('<Q', P_CONFIG))
        if req == 24:  # GET_CONFIG
            off, size, fl = struct.unpack_from('<III', payload)
            cfg = struct.pack('<Q', CAPACITY // 512).ljust(size, b'\0')
            if fault == 'short-config':
                return reply(conn, 24, struct.pack('<III', 0, 8, 0) + cfg[:8])
            return reply(conn, 24, struct.pack('<III', off, size, fl) + cfg[:size])
        if req == 5:  # SET_MEM_TABLE
            n, = struct.unpack_from('<I', payload)
            for i in range(n):
                gpa, size, uaddr, off = struct.unpack_from('<QQQQ', payload, 8 + 32 * i)
                regions.append((gpa, size, uaddr, mmap.mmap(fds[i], size + off, mmap.MAP_SHARED)))
        elif req == 8:
            q.num = struct.unpack_from('<II', payload)[1]
        elif req == 9:  # SET_VRING_ADDR
            _, _, d, u, a, _ = struct.unpack_from('<IIQQQQ', payload)
            q.desc, q.used, q.avail = at(d, False), at(u, False), at(a, False)
        elif req == 12:
            q.kick = fds[0]
        elif req == 13:
            q.call = fds[0]
        for fd in fds if req not in (12, 13) else []:
            os.close(fd)

    def complete(head, m, off):
        dm, doff = q.desc
        hm, hoff = at(struct.unpack_from('<Q', dm, doff + 16 * head)[0], True)
        kind = struct.unpack_from('<I', hm, hoff)[0]
        counts[kind] = counts.get(kind, 0) + 1
        # walk the chain to its last descriptor: the status byte
        i, status_addr = head, None
        while True:
            dm, doff = q.desc
            addr, ln, fl, nxt = struct.unpack_from('<QIHH', dm, doff + 16 * i)
            status_addr = addr + ln - 1
            if not fl & 1:
                break
            i = nxt
        sm, soff = at(status_addr, True)
        sm[soff] = 0x77 if fault == 'bad-status' else 0
        um, uoff = q.used
        elem = uoff + 4 + 8 * (q.used_idx % q.num)
        struct.pack_into('<II', um, elem, 9999 if fault == 'bad-id' else head, 1)
        q.used_idx = (q.used_idx + (1000 if fault == 'idx-jump' else 1)) & 0xffff
        # one 16-bit store: struct.pack_into writes byte by byte, and the
        # engine would rightly call a torn index malformed
        ctypes.c_uint16.from_buffer(um, uoff + 2).value = q.used_idx

    chattered = False
    while True:
        fds_r = [conn] + ([q.kick] if q.kick is not None else [])
        ready, _, _ = select.select(fds_r, [], [])
        if q.kick is not None and q.kick in ready:
            os.read(q.kick, 8)
            if fault == 'chatter' and not chattered:
                chattered = True
                reply(conn, 1, struct.pack('<Q', 0), flags=0x1)
            am, aoff = q.avail
            idx, = struct.unpack_from('<H', am, aoff + 2)
            while q.last_avail != idx and fault != 'stall':
                head, = struct.unpack_from('<H', am, aoff + 4 + 2 * (q.last_avail % q.num))
                q.last_avail = (q.last_avail + 1) & 0xffff
                complete(head, am, aoff)
            if q.call is not None and fault != 'stall':
                os.write(q.call, struct.pack('<Q', 1))
        if conn in ready:
            hdr, fds = recv_exact(conn, 12)
            req, flags, size = struct.unpack('<III', hdr)
            payload, more = recv_exact(conn, size) if size else (b'', [])
            handle(req, flags, payload, fds + more)


srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(4)
while True:
    c, _ = srv.accept()
    try:
        serve(c)
    except (EOFError, ConnectionError):
        pass
    c.close()
    # what was served, by virtio-blk type (0 in, 1 out, 4 flush), so far
    print('served in=%d out=%d flush=%d' % (counts.get(0, 0), counts.get(1, 0), counts.get(4, 0)),
          file=sys.stderr, flush=True)
