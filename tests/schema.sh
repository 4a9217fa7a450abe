#!/bin/bash
# run.json's format, documented once as results/run.schema.json: the schema
# is a valid JSON Schema that knows every results schema number this
# vmio-bench reads; the fixtures of older numbers validate and still load;
# what import writes validates; and the check fails on a run.json that is
# wrong (a key of the wrong type, a schema-2 field in a schema-1 run, a
# fleet without hosts) and on a missing validator.  No libvirt needed.
. "${VB_SRCDIR:-.}/tests/lib.sh"
command -v jq >/dev/null || need "jq (apt-get install jq)"
S=$RUNJSON_SCHEMA
FIX=$VB_SRCDIR/tests/fixtures
CHECKER=$VB_SRCDIR/tests/runjson-check.py

check "python3-jsonschema is installed (scripts/setup)" python3 -c 'import jsonschema'
check "results/run.schema.json is a valid JSON Schema" \
	python3 -c 'import json, sys, jsonschema; s = json.load(open(sys.argv[1])); jsonschema.validators.validator_for(s).check_schema(s)' "$S"
lo=$(sed -n 's/^#define VB_RESULTS_SCHEMA_MIN \([0-9]*\).*/\1/p' "$VB_SRCDIR/bench/core/results.h")
hi=$(sed -n 's/^#define VB_RESULTS_SCHEMA \([0-9]*\).*/\1/p' "$VB_SRCDIR/bench/core/results.h")
check "the schema's numbers are results.h's, $lo to $hi" \
	jqe --argjson lo "$lo" --argjson hi "$hi" '.properties.schema.enum == [range($lo; $hi + 1)]' "$S"

# ---- the fixtures: every number validates and loads ------------------------
# run-storage: schema 2 with issue 24's fields (config.storage, a point's
# params.storage, modes[].storage with each model's record and integrity)
check "fixture run-storage shows the storage fields" \
	jqe '.config.storage and .job.points[0].params.storage and (.modes[0].storage.raw.integrity.result == "ok")' "$FIX/run-storage/run.json"
# run-iotune: issue 26's QoS (config.iotune, modes[].iotune.all), a real
# run of virtio-blk at total_iops_sec=1550 (tests/iotune.sh's second run)
check "fixture run-iotune shows the iotune fields" \
	jqe '.config.iotune == "total_iops_sec=1550" and .modes[0].iotune.all.total_iops_sec == 1550' "$FIX/run-iotune/run.json"
# run-vms: issue 26's --vms fields (a point's params.vms, each repetition's
# vms record with its guests, the mode's vms record with its boots)
check "fixture run-vms shows the --vms fields" \
	jqe '.job.points[1].params.vms == 2 and (.modes[1].points[1].reps[0].vms.guests | length == 2) and (.modes[1].vms.boots | length == 3)' "$FIX/run-vms/run.json"
check "fixture run-neighbour shows the --neighbour fields" \
	jqe '[.job.points[].params.neighbour] == ["idle", "busy"] and (.modes[1].points[1].reps[0].vms.guests[1].role == "neighbour")' "$FIX/run-neighbour/run.json"
# run-threads: issue 26's host CPU by thread (reps[].host_cpu.threads)
check "fixture run-threads shows the thread split" \
	jqe '.modes[] | select(.mode == "virtio-blk") | .points[0].reps[0].host_cpu | .start_unix and (.threads.qemu.classes.vcpu > 0) and (.threads.qemu.per_thread | length > 0)' "$FIX/run-threads/run.json"
# run-variant: issue 27's variant modes (modes[].variant_of beside the
# variant's tuning_overrides), a real run of virtio-blk,virtio-blk+t
check "fixture run-variant shows variant_of" \
	jqe '.modes[1] | .mode == "virtio-blk+t" and .variant_of == "virtio-blk" and .tuning_overrides.io == "threads"' "$FIX/run-variant/run.json"
# run-busy: issue 28's host_load (schema 3), a real run of host and
# virtio-blk with a CPU hog during host (on a shared machine: other work
# kept virtio-blk busy too): each repetition's and each point's host_load
check "fixture run-busy (schema 3) shows host_load: a busy point with why" \
	jqe '.schema == 3 and (.modes[0].points[0].host_load | .busy and (.why | test("other processes took")) and .other_cpu > 0.25) and ([.modes[].points[].reps[].host_load.own_cpu] | length == 4)' "$FIX/run-busy/run.json"
for f in run-base run-v2 run-storage run-iotune run-vms run-neighbour run-threads run-variant run-same run-env run-latlog run-busy; do
	n=$(jq .schema "$FIX/$f/run.json")
	check "fixture $f (schema $n) validates" python3 "$CHECKER" "$S" "$FIX/$f/run.json"
	cp -r "$FIX/$f" "$TMP/$f"
	chmod -R u+w "$TMP/$f"
	vb report "$TMP/$f"
	check "fixture $f (schema $n) still loads: report exits 0" [ "$rc" -eq 0 ]
