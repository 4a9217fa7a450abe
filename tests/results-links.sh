#!/bin/bash
# A results folder, a trend folder and a temporary folder are input too:
# links planted in them (gnuplot.log, plots/, a chart, a mode folder,
# trend's OUT/gnuplot.log and ROOT/trend, doctor's scratch names), SVG
# planted in plots/ and path components in run.json ("../../x") must not
# turn a write into one elsewhere or markup into report.html.  Each case
# shows that an outside canary folder is byte for byte as it was and that
# a refusal is one line.  Stored fixtures; no guest, no libvirtd.
. "${VB_SRCDIR:-.}/tests/lib.sh"
command -v jq >/dev/null || need "jq (apt-get install jq)"
command -v gnuplot >/dev/null || need "gnuplot (apt-get install gnuplot-nox)"
command -v python3 >/dev/null || need "python3"
FIX=$VB_SRCDIR/tests/fixtures/run-base

# the canary: a file and a folder that nothing may touch
OUT_=$TMP/outside
canary() {
	rm -rf "$OUT_"
	mkdir -p "$OUT_/dir"
	echo precious > "$OUT_/file"
	echo '<svg>kept</svg>' > "$OUT_/dir/keep.svg"
	BEFORE=$(snap)
}
snap() { (cd "$OUT_" && find . -printf '%p %y %s %m %T@\n' | sort && find . -type f -exec sha256sum {} + | sort); }
canary
# (a changed canary is made afresh, so that each case is judged alone)
untouched() {
	[ "$(snap)" = "$BEFORE" ] && return 0
	echo "# the outside folder changed:"
	snap | sed 's/^/#   /'
	canary
	return 1
}
# stderr is exactly one line, and it matches PATTERN
one_line() { [ "$(wc -l < "$TMP/err")" -eq 1 ] && grep -q -- "$1" "$TMP/err"; }
fresh() { rm -rf "$1"; mkdir -p "$(dirname "$1")"; cp -r "$FIX" "$1"; chmod -R u+w "$1"; }
# FILE lacks the extended regex PATTERN; a missing file fails
lacks() { [ -f "$1" ] || { echo "# $1 is missing"; return 1; }; ! grep -Eq -- "$2" "$1"; }
no_private_left() { [ -z "$(find "$1" -maxdepth 1 -name '.*-??????' -print -quit)" ]; }
# vb with another PATH (vb itself needs tail and sed from the usual one)
vbpath() { # PATH ARGS...
	local p=$1
	shift
	PATH=$p "$VB" "$@" >"$TMP/out" 2>"$TMP/err" 9>&-
	rc=$?
	echo "# PATH=$p vmio-bench $* -> exit $rc" | cut -c1-400
	tail -n 15 "$TMP/err" | sed 's/^/#   /'
}

# ---- report ---------------------------------------------------------------------
R=$TMP/r/gplog
fresh "$R"
ln -s "$OUT_/file" "$R/gnuplot.log"
vb report "$R"
check "report: RUN/gnuplot.log linked outside is refused (exit 2) with one line naming it" \
	sh -c "[ $rc -eq 2 ] && grep -q \"gnuplot.log' is a symbolic link\" '$TMP/err'"
check "... one line" one_line "symbolic link"
check "... the file it points at is untouched" untouched
check "... and the link is left as it was" test -L "$R/gnuplot.log"
check "... and no private folder is left behind" no_private_left "$R"

R=$TMP/r/plots
fresh "$R"
ln -s "$OUT_/dir" "$R/plots"
vb report "$R"
check "report: RUN/plots linked to an outside folder is refused (exit 2) with one line" \
	sh -c "[ $rc -eq 2 ] && grep -q \"plots' is a symbolic link\" '$TMP/err'"
check "... one line" one_line "symbolic link"
check "... the outside folder is untouched" untouched
check "... and no private folder is left behind" no_private_left "$R"

R=$TMP/r/chart
fresh "$R"
mkdir "$R/plots"
ln -s "$OUT_/file" "$R/plots/iops.svg"
ln -s "$OUT_/file" "$R/plots/charts.gp"
vb report "$R"
check "report: charts linked outside (plots/iops.svg, charts.gp) are replaced, not followed (exit 0)" \
	sh -c "[ $rc -eq 0 ] && [ ! -L '$R/plots/iops.svg' ] && grep -q '<svg' '$R/plots/iops.svg' && [ ! -L '$R/plots/charts.gp' ]"
