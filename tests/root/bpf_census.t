#!/bin/sh
# The BPF census (lib/bpf_census.c, through tests/helpers/bpf_census_probe) names every zombie
# memcg and what it holds.
#
#   <memory root>/zombiecg-test.<pid>/       test subtree, live
#       c1 .. cN                             each ran dd writing 512 KiB of page cache into
#                                            $TESTDIR/fI, then was removed: dying
#
# Probe lines: id parent_id level dying css_flags memcg_id usage swap lru_anon lru_file
# lru_unevictable file anon shmem file_mapped file_dirty writeback kmem rec_flags name
# (tab-separated, pages). N is ZCG_TEST_ZOMBIES, 50 by default.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/cg.sh"
PROBE=$TOP/${BUILD:-build}/tests/helpers/bpf_census_probe
N=${ZCG_TEST_ZOMBIES:-50}
PAGE=$(getconf PAGESIZE 2>/dev/null || echo 4096)

cg_require_root
[ -x "$PROBE" ] || skip_all "$PROBE not built (make check-root builds it)"
why=$("$PROBE" --available /sys/kernel/btf/vmlinux 2>&1) || skip_all "BPF census unavailable: $why"
cg_setup
OUT=${TMPDIR:-/tmp}/zombiecg-bpf-census.$$

# census FILE: the whole hierarchy into FILE, failing the test loudly if the probe fails.
census() {
	"$PROBE" "$MEMROOT" > "$1" 2> "$1.err" && return 0
	diag "probe failed: $(cat "$1.err")"
	return 1
}

i=1
while [ $i -le $N ]; do
	mkdir "$MEMROOT$TESTCG/c$i" && cg_write "$TESTCG/c$i" "$TESTDIR/f$i" 512 &&
		rmdir "$MEMROOT$TESTCG/c$i" || { echo "Bail out! cannot make zombie c$i"; exit 1; }
	i=$((i + 1))
done
sub_id=$(stat -c %i "$MEMROOT$TESTCG")

census "$OUT"
ok $? "census of $MEMROOT"
awk -F '\t' -v p="$sub_id" '$2 == p && $4 == 1' "$OUT" > "$OUT.ours"
is "$(wc -l < "$OUT.ours")" "$N" "$N dying children of the test subtree"
is "$(cut -f 20 "$OUT.ours" | sort | tr '\n' ' ')" \
	"$(i=1; while [ $i -le $N ]; do echo c$i; i=$((i + 1)); done | sort | tr '\n' ' ')" \
	"their names are c1..c$N"
is "$(awk -F '\t' -v pg="$PAGE" '$7 * pg < 400 * 1024' "$OUT.ours" | wc -l)" 0 \
	"each one's usage is at least 400 KiB"
# Freshly charged folios wait in per-CPU LRU-add batches before they reach an LRU list (and
# its counters): a few pages of some zombie may not be counted yet.
if cg_lru_reparented; then
	# Their file pages are on the parent's LRU now; the charge stays in their counters.
	is "$(awk -F '\t' '$10 != 0' "$OUT.ours" | wc -l)" 0 "their file LRU is empty: $REPARENT_WHY"
	skip "together they hold N * 512 KiB on their LRU: $REPARENT_WHY"
else
	is "$(awk -F '\t' -v pg="$PAGE" '$10 * pg < 480 * 1024' "$OUT.ours" | wc -l)" 0 \
		"each one's file LRU holds the 512 KiB it wrote, give or take an LRU batch"
	cmp_ge "$(awk -F '\t' -v pg="$PAGE" '{ s += $10 * pg } END { print s + 0 }' "$OUT.ours")" \
		$((N * 512 * 1024 - 64 * PAGE)) "together they hold N * 512 KiB, give or take the batches"
	awk -F '\t' -v pg="$PAGE" '$7 * pg < 400 * 1024 || $10 * pg < 512 * 1024 { print "# short: " $0 }' "$OUT.ours"
