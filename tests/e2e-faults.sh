#!/bin/bash
# What a nightly harness meets over months, each checked for its message,
# its exit status, nothing left behind (no domain, no iSCSI target, no
# qemu-storage-daemon) and earlier results intact:
#   a guest whose agent never answers, an agent that dies mid-job, QEMU
#   killed mid-run, libvirtd killed mid-run, hostile agent output, a read-only or full results disk,
#   SIGINT and SIGTERM mid-run, and --resume of the interrupted run.
# Broken guests are made by appending a cpio archive with another /init
# (or fio) to the real initramfs: the kernel unpacks both, later files win.
. "${VB_SRCDIR:-.}/tests/lib.sh"
need_libvirtd
need_image
command -v jq >/dev/null || need "jq (apt-get install jq)"

R=$TMP/results
common=(--connect "$CONNECT" --cache-dir "$CACHE" --size 256m --accel tcg --ramp 0)
command -v tgtadm >/dev/null || need "tgtadm (apt-get install tgt)"
targets_before=$(tgt_targets) || { echo "not ok - $targets_before"; exit 1; }
nothing_left() { # WHAT
	check "$1: no domain is left" no_domain_left
	check "$1: no iSCSI target is left" targets_unchanged "$targets_before"
	check "$1: no qemu-storage-daemon is left" no_process '^qemu-storage-daemon'
}

# A finished run whose files must survive everything below.
vb run --modes virtio-blk --runtime 1 --reps 1 --results "$R" "${common[@]}"
check "a first run succeeds" [ "$rc" -eq 0 ]
FIRST=$(readlink -f "$R/latest")
sum_first=$(cd "$FIRST" && find . -type f -name '*.json' | sort | xargs sha256sum)
intact() { check "$1: the earlier run's results are intact" [ "$(cd "$FIRST" && find . -type f -name '*.json' | sort | xargs sha256sum)" = "$sum_first" ]; }

# broken images: overlay (tests/lib.sh) NAME with files from a folder
img() { echo --kernel "$CACHE/image/vmlinuz" --initrd "$TMP/$1.img"; }

# ---- an agent that never answers -------------------------------------------
mkdir -p "$TMP/hang"
printf '#!/bin/busybox sh\n/bin/busybox mount -t proc proc /proc\necho "vmio-test: no agent today"\nexec /bin/busybox sleep 100000\n' > "$TMP/hang/init"
chmod 755 "$TMP/hang/init"
overlay hang "$TMP/hang"
# shellcheck disable=SC2046
vb run --modes virtio-blk --runtime 1 --reps 1 --boot-timeout 20 --results "$R" "${common[@]}" $(img hang)
check "a silent agent: exit 1" [ "$rc" -eq 1 ]
check "a silent agent: the deadline is named" grep -q 'did not greet the controller within 20 s' "$TMP/err"
check "a silent agent: the console shows why" grep -q 'no agent today' "$R/latest/virtio-blk/console.log"
nothing_left "a silent agent"
intact "a silent agent"

# ---- the agent dies in the middle of a job ---------------------------------
mkdir -p "$TMP/dies/bin"
printf '#!/bin/busybox sh\n/bin/busybox sleep 1\nkill -9 $PPID\n' > "$TMP/dies/bin/fio"
chmod 755 "$TMP/dies/bin/fio"
overlay dies "$TMP/dies"
# shellcheck disable=SC2046
vb run --modes virtio-blk --runtime 1 --reps 1 --results "$R" "${common[@]}" $(img dies)
check "an agent dying mid-job: exit 1" [ "$rc" -eq 1 ]
check "an agent dying mid-job: the guest's end is named" grep -q 'the guest stopped\|closed the agent channel' "$TMP/err"
check "an agent dying mid-job: recorded as failed" jqe '.modes[0].status == "failed"' "$R/latest/run.json"
nothing_left "an agent dying mid-job"

