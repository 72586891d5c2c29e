#!/bin/sh
# The installed library (build/public/libzombiecg.a, what `make install` and the -dev package
# ship) exports the public API of include/zombiecg/drain.h and nothing else: no path_join,
# read_full_file or other internal name that could clash with a program's own.
. "$(dirname "$0")/../lib/tap.sh"
cd "$TOP" || exit 1
B=${BUILD:-build}
A=$B/public/libzombiecg.a
make -s "$A" BUILD="$B" >/dev/null 2>&1
ok $? "make $A"
command -v nm >/dev/null || { skip "no nm"; done_testing; }

exported=$(nm -g --defined-only "$A" | awk 'NF == 3 { print $3 }' | sort | tr '\n' ' ')
# every function the public header declares: "name(" after a return type at line start
declared=$(sed -n 's/^[a-z_ ]*[ *]\(zcg_[a-z_]*\)(.*/\1/p' include/zombiecg/drain.h | sort | tr '\n' ' ')
is "$exported" "$declared" "exported symbols are exactly the header's functions ($declared)"
internal=$(nm -g --defined-only "$B/libzombiecg.a" | awk 'NF == 3 { print $3 }' | grep -c . )
cmp_ge "$internal" 100 "the internal archive still has all of them ($internal): the binary and tests use it"
undefined_internal=$(nm -u "$A" | awk '{ print $2 }' | grep -E '^(zcg_|path_join|read_full_file|grow_array)' | tr '\n' ' ')
is "$undefined_internal" "" "no internal symbol left undefined (all resolved inside)"
done_testing
