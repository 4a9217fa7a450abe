#!/bin/bash
# The gate judges what changed and sees what is missing (issue 22, point
# 3), on run folders made from tests/fixtures/run-v2 (run.json schema 2,
# with host.hostname and a mode dropped at probe time) with fio JSON
# written per repetition: no guest, no libvirt.
#
# What is under test (QEMU, libvirt, host and guest kernels, fio) may
# change between the history and tonight: the runs pool and the verdict
# names each change.  What defines the measurement (here: host name and
# CPU model) may not.  A mode the plan asked for that was unavailable at
# probe time, or is missing, and a direction that read 0 IOPS, regress;
# a mode not asked for is "not measured".
. "${VB_SRCDIR:-.}/tests/lib.sh"
command -v jq >/dev/null || need "jq (apt-get install jq)"
FIX=$VB_SRCDIR/tests/fixtures/run-v2
# jq 1.6's -e exits 0 on empty input: a command that printed nothing must
# not pass a check on its output
jqe() { [ -s "${*: -1}" ] && jq -e "$@" >/dev/null; }

# fio's JSON of one repetition: READ and WRITE IOPS, 4k, iodepth 32 (the
# latency follows from them, so half the IOPS is twice the latency)
fio_json() {
	jq -n --argjson r "$1" --argjson w "$2" 'def d(i): {iops: i, bw_bytes: (i * 4096), io_bytes: (i * 4096 * 2 | floor),
		total_ios: (i * 2 | floor), runtime: 2000, clat_ns: {mean: (if i > 0 then 32e9 / i else 0 end),
		percentile: {"99.000000": (if i > 0 then 64e9 / i | floor else 0 end)}}};
		{"fio version": "fio-3.33", jobs: [{jobname: "vmio", error: 0, read: d($r), write: d($w), usr_cpu: 5.0,
		sys_cpu: 10.0, job_runtime: 2000}]}'
}
# night ROOT NAME STARTED JQ V1 V2 V3: a run folder as 'run --modes
# host,virtio-blk' writes it, host at its fixture's IOPS, virtio-blk's
# three repetitions at V1..V3 IOPS (read and write alike), run.json
# changed by the jq filter JQ
night() {
	local root=$1 name=$2 started=$3 filter=$4 i=0 v
	shift 4
	mkdir -p "$root/$name"
	cp -r "$FIX/host" "$FIX/virtio-blk" "$root/$name/"
	for v in "$@"; do
		i=$((i + 1))
		fio_json "$v" "$v" > "$root/$name/virtio-blk/rep-$i.fio.json"
	done
	jq --arg id "$name" --arg st "$started" '.id = $id | .started = $st | .config.modes = "host,virtio-blk"
		| .modes |= map(select(.mode != "lun")) | '"$filter" "$FIX/run.json" > "$root/$name/run.json"
}
q7='.versions.qemu = "7.2.22"'
q8='.versions.qemu = "8.2.0"'

# ---- five accepted nights on QEMU 7.2.22 ------------------------------------
R=$TMP/root
for k in 1 2 3 4 5; do
	night "$R" "night-$k" "2026-12-0${k}T01:00:00Z" "$q7" $((4000 + 10 * k)) $((4050 - 10 * k)) $((3950 + 5 * k))
	"$VB" accept "$R/night-$k" >/dev/null 9>&-
done
vb report "$R/night-1"
check "the fixture's nights load (schema 2, host.hostname)" [ "$rc" -eq 0 ]

# ---- the upgrade: QEMU 8.2.0, virtio-blk at half its IOPS ----------------------
night "$R" upgrade 2026-12-06T01:00:00Z "$q8" 2000 2025 1975
vb gate "$R" upgrade --format json
cp "$TMP/out" "$TMP/upgrade.json"
check "the upgrade night: exit 1 (regressed)" [ "$rc" -eq 1 ]
check "... judged against the five nights on 7.2.22, pooled, none left out" \
	jqe '(.history.runs | length == 5) and .history.left_out_differing == 0 and .first_run == false' "$TMP/upgrade.json"
