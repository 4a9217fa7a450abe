#!/bin/bash
# What the summary makes of many guests (issue 26), on stored runs (no
# libvirt, no guest): a --vms run (tests/fixtures/run-vms) and a
# --neighbour run (tests/fixtures/run-neighbour).  Each figure is worked
# out again here, independently, from run.json and the guests' fio JSON:
# the aggregate IOPS (the measured guests' sum), the slowest guest's IOPS,
# the worst guest's p99 from its merged bins, Jain's index of the guests'
# shares; the neighbour headline's ratio and interval; the chart of IOPS
# against N; a partial point marked, its (hostile) reason escaped for each
# sink; and compare and the gate catching one guest's loss under an
# unchanged sum.
. "${VB_SRCDIR:-.}/tests/lib.sh"
command -v jq >/dev/null || need "jq (apt-get install jq)"
command -v python3 >/dev/null || need "python3"
VMS=$VB_SRCDIR/tests/fixtures/run-vms
NB=$VB_SRCDIR/tests/fixtures/run-neighbour

copy() { cp -r "$1" "$2" && chmod -R u+w "$2"; }

# The figures again, from the stored files: prints "checked N ..." lines;
# exit 1 on the first disagreement (named).
cat > "$TMP/figures.py" <<'EOF'
import json, math, sys
run = sys.argv[1]
r = json.load(open(run + '/run.json'))
s = json.load(open(run + '/summary.json'))
rows = {(x['mode'], x['point'], x['dir']): x for x in s['rows']}
fair = {(x['mode'], x['point']): x for x in s.get('fairness', [])}
def near(a, b, what, tol=1e-6):
    if a is None or b is None or abs(a - b) > tol * max(1.0, abs(a), abs(b)):
        sys.exit(f'MISMATCH {what}: summary {a}, worked out {b}')
def fio(mode, f):
    return json.load(open(f'{run}/{mode}/{f}'))['jobs'][0]
def pct(bins, p):   # the smallest value whose cumulative count reaches p%
    tot = sum(bins.values()); cum = 0
    for v in sorted(bins):
        cum += bins[v]
        if cum >= tot * p / 100: return v
npoints = nguests = 0
for m in r['modes']:
    for p in m.get('points', []):
        reps = [x for x in p.get('reps', []) if 'vms' in x]
        if not reps: continue
        npoints += 1
        share = {}
        for d in ('read', 'write'):
            row = rows[(m['mode'], p['label'], d)]
            bins = {}
            for k, rep in enumerate(reps):
                ok = [g for g in rep['vms']['guests'] if g['status'] == 'ok' and g.get('file')]
                meas = [g for g in ok if g.get('role', 'measured') == 'measured']
                io = [fio(m['mode'], g['file'])[d] for g in meas]
                near(row['iops']['values'][k], sum(j['iops'] for j in io), f"{m['mode']} {p['label']} {d} rep {k+1}: the aggregate is the measured guests' sum")
                near(row['worst_guest_iops']['values'][k], min(j['iops'] for j in io), f"{m['mode']} {p['label']} {d} rep {k+1}: worst guest IOPS")
                for g, j in zip(meas, io):
                    b = bins.setdefault(g['vm'], {})
                    for v, c in j['clat_ns'].get('bins', {}).items():
                        b[float(v)] = b.get(float(v), 0) + c
                for g in ok:
                    share.setdefault(g['vm'], []).append(fio(m['mode'], g['file'])[d]['iops'])
            worst = max(pct(b, 99) for b in bins.values() if b)
            near(row['clat_percentiles_ns']['p99'], worst, f"{m['mode']} {p['label']} {d}: p99 of the worst guest")
        f = fair[(m['mode'], p['label'])]
        measured = {g['vm'] for rep in reps for g in rep['vms']['guests'] if g.get('role', 'measured') == 'measured'}
        # reads + writes, mean over the guest's repetitions
        x = [sum(v) / (len(v) / 2) for vm, v in sorted(share.items()) if vm in measured]
        nguests += len(x)
        near(f['jain'], sum(x) ** 2 / (len(x) * sum(v * v for v in x)), f"{m['mode']} {p['label']}: Jain's index")
        near(f['min_max'], min(x) / max(x), f"{m['mode']} {p['label']}: slowest/fastest")
