#!/bin/sh
# The daemon's side of the reap contract (src/daemon/reap.c), checked with a test-only binary
# whose reap step is tests/daemon/fake_reap.c: it frees nothing, records what it was asked
# and answers like a reaper. On the v2 fixture tree (4 zombies below /system.slice, 2
# below /), no root needed.
. "$(dirname "$0")/../lib/tap.sh"
. "$TOP/tests/lib/daemon.sh"
cd "$TOP" || exit 1
FAKE=$TOP/${BUILD:-build}/tests/zombiecg-fake-reap
[ -x "$FAKE" ] || skip_all "no $FAKE (make check builds it)"
ZCG=$FAKE
TMP=$(mktemp -d) || exit 1
trap 'daemon_kill_all; [ -n "$KEEP" ] || rm -rf "$TMP"' EXIT
FAKE_REAP_LOG=$TMP/reap.log
export FAKE_REAP_LOG

conf() {
	{
		echo "interval = 200ms"
		echo "listen = 127.0.0.1:0"
		echo "history_file = $TMP/history"
		echo "history_interval = 1s"
		echo "idle_priority = no"
		echo "grace_period = 2s"
		echo "urgent_grace_period = 0"
		echo "cpu_budget = ${BUDGET:-50%}"
		for line in "$@"; do echo "$line"; done
	} > "$TMP/c.conf"
}
steps() { if [ -f "$FAKE_REAP_LOG" ]; then grep -c "^step " "$FAKE_REAP_LOG"; else echo 0; fi; }
reaped_at_least() { [ "$(metric zombiecg_reaped_total)" -ge "$1" ] 2>/dev/null; }

conf
daemon_start "$TMP/log" --sysroot tests/fixtures/v2 daemon --config "$TMP/c.conf"
ok $? "daemon with the fake reaper started"
is "$(metric zombiecg_reap_available)" 1 "reap_available 1 with a reaper"
sleep 1
is "$(steps)" 0 "no reap step inside the grace period"
wait_until 10 reaped_at_least 8
ok $? "after the grace period each step reports what it freed"
first=$(grep -m1 '^step ' "$FAKE_REAP_LOG")
like "$first" '^step scope=/ budget_ns=[1-9][0-9]* targets=2 protected=1 tmpfs=off$' \
	"the step gets the scope, a positive CPU budget, protection on, tmpfs recharge off"
budget=$(printf '%s' "$first" | sed 's/.*budget_ns=\([0-9]*\).*/\1/')
[ "$budget" -le 300000000000 ]
ok $? "the budget is at most 10 minutes' worth at 50% ($budget ns)"
is "$(sed -n '2,3p' "$FAKE_REAP_LOG" | sort | tr '\n' '|')" \
	"target / id=0 old=2 old_bytes=-1 total=2|target /system.slice id=0 old=4 old_bytes=-1 total=4|" \
	"the targets are the parents past grace, with their old and total counts"
# one scrape, so the counters are from the same step
M=$(fetch "http://127.0.0.1:$DPORT/metrics")
m() { printf '%s\n' "$M" | awk -v m="$1" 'index($0, m " ") == 1 { print $NF }'; }
r=$(m zombiecg_reaped_total)
is "$((r % 4))" 0 "reaped_total grows by the step's count (4 per step here: $r)"
is "$(m zombiecg_reap_evicted_bytes_total)" $((r * 4096)) "evicted bytes are the steps' sum"
is "$(m zombiecg_reap_cpu_seconds_total | awk '{ printf "%.0f", $1 * 1000 }')" $((r / 4)) \
	"reap CPU seconds are the steps' reported CPU (1 ms each)"
is "$(metric 'zombiecg_unreclaimable_memcgs{reason="mapped"}')" 1 "unreclaimable by reason: mapped"
is "$(metric 'zombiecg_unreclaimable_memcgs{reason="shmem"}')" 0 "unreclaimable by reason: shmem 0"
like "$(fetch "http://127.0.0.1:$DPORT/healthz")" "; reaping$" "/healthz says it is reaping"

