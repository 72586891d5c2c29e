#!/bin/sh
# run.sh NAME SECONDS: runs the libFuzzer target fuzz_NAME (make fuzz-build) for SECONDS on a
# working corpus seeded from tests/fuzz/corpus/NAME (the committed seeds are never written).
# Exit status: the fuzzer's (0: nothing found). A crash leaves its input in
# $BUILD/fuzz/artifacts/NAME-crash-*; the log is $BUILD/fuzz/NAME.log.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
name=$1 seconds=$2
bin=$BUILD/fuzz/fuzz/fuzz_$name
corpus=$BUILD/fuzz/corpus/$name
log=$BUILD/fuzz/$name.log
[ -x "$bin" ] || { echo "no $bin: run make fuzz-build"; exit 1; }
mkdir -p "$corpus" "$BUILD/fuzz/artifacts" || exit 1
cp tests/fuzz/corpus/"$name"/* "$corpus"/ || exit 1
echo "  FUZZ     $name for $seconds s"
# One job, low priority: the build host's two cores are shared.
nice -n 10 "$bin" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=1024 \
	-print_final_stats=1 -artifact_prefix="$BUILD/fuzz/artifacts/$name-" "$corpus" > "$log" 2>&1
rc=$?
grep -E '^stat::number_of_executed_units|^SUMMARY|^==[0-9]+==ERROR|Test unit written' "$log" | sed 's/^/    /'
exit $rc