print(f'checked {npoints} vms points, {nguests} measured guests')
for e in s.get('neighbours', []):
    def total(label):
        rd, wr = rows[(e['mode'], label, 'read')], rows[(e['mode'], label, 'write')]
        return [a + b for a, b in zip(rd['iops']['values'], wr['iops']['values'])]
    i, b = total(e['idle']), total(e['busy'])
    ratio = (sum(b) / len(b)) / (sum(i) / len(i))
    near(e['iops_busy_idle']['ratio'], ratio, f"{e['mode']}: busy/idle IOPS")
    lo, hi = e['iops_busy_idle']['ci95']
    if not (len(i) > 1 and len(b) > 1 and lo is not None and hi is not None and lo <= ratio <= hi):
        sys.exit(f"MISMATCH {e['mode']}: no interval around the busy/idle ratio ({lo}, {hi})")
    print(f"checked neighbour pair {e['mode']}: x{ratio:.3f} [{lo:.3f}, {hi:.3f}]")
EOF

# ---- a --vms run ----------------------------------------------------------
copy "$VMS" "$TMP/vms"
vb report "$TMP/vms"
check "report of a --vms run exits 0" [ "$rc" -eq 0 ]
cp "$TMP/out" "$TMP/vms.table"
python3 "$TMP/figures.py" "$TMP/vms" > "$TMP/fig" 2>&1; frc=$?
cat "$TMP/fig"
check "each vms row's IOPS is its measured guests' sum, worst_guest_iops the slowest guest's, p99 the worst guest's merged bins', Jain's index and min/max the guests' shares (worked out again)" \
	sh -c "[ $frc -eq 0 ] && grep -Eq '^checked [1-9][0-9]* vms points, [2-9][0-9]* measured' '$TMP/fig'"
check "the table says what a vms row is" grep -q '^vms rows: IOPS and bandwidth summed over the measured guests.*latency percentiles of the worst guest' "$TMP/vms.table"
check "the table has a fairness line per mode and point (guests' IOPS, Jain, min/max)" \
	[ "$(grep -cE '^[a-z-]+ +vms=[0-9]+ +guests [0-9]+.* Jain [01]\.[0-9]{3}  min/max [01]\.[0-9]{2}' "$TMP/vms.table")" -eq "$(jq '.fairness | length' "$TMP/vms/summary.json")" ]
check "summary.json marks vms rows and carries worst_guest_iops for them" jqe '[.rows[] | select(.vms) | .worst_guest_iops.mean > 0] | length > 0 and all' "$TMP/vms/summary.json"
check "summary.csv has the worst guest's and the fairness columns" sh -c "head -1 '$TMP/vms/summary.csv' | grep -q 'worst_guest_iops_mean.*,guests_iops,jain,min_max,start_spread_s,partial,failed\$'"
check "summary.md has the guests' table" grep -q '^| mode | point | guests. IOPS | Jain | min/max | start spread | failed |' "$TMP/vms/summary.md"
check "chart iops-vs-guests is drawn as PNG and SVG" test -s "$TMP/vms/plots/iops-vs-guests.png" -a -s "$TMP/vms/plots/iops-vs-guests.svg"
check "the chart has a line per mode, N on x, the interval as error bars" sh -c "grep -q 'with yerrorlines' '$TMP/vms/plots/charts.gp' && grep -q \"xlabel 'guests (--vms)'\" '$TMP/vms/plots/charts.gp'"
H=$TMP/vms/report.html
check "report.html names the chart and inlines it" sh -c "grep -q 'plots/iops-vs-guests.svg' '$H' && grep -q 'against N guests' '$H'"
check "report.html has the guests' fairness table" grep -q '<h2>Guests</h2>' "$H"
check "report.html is well-formed enough for an XML parser" sh -c "sed 's/<!DOCTYPE html>//' '$H' | xmllint --noout - 2>/dev/null"

# ---- a partial point, its reason hostile ----------------------------------
# guest 2 of the last point with two or more guests fails in every
# repetition, with a reason that tries every sink
copy "$VMS" "$TMP/part"
REASON=$'boot failed <script>alert(1)</script> | *x* `y` \e[31mred, "q"\nsecond line'
LABEL=$(jq -r '[.modes[].points[] | select((.reps[0].vms.n // 0) >= 2) | .label] | last' "$VMS/run.json")
jq --arg why "$REASON" --arg l "$LABEL" '(.modes[].points[] | select(.label == $l)) |= (.partial = true
	| .reps[].vms.guests |= map(if .vm == 2 then {vm, role, status: "failed", reason: $why} else . end))' \
	"$VMS/run.json" > "$TMP/part/run.json"
