#!/bin/bash
# The controller's shape (issue 9): no include cycle between bench/'s
# modules, no function over 80 lines, no block of six or more repeated lines;
# (issue 23) no include or call from a lower folder to a higher one.
. "${VB_SRCDIR:-.}/tests/lib.sh"
command -v python3 >/dev/null || need "python3 (apt-get install python3)"
python3 "$VB_SRCDIR/tests/shape.py" "$VB_SRCDIR" > "$TMP/shape.out"
st=$?
cat "$TMP/shape.out"
check "bench/ keeps its shape" [ "$st" -eq 0 ]
# The checker run on the planted copy: it ends as it should on a violation
# (exit 1 after its "N failed" line, no traceback: a crash exits 1 too) and
# prints the line that names what was planted.
planted() { # ERE
	python3 "$VB_SRCDIR/tests/shape.py" "$TMP/src" > "$TMP/planted.out" 2> "$TMP/planted.err"
	local st=$?
	[ "$st" -eq 1 ] && [ ! -s "$TMP/planted.err" ] && tail -n 1 "$TMP/planted.out" | grep -Eqx '[1-9][0-9]* failed' &&
		grep -Eq -e "$1" "$TMP/planted.out" && return 0
	echo "# shape.py on the planted tree: exit $st, its last line '$(tail -n 1 "$TMP/planted.out")', stderr '$(tail -n 1 "$TMP/planted.err")'"
	return 1
}
# the checker itself must notice what it is for: a planted include cycle,
# a long function and a repeated block, in a copy of the tree
cp -r "$VB_SRCDIR/bench" "$TMP/src-bench" 2>/dev/null
mkdir -p "$TMP/src/tests"
mv "$TMP/src-bench" "$TMP/src/bench"
sed -i 's|#include "core/util.h"|#include "core/util.h"\n#include "summary/summary.h"|' "$TMP/src/bench/summary/stats.c" 2>/dev/null
echo '#include "summary/stats.h"' >> "$TMP/src/bench/summary/summary.h"
check "the checker finds a planted include cycle" planted '^not ok - no include cycle between bench/ modules: .*stats'
{ echo 'int planted(void)'; echo '{'; for i in $(seq 90); do echo "	int v$i = $i;"; done; echo '	return 0;'; echo '}'; } >> "$TMP/src/bench/core/util.c"
check "the checker finds a planted long function" planted '^not ok - bench/core/util.c:planted: 9[0-9] lines, over 80'
{ for i in 1 2; do echo "static void copy$i(int *a)"; echo '{'; for k in 1 2 3 4 5 6 7; do echo "	a[$k] = a[$k - 1] * $k + 3;"; done; echo '}'; done; } >> "$TMP/src/bench/core/job.c"
check "the checker finds a planted repeated block" planted '^# repeated: bench/core/job.c'
# issue 23, point 3: the folder order.  An include up (by folder path, and
# by a bare name as the old tree wrote them), an include between peers, a
# call up (a function a higher folder defines, called from a lower one)
echo '#include "modes/mode.h"' >> "$TMP/src/bench/core/job.c"
check "the checker finds a planted upward include" planted '^not ok - bench/core/job.c:[0-9]+: #include "modes/mode.h" \(core -> modes\)'
echo '#include "domxml.h"' >> "$TMP/src/bench/core/sweep.c"
check "the checker finds a planted upward include by bare name" planted '^not ok - bench/core/sweep.c:[0-9]+: #include "domxml.h" \(core -> guest\)'
echo '#include "summary/stats.h"' >> "$TMP/src/bench/host/store.c"
check "the checker finds a planted include between peers" planted '^not ok - bench/host/store.c:[0-9]+: #include "summary/stats.h" \(host -> summary\): host and summary are peers'
{ echo 'int planted_call(void)'; echo '{'; echo '	return vb_mode_find("sata") != 0; /* vb_helper_path in a comment is no call */'; echo '}'; } >> "$TMP/src/bench/core/layout.c"
check "the checker finds a planted upward call" planted '^not ok - bench/core/layout.c:[0-9]+: uses vb_mode_find, defined in modes/ \(core -> modes\)'
check "the checker reads no call in a comment" sh -c "! grep -q 'layout.c.*vb_helper_path' '$TMP/planted.out'"
# issue 23: the guest agent and the fio engine are held to the same shape
mkdir -p "$TMP/src/guest-agent" "$TMP/src/engines"
{ echo 'int planted_agent(void)'; echo '{'; for i in $(seq 90); do echo "	int v$i = $i;"; done; echo '	return 0;'; echo '}'; } > "$TMP/src/guest-agent/planted.c"
check "the checker reads guest-agent/ too" planted '^not ok - guest-agent/planted.c:planted_agent: 9[0-9] lines, over 80'
cp "$VB_SRCDIR/bench/summary/stats.c" "$VB_SRCDIR/bench/summary/summary.h" "$TMP/src/bench/summary/" # bench's planted cycle out
printf '#include "b.h"\n' > "$TMP/src/engines/a.h"
printf '#include "a.h"\n' > "$TMP/src/engines/b.h"
check "the checker follows engines/' includes" planted '^not ok - no include cycle between bench/ modules: .*engines/a'
# issue 23, point 5: vb_hv_remote() outside bench/host/ (a comment naming it is no call)
{ echo 'int planted_remote(void)'; echo '{'; echo '	return vb_hv_remote() ? 1 : 0; /* vb_hv_remote() */'; echo '}'; } >> "$TMP/src/bench/runner/reps.c"
check "the checker finds a planted vb_hv_remote() outside bench/host/" planted '^not ok - bench/runner/reps.c:[0-9]+: vb_hv_remote\(\) outside bench/host/'
finish
