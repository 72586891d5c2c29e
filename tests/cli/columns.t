#!/bin/sh
# The tables of status, list, explain, origins and history take lsblk's options: -o/--output (+COLUMNS
# appends), --output-all, -n/--noheadings, -b/--bytes, -r/--raw, --sort; an unknown column is a
# usage error listing the valid ones; a long path is never cut off a terminal, nor lost on one.
# On the saved trees of tests/fixtures (no root needed).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/complete.sh"
cd "$TOP" || exit 1
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT
V2="--sysroot tests/fixtures/v2"
RING=tests/fixtures/history/cover-letter.ring
nl='
'

# -o picks and orders the columns, in any case; -r prints the table alone; -b gives bytes.
is "$("$ZCG" $V2 list -r -b -o usage,PARENT)" \
	"USAGE PARENT${nl}4202496 /system.slice${nl}131072 /" "list -r -b -o usage,PARENT: those columns, in that order, bytes"
is "$("$ZCG" $V2 list -r | sed -n 2p)" \
	'/system.slice 4 4.0\x20MiB 4.0\x20MiB 0\x20B 1.0\x20MiB 8.0\x20KiB' "list -r: a space inside a cell is \\x20"
is "$("$ZCG" $V2 list -r -o +ZOMBIES | head -1)" "PARENT ZOMBIES USAGE FILE ANON SHMEM SWAP ZOMBIES" \
	"list -o +ZOMBIES: appended to the default columns"
is "$("$ZCG" $V2 list -r --output-all | head -1)" \
	"ID NAME PATH PARENT MEMCG_ID USAGE FILE ANON SHMEM SWAP KMEM ESTIMATED ZOMBIES" "list --output-all: every column"
is "$("$ZCG" $V2 list -o parent -o +usage -r -b | head -1)" "PARENT USAGE" "-o twice: the second adds to the first"
like "$("$ZCG" $V2 list -o usage)" "^ +USAGE$" "list -o USAGE without -r: the header, right-aligned"
is "$("$ZCG" $V2 status -r -o parent,dying,share)" "PARENT DYING SHARE${nl}/system.slice 4 97%${nl}/ 2 3%" \
	"status -r -o: the subtree table alone"
is "$("$ZCG" $V2 explain -r -b -o zombie,kind,size)" \
	"ZOMBIE KIND SIZE${nl}/system.slice file 3145728${nl}/system.slice shmem 1048576${nl}/system.slice swap 8192${nl}/ file 131072" \
	"explain -r: every pin in one table"
ORIG="--sysroot tests/fixtures/origins"
is "$("$ZCG" $ORIG origins -r -b -o kind,dying,pinned)" \
	"KIND DYING PINNED${nl}kubernetes-container 3 4194304${nl}systemd-timer 2 2097152${nl}user-session 2 1048576${nl}generic 1 2097152" \
	"origins -r -b -o: those columns, every origin, bytes"
is "$("$ZCG" $ORIG origins -r -o +advice | head -1)" "ORIGIN KIND DYING PINNED KERNEL OLDEST NEWEST RATE/H PATTERN ADVICE" \
	"origins -o +ADVICE: appended to the defaults (RATE headed RATE/H)"
is "$("$ZCG" $ORIG origins -n -r -o kind --sort pinned | tr '\n' ' ')" \
	"user-session systemd-timer generic kubernetes-container " "origins --sort PINNED: numerically, smallest first"
is "$("$ZCG" $ORIG origins --json --sort dying | jq -r '[.origins[].kind] | join(" ")')" \
	"generic systemd-timer user-session kubernetes-container" "origins --json --sort: the JSON rows in that order too"
"$ZCG" $ORIG origins --json | jq -S . > "$TMP/o1.json"
"$ZCG" $ORIG origins --json -o kind -n -b -r | jq -S . > "$TMP/o2.json"
cmp -s "$TMP/o1.json" "$TMP/o2.json"
ok $? "origins --json: -o, -n, -b, -r change nothing"
is "$(TZ=UTC "$ZCG" history --file $RING --period 1d -r -o period,dying | head -2)" \
	"PERIOD DYING${nl}2019-06-05 56" "history -r -o: the period table alone"

