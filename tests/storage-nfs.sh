#!/bin/bash
# storage nfs (issue 24): the run's data over NFSv3 from an nfs-ganesha of
# the run's own on the loopback, through QEMU's libnfs client, end to end:
# virtio-blk (libvirt's <disk type='network'> protocol 'nfs') and nvme
# (QEMU's -blockdev driver nfs).  Then the faults: ganesha killed in the
# middle of a run fails it with a reason naming ganesha, and a missing
# ganesha.nfsd is a probe failure naming the package.  Each leaves nothing
# behind: no ganesha of ours, no export folder, no registration in rpcbind,
# and rpcbind as it was found.
. "${VB_SRCDIR:-.}/tests/lib.sh"
need_libvirtd
need_image
command -v jq >/dev/null || need "jq (apt-get install jq)"
command -v ganesha.nfsd >/dev/null || need "nfs-ganesha (apt-get install nfs-ganesha nfs-ganesha-vfs)"
command -v rpcbind >/dev/null || need "rpcbind (apt-get install rpcbind)"

R=$TMP/results
common=(--connect "$CONNECT" --cache-dir "$CACHE" --results "$R" --size 256m --accel tcg --ramp 0 --reps 1)
rpcbind_before=$(pgrep -x rpcbind | sort | tr '\n' ' ')

# for check: no ganesha of a run's, no export folder, no NFS registration,
# rpcbind as it was
nothing_left() { # WHAT
	check "$1: no ganesha.nfsd of ours runs" no_process "ganesha.nfsd .*$CACHE/run/"
	check "$1: no export folder is left" sh -c "! ls -d '$CACHE'/run/*/nfs 2>/dev/null | grep -q ."
	check "$1: rpcbind maps no NFS server" sh -c "! rpcinfo -p 127.0.0.1 2>/dev/null | grep -Eq '^ *10000[35] '"
	check "$1: rpcbind is as found ($rpcbind_before)" [ "$(pgrep -x rpcbind | sort | tr '\n' ' ')" = "$rpcbind_before" ]
	check "$1: no domain is left" no_domain_left
}

# ---- end to end: virtio-blk and nvme over NFS ----------------------------------
vb run --modes virtio-blk,nvme --storage nfs --runtime 1 "${common[@]}"
check "nfs run exits 0" [ "$rc" -eq 0 ]
J=$R/latest/run.json
check "both modes ran ok on nfs" \
	jqe '[.modes[] | select(.status == "ok" and .storage.nfs)] | length == 2' "$J"
check "run.json records the server: nfs-ganesha, its version, port and pid" \
	jqe '.modes[0].storage.nfs.server | .name == "nfs-ganesha" and (.version | length > 0) and .host == "127.0.0.1" and .port > 0 and .mount_port > 0 and .pid > 0' "$J"
check "run.json records the client settings: libnfs, NFSv3, the export" \
	jqe '.modes[0].storage.nfs.settings | .client == "libnfs" and .nfs_version == 3 and (.export | endswith("/nfs/export")) and (.file | endswith("/export/disk.raw"))' "$J"
started=$([ -z "$rpcbind_before" ] && echo true || echo false)
check "run.json says whether rpcbind was started ($started)" jqe ".modes[0].storage.nfs.rpcbind.started == $started" "$J"
D=$R/latest/virtio-blk/domain.xml
check "virtio-blk's disk is a network disk" grep -q "<disk type='network'" "$D"
check "its source is protocol nfs, the exported link, on the loopback" \
	grep -Eq "<source protocol='nfs' name='/.*/nfs/export/disk.raw'>" "$D"
check "libnfs speaks as root (the store keeps its owner)" grep -q "<identity user='root' group='root'/>" "$D"
check "nvme's -blockdev opens it with QEMU's nfs driver" grep -q '&quot;driver&quot;:&quot;nfs&quot;\|"driver":"nfs"' "$R/latest/nvme/domain.xml"
for m in virtio-blk nvme; do
	check "$m moved data over NFS" jqe '.jobs[0].read.iops > 0 and .jobs[0].write.iops > 0' "$R/latest/$m/rep-1.fio.json"
done
check "ganesha's log is kept in the mode's folder" grep -q 'NFS SERVER INITIALIZED' "$R/latest/virtio-blk/ganesha.log"
nothing_left "nfs run"

# ---- ganesha killed in the middle of the run -----------------------------------
# (the guest's disk stalls while QEMU's libnfs retries: the run ends at
# fio's deadline, about 2.5 minutes)
runjson_before
"$VB" run --modes virtio-blk --storage nfs --runtime 10 "${common[@]}" >"$TMP/out" 2>"$TMP/err" 9>&- &
vbpid=$!
for _ in $(seq 120); do grep -q 'fio .*for 10 s' "$TMP/err" && break; sleep 1; done
sleep 2
gpid=$(pgrep -P "$vbpid" -x ganesha.nfsd)
echo "# killing ganesha.nfsd $gpid of vmio-bench $vbpid"
[ -n "$gpid" ] && kill -9 "$gpid"
wait "$vbpid"
rc=$?
runjson_after
tail -n 8 "$TMP/err" | sed 's/^/#   /'
check "ganesha was found running under the run" [ -n "$gpid" ]
check "ganesha killed mid-run: exit 1" [ "$rc" -eq 1 ]
check "ganesha killed mid-run: the reason names ganesha" grep -q 'storage nfs: its server ganesha.nfsd exited' "$TMP/err"
check "ganesha killed mid-run: run.json says failed" jqe '.modes[0].status == "failed" and (.modes[0].reason | test("ganesha"))' "$R/latest/run.json"
nothing_left "ganesha killed mid-run"

# ---- ganesha.nfsd missing: a probe failure naming the package -------------------
noganesha=$(path_without ganesha.nfsd)
runjson_before
PATH=$noganesha "$VB" run --modes virtio-blk --storage nfs --runtime 1 "${common[@]}" >"$TMP/out" 2>"$TMP/err" 9>&-
rc=$?
runjson_after
tail -n 4 "$TMP/err" | sed 's/^/#   /'
check "no ganesha.nfsd: exit 1" [ "$rc" -eq 1 ]
check "no ganesha.nfsd: the probe names the package" \
	grep -q 'storage nfs: ganesha.nfsd (the NFS server) is missing on this host: apt-get install nfs-ganesha nfs-ganesha-vfs' "$TMP/err"
check "no ganesha.nfsd: no guest was booted" lacks "$TMP/err" 'booting the guest'
nothing_left "no ganesha.nfsd"

finish
