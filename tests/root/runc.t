#!/bin/sh
# The DaemonSet's container, run for real: the image's root filesystem is built from the .deb
# by carrying out deploy/kubernetes/Containerfile (tests/lib/oci-rootfs.sh: debootstrap
# minbase bookworm for debian:bookworm-slim, cached in build/oci/), and runc runs it from a
# bundle whose config.json is written from deploy/kubernetes/daemonset.yaml
# (tests/lib/oci-config.py: host PID namespace, the manifest's mounts, exactly its
# capabilities, not privileged, no new privileges, read-only root, the runtimes' default
# seccomp profile, its CPU and memory limits). Against zombies made outside the container:
#
#   <memory root>/zombiecg-test.<pid>/
#       pc/z<i>       removed: each wrote 1 MiB of its own file (page cache pins it)
#       pcd/z<i>      the same, for the daemon
#       runc-<n>      the container's own cgroup (every v1 controller has one)
#
# the census sees them, explain names their files under /host, reap frees them, and without
# the manifest's /host mount it cannot (no mount to open the files by handle); the daemon
# with the ConfigMap's configuration serves /healthz and /metrics on the pod's network and
# frees the zombies past its grace period. Host only (runc, debootstrap): not in the VM lab.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/cg.sh"
cg_require_root
[ -n "${ZCG_VM:-}" ] && skip_all "the VM lab's guests have no runc"
for t in runc debootstrap python3 jq dpkg-deb nsenter; do
	command -v "$t" >/dev/null 2>&1 || skip_all "no $t (make deps installs runc, debootstrap)"
done
python3 -c 'import yaml' 2>/dev/null || skip_all "no python3-yaml"
SECCOMP=${ZCG_SECCOMP_PROFILE:-/usr/share/containers/seccomp.json}
[ -r "$SECCOMP" ] || skip_all "no default seccomp profile $SECCOMP (golang-github-containers-common)"
"$ZCG" list --json 2>/dev/null | jq -e '.source == "bpf"' >/dev/null ||
	skip_all "the container's census and reap need BPF here: $("$ZCG" list --json | jq -r .source_note)"
B=${BUILD:-build}
case $B in /*) ;; *) B=$TOP/$B ;; esac
K8S=$TOP/deploy/kubernetes/daemonset.yaml
CF=$TOP/deploy/kubernetes/Containerfile
N=8

# --- the image -----------------------------------------------------------------------------
if ! ls "$B"/deb/zombiecg_*_amd64.deb >/dev/null 2>&1; then
	(cd "$TOP" && make -s deb BUILD="$B" >/dev/null 2>&1) || skip_all "make deb failed (tests/cli/deb.t says why)"
fi
deb=$(ls "$B"/deb/zombiecg_*_amd64.deb | head -n 1)
key=$(cat "$CF" "$deb" | sha256sum | cut -c1-16)
IMG=$B/oci/image-$key
if [ ! -f "$IMG/image.json" ]; then
	rm -rf "$B"/oci/image-*
	mkdir -p "$IMG"
	ZCG_OCI_CACHE=$B/oci "$TOP/tests/lib/oci-rootfs.sh" "$CF" "$B/deb" "$IMG/rootfs" "$IMG/image.json.tmp" \
		> "$B/oci/build.log" 2>&1
	rc=$?
	[ $rc = 0 ] && mv "$IMG/image.json.tmp" "$IMG/image.json"
else
	rc=0
fi
ok $rc "the Containerfile's steps build the root filesystem from $(basename "$deb")"
[ $rc = 0 ] || { sed 's/^/# /' "$B/oci/build.log" | tail -n 20; done_testing; }
[ -x "$IMG/rootfs/usr/bin/zombiecg" ] && dpkg-query --admindir="$IMG/rootfs/var/lib/dpkg" -W -f='${Status}' zombiecg | grep -q 'install ok installed'
ok $? "the image has the package installed by dpkg (its dependencies by apt)"

cg_setup
W=$TESTDIR/runc
mkdir -p "$W/state"
NOOOM=
sh -c 'echo -997 > /proc/self/oom_score_adj' 2>/dev/null || {
	NOOOM=--no-oom-score-adj
	diag "this host cannot lower oom_score_adj (no CAP_SYS_RESOURCE): the bundle leaves out the kubelet's -997"
}
cleanup_runc() {
	for id in $(runc list -q 2>/dev/null | grep "^zcg-test-$$-"); do runc delete -f "$id" >/dev/null 2>&1; done
	for d in /sys/fs/cgroup/*/"$TESTCG" /sys/fs/cgroup/unified/"$TESTCG"; do
		[ "$d" = "$MEMROOT$TESTCG" ] && continue
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
	cg_teardown
}
trap cleanup_runc EXIT

