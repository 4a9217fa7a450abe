#!/bin/bash
# lun's loopback iSCSI target admits only the run's own guest: tgtd binds a
# CHAP account made for the run, QEMU gets its password from a libvirt
# secret made for the run (ephemeral, private), and all three -- target,
# account, secret -- are gone afterwards.  Another initiator on this host
# (qemu-img, libiscsi, from 127.0.0.1 like the guest's QEMU) is refused
# without credentials and with wrong ones; the control shows the same
# qemu-img logging into an open target of the test's own.
. "${VB_SRCDIR:-.}/tests/lib.sh"
need_libvirtd
need_image
command -v jq >/dev/null || need "jq (apt-get install jq)"
command -v tgtadm >/dev/null || need "tgt (apt-get install tgt)"
ls /usr/lib/*/qemu/block-iscsi.so >/dev/null 2>&1 || need "QEMU's iSCSI driver (apt-get install qemu-block-extra)"
# tgtd as the lun mode finds it: started (on loopback) if it is not running
# (the control needs it), stopped again at the end then
started_tgtd=
if ! tgtadm --lld iscsi --mode target --op show >/dev/null 2>&1; then
	tgtd --iscsi portal=127.0.0.1:3260 9>&- && started_tgtd=1
	for _ in $(seq 50); do tgtadm --lld iscsi --mode target --op show >/dev/null 2>&1 && break; sleep 0.1; done
fi
trap '[ -n "$started_tgtd" ] && tgtadm --lld iscsi --mode system --op delete >/dev/null 2>&1; [ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"' EXIT

secrets() { virsh -c "$CONNECT" secret-list | grep -c ' iscsi ' ; }
accounts() { tgtadm --lld iscsi --mode account --op show | grep -c 'vmio-' ; }
targets() { tgtadm --lld iscsi --mode target --op show | grep -c '^Target' ; }
initiator() { # URL: qemu-img's attempt to open the LUN, its messages in $TMP/iscsi.err
	timeout 60 qemu-img info "$1" >"$TMP/iscsi.out" 2>"$TMP/iscsi.err" 9>&-
	irc=$?
	sed 's/^/#   /' "$TMP/iscsi.err" | head -n 3
}

# ---- the control: qemu-img logs into an open target -----------------------
ctl_tid=$((30000 + $$ % 1000)) ctl_iqn=iqn.2026-12.org.vmio-bench.test:lun-chap-$$
truncate -s 16m "$TMP/ctl.raw"
tgtadm --lld iscsi --mode target --op new --tid $ctl_tid --targetname "$ctl_iqn" &&
	tgtadm --lld iscsi --mode logicalunit --op new --tid $ctl_tid --lun 1 --backing-store "$TMP/ctl.raw" &&
	tgtadm --lld iscsi --mode target --op bind --tid $ctl_tid --initiator-address 127.0.0.1
initiator "iscsi://127.0.0.1:3260/$ctl_iqn/1"
check "the control: qemu-img reads an open target of the test's own (exit $irc)" \
	sh -c '[ "$1" -eq 0 ] && grep -q "virtual size: 16 MiB" "$2"' _ "$irc" "$TMP/iscsi.out"
tgtadm --lld iscsi --mode target --op delete --force --tid $ctl_tid

secrets_before=$(secrets) accounts_before=$(accounts) targets_before=$(targets)
R=$TMP/results
runjson_mark bg
"$VB" run --connect "$CONNECT" --cache-dir "$CACHE" --results "$R" --size 256m --accel tcg --runtime 20 --ramp 0 --reps 1 \
	--modes lun >"$TMP/out" 2>"$TMP/err" 9>&- &
run=$!
# the run's target, once its account is bound
iqn= user=
for _ in $(seq 240); do
	show=$(tgtadm --lld iscsi --mode target --op show)
	iqn=$(echo "$show" | sed -n "s/^Target [0-9]*: \(iqn.2026-11.org.vmio-bench:run-$run-[0-9]*\)$/\1/p" | head -n 1)
	user=$(echo "$show" | grep -o "vmio-$run-[0-9]*" | head -n 1)
	[ -n "$iqn" ] && [ -n "$user" ] && virsh -c "$CONNECT" secret-list | grep -qF " iscsi $iqn" && break
	kill -0 $run 2>/dev/null || break
	sleep 0.5
done
echo "# the run's target: $iqn, account $user"
check "the run's target binds a CHAP account of the run" [ -n "$iqn" ] && [ -n "$user" ]
uuid=$(virsh -c "$CONNECT" secret-list | awk -v u="$iqn" '$2 == "iscsi" && $3 == u {print $1}')
virsh -c "$CONNECT" secret-dumpxml "$uuid" >"$TMP/secret.xml" 2>&1
check "its libvirt secret is ephemeral and private" \
	sh -c 'grep -q "ephemeral=.yes." "$1" && grep -q "private=.yes." "$1"' _ "$TMP/secret.xml"
check "... so libvirt does not hand out its value" sh -c '! virsh -c "$1" secret-get-value "$2" >/dev/null 2>&1' _ "$CONNECT" "$uuid"
initiator "iscsi://127.0.0.1:3260/$iqn/1"
check "another initiator without credentials is refused (exit $irc)" \
	sh -c '[ "$1" -ne 0 ] && [ "$1" -ne 124 ] && grep -qi "auth" "$2"' _ "$irc" "$TMP/iscsi.err"
initiator "iscsi://$user%not-the-password@127.0.0.1:3260/$iqn/1"
check "another initiator with the account's name and a wrong password is refused (exit $irc)" \
	sh -c '[ "$1" -ne 0 ] && [ "$1" -ne 124 ] && grep -qi "auth" "$2"' _ "$irc" "$TMP/iscsi.err"
check "... while the target was there" sh -c 'tgtadm --lld iscsi --mode target --op show | grep -qF "$1"' _ "$iqn"
wait $run
rc=$?
runjson_since bg
tail -n 12 "$TMP/err" | sed 's/^/#   /'
check "the run's own guest logged in and measured (exit $rc)" [ "$rc" -eq 0 ]
check "... lun ok, with IOPS" jqe '.jobs[0].read.iops > 0 and .jobs[0].write.iops > 0' "$R/latest/lun/rep-1.fio.json"
check "the domain XML carries the account and the secret" \
	sh -c 'grep -q "<auth username=.$1.>" "$2" && grep -q "<secret type=.iscsi. uuid=.$3./>" "$2"' _ "$user" "$R/latest/lun/domain.xml" "$uuid"
check "afterwards no target of the run is left ($(targets) targets, $targets_before before)" \
	sh -c '! tgtadm --lld iscsi --mode target --op show | grep -qF "$1"' _ "$iqn"
check "... no CHAP account ($(accounts) vmio- accounts, $accounts_before before)" [ "$(accounts)" -eq "$accounts_before" ]
check "... no libvirt secret ($(secrets) iSCSI secrets, $secrets_before before)" \
	sh -c '[ "$1" -eq "$2" ] && ! virsh -c "$3" secret-list | grep -qF "$4"' _ "$(secrets)" "$secrets_before" "$CONNECT" "$iqn"
left=$(leftover_domains)
check "no domain left ($left)" [ -z "$left" ]
finish
