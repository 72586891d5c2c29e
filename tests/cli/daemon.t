#!/bin/sh
# zombiecg daemon on saved /proc and /sys trees (no root needed): configuration errors at
# start and on SIGHUP, metrics against `status --json` of the same tree, /healthz, the
# textfile written atomically, history across a restart, --once, JSON logs, the systemd
# notification protocol, idle priority, and `zombiecg history` on a ring written by an
# independent implementation of its format.
. "$(dirname "$0")/../lib/tap.sh"
. "$TOP/tests/lib/daemon.sh"
cd "$TOP" || exit 1
F=tests/fixtures
TMP=$(mktemp -d) || exit 1
trap 'daemon_kill_all; rm -rf "$TMP"' EXIT
V2="--sysroot $F/v2"

# conf FILE LINES...: a configuration for the fixture daemon: fast, quiet, everything in TMP.
conf() {
	_f=$1
	shift
	{
		echo "# written by daemon.t"
		echo "interval = 200ms"
		echo "listen = ${LISTEN:-127.0.0.1:0}"
		echo "textfile_dir = $TMP"
		echo "history_file = $TMP/history"
		echo "history_interval = 1s"
		echo "idle_priority = no"
		for line in "$@"; do echo "$line"; done
	} > "$_f"
}

# --- configuration errors ------------------------------------------------------------------
printf 'interval = 1s\n# a comment\nfrobnicate = 3\n' > "$TMP/bad.conf"
run 2 "$TMP/bad.conf:3: unknown key 'frobnicate'" "unknown key at start" -- $V2 daemon --config "$TMP/bad.conf" --once
printf 'interval = 1s\ngrace_period = soon\n' > "$TMP/bad2.conf"
run 2 "$TMP/bad2.conf:2: grace_period = soon: not a duration" "bad value at start" -- \
	$V2 daemon --config "$TMP/bad2.conf" --once
out=$("$ZCG" -J $V2 daemon --config "$TMP/bad.conf" --once 2>/dev/null)
is "$?" 2 "JSON mode: bad config exits 2"
is "$(printf '%s' "$out" | jq -r .error)" "$TMP/bad.conf:3: unknown key 'frobnicate'" "JSON mode: {\"error\"} names file and line"
run 2 "cannot read $TMP/missing.conf: No such file or directory" "a missing config file is a configuration error" -- \
	$V2 daemon --config "$TMP/missing.conf" --once
run 2 "cannot read $TMP/missing.conf" "--check-config: a missing config file" -- \
	$V2 daemon --config "$TMP/missing.conf" --check-config
run 2 "--interval 'soon' is not a duration" "bad --interval" -- $V2 daemon --interval soon --once
run 2 "--listen 'localhost' is not ADDR:PORT" "bad --listen" -- $V2 daemon --listen localhost --once
run 2 "--textfile 'rel' is not an absolute directory" "relative --textfile" -- $V2 daemon --textfile rel --once
conf "$TMP/nope.conf" "under = /nope"
run 1 "under: no cgroup /nope in the memory hierarchy" "a scope that does not exist" -- \
	$V2 daemon --config "$TMP/nope.conf" --once
run 1 "$TMP/nope.conf: parses, but under: no cgroup /nope in the memory hierarchy" \
	"--check-config: under names a cgroup that does not exist" -- $V2 daemon --config "$TMP/nope.conf" --check-config
conf "$TMP/nope2.conf" "tmpfs_recharge_target = /nope"
run 1 "parses, but tmpfs_recharge_target: no cgroup /nope" \
	"--check-config: tmpfs_recharge_target names a cgroup that does not exist" -- \
	$V2 daemon --config "$TMP/nope2.conf" --check-config
out=$("$ZCG" -J $V2 daemon --config "$TMP/nope.conf" --check-config 2>/dev/null)
is "$(printf '%s' "$out" | jq -r '[.valid, .cgroups_checked, (.error | test("no cgroup /nope"))] | join(",")')" \
	"true,true,true" "--check-config --json: parses, checked, the missing cgroup in .error"
conf "$TMP/good.conf" "under = /system.slice"
run 0 "$TMP/good.conf: valid\$" "--check-config: a valid file whose cgroups exist" -- \
	$V2 daemon --config "$TMP/good.conf" --check-config
