#!/bin/sh
# zombiecg daemon under cgroup churn: a loop creates, uses and removes CHURN_RATE cgroups per
# second (10 on the host) for CHURN_SECONDS (60) in the test subtree. With a short grace
# period (250 ms) the daemon keeps the subtree's zombies below 20 in steady state (sampled
# every second after a warm-up, and at the end), keeps its own CPU time within its
# cpu_budget, and leaves the page cache of a live cgroup among the churned ones alone.
#
#   <memory root>/zombiecg-test.<pid>/              test subtree, the daemon's `under`
#       churn/                                      parent of everything below
#           live                                    live: its own file, and the second
#                                                   half of shared.dat
#           c0 .. c<N>                              one per churn cycle: a process writes
#                                                   CHURN_KIB (256 KiB) to its own file
#                                                   c<i>.dat and exits; rmdir: a zombie
#                                                   (c0 writes shared.dat's first half)
#
# Why the numbers: a zombie lives its grace period, then until the daemon first sees it and
# then finds it past grace (a census period each: the interval plus the census and the reap
# step themselves) and until its reap step ends. At rate R that is about R x (grace + 1.5
# periods) zombies on average. On the 6.18 host a census costs about 30 ms of CPU and a reap
# step of 3-8 zombies about 100 ms; with interval 250 ms the period was 0.45-0.7 s, and the
# mean 8-14 zombies over a run. A daemon that falls behind climbs 10 zombies a second
# (seen, with a budget its censuses alone used up: 225 after 40 s). Samples above 20 do
# happen when the daemon gets less of the 2 CPUs others share (seen at load average 3-4.5:
# from none up to 16 of 55 samples, at most 28), so the steady state is checked as: fewer
# than 20 on average, never 40 or more (3 s behind), and fewer than 20 at the end; how many
# samples were below 20 is reported (diag). A grace period of 2-3 s could not meet 20 at
# 10/s at all (10 x 2.5 = 25 before any census).
#
# CPU: the daemon charges every CPU nanosecond it spends (census, reap, HTTP) to a token
# bucket that fills at cpu_budget and starts empty, and reaps only while it has tokens. So
# over its whole life its CPU time is at most cpu_budget x lifetime plus what one step
# overshoots (a census is never skipped; a reap step stops at its limit at the next zombie).
# The bound checked is cpu_budget x 1.1 + 0.3 s over the lifetime, from /proc/PID/stat.
# The budget is 40% of one CPU because this pace costs about 26% here, most of it loading
# and verifying BPF programs afresh for every census and reap step. A smaller budget is
# honoured by reaping less, and the zombies then pile up past 20: that is the trade the
# budget exists for; this test shows both promises hold together when it covers the work.
#
# The churn's files are not synced: most zombies are still dirty when their grace period
# ends, and the daemon writes them back first (its I/O and CPU). With fsync in the churn the
# v2 guests kept about half of the zombies for good, held by their cgroup's writeback
# structures (kernel memory, not the reaper's).
#
# Filesystem metadata: a cgroup that creates a file first-touches the directory and inode
# table blocks it lands in (the block device's page cache, which no reaper can open on this
# host: /dev/vda, EPERM) and can then never die. The churn files are therefore created
# empty by the test itself before the churn, and each cycle only writes a file's data. A few
# zombies are still held that way (block allocation, it seems; seen: 0-5 of 600, left with
# no churn file's page): on the host they count against the bound all the same.
#
# Live cache: on the host strace (starting the daemon with a seccomp filter, so only fadvise64
# stops it; attached with -p it would stop at every system call, and slow every step) shows
# every range the daemon evicted: none of live's file, only shared.dat's first half.
# memory.stat is not used on this host: it pages out cold page cache by itself (see
# cg_host_reclaims). In the VM lab (ZCG_VM set) memory.stat of live is compared instead.
#
# The VM lab: under software emulation (TCG, no KVM here) one census costs the daemon about
# 1 s of CPU and a reap step more (35x the host), so no budget lets it keep up with 10/s, and
# the guests churn at 2/s with grace and interval 1 s and cpu_budget 80% (measured: 50-57%
# used, zombies mean 8-11, max 12-16, on 6.1 v1 and v2 and 6.12 v2). The loop itself
# manages 10/s even there; if a guest cannot keep the pace it was given, the rate reached is
# reported and the bound scaled to it. In the guests a zombie can also be held by what no
# reaper can free: filesystem metadata a fresh disk's cgroup touched first, or kernel memory
# only (the v2 guests: 8-9 of 120 stay, with no page cache; see daemon.t). There only zombies
# that still hold a page of a churn file count (explain), the ones the daemon must free, and
# the daemon's eviction is checked in bytes rather than in zombies freed; on the host every
# zombie counts.
#
# POSIX sh: also runs in the VM lab (cgroup v2 and v1, busybox).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/cg.sh"
. "$(dirname "$0")/../lib/daemon.sh"
cg_require_root
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed"
[ "$("$ZCG" status --json | jq -r .dying)" != null ] ||
	skip_all "the census cannot count dying memcgs in a subtree here: $("$ZCG" status --json | jq -r .source_note)"
