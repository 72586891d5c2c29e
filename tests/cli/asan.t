#!/bin/sh
# The CLI tests again, against the ASan+UBSan build (make asan): any leak, overflow or
# undefined behaviour on those paths fails here.
. "$(dirname "$0")/../lib/tap.sh"
cd "$TOP" || exit 1
BUILD=${BUILD:-build}
ASAN_BIN=$TOP/$BUILD/asan/zombiecg
[ -x "$ASAN_BIN" ] || skip_all "no ASan build ($ASAN_BIN): run make asan"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for t in golden errors escape sysroot daemon columns; do
	out=$(ZCG=$ASAN_BIN sh "$(dirname "$0")/$t.t" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -E '^not ok|ERROR: (Address|Leak)Sanitizer|runtime error' | sed 's/^/# /'
	! printf '%s\n' "$out" | grep -qE 'Sanitizer|runtime error'
	ok $? "$t.t under ASan+UBSan: no sanitizer report"
	is "$rc" 0 "$t.t under ASan+UBSan passes"
done

# Each reading command on fixtures with zombies and on subtrees without any (a clean host,
# --no-bpf): the cgroupfs census has a code path of its own for "nothing found".
for args in "hybrid-v1 /" "hybrid-v1 /c" "v2 /" "v2 /user.slice" "v2-old /"; do
	set -- $args
	for cmd in status list explain; do
		for fmt in "" --json; do
			out=$("$ASAN_BIN" --sysroot "tests/fixtures/$1" --under "$2" --no-bpf $cmd $fmt 2>&1 >/dev/null)
			rc=$?
			printf '%s\n' "$out" | grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error' | sed 's/^/# /'
			is "$rc" 0 "$cmd $fmt on $1 under $2: exit 0, no sanitizer report"
		done
	done
done
# The daemon's census, ages and metrics with zombies and without (one --once step each).
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT
printf 'interval = 200ms\nlisten = off\nidle_priority = no\nhistory_file = off\ntextfile_dir = %s\n' "$TMP" > "$TMP/c.conf"
for under in / /user.slice; do
	out=$("$ASAN_BIN" --sysroot tests/fixtures/v2 --under "$under" daemon --config "$TMP/c.conf" --once 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error' | sed 's/^/# /'
	is "$rc" 0 "daemon --once under $under: exit 0, no sanitizer report"
done
done_testing
