# Shared by the bench scripts: a private subtree of the memory hierarchy, timing, cleanup.
BENCH_ROOT=$("$ZCG" status --json --no-bpf | jq -r .memory_root)
BENCH_HIER=$("$ZCG" status --json --no-bpf | jq -r .hierarchy)
BENCH_CG=/zombiecg-bench.$$
BENCH_DIR=/var/tmp/zombiecg-bench.$$

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }	# elapsed START END
ratio() { echo "scale=2; $1 / $2" | bc -l; }

bench_setup() {
	mkdir -p "$BENCH_ROOT$BENCH_CG" "$BENCH_DIR"
	[ "$BENCH_HIER" = v2 ] && echo +memory > "$BENCH_ROOT$BENCH_CG/cgroup.subtree_control"
	trap bench_teardown EXIT INT TERM
}

bench_teardown() {
	"$ZCG" repro cleanup --under "$BENCH_CG" >/dev/null 2>&1
	rm -rf "$BENCH_DIR"
	find "$BENCH_ROOT$BENCH_CG" -mindepth 1 -depth -type d -exec rmdir {} \; 2>/dev/null
	"$ZCG" drain --timeout 20 "$BENCH_CG" >/dev/null 2>&1 || rmdir "$BENCH_ROOT$BENCH_CG" 2>/dev/null
}

# Dying memcgs on the host: /proc/cgroups minus live directories (v1), cgroup.stat (v2).
host_dying() { "$ZCG" status --json --no-bpf | jq .dying; }

# Writes MiB of data to a disk file from a process inside cgroup REL: fill REL FILE MIB
fill() {
	sh -c 'echo $$ > "$1/cgroup.procs"; dd if=/dev/zero of="$2" bs=1M count="$3" conv=fsync 2>/dev/null' \
		sh "$BENCH_ROOT$1" "$2" "$3"
}
