#!/bin/bash
# Every domain XML vmio-bench emits, for every mode and several tuning
# combinations, passes libvirt's own schema (virt-xml-validate), keeps
# hostile characters in paths intact, and carries the mode's bus.  Tuning
# that libvirt or QEMU would refuse is refused up front (exit 2).
. "${VB_SRCDIR:-.}/tests/lib.sh"
V=${VIRT_XML_VALIDATE:-$(command -v virt-xml-validate || true)}
[ -n "$V" ] || need "virt-xml-validate (apt-get install libvirt-clients)"
command -v xmllint >/dev/null || need "xmllint (apt-get install libxml2-utils)"

# A stand-in image and disk whose names would break naive XML building.
odd="$TMP/it's a <\"weird\"> & dir"
mkdir -p "$odd"
printf k > "$odd/vmlinuz"; printf i > "$odd/initrd.img"
truncate -s 64M "$odd/disk's <1>.raw"
img=(--kernel "$odd/vmlinuz" --initrd "$odd/initrd.img")

tunings=(
	""
	"--cache writeback --io threads --iothreads 0"
	"--io io_uring --queues 4 --iothreads 2 --vcpus 4 --memory 1024"
	"--cache directsync --format qcow2"
	"--backend null --queues 2"
)
# (a missing file answers with a line of its own: [ -z "$(x ...)" ] must not
# pass because there was nothing to read)
x() { [ -s "$F" ] || { echo "(no file $F)"; return 1; }; xmllint --xpath "$1" "$F" 2>/dev/null; }

looked=()
for mode in $("$VB" modes | awk 'NR > 1 {print $1}'); do
	case "$mode" in host|backend|native) continue ;; esac # no guest, no XML
	extra=()
	[ "$mode" = hostdev ] && extra=(--pci-device 0000:03:00.0)
	n=0
	for accel in tcg kvm; do
		for t in "${tunings[@]}"; do
			for disk in default odd; do
				n=$((n + 1))
				# shellcheck disable=SC2206
				args=(xml --mode "$mode" --accel "$accel" "${img[@]}" "${extra[@]}" $t)
				[ "$disk" = odd ] && args+=(--disk "$odd/disk's <1>.raw")
				vb "${args[@]}"
				what="xml $mode --accel $accel $t ($disk disk)"
				if { [ "$mode" = lun ] || [ "$mode" = vhost-scsi ]; } && [[ "$t" == *qcow2* ]]; then
					check "$what is refused: a LUN has no image format" [ "$rc" -eq 2 ]
					continue
				fi
				if [[ "$t" == *null* ]] && { [ "$mode" = lun ] || [ "$mode" = hostdev ] || [ "$mode" = vhost-scsi ]; }; then
					check "$what is refused: passthrough needs real storage" [ "$rc" -eq 2 ]
					continue
				fi
				if [ "$rc" -ne 0 ]; then bad "$what: exit $rc: $(cat "$TMP/err")"; continue; fi
				F=$TMP/$mode-$n.xml
				cp "$TMP/out" "$F"
				check "$what passes virt-xml-validate" "$V" "$F" domain
				check "$what: the odd kernel path survives intact" [ "$(x 'string(//os/kernel)')" = "$odd/vmlinuz" ]
				if [[ "$t" == *null* ]]; then
					if [ "$mode" = vhost-user-blk ]; then
						check "$what: still a vhostuser disk (the daemon serves null-co)" [ "$(x 'string(//disk/@type)')" = vhostuser ]
					else
						check "$what: a null-co drive on the command line" sh -c "grep -q 'null-co' '$F'"
						check "$what: no file-backed disk" [ -z "$(x 'string(//disk/source/@file)')" ]
					fi
					continue
				fi
				if [ "$disk" = odd ] && [ "$mode" != hostdev ] && [ "$mode" != lun ] && [ "$mode" != vhost-user-blk ] && [ "$mode" != vhost-scsi ]; then
					src=$(x 'string(//disk/source/@file)')
					[ "$mode" = nvme ] && src=$(x 'string(//*[local-name()="arg"][2]/@value)' | jq -r .filename)
					check "$what: the odd disk path survives intact" [ "$src" = "$odd/disk's <1>.raw" ]
				fi
			done
		done
	done
	cp "$TMP/$mode-1.xml" "$TMP/$mode.xml"
	looked+=("$mode")
done
check "every mode with a domain was validated (${looked[*]})" \
	[ "$(printf '%s\n' "${looked[@]}" | sort | tr '\n' ' ')" = "hostdev lun nvme sata vhost-scsi vhost-user-blk virtio-blk virtio-scsi " ]

