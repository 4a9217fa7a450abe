#!/bin/bash
# End to end through a real libvirtd, a real QEMU guest and real fio:
# `vmio-bench run --modes virtio-blk`, then the failure paths a nightly job
# meets (a guest that does not greet in time, fio failing in the guest,
# libvirtd out of reach).  Each must leave no domain behind.
. "${VB_SRCDIR:-.}/tests/lib.sh"
need_libvirtd
need_image
command -v jq >/dev/null || need "jq (apt-get install jq)"

R=$TMP/results
common=(--connect "$CONNECT" --cache-dir "$CACHE" --results "$R" --size 256m)

# ---- the main path, with the accelerator chosen automatically -------------
vb run --modes virtio-blk --runtime 3 --ramp 1 --reps 2 --sweep 'bs=4k,16k' "${common[@]}"
cat "$TMP/err" "$TMP/out"
check "run exits 0" [ "$rc" -eq 0 ]
check "the accelerator choice is said exactly once" [ "$(grep -c 'accelerator:' "$TMP/err")" -eq 1 ]
run=$R/latest
check "results/latest points at the run" test -f "$run/run.json"
J=$run/run.json
accel=$(jq -r .accelerator.name "$J")
check "run.json records the accelerator ($accel)" test "$accel" = kvm -o "$accel" = tcg
if [ -c /dev/kvm ] && [ "$accel" = tcg ]; then
	check "the fallback to TCG says why" grep -q 'KVM .* TCG' "$TMP/err"
fi
check "run.json says complete" [ "$(jq -r .state "$J")" = complete ]
check "run.json has start and end times" jqe '.started and .ended' "$J"
check "run.json has vmio-bench, QEMU, libvirt, fio and guest kernel versions" \
	jqe '.versions | .vmio_bench and .qemu and .libvirt and (.fio | startswith("fio-")) and .guest_kernel' "$J"
check "run.json has the effective job" \
	jqe '.config.bs == 4096 and .config.iodepth == 32 and .config.rw == "randrw" and .config.rwmixread == 50 and .config.runtime == 3 and .config.reps == 2 and .config.ramp == 1' "$J"
check "run.json lists the sweep's points" jqe '[.job.points[].label] == ["bs=4k", "bs=16k"]' "$J"
check "run.json records the fio arguments" jqe '.job.fio_args | index("--ioengine=libaio") and index("--direct=1")' "$J"
check "run.json marks virtio-blk ok" jqe '.modes[0].mode == "virtio-blk" and .modes[0].status == "ok"' "$J"
M=$run/virtio-blk
for f in bs-4k/rep-1.fio.json bs-4k/rep-2.fio.json bs-16k/rep-1.fio.json bs-16k/rep-2.fio.json bs-4k/rep-1.iops.log domain.xml console.log hello.json; do
	check "virtio-blk/$f is there" test -s "$M/$f"
done
check "the console log shows the guest's agent" grep -q 'vmio-agent' "$M/console.log"
check "all points and repetitions ran in one boot" [ "$(grep -c 'talking to the controller' "$M/console.log")" -eq 1 ]
check "the guest's fio ran four measured jobs in that boot" [ "$(grep -c 'vmio-agent: job rep-.*: done' "$M/console.log")" -eq 4 ]
check "... and the integrity pattern's write once (issue 24)" [ "$(grep -c 'vmio-agent: job integrity: done' "$M/console.log")" -eq 1 ]
check "the guest saw the disk on virtio_blk, found by serial" \
	jqe '.disks[] | select(.serial == "vmio-disk0") | .driver == "virtio_blk"' "$M/hello.json"
check "the domain XML put the disk on the virtio bus" grep -q "bus='virtio'" "$M/domain.xml"