done
vb report "$TMP/run-busy"
check "fixture run-busy's table marks the busy modes' rows BUSY and says why" \
	sh -c "[ \$(grep -cE '^(host|virtio-blk) +(read|write) .*  BUSY\$' '$TMP/out') -eq 4 ] &&
		grep -qx 'host            BUSY: the host was busy while it measured: other processes took 1.39 cores during the measurement (over 0.25)' '$TMP/out'"
check "... summary.json's rows say busy and why" \
	jqe '[.rows[] | .host_load | .busy and (.why | test("other processes took"))] | length == 4 and all' "$TMP/run-busy/summary.json"
check "... and a run without host_load has no such key nor mark (run-threads)" \
	sh -c "jq -e '[.rows[] | has(\"host_load\")] | any | not' '$TMP/run-threads/summary.json' >/dev/null &&
		! grep -q BUSY '$TMP/run-threads/summary.md'"
# the why is free text from a results folder: cleaned for the terminal
jq '.modes[1].points[0].host_load.why = "evil\u001b[2J`id`|*<b>"' "$FIX/run-busy/run.json" > "$TMP/run-busy/run.json"
vb report "$TMP/run-busy"
check "a planted why reaches the table with its control characters replaced" \
	sh -c "grep -qF 'virtio-blk      BUSY: the host was busy while it measured: evil?[2J' '$TMP/out' && ! grep -q \$'\\x1b' '$TMP/out'"
check "... and escaped in summary.md" grep -qF 'evil?[2J\`id\`\|\*\<b>' "$TMP/run-busy/summary.md"
vb report "$TMP/run-iotune"
check "fixture run-iotune's summary sets the limit beside the measured rate" \
	sh -c "grep -qx 'virtio-blk: iotune total_iops_sec=1550, measured 1544 IOPS (99.6% of the limit)' '$TMP/out' &&
		jq -e '.iotune[0] | .limit == \"total_iops_sec\" and .value == 1550 and (.measured | floor) == 1544' '$TMP/run-iotune/summary.json' >/dev/null"
check "... and a run without --iotune has no such line nor key (run-storage)" \
	sh -c "jq -e 'has(\"iotune\") | not' '$TMP/run-storage/summary.json' >/dev/null"
# compare: a throttled run is not the same measurement as an unthrottled one
cp -r "$FIX/run-iotune" "$TMP/run-free"
chmod -R u+w "$TMP/run-free"
jq 'del(.config.iotune) | del(.modes[0].iotune) | .id = "free"' "$FIX/run-iotune/run.json" > "$TMP/run-free/run.json"
vb compare "$TMP/run-free" "$FIX/run-iotune"
check "compare refuses runs whose --iotune differs, naming it (exit 2)" sh -c "[ $rc -eq 2 ] && grep -q -- '--iotune' '$TMP/err'"
jq '.config.iotune = null | del(.modes[0].iotune) | .id = "free"' "$FIX/run-iotune/run.json" > "$TMP/run-free/run.json"
cp -r "$TMP/run-free" "$TMP/run-older"
jq 'del(.config.iotune) | del(.config.neighbour_iotune) | .id = "older"' "$TMP/run-free/run.json" > "$TMP/run-older/run.json"
vb compare "$TMP/run-older" "$TMP/run-free"
check "... but a run without --iotune compares with one from before the option (null and absent alike)" [ "$rc" -ne 2 ]
# a run.json is input: a limit's name reaches the terminal only from the table
jq '.modes[0].iotune.all = {"total_iops_sec\u001b[31m": 5, "bogus": 7, "total_iops_sec": "x"}' "$FIX/run-iotune/run.json" > "$TMP/run-iotune/run.json"
vb report "$TMP/run-iotune"
check "report of a run.json with hostile iotune names exits 0 and shows none of them" \
	sh -c "[ $rc -eq 0 ] && ! grep -q 'iotune' '$TMP/out' && ! grep -q \"\$(printf '\\033')\" '$TMP/out'"
check "run-threads' summary.md splits host CPU per I/O by thread" grep -Eq '^- virtio-blk: vcpu [0-9.]+ us' "$TMP/run-threads/summary.md"
check "... and the older fixtures' have no such line" sh -c '! grep -q "by thread" "$1/run-base/summary.md" "$1/run-v2/summary.md" "$1/run-storage/summary.md"' _ "$TMP"
# a class name is text from the results folder: only a plain word reaches
# the table, summary.md and report.html (anything else is "other")
cp -r "$FIX/run-threads" "$TMP/hostile-threads"
chmod -R u+w "$TMP/hostile-threads"
jq '(.modes[] | select(.mode == "virtio-blk") | .points[0].reps[].host_cpu.threads.qemu.classes) |= with_entries(if .key == "main" then .key = "<b>`id`\u001b[2J" else . end)' \
	"$FIX/run-threads/run.json" > "$TMP/hostile-threads/run.json"