# bundle NAME ARGS_JSON [oci-config.py options...]: writes $W/NAME/config.json
n=0
bundle() {
	_b=$W/$1 _a=$2
	shift 2
	n=$((n + 1))
	mkdir -p "$_b"
	python3 "$TOP/tests/lib/oci-config.py" --manifest "$K8S" --rootfs "$IMG/rootfs" --image "$IMG/image.json" \
		--seccomp "$SECCOMP" --cgroups-path "$TESTCG/runc-$n" --work "$_b/pod" \
		--map /var/lib/zombiecg="$W/state" --args "$_a" $NOOOM "$@" > "$_b/config.json"
}
# run NAME ARGS_JSON [options]: runs it to completion; stdout, stderr in $W/NAME.{out,err}
run() {
	_name=$1
	bundle "$@" || return 1
	(cd "$W/$_name" && runc run -b "$W/$_name" "zcg-test-$$-$_name" < /dev/null > "$W/$_name.out" 2> "$W/$_name.err")
	_rc=$?
	runc delete -f "zcg-test-$$-$_name" >/dev/null 2>&1
	return $_rc
}

# --- the bundle is what the manifest asks for ----------------------------------------------
bundle probe '["/bin/true"]'
C=$W/probe/config.json
is "$(jq -c '[.linux.namespaces[].type] | sort' "$C")" '["ipc","mount","network","uts"]' "bundle: host PID namespace (hostPID), the pod's own network, IPC, UTS, mounts"
is "$(jq -c '.process.capabilities | [.bounding, .effective, .permitted] | unique | .[0]' "$C")" \
	'["CAP_BPF","CAP_DAC_READ_SEARCH","CAP_PERFMON","CAP_SYS_ADMIN","CAP_SYS_PTRACE"]' "bundle: exactly the manifest's five capabilities"
is "$(jq -c '.process.capabilities | [.inheritable, .ambient]' "$C")" '[[],[]]' "bundle: none inheritable or ambient"
is "$(jq -c '[.root.readonly, .process.noNewPrivileges, .process.user.uid]' "$C")" '[true,true,0]' "bundle: read-only root, no new privileges, uid 0"
is "$(jq -c '[.mounts[] | select(.type == "bind" and (.destination | startswith("/etc/h") or startswith("/etc/r") or startswith("/dev/t") | not)) | [.destination, .source, (.options | join(","))]]' "$C")" \
	"$(printf '[["/sys/fs/cgroup","/sys/fs/cgroup","rbind,rprivate,rw"],["/var/lib/zombiecg","%s","rbind,rprivate,rw"],["/etc/zombiecg","%s","rbind,rprivate,ro"],["/host","/","rbind,rslave,ro"]]' "$W/state" "$W/probe/pod/configmap-config")" \
	"bundle: the manifest's host mounts (cgroupfs rw, state, ConfigMap ro, host root ro rslave)"
is "$(jq -r '.mounts[] | select(.destination == "/run/zombiecg") | [.type, (.options | join(","))] | join(" ")' "$C")" "tmpfs nosuid,nodev,mode=755,size=16777216" \
	"bundle: /run/zombiecg is the 16Mi memory emptyDir"