# -n drops the header line, and only it.
out=$("$ZCG" $V2 status -n -o parent,dying)
! printf '%s\n' "$out" | grep -q "PARENT"
ok $? "status -n: no header line"
like "$out" "^/system.slice +4$" "status -n: the rows stay"
like "$out" "^Live memcgs" "status -n: the summary stays"
is "$("$ZCG" $V2 list -n -r -o parent)" "/system.slice${nl}/" "list -n -r: rows only"
! "$ZCG" $V2 explain -n | grep -q "KIND"
ok $? "explain -n: no header above the pins"
is "$(TZ=UTC "$ZCG" history --file $RING -n -r -o samples | head -1)" "4" "history -n -r: the first row first"

# -b: sizes in bytes, counts unchanged.
like "$("$ZCG" $V2 status -b)" "^/system.slice +4 +4202496 +97% +4194304 " "status -b: PINNED and CACHE in bytes"
like "$("$ZCG" $V2 explain -b)" "^  file +3145728 flush-evict " "explain -b: the pin's size in bytes"

# --sort: ascending, numbers numerically (56 < 362 < 1560, which as text would be 1560 < 362 < 56).
is "$("$ZCG" $V2 status -n -r -o parent --sort DYING)" "/${nl}/system.slice" "status --sort DYING: 2 before 4"
is "$("$ZCG" $V2 list -n -r -o parent --sort usage)" "/${nl}/system.slice" "list --sort USAGE: the smaller first"
is "$(TZ=UTC "$ZCG" history --file $RING --period 1d -n -r -o dying --sort dying | tr '\n' ' ')" \
	"56 362 628 752 1070 1250 1490 1560 " "history --sort DYING: numerically"
is "$(TZ=UTC "$ZCG" history --file $RING --period 1d -n -r -o period --sort period | head -1)" "2019-06-05" \
	"history --sort PERIOD: by time"
is "$(TZ=UTC "$ZCG" history --file $RING --period 1d -n -r -o dying --sort bar | tr '\n' ' ')" \
	"56 362 628 752 1070 1250 1490 1560 " "history --sort BAR: by the bars' text, shortest first"
is "$("$ZCG" $V2 explain -b -o size --sort size | sed -n 's/^  *\([0-9][0-9]*\)$/\1/p' | tr '\n' ' ')" \
	"8192 1048576 3145728 131072 " "explain --sort SIZE: each zombie's pins, smallest first"
is "$("$ZCG" $V2 explain -n -r -b -o size --sort size | tr '\n' ' ')" "8192 131072 1048576 3145728 " \
	"explain -r --sort SIZE: all pins, smallest first"
is "$("$ZCG" $V2 list --json --sort usage | jq -r '[.zombies[].parent] | join(" ")')" "/ /system.slice" \
	"list --json --sort: the JSON rows in that order too"

# JSON stays the same whatever the table options say.
"$ZCG" $V2 status --json | grep -v '"privileged"' > "$TMP/plain.json"
"$ZCG" $V2 status --json -o parent -n -b -r | grep -v '"privileged"' > "$TMP/opts.json"
cmp -s "$TMP/plain.json" "$TMP/opts.json"
ok $? "status --json: -o, -n, -b, -r change nothing"
cmp -s tests/golden/v2.list.json "$("$ZCG" $V2 list -J -o id > "$TMP/l.json"; echo "$TMP/l.json")"
ok $? "list --json -o ID: the golden JSON, every member"

# An unknown column: exit 2, the column named, the valid ones listed; JSON error with --json.
for c in status list explain origins; do
	err=$("$ZCG" $V2 $c -o +bogus 2>&1 >/dev/null)
	is "$?" 2 "$c -o bogus: exit 2 (usage error)"
	like "$err" "unknown column 'bogus' \\(columns: [A-Z_]+, " "$c -o bogus: names it and lists the columns"
