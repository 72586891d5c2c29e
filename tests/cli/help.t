#!/bin/sh
# zombiecg help [COMMAND], COMMAND --help, the bash completion and the man page: every
# option a command takes (from its getopt table in src/) is described, offered and documented.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/complete.sh"
cd "$TOP" || exit 1
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT
COMMANDS="status list explain origins reap repro drain release-agent daemon history"

out=$("$ZCG" help)
is "$?" 0 "zombiecg help: exit 0"
for c in $COMMANDS help; do
	like "$out" "^  $c( |\$)" "zombiecg help lists $c"
done
"$ZCG" help frobnicate >/dev/null 2>&1
is "$?" 2 "help for an unknown command: exit 2"

# Options a command's getopt table accepts (the long names in src/CMD.c, or in the file of
# src/CMD/ that has the table (the daemon's loop.c), and in src/rows.c for the commands whose
# table is zcg_all_options, and the table options of src/columns.h where the table holds
# ZCG_TABLE_OPTIONS or is zcg_table_options).
options_of() {
	_src="src/$(printf '%s' "$1" | tr - _).c"
	[ -f "$_src" ] || _src=$(grep -l 'const struct option [a-z_]*\[\] = {' "${_src%.c}"/*.c)
	grep -q '\.options = zcg_all_options' "$_src" && _src="$_src src/rows.c"
	# shellcheck disable=SC2086
	awk '/const struct option [a-z_]*\[\] = \{/,/\{\},/' $_src |
		sed -n 's/^[[:space:]]*{ "\([a-z-]*\)".*/\1/p'
	# shellcheck disable=SC2086
	if grep -q '\.options = zcg_table_options' $_src ||
		awk '/const struct option [a-z_]*\[\] = \{/,/\{\},/' $_src | grep -q ZCG_TABLE_OPTIONS; then
		awk '/#define ZCG_TABLE_OPTIONS/,/[^\\]$/' src/columns.h |
			sed -n 's/^[[:space:]]*{ "\([a-z-]*\)".*/\1/p'
	fi
}

# bash completion, with bash-completion's helpers stubbed out (tests/lib/complete.sh)
complete_words() { complete_line zombiecg "$1" -; } # CMD: what it offers after "zombiecg CMD -"

for c in $COMMANDS; do
	h=$("$ZCG" help "$c")
	is "$?" 0 "help $c: exit 0"
	is "$("$ZCG" "$c" --help)" "$h" "$c --help says the same as help $c"
	like "$h" "^Root: " "help $c says whether root is needed"
	comp=$(complete_words "$c")
	for o in $(options_of "$c"); do
		like "$h" "^  (-[a-zA-Z], )?--$o( |\$)" "help $c describes --$o"
		printf '%s\n' "$comp" | grep -qx -- "--$o"
		ok $? "bash completion offers $c --$o"
	done
done
for o in $(options_of main); do
	like "$("$ZCG" --help)" "--$o" "--help describes the global --$o"
done
comp=$(complete_line zombiecg "")
for c in $COMMANDS; do
	printf '%s\n' "$comp" | grep -qx -- "$c"
	ok $? "bash completion offers the command $c"
done

# make install puts the completion where bash-completion looks for it.
make -s install DESTDIR="$TMP/d" PREFIX=/usr BUILD="${BUILD:-build}" >/dev/null 2>&1
cmp -s deploy/bash-completion/zombiecg "$TMP/d/usr/share/bash-completion/completions/zombiecg"
ok $? "make install: completion in \$(PREFIX)/share/bash-completion/completions/zombiecg"

# The man page renders without warnings and has an entry for every command and option.
if command -v groff >/dev/null 2>&1; then
	warn=$(groff -man -ww -z doc/zombiecg.8 2>&1)
	is "$warn" "" "groff -man -ww: no warnings"
	text=$(groff -man -Tutf8 -P-c -P-b -P-u doc/zombiecg.8 2>/dev/null)
	for c in $COMMANDS help; do
		# an entry: the command at the start of a tagged paragraph (7 spaces in)
		printf '%s\n' "$text" | grep -qE "^       $c( |\$)"
		ok $? "man page: an entry for $c"
	done
	for o in -h --help -V --version -J --json --sysroot --under --no-bpf; do
		printf '%s\n' "$text" | grep -qE "^       (.*, )?$o( |,|\$)"
		ok $? "man page: an entry for $o"
	done
	printf '%s\n' "$text" | grep -qE "^       release-agent install .*CGROUP"
	ok $? "man page: release-agent CGROUP"
	printf '%s\n' "$text" | grep -qE "^       NOTIFY_SOCKET"
	ok $? "man page: NOTIFY_SOCKET has its own entry (not merged into ZCG_DEBUG_BPF)"
	printf '%s\n' "$text" | grep -qE "^       daemon "
	ok $? "man page: daemon has its own entry (not merged into release-agent)"
else
	skip "groff not installed"
fi
# One unit for --max-rate.
! grep -n 'MB/s' doc/zombiecg.8 README.md src/*.c src/*/*.c
ok $? "--max-rate is MiB/s everywhere (no MB/s)"
done_testing