check "... virtio-blk's IOPS regressed, read and write; host's did not" \
	jqe '([.tests[] | select(.mode == "virtio-blk" and .metric == "iops" and .verdict == "regressed")] | length == 2)
		and ([.tests[] | select(.mode == "host" and .verdict == "regressed")] | length == 0)' "$TMP/upgrade.json"
check "... version_changes names the QEMU change, and only it" \
	jqe '.version_changes | length == 1 and .[0].what == "QEMU" and .[0].from == ["7.2.22"] and .[0].to == "8.2.0"
		and .[0].runs == 5 and .[0].text == "QEMU 7.2.22 → 8.2.0 since the history"' "$TMP/upgrade.json"
check "... JSON verdict regressed, exit_status 1, not accepted" \
	jqe '.verdict == "regressed" and .exit_status == 1 and .accepted == false' "$TMP/upgrade.json"
vb gate "$R" upgrade
check "... the text's verdict line names the QEMU change" \
	grep -qx 'verdict: regressed, with QEMU 7.2.22 → 8.2.0 since the history; not accepted into the history' "$TMP/out"
vb compare "$R/night-5" "$R/upgrade"
check "compare over the upgrade: no refusal, exit 1, the change printed" \
	sh -c "[ $rc -eq 1 ] && grep -qx 'under test, changed: QEMU 7.2.22 → 8.2.0' '$TMP/out' && grep -Eq '^virtio-blk .* iops .* regressed' '$TMP/out'"
vb compare "$R/night-5" "$R/upgrade" --format json
check "compare --format json: exit 1, version_changes" [ "$rc" -eq 1 ]
check "... version_changes" jqe '.version_changes[0].text == "QEMU 7.2.22 → 8.2.0"' "$TMP/out"
rm -rf "$R/upgrade"

# ---- a noise-only night on new versions of everything under test ----------------
night "$R" noise 2026-12-06T01:00:00Z "$q8"' | .versions.libvirt = "10.0.0" | .versions.host_kernel = "6.12.1"
	| .versions.guest_kernel = "6.12.0-1-amd64" | .versions.fio = "fio-3.38"' 4010 3990 4000
vb gate "$R" noise --format json
check "a noise-only night on new versions: exit 0, pass, accepted" \
	jqe '.verdict == "pass" and .exit_status == 0 and .accepted == true and (.history.runs | length == 5)' "$TMP/out"
check "... its verdict names every version that changed" \
	jqe '[.version_changes[].what] == ["QEMU", "libvirt", "host kernel", "guest kernel", "fio"]' "$TMP/out"
check "... fio's change read as fio-3.33 → fio-3.38" \
	jqe '.version_changes[] | select(.what == "fio") | .text == "fio fio-3.33 → fio-3.38 since the history"' "$TMP/out"
rm -rf "$R/noise"

# ---- an accepted upgrade starts the history afresh ----------------------------------
# 8.2.0 improves virtio-blk by half and is accepted, with two more nights on
# it; 8.2.1 then loses all of that.  Pooled with the five nights on 7.2.22
# (the median of all eight is at the old level) the loss would pass: the
# history is the accepted runs since its versions last changed.
U=$TMP/upgrades
for k in 1 2 3 4 5; do
	night "$U" "old-$k" "2026-12-0${k}T01:00:00Z" "$q7" $((4000 + 10 * k)) $((4050 - 10 * k)) $((3950 + 5 * k))
	"$VB" accept "$U/old-$k" >/dev/null 9>&-
done
for k in 6 7 8; do
	night "$U" "new-$k" "2026-12-0${k}T01:00:00Z" "$q8" $((6000 + 10 * k)) $((6050 - 10 * k)) $((5950 + 5 * k))
	"$VB" accept "$U/new-$k" >/dev/null 9>&-
