#!/bin/bash
# storage nbd (issue 24): the run's store served by a qemu-nbd of the run's
# own on a unix socket, through QEMU's NBD client, end to end: virtio-blk
# (libvirt's <disk type='network'> protocol 'nbd'), nvme (QEMU's -blockdev
# driver nbd) and vhost-user-blk (qemu-storage-daemon opening the same nbd
# blockdev).  Then the faults: qemu-nbd killed in the middle of a run fails
# it with a reason naming qemu-nbd, and a missing qemu-nbd is a probe
# failure naming the package.  Each leaves nothing behind: no qemu-nbd of
# ours, no socket.
. "${VB_SRCDIR:-.}/tests/lib.sh"
need_libvirtd
need_image
command -v jq >/dev/null || need "jq (apt-get install jq)"
command -v qemu-nbd >/dev/null || need "qemu-nbd (apt-get install qemu-utils)"

R=$TMP/results
common=(--connect "$CONNECT" --cache-dir "$CACHE" --results "$R" --size 256m --accel tcg --ramp 0 --reps 1)

# for check: no qemu-nbd serving from a run's folder, no socket left there
nothing_left() { # WHAT
	check "$1: no qemu-nbd of ours runs" no_process "qemu-nbd .*$CACHE/run/"
	check "$1: no nbd socket is left" sh -c "! ls '$CACHE'/run/*/nbd.sock 2>/dev/null | grep -q ."
	check "$1: no domain is left" no_domain_left
}

# ---- end to end: virtio-blk, nvme and vhost-user-blk over NBD ------------------
vb run --modes virtio-blk,nvme,vhost-user-blk --storage nbd --runtime 1 "${common[@]}"
check "nbd run exits 0" [ "$rc" -eq 0 ]
J=$R/latest/run.json
check "the three modes ran ok on nbd" \
	jqe '[.modes[] | select(.status == "ok" and .storage.nbd)] | length == 3' "$J"
check "run.json records the server: qemu-nbd, its version, socket and pid" \
	jqe '.modes[0].storage.nbd.server | .name == "qemu-nbd" and (.version | startswith("qemu-nbd ")) and (.socket | endswith("/nbd.sock")) and .pid > 0' "$J"
check "run.json records the settings: a unix socket, a raw export" \
	jqe '.modes[0].storage.nbd.settings == {"transport": "unix", "export_format": "raw"}' "$J"
check "run.json records the file served (the store), not the socket" \
	jqe '.modes[0].storage.nbd.image | startswith("'"$CACHE"'/store/") and endswith(".raw")' "$J"
check "each mode had a server of its own" \
	jqe '[.modes[].storage.nbd.server.pid] | unique | length == 3' "$J"
check "qemu-nbd's CPU is counted beside QEMU's" \
	jqe '.modes[0].points[0].reps[0].host_cpu.processes | has("qemu") and has("qemu-nbd")' "$J"
D=$R/latest/virtio-blk/domain.xml
check "virtio-blk's disk is a network disk" grep -q "<disk type='network'" "$D"
check "its source is protocol nbd" grep -q "<source protocol='nbd'>" "$D"
check "on the run's unix socket" grep -Eq "<host transport='unix' socket='$CACHE/run/[0-9]+/nbd.sock'/>" "$D"
check "nvme's -blockdev opens it with QEMU's nbd driver over the socket" \
	grep -q '&quot;driver&quot;:&quot;nbd&quot;,&quot;node-name&quot;:&quot;vmio-nvme-file&quot;,&quot;server&quot;:{&quot;type&quot;:&quot;unix&quot;' "$R/latest/nvme/domain.xml"
for m in virtio-blk nvme vhost-user-blk; do
	check "$m moved data over NBD" jqe '.jobs[0].read.iops > 0 and .jobs[0].write.iops > 0' "$R/latest/$m/rep-1.fio.json"
	check "$m kept qemu-nbd's log" test -f "$R/latest/$m/qemu-nbd.log"
