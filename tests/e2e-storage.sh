#!/bin/bash
# The storage under the bus as an axis (issue 24): one run sweeps the
# storage models that need no server (raw, qcow2 and its preallocations,
# null) under a guest bus, the host and the backend ceiling, each model
# with a guest of its own; a guest's writes read back through each model
# with no guest (and a guest that only pretends to write is caught); the
# older --format spelling records its model; bad storage input is refused
# before anything runs.  The models with servers have tests of their own
# (tests/storage-*.sh).
. "${VB_SRCDIR:-.}/tests/lib.sh"
need_libvirtd
need_image
command -v jq >/dev/null || need "jq (apt-get install jq)"

R=$TMP/results
common=(--connect "$CONNECT" --cache-dir "$CACHE" --results "$R" --size 256m --accel tcg --ramp 0 --runtime 1 --reps 1)
models=raw,qcow2,qcow2-metadata,qcow2-falloc,qcow2-full

# ---- bad input first: refused before any guest or folder ----------------------
vb run --modes virtio-blk --storage nope "${common[@]}"
check "--storage nope: exit 2, one line naming the models" \
	sh -c "[ $rc -eq 2 ] && [ \$(wc -l < '$TMP/err') -eq 1 ] && grep -q \"unknown storage model 'nope': choose from raw, \" '$TMP/err'"
vb run --modes virtio-blk --sweep storage=raw,nope "${common[@]}"
check "--sweep storage=raw,nope: exit 2, naming the model" sh -c "[ $rc -eq 2 ] && grep -q \"unknown storage model 'nope'\" '$TMP/err'"
vb run --modes host,virtio-blk --sweep storage=raw,null "${common[@]}"
check "host under a null point: exit 2, host needs real storage" sh -c "[ $rc -eq 2 ] && grep -q 'mode host needs real storage' '$TMP/err'"
vb run --modes virtio-blk --storage qcow2 --backend null "${common[@]}"
check "--storage qcow2 with --backend null: exit 2, they name different storage" \
	sh -c "[ $rc -eq 2 ] && grep -q 'name different storage' '$TMP/err'"
check "bad storage input made no results folder" [ ! -e "$R" ]

# ---- the file models under one bus, the host and the backend ------------------
vb run --modes host,virtio-blk,backend --sweep "storage=$models" "${common[@]}"
sed 's/^/#   /' "$TMP/err"
check "a storage sweep runs (exit 0)" [ "$rc" -eq 0 ]
J=$R/latest/run.json
M=$R/latest/virtio-blk
check "run.json lists a point per storage model" \
	jqe '[.job.points[].label] == ["storage=raw", "storage=qcow2", "storage=qcow2-metadata", "storage=qcow2-falloc", "storage=qcow2-full"]' "$J"
check "each point's params name its model" jqe '[.job.points[].params.storage] | length == 5 and all(. != null)' "$J"
check "every mode records every model it ran on" \
	jqe '[.modes[] | .storage | keys | length] == [5, 5, 5]' "$J"
check "each qcow2 model records its preallocation" \
	jqe '[.modes[1].storage[] | .settings.preallocation // "none"] == ["none", "off", "metadata", "falloc", "full"]' "$J"
check "the guest booted once per model: a domain XML each" \
	sh -c "ls '$M' | grep -c '^domain-storage-.*\\.xml$' | grep -qx 5"
check "the qcow2-full guest opens a qcow2 image of that name" \
	grep -q "type='qcow2'.*" "$M/domain-storage-qcow2-full.xml"
check "... the file qcow2-full" grep -q "disk-256m.raw.qcow2-full'" "$M/domain-storage-qcow2-full.xml"
check "a console log per guest" sh -c "ls '$M' | grep -c '^console-boot[0-9]*\\.log$' | grep -qx 5"
check "host reads the medium under each model (for qcow2, the file system: the raw store beside the image)" \
	sh -c "grep -q 'storage=qcow2-falloc: fio on .*disk-256m.raw for' '$TMP/err'"
check "backend opens each model through qemu-storage-daemon" \
	sh -c "[ \$(grep -c 'backend: rep 1/1, storage=.*through qemu-storage-daemon' '$TMP/err') -eq 5 ]"
check "integrity: every model read back what the guest wrote" \
	jqe '[.modes[1].storage[].integrity.result] == ["ok", "ok", "ok", "ok", "ok"]' "$J"
check "... checked once per model (not again by later modes)" \
	sh -c "[ \$(grep -c 'integrity: the guest writes' '$TMP/err') -eq 5 ]"
check "the storage chart groups each bus by model" test -s "$R/latest/plots/sweep-storage.svg"
check "... as clustered bars" grep -q 'histogram clustered' "$R/latest/plots/charts.gp"
check "the table has a section per model" sh -c "[ \$(grep -c '^job point storage=' '$TMP/out') -eq 5 ]"
check "no domain is left" no_domain_left
check "no qemu-storage-daemon is left" no_process '^qemu-storage-daemon'

# ---- null: no integrity check (nothing is stored) ------------------------------
vb run --modes virtio-blk --storage null "${common[@]}"
check "--storage null runs" [ "$rc" -eq 0 ]
check "... with null-co on QEMU's command line" grep -q 'null-co' "$R/latest/virtio-blk/domain.xml"
check "... and no integrity check (null stores nothing)" jqe '.modes[0].storage.null.integrity == null' "$R/latest/run.json"

# ---- the older spelling --------------------------------------------------------
vb run --modes virtio-blk --format qcow2 "${common[@]}" --integrity off
check "--format qcow2 still runs" [ "$rc" -eq 0 ]
check "... recorded as storage qcow2" jqe '.config.storage == "qcow2" and .config.format == "qcow2"' "$R/latest/run.json"
check "... and named beside the job in the table" grep -q '^run .*, storage qcow2, accelerator' "$TMP/out"

# ---- a guest that only pretends to write: the integrity check fails -----------
# its fio runs every job but the integrity pattern, which it claims to
# have written (the store's first blocks keep whatever they held)
mkdir -p "$TMP/liar/bin"
(cd "$TMP/liar" && gzip -dc "$CACHE/image/initrd.img" | cpio -id --quiet bin/fio 2>/dev/null || cpio -id --quiet bin/fio < "$CACHE/image/initrd.img")
mv "$TMP/liar/bin/fio" "$TMP/liar/bin/fio.real"
printf '#!/bin/busybox sh\ncase " $* " in *--name=vmio-integrity*) echo "{}"; exit 0;; esac\nexec /bin/fio.real "$@"\n' > "$TMP/liar/bin/fio"
chmod 755 "$TMP/liar/bin/fio" "$TMP/liar/bin/fio.real"
overlay liar "$TMP/liar"
vb run --modes virtio-blk --storage raw "${common[@]}" --kernel "$CACHE/image/vmlinuz" --initrd "$TMP/liar.img"
check "writes that never reached the storage: exit 1" [ "$rc" -eq 1 ]
check "... the reason says they did not read back" grep -q 'integrity: what the guest wrote did not read back' "$TMP/err"
check "... run.json records the failed check" \
	jqe '.modes[0].status == "failed" and .modes[0].storage.raw.integrity.result == "failed"' "$R/latest/run.json"
check "... the measured repetition is kept" jqe '.modes[0].points[0].reps | length == 1' "$R/latest/run.json"
check "no domain is left" no_domain_left
check "no qemu-storage-daemon is left" no_process '^qemu-storage-daemon'
finish
