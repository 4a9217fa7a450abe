#!/bin/bash
# `vmio-bench import`: fio JSON from elsewhere (here: real fio run on this
# host, outside vmio-bench) joins a stored run as a mode of its own, or
# makes a run of its own, and shows in the table, summary files, charts,
# report.html, compare, trend and gate, marked as imported.  Every refusal
# is one line, exit 2, and leaves the run as it was.  No libvirt needed.
. "${VB_SRCDIR:-.}/tests/lib.sh"
command -v jq >/dev/null || need "jq (apt-get install jq)"
command -v fio >/dev/null || need "fio (apt-get install fio)"
FIX=$VB_SRCDIR/tests/fixtures/run-base

# fio's own JSON, made the way a bare-metal host would make it: the run's
# job (4k randrw 50% read, iodepth 32, 1 job), on a file of our own
bare() { # OUT [fio options...]
	local out=$1
	shift
	fio --name=bare --filename="$TMP/bare.raw" --size=32m --ioengine=libaio --direct=0 --rw=randrw --rwmixread=50 \
		--bs=4k --iodepth=32 --numjobs=1 --time_based=1 --runtime=1 --group_reporting=1 --output-format=json+ "$@" \
		>"$out" 2>/dev/null
}
for i in 1 2 3; do bare "$TMP/bare$i.json"; done
check "fio made three JSON results" jqe '.jobs[0].read.iops > 0' "$TMP/bare3.json"

# ---- into a run --------------------------------------------------------------
cp -r "$FIX" "$TMP/run"
chmod -R u+w "$TMP/run"
vb import "$TMP/bare1.json" "$TMP/bare2.json" "$TMP/bare3.json" --mode baremetal --into "$TMP/run"
cat "$TMP/out"
check "import --into exits 0" [ "$rc" -eq 0 ]
check "the table shows the imported mode, read and write, beside the measured ones" \
	sh -c "grep -q '^baremetal  *read  *[1-9]' '$TMP/out' && grep -q '^baremetal  *write  *[1-9]' '$TMP/out' && grep -q '^virtio-blk ' '$TMP/out'"
check "the table marks it as imported, with its origin" grep -q "^baremetal .*IMPORTED.*from $TMP/bare1.json and 2 more, fio-" "$TMP/out"
J=$TMP/run/run.json
check "run.json: the mode is recorded as imported, with each file's origin and fio's own times" \
	jqe --arg o "$TMP/bare1.json" '.modes[] | select(.mode == "baremetal") | .status == "ok" and .imported.files[0].origin == $o
		and (.imported.files | length) == 3 and (.imported.fio_first | test("^20[0-9-]+T"))' "$J"
check "the files are stored untouched, as a measured mode's repetitions are" \
	sh -c "cmp -s '$TMP/bare1.json' '$TMP/run/baremetal/rep-1.fio.json' && cmp -s '$TMP/bare3.json' '$TMP/run/baremetal/rep-3.fio.json'"
check "summary.json has its rows and says it was imported" \
	jqe '([.rows[] | select(.mode == "baremetal")] | length == 2) and (.modes[] | select(.mode == "baremetal") | .imported | test("^from "))' \
	"$TMP/run/summary.json"
check "its ratio to the run's host baseline is there" \
	jqe '.rows[] | select(.mode == "baremetal" and .dir == "read") | .ratio_to_host > 0' "$TMP/run/summary.json"
check "summary.md lists it under imported modes" grep -q '## Imported modes' "$TMP/run/summary.md"
check "the IOPS chart draws it" grep -q 'baremetal' "$TMP/run/plots/iops.svg"
check "report.html shows it, marked as imported" sh -c "grep -q 'baremetal was imported' '$TMP/run/report.html'"
vb report "$TMP/run"
check "report draws it again from the stored files alone" sh -c "[ $rc -eq 0 ] && grep -q '^baremetal  *read' '$TMP/out'"

