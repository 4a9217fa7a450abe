# Shared helpers of the shell tests.  Sourced; $VB is the built vmio-bench.
set -u
: "${VB:?run the tests through 'make check'}"
: "${VB_SRCDIR:=.}"
CONNECT=${VMIO_TEST_CONNECT:-qemu:///system}
CACHE=${VMIO_TEST_CACHE:-/var/cache/vmio-bench}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vmio-test.XXXXXX")
chmod 755 "$TMP"   # QEMU's user must reach console logs and disks in here
trap '[ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"' EXIT
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
}
need_image() {
	[ -f "$CACHE/image/vmlinuz" ] && [ -f "$CACHE/image/initrd.img" ] || need "the guest image (build it: vmio-bench image build)"
}

# Run vmio-bench, keeping stdout, stderr and the exit status.  The command,
# its status and the end of its stderr also go to the test's log, so that a
# failed check can be understood from the log alone (a CI machine is gone).
vb() {
	"$VB" "$@" >"$TMP/out" 2>"$TMP/err" 9>&-
	rc=$?
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
	script -qfec "$cmd" "$TMP/tty" </dev/null >/dev/null 2>&1 9>&-
	rc=$?
	echo "# (on a terminal) vmio-bench $* -> exit $rc" | cut -c1-400
	tr '\r' '\n' < "$TMP/tty" | grep -v '^.\[K$' | tail -n 15 | sed 's/^/#   /'
	return 0
}
jqe() { jq -e "$@" >/dev/null; }
# A broken guest image: the image's initramfs with the files of folder DIR
# laid over it, as $TMP/NAME.img (readable by QEMU's user).
overlay() { # NAME DIR
	(cd "$2" && find . | cpio -o -H newc --quiet | gzip) > "$TMP/$1.cpio.gz"
	cat "$CACHE/image/initrd.img" "$TMP/$1.cpio.gz" > "$TMP/$1.img"
	chmod 644 "$TMP/$1.img"
}
leftover_domains() {
	virsh -c "$CONNECT" list --all --name 2>/dev/null | grep '^vmio-' || true
}
finish() {
	echo "$npass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
}
