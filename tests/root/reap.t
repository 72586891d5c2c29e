#!/bin/sh
# zombiecg reap frees zombies and only zombies: live cache stays, dirty data is written back
# first, tmpfs files are never changed, --dry-run changes nothing, and on cgroup v2 a kill -9
# during protected reclaim is undone by the next start.
#
#   <memory root>/zombiecg-test.<pid>/
#       live                    live: 100 MB of its own cache, half in the zombie's file
#       z                       removed: wrote the first 8 MB of shared.dat
#       zombiecg-repro.<n>/...  repro's zombies (dirty, tmpfs, mapped)
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/cg.sh"
cg_require_root
"$ZCG" list --json 2>/dev/null | jq -e '.source == "bpf"' >/dev/null ||
	skip_all "reap needs the BPF census here: $("$ZCG" list --json | jq -r .source_note)"
cg_setup

cache_of() { # bytes of page cache charged to cgroup $1 (hierarchical)
	awk '$1=="total_cache"||$1=="file"{print $2; exit}' "$MEMROOT$1/memory.stat"
}
dying_below() { "$ZCG" list --json --under "$TESTCG" | jq '.zombies | length'; }
# Zombies below $1 that something other than filesystem metadata still holds (explain names
# every file pin; metadata that no file handle reaches has no path). On a fresh filesystem
# (the VM lab) a zombie may have first-touched such metadata: that alone is not reap's to free.
held_by_files() {
	"$ZCG" explain --json --under "$1" | jq '[.zombies[] | select([.pins[] | select(.path != null and .kind != "kernel")] | length > 0)] | length'
}

# 1. live cache in the same files as the zombie's pages
mkdir "$MEMROOT$TESTCG/z" "$MEMROOT$TESTCG/live"
[ "$HIER" = v2 ] || true
sh -c 'echo $$ > "$1/cgroup.procs"; dd if=/dev/urandom of="$2" bs=1M count=8 conv=fsync 2>/dev/null' \
	sh "$MEMROOT$TESTCG/z" "$TESTDIR/shared.dat"
rmdir "$MEMROOT$TESTCG/z"
sh -c 'echo $$ > "$1/cgroup.procs"
	dd if=/dev/urandom of="$2" bs=1M seek=8 count=50 conv=notrunc,fsync 2>/dev/null
	dd if=/dev/urandom of="$3" bs=1M count=50 conv=fsync 2>/dev/null' \
	sh "$MEMROOT$TESTCG/live" "$TESTDIR/shared.dat" "$TESTDIR/own.dat"
sleep 2	# let memory.stat catch up (flushed every 2 s)
live_before=$(cache_of "$TESTCG/live")
cmp_ge "$live_before" 90000000 "the live cgroup holds about 100 MB of cache ($live_before)"
is "$(dying_below)" 1 "one zombie pins the first 8 MB of the shared file"
# strace shows exactly which ranges reap evicted (-y names each fd's file).
if command -v strace >/dev/null; then
	trace="strace -f -y -e trace=fadvise64 -o $TESTDIR/fadvise.trace"
else
	trace=
fi
out=$($trace "$ZCG" reap --json --under "$TESTCG")
rc=$?
[ $rc = 0 ] || [ $rc = 3 ]
ok $? "reap ran (exit $rc)"
cmp_ge "$(printf '%s' "$out" | jq .evicted_bytes)" 8388608 "it evicted the zombie's 8 MB"
is "$("$ZCG" explain --json --under "$TESTCG" | jq '[.zombies[].pins[] | select(.path != null and (.path | endswith("shared.dat")))] | length')" 0 \
	"no page of the shared file is charged to a zombie any more"
if [ $rc = 0 ]; then
	is "$(printf '%s' "$out" | jq -c '[.before.dying, .after.dying, .freed]')" "[1,0,1]" "before 1, after 0, freed 1"
else
	# On a busy filesystem the zombie may also have first-touched filesystem metadata that
	# no file handle reaches (explain shows it without a path): then it stays, for that only.
	is "$("$ZCG" explain --json --under "$TESTCG" | jq '[.zombies[].pins[] | select(.path != null and .kind != "kernel")] | length')" 0 \
		"what still holds the zombie is only filesystem metadata"
fi
if [ -n "$trace" ]; then
	# every eviction of a file the live cgroup uses stays inside the zombie's first 8 MB
	bad=$(grep -E "fadvise64\([0-9]+<[^>]*(shared|own)\.dat>" "$TESTDIR/fadvise.trace" |
		awk -F', ' '{ off = $2; len = $3; if ($1 ~ /own\.dat/ || off + len > 8388608) print }')
	is "$bad" "" "reap evicted no range of the live cgroup's pages (strace)"
	is "$(grep -c 'shared\.dat>' "$TESTDIR/fadvise.trace")" 1 "one fadvise on the shared file"
fi
if [ -n "${ZCG_VM:-}" ]; then
	# Only in the VM lab: this host's page cache also shrinks on its own (seen: 4 MB of
	# 100 MB in 8 s with no reclaim counted), which would be blamed on reap.
	sleep 2
	live_after=$(cache_of "$TESTCG/live")
	cmp_ge "$live_after" $((live_before * 99 / 100)) "the live cgroup kept at least 99% of its cache ($live_after of $live_before)"
fi