vb report "$TMP/hostile-threads"
check "a hostile class name is refused in the split: 'other' instead, nowhere in the page, the table or summary.md" \
	sh -c '[ "$2" -eq 0 ] && grep -Eq "^- virtio-blk: vcpu [0-9.]+ us, iothread [0-9.]+ us, other " "$1/summary.md" &&
	       ! grep -q "id\`" "$1/report.html" "$1/summary.md" "$3" && grep -q "by thread: vcpu" "$3"' _ "$TMP/hostile-threads" "$rc" "$TMP/out"
check "the fixtures cover schema 1 and schema 2" \
	sh -c "[ \"\$(jq -s 'map(.schema) | sort' '$FIX/run-base/run.json' '$FIX/run-v2/run.json' | jq -c .)\" = '[1,2]' ]"

# ---- what import writes (checked by finish with every run.json vb wrote) ---
vb import "$FIX/fio-randrw-virtio-blk.json" --mode bare --results "$TMP/res"
check "import makes a run of its own" [ "$rc" -eq 0 ]
vb import "$FIX/fio-randrw-virtio-blk.json" --mode bare --into "$TMP/run-base"
check "import --into a schema-1 run" [ "$rc" -eq 0 ]

# ---- the check can fail -----------------------------------------------------
bad_one() { # WHAT JQ-FILTER [FIXTURE]: the check refuses the fixture so edited, naming the key
	local what=$1 filter=$2 fix=${3:-run-v2} out st
	mkdir -p "$TMP/bad"
	jq "$filter" "$FIX/$fix/run.json" > "$TMP/bad/run.json"
	out=$(python3 "$CHECKER" "$S" "$TMP/bad/run.json")
	st=$?
	echo "# $out" | cut -c1-300
	[ "$st" -eq 1 ] && [ -n "$out" ]
}
check "a planted run.json with host.cpus a string fails the check" bad_one cpus '.host.cpus = "two"'
check "... with a mode's points not a list fails it" bad_one points '.modes[0].points = {}'
check "... with a repetition's file a number fails it" bad_one file '.modes[0].points[0].reps[0].file = 1'
check "... with a status vmio-bench never writes fails it" bad_one status '.modes[1].status = "fine"'
check "... with a key vmio-bench never writes fails it" bad_one key '.colour = "blue"'
check "... with schema $((hi + 1)) (newer than this vmio-bench) fails it" bad_one newer ".schema = $((hi + 1))"
check "a schema-1 run.json with host.hostname (a schema-2 field) fails it" bad_one v1host '.host.hostname = "x"' run-base
check "a schema-2 run.json of a guest run without host.hostname fails it" bad_one v2host 'del(.host.hostname)'
check "a fleet's run.json without hosts fails it" bad_one fleet '{schema, id, state, started, ended, config, fleet: {}}'
check "a fleet's run.json as fleet.c writes it validates" \
	sh -c "jq '{schema, id, state, started, ended, fleet: {hosts: [{label: \"a\", connect: \"qemu+ssh://a/system\", dir: \"a\", state: \"complete\", exit: 0}]}, config: (.config | .connect = null)}' '$FIX/run-v2/run.json' > '$TMP/fleet.json' && python3 '$CHECKER' '$S' '$TMP/fleet.json'"

# the helper finish uses: a bad file is a 'not ok' line naming it
jq '.host.cpus = "two"' "$FIX/run-v2/run.json" > "$TMP/bad/run.json"
out=$(npass=0 nfail=0; runjson_validate "the planted file" "$TMP/bad/run.json"; echo "nfail=$nfail")
echo "$out" | sed 's/^/# /'
check "runjson_validate says 'not ok' for it and counts a failure" \
	sh -c "printf '%s\n' \"\$1\" | grep -q '^not ok - the planted file validates' && printf '%s\n' \"\$1\" | grep -q '^nfail=1$'" _ "$out"
check "... and names the key and the file" sh -c "printf '%s\n' \"\$1\" | grep -q 'host.cpus' && printf '%s\n' \"\$1\" | grep -qF \"\$2\"" _ "$out" "$TMP/bad/run.json"
# without the validator: a failure, not a skip
out=$(cd "$TMP" && python3 -S "$CHECKER" "$S" "$FIX/run-v2/run.json"; echo "exit=$?")
echo "$out" | sed 's/^/# /'
check "without python3-jsonschema the check fails (exit 2), saying what to install" \
	sh -c "printf '%s\n' \"\$1\" | grep -q 'python3-jsonschema is missing' && printf '%s\n' \"\$1\" | grep -q '^exit=2$'" _ "$out"
finish
