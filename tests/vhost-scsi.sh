#!/bin/bash
# vhost-scsi (issue 25) without a guest: the probe names the one thing a
# host lacks (LIO, configfs, /dev/vhost-scsi, the backstore's module) and
# a run of that mode alone fails with that line before anything boots;
# the domain XML hands libvirt the target port (<hostdev type='scsi_host'>
# with protocol 'vhost' and a naa. WWPN) and passes its schema; storage
# LIO cannot read (a server's protocol, an image format, null) is refused
# up front.  The mode itself runs in the nested lab (scripts/lab-suite-vhost).
. "${VB_SRCDIR:-.}/tests/lib.sh"
command -v xmllint >/dev/null || need "xmllint (apt-get install libxml2-utils)"
V=${VIRT_XML_VALIDATE:-$(command -v virt-xml-validate || true)}
[ -n "$V" ] || need "virt-xml-validate (apt-get install libvirt-clients)"

printf k > "$TMP/vmlinuz"; printf i > "$TMP/initrd.img"
img=(--kernel "$TMP/vmlinuz" --initrd "$TMP/initrd.img")
T=/sys/kernel/config/target

# ---- the probe ------------------------------------------------------------------
vb modes
line=$(grep -E '^vhost-scsi ' "$TMP/out")
if [ ! -d "$T" ] || [ ! -e /dev/vhost-scsi ]; then
	want='modprobe target_core_mod'
	[ -d "$T" ] && want='modprobe vhost_scsi'
	[ -d /sys/module/target_core_mod ] && [ ! -d "$T" ] && want='mount -t configfs'
	check "modes: vhost-scsi is unavailable here, and says what to do ($want): $line" \
		sh -c "echo \"\$1\" | grep -E '^vhost-scsi +no ' | grep -qF -- '$want'" _ "$line"
	if virsh -c "$CONNECT" version >/dev/null 2>&1; then
		vb run --modes vhost-scsi --accel tcg --size 64m --cache-dir "$TMP/cache" --results "$TMP/r" "${img[@]}"
		check "run --modes vhost-scsi fails (exit $rc) with the probe's line" \
			sh -c "[ $rc -ne 0 ] && grep -qF -- '$want' '$TMP/err'"
		check "... naming it once, as the mode's reason in run.json" \
			jqe --arg w "$want" '.modes[0] | .status == "failed" and (.reason | contains($w))' "$TMP/r/latest/run.json"
		check "... before any guest booted (no console log)" sh -c "! ls '$TMP'/r/latest/vhost-scsi/console*.log 2>/dev/null | grep -q ."
	else
		echo "# SKIP: the run's probe line: no libvirtd at $CONNECT"
	fi
else
	check "modes: vhost-scsi can run on this host (LIO and vhost_scsi are loaded)" \
		sh -c "echo \"\$1\" | grep -qE '^vhost-scsi +yes '" _ "$line"
fi

# ---- the domain XML ---------------------------------------------------------------
vb xml --mode vhost-scsi --accel tcg "${img[@]}"
F=$TMP/vhost-scsi.xml
cp "$TMP/out" "$F"
x() { xmllint --xpath "$1" "$F" 2>/dev/null; }
check "xml vhost-scsi exits 0" [ "$rc" -eq 0 ]
check "xml vhost-scsi passes virt-xml-validate" "$V" "$F" domain
check "xml vhost-scsi: a scsi_host hostdev, protocol vhost" \
	[ "$(x 'string(//hostdev/@type)')/$(x 'string(//hostdev/@mode)')/$(x 'string(//hostdev/source/@protocol)')" = scsi_host/subsystem/vhost ]
check "xml vhost-scsi: the target port is a naa. WWPN ($(x 'string(//hostdev/source/@wwpn)'))" \
	sh -c "echo '$(x 'string(//hostdev/source/@wwpn)')' | grep -qE '^naa\.5001405[0-9a-f]{9}$'"
check "xml vhost-scsi: no QEMU disk (the kernel serves it)" [ -z "$(x 'string(//disk/@type)')" ]

# ---- storage LIO cannot serve -----------------------------------------------------------
expect_refused() { # WHAT ARGS...
	local what=$1; shift
	vb "$@"
	one_line_refusal "$what" "mode vhost-scsi serves the store from the host kernel's LIO target"
}
expect_refused "run --modes vhost-scsi --storage nbd (a server's protocol)" \
	run --modes vhost-scsi --storage nbd --accel tcg --results "$TMP/r" "${img[@]}"
expect_refused "xml --mode vhost-scsi --storage qcow2 (an image format)" xml --mode vhost-scsi --storage qcow2 "${img[@]}"
vb xml --mode vhost-scsi --storage null "${img[@]}"
one_line_refusal "xml --mode vhost-scsi --storage null (no data)" "needs real storage"
finish
