#!/bin/bash
# Teardown has one hard deadline.  tests/chatty-agent is the guest agent
# built with a test hook: it runs the job like the real one, then answers
# bye with a message every 100 ms, forever, and never powers the guest
# off.  A wait for bye restarted by every message would never end; the
# controller must stop listening VB_BYE_WAIT_S (5 s) after its bye,
# destroy the guest, say so in run.json, and leave no domain behind.
# And a ^C mid-run leaves no fio process behind (host mode, no guest).
. "${VB_SRCDIR:-.}/tests/lib.sh"
need_libvirtd
need_image
command -v jq >/dev/null || need "jq (apt-get install jq)"
[ -x "${VB_CHATTY_AGENT:-}" ] || need "tests/chatty-agent (built by make check)"

mkdir -p "$TMP/chatty/sbin"
cp "$VB_CHATTY_AGENT" "$TMP/chatty/sbin/vmio-agent"
overlay chatty "$TMP/chatty"
R=$TMP/results
# a bounded wait for the run itself: the old restarting wait never returns
runjson_mark chatty
timeout 150 "$VB" run --connect "$CONNECT" --cache-dir "$CACHE" --results "$R" --size 256m --accel tcg --runtime 2 --ramp 0 \
	--reps 1 --modes virtio-blk --kernel "$CACHE/image/vmlinuz" --initrd "$TMP/chatty.img" >"$TMP/out" 2>"$TMP/err" 9>&-
rc=$?
runjson_since chatty
tail -n 15 "$TMP/err" | sed 's/^/#   /'
J=$R/latest/run.json
check "a chatty guest's run ends (exit $rc, not the timeout's 124)" [ "$rc" -eq 0 ]
check "the job before teardown ran (fio's IOPS > 0)" \
	jqe '.jobs[0].read.iops > 0 and .jobs[0].write.iops > 0' "$R/latest/virtio-blk/rep-1.fio.json"
check "run.json: the guest was destroyed at the deadline, without bye" \
	jqe '.modes[0].teardown == "destroyed at the deadline: the agent did not answer bye in time"' "$J"
t=$(jq '.modes[0].timings.teardown_s[0]' "$J")
echo "# teardown took $t s (bye's deadline 5 s)"
check "teardown ended within bye's 5 s deadline and the destroy ($t s < 10)" \
	jqe -n --argjson t "$t" '$t >= 5 and $t < 10'
check "one warning line says why" grep -q 'virtio-blk: the guest was destroyed at the deadline: the agent did not answer bye in time' "$TMP/err"
left=$(leftover_domains)
check "no domain left behind ($left)" [ -z "$left" ]

# ^C mid-measurement ends fio's job processes too, not only fio's main one
# (they lead process groups of their own and outlive a SIGKILLed parent,
# reparented to init).  Host mode: no guest boots.  A cache of its own, so
# the store's path names this run's fio alone.
store=$TMP/cache/store/disk-64m.raw
running() { pgrep -f -- "--filename=$store" >/dev/null; }
"$VB" run --modes host --runtime 30 --ramp 0 --reps 1 --size 64m --results "$TMP/r-int" --cache-dir "$TMP/cache" \
	--kernel "$CACHE/image/vmlinuz" --initrd "$CACHE/image/initrd.img" --accel tcg >"$TMP/out" 2>"$TMP/err" 9>&- &
vbpid=$!
for _ in $(seq 60); do running && break; sleep 0.5; done
check "host mode's fio started on $store" running
sleep 1 # its job processes forked
kill -INT "$vbpid"
wait "$vbpid"
rc=$?
sleep 1
left=$(pgrep -f -- "--filename=$store" | tr '\n' ' ')
check "SIGINT mid-run: exit 1 ($rc)" [ "$rc" -eq 1 ]
check "SIGINT mid-run: no fio left on $store ($left)" [ -z "$left" ]
[ -z "$left" ] || kill -KILL $left 2>/dev/null
finish