# what each sink must show of it (fixed strings)
printf '%s\n' '&lt;script&gt;alert(1)&lt;/script&gt; | *x* `y` ?[31mred, &quot;q&quot;?second line' > "$TMP/want.html"
printf '%s\n' '\<script>alert(1)\</script> \| \*x\* \`y\` ?[31mred, "q"?second line' > "$TMP/want.md"
printf '%s\n' 'boot failed <script>alert(1)</script> | *x* `y` ?[31mred, ""q""?second line"' > "$TMP/want.csv"
vb report "$TMP/part"
check "report of a run with a failed guest exits 0" [ "$rc" -eq 0 ]
check "the table marks the partial points, with the reason (control characters replaced)" \
	grep -qF 'PARTIAL (1 of ' "$TMP/out"
check "no control character of the reason reaches the terminal" lacks "$TMP/out" $'\e'
check "summary.json marks them partial, the reason kept whole but cleaned" \
	jqe '[.fairness[] | select(.partial)] | length > 0 and all(.reason | test("<script>") and (test("\u001b") | not))' "$TMP/part/summary.json"
check "report.html escapes the reason" sh -c "grep -qFf '$TMP/want.html' '$TMP/part/report.html' && ! grep -qF '<script>' '$TMP/part/report.html'"
check "summary.md escapes the reason" grep -qFf "$TMP/want.md" "$TMP/part/summary.md"
check "summary.csv quotes the reason" grep -qFf "$TMP/want.csv" "$TMP/part/summary.csv"
# a guest dead in every repetition is the least fair share, not one left out
check "the dead guest counts as 0: min/max 0 and Jain 1/N over the measured guests" \
	jqe --arg l "$LABEL" '[.fairness[] | select(.point == $l)] | all(.min_max == 0 and (.jain - 1 / .measured | fabs) < 1e-9)' "$TMP/part/summary.json"
check "... and the slowest guest's IOPS of each such repetition is 0" \
	jqe --arg l "$LABEL" '[.rows[] | select(.point == $l) | .worst_guest_iops.values[]] | length > 0 and all(. == 0)' "$TMP/part/summary.json"
vb compare "$VMS" "$TMP/part"
check "compare names the partial points of the runs it compares" grep -q "is partial: 1 of 2 guests failed" "$TMP/err"
# damaged records: the row's IOPS is the guests' fio files' sum, whatever
# run.json's copy says; a guest named twice in one repetition is refused
copy "$VMS" "$TMP/huge"
jq --arg l "$LABEL" '(.modes[].points[] | select(.label == $l) | .reps[0].iops.read) = 1e308' "$VMS/run.json" > "$TMP/huge/run.json"
vb report "$TMP/huge"
check "a run.json IOPS of 1e308 does not reach the table (the files' sum does)" sh -c "[ $rc -eq 0 ] && ! grep -q 'e+30\|inf' '$TMP/out'"
copy "$VMS" "$TMP/dup"
jq --arg l "$LABEL" '(.modes[].points[] | select(.label == $l) | .reps[0].vms.guests) |= [.[0], .[0]]' "$VMS/run.json" > "$TMP/dup/run.json"
vb report "$TMP/dup"
check "a guest named twice in a repetition is refused (exit 2, one line)" sh -c "[ $rc -eq 2 ] && grep -q 'names guest 1 twice' '$TMP/err'"
# <iotune> limits each guest: a --vms row sets its mean per guest beside it
copy "$VMS" "$TMP/iot"
jq '(.modes[] | select(.mode == "virtio-blk")).iotune = {all: {total_iops_sec: 4500}}' "$VMS/run.json" > "$TMP/iot/run.json"
vb report "$TMP/iot"
check "a --vms row's iotune line is per guest (the mean of its guests)" \
	grep -Eq '^virtio-blk vms=2: iotune total_iops_sec=4500, measured [0-9]+ IOPS per guest \(the mean of 2\)' "$TMP/out"

# ---- compare and the gate: one guest slower, the sum unchanged -------------
# guest 2 of a two-guest point loses 60% of its IOPS and guest 1 gains as
# much, in run.json and in their fio JSON: the aggregate does not move
copy "$VMS" "$TMP/low"
python3 - "$TMP/low" > "$TMP/lowered" <<'EOF'
import json, sys
run = sys.argv[1]
r = json.load(open(run + '/run.json'))
r['id'] = 'slower-guest'
r['started'] = '2099-01-01T00:00:00Z'
# the first point with two or more guests, all of them up
def whole(p):
    return p.get('reps') and all(rep.get('vms', {}).get('n', 0) >= 2 and all(g['status'] == 'ok' for g in rep['vms']['guests']) for rep in p['reps'])