check "... the file they pointed at is untouched" untouched
check "... report.html inlines the chart this report drew" grep -q '<svg' "$R/report.html"

# the folder the user names may itself be a link, as results/latest is
ln -s "$R" "$TMP/r/latest"
vb report "$TMP/r/latest"
check "report: the named folder may be a link (results/latest): exit 0" [ "$rc" -eq 0 ]

# SVG planted in plots/ never reaches report.html: not without gnuplot,
# not when gnuplot fails, not when gnuplot draws nothing
plant_svgs() {
	mkdir -p "$1/plots"
	for n in iops latency-read latency-write percent-of-host iops-over-time; do
		echo "<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'><script>alert(2)</script></svg>" > "$1/plots/$n.svg"
	done
}
mkdir -p "$TMP/bin-empty" "$TMP/bin-badgp" "$TMP/bin-nogp"
printf '#!/bin/sh\n[ "$1" = --version ] && { echo "gnuplot 5.4 patchlevel 4"; exit 0; }\necho "fake gnuplot: cannot draw" >&2\nexit 1\n' \
	> "$TMP/bin-badgp/gnuplot"
printf '#!/bin/sh\n[ "$1" = --version ] && { echo "gnuplot 5.4 patchlevel 4"; exit 0; }\nexit 0\n' > "$TMP/bin-nogp/gnuplot"
chmod 755 "$TMP/bin-badgp/gnuplot" "$TMP/bin-nogp/gnuplot"

R=$TMP/r/svg-missing
fresh "$R"
plant_svgs "$R"
vbpath "$TMP/bin-empty" report "$R"
check "planted SVG, gnuplot missing: report runs (exit 0) and says gnuplot is missing" \
	sh -c "[ $rc -eq 0 ] && grep -q 'gnuplot is not installed' '$TMP/err'"
check "... report.html carries none of the planted SVG" lacks "$R/report.html" '<script|onload|alert'
check "... and a placeholder naming the reason" grep -q 'chart not drawn: gnuplot is missing' "$R/report.html"

R=$TMP/r/svg-failed
fresh "$R"
plant_svgs "$R"
vbpath "$TMP/bin-badgp:/usr/bin:/bin" report "$R"
check "planted SVG, gnuplot failing: report runs (exit 0) and says gnuplot failed" \
	sh -c "[ $rc -eq 0 ] && grep -q 'gnuplot failed' '$TMP/err'"
check "... report.html carries none of the planted SVG" lacks "$R/report.html" '<script|onload|alert'
check "... and a placeholder naming the reason" grep -q 'chart not drawn: gnuplot failed' "$R/report.html"

R=$TMP/r/svg-nothing
fresh "$R"
plant_svgs "$R"
vbpath "$TMP/bin-nogp:/usr/bin:/bin" report "$R"
check "planted SVG, gnuplot drawing nothing: report runs (exit 0)" [ "$rc" -eq 0 ]
check "... report.html carries none of the planted SVG" lacks "$R/report.html" '<script|onload|alert|<svg'

# ---- run.json's path components -----------------------------------------------------
R=$TMP/imp/run
fresh "$R"
jq '.job.points[0].dir = "../../x"' "$FIX/run.json" > "$R/run.json"
cp "$R/run.json" "$TMP/imp/run.json.before"
vb import "$FIX/host/rep-1.fio.json" --mode baremetal --into "$R"
check "import --into: job.points[].dir '../../x' is refused (exit 2) with one line naming the field" \
	sh -c "[ $rc -eq 2 ] && grep -q 'job.points\[\].dir' '$TMP/err'"
check "... one line" one_line "dir"
check "... nothing is written outside the run folder" sh -c "[ ! -e '$TMP/imp/x' ] && [ ! -e '$TMP/x' ] && [ \$(ls -A '$TMP/imp' | wc -l) -eq 2 ]"
check "... nor in it (no mode folder, run.json as it was)" sh -c "[ ! -e '$R/baremetal' ] && cmp -s '$R/run.json' '$TMP/imp/run.json.before'"
check "... the outside folder is untouched" untouched
# the control: the same import into a run with a plain point goes through
R2=$TMP/imp2/run
fresh "$R2"
vb import "$FIX/host/rep-1.fio.json" --mode baremetal --into "$R2"
check "import --into a run whose point has no folder of its own: exit 0" sh -c "[ $rc -eq 0 ] && [ -f '$R2/baremetal/rep-1.fio.json' ]"

