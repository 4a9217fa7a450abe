#!/bin/bash
# CPU per I/O and random seeds, measured for real.
# - host mode: vmio-bench's /proc window figure against fio's own rusage
#   ((usr_cpu + sys_cpu) x job_runtime / I/Os) at numjobs 1 and 2
#   (group_reporting sums job_runtime over the jobs): within 20%.
# - a guest: --ramp 0 and --ramp 4 give CPU per I/O within 40% of each
#   other (the window excludes fio's start-up and ramp), in one boot.
# - every repetition has its own seed, recorded and given to fio.
. "${VB_SRCDIR:-.}/tests/lib.sh"
need_libvirtd
need_image
command -v jq >/dev/null || need "jq (apt-get install jq)"

R=$TMP/results
common=(--connect "$CONNECT" --cache-dir "$CACHE" --results "$R" --size 256m --accel tcg)
within() { awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a > 0 && b > 0 && d <= p * b) }'; }

for nj in 1 2; do
	vb run --modes host --numjobs "$nj" --runtime 3 --ramp 1 --reps 2 "${common[@]}"
	check "host, numjobs $nj: exit 0" [ "$rc" -eq 0 ]
	ours=$(jq '.rows[] | select(.mode == "host" and .dir == "read") | .host_cpu_us_per_io' "$R/latest/summary.json")
	fios=$(jq -s 'map(.jobs[0] | (.usr_cpu + .sys_cpu) / 100 * .job_runtime * 1000 / (.read.total_ios + .write.total_ios)) | add / length' \
		"$R"/latest/host/rep-*.fio.json)
	echo "# host, numjobs $nj: CPU per I/O from /proc over the window $ours us, from fio's rusage $fios us"
	check "host, numjobs $nj: CPU per I/O agrees with fio's own rusage within 20% ($ours vs $fios us)" within "$ours" "$fios" 0.20
	check "host, numjobs $nj: the window covers fio's processes" \
		jqe '[.modes[0].points[0].reps[].host_cpu | .window_s > 1 and .processes.fio > 0] | length == 2 and all' "$R/latest/run.json"
done

# --ramp 0 against --ramp 4 in one boot, alternating (a sweep over ramp,
# repetition-major).  Under TCG a guest's IOPS wanders by 30% and more from
# one repetition to the next (seen here: 7.4k to 15.6k in one boot), and
# CPU per I/O with it, so each ramp-4 repetition is compared with the
# ramp-0 one just before it, and the median of those ratios must be within
# 40% of 1.  A window that took in fio's start-up and the 4 s ramp would
# divide about 7.3 s of QEMU's CPU by 3 s of I/Os against 3.3 s for ramp 0:
# a ratio near 2.2.  (15% failed once in CI, at 1.23, under the sanitizer
# pass: TCG's noise, not the window; the window's bounds are checked
# directly just below.)
vb run --modes virtio-blk --runtime 3 --sweep 'ramp=0,4' --reps 5 "${common[@]}"
check "virtio-blk, --ramp 0 and 4: exit 0" [ "$rc" -eq 0 ]
J=$R/latest/run.json
for ramp in 0 4; do
	check "virtio-blk, --ramp $ramp: QEMU's CPU read from /proc over a window inside the runtime" \
		jqe --arg p "ramp=$ramp" '[.modes[0].points[] | select(.label == $p) | .reps[].host_cpu
			| .source == "/proc" and .processes.qemu > 0 and .window_s > 1.5 and .window_s < 3] | length == 5 and all' "$J"
done
check "virtio-blk: guest CPU per I/O is there, in each of the 4 rows (2 points, read and write)" \
	jqe '[.rows[] | select(.mode == "virtio-blk") | .guest_cpu_us_per_io > 0] | length == 4 and all' "$R/latest/summary.json"
cpu_per_io() { # RAMP REP: host CPU us per I/O of that repetition
	local ns w iops
	read -r ns w < <(jq -r --arg p "ramp=$1" --argjson i "$2" \
		'.modes[0].points[] | select(.label == $p) | .reps[$i - 1].host_cpu | "\(.processes | add) \(.window_s)"' "$J")
	iops=$(jq '.jobs[0].read.iops + .jobs[0].write.iops' "$R/latest/virtio-blk/ramp-$1/rep-$2.fio.json")
	awk -v n="$ns" -v w="$w" -v i="$iops" 'BEGIN { printf "%.2f", n / 1000 / w / i }'
}
ratios=()
for i in 1 2 3 4 5; do
	a=$(cpu_per_io 0 "$i") b=$(cpu_per_io 4 "$i")
	ratios+=("$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", b / a }')")
	echo "# virtio-blk rep $i: host CPU per I/O --ramp 0 $a us, --ramp 4 $b us"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -g | sed -n 3p)
echo "# virtio-blk: ratios --ramp 4 / --ramp 0: ${ratios[*]}; median $median"
check "virtio-blk: --ramp 0 and --ramp 4 agree within 40% (median paired ratio $median)" \
	awk -v m="$median" 'BEGIN { exit !(m >= 0.6 && m <= 1.4) }'

# seeds: one per repetition, distinct, recorded, and the one fio ran with
J=$R/latest/run.json
check "run.json records a seed per repetition, all different" jqe '(.seeds | length == 5) and (.seeds | unique | length == 5)' "$J"
check "no fixed seed in the job's fio arguments" jqe '[.job.fio_args[] | select(startswith("--randrepeat") or startswith("--randseed"))] | length == 0' "$J"
same_seed() { [[ $1 =~ ^[0-9]+$ ]] && [ "$1" = "$2" ]; } # a number, the same on both sides
for i in 1 2 3 4 5; do
	for ramp in 0 4; do
		check "rep $i, ramp $ramp ran fio with its recorded seed" \
			same_seed "$(jq -r '.jobs[0]["job options"].randseed' "$R/latest/virtio-blk/ramp-$ramp/rep-$i.fio.json")" "$(jq ".seeds[$((i - 1))]" "$J")"
	done
done
check "each repetition's entry names its seed" jqe '[.modes[0].points[] | [.reps[] | .seed] == $s] | length == 2 and all' --argjson s "$(jq -c .seeds "$J")" "$J"
check "no domain is left" no_domain_left
finish
