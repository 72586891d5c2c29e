#!/bin/sh
# explain's selection, verdicts and commands, and reap --id, on saved trees (tests/fixtures):
# no root, no BPF. What explain suggests is what reap's plan does (lib/plan.h; tests/unit/plan.c
# tests the plan itself).
. "$(dirname "$0")/../lib/tap.sh"
cd "$TOP" || exit 1
F=tests/fixtures
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# Without BPF an id or a name selects nothing: exit 1 naming it (as with BPF), not every row.
run 1 "cannot select zombie '12345' without BPF" "explain of an id without BPF" -- --sysroot $F/v2 explain 12345
run 1 "cannot select zombie 'z0' without BPF" "explain of a name without BPF" -- --sysroot $F/v2 explain z0
run 1 '"error": ".*12345' "explain --json of an id without BPF" -- --sysroot $F/v2 explain --json 12345
# A former path selects its nearest live ancestor's row, if that has zombies below it.
run 1 "no dying memcg matches '/system.slice/foo.service/gone': its nearest live cgroup, /system.slice/foo.service, has none below it" \
	"explain of a path below a cgroup without zombies" -- --sysroot $F/v2 explain /system.slice/foo.service/gone
run 1 "no dying memcg matches '/a/b/typo'" "v1: the same" -- --sysroot $F/hybrid-v1 explain /a/b/typo
run 1 "'/system.slice' is a live cgroup, not a dying one" "explain of a live cgroup" -- --sysroot $F/v2 explain /system.slice
run 1 "no dying memcg under /user.slice matches '/system.slice/gone'" "explain of a path outside --under" -- \
	--sysroot $F/v2 explain --under /user.slice /system.slice/gone
out=$("$ZCG" --sysroot $F/v2 explain --json /system.slice/gone.service)
ok $? "a former path below /system.slice: exit 0"
is "$(printf '%s' "$out" | jq -r '[.zombies[].path] | join(" ")')" /system.slice "... its row, and only that"

# The verdict is what can be done: a few swap entries do not make it "none".
out=$("$ZCG" --sysroot $F/v2 explain --json)
is "$(printf '%s' "$out" | jq -r '.zombies[] | select(.path == "/system.slice") | .action')" remove-file \
	"flush-evict, remove-file and swap pins: verdict remove-file"
like "$("$ZCG" --sysroot $F/v2 explain)" "zombies below /system.slice \(4\): 4.0 MiB, verdict remove-file" \
	"... in the human output too"

# Commands: without BPF nothing can target the zombies' pages alone, and explain says so
# instead of suggesting commands that would drop live cgroups' cache.
for f in v2 hybrid-v1; do
	cmds=$("$ZCG" --sysroot $F/$f explain | sed -n '/^Commands:/,$p')
	like "$cmds" "# nothing to run: without BPF" "$f: the commands say nothing can be run without BPF"
	! printf '%s\n' "$cmds" | grep -q -e 'dd ' -e 'count=0' -e '^  [^#]'
	ok $? "$f: no command, least of all a whole-file or whole-device eviction"
done

# reap --id: one zombie, which must be there.
run 2 "reap: --id 'x' is not a cgroup id" "reap --id x" -- --sysroot $F/v2 reap --dry-run --id x
run 2 "reap: --id '0' is not a cgroup id" "reap --id 0" -- --sysroot $F/v2 reap --dry-run --id 0
run 1 "cannot select zombie 12345 without BPF" "reap --id without BPF" -- --sysroot $F/v2 reap --dry-run --id 12345

# status: "run without --under" only when --under was given (a namespaced mount has no total
# either way).
cp -r $F/hybrid-v1/. "$tmp/"
sed -i 's|^35 31 0:32 / |35 31 0:32 /docker/abc |' "$tmp/proc/self/mountinfo"
out=$("$ZCG" --sysroot "$tmp" status)
ok $? "status on a namespaced v1 mount"
! printf '%s' "$out" | grep -q 'without --under'
ok $? "no --under given: no hint to run without it"
like "$out" "Dying memcgs      unknown: /proc/cgroups counts the whole hierarchy" "... but why the count is unknown"
like "$("$ZCG" --sysroot "$tmp" status --under /a)" "run without --under" "--under given: the hint"
done_testing