is "$(jq -c '.linux.resources | [.memory.limit, .cpu.quota, .cpu.period, .cpu.shares]' "$C")" '[67108864,10000,100000,10]' "bundle: 64Mi memory limit, 100m CPU limit, 10m request"
is "$(jq -r '.linux.seccomp | [.defaultAction, (.syscalls | map(select(.action == "SCMP_ACT_ALLOW")) | map(.names[]) | map(select(. == "bpf" or . == "perf_event_open" or . == "open_by_handle_at" or . == "kcmp")) | sort | join(","))] | join(" ")' "$C")" \
	"SCMP_ACT_ERRNO bpf,kcmp,open_by_handle_at,perf_event_open" \
	"bundle: default seccomp profile, denying by default, its capability-gated syscalls opened by the five capabilities"
like "$(jq -r '[.linux.seccomp.syscalls[] | select(.action == "SCMP_ACT_ALLOW") | .names[]] | join(" ")' "$C")" '^' "(profile: $(basename "$SECCOMP"))"
is "$(jq -r '[.linux.seccomp.syscalls[] | select(.action == "SCMP_ACT_ALLOW") | .names[] | select(. == "chroot" or . == "init_module" or . == "iopl" or . == "settimeofday")] | length' "$C")" 0 \
	"bundle: syscalls of capabilities the container lacks stay denied (chroot, init_module, iopl, settimeofday)"

# --- inside the container -------------------------------------------------------------------
run self '[]' --command '["/bin/sh","-c","grep -E \"^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):\" /proc/self/status; if touch /probe 2>/dev/null; then echo root-writable; else echo root-read-only; fi; [ -d /proc/1/ns ] && cat /proc/1/comm"]'
ok $? "runc runs the image (sh -c as the container's process)"
want_caps=$(printf '%016x' $(((1 << 21) | (1 << 39) | (1 << 38) | (1 << 2) | (1 << 19))))
is "$(awk '$1=="CapEff:"{print $2}' "$W/self.out")" "$want_caps" "in the container: CapEff is exactly SYS_ADMIN BPF PERFMON DAC_READ_SEARCH SYS_PTRACE"
is "$(awk '$1=="CapBnd:"{print $2}' "$W/self.out")" "$want_caps" "in the container: CapBnd the same"
is "$(awk '$1=="CapInh:"||$1=="CapAmb:"{printf "%s ", $2}' "$W/self.out")" "0000000000000000 0000000000000000 " "in the container: nothing inheritable or ambient"
is "$(awk '$1=="NoNewPrivs:"||$1=="Seccomp:"{printf "%s ", $2}' "$W/self.out")" "1 2 " "in the container: no_new_privs, seccomp filter mode"
grep -qx root-read-only "$W/self.out"
ok $? "in the container: the root filesystem is read-only"
is "$(tail -n 1 "$W/self.out")" "$(cat /proc/1/comm)" "in the container: PID 1 is the host's ($(cat /proc/1/comm))"
[ -s "$W/self.err" ] && sed 's/^/# runc: /' "$W/self.err"

# --- zombies made outside ------------------------------------------------------------------
mkzombies() { # mkzombies DIR FILEDIR: N zombies below $TESTCG/DIR, each pinned by 1 MiB of its own file
	mkdir -p "$MEMROOT$TESTCG/$1"
	i=0
	while [ $i -lt $N ]; do
		mkdir "$MEMROOT$TESTCG/$1/z$i"
		cg_write "$TESTCG/$1/z$i" "$2/$1.$i" 1024
		rmdir "$MEMROOT$TESTCG/$1/z$i"
		i=$((i + 1))
	done
}
dying_below() { "$ZCG" list --json --under "$TESTCG/$1" | jq '.zombies | length'; }
# held_below DIR FILEDIR: zombies' pins on the test's files (what is left once they are
# freed is the filesystems' metadata in their block devices' own cache: README, Deploying)
held_below() {
	"$ZCG" explain --json --under "$TESTCG/$1" | jq --arg d "$2/$1." '[.zombies[].pins[] | select(.path != null and (.path | startswith($d)))] | length'
}
freed_all() { # freed_all DIR FILEDIR DESCRIPTION
	_left=$(dying_below "$1")
	if [ "$_left" = 0 ]; then
		ok 0 "$3: all $N"
	else
		is "$(held_below "$1" "$2")" 0 "$3 ($_left left, held by none of the test's files)"
		diag "what holds them: $("$ZCG" explain --json --under "$TESTCG/$1" | jq -c '[.zombies[].pins[] | {kind, path, bytes}] | unique' | head -c 400)"
	fi
}
mkzombies pc "$TESTDIR"
is "$(dying_below pc)" $N "on the host: $N page-cache zombies below $TESTCG/pc (files on the root filesystem)"

