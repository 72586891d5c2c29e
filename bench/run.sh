#!/bin/sh
# make bench: runs every bench/<feature>.sh in turn (each prints its own report).
# BENCH=name runs only bench/name.sh.
cd "$(dirname "$0")/.." || exit 1
TOP=$(pwd)
ZCG=${ZCG:-$TOP/${BUILD:-build}/zombiecg}
export TOP ZCG
rc=0
for script in bench/*.sh; do
	name=$(basename "$script" .sh)
	[ "$name" = run ] && continue
	[ -n "${BENCH:-}" ] && [ "$name" != "$BENCH" ] && continue
	echo "== bench/$name.sh"
	sh "$script" || rc=1
done
exit $rc
