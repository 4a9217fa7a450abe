#!/bin/bash
# The Debian package (issue 28, point 4): built from a copy of the tree
# (make distdir: the source tree stays clean, and EXTRA_DIST is proved to
# carry debian/), linted, its files checked, and installed into a clean
# Debian 12 root made by mmdebstrap from the archive, where the installed
# vmio-bench answers.  Each step says how long it took (CI's time budget).
. "${VB_SRCDIR:-.}/tests/lib.sh"

for t in dpkg-buildpackage dh dh_autoreconf lintian mmdebstrap; do
	command -v "$t" >/dev/null || need "$t (apt-get install debhelper dh-autoreconf lintian mmdebstrap)"
done
[ "$(id -u)" -eq 0 ] || need "root (mmdebstrap makes and enters a chroot)"
builddir=$(cd "$(dirname "$VB")/.." && pwd)
step_t=$SECONDS
step() { echo "# step: $* took $((SECONDS - step_t)) s"; step_t=$SECONDS; }

# ---- 1. build from a copy ----------------------------------------------------
version=$("$VB" --version | sed -n 's/^vmio-bench //p')
src=$TMP/src/vmio-bench-$version
mkdir -p "$TMP/src"
make -s -C "$builddir" distdir distdir="$src" >"$TMP/distdir.log" 2>&1
check "make distdir copies the tree" test -f "$src/debian/rules"
[ -f "$src/debian/rules" ] || tail -5 "$TMP/distdir.log" | sed 's/^/#   /'
# dpkg-buildpackage -b: the package's own unit tests run in it (parallel=2).
# In a clean environment: make check's MAKEFLAGS (TESTS=tests/deb.sh among
# them) would reach the package's own make check, which would run this test
# again, inside itself, without end.
(cd "$src" && env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME="$TMP" LANG=C.UTF-8 \
	DEB_BUILD_OPTIONS=parallel=2 dpkg-buildpackage -us -uc -b >"$TMP/build.log" 2>&1)
brc=$?
check "dpkg-buildpackage -us -uc -b builds the package (exit $brc)" [ "$brc" -eq 0 ]
[ "$brc" -eq 0 ] || tail -30 "$TMP/build.log" | sed 's/^/#   /'
check "the build ran the package's unit tests, none failed" grep -q '^# FAIL: *0' "$TMP/build.log"
deb=$(ls "$TMP"/src/vmio-bench_*_*.deb 2>/dev/null | sed -n 1p)
changes=$(ls "$TMP"/src/vmio-bench_*.changes 2>/dev/null | sed -n 1p)
check "the build left a .deb and a .changes" test -f "$deb" -a -f "$changes"
step "the package build"
[ -f "$deb" ] || { finish; exit 1; }

# ---- 2. lintian ----------------------------------------------------------------
lintian "$changes" >"$TMP/lintian.out" 2>&1
sed 's/^/# lintian: /' "$TMP/lintian.out"
check "lintian reports no error on the .deb and .changes" lacks "$TMP/lintian.out" '^E: '
step "lintian"

# ---- 3. what the package holds -------------------------------------------------
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$TMP/files"
has() { grep -qx -- "$1" "$TMP/files"; }
check "the .deb installs /usr/bin/vmio-bench" has /usr/bin/vmio-bench
check "the .deb installs the man page" has /usr/share/man/man1/vmio-bench.1.gz
check "the .deb installs the bash completion" has /usr/share/bash-completion/completions/vmio-bench
check "the .deb installs the image builder" has /usr/share/vmio-bench/mkimage
check "the .deb installs the guest's /init" has /usr/share/vmio-bench/init
check "the .deb installs the guest agent" grep -qx '/usr/lib.*/vmio-bench/vmio-agent' "$TMP/files"
check "the .deb installs the nightly script" has /usr/share/vmio-bench/nightly
check "the .deb installs the systemd service" has /lib/systemd/system/vmio-bench-nightly.service
check "the .deb installs the systemd timer" has /lib/systemd/system/vmio-bench-nightly.timer
check "the .deb installs the cron line" has /usr/share/vmio-bench/nightly.cron
check "the .deb installs run.json's schema" has /usr/share/vmio-bench/run.schema.json
check "the .deb installs README.Debian" has /usr/share/doc/vmio-bench/README.Debian
check "the .deb carries no engine (no fio source at build time)" lacks "$TMP/files" 'vhost-user-blk\.so'
mkdir -p "$TMP/x"
dpkg-deb -x "$deb" "$TMP/x"
svc=$TMP/x/lib/systemd/system/vmio-bench-nightly.service
check "the service runs /usr/share/vmio-bench/nightly" grep -qx 'ExecStart=/usr/share/vmio-bench/nightly' "$svc"
check "the service names /usr/bin/vmio-bench" grep -qx 'Environment=VMIO_BENCH=/usr/bin/vmio-bench' "$svc"
check "the cron line runs /usr/share/vmio-bench/nightly with /usr/bin/vmio-bench" \
	grep -q '^0 2 \* \* \* root /usr/share/vmio-bench/nightly --vmio-bench /usr/bin/vmio-bench ' "$TMP/x/usr/share/vmio-bench/nightly.cron"