# ---- refusals: one line, exit 2, the run unchanged ---------------------------
cp "$J" "$TMP/run.json.before"
refused() { # WHAT PATTERN: the last vb call was refused with PATTERN, run.json unchanged
	[ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "$2" "$TMP/err" && cmp -s "$J" "$TMP/run.json.before"
}
vb import "$TMP/bare1.json" --mode baremetal --into "$TMP/run"
check "a mode the run has already is refused" refused x "already has a mode 'baremetal'"
vb import "$TMP/bare1.json" --mode virtio-blk --into "$TMP/run"
check "a name of vmio-bench's own modes is refused" refused x "one of vmio-bench's own modes"
vb import "$TMP/bare1.json" --into "$TMP/run"
check "no --mode is refused" refused x "give the imported results a name with --mode"
vb import "$TMP/bare1.json" --mode 'Bad Name' --into "$TMP/run"
check "a name that is not a mode name is refused" refused x "is not a mode name"
bare "$TMP/bs16k.json" --bs=16k
vb import "$TMP/bs16k.json" --mode other --into "$TMP/run"
check "another job (bs 16k) is refused, naming the difference" refused x "ran bs=16384 where the run's point has bs=4096"
bare "$TMP/qd1.json" --iodepth=1
vb import "$TMP/bare1.json" "$TMP/qd1.json" --mode other --into "$TMP/run"
check "files of two different jobs are refused" refused x "ran another job than"
bare "$TMP/two.json" --numjobs=2 --group_reporting=0
vb import "$TMP/two.json" --mode other --into "$TMP/run"
check "a file with several jobs' figures is refused" refused x "holds 2 jobs: run fio with --group_reporting"
printf '{"fio version": "fio-3.33", "jobs": "no"}' >"$TMP/notfio.json"
vb import "$TMP/notfio.json" --mode other --into "$TMP/run"
check "a file that is not fio's JSON is refused" refused x "is not fio's JSON output"
vb import "$TMP/missing.json" --mode other --into "$TMP/run"
check "a missing file is refused" refused x "cannot read"
vb import "$TMP/bare1.json" --mode other --into "$TMP/nowhere"
check "--into a folder that is not a run is refused" refused x "is not a vmio-bench run folder"
check "nothing of the refused imports was left in the run" test ! -e "$TMP/run/other"

# ---- hostile file names reach the terminal and the page escaped -------------
evil="$TMP/<script>alert(1)<"$'\033'"[31m.json"
cp "$TMP/bare1.json" "$evil"
vb import "$evil" --mode evil --into "$TMP/run"
check "a file name with markup and an escape sequence imports" [ "$rc" -eq 0 ]
check "... and reaches the terminal without its escape character" sh -c "grep -q 'alert(1)' '$TMP/out' && ! grep -q \"\$(printf '\\033')\" '$TMP/out'"
check "... and report.html escaped" sh -c "grep -q '&lt;script&gt;alert(1)&lt;' '$TMP/run/report.html' && ! grep -q '<script>alert' '$TMP/run/report.html'"

# ---- runs of their own: trend and gate over imported nights ------------------
R=$TMP/root
for i in 4 5; do bare "$TMP/bare$i.json"; done
vb import "$TMP/bare"[1-5].json --mode baremetal --results "$R"
check "import without --into makes a run of its own (exit 0)" [ "$rc" -eq 0 ]
first=$(ls "$R" | head -1)
check "its job is the files' job, its accelerator none, its times fio's" \
	jqe '.job.description == "imported: 4k randrw 50% read, iodepth 32, 1 job" and .accelerator.name == "none"
		and .state == "complete" and (.job.points[0].params | .bs == 4096 and .iodepth == 32)' "$R/$first/run.json"
vb accept "$R/$first"
check "it can be accepted into a history" [ "$rc" -eq 0 ]
sleep 1 # a new run id
# a night four times slower: the same fio job, rate-limited
for i in 1 2 3 4 5; do bare "$TMP/slow$i.json" --rate_iops=2000,2000; done
vb import "$TMP/slow"[1-5].json --mode baremetal --results "$R"
check "a second imported night (exit 0)" [ "$rc" -eq 0 ]
vb gate "$R"
cat "$TMP/out"
check "gate judges the imported mode and finds the slow night regressed (exit 1)" \
	sh -c "[ $rc -eq 1 ] && grep -q '^baremetal .* read  *iops .* regressed' '$TMP/out'"
vb compare "$R/$first" "$R/$(ls "$R" | grep -v "^$first$" | head -1)"
check "compare shows the imported mode's change" sh -c "[ $rc -eq 1 ] && grep -q 'baremetal' '$TMP/out'"
vb trend "$R"
check "trend shows both imported nights" sh -c "[ $rc -eq 0 ] && [ \$(grep -c '^[0-9].*/' '$TMP/out') -eq 2 ]"
# two repetitions of a slow night: worse, but too few to be significant
sleep 1
vb import "$TMP/slow1.json" "$TMP/slow2.json" --mode baremetal --results "$R"
third=$(ls "$R" | grep -v trend | tail -1)
vb gate "$R" "$third" --rerun 3
cat "$TMP/out"
check "gate --rerun never tries to re-measure an imported mode, and says so (exit 3)" \
	sh -c "[ $rc -eq 3 ] && grep -q 'only imported modes were inconclusive' '$TMP/out' && [ \$(ls '$R' | grep -vc trend) -eq 3 ]"
finish
