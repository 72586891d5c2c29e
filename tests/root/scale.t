#!/bin/sh
# The BPF folio walk is linear in memcgs + folios: explain reports the steps its program took
# (walk_steps), and those stay within a small constant times what there is to walk, at two
# sizes. No timing: the count of steps is what a quadratic walk (each target searched for
# from the root, as before 2026-12) would blow up, whatever the machine's speed.
#
#   <memory root>/zombiecg-test.<pid>/            test subtree
#       zombiecg-repro.<p1>/z0 .. z<N1-1>         shared: one page each of one file
#       zombiecg-repro.<p2>/z0 .. z<N2-1>         shared: the same, N2 = 3 * N1
#       zombiecg-repro.<p3>/z0, z1                pagecache: 8 MiB each (many folios per target)
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/cg.sh"
cg_require_root
# Its zombies are one-page ones held by their page cache, which this kernel moves to the parent
# at offline: they go by themselves, there is nothing to walk.
cg_lru_reparented && skip_all "zombies pinned by page cache: $REPARENT_WHY"
cg_setup
N1=${ZCG_SCALE_N:-1000}
N2=$((3 * N1))
# steps per memcg, target and folio: the memcg walk takes 2 per memcg (down and up), a target
# 1 to look up plus 1 per (node, LRU list) it may hold, and each folio 1
PER_ITEM=64

memcgs() { awk '$1=="memory"{print $3}' /proc/cgroups; }

# explain_counts SUBTREE: "zombies pages steps runs complete" of an explain of SUBTREE
explain_counts() {
	"$ZCG" explain --under "$1" --json |
		jq -r '[(.zombies | length), .pages_walked, .walk_steps, .walk_runs,
			([.zombies[] | select(.walk_complete)] | length), .source] | map(tostring) | join(" ")'
}

source=$("$ZCG" explain --under "$TESTCG" --json | jq -r .source)
[ "$source" = bpf ] || {
	diag "$("$ZCG" explain --under "$TESTCG" --json | jq -r .source_note)"
	cg_teardown
	skip_all "explain does not use BPF here (source $source): no walk to count"
}

steps_of=
for n in $N1 $N2; do
	out=$("$ZCG" repro shared --count $n --under "$TESTCG" --dir "$TESTDIR" --json)
	ok $? "shared: repro made $n one-page zombies"
	sub=$(printf '%s' "$out" | jq -r .subtree)
	total=$(memcgs)
	set -- $(explain_counts "$sub")
	zombies=$1 pages=$2 steps=$3 runs=$4 complete=$5
	diag "$n zombies: explained $zombies, $pages pages, $steps steps in $runs runs, $total memcgs on the host"
	# the host's DAMON scheme may free a few before explain looks
	within "$zombies" $n 5 "shared $n: explain found the zombies"
	# The census takes runs of at most 2,048 memcgs each, every one resuming where the last
	# stopped; past that many it must still see every zombie (the folio walker's memcg pass,
	# separate code, counted the same ones a moment ago).
	listed=$("$ZCG" list --under "$sub" --json | jq '[.zombies[] | select(.estimated | not)] | length')
	within "$listed" "$zombies" 2 "shared $n: the census lists as many ($listed of $zombies; $total memcgs: $(( (total + 2047) / 2048 )) runs)"
	is "$complete" "$zombies" "shared $n: every zombie's walk reached each list's end"
	limit=$((PER_ITEM * (total + zombies + pages)))
	if [ "$steps" -le "$limit" ] && [ "$steps" -gt 0 ]; then
		ok 0 "shared $n: $steps steps <= $PER_ITEM x (memcgs + zombies + pages) = $limit"
	else
		ok 1 "shared $n: $steps steps <= $PER_ITEM x (memcgs + zombies + pages) = $limit"
	fi
	steps_of="$steps_of $steps"
	if [ $n = $N1 ]; then
		# human tables stop at 500 rows and say how to see the rest (compared with the
		# same command's JSON: a zombie may go between two commands)
		listed=$("$ZCG" list --under "$sub" --json | jq '.zombies | length')
		"$ZCG" list --under "$sub" > "$TESTDIR/list.txt"
		is "$(grep -c "^ *[0-9]" "$TESTDIR/list.txt")" 500 "list: at most 500 rows on a terminal"
		tail -n 1 "$TESTDIR/list.txt" | grep -q "^\.\.\. and [0-9]* more zombies ([0-9]* in all): --all"
		ok $? "list: the last line says how many more and how to see them"
		within "$("$ZCG" list --under "$sub" --all | grep -c "^ *[0-9]")" "$listed" 1 "list --all: every row ($listed)"
		"$ZCG" explain --under "$sub" > "$TESTDIR/explain.txt"
		is "$(grep -c "^zombie " "$TESTDIR/explain.txt")" 500 "explain: 500 zombies shown"
		grep -q "^\.\.\. and [0-9]* more zombies" "$TESTDIR/explain.txt"
		ok $? "explain: says how many more"
	fi
done
set -- $steps_of
# three times the zombies (and about as many more memcgs): a linear walk takes about three
# times the steps, a quadratic one about nine
if [ $(($2 * 10)) -le $(($1 * 45)) ]; then
	ok 0 "3x the zombies took $2 / $1 steps: at most 4.5x"
else
	ok 1 "3x the zombies took $2 / $1 steps: at most 4.5x"
fi

# many folios in few targets: steps follow the folios
out=$("$ZCG" repro pagecache --count 2 --size-mb 8 --under "$TESTCG" --dir "$TESTDIR" --json)
ok $? "pagecache: repro made 2 zombies of 8 MiB"
sub=$(printf '%s' "$out" | jq -r .subtree)
total=$(memcgs)
set -- $(explain_counts "$sub")
diag "2 zombies of 8 MiB: $2 pages, $3 steps in $4 runs"
cmp_ge "$2" 1 "pagecache: explain walked their pages"
limit=$((PER_ITEM * (total + $1) + 2 * $2))
if [ "$3" -le "$limit" ]; then
	ok 0 "pagecache: $3 steps <= $PER_ITEM x (memcgs + zombies) + 2 x pages = $limit"
else
	ok 1 "pagecache: $3 steps <= $PER_ITEM x (memcgs + zombies) + 2 x pages = $limit"
fi

r=$("$ZCG" repro cleanup --under "$TESTCG" --json)
ok $? "cleanup freed the zombies"
cg_teardown
done_testing
