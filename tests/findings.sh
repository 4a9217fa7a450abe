#!/bin/bash
# Findings (issue 28, point 1) on stored runs, no libvirt: the regression
# fixture (run-base: virtio-blk over sata, host as the baseline) says the
# slower mode is slower with its interval and q, in the terminal,
# summary.md, summary.json and report.html (at its top), and its chart
# marks that step; a run of identical modes (run-same) says "no
# difference" and its chart marks nothing; a sweep ranks within each
# point, a fleet within each host; a read-only job "reads"; a mode that
# spreads is warned of with --reps auto's count; failed and imported
# modes are named as what they are; q is Benjamini-Hochberg over the
# run's steps; a hostile point label is escaped in every sink.
. "${VB_SRCDIR:-.}/tests/lib.sh"
command -v jq >/dev/null || need "jq (apt-get install jq)"
command -v gnuplot >/dev/null || need "gnuplot (apt-get install gnuplot-nox)"
FIX=$VB_SRCDIR/tests/fixtures

fixture() { # NAME FIXTURE: a writable copy
	cp -r "$FIX/$2" "$TMP/$1"
	chmod -R u+w "$TMP/$1"
}
# the findings' lines of the last vb's terminal output
said() { sed -n '/^findings:$/,$p' "$TMP/out"; }
says() { said | grep -qF -- "$1"; } # TEXT

# ---- the regression fixture: the slower mode is slower --------------------
fixture base run-base
vb report "$TMP/base"
check "report exits 0" [ "$rc" -eq 0 ]
step='virtio-blk does 2.3× the IOPS of sata (2.0–2.5×, q < 0.001)'
check "the terminal ranks virtio-blk over sata, after the table" \
	sh -c "grep -n '^sata ' '$TMP/out' | tail -1 | cut -d: -f1 | { read t; f=\$(grep -n '^findings:' '$TMP/out' | cut -d: -f1); [ \"\$f\" -gt \"\$t\" ]; }"
check "the terminal says virtio-blk does 2.3× sata's IOPS, with its interval and q" says "  - $step"
check "the terminal ranks the guest modes by IOPS (reads + writes)" \
	says "ranked by IOPS (reads + writes), best first: virtio-blk 8405, sata 3718"
check "the terminal gives the best mode's share of host, the table's 9.2%" says "virtio-blk reaches 9.2% of host (8.3–10.3%)"
check "the terminal says how: Welch on log IOPS, BH over 1 test" says "Welch's t-test on log IOPS, q by Benjamini-Hochberg over the run's 1 test"
check "no spread warning where every CV is under 20%" sh -c "! grep -q 'vary by' '$TMP/out'"
check "summary.md carries the step" grep -qF -- "- virtio-blk does 2.3× the IOPS of sata (2.0–2.5×, q \\< 0.001)" "$TMP/base/summary.md"
check "summary.md's findings come before its table" \
	sh -c "[ \$(grep -n '^## Findings' '$TMP/base/summary.md' | cut -d: -f1) -lt \$(grep -n '^## results' '$TMP/base/summary.md' | cut -d: -f1) ]"
check "summary.json's step has the numbers and the sentence" \
	jqe --arg t "$step" '[.findings[] | select(.kind == "step")] | length == 1 and (.[0] | .mode == "virtio-blk" and .other == "sata"
		and .metric == "total_iops" and (.ratio * 1000 | round) == 2259 and (.ci95[0] * 1000 | round) == 2018
		and (.ci95[1] * 1000 | round) == 2529 and .q < 0.001 and .significant and .reps == [3, 3] and .text == $t)' \
	"$TMP/base/summary.json"
check "summary.json's share is the ratio of the means (the table's of host)" \
	jqe '(.findings[] | select(.kind == "share")) as $s | ([.rows[] | select(.mode == "virtio-blk")][0].ratio_to_host) as $r
		| $s.other == "host" and (($s.share - $r) | fabs) < 0.002 and $s.ci95[0] < $s.share and $s.ci95[1] > $s.share' "$TMP/base/summary.json"
H=$TMP/base/report.html
check "report.html carries the step" grep -qF "<li class='diff'>virtio-blk does 2.3× the IOPS of sata (2.0–2.5×, q &lt; 0.001)</li>" "$H"
check "report.html's findings are at its top, before the run's facts" \
	sh -c "[ \$(grep -n \"id='findings'\" '$H' | cut -d: -f1) -lt \$(grep -n '<h2>Run</h2>' '$H' | cut -d: -f1) ]"
check "the IOPS chart marks the significant step over virtio-blk" \
	grep -qF 'set label 10 "2.3x sata (q under 0.001)" at 1,' "$TMP/base/plots/charts.gp"
check "report.html's IOPS chart shows the mark" grep -qF '2.3x sata (q under 0.001)' "$H"

