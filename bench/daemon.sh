#!/bin/sh
# Idle cost of `zombiecg daemon`: 1,000 zombies present, all inside the grace period, the
# default configuration otherwise (60 s interval, idle priority), scraped like Prometheus
# would (every 15 s). Goals: under 0.1% of one CPU averaged, under 16 MiB RSS.
#
# Two phases: BENCH_SECONDS (default 180) at the default interval, measuring the daemon's
# CPU time (all threads, /proc/PID/task/*/schedstat, ns) and RSS; then 30 s at a 1 s
# interval to measure one census precisely, from which an hour at 60 s is extrapolated.
# Root. The zombies live in zombiecg-bench.<pid> under the memory root and are removed after.
set -u
TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
ZCG=${ZCG:-$TOP/build/zombiecg}
. "$TOP/tests/lib/daemon.sh"
SECONDS_A=${BENCH_SECONDS:-180}
SECONDS_B=30
ZOMBIES=${BENCH_ZOMBIES:-1000}

[ "$(id -u)" = 0 ] || { echo "bench/daemon.sh: needs root (it makes zombies)"; exit 1; }
MEMROOT=$("$ZCG" status --json --no-bpf | jq -r .memory_root) || exit 1
SUB=/zombiecg-bench.$$
TMP=$(mktemp -d) || exit 1
cleanup() {
	daemon_kill_all
	"$ZCG" repro cleanup --under "$SUB" >/dev/null 2>&1
	rmdir "$MEMROOT$SUB" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir "$MEMROOT$SUB" || exit 1
if [ "$("$ZCG" status --json --no-bpf | jq -r .hierarchy)" = v2 ]; then
	echo +memory > "$MEMROOT$SUB/cgroup.subtree_control"
fi

cpu_ns() { # all threads of $1
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%d\n", s }'
}
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' /proc/"$1"/status; }

t0=$(date +%s)
"$ZCG" repro pagecache --count "$ZOMBIES" --size-mb 0.01 --under "$SUB" --dir "$TMP" > /dev/null || exit 1
echo "made $ZOMBIES pagecache zombies below $SUB in $(( $(date +%s) - t0 )) s"

# Observe only: the host's other zombies are not ours to free, whatever the build can do.
cat > "$TMP/zombiecg.conf" <<CONF
listen = 127.0.0.1:0
grace_period = 1h
reap = no
history_file = $TMP/history
CONF

daemon_start "$TMP/log" daemon --config "$TMP/zombiecg.conf" || { cat "$TMP/log"; exit 1; }
sleep 1
dying=$(metric zombiecg_dying_memcgs)
source=$(fetch "http://127.0.0.1:$DPORT/metrics" | sed -n 's/^zombiecg_build_info{.*source="\([a-z]*\)".*/\1/p')
c0=$(cpu_ns "$DPID")
s0=$(metric zombiecg_scans_total)
elapsed=0
while [ $elapsed -lt "$SECONDS_A" ]; do
	sleep 15
	elapsed=$((elapsed + 15))
	fetch "http://127.0.0.1:$DPORT/metrics" > /dev/null
done
c1=$(cpu_ns "$DPID")
s1=$(metric zombiecg_scans_total)
rss_kb=$(status_kb "$DPID" VmRSS)
hwm_kb=$(status_kb "$DPID" VmHWM)
eligible=$(metric zombiecg_eligible_parents)
policy=$(awk '{print $41}' /proc/"$DPID"/stat)
daemon_stop TERM

# Phase B: a census a second, to weigh one census.
sed -i 's/^listen = .*/listen = 127.0.0.1:0\ninterval = 1s/' "$TMP/zombiecg.conf"
daemon_start "$TMP/log2" daemon --config "$TMP/zombiecg.conf" || exit 1
sleep 2
b0=$(cpu_ns "$DPID")
n0=$(metric zombiecg_scans_total)
sleep "$SECONDS_B"
b1=$(cpu_ns "$DPID")
n1=$(metric zombiecg_scans_total)
scan_s=$(metric zombiecg_scan_duration_seconds)
daemon_stop TERM

# Baseline, the same invocation: a census that loads its BPF program each time, as each of the
# daemon's did before the programs stayed loaded (a fresh `zombiecg list`, CPU of 20 runs in
# clock ticks from the shell's waited-for children).
TICKS=$(getconf CLK_TCK)
fresh_ticks=$(sh -c 'i=0; while [ $i -lt 20 ]; do "$1" list --json --under "$2" >/dev/null; i=$((i + 1)); done
	awk "{ print \$16 + \$17 }" /proc/$$/stat' sh "$ZCG" "$SUB")

awk -v a="$SECONDS_A" -v c0="$c0" -v c1="$c1" -v s="$((s1 - s0))" -v b0="$b0" -v b1="$b1" \
	-v n="$((n1 - n0))" -v rss="$rss_kb" -v hwm="$hwm_kb" -v dying="$dying" -v src="$source" \
	-v elig="$eligible" -v pol="$policy" -v scan="$scan_s" -v z="$ZOMBIES" \
	-v fresh="$fresh_ticks" -v hz="$TICKS" 'BEGIN {
	cpu_a = (c1 - c0) / 1e9
	pct_a = cpu_a / a * 100
	per_census = n > 0 ? (b1 - b0) / 1e9 / n : 0
	# an hour at 60 s: 60 censuses plus 240 scrapes, measured together in phase A
	hour_a = cpu_a / a * 3600
	hour_b = per_census * 60
	printf "host: %d dying memcgs seen (%d made here), source %s, scheduling policy %d (5 = SCHED_IDLE)\n", dying, z, src, pol
	printf "zombies past the grace period: %s parent(s) (0: all inside it)\n", elig
	printf "phase A, %d s at the default 60 s interval, scraped every 15 s:\n", a
	printf "  CPU %.4f s for %d census(es): %.3f s per hour = %.5f%% of one CPU (goal < 0.1%%)\n", cpu_a, s, hour_a, pct_a
	printf "  RSS %.1f MiB, peak %.1f MiB (goal < 16 MiB)\n", rss / 1024, hwm / 1024
	printf "phase B, %d s at a 1 s interval: %d censuses, %.2f ms CPU each (last census %.1f ms wall)\n", 30, n, per_census * 1000, scan * 1000
	printf "  extrapolated: 60 censuses an hour = %.3f s CPU per hour = %.5f%% of one CPU\n", hour_b, hour_b / 36
	fresh_census = fresh / hz / 20
	printf "baseline, a census loading its BPF program (fresh zombiecg list, 20 runs): %.2f ms CPU each, %.1fx the daemon census\n", fresh_census * 1000, (per_census > 0 ? fresh_census / per_census : 0)
	printf "RESULT cpu_percent=%.5f rss_mib=%.1f peak_rss_mib=%.1f census_ms=%.2f fresh_census_ms=%.2f goals=%s\n", pct_a, rss / 1024, hwm / 1024, per_census * 1000, fresh_census * 1000, (pct_a < 0.1 && hwm / 1024 < 16) ? "met" : "MISSED"
}'
