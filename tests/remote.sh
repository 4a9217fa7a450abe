#!/bin/bash
# remote.sh: a remote hypervisor and a fleet, for real, over ssh.
#
# The "remote" host is this machine in a mount namespace of its own
# (unshare -m): private /tmp, /run/libvirt, /run/tgtd, /var/lib/libvirt,
# /var/lib/vmio-bench, the cache folder and a copy of /etc/libvirt without
# pools or domains, with its own virtlogd and libvirtd; a local path handed
# to a remote command finds nothing there, as on a real remote host.  Two
# sshds run in it on the loopback address, with host and user keys this
# test makes, and stand for two remote hosts.  Each runs every command
# through a wrapper (ForceCommand) that logs it first, so the test sees
# what ran over ssh; the second one also puts a directory first on PATH
# where qemu-storage-daemon is "not found", so one host lacks a helper.
#   - run --connect qemu+ssh://root@127.0.0.1:PORT/system: every mode that
#     runs locally, its image and store placed through the pool, helpers
#     run over ssh (quoted), results the same shape as a local run's;
#   - a --disk whose path is hostile to a shell, on the remote side;
#   - doctor --connect passes there (its probe domain goes through
#     libvirt's API, no local file);
#   - a host without qemu-storage-daemon: vhost-user-blk fails its probe
#     with the reason; doctor --connect says so;
#   - the two hosts as a fleet (127.0.0.1 and localhost): pools, volumes
#     and domains per host, a host column, each host's own baseline,
#     compare over the fleet's runs;
#   - a host whose sshd dies mid-run: its modes fail with the reason, the
#     other host finishes, nothing is left running; --resume finishes it.
# No domain may be left on either side; those checks fail when virsh
# cannot list.  Helpers for more blocks: on_remote CMD... (a command in
# the remote's namespace, not over ssh, so not in the command logs),
# rvirsh ARGS... (virsh on the remote's libvirtd), lvirsh (this host's),
# no_domains.
. "${VB_SRCDIR:-.}/tests/lib.sh"
need_libvirtd
need_image
SSHD=$(command -v sshd || echo /usr/sbin/sshd)
[ -x "$SSHD" ] && command -v ssh >/dev/null && command -v ssh-keygen >/dev/null ||
	need "sshd and ssh (apt-get install openssh-server openssh-client)"
command -v ss >/dev/null || need "ss (apt-get install iproute2)"
command -v unshare >/dev/null && command -v nsenter >/dev/null || need "unshare and nsenter (apt-get install util-linux)"
T0=$SECONDS

# sshd's files are read inside the remote's namespace: not under /tmp
S=$(mktemp -d /var/tmp/vmio-remote-ssh.XXXXXX)
mkdir -p "$S/shadow" /run/sshd
chmod 700 "$S"
ssh-keygen -q -t ed25519 -N '' -C vmio-test -f "$S/key"
ssh-keygen -q -t ed25519 -N '' -C vmio-test-host -f "$S/hostkey"
cp "$S/key.pub" "$S/authorized_keys"
chmod 600 "$S/authorized_keys"
printf '#!/bin/sh\necho "qemu-storage-daemon: not installed on this host" >&2\nexit 127\n' > "$S/shadow/qemu-storage-daemon"
chmod 755 "$S/shadow/qemu-storage-daemon"
for w in a b; do
	shadow=""
	[ "$w" = b ] && shadow="PATH=$S/shadow:\$PATH; export PATH"
	cat > "$S/wrap-$w" <<EOF
#!/bin/sh
printf '%s\n' "\$SSH_ORIGINAL_COMMAND" >> "$S/commands-$w.log"
$shadow
exec /bin/sh -c "\$SSH_ORIGINAL_COMMAND"
EOF
	chmod 755 "$S/wrap-$w"
done

# ---- the remote host: a mount namespace with its own libvirtd ------------
NS=""
start_remote() {
	cat > "$S/remote-ns" <<'EOF'
#!/bin/bash
# In a new mount namespace: make this machine look like another host.
set -e
S=$1 CACHE=$2
for d in /tmp /run/libvirt /run/tgtd /var/lib/libvirt /var/lib/vmio-bench "$CACHE"; do
	mkdir -p "$d"
	mount -t tmpfs -o mode=0755 tmpfs "$d"
done
chmod 1777 /tmp
cp -a /etc/libvirt "$S/etc-libvirt"
rm -rf "$S/etc-libvirt/storage" "$S/etc-libvirt/qemu/"*.xml "$S/etc-libvirt/qemu/autostart"
mkdir -p "$S/etc-libvirt/storage"
mount --bind "$S/etc-libvirt" /etc/libvirt
virtlogd -d -p /run/libvirt/virtlogd.pid
setsid tini -s -- libvirtd -p /run/libvirt/libvirtd.pid </dev/null >>"$S/libvirtd.log" 2>&1 &
exec sleep infinity
EOF
	chmod 755 "$S/remote-ns"
	unshare --mount --propagation private "$S/remote-ns" "$S" "$CACHE" </dev/null >"$S/remote-ns.log" 2>&1 9>&- &
	NS=$!
	for _ in $(seq 100); do rvirsh version >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}
