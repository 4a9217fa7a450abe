#!/bin/bash
# The manual page and the bash completion are written from the command and
# option tables, like --help: every command, option and mode of --help is
# in the page (which groff renders without a warning), and the completion
# offers each command's options, the choices of an option, mode names in a
# comma list, and run folders.
. "${VB_SRCDIR:-.}/tests/lib.sh"
command -v groff >/dev/null || need "groff (apt-get install groff-base)"
MAN=$(dirname "$VB")/../vmio-bench.1
COMP=$(dirname "$VB")/../completion/vmio-bench

check "the build wrote the manual page, the same as 'vmio-bench --man'" sh -c "'$VB' --man | cmp -s - '$MAN'"
check "the build wrote the completion, the same as 'vmio-bench --bash-completion'" sh -c "'$VB' --bash-completion | cmp -s - '$COMP'"
groff -man -Tutf8 -ww -z "$MAN" 2>"$TMP/groff.err"
check "groff renders the page without a warning" [ ! -s "$TMP/groff.err" ]
groff -man -Tascii "$MAN" 2>/dev/null | col -bx > "$TMP/page.txt"
commands=$("$VB" --help | sed -n '/^commands:/,/^$/p' | awk 'NF && !/^commands:/ {print $1}')
check "vmio-bench --help lists commands" [ -n "$commands" ]
# The entries of command K's section, as the page renders them: "   K ..."
# opens it, the next command or heading closes it; an option's entry is a
# line "       --NAME" with the whole name (--mode is not --modes, and
# --mode in import's synopsis is no entry)
section() { awk -v k="$1" '/^   [a-z]/ || /^[A-Z]/ {on = ($1 == k && /^   /)} on' "$TMP/page.txt"; }
has_option() { section "$1" | grep -Eq -e "^       $2( |\$)"; }
for k in $commands; do
	check "the page has command $k" grep -Eq "^   $k( |$)" "$TMP/page.txt"
	"$VB" "$k" --help | grep -oE '^  --[a-z-]+' | sed 's/^  //' > "$TMP/help-$k"
	missing=$(while read -r o; do [ "$o" = --help ] || has_option "$k" "$o" || echo "$o"; done < "$TMP/help-$k")
	check "the page has an entry for every option of '$k --help' in $k's section ($(wc -l < "$TMP/help-$k"))${missing:+, missing: $(echo $missing)}" [ -s "$TMP/help-$k" -a -z "$missing" ]
done
modes=$("$VB" modes | awk 'NR > 1 {print $1}')
check "vmio-bench modes lists modes" [ -n "$modes" ]
for m in $modes; do
	check "the page has mode $m" sh -c "sed -n '/^MODES/,/^EXIT STATUS/p' '$TMP/page.txt' | grep -Eq '^       $m( |\$)'"
done
check "the page documents exit status 3 (gate: inconclusive)" sh -c "sed -n '/^EXIT STATUS/,/^FILES/p' '$TMP/page.txt' | tr -s ' ' | grep -q '^ 3 gate only: inconclusive'"

comp() { # WORD...: what completing the last word offers
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _vmio_bench; printf "%s\n" "${COMPREPLY[@]}"' \
		_ "$COMP" vmio-bench "$@" | sort
}
check "completion: the commands" [ "$(comp '' | grep -v '^--' | tr '\n' ' ')" = "$(echo $commands | tr ' ' '\n' | sort | tr '\n' ' ')" ]
for k in $commands; do
	check "completion: '$k --' offers exactly the options of '$k --help'" \
		[ "$(comp "$k" -- | tr '\n' ' ')" = "$(sort "$TMP/help-$k" | tr '\n' ' ')" ]
done
check "completion: --accel offers its choices" [ "$(comp run --accel '' | tr '\n' ' ')" = "auto kvm tcg " ]
check "completion: --modes completes a mode after a comma" [ "$(comp run --modes virtio-blk,nv)" = "virtio-blk,nvme" ]
mkdir -p "$TMP/root/run-a" "$TMP/root/not-a-run"
cp "$VB_SRCDIR/tests/fixtures/run-base/run.json" "$TMP/root/run-a/"
check "completion: gate's argument is a results root or a run folder, not any folder" \
	sh -c "[ \"\$(cd '$TMP' && bash -c '. \"\$0\"; COMP_WORDS=(vmio-bench gate root/); COMP_CWORD=2; _vmio_bench; printf \"%s\\n\" \"\${COMPREPLY[@]}\"' '$COMP')\" = root/run-a ]"
finish