# 2. dirty: written back, then evicted; the data is intact
out=$("$ZCG" repro dirty --count 3 --size-mb 4 --under "$TESTCG" --dir "$TESTDIR" --json)
sums=$(for f in $(printf '%s' "$out" | jq -r '.zombies[].file'); do md5sum < "$f"; done)
dirty_sub=$(printf '%s' "$out" | jq -r .subtree)
out=$("$ZCG" reap --json --under "$dirty_sub")
rc=$?
[ $rc = 0 ] || [ $rc = 3 ]
ok $? "dirty: reap ran (exit $rc)"
is "$(held_by_files "$dirty_sub")" 0 "dirty: no zombie is held by its file any more"
[ $rc = 3 ] && diag "dirty: $(printf '%s' "$out" | jq .after.dying) zombie(s) stay for filesystem metadata"
diag "dirty: written back first: $(printf '%s' "$out" | jq .flushed_bytes) bytes"
is "$(for f in $(ls "$TESTDIR"/zombiecg-repro.*/z* 2>/dev/null); do md5sum < "$f"; done)" "$sums" \
	"dirty: the files' checksums are unchanged"

# 3. tmpfs: never changed
SHM=$(cg_tmpfs_dir)
out=$("$ZCG" repro tmpfs --count 1 --size-mb 1 --under "$TESTCG" --dir "$SHM" --json)
tmpfs_sub=$(printf '%s' "$out" | jq -r .subtree)
f=$(printf '%s' "$out" | jq -r '.zombies[0].file')
sum=$(md5sum < "$f")
out=$("$ZCG" reap --json --under "$tmpfs_sub")
is "$?" 3 "tmpfs: the zombie stays (exit 3)"
like "$(printf '%s' "$out" | jq -r '.skipped[0].reason')" "remove-file" "tmpfs: reported with remove-file"
is "$(md5sum < "$f")" "$sum" "tmpfs: the file's contents are unchanged"

# 4. --dry-run changes nothing
out=$("$ZCG" repro pagecache --count 3 --size-mb 2 --under "$TESTCG" --dir "$TESTDIR" --json)
pc_sub=$(printf '%s' "$out" | jq -r .subtree)
sleep 2
state() { cat "$MEMROOT$TESTCG/live/memory.min" 2>/dev/null; cache_of "$pc_sub"; "$ZCG" list --json --under "$pc_sub" | jq -c '[.zombies[].id]'; }
before=$(state)
out=$($trace "$ZCG" reap --dry-run --json --under "$pc_sub")
is "$?" 0 "dry run: exit 0"
is "$(printf '%s' "$out" | jq '[.plan[] | select(.done)] | length')" 0 "dry run: no step was carried out"
cmp_ge "$(printf '%s' "$out" | jq '[.plan[] | select(.action == "evict" and (.file // "" | test("zombiecg-repro")))] | length')" 3 "dry run: the plan evicts the three files"
if [ -n "$trace" ]; then
	is "$(grep -c 'fadvise64(' "$TESTDIR/fadvise.trace")" 0 "dry run: no page evicted (strace)"
fi
if [ -n "${ZCG_VM:-}" ]; then
	# (this host's page cache shrinks on its own: see above)
	sleep 2
	is "$(state)" "$before" "dry run: cgroup files, page cache and zombies unchanged"
else
	is "$(state | sed -n '1p;3p')" "$(printf '%s\n' "$before" | sed -n '1p;3p')" "dry run: cgroup files and zombies unchanged"
fi
"$ZCG" reap --under "$pc_sub" >/dev/null
is "$("$ZCG" explain --json --under "$pc_sub" | jq '[.zombies[].pins[] | select(.path != null and (.path | test("zombiecg-repro")))] | length')" 0 \
	"then a real run evicts their files"

# 5. cgroup v2: mapped pages go by protected reclaim; kill -9 in the middle is undone
if [ "$HIER" = v2 ]; then
	out=$("$ZCG" repro mapped --count 2 --size-mb 2 --under "$TESTCG" --dir "$TESTDIR" --json)
	m_sub=$(printf '%s' "$out" | jq -r .subtree)
	holder_min_file=$MEMROOT$m_sub/holder/memory.min
	min_before=$(cat "$holder_min_file")
	ZCG_TEST_PAUSE_PROTECTED=30 "$ZCG" reap --under "$m_sub" >/dev/null 2>&1 &
	pid=$!
	i=0
	while [ "$(cat "$holder_min_file")" = "$min_before" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
	[ "$(cat "$holder_min_file")" != "$min_before" ]
	ok $? "protected reclaim raised the live holder's memory.min"
	kill -9 $pid
	wait $pid 2>/dev/null
	[ "$(cat "$holder_min_file")" != "$min_before" ]
	ok $? "after kill -9 it is still raised"
	"$ZCG" status >/dev/null 2>"$TESTDIR/recover.err"
	is "$(cat "$holder_min_file")" "$min_before" "the next start restored memory.min"
	like "$(cat "$TESTDIR/recover.err")" "restored [0-9]+ memory.min" "and said so"
	out=$("$ZCG" reap --json --under "$m_sub")
	rc=$?
	[ $rc = 0 ] || [ $rc = 3 ]
	ok $? "mapped: reap ran (exit $rc)"
	is "$(held_by_files "$m_sub")" 0 "mapped: protected reclaim freed the mapped pages"
	is "$(printf '%s' "$out" | jq .protected_reclaims)" 1 "mapped: one protected reclaim"
	is "$(cat "$holder_min_file")" "$min_before" "mapped: memory.min restored afterwards"
else
	out=$("$ZCG" repro mapped --count 1 --size-mb 1 --under "$TESTCG" --dir "$TESTDIR" --json)
	m_sub=$(printf '%s' "$out" | jq -r .subtree)
	out=$("$ZCG" reap --json --under "$m_sub")
	is "$?" 3 "v1 mapped: the zombie stays (exit 3)"
	like "$(printf '%s' "$out" | jq -r '.skipped[0].reason')" "wait-mapper" "v1 mapped: wait-mapper"
fi
out=$("$ZCG" reap --max-cpu 0 2>&1)
is "$?" 2 "bad --max-cpu: usage error"
done_testing
