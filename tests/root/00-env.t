#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Environment check, first of the root tests: says which kernel and cgroup hierarchy the suite
# runs on, and checks the mechanism every other test relies on (doc/kernel.md K1, K3, K4):
# a memcg whose page cache outlives it stays behind as a dying memcg, and freeing that page
# cache frees it.
#
#   <memory root>/zombiecg-test.<pid>/		the test's own subtree (v2: +memory for children)
#   <memory root>/zombiecg-test.<pid>/child/	charged only with the page cache of one 4 MiB
#						file, written from a subshell that joined it
#
# After `rmdir child` the parent must count a dying descendant (v2: nr_dying_descendants, and
# nr_dying_subsys_memory on 6.11+; v1: total_cache - cache, the pages of dying descendants).
# Deleting the file must bring that back to 0. Runs on the host (v1 or v2) and in the VM lab.
# POSIX sh for busybox; the subshell in the child memcg runs only shell builtins, so it does
# not first-touch any binary's page cache there (doc/kernel.md K11) and the file is its only pin.
#
# Env: ZCG (zombiecg binary), ZCG_TEST_DIR (scratch directory on a disk filesystem).

here=$(cd "$(dirname "$0")" && pwd)
ZCG=${ZCG:-$here/../../build/zombiecg}
FILE_KIB=4096

