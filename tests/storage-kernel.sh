#!/bin/bash
# storage logical and disk (issue 25): libvirt pools on a loop device of
# the run's own, with no guest.  What this machine can check:
#   - the probes, each one line naming what to install or load, before
#     anything is set up or booted: no lvm2 (logical), no parted (disk),
#     and, on a kernel without device-mapper (this machine's), logical's
#     "modprobe dm_mod";
#   - where the kernel has loop devices: disk end to end under host and
#     backend (a GPT partition of a libvirt disk pool), run.json's record,
#     and nothing left (loop device, pool, backing file).
# logical end to end, and both under a guest, run in the nested lab
# (scripts/lab-suite-lvm), whose kernel has device-mapper.
. "${VB_SRCDIR:-.}/tests/lib.sh"
need_libvirtd
command -v jq >/dev/null || need "jq (apt-get install jq)"

R=$TMP/results
common=(--connect "$CONNECT" --cache-dir "$CACHE" --results "$R" --size 64m --accel tcg --ramp 0 --reps 1 --runtime 1)

# for check: no loop device, pool or backing file of the model's prefix
nothing_left() { # WHAT PREFIX
	check "$1: no loop device over a $2 file" sh -c "! losetup -a | grep -q '/$2'"
	check "$1: no $2 storage pool" sh -c "! virsh -c '$CONNECT' pool-list --all --name | grep -q '^$2'"
	check "$1: no $2 backing file" no_file_named "$CACHE/store" "$2*"
}

# a missing tool: one line from the probe, exit 1, nothing booted or made
probe_says() { # MODEL TOOL TEXT
	local p
	p=$(path_without "$2")
	runjson_before
	PATH=$p "$VB" run --modes host --storage "$1" "${common[@]}" >"$TMP/out" 2>"$TMP/err" 9>&-
	rc=$?
	runjson_after
	tail -n 3 "$TMP/err" | sed 's/^/#   /'
	check "no $2: storage $1 fails (exit 1)" [ "$rc" -eq 1 ]
	check "no $2: the probe says: $3" grep -qF "storage $1: $3" "$TMP/err"
	check "no $2: said once" [ "$(grep -cF "$3" "$TMP/err")" -eq 1 ]
	check "no $2: nothing was set up" lacks "$TMP/err" 'loop device|copying the store|booting the guest'
}
probe_says logical vgcreate "LVM's tools (vgcreate, lvcreate) are missing on this host: apt-get install lvm2 there"
probe_says disk parted "parted is missing on this host (libvirt's disk pool writes its partitions with it): apt-get install parted there"
nothing_left "the probes" vmio-lvm-
nothing_left "the probes" vmio-disk-

# ---- this machine's kernel without device-mapper ---------------------------------
if [ ! -e /sys/class/misc/device-mapper ]; then
	vb run --modes host,backend --storage logical "${common[@]}"
	check "no device-mapper: storage logical fails (exit 1)" [ "$rc" -eq 1 ]
	check "no device-mapper: one line says to load dm_mod" \
		grep -qF "storage logical: the kernel on this host has no device-mapper (no /sys/class/misc/device-mapper), which LVM's volumes are made of: modprobe dm_mod there" "$TMP/err"
	check "no device-mapper: nothing was set up" lacks "$TMP/err" 'loop device|copying the store|booting the guest'
	check "no device-mapper: run.json says both modes failed for it" \
		jqe '[.modes[] | select(.status == "failed" and (.reason | test("dm_mod")))] | length == 2' "$R/latest/run.json"
	nothing_left "no device-mapper" vmio-lvm-
else
	echo "# this kernel has device-mapper: logical runs end to end in the lab (scripts/lab-suite-lvm)"
fi

# ---- disk end to end with no guest, where the kernel has loop devices -------------
if [ -e /dev/loop-control ] && command -v parted >/dev/null; then
	vb run --modes host,backend --storage disk "${common[@]}"
	check "disk: host and backend run (exit 0)" [ "$rc" -eq 0 ]
	J=$R/latest/run.json
	check "disk: both modes ok" jqe '[.modes[] | select(.status == "ok")] | length == 2' "$J"
	check "disk: run.json records the pool, its loop device and backing file, the partition" \
		jqe '.modes[0].storage.disk.settings | (.pool | startswith("vmio-disk-")) and .pool_type == "disk" and (.loop_device | startswith("/dev/loop")) and (.backing_file | endswith(".img")) and .partition_table == "gpt" and .volume == (.loop_device | ltrimstr("/dev/")) + "p2" and .path == "/dev/" + .volume' "$J"
	check "disk: the data's partition starts at 1 MiB (after a pad: libvirt would start it at sector 34)" \
		jqe '.modes[0].storage.disk.settings.partition_start == 1048576' "$J"
	check "disk: host read the partition itself" \
		jqe '.jobs[0]["job options"].filename | test("^/dev/loop[0-9]+p2$")' "$R/latest/host/rep-1.fio.json"
	check "disk: backend moved data through qemu-storage-daemon" \
		jqe '.jobs[0].read.iops > 0 and .jobs[0].write.iops > 0' "$R/latest/backend/rep-1.fio.json"
	check "disk: no warning (nothing left behind, nothing found left)" lacks "$TMP/err" 'warning'
	nothing_left "disk" vmio-disk-

	# Ctrl-C while the volume is being made: teardown must still finish
	# (the commands that undo it are not killed for the interrupt taken)
	rm -f "$TMP/err" "$TMP/rc"
	( "$VB" run --modes host --storage disk "${common[@]}" >"$TMP/out" 2>"$TMP/err" 9>&-; echo $? > "$TMP/rc" ) &
	pid=$!
	for _ in $(seq 600); do grep -q 'copying the store' "$TMP/err" 2>/dev/null && break; sleep 0.1; done
	pkill -INT -f "^$VB run --modes host --storage disk " || kill -INT "$pid"
	wait
	rc=$(cat "$TMP/rc" 2>/dev/null || echo none)
	tail -n 4 "$TMP/err" | sed 's/^/#   /'
	check "disk, Ctrl-C while preparing: exit 1" [ "$rc" = 1 ]
	check "disk, Ctrl-C while preparing: says it was interrupted" grep -q 'interrupted by a signal' "$TMP/err"
	check "disk, Ctrl-C while preparing: no warning of anything left" lacks "$TMP/err" 'is left|stays|could not|cannot remove'
	nothing_left "disk, Ctrl-C while preparing" vmio-disk-
else
	echo "# no loop devices or parted here: storage disk runs in the lab (scripts/lab-suite-lvm)"
fi

finish
