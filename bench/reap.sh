#!/bin/sh
# reap against drop_caches: 500 zombies of 2 MiB page cache plus one live cgroup with 500 MiB
# of cache, each method from the same starting state. zombiecg reap runs here and in a cgroup
# v2 guest; echo 1 and echo 3 > drop_caches run only in the guest (on this shared host they
# would evict every other process's cache). Columns: zombies freed, live cache lost, CPU, wall.
set -u
cd "$(dirname "$0")/.." || exit 1
N=${BENCH_ZOMBIES:-500}
LIVE=${BENCH_LIVE_MB:-500}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
row() { # where, then the ROW line's fields
	printf '| %-22s | %-8s | %9s | %14s | %7s | %7s |\n' "$1" "$2" "$3" "$4" "$5" "$6"
}
echo "$N zombies x 2 MiB page cache + $LIVE MiB live cache"
printf '| %-22s | %-8s | %9s | %14s | %7s | %7s |\n' where method "freed %" "live lost (B)" "CPU s" "wall s"
echo "|------------------------|----------|-----------|----------------|---------|---------|"
BENCH_METHODS=reap BENCH_ZOMBIES=$N BENCH_LIVE_MB=$LIVE sh tests/bench/reap-bench.t > "$tmp" 2>&1
grep '^# ROW' "$tmp" | while read -r _ _ m f l c w _; do row "host $(uname -r | cut -c1-12) v1" "$m" "$f" "$l" "$c" "$w"; done
grep -q '^# ROW' "$tmp" || { echo "host run failed:"; cat "$tmp"; }
if command -v qemu-system-x86_64 >/dev/null; then
	ZCG_VM_TESTS=tests/bench/reap-bench.t ZCG_VM_KERNELS="${BENCH_KERNEL:-6.1 6.12}" ZCG_VM_HIERS=v2 ZCG_VM_MEM=2560M \
		ZCG_VM_DISK=2G ZCG_VM_TIMEOUT=1800 ZCG_VM_TEST_TIMEOUT=1700 ZCG_VM_PROVE=0 \
		BENCH_METHODS="reap drop1 drop3" tests/vm/run.sh > /dev/null 2>&1
	for f in build/vm/*-v2/reap-bench.tap; do
		k=$(basename "$(dirname "$f")" | cut -c1-14)
		grep '^# ROW' "$f" | while read -r _ _ m fr l c w _; do row "guest $k" "$m" "$fr" "$l" "$c" "$w"; done
	done
fi
