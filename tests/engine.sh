#!/bin/bash
# engines/vhost-user-blk against a real qemu-storage-daemon (exporting a
# file as the vhost-user-blk mode does: IOThread, native AIO, O_DIRECT) and
# against tests/fake-vhost-user.py, a backend that breaks the protocol on
# purpose.  Data written through the engine must verify (crc32c) through
# it at iodepth 1 and 32, by eventfd and by polling, and read back
# identically with plain fio on the host file; a daemon killed mid-run, a
# malformed reply or a silent backend must make fio fail within seconds,
# never crash it or hang it.
. "${VB_SRCDIR:-.}/tests/lib.sh"
[ -n "${VB_ENGINE:-}" ] && [ -f "$VB_ENGINE" ] || need "the vhost-user-blk engine (configure found no fio source: run scripts/fio-source)"
command -v qemu-storage-daemon >/dev/null || need "qemu-storage-daemon (apt-get install qemu-system-x86)"
command -v jq >/dev/null || need "jq (apt-get install jq)"
command -v valgrind >/dev/null || need "valgrind (apt-get install valgrind)"
# timing-sensitive neighbours (the CPU tests) run one at a time
exec 9>"${TMPDIR:-/tmp}/vmio-bench-tests.lock"
flock 9

DISK=$TMP/disk.raw
SOCK=$TMP/vub.sock
truncate -s 64M "$DISK"
QSD=
start_qsd() {
	rm -f "$SOCK"
	qemu-storage-daemon --object iothread,id=iothread0 \
		--blockdev "{\"driver\":\"file\",\"node-name\":\"file0\",\"filename\":\"$DISK\",\"aio\":\"native\",\"cache\":{\"direct\":true}}" \
		--blockdev '{"driver":"raw","node-name":"disk0","file":"file0"}' \
		--export "{\"type\":\"vhost-user-blk\",\"id\":\"exp0\",\"node-name\":\"disk0\",\"addr\":{\"type\":\"unix\",\"path\":\"$SOCK\"},\"writable\":true,\"num-queues\":1,\"iothread\":\"iothread0\"}" \
		>"$TMP/qsd.log" 2>&1 9>&- &
	QSD=$!
	for _ in $(seq 50); do [ -S "$SOCK" ] && return 0; sleep 0.1; done
	cat "$TMP/qsd.log"
	return 1
}
stop_qsd() { [ -n "$QSD" ] && kill "$QSD" 2>/dev/null && wait "$QSD" 2>/dev/null; QSD=; }
trap 'stop_qsd; [ -n "${FAKE:-}" ] && kill "$FAKE" 2>/dev/null; [ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"' EXIT

# fio through the engine (its JSON to $TMP/out, messages to $TMP/err, exit in rc)
vfio() {
	timeout 120 fio --name=vub --ioengine=external:"$VB_ENGINE" --vhost_socket="${SOCKET:-$SOCK}" --verify_state_save=0 "$@" \
		--output-format=json >"$TMP/out" 2>"$TMP/err" 9>&-
	rc=$?
	echo "# fio (engine) $* -> exit $rc"
	grep -v '^$' "$TMP/err" | tail -n 5 | sed 's/^/#   /'
}
clean_run() { [ "$rc" -eq 0 ] && jq -e '.jobs[0].error == 0' "$TMP/out" >/dev/null; }
# fio failed by itself: an error status, not killed by a signal or by
# timeout(1) (124 and up)
failed_cleanly() { [ "$rc" -ne 0 ] && [ "$rc" -lt 124 ]; }

# ---- 1. fio loads it and lists its options ----------------------------------
fio --enghelp="$VB_ENGINE" >"$TMP/help" 2>&1
cat "$TMP/help" | sed 's/^/# /'
for o in vhost_socket vhost_queue_size vhost_poll vhost_timeout; do
	check "fio --enghelp lists $o" grep -q "^$o " "$TMP/help"
done

