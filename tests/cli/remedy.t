#!/bin/sh
# explain's selection, verdicts and commands, and reap --id, on saved trees (tests/fixtures):
# no root, no BPF. What explain suggests is what reap's plan does (lib/plan.h; tests/unit/plan.c
# tests the plan itself).
. "$(dirname "$0")/../lib/tap.sh"
cd "$TOP" || exit 1
F=tests/fixtures
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

run() { # expected-exit pattern description -- args
	want=$1 pattern=$2 desc=$3
	shift 4
	out=$("$ZCG" "$@" 2>&1)
	rc=$?
	is "$rc" "$want" "$desc: exit $want"
	like "$out" "$pattern" "$desc: message"
}

# reap --id: one zombie, which must be there.
run 2 "reap: --id 'x' is not a cgroup id" "reap --id x" -- --sysroot $F/v2 reap --dry-run --id x
run 2 "reap: --id '0' is not a cgroup id" "reap --id 0" -- --sysroot $F/v2 reap --dry-run --id 0
run 1 "cannot select zombie 12345 without BPF" "reap --id without BPF" -- --sysroot $F/v2 reap --dry-run --id 12345

done_testing
