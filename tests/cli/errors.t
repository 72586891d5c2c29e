#!/bin/sh
# Bad input: each gets a clear message naming what and where, and the documented exit code.
. "$(dirname "$0")/../lib/tap.sh"
cd "$TOP" || exit 1
F=tests/fixtures

run 2 "unknown command 'frobnicate'" "unknown command" -- frobnicate
run 2 "unknown option.*--bogus" "unknown global option" -- --bogus status
run 2 "unknown option.*--bogus" "unknown command option" -- --sysroot $F/v2 status --bogus
run 2 "unexpected argument 'extra'" "stray argument" -- --sysroot $F/v2 status extra
run 2 "Usage: zombiecg" "no command" --
# A missing option argument names the option (not a control byte, not nothing).
run 2 "^zombiecg: status: option '--under' requires an argument" "status --under without its argument" -- status --under
run 2 "^zombiecg: option '--sysroot' requires an argument" "--sysroot without its argument" -- --sysroot
run 2 "^zombiecg: reap: option '--max-cpu' requires an argument" "reap --max-cpu without its argument" -- reap --max-cpu
run 2 "^zombiecg: history: option '--file' requires an argument" "history --file without its argument" -- history --file
out=$("$ZCG" --bogus status 2>&1)
! printf '%s' "$out" | grep -q 'zombiecg: zombiecg:'
ok $? "unknown global option: 'zombiecg:' once ($out)"
run 2 "unknown option '-x'" "unknown short option" -- status -x
run 2 "option '--json' takes no argument" "--json=foo names --json, not -J" -- --sysroot $F/v2 status --json=foo
! "$ZCG" --sysroot $F/v2 status --json=foo 2>&1 | grep -q -- "'-J'"
ok $? "--json=foo: no '-J' in the message"
# Numbers: plain decimals in a stated range.
run 2 "--max-cpu 0 is out of range: from 0.01 to 100" "reap --max-cpu 0: the range" -- --sysroot $F/v2 reap --dry-run --max-cpu 0
run 2 "--max-cpu 101 is out of range: from 0.01 to 100" "reap --max-cpu 101: the range" -- --sysroot $F/v2 reap --dry-run --max-cpu 101
run 2 "--max-cpu '0x10' is not a number" "reap --max-cpu 0x10 (hex) refused" -- --sysroot $F/v2 reap --dry-run --max-cpu 0x10
run 2 "--max-cpu '1e-300' is not a number" "reap --max-cpu 1e-300 refused" -- --sysroot $F/v2 reap --dry-run --max-cpu 1e-300
run 2 "--max-rate '1e9' is not a number \(MiB/s" "reap --max-rate 1e9 refused" -- --sysroot $F/v2 reap --dry-run --max-rate 1e9
run 2 "--max-rate 0 is out of range: from 0.01 to 1000000 \(MiB/s\)" "reap --max-rate 0: the range" -- --sysroot $F/v2 reap --dry-run --max-rate 0
run 2 "--timeout '0x10' is not a number" "drain --timeout 0x10 refused" -- drain --timeout 0x10 /x
run 2 "--size-mb '1e-300' is not a size" "repro --size-mb 1e-300 refused" -- repro pagecache --size-mb 1e-300
run 2 "--count '0x10'" "repro --count 0x10 refused" -- repro pagecache --count 0x10
run 2 "--size-mb 0.0000001 is out of range: from 0.000001" "repro --size-mb below a byte: the range" -- repro pagecache --size-mb 0.0000001
run 2 "--since '0x10' is not a duration" "history --since 0x10 refused" -- history --since 0x10
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

# --json anywhere on the line makes errors JSON, also after the option that failed.
out=$("$ZCG" --sysroot $F/v2 status --bogus --json 2>/dev/null)
is "$?" 2 "--json after a bad option: exit 2"
is "$(printf '%s' "$out" | jq -r .error)" "status: unknown option '--bogus'" "--json after a bad option: the error is JSON"
out=$("$ZCG" --sysroot $F/v2 reap --max-cpu 0 -J 2>/dev/null)
like "$(printf '%s' "$out" | jq -r .error)" "out of range" "-J after a bad value: the error is JSON"

out=$("$ZCG" --json 2>/dev/null)
is "$?" 2 "--json without a command: exit 2"
like "$(printf '%s' "$out" | jq -r .error)" "missing command" "--json without a command: a JSON error"

# Writing stdout can fail: exit 1 and say so.
if [ -w /dev/full ]; then
	for args in "status --json" "status" "list" "explain --json" "--help"; do
		out=$("$ZCG" --sysroot $F/v2 $args 2>&1 >/dev/full)
		is "$?" 1 "zombiecg $args > /dev/full: exit 1"
		like "$out" "cannot write standard output" "zombiecg $args > /dev/full: message"
	done
else
	skip "no /dev/full"
fi

"$ZCG" --help | grep -q '^Usage: zombiecg'
ok $? "--help prints usage"
"$ZCG" status --help | grep -q '^Usage: zombiecg status'
ok $? "COMMAND --help prints the command's usage"
like "$("$ZCG" --version)" '^zombiecg [0-9]' "--version"
done_testing