m, p = next((m, p) for m in r['modes'] for p in m['points'] if whole(p))
for rep in p['reps']:
    g = {x['vm']: x for x in rep['vms']['guests']}
    for d in ('read', 'write'):
        f1, f2 = (f"{run}/{m['mode']}/{g[k]['file']}" for k in (1, 2))
        j1, j2 = json.load(open(f1)), json.load(open(f2))
        delta = j2['jobs'][0][d]['iops'] * 0.6
        j2['jobs'][0][d]['iops'] -= delta; j1['jobs'][0][d]['iops'] += delta
        g[2]['iops'][d] -= delta; g[1]['iops'][d] += delta
        json.dump(j1, open(f1, 'w')); json.dump(j2, open(f2, 'w'))
json.dump(r, open(run + '/run.json', 'w'), indent=1)
print(m['mode'], p['label'])
EOF
read -r LOWMODE LOWPOINT < "$TMP/lowered"
copy "$VMS" "$TMP/base"
vb compare "$TMP/base" "$TMP/low" --format json
cp "$TMP/out" "$TMP/cmp.json"
check "compare flags the slower guest: exit 1" [ "$rc" -eq 1 ]
check "compare: worst_guest_iops regressed at $LOWMODE $LOWPOINT, the aggregate IOPS unchanged" \
	jqe --arg m "$LOWMODE" --arg p "$LOWPOINT" '[.comparisons[] | select(.mode == $m and .point == $p)] as $c
		| ([$c[] | select(.metric == "worst_guest_iops") | .verdict] | length > 0 and all(. == "regressed"))
		and ([$c[] | select(.metric == "iops") | .verdict] | length > 0 and all(. == "unchanged"))' "$TMP/cmp.json"
check "compare: nothing else regressed" jqe '[.comparisons[] | select(.verdict == "regressed") | .metric] | unique == ["worst_guest_iops"]' "$TMP/cmp.json"
vb compare "$TMP/base" "$TMP/low" --metric iops
check "compare on the aggregate alone (--metric iops) misses it: exit 0" [ "$rc" -eq 0 ]
mkdir "$TMP/root"
mv "$TMP/base" "$TMP/low" "$TMP/root/"
vb gate "$TMP/root" slower-guest --format json
check "the gate flags the slower guest: exit 1, worst_guest_iops regressed" \
	sh -c "[ $rc -eq 1 ] && jq -e '[.tests[] | select(.verdict == \"regressed\") | .metric] | unique == [\"worst_guest_iops\"]' '$TMP/out' >/dev/null"

# ---- a --neighbour run ----------------------------------------------------
copy "$NB" "$TMP/nb"
vb report "$TMP/nb"
check "report of a --neighbour run exits 0" [ "$rc" -eq 0 ]
python3 "$TMP/figures.py" "$TMP/nb" > "$TMP/fig" 2>&1; frc=$?
cat "$TMP/fig"
check "the neighbour headline's busy/idle ratio is worked out again, its interval around it" \
	sh -c "[ $frc -eq 0 ] && grep -q '^checked neighbour pair' '$TMP/fig'"
check "summary.json has one neighbour row per mode" \
	jqe --argjson n "$(jq '[.modes[] | select(.status == "ok")] | length' "$NB/run.json")" '.neighbours | length == $n' "$TMP/nb/summary.json"
check "the headline opens the table: the measured guest's IOPS and p99 idle -> busy, busy/idle with its interval" \
	sh -c "sed -n 2p '$TMP/out' | grep -q '^neighbour headline' && sed -n 3p '$TMP/out' | grep -Eq 'IOPS [0-9]+ -> [0-9]+ x[0-9.]+ \\[[0-9.]+, [0-9.]+\\]; p99 .* -> .* x[0-9.]+'"
check "summary.md and report.html have the headline" sh -c "grep -q '^## Neighbour headline' '$TMP/nb/summary.md' && grep -q '<h2>Neighbour headline</h2>' '$TMP/nb/report.html'"
# a neighbour that failed leaves the busy half quieter than asked: said
copy "$NB" "$TMP/nbdead"
jq '(.modes[].points[] | select(.params.neighbour == "busy") | .reps[].vms.guests) |= map(if .role == "neighbour" then {vm, role, status: "failed", reason: "fio: out of memory"} else . end)' \
	"$NB/run.json" > "$TMP/nbdead/run.json"
vb report "$TMP/nbdead"
check "the headline says a neighbour failed" sh -c "[ $rc -eq 0 ] && sed -n 3p '$TMP/out' | grep -q 'guest failed: see the guests. table'"
finish