on_remote() { nsenter -t "$NS" -m -- "$@"; }
rvirsh() { on_remote virsh -c qemu:///system "$@"; }
lvirsh() { virsh -c "$CONNECT" "$@"; }
stop_remote() {
	[ -n "$NS" ] || return 0
	local p
	for p in libvirtd virtlogd; do
		on_remote sh -c 'kill "$(cat "/run/libvirt/$1.pid")"' _ "$p" 2>/dev/null
	done
	sleep 0.5
	kill "$NS" 2>/dev/null
	wait "$NS" 2>/dev/null
	NS=""
}
# no vmio- domain on that side; fails when virsh cannot list
no_domains_at() { # lvirsh|rvirsh
	local out
	out=$("$1" list --all --name 2>&1) || { echo "# $1 cannot list domains: $out"; return 1; }
	! grep -q '^vmio-' <<<"$out"
}
no_domains() { no_domains_at lvirsh && no_domains_at rvirsh; }
export -f lvirsh rvirsh on_remote
export CONNECT

free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 20000))
		ss -ltnH "sport = :$p" | grep -q . || { echo "$p"; return; }
	done
}
start_sshd() { # NAME PORT, in the remote's namespace
	on_remote "$SSHD" -p "$2" -h "$S/hostkey" -E "$S/sshd-$1.log" 9>&- \
		-o ListenAddress=127.0.0.1 -o PidFile="$S/sshd-$1.pid" -o UsePAM=no -o StrictModes=no \
		-o AuthorizedKeysFile="$S/authorized_keys" -o PermitRootLogin=prohibit-password \
		-o PasswordAuthentication=no -o ForceCommand="$S/wrap-$1" -o LogLevel=ERROR
	for _ in $(seq 50); do ss -ltnH "sport = :$2" | grep -q . && return 0; sleep 0.1; done
	return 1
}
stop_sshd() { # NAME: the daemon and every session it serves (the link is cut)
	local pid
	pid=$(cat "$S/sshd-$1.pid" 2>/dev/null) || return 0
	pkill -P "$pid" 2>/dev/null
	kill "$pid" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	rm -f "$S/sshd-$1.pid"
}
PA=$(free_port)
PB=$(free_port)
[ "$PA" != "$PB" ] || PB=$((PA + 1))
K="keyfile=$S/key&no_verify=1"
A="qemu+ssh://root@127.0.0.1:$PA/system?$K"
B="qemu+ssh://root@localhost:$PB/system?$K"

cleanup() {
	stop_sshd a
	stop_sshd b
	stop_remote
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP" "$S"
}
trap cleanup EXIT
LPOOLS=$(lvirsh pool-list --all --name | sort)
check "the remote host's namespace and its libvirtd start" start_remote
export NS
touch "$TMP/here-only"
check "the remote host sees neither this host's /tmp nor its libvirtd's domains" \
	bash -c '[ -e "$1" ] && ! nsenter -t "$2" -m -- test -e "$1" &&
	         [ "$(nsenter -t "$2" -m -- readlink -f /proc/self/ns/mnt)" != "$(readlink -f /proc/self/ns/mnt)" ]' _ "$TMP/here-only" "$NS"
# backend's fio engine, "installed" on the remote host at the path this
# build uses (the same prefix, as the tool asks of a real remote host): a
# build tree under /tmp is not there in the remote's private /tmp
ENGINE=$(dirname "$(dirname "$VB")")/engines/vhost-user-blk.so
if [ -f "$ENGINE" ] && ! on_remote test -f "$ENGINE"; then
	cp "$ENGINE" "$S/engine.so"
	on_remote sh -c 'mkdir -p "${1%/*}" && cp "$2" "$1"' _ "$ENGINE" "$S/engine.so"
fi
check "the remote host has backend's engine at this build's path" on_remote test -f "$ENGINE"
check "sshd a listens on 127.0.0.1:$PA" start_sshd a "$PA"
check "sshd b listens on 127.0.0.1:$PB" start_sshd b "$PB"

runjson() { jq -r "$2" "$1/run.json"; }
SHORT=(--runtime 2 --ramp 0 --reps 1 --size 64m)

