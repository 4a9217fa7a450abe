#!/bin/bash
# Every domain XML vmio-bench emits passes libvirt's own schema
# (virt-xml-validate), including with hostile characters in paths, and
# libvirt's test driver accepts and defines it.
. "${VB_SRCDIR:-.}/tests/lib.sh"
V=${VIRT_XML_VALIDATE:-$(command -v virt-xml-validate || true)}
[ -n "$V" ] || need "virt-xml-validate (apt-get install libvirt-clients)"
command -v xmllint >/dev/null || need "xmllint (apt-get install libxml2-utils)"

# A stand-in image and disk whose names would break naive XML building.
odd="$TMP/it's a <\"weird\"> & dir"
mkdir -p "$odd"
printf k > "$odd/vmlinuz"; printf i > "$odd/initrd.img"
truncate -s 64M "$odd/disk's <1>.raw"

for mode in $("$VB" modes | awk 'NR > 1 {print $1}'); do
	for accel in tcg kvm; do
		for disk in default odd; do
			args=(xml --mode "$mode" --accel "$accel" --kernel "$odd/vmlinuz" --initrd "$odd/initrd.img")
			[ "$disk" = odd ] && args+=(--disk "$odd/disk's <1>.raw")
			vb "${args[@]}"
			if [ "$rc" -ne 0 ]; then bad "xml $mode $accel $disk: exit $rc: $(cat "$TMP/err")"; continue; fi
			cp "$TMP/out" "$TMP/$mode-$accel-$disk.xml"
			check "xml $mode $accel $disk passes virt-xml-validate" "$V" "$TMP/$mode-$accel-$disk.xml" domain
			src=$(xmllint --xpath 'string(//disk/source/@file)' "$TMP/$mode-$accel-$disk.xml")
			if [ "$disk" = odd ]; then
				check "xml $mode $accel: the odd disk path survives intact" [ "$src" = "$odd/disk's <1>.raw" ]
			fi
			kern=$(xmllint --xpath 'string(//os/kernel)' "$TMP/$mode-$accel-$disk.xml")
			check "xml $mode $accel $disk: the odd kernel path survives intact" [ "$kern" = "$odd/vmlinuz" ]
		done
	done
	# libvirt's in-process test driver parses and defines it (no QEMU needed).
	sed "s/type='kvm'/type='test'/" "$TMP/$mode-kvm-default.xml" > "$TMP/$mode-test.xml"
	check "xml $mode: libvirt's test driver defines it" \
		virsh -q -c test:///default "define $TMP/$mode-test.xml; list --all --name"
done
finish
