#!/bin/bash
# Every bus mode that can run here, end to end through real libvirtd, QEMU,
# fio, tgtd and qemu-storage-daemon, one guest boot per mode.  From inside
# each guest (the agent's hello) the disk under test must sit on the
# mode's driver, not merely produce numbers.  hostdev needs an IOMMU and a
# spare PCI function, which this machine lacks: its XML is covered by
# xml-validate.sh and here only its probe and its failure path.
. "${VB_SRCDIR:-.}/tests/lib.sh"
need_libvirtd
need_image
command -v jq >/dev/null || need "jq (apt-get install jq)"

R=$TMP/results
common=(--connect "$CONNECT" --cache-dir "$CACHE" --results "$R" --size 256m --accel tcg --runtime 2 --ramp 0 --reps 1)
store=$CACHE/store/disk-256m.raw
command -v tgtadm >/dev/null || need "tgtadm (apt-get install tgt)"
targets_before=$(tgt_targets) || { echo "not ok - $targets_before"; exit 1; }

vb run --modes all "${common[@]}"
cat "$TMP/err" "$TMP/out"
check "--modes all exits 0" [ "$rc" -eq 0 ]
check "--modes all says why it leaves hostdev out" grep -q 'leaving out hostdev: ' "$TMP/err"
J=$R/latest/run.json
for m in host sata virtio-blk virtio-scsi lun nvme backend vhost-user-blk; do
	check "$m ran and succeeded" jq -e --arg m "$m" '.modes[] | select(.mode == $m) | .status == "ok"' "$J"
	check "$m: fio reported read and write IOPS > 0" \
		jq -e '.jobs[0].read.iops > 0 and .jobs[0].write.iops > 0' "$R/latest/$m/rep-1.fio.json"
done
has() { echo "$1" | jqe "$2"; }
# CPU per I/O counts every host process serving the I/O
rep1() { jq --arg m "$1" '.modes[] | select(.mode == $m) | .points[0].reps[0].host_cpu' "$J"; }
check "vhost-user-blk: the host CPU counts qemu-storage-daemon beside QEMU" \
	has "$(rep1 vhost-user-blk)" '.processes.qemu > 0 and .processes["qemu-storage-daemon"] > 0'
check "lun: the host CPU counts tgtd beside QEMU" has "$(rep1 lun)" '.processes.qemu > 0 and (.processes | has("tgtd"))'
# and the figure in the table is their sum over the window, per I/O
sum=$(rep1 vhost-user-blk | jq '(.processes | add) / 1000 / .window_s')
iops=$(jq '.jobs[0].read.iops + .jobs[0].write.iops' "$R/latest/vhost-user-blk/rep-1.fio.json")
shown=$(jq '.rows[] | select(.mode == "vhost-user-blk" and .dir == "read") | .host_cpu_us_per_io' "$R/latest/summary.json")
echo "# vhost-user-blk: $(rep1 vhost-user-blk | jq -c .processes) over the window; $shown us per I/O"
check "vhost-user-blk: the host CPU per I/O is (QEMU + daemon) / window / IOPS" \
	awk -v a="$sum" -v i="$iops" -v s="$shown" 'BEGIN { e = a / i; d = e - s; if (d < 0) d = -d; exit !(d <= 0.01 * e) }'
# disk(serial) from a mode's hello, as JSON
disk() { jq -c --arg s "$2" '.disks[] | select(.serial == $s)' "$R/latest/$1/hello.json"; }
check "sata: the guest's disk is an sd disk behind ahci" \
	has "$(disk sata vmio-disk0)" '.driver == "sd" and (.drivers | index("ahci"))'
check "virtio-blk: the guest's disk is on virtio_blk" \
	has "$(disk virtio-blk vmio-disk0)" '.driver == "virtio_blk" and (.drivers | index("virtio-pci"))'
check "virtio-scsi: an sd disk behind virtio_scsi, QEMU's emulated scsi-hd" \
	has "$(disk virtio-scsi vmio-disk0)" '.driver == "sd" and (.drivers | index("virtio_scsi")) and (.vendor | startswith("QEMU"))'
check "lun: an sd disk behind virtio_scsi with an sg node, answering as the iSCSI target (not QEMU)" \
	has "$(disk lun vmio-disk0)" '.driver == "sd" and (.drivers | index("virtio_scsi")) and (.sg | startswith("sg")) and (.vendor | startswith("QEMU") | not)'
check "nvme: the guest's disk is an NVMe namespace on the nvme driver" \
	has "$(disk nvme vmio-disk0)" '.driver == "nvme" and (.name | startswith("nvme"))'
check "vhost-user-blk: virtio_blk served by qemu-storage-daemon" \
	has "$(disk vhost-user-blk vhost_user_blk)" '.driver == "virtio_blk"'
# backend: the same daemon driven by fio's vhost-user-blk engine, no guest
check "backend: fio ran through the vhost-user-blk engine, by eventfd, on the daemon's socket" \
	jqe '.jobs[0]["job options"] | (.ioengine | startswith("external:") and endswith("engines/vhost-user-blk.so"))
		and .vhost_poll == "0" and (.vhost_socket | endswith("/vhost-user-blk.sock"))' "$R/latest/backend/rep-1.fio.json"
check "backend: its daemon's log is kept" test -f "$R/latest/backend/qemu-storage-daemon.log"
check "backend: the host CPU counts fio and qemu-storage-daemon" \
	has "$(rep1 backend)" '.processes.fio > 0 and .processes["qemu-storage-daemon"] > 0'
