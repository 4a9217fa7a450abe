#!/bin/bash
# The nightly gate on real runs: history, verdicts and exit statuses,
# acceptance, JSON, text and JUnit, --rerun re-measuring only the
# inconclusive mode (a real guest), --reps auto stopping by --ci-target or
# --max-reps, and trend naming the run after a change.
#
# Runs are real (host fio, and virtio-blk in a TCG guest for the rerun);
# regressions are made by scaling a copy of a real run's fio results (the
# same jq filter as tests/report.sh), since this machine cannot be made
# 30% slower on demand.  The rule's error rates are tests/gatesim's.
. "${VB_SRCDIR:-.}/tests/lib.sh"
need_libvirtd
need_image
command -v jq >/dev/null || need "jq (apt-get install jq)"
command -v xmllint >/dev/null || need "xmllint (apt-get install libxml2-utils)"

common=(--connect "$CONNECT" --cache-dir "$CACHE" --size 64m --accel tcg --runtime 1 --ramp 0)
scale='def s(d; f; g): .jobs[0][d].iops *= f | .jobs[0][d].bw_bytes *= f | .jobs[0][d].clat_ns.mean *= g
	| .jobs[0][d].clat_ns.percentile |= map_values(. * g)
	| .jobs[0][d].clat_ns.bins |= with_entries(.key |= (tonumber * g | floor | tostring));'
# derive ROOT FROM NAME STARTED FACTOR MODE...: a copy of run FROM as run
# NAME, started at STARTED, the MODEs' IOPS times FACTOR and their latency
# divided by it
derive() {
	local root=$1 from=$2 name=$3 started=$4 f=$5 m
	shift 5
	cp -r "$root/$from" "$root/$name"
	rm -f "$root/$name/accepted.json"
	jq --arg id "$name" --arg st "$started" '.id = $id | .started = $st' "$root/$from/run.json" > "$root/$name/run.json"
	for m in "$@"; do
		for j in "$root/$name/$m"/rep-*.fio.json; do
			jq "$scale s(\"read\"; $f; 1 / $f) | s(\"write\"; $f; 1 / $f)" "$j" > "$j.t" && mv "$j.t" "$j"
		done
	done
}

# ---- a history of real runs ------------------------------------------------
R=$TMP/nightly
for i in 1 2 3; do
	vb run --modes host --reps 3 --results "$R" "${common[@]}"
	check "night $i: the run exits 0" [ "$rc" -eq 0 ]
	sleep 1 # distinct start times
done
mapfile -t runs < <(ls "$R" | grep -v latest | sort)
# the machine a history pools by: host.hostname (results schema 2), as
# libvirt names the hypervisor
check "run.json records the host name (schema 2)" \
	jqe --arg h "$(virsh -c "$CONNECT" hostname)" '.schema == 2 and .host.hostname == $h and (.host.hostname | length > 0)' "$R/${runs[0]}/run.json"
vb gate "$R" "${runs[0]}"
check "the first run: exit 0, says it is the history's first, accepted" \
	sh -c "[ $rc -eq 0 ] && grep -q 'first run of this history' '$TMP/out' && grep -q '\"by\": \"gate\"' '$R/${runs[0]}/accepted.json'"
vb gate "$R" "${runs[1]}" --format json
check "the second run: pass or inconclusive (3 repetitions against 3 cannot be significant), never regressed" \
	sh -c "[ $rc -eq 0 -o $rc -eq 3 ] && jq -e '.history.runs == [\"${runs[0]}\"] and (.tests | length == 4)' '$TMP/out' >/dev/null"
vb accept "$R/${runs[1]}"
check "accept by hand: exit 0, and accepted.json says by hand" \
	sh -c "[ $rc -eq 0 ] && jq -e '.by == \"hand\"' '$R/${runs[1]}/accepted.json' >/dev/null"
vb accept "$R/${runs[2]}"

# an injected regression: IOPS x 0.4 in a copy of the last run, judged
# against the 9 repetitions of the three accepted runs (the host drifts by
# up to 25% from run to run here: the change must clear that for the
# check to be certain, not lucky)
derive "$R" "${runs[2]}" slow 2099-01-01T00:00:00Z 0.4 host
vb gate "$R" --format json --junit "$TMP/gate.xml"
cp "$TMP/out" "$TMP/slow.json"
check "a 60% drop: exit 1" [ "$rc" -eq 1 ]
check "... judged against the three accepted runs, pooled (9 repetitions)" \
	jqe "(.history.runs | length == 3) and ([.tests[].history.reps] | unique == [9])" "$TMP/slow.json"
