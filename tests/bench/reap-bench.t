#!/bin/sh
# The reap benchmark, run as a TAP producer so the VM lab can run it in a guest (the
# drop_caches baselines must never run on a shared host: they evict everyone's cache).
# From the same starting state each time: N zombies of 2 MiB of page cache each, plus one live
# cgroup with LIVE_MB of its own cache; then one method; then what is left. Prints one
# "# ROW method freed_pct live_lost_bytes cpu_s wall_s" line per method.
#   BENCH_METHODS  "reap drop1 drop3" (only reap outside the VM lab)
#   BENCH_ZOMBIES [500]  BENCH_LIVE_MB [500]
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/cg.sh"
cg_require_root
cg_setup
N=${BENCH_ZOMBIES:-500}
LIVE_MB=${BENCH_LIVE_MB:-500}
if [ -n "${ZCG_VM:-}" ]; then METHODS=${BENCH_METHODS:-reap drop1 drop3}; else METHODS=${BENCH_METHODS:-reap}; fi
if [ -z "${ZCG_VM:-}" ] && [ "$METHODS" != reap ]; then
	skip_all "drop_caches baselines run only in the VM lab (never on a shared host)"
fi

cache_of() { awk '$1=="total_cache"||$1=="file"{print $2; exit}' "$MEMROOT$1/memory.stat"; }
dying() { "$ZCG" list --json --under "$TESTCG" | jq '[.zombies[] | select(.path | test("zombiecg-repro"))] | length'; }
# CPU seconds (user + system) of the children this shell waited for, from /proc/self/stat.
child_cpu() { awk '{ printf "%.2f", ($16 + $17) / 100 }' /proc/$$/stat; }
now() { awk '{ print $1 }' /proc/uptime; }

for m in $METHODS; do
	mkdir "$MEMROOT$TESTCG/live"
	sh -c 'echo $$ > "$1/cgroup.procs"; dd if=/dev/zero of="$2" bs=1M count="$3" conv=fsync 2>/dev/null' \
		sh "$MEMROOT$TESTCG/live" "$TESTDIR/live.dat" "$LIVE_MB"
	"$ZCG" repro pagecache --count "$N" --size-mb 2 --under "$TESTCG" --dir "$TESTDIR" >/dev/null
	ok $? "$m: $N zombies of 2 MiB and $LIVE_MB MiB of live cache"
	sleep 3
	d0=$(dying)
	l0=$(cache_of "$TESTCG/live")
	c0=$(child_cpu)
	t0=$(now)
	case $m in
	reap)
		out=$("$ZCG" reap --json --max-cpu 100 --under "$TESTCG")
		cpu=$(printf '%s' "$out" | jq .cpu_seconds)
		;;
	drop1 | drop3)
		n=${m#drop}
		sh -c "echo $n > /proc/sys/vm/drop_caches"
		cpu=
		;;
	esac
	t1=$(now)
	[ -n "$cpu" ] || cpu=$(echo "$(child_cpu) $c0" | awk '{ printf "%.2f", $1 - $2 }')
	sleep 3
	d1=$(dying)
	l1=$(cache_of "$TESTCG/live")
	freed=$(echo "$d0 $d1" | awk '{ printf "%.1f", $1 ? 100 * ($1 - $2) / $1 : 0 }')
	lost=$((l0 > l1 ? l0 - l1 : 0))
	wall=$(echo "$t1 $t0" | awk '{ printf "%.2f", $1 - $2 }')
	echo "# ROW $m $freed $lost $cpu $wall $d0 $d1 $l0"
	ok 0 "$m: freed $freed% of $d0 zombies, live cache lost $lost bytes, $cpu s CPU, $wall s wall"
	"$ZCG" repro cleanup --under "$TESTCG" >/dev/null
	rm -f "$TESTDIR/live.dat"
	cg_reclaim "$TESTCG/live" >/dev/null
	rmdir "$MEMROOT$TESTCG/live"
done
done_testing
