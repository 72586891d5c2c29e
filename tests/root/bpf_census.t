#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The BPF census names every zombie memcg and what it holds (cgroup v1 host, root).
#
#   memory/zombiecg-test.<pid>/          live, the test's own subtree
#       c1 .. cN                         each ran `dd` writing 512 KiB of page cache into
#                                        /var/tmp/zcgtest.<pid>/fI, then was removed: dying
#
# Checks: the census lists exactly N dying children of the subtree, with their names and
# usage, LRU file pages of at least 100 pages each; over the whole hierarchy the dying records
# equal num_cgroups in /proc/cgroups minus the live directories; after cleanup nothing of
# ours is left. Never writes outside its own subtree (process_api belongs to another tenant).
# Environment: BUILD (default build), ZCG_TEST_ZOMBIES (default 50).
set -u

BUILD=${BUILD:-build}
probe=$BUILD/tests/root/bpf_census_probe
mem=/sys/fs/cgroup/memory
n=${ZCG_TEST_ZOMBIES:-50}
sub=$mem/zombiecg-test.$$
data=/var/tmp/zcgtest.$$
out=${TMPDIR:-/tmp}/zcg-bpf-census.$$
page=$(getconf PAGESIZE)
t=0

ok() { t=$((t + 1)); echo "ok $t - $1"; }
not_ok() { t=$((t + 1)); echo "not ok $t - $1"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else not_ok "$desc"; fi; }

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root"
	exit 0
fi
if ! grep -q "^memory[[:space:]]" /proc/cgroups || [ ! -f $mem/memory.usage_in_bytes ]; then
	echo "1..0 # SKIP no cgroup v1 memory hierarchy at $mem"
	exit 0
fi
if ! $probe --available /sys/kernel/btf/vmlinux 2>/dev/null; then
	echo "1..0 # SKIP BPF census not available: $($probe --available /sys/kernel/btf/vmlinux 2>&1)"
	exit 0
fi

num_cgroups() { awk '$1 == "memory" { print $3 }' /proc/cgroups; }
live_dirs() { find $mem -type d | wc -l; }

cleanup() {
	rm -rf "$data"
	if [ -d "$sub" ]; then
		for d in "$sub"/c*; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
		# Reclaims what the zombies still hold (dd's own binary among it, DOMAIN fact 16).
		echo 0 > "$sub/memory.force_empty" 2>/dev/null
		i=0
		while ! rmdir "$sub" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	fi
	rm -f "$out" "$out.all"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

echo "1..9"
baseline=$(num_cgroups)

mkdir "$sub" "$data" || { echo "Bail out! cannot create $sub or $data"; exit 1; }
sub_id=$(stat -c %i "$sub")
i=1
while [ $i -le $n ]; do
	mkdir "$sub/c$i" &&
	sh -c "echo \$\$ > $sub/c$i/cgroup.procs && exec dd if=/dev/zero of=$data/f$i bs=64k count=8 status=none" &&
	rmdir "$sub/c$i" || { echo "Bail out! cannot make zombie c$i"; exit 1; }
	i=$((i + 1))
done

# 1. The census runs.
$probe --dying $mem > "$out"
check "census of $mem succeeds" [ $? -eq 0 ]

# 2-5. Our zombies: count, names, usage and page cache.
awk -F '\t' -v p=$sub_id '$2 == p && $4 == 1' "$out" > "$out.all"
got=$(wc -l < "$out.all")
check "$n dying children of the test subtree (got $got)" [ "$got" -eq "$n" ]
names=$(cut -f 20 "$out.all" | sort | tr '\n' ' ')
want=$(i=1; while [ $i -le $n ]; do echo c$i; i=$((i + 1)); done | sort | tr '\n' ' ')
check "their names are c1..c$n" [ "$names" = "$want" ]
small=$(awk -F '\t' -v pg=$page '$7 * pg < 400 * 1024' "$out.all" | wc -l)
check "each holds at least 400 KiB of usage ($small do not)" [ "$small" -eq 0 ]
nofile=$(awk -F '\t' '$10 < 100' "$out.all" | wc -l)
check "each has at least 100 file LRU pages ($nofile do not)" [ "$nofile" -eq 0 ]

# 6. Their memcg IDs were released at offline (no swap here to keep them).
held=$(awk -F '\t' '$6 != 0' "$out.all" | wc -l)
check "released memcg IDs ($held still hold one)" [ "$held" -eq 0 ]

# 7. Whole hierarchy: dying records == num_cgroups - live directories. Other tenants' zombies
# come and go, so take the census between two equal readings of num_cgroups.
i=0
while [ $i -lt 10 ]; do
	before=$(num_cgroups)
	live=$(live_dirs)
	$probe $mem > "$out" || break
	after=$(num_cgroups)
	[ "$before" = "$after" ] && [ "$live" = "$(live_dirs)" ] && break
	i=$((i + 1))
done
dying=$(awk -F '\t' '!/^#/ && $4 == 1' "$out" | wc -l)
check "dying records ($dying) == num_cgroups ($after) - live directories ($live)" \
	[ "$dying" -eq $((after - live)) ]

# 8. Cleanup leaves nothing of ours: delete the files (frees their page cache), reclaim what
# is left in the subtree (dd's binary), remove it.
rm -rf "$data"
echo 0 > "$sub/memory.force_empty"
i=0
while ! rmdir "$sub" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
i=0
while [ $i -lt 50 ]; do
	$probe $mem > "$out" && ! awk -F '\t' -v p=$sub_id '$1 == p || $2 == p' "$out" | grep -q . && break
	sleep 0.1
	i=$((i + 1))
done
left=$(awk -F '\t' -v p=$sub_id '$1 == p || $2 == p' "$out" | wc -l)
check "nothing of the test subtree is left ($left memcgs)" [ "$left" -eq 0 ]
echo "# num_cgroups baseline $baseline, now $(num_cgroups)"

# 9. Records come in pre-order: every parent_id names an earlier record (the root's is 0).
orphans=$(awk -F '\t' '!/^#/ { if ($2 != 0 && !($2 in seen)) bad++; seen[$1] = 1 } END { print bad + 0 }' "$out")
check "every record's parent precedes it ($orphans do not)" [ "$orphans" -eq 0 ]
pa=$(awk -F '\t' '$3 == 1 && $20 == "process_api" { print $1 }' "$out")
[ -n "$pa" ] && echo "# process_api (look only): $(awk -F '\t' -v p=$pa '$2 == p && $4 == 1' "$out" | wc -l) dying children"
