#!/bin/sh
# cgroup v1 release agent: cgroups that empty under the installed subtree are drained and
# removed by the agent the kernel starts; uninstall restores the agent that was there.
#
#   <memory root>/zombiecg-test.<pid>/       notify_on_release=1 (inherited below)
#       job1 .. job20                          a process writes 1 MiB each, then exits
#   <memory root>/zombiecg-test.<pid>.other/ outside the subtree: the previous agent's
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/cg.sh"
cg_require_root
[ "$HIER" = v1 ] || skip_all "the release agent is a cgroup v1 feature (hierarchy here: $HIER)"
[ -e "${ZCG_RUN_DIR:-/run/zombiecg}/release-agent.state" ] && skip_all "a release agent is installed on this host already"
cg_setup
N=20
orig_agent=$(cat "$MEMROOT/release_agent")
OTHER=$TESTCG.other
PREV=$TESTDIR/previous-agent
cat > "$PREV" <<EOS
#!/bin/sh
echo "\$1" >> "$TESTDIR/previous-agent.calls"
rmdir "$MEMROOT\$1"
EOS
chmod +x "$PREV"
restore() {
	"$ZCG" release-agent uninstall >/dev/null 2>&1
	if [ -n "$orig_agent" ]; then echo "$orig_agent"; else echo; fi > "$MEMROOT/release_agent"
	rmdir "$MEMROOT$OTHER" 2>/dev/null
	cg_teardown
}
trap restore EXIT
echo "$PREV" > "$MEMROOT/release_agent"

"$ZCG" release-agent install --under "$TESTCG"
ok $? "install"
is "$(cat "$MEMROOT/release_agent")" "${ZCG_RUN_DIR:-/run/zombiecg}/zombiecg-release-agent" "release_agent points at zombiecg"
is "$(cat "$MEMROOT$TESTCG/notify_on_release")" 1 "notify_on_release set on the subtree"
"$ZCG" release-agent install --under "$TESTCG" 2>/dev/null
is "$?" 1 "a second install is refused"

i=1
while [ $i -le $N ]; do
	mkdir "$MEMROOT$TESTCG/job$i"
	sh -c 'echo $$ > "$1/cgroup.procs"; dd if=/dev/zero of="$2" bs=64k count=16 conv=fsync 2>/dev/null' \
		sh "$MEMROOT$TESTCG/job$i" "$TESTDIR/job$i.dat" &
	i=$((i + 1))
done
wait
# The kernel starts one agent per emptied cgroup, asynchronously.
t=0
while [ "$(find "$MEMROOT$TESTCG" -mindepth 1 -maxdepth 1 -type d -name 'job*' | wc -l)" -gt 0 ] && [ $t -lt 300 ]; do
	sleep 0.1
	t=$((t + 1))
done
is "$(find "$MEMROOT$TESTCG" -mindepth 1 -maxdepth 1 -type d -name 'job*' | wc -l)" 0 "all $N cgroups were removed by the agent"
is "$(awk '$1=="total_cache"||$1=="total_rss"{s+=$2} END{print s+0}' "$MEMROOT$TESTCG/memory.stat")" 0 \
	"nothing stays charged below the subtree: no zombie"
if "$ZCG" list --json --under "$TESTCG" | jq -e '.source == "bpf"' >/dev/null 2>&1; then
	is "$("$ZCG" list --json --under "$TESTCG" | jq '.zombies | length')" 0 "BPF census: no zombie below the subtree"
fi
[ -d "$MEMROOT$TESTCG" ]
ok $? "the subtree itself is left alone"
like "$(cat "${ZCG_RUN_DIR:-/run/zombiecg}/release-agent.log" 2>/dev/null)" "job[0-9]+ drained [0-9]+ -> 0 bytes, removed" "the agent logged what it did"
i=1
bad=0
while [ $i -le $N ]; do
	[ "$(stat -c %s "$TESTDIR/job$i.dat")" = 1048576 ] || bad=1
	i=$((i + 1))
done
is "$bad" 0 "the jobs' files are intact"

# A cgroup outside the subtree goes to the previous agent.
mkdir "$MEMROOT$OTHER"
echo 1 > "$MEMROOT$OTHER/notify_on_release"
sh -c 'echo $$ > "$1/cgroup.procs"; true' sh "$MEMROOT$OTHER"
t=0
while [ -d "$MEMROOT$OTHER" ] && [ $t -lt 100 ]; do sleep 0.1; t=$((t + 1)); done
is "$(cat "$TESTDIR/previous-agent.calls" 2>/dev/null)" "$OTHER" "outside the subtree, the previous agent is called"

"$ZCG" release-agent uninstall
ok $? "uninstall"
is "$(cat "$MEMROOT/release_agent")" "$PREV" "uninstall restored the previous agent"
is "$(cat "$MEMROOT$TESTCG/notify_on_release")" 0 "uninstall restored notify_on_release"
"$ZCG" release-agent uninstall 2>/dev/null
is "$?" 1 "uninstall twice: exit 1"
done_testing
