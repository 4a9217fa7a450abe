#!/bin/bash
# A results folder (or the guest that filled it) is hostile: payloads in
# every string field of fio's JSON, hello.json and run.json -- backquotes,
# $(...), gnuplot's system("..."), quote breaks, escape sequences, HTML --
# must run nothing through report, compare, trend and gate, reach no terminal as
# control characters, and leave report.html without markup of theirs.
. "${VB_SRCDIR:-.}/tests/lib.sh"
command -v jq >/dev/null || need "jq (apt-get install jq)"
command -v gnuplot >/dev/null || need "gnuplot (apt-get install gnuplot-nox)"
FIX=$VB_SRCDIR/tests/fixtures/run-base
M=$TMP/marks
mkdir -p "$M"
# Each payload tries another way out; every one would create a file in $M.
payloads=(
	"\`touch $M/backquote\`"
	"\$(touch $M/dollar)"
	"\"; system(\"touch $M/system-dq\"); print \""
	"'; system('touch $M/system-sq'); print '"
	"\" . system(\"touch $M/concat\") . \""
	"@x \`touch $M/macro\`"
	"\\\\\" \`touch $M/escaped\` \\\\"
	$'\e[31mred\e[0m\r\nforged line\u009b2J'
	"<script>document.title='pwned'</script><img src=x onerror=alert(1)>"
	"]]></svg><script>alert(2)</script>"
)
# plant P into every string of a JSON file; keys that are names or paths
# get it too, except where the run would then be refused before rendering
# (that case is tested separately below)
plant() { # FILE PAYLOAD KEEP-NAMES(0|1)
	local f=$1 p=$2 keep=$3
	jq --arg p "$p" --argjson keep "$keep" '
		reduce paths(type == "string") as $k (.;
			if $keep == 1 and ($k[-1] | IN("file", "iops_log", "mode", "id", "dir", "name", "status")) then .
			else setpath($k; getpath($k) + $p) end)' "$f" > "$f.new" && mv "$f.new" "$f"
}
no_marks() { [ -z "$(ls -A "$M")" ]; }
# No control character in the files: C0 but tab and newline, DEL, and C1
# both as UTF-8 (U+0080-U+009F: \u009b is a CSI to many terminals) and as
# a raw byte outside a UTF-8 sequence.  A missing file fails.
no_control() {
	python3 - "$@" <<-'EOF'
		import sys
		bad = 0
		for f in sys.argv[1:]:
		    text = open(f, 'rb').read().decode('utf-8', 'surrogateescape')
		    for ch in text:
		        o = ord(ch)
		        # a raw byte b that is no UTF-8 decodes to U+DC00+b
		        if (o < 0x20 and ch not in '\t\n') or 0x7f <= o <= 0x9f or 0xdc80 <= o <= 0xdc9f:
		            print('# control character U+%04X in %s' % (o, f))
		            bad = 1
		            break
		sys.exit(bad)
	EOF
}
# FILE lacks the extended regex PATTERN; a missing file fails (a bare
# '! grep' would pass on it)
lacks() {
	[ -f "$1" ] || { echo "# $1 is missing"; return 1; }
	! grep -Eq -- "$2" "$1"
}

i=0
for p in "${payloads[@]}"; do
	i=$((i + 1))
	D=$TMP/run-$i
	cp -r "$FIX" "$D"
	chmod -R u+w "$D"
	plant "$D/run.json" "$p" 1
	for f in "$D"/*/rep-*.fio.json; do plant "$f" "$p" 0; done
	printf '{"v": 2, "type": "hello", "agent": "x", "kernel": "k", "disks": [{"name": "vda", "serial": "vmio-disk0"}]}\n' > "$D/virtio-blk/hello.json"
	plant "$D/virtio-blk/hello.json" "$p" 0
	vb report "$D"
	check "payload $i: report runs (exit 0)" [ "$rc" -eq 0 ]
	check "payload $i: report draws its charts" test -s "$D/plots/iops.svg"
	check "payload $i: nothing ran (no file in the marks folder)" no_marks
	check "payload $i: no control character reaches the terminal" no_control "$TMP/out" "$TMP/err"
	check "payload $i: report.html carries no markup of the payload's" lacks "$D/report.html" '<script|<img'
	check "payload $i: report.html is still well-formed" sh -c "sed 's/<!DOCTYPE html>//' '$D/report.html' | xmllint --noout - 2>/dev/null"
	check "payload $i: the chart script carries no backquote" lacks "$D/plots/charts.gp" '`'
	vb compare "$D" "$D" --force
	check "payload $i: compare runs (exit 0, the same run twice)" [ "$rc" -eq 0 ]
	check "payload $i: compare runs nothing" no_marks
	check "payload $i: compare prints no control character" no_control "$TMP/out" "$TMP/err"
	vb trend "$D" "$FIX" --out "$TMP/trend-$i"
	check "payload $i: trend runs nothing" no_marks
	check "payload $i: trend prints no control character" no_control "$TMP/out" "$TMP/err"
	# gate over a root of two such runs, the first accepted
	G=$TMP/gate-$i
	mkdir -p "$G"
	cp -r "$D" "$G/a"
	cp -r "$D" "$G/b"
	# (the payload in "state" would make both runs incomplete, which gate refuses)
	jq '.state = "complete"' "$D/run.json" > "$G/a/run.json"
	jq '.id = "b" | .started = "2099-01-01T00:00:00Z" | .state = "complete"' "$D/run.json" > "$G/b/run.json"
	"$VB" accept "$G/a" >/dev/null 2>&1
	vb gate "$G" --junit "$TMP/gate-$i.xml"
	check "payload $i: gate judges (exit 0, the same figures twice)" [ "$rc" -eq 0 ]
	check "payload $i: gate runs nothing" no_marks
	check "payload $i: gate prints no control character" no_control "$TMP/out" "$TMP/err"
	check "payload $i: gate's JUnit file is well-formed" xmllint --noout "$TMP/gate-$i.xml"
	# names and paths with the payload: refused with one line, nothing run
	R=$TMP/named-$i
	cp -r "$FIX" "$R"
	chmod -R u+w "$R"
	plant "$R/run.json" "$p" 0
	vb report "$R"
	check "payload $i in names: refused (exit 2) with one line" \
		sh -c "[ $rc -eq 2 ] && [ \$(wc -l < '$TMP/err') -eq 1 ]"
	check "payload $i in names: nothing run" no_marks
	check "payload $i in names: no control character reaches the terminal" no_control "$TMP/err"
done

# a sweep over a parameter vmio-bench does not have names files and titles
D=$TMP/sweep
cp -r "$FIX" "$D"
chmod -R u+w "$D"
jq --arg p "x\`touch $M/sweep\`/../../x" '.job.sweep = {($p): ["1"]}' "$FIX/run.json" > "$D/run.json"
vb report "$D"
check "a hostile sweep parameter is refused (exit 2)" [ "$rc" -eq 2 ]
check "... and ran nothing" no_marks
finish