done
night "$U" loss 2026-12-09T01:00:00Z '.versions.qemu = "8.2.1"' 4010 4040 3990
vb gate "$U" loss --format json
check "8.2.1 losing 8.2.0's gain: regressed (exit 1), judged by the three nights on 8.2.0 only" \
	jqe '.verdict == "regressed" and .exit_status == 1 and .history.runs == ["new-8", "new-7", "new-6"]
		and .history.left_out_older_versions == 5' "$TMP/out"
check "... naming QEMU 8.2.0 → 8.2.1, not 7.2.22" \
	jqe '[.version_changes[].text] == ["QEMU 8.2.0 → 8.2.1 since the history"]' "$TMP/out"
vb gate "$U" loss
check "... the text says what was left out" grep -q ', 5 accepted before the history.s versions (QEMU, libvirt, kernels, fio) last changed' "$TMP/out"

# ---- another machine does not pool ----------------------------------------------
night "$R" elsewhere 2026-12-06T01:00:00Z "$q7"' | .host.hostname = "bench-b"' 2000 2025 1975
vb gate "$R" elsewhere --format json
check "a night on another host name: none of the five pooled, counted as measured differently" \
	jqe '(.history.runs | length == 0) and .history.left_out_differing == 5 and .first_run == true' "$TMP/out"
vb compare "$R/night-5" "$R/elsewhere"
check "... compare refuses it (exit 2), naming the host name" \
	sh -c "[ $rc -eq 2 ] && grep -q 'compare: host name differs: \"bench-a\" in night-5, \"bench-b\" in elsewhere' '$TMP/err'"
vb compare "$R/night-5" "$R/elsewhere" --force
check "... unless --force (then exit 1: half the IOPS)" [ "$rc" -eq 1 ]
rm -rf "$R/elsewhere"
night "$R" othercpu 2026-12-06T01:00:00Z "$q7"' | .host.cpu = "AMD EPYC 7763 64-Core Processor"' 2000 2025 1975
vb gate "$R" othercpu --format json
check "a night on another CPU model: none of the five pooled" \
	jqe '(.history.runs | length == 0) and .history.left_out_differing == 5' "$TMP/out"
vb compare "$R/night-5" "$R/othercpu"
check "... compare refuses it (exit 2), naming the CPU model" sh -c "[ $rc -eq 2 ] && grep -q 'compare: CPU model differs' '$TMP/err'"
rm -rf "$R/othercpu"

# ---- what the plan asked for and did not get ------------------------------------
# lun dropped at probe time (the fixture's own entry), lun named in the plan
dropped() { # PLAN
	night "$R" dropped 2026-12-06T01:00:00Z "$q7" 4010 3990 4000
	jq --slurpfile f "$FIX/run.json" --arg plan "$1" '.config.modes = $plan | .modes += [$f[0].modes[] | select(.mode == "lun")]' \
		"$R/dropped/run.json" > "$R/dropped/run.t" && mv "$R/dropped/run.t" "$R/dropped/run.json"
}
dropped host,virtio-blk,lun
vb gate "$R" dropped --format json
cp "$TMP/out" "$TMP/dropped.json"
check "a mode named in the plan and dropped at probe time: exit 1, regressed" [ "$rc" -eq 1 ]
check "... lun's status item says unavailable, with the probe's reason; it never ran in the history" \
	jqe '[.tests[] | select(.mode == "lun" and .metric == "status" and .verdict == "regressed" and .new_status == "unavailable"
		and .history_status == "-" and (.why | startswith("asked for, unavailable at probe time: tgtd/tgtadm are missing")))] | length == 1' \
	"$TMP/dropped.json"
check "... and nothing else regressed" jqe '[.tests[] | select(.verdict == "regressed")] | length == 1' "$TMP/dropped.json"
vb gate "$R" dropped
check "... the text table shows lun unavailable, regressed" \
	grep -Eq '^lun +- +- +status +- +unavailable +regressed \(asked for, unavailable at probe time' "$TMP/out"
vb report "$R/dropped"
check "report shows the dropped mode as UNAVAILABLE, with its reason" \
	grep -Eq '^lun +UNAVAILABLE: tgtd/tgtadm are missing' "$TMP/out"
