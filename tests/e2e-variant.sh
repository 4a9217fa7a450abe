#!/bin/bash
# Variant modes (issue 27, the ground `vmio-bench tune` stands on): a mode
# named BASE+TAG is BASE under another name, so one run holds BASE with two
# tunings, each in its own folder, its tuning in run.json.  Real guests,
# tiny job; then --resume of the variant, and bad tags refused (exit 2, one
# line, no guest).
. "${VB_SRCDIR:-.}/tests/lib.sh"
need_libvirtd
need_image
command -v jq >/dev/null || need "jq (apt-get install jq)"

R=$TMP/results
common=(--connect "$CONNECT" --cache-dir "$CACHE" --results "$R" --size 64m --runtime 2 --ramp 0 --reps 1)
printf '[global]\n[mode virtio-blk+t]\nio = threads\niothreads = 0\n' > "$TMP/v.ini"

# ---- bad tags first: refused before anything boots -------------------------
for m in virtio-blk+A virtio-blk+ nope+x virtio-blk+a+b; do
	vb run --modes "virtio-blk,$m" "${common[@]}"
	check "--modes virtio-blk,$m: exit 2, one line naming it" \
		sh -c "[ $rc -eq 2 ] && [ \$(wc -l < '$TMP/err') -eq 1 ] && grep -qF -- \"'$m'\" '$TMP/err'"
done
check "... and no run folder" sh -c "! ls '$R'/*/run.json 2>/dev/null | grep -q ."
printf '[global]\n[mode virtio-blk+B]\nio = threads\n' > "$TMP/bad.ini"
vb run --modes virtio-blk -c "$TMP/bad.ini" "${common[@]}"
check "-c with [mode virtio-blk+B]: exit 2, one line" sh -c "[ $rc -eq 2 ] && [ \$(wc -l < '$TMP/err') -eq 1 ]"

# ---- one run, the base and its variant ---------------------------------------
vb run --modes virtio-blk,virtio-blk+t -c "$TMP/v.ini" "${common[@]}"
check "run of virtio-blk,virtio-blk+t exits 0" [ "$rc" -eq 0 ]
RUN=$(readlink -f "$R/latest")
J=$RUN/run.json
check "both modes ok" jqe '[.modes[] | .mode + ":" + .status] == ["virtio-blk:ok", "virtio-blk+t:ok"]' "$J"
check "the variant records variant_of and its tuning" \
	jqe '.modes[1].variant_of == "virtio-blk" and .modes[1].tuning_overrides == {"io": "threads", "iothreads": "0"}' "$J"
check "the base has neither" jqe '(.modes[0] | has("variant_of") or has("tuning_overrides")) | not' "$J"
check "each has its own folder with a measurement" \
	sh -c "test -s '$RUN/virtio-blk/rep-1.fio.json' && test -s '$RUN/virtio-blk+t/rep-1.fio.json'"
check "the variant's domain: io='threads', no iothread" \
	sh -c "grep -q \"io='threads'\" '$RUN/virtio-blk+t/domain.xml' && ! grep -q 'iothread' '$RUN/virtio-blk+t/domain.xml'"
check "the base's domain: io='native'" grep -q "io='native'" "$RUN/virtio-blk/domain.xml"
vb report "$RUN"
check "report accepts the run and names the variant" sh -c "[ $rc -eq 0 ] && grep -q 'virtio-blk+t' '$RUN/summary.md'"

# ---- --resume: the variant's tuning comes back from run.json -------------------
jq '.state = "incomplete" | .modes[1] = {"mode": "virtio-blk+t", "status": "not run", "reason": "test"}' "$J" > "$J.new"
mv "$J.new" "$J"
rm -rf "$RUN/virtio-blk+t"
vb run --resume "$RUN" --quiet
check "--resume exits 0" [ "$rc" -eq 0 ]
check "--resume ran the variant again with its tuning" \
	jqe '.state == "complete" and .modes[1].status == "ok" and .modes[1].variant_of == "virtio-blk" and .modes[1].tuning_overrides.io == "threads"' "$J"
check "... its domain io='threads' again" grep -q "io='threads'" "$RUN/virtio-blk+t/domain.xml"
check "no domain left" no_domain_left
[ -n "${VB_FIXTURE_OUT:-}" ] && cp -r "$RUN" "$VB_FIXTURE_OUT"
finish