R=$TMP/imp3/run
fresh "$R"
ln -s "$OUT_/dir" "$R/baremetal"
vb import "$FIX/host/rep-1.fio.json" --mode baremetal --into "$R"
check "import --into: a mode folder linked outside is refused (exit 2) with one line" \
	sh -c "[ $rc -eq 2 ] && grep -q \"baremetal' is a symbolic link\" '$TMP/err'"
check "... one line" one_line "symbolic link"
check "... the outside folder is untouched" untouched

# every reader of run.json refuses a path component that is not plain
R=$TMP/names/job-dir
fresh "$R"
jq '.job.points[0].dir = "../../x"' "$FIX/run.json" > "$R/run.json"
vb report "$R"
check "report: job.points[0].dir '../../x' is refused (exit 2) with one line naming the field" \
	sh -c "[ $rc -eq 2 ] && grep -q 'job.points\[0\].dir' '$TMP/err'"
check "... one line" one_line "dir"
vb compare "$R" "$FIX" --force
check "compare: the same run.json is refused (exit 2) with one line naming the field" \
	sh -c "[ $rc -eq 2 ] && grep -q 'job.points\[0\].dir' '$TMP/err'"
check "... one line" one_line "dir"
R=$TMP/names/mode-dir
fresh "$R"
jq '.modes[0].points[0].dir = "../x"' "$FIX/run.json" > "$R/run.json"
vb report "$R"
check "report: a mode's points[].dir '../x' is refused (exit 2) with one line naming the field" \
	sh -c "[ $rc -eq 2 ] && grep -q 'points\[0\].dir' '$TMP/err' && [ \$(wc -l < '$TMP/err') -eq 1 ]"
R=$TMP/names/file
fresh "$R"
jq '.modes[0].points[0].reps[0].file = "sub/../../../outside/file"' "$FIX/run.json" > "$R/run.json"
vb report "$R"
check "report: a repetition's file 'sub/../../../outside/file' is refused (exit 2) with one line naming the field" \
	sh -c "[ $rc -eq 2 ] && grep -q 'reps\[0\].file' '$TMP/err' && [ \$(wc -l < '$TMP/err') -eq 1 ]"
R=$TMP/names/log
fresh "$R"
jq '.modes[0].points[0].reps[0].iops_log = "/etc/passwd"' "$FIX/run.json" > "$R/run.json"
vb report "$R"
check "report: a repetition's iops_log '/etc/passwd' is refused (exit 2) with one line naming the field" \
	sh -c "[ $rc -eq 2 ] && grep -q 'reps\[0\].iops_log' '$TMP/err' && [ \$(wc -l < '$TMP/err') -eq 1 ]"
check "... the outside folder is untouched" untouched

# ---- trend ------------------------------------------------------------------------
T=$TMP/t
fresh "$T/root/a"
fresh "$T/root/b"
jq '.id = "b" | .started = "2099-01-01T00:00:00Z"' "$FIX/run.json" > "$T/root/b/run.json"
mkdir -p "$T/out"
ln -s "$OUT_/file" "$T/out/gnuplot.log"
vb trend "$T/root/a" "$T/root/b" --out "$T/out"
check "trend: OUT/gnuplot.log linked outside is refused (exit 2) with one line naming it" \
	sh -c "[ $rc -eq 2 ] && grep -q \"gnuplot.log' is a symbolic link\" '$TMP/err'"
check "... one line" one_line "symbolic link"
check "... the file it points at is untouched" untouched
check "... no private folder is left in OUT" no_private_left "$T/out"

mkdir "$T/out2"
ln -s "$OUT_/file" "$T/out2/trend.svg"
ln -s "$OUT_/file" "$T/out2/trend.dat"
vb trend "$T/root/a" "$T/root/b" --out "$T/out2"
check "trend: OUT/trend.svg and trend.dat linked outside are replaced, not followed (exit 0)" \
	sh -c "[ $rc -eq 0 ] && [ ! -L '$T/out2/trend.svg' ] && grep -q '<svg' '$T/out2/trend.svg' && [ ! -L '$T/out2/trend.dat' ]"
check "... the file they pointed at is untouched" untouched