check "... and report.html says so" grep -q '<b>lun unavailable</b> (dropped at probe time): tgtd' "$R/dropped/report.html"
rm -rf "$R/dropped"
# --modes all: a mode this host never ran is not lost (else a host without
# tgtd stays red every night); one the history ran is
dropped all
vb gate "$R" dropped --format json
check "--modes all, lun unavailable and never run in the history: exit 0, lun 'not measured', nothing regressed" \
	jqe '.exit_status == 0 and (.not_measured | index("lun") != null) and ([.tests[] | select(.verdict == "regressed")] | length == 0)' "$TMP/out"
rm -rf "$R/dropped"
cp "$R/night-5/run.json" "$TMP/night-5.json"
cp -r "$R/night-5/virtio-blk" "$R/night-5/lun"
jq '.modes += [.modes[] | select(.mode == "virtio-blk") | .mode = "lun"]' "$TMP/night-5.json" > "$R/night-5/run.json"
dropped all
vb gate "$R" dropped --format json
check "--modes all, lun unavailable tonight and ok in the history: exit 1, lun regressed" \
	jqe '.exit_status == 1 and ([.tests[] | select(.verdict == "regressed") | .mode] == ["lun"])
		and (.not_measured | index("lun") == null)' "$TMP/out"
cp "$TMP/night-5.json" "$R/night-5/run.json"
rm -rf "$R/night-5/lun" "$R/dropped"

# a mode the plan names with no record in run.json
night "$R" norecord 2026-12-06T01:00:00Z "$q7"' | .config.modes = "host,virtio-blk,sata"' 4010 3990 4000
vb gate "$R" norecord --format json
check "a mode asked for with no record: exit 1, sata regressed" \
	sh -c "[ $rc -eq 1 ] && [ -s '$TMP/out' ] && jq -e '[.tests[] | select(.mode == \"sata\" and .verdict == \"regressed\" and .new_status == \"missing\")] | length == 1' '$TMP/out' >/dev/null"
rm -rf "$R/norecord"

# a job point the plan asked for with no repetition in a mode that finished
night "$R" nopoint 2026-12-06T01:00:00Z "$q7"' | (.modes[] | select(.mode == "virtio-blk") | .points[0].reps) = []' 4010 3990 4000
vb gate "$R" nopoint --format json
check "a job point without repetitions: exit 1, regressed, naming the point" \
	sh -c "[ $rc -eq 1 ] && [ -s '$TMP/out' ] && jq -e '[.tests[] | select(.mode == \"virtio-blk\" and .point == \"default\" and .new_status == \"none\" and .verdict == \"regressed\")] | length == 1' '$TMP/out' >/dev/null"
rm -rf "$R/nopoint"

# repetitions that read 0 IOPS are counted, not dropped
night "$R" zero 2026-12-06T01:00:00Z "$q7" 4010 0 4000
vb gate "$R" zero --format json
cp "$TMP/out" "$TMP/zero.json"
check "a repetition of 0 IOPS: exit 1, regressed" [ "$rc" -eq 1 ]
check "... named per direction: read 0 IOPS in 1 of 3 repetitions" \
	jqe '[.tests[] | select(.mode == "virtio-blk" and .metric == "status" and .why == "read 0 IOPS in 1 of 3 repetitions")] | map(.dir) == ["read", "write"]' \
	"$TMP/zero.json"
check "... and counted in the IOPS test (3 repetitions tonight, median 4000)" \
	jqe '[.tests[] | select(.mode == "virtio-blk" and .metric == "iops") | .new] | unique == [{"median": 4000, "reps": 3}]' "$TMP/zero.json"
rm -rf "$R/zero"
night "$R" allzero 2026-12-06T01:00:00Z "$q7" 0 0 0
vb gate "$R" allzero --format json
check "every repetition at 0 IOPS: exit 1, the IOPS tests regressed too" \
	sh -c "[ $rc -eq 1 ] && [ -s '$TMP/out' ] && jq -e '[.tests[] | select(.mode == \"virtio-blk\" and .metric == \"iops\" and .verdict == \"regressed\")] | length == 2' '$TMP/out' >/dev/null"