# What each bus must look like (default tuning, TCG).
F=$TMP/sata.xml;        check "sata: disk on the sata bus" [ "$(x 'string(//disk/target/@bus)')" = sata ]
F=$TMP/virtio-blk.xml;  check "virtio-blk: disk on virtio with an IOThread" [ "$(x 'string(//disk/driver/@iothread)')" = 1 ]
F=$TMP/virtio-scsi.xml; check "virtio-scsi: a virtio-scsi controller" [ "$(x 'string(//controller[@type="scsi"]/@model)')" = virtio-scsi ]
F=$TMP/lun.xml;         check "lun: device='lun' over iSCSI" [ "$(x 'string(//disk/@device)')/$(x 'string(//disk/source/@protocol)')" = lun/iscsi ]
F=$TMP/nvme.xml;        check "nvme: an nvme device on the command line" sh -c "xmllint --xpath '//*[local-name()=\"arg\"]/@value' '$F' | grep -q '&quot;driver&quot;:&quot;nvme&quot;'"
F=$TMP/vhost-user-blk.xml; check "vhost-user-blk: vhostuser disk with shared memory" \
	[ "$(x 'string(//disk/@type)')/$(x 'string(//memoryBacking/access/@mode)')" = vhostuser/shared ]
F=$TMP/vhost-scsi.xml;  check "vhost-scsi: the kernel's target port, a scsi_host hostdev over vhost" \
	[ "$(x 'string(//hostdev/@type)')/$(x 'string(//hostdev/source/@protocol)')" = scsi_host/vhost ]
F=$TMP/hostdev.xml;     check "hostdev: the PCI function is passed through" [ "$(x 'string(//hostdev/source/address/@bus)')" = 0x03 ]
F=$TMP/virtio-blk-6.xml; check "virtio-blk --queues 4 reaches the disk" [ "$(x 'string(//disk/driver/@queues)')" = 4 ]
F=$TMP/virtio-scsi-6.xml; check "virtio-scsi --queues 4 reaches the controller" [ "$(x 'string(//controller[@type="scsi"]/driver/@queues)')" = 4 ]
F=$TMP/sata-6.xml;      check "sata ignores --queues (AHCI has none)" [ -z "$(x 'string(//disk/driver/@queues)')" ]
F=$TMP/virtio-blk-3.xml; check "--iothreads 0 leaves no IOThread" [ -z "$(x 'string(//iothreads)')" ]
F=$TMP/virtio-blk-7.xml; check "virtio-blk --format qcow2 opens a qcow2 image" [ "$(x 'string(//disk/driver/@type)')" = qcow2 ]
blk=/dev/$(ls /sys/block | sed -n 1p)
vb xml --mode lun --lun-device "$blk" "${img[@]}"
F=$TMP/out
check "lun --lun-device passes that host device through" \
	[ "$(x 'string(//disk/@type)')/$(x 'string(//disk/@device)')/$(x 'string(//disk/source/@dev)')" = "block/lun/$blk" ]
vb modes --lun-device /dev/null
check "modes explains a --lun-device that is no SCSI disk" grep -qE '^lun +no +--lun-device .*not a block device' "$TMP/out"

# QoS (issue 26): --iotune's limits inside the tested <disk> of every mode
# with a libvirt <disk>, valid to libvirt's schema; refused elsewhere.
for mode in sata virtio-blk virtio-scsi; do
	vb xml --mode "$mode" "${img[@]}" --iotune total_iops_sec=300,read_bytes_sec=1048576,write_bytes_sec=2097152,total_iops_sec_max=600,total_iops_sec_max_length=5,size_iops_sec=4096
	F=$TMP/$mode-iotune.xml
	cp "$TMP/out" "$F"
	check "xml $mode --iotune exits 0" [ "$rc" -eq 0 ]
	check "xml $mode --iotune passes virt-xml-validate" "$V" "$F" domain
	check "xml $mode --iotune: the limits are in the tested disk's <iotune>" [ \
		"$(x 'string(//disk/iotune/total_iops_sec)')/$(x 'string(//disk/iotune/read_bytes_sec)')/$(x 'string(//disk/iotune/write_bytes_sec)')/$(x 'string(//disk/iotune/total_iops_sec_max)')/$(x 'string(//disk/iotune/total_iops_sec_max_length)')/$(x 'string(//disk/iotune/size_iops_sec)')" \
		= 300/1048576/2097152/600/5/4096 ]
	F=$TMP/$mode.xml
	check "xml $mode without --iotune has no <iotune>" [ -z "$(x '//iotune')" ]
