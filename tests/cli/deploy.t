#!/bin/sh
# What ships in deploy/: the systemd unit (systemd-analyze verify, hardening), `make
# install`, the Kubernetes manifest (YAML, privileges, mounts, limits), the Prometheus
# alerts (promtool check and unit tests), the Grafana dashboard, the default configuration;
# and that every zombiecg_* metric they name is one the daemon exports.
. "$(dirname "$0")/../lib/tap.sh"
cd "$TOP" || exit 1
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT
UNIT=deploy/systemd/zombiecg.service
K8S=deploy/kubernetes/daemonset.yaml

# --- systemd unit --------------------------------------------------------------------------
for want in 'Type=notify' 'WatchdogSec=' 'ExecReload=/bin/kill -HUP $MAINPID' 'ProtectSystem=strict' \
	'Nice=19' 'CPUSchedulingPolicy=idle' 'IOSchedulingClass=idle' 'NoNewPrivileges=yes' \
	'ReadWritePaths=/sys/fs/cgroup /run/zombiecg /var/lib/zombiecg' 'RestartPreventExitStatus=2' \
	'ProtectKernelTunables=yes' 'PrivateMounts=yes' 'DevicePolicy=closed' 'DeviceAllow=block-* r'; do
	grep -qF -- "$want" "$UNIT"
	ok $? "unit: $want"
done
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT")
is "$caps" "CAP_SYS_ADMIN CAP_BPF CAP_PERFMON CAP_DAC_READ_SEARCH CAP_SYS_PTRACE" "unit: the minimal capability set"
! grep -qE '^(ProtectControlGroups=yes|PrivateTmp=yes|PrivateDevices=yes)' "$UNIT"
ok $? "unit: nothing that would hide cgroupfs, /tmp or /dev/shm"
if command -v systemd-analyze >/dev/null 2>&1; then
	sed "s|/usr/local/bin/zombiecg|$ZCG|" "$UNIT" > "$TMP/zombiecg.service"
	out=$(systemd-analyze verify --man=no "$TMP/zombiecg.service" 2>&1)
	rc=$?
	is "$rc" 0 "systemd-analyze verify: exit 0"
	is "$out" "" "systemd-analyze verify: no warnings"
	# the calls the daemon makes beyond @system-service: without open_by_handle_at every
	# eviction of a reap step fails with EPERM under the unit (found in tests/system)
	allowed=$(systemd-analyze syscall-filter @system-service 2>/dev/null; sed -n 's/^SystemCallFilter=\([^~]\)/\1/p' "$UNIT" | tr ' ' '\n')
	missing=
	for call in bpf open_by_handle_at; do
		printf '%s\n' "$allowed" | grep -qx " *$call" || missing="$missing $call"
	done
	is "$missing" "" "unit: SystemCallFilter= allows what the daemon needs beyond @system-service: bpf (census), open_by_handle_at (reap)"
	exposure=$(systemd-analyze security --offline=yes "$TMP/zombiecg.service" 2>/dev/null |
		sed -n 's/.*Overall exposure level for zombiecg.service: \([0-9.]*\).*/\1/p')
	if [ -n "$exposure" ]; then
		ok "$(awk -v e="$exposure" 'BEGIN { exit !(e <= 3.0) }'; echo $?)" \
			"systemd-analyze security: exposure $exposure <= 3.0 (root, BPF and cgroupfs writes included: each explained in the unit)"
	else
		skip "systemd-analyze security --offline not supported"
	fi
else
	skip "no systemd-analyze"; skip "no systemd-analyze"; skip "no systemd-analyze"
fi

# --- make install --------------------------------------------------------------------------
D=$TMP/dest
make -s install DESTDIR="$D" PREFIX=/usr BUILD="${BUILD:-build}" >/dev/null 2>&1
ok $? "make install DESTDIR PREFIX=/usr"
[ -x "$D/usr/bin/zombiecg" ] && [ -f "$D/usr/share/man/man8/zombiecg.8" ]
ok $? "binary and man page installed"
grep -qx 'ExecStart=/usr/bin/zombiecg daemon --config /etc/zombiecg/zombiecg.conf' "$D/usr/lib/systemd/system/zombiecg.service"
ok $? "unit installed with ExecStart following PREFIX"
cmp -s deploy/zombiecg.conf "$D/etc/zombiecg/zombiecg.conf"
ok $? "default configuration installed"
echo "interval = 2m" >> "$D/etc/zombiecg/zombiecg.conf"
make -s install DESTDIR="$D" PREFIX=/usr BUILD="${BUILD:-build}" >/dev/null 2>&1
tail -n 1 "$D/etc/zombiecg/zombiecg.conf" | grep -qx 'interval = 2m'
ok $? "make install keeps an existing configuration"