# ---- 2. data integrity against qemu-storage-daemon -------------------------------
check "qemu-storage-daemon exports the file" start_qsd
region=0
for qd in 1 32; do
	for poll in 0 1; do
		what="iodepth $qd, $([ $poll = 1 ] && echo polling || echo eventfd)"
		vfio --rw=randwrite --bs=4k --iodepth="$qd" --vhost_poll="$poll" --size=8M --offset=$((region++ * 8))M \
			--verify=crc32c --do_verify=1
		check "$what: crc32c written through the engine verifies through it" clean_run
		check "$what: every block was written and read back" \
			jq -e '.jobs[0].write.total_ios == 2048 and .jobs[0].read.total_ios == 2048' "$TMP/out"
	done
done
# the control: the first region verifies again on its own, and no longer
# once a block of it is changed behind the engine's back
vfio --rw=randwrite --bs=4k --iodepth=1 --size=8M --offset=0 --verify=crc32c --verify_only=1
check "the first region verifies again (verify_only)" clean_run
printf 'not what fio wrote' | dd of="$DISK" bs=1 seek=4096 conv=notrunc 2>/dev/null
vfio --rw=randwrite --bs=4k --iodepth=1 --size=8M --offset=0 --verify=crc32c --verify_only=1
check "a block changed on the host file fails the engine's verify" [ "$rc" -ne 0 ]

# a pattern written through the engine reads back identically with plain fio
vfio --rw=write --bs=64k --iodepth=8 --size=4M --offset=48M --buffer_pattern=0x5ca1ab1e
check "a pattern written sequentially through the engine" clean_run
vfio --rw=randwrite --bs=4k --iodepth=4 --size=1M --offset=56M --fsync=8
check "writes with an fsync every 8 (virtio-blk flushes) through the daemon" clean_run
hostfio() {
	timeout 60 fio --name=host --filename="$DISK" --direct=1 --rw=read --bs=64k --size=4M --offset=48M \
		--verify=pattern --verify_pattern="$1" --verify_only=1 --verify_state_save=0 --output-format=json >"$TMP/out" 2>"$TMP/err" 9>&-
	rc=$?
}
hostfio 0x5ca1ab1e
check "plain fio on the host file reads the same pattern back" clean_run
hostfio 0x0badf00d
check "and the control: another pattern does not match" [ "$rc" -ne 0 ]
check "the engine wrote the pattern's bytes, not zeroes" \
	[ "$(dd if="$DISK" bs=1 skip=$((48 * 1024 * 1024)) count=4 2>/dev/null | od -An -tx1 | tr -d ' ')" = 5ca1ab1e ]

# ---- 3. refusals, each one line from fio, before any I/O -------------------------
vfio --rw=randread --bs=4k --iodepth=64 --size=8M
check "iodepth 64 with the default queue size is refused" grep -q 'iodepth=64 needs 192 descriptors, more than vhost_queue_size=128' "$TMP/err"
vfio --rw=randread --bs=4k --iodepth=64 --vhost_queue_size=256 --size=8M --runtime=1 --time_based
check "and runs with vhost_queue_size=256" clean_run
vfio --rw=randread --bs=4k --iodepth=4 --numjobs=2 --size=8M
check "numjobs 2 is refused with the reason" grep -q 'numjobs=2 is not supported' "$TMP/err"
vfio --rw=randread --bs=4k --iodepth=4 --vhost_queue_size=100 --size=8M
check "a queue size that is no power of two is refused" grep -q 'not a power of two' "$TMP/err"
SOCKET=$TMP/nothing.sock vfio --rw=randread --bs=4k --size=8M
check "a socket nobody listens on is named" grep -q "cannot connect to the vhost-user socket '$TMP/nothing.sock'" "$TMP/err"

# ---- 4. the daemon killed mid-run ------------------------------------------------
(sleep 2; kill -9 "$QSD") &
t0=$(date +%s%N)
vfio --rw=randread --bs=4k --iodepth=32 --runtime=60 --time_based
t=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "# fio ended ${t} ms after its start, the daemon was killed at 2000 ms"
check "qemu-storage-daemon killed mid-run: fio exits with an error, not a signal (exit $rc)" failed_cleanly
check "within seconds (${t} ms)" [ "$t" -lt 10000 ]
check "naming the lost backend" grep -q 'the backend closed the vhost-user connection' "$TMP/err"
wait
QSD=

