#!/bin/sh
# --sysroot is a sandbox: the live host is refused under another name, and what runs on a
# saved tree keeps its state (history, journals) below it, never the host's.
. "$(dirname "$0")/../lib/tap.sh"
cd "$TOP" || exit 1
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT

run 2 "empty sysroot is the live host; to read the live host, run without --sysroot" "--sysroot ''" -- --sysroot "" status
run 2 "--sysroot / is the live host's root; to read the live host, run without --sysroot" "--sysroot /" -- --sysroot / status
run 2 "live host's root" "--sysroot //. (the same /)" -- --sysroot //. list
out=$("$ZCG" --json --sysroot / status 2>/dev/null)
like "$(printf '%s' "$out" | jq -r .error)" "live host" "--sysroot /: JSON error"

# A journal left in the run directory is the host's: a run on a saved tree never replays it.
mkdir -p "$TMP/run"
printf 'garbage\n' > "$TMP/run/memory-min.journal"
out=$(ZCG_RUN_DIR=$TMP/run "$ZCG" --sysroot tests/fixtures/v2 status 2>&1 >/dev/null)
is "$out" "" "status --sysroot: no journal recovery attempted"

# daemon --once with the built-in history path: written below the sysroot.
cp -a tests/fixtures/v2 "$TMP/root"
printf 'interval = 200ms\nlisten = off\nidle_priority = no\n' > "$TMP/c.conf"
host_before=$(ls -l --time-style=full-iso /var/lib/zombiecg/history 2>/dev/null)
"$ZCG" --sysroot "$TMP/root" daemon --config "$TMP/c.conf" --once > "$TMP/out" 2>&1
is "$?" 0 "daemon --once on a saved tree"
[ -s "$TMP/root/var/lib/zombiecg/history" ]
ok $? "the default history ring is below the sysroot"
is "$(ls -l --time-style=full-iso /var/lib/zombiecg/history 2>/dev/null)" "$host_before" "the host's history is untouched"
# and `history` finds it there by the same default
out=$("$ZCG" --sysroot "$TMP/root" history --json 2>&1)
is "$(printf '%s' "$out" | jq -r '.samples | length' 2>/dev/null)" 1 "history --sysroot reads the ring below the sysroot"
# the default configuration file is the sysroot's too
mkdir -p "$TMP/root/etc/zombiecg"
printf 'frobnicate = 1\n' > "$TMP/root/etc/zombiecg/zombiecg.conf"
run 2 "$TMP/root/etc/zombiecg/zombiecg.conf:1: unknown key" "daemon: the default configuration below the sysroot" -- \
	--sysroot "$TMP/root" daemon --check-config
run 2 "drain --self .*--sysroot cannot be used" "drain --self on a saved tree" -- \
	--sysroot tests/fixtures/v2 drain --self
done_testing