row() { jq -c --arg m "$1" '.rows[] | select(.mode == $m and .dir == "read")' "$R/latest/summary.json"; }
check "backend: a share of host, and no guest CPU (fio's is the host's)" \
	has "$(row backend)" '.ratio_to_host > 0 and .guest_cpu_us_per_io == null and .host_cpu_us_per_io > 0'
check "backend's rows, with their share of host, just above vhost-user-blk's in the table" \
	sh -c "grep -qE '^backend +read +[0-9]+ .* [0-9.]+% +[0-9.]+ us +- *\$' '$TMP/out' && grep -A2 '^backend ' '$TMP/out' | grep -q '^vhost-user-blk '"
check "backend is in report.html" grep -q '<td>backend</td>' "$R/latest/report.html"
check "vhost-user-blk: the guest had shared memory" grep -q "<access mode='shared'/>" "$R/latest/vhost-user-blk/domain.xml"
check "vhost-user-blk: the daemon's log is kept" test -f "$R/latest/vhost-user-blk/qemu-storage-daemon.log"
check "the table shows each mode as a share of host" grep -qE '^virtio-blk +read +[0-9]+ .* [0-9.]+% +[0-9.]+ us' "$TMP/out"
# How the guests booted: the image's uncompressed kernel (PVH entry), only
# the bus's drivers, and the vCPUs as cores of one socket.
check "the guests booted the image's uncompressed kernel" jqe '.image.kernel | endswith("/image/vmlinux")' "$J"
check "run.json records the guests' CPU topology" jqe '.guest.cpu_topology == {"sockets": 1, "cores": 2, "threads": 1}' "$J"
check "sata's domain gives its vCPUs as cores of one socket" \
	grep -q "<topology sockets='1' dies='1' cores='2' threads='1'/>" "$R/latest/sata/domain.xml"
for mm in "sata:ahci sd_mod" "virtio-blk:virtio_blk" "virtio-scsi:virtio_scsi sd_mod" "lun:virtio_scsi sd_mod sg" \
	"nvme:nvme" "vhost-user-blk:virtio_blk"; do
	check "${mm%%:*}: the guest loaded only its bus's drivers (${mm#*:})" \
		grep -qE "vmio: .*, loading drivers for ${mm#*:}[[:space:]]*\$" "$R/latest/${mm%%:*}/console.log"
done
check "no domain is left" no_domain_left
check "no iSCSI target of ours is left" targets_unchanged "$targets_before"
check "no qemu-storage-daemon is left" no_process '^qemu-storage-daemon'
check "the backing store is still root's (nvme gave it back)" [ "$(stat -c %U "$store")" = root ]

# The other backings: QEMU's null-co (pure bus overhead) and a qcow2 image.
vb run --modes virtio-blk --backend null "${common[@]}"
check "--backend null runs (exit 0)" [ "$rc" -eq 0 ]
check "--backend null gave the guest a null-co drive on virtio-blk" \
	sh -c "grep -q 'null-co' '$R/latest/virtio-blk/domain.xml' && grep -q 'virtio-blk-pci' '$R/latest/virtio-blk/domain.xml'"
check "--backend null: the guest still saw virtio_blk" has "$(disk virtio-blk vmio-disk0)" '.driver == "virtio_blk"'
check "--backend null is recorded in run.json" jqe '.config.backend == "null" and .backing_store.type == "null"' "$R/latest/run.json"
vb run --modes virtio-blk --format qcow2 "${common[@]}"
check "--format qcow2 runs (exit 0)" [ "$rc" -eq 0 ]
check "--format qcow2 opened a qcow2 image" grep -q "type='qcow2'" "$R/latest/virtio-blk/domain.xml"
check "--format qcow2 is recorded in run.json" jqe '.config.format == "qcow2" and (.backing_store.qcow2_image | endswith(".qcow2"))' "$R/latest/run.json"
check "no domain is left after null and qcow2 runs" no_domain_left

# The report of the modes so far is drawn while the next one boots: when
# virtio-blk starts its fio, report.html already shows host, and the run
# is not over.
runjson_mark bg
( "$VB" run --modes host,virtio-blk "${common[@]}" >"$TMP/bg.out" 2>"$TMP/bg.err" 9>&-; echo $? > "$TMP/bg.rc" ) &
for _ in $(seq 1 240); do grep -q 'virtio-blk: rep 1/1' "$TMP/bg.err" 2>/dev/null && break; sleep 0.25; done
run_dir=$(sed -n 's/^vmio-bench: results: //p' "$TMP/bg.err")
check "while virtio-blk runs, report.html already shows host" grep -q '<td>host</td>' "$run_dir/report.html"
check "... and the run is still going" jqe '.state == "incomplete"' "$run_dir/run.json"
wait
runjson_since bg
check "... which then ends well (exit 0)" [ "$(cat "$TMP/bg.rc")" -eq 0 ]
check "... and its final report has both modes" grep -q '<td>virtio-blk</td>' "$run_dir/report.html"

# hostdev: what this machine can show without an IOMMU or a spare device.
vb modes --pci-device 0000:00:00.0
check "modes explains why hostdev cannot run here" grep -qE '^hostdev +no +.*(IOMMU|vfio|does not exist)' "$TMP/out"
vb run --modes host,hostdev --pci-device 0000:00:00.0 "${common[@]}"
check "a mode that cannot run fails the run (exit 1)" [ "$rc" -eq 1 ]
check "... while the others still run" jq -e '.modes[0].status == "ok" and .modes[1].status == "failed" and (.modes[1].reason | length > 0)' "$R/latest/run.json"
check "... and the table names the reason" grep -q '^hostdev *FAILED: ' "$TMP/out"
finish
