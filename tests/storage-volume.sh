#!/bin/bash
# Storage model `volume` (issue 24, point 2): the run's data in a raw volume
# of vmio-bench's own libvirt dir pool, <disk type='volume'>.  A real run of
# virtio-blk and virtio-scsi on raw and volume; the volume holds the store's
# data while the guest reads it, run.json records the pool and the volume,
# and after the run the volume is gone while the pool may stay; a pool that
# cannot be made is a clear failure that leaves nothing defined.
. "${VB_SRCDIR:-.}/tests/lib.sh"
need_libvirtd
need_image
command -v jq >/dev/null || need "jq (apt-get install jq)"

R=$TMP/results
common=(--connect "$CONNECT" --cache-dir "$CACHE" --results "$R" --size 256m --accel tcg)
STORE=$CACHE/store/disk-256m.raw

# ---- the xml command names the pool and volume a run would use -----------
vb xml --mode virtio-blk --storage volume "${common[@]}"
check "xml exits 0" [ "$rc" -eq 0 ]
check "xml: the disk is <disk type='volume'>" grep -q "<disk type='volume' device='disk'>" "$TMP/out"
POOL=$(sed -n "s/.*<source pool='\([^']*\)' volume='volume-256m.raw'\/>.*/\1/p" "$TMP/out")
check "xml: the source names the pool ($POOL) and volume volume-256m.raw" [ -n "$POOL" ]
VOLPATH=$CACHE/pool/volume-256m.raw

# While the volume's guest runs (it only reads: --rw randread), the volume
# must hold the store's data: a watcher compares them then.
watch_volume() {
	local i
	for i in $(seq 1 600); do
		if [ -f "$VOLPATH" ] && virsh -c "$CONNECT" list --name 2>/dev/null | grep -q '^vmio-'; then
			if cmp -s "$STORE" "$VOLPATH"; then echo same; else echo differ; fi
			return
		fi
		sleep 0.2
	done
	echo "never seen"
}
watch_volume > "$TMP/watch" 9>&- &
watcher=$!

# ---- a real run: two buses on raw and volume ------------------------------
vb run --modes virtio-blk,virtio-scsi --sweep storage=raw,volume --rw randread --runtime 1 --ramp 0 --reps 1 "${common[@]}"
wait "$watcher"
check "run exits 0" [ "$rc" -eq 0 ]
J=$R/latest/run.json
check "both modes ran on both storage models" \
	jqe '[.modes[] | select(.status == "ok")] | length == 2' "$J"
for m in virtio-blk virtio-scsi; do
	check "$m: run.json records the volume's pool, its type, the volume and its path" jqe --arg p "$POOL" --arg v "$VOLPATH" \
		".modes[] | select(.mode == \"$m\") | .storage.volume.settings |
		 .pool == \$p and .pool_type == \"dir\" and .volume == \"volume-256m.raw\" and .path == \$v and (.allocation | test(\"cp --reflink=never\"))" "$J"
	check "$m: the volume's domain has <disk type='volume'> with its pool and volume" \
		grep -q "<source pool='$POOL' volume='volume-256m.raw'/>" "$R/latest/$m/domain-storage-volume.xml"
	for s in raw volume; do
		check "$m on $s: read IOPS > 0" jqe '.jobs[0].read.iops > 0' "$R/latest/$m/storage-$s/rep-1.fio.json"
	done
done
check "the volume held the store's data while the guest read it ($(cat "$TMP/watch"))" grep -qx same "$TMP/watch"
check "integrity: what the guest wrote is read back from the volume" \
	grep -q "integrity: storage volume read back what the guest wrote" "$TMP/err"
check "the store's copy into the volume was said" grep -q "copying the backing store .* into volume volume-256m.raw of pool $POOL" "$TMP/err"

# ---- after the run: the volume is gone, the pool may stay ------------------
check "no domain is left" no_domain_left
vols=$(virsh -c "$CONNECT" vol-list "$POOL" 2>&1)
check "the pool $POOL stays and lists no volume-256m.raw" sh -c '[ "$1" -eq 0 ] && ! printf "%s\n" "$2" | grep -q volume-256m.raw' sh $? "$vols"
check "the volume's file is gone" [ ! -e "$VOLPATH" ]
check "no cp copying into the pool is left" no_process "cp --reflink=never .*$CACHE/pool"

# ---- a pool that cannot be made: a clear failure, nothing left defined -----
pools_before=$(virsh -c "$CONNECT" pool-list --all --name | grep . | sort)
bad_pool() { # WHAT CACHE-DIR EXPECTED-TEXT
	vb run --modes virtio-blk --storage volume --runtime 1 --ramp 0 --reps 1 --connect "$CONNECT" --cache-dir "$2" \
		--kernel "$CACHE/image/vmlinuz" --initrd "$CACHE/image/initrd.img" --disk "$STORE" --accel tcg --results "$TMP/r-bad"
	check "$1: the run fails" [ "$rc" -ne 0 ]
	check "$1: the mode's reason names the pool's folder ($(jq -r '.modes[0].reason' "$TMP/r-bad/latest/run.json"))" \
		jqe --arg d "$2/pool" --arg t "$3" '.modes[0].status == "failed" and (.modes[0].reason | contains($d) and contains($t))' \
		"$TMP/r-bad/latest/run.json"
	check "$1: no domain is left" no_domain_left
	check "$1: no pool is left defined" [ "$(virsh -c "$CONNECT" pool-list --all --name | grep . | sort)" = "$pools_before" ]
}
mkdir -p "$TMP/c1" && touch "$TMP/c1/pool"
bad_pool "a pool folder that is a file" "$TMP/c1" "make that path a folder libvirt may use"
# a cache folder nobody may add to, root included (chattr +i), but for its
# run/ folder (the run's private files) made before
mkdir -p "$TMP/c2/run"
if chattr +i "$TMP/c2" 2>/dev/null; then
	bad_pool "a pool folder that cannot be created" "$TMP/c2" "may create the folder"
	chattr -i "$TMP/c2"
else
	echo "# chattr +i does not work on $TMP's file system: the case of a folder that cannot be created is not run"
fi
finish
