#!/bin/bash
# Bad usage of every kind gets one clear line on stderr, exit status 2, no
# crash, and leaves no results folder behind.  Needs nothing but the binary.
. "${VB_SRCDIR:-.}/tests/lib.sh"

expect_usage() {
	local what=$1; shift
	vb "$@"
	one_line_refusal "$what" 'vmio-bench: error: '
}

R=$TMP/results
expect_usage "no command"            
expect_usage "unknown command"       frobnicate
expect_usage "unknown option"        run --frob --results "$R"
expect_usage "unknown mode"          run --modes bogus --results "$R"
expect_usage "empty mode list"       run --modes "" --results "$R"
expect_usage "empty mode item"       run --modes virtio-blk, --results "$R"
expect_usage "zero iodepth"          run --iodepth 0 --results "$R"
expect_usage "backend with numjobs 2" run --modes backend --numjobs 2 --results "$R"
expect_usage "backend deeper than a virtqueue" run --modes backend --iodepth 400 --results "$R"
# a block device: a loop device if /dev has one, else a node of our own for
# loop device 0 (the refusal looks at the file's type and opens nothing;
# a container without udev has no /dev/loop*, but root can still mknod)
blockdev=$(find /dev -maxdepth 1 -type b -name 'loop*' 2>/dev/null | sed -n 1p)
[ -n "$blockdev" ] || { mknod "$TMP/loop0" b 7 0 2>/dev/null && blockdev=$TMP/loop0; }
if [ -n "$blockdev" ]; then
	expect_usage "nvme on a block device (not in QEMU's private /dev) ($blockdev)" run --modes nvme --disk "$blockdev" --results "$R"
	# (for that reason, not another: an unattached loop device is also too small)
	check "... refused for being a block device" grep -q 'nvme: a block device as --disk cannot be used' "$TMP/err"
elif [ "${CI:-}" = true ]; then
	bad "nvme on a block device: CI has no loop device and cannot mknod one"
else
	echo "# SKIP: nvme on a block device: no loop device in /dev and mknod is not allowed here"
