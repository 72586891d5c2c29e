#!/bin/sh
# `zombiecg daemon` with exactly the capabilities deploy/systemd/zombiecg.service grants
# (its CapabilityBoundingSet, with NoNewPrivileges) still takes the BPF census and reaps:
# a root service whose bounding set is limited gets that set as its effective capabilities
# at exec, which setpriv --bounding-set reproduces. The DaemonSet must add the same list.
# It reaps clean and dirty page cache (evict; write back first), writes its history, and
# says nothing about permissions. Which single capability the census could do without is
# printed for the record (diag), not asserted.
#
#   <memory root>/zombiecg-test.<pid>/              test subtree, the daemon's `under`
#       zombiecg-repro.<n>/z0, z1                   removed: 1 MiB of page cache each
#       zombiecg-repro.<m>/z0                       removed: 1 MiB of dirty page cache
#
# Needs util-linux setpriv (busybox's has no --bounding-set: the VM lab skips).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/cg.sh"
. "$(dirname "$0")/../lib/daemon.sh"
cg_require_root
UNIT=$TOP/deploy/systemd/zombiecg.service
DS=$TOP/deploy/kubernetes/daemonset.yaml
[ -r "$UNIT" ] || skip_all "no $UNIT"
setpriv --bounding-set=-all true 2>/dev/null || skip_all "no setpriv with --bounding-set (util-linux)"
"$ZCG" list --json 2>/dev/null | jq -e '.source == "bpf"' >/dev/null ||
	skip_all "no BPF census here even with every capability: $("$ZCG" list --json | jq -r .source_note)"

# CAP_SYS_ADMIN CAP_BPF ... -> sys_admin bpf ...
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT" | tr 'A-Z' 'a-z' | sed 's/cap_//g')
[ -n "$caps" ]
ok $? "the unit's CapabilityBoundingSet: $caps"
# the DaemonSet adds the same (SYS_ADMIN, without CAP_)
ds_caps=$(sed -n 's/^ *add: *\[\(.*\)\]/\1/p' "$DS" | tr -d '" ' | tr ',' '\n' | tr 'A-Z' 'a-z' | sort | tr '\n' ' ')
is "$ds_caps" "$(printf '%s\n' $caps | sort | tr '\n' ' ')" "the DaemonSet adds exactly the same capabilities"
bset=-all
for c in $caps; do bset="$bset,+$c"; done

cg_setup
loopback_up
trap 'daemon_kill_all; cg_teardown' EXIT
out=$("$ZCG" repro pagecache --count 2 --size-mb 1 --under "$TESTCG" --dir "$TESTDIR" --json)
ok $? "made 2 pagecache zombies"
out=$("$ZCG" repro dirty --count 1 --size-mb 1 --under "$TESTCG" --dir "$TESTDIR" --json)
ok $? "and 1 with dirty page cache (written back first, then evicted)"
cat > "$TESTDIR/zombiecg.conf" <<EOF
under = $TESTCG
interval = 500ms
grace_period = 0
reap = yes
cpu_budget = 100%
listen = 127.0.0.1:0
history_file = $TESTDIR/history
history_interval = 1s
idle_priority = yes
EOF
mkdir -p "$TESTDIR/run"
# Through setpriv, which execs the daemon: DPID is the daemon itself. Its own run directory
# keeps the protect journal away from other runs.
daemon_start_via "env ZCG_RUN_DIR=$TESTDIR/run setpriv --no-new-privs --bounding-set=$bset --inh-caps=-all --" \
	"$TESTDIR/log" daemon --config "$TESTDIR/zombiecg.conf"
ok $? "daemon started with only those capabilities (port $DPORT)"