# ---- identical modes: no difference, and no mark ---------------------------
fixture same run-same
vb report "$TMP/same"
check "run-same: report exits 0" [ "$rc" -eq 0 ]
nodiff='virtio-scsi and virtio-blk: no difference this run can show (q 0.99, 3 repetitions each)'
check "run-same: the terminal says no difference" says "  - $nodiff"
check "run-same: summary.md says no difference" grep -qF -- "- $nodiff" "$TMP/same/summary.md"
check "run-same: report.html says no difference" grep -qF "<li>$nodiff</li>" "$TMP/same/report.html"
check "run-same: summary.json's step is not significant, q >= 0.05" \
	jqe --arg t "$nodiff" '.findings[] | select(.kind == "step") | (.significant | not) and .q >= 0.05 and .text == $t' "$TMP/same/summary.json"
check "run-same: the IOPS chart marks nothing" sh -c "! grep -q 'set label 1[0-9]' '$TMP/same/plots/charts.gp'"
check "run-same: no baseline, no share" sh -c "! grep -q 'reaches' '$TMP/out'"
# an imported mode is ranked as what it is
cp "$FIX/run-base/host/rep-1.fio.json" "$TMP/bare-1.json"
cp "$FIX/run-base/host/rep-2.fio.json" "$TMP/bare-2.json"
vb import "$TMP/bare-1.json" "$TMP/bare-2.json" --mode baremetal --into "$TMP/same"
check "an imported mode: import exits 0" [ "$rc" -eq 0 ]
check "an imported mode is ranked, marked imported" says "best first: baremetal (imported) 9"
check "... and its step says it too" says "baremetal (imported) does 10.9× the IOPS of virtio-scsi ("

# ---- a sweep ranks within each point (run-storage: 1 repetition each) -----
fixture storage run-storage
vb report "$TMP/storage"
check "sweep: report exits 0" [ "$rc" -eq 0 ]
check "sweep: one ranking per point" [ "$(said | grep -c ': ranked by IOPS')" -eq 3 ]
check "sweep: at qcow2-falloc sata leads, elsewhere virtio-blk" sh -c "
	grep -qF 'at storage=qcow2-falloc: ranked by IOPS (reads + writes), best first: sata 4154, virtio-blk 3486' '$TMP/out' &&
	grep -qF 'at storage=raw: ranked by IOPS (reads + writes), best first: virtio-blk 2590, sata 1192' '$TMP/out'"
check "sweep: one repetition is said plainly (no interval, no test)" \
	says "at storage=null: virtio-blk does 13.5× the IOPS of sata, from 1 repetition each: no interval and no test (run --reps 3 or more)"
check "sweep: summary.json's statements name their point, untested steps have no q" \
	jqe '[.findings[] | select(.kind == "step")] | length == 3 and all(.point != null and .q == null and .p == null and (.significant | not))' \
	"$TMP/storage/summary.json"

# ---- BH over the run's steps (run-vms: 2 tests at 2 repetitions) ----------
fixture vms run-vms
vb report "$TMP/vms"
check "BH: every q is at least its p, and one is raised" \
	jqe '[.findings[] | select(.kind == "step")] | length == 2 and all(.q >= .p) and any(.q > .p)' "$TMP/vms/summary.json"
check "BH: the method line counts the run's 2 tests" says "over the run's 2 tests"

# ---- a read-only job reads; a spreading mode is warned of -----------------
fixture ro run-base
for m in host virtio-blk sata; do
	for i in 1 2 3; do
		# virtio-blk's repetitions spread (x1.4, x0.6, x1): CV 41%
		jq --argjson i "$i" --arg m "$m" '(if $m == "virtio-blk" then [1.4, 0.6, 1.0][$i - 1] else 1 end) as $k
			| .jobs[0].read.iops *= $k | .jobs[0].read.bw_bytes *= $k | .jobs[0].write.iops = 0 | .jobs[0].write.bw_bytes = 0' \
			"$FIX/run-base/$m/rep-$i.fio.json" > "$TMP/ro/$m/rep-$i.fio.json"
	done
done
vb report "$TMP/ro"
check "read-only: the ranking is by read IOPS" says "ranked by read IOPS, best first: virtio-blk 4227, sata 1828"
check "read-only: a step reads (or says no difference)" \
	sh -c "grep -qE '  - virtio-blk reads 2\\.[0-9]× sata \\(|  - virtio-blk and sata: no difference' '$TMP/out'"
check "read-only: the spreading mode is warned of, with --reps auto's count" \
	sh -c "grep -qE \"  - virtio-blk's read IOPS vary by 41% between repetitions \\(CV\\), which makes its figures weak: --reps auto would need [0-9]+ repetitions to bring its 95% interval within ±3% \\(it stops at --max-reps 10\\)\" '$TMP/out'"
check "read-only: summary.json's spread has the count and the run's --ci-target" \
	jqe '.findings[] | select(.kind == "spread") | .mode == "virtio-blk" and .reps_auto_needs > 10 and .ci_target_pct == 3 and .max_reps == 10 and .metric == "read_iops"' \
	"$TMP/ro/summary.json"