done
for mode in nvme lun vhost-user-blk vhost-scsi; do
	vb xml --mode "$mode" "${img[@]}" --iotune total_iops_sec=300
	check "xml $mode --iotune is refused (exit 2), in one line naming the mode: $(head -1 "$TMP/err")" \
		sh -c "[ $rc -eq 2 ] && [ \$(wc -l < '$TMP/err') -eq 1 ] && grep -q 'mode $mode takes no --iotune' '$TMP/err'"
done
vb xml --mode hostdev --pci-device 0000:03:00.0 "${img[@]}" --iotune total_iops_sec=300
check "xml hostdev --iotune is refused (exit 2)" sh -c "[ $rc -eq 2 ] && grep -q 'mode hostdev takes no --iotune' '$TMP/err'"
vb xml --mode virtio-blk --storage null "${img[@]}" --iotune total_iops_sec=300
check "--iotune with --storage null (no libvirt <disk>) is refused (exit 2)" [ "$rc" -eq 2 ]
vb run --modes virtio-blk,nvme --iotune total_iops_sec=300 "${img[@]}" --results "$TMP/r"
check "run --modes virtio-blk,nvme --iotune is refused before anything runs (exit 2)" \
	sh -c "[ $rc -eq 2 ] && grep -q 'mode nvme takes no --iotune' '$TMP/err' && [ ! -e '$TMP/r' ]"
for bad in total_iops_sec=0 total_iops_sec=x bogus_sec=5 group_name=g total_iops_sec=3,read_iops_sec=2 \
	total_iops_sec_max=9 total_iops_sec=9,total_iops_sec_max=3 total_iops_sec=1,,read_bytes_sec=2 total_iops_sec=1,total_iops_sec=2 'total_iops_sec=1 '; do
	vb xml --mode virtio-blk "${img[@]}" --iotune "$bad"
	check "--iotune '$bad' is refused in one line (exit 2): $(head -1 "$TMP/err")" \
		sh -c "[ $rc -eq 2 ] && [ \$(wc -l < '$TMP/err') -eq 1 ] && grep -q 'option --iotune' '$TMP/err'"
done
vb run --modes virtio-blk --neighbour-iotune write_iops_sec=x "${img[@]}" --results "$TMP/r"
check "--neighbour-iotune is validated alike (exit 2)" sh -c "[ $rc -eq 2 ] && grep -q 'option --neighbour-iotune' '$TMP/err'"
printf '[global]\niotune = total_iops_sec=0\n' > "$TMP/bad-iotune.ini"
vb run -c "$TMP/bad-iotune.ini" --modes virtio-blk "${img[@]}" --results "$TMP/r"
check "-c FILE: a bad iotune is refused naming the file (exit 2)" sh -c "[ $rc -eq 2 ] && grep -q 'bad-iotune.ini' '$TMP/err' && grep -q 'total_iops_sec=0' '$TMP/err'"
printf '[mode host]\niotune = total_iops_sec=50\n' > "$TMP/host-iotune.ini"
vb run -c "$TMP/host-iotune.ini" --modes host "${img[@]}" --results "$TMP/r"
check "-c FILE: [mode host] iotune is refused before anything runs (exit 2)" \
	sh -c "[ $rc -eq 2 ] && grep -q 'mode host takes no --iotune' '$TMP/err' && [ ! -e '$TMP/r' ]"

# Refused before any domain exists.
expect2() { local what=$1; shift; vb "$@"; check "$what is refused (exit 2): $(head -1 "$TMP/err")" [ "$rc" -eq 2 ]; }
expect2 "--io native with --cache writeback" xml --mode virtio-blk --io native --cache writeback "${img[@]}"
expect2 "host has no domain XML" xml --mode host "${img[@]}"
expect2 "backend has no domain XML" xml --mode backend "${img[@]}"
expect2 "native has no domain XML" xml --mode native "${img[@]}"
expect2 "hostdev without --pci-device" xml --mode hostdev "${img[@]}"
expect2 "hostdev with a malformed --pci-device" xml --mode hostdev --pci-device 'zz:00' "${img[@]}"
expect2 "--backend block without --disk" xml --mode virtio-blk --backend block "${img[@]}"
expect2 "run --modes lun --format qcow2" run --modes lun --format qcow2 "${img[@]}" --results "$TMP/r"
expect2 "run --modes host --backend null" run --modes host --backend null "${img[@]}" --results "$TMP/r"
expect2 "--backend bogus" xml --mode virtio-blk --backend nfs "${img[@]}"
finish
