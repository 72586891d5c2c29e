#!/bin/sh
# Golden output of status, list and explain (its estimate) on saved /proc and /sys trees (tests/fixtures), human and
# JSON. ZCG_UPDATE_GOLDEN=1 rewrites the expected files after a deliberate change.
. "$(dirname "$0")/../lib/tap.sh"
cd "$TOP" || exit 1
G=tests/golden
tmp=$(mktemp) || exit 1
trap 'rm -f "$tmp"' EXIT

# What only depends on who runs the test is taken out.
normalize() { grep -v '^Running as root adds' | grep -v '"privileged"'; }

check() { # name, then the zombiecg arguments
	name=$1
	shift
	"$ZCG" "$@" 2>&1 | normalize > "$tmp"
	if [ -n "$ZCG_UPDATE_GOLDEN" ]; then
		cp "$tmp" "$G/$name"
	fi
	if diff -u "$G/$name" "$tmp" > "$tmp.diff" 2>&1; then
		ok 0 "golden $name: zombiecg $*"
	else
		ok 1 "golden $name: zombiecg $*"
		sed 's/^/# /' "$tmp.diff"
	fi
	rm -f "$tmp.diff"
}

for f in hybrid-v1 v2 v2-old; do
	check "$f.status" --sysroot tests/fixtures/$f status
	check "$f.status.json" --sysroot tests/fixtures/$f status --json
	check "$f.list" --sysroot tests/fixtures/$f list
	check "$f.list.json" --sysroot tests/fixtures/$f list -J
done
for f in hybrid-v1 v2; do
	check "$f.explain" --sysroot tests/fixtures/$f explain
	check "$f.explain.json" --sysroot tests/fixtures/$f explain --json
done
check "v2.explain.select.json" --sysroot tests/fixtures/v2 explain --json /system.slice/gone.service
check "hybrid-v1.status.under.json" --sysroot tests/fixtures/hybrid-v1 --under /sys/fs/cgroup/memory/a status --json
check "v2.list.under.json" --sysroot tests/fixtures/v2 list --json --under /system.slice

# Every JSON output parses, and numbers are numbers.
for f in hybrid-v1 v2; do
	out=$("$ZCG" --sysroot tests/fixtures/$f status --json)
	is "$(printf '%s' "$out" | jq -r '[.live, .dying, .pinned_bytes, .memcg_ids_max] | map(type) | join(",")')" \
		"number,number,number,number" "$f: counts are JSON numbers"
done
done_testing
