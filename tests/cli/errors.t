#!/bin/sh
# Bad input: each gets a clear message naming what and where, and the documented exit code.
. "$(dirname "$0")/../lib/tap.sh"
cd "$TOP" || exit 1
F=tests/fixtures

run() { # expected-exit pattern description -- args
	want=$1 pattern=$2 desc=$3
	shift 4
	out=$("$ZCG" "$@" 2>&1)
	rc=$?
	is "$rc" "$want" "$desc: exit $want"
	like "$out" "$pattern" "$desc: message"
}

run 2 "unknown command 'frobnicate'" "unknown command" -- frobnicate
run 2 "unknown option.*--bogus" "unknown global option" -- --bogus status
run 2 "unknown option.*--bogus" "unknown command option" -- --sysroot $F/v2 status --bogus
run 2 "unexpected argument 'extra'" "stray argument" -- --sysroot $F/v2 status extra
run 2 "Usage: zombiecg" "no command" --
run 2 "missing argument|unknown option" "option without its argument" -- status --under
run 1 "no cgroup /nope in the memory hierarchy at /sys/fs/cgroup/memory" "--under missing cgroup" -- \
	--sysroot $F/hybrid-v1 status --under /nope
run 1 "/sys/fs/cgroup/unified is outside the memory hierarchy" "--under outside the hierarchy" -- \
	--sysroot $F/hybrid-v1 status --under /sys/fs/cgroup/unified
run 1 "'\.\.' is not allowed" "--under with .." -- --sysroot $F/hybrid-v1 list --under /a/../c
run 1 "no memory controller mounted" "no memory controller" -- --sysroot $F/nomemory status
run 1 "cannot read $F/missing/proc/self/mountinfo" "missing sysroot" -- --sysroot $F/missing status
run 1 "malformed $F/v1-malformed/sys/fs/cgroup/memory/a/memory.stat line 2: 'rss twelve'" \
	"malformed memory.stat" -- --sysroot $F/v1-malformed status
run 2 "unknown option.*--bogus" "explain: unknown option" -- --sysroot $F/v2 explain --bogus
run 1 "malformed $F/v1-malformed/sys/fs/cgroup/memory/a/memory.stat line 2" "explain: malformed memory.stat" -- \
	--sysroot $F/v1-malformed explain
run 2 "--recharge-tmpfs /nope: no cgroup /nope in the memory hierarchy" "reap: --recharge-tmpfs missing cgroup" -- \
	--sysroot $F/v2 reap --dry-run --recharge-tmpfs /nope
run 2 "--recharge-tmpfs /: .*/sys/fs/cgroup is the root cgroup" "reap: --recharge-tmpfs the root" -- \
	--sysroot $F/v2 reap --dry-run --recharge-tmpfs /
run 2 "--recharge-tmpfs /system.slice: .*/system.slice has no memory cgroup of its own" \
	"reap: --recharge-tmpfs without a memcg of its own" -- --sysroot $F/v2 reap --dry-run --recharge-tmpfs /system.slice
run 2 "unknown scenario 'bogus'" "repro: unknown scenario" -- repro bogus
run 2 "missing scenario" "repro: no scenario" -- repro
run 2 "--count 'abc'" "repro: bad --count" -- repro pagecache --count abc
run 2 "--size-mb '-3'" "repro: bad --size-mb" -- repro pagecache --size-mb -3
run 2 "--sysroot cannot be used" "repro: --sysroot" -- --sysroot $F/v2 repro pagecache

# JSON mode: errors are {"error": "..."} on stdout, exit codes unchanged.
out=$("$ZCG" --json --sysroot $F/v1-malformed status 2>/dev/null)
is "$?" 1 "JSON error: exit 1"
is "$(printf '%s' "$out" | jq -r .error)" \
	"malformed $F/v1-malformed/sys/fs/cgroup/memory/a/memory.stat line 2: 'rss twelve'" "JSON error object"
out=$("$ZCG" -J frobnicate 2>/dev/null)
is "$?" 2 "JSON usage error: exit 2"
like "$(printf '%s' "$out" | jq -r .error)" "unknown command" "JSON usage error object"

"$ZCG" --help | grep -q '^Usage: zombiecg'
ok $? "--help prints usage"
"$ZCG" status --help | grep -q '^Usage: zombiecg status'
ok $? "COMMAND --help prints the command's usage"
like "$("$ZCG" --version)" '^zombiecg [0-9]' "--version"
done_testing
