#!/bin/sh
# Names the kernel hands over are bytes: a cgroup named with an ESC sequence, a newline and
# bytes that are not UTF-8 must reach neither the terminal raw (human output escapes them as
# \xHH) nor JSON as invalid UTF-8 (RFC 8259; such bytes become U+FFFD).
. "$(dirname "$0")/../lib/tap.sh"
cd "$TOP" || exit 1
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT
# The v2 fixture with /system.slice renamed to a hostile name (it holds 4 zombies).
cp -a tests/fixtures/v2 "$TMP/root"
evil=$(printf 'ev\033[31mil\nna\377me')
mv "$TMP/root/sys/fs/cgroup/system.slice" "$TMP/root/sys/fs/cgroup/$evil"
R="--sysroot $TMP/root"

has_raw() { # does stdin hold ESC, a raw 0xff, or a line that starts with the name's tail?
	LC_ALL=C grep -q "$(printf '\033')\|$(printf '\377')\|^na" -
}
valid_utf8() { iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1; }

for cmd in status list explain; do
	out=$("$ZCG" $R $cmd 2>&1)
	is "$?" 0 "$cmd on a tree with a hostile cgroup name: exit 0"
	! printf '%s\n' "$out" | has_raw
	ok $? "$cmd: no raw ESC, newline or invalid byte from the name"
	like "$out" 'ev\\x1b\[31mil\\x0ana\\xffme' "$cmd: the name escaped as \\xHH"

	"$ZCG" $R $cmd --json > "$TMP/out.json"
	is "$?" 0 "$cmd --json: exit 0"
	valid_utf8 < "$TMP/out.json"
	ok $? "$cmd --json: valid UTF-8"
	jq -e . "$TMP/out.json" >/dev/null 2>&1
	ok $? "$cmd --json: parses"
	grep -q 'ev\\u001b\[31mil\\nna\\ufffdme' "$TMP/out.json"
	ok $? "$cmd --json: control bytes as \\u escapes, the invalid byte as U+FFFD"
done

# Errors name paths too.
out=$("$ZCG" $R status --under "/$(printf 'x\033]0;pwned\007')" 2>&1)
! printf '%s\n' "$out" | LC_ALL=C grep -q "$(printf '\033')"
ok $? "error message: the path given is escaped"
out=$("$ZCG" $R --json status --under "/$(printf 'x\377')" 2>/dev/null)
printf '%s\n' "$out" | valid_utf8
ok $? "JSON error message: valid UTF-8"
done_testing