ln -s "$OUT_/dir" "$T/root/trend"
vb trend "$T/root"
check "trend ROOT: ROOT/trend linked to an outside folder is refused (exit 2) with one line" \
	sh -c "[ $rc -eq 2 ] && grep -q \"trend' is a symbolic link\" '$TMP/err'"
check "... one line" one_line "symbolic link"
check "... the outside folder is untouched" untouched

# ---- a run folder in ROOT that is a link -------------------------------------------
# gate ROOT writes accepted.json into the run it judges; a link in ROOT
# named like a run (newest of all) must not be judged, or written through.
G=$TMP/linkroot
fresh "$G/root/real"
fresh "$TMP/linkroot-outside/x"
jq '.id = "x" | .started = "2099-01-01T00:00:00Z"' "$FIX/run.json" > "$TMP/linkroot-outside/x/run.json"
ln -s "$TMP/linkroot-outside/x" "$G/root/evil"
before=$(cd "$TMP/linkroot-outside" && find . -printf '%p %y %s\n' | sort)
vb gate "$G/root"
check "gate ROOT: a run folder there that is a link is left out with a warning naming it; the real run is judged (exit 0)" \
	sh -c "[ $rc -eq 0 ] && grep -q \"leaving out '$G/root/evil': it is a symbolic link\" '$TMP/err' && [ -f '$G/root/real/accepted.json' ]"
check "... nothing was written where the link points (no accepted.json there)" \
	sh -c "[ \"\$(cd '$TMP/linkroot-outside' && find . -printf '%p %y %s\n' | sort)\" = '$before' ]"

# ---- a run folder others could write: not resumed or rerun ----------------------
# --resume and --rerun-of measure what run.json records (--disk, --pci-device,
# the hypervisor): a run.json others could have written is not acted on.
# Refused before libvirt is reached or anything is made.
W=$TMP/writable
fresh "$W/r1"
# (its hypervisor a socket nobody serves: should the refusal go, nothing
# is measured all the same)
jq '.state = "incomplete" | .connect = "qemu+unix:///system?socket=/nonexistent" | .config.connect = .connect' \
	"$VB_SRCDIR/tests/fixtures/run-v2/run.json" > "$W/r1/run.json"
chmod 666 "$W/r1/run.json"
before=$(cd "$W" && find . -printf '%p %y %s %m\n' | sort)
vb run --resume "$W/r1"
check "run --resume of a run whose run.json anyone may write: refused (exit 2) with one line naming it" \
	sh -c "[ $rc -eq 2 ] && grep -q \"resume: '$W/r1/run.json' is owned by uid 0 with mode 666\" '$TMP/err'"
check "... one line" one_line "not writable by others"
chmod 644 "$W/r1/run.json"
chown nobody "$W/r1/run.json"
vb run --results "$W" --rerun-of r1 --modes host
check "run --rerun-of a run whose run.json another user owns: refused (exit 2) with one line naming it" \
	sh -c "[ $rc -eq 2 ] && grep -q \"rerun-of: '$W/r1/run.json' is owned by uid 65534\" '$TMP/err'"
check "... one line" one_line "not writable by others"
chown 0 "$W/r1/run.json"
chmod 757 "$W/r1"
vb run --resume "$W/r1"
check "run --resume of a run folder anyone may write: refused (exit 2)" \
	sh -c "[ $rc -eq 2 ] && grep -q \"resume: '$W/r1' is owned by uid 0 with mode 757\" '$TMP/err'"
chmod 755 "$W/r1"
chmod 666 "$W/r1/run.json"
check "... nothing was made or changed in the results root" \
	sh -c "[ \"\$(cd '$W' && find . -printf '%p %y %s %m\n' | sort)\" = '$before' ]"

# ---- a FIFO or a device planted where a file is read ------------------------------
# report, gate and trend read run.json, the repetitions' fio JSON and
# accepted.json; a FIFO there must not block them (nightly would hang
# forever) and a device is not read: one line naming the file, in seconds.
vbt() { # the same as vb, killed after 20 s (exit 124)
	timeout 20 "$VB" "$@" >"$TMP/out" 2>"$TMP/err" 9>&-
	rc=$?
	echo "# timeout 20 vmio-bench $* -> exit $rc" | cut -c1-400
	tail -n 15 "$TMP/err" | sed 's/^/#   /'
}
F=$TMP/fifo/root
fresh "$F/a"
fresh "$F/b"
rm "$F/b/host/rep-1.fio.json"
mkfifo "$F/b/host/rep-1.fio.json"
vbt report "$F/b"
check "report: a FIFO planted as a repetition's fio JSON is refused (exit 2, not blocked) naming it" \
	sh -c "[ $rc -eq 2 ] && grep -q \"rep-1.fio.json': not a regular file\" '$TMP/err'"
