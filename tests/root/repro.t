#!/bin/sh
# zombiecg repro makes each scenario's zombies, status and list see them, cleanup frees them.
#
#   <memory root>/zombiecg-test.<pid>/            test subtree
#       zombiecg-repro.<pid2>/z0 .. z<N-1>        removed: the zombies
#       zombiecg-repro.<pid2>/holder              mapped: a live process maps the files
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/cg.sh"
cg_require_root
cg_setup
N=4
SIZE_MB=2

for scenario in pagecache dirty tmpfs mapped slab; do
	dir=$TESTDIR
	[ $scenario = tmpfs ] && dir=$(cg_tmpfs_dir)
	out=$("$ZCG" repro $scenario --count $N --size-mb $SIZE_MB --under "$TESTCG" --dir "$dir" --json)
	ok $? "$scenario: repro made zombies"
	sub=$(printf '%s' "$out" | jq -r .subtree)
	is "$(printf '%s' "$out" | jq '.zombies | length')" $N "$scenario: repro reports $N zombies"
	[ -d "$MEMROOT$sub" ] && [ ! -d "$MEMROOT$sub/z0" ]
	ok $? "$scenario: the zombies' directories are gone, the subtree is there"
	if [ $scenario = mapped ]; then
		pid=$(printf '%s' "$out" | jq -r '.holders[0].pid')
		grep -q "$sub/holder" /proc/$pid/cgroup
		ok $? "mapped: holder $pid runs in $sub/holder"
	fi

	if cg_lru_reparented && [ $scenario = tmpfs ]; then
		# tmpfs pages go to the parent at offline: these zombies go by themselves (the page
		# cache ones stay for their writeback structure, see doc/kernels.md)
		skip "tmpfs: dying count, estimate and kind of zombies pinned by tmpfs pages: $REPARENT_WHY"
	else
		st=$("$ZCG" status --json --no-bpf --under "$sub")
		if [ "$HIER" = v2 ]; then
			is "$(printf '%s' "$st" | jq .dying)" $N "$scenario: status sees exactly $N dying below the subtree"
		else
			# v1 counts the whole host: compare with the kernel's own numbers taken around it.
			set -- $(cg_v1_counts)
			all=$("$ZCG" status --json --no-bpf | jq .dying)
			set -- $1 $2 $(cg_v1_counts)
			if [ "$1" = "$3" ] && [ "$2" = "$4" ]; then
				is "$all" $(($1 - $2)) "$scenario: status dying = num_cgroups - live directories"
			else
				skip "$scenario: other tenants changed the cgroup count during the check"
			fi
		fi
		pinned=$(printf '%s' "$st" | jq "[.subtrees[] | select(.path == \"$sub\") | .pinned_bytes] | add // 0")
		if [ $scenario = slab ]; then
			# 512 files of 64 bytes per zombie: one page each
			within "$pinned" $((N * SIZE_MB * 256 * 4096)) 10 "slab: subtree estimate matches the pages of the small files"
		else
			within "$pinned" $((N * SIZE_MB * 1048576)) 10 "$scenario: subtree estimate matches the bytes written"
		fi
		kind=$(printf '%s' "$st" | jq -r ".subtrees[] | select(.path == \"$sub\") | .pinned_by_kind")
		case $scenario in
		tmpfs) cmp_ge "$(printf '%s' "$kind" | jq .shmem)" $((N * SIZE_MB * 1048576 * 9 / 10)) "tmpfs: pinned as shmem" ;;
		mapped) cmp_ge "$(printf '%s' "$kind" | jq .mapped_file)" $((N * SIZE_MB * 1048576 * 9 / 10)) "mapped: pinned as mapped_file" ;;
		esac
		lst=$("$ZCG" list --json --no-bpf --under "$sub")
		is "$(printf '%s' "$lst" | jq -r '.zombies[0].parent')" "$sub" "$scenario: list names the live parent"
	fi

	cl=$("$ZCG" repro cleanup --under "$sub" --json)
	ok $? "$scenario: cleanup succeeded"
	is "$(printf '%s' "$cl" | jq .zombies_left)" 0 "$scenario: cleanup left no zombie"
	[ ! -d "$MEMROOT$sub" ]
	ok $? "$scenario: cleanup removed the subtree"
done
done_testing