cg_setup
loopback_up
trap 'daemon_kill_all; cg_teardown' EXIT

CHURN_SECONDS=${CHURN_SECONDS:-60}
CHURN_KIB=${CHURN_KIB:-256}
MAX_ZOMBIES=20
if [ -n "${ZCG_VM:-}" ]; then
	# software emulation: see the header
	CHURN_RATE=${CHURN_RATE:-2}
	GRACE_MS=1000
	INTERVAL_MS=1000
	BUDGET_PCT=80
else
	CHURN_RATE=${CHURN_RATE:-10}
	GRACE_MS=250
	INTERVAL_MS=250
	BUDGET_PCT=40
fi
P=$TESTCG/churn
STRACE_PID=""	# on the host: strace, the daemon's parent

# NOW: centiseconds since boot. No fork (the churn loop calls it for every cycle) and no
# date(1) (busybox's has no %N everywhere).
now_cs() {
	read -r _up _rest < /proc/uptime
	_cs=${_up#*.}
	NOW=$((${_up%.*} * 100 + ${_cs#0}))
}
# the daemon's CPU time and its age, in clock ticks (USER_HZ, 100 on Linux)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
age_ticks() {
	read -r _up _rest < /proc/uptime
	awk -v up="$_up" '{ sub(/^.*\) /, ""); print int(up * 100) - $20 }' "/proc/$1/stat"
}
cache_of() { # bytes of page cache charged to cgroup $1 (hierarchical)
	awk '$1=="total_cache"||$1=="file"{print $2; exit}' "$MEMROOT$1/memory.stat"
}
# Zombies below the test subtree that count: every one on the host; in the VM lab those still
# holding a page of a churn file (see the header).
churn_zombies() {
	"$ZCG" explain --json --under "$TESTCG" 2>/dev/null |
		jq '[.zombies[] | select([.pins[] | select(.path != null and (.path | test("/c[0-9]+\\.dat$|/shared\\.dat$")))] | length > 0)] | length'
}
if [ -n "${ZCG_VM:-}" ]; then
	zombies() { churn_zombies; }
else
	zombies() { "$ZCG" status --json --under "$TESTCG" 2>/dev/null | jq .dying; }
fi

mkdir "$MEMROOT$P" || exit 1
[ "$HIER" = v2 ] && echo +memory > "$MEMROOT$P/cgroup.subtree_control"

# c0 writes the first half of shared.dat, then the live cgroup the second half and its own
# (both files made here first: see the header on metadata).
: > "$TESTDIR/shared.dat"
: > "$TESTDIR/live.dat"
sync
mkdir "$MEMROOT$P/c0"
sh -c 'echo $$ > "$1/cgroup.procs"; dd if=/dev/urandom of="$2" bs=64k count=16 2>/dev/null' \
	sh "$MEMROOT$P/c0" "$TESTDIR/shared.dat"
rmdir "$MEMROOT$P/c0"
mkdir "$MEMROOT$P/live"
sh -c 'echo $$ > "$1/cgroup.procs"
	dd if=/dev/urandom of="$2" bs=64k seek=16 count=16 conv=notrunc 2>/dev/null
	dd if=/dev/urandom of="$3" bs=64k count=64 2>/dev/null' \
	sh "$MEMROOT$P/live" "$TESTDIR/shared.dat" "$TESTDIR/live.dat"
sync
sleep 2	# memory.stat is flushed every 2 s
live_before=$(cache_of "$P/live")
cmp_ge "$live_before" $((4 * 1048576)) "the live cgroup holds its 5 MiB of cache ($live_before)"

cat > "$TESTDIR/zombiecg.conf" <<EOF
under = $TESTCG
interval = ${INTERVAL_MS}ms
grace_period = ${GRACE_MS}ms
urgent_grace_period = 0
reap = yes
cpu_budget = ${BUDGET_PCT}%
listen = 127.0.0.1:0
history_file = off
idle_priority = no
log_level = debug
EOF
# The host: strace starts the daemon and stops it only at fadvise64 (seccomp filter), so
# tracing costs the daemon next to nothing; -y names each fd's file. strace's child is the
# daemon.
trace=""
via=env
if [ -z "${ZCG_VM:-}" ] && command -v strace >/dev/null 2>&1; then
	trace=$TESTDIR/fadvise.trace
	via="strace -f -y --seccomp-bpf -e trace=fadvise64 -o $trace --"
fi
daemon_start_via "$via" "$TESTDIR/log" daemon --config "$TESTDIR/zombiecg.conf"
ok $? "daemon started: grace ${GRACE_MS} ms, interval ${INTERVAL_MS} ms, cpu_budget ${BUDGET_PCT}%, port $DPORT"
if [ -n "$trace" ]; then
	STRACE_PID=$DPID
	read -r DPID _rest < "/proc/$STRACE_PID/task/$STRACE_PID/children"
	DAEMON_PIDS="$DAEMON_PIDS $DPID"
	[ -n "$DPID" ] && [ "$(awk '$1=="TracerPid:"{print $2}' "/proc/$DPID/status")" = "$STRACE_PID" ]
	ok $? "strace traces the daemon (pid $DPID)"
fi
is "$(metric zombiecg_cpu_budget_ratio)" "$(awk -v p=$BUDGET_PCT 'BEGIN { print p / 100 }')" "it reports its budget"

no_churn_zombies() { [ "$(churn_zombies)" = 0 ]; }
wait_until 30 no_churn_zombies
ok $? "the daemon freed c0's pages before the churn starts"

# The churn's files, empty, made here (see the header: metadata pins)
i=1
while [ $i -le $((CHURN_RATE * CHURN_SECONDS + 1)) ]; do
	: > "$TESTDIR/c$i.dat"
	i=$((i + 1))
done
sync

# The sampler: every second, the time and the zombie count, until the churn is over.
sampler() {
	while [ ! -e "$TESTDIR/churn.done" ]; do
		now_cs
		echo "$NOW $(zombies)" >> "$TESTDIR/samples"
		sleep 1
	done
}
sampler &
SAMPLER_PID=$!

# The churn: cycle i is due at i / CHURN_RATE seconds; a cycle never starts early.
now_cs
start=$NOW
end=$((start + CHURN_SECONDS * 100))
n=1
while :; do
	now_cs
	[ "$NOW" -ge "$end" ] && break
	due=$((start + (n - 1) * 100 / CHURN_RATE))
	if [ "$due" -gt "$NOW" ]; then
		w=$((due - NOW))
		sleep "$((w / 100)).$((w % 100 / 10))$((w % 10))"
		continue
	fi
	c=$MEMROOT$P/c$n
	mkdir "$c" &&
		sh -c 'echo $$ > "$1/cgroup.procs" && exec dd if=/dev/zero of="$2" bs=64k count=$3 conv=notrunc 2>/dev/null' \
			sh "$c" "$TESTDIR/c$n.dat" $((CHURN_KIB / 64)) &&
		rmdir "$c" || { diag "cycle $n failed"; break; }
	n=$((n + 1))
done
cycles=$((n - 1))
now_cs
elapsed=$((NOW - start))
: > "$TESTDIR/churn.done"
wait "$SAMPLER_PID"
rate_x10=$((cycles * 1000 / elapsed))
diag "churn: $cycles cycles in $((elapsed / 100)).$((elapsed % 100 / 10)) s: $((rate_x10 / 10)).$((rate_x10 % 10)) cgroups/s (target $CHURN_RATE/s)"
if [ "$rate_x10" -ge $((CHURN_RATE * 10 * 95 / 100)) ]; then
	ok 0 "the churn kept its pace ($((rate_x10 / 10)).$((rate_x10 % 10))/s)"
	bound=$MAX_ZOMBIES
elif [ -n "${ZCG_VM:-}" ]; then
	# A guest under software emulation cannot do 10/s: scale the bound to the rate reached
	# (at least 5, for the census and reap steps' own granularity).
	bound=$((MAX_ZOMBIES * rate_x10 / (CHURN_RATE * 10)))
	[ "$bound" -lt 5 ] && bound=5
	skip "the guest churned at $((rate_x10 / 10)).$((rate_x10 % 10))/s, not $CHURN_RATE/s: the zombie bound is scaled to $bound"
else
	ok 1 "the churn kept its pace ($((rate_x10 / 10)).$((rate_x10 % 10))/s)"
	bound=$MAX_ZOMBIES
fi

# Steady state: samples after the warm-up (grace, two intervals and a second for the reap).
warm=$((start + (GRACE_MS + 2 * INTERVAL_MS) / 10 + 100))
awk -v w="$warm" '$1 >= w && $2 != ""' "$TESTDIR/samples" > "$TESTDIR/steady"
n_samples=$(wc -l < "$TESTDIR/steady")
max=$(awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m }' "$TESTDIR/steady")
avg=$(awk '{ s += $2 } END { if (NR) printf "%.1f", s / NR }' "$TESTDIR/steady")
diag "zombies in steady state: max $max, mean $avg over $n_samples samples (bound $bound)"
cmp_ge "$n_samples" $((CHURN_SECONDS / 3)) "zombies sampled through the churn ($n_samples samples)"
below=$(awk -v b="$bound" '$2 < b' "$TESTDIR/steady" | wc -l)
dist=$(awk '{ print $2 }' "$TESTDIR/steady" | sort -n | uniq -c | awk '{ printf "%s%sx%s", sep, $2, $1; sep = " " }')
diag "samples (zombies x times): $dist; $below of $n_samples below $bound"
awk -v b="$bound" '{ s += $2 } END { exit !(NR && s / NR < b) }' "$TESTDIR/steady"
ok $? "steady state: fewer than $bound zombies in the subtree on average (mean $avg)"
cmp_ge "$((bound * 2 - 1))" "$max" "steady state: never $((bound * 2)) or more (max $max): the daemon keeps up"
last=$(zombies)
cmp_ge "$((bound - 1))" "$last" "at the end of the churn: fewer than $bound ($last)"
wait_until 60 no_churn_zombies
ok $? "then no zombie holds a page of a churn file any more"
reaped=$(metric zombiecg_reaped_total)
evicted=$(metric zombiecg_reap_evicted_bytes_total)
if cg_lru_reparented; then
	# the churn's page cache went to the parent at each offline: nothing left to evict
	skip "the daemon evicted the churn's page cache ($evicted bytes): $REPARENT_WHY"
else
	cmp_ge "${evicted%.*}" $((cycles * CHURN_KIB * 1024 / 10 * 9)) "the daemon evicted the churn's page cache ($evicted bytes)"
fi
if [ -n "${ZCG_VM:-}" ]; then
	# kernel-memory-only zombies (see the header) are not the reaper's to free
	diag "it freed $reaped of $cycles + 1 zombies"
else
	cmp_ge "$reaped" $((cycles * 8 / 10)) "the daemon freed most of the zombies ($reaped of $cycles + 1)"
fi
diag "zombies left that no churn file holds: $("$ZCG" status --json --under "$TESTCG" | jq .dying)"
diag "unreclaimable now: $(fetch "http://127.0.0.1:$DPORT/metrics" | grep '^zombiecg_unreclaimable_memcgs' | tr '\n' ' ')"

diag "daemon: $(metric zombiecg_scans_total) censuses, the last took $(metric zombiecg_scan_duration_seconds) s; reap steps used $(metric zombiecg_reap_cpu_seconds_total) s of CPU"
grep '^<4>' "$TESTDIR/log" | while read -r line; do diag "daemon log: $line"; done

# CPU over the daemon's life (see the header)
cpu=$(cpu_ticks "$DPID")
age=$(age_ticks "$DPID")
diag "daemon CPU: $cpu ticks in $age ticks of life: $((cpu * 1000 / age / 10)).$((cpu * 1000 / age % 10))% of one CPU (budget $BUDGET_PCT%)"
cmp_ge "$((age * BUDGET_PCT * 11 / 1000 + 30))" "$cpu" "daemon CPU within cpu_budget $BUDGET_PCT% (+10%, +0.3 s)"

# Live cache
if [ -n "$trace" ]; then
	# strace ends with the daemon, and exits with its status
	kill -TERM "$DPID"
	wait "$STRACE_PID"
	is "$?" 0 "SIGTERM: exit 0"
	cmp_ge "$(grep -c 'fadvise64(' "$trace")" "$((cycles * 9 / 10))" "strace saw the evictions ($(grep -c 'fadvise64(' "$trace") fadvise64 calls)"
	bad=$(grep -E 'fadvise64\([0-9]+<[^>]*/(live|shared)\.dat>' "$trace" |
		awk -F', ' '{ if ($1 ~ /live\.dat/ || $2 + $3 > 1048576 || $3 == 0) print }')
	is "$bad" "" "no fadvise64 range touches the live cgroup's pages (strace)"
fi
if [ -n "${ZCG_VM:-}" ]; then
	live_after=$(cache_of "$P/live")
	cmp_ge "$live_after" $((live_before * 99 / 100)) "the live cgroup kept at least 99% of its cache ($live_after of $live_before)"
fi
if [ -z "$trace" ]; then
	daemon_stop TERM
	is "$?" 0 "SIGTERM: exit 0"
fi
done_testing