rm "$F/b/host/rep-1.fio.json"
ln -s /dev/zero "$F/b/host/rep-1.fio.json"
vbt report "$F/b"
check "report: a link to /dev/zero as a repetition's fio JSON is refused (exit 2) naming it" \
	sh -c "[ $rc -eq 2 ] && grep -q \"rep-1.fio.json': not a regular file\" '$TMP/err'"
# a link to a good fio JSON elsewhere, and a mode folder that is a link,
# are refused too: nothing in a results folder is followed
rm "$F/b/host/rep-1.fio.json"
cp "${VB_SRCDIR:-.}/tests/fixtures/fio-randrw-virtio-blk.json" "$TMP/elsewhere.fio.json"
ln -s "$TMP/elsewhere.fio.json" "$F/b/host/rep-1.fio.json"
vbt report "$F/b"
check "report: a link to a valid fio JSON outside the run is refused (exit 2) naming it" \
	sh -c "[ $rc -eq 2 ] && grep -q \"rep-1.fio.json': not a regular file (a link\" '$TMP/err'"
rm "$F/b/host/rep-1.fio.json"
cp "$TMP/elsewhere.fio.json" "$F/b/host/rep-1.fio.json"
mv "$F/b/host" "$TMP/host-elsewhere"
ln -s "$TMP/host-elsewhere" "$F/b/host"
vbt report "$F/b"
check "report: a mode folder that is a link is not followed (exit 2)" \
	sh -c "[ $rc -eq 2 ] && grep -q 'not a regular file (a link' '$TMP/err'"
rm "$F/b/host"
mv "$TMP/host-elsewhere" "$F/b/host"
rm "$F/b/run.json"
mkfifo "$F/b/run.json"
vbt gate "$F"
check "gate ROOT: a FIFO planted as a run's run.json leaves that run out, not blocked (exit 0 on the other)" \
	sh -c "[ $rc -eq 0 ] && grep -q \"b/run.json' is not a regular file\" '$TMP/err'"
vbt trend "$F"
check "trend ROOT: the same run.json is left out, not blocked (exit 0)" \
	sh -c "[ $rc -eq 0 ] && grep -q \"b/run.json' is not a regular file\" '$TMP/err'"
rm "$F/b/run.json"
rm -f "$F/a/accepted.json"
mkfifo "$F/a/accepted.json"
vbt gate "$F"
check "gate ROOT: a FIFO planted as accepted.json is not blocked on (exit 0)" [ "$rc" -eq 0 ]

# ---- doctor's scratch files -----------------------------------------------------------
# The names doctor used were /tmp/vmio-doctor-PID.{log,xml}: plant a link at
# every such name for the next 3000 PIDs; none may be written through.
D=$TMP/doctor-tmp
mkdir -p "$D"
python3 - "$D" "$OUT_/file" <<'EOF'
import os, sys
d, target = sys.argv[1], sys.argv[2]
last = int(open('/proc/sys/kernel/ns_last_pid').read())
top = int(open('/proc/sys/kernel/pid_max').read())
for k in range(1, 3001):
    pid = (last + k) % top
    for ext in ('log', 'xml'):
        os.symlink(target, '%s/vmio-doctor-%d.%s' % (d, pid, ext))
EOF
ls -A "$D" | sort > "$TMP/doctor-before"
TMPDIR=$D vb doctor --connect 'qemu+unix:///system?socket=/nonexistent' --cache-dir "$TMP/doctor-cache" \
	--results "$TMP/doctor-results" --size 64m
check "doctor ran its checks (a verdict line per check)" grep -q 'cache folder' "$TMP/out"
check "doctor wrote through none of the planted names: the outside file is untouched" untouched
check "doctor left its scratch folder in TMPDIR neither behind nor any planted name changed" \
	sh -c "ls -A '$D' | sort | cmp -s - '$TMP/doctor-before'"
finish
