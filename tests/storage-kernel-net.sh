#!/bin/bash
# storage iscsi-kernel and netfs (issue 25) where the host's kernel lacks
# what they need (this machine: a kernel with no modules, so no iSCSI
# initiator and no nfsd): `vmio-bench storage` says in one line what is
# missing and what to install, load or start, and a run on either model
# fails with that line before anything boots.  No guest.  Where the host
# has it all (the nested lab, scripts/lab-suite-net, runs them for real),
# the model's checks say so and are skipped.
. "${VB_SRCDIR:-.}/tests/lib.sh"

"$VB" storage > "$TMP/storage" 2>&1
for model in iscsi-kernel netfs; do
	row=$(awk -v m="$model" '$1 == m' "$TMP/storage")
	check "vmio-bench storage lists $model, a volume disk" awk -v m="$model" '$1 == m && $3 == "volume" {f = 1} END {exit !f}' "$TMP/storage"
	if echo "$row" | awk '{exit !($2 == "yes")}'; then
		echo "# $model can run on this host: the nested lab measures it (scripts/lab-suite-net)"
		continue
	fi
	why=$(echo "$row" | sed -E 's/^[^ ]+ +no +volume +//')
	echo "# $model: $why"
	check "$model: the probe names what is missing on this host" sh -c "echo \"\$1\" | grep -q 'on this host'" _ "$why"
	check "$model: ... and what to install, load or start" \
		sh -c "echo \"\$1\" | grep -Eq 'apt-get install|modprobe|start'" _ "$why"
	eval "why_$(echo "$model" | tr - _)=\$why"
done

# The domain XML (the xml command sets nothing up): a volume disk in the
# model's pool, valid for libvirt
V=${VIRT_XML_VALIDATE:-$(command -v virt-xml-validate || true)}
for model in iscsi-kernel netfs; do
	vb xml --mode virtio-blk --storage "$model" --accel tcg
	check "xml --storage $model: exit 0" [ "$rc" -eq 0 ]
	check "xml --storage $model: a volume disk in a pool of the run's own" \
		grep -Eq "<source pool='vmio-(iscsi|netfs)-[^']*' volume='[^']+'" "$TMP/out"
	[ -z "$V" ] || check "xml --storage $model: passes virt-xml-validate" "$V" "$TMP/out" domain
done
check "xml --storage iscsi-kernel: QEMU opens the kernel's device (mode='host'), not libiscsi" \
	sh -c "'$VB' xml --mode virtio-blk --storage iscsi-kernel --accel tcg | grep -q \"volume='unit:0:0:1' mode='host'\""

# A run: the probe's line, then nothing booted (needs libvirtd and the
# image to get that far)
if virsh -c "$CONNECT" version >/dev/null 2>&1 && [ -f "$CACHE/image/vmlinuz" ]; then
	need_libvirtd
	for model in iscsi-kernel netfs; do
		var=why_$(echo "$model" | tr - _)
		[ -n "${!var:-}" ] || continue
		vb run --modes virtio-blk --storage "$model" --runtime 1 --ramp 0 --reps 1 --size 16m \
			--accel tcg --connect "$CONNECT" --results "$TMP/results"
		check "$model: the run fails (exit 1)" [ "$rc" -eq 1 ]
		check "$model: with the probe's line" grep -qF "storage $model: ${!var}" "$TMP/err"
		check "$model: no guest was booted" sh -c "! grep -q 'booting the guest' '$TMP/err'"
		check "$model: no pool of ours is left" \
			sh -c "! virsh -c '$CONNECT' pool-list --all --name | grep -qE '^vmio-(iscsi|netfs)-'"
	done
else
	echo "# no libvirtd at $CONNECT or no guest image: the run's part is skipped"
fi
finish