fi
expect_usage "negative runtime"      run --runtime -5 --results "$R"
expect_usage "huge iodepth"          run --iodepth 99999999999999999999 --results "$R"
expect_usage "bad size suffix"       run --bs 4q --results "$R"
expect_usage "size too small"        run --size 1k --results "$R"
expect_usage "bad accel"             run --accel hvf --results "$R"
expect_usage "bad rw"                run --rw trim --results "$R"
expect_usage "missing value"         run --results
expect_usage "an ssh option for a host" run --connect 'qemu+ssh://-oProxyCommand=touch${IFS}x/system' --results "$R"
expect_usage "a shell word for a user" run --connect 'qemu+ssh://a;b@h1/system' --results "$R"
expect_usage "a fleet naming one host twice" run --connect qemu+ssh://root@h1/system --connect 'qemu+ssh://root@h1:2222/system' --results "$R"
expect_usage "a fleet with a bad URI" run --connect qemu+ssh://root@h1/system --connect 'qemu+ssh://-oX/system' --results "$R"
expect_usage "newline in a path"     run --disk $'/tmp/a\nb' --results "$R"
expect_usage "missing disk"          run --disk "$TMP/no such disk" --results "$R" --kernel /etc/hostname --initrd /etc/hostname
expect_usage "directory as disk"     run --disk "$TMP" --results "$R" --kernel /etc/hostname --initrd /etc/hostname
expect_usage "missing kernel"        run --kernel "$TMP/nokernel" --initrd /etc/hostname --results "$R"
expect_usage "no image in cache"     run --cache-dir "$TMP/empty-cache" --results "$R"
expect_usage "image: bad action"     image frob
expect_usage "image: no action"      image
expect_usage "xml: unknown mode"     xml --mode bogus
expect_usage "stray argument"        run stray --results "$R"
truncate -s 2M "$TMP/file.raw" # (large enough: a smaller file is refused for its size first)
expect_usage "a file where a block device is needed" run --backend block --disk "$TMP/file.raw" --results "$R"
check "... refused for being a file" grep -q -- "--backend block needs --disk to name a block device; '$TMP/file.raw' is a file" "$TMP/err"
expect_usage "a missing --lun-device"  run --modes lun --lun-device /dev/nonexistent --results "$R"
expect_usage "a file as --lun-device"  run --modes lun --lun-device /etc/hostname --results "$R"
expect_usage "a malformed --pci-device" run --modes hostdev --pci-device "0000:zz:<1>.9" --results "$R"
expect_usage "a malformed --sriov (VF not a number)" run --modes hostdev --sriov "0000:01:00.0:x" --results "$R"
expect_usage "--sriov and --pci-device together" run --modes hostdev --sriov 01:00.0 --pci-device 01:00.1 --results "$R"
expect_usage "--sweep of an unknown parameter" run --sweep "ioengine=sync" --results "$R"
expect_usage "--sweep with a bad value" run --sweep "bs=4k,4q" --results "$R"
expect_usage "zero repetitions"      run --reps 0 --results "$R"
expect_usage "--io native with writeback cache" run --io native --cache writeback --results "$R"
expect_usage "compare: unknown format" compare a b --format yaml
expect_usage "trend: nothing given"   trend
expect_usage "gate: nothing given"    gate
expect_usage "gate: three arguments"  gate a b c
expect_usage "gate: a bad --spread-mult" gate a --spread-mult much
expect_usage "gate: a negative --rerun" gate a --rerun -1
expect_usage "gate: an unknown format" gate a --format yaml
expect_usage "accept: nothing given"  accept
expect_usage "--reps auto with a --ci-target over 100" run --reps auto --ci-target 101 --results "$R"
expect_usage "--max-reps 1"          run --reps auto --max-reps 1 --results "$R"
expect_usage "--rerun-of a run not in the root" run --rerun-of no-such-run --results "$TMP"
expect_usage "report: a file, not a run" report /etc/hostname
# -c FILE: every problem names the file and line
ini() { printf '%b' "$2" > "$TMP/$1.ini"; }
ini unknown-key '[global]\nbogus = 1\n'
expect_usage "-c: an unknown key"            run -c "$TMP/unknown-key.ini" --results "$R"
check "... named with its file and line" grep -q "unknown-key.ini:2: 'bogus'" "$TMP/err"
ini bad-value '[global]\nmodes = host\niodepth = 0\n'
expect_usage "-c: a value out of range"      run -c "$TMP/bad-value.ini" --results "$R"
check "... named with its file and line" grep -q "bad-value.ini:3: option --iodepth" "$TMP/err"
ini job-per-mode '[global]\n[mode virtio-blk]\nbs = 64k\n'
expect_usage "-c: a job option in a [mode] section" run -c "$TMP/job-per-mode.ini" --results "$R"
ini no-mode '[mode bogus]\n'
expect_usage "-c: a section of an unknown mode" run -c "$TMP/no-mode.ini" --results "$R"
ini no-section 'runtime = 3\n'
expect_usage "-c: an option before any section" run -c "$TMP/no-section.ini" --results "$R"
ini no-value '[global]\nruntime\n'
expect_usage "-c: an option without its value" run -c "$TMP/no-value.ini" --results "$R"
ini flag-value '[global]\nboot-per-rep = maybe\n'
expect_usage "-c: a flag with a value"       run -c "$TMP/flag-value.ini" --results "$R"
ini bad-combo '[global]\n[mode sata]\ncache = writeback\n'
expect_usage "-c: a [mode] tuning QEMU would refuse (native AIO, writeback)" run -c "$TMP/bad-combo.ini" --results "$R"
check "... naming the mode" grep -q "\[mode sata\]: --io native needs" "$TMP/err"
# (an empty cache: should a file pass that must not, nothing boots)
expect_ini() { # NAME WHAT PATTERN: refused, one line, naming the problem
	expect_usage "-c: $2" run -c "$TMP/$1.ini" --results "$R" --cache-dir "$TMP/empty-cache"
	check "... $3" grep -qF -- "$3" "$TMP/err"
}
ini junk-header '[global]\n[mode sata junk]\n'
expect_ini junk-header "a header with more than a mode's name" "junk-header.ini:2: '[mode sata junk]' is not a section"
ini global-junk '[global] x\n'
expect_ini global-junk "[global] with a tail" "global-junk.ini:1: '[global] x' is not a section"
ini mode-two-spaces '[global]\n[mode  sata]\n'
expect_ini mode-two-spaces "[mode  NAME] with two blanks" "mode-two-spaces.ini:2: '[mode  sata]' is not a section"
ini twice '[global]\nruntime = 3\nruntime = 4\n'
expect_ini twice "a key set twice" "twice.ini:3: 'runtime' is set again (first on line 2)"
ini twice-mode '[global]\n[mode sata]\ncache = none\n[mode sata]\ncache = directsync\n'
expect_ini twice-mode "a [mode] key set twice (two sections of one mode)" "twice-mode.ini:5: 'cache' is set again (first on line 3)"
# connect is repeatable: the file takes every value, as repeated --connect
# does (so the fleet's own check sees both hosts and refuses this pair)
ini connect-both '[global]\nconnect = qemu+ssh://root@h1/system\nconnect = qemu+ssh://root@h1:2222/system\n'
expect_ini connect-both "connect twice makes a fleet of both" \
	"'qemu+ssh://root@h1/system' and 'qemu+ssh://root@h1:2222/system' name the same host"