run status '["status","--json"]'
ok $? "container: zombiecg status --json"
is "$(jq -r '[.hierarchy, .source, .memory_root] | join(" ")' "$W/status.out")" "$HIER bpf $MEMROOT" "container: the host's $HIER hierarchy, BPF census"
run list "[\"list\",\"--json\",\"--under\",\"$TESTCG/pc\"]"
ok $? "container: zombiecg list --under $TESTCG/pc"
is "$(jq '.zombies | length' "$W/list.out")" $N "container: the census sees the $N zombies made outside"
run explain "[\"explain\",\"--json\",\"--under\",\"$TESTCG/pc\"]"
is "$(jq --arg d "/host$TESTDIR/pc." '[.zombies[].pins[] | select(.path != null and (.path | startswith($d)))] | length' "$W/explain.out")" $N \
	"container: explain names each zombie's file under /host ($(jq -r '[.zombies[].pins[] | select(.path != null)][0].path' "$W/explain.out"))"
run reap-pc "[\"reap\",\"--json\",\"--under\",\"$TESTCG/pc\"]"
rc=$?
[ $rc = 0 ] || [ $rc = 3 ]
ok $? "container: zombiecg reap --under $TESTCG/pc (exit $rc)"
freed_all pc "$TESTDIR" "container: reap freed the page-cache zombies"

