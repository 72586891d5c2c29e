# SPDX-License-Identifier: GPL-2.0
# Helpers for root tests: each test works in its own subtree zombiecg-test.<pid> of the
# memory hierarchy, and removes everything it made, zombies included, when it exits.
# POSIX sh: the same tests run on the host and in the VM lab (busybox).

# Skips the whole test unless we are root on a writable memory hierarchy.
cg_require_root() {
	[ "$(id -u)" = 0 ] || skip_all "needs root"
	st=$("$ZCG" status --json --no-bpf 2>&1) || skip_all "no memory hierarchy: $st"
	MEMROOT=$(printf '%s' "$st" | jq -r .memory_root)
	HIER=$(printf '%s' "$st" | jq -r .hierarchy)
	[ -w "$MEMROOT" ] || skip_all "memory hierarchy $MEMROOT is not writable"
	TESTCG=/zombiecg-test.$$
	TESTDIR=${ZCG_TEST_DIR:-/var/tmp}/zombiecg-test.$$
	export MEMROOT HIER TESTCG TESTDIR
}

# Creates the test's subtree (and hands the memory controller down on v2).
cg_setup() {
	mkdir "$MEMROOT$TESTCG" || { echo "Bail out! cannot create $MEMROOT$TESTCG"; exit 1; }
	if [ "$HIER" = v2 ]; then
		grep -qw memory "$MEMROOT/cgroup.subtree_control" || echo +memory > "$MEMROOT/cgroup.subtree_control"
		echo +memory > "$MEMROOT$TESTCG/cgroup.subtree_control"
	fi
	mkdir -p "$TESTDIR"
	# A filesystem's allocation metadata (bitmaps, group descriptors) stays pinned in the
	# page cache of whoever touched it first; on a fresh disk (the VM lab) that would be
	# the first test cgroup, which could then never die. Touch it from here first.
	mkdir "$TESTDIR/.warm" && i=0 && while [ $i -lt 32 ]; do echo x > "$TESTDIR/.warm/$i"; i=$((i + 1)); done
	sync
	rm -rf "$TESTDIR/.warm"
	trap cg_teardown EXIT
	trap 'exit 130' INT TERM
}

# Prints a directory on tmpfs (/dev/shm; mounted first where the system has none, as in
# the VM lab's initramfs).
cg_tmpfs_dir() {
	if ! awk '$2=="/dev/shm" && $3=="tmpfs"{f=1} END{exit !f}' /proc/mounts; then
		mkdir -p /dev/shm && mount -t tmpfs tmpfs /dev/shm
	fi
	echo /dev/shm
}

# Writes a file as a process inside cgroup $1: cg_write CGROUP FILE KIB
cg_write() {
	sh -c 'echo $$ > "$1/cgroup.procs" && dd if=/dev/zero of="$2" bs=4096 count=$(($3 / 4)) conv=fsync 2>/dev/null' \
		sh "$MEMROOT$1" "$2" "$3"
}

# cg_has_reclaim: the kernel has v2's memory.reclaim (5.19+). Tests skip the checks that
# need it, with this reason.
NO_RECLAIM_WHY="no memory.reclaim on this kernel (5.19+)"
cg_has_reclaim() {
	[ "$HIER" = v2 ] && [ -e "$MEMROOT/memory.reclaim" ]
}

# cg_stat_lag_bytes: how far memory.stat may stay from the truth for good. Before 5.13 (no
# rstat) each CPU keeps its deltas of each item until they pass 32 pages (doc/kernel.md
# K18); from 5.13 the 2 s flush makes them exact. Prints the bound in bytes.
cg_stat_lag_bytes() {
	set -- $(uname -r | sed 's/[.-]/ /g')
	if [ "$1" -lt 5 ] || { [ "$1" = 5 ] && [ "$2" -lt 13 ]; }; then
		echo $((32 * 4096 * $(grep -c "^processor" /proc/cpuinfo)))
	else
		echo 0
	fi
}

# cg_lru_reparented: the kernel moves a removed memcg's LRU pages (page cache, tmpfs, anon)
# to its parent at offline ("Eliminate Dying Memory Cgroup", Debian 7.2: its BTF names
# lru_reparent_memcg). Zombies made of such pages then hold none of them and go by themselves;
# checks that need them skip with this reason.
REPARENT_WHY="this kernel moves a removed memcg's LRU pages to its parent at offline (doc/kernels.md)"
cg_lru_reparented() {
	grep -q lru_reparent_memcg /sys/kernel/btf/vmlinux 2>/dev/null
}

# cg_held_by_files SCOPE: how many zombies below SCOPE a named file still holds. Not counted:
# kernel memory, pins no file name reaches, and a block device's own cache (filesystem
# metadata a cgroup first touched, on a fresh disk such as the VM lab's or CI's: no reaper
# can open /dev/vda on the development host, doc/kernel.md K14).
cg_held_by_files() {
	"$ZCG" explain --json --under "$1" | jq '[.zombies[] | select([.pins[] | select(.path != null and .kind != "kernel" and (.path | startswith("/dev/") | not))] | length > 0)] | length'
}