for point in 4k:4096 16k:16384; do
F=$M/bs-${point%%:*}/rep-1.fio.json
bs=${point#*:}
for dir in read write; do
	iops=$(jq ".jobs[0].$dir.iops" "$F")
	echo "# $dir IOPS: $iops"
	check "$dir IOPS > 0" jqe ".jobs[0].$dir.iops > 0" "$F"
	# fio's IOPS must agree with what it moved: io_bytes / bs / runtime.
	check "$dir IOPS at bs=$bs agrees with io_bytes / bs / runtime (within 2%)" jqe "
		.jobs[0].$dir as \$d | (\$d.io_bytes / $bs / (\$d.runtime / 1000)) as \$calc |
		((\$calc - \$d.iops) | fabs) / \$d.iops < 0.02" "$F"
	check "$dir bandwidth agrees with io_bytes / runtime (within 2%)" jqe "
		.jobs[0].$dir as \$d | (\$d.io_bytes / (\$d.runtime / 1000)) as \$calc |
		((\$calc - \$d.bw_bytes) | fabs) / \$d.bw_bytes < 0.02" "$F"
done
check "fio at bs=$bs ran for the asked 3 s" jqe '.jobs[0].job_runtime >= 2900' "$F"
done
S=$run/summary.json
check "summary.json summarises both points over 2 repetitions" \
	jqe '[.rows[] | select(.mode == "virtio-blk" and .reps == 2)] | length == 4' "$S"
check "summary.json gives a mean, a 95% CI and a CV" jqe '.rows[0].iops | .mean > 0 and .ci95 >= 0 and .cv >= 0 and (.values | length == 2)' "$S"
check "summary.json has merged percentiles" jqe '.rows[0].clat_percentiles_ns | .p50 > 0 and .p99 >= .p50 and .["p99.99"] >= .p99' "$S"
check "summary.json has QEMU's host CPU and the guest's CPU per I/O" jqe '.rows[0].host_cpu_us_per_io > 0 and .rows[0].guest_cpu_us_per_io > 0' "$S"
check "summary.csv and summary.md are written" test -s "$run/summary.csv" -a -s "$run/summary.md"
check "the sweep is charted" test -s "$run/plots/sweep-bs.png" -a -s "$run/plots/sweep-bs.svg"
check "report.html is written" test -s "$run/report.html"
# issue 28 point 3: latency over time, reduced from fio's histogram log in
# the guest (the agent) and carried back beside the IOPS log
L=$M/bs-4k/rep-1.lat.log
cat "$L" 2>/dev/null | sed 's/^/# /'
check "run.json names each repetition's lat log" \
	jqe '[.modes[0].points[].reps[].lat_log] == ["bs-4k/rep-1.lat.log", "bs-4k/rep-2.lat.log", "bs-16k/rep-1.lat.log", "bs-16k/rep-2.lat.log"]' "$J"
# (fio closes a window at the first completion after it ends, direction by
# direction: the last second may be there for one direction only)
check "rep-1.lat.log has one line a second per direction, 1 s to the end of the 3 s run (+1 s ramp)" \
	awk -F', ' '!/^#/ { n[$2]++; if ($1 != n[$2] * 1000) bad = 1 } END { d = n[0] - n[1]; exit !(!bad && n[0] >= 2 && n[0] <= 4 && n[1] >= 2 && n[1] <= 4 && d * d <= 1) }' "$L"
check "... each with completions and p99.9 >= p99 >= p90 >= p50 > 0" \
	awk -F', ' '!/^#/ { if (NF != 7 || $3 < 1 || $4 <= 0 || $5 < $4 || $6 < $5 || $7 < $6) bad = 1; lines++ } END { exit !(lines && !bad) }' "$L"
check "... whose completions add up to about fio's (within the last partial second)" \
	sh -c "jq '.jobs[0].read.total_ios' '$M/bs-4k/rep-1.fio.json' > '$TMP/fio_n'; awk -F', ' '!/^#/ && \$2 == 0 { s += \$3 } END { getline f < \"$TMP/fio_n\"; exit !(s > 0 && s <= f * 1.01) }' '$L'"
check "report.html has the p99 over time chart" \
	sh -c "test -s '$run/plots/p99-over-time.svg' && grep -q 'p99 completion latency per second' '$run/report.html'"
check "the table shows virtio-blk read and write for each point" \
	sh -c "[ \$(grep -c '^virtio-blk  *read  *[1-9]' '$TMP/out') -eq 2 ] && [ \$(grep -c '^virtio-blk  *write  *[1-9]' '$TMP/out') -eq 2 ]"
check "the table names the accelerator" grep -q "accelerator $accel" "$TMP/out"
no_control() { lacks "$1" $'[\r\033]'; }
check "off a terminal: one plain line per step" grep -q 'virtio-blk: done in .* (mode 1 of 1)' "$TMP/err"
check "off a terminal: no status line, no control character" no_control "$TMP/err"
check "no domain is left" no_domain_left

# ---- a fresh boot per repetition --------------------------------------------
vb run --modes virtio-blk --runtime 1 --ramp 0 --reps 2 --boot-per-rep --accel tcg "${common[@]}"
check "--boot-per-rep exits 0" [ "$rc" -eq 0 ]
check "--boot-per-rep booted once per repetition" test -s "$R/latest/virtio-blk/console-boot1.log" -a -s "$R/latest/virtio-blk/console-boot2.log"
check "--boot-per-rep kept both repetitions" jqe '.modes[0].points[0].reps | length == 2' "$R/latest/run.json"
check "no domain is left after --boot-per-rep" no_domain_left

# ---- a guest that does not greet before the deadline ----------------------
# Its /init never starts the agent: a real boot now beats any deadline the
# option allows (5 s), and a test must not depend on the boot being slow.
mkdir -p "$TMP/mute"
printf '#!/bin/busybox sh\nexec /bin/busybox sleep 100000\n' > "$TMP/mute/init"
chmod 755 "$TMP/mute/init"
overlay mute "$TMP/mute"
vb run --modes virtio-blk --runtime 2 --ramp 0 --reps 1 --accel tcg --boot-timeout 5 --initrd "$TMP/mute.img" "${common[@]}"
check "a boot timeout exits 1" [ "$rc" -eq 1 ]
check "a boot timeout names the deadline" grep -q 'did not greet the controller within 5 s' "$TMP/err"
check "a boot timeout is recorded in run.json" \
	jqe '.state == "complete" and .modes[0].status == "failed" and (.modes[0].reason | test("within 5 s"))' "$R/latest/run.json"
check "no domain is left after a boot timeout" no_domain_left

# ---- fio failing inside the guest ----------------------------------------
truncate -s 1M "$TMP/tiny.raw"
vb run --modes virtio-blk --runtime 2 --ramp 0 --reps 1 --accel tcg --disk "$TMP/tiny.raw" --bs 2m "${common[@]}"
check "a fio failure exits 1" [ "$rc" -eq 1 ]
check "a fio failure carries fio's own message" grep -q 'fio exited with status 1: fio: blocksize is larger' "$TMP/err"
check "fio's stderr is kept in the results" grep -q 'blocksize' "$R/latest/virtio-blk/rep-1.stderr.txt"
check "no domain is left after a fio failure" no_domain_left

# ---- libvirtd out of reach -----------------------------------------------
vb run --modes virtio-blk --accel tcg --connect 'qemu+unix:///system?socket=/nonexistent/sock' \
	--cache-dir "$CACHE" --results "$R" --size 256m
check "libvirtd out of reach exits 1" [ "$rc" -eq 1 ]
check "libvirtd out of reach is one clear line" sh -c "[ \$(wc -l < '$TMP/err') -eq 1 ] && grep -q 'cannot connect to libvirt.*is libvirtd running' '$TMP/err'"

check "earlier results are intact" jqe '.state == "complete"' "$J"
# ---- -c FILE: [global] options, one mode's own tuning, the command line over the file
cat > "$TMP/run.ini" <<'INI'
; two modes, one job; virtio-blk alone with a host page cache and threads
[global]
modes = host,virtio-blk
runtime = 1
ramp = 0
reps = 1
[mode virtio-blk]
cache = writeback
io = threads
iothreads = 0
INI
# (on a terminal, where the live status line is checked too)
vbtty run -c "$TMP/run.ini" --runtime 2 "${common[@]}"
J=$R/latest/run.json
check "-c: the run exits 0" [ "$rc" -eq 0 ]
check "terminal: the status line shows the mode's place in the plan and the repetition" grep -q '\[1/2 host\] rep 1/1 default [0-9]*/2 s' "$TMP/tty"
check "terminal: ... the boot with its elapsed seconds" grep -q '\[2/2 virtio-blk\] booting: [0-9]* s' "$TMP/tty"
check "terminal: ... live IOPS from the guest while fio runs" \
	grep -Eq '\[2/2 virtio-blk\] rep 1/1 default [0-9]+/2 s, IOPS [0-9.]+[kM]? r [0-9.]+[kM]? w' "$TMP/tty"
check "terminal: ... the time left" grep -Eq '\| ~([0-9]+h)?([0-9]+m)?[0-9]+s left' "$TMP/tty"
check "terminal: ... tearing down, then done" sh -c "grep -q '\[2/2 virtio-blk\] tearing down' '$TMP/tty' && grep -q '\[2/2 virtio-blk\] done' '$TMP/tty'"
check "terminal: the log lines stay, above the status line" grep -q 'virtio-blk: done in .* (mode 2 of 2)' "$TMP/tty"
# the status line is erased (carriage return, erase to the end) before the table
table_clean() { tr '\r' '\n' < "$TMP/tty" | grep -a '^virtio-blk  *read ' | grep -vq '\['; }
check "terminal: the table follows, the status line gone" table_clean
check "-c: the file's [global] options are the run's, the command line's over them (runtime 2, not 1)" \
	jqe '.config.modes == "host,virtio-blk" and .config.reps == 1 and .config.ramp == 0 and .config.runtime == 2' "$J"
check "-c: run.json records the file's text and its per-mode tuning" \
	sh -c "jq -j .config_file.text '$J' | cmp -s - '$TMP/run.ini' && jq -e '.config_file.modes[\"virtio-blk\"].cache == \"writeback\"' '$J' >/dev/null"
check "-c: virtio-blk's guest ran with its own tuning (cache writeback, io threads, no IOThread)" \
	sh -c "grep -q \"cache='writeback' io='threads'\" '$R/latest/virtio-blk/domain.xml' && ! grep -q iothread '$R/latest/virtio-blk/domain.xml'"
check "-c: ... and run.json says so in the mode's entry, host has none" \
	jqe '(.modes[] | select(.mode == "virtio-blk") | .tuning_overrides.io == "threads") and (.modes[] | select(.mode == "host") | has("tuning_overrides") | not)' "$J"
check "-c: the global tuning is unchanged for the rest (cache none)" jqe '.config.cache == "none"' "$J"
check "no domain is left after the -c run" no_domain_left
# ---- --quiet on a terminal: the table and nothing else
vbtty run --modes host --runtime 1 --ramp 0 --reps 1 --quiet "${common[@]}"
check "--quiet: exits 0" [ "$rc" -eq 0 ]
check "--quiet on a terminal: the table, no log line and no status line" \
	sh -c "grep -q '^host ' '$TMP/tty' && ! grep -q 'vmio-bench:' '$TMP/tty' && ! grep -q '\[1/1' '$TMP/tty'"
finish
