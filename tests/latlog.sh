#!/bin/bash
# Latency over time (issue 28, point 3), from stored results: no guest.
# The fixture run-latlog (a real run of host,virtio-blk, 3 s, 2
# repetitions, schema 3) validates and its report draws p99 over time from
# each repetition's lat log; a run without lat logs draws no such chart;
# a results folder's lat log is input: a garbled one, a link, a path out of
# the mode folder are refused (the report goes on, nothing crashes).
. "${VB_SRCDIR:-.}/tests/lib.sh"
command -v jq >/dev/null || need "jq (apt-get install jq)"
command -v gnuplot >/dev/null || need "gnuplot (apt-get install gnuplot-nox)"
FIX=$VB_SRCDIR/tests/fixtures
S=$RUNJSON_SCHEMA
CHECKER=$VB_SRCDIR/tests/runjson-check.py

fresh() { rm -rf "$TMP/$1"; cp -r "$FIX/$2" "$TMP/$1"; chmod -R u+w "$TMP/$1"; }

check "fixture run-latlog (schema 3) shows lat_log on every repetition" \
	jqe '.schema == 3 and ([.modes[].points[].reps[].lat_log] == ["rep-1.lat.log", "rep-2.lat.log", "rep-1.lat.log", "rep-2.lat.log"])' "$FIX/run-latlog/run.json"
check "fixture run-latlog validates against results/run.schema.json" python3 "$CHECKER" "$S" "$FIX/run-latlog/run.json"
jq '.modes[0].points[0].reps[0].lat_log = 7' "$FIX/run-latlog/run.json" > "$TMP/bad.json"
check "... and a lat_log that is not a file name does not" sh -c "! python3 '$CHECKER' '$S' '$TMP/bad.json' >/dev/null 2>&1"

fresh r run-latlog
vb report "$TMP/r"
check "report of run-latlog exits 0" [ "$rc" -eq 0 ]
check "report draws plots/p99-over-time.svg" [ -s "$TMP/r/plots/p99-over-time.svg" ]
check "report.html carries the p99 chart beside IOPS over time" \
	sh -c "grep -q 'p99 completion latency per second' '$TMP/r/report.html' && grep -q 'IOPS over time' '$TMP/r/report.html'"
# the chart's data are the lat log's p99 (ns) in ms, per second and direction
want=$(awk -F', ' '!/^#/ { v[$1 / 1000, $2] = $6 / 1e6; t[$1 / 1000] = 1 }
	END { for (s in t) printf "%g %g %g\n", s, v[s, 0], v[s, 1] }' "$FIX/run-latlog/virtio-blk/rep-1.lat.log" | sort -n)
got=$(grep -v '^#' "$TMP/r/plots/p99-virtio-blk.dat" | sort -n)
check "p99-virtio-blk.dat is rep-1.lat.log's p99 in ms per second ($(echo $got))" [ -n "$got" ] && [ "$got" = "$want" ]
check "both modes are drawn, reads and writes" \
	sh -c "grep -o 'using 1:[23] with linespoints' '$TMP/r/plots/charts.gp' | wc -l | grep -qx 4"

# ---- runs without lat logs render as before ----------------------------------
fresh v2 run-v2
vb report "$TMP/v2"
check "a schema-2 run without lat logs: report exits 0 and draws no p99 chart" \
	sh -c "[ $rc -eq 0 ] && [ ! -e '$TMP/v2/plots/p99-over-time.svg' ] && ! grep -q 'p99 completion latency per second' '$TMP/v2/report.html'"
fresh nolat run-latlog
jq 'del(.modes[].points[].reps[].lat_log)' "$FIX/run-latlog/run.json" > "$TMP/nolat/run.json"
vb report "$TMP/nolat"
check "run-latlog with lat_log removed from run.json: no p99 chart (the chart comes from lat_log)" \
	sh -c "[ $rc -eq 0 ] && [ ! -e '$TMP/nolat/plots/p99-over-time.svg' ] && [ -e '$TMP/nolat/plots/iops-over-time.svg' ]"

# ---- a results folder's lat log is input ---------------------------------------
fresh g run-latlog
printf '1000, 0, 5, 10, 20, 30, 40\n`touch %s/pwned`, 0, 1, 1, 1, 1, 1\n' "$TMP" > "$TMP/g/virtio-blk/rep-1.lat.log"
printf '1000, 0, 5, 40, 30, 20, 10\n' > "$TMP/g/host/rep-1.lat.log"
vb report "$TMP/g"
check "garbled lat logs: report exits 0, warns naming each file, draws neither mode's p99" \
	sh -c "[ $rc -eq 0 ] && grep -q 'virtio-blk/rep-1.lat.log.*not seven numbers' '$TMP/err' &&
		grep -q 'host/rep-1.lat.log.*not ascending' '$TMP/err' && [ ! -e '$TMP/g/plots/p99-over-time.svg' ] && [ ! -e '$TMP/pwned' ]"
fresh l run-latlog
rm "$TMP/l/virtio-blk/rep-1.lat.log"
ln -s /etc/passwd "$TMP/l/virtio-blk/rep-1.lat.log"
vb report "$TMP/l"
check "a lat log that is a link is not followed (host's p99 still drawn)" \
	sh -c "[ $rc -eq 0 ] && [ -e '$TMP/l/plots/p99-host.dat' ] && ! grep -v '^#' '$TMP/l/plots/p99-virtio-blk.dat' 2>/dev/null | grep -q . && ! grep -q root '$TMP/l/plots/'*.dat"
# a link to a well-formed lat log outside the folder: the strict reader
# alone would take it, so only not following the link keeps it out
fresh k run-latlog
printf '1000, 0, 5, 777000000, 777000000, 777000000, 777000000\n' > "$TMP/outside.lat.log"
rm "$TMP/k/virtio-blk/rep-1.lat.log"
ln -s "$TMP/outside.lat.log" "$TMP/k/virtio-blk/rep-1.lat.log"
vb report "$TMP/k"
check "a lat log linked to a valid lat log outside the results folder is not followed" \
	sh -c "[ $rc -eq 0 ] && [ -e '$TMP/k/plots/p99-host.dat' ] && ! grep -q 777 '$TMP/k/plots/'*.dat"
# the same for the IOPS log beside it (IOPS over time): its lax reader
# takes any "msec, value, direction" line, so a followed link would draw
fresh ki run-latlog
printf '1000, 777777, 0, 4096, 0\n2000, 777777, 0, 4096, 0\n' > "$TMP/outside.iops.log"
rm "$TMP/ki/virtio-blk/rep-1.iops.log"
ln -s "$TMP/outside.iops.log" "$TMP/ki/virtio-blk/rep-1.iops.log"
vb report "$TMP/ki"
check "an IOPS log linked to one outside the results folder is not followed" \
	sh -c "[ $rc -eq 0 ] && [ -s '$TMP/ki/plots/time-host.dat' ] && ! grep -q 777777 '$TMP/ki/plots/'*.dat"
fresh p run-latlog
jq '.modes[1].points[0].reps[0].lat_log = "../../../etc/passwd"' "$FIX/run-latlog/run.json" > "$TMP/p/run.json"
vb report "$TMP/p"
check "a lat_log out of the mode folder is refused (exit 2) with one line naming the field" \
	sh -c "[ $rc -eq 2 ] && grep -q 'reps\[0\].lat_log' '$TMP/err' && [ \$(wc -l < '$TMP/err') -eq 1 ]"
finish