# Reload: the request follows the configuration.
conf "protected_reclaim = no" "tmpfs_recharge_target = /system.slice" "under = /system.slice"
kill -HUP "$DPID"
wait_until 10 grep -q '^step scope=/system.slice .* protected=0 tmpfs=/system.slice$' "$FAKE_REAP_LOG"
ok $? "after SIGHUP: new scope, protection off, tmpfs target resolved"
grep -q "^target /system.slice id=0 old=4" "$FAKE_REAP_LOG" &&
	! grep -A2 '^step scope=/system.slice' "$FAKE_REAP_LOG" | grep -q '^target / '
ok $? "a new scope starts its ages afresh and targets only what is inside it"

conf "reap = no"
kill -HUP "$DPID"
sleep 0.6
s=$(steps)
sleep 1
is "$(steps)" "$s" "reap = no: no more steps"
daemon_stop TERM
is "$?" 0 "clean stop"
reaped_hist=$("$ZCG" history --file "$TMP/history" --json | jq '[.periods[].reaped // 0] | add')
cmp_ge "$reaped_hist" 4 "history records what was reaped ($reaped_hist)"

# A failing step is counted and logged; what it freed before failing still counts.
conf
: > "$FAKE_REAP_LOG"
FAKE_REAP_MODE=fail
export FAKE_REAP_MODE
daemon_start "$TMP/log2" --sysroot tests/fixtures/v2 daemon --config "$TMP/c.conf"
errors_at_least() { [ "$(metric zombiecg_reap_errors_total)" -ge "$1" ] 2>/dev/null; }
wait_until 10 errors_at_least 2
ok $? "failed steps counted in zombiecg_reap_errors_total"
e=$(metric zombiecg_reap_errors_total)
cmp_ge "$(metric zombiecg_reaped_total)" "$e" "their partial results still count"
grep -q '^<3>reap: fake: failed on purpose after freeing 1$' "$TMP/log2"
ok $? "the failure is logged at err with the step's message"
daemon_stop TERM

# The budget gates the step: a census alone costs more than 0.001% of a CPU, so with that
# budget the step is never called, however old the zombies.
BUDGET=0.001%
conf
unset BUDGET
: > "$FAKE_REAP_LOG"
unset FAKE_REAP_MODE
daemon_start "$TMP/log3" --sysroot tests/fixtures/v2 daemon --config "$TMP/c.conf"
ok $? "daemon with cpu_budget = 0.001%"
elig() { [ "$(metric zombiecg_eligible_memcgs)" = 6 ]; }
wait_until 10 elig
ok $? "its zombies are past the grace period"
sleep 1
is "$(steps)" 0 "an exhausted CPU budget skips the reap step"
grep -q 'a census takes .* ms of CPU, more than cpu_budget allows per interval' "$TMP/log3"
ok $? "and the log says the census alone is over the budget"
daemon_stop TERM

# SIGTERM during a long step: cancelled() turns true and the daemon exits cleanly.
conf
: > "$FAKE_REAP_LOG"
FAKE_REAP_MODE=slow
export FAKE_REAP_MODE
daemon_start "$TMP/log4" --sysroot tests/fixtures/v2 daemon --config "$TMP/c.conf"
wait_until 10 grep -q '^step ' "$FAKE_REAP_LOG"
ok $? "a slow step is running"
t0=$(date +%s)
daemon_stop TERM
is "$?" 0 "SIGTERM during the step: exit 0"
cmp_ge 2 "$(( $(date +%s) - t0 ))" "within 2 s"
grep -qx cancelled "$FAKE_REAP_LOG"
ok $? "the step saw cancelled() and returned"
grep -E 'Sanitizer|runtime error' "$TMP"/log* | sed 's/^/# /'
done_testing
