#!/bin/bash
# Storage model iscsi (issue 24): the run's store served as an iSCSI LUN by
# a tgtd of the run's own on 127.0.0.1 (a free port), read by QEMU's
# libiscsi with the run's CHAP account, its password in a libvirt secret.
# End to end through virtio-blk and virtio-scsi beside raw in one run; the
# record names the server and its port; nothing is left behind (no tgtd of
# ours, no control socket, no target, no secret), not even after tgtd is
# killed mid-run, which fails the run naming tgtd; a missing tgtd is a
# probe failure naming the package.
. "${VB_SRCDIR:-.}/tests/lib.sh"
need_libvirtd
need_image
command -v jq >/dev/null || need "jq (apt-get install jq)"
command -v tgtd >/dev/null || need "tgtd (apt-get install tgt)"
ls /usr/lib/*/qemu/block-iscsi.so >/dev/null 2>&1 || need "QEMU's iSCSI driver (apt-get install qemu-block-extra)"

R=$TMP/results
common=(--connect "$CONNECT" --cache-dir "$CACHE" --results "$R" --size 256m --accel tcg --ramp 0 --reps 1)

secrets() { virsh -c "$CONNECT" secret-list | grep -c ' iscsi iqn.2026-11.org.vmio-bench:' ; }
sockets() { ls /var/run/tgtd 2>/dev/null | sort ; }
# for check: nothing of a run is left: ERE of its tgtd, the counts before
nothing_left() { # WHAT
	check "$1: no tgtd of ours runs" no_process '^tgtd -f -C [0-9]+ --iscsi portal=127\.0\.0\.1:'
	check "$1: no control socket of ours is left in /var/run/tgtd" [ "$(sockets)" = "$sockets_before" ]
	check "$1: no iSCSI secret is left in libvirt" [ "$(secrets)" = "$secrets_before" ]
	check "$1: the system's tgtd has its targets as before" targets_unchanged "$targets_before"
	check "$1: no domain is left" no_domain_left
}
secrets_before=$(secrets) sockets_before=$(sockets)
targets_before=$(tgt_targets) || { bad "tgtadm lists the system's targets: $targets_before"; finish; exit 1; }

# ---- the xml command: the disk it would give -----------------------------------
vb xml --mode virtio-blk --storage iscsi
check "xml: a network disk of protocol iscsi on 127.0.0.1, CHAP through a secret of usage iscsi" \
	sh -c "grep -q \"<disk type='network'\" '$TMP/out' && grep -q \"<source protocol='iscsi' name='iqn[^']*/1'>\" '$TMP/out' &&
		grep -q \"<host name='127.0.0.1' port=\" '$TMP/out' && grep -q \"<auth username=\" '$TMP/out' &&
		grep -q \"<secret type='iscsi' usage='iqn\" '$TMP/out'"
V=$(command -v virt-xml-validate || true)
for m in virtio-blk virtio-scsi sata; do
	vb xml --mode "$m" --storage iscsi
	cp "$TMP/out" "$TMP/$m.xml"
	if [ -n "$V" ]; then
		check "xml: $m on iscsi passes virt-xml-validate" "$V" "$TMP/$m.xml" domain
	fi
done

# ---- the modes that open the disk with -blockdev: the password as QEMU's ------
# own secret object, from a file private to QEMU's user
vb xml --mode nvme --storage iscsi
check "xml: nvme on iscsi defines the CHAP secret object its blockdev names" \
	sh -c "grep -q 'qom-type&quot;:&quot;secret&quot;,&quot;id&quot;:&quot;vmio-iscsi-chap' '$TMP/out' && grep -q 'password-secret&quot;:&quot;vmio-iscsi-chap&quot;' '$TMP/out'"

# ---- virtio-blk, virtio-scsi, nvme and backend, raw and iscsi in one run -------
vb run --modes virtio-blk,virtio-scsi,nvme,backend --sweep storage=raw,iscsi --runtime 2 "${common[@]}"
cat "$TMP/out"
check "the run exits 0" [ "$rc" -eq 0 ]
J=$R/latest/run.json
check "every mode ok (nvme and backend through QEMU's own secret object)" jqe '[.modes[] | select(.status == "ok")] | length == 4' "$J"
check "integrity: what a guest wrote read back through the iSCSI target with no guest" \
	jqe '.modes[0].storage.iscsi.integrity.result == "ok"' "$J"
