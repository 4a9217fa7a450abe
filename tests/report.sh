#!/bin/bash
# Renderers, report, compare and trend on stored results (no libvirt):
# golden files for every text renderer, charts and the HTML page, compare
# on a known injected regression (exit 1), on pure noise (exit 0) and on
# mismatched jobs or accelerators (refused, exit 2), bad result files.
. "${VB_SRCDIR:-.}/tests/lib.sh"
command -v jq >/dev/null || need "jq (apt-get install jq)"
FIX=$VB_SRCDIR/tests/fixtures/run-base
GOLD=$VB_SRCDIR/tests/golden

# ---- report: golden files ------------------------------------------------
cp -r "$FIX" "$TMP/base"
chmod -R u+w "$TMP/base"
vb report "$TMP/base"
check "report exits 0" [ "$rc" -eq 0 ]
check "the table matches its golden file" diff -u "$GOLD/table.txt" "$TMP/out"
for f in summary.csv summary.md summary.json; do
	check "$f matches its golden file" diff -u "$GOLD/$f" "$TMP/base/$f"
done
check "summary.json has a schema version" jqe '.schema == 1' "$TMP/base/summary.json"
vb report "$TMP/base" --json
check "report --json prints summary.json itself on stdout, no table" \
	sh -c "[ $rc -eq 0 ] && cmp -s '$TMP/out' '$GOLD/summary.json'"
for c in iops latency-read latency-write percent-of-host iops-over-time; do
	check "chart $c is drawn as PNG and SVG" test -s "$TMP/base/plots/$c.png" -a -s "$TMP/base/plots/$c.svg"
done
check "charts carry the emulated (TCG) note" grep -q 'emulated (TCG)' "$TMP/base/plots/iops.svg"
check "charts carry the job and fio version" grep -q '4k randrw 50% read, iodepth 32.*fio-3.33' "$TMP/base/plots/iops.svg"
H=$TMP/base/report.html
check "report.html exists" test -s "$H"
check "report.html inlines its charts" [ "$(grep -c '<svg' "$H")" -ge 5 ]
check "report.html needs nothing from outside (no external src or href)" lacks "$H" "(src|href)=['\"]?(https?:|//|file:|[a-z0-9_./-]+\.(png|svg|css|js))"
check "report.html says the figures are emulated" grep -q 'Emulated (TCG)' "$H"
check "report.html is well-formed enough for an XML parser" sh -c "sed 's/<!DOCTYPE html>//' '$H' | xmllint --noout - 2>/dev/null"

# without gnuplot: one warning, the tables still written
cp -r "$FIX" "$TMP/nognu"
chmod -R u+w "$TMP/nognu"
PATH=/nonexistent "$VB" report "$TMP/nognu" >"$TMP/out" 2>"$TMP/err"
rc=$?
check "report without gnuplot still exits 0" [ "$rc" -eq 0 ]
check "report without gnuplot warns exactly once, naming the package" \
	[ "$(grep -c 'gnuplot-nox' "$TMP/err")" -eq 1 ]
check "report without gnuplot still writes the tables" test -s "$TMP/nognu/summary.csv" -a -s "$TMP/nognu/summary.md"

# every mode failed after some repetitions: the table shows their figures,
# marked FAILED; no chart is attempted (an empty chart made gnuplot fail)
cp -r "$FIX" "$TMP/allfailed"; chmod -R u+w "$TMP/allfailed"
jq '.modes[] |= (.status = "failed" | .reason = "the guest stopped")' "$FIX/run.json" > "$TMP/allfailed/run.json"
vb report "$TMP/allfailed"
check "report on a run whose modes all failed exits 0" [ "$rc" -eq 0 ]
check "report on a run whose modes all failed shows them as FAILED" [ "$(grep -c 'FAILED: the guest stopped' "$TMP/out")" -eq 3 ]
check "report on a run whose modes all failed warns of nothing" [ ! -s "$TMP/err" ]
check "report on a run whose modes all failed draws no chart" [ -z "$(ls "$TMP/allfailed/plots" 2>/dev/null)" ]

# ---- compare -------------------------------------------------------------
# derive a run from the fixture: jq filter applied to each repetition of
# the given modes, a new id and start time
derive() { # NAME STARTED FILTER MODES...
	local name=$1 started=$2 filter=$3; shift 3
	cp -r "$FIX" "$TMP/$name"
	chmod -R u+w "$TMP/$name"
	jq --arg id "$name" --arg st "$started" '.id = $id | .started = $st' "$FIX/run.json" > "$TMP/$name/run.json"
	for m in "$@"; do
		for i in 1 2 3; do
			jq --argjson rep "$i" "$filter" "$FIX/$m/rep-$i.fio.json" > "$TMP/$name/$m/rep-$i.fio.json"
		done
	done
}
# (latency: fio's percentiles and its bins, which compare reads p99 from)
scale='def s(d; f; g): .jobs[0][d].iops *= f | .jobs[0][d].bw_bytes *= f | .jobs[0][d].clat_ns.mean *= g
	| .jobs[0][d].clat_ns.percentile |= map_values(. * g)
	| .jobs[0][d].clat_ns.bins |= with_entries(.key |= (tonumber * g | floor | tostring));'