# A filesystem the host mounted on its own (as a node's separate /var/lib/containerd disk, or
# a pod's volume): a loop-mounted ext4 below a shared mount point, so that mounts made there
# later propagate to the container's /host (HostToContainer).
M=$TESTDIR/mnt
mkdir -p "$M" && mount --bind "$M" "$M" && mount --make-shared "$M"
ok $? "a shared mount point $M on the host"
mkvol() { # mkvol NAME: a fresh 64 MiB ext4 mounted at $M/NAME
	truncate -s 64M "$TESTDIR/$1.img" && mkfs.ext4 -q -F "$TESTDIR/$1.img" && mkdir -p "$M/$1" &&
		mount -o loop "$TESTDIR/$1.img" "$M/$1"
}
umount_vols() { umount "$M"/* 2>/dev/null; umount "$M" 2>/dev/null; }
trap 'umount_vols; cleanup_runc' EXIT
if mkvol vol; then
	ok 0 "a loop-mounted ext4 at $M/vol"
	mkzombies pv "$M/vol"
	is "$(dying_below pv)" $N "on the host: $N zombies pinned by files on it"
	# The manifest without its /host mount (as it was): the container has no mount of that
	# filesystem, so it cannot open the files by handle, and frees none.
	run reap-nohost "[\"reap\",\"--json\",\"--under\",\"$TESTCG/pv\"]" --drop-volume host
	rc=$?
	is "$rc:$(dying_below pv)" "3:$N" "container without the /host mount: reap frees none of them (exit 3, $N stay)"
	run reap-pv "[\"reap\",\"--json\",\"--under\",\"$TESTCG/pv\"]"
	rc=$?
	[ $rc = 0 ] || [ $rc = 3 ]
	ok $? "container with /host: zombiecg reap --under $TESTCG/pv (exit $rc)"
	cmp_ge "$(jq .evicted_bytes "$W/reap-pv.out")" $((N * 1024 * 1024 * 9 / 10)) \
		"container: reap evicted the files' pages ($(jq .evicted_bytes "$W/reap-pv.out") bytes)"
	freed_all pv "$M/vol" "container with /host: reap freed the zombies pinned by the host's other filesystem"
else
	skip "no loop device here: the other-filesystem cases need one"
fi

# --- the daemon, with the ConfigMap's configuration ----------------------------------------
mkdir "$MEMROOT$TESTCG/pcd"
bundle daemon '["daemon","--config","/etc/zombiecg/zombiecg.conf"]' \
	--config-override "$(printf 'under = %s/pcd\ninterval = 1s\ngrace_period = 2s\ncpu_budget = 50%%\n' "$TESTCG")"
(cd "$W/daemon" && exec runc run -b "$W/daemon" "zcg-test-$$-daemon" < /dev/null > "$W/daemon.out" 2> "$W/daemon.err") &
runc_pid=$!
cpid=
i=0
while [ $i -lt 100 ]; do
	cpid=$(runc state "zcg-test-$$-daemon" 2>/dev/null | jq -r 'select(.status == "running") | .pid')
	[ -n "$cpid" ] && [ "$cpid" != 0 ] && break
	sleep 0.1
	i=$((i + 1))
done
ok $([ -n "$cpid" ]; echo $?) "the daemon runs in the container (pid $cpid on the host)"
fetch() { # fetch PATH: HTTP GET on the pod's network (the container's netns), port 9771
	nsenter --net="/proc/$cpid/ns/net" bash -c 'exec 3<>/dev/tcp/127.0.0.1/9771 && printf "GET %s HTTP/1.0\r\n\r\n" "$1" >&3 && cat <&3' bash "$1" 2>/dev/null
}
i=0
until fetch /healthz | head -n 1 | grep -q ' 200 '; do
	i=$((i + 1)); [ $i -gt 100 ] && break; sleep 0.1
done
like "$(fetch /healthz | head -n 1)" ' 200 ' "daemon: /healthz on the pod's 0.0.0.0:9771 answers 200"
# zombies pinned by a filesystem mounted on the host after the container started
if mkvol late; then
	grep -q " /host$M/late " "/proc/$cpid/mountinfo"
	ok $? "HostToContainer: the filesystem the host mounted later is in the container at /host$M/late"
	d=$M/late
else
	skip "no loop device"
	d=$TESTDIR
fi
mkzombies pcd "$d"
is "$(dying_below pcd)" $N "on the host: $N zombies below $TESTCG/pcd (files in $d)"
i=0
until [ "$(held_below pcd "$d")" = 0 ] || [ $i -gt 60 ]; do sleep 0.5; i=$((i + 1)); done
# the counter is published when the step ends, after the pages went: wait for it too
reaped_now() { fetch /metrics | awk '$1=="zombiecg_reaped_total"{print $2}'; }
i=0
until [ "$(reaped_now)" -ge 1 ] 2>/dev/null || [ $i -gt 40 ]; do sleep 0.5; i=$((i + 1)); done
reaped=$(reaped_now)
cmp_ge "${reaped:-0}" 1 "daemon: zombiecg_reaped_total ${reaped:-none} after the grace period"
freed_all pcd "$d" "daemon: freed the zombies below $TESTCG/pcd past the grace period"
runc kill "zcg-test-$$-daemon" TERM
wait $runc_pid
is "$?" 0 "daemon: SIGTERM stops it, exit 0"
[ -s "$W/daemon.err" ] && tail -n 3 "$W/daemon.err" | sed 's/^/# daemon: /'
runc delete -f "zcg-test-$$-daemon" >/dev/null 2>&1
[ -f "$W/state/history" ]
ok $? "daemon: its history ring is on the host path /var/lib/zombiecg stands for"
done_testing