rm -rf "$R/allzero"
# a write-only job does not read: its read direction is not a 0-IOPS regression
W=$TMP/writes
for k in 1 2 3; do
	night "$W" "w-$k" "2026-12-0${k}T01:00:00Z" "$q7"' | .job.points[0].params.rw = "randwrite"' 4000 4010 3990
	for d in "$W/w-$k"/*/; do for f in "$d"rep-*.fio.json; do
		jq '.jobs[0].read = (.jobs[0].read | .iops = 0 | .bw_bytes = 0 | .total_ios = 0 | .io_bytes = 0 | .clat_ns.mean = 0)' "$f" > "$f.t" && mv "$f.t" "$f"
	done; done
	"$VB" accept "$W/w-$k" >/dev/null 9>&-
done
rm "$W/w-3/accepted.json"
vb gate "$W" w-3 --format json
check "a write-only job: no read direction judged, no 0-IOPS regression (exit 0)" \
	sh -c "[ $rc -eq 0 ] && [ -s '$TMP/out' ] && jq -e '([.tests[] | select(.dir == \"read\")] | length == 0) and ([.tests[] | select(.dir == \"write\")] | length > 0)' '$TMP/out' >/dev/null"

# a mode not asked for tonight is listed, judged by nothing
night "$R" hostonly 2026-12-06T01:00:00Z "$q7"' | .config.modes = "host" | .modes |= map(select(.mode == "host"))'
vb gate "$R" hostonly --format json
check "a mode not asked for tonight: exit 0, listed as not measured, no test of it" \
	sh -c "[ $rc -eq 0 ] && [ -s '$TMP/out' ] && jq -e '.not_measured == [\"virtio-blk\"] and .verdict == \"pass\" and ([.tests[] | select(.mode == \"virtio-blk\")] | length == 0)' '$TMP/out' >/dev/null"
rm -f "$R/hostonly/accepted.json"
vb gate "$R" hostonly
check "... the text says so" grep -qx 'not measured (tonight.s plan did not ask for it), judged by nothing: virtio-blk' "$TMP/out"
rm -rf "$R/hostonly"

# ---- a run.json with many job points is judged in linear time ----------------------
# 10000 points (the most a sweep makes; a 1.5 MB run.json) and none
# measured: each is missing from the plan, regressed -- in a second, not in
# the half minute a search per point took (minutes at 20000)
M=$TMP/many
night "$M" many 2026-12-06T01:00:00Z '.job.points += [range(1; 10000) | {label: "p\(.)", dir: "d\(.)", params: {rw: "randrw", rwmixread: 50}}]' \
	4010 3990 4000
timeout 10 "$VB" gate "$M" many --format json >"$TMP/out" 2>"$TMP/err" 9>&-
rc=$?
echo "# timeout 10 vmio-bench gate $M many -> exit $rc"
check "10000 job points: the gate ends within 10 s, regressed (exit 1)" [ "$rc" -eq 1 ]
check "... each point without repetitions named, per planned mode" \
	jqe '[.tests[] | select(.metric == "status" and .point == "p9999")] | length == 2' "$TMP/out"

jq '.job.points += [{label: "one-more", dir: "one-more", params: {rw: "randrw", rwmixread: 50}}]' "$M/many/run.json" \
	> "$TMP/run.t" && mv "$TMP/run.t" "$M/many/run.json"
vb report "$M/many"
check "10001 job points, more than a sweep makes: refused (exit 2) with one line" \
	sh -c "[ $rc -eq 2 ] && [ \$(wc -l < '$TMP/err') -eq 1 ] && grep -q 'more than 10000 job points' '$TMP/err'"

jq '.modes += [range(1; 256) | {mode: "m\(.)", status: "failed", reason: "x", points: []}]' "$FIX/run.json" \
	> "$M/many/run.json"
vb report "$M/many"
check "258 modes in one run.json (a host has a few): refused (exit 2) with one line" \
	sh -c "[ $rc -eq 2 ] && [ \$(wc -l < '$TMP/err') -eq 1 ] && grep -q 'more than 256 modes' '$TMP/err'"

# ---- scripts/nightly's --keep, read as a decimal number --------------------------
# a stand-in for vmio-bench whose run makes one night from the fixture (no
# guest); gate and the rest are the real one.  The oracle is the test's own:
# the nights it made, in the order of their start times.
K=$TMP/keep
mkdir -p "$K"
cat > "$TMP/fake-vb" <<EOS
#!/bin/bash
[ "\$1" = run ] || exec "$VB" "\$@"
while [ \$# -gt 0 ]; do [ "\$1" = --results ] && r=\$2; shift; done
mkdir "\$r/tonight" && cp -r "$FIX/host" "$FIX/virtio-blk" "\$r/tonight/" &&
jq '.id = "tonight" | .started = "2026-12-31T01:00:00Z" | .config.modes = "host,virtio-blk"
	| .modes |= map(select(.mode != "lun"))' "$FIX/run.json" > "\$r/tonight/run.json"
EOS
chmod +x "$TMP/fake-vb"
for k in 10 11 12 13 14 15 16 17 18 19; do
	night "$K" "n$k" "2026-12-${k}T01:00:00Z" "$q7" 4010 3990 4000
done
bash "$VB_SRCDIR/scripts/nightly" --results "$K" --keep 08 --vmio-bench "$TMP/fake-vb" >"$TMP/out" 2>"$TMP/err" 9>&-
rc=$?
echo "# scripts/nightly --keep 08 -> exit $rc"; tail -n 3 "$TMP/err" | sed 's/^/#   /'
check "nightly --keep 08 (a leading zero): 8 runs kept, tonight's and the 7 newest others, not 1" \
	sh -c "[ $rc -eq 0 ] && [ \"\$(cd '$K' && ls -d */ | tr -d / | tr '\n' ' ')\" = 'n13 n14 n15 n16 n17 n18 n19 tonight ' ]"
