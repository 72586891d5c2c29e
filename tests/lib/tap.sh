# SPDX-License-Identifier: GPL-2.0
# TAP helpers for the shell tests (POSIX sh: they also run under busybox in the VM lab).
# Source it; then call ok/is/like, and done_testing at the end.

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
ZCG=${ZCG:-$TOP/build/zombiecg}
_tap_n=0
_tap_failed=0

# every line of a multi-line message gets its '# ' (TAP: a line without it is no diagnostic)
diag() { printf '%s\n' "$*" | sed 's/^/# /'; }

# ok COND_EXIT_STATUS DESCRIPTION: `ok $? "..."` or `cmd; ok $? "..."`; returns 1 when not ok
ok() {
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		printf 'ok %d - %s\n' "$_tap_n" "$2"
	else
		printf 'not ok %d - %s\n' "$_tap_n" "$2"
		_tap_failed=$((_tap_failed + 1))
		return 1
	fi
}

# is GOT WANT DESCRIPTION
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag "got:  '$1'"
		diag "want: '$2'"
	fi
}

# like GOT PATTERN DESCRIPTION (grep -E pattern)
like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag "got: '$1'"
		diag "does not match: '$2'"
	fi
}

# run EXIT PATTERN DESCRIPTION -- ARGS: zombiecg ARGS exits EXIT and prints (stdout and
# stderr) something matching PATTERN; leaves the output in $out and the status in $rc
run() { # expected-exit pattern description -- args
	want=$1 pattern=$2 desc=$3
	shift 4
	out=$("$ZCG" "$@" 2>&1)
	rc=$?
	is "$rc" "$want" "$desc: exit $want"
	like "$out" "$pattern" "$desc: message"
}

# cmp_ge GOT MIN DESCRIPTION (integers)
cmp_ge() {
	if [ "$1" -ge "$2" ] 2>/dev/null; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag "got $1, want at least $2"
	fi
}

# within GOT WANT PERCENT DESCRIPTION: |got - want| <= want * percent / 100
within() {
	_d=$(($1 - $2))
	[ "$_d" -lt 0 ] && _d=$((-_d))
	if [ "$_d" -le $(($2 * $3 / 100)) ]; then
		ok 0 "$4"
	else
		ok 1 "$4"
		diag "got $1, want $2 within $3%"
	fi
}

skip_all() {
	printf '1..0 # SKIP %s\n' "$*"
	exit 0
}

skip() {
	_tap_n=$((_tap_n + 1))
	printf 'ok %d # SKIP %s\n' "$_tap_n" "$*"
}

done_testing() {
	printf '1..%d\n' "$_tap_n"
	[ "$_tap_failed" -eq 0 ]
	exit $?
}