run 0 "$TMP/good.conf: valid; under and tmpfs_recharge_target not checked: no memory controller mounted" \
	"--check-config: says when it could not check the cgroups" -- \
	--sysroot $F/nomemory daemon --config "$TMP/good.conf" --check-config
run 2 "bad.conf:3: unknown key" "--check-config: an invalid file" -- $V2 daemon --config "$TMP/bad.conf" --check-config

# --- metrics against the census of the same tree ---------------------------------------------
conf "$TMP/c.conf" "grace_period = 1s" "urgent_grace_period = 0" "top_parents = 1"
daemon_start "$TMP/log" $V2 daemon --config "$TMP/c.conf"
ok $? "daemon started and listens on 127.0.0.1:$DPORT"
st=$("$ZCG" $V2 status --json)
M=$(fetch "http://127.0.0.1:$DPORT/metrics")
ok $? "GET /metrics"
m() { printf '%s\n' "$M" | awk -v m="$1" 'index($0, m " ") == 1 { print $NF }'; }
is "$(m zombiecg_dying_memcgs)" "$(printf '%s' "$st" | jq .dying)" "dying = status .dying"
is "$(m zombiecg_live_memcgs)" "$(printf '%s' "$st" | jq .live)" "live = status .live"
is "$(m zombiecg_pinned_memory_bytes)" "$(printf '%s' "$st" | jq .pinned_bytes)" "pinned = status .pinned_bytes"
for kind in cache rss shmem mapped_file dirty writeback swap; do
	is "$(m "zombiecg_pinned_bytes{kind=\"$kind\"}")" "$(printf '%s' "$st" | jq ".pinned_by_kind.$kind")" \
		"pinned_bytes{kind=$kind} = status"
done
is "$(m zombiecg_memcg_ids_used)" "$(printf '%s' "$st" | jq .memcg_ids_used)" "memcg ids used = status"
is "$(m zombiecg_memcg_ids_max)" 65535 "memcg ids max"
is "$(m 'zombiecg_dying_memcgs_by_parent{parent="/system.slice"}')" 4 "dying by parent: the top one"
is "$(printf '%s\n' "$M" | grep -c '^zombiecg_dying_memcgs_by_parent{')" 1 "top_parents = 1 bounds the series"
! printf '%s\n' "$M" | grep -q '^zombiecg_kernel_overhead_bytes '
ok $? "unknown kernel overhead is left out, not 0"
is "$(m 'zombiecg_build_info{version="0.1.0",source="cgroupfs",hierarchy="v2"}')" 1 "build info"
is "$(m zombiecg_reap_available)" 1 "this build can reap"
is "$(m zombiecg_reaped_total)" 0 "reaped stays 0 before anything is eligible"
# every family that has samples has HELP and TYPE
missing=$(printf '%s\n' "$M" | awk '
	/^# HELP / { help[$3] = 1; next }
	/^# TYPE / { type[$3] = 1; next }
	{ n = $1; sub(/\{.*/, "", n); if (!(n in help) || !(n in type)) print n }')
is "$missing" "" "every sample's family has HELP and TYPE"
if command -v promtool >/dev/null 2>&1; then
	lint=$(printf '%s\n' "$M" | promtool check metrics 2>&1)
	ok $? "promtool check metrics accepts /metrics"
	[ -n "$lint" ] && diag "$lint"
else
	skip "promtool not installed"
fi

wait_until 10 metric_is zombiecg_eligible_memcgs 6
ok $? "after the 1 s grace period all 6 zombies are eligible"
is "$(metric zombiecg_eligible_parents)" 2 "in 2 parents"
# A saved tree has no BPF: the zombies' pages cannot be told from their parents', so the reap
# step frees nothing (and says why in `zombiecg reap`); it must not fail either.
wait_until 10 metric_ge zombiecg_reap_cpu_seconds_total 0
is "$(m zombiecg_reaped_total)" 0 "on a saved tree nothing is freed"
is "$(m zombiecg_reap_errors_total)" 0 "and the reap step does not fail"
like "$(fetch "http://127.0.0.1:$DPORT/healthz")" "^ok: last census [0-9]+ s ago; 6 dying" "/healthz: ok with a status line"
if command -v curl >/dev/null 2>&1; then
	is "$(http_status "http://127.0.0.1:$DPORT/nope")" 404 "unknown path: 404"
	is "$(http_status "http://127.0.0.1:$DPORT/metrics" POST)" 405 "POST: 405"
	like "$(curl -sI "http://127.0.0.1:$DPORT/metrics" | tr -d '\r' | grep -i '^content-type')" \
		"text/plain; version=0.0.4" "exposition content type"
else
	skip "no curl"; skip "no curl"; skip "no curl"
fi

# --- the textfile ------------------------------------------------------------------------------
T=$TMP/zombiecg.prom
[ -s "$T" ]
ok $? "textfile written to textfile_dir"
! grep -q '^process_' "$T"
ok $? "textfile has no process_* metrics (node_exporter has its own)"
# Hold the current file open: its inode cannot be reused while we do, and an in-place
# rewrite would change what this descriptor reads.
exec 3< "$T"
ino1=$(ls -i "$T" | awk '{print $1}')
bad=0
i=0
while [ $i -lt 200 ]; do
	# a reader must always see a whole file: first family first, build_info last
	first=$(head -n 1 "$T" 2>/dev/null)
	last=$(tail -n 1 "$T" 2>/dev/null)
	case "$first|$last" in
	"# HELP zombiecg_dying_memcgs "*"|zombiecg_build_info{"*"} 1") ;;
	*) bad=$((bad + 1)) ;;
	esac
	i=$((i + 1))