# ';' and '#' inside a value are the value's, not a comment
ini hash-value '[global]\nmodes = host#x\n'
expect_ini hash-value "a value keeps its '#'" "unknown mode 'host#x'"
ini semi-value '[global]\nbs = 4k;8k\n'
expect_ini semi-value "a value keeps its ';'" "semi-value.ini:2: option --bs: '4k;8k'"
ini inline-comment '[global]\nboot-per-rep ; a flag\n'
expect_ini inline-comment "a comment after a key is part of the line" "inline-comment.ini:2: 'boot-per-rep ; a flag' is not an option"
ini comments '  # indented\n[global]\n\t; a tab first\nruntime = 3\n'
vb run -c "$TMP/comments.ini" --help
check "-c: a line whose first non-blank is ';' or '#' is a comment (exit 0)" [ "$rc" -eq 0 ]
printf '[global]\nruntime = 3\0\n' > "$TMP/nul.ini"
expect_usage "-c: a binary file"             run -c "$TMP/nul.ini" --results "$R"
expect_usage "-c: a missing file"            run -c "$TMP/none.ini" --results "$R"
expect_usage "-c without its file"           run -c
for f in "$VB_SRCDIR"/examples/*.ini; do
	vb run -c "$f" --help
	check "example $(basename "$f") is a valid file (exit 0)" [ "$rc" -eq 0 ]
done
check "no results folder was created by bad usage" test ! -e "$R"

vb --help
check "--help exits 0 and lists run" sh -c "[ $rc -eq 0 ] && grep -q '^  run' '$TMP/out'"
vb run --help
check "run --help lists --bs with its default" grep -q -- '--bs SIZE.*\[4k\]' "$TMP/out"
vb modes
check "modes lists virtio-blk" grep -q '^virtio-blk *yes' "$TMP/out"
# a PCI function of this machine without SR-IOV
plain=$(for d in /sys/bus/pci/devices/*; do [ -e "$d/sriov_totalvfs" ] || { basename "$d"; break; }; done)
if [ -n "$plain" ]; then
	vb modes --sriov "$plain:0"
	check "modes: hostdev's probe says a --sriov PF without SR-IOV offers no VFs" \
		grep -q "^hostdev *no *PCI function $plain offers no SR-IOV virtual functions" "$TMP/out"
else
	echo "# SKIP: modes --sriov on a PCI function without SR-IOV: this machine shows no PCI function"
fi
finish
