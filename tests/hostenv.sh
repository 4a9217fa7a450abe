#!/bin/bash
# Issue 28, point 2 (first half): the host's environment, recorded and
# compared.  On the fixtures (no libvirt): run-env's host.env validates;
# compare prints the two environments side by side after its verdicts,
# marking exactly the rows that differ, in text and JSON, without changing
# its exit status; a run from before schema 3 says "not recorded"; a
# run.json with hostile env strings reaches the terminal clean and fails
# the schema.  Then a real run (`--modes host`, no guest: seconds) whose
# host.env must say what /sys and /proc say on this machine.
. "${VB_SRCDIR:-.}/tests/lib.sh"
command -v jq >/dev/null || need "jq (apt-get install jq)"
FIX=$VB_SRCDIR/tests/fixtures
S=$RUNJSON_SCHEMA
CHECKER=$VB_SRCDIR/tests/runjson-check.py

copy() { # FIXTURE NAME JQ-FILTER: $TMP/NAME, FIXTURE with its run.json so edited
	cp -r "$FIX/$1" "$TMP/$2"
	chmod -R u+w "$TMP/$2"
	jq "$3" "$FIX/$1/run.json" > "$TMP/$2/run.json"
}

# ---- the fixture --------------------------------------------------------
check "fixture run-env is schema 3 with host.env" \
	jqe '.schema == 3 and (.host.env | .kernel and .thp.enabled and (.mitigations | length > 0) and .store.fs and .store.scheduler)' "$FIX/run-env/run.json"
check "fixture run-env validates" python3 "$CHECKER" "$S" "$FIX/run-env/run.json"

# ---- compare: the environments side by side ------------------------------
copy run-env same '.id = "same"'
vb compare "$FIX/run-env" "$TMP/same"
cat "$TMP/out"
check "compare of a run with its copy exits 0" [ "$rc" -eq 0 ]
check "... prints the environment after the verdicts" \
	sh -c "awk '/^no regression\$/ {v = NR} /host environment/ && !e {e = NR} END {exit !(v && e > v)}' '$TMP/out'"
check "... marks no row and says so" \
	sh -c "! grep -q '^\\*' '$TMP/out' && grep -qx 'host environment: 0 rows differ' '$TMP/out'"
check "... shows both sides of a row" \
	sh -c "grep -Eq '^  THP enabled +madvise +madvise\$' '$TMP/out' && grep -Eq '^  store I/O scheduler +mq-deadline +mq-deadline\$' '$TMP/out'"

copy run-env changed '.id = "changed" | .host.env.cpufreq_governor = "powersave" | .host.env.thp.enabled = "always"
	| .host.env.mitigations.spectre_v2 = "Mitigation: Enhanced / Automatic IBRS; IBPB: conditional; RSB filling; PBRSB-eIBRS: SW sequence; BHI: BHI_DIS_S"
	| .host.env.store.scheduler = "none"'
vb compare "$FIX/run-env" "$TMP/changed"
cat "$TMP/out"
check "compare of run-env against a changed copy: exit 0 (the environment judges nothing)" [ "$rc" -eq 0 ]
check "... marks the governor, THP and scheduler rows with both values" \
	sh -c "grep -Eq '^\\* CPU governor +none \\(no cpufreq\\) +powersave\$' '$TMP/out' &&
	       grep -Eq '^\\* THP enabled +madvise +always\$' '$TMP/out' &&
	       grep -Eq '^\\* store I/O scheduler +mq-deadline +none\$' '$TMP/out'"
check "... puts a long differing mitigation on lines of its own, marked" \
	sh -c "grep -qx '\\* mitigation spectre_v2' '$TMP/out' && grep -q '^      new:  Mitigation: Enhanced / Automatic IBRS; IBPB' '$TMP/out'"
check "... marks exactly those 4 rows and counts them" \
	sh -c "[ \$(grep -c '^\\*' '$TMP/out') -eq 4 ] && grep -qx 'host environment: 4 rows differ (marked \\*)' '$TMP/out'"
check "... and leaves the unchanged rows unmarked" grep -Eq '^  THP defrag +madvise +madvise$' "$TMP/out"
vb compare "$FIX/run-env" "$TMP/changed" --format json
check "compare --format json: host_env's rows, 4 marked differs, with both values" \
	jqe '.host_env | .base_recorded and .new_recorded and ([.rows[] | select(.differs)] | length == 4)
	     and (.rows[] | select(.what == "THP enabled") | .base == "madvise" and .new == "always")
	     and (.rows[] | select(.what == "CPU boost") | .base == null and .differs == false)' "$TMP/out"