fi
is "$(awk -F '\t' '$6 != 0' "$OUT.ours" | wc -l)" 0 "their memcg IDs were released at offline"
sub_level=$(awk -F '\t' -v p="$sub_id" '$1 == p { print $3 }' "$OUT")
is "$(awk -F '\t' -v l="$((sub_level + 1))" '$3 != l' "$OUT.ours" | wc -l)" 0 \
	"their level is the subtree's plus one"

# Whole hierarchy. v1: dying records == num_cgroups - live directories (other tenants churn,
# so only a census between two equal readings counts). v2: the subtree's cgroup.stat.
if [ "$HIER" = v1 ]; then
	i=0
	while [ $i -lt 10 ]; do
		set -- $(cg_v1_counts)
		census "$OUT" || break
		set -- "$1" "$2" $(cg_v1_counts)
		[ "$1" = "$3" ] && [ "$2" = "$4" ] && break
		i=$((i + 1))
	done
	if [ "$1" = "$3" ] && [ "$2" = "$4" ]; then
		is "$(awk -F '\t' '!/^#/ && $4 == 1' "$OUT" | wc -l)" $(($1 - $2)) \
			"dying records == num_cgroups ($1) - live directories ($2)"
	else
		skip "other tenants kept changing the cgroup count"
	fi
else
	want=$(awk '$1 == "nr_dying_subsys_memory" { m = $2 } $1 == "nr_dying_descendants" { d = $2 }
		END { print (m != "" ? m : d) }' "$MEMROOT$TESTCG/cgroup.stat")
	is "$(awk -F '\t' -v p="$sub_id" '$2 == p && $4 == 1' "$OUT" | wc -l)" "$want" \
		"dying children == the subtree's cgroup.stat dying count"
fi

# Pre-order: every parent_id names an earlier record; the root's is 0.
is "$(awk -F '\t' '!/^#/ { if ($2 != 0 && !($2 in seen)) bad++; seen[$1] = 1 } END { print bad + 0 }' "$OUT")" 0 \
	"every record's parent comes before it"
pa=$(awk -F '\t' '$3 == 1 && $20 == "process_api" { print $1 }' "$OUT")
[ -n "$pa" ] && diag "process_api (another tenant, looked at only): $(awk -F '\t' -v p="$pa" '$2 == p && $4 == 1' "$OUT" | wc -l) dying children"

# Cleanup frees them all: remove the files (that drops their page cache), then reclaim what
# else the zombies hold in our subtree until none is left. On a fresh ext4 (the VM lab) the
# zombies also hold inode-table and bitmap blocks they first read, in the block device's page
# cache; jbd2 keeps a reference on those until a later commit finds them written back, so
# each round makes a metadata change and syncs before reclaiming.
rm -f "$TESTDIR"/f*
left=-1
i=0
while [ $i -lt 60 ]; do
	census "$OUT" || break
	left=$(awk -F '\t' -v p="$sub_id" '$2 == p' "$OUT" | wc -l)
	[ "$left" -eq 0 ] && break
	touch "$TESTDIR/.commit.$i"
	sync
	cg_reclaim_once "$MEMROOT$TESTCG"
	sleep 0.2
	i=$((i + 1))
done
is "$left" 0 "reclaiming the test subtree frees every zombie in it"
[ "$left" = 0 ] || awk -F '\t' -v p="$sub_id" '$2 == p { print "# left: " $0 }' "$OUT"
cg_teardown
ok $? "teardown removed the test subtree"
i=0
while [ $i -lt 50 ]; do
	census "$OUT" || break
	left=$(awk -F '\t' -v p="$sub_id" '$1 == p || $2 == p' "$OUT" | wc -l)
	[ "$left" -eq 0 ] && break
	sleep 0.1
	i=$((i + 1))
done
is "$left" 0 "no memcg of the test subtree is left"
rm -f "$OUT" "$OUT.err" "$OUT.ours"
done_testing
