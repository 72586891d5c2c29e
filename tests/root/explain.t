#!/bin/sh
# zombiecg explain names what pins each kind of zombie and what would free it.
#
#   <memory root>/zombiecg-test.<pid>/              test subtree
#       zombiecg-repro.<p1>/z0 .. z2                 pagecache: 2 MiB each, clean -> evict
#       zombiecg-repro.<p2>/z0                       dirty: 2 MiB not yet written back -> flush-evict
#       zombiecg-repro.<p3>/z0                       tmpfs: one byte in /dev/shm -> shmem, remove-file
#       zombiecg-repro.<p4>/z0, holder               mapped: holder maps z0's file -> v1 wait-mapper,
#                                                    v2 protected-reclaim
#       delN (removed), live                         a file written in del, deleted, still open
#                                                    by a process in live -> "(deleted)" with its pid
# Zombies also hold pages of the tools their processes ran (doc/kernel.md K11): assertions look
# at the pins of the files the test wrote, never at totals.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/cg.sh"
cg_require_root
# explain names the files on a zombie's own LRU lists; this kernel moves them to the parent.
cg_lru_reparented && skip_all "zombies pinned by page cache, tmpfs or mapped pages: $REPARENT_WHY"
cg_setup
SIZE_MB=2
PAGES=$((SIZE_MB * 256))

# explain_pin JSON ZOMBIE_PATH FILE_PATH FIELD: FIELD of the pin of FILE_PATH in that zombie
explain_pin() {
	printf '%s' "$1" | jq -r --arg z "$2" --arg f "$3" \
		"[.zombies[] | select(.path == \$z) | .pins[] | select(.path == \$f) | $4] | first // empty"
}

diag "kernel $(uname -r), cgroup $HIER, MGLRU $(cat /sys/kernel/mm/lru_gen/enabled 2>/dev/null || echo 'not built')"
first=$("$ZCG" explain --under "$TESTCG" --json)
source=$(printf '%s' "$first" | jq -r .source)
if [ "$source" != bpf ]; then
	diag "explain source is '$source' here: only the estimate can be tested"
	diag "$(printf '%s' "$first" | jq -r .source_note)"
fi
# The folio walker loads wherever the BPF census does (iter/cgroup from 6.1, iter/task
# before): a failed load is a defect, not a reason to test the estimate only.
census_source=$("$ZCG" status --json | jq -r .source)
note=$(printf '%s' "$first" | jq -r '.source_note // "none"')
if [ "$census_source" = bpf ]; then
	is "$source" bpf "the folio walker runs where the BPF census does (note: $note)"
fi

