#!/bin/sh
# The CLI tests again, against the ASan+UBSan build (make asan): any leak, overflow or
# undefined behaviour on those paths fails here.
. "$(dirname "$0")/../lib/tap.sh"
BUILD=${BUILD:-build}
ASAN_BIN=$TOP/$BUILD/asan/zombiecg
[ -x "$ASAN_BIN" ] || skip_all "no ASan build ($ASAN_BIN): run make asan"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for t in golden errors daemon; do
	out=$(ZCG=$ASAN_BIN sh "$(dirname "$0")/$t.t" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -E '^not ok|ERROR: (Address|Leak)Sanitizer|runtime error' | sed 's/^/# /'
	! printf '%s\n' "$out" | grep -qE 'Sanitizer|runtime error'
	ok $? "$t.t under ASan+UBSan: no sanitizer report"
	is "$rc" 0 "$t.t under ASan+UBSan passes"
done
done_testing
