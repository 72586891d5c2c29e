#!/bin/sh
# SIGTERM while `zombiecg daemon` is in the middle of a protected reclaim (cgroup v2): the
# daemon exits 0 promptly, every live cgroup's memory.min is back at what it was (one of them
# had a non-zero value of its own), and the journal of the raised values is gone.
#
#   <memory root>/zombiecg-test.<pid>/              test subtree, the daemon's `under`
#       zombiecg-repro.<n>/                         P: the reclaim's root
#           z0, z1                                  removed: 2 MiB each, mapped by holder
#           holder                                  live: the process mapping z0's and z1's
#                                                   files (so they need protected reclaim)
#           keep                                    live, memory.min = 1M of its own, 1 MiB
#                                                   of cache
#
# The window: lib/protect.c pauses while memory.min is raised when ZCG_TEST_PAUSE_PROTECTED
# is set (60 s here); a pending SIGTERM ends the pause (the daemon blocks the signal and reads
# it from a signalfd, so the pause cannot be a plain sleep), the reclaim completes, the
# values are restored, and the loop sees the signal. "Promptly" is 30 s, half the pause:
# a daemon that waited the pause out, or went on to another step, fails. The daemon's
# journal goes to a run directory of the test's own (ZCG_RUN_DIR), where no other zombiecg
# on the machine restores it behind the test's back.
#
# Protected reclaim needs cgroup v2 (memory.min, memory.reclaim): this runs in the VM lab's
# v2 guests and skips elsewhere. POSIX sh (busybox).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/cg.sh"
. "$(dirname "$0")/../lib/daemon.sh"
cg_require_root
[ "$HIER" = v2 ] || skip_all "protected reclaim needs cgroup v2 (memory.min, memory.reclaim); this is $HIER"
"$ZCG" list --json 2>/dev/null | jq -e '.source == "bpf"' >/dev/null ||
	skip_all "the reaper needs the BPF census here: $("$ZCG" list --json | jq -r .source_note)"
# The protected reclaim is for zombies whose mapped page cache a live process holds.
cg_lru_reparented && skip_all "zombies pinned by mapped page cache: $REPARENT_WHY"
cg_setup
loopback_up
trap 'daemon_kill_all; cg_teardown' EXIT
RUN=$TESTDIR/run
JOURNAL=$RUN/memory-min.journal

out=$("$ZCG" repro mapped --count 2 --size-mb 2 --under "$TESTCG" --dir "$TESTDIR" --json)
ok $? "2 zombies whose pages a live holder maps"
P=$(printf '%s' "$out" | jq -r .subtree)
[ -e "$MEMROOT$P/memory.reclaim" ] || { skip "no memory.reclaim (kernel before 5.19)"; done_testing; }
mkdir "$MEMROOT$P/keep"
echo 1M > "$MEMROOT$P/keep/memory.min"
cg_write "$P/keep" "$TESTDIR/keep.dat" 1024

# Every live cgroup below P with its memory.min, as "path value" lines.
mins() {
	find "$MEMROOT$P" -mindepth 1 -type d | sort | while read -r d; do
		echo "${d#"$MEMROOT$P"/} $(cat "$d/memory.min")"
	done
}
before=$(mins)
like "$before" "^keep 1048576$" "keep has memory.min 1M of its own"
like "$before" "^holder 0$" "holder has memory.min 0"
diag "before: $(printf '%s' "$before" | tr '\n' ' ')"

cat > "$TESTDIR/zombiecg.conf" <<EOF
under = $TESTCG
interval = 500ms
grace_period = 0
reap = yes
protected_reclaim = yes
cpu_budget = 100%
listen = 127.0.0.1:0
history_file = off
idle_priority = no
EOF
mkdir -p "$RUN"
ZCG_RUN_DIR=$RUN ZCG_TEST_PAUSE_PROTECTED=60
export ZCG_RUN_DIR ZCG_TEST_PAUSE_PROTECTED
daemon_start "$TESTDIR/log" daemon --config "$TESTDIR/zombiecg.conf"
ok $? "daemon started"
# only the daemon's: the teardown's `repro cleanup` finds its manifests in the usual place
unset ZCG_RUN_DIR ZCG_TEST_PAUSE_PROTECTED

raised() { [ -e "$JOURNAL" ] && [ "$(mins)" != "$before" ]; }
wait_until 60 raised
ok $? "the daemon is inside a protected reclaim: memory.min raised, journal $JOURNAL written" ||
	diag "log so far: $(tail -n 30 "$TESTDIR/log" | tr '\n' ' ')"
diag "during: $(mins | tr '\n' ' ')"
like "$(mins)" "^keep [0-9]+$" "keep is still there"
[ "$(mins | awk '$1 == "keep" { print $2 }')" -gt 1048576 ] 2>/dev/null
ok $? "keep's memory.min is raised above its own 1M too"

t0=$(awk '{ print int($1) }' /proc/uptime)
daemon_stop TERM 30
rc=$?
if [ $rc = 124 ]; then
	ok 1 "SIGTERM: the daemon stops within 30 s"
else
	ok 0 "SIGTERM: the daemon stops within 30 s (took $(( $(awk '{ print int($1) }' /proc/uptime) - t0 )) s)"
	is "$rc" 0 "it exits 0"
fi
DAEMON_PIDS=""
is "$(mins)" "$before" "every live cgroup's memory.min is back at its own value"
[ ! -e "$JOURNAL" ]
ok $? "the journal is gone"
grep -q 'stopping' "$TESTDIR/log"
ok $? "the log says it stopped"
diag "log: $(grep -v '^<7>' "$TESTDIR/log" | tr '\n' ' ')"
done_testing