# --- default configuration -----------------------------------------------------------------
like "$("$ZCG" daemon --config deploy/zombiecg.conf --check-config 2>&1)" "valid" "deploy/zombiecg.conf is valid"
sed 's/^#\([a-z_]* = \)/\1/' deploy/zombiecg.conf > "$TMP/all.conf"
# (its example scope /kubepods need not exist here: --check-config then says so, exit 1)
like "$("$ZCG" daemon --config "$TMP/all.conf" --check-config 2>&1)" "valid|parses, but under: no cgroup /kubepods" \
	"and valid with every key uncommented"
keys=$(grep -oE '^[a-z_]+' "$TMP/all.conf" | sort -u | tr '\n' ' ')
is "$(printf '%s' "$keys" | wc -w)" 22 "it documents all 22 keys ($keys)"
for k in $keys; do
	grep -q "^| \`$k\`" README.md || echo "$k"
done > "$TMP/undoc"
is "$(cat "$TMP/undoc")" "" "README.md documents every key"

# --- Kubernetes ----------------------------------------------------------------------------
if command -v python3 >/dev/null 2>&1 && python3 -c 'import yaml' 2>/dev/null; then
	out=$(python3 - "$K8S" "$TMP/k8s.conf" <<'PY'
import sys, yaml
docs = list(yaml.safe_load_all(open(sys.argv[1])))
kinds = {d["kind"]: d for d in docs}
ds = kinds["DaemonSet"]["spec"]["template"]["spec"]
c = ds["containers"][0]
sc = c["securityContext"]
mounts = {m["mountPath"]: m for m in c["volumeMounts"]}
vols = {v["name"]: v for v in ds["volumes"]}
checks = [
    ("kinds", sorted(kinds) == ["ConfigMap", "DaemonSet", "Namespace"]),
    ("hostPID", ds.get("hostPID") is True),
    ("no hostNetwork", not ds.get("hostNetwork")),
    ("not privileged", sc.get("privileged") is False and sc.get("allowPrivilegeEscalation") is False),
    ("drops ALL capabilities", sc["capabilities"]["drop"] == ["ALL"]),
    ("adds only the unit's capabilities", sorted(sc["capabilities"]["add"]) ==
        sorted(["SYS_ADMIN", "BPF", "PERFMON", "DAC_READ_SEARCH", "SYS_PTRACE"])),
    ("seccomp RuntimeDefault", sc["seccompProfile"]["type"] == "RuntimeDefault"),
    ("read-only root filesystem", sc.get("readOnlyRootFilesystem") is True),
    ("cgroupfs from the host, writable", "/sys/fs/cgroup" in mounts and not mounts["/sys/fs/cgroup"].get("readOnly")
        and vols[mounts["/sys/fs/cgroup"]["name"]]["hostPath"]["path"] == "/sys/fs/cgroup"),
    ("history on the host", vols[mounts["/var/lib/zombiecg"]["name"]]["hostPath"]["path"] == "/var/lib/zombiecg"),
    ("the host's root at /host, read-only, HostToContainer (reap opens files by handle)",
        "/host" in mounts and mounts["/host"].get("readOnly") is True
        and mounts["/host"].get("mountPropagation") == "HostToContainer"
        and vols[mounts["/host"]["name"]]["hostPath"]["path"] == "/"),
    ("exactly these mounts", sorted(mounts) == ["/etc/zombiecg", "/host", "/run/zombiecg",
        "/sys/fs/cgroup", "/var/lib/zombiecg"]),
    ("every mount's volume exists", all(m["name"] in vols for m in c["volumeMounts"])),
    ("no Bidirectional propagation (needs privileged)",
        all(m.get("mountPropagation") != "Bidirectional" for m in c["volumeMounts"])),
    ("resource limits", c["resources"]["limits"]["cpu"] and c["resources"]["limits"]["memory"]
        and c["resources"]["requests"]["memory"]),
    ("tolerates every taint", {"operator": "Exists"} in ds["tolerations"]),
    ("liveness on /healthz", c["livenessProbe"]["httpGet"]["path"] == "/healthz"),
    ("metrics port 9771", c["ports"][0]["containerPort"] == 9771),
    ("no service account token", ds.get("automountServiceAccountToken") is False),
]
for name, good in checks:
    print(("ok " if good else "not ") + name)
open(sys.argv[2], "w").write(kinds["ConfigMap"]["data"]["zombiecg.conf"])
PY
)
	ok $? "daemonset.yaml parses as YAML"
	printf '%s\n' "$out" | while read -r verdict name; do
		[ "$verdict" = ok ]
		echo "$? $name"
	done > "$TMP/k8s.checks"
	while read -r rc name; do ok "$rc" "kubernetes: $name"; done < "$TMP/k8s.checks"
	like "$("$ZCG" daemon --config "$TMP/k8s.conf" --check-config 2>&1)" "valid" "kubernetes: the ConfigMap's configuration is valid"
