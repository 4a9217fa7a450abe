#!/bin/bash
# The controller's shape (issue 9): no include cycle between bench/'s
# modules, no function over 80 lines, no block of six or more repeated lines.
. "${VB_SRCDIR:-.}/tests/lib.sh"
command -v python3 >/dev/null || need "python3 (apt-get install python3)"
python3 "$VB_SRCDIR/tests/shape.py" "$VB_SRCDIR" > "$TMP/shape.out"
st=$?
cat "$TMP/shape.out"
check "bench/ keeps its shape" [ "$st" -eq 0 ]
# the checker itself must notice what it is for: a planted include cycle,
# a long function and a repeated block, in a copy of the tree
cp -r "$VB_SRCDIR/bench" "$TMP/src-bench" 2>/dev/null
mkdir -p "$TMP/src/tests"
mv "$TMP/src-bench" "$TMP/src/bench"
sed -i 's|#include "util.h"|#include "util.h"\n#include "summary.h"|' "$TMP/src/bench/summary/stats.c" 2>/dev/null
echo '#include "stats.h"' >> "$TMP/src/bench/summary/summary.h"
check "the checker finds a planted include cycle" sh -c "! python3 '$VB_SRCDIR/tests/shape.py' '$TMP/src' | grep -q '^ok - no include cycle'"
{ echo 'int planted(void)'; echo '{'; for i in $(seq 90); do echo "	int v$i = $i;"; done; echo '	return 0;'; echo '}'; } >> "$TMP/src/bench/core/util.c"
check "the checker finds a planted long function" sh -c "python3 '$VB_SRCDIR/tests/shape.py' '$TMP/src' | grep -q 'planted: .* over 80'"
{ for i in 1 2; do echo "static void copy$i(int *a)"; echo '{'; for k in 1 2 3 4 5 6 7; do echo "	a[$k] = a[$k - 1] * $k + 3;"; done; echo '}'; done; } >> "$TMP/src/bench/core/job.c"
check "the checker finds a planted repeated block" sh -c "python3 '$VB_SRCDIR/tests/shape.py' '$TMP/src' | grep -q '^# repeated: bench/core/job.c'"
finish