check "read-only: the warning is marked weak in report.html" grep -qF "<li class='weak'>virtio-blk&apos;s read IOPS vary" "$TMP/ro/report.html"

# ---- a failed mode is not ranked, but named --------------------------------
fixture failed run-base
jq '(.modes[] | select(.mode == "sata")) |= (.status = "failed" | .reason = "the guest stopped")' "$FIX/run-base/run.json" > "$TMP/failed/run.json"
vb report "$TMP/failed"
check "failed: sata is named as failed and not ranked" says "  - sata failed and is not ranked: the guest stopped"
check "failed: no step or ranking names sata" sh -c "! sed -n '/^findings:/,\$p' '$TMP/out' | grep -v 'failed and is not ranked' | grep -q sata"
check "failed: the share is still virtio-blk's" says "virtio-blk reaches 9.2% of host"

# ---- a fleet ranks within each host ---------------------------------------
mkdir "$TMP/fleet"
cp -r "$FIX/run-base" "$TMP/fleet/a"
cp -r "$FIX/run-same" "$TMP/fleet/b"
chmod -R u+w "$TMP/fleet"
jq '{schema, id, state, started, ended, config: (.config | .connect = null), fleet: {hosts: [
	{label: "a", connect: "qemu+ssh://a/system", dir: "a", state: "complete", exit: 0},
	{label: "b", connect: "qemu+ssh://b/system", dir: "b", state: "complete", exit: 0},
	{label: "c", connect: "qemu+ssh://c/system", dir: "c", state: "failed", exit: 1, reason: "ssh: no route to host"}]}}' \
	"$FIX/run-v2/run.json" > "$TMP/fleet/run.json"
vb report "$TMP/fleet"
check "fleet: report exits 0" [ "$rc" -eq 0 ]
# p 0.0005 alone (run-base), but one of the fleet's 2 tests: BH makes it q 0.001
check "fleet: host a's step, within a, its q over the fleet's tests" says "  - on a: virtio-blk does 2.3× the IOPS of sata (2.0–2.5×, q 0.001)"
check "fleet: host b's modes, within b" says "  - on b: virtio-scsi and virtio-blk: no difference this run can show"
check "fleet: no statement sets one host's mode against another's" \
	sh -c "! sed -n '/^findings:/,\$p' '$TMP/out' | grep -qE 'on a: .*virtio-scsi|on b: .*sata'"
check "fleet: a host without results is named" says "  - on c: no results from this host: ssh: no route to host"
check "fleet: summary.json's statements name their host" \
	jqe '[.findings[] | .host] | unique == ["a", "b", "c"]' "$TMP/fleet/summary.json"
check "fleet: the chart marks a's step over a's virtio-blk" grep -qF '"2.3x sata (q 0.001)" at 1,' "$TMP/fleet/plots/charts.gp"

# ---- a hostile point label reaches no sink as markup or control ----------
fixture hostile run-storage
evil=$'storage=raw<script>alert(1)</script>\e[31m`x`'
jq --arg e "$evil" '.job.points[0].label = $e | (.modes[].points[] | select(.label == "storage=raw")) .label = $e' \
	"$FIX/run-storage/run.json" > "$TMP/hostile/run.json"
vb report "$TMP/hostile"
check "hostile: report exits 0" [ "$rc" -eq 0 ]
check "hostile: the label's statements are there" [ "$(jq '[.findings[] | select(.point | test("script"))] | length' "$TMP/hostile/summary.json")" -eq 2 ]
check "hostile: report.html has no script of the label's" lacks "$TMP/hostile/report.html" '<script>'
check "hostile: report.html's findings carry the label escaped" grep -qF '<li>at storage=raw&lt;script&gt;alert(1)&lt;/script&gt;' "$TMP/hostile/report.html"
check "hostile: summary.md escapes it" grep -qF 'at storage=raw\<script>alert(1)\<' "$TMP/hostile/summary.md"
check "hostile: no escape character reaches the terminal" sh -c "! grep -q $'\\e' '$TMP/out'"

# ---- a busy host (issue 28 point 2): the point's host_load says so
fixture busy run-busy
vb report "$TMP/busy"
check "busy: the findings name each mode measured on a busy host, with why" \
	sh -c "[ \$(sed -n '/^findings:\$/,\$p' '$TMP/out' | grep -c 'was measured while the host was busy: other processes took') -eq 2 ]"
check "busy: summary.json's findings carry it as kind busy with other_cpu" \
	jqe '[.findings[] | select(.kind == "busy" and .other_cpu > 0.25)] | length == 2' "$TMP/busy/summary.json"
check "busy: report.html's findings too" grep -q "virtio-blk was measured while the host was busy" "$TMP/busy/report.html"
check "no busy statement for a run whose host_load is quiet or absent" sh -c "! grep -q 'was measured while' '$TMP/base/summary.md'"

finish
