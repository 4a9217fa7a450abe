#!/bin/bash
# report.html in a real browser: Debian's Chromium, headless, driven over
# the WebDriver protocol by chromedriver (plain HTTP and JSON, so curl and
# jq are the whole client).  The page must load, every chart must be drawn
# and on screen (a box of its own, visible, with drawing inside), and the
# browser's console must hold no error.  The checker is itself checked: a
# page with a script error and a page with an empty chart must fail it.
. "${VB_SRCDIR:-.}/tests/lib.sh"
command -v jq >/dev/null || need "jq (apt-get install jq)"
command -v curl >/dev/null || need "curl (apt-get install curl)"
CHROMIUM=$(command -v chromium || true)
DRIVER=$(command -v chromedriver || true)
[ -n "$CHROMIUM" ] && [ -n "$DRIVER" ] || need "Chromium and chromedriver (apt-get install chromium chromium-driver)"

FIX=$VB_SRCDIR/tests/fixtures/run-base
cp -r "$FIX" "$TMP/run"
chmod -R u+w "$TMP/run"
vb report "$TMP/run"
check "report exits 0" [ "$rc" -eq 0 ]
H=$TMP/run/report.html
nsvg=$(ls "$TMP/run/plots/"*.svg | wc -l)
check "the run has charts to show ($nsvg)" [ "$nsvg" -ge 5 ]

# ---- chromedriver on a free loopback port, stopped on exit -----------------
port=$(( 20000 + RANDOM % 20000 ))
"$DRIVER" --port="$port" --allowed-ips=127.0.0.1 >"$TMP/driver.log" 2>&1 9>&- &
driver_pid=$!
trap 'curl -s -X DELETE "$WD/session/$sid" >/dev/null 2>&1; kill $driver_pid 2>/dev/null; wait $driver_pid 2>/dev/null; [ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"' EXIT
WD=http://127.0.0.1:$port
for _ in $(seq 1 100); do
	curl -sf "$WD/status" 2>/dev/null | jq -e '.value.ready' >/dev/null && break
	sleep 0.1
done
check "chromedriver answers" sh -c "curl -sf '$WD/status' | jq -e .value.ready >/dev/null"

wd() { # METHOD PATH [JSON]: the reply's .value
	curl -s --max-time 60 -X "$1" -H 'Content-Type: application/json' ${3:+--data "$3"} "$WD$2" | jq -c .value
}
caps=$(jq -nc --arg bin "$CHROMIUM" '{capabilities: {alwaysMatch: {browserName: "chrome",
	"goog:chromeOptions": {binary: $bin, args: ["--headless=new", "--no-sandbox", "--disable-gpu",
		"--disable-dev-shm-usage", "--window-size=1400,1000", "--no-first-run"]},
	"goog:loggingPrefs": {browser: "ALL"}}}}')
sid=$(wd POST /session "$caps" | jq -r '.sessionId // empty')
check "a headless Chromium session starts" [ -n "$sid" ]

# What a page shows: its title, each chart's box and visibility and how
# much it draws, and the console's errors.
CHARTS='return {title: document.title,
	charts: Array.from(document.querySelectorAll("figure svg, svg")).filter((s, i, a) => a.indexOf(s) === i).map(s => {
		const r = s.getBoundingClientRect(), cs = getComputedStyle(s);
		return {w: r.width, h: r.height, shown: cs.display !== "none" && cs.visibility === "visible" && cs.opacity !== "0",
		        drawn: s.querySelectorAll("path, polyline, polygon, rect, line, circle, text").length};
	})};'
look() { # FILE: writes $TMP/page.json and $TMP/console.json
	wd POST "/session/$sid/url" "$(jq -nc --arg u "file://$1" '{url: $u}')" >/dev/null
	wd POST "/session/$sid/execute/sync" "$(jq -nc --arg s "$CHARTS" '{script: $s, args: []}')" >"$TMP/page.json"
	wd POST "/session/$sid/se/log" '{"type": "browser"}' | jq -c '[.[] | select(.level == "SEVERE")]' >"$TMP/console.json"
}
# A page passes when it has n charts, each with a box, visible, drawn.
charts_ok() { # N
	jq -e --argjson n "$1" '(.charts | length) == $n and all(.charts[]; .w > 100 and .h > 100 and .shown and .drawn > 10)' \
		"$TMP/page.json" >/dev/null
}
console_clean() { jq -e 'length == 0' "$TMP/console.json" >/dev/null; }

look "$H"
echo "# page: $(cat "$TMP/page.json" | cut -c1-600)"
echo "# console errors: $(cat "$TMP/console.json" | cut -c1-600)"
check "report.html renders (its title is the run's)" jqe '.title | startswith("vmio-bench run ")' "$TMP/page.json"
check "every chart of the run is on the page, visible, with a box of its own and drawing in it" charts_ok "$nsvg"
check "the console holds no error" console_clean
wd GET "/session/$sid/screenshot" | jq -r . | base64 -d >"$TMP/shot.png" 2>/dev/null
check "the page can be photographed (a PNG)" sh -c "head -c 8 '$TMP/shot.png' | od -An -c | grep -q 'P   N   G'"
[ -n "${VB_KEEP_SCREENSHOT:-}" ] && cp "$TMP/shot.png" "$VB_KEEP_SCREENSHOT"

# ---- the checker fails broken pages ---------------------------------------
sed 's|</body>|<script>window.noSuchFunction();</script></body>|' "$H" >"$TMP/run/broken-script.html"
look "$TMP/run/broken-script.html"
check "a page with a script error is caught by the console check" jq_false 'length == 0' "$TMP/console.json"
# the first chart's drawing taken out: the page still loads, one chart is empty
awk 'BEGIN{s=0} /<svg/ && !s {print; s=1; skip=1; next} skip && /<\/svg>/ {skip=0} !skip' "$H" >"$TMP/run/empty-chart.html"
look "$TMP/run/empty-chart.html"
check "a page with an empty chart is caught by the chart check" \
	jq_false --argjson n "$nsvg" '(.charts | length) == $n and all(.charts[]; .w > 100 and .h > 100 and .shown and .drawn > 10)' "$TMP/page.json"
sed 's|<svg |<svg style="display:none" |' "$H" >"$TMP/run/hidden-chart.html"
look "$TMP/run/hidden-chart.html"
check "a page with a hidden chart is caught by the chart check" jq_false --argjson n "$nsvg" '(.charts | length) == $n and all(.charts[]; .shown)' "$TMP/page.json"
finish
