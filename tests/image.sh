#!/bin/bash
# The guest image: small, with a static fio and agent, and described by
# 'vmio-bench image info'.
. "${VB_SRCDIR:-.}/tests/lib.sh"
need_image

vb image info --cache-dir "$CACHE"
check "image info exits 0" [ "$rc" -eq 0 ]
check "image info names the guest kernel" grep -q '^guest kernel *6\.' "$TMP/out"
check "image info names fio" grep -q '^fio *fio-' "$TMP/out"
check "image info names the agent" grep -q '^vmio-agent' "$TMP/out"
check "image info lists the virtio_blk module" grep -q 'modules:.*virtio_blk' "$TMP/out"

# Unpack the initramfs and look inside.
mkdir -p "$TMP/root"
(cd "$TMP/root" && gzip -dc "$CACHE/image/initrd.img" | cpio -id --quiet)
check "the initramfs unpacks (with /init)" test -x "$TMP/root/init"
size=$(stat -c %s "$CACHE/image/initrd.img")
echo "# initramfs: $((size / 1024)) KiB"
check "the initramfs is under 16 MiB" [ "$size" -lt $((16 << 20)) ]
command -v readelf >/dev/null || need "readelf (apt-get install binutils)"
# an ELF executable that readelf reads and that needs no shared library
# (fails when the file is missing or readelf cannot read it)
static_elf() { test -x "$1" && readelf -d "$1" > "$TMP/readelf" 2>&1 && lacks "$TMP/readelf" NEEDED && readelf -h "$1" | grep -q 'EXEC\|DYN'; }
check "the guest fio is statically linked" static_elf "$TMP/root/bin/fio"
check "vmio-agent is statically linked" static_elf "$TMP/root/sbin/vmio-agent"
check "the initramfs carries no shared libraries" no_file_named "$TMP/root" '*.so*'
check "the guest fio has libaio" sh -c "'$TMP/root/bin/fio' --enghelp | grep -qx '	libaio'"
check "the guest fio is the host's version" [ "$("$TMP/root/bin/fio" --version)" = "$(fio --version)" ]
check "/init is there and executable" test -x "$TMP/root/init"
check "image info says the guests boot the uncompressed kernel" grep -q '^boot *pvh' "$TMP/out"
check "the uncompressed kernel is an ELF file with a PVH entry point (Xen note 18)" \
	sh -c "readelf -n '$CACHE/image/vmlinux' | grep -Eq 'PHYS32_ENTRY|\(0x0*12\)'"
for m in virtio_blk ahci nvme virtio_scsi sd_mod; do
	check "the initramfs lists what $m needs, itself last" [ "$(tail -n 1 "$TMP/root/etc/vmio/needs/$m")" = "$m.ko" ]
done
check "virtio_console is in the module list" grep -q '^virtio_console.ko$' "$TMP/root/etc/vmio/modules.list"
finish