n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n # skip $*"; }
diag() { echo "# $*"; }
check() {	# check DESCRIPTION COMMAND...: ok if COMMAND succeeds
	d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
bail() { echo "Bail out! $*"; exit 1; }

[ "$(id -u)" = 0 ] || skip_all "needs root"

# --- where is the memory controller? -----------------------------------------------------
# A v1 mount with the memory option wins: then the memory controller is not on cgroup2 at all.
hier=
root=
v1root=$(awk '$3 == "cgroup" && ("," $4 ",") ~ /,memory,/ { print $2; exit }' /proc/self/mounts)
v2root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
if [ -n "$v1root" ]; then
	hier=v1 root=$v1root
elif [ -n "$v2root" ] && grep -qw memory "$v2root/cgroup.controllers"; then
	hier=v2 root=$v2root
	# The test's cgroups only get memcgs of their own if the root hands memory down (fact 5);
	# changing that on someone's host is not a test's business.
	grep -qw memory "$root/cgroup.subtree_control" ||
		skip_all "memory is not in $root/cgroup.subtree_control"
else
	skip_all "no memory controller mounted (no v1 memory hierarchy, not in cgroup2 controllers)"
fi

echo "1..9"
ok "kernel $(uname -r), cgroup $hier, memory controller enabled ($root)"
[ -r /sys/kernel/mm/lru_gen/enabled ] && diag "MGLRU: $(cat /sys/kernel/mm/lru_gen/enabled)"

# --- the binary and the scratch directory ------------------------------------------------
if [ -x "$ZCG" ]; then
	# 126/127: the shell or the loader could not start it (a library or ld.so missing);
	# 128 and up: it crashed. Any other status is an answer from zombiecg itself.
	"$ZCG" --version > /dev/null 2>&1
	rc=$?
	check "zombiecg starts: $ZCG --version exited $rc" [ "$rc" -lt 126 ]
else
	skip "no zombiecg binary at $ZCG"
fi

made_dir=
if [ -z "${ZCG_TEST_DIR:-}" ]; then
	ZCG_TEST_DIR=$(mktemp -d /var/tmp/zcg-env.XXXXXX) || bail "cannot make a scratch directory"
	made_dir=$ZCG_TEST_DIR
fi
fstype=$(stat -f -c %t "$ZCG_TEST_DIR")
# tmpfs (0x1021994) and ramfs (0x858458f6) pages are shmem, not page cache: the wrong thing.
check "scratch dir $ZCG_TEST_DIR is on a disk filesystem (magic 0x$fstype)" \
	test "$fstype" != 1021994 -a "$fstype" != 858458f6

# --- a memcg that dies with page cache charged --------------------------------------------
parent=$root/zombiecg-test.$$
child=$parent/child
file=$ZCG_TEST_DIR/env-cache.$$

cleanup() {
	rm -f "$file"
	[ -d "$child" ] && rmdir "$child" 2> /dev/null
	# rmdir of the parent fails while the child is still dying; give it a moment.
	i=0
	while [ -d "$parent" ] && ! rmdir "$parent" 2> /dev/null && [ $i -lt 50 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	[ -n "$made_dir" ] && rm -rf "$made_dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

stat_key() {	# stat_key FILE KEY: the value of "KEY value" in a flat keyed file, else empty
	awk -v k="$2" '$1 == k { print $2; exit }' "$1"
}
dying_pages() {	# bytes the parent's dying descendants hold (v1) / dying descendants (v2)
	if [ $hier = v1 ]; then
		echo $(($(stat_key "$parent/memory.stat" total_cache) - $(stat_key "$parent/memory.stat" cache)))
	else
		stat_key "$parent/cgroup.stat" nr_dying_descendants
	fi
}
wait_until() {	# wait_until SECONDS COMMAND...: poll until COMMAND succeeds
	t=$(($1 * 5))
	shift
	while ! "$@"; do
		[ $t -le 0 ] && return 1
		sleep 0.2
		t=$((t - 1))
	done
}

num_memcgs() { awk '$1 == "memory" { print $3 }' /proc/cgroups; }
mkdir "$parent" || bail "cannot create $parent"
memcgs_before=$(num_memcgs)
mkdir "$child" ||
	bail "cannot create $child"
[ $hier = v2 ] && { echo +memory > "$parent/cgroup.subtree_control" || bail "enable +memory in $parent"; }
[ -e "$child/memory.stat" ] || bail "$child has no memory.stat: no memcg of its own"
ok "created memcg ${child#"$root"/}"

# Create the file from here, so its inode and directory blocks are charged to us, not the child.
: > "$file" || bail "cannot create $file"
block=0123456789abcdef
i=0
while [ $i -lt 12 ]; do block=$block$block; i=$((i + 1)); done	# 64 KiB
(
	echo 0 > "$child/cgroup.procs" || exit 1	# 0: the writing process, this subshell
	i=0
	while [ $i -lt $((FILE_KIB / 64)) ]; do printf %s "$block"; i=$((i + 1)); done >> "$file"
) || bail "cannot run in $child"

key='file'	# v2 memory.stat name
[ $hier = v1 ] && key=cache
cached=$(stat_key "$child/memory.stat" $key)
# at least 95%: the last pages may still sit in a CPU's LRU-add batch, not yet counted
check "child is charged with the file's page cache: $key $cached >= 95% of $((FILE_KIB * 1024))" \
	[ "${cached:-0}" -ge $((FILE_KIB * 1024 * 95 / 100)) ]

before=$(dying_pages)
# The subshell has exited, but give the kernel a moment to notice the cgroup is empty.
wait_until 5 rmdir "$child" 2> /dev/null || bail "cannot rmdir $child"
after=$(dying_pages)
if [ $hier = v2 ]; then
	check "rmdir left a dying memcg: nr_dying_descendants $before -> $after" [ "$after" = 1 ]
	v=$(stat_key "$parent/cgroup.stat" nr_dying_subsys_memory)
	if [ -n "$v" ]; then
		check "nr_dying_subsys_memory is $v (6.11+)" [ "$v" = 1 ]
	else
		skip "no nr_dying_subsys_memory in cgroup.stat (before 6.11)"
	fi
elif [ "$(cat "$parent/memory.use_hierarchy" 2>/dev/null)" = 0 ]; then
	# Before 5.11 a v1 hierarchy is flat unless use_hierarchy is 1 (systemd sets it): no
	# ancestor's total_* then counts a child's pages, so the subtraction shows nothing.
	skip "rmdir left a dying memcg: memory.use_hierarchy is 0 (kernels before 5.11), total_cache is not hierarchical"
else
	# 95%, as for the child: before 5.13 (rstat) the hierarchical counters take per-CPU
	# deltas in batches of 32 pages, so total_cache may lag a few pages (seen on 5.10).
	check "rmdir left a dying memcg: parent total_cache - cache = $after >= 95% of $((FILE_KIB * 1024))" \
		[ "$after" -ge $((FILE_KIB * 1024 * 95 / 100)) ]
	skip "nr_dying_subsys_memory is cgroup v2 only"
fi

rm -f "$file"
# v2 counts dying memcgs directly. v1 only shows their pages; the memcg itself is visible in
# the global num_cgroups of /proc/cgroups, which only the VM is quiet enough to compare.
freed="freed the dying memcg"
[ $hier = v1 ] && [ -z "${ZCG_VM:-}" ] && freed="freed the dying memcg's pages"
gone() {
	[ "$(dying_pages)" = 0 ] || return 1
	[ $hier = v1 ] && [ -n "${ZCG_VM:-}" ] && [ "$(num_memcgs)" != "$memcgs_before" ] && return 1
	return 0
}
start=$(date +%s)
how=""
if ! wait_until 15 gone && [ $hier = v2 ]; then
	# v2: the memcg's writeback structure may still hold it; the kernel lets such structures
	# go when a memcg goes offline (see lib/reap.c act()): take an empty one offline.
	mkdir "$parent/kick" && rmdir "$parent/kick"
	how=" (and one memcg offline, for its writeback structure)"
fi
if wait_until 15 gone; then
	ok "deleting the file$how $freed after ~$(($(date +%s) - start)) s"
else
	not_ok "deleting the file $freed: still $(dying_pages) after 30 s"
	[ $hier = v1 ] && diag "num_cgroups for memory: $(num_memcgs), $memcgs_before before the child"
	[ $hier = v2 ] && diag "$(cat "$parent/cgroup.stat")"
	[ $hier = v1 ] && diag "$(grep -E '^(total_)?(cache|rss|shmem|mapped_file|dirty|writeback) ' "$parent/memory.stat")"
fi

if wait_until 5 rmdir "$parent" 2> /dev/null; then ok "removed ${parent#"$root"/}"; else not_ok "rmdir $parent"; fi
[ $fails -eq 0 ]
