#!/bin/sh
# Each libFuzzer target (tests/fuzz/fuzz_*.c, built by make fuzz-build) for a bounded time,
# ZCG_FUZZ_SECONDS each (15 by default; `make fuzz` runs them longer). A crash, leak, hang or
# sanitizer report fails the test and leaves the input in $BUILD/fuzz/artifacts/.
. "$(dirname "$0")/../lib/tap.sh"
cd "$TOP" || exit 1
BUILD=${BUILD:-build}
seconds=${ZCG_FUZZ_SECONDS:-15}
ls "$BUILD"/fuzz/fuzz/fuzz_* >/dev/null 2>&1 || skip_all "no fuzz targets in $BUILD/fuzz/fuzz: run make fuzz-build"
for src in tests/fuzz/fuzz_*.c; do
	name=${src#tests/fuzz/fuzz_}
	name=${name%.c}
	[ -d "tests/fuzz/corpus/$name" ] && [ -n "$(ls "tests/fuzz/corpus/$name")" ]
	ok $? "$name: a committed seed corpus"
	out=$(BUILD=$BUILD ./tests/fuzz/run.sh "$name" "$seconds" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/# /'
	is "$rc" 0 "fuzz_$name for $seconds s: no crash, leak or sanitizer report"
done
done_testing