# ---- hostile agent output ----------------------------------------------------
# (the protocol version this build speaks: a hostile message must pass
# that check to reach the one it is made for)
V=$(sed -n 's/^#define VB_PROTO_VERSION \([0-9]*\).*/\1/p' "$VB_SRCDIR/bench/core/proto.h")
[ -n "$V" ] || { echo "Bail out! no VB_PROTO_VERSION in bench/core/proto.h"; exit 99; }
hostile() { # NAME SHELL-LINES-WRITING-TO-$P EXPECTED-REASON
	mkdir -p "$TMP/$1"
	{
		printf '#!/bin/busybox sh\n/bin/busybox --install -s /bin\nmount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev\n'
		printf 'while read -r m; do insmod /lib/modules/$m 2>/dev/null; done < /etc/vmio/modules.list\n'
		printf 'for i in $(seq 100); do for n in /sys/class/virtio-ports/*; do [ "$(cat $n/name 2>/dev/null)" = org.vmio.agent.0 ] && P=/dev/${n##*/}; done; [ -n "$P" ] && break; sleep 0.2; done\n'
		printf '%s\n' "$2"
		printf 'sleep 100000\n'
	} > "$TMP/$1/init"
	chmod 755 "$TMP/$1/init"
	overlay "$1" "$TMP/$1"
	# shellcheck disable=SC2046
	touch "$TMP/stamp-$1"
	sleep 1
	vb run --modes virtio-blk --runtime 1 --reps 1 --boot-timeout 120 --results "$R" "${common[@]}" $(img "$1")
	check "hostile agent ($1): exit 1, no crash" [ "$rc" -eq 1 ]
	check "hostile agent ($1): the reason is named ($3)" grep -q "$3" "$TMP/err"
	check "hostile agent ($1): one run.json, valid" jqe '.modes[0].status == "failed"' "$R/latest/run.json"
	# the run folder is the only place a run writes: look everywhere else a
	# hostile name could point (the hello names ../../../../etc)
	local run; run=$(readlink -f "$R/latest")
	find /etc /root /var/cache/vmio-bench /var/tmp "$TMP" -xdev -newer "$TMP/stamp-$1" -type f \
		! -path "$run/*" ! -path "$TMP/out" ! -path "$TMP/err" ! -path "$TMP/written" ! -path "$CACHE/run/*" 2>/dev/null > "$TMP/written"
	check "hostile agent ($1): nothing written outside the run folder ($(head -3 "$TMP/written" | tr '\n' ' '))" \
		[ ! -s "$TMP/written" ]
	nothing_left "hostile agent ($1)"
}
hostile garbage 'echo "this is not json" > $P' 'invalid JSON'
hostile wrongtype 'echo "[1, 2, 3]" > $P' 'not an object'
hostile unknowntype 'echo "{\"v\": '"$V"', \"type\": \"root-shell\"}" > $P' 'unknown type'
hostile oldproto 'echo "{\"v\": 99, \"type\": \"hello\"}" > $P' 'another protocol version'
hostile nullhello 'echo "{\"v\": '"$V"', \"type\": \"hello\", \"disks\": \"/etc/passwd\"}" > $P' 'no disk with serial'
hostile pathhello 'echo "{\"v\": '"$V"', \"type\": \"hello\", \"disks\": [{\"name\": \"../../../../etc\", \"serial\": \"vmio-disk0\", \"drivers\": [\"virtio_blk\", \"virtio-pci\"], \"driver\": \"virtio_blk\"}]}" > $P; sleep 1; echo "{\"v\": '"$V"', \"type\": \"result\", \"id\": \"rep-1 default\", \"fio\": \"{\\\"jobs\\\": []}\"}" > $P' "no 'jobs' array"
hostile flood 'echo "{\"v\": '"$V"', \"type\": \"hello\", \"disks\": [{\"name\": \"vda\", \"serial\": \"vmio-disk0\", \"drivers\": [\"virtio_blk\", \"virtio-pci\"], \"driver\": \"virtio_blk\"}]}" > $P; yes "{\"v\": '"$V"', \"type\": \"progress\"}" > $P' 'flooded the channel'
hostile badwindow 'echo "{\"v\": '"$V"', \"type\": \"hello\", \"disks\": [{\"name\": \"vda\", \"serial\": \"vmio-disk0\", \"drivers\": [\"virtio_blk\", \"virtio-pci\"], \"driver\": \"virtio_blk\"}]}" > $P; sleep 1; echo "{\"v\": '"$V"', \"type\": \"window\", \"id\": \"rep-1 default\", \"edge\": \"end\"}" > $P' 'window edge out of order'
# (a reply for another job than the one asked: the controller takes none)
hostile wrongid 'echo "{\"v\": '"$V"', \"type\": \"hello\", \"disks\": [{\"name\": \"vda\", \"serial\": \"vmio-disk0\", \"drivers\": [\"virtio_blk\", \"virtio-pci\"], \"driver\": \"virtio_blk\"}]}" > $P; sleep 1; echo "{\"v\": '"$V"', \"type\": \"result\", \"id\": \"rep-9 other\", \"fio\": \"{}\"}" > $P' 'is not for job'
hostile oversized 'head -c 20000000 /dev/zero | tr "\0" "a" > $P' 'longer than'