# (the history's median is not the copied run's own: the change is not
# exactly -60%)
check "... both IOPS tests regressed, with their effect, interval, p and q" \
	jqe '[.tests[] | select(.metric == "iops" and .verdict == "regressed" and .change_pct < -45 and .interval_pct[1] < 0 and
		.p_value < 0.05 and .q_value < 0.05)] | length == 2' "$TMP/slow.json"
# (p99 over a 1 s host run swings from 0.5 to 6 ms between runs here:
# its verdict is the data's, only its presence is certain)
check "... both p99 tests judged, with a change, a gate and a verdict" \
	jqe '[.tests[] | select(.metric == "clat_p99" and (.change_pct | type == "number") and .gate_pct >= 5 and (.verdict | type == "string"))] | length == 2' "$TMP/slow.json"
check "... the JSON says regressed, exit status 1, not accepted" \
	jqe '.verdict == "regressed" and .exit_status == 1 and .accepted == false' "$TMP/slow.json"
check "... and no accepted.json was written" [ ! -e "$R/slow/accepted.json" ]
check "... the JUnit file has the 4 tests, a failure per regressed test, skipped the inconclusive" \
	sh -c "[ \"\$(xmllint --xpath 'string(/testsuite/@tests)' '$TMP/gate.xml')\" = 4 ] &&
		[ \"\$(xmllint --xpath 'string(/testsuite/@failures)' '$TMP/gate.xml')\" = \"\$(jq '[.tests[] | select(.verdict == \"regressed\")] | length' '$TMP/slow.json')\" ] &&
		[ \"\$(xmllint --xpath 'string(/testsuite/@skipped)' '$TMP/gate.xml')\" = \"\$(jq '[.tests[] | select(.verdict == \"inconclusive\")] | length' '$TMP/slow.json')\" ]"
vb gate "$R"
check "the text output names the verdict per test and overall" \
	sh -c "grep -Eq '^host +default +read +iops .* regressed\$' '$TMP/out' && grep -q '^verdict: regressed' '$TMP/out'"
vb gate "$R" --threshold 1000
check "a threshold above the change lets it pass (exit 0) and accepts it" \
	sh -c "[ $rc -eq 0 ] && [ -e '$R/slow/accepted.json' ]"
rm -f "$R/slow/accepted.json"
# the same change, better: improved, exit 0
derive "$R" "${runs[2]}" fast 2099-01-02T00:00:00Z 2.5 host
vb gate "$R" fast --format json
check "a 150% gain: exit 0, IOPS improved, p99 improved or pass (never a rerun for the better)" \
	sh -c "[ $rc -eq 0 ] && jq -e '([.tests[] | select(.metric == \"iops\" and .verdict == \"improved\")] | length == 2) and
		([.tests[] | select(.metric == \"clat_p99\" and (.verdict == \"improved\" or .verdict == \"pass\"))] | length == 2)' '$TMP/out' >/dev/null"
rm -rf "$R/fast"
# a run measured differently is left out of the history and counted
derive "$R" "${runs[2]}" other 2098-01-01T00:00:00Z 1.0 host
jq '.config.iothreads = 4' "$R/other/run.json" > "$R/other/run.t" && mv "$R/other/run.t" "$R/other/run.json"
vb accept "$R/other"
vb gate "$R" slow --format json
check "a differently tuned accepted run is left out and counted" \
	jqe '.history.left_out_differing == 1 and (.history.runs | index("other") | not)' "$TMP/out"
# a mode that finished in the history and failed now regresses
derive "$R" "${runs[2]}" failed 2099-01-03T00:00:00Z 1.0 host
jq '(.modes[] | select(.mode == "host")) |= (.status = "failed" | .reason = "fio died" | .points = [])' \
	"$R/failed/run.json" > "$R/failed/run.t" && mv "$R/failed/run.t" "$R/failed/run.json"
vb gate "$R" failed
check "a mode failing now is regressed (exit 1)" sh -c "[ $rc -eq 1 ] && grep -Eq '^host .*status .*regressed' '$TMP/out'"
rm -rf "$R/failed"

# ---- --rerun: only the inconclusive mode, measured again for real ------------
R2=$TMP/rerun
vb run --modes host,virtio-blk --reps 3 --results "$R2" "${common[@]}"
check "a host + virtio-blk run exits 0" [ "$rc" -eq 0 ]
base=$(ls "$R2" | grep -v latest)
vb accept "$R2/$base"
# virtio-blk at half its IOPS: beyond any gate, but 3 repetitions against 3 can
# never be significant: inconclusive until more are measured
derive "$R2" "$base" night 2099-01-01T00:00:00Z 0.5 virtio-blk
ln -sfn night "$R2/latest"
vb gate "$R2" night --format json
check "without --rerun: inconclusive, exit 3, not accepted" \
	sh -c "[ $rc -eq 3 ] && jq -e '.verdict == \"inconclusive\" and .accepted == false and .exit_status == 3' '$TMP/out' >/dev/null"
vb gate "$R2" night --rerun 2 --format json
cat "$TMP/err"
cp "$TMP/out" "$TMP/rerun.json"
rerun=$(ls "$R2" | grep -v -e latest -e "$base" -e night)
check "--rerun made one new run folder" [ "$(echo "$rerun" | wc -w)" -eq 1 ]
check "... marked as the night's rerun, with virtio-blk alone, 2 repetitions" \
	jqe '.config.rerun_of == "night" and ([.modes[].mode] == ["virtio-blk"]) and .config.reps == 2 and .modes[0].status == "ok"' "$R2/$rerun/run.json"
check "... judged together: virtio-blk's new side has 3 + 2 repetitions, host's 3" \
	jqe "(.reruns == [\"$rerun\"]) and ([.tests[] | select(.mode == \"virtio-blk\") | .new.reps] | unique == [5]) and ([.tests[] | select(.mode == \"host\") | .new.reps] | unique == [3])" "$TMP/rerun.json"
check "... the verdict is one of the four, its exit status the documented one" \
	jqe '(.verdict as $v | ["pass", "improved", "inconclusive", "regressed"] | index($v)) and .exit_status == ({"pass": 0, "improved": 0, "regressed": 1, "inconclusive": 3}[.verdict])' "$TMP/rerun.json"
check "... latest still names the night, not its rerun" [ "$(readlink "$R2/latest")" = night ]
check "... no domain is left" [ -z "$(leftover_domains)" ]
vb trend "$R2"
check "trend counts a rerun as part of its night (2 runs)" grep -q '^trend of 2 run(s)' "$TMP/out"

# ---- --reps auto -------------------------------------------------------------
R3=$TMP/auto
vb run --modes host --reps auto --ci-target 100 --max-reps 6 --results "$R3" "${common[@]}"
check "--reps auto, a loose target: stops at 3 repetitions by the CI target" \
	jqe '.modes[0].points[0].auto_reps | .stopped_by == "ci-target" and .reps == 3 and .read_ci95_pct <= 100' "$R3/latest/run.json"
check "... run.json records reps as auto, with the target and the cap" \
	jqe '.config.reps == "auto" and .config.ci_target == 100 and .config.max_reps == 6' "$R3/latest/run.json"
vb run --modes host --reps auto --ci-target 0 --max-reps 4 --results "$R3" --json "${common[@]}"
check "--reps auto, an unreachable target: stops at --max-reps 4" \
	jqe '.modes[0].points[0].auto_reps | .stopped_by == "max-reps" and .reps == 4 and .read_ci95_pct > 0' "$R3/latest/run.json"
check "... and the summary has 4 repetitions" jqe '[.rows[].reps] | unique == [4]' "$R3/latest/summary.json"
check "run --json printed that summary on stdout, and no table" \
	sh -c "jq -e '[.rows[].reps] | unique == [4]' '$TMP/out' >/dev/null && ! grep -q '^mode ' '$TMP/out'"
vb run --modes host --reps sometimes "${common[@]}" --results "$R3"
check "--reps with a word other than auto: exit 2, naming auto" sh -c "[ $rc -eq 2 ] && grep -q 'or auto' '$TMP/err'"

# ---- trend names the first run after a change -----------------------------
# (every run here derives from one real run, scaled: the host's own drift
# between runs, 25% over three runs at times, would make the test's change
# a matter of luck; and the step halves the IOPS, so a slow repetition in
# that run cannot blur it)
T=$TMP/trendroot
mkdir -p "$T"
cp -r "$R/${runs[2]}" "$T/"
derive "$T" "${runs[2]}" early-1 2099-01-01T00:00:00Z 1.02 host
derive "$T" "${runs[2]}" early-2 2099-01-02T00:00:00Z 0.98 host
derive "$T" "${runs[2]}" later-1 2099-01-03T00:00:00Z 0.5 host
derive "$T" "${runs[2]}" later-2 2099-01-04T00:00:00Z 0.51 host
derive "$T" "${runs[2]}" later-3 2099-01-05T00:00:00Z 0.49 host
vb trend "$T"
cat "$TMP/out"
check "trend finds the change and names its first run" \
	grep -Eq '^  host read IOPS: -[45][0-9]\.[0-9]% from run later-1 on' "$TMP/out"
check "... marks it in the table" grep -Eq '^later-1 .*\* ' "$TMP/out"
check "... in changes.json" jqe '[.changes[] | select(.first_run == "later-1" and .mode == "host")] | length == 2' "$T/trend/changes.json"
check "... and in the chart's script, as a dashed line" grep -q "set arrow 10 from 2.5, graph 0" "$T/trend/trend.gp"

# ---- the nightly recipe ---------------------------------------------------------
N=$TMP/nightly-root
mkdir -p "$N"
# an old run nobody accepted, and an old baseline accepted by hand
derive_into() { cp -r "$R/${runs[0]}" "$N/$1"; rm -f "$N/$1/accepted.json"
	jq --arg id "$1" --arg st "$2" '.id = $id | .started = $st' "$R/${runs[0]}/run.json" > "$N/$1/run.json"; }
derive_into old-stray 2000-01-01T00:00:00Z
derive_into old-baseline 2000-01-02T00:00:00Z
"$VB" accept "$N/old-baseline" >/dev/null 9>&-
nightly() {
	bash "$VB_SRCDIR/scripts/nightly" --results "$N" --keep 2 --rerun 2 --vmio-bench "$VB" -- \
		--modes host --reps 3 "${common[@]}" >"$TMP/out" 2>"$TMP/err" 9>&-
	rc=$?
	echo "# scripts/nightly -> exit $rc"; tail -n 5 "$TMP/err" | sed 's/^/#   /'
}
for i in 1 2 3; do
	nightly
	night=$(readlink "$N/latest")
	# (real runs against a real history: this host's fio drifts by up to 25%
	# between runs, so any verdict can be right; the exit must be the gate's)
	check "nightly $i: exit 0, 1 or 3, the gate's" [ "$rc" -eq 0 -o "$rc" -eq 1 -o "$rc" -eq 3 ]
	check "nightly $i: the gate's verdict in gate.txt, gate.json and gate.xml, and on stdout" \
		sh -c "grep -q '^verdict: ' '$N/$night/gate.txt' && grep -q '^verdict: ' '$TMP/out' &&
			jq -e '.exit_status == $rc' '$N/$night/gate.json' >/dev/null && xmllint --noout '$N/$night/gate.xml'"
	sleep 1
done
check "the nightly pruned the stray old run, kept the accepted baseline" \
	[ ! -e "$N/old-stray" -a -e "$N/old-baseline/run.json" ]
# what may remain: accepted runs, the 2 newest runs, and reruns of those
pruned_right() {
	local newest d id of
	newest=$(for d in "$N"/*/; do jq -r 'select(.config.rerun_of == null) | "\(.started) \(.id)"' "$d/run.json"; done | sort | tail -2 | cut -d' ' -f2)
	for d in "$N"/*/; do
		id=$(jq -r .id "$d/run.json") of=$(jq -r '.config.rerun_of // empty' "$d/run.json")
		[ -e "$d/accepted.json" ] || grep -qx "${of:-$id}" <<< "$newest" || [ -e "$N/$of/accepted.json" ] || return 1
	done
}
check "... and kept only accepted runs, the newest 2 and their reruns" pruned_right
bash "$VB_SRCDIR/scripts/nightly" --keep 2 >"$TMP/out" 2>"$TMP/err"
check "nightly without --results: exit 2 with one line" [ "$?" -eq 2 -a "$(wc -l < "$TMP/err")" -eq 1 ]

# ---- bad input ---------------------------------------------------------------
one_line_2() { local what=$1; shift; vb "$@"
	check "$what: exit 2 with one line ($(head -1 "$TMP/err"))" [ "$rc" -eq 2 -a "$(wc -l < "$TMP/err")" -eq 1 ]; }
one_line_2 "gate with nothing" gate
one_line_2 "gate on a missing root" gate "$TMP/nowhere"
mkdir "$TMP/empty"
one_line_2 "gate on an empty root" gate "$TMP/empty"
one_line_2 "gate on a run not in the root" gate "$R" no-such-run
one_line_2 "gate with an unknown metric" gate "$R" --metric speed
one_line_2 "gate with --history 0" gate "$R" --history 0
one_line_2 "accept with nothing" accept
one_line_2 "accept on a folder that is no run" accept "$TMP"
jq '.state = "incomplete"' "$R/slow/run.json" > "$R/slow/run.t" && mv "$R/slow/run.t" "$R/slow/run.json"
one_line_2 "gate on an incomplete run" gate "$R" slow
one_line_2 "accept on an incomplete run" accept "$R/slow"
rm -rf "$R/slow"
mkdir "$R/broken" && echo '{"schema": ' > "$R/broken/run.json"
vb gate "$R" "${runs[2]}"
check "a damaged run folder in the root is named and left out; the gate still judges" \
	sh -c "[ $rc -ne 2 ] && grep -q \"leaving out '$R/broken'\" '$TMP/err'"
vb gate --help
check "gate --help documents the exit statuses" grep -q '0 pass, 1 regressed, 2 usage or input, 3 inconclusive' "$TMP/out"
finish
