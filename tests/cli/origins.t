#!/bin/sh
# zombiecg origins on a saved v2 tree (cgroupfs: one origin per live parent holding zombies):
#
#   /                                        1 zombie directly below      -> generic /*
#   /system.slice/backup.service             2 below, backup.timer in     -> systemd-timer, drain drop-in
#                                            etc/systemd/system
#   /kubepods/burstable/pod<UID>             3 below                      -> kubernetes-container
#   /user.slice/user-1000.slice              2 below                      -> user-session, enable-linger 1000
# The naming schemes of former paths (BPF) are unit-tested in tests/unit/origins.c; the root
# test tests/root/origins.t makes real zombies under such names.
. "$(dirname "$0")/../lib/tap.sh"
cd "$TOP" || exit 1
FIX=tests/fixtures/origins

out=$("$ZCG" --sysroot $FIX origins --json)
is "$?" 0 "origins --json: exit 0"
is "$(printf '%s' "$out" | jq -c 'keys')" '["origins","removal_tracing"]' "keys: origins, removal_tracing"
is "$(printf '%s' "$out" | jq -c .removal_tracing)" null "no daemon state in the fixture: removal_tracing null"
is "$(printf '%s' "$out" | jq -c '[.origins[] | .ages, .removed_by, .restarts] | unique')" '[null]' \
	"without a daemon and on a saved tree: ages, removed_by and restarts null"
is "$(printf '%s' "$out" | jq -c '[.origins[] | keys_unsorted] | unique')" \
	'[["origin","kind","pattern","dying","pinned_bytes","kernel_overhead_bytes","oldest_age_s","newest_age_s","examples","rate_per_hour","ages","removed_by","restarts","advice"]]' \
	"every origin has exactly the documented fields"
is "$(printf '%s' "$out" | jq -r '[.origins[] | "\(.pattern)=\(.kind):\(.dying)"] | join(" ")')" \
	"/kubepods/burstable/pod*/*=kubernetes-container:3 /system.slice/backup.service/*=systemd-timer:2 /user.slice/user-1000.slice/*=user-session:2 /*=generic:1" \
	"grouped by live parent, the most zombies first"
is "$(printf '%s' "$out" | jq -r '.origins[] | select(.kind == "user-session") | .origin')" \
	"sessions and user manager of uid 1000" "below a user's slice: its sessions and manager"
like "$(printf '%s' "$out" | jq -r '.origins[] | select(.kind == "user-session") | .advice')" \
	"^loginctl enable-linger 1000 .*/etc/systemd/system/user@1000.service.d/" "session advice: linger, or drain on user@1000"
like "$(printf '%s' "$out" | jq -r '.origins[] | select(.kind == "systemd-timer") | .advice')" \
	"^the drain drop-in zombiecg-drain.conf .* in /etc/systemd/system/backup.service.d/" "timer advice: the drain drop-in"
is "$(printf '%s' "$out" | jq -r '[.origins[] | select(.kind == "kubernetes-container" or .kind == "generic") | .advice] | unique | join(",")')" \
	"" "no advice for containers and generic origins (null)"
is "$(printf '%s' "$out" | jq -r '[.origins[] | .examples, .oldest_age_s, .newest_age_s, .rate_per_hour, .kernel_overhead_bytes] | unique | join(",")')" \
	"" "estimated: examples, ages, rate and kernel overhead null"
is "$(printf '%s' "$out" | jq -r '[.origins[].pinned_bytes] | join(" ")')" "4194304 2097152 1048576 2097152" \
	"pinned bytes: the parents' estimates"

# --under narrows to a subtree
out=$("$ZCG" --sysroot $FIX --under /kubepods origins --json)
is "$(printf '%s' "$out" | jq -r '[.origins[].pattern] | join(" ")')" "/kubepods/burstable/pod*/*" "--under /kubepods: the pod's containers only"
out=$("$ZCG" --sysroot $FIX --under /system.slice/backup.service origins --json)
is "$(printf '%s' "$out" | jq -r '[.origins[].kind] | join(" ")')" "systemd-timer" "--under the service"

# without the timer unit the service is a plain one, with no advice
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT
cp -a $FIX "$TMP/root" && rm "$TMP/root/etc/systemd/system/backup.timer"
out=$("$ZCG" --sysroot "$TMP/root" origins --json)
is "$(printf '%s' "$out" | jq -r '.origins[] | select(.origin == "backup.service") | "\(.kind) \(.advice)"')" \
	"systemd-service null" "no backup.timer: a service, no advice"

# human output: the table, then what stops them
out=$("$ZCG" --sysroot $FIX origins)
is "$?" 0 "origins: exit 0"
like "$out" "^cgroupfs cannot name zombies: origins by live parent" "says it is an estimate"
like "$out" "^ORIGIN +KIND +DYING +PINNED +KERNEL +OLDEST +NEWEST +RATE/H +PATTERN" "table header"
like "$out" "^kubernetes burstable containers +kubernetes-container +3 +4.0 MiB +- +- +- +- +/kubepods/burstable/pod\*/\*" "a row"
like "$out" "^What stops them at the source:" "advice block"
like "$out" "^  backup.service: the drain drop-in" "advice per origin"

# the daemon's metric: the same grouping, top_origins bounds it, the rest is other
printf 'history_file = off\nlisten = off\ntextfile_dir = %s\ntop_origins = 2\n' "$TMP" > "$TMP/once.conf"
"$ZCG" --sysroot $FIX daemon --config "$TMP/once.conf" --once 2>/dev/null
ok $? "daemon --once on the fixture"
is "$(grep '^zombiecg_dying_memcgs_by_origin{' "$TMP/zombiecg.prom")" \
'zombiecg_dying_memcgs_by_origin{origin="kubernetes burstable containers",kind="kubernetes-container"} 3
zombiecg_dying_memcgs_by_origin{origin="backup.service",kind="systemd-timer"} 2
zombiecg_dying_memcgs_by_origin{origin="other",kind="generic"} 3' "by origin: the top 2 (timer looked up) and other"

# no zombies
out=$("$ZCG" --sysroot tests/fixtures/v2 --under /user.slice origins)
like "$out" "^No dying memcgs under /user.slice" "none under a subtree without zombies"
is "$("$ZCG" --sysroot tests/fixtures/v2 --under /user.slice origins --json | jq -c .)" '{"removal_tracing":null,"origins":[]}' "JSON: an empty list"
# v1 estimate: counts unknown below a parent, null
out=$("$ZCG" --sysroot tests/fixtures/hybrid-v1 origins --json)
is "$?" 0 "v1 fixture: exit 0"
is "$(printf '%s' "$out" | jq -r '[.origins[] | "\(.pattern)=\(.dying)"] | join(" ")')" "/a/*=null /*=null" "v1: dying per parent unknown (null)"
"$ZCG" --sysroot $FIX origins extra > /dev/null 2>&1
is "$?" 2 "an argument: usage error"
done_testing