done
check "integrity: what the guest wrote read back from the store once qemu-nbd was gone" \
	jqe '.modes[0].storage.nbd.integrity.result == "ok"' "$J"
nothing_left "nbd run"

# ---- native: fio's own NBD client on the same server, no QEMU ------------------
vb run --modes host,native,backend --storage nbd --runtime 1 "${common[@]}"
check "host, native and backend on nbd run" [ "$rc" -eq 0 ]
check "native measured through fio's nbd engine" \
	jqe '.jobs[0]["job options"].ioengine == "nbd" and .jobs[0].read.iops > 0' "$R/latest/native/rep-1.fio.json"
check "... on the run's socket" \
	jqe '.jobs[0]["job options"].uri | test("^nbd\\+unix:///\\?socket=.*/nbd.sock$")' "$R/latest/native/rep-1.fio.json"
check "... its server's CPU counted, host's not (host reads the file itself)" \
	jqe '(.modes[1].points[0].reps[0].host_cpu.processes | has("qemu-nbd")) and (.modes[0].points[0].reps[0].host_cpu.processes | has("qemu-nbd") | not)' "$R/latest/run.json"
vb run --modes native --runtime 1 "${common[@]}"
check "native on raw is refused before anything runs (exit 2, fio's figure there is host's)" \
	sh -c "[ $rc -eq 2 ] && grep -q 'mode native: fio has no client of its own for storage raw' '$TMP/err'"
nothing_left "native run"

# ---- qemu-nbd killed in the middle of the run ----------------------------------
# (QEMU's NBD client does not reconnect by default: the guest's next I/O
# fails at once, and the mode after it gets a server of its own)
runjson_before
"$VB" run --modes virtio-blk,nvme --storage nbd --runtime 10 "${common[@]}" >"$TMP/out" 2>"$TMP/err" 9>&- &
vbpid=$!
for _ in $(seq 120); do grep -q 'virtio-blk: rep 1/1, .*fio for 10 s' "$TMP/err" && break; sleep 1; done
sleep 2
npid=$(sed -n 's/.*storage nbd: qemu-nbd (pid \([0-9]*\)) serves .*/\1/p' "$TMP/err" | head -1)
echo "# killing qemu-nbd $npid of vmio-bench $vbpid"
[ -n "$npid" ] && [ "$(ps -o ppid= -p "$npid" | tr -d ' ')" = "$vbpid" ] && kill -9 "$npid"
wait "$vbpid"
rc=$?
runjson_after
tail -n 8 "$TMP/err" | sed 's/^/#   /'
check "qemu-nbd was found running under the run" [ -n "$npid" ]
check "qemu-nbd killed mid-run: exit 1" [ "$rc" -eq 1 ]
check "qemu-nbd killed mid-run: the reason names qemu-nbd" grep -q 'storage nbd: its server qemu-nbd' "$TMP/err"
check "qemu-nbd killed mid-run: run.json says virtio-blk failed for it, nvme went on" \
	jqe '.modes[0].status == "failed" and (.modes[0].reason | test("qemu-nbd")) and .modes[1].status == "ok"' "$R/latest/run.json"
nothing_left "qemu-nbd killed mid-run"

# ---- qemu-nbd missing: a probe failure naming the package -----------------------
nonbd=$(path_without qemu-nbd)
runjson_before
PATH=$nonbd "$VB" run --modes virtio-blk --storage nbd --runtime 1 "${common[@]}" >"$TMP/out" 2>"$TMP/err" 9>&-
rc=$?
runjson_after
tail -n 4 "$TMP/err" | sed 's/^/#   /'
check "no qemu-nbd: exit 1" [ "$rc" -eq 1 ]
check "no qemu-nbd: the probe names the package" \
	grep -q 'storage nbd: qemu-nbd is missing on this host: apt-get install qemu-utils there' "$TMP/err"
check "no qemu-nbd: no guest was booted" lacks "$TMP/err" 'booting the guest'
nothing_left "no qemu-nbd"

finish