# ---- a forged lat log (issue 28 point 3) ----------------------------------------
# An agent whose result is fine but whose latency log is garbled or longer
# than the cap: the repetition stands; the log is refused (warned, not
# kept) or cut at VB_LAT_MAX_ROWS lines and marked truncated.
# The forgery is the agent alone (/sbin/vmio-agent, started by the image's
# own /init): the guest boots, loads its drivers and powers off as a real
# one does, and the agent answers bye, so each run costs what a real short
# run costs (about 20 s under TCG), not a teardown deadline as well.
forged_lat() { # NAME LAT-LOG-TEXT
	mkdir -p "$TMP/$1/etc/vmio" "$TMP/$1/sbin"
	jq -cn --rawfile fio "$VB_SRCDIR/tests/fixtures/fio-randrw-virtio-blk.json" --argjson v "$V" --rawfile lat "$2" \
		'{v: $v, type: "result", id: "rep-1 default", fio: $fio, lat_log: $lat}' > "$TMP/$1/etc/vmio/result.json"
	{
		printf '#!/bin/busybox sh\n'
		printf 'for i in $(seq 100); do for n in /sys/class/virtio-ports/*; do [ "$(cat $n/name 2>/dev/null)" = org.vmio.agent.0 ] && P=/dev/${n##*/}; done; [ -n "$P" ] && break; sleep 0.2; done\n'
		# one descriptor for the whole session, as the real agent holds the
		# port: what the controller sends is kept until it is read
		printf 'exec 3<>"$P"\n'
		printf '%s\n' 'echo "{\"v\": '"$V"', \"type\": \"hello\", \"disks\": [{\"name\": \"vda\", \"serial\": \"vmio-disk0\", \"drivers\": [\"virtio_blk\", \"virtio-pci\"], \"driver\": \"virtio_blk\"}]}" >&3; sleep 1; cat /etc/vmio/result.json >&3'
		# the job itself is read and let go; bye is answered with bye, and
		# the image's /init powers off when the agent exits
		printf '%s\n' 'while read -r m <&3; do case "$m" in *\"type\":\"bye\"*|*\"type\":\ \"bye\"*) break ;; esac; done'
		printf '%s\n' 'echo "{\"v\": '"$V"', \"type\": \"bye\"}" >&3'
	} > "$TMP/$1/sbin/vmio-agent"
	chmod 755 "$TMP/$1/sbin/vmio-agent"
	overlay "$1" "$TMP/$1"
	# shellcheck disable=SC2046
	vb run --modes virtio-blk --runtime 1 --reps 1 --integrity off --boot-timeout 120 --results "$R" "${common[@]}" $(img "$1")
}
printf '1000, 0, 5, 10, 20, 30, 40\n`touch /tmp/pwned`, 0, 1, 1, 1, 1, 1\n' > "$TMP/garbled.lat"
forged_lat latgarbled "$TMP/garbled.lat"
check "forged lat log (garbled): the repetition stands (exit 0)" [ "$rc" -eq 0 ]
check "forged lat log (garbled): refused with a warning naming it" grep -q "rep.* latency log has a line that is not seven numbers" "$TMP/err"
check "forged lat log (garbled): neither kept nor named in run.json" \
	sh -c "[ ! -e '$R/latest/virtio-blk/rep-1.lat.log' ] && jq -e '.modes[0].points[0].reps[0] | has(\"lat_log\") | not' '$R/latest/run.json' >/dev/null"