# ---- one remote host: every mode that runs here -------------------------
ALL=host,sata,virtio-blk,virtio-scsi,lun,nvme,backend,vhost-user-blk
vb run --connect "$A" --modes "$ALL" "${SHORT[@]}" --results "$TMP/r1"
R1=$(readlink -f "$TMP/r1/latest")
check "remote run: exit 0" [ "$rc" -eq 0 ]
check "remote run: every mode ok" [ "$(runjson "$R1" '[.modes[] | select(.status == "ok")] | length')" -eq 8 ]
check "remote run: run.json says the hypervisor is remote, helpers over ssh" \
	[ "$(runjson "$R1" '.hypervisor.remote, .hypervisor.helpers' | tr '\n' ' ')" = "true 127.0.0.1 (over ssh) " ]
check "remote run: the remote host's kernel, CPU and versions are recorded" \
	[ "$(runjson "$R1" '.versions.host_kernel')" = "$(uname -r)" -a "$(runjson "$R1" '.host.cpu')" != unknown \
	  -a "$(runjson "$R1" '.versions.qemu | test("^[0-9]+\\.")')" = true ]
POOL=$(runjson "$R1" '.hypervisor.placement.pool')
check "remote run: the pool is named for the host" [ "$POOL" = vmio-bench-127.0.0.1 ]
vols=$(virsh -c "$A" vol-list "$POOL" 2>/dev/null)
check "remote run: kernel, initramfs and store are volumes of the pool (listed over the URI)" \
	bash -c 'grep -q "vmlinuz-" <<<"$1" && grep -q "initrd-" <<<"$1" && grep -q "disk-64m.raw" <<<"$1"' _ "$vols"
check "remote run: the image was uploaded, not reused, on a fresh pool" \
	[ "$(runjson "$R1" '.hypervisor.placement.kernel.reused, .hypervisor.placement.initrd.reused' | sort -u)" = false ]
check "remote run: the uploaded kernel has the local file's checksum" \
	[ "$(runjson "$R1" '.hypervisor.placement.kernel.sha256')" = \
	  "$(sha256sum "$(runjson "$R1" '.hypervisor.placement.kernel.from')" | cut -c1-64)" ]
check "remote run: guests boot the pool's kernel and open the pool's store" \
	bash -c 'grep -q "<kernel>/var/lib/vmio-bench/127.0.0.1/pool/vmlinuz-" "$1/virtio-blk/domain.xml" &&
	         grep -q "/var/lib/vmio-bench/127.0.0.1/pool/disk-64m.raw" "$1/virtio-blk/domain.xml"' _ "$R1"
check "remote run: domains are named for the host" grep -q "<name>vmio-127.0.0.1-" "$R1/sata/domain.xml"
check "remote run: the console log came back" grep -q "vmio" "$R1/virtio-blk/console.log"
LOG=$S/commands-a.log
check "helpers ran over ssh: host fio, tgtadm, qemu-storage-daemon, the store's fill" \
	bash -c 'grep -q "'"'"'fio'"'"'" "$1" && grep -q "^'"'"'tgtadm'"'"'" "$1" &&
	         grep -q "qemu-storage-daemon" "$1" && grep -q "^'"'"'dd'"'"' '"'"'if=/dev/urandom'"'"'" "$1"' _ "$LOG"
check "helpers ran over ssh: each argument quoted, none interpolated" \
	bash -c '! grep -E "^(fio|tgtadm|dd) " "$1"' _ "$LOG"
check "remote run: the helpers' CPU was read there (qemu-storage-daemon, tgtd)" \
	[ "$(runjson "$R1" '[.modes[] | select(.mode == "vhost-user-blk" or .mode == "lun") | .points[0].reps[0].host_cpu.processes | keys | length] | add')" -ge 3 ]
runjson "$R1" '[.modes[] | select(.mode == "vhost-user-blk" or .mode == "lun") | {mode, cpu: (.points[0].reps[0].host_cpu | {processes, sums: ((.threads // {}) | map_values(.classes | add)), classes: ((.threads // {}) | map_values(.classes))})}]' | sed 's/^/# /'
# (a window read over ssh can be short: one mode's vCPU threads may show
# no whole 10 ms tick in it; that the split adds up is what must hold)
check "remote run: their threads were read there too, each process split by class, adding up (issue 26)" \
	[ "$(runjson "$R1" '[.modes[] | select(.mode == "vhost-user-blk" or .mode == "lun") | .points[0].reps[0].host_cpu | select(.threads) | . as $h | .processes | to_entries[] | select(($h.threads[.key].classes | add) == .value)] | length')" -ge 3 ]
