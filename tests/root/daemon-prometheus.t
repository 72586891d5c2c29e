#!/bin/sh
# A real Prometheus server (Debian's prometheus) scrapes `zombiecg daemon` on loopback: the
# value it stores for zombiecg_dying_memcgs equals the census (`zombiecg status --json`),
# promtool accepts the live exposition, the shipped alert rules load and evaluate, and every
# query of the Grafana dashboard runs, and, where the daemon records removals (cgroup_rmdir
# tracepoint), the stored zombiecg_zombies_created_total of an origin this test makes zombies
# of counts them. The daemon watches the whole host read-only (reap = no). Skips where
# prometheus is not installed (the VM lab).
#
#   <memory root>/zombiecg-test.<pid>/system.slice/system-zcgprom.slice/zcgprom@1..3.service
#                                                   zombies of origin zcgprom@.service
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/cg.sh"
. "$(dirname "$0")/../lib/daemon.sh"
command -v prometheus >/dev/null 2>&1 || skip_all "prometheus is not installed"
command -v promtool >/dev/null 2>&1 || skip_all "promtool is not installed"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed"
cg_require_root
st=$("$ZCG" status --json 2>&1) || skip_all "no memory hierarchy: $st"
[ "$(printf '%s' "$st" | jq .dying)" != null ] || skip_all "the census cannot count dying memcgs here"
cg_setup