# The capabilities it runs with: exactly the unit's (capsh names them, if installed).
capeff=$(awk '$1 == "CapEff:" { print $2 }' "/proc/$DPID/status")
capbnd=$(awk '$1 == "CapBnd:" { print $2 }' "/proc/$DPID/status")
is "$capeff" "$capbnd" "effective = bounding set ($capeff)"
if command -v capsh >/dev/null 2>&1; then
	is "$(capsh --decode="$capeff" | sed 's/.*=//' | tr ',' '\n' | sed 's/cap_//' | sort | tr '\n' ' ')" \
		"$(printf '%s\n' $caps | sort | tr '\n' ' ')" "which are the unit's"
fi
is "$(awk '$1 == "NoNewPrivs:" { print $2 }' "/proc/$DPID/status")" 1 "no_new_privs is set"

wait_until 20 metric_ge zombiecg_scans_total 2
ok $? "it takes censuses"
like "$(fetch "http://127.0.0.1:$DPORT/metrics" | grep '^zombiecg_build_info')" 'source="bpf"' \
	"the census source is BPF"
is "$(metric zombiecg_removal_tracing)" 1 "it records removals (the cgroup_rmdir tracepoint attached)"
held_by_files() { [ "$(cg_held_by_files "$TESTCG")" = 0 ]; }
wait_until 30 held_by_files
ok $? "it reaps: no zombie is held by its file any more (reaped_total $(metric zombiecg_reaped_total))"
cmp_ge "$(metric zombiecg_reap_evicted_bytes_total)" $((3 * 1048576 * 9 / 10)) "it evicted their page cache ($(metric zombiecg_reap_evicted_bytes_total) bytes)"
is "$(metric zombiecg_reap_errors_total)" 0 "no reap errors"
is "$(grep -ciE 'permission|not permitted|EPERM|EACCES' "$TESTDIR/log")" 0 "nothing in its log about permissions"
[ -s "$TESTDIR/history" ]
ok $? "it writes its history"
daemon_stop TERM
is "$?" 0 "SIGTERM: exit 0"

# For the record, not asserted: which of them the BPF census needs here on its own.
for drop in $caps; do
	b=-all
	for c in $caps; do [ "$c" = "$drop" ] || b="$b,+$c"; done
	src=$(setpriv --no-new-privs --bounding-set="$b" --inh-caps=-all -- "$ZCG" status --json 2>/dev/null | jq -r .source)
	diag "without $drop: census source ${src:-none}"
done
grep -v '^<7>' "$TESTDIR/log" | while read -r line; do diag "log: $line"; done

# Where the tracepoint programs cannot be loaded (here: no CAP_PERFMON, no CAP_SYS_ADMIN) the
# daemon says why, once, in its log, its metrics and the removals file; ages stay first-seen.
b=-all
for c in $caps; do case $c in perfmon | sys_admin) ;; *) b="$b,+$c" ;; esac; done
mkdir -p "$TESTDIR/run2"
daemon_start_via "env ZCG_RUN_DIR=$TESTDIR/run2 setpriv --no-new-privs --bounding-set=$b --inh-caps=-all --" \
	"$TESTDIR/log2" daemon --config "$TESTDIR/zombiecg.conf"
ok $? "daemon started without perfmon and sys_admin"
wait_until 20 metric_ge zombiecg_scans_total 2
ok $? "it takes censuses"
is "$(metric zombiecg_removal_tracing)" 0 "removal tracing off"
is "$(fetch "http://127.0.0.1:$DPORT/metrics" | grep -c '^zombiecg_zombies_created_total')" 0 \
	"no zombiecg_zombies_created_total samples"
daemon_stop TERM
is "$(grep -c 'removals: .*zombie ages are first-seen' "$TESTDIR/log2")" 1 "the log says so once"
diag "$(grep 'removals:' "$TESTDIR/log2")"
like "$(head -n 1 "$TESTDIR/run2/removals")" "^zombiecg-removals 1 first-seen	.+" "the removals file says so, and why"
is "$(ZCG_RUN_DIR=$TESTDIR/run2 "$ZCG" origins --under "$TESTCG" --json | jq -r '.removal_tracing | "\(.attached) \(.note != null)"')" \
	"false true" "origins --json: not attached, with the note"
done_testing