# a run from before schema 3: that side is "not recorded", nothing marked
copy run-env older '.id = "older" | .schema = 2 | del(.host.env)'
check "(the schema-2 copy validates)" python3 "$CHECKER" "$S" "$TMP/older/run.json"
vb compare "$TMP/older" "$FIX/run-env"
cat "$TMP/out"
check "compare of a schema-2 run with run-env: exit 0, its side 'not recorded', no row marked" \
	sh -c "[ $rc -eq 0 ] && grep -q 'base older: not recorded' '$TMP/out' && ! grep -q '^\\*' '$TMP/out' &&
	       grep -qx 'host environment: recorded by one run only (recorded from results schema 3 on): no difference can be shown' '$TMP/out'"
vb compare "$TMP/older" "$TMP/older"
check "... and of two such runs: one line, no table" \
	sh -c "[ $rc -eq 0 ] && grep -qx 'host environment: recorded by neither run (recorded from results schema 3 on): no difference can be shown' '$TMP/out' && ! grep -q '^  host environment' '$TMP/out'"
vb compare "$TMP/older" "$TMP/changed" --format json
check "... in JSON: base_recorded false, nothing differs" \
	jqe '.host_env | (.base_recorded | not) and .new_recorded and ([.rows[] | select(.differs)] | length == 0)' "$TMP/out"

# what compare refuses on stays as it was: another job is still refused
copy run-env otherjob '.id = "otherjob" | .host.env.thp.enabled = "never" | .job.points[0].params.bs = 65536'
vb compare "$FIX/run-env" "$TMP/otherjob"
check "compare still refuses runs of another job (exit 2), printing no environment" \
	sh -c "[ $rc -eq 2 ] && grep -q 'different jobs' '$TMP/err' && ! grep -q 'host environment' '$TMP/out'"

# ---- a run.json is input: hostile env strings ----------------------------
copy run-env hostile '.id = "hostile" | .host.env.cpufreq_governor = "\u001b[2J`id`$(reboot)"
	| .host.env.thp.enabled = "always\u001b]0;pwned\u0007" | .host.env.kernel = ("k" * 5000)
	| .host.env.mitigations["x\u001b[31m"] = "planted" | .host.env.mitigations.spectre_v1 = "\u009b31m<b>"
	| .host.env.store.scheduler = 42 | .host.env.numa_nodes = "two"'