# a 20% IOPS drop and 25% more latency on virtio-blk only
derive regressed 2026-11-26T01:00:00Z "$scale s(\"read\"; 0.8; 1.25) | s(\"write\"; 0.8; 1.25)" virtio-blk
# pure noise: every repetition moved by at most 1%, in both directions
derive noise 2026-11-27T01:00:00Z "$scale ([1.01, 0.99, 1.0][\$rep - 1]) as \$k | s(\"read\"; \$k; \$k) | s(\"write\"; \$k; \$k)" host virtio-blk sata

vb compare "$TMP/base" "$TMP/regressed" --junit "$TMP/junit.xml"
cat "$TMP/out"
check "an injected regression exits 1" [ "$rc" -eq 1 ]
check "... and names virtio-blk's IOPS as regressed" grep -Eq '^virtio-blk +default +read +iops .*-20\.0% .* regressed' "$TMP/out"
# p99 moved +25% too, but its spread over three repetitions is wide: the
# test must not claim more than the data shows ("noise" is honest there)
check "... and its p99 latency as +25%, regressed or noise" grep -Eq '^virtio-blk +default +write +clat_p99 .*\+25\.0% .* (regressed|noise)' "$TMP/out"
check "... while sata and host are unchanged" sh -c "grep -Eq '^(sata|host) ' '$TMP/out' && ! grep -Eq '^(sata|host) .*regressed' '$TMP/out'"
check "the JUnit file counts the failures" sh -c "xmllint --xpath 'string(/testsuite/@failures)' '$TMP/junit.xml' | grep -qx 2"
vb compare "$TMP/base" "$TMP/regressed" --format json
check "compare --format json says regression" sh -c "jq -e '.regression == true and ([.comparisons[] | select(.verdict == \"regressed\")] | length == 2)' '$TMP/out' >/dev/null"
vb compare "$TMP/base" "$TMP/regressed" --metric clat_mean
check "--metric clat_mean alone still catches the latency regression" [ "$rc" -eq 1 ]
vb compare "$TMP/base" "$TMP/regressed" --threshold 30
check "a threshold above the change lets it pass (exit 0)" [ "$rc" -eq 0 ]
vb compare "$TMP/regressed" "$TMP/base"
check "the reverse direction is an improvement (exit 0)" sh -c "[ $rc -eq 0 ] && grep -q improved '$TMP/out'"

vb compare "$TMP/base" "$TMP/noise"
cat "$TMP/out"
check "pure noise exits 0" [ "$rc" -eq 0 ]
check "pure noise is called unchanged" sh -c "grep -q unchanged '$TMP/out' && ! grep -Eq 'regressed|improved' '$TMP/out'"

# mismatched jobs and accelerators are refused unless --force
cp -r "$TMP/noise" "$TMP/otherjob"
jq '.job.points[0].fio_args[5] = "--bs=64k" | .job.description = "64k randrw"' "$TMP/noise/run.json" > "$TMP/otherjob/run.json"
vb compare "$TMP/base" "$TMP/otherjob"
check "different jobs are refused (exit 2)" sh -c "[ $rc -eq 2 ] && grep -q 'different jobs' '$TMP/err'"
vb compare "$TMP/base" "$TMP/otherjob" --force
check "--force compares them anyway" [ "$rc" -ne 2 ]
cp -r "$TMP/noise" "$TMP/kvm"
jq '.accelerator.name = "kvm"' "$TMP/noise/run.json" > "$TMP/kvm/run.json"
vb compare "$TMP/base" "$TMP/kvm"
check "different accelerators are refused (exit 2)" sh -c "[ $rc -eq 2 ] && grep -q 'not comparable' '$TMP/err'"
# every difference in tuning is named, and refused; versions of what is
# under test are not a refusal ("before and after an upgrade"): printed
cp -r "$TMP/noise" "$TMP/tuned"
jq '.config.cache = "writeback" | .config.io = "threads" | .config.vcpus = 4 | .versions.guest_kernel = "6.12.0" | .versions.qemu = "9.2.0"' \
	"$TMP/noise/run.json" > "$TMP/tuned/run.json"
vb compare "$TMP/base" "$TMP/tuned"
check "different tuning is refused (exit 2)" [ "$rc" -eq 2 ]
for w in --cache --io --vcpus; do
	check "... naming '$w'" grep -q "compare: $w differs" "$TMP/err"
done
check "... and counting 3 differences: the kernel and QEMU versions are not among them" \
	sh -c "grep -q '3 differences' '$TMP/err' && ! grep -Eq 'QEMU|kernel' '$TMP/err'"