# cg_metadata_only ZOMBIE: zombie ZOMBIE (an id or path) is held by filesystem metadata and
# nothing reap can free: a page cache pin of a block device's own cache, or one no file name
# reaches, and no pin of a named file (doc/kernel.md K14: a cgroup that first touches an
# inode table or bitmap block of a fresh disk charges it, and this host cannot open /dev/vda).
# Prints the pins as a diagnostic.
CG_METADATA_ONLY='any(.[]; .kind == "file" and (.path == null or (.path | startswith("/dev/")))) and all(.[]; .path == null or (.path | startswith("/dev/")))'
cg_metadata_only() {
	_pins=$("$ZCG" explain --json "$1" | jq -c '[.zombies[].pins[] | {kind, path, pages}]')
	diag "zombie $1 still there, pins $_pins"
	printf '%s' "$_pins" | jq -e "$CG_METADATA_ONLY" >/dev/null
}

# cg_reclaim_once DIR: one memory.reclaim (v2) or memory.force_empty (v1) of the cgroup
# directory DIR, errors ignored; nothing on a v2 kernel without memory.reclaim. The braces:
# a failed redirection is reported before a 2>/dev/null on the same command applies.
cg_reclaim_once() {
	if [ "$HIER" = v2 ]; then
		[ -e "$1/memory.reclaim" ] && { echo 1G > "$1/memory.reclaim"; } 2>/dev/null
	else
		{ echo 0 > "$1/memory.force_empty"; } 2>/dev/null
	fi
	return 0
}

# Reclaims everything charged below cgroup $1 (ours only), zombies included.
cg_reclaim() {
	d=$MEMROOT$1
	i=0
	while [ $i -lt 10 ]; do
		cg_reclaim_once "$d"
		used=$(awk '$1=="total_cache"||$1=="total_rss"||$1=="file"||$1=="anon"{s+=$2} END{print s+0}' "$d/memory.stat")
		[ "$used" -eq 0 ] && return 0
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}

# Kills whatever runs below the test subtree, removes files, cgroups and the zombies.
cg_teardown() {
	trap - EXIT
	"$ZCG" repro cleanup --under "$TESTCG" >/dev/null 2>&1
	[ -d "$MEMROOT$TESTCG" ] || { rm -rf "$TESTDIR"; return 0; }
	for procs in $(find "$MEMROOT$TESTCG" -name cgroup.procs); do
		for p in $(cat "$procs"); do kill -9 "$p" 2>/dev/null; done
	done
	rm -rf "$TESTDIR"
	sync
	cg_reclaim "$TESTCG" || echo "# teardown: pages stayed charged below $TESTCG"
	# deepest first
	find "$MEMROOT$TESTCG" -mindepth 1 -depth -type d -exec rmdir {} \; 2>/dev/null
	cg_reclaim "$TESTCG" >/dev/null
	i=0
	until rmdir "$MEMROOT$TESTCG" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 50 ] && { echo "# teardown: cannot remove $MEMROOT$TESTCG"; return 1; }
		sleep 0.1
	done
	return 0
}

# Live memcg directories and /proc/cgroups' count, read so that neither moved in between
# (other tenants churn cgroups): prints "num_cgroups live_dirs".
cg_v1_counts() {
	i=0
	while [ $i -lt 20 ]; do
		a=$(awk '$1=="memory"{print $3}' /proc/cgroups)
		l=$(find "$MEMROOT" -type d 2>/dev/null | wc -l)
		b=$(awk '$1=="memory"{print $3}' /proc/cgroups)
		[ "$a" = "$b" ] && { echo "$a $l"; return 0; }
		i=$((i + 1))
	done
	echo "$a $l"
}

# Proactive reclaim the host runs by itself: prints what it is and returns 0, or returns 1.
# This development host and CI run a DAMON scheme (kdamond, operations paddr) that pages
# out cold unmapped page cache at up to 128 MiB/s, counted in no pgsteal: pages of the
# tests' files, zombies' included, can go at any moment, even seconds after they were
# written (DAMON ages whole physical regions). Counts of page cache are then upper bounds.
cg_host_reclaims() {
	for _k in /sys/kernel/mm/damon/admin/kdamonds/[0-9]*; do
		[ "$(cat "$_k/state" 2>/dev/null)" = on ] || continue
		for _s in "$_k"/contexts/*/schemes/[0-9]*; do
			[ "$(cat "$_s/action" 2>/dev/null)" = pageout ] || continue
			echo "DAMON pageout scheme ${_s#/sys/kernel/mm/damon/admin/kdamonds/}"
			return 0
		done
	done
	return 1
}

# cache_within GOT WANT PERCENT DESCRIPTION: page cache bytes, as `within`; where the host
# reclaims by itself (cg_host_reclaims) only the upper bound holds.
cache_within() {
	if _why=$(cg_host_reclaims); then
		if [ "$1" -ge 0 ] 2>/dev/null && [ "$1" -le $(($2 + $2 * $3 / 100)) ]; then
			ok 0 "$4 (at most: $_why)"
		else
			ok 1 "$4 (at most: $_why)"
			diag "got $1, want 0 to $(($2 + $2 * $3 / 100))"
		fi
	else
		within "$@"
	fi
}
