#!/bin/bash
# `vmio-bench tune` end to end (issue 27): real guests, a tiny job, a space
# of 4 candidates.  tune.json validates with every key, the rounds and the
# confirmation are run folders report and compare take, winner.ini
# reproduces the winner with run, winner.xml is the winner's domain, the
# table and the field's progress are printed.  (Bad input: tune-cli.sh.)
. "${VB_SRCDIR:-.}/tests/lib.sh"
need_libvirtd
need_image
command -v jq >/dev/null || need "jq (apt-get install jq)"
check "python3-jsonschema is installed (scripts/setup)" python3 -c 'import jsonschema'

R=$TMP/results
job=(--connect "$CONNECT" --cache-dir "$CACHE" --results "$R" --size 64m --runtime 2 --ramp 0)
vb tune --mode virtio-blk --space 'iothreads=0,1 io=native,threads' --round-reps 2 --budget 5 --seed 7 "${job[@]}"
cat "$TMP/out"
cp "$TMP/out" "$TMP/tune.out"
cp "$TMP/err" "$TMP/tune.err"
check "tune exits 0" [ "$rc" -eq 0 ]
T=$(ls -d "$R"/tune-* 2>/dev/null | head -1)
J=$T/tune.json
check "the tune folder is RESULTS/tune-YYYYMMDD-HHMMSS" sh -c "basename '$T' | grep -Eq '^tune-[0-9]{8}-[0-9]{6}$'"
check "tune.json validates against results/tune.schema.json" \
	python3 -c 'import json, sys, jsonschema; jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))' \
	"$VB_SRCDIR/results/tune.schema.json" "$J"
check "tune.json: the mode, objective, space, seed and 4 candidates with every key" \
	jqe '.mode == "virtio-blk" and .objective == "iops" and .seed == 7 and (.space | keys == ["io", "iothreads"]) and
		(.candidates | length == 4) and all(.candidates[]; has("settings") and has("values") and has("mean") and has("ci95")
		and has("reps") and has("dropped_round") and has("drop_reason"))' "$J"
check "tune.json: a stop reason, a winner, the rounds with their order" \
	jqe '(.stop | IN("one", "tied", "budget")) and (.winner | test("^c0[0-3]$")) and (.rounds | length >= 1) and
		(.rounds[0].order | length == 4)' "$J"
check "the default (iothreads=1 io=native) is marked" \
	jqe '[.candidates[] | select(.is_default) | .settings] == [{"iothreads": "1", "io": "native"}]' "$J"
check "the confirmation: 3 pairs in alternating order, a gain, its interval and a p-value" \
	jqe '.confirmation | (.runs | length == 3) and (.runs[0].modes != .runs[1].modes) and (.runs[0].modes == .runs[2].modes) and
		all(.runs[]; .default > 0 and .winner > 0) and (.gain > 0) and (.ci95 | length == 2) and (.p >= 0 and .p <= 1) and
		(.verdict | IN("gain", "default as good"))' "$J"
R1=$T/rounds/$(jq -r '.rounds[0].run' "$J")
C=$T/confirm/$(jq -r '.confirmation.runs[0].run' "$J")
# a candidate whose guest failed (a boot too slow under load) is dropped
# with run.json's reason, never kept as a slow one
jq -r '.candidates[] | select(.drop_reason != null and .drop_reason != "slower") | "# \(.tag) failed: \(.drop_reason)"' "$J"
check "round 1's run folder holds each candidate as a variant" \
	jqe '[.modes[] | select(.variant_of == "virtio-blk")] | length == 4' "$R1/run.json"
failed_agree() { # RUN.JSON TUNE.JSON: round 1's failed modes are the candidates tune.json drops in round 1 as failed
	python3 - "$1" "$2" <<'PY'
import json, sys
run, tune = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
failed = {m["mode"]: m.get("reason", "") for m in run["modes"] if m.get("status") != "ok"}
dropped = {c["name"]: c["drop_reason"] for c in tune["candidates"]
           if c["dropped_round"] == 1 and c["drop_reason"] not in (None, "slower")}
sys.exit(0 if failed.keys() == dropped.keys() and all(dropped[k].startswith(failed[k][:40]) for k in failed) else 1)
PY
}
check "... each ok, or failed there and dropped as failed, with that reason, in tune.json" failed_agree "$R1/run.json" "$J"
vb report "$R1"
check "report takes a round's run folder" [ "$rc" -eq 0 ]
vb report "$C"
check "report takes the confirmation's run folder" [ "$rc" -eq 0 ]
vb compare "$C" "$C"
check "compare takes the confirmation's run folder" [ "$rc" -eq 0 ]
check "the confirmation ran the default and the winner as two modes" \
	jqe '[.modes[].mode] | sort == ["virtio-blk", "virtio-blk+tuned"]' "$C/run.json"
check "winner.xml is the winner's domain: a <driver> with its io" \
	sh -c "grep -q \"io='\$(jq -r '.winner as \$w | .candidates[] | select(.tag == \$w) | .settings.io' '$J')'\" '$T/winner.xml'"
check "the table: a rank per candidate, the winner, the stop and the confirmation" \
	sh -c "grep -q '^rank' '$TMP/tune.out' && [ \$(grep -Ec '^ +[0-9]+  c0[0-3] ' '$TMP/tune.out') -eq 4 ] && grep -q ' winner' '$TMP/tune.out' &&
		grep -q '^stop: ' '$TMP/tune.out' && grep -q '^confirmation: ' '$TMP/tune.out'"
check "stderr showed the field shrinking per round" grep -Eq '^round 1: [0-9]+ of 4 left' "$TMP/tune.err"

# ---- winner.ini reproduces the winner with run ------------------------------
vb run -c "$T/winner.ini" --modes virtio-blk --reps 1 "${job[@]}" --results "$TMP/again"
check "run -c winner.ini exits 0" [ "$rc" -eq 0 ]
check "... with the winner's settings as the mode's tuning" \
	sh -c "[ \"\$(jq -S -c '.modes[0].tuning_overrides' '$TMP/again/latest/run.json')\" = \
		\"\$(jq -S -c '.winner as \$w | .candidates[] | select(.tag == \$w) | .settings' '$J')\" ]"
check "... and the job the race ran (winner.ini's [global]: runtime 2, ramp 0, the job's bs and iodepth)" \
	sh -c "grep -qx 'runtime = 2' '$T/winner.ini' && grep -qx 'ramp = 0' '$T/winner.ini' &&
		grep -qx 'bs = 4096' '$T/winner.ini' && grep -qx 'iodepth = 32' '$T/winner.ini'"
check "no domain left" no_domain_left
finish