bash "$VB_SRCDIR/scripts/nightly" --results "$K" --keep 99999999999999999999 --vmio-bench "$TMP/fake-vb" >"$TMP/out" 2>"$TMP/err" 9>&-
rc=$?
check "nightly --keep beyond what a shell counts: refused (exit 2) with one line, nothing run" \
	sh -c "[ $rc -eq 2 ] && [ \$(wc -l < '$TMP/err') -eq 1 ] && grep -q 'keep' '$TMP/err' && [ \$(ls '$K' | wc -l) -eq 8 ]"

# ---- run.json schema: older numbers load and pool, newer ones are refused ---------
O=$TMP/old
for k in 1 2; do
	night "$O" "old-$k" "2026-12-0${k}T01:00:00Z" '.schema = 1 | del(.host.hostname)' 4010 3990 4000
	"$VB" accept "$O/old-$k" >/dev/null 9>&-
done
night "$O" new 2026-12-06T01:00:00Z . 4010 3990 4000
vb gate "$O" new --format json
check "schema-1 runs without a host name load and pool with a schema-2 run that has one" \
	sh -c "[ $rc -eq 0 ] && [ -s '$TMP/out' ] && jq -e '(.history.runs | length == 2) and .verdict == \"pass\"' '$TMP/out' >/dev/null"
hi=$(sed -n 's/^#define VB_RESULTS_SCHEMA \([0-9]*\).*/\1/p' "$VB_SRCDIR/bench/core/results.h")
jq --argjson n $((hi + 1)) '.schema = $n' "$O/new/run.json" > "$O/new/run.t" && mv "$O/new/run.t" "$O/new/run.json"
vb report "$O/new"
check "a run.json of a newer schema is refused with one line (exit 2)" \
	sh -c "[ $rc -eq 2 ] && [ \$(wc -l < '$TMP/err') -eq 1 ] && grep -q 'no results schema 1 to $hi' '$TMP/err'"
finish