# --- pagecache: >= 95% of each zombie's pages on the file it wrote, action evict
out=$("$ZCG" repro pagecache --count 3 --size-mb $SIZE_MB --under "$TESTCG" --dir "$TESTDIR" --json)
ok $? "pagecache: repro made 3 zombies"
sub=$(printf '%s' "$out" | jq -r .subtree)
ex=$("$ZCG" explain --under "$sub" --json)
ok $? "pagecache: explain ran"
if [ "$source" = bpf ]; then
	is "$(printf '%s' "$ex" | jq '.zombies | length')" 3 "pagecache: three zombies explained"
	total=0
	for i in 0 1 2; do
		z=$(printf '%s' "$out" | jq -r ".zombies[$i].path")
		f=$(printf '%s' "$out" | jq -r ".zombies[$i].file")
		pages=$(explain_pin "$ex" "$z" "$f" .pages)
		total=$((total + ${pages:-0}))
		is "$(explain_pin "$ex" "$z" "$f" .action)" evict "pagecache z$i: the file's pin says evict"
		is "$(explain_pin "$ex" "$z" "$f" .kind)" file "pagecache z$i: kind file"
	done
	cmp_ge $((total * 100)) $((3 * PAGES * 95)) "pagecache: >= 95% of the pages written attributed to the right files ($total of $((3 * PAGES)))"
	z=$(printf '%s' "$out" | jq -r '.zombies[0].path')
	f=$(printf '%s' "$out" | jq -r '.zombies[0].file')
	is "$(explain_pin "$ex" "$z" "$f" '.extents | length')" 1 "pagecache: one extent covers the file"
	like "$(explain_pin "$ex" "$z" "$f" .dev)" '^[0-9]+:[0-9]+$' "pagecache: dev is MAJ:MIN"
	is "$(explain_pin "$ex" "$z" "$f" .ino)" "$(stat -c %i "$f")" "pagecache: ino is the file's"
	is "$(printf '%s' "$ex" | jq -r --arg z "$z" '.zombies[] | select(.path == $z) | .parent')" "$sub" \
		"pagecache: the live parent"

	# selecting zombies by id, name and former path
	id=$(printf '%s' "$ex" | jq -r --arg z "$z" '.zombies[] | select(.path == $z) | .id')
	is "$("$ZCG" explain "$id" --under "$sub" --json | jq -r '[.zombies[].path] | join(" ")')" "$z" "select by id"
	is "$("$ZCG" explain z0 --under "$sub" --json | jq -r '[.zombies[].path] | join(" ")')" "$z" "select by name"
	is "$("$ZCG" explain "$MEMROOT$z" --json | jq -r '[.zombies[].path] | join(" ")')" "$z" "select by cgroupfs path"
	msg=$("$ZCG" explain no-such-zombie --under "$sub" 2>&1)
	is "$?" 1 "an unknown zombie: exit 1"
	like "$msg" "no dying memcg under $sub matches 'no-such-zombie'" "an unknown zombie: the message says so"

	cmds=$("$ZCG" explain --under "$sub" | sed -n '/^Commands:/,$p')
	like "$cmds" "  zombiecg reap --id $id +# $z: evicts its [0-9]+ page range\(s\) of $f" \
		"pagecache: the human output ends with the command that evicts the zombie's pages"
	is "$(printf '%s\n' "$cmds" | grep -c '^  zombiecg reap --id [0-9]* ')" 3 "pagecache: one reap --id for each zombie"
	! printf '%s\n' "$cmds" | grep -v '^  #' | grep -v '^  zombiecg reap --id [0-9]* ' | grep -q '^  '
	ok $? "pagecache: every command is a comment or a reap of one zombie"
	! printf '%s\n' "$cmds" | grep -q -e 'dd if=' -e 'count=0'
	ok $? "pagecache: no whole-file or whole-device eviction"
else
	is "$(printf '%s' "$ex" | jq -r '.zombies[0].estimated')" true "pagecache: estimated rows without BPF"
fi

# the estimate without BPF: exit 0, plain about why
est=$("$ZCG" explain --no-bpf --under "$sub" --json)
ok $? "--no-bpf: exit 0"
is "$(printf '%s' "$est" | jq -r .source)" cgroupfs "--no-bpf: source cgroupfs"
like "$(printf '%s' "$est" | jq -r .source_note)" "nearest live ancestor" "--no-bpf: says pages go to the live parent"
is "$(printf '%s' "$est" | jq -r '.zombies[0].estimated')" true "--no-bpf: rows are estimates"
is "$(printf '%s' "$est" | jq -r '.zombies[0].parent')" "$sub" "--no-bpf: the row is the live parent"
"$ZCG" repro cleanup --under "$sub" >/dev/null