# (the stand-in agent answers bye as the real one does: no teardown deadline in the test's time)
check "forged lat log (garbled): the guest powered off, not destroyed at the deadline" jqe '.modes[0].teardown == "powered off"' "$R/latest/run.json"
nothing_left "forged lat log (garbled)"
awk 'BEGIN { for (s = 1; s <= 20000; s++) for (d = 0; d < 2; d++) printf "%d, %d, 9, 100, 200, 300, 400\n", s * 1000, d }' > "$TMP/huge.lat"
forged_lat lathuge "$TMP/huge.lat"
check "forged lat log (40000 lines): the repetition stands (exit 0)" [ "$rc" -eq 0 ]
check "forged lat log (40000 lines): cut at 32768 lines and marked truncated in run.json" \
	sh -c "[ \$(grep -vc '^#' '$R/latest/virtio-blk/rep-1.lat.log') -eq 32768 ] &&
		jq -e '.modes[0].points[0].reps[0] | .lat_log == \"rep-1.lat.log\" and .lat_log_truncated == true' '$R/latest/run.json' >/dev/null"
runjson_validate "forged lat log (40000 lines): the run.json" "$R/latest/run.json"
# (the stand-in agent answers bye as the real one does: no teardown deadline in the test's time)
check "forged lat log (huge): the guest powered off, not destroyed at the deadline" jqe '.modes[0].teardown == "powered off"' "$R/latest/run.json"
nothing_left "forged lat log (huge)"

# ---- QEMU killed in the middle of a run ----------------------------------------
runjson_mark bg
( "$VB" run --modes virtio-blk --runtime 30 --reps 1 --results "$R" "${common[@]}" >"$TMP/out" 2>"$TMP/err" 9>&-; echo $? > "$TMP/rc" ) &
for _ in $(seq 1 120); do grep -q 'fio for' "$TMP/err" 2>/dev/null && break; sleep 1; done
sleep 3
pkill -9 -f 'qemu-system-x86_64.*guest=vmio-' || true
wait
runjson_since bg
rc=$(cat "$TMP/rc")
check "QEMU killed mid-run: exit 1" [ "$rc" -eq 1 ]
check "QEMU killed mid-run: the reason is named" grep -q 'the guest stopped' "$TMP/err"
check "QEMU killed mid-run: run.json is valid and says failed" jqe '.modes[0].status == "failed"' "$R/latest/run.json"
nothing_left "QEMU killed mid-run"
intact "QEMU killed mid-run"

