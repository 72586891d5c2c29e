#!/bin/sh
# The drain C API (include/zombiecg/drain.h) as a scheduler would call it: examples/drain.c, linked
# against libzombiecg, drains and removes a job's cgroup without forking zombiecg.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/cg.sh"
cg_require_root
EX=$TOP/${BUILD:-build}/examples/drain
[ -x "$EX" ] || skip_all "examples not built ($EX): run make check"
cg_setup
mkdir "$MEMROOT$TESTCG/job"
cg_write "$TESTCG/job" "$TESTDIR/job.dat" 4096
out=$("$EX" "$MEMROOT$TESTCG/job")
is "$?" 0 "zcg_drain() returns 0 for a clean job"
like "$out" "^$TESTCG/job [0-9]+ 0 removed$" "the job's 4 MiB were freed and the cgroup removed"
[ ! -d "$MEMROOT$TESTCG/job" ]
ok $? "the cgroup is gone"
mkdir "$MEMROOT$TESTCG/busy"
sh -c 'echo $$ > "$1/cgroup.procs"; exec sleep 30' sh "$MEMROOT$TESTCG/busy" &
pid=$!
sleep 0.3
out=$("$EX" "$TESTCG/busy" 2>&1)
is "$?" 1 "zcg_drain() refuses a cgroup with tasks"
like "$out" "task $pid" "the result lists the task"
kill $pid
wait $pid 2>/dev/null
done_testing
