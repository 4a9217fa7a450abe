# Shared helpers of the shell tests.  Sourced; $VB is the built vmio-bench.
set -u
: "${VB:?run the tests through 'make check'}"
: "${VB_SRCDIR:=.}"
CONNECT=${VMIO_TEST_CONNECT:-qemu:///system}
CACHE=${VMIO_TEST_CACHE:-/var/cache/vmio-bench}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vmio-test.XXXXXX")
chmod 755 "$TMP"   # QEMU's user must reach console logs and disks in here
trap '[ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"; rm -rf "$TMP.runjson"' EXIT
npass=0
nfail=0

ok()   { npass=$((npass + 1)); echo "ok - $*"; }
bad()  { nfail=$((nfail + 1)); echo "not ok - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

# A test that needs something this machine lacks skips (77), except in CI,
# where everything is installed and started, so a lack is a failure.
need() {
	local what=$1
	if [ "${CI:-}" = true ]; then
		echo "not ok - $what is missing in CI (scripts/setup should have provided it)"
		exit 1
	fi
	echo "SKIP: $what is missing"
	exit 77
}
need_libvirtd() {
	virsh -c "$CONNECT" version >/dev/null 2>&1 || need "a running libvirtd at $CONNECT (start it: scripts/start-libvirtd)"
	# Tests with guests share libvirtd, tgtd and the backing store, look for
	# leftover vmio- domains, and one of them restarts libvirtd: one at a
	# time, also under 'make -j check'.
	# The lock's descriptor (9) must not leak into anything that outlives the
	# test: vb and every daemon a test starts close it (9>&-).
	exec 9>"${TMPDIR:-/tmp}/vmio-bench-tests.lock"
	flock 9
	# (the wait is not the test's own time: finish says it apart)
	LOCK_WAITED=$SECONDS
}
need_image() {
	[ -f "$CACHE/image/vmlinuz" ] && [ -f "$CACHE/image/initrd.img" ] || need "the guest image (build it: vmio-bench image build)"
}

# Run vmio-bench, keeping stdout, stderr and the exit status.  The command,
# its status and the end of its stderr also go to the test's log, so that a
# failed check can be understood from the log alone (a CI machine is gone).
vb() {
	runjson_before
	"$VB" "$@" >"$TMP/out" 2>"$TMP/err" 9>&-
	rc=$?
	runjson_after
	echo "# vmio-bench $* -> exit $rc" | cut -c1-400
	tail -n 15 "$TMP/err" | sed 's/^/#   /'
	return 0
}
# vb on a terminal: the same under script(1)'s pseudo-terminal; what the
# terminal showed (stdout and stderr, control sequences and all) goes to
# $TMP/tty.
vbtty() {
	local cmd
	printf -v cmd '%q ' "$VB" "$@"
	runjson_before
	script -qfec "$cmd" "$TMP/tty" </dev/null >/dev/null 2>&1 9>&-
	rc=$?
	runjson_after
	echo "# (on a terminal) vmio-bench $* -> exit $rc" | cut -c1-400
	tr '\r' '\n' < "$TMP/tty" | grep -v '^.\[K$' | tail -n 15 | sed 's/^/#   /'
	return 0
}
# After vb: exit 2 and exactly one line on stderr that holds TEXT (fixed
# string): the shape of every refusal of bad input.  ok/bad WHAT.
one_line_refusal() { # WHAT TEXT
	local lines
	lines=$(grep -c . "$TMP/err")
	if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && grep -qF -- "$2" "$TMP/err"; then
		ok "$1: $(cat "$TMP/err")"
	else
		bad "$1: exit $rc, $lines lines: $(cat "$TMP/err")"
	fi
}
# jq -e, but empty input (a missing or empty file, no output) is a failure:
# jq 1.6 -e exits 0 when it reads nothing
jqe() { local o; o=$(jq -e "$@") || return 1; [ -n "$o" ]; }
# A broken guest image: the image's initramfs with the files of folder DIR
# laid over it, as $TMP/NAME.img (readable by QEMU's user).
overlay() { # NAME DIR
	(cd "$2" && find . | cpio -o -H newc --quiet | gzip) > "$TMP/$1.cpio.gz"
	cat "$CACHE/image/initrd.img" "$TMP/$1.cpio.gz" > "$TMP/$1.img"
	chmod 644 "$TMP/$1.img"
}
# The vmio- domains libvirt knows, one a line.  When virsh cannot list
# them (libvirtd down, a bad URI) it says so on stdout and fails: a caller's
# [ -z "$(leftover_domains)" ] must not pass because nobody looked.
leftover_domains() {
	local names
	if ! names=$(virsh -c "$CONNECT" list --all --name 2>&1); then
		echo "virsh cannot list the domains at $CONNECT: $(echo "$names" | grep . | head -1)"
		return 1
	fi
	printf '%s\n' "$names" | grep '^vmio-'
	return 0
}
no_domain_left() { # for check: fails on a vmio- domain or when virsh cannot list
	local left
	left=$(leftover_domains) && [ -z "$left" ] && return 0
	echo "# left: $left" | tr '\n' ' '; echo
	return 1
}
# How many iSCSI targets tgtd has.  tgtadm exits 107 (ENOTCONN) when no tgtd
# runs: that is 0 targets, said so; any other failure (no tgtadm, a broken
# daemon) fails with its message on stdout, never a count.
tgt_targets() {
	local out st
	out=$(tgtadm --lld iscsi --mode target --op show 2>&1)
	st=$?
	case $st in
	0)   printf '%s\n' "$out" | awk '/^Target / {n++} END {print n + 0}' ;;
	107) echo 0 ;;
	*)   echo "tgtadm cannot list the targets (exit $st): $(echo "$out" | grep . | head -1)"; return 1 ;;
	esac
}
# for check: tgtd has as many targets as BEFORE (a count from tgt_targets)
targets_unchanged() { # BEFORE
	local now
	now=$(tgt_targets) || { echo "# $now"; return 1; }
	[ "$now" = "$1" ] && return 0
	echo "# iSCSI targets: $1 before, $now now"
	return 1
}
# for check: no process's command line matches the ERE (pgrep's exit 1, never
# its 2 or 3, nor a missing pgrep)
no_process() { # ERE
	local found st
	found=$(pgrep -af "$1")
	st=$?
	[ "$st" -eq 1 ] && return 0
	echo "# pgrep -f '$1' -> exit $st: $(echo "$found" | head -3 | tr '\n' ' ')"
	return 1
}
# for check: FILE exists and no line of it matches the ERE (grep's exit 1,
# never its 2: a missing file or a bad pattern fails)
lacks() { # FILE ERE
	[ -f "$1" ] || { echo "# $1 is missing"; return 1; }
	grep -Eq -e "$2" "$1"
	case $? in
	1) return 0 ;;
	0) echo "# $1 has: $(grep -Em2 -e "$2" "$1" | tr '\n' ' ' | cut -c1-300)"; return 1 ;;
	*) echo "# grep -E '$2' $1 failed"; return 1 ;;
	esac
}
# for check: find walked DIR (it exists, find did not fail) and found no file
# named GLOB
no_file_named() { # DIR GLOB
	local found
	found=$(find "$1" -name "$2") || { echo "# find '$1' failed"; return 1; }
	[ -z "$found" ] && return 0
	echo "# found: $(echo "$found" | head -3 | tr '\n' ' ')"
	return 1
}
# for check: jq -e ARGS... says false or null (its exit 1), not that it
# could not run (a missing file, a bad filter: 2, 3, 5)
jq_false() { jq -e "$@" >/dev/null; [ $? -eq 1 ]; }
finish() {
	runjson_check
	echo "$npass passed, $nfail failed"
	# read by .ci/run, which lists the slowest tests (CI's time budget)
	# (its own time: another guest test's turn at the lock is not counted)
	echo "# took $((SECONDS - ${LOCK_WAITED:-0}))s"
	[ "${LOCK_WAITED:-0}" -eq 0 ] || echo "# waited ${LOCK_WAITED}s for the test lock"
	[ "$nfail" -eq 0 ]
}

