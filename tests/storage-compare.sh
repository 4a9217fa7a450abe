#!/bin/bash
# The storage model is part of what a comparison must match (issue 24,
# point 6), however a run spelled it: --storage NAME, or before storage
# models the older --backend and --format.  Run folders made from
# tests/fixtures/run-v2 with fio JSON per repetition: no guest, no libvirt.
. "${VB_SRCDIR:-.}/tests/lib.sh"
command -v jq >/dev/null || need "jq (apt-get install jq)"
FIX=$VB_SRCDIR/tests/fixtures/run-v2
jqe() { [ -s "${*: -1}" ] && jq -e "$@" >/dev/null; }

fio_json() { # READ WRITE: one repetition's fio JSON
	jq -n --argjson r "$1" --argjson w "$2" 'def d(i): {iops: i, bw_bytes: (i * 4096), io_bytes: (i * 4096 * 2 | floor),
		total_ios: (i * 2 | floor), runtime: 2000, clat_ns: {mean: (32e9 / i), percentile: {"99.000000": (64e9 / i | floor)}}};
		{"fio version": "fio-3.33", jobs: [{jobname: "vmio", error: 0, read: d($r), write: d($w), usr_cpu: 5.0,
		sys_cpu: 10.0, job_runtime: 2000}]}'
}
# night ROOT NAME STARTED JQ: host and virtio-blk, virtio-blk at 4000 IOPS,
# run.json changed by JQ (how it spelled its storage)
night() {
	local root=$1 name=$2 started=$3 filter=$4
	mkdir -p "$root/$name"
	cp -r "$FIX/host" "$FIX/virtio-blk" "$root/$name/"
	for i in 1 2 3; do fio_json $((4000 + i)) $((4000 - i)) > "$root/$name/virtio-blk/rep-$i.fio.json"; done
	jq --arg id "$name" --arg st "$started" '.id = $id | .started = $st | .config.modes = "host,virtio-blk"
		| .modes |= map(select(.mode != "lun")) | '"$filter" "$FIX/run.json" > "$root/$name/run.json"
}
R=$TMP/root
old_qcow2='.config.format = "qcow2" | del(.config.storage)'
new_qcow2='.config.format = "raw" | .config.storage = "qcow2"'

# ---- older spellings pool with the model they name --------------------------
night "$R" old-1 2026-12-01T01:00:00Z "$old_qcow2"
night "$R" old-2 2026-12-02T01:00:00Z "$old_qcow2"
night "$R" new 2026-12-03T01:00:00Z "$new_qcow2"
vb compare "$R/old-1" "$R/new"
check "a run of --format qcow2 and one of --storage qcow2 compare (exit 0, the same figures)" [ "$rc" -eq 0 ]
check "... with no storage difference named" lacks "$TMP/err" "storage"
for n in old-1 old-2; do "$VB" accept "$R/$n" >/dev/null 9>&-; done
vb gate "$R" new --format json
check "the gate pools both --format qcow2 nights with a --storage qcow2 night" \
	jqe '(.history.runs | length == 2) and .history.left_out_differing == 0' "$TMP/out"

# raw: no --storage, --backend file --format raw, and --storage raw alike
night "$R" raw-old 2026-12-04T01:00:00Z 'del(.config.storage)'
night "$R" raw-new 2026-12-05T01:00:00Z '.config.storage = "raw"'
vb compare "$R/raw-old" "$R/raw-new"
check "a run from before storage models and one of --storage raw compare" [ "$rc" -eq 0 ]

# ---- another model does not pool ----------------------------------------------
vb compare "$R/raw-new" "$R/new"
check "raw against qcow2: compare refuses (exit 2), naming the storage model" \
	sh -c "[ $rc -eq 2 ] && grep -q 'compare: the storage model differs: raw in raw-new, qcow2 in new' '$TMP/err'"
vb compare "$R/old-1" "$R/raw-old"
check "--format qcow2 against a raw run from before: refused alike" \
	sh -c "[ $rc -eq 2 ] && grep -q 'the storage model differs: qcow2 in old-1, raw in raw-old' '$TMP/err'"
night "$R" nbd 2026-12-06T01:00:00Z '.config.storage = "qcow2-falloc"'
vb gate "$R" nbd --format json
check "the gate leaves the qcow2 nights out of a qcow2-falloc night's history" \
	jqe '(.history.runs | length == 0) and .history.left_out_differing >= 2' "$TMP/out"

# trend: the newest run's storage model only; older spellings count as theirs
vb trend "$R/old-1" "$R/old-2" "$R/new" "$R/raw-new" "$R/nbd" --out "$TMP/trend-q"
check "trend of a qcow2-falloc night leaves the other models out" \
	sh -c "grep -q '^trend of 1 run(s)' '$TMP/out' && grep -q 'storage model differs' '$TMP/err'"
vb trend "$R/old-1" "$R/old-2" "$R/new" --out "$TMP/trend-q2"
check "trend pools --format qcow2 nights with a --storage qcow2 night (3 runs, none left out)" \
	sh -c "grep -q '^trend of 3 run(s)' '$TMP/out' && ! grep -q 'leaving out' '$TMP/err'"

# a hostile model name is text, never markup or a terminal escape
night "$R" evil 2026-12-07T01:00:00Z '.config.storage = "x\u001b[31m<b>"'
vb compare "$R/raw-new" "$R/evil"
check "a hostile storage name in run.json is cleaned in the message" \
	sh -c "[ $rc -eq 2 ] && ! grep -q \$'\\x1b' '$TMP/err'"
finish