# ---- 5. a backend that breaks the protocol -------------------------------------------
fake() {
	rm -f "$TMP/fake.sock"
	python3 "$VB_SRCDIR/tests/fake-vhost-user.py" "$1" "$TMP/fake.sock" 2>"$TMP/fake.err" 9>&- &
	FAKE=$!
	for _ in $(seq 50); do [ -S "$TMP/fake.sock" ] && break; sleep 0.1; done
	t0=$(date +%s%N)
	shift
	SOCKET=$TMP/fake.sock vfio --rw=randread --bs=4k --iodepth=8 --size=16M --vhost_timeout=2 "$@"
	t=$(( ($(date +%s%N) - t0) / 1000000 ))
	sleep 0.3 # its report of what it served, once fio hung up
	kill "$FAKE" 2>/dev/null; wait "$FAKE" 2>/dev/null; FAKE=
}
fake ok
check "the fake backend, behaving, serves fio (the control)" clean_run
# flushes: each fsync fio issues becomes one virtio-blk FLUSH request
fake ok --rw=write --bs=4k --size=64k --fsync=4 --iodepth=1
syncs=$(jq '.jobs[0].sync.total_ios' "$TMP/out")
check "fsync=4 over 16 writes: the backend served 16 writes and fio's $syncs syncs as flushes" \
	sh -c "[ '$syncs' -gt 0 ] && grep -q 'served in=0 out=16 flush=$syncs\$' '$TMP/fake.err'"
for f in wrong-request:'answer to GET_FEATURES came as request 2' no-reply-flag:'want version 1 and the reply bit' \
	bad-size:'4 payload bytes, want 8' huge-size:'4294967295 payload bytes' short-config:'to GET_CONFIG: 20 payload bytes' \
	hang-up:'closed the connection' silent:'did not answer GET_FEATURES within 2000 ms' \
	bad-id:'used id 9999 is no request in flight' idx-jump:'000 ahead with ' \
	bad-status:'status byte 0x77' stall:'no completion from the backend in 2 s' chatter:'a message nobody asked for'; do
	name=${f%%:*} msg=${f#*:}
	fake "$name"
	check "$name: fio fails (exit $rc, no signal, ${t} ms)" [ "$rc" -eq 1 ]
	check "$name: one line says what the backend did" grep -qF "$msg" "$TMP/err"
done

# ---- 6. recvmsg fails: no message, no control data to read ---------------------------
# The fake closes with GET_FEATURES unread, which resets the connection:
# the engine's recvmsg returns -1 (ECONNRESET).  Under valgrind, reading
# control headers the kernel never wrote is an error (exit 99).
rm -f "$TMP/fake.sock"
python3 "$VB_SRCDIR/tests/fake-vhost-user.py" reset "$TMP/fake.sock" 2>"$TMP/fake.err" 9>&- &
FAKE=$!
for _ in $(seq 50); do [ -S "$TMP/fake.sock" ] && break; sleep 0.1; done
timeout 300 valgrind -q --error-exitcode=99 fio --name=vub --ioengine=external:"$VB_ENGINE" --vhost_socket="$TMP/fake.sock" \
	--verify_state_save=0 --rw=randread --bs=4k --iodepth=8 --size=16M --vhost_timeout=2 --output-format=json \
	>"$TMP/out" 2>"$TMP/err" 9>&-
rc=$?
sed 's/^/#   /' "$TMP/err" | head -n 20
kill "$FAKE" 2>/dev/null; wait "$FAKE" 2>/dev/null; FAKE=
check "reset: fio fails as fio (exit $rc: 1, not valgrind's 99)" [ "$rc" -eq 1 ]
check "reset: valgrind saw no memory error in the engine" sh -c '! grep -q "^==[0-9]*==" "$1" && [ -s "$1" ]' _ "$TMP/err"
check "reset: one line names the failed connection" \
	grep -qF 'the connection to the backend failed (Connection reset by peer) while we waited for its answer to GET_FEATURES' "$TMP/err"
finish