# ---- issue 23, point 2: run.json's schema ----------------------------------
# Every run.json a vmio-bench command of this test wrote (vb, vbtty) is
# checked against results/run.schema.json when the test finishes: the
# files that appeared or changed while the command ran, as it left them (a
# test that damages one afterwards on purpose has its own expectations).
# A missing validator (python3-jsonschema) fails, never skips.
RUNJSON_SCHEMA=$VB_SRCDIR/results/run.schema.json
# the bookkeeping lives beside $TMP, not in it: a test that lists what a
# command wrote into $TMP (e2e-faults' hostile agents) sees only the command's
RUNJSON_DIR=$TMP.runjson
mkdir -p "$RUNJSON_DIR"
RUNJSON_WRITTEN=$RUNJSON_DIR/written   # "sha256  path" lines, in order
runjson_sums() { find "$TMP" -name run.json -type f -exec sha256sum {} + 2>/dev/null | sort; }
runjson_before() { runjson_sums > "$RUNJSON_DIR/before"; }
# A PATH ($TMP/path-NAME) of links to every command but NAME: a machine
# where NAME is not installed (the storage models' probes).  Prints it.
path_without() { # NAME
	local d=$TMP/path-$1 f
	mkdir -p "$d"
	for f in /usr/local/bin/* /usr/local/sbin/* /usr/bin/* /usr/sbin/*; do
		[ "${f##*/}" = "$1" ] || [ -e "$d/${f##*/}" ] || ln -s "$f" "$d/${f##*/}"
	done
	echo "$d"
}
runjson_after() {
	[ -f "$RUNJSON_DIR/before" ] || return 0
	runjson_sums | comm -13 "$RUNJSON_DIR/before" - >> "$RUNJSON_WRITTEN"
	rm -f "$RUNJSON_DIR/before"
}
# The files vmio-bench wrote that still hold what it wrote last, one a line.
runjson_written() {
	[ -f "$RUNJSON_WRITTEN" ] || return 0
	tac "$RUNJSON_WRITTEN" | awk '{ p = substr($0, 67) } !seen[p]++' | while IFS= read -r line; do
		p=${line:66}
		[ -f "$p" ] && [ "$(sha256sum < "$p" | cut -c1-64)" = "${line:0:64}" ] && printf '%s\n' "$p"
	done
}
# check: FILES... validate against the schema (none: nothing to say).
runjson_validate() { # WHAT FILE...
	local what=$1 out st
	shift
	[ $# -gt 0 ] || return 0
	out=$(python3 "$VB_SRCDIR/tests/runjson-check.py" "$RUNJSON_SCHEMA" "$@" 2>&1)
	st=$?
	if [ $st -eq 0 ]; then
		ok "$what validates against results/run.schema.json ($# files)"
	else
		printf '%s\n' "$out" | head -20 | sed 's/^/# /'
		bad "$what validates against results/run.schema.json ($# files; exit $st)"
	fi
}
runjson_check() {
	local files=()
	mapfile -t files < <(runjson_written)
	runjson_validate "every run.json this test wrote" "${files[@]}"
	rm -rf "$RUNJSON_DIR" # (a test's own EXIT trap may not)
}

# ---- issue 23 (r6): run.json written by a vmio-bench not started by vb ------
# A run in the background, or one a script starts (nightly): its run.json
# files are checked at finish like vb's.  runjson_mark NAME before it
# starts, runjson_since NAME once it has ended: what appeared or changed
# in between is recorded as it is then (vb and vbtty may run meanwhile).
runjson_mark() { runjson_sums > "$RUNJSON_DIR/mark-$1"; }
runjson_since() {
	[ -f "$RUNJSON_DIR/mark-$1" ] || return 0
	runjson_sums | comm -13 "$RUNJSON_DIR/mark-$1" - >> "$RUNJSON_WRITTEN"
	rm -f "$RUNJSON_DIR/mark-$1"
}
