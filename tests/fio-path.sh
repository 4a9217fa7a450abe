#!/bin/bash
# A --disk path reaches fio as itself or is refused with one line.  fio
# reads --filename as an option value: it splits it at ':' (several files),
# cuts it at ';' or '#', strips blanks, and substitutes ${VAR}, $ncpus,
# $pagesize and $mb_memory.  Host mode runs real fio for a few seconds on a
# file whose name has ':' and spaces: that file is written and nothing is
# made from the pieces of its name.
. "${VB_SRCDIR:-.}/tests/lib.sh"
command -v fio >/dev/null || need "fio (apt-get install fio)"
command -v jq >/dev/null || need "jq (apt-get install jq)"
virsh -c "$CONNECT" version >/dev/null 2>&1 || need "a running libvirtd at $CONNECT (start it: scripts/start-libvirtd)"

R=$TMP/results
quick=(--connect "$CONNECT" --modes host --runtime 2 --ramp 0 --reps 1 --results "$R")
D=$TMP/d
mkdir -p "$D" "$TMP/cwd"
chmod 755 "$D"
disk="$D/a:b c.raw"
truncate -s 64m "$disk"   # sparse: fio's writes show as allocated blocks
cd "$TMP/cwd"   # fio's working folder, where a piece of a cut name would land
vb run "${quick[@]}" --disk "$disk"
cd - >/dev/null
check "a path with ':' and spaces: run exits 0" [ "$rc" -eq 0 ]
check "... host measured ok" jqe '.modes[] | select(.mode == "host") | .status == "ok"' "$R/latest/run.json"
check "... fio was given the whole name, ':' escaped" \
	jqe --arg f "${disk//:/\\:}" '.jobs[0]["job options"].filename == $f' "$R/latest/host/rep-1.fio.json"
check "... fio wrote that file (it holds data now)" [ "$(stat -c %b "$disk")" -gt 0 ]
check "... and no file named after a piece of it (a, b c.raw)" \
	sh -c '[ -z "$(ls -A "$1/cwd")" ] && [ "$(ls -A "$2")" = "a:b c.raw" ]' _ "$TMP" "$D"

# A resumed run's folder is input: fio (root) opens its IOPS log by name,
# following a link, so a link planted at that name must be gone before fio
# runs; the file it pointed at stays as it was.
RUN=$(readlink -f "$R/latest")
jq '.state = "incomplete" | (.modes[] | select(.mode == "host")) |= (.status = "failed" | .points = [])' \
	"$RUN/run.json" > "$TMP/run.t" && mv "$TMP/run.t" "$RUN/run.json"
echo precious > "$TMP/outside"
ln -s "$TMP/outside" "$RUN/host/.host-log_iops.log"
vb run --resume "$RUN"
check "resume with a link planted at fio's IOPS log name: exit 0, host measured again" \
	sh -c "[ $rc -eq 0 ] && jq -e '.modes[] | select(.mode == \"host\") | .status == \"ok\"' '$RUN/run.json' >/dev/null"
check "... the file the link pointed at is untouched" sh -c '[ "$(cat "$1")" = precious ]' _ "$TMP/outside"

# Refused before anything runs, even when the file exists as named.
refused() {
	local what=$1 path=$2
	truncate -s 8m "$path"   # a disk run would take, but for its name
	vb run "${quick[@]}" --disk "$path" --results "$TMP/r-refused"
	one_line_refusal "$what refused" "option --disk: '$path' holds '$3'"
	check "... nothing made for it (no results folder)" test ! -e "$TMP/r-refused"
}
refused '${HOME} (an environment variable to fio)' "$D/\${HOME}.raw" '${'
refused '$ncpus (a fio keyword)' "$D/\$ncpus.raw" '$ncpus'
refused '$pagesize (a fio keyword)' "$D/x\$pagesize" '$pagesize'
refused '$mb_memory (a fio keyword)' "$D/\$mb_memory" '$mb_memory'
refused "';' (fio cuts the value there)" "$D/a;b.raw" ';'
refused "'#' (fio cuts the value there)" "$D/a#b.raw" '#'
vb run "${quick[@]}" --disk "$disk " --results "$TMP/r-refused"
check "a trailing blank (fio strips it) is refused with one line" \
	sh -c '[ "$1" -eq 2 ] && [ "$(grep -c . "$2")" -eq 1 ] && grep -q "ends with a blank" "$2"' _ "$rc" "$TMP/err"
vb run --connect "$CONNECT" --modes host --runtime 2 --ramp 0 --reps 1 --disk "$disk" --results "$TMP/r\$ncpus"
check "a --results folder with \$ncpus (fio writes its IOPS log there) is refused with one line" \
	sh -c '[ "$1" -eq 2 ] && [ "$(grep -c . "$2")" -eq 1 ] && grep -qF "option --results: " "$2" && [ ! -e "$3" ]' _ "$rc" "$TMP/err" "$TMP/r\$ncpus"
finish