TMP=$(mktemp -d) || exit 1
PROM_PID=""
cleanup() {
	daemon_kill_all
	[ -n "$PROM_PID" ] && kill "$PROM_PID" 2>/dev/null && wait "$PROM_PID" 2>/dev/null
	rm -rf "$TMP"
	cg_teardown
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# its own run directory (removal records); every origin its own created series, so other
# tenants' origins cannot push this test's into "other"
export ZCG_RUN_DIR=$TMP/run
cat > "$TMP/zombiecg.conf" <<EOF
# the whole host, observe only: these zombies are other tenants'
reap = no
interval = 1s
listen = 127.0.0.1:0
history_file = off
idle_priority = no
top_origins = 1000
EOF
daemon_start "$TMP/daemon.log" daemon --config "$TMP/zombiecg.conf"
ok $? "daemon listens on 127.0.0.1:$DPORT"

# Prometheus cannot bind port 0: pick a free port, and another if someone takes it first.
prom_query() { # PROMQL -> the API's JSON
	curl -sf --max-time 10 -G "http://127.0.0.1:$PPORT/api/v1/query" --data-urlencode "query=$1"
}
started=1
for attempt in 1 2 3 4 5; do
	PPORT=$(pick_port)
	cat > "$TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $TOP/deploy/prometheus/alerts.yml
scrape_configs:
  - job_name: zombiecg
    static_configs:
      - targets: ['127.0.0.1:$DPORT']
EOF
	rm -rf "$TMP/data"
	prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/data" \
		--web.listen-address="127.0.0.1:$PPORT" --log.level=warn > "$TMP/prometheus.log" 2>&1 &
	PROM_PID=$!
	if wait_until 20 sh -c "curl -sf http://127.0.0.1:$PPORT/-/ready >/dev/null"; then
		started=0
		break
	fi
	kill "$PROM_PID" 2>/dev/null
	wait "$PROM_PID" 2>/dev/null
	PROM_PID=""
done
ok $started "prometheus ready on 127.0.0.1:$PPORT"
[ $started -eq 0 ] || { sed 's/^/# /' "$TMP/prometheus.log"; done_testing; }

up() { [ "$(prom_query 'up{job="zombiecg"}' | jq -r '.data.result[0].value[1]')" = 1 ]; }
wait_until 30 up
ok $? "prometheus scrapes the daemon: up == 1"

# Other tenants make and free zombies all the time: compare when the census held still
# across the query (the scraped value is at most a scrape interval plus a census old).
dying_q() { prom_query zombiecg_dying_memcgs | jq -r '.data.result[0].value[1]'; }
live_q() { prom_query zombiecg_live_memcgs | jq -r '.data.result[0].value[1]'; }
matched=1
i=0
while [ $i -lt 20 ] && [ $matched -ne 0 ]; do
	s1=$("$ZCG" status --json)
	sleep 3
	q_dying=$(dying_q)
	q_live=$(live_q)
	s2=$("$ZCG" status --json)
	d1=$(printf '%s' "$s1" | jq .dying) d2=$(printf '%s' "$s2" | jq .dying)
	l1=$(printf '%s' "$s1" | jq .live) l2=$(printf '%s' "$s2" | jq .live)
	if [ "$d1" = "$d2" ] && [ "$l1" = "$l2" ]; then
		if [ "$q_dying" = "$d1" ] && [ "$q_live" = "$l1" ]; then
			matched=0
		else
			diag "census steady at dying $d1, live $l1; prometheus says $q_dying, $q_live"
		fi
	fi
	i=$((i + 1))
done
ok $matched "prometheus' zombiecg_dying_memcgs ($q_dying) = status --json .dying ($d1)"
ok $matched "prometheus' zombiecg_live_memcgs ($q_live) = status --json .live ($l1)"

fetch "http://127.0.0.1:$DPORT/metrics" > "$TMP/metrics"
promtool check metrics < "$TMP/metrics" > "$TMP/lint" 2>&1
ok $? "promtool check metrics on the live exposition"
sed 's/^/# /' "$TMP/lint"
is "$(prom_query 'zombiecg_build_info' | jq -r '.data.result[0].metric.hierarchy')" \
	"$(printf '%s' "$st" | jq -r .hierarchy)" "build_info's hierarchy label"

rules=$(curl -sf "http://127.0.0.1:$PPORT/api/v1/rules")
n_rules=$(grep -c '^ *- alert:' "$TOP/deploy/prometheus/alerts.yml")
is "$(printf '%s' "$rules" | jq '[.data.groups[] | select(.name == "zombiecg") | .rules[]] | length')" "$n_rules" \
	"prometheus loaded the $n_rules alert rules of deploy/prometheus/alerts.yml"
wait_until 10 sh -c "curl -sf http://127.0.0.1:$PPORT/api/v1/rules | jq -e '[.data.groups[].rules[] | select(.health != \"ok\")] | length == 0' >/dev/null"
ok $? "every rule evaluates without error"
bad=$(curl -sf "http://127.0.0.1:$PPORT/api/v1/rules" | jq -r '.data.groups[].rules[] | select(.health != "ok") | "\(.name): \(.lastError)"')
[ -n "$bad" ] && diag "$bad"

# Every dashboard query parses and runs (variables replaced by what Grafana would send).
jq -r '.panels[].targets[].expr' "$TOP/deploy/grafana/zombiecg-dashboard.json" |
	sed 's/\$__rate_interval/1m/g; s/\$instance/.*/g; s/\$job/zombiecg/g' > "$TMP/exprs"
: > "$TMP/failed"
while read -r expr; do
	[ "$(prom_query "$expr" | jq -r .status)" = success ] || echo "$expr" >> "$TMP/failed"
done < "$TMP/exprs"
is "$(cat "$TMP/failed")" "" "all $(wc -l < "$TMP/exprs") dashboard queries run"
[ "$(prom_query 'zombiecg_dying_memcgs{instance=~".*"}' | jq '.data.result | length')" -ge 1 ]
ok $? "the dashboard's instance selector finds the daemon"

# zombiecg_zombies_created_total: three zombies of one origin, made while the daemon records
# removals, stored by Prometheus as 3 (a counter only removals that left a zombie raise).
ORIGIN=zcgprom@.service
created_q() {
	prom_query "zombiecg_zombies_created_total{origin=\"$ORIGIN\",kind=\"systemd-template\"}" |
		jq -r '.data.result[0].value[1]'
}
if [ "$(metric zombiecg_removal_tracing)" = 1 ]; then
	is "$(created_q)" null "no $ORIGIN zombies created before the test made them"
	SLICE=system.slice/system-zcgprom.slice
	for i in 1 2 3; do
		_d=$MEMROOT$TESTCG
		for _c in system.slice system-zcgprom.slice "zcgprom@$i.service"; do
			_d=$_d/$_c
			if [ "$HIER" = v2 ] && ! grep -qw memory "${_d%/*}/cgroup.subtree_control"; then
				echo +memory > "${_d%/*}/cgroup.subtree_control"
			fi
			[ -d "$_d" ] || mkdir "$_d"
		done
		cg_write "$TESTCG/$SLICE/zcgprom@$i.service" "$TESTDIR/f$i" 1024 && rmdir "$_d"
		ok $? "zombie $SLICE/zcgprom@$i.service"
	done
	created_is_3() { [ "$(created_q)" = 3 ]; }
	wait_until 30 created_is_3
	ok $? "prometheus stores zombiecg_zombies_created_total{origin=\"$ORIGIN\",kind=\"systemd-template\"} = 3 (got $(created_q))"
	is "$(metric "zombiecg_zombies_created_total{origin=\"$ORIGIN\",kind=\"systemd-template\"}")" 3 \
		"the same as the daemon's /metrics"
else
	skip "no removal records here (zombiecg_removal_tracing 0): zombiecg_zombies_created_total is not exported"
fi

daemon_stop TERM
is "$?" 0 "daemon stops on SIGTERM"
done_testing