vb compare "$FIX/run-env" "$TMP/hostile"
no_control() { ! LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$@" && ! grep -qP '\xc2[\x80-\x9f]' "$@"; }
check "compare of a run.json with hostile env strings exits 0" [ "$rc" -eq 0 ]
check "... prints no control character" no_control "$TMP/out" "$TMP/err"
check "... shows them cleaned and cut: printable ASCII, the kernel at 256 bytes" \
	sh -c "grep -q '?\\[2J\`id\`\$(reboot)' '$TMP/out' && grep -q \"^      new:  k\\{256\\}\$\" '$TMP/out'"
check "... drops a mitigation whose name is not a name, and a value of the wrong type is unknown" \
	sh -c "! grep -q 'planted' '$TMP/out' && grep -Eq '^\\* store I/O scheduler +mq-deadline +-\$' '$TMP/out' && grep -Eq '^\\* NUMA nodes +1 +-\$' '$TMP/out'"
check "... and the schema refuses that run.json" sh -c "! python3 '$CHECKER' '$S' '$TMP/hostile/run.json' >/dev/null"
vb report "$TMP/hostile"
check "report of it still exits 0" [ "$rc" -eq 0 ]

# ---- the schema: required from 3 on, absent before -------------------------
check "the schema refuses a schema-3 guest run without host.env" \
	sh -c "jq 'del(.host.env)' '$FIX/run-env/run.json' > '$TMP/noenv.json' && ! python3 '$CHECKER' '$S' '$TMP/noenv.json' >/dev/null"
check "... and host.env in a schema-2 run" \
	sh -c "jq '.schema = 2' '$FIX/run-env/run.json' > '$TMP/v2env.json' && ! python3 '$CHECKER' '$S' '$TMP/v2env.json' >/dev/null"
check "... and a mitigations key that is not a name" \
	sh -c "jq '.host.env.mitigations[\"../x\"] = \"a\"' '$FIX/run-env/run.json' > '$TMP/badkey.json' && ! python3 '$CHECKER' '$S' '$TMP/badkey.json' >/dev/null"

# ---- a real run: host.env says what this machine says --------------------
need_libvirtd
R=$TMP/results
vb run --modes host --runtime 1 --reps 1 --connect "$CONNECT" --cache-dir "$CACHE" --results "$R" --size 256m
check "run --modes host exits 0" [ "$rc" -eq 0 ]
J=$R/latest/run.json
E=$(jq -c .host.env "$J")
echo "# host.env: $E" | cut -c1-2000
env_is() { # WHAT JQ-EXPR EXPECTED-JSON: host.env's EXPR is EXPECTED
	local got
	got=$(jq -c "$2" <<<"$E")
	[ "$got" = "$3" ] && return 0
	echo "# $1: host.env has $got, this machine says $3"
	return 1
}
check "host.env.kernel is uname -r" env_is kernel .kernel "\"$(uname -r)\""
govs=$(cat /sys/devices/system/cpu/cpu[0-9]*/cpufreq/scaling_governor 2>/dev/null | sort -u)
if [ -z "$govs" ]; then want=null
elif [ "$(echo "$govs" | wc -l)" -eq 1 ]; then want="\"$govs\""
else want="\"mixed: $(echo "$govs" | paste -sd, | sed 's/,/, /g')\""
fi
check "host.env.cpufreq_governor is what cpufreq says ($want)" env_is governor .cpufreq_governor "$want"
if [ -f /sys/devices/system/cpu/cpufreq/boost ]; then want=$([ "$(cat /sys/devices/system/cpu/cpufreq/boost)" = 1 ] && echo true || echo false)
elif [ -f /sys/devices/system/cpu/intel_pstate/no_turbo ]; then want=$([ "$(cat /sys/devices/system/cpu/intel_pstate/no_turbo)" = 0 ] && echo true || echo false)
else want=null
fi
check "host.env.cpu_boost is what cpufreq or intel_pstate says ($want)" env_is boost .cpu_boost "$want"
sel() { sed -n 's/.*\[\([^]]*\)\].*/"\1"/p' "$1"; }
check "host.env.thp.enabled is the [selected] of THP's enabled" env_is thp .thp.enabled "$(sel /sys/kernel/mm/transparent_hugepage/enabled)"
check "host.env.thp.defrag is the [selected] of THP's defrag" env_is defrag .thp.defrag "$(sel /sys/kernel/mm/transparent_hugepage/defrag)"
vuln=$(for f in /sys/devices/system/cpu/vulnerabilities/*; do jq -n --arg k "${f##*/}" --arg v "$(cat "$f")" '{($k): $v}'; done | jq -cs 'add // {}')
check "host.env.mitigations is every vulnerabilities file with its text ($(ls /sys/devices/system/cpu/vulnerabilities | wc -l))" \
	env_is mitigations '.mitigations' "$vuln"
check "host.env.numa_nodes counts /sys/devices/system/node/node*" env_is numa .numa_nodes "$(ls -d /sys/devices/system/node/node[0-9]* | wc -l)"
check "host.env.mem_total_kib is MemTotal" env_is mem .mem_total_kib "$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)"
store=$(jq -r .backing_store.path "$J")
check "host.env.store.path is the backing store's real path" env_is path .store.path "\"$(readlink -f "$store")\""
read -r target fstype source majmin < <(findmnt -n -o TARGET,FSTYPE,SOURCE,MAJ:MIN --target "$store" | tail -n 1)
check "host.env.store's mount, fs and source are findmnt's ($target, $fstype, $source)" \
	env_is mount '[.store.mount, .store.fs, .store.source]' "[\"$target\",\"$fstype\",\"$source\"]"
dev=$(basename "$(readlink -f "/sys/dev/block/$majmin")")
disk=$dev
[ -f "/sys/dev/block/$majmin/partition" ] && disk=$(basename "$(dirname "$(readlink -f "/sys/dev/block/$majmin")")")
check "host.env.store's device and disk are sysfs's for $majmin ($dev on $disk)" env_is dev '[.store.device, .store.disk]' "[\"$dev\",\"$disk\"]"
check "host.env.store.scheduler is $disk's [selected] scheduler" env_is sched .store.scheduler "$(sel "/sys/block/$disk/queue/scheduler")"
rot=$([ "$(cat "/sys/block/$disk/queue/rotational")" = 1 ] && echo true || echo false)
check "host.env.store.rotational is $disk's ($rot)" env_is rot .store.rotational "$rot"
finish
