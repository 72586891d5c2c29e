#!/bin/sh
# scale: census, explain, reap and the daemon at 2,000 / 20,000 / 100,000 one-page zombies
# (BENCH_SCALE_SIZES; BENCH_ZOMBIES=N adds N as the largest size, e.g. 400000, at about 17 KiB
# of kernel memory per zombie). Every figure is per zombie, and each size is compared with the
# smallest in the same run: a linear tool keeps the per-zombie cost flat as the count grows,
# a quadratic one multiplies it by the growth (the folio walk of 2026-11 took 78.6 s of
# explain at 20,000: 3.9 ms a zombie).
#
# At the largest size also: the latency of mkdir+rmdir of a cgroup on the host while explain
# runs (every BPF run holds cgroup_mutex, which mkdir and rmdir wait for), and the daemon
# at its default 1% CPU budget against the backlog until none of it is left or
# BENCH_DAEMON_SECONDS (default 1800: the goal) have passed: how long it took, how many it
# freed itself (this host's DAMON scheme frees some by itself meanwhile) and its CPU share.
#
# Goals (issue 12): census <= 1.5 s wall and 64 MiB RSS; explain <= 20 us CPU per zombie plus
# folio and 256 MiB RSS; reap <= 100 us CPU per freed zombie; mkdir+rmdir <= 20 ms at worst;
# the daemon clears 100,000 in <= 30 min.
. "$(dirname "$0")/lib.sh"
command -v bc >/dev/null || { echo "bench scale: needs bc"; exit 1; }
command -v perl >/dev/null || { echo "bench scale: needs perl"; exit 1; }
. "$TOP/tests/lib/daemon.sh"
SIZES=${BENCH_SCALE_SIZES:-2000 20000 100000}
[ -n "${BENCH_ZOMBIES:-}" ] && SIZES="$SIZES $BENCH_ZOMBIES"
DAEMON_SECONDS=${BENCH_DAEMON_SECONDS:-1800}
bench_setup
largest=$(echo $SIZES | tr ' ' '\n' | sort -n | tail -n 1)
smallest=$(echo $SIZES | tr ' ' '\n' | sort -n | head -n 1)

# timed OUT CMD...: runs CMD with stdout to OUT; prints "wall cpu maxrss_kib"
timed() {
	_out=$1
	shift
	/usr/bin/time -f '%e %U %S %M' -o "$BENCH_DIR/time" "$@" > "$_out" || return 1
	awk '{ printf "%s %.3f %d\n", $1, $2 + $3, $4 }' "$BENCH_DIR/time"
}
per() { echo "scale=2; 1000000 * $1 / $2" | bc -l; }	# per SECONDS N: microseconds each

