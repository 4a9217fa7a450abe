#!/bin/bash
# `vmio-bench tune`'s bad input (issue 27, point 7): one line each, exit 2,
# before any guest boots -- no tune folder, no domain, no libvirt needed.
# io_uring where the hypervisor cannot do it: a qemu-io that fails (the
# probe's tool) stands for a QEMU or kernel without it.
. "${VB_SRCDIR:-.}/tests/lib.sh"

R=$TMP/results
common=(--results "$R" --cache-dir "$TMP/cache" --runtime 2 --ramp 0)
refuse() { # WHAT TEXT ARGS...
	local what=$1 text=$2
	shift 2
	vb tune "$@" "${common[@]}"
	one_line_refusal "$what" "$text"
}
refuse "--mode missing" "--mode is required"
refuse "an unknown mode" "unknown mode 'nope'" --mode nope
refuse "a variant as --mode" "a variant" --mode virtio-blk+x
refuse "a mode without knobs" "host has no knobs" --mode host
refuse "an unknown knob" "unknown knob 'foo'" --mode virtio-blk --space 'foo=1'
refuse "a value the knob does not take" "'bogus' is not one of" --mode virtio-blk --space 'io=bogus'
refuse "a value out of the knob's range" "iothreads" --mode virtio-blk --space 'iothreads=0,999'
refuse "a knob the mode does not have" "mode sata has no knob 'iothreads'" --mode sata --space 'iothreads=0,1'
refuse "a knob given twice" "given twice" --mode virtio-blk --space 'io=native io=threads'
refuse "a value given twice" "io=native is given twice" --mode virtio-blk --space 'io=native,threads,native'
refuse "an empty value" "an empty value" --mode virtio-blk --space 'io=native,,threads'
refuse "a trailing comma" "an empty value" --mode virtio-blk --space 'io=native,threads,'
refuse "several --connect" "tune races on one host" --mode virtio-blk --space 'io=native,threads' \
	--connect 'qemu+ssh://a/system' --connect 'qemu+ssh://b/system'
refuse "a malformed word" "is not KNOB=VALUE" --mode virtio-blk --space 'io'
refuse "more than 64 candidates" "96 candidates, more than 64" \
	--mode virtio-blk --space 'io=native,threads iothreads=0,1,2,3 queues=1,2,3,4 cache=none,directsync,writeback'
refuse "a budget too small for one round" "give --budget" --mode virtio-blk --budget 1 --runtime 30
refuse "an unknown objective" "not one of iops|iops-per-cpu|clat_p99" --mode virtio-blk --objective bw
refuse "one candidate is no race" "a race needs two or more" --mode virtio-blk --space 'io=native'
# a job input the round's run refuses (a guest kernel that is not there):
# refused by tune itself, before its folder, as run would word it
refuse "a missing guest kernel" "--kernel '/nonexistent-kernel'" \
	--mode virtio-blk --space 'io=native,threads' --kernel /nonexistent-kernel
# one round (2 x 31 s) fits 3 minutes, but not with the confirmation's 6
# guests (6 x 29 s) after it: the budget covers both
refuse "a budget too small for a round and the confirmation" "give --budget 4" \
	--mode virtio-blk --space 'io=native,threads' --budget 3 --runtime 2
mkdir -p "$TMP/bin"
printf '#!/bin/sh\necho "qemu-io: Could not open: io_uring: not supported" >&2\nexit 1\n' > "$TMP/bin/qemu-io"
chmod +x "$TMP/bin/qemu-io"
PATH=$TMP/bin:$PATH vb tune --mode virtio-blk --space 'io=native,io_uring' "${common[@]}"
one_line_refusal "io_uring where the probe fails" "io=io_uring: this host's QEMU or kernel cannot do it"
check "no tune folder was made" sh -c "! ls -d '$R'/tune-* 2>/dev/null | grep -q ."
vb tune --help
check "tune --help lists its options" sh -c "[ $rc -eq 0 ] && grep -q -- '--space' '$TMP/out' && grep -q -- '--objective' '$TMP/out' && grep -q -- '--budget' '$TMP/out' && grep -q -- '--runtime' '$TMP/out'"
finish
