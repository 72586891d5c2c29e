#!/bin/sh
# The daemon's grace period counts from a zombie's recorded removal (cgroup_rmdir
# tracepoint), not from when it first saw it: a daemon that starts after a zombie died more
# than a grace period ago may reap it in its first step; one removed just now waits.
#
#   <memory root>/zombiecg-test.<pid>/old    removed OLD s before new
#   <memory root>/zombiecg-test.<pid>/new    removed just before the one-step daemons run
#
# A first daemon (grace 1 h, reap = no) records both removals in its run directory's
# removals file; then `daemon --once` (one census and one reap step, grace GRACE s):
#   - with an empty run directory (first-seen ages): reaps neither;
#   - with the records: reaps old, keeps new. GRACE is what new's age will be when the step
#     looks, plus MARGIN for the step itself (seconds under TCG): old is OLD s older than
#     new, OLD > MARGIN, so it is past GRACE and new is not, however slow the machine.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/cg.sh"
. "$(dirname "$0")/../lib/daemon.sh"
cg_require_root
# held by their own page cache, which this kernel moves to the parent at offline
cg_lru_reparented && skip_all "zombies pinned by page cache: $REPARENT_WHY"
cg_setup
loopback_up
trap 'daemon_kill_all; cg_teardown' EXIT
MARGIN=15
OLD=$((MARGIN + 5))
RMDIR_AS=$TOP/${BUILD:-build}/tests/helpers/rmdir_as

conf() {
	{
		echo "under = $TESTCG"
		echo "interval = 300ms"
		echo "listen = 127.0.0.1:0"
		echo "history_file = off"
		echo "textfile_dir = $TESTDIR"
		echo "idle_priority = no"
		echo "cpu_budget = 100%"
		for line in "$@"; do echo "$line"; done
	} > "$TESTDIR/zombiecg.conf"
}

export ZCG_RUN_DIR=$TESTDIR/run
conf "grace_period = 1h" "reap = no"
daemon_start "$TESTDIR/log" daemon --config "$TESTDIR/zombiecg.conf"
ok $? "recording daemon started"
wait_until 60 [ -s "$ZCG_RUN_DIR/removals" ]
ok $? "it wrote its removals file"
if [ "$(head -n 1 "$ZCG_RUN_DIR/removals" | cut -f 1 | cut -d ' ' -f 3)" != tracepoint ]; then
	diag "$(head -n 1 "$ZCG_RUN_DIR/removals")"
	skip "removals are not recorded here (no cgroup_rmdir tracepoint): ages are first-seen"
	done_testing
fi

# zombie NAME COMM: NAME below the test subtree, holding 1 MiB of page cache, removed by COMM
zombie() {
	mkdir "$MEMROOT$TESTCG/$1" && cg_write "$TESTCG/$1" "$TESTDIR/$1.data" 1024 &&
		"$RMDIR_AS" "$2" "$MEMROOT$TESTCG/$1" >/dev/null
	ok $? "zombie $1, removed by $2"
}
# recorded COMM: the removals file holds the removal by COMM, seen dying
recorded() { awk -F '\t' -v c="$1" '$6 == c && $5 ~ /z/' "$ZCG_RUN_DIR/removals" | grep -q .; }
# zid NAME: the cgroup id of zombie NAME, empty if it is gone
zid() { "$ZCG" list --under "$TESTCG" --json | jq -r --arg p "$TESTCG/$1" '.zombies[] | select(.path == $p) | .id'; }

zombie old zcg-rm-old
t_old=$(date +%s)
wait_until 30 recorded zcg-rm-old
ok $? "the daemon recorded old's removal"
sleep "$OLD"
zombie new zcg-rm-new
t_new=$(date +%s)
wait_until 30 recorded zcg-rm-new
ok $? "the daemon recorded new's removal"
daemon_stop
ok $? "recording daemon stopped"
old_id=$(zid old) new_id=$(zid new)
if [ -z "$old_id" ] || [ -z "$new_id" ]; then
	# (the host's own reclaim may take a zombie's page cache, and the zombie with it)
	skip "a zombie went by itself before the test could reap it (old '$old_id', new '$new_id')"
	done_testing
fi

# One step with first-seen ages: nothing is past a grace period that starts now.
conf "grace_period = ${MARGIN}s" "urgent_grace_period = 0" "reap = yes" "log_level = debug"
ZCG_RUN_DIR=$TESTDIR/run-empty "$ZCG" daemon --once --config "$TESTDIR/zombiecg.conf" 2> "$TESTDIR/log-first-seen"
ok $? "daemon --once without removal records"
like "$(head -n 1 "$TESTDIR/run-empty/removals")" "first-seen" "its removals file says ages are first-seen"
is "$(grep '^zombiecg_reaped_total ' "$TESTDIR/zombiecg.prom" | cut -d ' ' -f 2)" 0 "first-seen: nothing reaped in the first step"
is "$(zid old)" "$old_id" "first-seen: old is still there"

# One step with the records: old died more than GRACE s ago and goes, new waits.
now=$(date +%s)
age=$((now - t_old))
GRACE=$((now - t_new + MARGIN))
conf "grace_period = ${GRACE}s" "urgent_grace_period = 0" "reap = yes" "log_level = debug"
"$ZCG" daemon --once --config "$TESTDIR/zombiecg.conf" 2> "$TESTDIR/log-once"
ok $? "daemon --once with the removal records (old removed $age s ago, grace $GRACE s)"
like "$(cat "$TESTDIR/log-once")" "removal records kept from the last run" "it reloaded the records"
is "$(grep '^zombiecg_eligible_memcgs ' "$TESTDIR/zombiecg.prom" | cut -d ' ' -f 2)" 1 \
	"one zombie past the grace period in the first step: old"
reaped=$(grep '^zombiecg_reaped_total ' "$TESTDIR/zombiecg.prom" | cut -d ' ' -f 2)
evicted=$(grep '^zombiecg_reap_evicted_bytes_total ' "$TESTDIR/zombiecg.prom" | cut -d ' ' -f 2)
ok "$([ "$reaped" -ge 1 ] || [ "$evicted" -ge 1 ]; echo $?)" \
	"the first step acted on it (reaped $reaped, evicted $evicted bytes)"
[ "$reaped" -ge 1 ] || diag "$(grep 'reap:' "$TESTDIR/log-once")"
old_gone() { [ -z "$(zid old)" ]; }
if wait_until 10 old_gone; then
	ok 0 "old is gone"
else
	# its writes may have first-touched filesystem metadata (a fresh disk: CI's)
	cg_metadata_only "$old_id"
	ok $? "old is gone, or held by filesystem metadata only (doc/kernel.md K14)"
fi
is "$(zid new)" "$new_id" "new, removed just now, is still there"
done_testing