# mkdir+rmdir of one cgroup in a loop until the file STOP appears: prints max and p99 in ms
latency_probe() {
	perl -MTime::HiRes=time -e '
		my ($dir, $stop) = @ARGV; my @l;
		while (!-e $stop) {
			my $t = time; mkdir $dir or die "mkdir $dir: $!"; rmdir $dir or die "rmdir $dir: $!";
			push @l, (time - $t) * 1000;
		}
		@l = sort { $a <=> $b } @l;
		printf "%.2f %.2f %d\n", $l[-1], $l[int(0.99 * $#l)], scalar @l;
	' "$BENCH_ROOT$BENCH_CG/probe" "$BENCH_DIR/stop"
}

# daemon_bench N SUBTREE: the daemon against SUBTREE's backlog of N, default budget and
# interval (BENCH_DAEMON_INTERVAL), no grace period
daemon_bench() {
	n=$1 sub=$2
	port=$(pick_port)
	printf 'grace_period = 0\ninterval = %s\nlisten = 127.0.0.1:%s\nunder = %s\nhistory_file = %s/history\n' \
		"${BENCH_DAEMON_INTERVAL:-60s}" "$port" "$sub" "$BENCH_DIR" > "$BENCH_DIR/daemon.conf"
	before=$("$ZCG" status --under "$sub" --json | jq .dying)
	daemon_start "$BENCH_DIR/daemon.log" daemon --config "$BENCH_DIR/daemon.conf" ||
		{ echo "bench scale: the daemon did not start"; cat "$BENCH_DIR/daemon.log"; exit 1; }
	t0=$(cut -d' ' -f14,15 /proc/$DPID/stat | awk '{print $1 + $2}')
	d0=$(now)
	left=$before
	while [ "$left" -gt 0 ] && [ "$(elapsed "$d0" "$(now)" | awk '{ printf "%d", $1 }')" -lt "$DAEMON_SECONDS" ]; do
		sleep 10
		left=$("$ZCG" status --under "$sub" --json | jq .dying)
	done
	took=$(elapsed "$d0" "$(now)")
	reaped=$(metric zombiecg_reaped_total)
	scans=$(metric zombiecg_scans_total)
	t1=$(cut -d' ' -f14,15 /proc/$DPID/stat | awk '{print $1 + $2}')
	daemon_stop
	cpu=$(echo "($t1 - $t0) / $(getconf CLK_TCK)" | bc -l)
	share=$(echo "scale=2; 100 * $cpu / $took" | bc -l)
	printf '%-9s %-8s %s of %s left after %.0f s (%.1f min): %s censuses, it freed %s itself, %.1f s CPU (%s%% of one CPU)\n' \
		"$n" daemon "$left" "$before" "$took" "$(echo "$took / 60" | bc -l)" "${scans:-?}" "${reaped:-0}" "$cpu" "$share"
}

printf '%-9s %-8s %9s %9s %10s %12s %9s\n' zombies step wall_s cpu_s rss_MiB us/zombie vs_first
for n in $(echo $SIZES | tr ' ' '\n' | sort -n); do
	a=$(now)
	out=$("$ZCG" repro shared --count "$n" --under "$BENCH_CG" --dir "$BENCH_DIR" --json) ||
		{ echo "bench scale: repro of $n failed"; exit 1; }
	b=$(now)
	sub=$(printf '%s' "$out" | jq -r .subtree)
	t=$(elapsed "$a" "$b")
	printf '%-9s %-8s %9.2f %9s %10s %12s %9s\n' "$n" repro "$t" - - "$(per "$t" "$n")" -

	for step in list explain; do
		if [ $step = list ]; then
			set -- $(timed "$BENCH_DIR/$step.json" "$ZCG" list --json)
		else
			[ "$n" = "$largest" ] && { rm -f "$BENCH_DIR/stop"; latency_probe > "$BENCH_DIR/latency" & lpid=$!; }
			set -- $(timed "$BENCH_DIR/$step.json" "$ZCG" explain --under "$sub" --json)
			[ "$n" = "$largest" ] && { touch "$BENCH_DIR/stop"; wait $lpid; }
		fi
		wall=$1 cpu=$2 rss=$(($3 / 1024))
		[ $step = explain ] && wall_explain=$wall
		if [ $step = explain ]; then
			items=$(jq '(.zombies | length) + .pages_walked' "$BENCH_DIR/$step.json")
			steps=$(jq .walk_steps "$BENCH_DIR/$step.json")
			src=$(jq -r .source "$BENCH_DIR/$step.json")
		else
			items=$n
		fi
		us=$(per "$cpu" "$items")
		eval "first=\${first_$step:-}"
		[ -z "$first" ] && { eval "first_$step=$us"; first=$us; }
		printf '%-9s %-8s %9.2f %9.3f %10d %12s %9s\n' "$n" "$step" "$wall" "$cpu" "$rss" "$us" "$(ratio "$us" "$first")x"
		[ $step = explain ] && printf '%-9s %-8s source %s, %s zombies + folios, %s BPF steps (%s a zombie)\n' "" "" \
			"$src" "$items" "$steps" "$(echo "scale=1; $steps / $n" | bc -l)"
	done
	if [ "$n" = "$largest" ]; then
		# the same probe with nothing of ours running, as long: the host's own latency
		rm -f "$BENCH_DIR/stop"
		latency_probe > "$BENCH_DIR/latency.idle" & lpid=$!
		sleep "$(echo "$wall_explain + 1" | bc -l)"
		touch "$BENCH_DIR/stop"
		wait $lpid
		set -- $(cat "$BENCH_DIR/latency.idle")
		printf '%-9s %-8s mkdir+rmdir, idle host: max %s ms, p99 %s ms over %s pairs\n' "$n" latency "$1" "$2" "$3"
		set -- $(cat "$BENCH_DIR/latency")
		printf '%-9s %-8s mkdir+rmdir during explain: max %s ms, p99 %s ms over %s pairs\n' "$n" latency "$1" "$2" "$3"
	fi
	set -- $(timed "$BENCH_DIR/reap.json" "$ZCG" reap --under "$sub" --json)
	wall=$1 cpu=$2 rss=$(($3 / 1024))
	freed=$(jq .freed "$BENCH_DIR/reap.json")
	left=$(jq .after.dying "$BENCH_DIR/reap.json")
	us=$(per "$cpu" "$((freed > 0 ? freed : 1))")
	[ -z "${first_reap:-}" ] && first_reap=$us
	printf '%-9s %-8s %9.2f %9.3f %10d %12s %9s\n' "$n" reap "$wall" "$cpu" "$rss" "$us" "$(ratio "$us" "$first_reap")x"
	printf '%-9s %-8s freed %s, %s left\n' "" "" "$freed" "$left"
	"$ZCG" repro cleanup --under "$sub" > /dev/null 2>&1
	if [ "$n" = "$largest" ]; then
		# a fresh backlog for the daemon (reap freed the last one)
		out=$("$ZCG" repro shared --count "$n" --under "$BENCH_CG" --dir "$BENCH_DIR" --json) ||
			{ echo "bench scale: repro of $n failed"; exit 1; }
		sub=$(printf '%s' "$out" | jq -r .subtree)
		daemon_bench "$n" "$sub"
		"$ZCG" repro cleanup --under "$sub" > /dev/null 2>&1
	fi
done
