#!/bin/bash
# vmio-bench doctor on this machine, for real: every check gives a verdict
# and, when not ok, the fix; the exit status says whether the modes the
# host could run are ready; broken set-ups (libvirtd out of reach, no guest
# image, no room for the store) each fail with the fix, and nothing is
# left behind (no domain, no scratch file).
. "${VB_SRCDIR:-.}/tests/lib.sh"
need_libvirtd
need_image
export TMPDIR=$TMP/scratch
mkdir -p "$TMPDIR"
common=(--connect "$CONNECT" --cache-dir "$CACHE" --results "$TMP/results")

vb doctor "${common[@]}" --size 64m
cat "$TMP/out" "$TMP/err"
check "doctor on this machine: exit 0, ready" sh -c "[ $rc -eq 0 ] && grep -q \"ready for 'vmio-bench run'\" '$TMP/out'"
for what in libvirtd 'QEMU machine types' /dev/kvm 'guest image' 'KVM guest boots' 'libvirt domain start' tgtd \
	qemu-storage-daemon gnuplot 'IOMMU and vfio-pci' 'cache folder' 'results folder'; do
	check "a verdict for '$what'" grep -Eq "^(ok|warn|fail) +$what " "$TMP/out"
done
check "every warn or fail is followed by its fix" \
	awk '/^(warn|fail) / {want = 1; next} want && !/^ +fix: / {exit 1} {want = 0} END {exit want}' "$TMP/out"
check "libvirt's start time is measured" grep -Eq '^ok +libvirt domain start +a trivial domain started in [0-9.]+ s' "$TMP/out"
check "the guest image is compared with the host's fio" grep -Eq "guest fio fio-[0-9.]+, host fio fio-[0-9.]+" "$TMP/out"
check "the modes this host could run are listed" grep -Eq '^modes this host could run: host .*virtio-blk' "$TMP/out"
check "no domain is left" no_domain_left
check "no scratch file is left" sh -c "[ -d '$TMPDIR' ] && [ -z \"\$(ls -A '$TMPDIR')\" ]"

vb doctor --connect 'qemu+unix:///system?socket=/nonexistent' --cache-dir "$CACHE" --results "$TMP/results" --size 64m
check "libvirtd out of reach: exit 1, a fail line with its fix" \
	sh -c "[ $rc -eq 1 ] && grep -q '^fail  libvirtd ' '$TMP/out' && grep -A1 '^fail  libvirtd ' '$TMP/out' | grep -q 'fix: '"
mkdir -p "$TMP/empty-cache"
vb doctor --connect "$CONNECT" --cache-dir "$TMP/empty-cache" --results "$TMP/results" --size 64m
check "no guest image: exit 1, fix 'vmio-bench image build'" \
	sh -c "[ $rc -eq 1 ] && grep -A1 '^fail  guest image ' '$TMP/out' | grep -q 'fix: vmio-bench image build'"
vb doctor "${common[@]}" --size 1000t
check "no room for a 1000 TiB store: exit 1, the cache folder fails" \
	sh -c "[ $rc -eq 1 ] && grep -Eq '^fail  cache folder .*needs 10240[0-9.]+ GiB' '$TMP/out'"
vb doctor stray "${common[@]}"
check "doctor with an argument: exit 2, one line" [ "$rc" -eq 2 -a "$(wc -l < "$TMP/err")" -eq 1 ]
check "still no domain left" no_domain_left
finish
