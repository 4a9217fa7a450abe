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
	jqe --arg h "$(virsh -c "$CONNECT" hostname)" '.schema >= 2 and .host.hostname == $h and (.host.hostname | length > 0)' "$R/${runs[0]}/run.json"
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
# old nights: one accepted by hand (the history), the others nobody accepted
derive_into() { cp -r "$R/${runs[0]}" "$N/$1"; rm -f "$N/$1/accepted.json"
	jq --arg id "$1" --arg st "$2" '.id = $id | .started = $st' "$R/${runs[0]}/run.json" > "$N/$1/run.json"; }
derive_into old-stray 2000-01-01T00:00:00Z
derive_into old-baseline 2000-01-02T00:00:00Z
derive_into old-1 2000-01-03T00:00:00Z
derive_into old-2 2000-01-04T00:00:00Z
"$VB" accept "$N/old-baseline" >/dev/null 9>&-
# The test's own record, not the script's: the nights in the order of the
# start times the test gave them (tonight's real runs start later than all
# but "future"), and the night each folder belongs to (a rerun, its night's).
order=(old-stray old-baseline old-1 old-2)
declare -A owner=([old-stray]=old-stray [old-baseline]=old-baseline [old-1]=old-1 [old-2]=old-2)
folders() { local d; for d in "$N"/*/; do d=${d%/}; [ -L "$d" ] || echo "${d##*/}"; done | sort; }
# nightly KEEP [VMIO-BENCH]: sets rc, night (the folder it made that is not
# a rerun, by comparing the root before and after) and made (all it made)
nightly() {
	local before f
	before=$(folders)
	runjson_mark nightly
	bash "$VB_SRCDIR/scripts/nightly" --results "$N" --keep "$1" --rerun 2 --vmio-bench "${2:-$VB}" -- \
		--modes host --reps 3 "${common[@]}" >"$TMP/out" 2>"$TMP/err" 9>&-
	rc=$?
	runjson_since nightly
	echo "# scripts/nightly --keep $1 -> exit $rc"; tail -n 5 "$TMP/err" | sed 's/^/#   /'
	made=$(comm -13 <(echo "$before") <(folders))
	night=""
	for f in $made; do
		of=$(jq -r '.config.rerun_of // empty' "$N/$f/run.json")
		owner[$f]=${of:-$f}
		[ -n "$of" ] || night=$night$f
	done
}
# survivors KEEP TONIGHT ACCEPTED...: the folders that must remain, by this
# test's reckoning: tonight's, the KEEP-1 newest other nights in `order`,
# the nights accepted before the nightly ran, and the reruns of these
survivors() {
	local keep=$1 tonight=$2 f i
	shift 2
	declare -A stay=([$tonight]=1)
	local others=()
	for f in "${order[@]}"; do [ "$f" = "$tonight" ] || others+=("$f"); done
	for ((i = ${#others[@]} - keep + 1; i < ${#others[@]}; i++)); do [ "$i" -ge 0 ] && stay[${others[i]}]=1; done
	for f in "$@"; do stay[$f]=1; done
	for f in "${!owner[@]}"; do [ -n "${stay[${owner[$f]}]:-}" ] && echo "$f"; done | sort
}
accepted_now() { local f; for f in "${order[@]}"; do [ -e "$N/$f/accepted.json" ] && echo "$f"; done; }
# one nightly with --keep KEEP; LABEL names it in the checks
night_checks() { # LABEL KEEP
	local label=$1 keep=$2 acc want
	acc=$(accepted_now)
	nightly "$keep"
	check "$label: the run made one night (and maybe its rerun)" [ -n "$night" -a "$(wc -w <<< "$night")" -eq 1 ]
	order+=("$night")
	# (real runs against a real history: this host's fio drifts by up to 25%
	# between runs, so any verdict can be right; the exit must be the gate's)
	check "$label: exit $rc is the one gate.json's verdict calls for" \
		jqe --argjson rc "$rc" '.exit_status == $rc and ({"pass": 0, "improved": 0, "regressed": 1, "inconclusive": 3}[.verdict]) == $rc' \
		"$N/$night/gate.json"
	check "$label: the gate's verdict in gate.txt, gate.json and gate.xml, and on stdout, for tonight's run" \
		sh -c "grep -q '^verdict: ' '$N/$night/gate.txt' && grep -q '^verdict: ' '$TMP/out' &&
			jq -e '.run == \"$night\"' '$N/$night/gate.json' >/dev/null && xmllint --noout '$N/$night/gate.xml'"
	# shellcheck disable=SC2086 # the accepted nights, one word each
	want=$(survivors "$keep" "$night" $acc)
	check "$label: --keep $keep left exactly tonight's, the $((keep - 1)) newest other night(s), the accepted ones and their reruns ($(echo $want))" \
		[ "$(folders)" = "$want" ]
	check "$label: latest names tonight's run" [ "$(readlink "$N/latest")" = "$night" ]
	for f in "${!owner[@]}"; do grep -qx "$f" <<< "$want" || unset "owner[$f]"; done
	local o=(); for f in "${order[@]}"; do [ -e "$N/$f" ] && o+=("$f"); done; order=("${o[@]}")
	# tonight unaccepted again: the history stays old-baseline, and only
	# --keep decides what the next nightly keeps
	rm -f "$N/$night/accepted.json"
	sleep 1
}
night_checks "nightly 1" 2
check "nightly 1 pruned the stray old runs, kept the accepted baseline" \
	[ ! -e "$N/old-stray" -a ! -e "$N/old-1" -a -e "$N/old-2/run.json" -a -e "$N/old-baseline/run.json" ]
night_checks "nightly 2" 3
# a night that started after tonight's (a clock set wrong): --keep 1 still
# keeps the run just gated, not that one
derive_into future 2099-01-01T00:00:00Z
order+=(future)
owner[future]=future
night_checks "nightly 3" 1
check "nightly 3 (--keep 1) kept tonight's run and the accepted baseline, removed the future-dated night" \
	[ -e "$N/$night/run.json" -a ! -e "$N/future" -a -e "$N/old-baseline/run.json" ]
# a run that fails before making its folder (libvirtd or ssh down): a fake
# vmio-bench whose run says so and exits 1; its gate and accept are the
# real ones, so gating last night again would show
mkdir -p "$TMP/fakebin"
cat > "$TMP/fakebin/vmio-bench" <<EOF
#!/bin/sh
[ "\$1" = run ] || exec "$VB" "\$@"
echo "vmio-bench: cannot reach libvirt (a fake run, for the test)" >&2
exit 1
EOF
chmod 755 "$TMP/fakebin/vmio-bench"
last=$night
sums() { stat -c '%n %s %y' "$N/$last"/* "$N"/*; }
before_sums=$(sums)
before_latest=$(readlink "$N/latest")
nightly 2 "$TMP/fakebin/vmio-bench"
check "a run that made no folder: nightly exits 2" [ "$rc" -eq 2 ]
check "... saying so in one line of its own" \
	[ "$(grep -c '^nightly: the run made no run folder (exit 1' "$TMP/err")" -eq 1 -a "$(grep -c '^nightly: ' "$TMP/err")" -eq 2 ]
check "... gated nothing: no verdict on stdout, last night's gate files and the root untouched, latest unchanged" \
	[ ! -s "$TMP/out" -a "$(sums)" = "$before_sums" -a "$(readlink "$N/latest")" = "$before_latest" ]
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
# a rerun or a resume measures where its run did, or is refused with one
# line before anything is measured or written (vb_manifest_check_place)
unchanged_root() { [ "$(ls "$R" | sort)" = "$root_before" ]; }
root_before=$(ls "$R" | sort)
one_line_2 "run --rerun-of a run of qemu:///system, on qemu:///session" \
	run --rerun-of "${runs[2]}" --results "$R" --connect qemu:///session --modes host "${common[@]:2}"
check "... naming where the run was measured" grep -q "was measured on 'qemu:///system', not 'qemu:///session'" "$TMP/err"
dd if=/dev/zero of="$TMP/d.raw" bs=1M count=8 status=none
one_line_2 "run --rerun-of a run on its own store, with a --disk" \
	run --rerun-of "${runs[2]}" --results "$R" --disk "$TMP/d.raw" --modes host "${common[@]}"
check "... and nothing was made in the root" unchanged_root
# a run to resume, its record changed in one thing at a time
resumable() { # JQ-FILTER: a copy of runs[2], incomplete, its host mode to do again, filtered
	rm -rf "$TMP/res"; cp -r "$R/${runs[2]}" "$TMP/res"; rm -f "$TMP/res/accepted.json"
	jq --arg d "$(readlink -f "$TMP/d.raw")" '.state = "incomplete" | (.modes[] | select(.mode == "host")) |= (.status = "failed" | .points = []) | '"$1" \
		"$R/${runs[2]}/run.json" > "$TMP/res/run.json"
	md5=$(md5sum < "$TMP/res/run.json")
}
res_refused() { # WHAT GREP
	vb run --resume "$TMP/res"
	check "--resume, $1: exit 2 with one line ($(head -1 "$TMP/err"))" [ "$rc" -eq 2 -a "$(wc -l < "$TMP/err")" -eq 1 ]
	check "... naming it" grep -q -- "$2" "$TMP/err"
	check "... run.json untouched" [ "$(md5sum < "$TMP/res/run.json")" = "$md5" ]
}
resumable '.config.disk = $d | .backing_store = {path: $d, type: "block", size: 8388608, created_by_vmio_bench: false}'
res_refused "a recorded block --disk that is a file here" "was a block device on this host and is not one now"
resumable '.config.disk = ($d + ".gone") | .backing_store = {path: ($d + ".gone"), type: "file", size: 8388608, created_by_vmio_bench: false}'
res_refused "a recorded --disk that does not exist" "d.raw.gone' does not exist on this host"
ln -sfn /dev/null "$TMP/d.link"
resumable '.config.disk = ($d | sub("raw$"; "link")) | .backing_store = {path: $d, type: "file", size: 8388608, created_by_vmio_bench: false}'
res_refused "a recorded --disk whose link now points elsewhere" "is '/dev/null' on this host now, not '$(readlink -f "$TMP/d.raw")'"
resumable '.hypervisor = {remote: true, helpers: "h (over ssh)"} | .config.disk = "/dev/loop0" | .backing_store = {path: "/dev/loop0", type: "block"}'
res_refused "a remote run's record with a local URI (its block --disk would be this host's)" "says it was remote: its run.json was edited"
resumable '.connect = "qemu+ssh://root@h/system"'
res_refused "a record naming two hypervisors" "does not name one hypervisor"
resumable '.'
vb run --resume "$TMP/res"
check "--resume of the same record, unchanged: exit 0, the host mode measured again" \
	sh -c "[ $rc -eq 0 ] && jq -e '.state == \"complete\" and ([.modes[] | select(.mode == \"host\") | .status, (.points[0].reps | length)] == [\"ok\", 3])' '$TMP/res/run.json' >/dev/null"
mkdir "$R/broken" && echo '{"schema": ' > "$R/broken/run.json"
vb gate "$R" "${runs[2]}"
check "a damaged run folder in the root is named and left out; the gate still judges" \
	sh -c "[ $rc -ne 2 ] && grep -q \"leaving out '$R/broken'\" '$TMP/err'"
vb gate --help
check "gate --help documents the exit statuses" grep -q '0 pass, 1 regressed, 2 usage or input, 3 inconclusive' "$TMP/out"
finish