# ---- libvirtd killed in the middle of a run ------------------------------------
# QEMU outlives libvirtd, and the guest's automatic destruction goes with
# the old connection.  Once libvirtd is back (restarted here 5 s later, as
# an init system would), the controller must remove the guest and go on
# with the next mode through a new connection.
restart_libvirtd() {
	bash "$VB_SRCDIR/scripts/start-libvirtd" "$CONNECT" 9>&- ||
		for _ in $(seq 1 20); do virsh -c "$CONNECT" version >/dev/null 2>&1 && return; sleep 1; done
}
# (killed while fio runs: a boot now takes about 3 s, and a kill 2 s after
# "booting" could land inside libvirt's domain start, whose error names
# libvirt's own failure rather than the lost connection: a different case)
runjson_mark bg
( "$VB" run --modes virtio-blk,sata --runtime 8 --reps 1 --results "$R" "${common[@]}" >"$TMP/out" 2>"$TMP/err" 9>&-; echo $? > "$TMP/rc" ) &
for _ in $(seq 1 120); do grep -q 'virtio-blk: rep 1/1, default: fio for' "$TMP/err" 2>/dev/null && break; sleep 1; done
sleep 2
pkill -9 -x libvirtd || true
sleep 5
restart_libvirtd
wait
runjson_since bg
rc=$(cat "$TMP/rc")
sed 's/^/#   /' "$TMP/err"
check "libvirtd killed mid-run: exit 1" [ "$rc" -eq 1 ]
check "libvirtd killed mid-run: the reason is named" grep -q 'connection to libvirtd was lost' "$TMP/err"
check "libvirtd killed mid-run: the guest is removed once libvirtd is back" grep -q "libvirtd is back; guest 'vmio-.*-virtio-blk' destroyed" "$TMP/err"
# (what run.json says goes into the line: a CI log shows only that)
got=$(jq -c '{state, modes: [.modes[] | {mode, status, reason}]}' "$R/latest/run.json" 2>&1 | head -c 600)
check "libvirtd killed mid-run: run.json records the failure and the next mode (run.json: $got)" \
	jqe '.state == "complete" and .modes[0].status == "failed" and (.modes[0].reason | test("libvirtd")) and .modes[1].mode == "sata" and .modes[1].status == "ok"' "$R/latest/run.json"
check "libvirtd killed mid-run: libvirtd answers again" virsh -c "$CONNECT" version
nothing_left "libvirtd killed mid-run"
intact "libvirtd killed mid-run"

# ... and one that stays away longer than the controller waits (30 s): the
# guest is left, and the one line printed must be the command that removes
# it once libvirtd is back.
runjson_mark bg
( "$VB" run --modes virtio-blk --runtime 5 --reps 1 --results "$R" "${common[@]}" >"$TMP/out" 2>"$TMP/err" 9>&-; echo $? > "$TMP/rc" ) &
for _ in $(seq 1 120); do grep -q 'virtio-blk: booting' "$TMP/err" 2>/dev/null && break; sleep 1; done
sleep 2
pkill -9 -x libvirtd || true
wait
runjson_since bg
rc=$(cat "$TMP/rc")
restart_libvirtd
sed 's/^/#   /' "$TMP/err"
check "libvirtd gone for good: exit 1" [ "$rc" -eq 1 ]
check "libvirtd gone for good: run.json records the failure" jqe '.state == "complete" and .modes[0].status == "failed"' "$R/latest/run.json"
cmd=$(grep -o "virsh -c [^']* destroy [^']*" "$TMP/err" || true)
check "libvirtd gone for good: the guest left behind is named with its removal command" test -n "$cmd"
if [ -n "$cmd" ]; then
	read -r -a argv <<< "$cmd"
	check "libvirtd gone for good: that command removes the guest" "${argv[@]}"
fi
nothing_left "libvirtd gone for good"

