#!/bin/sh
# make bench: every bench/*.sh in turn. Each compares zombiecg with a baseline measured in the
# same run (these machines are noisy: ratios, not absolute times) and prints a table.
# BENCH=name (or BENCH_ONLY=name) runs one of them.
set -u
cd "$(dirname "$0")/.." || exit 1
export TOP=$(pwd) ZCG=$(pwd)/build/zombiecg
[ "$(id -u)" = 0 ] || { echo "bench: needs root (it makes and frees zombies)"; exit 1; }
status=0
for b in bench/*.sh; do
	name=$(basename "$b" .sh)
	[ "$name" = run ] && continue
	only=${BENCH_ONLY:-${BENCH:-}}
	[ -n "$only" ] && [ "$only" != "$name" ] && continue
	echo "== $name"
	sh "$b" || status=1
	echo
done
exit $status