check "the CHAP secret file is gone with the run" sh -c "! ls '$CACHE'/run/*/iscsi-chap.secret 2>/dev/null"
for m in virtio-blk virtio-scsi; do
	check "$m: storage iscsi's record: libiscsi, LUN 1 of the run's target, CHAP" \
		jqe --arg m "$m" '.modes[] | select(.mode == $m) | .storage.iscsi.settings |
			.initiator == "libiscsi" and .lun == 1 and .chap == true and
			(.iqn | test("^iqn\\.2026-11\\.org\\.vmio-bench:run-[0-9]+-[0-9]+$"))' "$J"
	check "$m: ... its server: tgtd, its version, its pid and the port of its portal on 127.0.0.1" \
		jqe --arg m "$m" '.modes[] | select(.mode == $m) | .storage.iscsi as $s | $s.server |
			.name == "tgtd" and (.version | test("^[0-9.]+$")) and .pid > 0 and .port > 0 and
			$s.settings.portal == "127.0.0.1:\(.port)"' "$J"
	check "$m: ... tgtd's CPU is measured beside QEMU's" \
		jqe --arg m "$m" '[.modes[] | select(.mode == $m) | .points[] | select(.params.storage == "iscsi") |
			.reps[].host_cpu.processes.tgtd] | length > 0 and all(. > 0)' "$J"
	for s in raw iscsi; do
		iops=$(jq -r --arg m "$m" --arg s "$s" '.modes[] | select(.mode == $m) | .points[] |
			select(.params.storage == $s) | .reps[0].iops | "\(.read) \(.write)"' "$J")
		echo "# $m on $s: read/write IOPS $iops"
		check "$m on $s measured IOPS" [ -n "$iops" ] && [ "${iops%% *}" != null ]
	done
done
check "tgtd's log is kept with the mode's results" test -f "$R/latest/virtio-blk/tgtd.log"
dom=$R/latest/virtio-blk/domain-storage-iscsi.xml
check "the iscsi guest's domain XML names the recorded port and the run's CHAP account" \
	sh -c 'grep -q "<host name=.127.0.0.1. port=.$2./>" "$1" && grep -q "<auth username=.vmio-[0-9]*-[0-9]*.>" "$1"' \
	_ "$dom" "$(jq '.modes[0].storage.iscsi.server.port' "$J")"
nothing_left "after the run"

# ---- tgtd killed mid-run ----------------------------------------------------------
R2=$TMP/killed
runjson_mark kill
"$VB" run --modes virtio-blk --storage iscsi --runtime 2 "${common[@]}" --results "$R2" >"$TMP/out" 2>"$TMP/err" 9>&- &
run=$!
for _ in $(seq 240); do grep -q 'fio for' "$TMP/err" && break; kill -0 $run 2>/dev/null || break; sleep 0.5; done
tgtd=$(pgrep -x tgtd -P $run)
check "the run's own tgtd runs as its child, on 127.0.0.1 (pid ${tgtd:-none})" \
	sh -c '[ -n "$1" ] && grep -qa "portal=127.0.0.1:" /proc/$1/cmdline' _ "$tgtd"
[ -n "$tgtd" ] && kill -9 "$tgtd"
wait $run
rc=$?
runjson_since kill
tail -n 5 "$TMP/err" | sed 's/^/#   /'
check "a run whose tgtd was killed fails (exit $rc)" [ "$rc" -ne 0 ]
check "... its reason names tgtd" jqe '.modes[0].status == "failed" and (.modes[0].reason | test("its server tgtd.* exited"))' \
	"$R2/latest/run.json"
nothing_left "after tgtd was killed"

# ---- tgtd missing -------------------------------------------------------------------
notgtd=$(path_without tgtd)
runjson_before
PATH=$notgtd "$VB" run --modes virtio-blk --storage iscsi --runtime 1 "${common[@]}" --results "$TMP/missing" \
	>"$TMP/out" 2>"$TMP/err" 9>&-
rc=$?
runjson_after
tail -n 3 "$TMP/err" | sed 's/^/#   /'
check "without tgtd the run fails (exit $rc)" [ "$rc" -ne 0 ]
check "... at the probe, naming the package" \
	jqe '.modes[0].status == "failed" and (.modes[0].reason | test("^storage iscsi: tgtd/tgtadm are missing.*apt-get install tgt"))' \
	"$TMP/missing/latest/run.json"
nothing_left "after the probe failure"
finish