# --- dirty: flush-evict while the pages are dirty
out=$("$ZCG" repro dirty --count 1 --size-mb $SIZE_MB --under "$TESTCG" --dir "$TESTDIR" --json)
ok $? "dirty: repro"
sub=$(printf '%s' "$out" | jq -r .subtree)
z=$(printf '%s' "$out" | jq -r '.zombies[0].path')
f=$(printf '%s' "$out" | jq -r '.zombies[0].file')
ex=$("$ZCG" explain --under "$sub" --json)
if [ "$source" = bpf ]; then
	dirty=$(explain_pin "$ex" "$z" "$f" '.dirty_pages + .writeback_pages')
	if [ "${dirty:-0}" -gt 0 ]; then
		is "$(explain_pin "$ex" "$z" "$f" .action)" flush-evict "dirty: flush-evict while $dirty pages are dirty"
	else
		# someone ran sync (other tests on this host do) before explain looked
		skip "dirty: the pages were written back before explain looked"
	fi
	cmp_ge "$(explain_pin "$ex" "$z" "$f" .pages)" $((PAGES * 95 / 100)) "dirty: the file's pages attributed"
else
	like "$(printf '%s' "$ex" | jq -r '[.zombies[].pins[].action] | join(" ")')" "flush-evict|evict" \
		"dirty: estimated pins"
fi
"$ZCG" repro cleanup --under "$sub" >/dev/null

# --- tmpfs: one byte is enough
if ! grep -q " /dev/shm tmpfs " /proc/mounts; then
	mkdir -p /dev/shm && mount -t tmpfs tmpfs /dev/shm
fi
out=$("$ZCG" repro tmpfs --count 1 --size-mb 0.000001 --under "$TESTCG" --json)
ok $? "tmpfs: repro with one byte"
sub=$(printf '%s' "$out" | jq -r .subtree)
z=$(printf '%s' "$out" | jq -r '.zombies[0].path')
f=$(printf '%s' "$out" | jq -r '.zombies[0].file')
ex=$("$ZCG" explain --under "$sub" --json)
if [ "$source" = bpf ]; then
	is "$(explain_pin "$ex" "$z" "$f" .kind)" shmem "tmpfs: kind shmem, named $f"
	is "$(explain_pin "$ex" "$z" "$f" .action)" remove-file "tmpfs: remove-file"
	is "$(printf '%s' "$ex" | jq -r --arg z "$z" '.zombies[] | select(.path == $z) | .action')" remove-file \
		"tmpfs: the zombie's verdict"
	cmds=$("$ZCG" explain --under "$sub" | sed -n '/^Commands:/,$p')
	like "$cmds" "  # '$f' \(tmpfs\): only removing or truncating it frees it, which loses its data \(rm -- '$f'\)" \
		"tmpfs: a comment says removing the file frees it"
	! printf '%s\n' "$cmds" | grep -q '^  [^#]'
	ok $? "tmpfs: nothing to run (reap leaves tmpfs files alone without --recharge-tmpfs)"
else
	skip "tmpfs: needs BPF to name the file"
fi
"$ZCG" repro cleanup --under "$sub" >/dev/null

# --- mapped: the holder's pid and cgroup
out=$("$ZCG" repro mapped --count 1 --size-mb $SIZE_MB --under "$TESTCG" --dir "$TESTDIR" --json)
ok $? "mapped: repro"
sub=$(printf '%s' "$out" | jq -r .subtree)
z=$(printf '%s' "$out" | jq -r '.zombies[0].path')
f=$(printf '%s' "$out" | jq -r '.zombies[0].file')
pid=$(printf '%s' "$out" | jq -r '.holders[0].pid')
hcg=$(printf '%s' "$out" | jq -r '.holders[0].cgroup')
ex=$("$ZCG" explain --under "$sub" --json)
want=wait-mapper
cg_has_reclaim && want=protected-reclaim
if [ "$source" = bpf ]; then
	is "$(explain_pin "$ex" "$z" "$f" '.mapped_by[] | select(.pid == '"$pid"') | .cgroup')" "$hcg" \
		"mapped: names the holder $pid and its cgroup"
	cmp_ge "$(explain_pin "$ex" "$z" "$f" .mapped_pages)" $((PAGES * 95 / 100)) "mapped: the pages are mapped"
	is "$(explain_pin "$ex" "$z" "$f" .action)" $want "mapped: $want on $HIER"
	if cg_has_reclaim; then
		id=$(printf '%s' "$ex" | jq -r --arg z "$z" '.zombies[] | select(.path == $z) | .id')
		like "$("$ZCG" explain --under "$sub" | sed -n '/^Commands:/,$p')" \
			"  zombiecg reap --id $id +# $z: .*reclaims what it holds below $sub, every live cgroup there protected" \
			"mapped: the command reaps the zombie by protected reclaim"
	elif [ "$HIER" = v2 ]; then
		skip "mapped: the commands protect and reclaim: $NO_RECLAIM_WHY"
	fi