check "remote run: QEMU's vCPU threads are a class of their own there" \
	[ "$(runjson "$R1" '[.modes[] | select(.mode == "vhost-user-blk" or .mode == "lun") | .points[0].reps[0].host_cpu.threads.qemu.classes.vcpu // 0] | max')" -gt 0 ]
check "remote run: no domain left on either side" no_domains
check "remote run: no private folder left there" \
	bash -c 'o=$(nsenter -t "$1" -m -- ls -A /var/lib/vmio-bench/127.0.0.1) && ! grep -q "^run-" <<<"$o"' _ "$NS"
check "remote run: no ssh master outlives the run" bash -c '! ls /tmp/vmio-bench-ssh-* 2>/dev/null'

# the same plan on this host directly: results of the same shape
LOCAL=host,virtio-blk,vhost-user-blk
vb run --modes "$LOCAL" "${SHORT[@]}" --results "$TMP/l1"
L1=$(readlink -f "$TMP/l1/latest")
check "local run of the same plan: exit 0" [ "$rc" -eq 0 ]
# shellcheck disable=SC2086 # the mode names, one word each
shape() { (cd "$1" && find ${LOCAL//,/ } -type f | sort); }
check "remote results have the local run's files, mode by mode" \
	bash -c '[ -n "$1" ] && [ "$1" = "$2" ]' _ "$(shape "$R1")" "$(shape "$L1")"
keys() { jq -c "$2" "$1"; }
check "remote run.json has the local one's keys (and hypervisor)" \
	[ "$(keys "$R1/run.json" 'keys - ["hypervisor"]')" = "$(keys "$L1/run.json" 'keys')" ]
check "remote summary.json rows have the local ones' keys" \
	[ "$(keys "$R1/summary.json" '[.rows[] | keys] | unique')" = "$(keys "$L1/summary.json" '[.rows[] | keys] | unique')" ]

# ---- quoting: a --disk path that a shell would run ------------------------
# (what it would run: touch, in the remote shell's folder, root's home;
# no $VAR or ';': fio's own option parser expands the one and cuts at the
# other in a file name, locally too)
# The file is on the remote host only: this host has no such path.
WD=/tmp/vmio-remote-disk
W="$WD/it's a \$(touch vmio-PWNED) \`touch vmio-PWNED2\` | file"
on_remote mkdir -p "$WD"
on_remote dd if=/dev/urandom of="$W" bs=1M count=32 status=none
check "a hostile --disk path: the file exists there, not here" bash -c '[ ! -e "$1" ] && nsenter -t "$2" -m -- test -f "$1"' _ "$W" "$NS"
vb run --connect "$A" --disk "$W" --modes host,virtio-blk --runtime 1 --ramp 0 --reps 1 --results "$TMP/rq"
check "a hostile --disk path on the remote host: exit 0" [ "$rc" -eq 0 ]
check "a hostile --disk path on the remote host: nothing it names ran" \
	bash -c '! ls ~root/vmio-PWNED* ./vmio-PWNED* "$1"/vmio-PWNED* 2>/dev/null &&
	         o=$(nsenter -t "$3" -m -- ls -A ~root "$2") && ! grep -qx "vmio-PWNED2\?" <<<"$o"' _ "$TMP" "$WD" "$NS"
check "a hostile --disk path on the remote host: the guest's disk is that file" \
	grep -qF "it&apos;s a" "$(readlink -f "$TMP/rq/latest")/virtio-blk/domain.xml"

# ---- a host without qemu-storage-daemon -----------------------------------
vb run --connect "$B" --modes virtio-blk,vhost-user-blk "${SHORT[@]}" --results "$TMP/rb"
RB=$(readlink -f "$TMP/rb/latest")
check "missing helper: the run fails (exit 1)" [ "$rc" -eq 1 ]
check "missing helper: vhost-user-blk fails its probe, naming the host and the fix" \
	[ "$(runjson "$RB" '.modes[] | select(.mode == "vhost-user-blk") | .reason')" = \
	  "qemu-storage-daemon is missing on localhost (over ssh): apt-get install qemu-system-x86 there (Debian ships it in that package)" ]
check "missing helper: the other mode ran" [ "$(runjson "$RB" '.modes[] | select(.mode == "virtio-blk") | .status')" = ok ]
check "missing helper: one error line, not two" [ "$(grep -c 'qemu-storage-daemon is missing' "$TMP/err")" -eq 1 ]
vb doctor --connect "$A"
check "doctor --connect: passes on the remote host (exit 0, no check failed)" \
	bash -c '[ "$1" -eq 0 ] && grep -q "^0 checks failed" "$2" && ! grep -q "^fail" "$2"' _ "$rc" "$TMP/out"
check "doctor --connect: its trivial domain started there" grep -q "^ok    libvirt domain start  *a trivial domain started" "$TMP/out"
check "doctor --connect: no domain left on either side" no_domains
check "doctor --connect: no private folder left here, no ssh control folder" \
	bash -c '! compgen -G "${TMPDIR:-/tmp}/.vmio-doctor-*" && ! compgen -G "/tmp/vmio-bench-ssh-*"'
vb doctor --connect "$B"
check "doctor --connect: ssh and the pool are checked there" \
	bash -c 'grep -q "^ok    ssh " "$1" && grep -q "^ok    storage pool  *vmio-bench-localhost" "$1"' _ "$TMP/out"
check "doctor --connect: the missing helper is named" grep -q "^warn  qemu-storage-daemon  absent" "$TMP/out"
check "doctor --connect: vhost-user-blk is not among the modes it could run" \
	bash -c 'grep "^modes this host could run" "$1" | grep -qv "vhost-user-blk"' _ "$TMP/out"
vb doctor --connect "qemu+ssh://root@127.0.0.1:1/system?$K"
check "doctor --connect an unreachable host: exit 1, ssh's reason quoted" \
	bash -c '[ "$1" -eq 1 ] && grep -q "^fail  ssh .*ssh said: .*refused" "$2"' _ "$rc" "$TMP/out"

# ---- a fleet of two hosts that are this machine ---------------------------
vb run --connect "$A" --connect "$B" --modes host,virtio-blk --runtime 1 --ramp 0 --reps 2 --size 64m --results "$TMP/f"
F=$(readlink -f "$TMP/f/latest")
check "fleet: exit 0" [ "$rc" -eq 0 ]
check "fleet: run.json lists both hosts, each complete" \
	[ "$(runjson "$F" '[.fleet.hosts[] | .label + ":" + .state] | join(",")')" = "127.0.0.1:complete,localhost:complete" ]
check "fleet: a run folder per host" [ -f "$F/127.0.0.1/run.json" -a -f "$F/localhost/run.json" ]
pools=$(rvirsh pool-list --name)
check "fleet: pools per host, on the remote's libvirtd" \
	bash -c 'grep -qx vmio-bench-127.0.0.1 <<<"$1" && grep -qx vmio-bench-localhost <<<"$1"' _ "$pools"
check "fleet: this host's libvirtd has the pools it had before" bash -c 'o=$(lvirsh pool-list --all --name | sort) && [ "$o" = "$1" ]' _ "$LPOOLS"
check "fleet: domains per host" bash -c 'grep -q "<name>vmio-127.0.0.1-" "$1/127.0.0.1/virtio-blk/domain.xml" &&
                                         grep -q "<name>vmio-localhost-" "$1/localhost/virtio-blk/domain.xml"' _ "$F"
check "fleet: the first host reused its pool's image (same checksums)" \
	[ "$(runjson "$F/127.0.0.1" '.hypervisor.placement.kernel.reused')" = true ]
check "fleet: the table has a host column, both hosts side by side" \
	bash -c 'grep -q "^host  *mode  *dir" "$1" && grep -q "^127.0.0.1  *virtio-blk  *read" "$1" &&
	         grep -q "^localhost  *virtio-blk  *read" "$1"' _ "$TMP/out"
check "fleet: each host's baseline is 100% of itself" \
	[ "$(jq '[.rows[] | select(.mode | endswith("/host")) | .ratio_to_host] | unique' "$F/summary.json" -c)" = "[1]" ]
check "fleet: ratios divide by the host's own baseline" \
	jq -e '[.rows[] | select(.mode == "localhost/virtio-blk" and .dir == "read")][0] as $v |
	       [.rows[] | select(.mode == "localhost/host" and .dir == "read")][0] as $h |
	       (($v.ratio_to_host - $v.iops.mean / $h.iops.mean) | fabs) < 1e-9 and $v.host == "localhost"' "$F/summary.json"
check "fleet: summary.csv has a host column" grep -q "^run,accelerator,host,mode," "$F/summary.csv"
check "fleet: the charts and report.html show both hosts" \
	bash -c 'grep -q "localhost/virtio-blk" "$1/plots/iops.dat" && grep -q "<th>host</th>" "$1/report.html"' _ "$F"
vb compare "$F" "$F"
check "fleet: compare matches each host's modes, a host column" \
	bash -c '[ "$1" -eq 0 ] && grep -q "^host  *mode  *point" "$2" && grep -q "^127.0.0.1  *virtio-blk  *default" "$2" &&
	         grep -q "^localhost  *virtio-blk  *default" "$2"' _ "$rc" "$TMP/out"
# gate over a history of fleets: the same run again under a new id
F2=$TMP/f/20990101-000000
cp -r "$F" "$F2"
for j in "$F2/run.json" "$F2"/*/run.json; do jq '.id = "20990101-000000"' "$j" > "$j.new" && mv "$j.new" "$j"; done
vb accept "$F"
vb gate "$TMP/f" "$F2"
check "fleet: gate judges each host's modes, host by host" \
	bash -c '[ "$1" -eq 0 ] && grep -q "^host  *mode  *point" "$2" && grep -q "^127.0.0.1  *virtio-blk  *default  *read  *iops .* pass$" "$2" &&
	         grep -q "^localhost  *host  *default  *write  *iops .* pass$" "$2"' _ "$rc" "$TMP/out"
check "fleet: nothing left running" no_domains

# ==== BEGIN remote_rerun (issue 22 point 2) ===================================
# A remote run's `gate --rerun` and `run --resume` measure on its host, on its
# --disk resolved there, or are refused with one line; a fleet's rerun is
# refused.  Self-contained (moves as a whole): needs lib.sh, $A and $B (two
# remote URIs; $A's sshd listens on port $PA and logs what it runs to
# $S/commands-a.log), no_domains, and $TMP.  The gate and the resume are
# given no --connect: the hypervisor is the one the run recorded.  (Here
# the "remote" is this machine, so the checks look at what went over ssh
# and what the guests and run.json name; in a remote of its own, the same
# checks hold.)
remote_rerun() {
	local G=$TMP/rr disk base rerun n0 j
	# after LINE of host a's ssh log: what ran there since
	since() { tail -n +"$(($1 + 1))" "$S/commands-a.log"; }
	lines() { wc -l < "$S/commands-a.log"; }
	# a copy of run FROM named NAME, MODE at 5% of its IOPS (beyond any
	# gate, TCG's noise too; 3 reps against 3: inconclusive, so the gate
	# reruns it)
	slow_copy() { # ROOT FROM NAME MODE...
		local root=$1 from=$2 name=$3 m f
		shift 3
		cp -r "$root/$from" "$root/$name"
		rm -f "$root/$name/accepted.json"
		for f in "$root/$name/run.json" "$root/$name"/*/run.json; do
			[ -f "$f" ] && jq --arg id "$name" '.id = $id | .started = "2099-01-01T00:00:00Z"' "$f" > "$f.t" && mv "$f.t" "$f"
		done
		for m in "$@"; do
			for f in "$root/$name"/$m/rep-*.fio.json; do
				jq 'def s(d): .jobs[0][d].iops *= 0.05 | .jobs[0][d].bw_bytes *= 0.05 | .jobs[0][d].clat_ns.mean *= 20
					| .jobs[0][d].clat_ns.percentile |= map_values(. * 20)
					| .jobs[0][d].clat_ns.bins |= with_entries(.key |= (tonumber * 20 | floor | tostring)); s("read") | s("write")' \
					"$f" > "$f.t" && mv "$f.t" "$f"
			done
		done
	}
	# the --disk exists on the remote host only (its private /tmp): a rerun
	# or resume that resolved it here would find nothing
	disk=/tmp/vmio-rr-disk.raw
	on_remote dd if=/dev/urandom of="$disk" bs=1M count=64 status=none
	check "rerun: the --disk exists on the remote host, not here" bash -c '! [ -e "$1" ] && on_remote test -f "$1"' _ "$disk"
	vb run --connect "$A" --disk "$disk" --modes host,virtio-blk --reps 3 --runtime 1 --ramp 0 --results "$G"
	check "rerun: a remote run on a --disk: exit 0" [ "$rc" -eq 0 ]
	base=$(readlink "$G/latest")
	vb accept "$G/$base"
	slow_copy "$G" "$base" night virtio-blk
	n0=$(lines)
	vb gate "$G" night --rerun 2 --format json
	rerun=$(ls "$G" | grep -v -e latest -e "$base" -e night)
	check "gate --rerun of a remote run: one rerun folder, of virtio-blk" \
		[ "$(wc -w <<< "$rerun")" -eq 1 -a "$(jq -r '[.modes[].mode] | join(",")' "$G/$rerun/run.json" 2>/dev/null)" = virtio-blk ]
	check "... measured on the run's host: its URI, remote, helpers over ssh there" \
		jqe --arg a "$A" '.config.connect == $a and .connect == $a and .hypervisor.remote == true and .hypervisor.helpers == "127.0.0.1 (over ssh)"' \
		"$G/$rerun/run.json"
	check "... its guest defined there: named for the host, booting the host's pool kernel, on the --disk" \
		bash -c 'grep -q "<name>vmio-127.0.0.1-" "$1" && grep -q "<kernel>/var/lib/vmio-bench/127.0.0.1/pool/vmlinuz-" "$1" &&
		         grep -qF "$2" "$1"' _ "$G/$rerun/virtio-blk/domain.xml" "$disk"
	check "... the --disk resolved on the host (over ssh), the store the run recorded" \
		bash -c 'grep -qF "'"'"'readlink'"'"' '"'"'-e'"'"' '"'"'--'"'"' '"'"'$1'"'"'" <<< "$2" &&
		         [ "$(jq -r .backing_store.path "$3/run.json")" = "$(jq -r .backing_store.path "$4/run.json")" ]' \
		_ "$disk" "$(since "$n0")" "$G/$rerun" "$G/$base"
	check "... its private folder made there" grep -q "/var/lib/vmio-bench/127.0.0.1/run-" <<< "$(since "$n0")"
	check "... and no ssh connection to the host outlives the gate (the rerun's own closed)" \
		bash -c '[ -z "$(ss -tnH state established "( dport = :$1 )")" ]' _ "$PA"
	# --resume of a remote run (no --connect): its host mode again, there
	cp -r "$G/$base" "$G/resumable"
	rm -f "$G/resumable/accepted.json"
	jq '.id = "resumable" | .state = "incomplete" | (.modes[] | select(.mode == "host")) |= (.status = "failed" | .points = [])' \
		"$G/$base/run.json" > "$G/resumable/run.json"
	n0=$(lines)
	vb run --resume "$G/resumable"
	check "run --resume of a remote run: exit 0" [ "$rc" -eq 0 ]
	check "... complete, its host mode measured again (3 repetitions)" \
		jqe '.state == "complete" and ([.modes[] | select(.mode == "host") | .status, (.points[0].reps | length)] == ["ok", 3])' \
		"$G/resumable/run.json"
	check "... host fio ran on its host, over ssh, on the --disk" \
		bash -c 'grep "^'"'"'fio'"'"'\|'"'"'fio'"'"' " <<< "$1" | grep -qF "$2"' _ "$(since "$n0")" "$disk"
	# refused: a recorded --disk that is not there on the host; a record
	# that says block where the host has a file
	jq --arg d "$disk.gone" '.state = "incomplete" | .config.disk = $d | .backing_store.path = $d' \
		"$G/$base/run.json" > "$G/resumable/run.json"
	n0=$(lines)
	vb run --resume "$G/resumable"
	check "--resume, the recorded --disk gone from the host: exit 2, one line naming the host" \
		bash -c '[ "$1" -eq 2 ] && [ "$(wc -l < "$2")" -eq 1 ] && grep -q "rr-disk.raw.gone'"'"' does not exist on 127.0.0.1 (over ssh)" "$2"' \
		_ "$rc" "$TMP/err"
	check "... looked for there, over ssh" grep -qF "$disk.gone" <<< "$(since "$n0")"
	slow_copy "$G" "$base" night2 virtio-blk
	jq '.backing_store.type = "block"' "$G/night2/run.json" > "$G/night2/run.t" && mv "$G/night2/run.t" "$G/night2/run.json"
	j=$(ls "$G" | wc -l)
	vb gate "$G" night2 --rerun 2 --format json
	check "gate --rerun, a recorded block --disk that is a file on the host: the rerun refused in one line, judged without it" \
		bash -c '[ "$1" -eq 3 ] && [ "$(grep -c "^vmio-bench: error: " "$2")" -eq 1 ] &&
		         grep -q "was a block device on 127.0.0.1 (over ssh) and is not one now" "$2" &&
		         jq -e ".rerun | test(\"could not start\")" "$3" >/dev/null' _ "$rc" "$TMP/err" "$TMP/out"
	check "... and no rerun folder was made" [ "$(ls "$G" | wc -l)" -eq "$j" ]
	# a fleet: its rerun is refused (each host's part is its own run)
	vb run --connect "$A" --connect "$B" --modes host --reps 3 --runtime 1 --ramp 0 --size 64m --results "$G/f"
	check "rerun of a fleet: the fleet's run exits 0" [ "$rc" -eq 0 ]
	base=$(readlink "$G/f/latest")
	vb accept "$G/f/$base"
	slow_copy "$G/f" "$base" night "*/host"
	j=$(ls "$G/f" | wc -l)
	vb gate "$G/f" night --rerun 2 --format json
	check "gate --rerun of a fleet's inconclusive night: refused, saying so, judged without it (exit 3)" \
		bash -c '[ "$1" -eq 3 ] && jq -e ".rerun | test(\"a fleet.s run is not re-measured by --rerun\")" "$2" >/dev/null' _ "$rc" "$TMP/out"
	check "... no rerun folder" [ "$(ls "$G/f" | wc -l)" -eq "$j" ]
	vb run --rerun-of night --results "$G/f" --connect "$A" --connect "$B" --modes host
	check "run --rerun-of a fleet's run with the fleet's hosts: exit 2, one line" \
		bash -c '[ "$1" -eq 2 ] && [ "$(wc -l < "$2")" -eq 1 ] && grep -q "a fleet is not a rerun of one run" "$2"' _ "$rc" "$TMP/err"
	vb run --rerun-of night --results "$G/f" --connect "$A" --modes host
	check "run --rerun-of a fleet's run on one of its hosts: exit 2, one line" \
		bash -c '[ "$1" -eq 2 ] && [ "$(wc -l < "$2")" -eq 1 ] && grep -q "is a fleet.s (several --connect)" "$2"' _ "$rc" "$TMP/err"
	check "... no folder made" [ "$(ls "$G/f" | wc -l)" -eq "$j" ]
	check "rerun: nothing left running" no_domains
}
remote_rerun
# ==== END remote_rerun =======================================================

# ---- a host lost mid-run, and --resume --------------------------------------
vb_bg() { "$VB" "$@" >"$TMP/out" 2>"$TMP/err" 9>&- & }
runjson_mark bg
vb_bg run --connect "$A" --connect "$B" --modes virtio-blk,sata --runtime 6 --ramp 0 --reps 1 --size 64m --results "$TMP/x"
bg=$!
# cut host b once its first guest runs fio
for _ in $(seq 600); do grep -q "\[localhost\] virtio-blk: rep 1/1" "$TMP/err" 2>/dev/null && break; sleep 0.2; done
stop_sshd b
wait "$bg"
rc=$?
runjson_since bg
echo "# (background run) -> exit $rc"; tail -n 12 "$TMP/err" | sed 's/^/#   /'
X=$(readlink -f "$TMP/x/latest")
check "host lost: the fleet's run exits 1" [ "$rc" -eq 1 ]
check "host lost: the other host finished every mode" \
	[ "$(runjson "$X/127.0.0.1" '[.modes[] | .status] | join(",")'),$(runjson "$X/127.0.0.1" .state)" = "ok,ok,complete" ]
# the other host's guests had nothing to do with the lost one: when one of
# them stalls anyway, its console and fio's messages say why
if [ "$(runjson "$X/127.0.0.1" .state)" != complete ]; then
	for f in "$X"/127.0.0.1/*/console.log "$X"/127.0.0.1/*/rep-*.stderr.txt; do
		[ -f "$f" ] && { echo "# --- $f"; tail -n 25 "$f" | sed 's/^/#   /'; }
	done
fi
check "host lost: its mode failed with the reason, the next was not run" \
	bash -c 'jq -r ".modes[0].reason" "$1/localhost/run.json" | grep -q "localhost (over ssh).*unreachable" &&
	         [ "$(jq -r ".modes[1].status" "$1/localhost/run.json")" = "not run" ]' _ "$X"
check "host lost: its part stays incomplete for --resume" \
	[ "$(runjson "$X" '.state + "," + ([.fleet.hosts[] | .state] | join(","))')" = "incomplete,complete,incomplete" ]
check "host lost: the table shows the finished host and why the other failed" \
	bash -c 'grep -q "^127.0.0.1  *sata  *read" "$1" && grep -q "^localhost/virtio-blk FAILED: .*localhost (over ssh)" "$1"' _ "$TMP/out"
check "host lost: the error says how to continue" grep -q "continue with 'vmio-bench run --resume $X'" "$TMP/err"
check "host lost: no domain left running" no_domains
check "sshd b back" start_sshd b "$PB"
vb run --resume "$X"
check "--resume after the host is back: exit 0" [ "$rc" -eq 0 ]
check "--resume: both hosts complete, the finished one kept as it was" \
	bash -c '[ "$(jq -r .state "$1/run.json")" = complete ] && [ "$(jq -r "[.modes[].status] | join(\",\")" "$1/localhost/run.json")" = "ok,ok" ] &&
	         grep -q "\[127.0.0.1\] finished before, kept as it is" "$2"' _ "$X" "$TMP/err"
check "--resume: one table, both hosts" [ "$(grep -c '^host  *mode' "$TMP/out")" -eq 1 ]
check "--resume: nothing left running" no_domains

runjson_check # every run.json it wrote, local, remote and fleet, against the schema (lib.sh)
echo "# remote: wall time $((SECONDS - T0)) s"
echo "# remote: $npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