vb compare "$TMP/base" "$TMP/tuned" --force
check "--force compares differently tuned runs anyway" [ "$rc" -eq 0 ]
cp -r "$TMP/noise" "$TMP/upgraded"
jq '.versions.guest_kernel = "6.12.0" | .versions.qemu = "9.2.0"' "$TMP/noise/run.json" > "$TMP/upgraded/run.json"
vb compare "$TMP/base" "$TMP/upgraded"
check "other QEMU and guest kernel versions alone: compared (exit 0), each change printed" \
	sh -c "[ $rc -eq 0 ] && grep -qx 'under test, changed: QEMU 7.2.22 → 9.2.0' '$TMP/out' &&
		grep -qx 'under test, changed: guest kernel 6.1.0-56-amd64 → 6.12.0' '$TMP/out'"
# one repetition a side cannot be judged: refused, not passed
cp -r "$TMP/noise" "$TMP/onerep"
jq '.modes[].points[0].reps |= .[0:1]' "$TMP/noise/run.json" > "$TMP/onerep/run.json"
vb compare "$TMP/base" "$TMP/onerep"
check "one repetition on a side is refused (exit 2), saying how many it needs" \
	sh -c "[ $rc -eq 2 ] && grep -q 'at least 2 per side' '$TMP/err'"
vb compare "$TMP/onerep" "$TMP/base"
check "... on either side" [ "$rc" -eq 2 ]
# a mode that ran in BASE and failed in NEW is a regression
cp -r "$TMP/noise" "$TMP/failed"
jq '(.modes[] | select(.mode == "sata")) |= (.status = "failed" | .reason = "guest hung" | .points = [])' \
	"$TMP/noise/run.json" > "$TMP/failed/run.json"
vb compare "$TMP/base" "$TMP/failed"
check "a mode failing in NEW is a regression (exit 1)" sh -c "[ $rc -eq 1 ] && grep -Eq '^sata .*regressed' '$TMP/out'"

# ---- bad input -------------------------------------------------------------
one_line_2() { local what=$1; shift; vb "$@"
	check "$what: exit 2 with one line ($(head -1 "$TMP/err"))" [ "$rc" -eq 2 -a "$(wc -l < "$TMP/err")" -eq 1 ]; }
one_line_2 "report on a folder that is no run" report "$TMP"
one_line_2 "report with no argument" report
one_line_2 "compare with one run" compare "$TMP/base"
one_line_2 "compare with an unknown metric" compare "$TMP/base" "$TMP/noise" --metric speed
one_line_2 "compare with a bad threshold" compare "$TMP/base" "$TMP/noise" --threshold lots
cp -r "$FIX" "$TMP/trunc"; chmod -R u+w "$TMP/trunc"
head -c 3000 "$FIX/virtio-blk/rep-2.fio.json" > "$TMP/trunc/virtio-blk/rep-2.fio.json"
one_line_2 "report on a truncated fio JSON" report "$TMP/trunc"
truncate -s 65M "$TMP/trunc/virtio-blk/rep-2.fio.json"
one_line_2 "report on a huge (65 MiB) fio JSON" report "$TMP/trunc"
printf '{"jobs": [{"read": {"iops": "fast"}, "write": []}]}' > "$TMP/trunc/virtio-blk/rep-2.fio.json"
one_line_2 "report on wrong-typed fio JSON" report "$TMP/trunc"
# counts out of any integer's range (found by fuzz_fio: undefined conversion)
jq '.jobs[0].read.io_bytes = -3288190' "$FIX/virtio-blk/rep-1.fio.json" > "$TMP/trunc/virtio-blk/rep-2.fio.json"
one_line_2 "report on a negative io_bytes" report "$TMP/trunc"
jq '.jobs[0].write.total_ios = 1e300' "$FIX/virtio-blk/rep-1.fio.json" > "$TMP/trunc/virtio-blk/rep-2.fio.json"
one_line_2 "report on a total_ios of 1e300" report "$TMP/trunc"
cp -r "$FIX" "$TMP/badrun"; chmod -R u+w "$TMP/badrun"
echo '{"schema": 1, "id": ' > "$TMP/badrun/run.json"
one_line_2 "report on a malformed run.json" report "$TMP/badrun"
jq '.modes[1].points[0].reps[0].file = "../../../etc/passwd"' "$FIX/run.json" > "$TMP/badrun/run.json"
one_line_2 "report refuses a result path leaving the run folder" report "$TMP/badrun"
jq '.modes = "many"' "$FIX/run.json" > "$TMP/badrun/run.json"
one_line_2 "report on wrong-typed modes" report "$TMP/badrun"

# ---- trend ---------------------------------------------------------------
mkdir -p "$TMP/root"
mv "$TMP/base" "$TMP/noise" "$TMP/regressed" "$TMP/root/"
vb trend "$TMP/root"
cat "$TMP/out"
check "trend over a results root exits 0" [ "$rc" -eq 0 ]
check "trend lists the runs oldest first" sh -c "grep -nE '^(20261125-134929|regressed|noise) ' '$TMP/out' | cut -d: -f2 | awk '{print \$1}' | tr '\n' ' ' | grep -qx '20261125-134929 regressed noise '"
check "trend draws its chart" test -s "$TMP/root/trend/trend.png" -a -s "$TMP/root/trend/trend.svg"
finish