else
	skip "no python3 with yaml"
fi

# The image: Debian's slim base and the package (tests/root/runc.t builds and runs it)
CF=deploy/kubernetes/Containerfile
is "$(grep -E '^FROM ' "$CF")" "FROM debian:bookworm-slim" "Containerfile: FROM debian:bookworm-slim"
grep -qE 'apt-get install .*/tmp/zombiecg_\*_amd64\.deb' "$CF"
ok $? "Containerfile: installs the package from make deb with apt"
is "$(sed -n 's/^ENTRYPOINT //p' "$CF")" '["/usr/bin/zombiecg"]' "Containerfile: ENTRYPOINT the packaged binary"
if command -v python3 >/dev/null 2>&1 && python3 -c 'import yaml' 2>/dev/null; then
	args=$(python3 -c 'import sys, yaml, json
ds = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d["kind"] == "DaemonSet"][0]
print(json.dumps(ds["spec"]["template"]["spec"]["containers"][0]["args"]))' "$K8S")
	is "$args" "$(sed -n 's/^CMD //p' "$CF")" "Containerfile: CMD is the DaemonSet's args"
else
	skip "no python3 with yaml"
fi

# --- Prometheus alerts ---------------------------------------------------------------------
if command -v promtool >/dev/null 2>&1; then
	promtool check rules deploy/prometheus/alerts.yml >/dev/null 2>&1
	ok $? "promtool check rules deploy/prometheus/alerts.yml"
	out=$(cd deploy/prometheus && promtool test rules alerts.test.yml 2>&1)
	ok $? "promtool test rules: every alert fires when it should"
	[ $? -eq 0 ] || printf '%s\n' "$out" | sed 's/^/# /'
else
	skip "no promtool"; skip "no promtool"
fi

# --- Grafana -------------------------------------------------------------------------------
G=deploy/grafana/zombiecg-dashboard.json
jq -e . "$G" >/dev/null
ok $? "dashboard is JSON"
is "$(jq -r '[.panels[] | select((.targets | length) == 0)] | length' "$G")" 0 "every panel has a query"
is "$(jq -r '.uid' "$G")" zombiecg "dashboard uid"

# --- every zombiecg_* metric named in deploy/ exists -----------------------------------------
printf 'history_file = off\nlisten = off\ntextfile_dir = %s\n' "$TMP" > "$TMP/once.conf"
"$ZCG" --sysroot tests/fixtures/v2 daemon --config "$TMP/once.conf" --once 2>/dev/null
families=$(sed -n 's/^# TYPE \([a-z_]*\) .*/\1/p' "$TMP/zombiecg.prom")
for name in $(grep -ohE 'zombiecg_[a-z_]+' deploy/prometheus/alerts.yml "$G" | sort -u); do
	printf '%s\n' "$families" | grep -qx "$name" || echo "$name"
done > "$TMP/unknown"
is "$(cat "$TMP/unknown")" "" "alerts and dashboard name only metrics the daemon exports"

done_testing
