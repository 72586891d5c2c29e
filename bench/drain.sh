#!/bin/sh
# drain: (1) the latency drain adds over a plain rmdir for a cgroup with 100 MB of clean cache;
# (2) zombies left after 200 create/write/remove cycles (the seeds' reproducer loop) with a
# plain rmdir and with drain. Goal: zero with drain.
. "$(dirname "$0")/lib.sh"
command -v bc >/dev/null || { echo "bench drain: needs bc"; exit 1; }
bench_setup
ROUNDS=${DRAIN_ROUNDS:-5}

t_rmdir=0
t_drain=0
i=0
while [ $i -lt "$ROUNDS" ]; do
	mkdir "$BENCH_ROOT$BENCH_CG/plain$i" "$BENCH_ROOT$BENCH_CG/drained$i"
	fill "$BENCH_CG/plain$i" "$BENCH_DIR/plain$i" 100
	fill "$BENCH_CG/drained$i" "$BENCH_DIR/drained$i" 100
	a=$(now); rmdir "$BENCH_ROOT$BENCH_CG/plain$i"; b=$(now)
	t_rmdir=$(echo "$t_rmdir + $b - $a" | bc -l)
	a=$(now); "$ZCG" drain "$BENCH_CG/drained$i" >/dev/null; b=$(now)
	t_drain=$(echo "$t_drain + $b - $a" | bc -l)
	rm -f "$BENCH_DIR/plain$i" "$BENCH_DIR/drained$i"	# frees the plain rmdir's zombie
	i=$((i + 1))
done
printf '%-34s %12s %12s %10s\n' "100 MB clean cache, $ROUNDS rounds" "rmdir (s)" "drain (s)" "added (ms)"
printf '%-34s %12.4f %12.4f %10.1f\n' "mean per cgroup" "$(echo "$t_rmdir / $ROUNDS" | bc -l)" \
	"$(echo "$t_drain / $ROUNDS" | bc -l)" "$(echo "($t_drain - $t_rmdir) * 1000 / $ROUNDS" | bc -l)"

CYCLES=${DRAIN_CYCLES:-200}
cycle() { # mode: rmdir or drain
	i=0
	while [ $i -lt "$CYCLES" ]; do
		mkdir "$BENCH_ROOT$BENCH_CG/c$i"
		fill "$BENCH_CG/c$i" "$BENCH_DIR/$1.$i" 1
		if [ "$1" = drain ]; then "$ZCG" drain --timeout 5 "$BENCH_CG/c$i" >/dev/null; else rmdir "$BENCH_ROOT$BENCH_CG/c$i"; fi
		i=$((i + 1))
	done
}
# Zombies are counted below our own subtree where the kernel can tell (BPF, v2), else as the
# host-wide count's change, which other tenants' churn can blur.
count_below() {
	"$ZCG" status --json --under "$BENCH_CG" | jq -r '.dying // "null"'
}
printf '\n%-34s %12s %12s\n' "$CYCLES create/write/remove cycles" "rmdir" "drain"
d0=$(host_dying); cycle rmdir; sleep 1; d1=$(host_dying); below_rmdir=$(count_below)
rm -f "$BENCH_DIR"/rmdir.*
"$ZCG" drain --keep "$BENCH_CG" >/dev/null 2>&1
d2=$(host_dying); cycle drain; sleep 1; d3=$(host_dying); below_drain=$(count_below)
printf '%-34s %12s %12s\n' "zombies below the subtree" "$below_rmdir" "$below_drain"
printf '%-34s %12s %12s\n' "host-wide dying count change" "$((d1 - d0))" "$((d3 - d2))"