done
"$ZCG" history --file $RING --sort nosuch >/dev/null 2>"$TMP/err"
is "$?" 2 "history --sort nosuch: exit 2"
like "$(cat "$TMP/err")" "history: --sort: unknown column 'nosuch' \\(columns: PERIOD, END, " "history --sort: names the column"
out=$("$ZCG" $V2 list -o ID,, --json 2>/dev/null)
is "$?" 2 "list -o 'ID,,' --json: exit 2"
is "$(printf '%s' "$out" | jq -r .error)" \
	"list: --output: an empty column name (columns: ID, NAME, PATH, PARENT, MEMCG_ID, USAGE, FILE, ANON, SHMEM, SWAP, KMEM, ESTIMATED, ZOMBIES)" \
	"the JSON error says which list is wrong"
"$ZCG" $V2 list -o 2>/dev/null
is "$?" 2 "list -o without a list: exit 2"

# Every column --help lists is in the man page.
man=$(sed -n '/^\.SH TABLE OPTIONS/,/^\.SH CONFIGURATION/p' doc/zombiecg.8 | sed 's/\\%//g')
for c in status list explain history origins; do
	cols=$("$ZCG" help $c | sed -n '/^Columns/,/^$/s/^  \([A-Z_]*\) .*/\1/p')
	[ -n "$cols" ]
	ok $? "help $c lists its columns"
	missing=
	for col in $cols; do
		printf '%s\n' "$man" | grep -qw -- "$col" || missing="$missing $col"
	done
	is "$missing" "" "man page: every column of $c"
done

# The bash completion offers the columns after -o (the last name of a list) and --sort.
is "$(complete_line "$ZCG" list -o ID,PA | tr '\n' ' ')" "ID,PATH ID,PARENT " "completion: list -o ID,PA"
is "$(complete_line "$ZCG" history --sort PINNED | tr '\n' ' ')" "PINNED PINNED_MAX " "completion: history --sort PINNED"
is "$(complete_line "$ZCG" origins -o ORIGIN,RE | tr '\n' ' ')" "ORIGIN,REMOVED_BY ORIGIN,RESTARTS " \
	"completion: origins -o ORIGIN,RE"

# A long path (a Kubernetes pod slice) is never cut off a terminal, whatever COLUMNS says...
cp -a tests/fixtures/v2 "$TMP/root"
pod=kubepods.slice-kubepods-burstable.slice-kubepods-burstable-pod0f3c2a4e_5b6d_4e8f_9a1b_2c3d4e5f6a7b.slice
mv "$TMP/root/sys/fs/cgroup/system.slice" "$TMP/root/sys/fs/cgroup/$pod"
for c in status list explain; do
	out=$(COLUMNS=40 "$ZCG" --sysroot "$TMP/root" $c | cat)
	like "$out" "/$pod( |:|\$)" "$c | cat with COLUMNS=40: the whole path"
done
# ... and on a narrow terminal it wraps instead of losing the pod UID.
if command -v script >/dev/null 2>&1 && script -qc true /dev/null >/dev/null 2>&1; then
	for c in status list; do
		script -qc "stty cols 100; \"$ZCG\" --sysroot \"$TMP/root\" $c" /dev/null | tr -d '\r' > "$TMP/tty"
		# the path column's pieces, one per line: joined, they are the path again
		joined=$(sed -n '/^\/kubepods/,/^\/ /p' "$TMP/tty" | sed '$d' | awk '{print $1}' | tr -d '\n')
		is "$joined" "/$pod" "$c on a 100-column terminal: the path wraps, whole"
		sed -n '/^PARENT/,$p' "$TMP/tty" | awk 'length > 100 { bad = 1 } END { exit bad }'
		ok $? "$c on a 100-column terminal: no table line is wider"
	done
else
	skip "no script(1) to run on a terminal"
fi
done_testing