done
is "$bad" 0 "200 reads while the daemon rewrites it every 200 ms: always complete"
ino2=$(ls -i "$T" | awk '{print $1}')
[ "$ino1" != "$ino2" ]
ok $? "each write is a new file renamed into place (inode $ino1 -> $ino2)"
held=$(cat <&3)
exec 3<&-
like "$(printf '%s\n' "$held" | tail -n 1)" '^zombiecg_build_info\{.*\} 1$' "the file held open was never rewritten in place"

# --- SIGHUP ------------------------------------------------------------------------------------
conf "$TMP/c.conf" "grace_period = 1s" "urgent_grace_period = 0" "under = /system.slice"
kill -HUP "$DPID"
wait_until 10 metric_is zombiecg_live_memcgs 2
ok $? "SIGHUP: the new scope is in force (2 live memcgs below /system.slice)"
is "$(metric 'zombiecg_census_info{scope="/system.slice",dying_counter="nr_dying_subsys_memory",pinned_accuracy="upper_bound"}')" 1 \
	"census info names the new scope"
is "$(metric zombiecg_config_last_reload_successful)" 1 "reload successful"
printf 'under = /\nthis line is wrong\n' > "$TMP/c.conf"
scans=$(metric zombiecg_scans_total)
kill -HUP "$DPID"
wait_until 10 metric_is zombiecg_config_last_reload_successful 0
ok $? "SIGHUP with a bad file: reload reported failed"
grep -q "$TMP/c.conf:2: expected 'key = value', got 'this line is wrong'; the previous configuration stays in force" "$TMP/log"
ok $? "the log names the file and the line"
scans_above() { [ "$(metric zombiecg_scans_total)" -gt "$1" ] 2>/dev/null; }
wait_until 10 scans_above "$scans"
ok $? "the daemon goes on taking censuses"
is "$(metric zombiecg_live_memcgs)" 2 "the old configuration stays in force (scope /system.slice)"
conf "$TMP/c.conf" "grace_period = 1s" "urgent_grace_period = 0"
kill -HUP "$DPID"
wait_until 10 metric_is zombiecg_config_last_reload_successful 1
ok $? "a fixed file reloads again"
wait_until 10 metric_is zombiecg_live_memcgs 4
ok $? "and its scope is in force"
LISTEN=127.0.0.2:0
conf "$TMP/c.conf" "grace_period = 1s" "urgent_grace_period = 0"
unset LISTEN
kill -HUP "$DPID"
newport() { sed -n 's/.*listening on 127\.0\.0\.2:\([0-9][0-9]*\).*/\1/p' "$TMP/log" | tail -n 1 | grep .; }
wait_until 10 newport >/dev/null
ok $? "SIGHUP with a new listen address: listening on 127.0.0.2:$(newport)"
like "$(fetch "http://127.0.0.2:$(newport)/healthz")" "^ok:" "the new address answers"
! fetch "http://127.0.0.1:$DPORT/healthz" >/dev/null 2>&1
ok $? "the old one is closed"
conf "$TMP/c.conf" "grace_period = 1s" "urgent_grace_period = 0"
kill -HUP "$DPID"
back() { [ "$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$TMP/log" | wc -l)" -ge 2 ]; }
wait_until 10 back
DPORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$TMP/log" | tail -n 1)
like "$(fetch "http://127.0.0.1:$DPORT/healthz")" "^ok:" "and back on 127.0.0.1:$DPORT"

# --- SIGTERM -----------------------------------------------------------------------------------
daemon_stop TERM
is "$?" 0 "SIGTERM: clean exit 0"
grep -q '^<5>daemon: stopping' "$TMP/log"
ok $? "the log says it is stopping, with a journald priority prefix"
[ ! -e "$TMP/.zombiecg.prom.tmp" ]
ok $? "no temporary textfile left behind"
grep -E 'Sanitizer|runtime error' "$TMP/log" | sed 's/^/# /'
! grep -qE 'Sanitizer|runtime error' "$TMP/log"
ok $? "no sanitizer report in the daemon's log"

# --- history across a restart ------------------------------------------------------------------
n1=$("$ZCG" history --file "$TMP/history" --json | jq .samples)
cmp_ge "$n1" 2 "history: the first run left samples ($n1)"
first1=$("$ZCG" history --file "$TMP/history" --json | jq .first)
size1=$(wc -c < "$TMP/history")
daemon_start "$TMP/log2" $V2 daemon --config "$TMP/c.conf"
ok $? "daemon restarted"
sleep 2.5
daemon_stop TERM
n2=$("$ZCG" history --file "$TMP/history" --json | jq .samples)
[ "$n2" -gt "$n1" ]
ok $? "history survives the restart and grows ($n1 -> $n2)"
is "$("$ZCG" history --file "$TMP/history" --json | jq .first)" "$first1" "the oldest sample is still the first run's"
is "$(wc -c < "$TMP/history")" "$size1" "the ring does not grow on disk ($size1 bytes)"
is "$size1" $((64 + 64 * 8640)) "header + 8640 records of 64 bytes by default"
is "$("$ZCG" history --file "$TMP/history" --json | jq '[.periods[] | select(.samples > 0)] | last | .dying')" 6 \
	"history holds the dying count"

# --- --once ------------------------------------------------------------------------------------
rm -f "$TMP/zombiecg.prom"
run 0 "" "--once: one census and exit" -- $V2 daemon --config "$TMP/c.conf" --once
grep -q '^zombiecg_dying_memcgs 6$' "$TMP/zombiecg.prom"
ok $? "--once wrote the textfile"
is "$("$ZCG" history --file "$TMP/history" --json | jq .samples)" $((n2 + 1)) "--once added one history sample"

# --- JSON logs ---------------------------------------------------------------------------------
daemon_start "$TMP/log3" $V2 daemon --config "$TMP/c.conf" --log-json
ok $? "daemon with --log-json"
kill -HUP "$DPID"
sleep 0.5
daemon_stop TERM
is "$(jq -e -c 'select(.level and .event and .message and .time and .priority)' < "$TMP/log3" | wc -l)" \
	"$(wc -l < "$TMP/log3")" "every log line is a JSON object with time, level, priority, event, message"
is "$(jq -r 'select(.event == "daemon" and .level == "notice") | .message' < "$TMP/log3")" "stopping" "JSON stop message"

# --- systemd notification protocol -----------------------------------------------------------
if command -v python3 >/dev/null 2>&1; then
	python3 - "$TMP/notify.sock" "$TMP/notify.out" <<'PY' &
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(0.2)
end = time.time() + 12
with open(sys.argv[2], "w") as out:
    while time.time() < end:
        try:
            msg = s.recv(4096).decode()
        except socket.timeout:
            continue
        out.write(msg.replace("\n", "|") + "\n")
        out.flush()
        if "STOPPING=1" in msg:
            break
PY
	LISTENER=$!
	DAEMON_PIDS="$DAEMON_PIDS $LISTENER"
	wait_until 5 test -S "$TMP/notify.sock"
	NOTIFY_SOCKET=$TMP/notify.sock WATCHDOG_USEC=400000 daemon_start "$TMP/log4" $V2 daemon --config "$TMP/c.conf"
	sleep 1.2
	kill -HUP "$DPID"
	sleep 0.5
	daemon_stop TERM
	wait "$LISTENER"
	grep -qx 'READY=1' "$TMP/notify.out"
	ok $? "READY=1 sent"
	cmp_ge "$(grep -cx 'WATCHDOG=1' "$TMP/notify.out")" 3 "WATCHDOG=1 every half WATCHDOG_USEC"
	grep -q '^STATUS=6 dying, 4.1 MiB pinned' "$TMP/notify.out"
	ok $? "STATUS= says what the census found"
	grep -qx 'RELOADING=1' "$TMP/notify.out"
	ok $? "RELOADING=1 on SIGHUP"
	is "$(grep -A1 -x 'RELOADING=1' "$TMP/notify.out" | grep -cx 'READY=1')" 1 "READY=1 after the reload"
	is "$(tail -n 1 "$TMP/notify.out")" "STOPPING=1" "STOPPING=1 last"
else
	for i in 1 2 3 4 5 6; do skip "no python3 for a notify socket"; done
fi

# --- idle priority -----------------------------------------------------------------------------
conf "$TMP/idle.conf" "idle_priority = yes"
sed -i '/^idle_priority = no$/d' "$TMP/idle.conf"
daemon_start "$TMP/log5" $V2 daemon --config "$TMP/idle.conf"
ok $? "daemon with idle_priority = yes"
is "$(awk '{print $41}' "/proc/$DPID/stat")" 5 "scheduling policy SCHED_IDLE (5)"
if command -v ionice >/dev/null 2>&1; then
	is "$(ionice -p "$DPID")" "idle" "I/O class idle"
else
	skip "no ionice"
fi
for tid in $(ls "/proc/$DPID/task"); do
	[ "$(awk '{print $41}' "/proc/$DPID/task/$tid/stat")" = 5 ] || echo "thread $tid"
done > "$TMP/threads"
is "$(cat "$TMP/threads")" "" "the HTTP thread is idle too"
daemon_stop TERM

# --- zombiecg history on a ring written by an independent implementation ----------------------
if command -v python3 >/dev/null 2>&1; then
	python3 $F/history/make-ring.py "$TMP/ring" && ok 0 "ring from make-ring.py"
	python3 $F/history/make-ring.py "$TMP/ring2" --bad-version
else
	cp $F/history/cover-letter.ring "$TMP/ring" && skip "no python3: the committed ring"
fi
cmp -s "$TMP/ring" $F/history/cover-letter.ring
ok $? "the committed fixture matches make-ring.py"
out=$(TZ=UTC LC_ALL=C "$ZCG" history --file "$TMP/ring" --period 1d)
printf '%s\n' "$out" | sed "s|$TMP/ring|RING|" > "$TMP/hist.out"
if [ -n "$ZCG_UPDATE_GOLDEN" ]; then cp "$TMP/hist.out" tests/golden/history.cover-letter; fi
diff -u tests/golden/history.cover-letter "$TMP/hist.out" > "$TMP/hist.diff"
ok $? "golden: history --period 1d reproduces the cover letter's day 0..7 table"
sed 's/^/# /' "$TMP/hist.diff"
hj=$(TZ=UTC "$ZCG" history --file "$TMP/ring" --period 1d --json)
is "$(printf '%s' "$hj" | jq -c '[.periods[].dying]')" "[56,362,628,752,1070,1250,1490,1560]" "JSON: dying per day"
is "$(printf '%s' "$hj" | jq '.periods[7].pinned_bytes')" $((241 * 1048576)) "JSON: pinned bytes on day 7"
is "$(printf '%s' "$hj" | jq '.periods[0].start')" 1559692800 "periods start at midnight"
is "$(TZ=UTC "$ZCG" history --file "$TMP/ring" --json | jq .period_s)" 86400 "automatic period: at most 31 rows, 1d for 8 days"
is "$("$ZCG" history --file "$TMP/ring" --since 1d --json | jq .samples)" 0 "--since 1d: the 2019 samples are older"
if [ -e "$TMP/ring2" ]; then
	run 1 "history format version 2, this zombiecg reads 1" "a ring of another version" -- history --file "$TMP/ring2"
else
	skip "no python3"; skip "no python3"
fi
run 1 "cannot open $TMP/none: No such file or directory" "no ring" -- history --file "$TMP/none"
run 2 "--since 'yesterday' is not a duration" "bad --since" -- history --since yesterday
printf 'history_file = off\n' > "$TMP/off.conf"
run 1 "history is off in $TMP/off.conf" "history off in the configuration" -- history --config "$TMP/off.conf"

done_testing