check "the cron line names no /usr/local or placeholder" lacks "$TMP/x/usr/share/vmio-bench/nightly.cron" '/usr/local|@[a-z]+@'
check "the service names no /usr/local or placeholder" lacks "$svc" '/usr/local|@[a-z]+@'
check "README.Debian says how to add the engine" grep -q 'scripts/fio-source' "$TMP/x/usr/share/doc/vmio-bench/README.Debian"
dpkg-deb -f "$deb" Depends >"$TMP/depends"
echo "# Depends: $(cat "$TMP/depends")"
for p in libvirt-daemon-system qemu-system-x86 fio gnuplot-nox busybox-static; do
	check "the package depends on $p" grep -q "\\b$p\\b" "$TMP/depends"
done
step "the file list"

# ---- 4. a clean Debian 12 root, the package installed in it --------------------
# its Depends (the first of each alternative, without versions) in the same
# apt call that makes the root; then the .deb by apt, which must find every
# dependency satisfied.
deps=$(tr ',' '\n' <"$TMP/depends" | sed 's/|.*//; s/(.*)//; s/[[:space:]]//g' | grep . | paste -sd, -)
mirror=/etc/apt/sources.list.d/debian.sources
[ -f "$mirror" ] || mirror=/etc/apt/sources.list
root=$TMP/root
cp "$deb" "$TMP/vmio-bench.deb"
# The checks run inside mmdebstrap's customize hooks, which have /proc, /sys
# and /dev mounted in the root; their output goes to $TMP/in-root (the
# root's /tmp is emptied when mmdebstrap finishes).  The packages this
# machine's apt already downloaded are hard-linked into the root's apt cache
# first (apt there fetches only what is missing; measured: see NOTES).
mkdir -p "$TMP/in-root"
seed=
if [ -d /var/cache/apt/archives ] && [ "$(stat -c %d /var/cache/apt/archives)" = "$(stat -c %d "$TMP")" ]; then
	seed='mkdir -p "$1/var/cache/apt/archives" && find /var/cache/apt/archives -maxdepth 1 -name "*.deb" -exec ln -t "$1/var/cache/apt/archives" {} +'
fi
# (dpkg's writes are most of its time: no documentation, manual pages or
# translations in this throwaway root)
mmdebstrap --variant=apt --include="$deps" ${seed:+--setup-hook="$seed"} \
	--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/doc/vmio-bench/*' \
	--customize-hook='copy-in '"$TMP"'/vmio-bench.deb /tmp' \
	--customize-hook='chroot "$1" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends /tmp/vmio-bench.deb > '"$TMP"'/in-root/install.log 2>&1; echo $? > '"$TMP"'/in-root/install.rc' \
	--customize-hook='chroot "$1" vmio-bench --version > '"$TMP"'/in-root/version 2>&1; chroot "$1" vmio-bench --help > '"$TMP"'/in-root/help 2>&1; chroot "$1" vmio-bench modes > '"$TMP"'/in-root/modes 2>&1; true' \
	bookworm "$root" "$mirror" >"$TMP/mmdebstrap.log" 2>&1
mrc=$?
check "mmdebstrap makes a Debian 12 root with the package's Depends (exit $mrc)" [ "$mrc" -eq 0 ]
[ "$mrc" -eq 0 ] || tail -20 "$TMP/mmdebstrap.log" | sed 's/^/#   /'
step "mmdebstrap with the package's Depends, and the install"
check "apt-get install ./vmio-bench.deb succeeds in the clean root" grep -qx 0 "$TMP/in-root/install.rc"
check "the root is Debian 12" grep -q '^12\.' "$root/etc/debian_version"
check "dpkg says vmio-bench is installed" sh -c "chroot '$root' dpkg-query -W -f '\${Status}' vmio-bench | grep -qx 'install ok installed'"
check "vmio-bench --version answers in the root" grep -qxF "vmio-bench $version" "$TMP/in-root/version"
check "vmio-bench --help lists the commands in the root" grep -q 'run' "$TMP/in-root/help"
sed 's/^/# modes: /' "$TMP/in-root/modes"
check "vmio-bench modes lists virtio-blk in the root" grep -q '^virtio-blk ' "$TMP/in-root/modes"
check "backend says the package lacks the engine, and how to add it" \
	grep -q '^backend .*built without fio.s vhost-user-blk engine.*README.Debian' "$TMP/in-root/modes"
check "the installed helpers are where the controller looks" test -x "$root/usr/share/vmio-bench/mkimage"
grep -E '^I: (downloading|extracting|installing|success)' "$TMP/mmdebstrap.log" | sed 's/^/# mmdebstrap: /'
step "the checks in the root"
du -sh "$root" | sed 's/^/# root size: /'
finish
