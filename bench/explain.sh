#!/bin/sh
# explain: naming the files behind 200 zombies of 4 MiB each (zombiecg explain, a BPF walk of
# the zombies' own LRU lists, plus file names and /proc scans) against the only other way to
# look at every page: a full read of /proc/kpageflags and /proc/kpagecgroup, which is not even
# enough (kpagecgroup gives a zombie's pages to its live parent, doc/kernel.md K2, and names no
# file). Both are timed in the same run, best of ROUNDS; pages per second are the pages each
# one covers (explain: the zombies' pages; the scan: every page frame of the machine).
. "$(dirname "$0")/lib.sh"
command -v bc >/dev/null || { echo "bench explain: needs bc"; exit 1; }
bench_setup
ZOMBIES=${EXPLAIN_ZOMBIES:-200}
SIZE_MB=${EXPLAIN_SIZE_MB:-4}
ROUNDS=${EXPLAIN_ROUNDS:-3}

out=$("$ZCG" repro pagecache --count "$ZOMBIES" --size-mb "$SIZE_MB" --under "$BENCH_CG" --dir "$BENCH_DIR" --json) ||
	{ echo "bench explain: repro failed"; exit 1; }
sub=$(printf '%s' "$out" | jq -r .subtree)
source=$("$ZCG" explain --under "$sub" --json | jq -r .source)
[ "$source" = bpf ] || echo "bench explain: source is $source here, not bpf: the figures are the estimate's"

best() { # best SECONDS_A SECONDS_B
	if [ -z "$1" ] || [ "$(echo "$2 < $1" | bc -l)" = 1 ]; then echo "$2"; else echo "$1"; fi
}
t_explain=
t_scan=
i=0
while [ $i -lt "$ROUNDS" ]; do
	a=$(now)
	"$ZCG" explain --under "$sub" --json > "$BENCH_DIR/explain.json"
	b=$(now)
	t_explain=$(best "$t_explain" "$(elapsed "$a" "$b")")
	a=$(now)
	dd if=/proc/kpageflags of=/dev/null bs=1M 2>/dev/null
	dd if=/proc/kpagecgroup of=/dev/null bs=1M 2>/dev/null
	b=$(now)
	t_scan=$(best "$t_scan" "$(elapsed "$a" "$b")")
	i=$((i + 1))
done

explained=$(jq '[.zombies[]] | length' "$BENCH_DIR/explain.json")
complete=$(jq '[.zombies[] | select(.walk_complete)] | length' "$BENCH_DIR/explain.json")
walked=$(jq .pages_walked "$BENCH_DIR/explain.json")
# pages on the very files the zombies wrote: the attribution is right, not just fast
right=$(jq --argjson r "$out" '[.zombies[] as $z | ($r.zombies[] | select(.path == $z.path) | .file) as $f |
	$z.pins[] | select(.path == $f) | .pages] | add // 0' "$BENCH_DIR/explain.json")
written=$((ZOMBIES * SIZE_MB * 256))
# what is charged to the zombies on LRU lists: usage less the v1 kmem counter (pages can leave
# between repro and explain: other tenants' reclaim here took a hundred now and then)
charged=$(jq '[.zombies[] | (.usage_bytes / 4096) - ([.pins[] | select(.kind == "kernel") | .pages] | add // 0)] | add' \
	"$BENCH_DIR/explain.json")
frames=$(($(stat -c %s /proc/kpageflags 2>/dev/null || echo 0) / 8))
[ "$frames" -gt 0 ] || frames=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 4))

printf '%-44s %10s %12s %14s\n' "$ZOMBIES zombies x $SIZE_MB MiB, best of $ROUNDS" "seconds" "pages" "pages/s"
printf '%-44s %10.3f %12d %14.0f\n' "zombiecg explain (all $explained)" "$t_explain" "$walked" \
	"$(echo "$walked / $t_explain" | bc -l)"
printf '%-44s %10.3f %12d %14.0f\n' "read /proc/kpageflags + /proc/kpagecgroup" "$t_scan" "$frames" \
	"$(echo "$frames / $t_scan" | bc -l)"
printf '%-44s %10s\n' "explain faster by" "$(ratio "$t_scan" "$t_explain")x"
printf '%-44s %10s\n' "LRU walks that reached every list's end" "$complete of $explained"
printf '%-44s %10s\n' "pages on the files the zombies wrote" "$right of $charged charged ($(echo "scale=1; 100 * $right / $charged" | bc -l)%), $written written"
[ "$(echo "$t_explain < $t_scan" | bc -l)" = 1 ] || { echo "bench explain: explain was not faster than the scan"; exit 1; }