else
	like "$(printf '%s' "$ex" | jq -r '[.zombies[].pins[].action] | join(" ")')" $want "mapped: estimated $want"
fi
"$ZCG" repro cleanup --under "$sub" >/dev/null

# --- a deleted file still open by a live process
# This host pages out cold page cache by itself (cg_host_reclaims in tests/lib/cg.sh); a deleted file's
# pages are all that keeps this zombie, so when they go first the zombie is freed before explain
# sees it. That is retried with a fresh cgroup (never when the zombie is still there).
mkdir "$MEMROOT$TESTCG/live"
if [ "$HIER" = v2 ]; then
	echo +memory > "$MEMROOT$TESTCG/cgroup.subtree_control" 2>/dev/null
fi
try=1
while :; do
	del=$TESTCG/del$try
	mkdir "$MEMROOT$del"
	cg_write "$del" "$TESTDIR/deleted" 1024
	sh -c 'echo $$ > "$1/cgroup.procs" && exec 3<"$2" && exec sleep 300' sh "$MEMROOT$TESTCG/live" "$TESTDIR/deleted" &
	holder=$!
	i=0
	until [ -e "/proc/$holder/fd/3" ] || [ $i -gt 100 ]; do sleep 0.1; i=$((i + 1)); done
	rm "$TESTDIR/deleted"
	rmdir "$MEMROOT$del"
	st=$?
	ex=$("$ZCG" explain "$del" --under "$TESTCG" --json 2>"$TESTDIR/explain.err")
	ex_st=$?
	[ $ex_st -eq 0 ] || [ $try -ge 3 ] || \
		"$ZCG" list --under "$TESTCG" --json | jq -e --arg p "$del" '.zombies | any(.path == $p)' >/dev/null || {
		diag "try $try: the kernel freed $del before explain looked (its pages went): again"
		kill "$holder" 2>/dev/null
		wait "$holder" 2>/dev/null
		try=$((try + 1))
		continue
	}
	break
done
ok $st "deleted: the cgroup that wrote the file is removed"
if ! ok $ex_st "deleted: explain selects the zombie by its former path"; then
	diag "explain: $(cat "$TESTDIR/explain.err")"
	diag "holder $holder fd 3: $(ls -l "/proc/$holder/fd/3" 2>&1)"
	diag "zombies under $TESTCG: $("$ZCG" list --under "$TESTCG" --json 2>&1 | jq -c '[.zombies[]? | {path, usage_bytes}]')"
fi
if [ "$source" = bpf ]; then
	p="$TESTDIR/deleted (deleted)"
	is "$(explain_pin "$ex" "$del" "$p" .deleted)" true "deleted: reported as deleted"
	is "$(explain_pin "$ex" "$del" "$p" '.open_by[] | select(.pid == '"$holder"') | .fd')" 3 \
		"deleted: open by pid $holder on fd 3"
	is "$(explain_pin "$ex" "$del" "$p" .action)" evict "deleted: clean, so evict (through the descriptor)"
	like "$("$ZCG" explain "$del" --under "$TESTCG" | sed -n '/^Commands:/,$p')" \
		"  zombiecg reap --id [0-9]+ +# $del: evicts its [0-9]+ page range\(s\) of $TESTDIR/deleted \(deleted\)" \
		"deleted: the command evicts the zombie's pages of the deleted file (reap opens it by handle)"
else
	skip "deleted: needs BPF"
fi
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
done_testing
