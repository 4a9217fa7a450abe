#!/bin/bash
# QoS through libvirt's <iotune> (issue 26, point 3), with a real guest:
# virtio-blk unthrottled first, to learn what this guest reaches; then the
# same job with --iotune total_iops_sec at a quarter of that.  fio's total
# IOPS (reads and writes) over the measurement window must be within 5% of
# the limit.  QEMU's throttle is a leaky bucket that lets a burst of a
# tenth of a second's worth through at the start: the 2 s ramp keeps it
# out of the window.  Without the <iotune> in the domain, the guest would
# do four times the limit and the check would fail.  What the limit costs
# on the host (CPU per I/O and per second, run.json's host_cpu) is printed
# both ways: the figures of the README's "An iotune run".
. "${VB_SRCDIR:-.}/tests/lib.sh"
need_libvirtd
need_image
command -v jq >/dev/null || need "jq (apt-get install jq)"

R=$TMP/results
common=(--modes virtio-blk --connect "$CONNECT" --cache-dir "$CACHE" --size 256m --accel tcg --integrity off
	--runtime 4 --ramp 2 --reps 2)
within() { awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a > 0 && b > 0 && d <= p * b) }'; }
# total IOPS of each repetition from fio's own JSON, mean over the reps
fio_iops() { jq -s 'map(.jobs[0] | .read.iops + .write.iops) | add / length' "$1"/virtio-blk/rep-*.fio.json; }
# host CPU, from run.json's host_cpu: cores busy (CPU s per s of window)
cores() { jq '[.modes[0].points[0].reps[].host_cpu | ([.processes[]] | add) / 1e9 / .window_s] | add / length' "$1/run.json"; }
per_io() { jq '[.rows[] | select(.dir == "read") | .host_cpu_us_per_io] | first' "$1/summary.json"; }

# ---- unthrottled ------------------------------------------------------------
vb run "${common[@]}" --results "$R/free"
check "unthrottled run exits 0" [ "$rc" -eq 0 ]
free=$(fio_iops "$R/free/latest")
check "the unthrottled run has no <iotune> and records none" \
	sh -c "! grep -q '<iotune>' '$R/free/latest/virtio-blk/domain.xml' && jq -e '.modes[0] | has(\"iotune\") | not' '$R/free/latest/run.json' >/dev/null"
check "... and its summary has no iotune line" sh -c "! grep -q 'iotune' '$TMP/out' && jq -e 'has(\"iotune\") | not' '$R/free/latest/summary.json' >/dev/null"

# ---- throttled to a quarter ---------------------------------------------------
limit=$(awk -v f="$free" 'BEGIN { l = int(f / 4 / 10) * 10; print (l < 20 ? 20 : l) }')
echo "# unthrottled: $free IOPS; the limit: total_iops_sec=$limit"
vb run "${common[@]}" --results "$R/tuned" --iotune "total_iops_sec=$limit"
check "throttled run exits 0" [ "$rc" -eq 0 ]
T=$R/tuned/latest
check "the domain's disk carries <iotune><total_iops_sec>$limit" \
	grep -q "<total_iops_sec>$limit</total_iops_sec>" "$T/virtio-blk/domain.xml"
check "libvirt took it: the live domain's disk has it too" \
	grep -q "<total_iops_sec>$limit</total_iops_sec>" "$T/virtio-blk/domain-live.xml"
check "run.json records the limit: config.iotune and modes[0].iotune.all" \
	jqe --argjson l "$limit" '.config.iotune == "total_iops_sec=\($l)" and .modes[0].iotune == {all: {total_iops_sec: $l}}' "$T/run.json"
got=$(fio_iops "$T")
echo "# throttled: fio measured $got IOPS (reads + writes) against total_iops_sec=$limit"
check "the measured total IOPS is within 5% of the limit ($got vs $limit)" within "$got" "$limit" 0.05
for f in "$T"/virtio-blk/rep-*.fio.json; do
	r=$(jq '.jobs[0] | .read.iops + .write.iops' "$f")
	check "... in each repetition ($(basename "$f"): $r)" within "$r" "$limit" 0.05
done
check "the limit is well below what the guest reaches unthrottled ($limit vs $free)" \
	awk -v l="$limit" -v f="$free" 'BEGIN { exit !(l * 3 < f) }'
line="virtio-blk: iotune total_iops_sec=$limit, measured"
check "the table sets the limit beside the measured rate ('$line ...')" grep -q "^$line [0-9]* IOPS ([0-9.]*% of the limit)$" "$TMP/out"
check "summary.json carries it" jqe --argjson l "$limit" \
	'.iotune | length == 1 and .[0].mode == "virtio-blk" and .[0].limit == "total_iops_sec" and .[0].value == $l and .[0].unit == "IOPS" and (.[0].of_limit - 1 | fabs) < 0.05' \
	"$T/summary.json"
# (Markdown escapes the underscores)
check "summary.md and report.html carry it" sh -c "sed 's/\\\\_/_/g' '$T/summary.md' | grep -qF '$line' && grep -qF '$line' '$T/report.html'"

# ---- a mode with no guest disk: the unthrottled ceiling ------------------------
# (the default --modes has host: a limit on the guests does not refuse it)
vb run --modes host --connect "$CONNECT" --cache-dir "$CACHE" --size 256m --accel tcg --integrity off \
	--runtime 2 --ramp 0 --reps 1 --results "$R/host" --iotune "total_iops_sec=$limit"
check "host beside --iotune runs (exit 0), saying it runs unthrottled" \
	sh -c "[ $rc -eq 0 ] && grep -q 'host: no guest disk to limit: it runs unthrottled' '$TMP/err'"
check "... records no limit, and fio on the host is not held to it" \
	jqe --argjson l "$limit" '(.modes[0] | has("iotune") | not) and (.modes[0].points[0].reps[0].iops | .read + .write) > 2 * $l' \
	"$R/host/latest/run.json"

# ---- what the limit costs on the host -----------------------------------------
fc=$(cores "$R/free/latest"); tc=$(cores "$T")
fp=$(per_io "$R/free/latest"); tp=$(per_io "$T")
printf '# host CPU, unthrottled: %.0f IOPS, %.1f us per I/O, %.2f cores\n' "$free" "$fp" "$fc"
printf '# host CPU, total_iops_sec=%s: %.0f IOPS, %.1f us per I/O, %.2f cores\n' "$limit" "$got" "$tp" "$tc"
check "host CPU per I/O and per second are there both ways" \
	awk -v a="$fp" -v b="$tp" -v c="$fc" -v d="$tc" 'BEGIN { exit !(a > 0 && b > 0 && c > 0 && d > 0) }'
finish