# ---- the results disk: read-only, then full -----------------------------------
mkdir -p "$TMP/ro"
if mount -t tmpfs -o size=1m tmpfs "$TMP/ro" 2>/dev/null; then
	mount -o remount,ro "$TMP/ro"
	vb run --modes virtio-blk --runtime 1 --reps 1 --results "$TMP/ro/results" "${common[@]}"
	# checked with the other inputs, before any guest boots: a usage error
	check "a read-only results disk: exit 2 with one clear line, before anything boots" \
		sh -c "[ $rc -eq 2 ] && [ \$(wc -l < '$TMP/err') -eq 1 ] && grep -q 'cannot create the results folder' '$TMP/err'"
	nothing_left "a read-only results disk"
	umount "$TMP/ro"
	mount -t tmpfs -o size=256k tmpfs "$TMP/ro"
	mkdir -p "$TMP/ro/results"
	# leave room for run.json but not for fio's JSON+ output
	head -c $((256 * 1024 - 40 * 1024)) /dev/zero > "$TMP/ro/filler" 2>/dev/null || true
	vb run --modes virtio-blk --runtime 1 --reps 1 --results "$TMP/ro/results" "${common[@]}"
	check "a full results disk: exit 1" [ "$rc" -eq 1 ]
	check "a full results disk: the message names the space" grep -q 'free space\|No space' "$TMP/err"
	check "a full results disk: run.json is still valid JSON" jq -e . "$TMP/ro/results/latest/run.json" >/dev/null
	check "a full results disk: no half-written file" no_file_named "$TMP/ro/results" '*.tmp.*'
	nothing_left "a full results disk"
	umount "$TMP/ro"
else
	echo "# this machine cannot mount a tmpfs: read-only and full results disks not tested"
	[ "${CI:-}" = true ] && bad "CI must be able to mount a tmpfs for the disk tests"
fi

# ---- SIGINT mid-run, then --resume ---------------------------------------------
interrupt() { # SIGNAL MODES WAIT-FOR
	runjson_mark bg
	( "$VB" run --modes "$2" --runtime 2 --reps 3 --results "$R" "${common[@]}" >"$TMP/out" 2>"$TMP/err" 9>&-; echo $? > "$TMP/rc" ) &
	local pid=$!
	for _ in $(seq 1 180); do grep -q "$3" "$TMP/err" 2>/dev/null && break; sleep 1; done
	pkill "-$1" -f "^$VB run --modes $2 " || kill "-$1" "$pid"
	wait
	runjson_since bg
	rc=$(cat "$TMP/rc")
}
interrupt INT virtio-blk 'virtio-blk: rep 2/3'
RUN=$(readlink -f "$R/latest")
check "SIGINT: exit 1" [ "$rc" -eq 1 ]
check "SIGINT: says interrupted and how to resume" grep -q "interrupted by a signal.*--resume" "$TMP/err"
check "SIGINT: run.json says incomplete" jqe '.state == "incomplete" and .interrupted == true' "$RUN/run.json"
check "SIGINT: the finished repetition is kept" test -s "$RUN/virtio-blk/rep-1.fio.json"
nothing_left "SIGINT"
rep1=$(sha256sum < "$RUN/virtio-blk/rep-1.fio.json")
vb run --resume "$RUN" --quiet
check "--resume completes the run (exit 0)" [ "$rc" -eq 0 ]
check "--resume: run.json says complete with all 3 repetitions" \
	jqe '.state == "complete" and (.modes[0].points[0].reps | length == 3) and (.resumed | length == 1)' "$RUN/run.json"
check "--resume kept the finished repetition as it was" [ "$(sha256sum < "$RUN/virtio-blk/rep-1.fio.json")" = "$rep1" ]
check "--resume summarised all 3 repetitions" jqe '.rows[0].reps == 3' "$RUN/summary.json"
vb run --resume "$RUN"
check "--resume of a complete run is refused (exit 2)" sh -c "[ $rc -eq 2 ] && grep -q 'nothing to resume' '$TMP/err'"
vb run --resume "$TMP/nowhere"
check "--resume of a missing run is refused (exit 2)" [ "$rc" -eq 2 ]

interrupt TERM host,vhost-user-blk 'vhost-user-blk: rep 2/3'
check "SIGTERM: exit 1" [ "$rc" -eq 1 ]
check "SIGTERM: says interrupted" grep -q "interrupted by a signal" "$TMP/err"
check "SIGTERM: run.json says incomplete" jqe '.state == "incomplete"' "$R/latest/run.json"
nothing_left "SIGTERM"
intact "everything above"
finish
