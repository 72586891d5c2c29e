#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Boots one combination of the VM lab and turns what it reported into TAP files:
#
#   boot.sh KREL HIER INITRD OUTDIR TESTLIST
#
# OUTDIR gets console.log (the kernel console, kept for post-mortems), qemu.log (qemu's own
# errors), results.log (the guest's second serial port, see tests/vm/init), boot.tap (the
# guest's own setup checks), one NAME.tap per test in TESTLIST (NAME.stderr if it wrote any)
# and summary. A guest that hangs is killed after ZCG_VM_TIMEOUT seconds; whatever did not
# finish becomes "not ok", so prove counts a dead guest as a failure.
# Prints the summary on stderr: one status line, and for failures the failing lines, the
# test's stderr and, when the guest died, its last console lines (with V=1 also the qemu
# command). Exit status 0 when the guest ran to the end (tests may have failed), 1 if it died.
#
# Env (set by run.sh): ZCG_VM_MEM, ZCG_VM_SMP, ZCG_VM_CPU, ZCG_VM_TIMEOUT, ZCG_VM_TEST_TIMEOUT,
# ZCG_VM_ACCEL (kvm|tcg), ZCG_VM_DISK, ZCG_VM_DEBUG, ZCG_VM_SHELL, ZCG_VM_KEEP_DISK, V;
# ZCG_VM_VMLINUZ and ZCG_VM_KCONFIG, the kernel image and its config (tests/vm/kernels.sh
# fetched them; default /boot/vmlinuz-KREL and /boot/config-KREL).
set -eu

[ $# -eq 5 ] || { echo "usage: $0 KREL HIER INITRD OUTDIR TESTLIST" >&2; exit 2; }
krel=$1 hier=$2 initrd=$3 out=$4 testlist=$5
mem=${ZCG_VM_MEM:-512M}
smp=${ZCG_VM_SMP:-2}
timeout=${ZCG_VM_TIMEOUT:-1200}
test_timeout=${ZCG_VM_TEST_TIMEOUT:-480}
accel=${ZCG_VM_ACCEL:-tcg}
# Under KVM the guest gets the host's CPU; under TCG every feature qemu can emulate.
cpu=${ZCG_VM_CPU:-max}
[ "$accel" = kvm ] && cpu=${ZCG_VM_CPU:-host}
debug=${ZCG_VM_DEBUG:-0}
shell=${ZCG_VM_SHELL:-0}
vmlinuz=${ZCG_VM_VMLINUZ:-/boot/vmlinuz-$krel}
kconfig=${ZCG_VM_KCONFIG:-/boot/config-$krel}

mkdir -p "$out"
rm -f "$out"/*.tap "$out"/*.stderr "$out"/*.log "$out/disk.img" "$out/summary"

# A fresh ext4 disk per guest: tests see an empty filesystem and parallel guests share nothing.
# The inode tables and journal are initialised here, not lazily by a kernel thread in the
# guest, where every CPU cycle is emulated.
truncate -s "${ZCG_VM_DISK:-1G}" "$out/disk.img"
mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$out/disk.img"

# no_timer_check: under software emulation on a loaded host the IO-APIC timer check can
# fail and panic the guest ("IO-APIC + timer doesn't work"); the check proves nothing here.
append="console=ttyS0 panic=-1 mitigations=off no_timer_check zcg.hier=$hier zcg.test_timeout=$test_timeout"
[ "$debug" = 1 ] || append="$append quiet"
[ "$debug" = 1 ] && append="$append zcg.debug=1"
[ "$shell" = 1 ] && append="$append zcg.shell=1"
# Debian 6.12 is built without the cgroup v1 memory controller; the guest still tries (so the
# skip is observed, not assumed) and reports this as the reason when the mount fails.
if [ "$hier" = v1 ] && grep -q '^# CONFIG_MEMCG_V1 is not set' "$kconfig" 2>/dev/null; then
	append="$append zcg.no_memcg_v1=1"
fi

# Serial 0 is the console, serial 1 the results channel. In debug mode the console is also
# streamed to the terminal (and takes keyboard input with ZCG_VM_SHELL=1).
if [ "$debug" = 1 ] || [ "$shell" = 1 ]; then
	console="-chardev stdio,id=con0,signal=on,logfile=$out/console.log -serial chardev:con0"
else
	console="-serial file:$out/console.log"
fi
# shellcheck disable=SC2086 # $console is several words
set -- qemu-system-x86_64 -nodefaults -display none -no-reboot -pidfile "$out/qemu.pid" \
	-accel "$accel" -cpu "$cpu" -m "$mem" -smp "$smp" \
	-kernel "$vmlinuz" -initrd "$initrd" -append "$append" \
	-drive "file=$out/disk.img,if=virtio,format=raw,cache=unsafe" \
	$console -serial "file:$out/results.log"
[ "${V:-0}" = 1 ] && echo "$*" >&2

start=$(date +%s)
rc=0
if [ "$shell" = 1 ]; then
	"$@" || rc=$?
else
	timeout -k 10 "$timeout" "$@" < /dev/null 2> "$out/qemu.log" || rc=$?
fi
secs=$(($(date +%s) - start))
rm -f "$out/qemu.pid"

# --- results.log -> one TAP file per stream ------------------------------------------------
# Lines between "@@ZCG begin NAME" and "@@ZCG end NAME RC SECONDS" are NAME's TAP, those in
# an "@@ZCG stderr NAME" section its stderr; "ended" lists "NAME RC SECONDS" per finished stream.
tr -d '\r' < "$out/results.log" | awk -v out="$out" '
	/^@@ZCG begin / { file = out "/" $3 ".tap"; printf "" > file; inside = 1; next }
	/^@@ZCG end / { close(file); print $3, $4, $5 > (out "/ended"); inside = 0; next }
	/^@@ZCG stderr-end / { close(file); inside = 0; next }
	/^@@ZCG stderr / { file = out "/" $3 ".stderr"; printf "" > file; inside = 1; next }
	/^@@ZCG done/ { print "done" > (out "/done"); next }
	inside { print > file }
'
[ -e "$out/ended" ] || : > "$out/ended"

if [ -e "$out/done" ]; then
	dead=
elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	dead="guest killed after the ${timeout}s timeout"
elif grep -q 'Kernel panic' "$out/console.log"; then
	dead="guest kernel panic: $(grep -m1 'Kernel panic' "$out/console.log" | tr -d '\r' | sed 's/^\[[ 0-9.]*\] //')"
else
	dead="guest stopped before reporting all results (qemu exit status $rc)"
fi
why="$dead; console log: $out/console.log"

# A stream that began and did not end was cut off by the guest's death; one that ended with a
# non-zero status gets a failing line so its status is not lost (prove only sees the TAP).
# Failures are also summed up in $out/report, with the test's stderr, which prove cannot show.
: > "$out/report"
failed=0
not_run=
for name in boot $(sed 's,.*/,,; s,\.t$,,' "$testlist"); do
	tap=$out/$name.tap
	ended=$(awk -v n="$name" '$1 == n { print $2, $3 }' "$out/ended")
	problem=
	if [ -n "$ended" ]; then
		# shellcheck disable=SC2086 # "RC SECONDS"
		set -- $ended
		if [ "$1" = 143 ] && [ "$2" -ge "$test_timeout" ]; then
			problem="killed by the guest's ${test_timeout}s per-test timeout"
		elif [ "$1" != 0 ]; then
			problem="exited with status $1"
		fi
		[ -n "$problem" ] && echo "not ok - $name $problem" >> "$tap"
	elif [ -e "$tap" ]; then
		problem="did not finish: $why"
		echo "not ok - $name $problem" >> "$tap"
	elif grep -q '^1\.\.0 # SKIP' "$out/boot.tap" 2>/dev/null; then
		continue	# the whole combination was skipped; boot.tap says why
	else
		problem="not run: ${dead:-the guest reported no result for it}"
		printf '1..1\nnot ok 1 - %s %s\n' "$name" "$problem" > "$tap"
		failed=$((failed + 1))
		not_run="$not_run $name"
		continue	# listed in one line below
	fi
	if [ -n "$problem" ] || grep -qE '^(not ok|Bail out!)' "$tap"; then
		failed=$((failed + 1))
		echo "    $name: ${problem:-failed}" | sed 's/; console log: .*//' >> "$out/report"
		# each failure with the diagnostics printed just before it (what CI shows of a guest)
		grep -vF "$name $problem" "$tap" | awk '
			/^#/ { if (after-- > 0) print substr($0, 1, 400); else d[nd++ % 12] = substr($0, 1, 400); next }
			/^(not ok|Bail out!)/ { for (i = (nd > 12 ? nd - 12 : 0); i < nd; i++) print d[i % 12]; print; after = 4 }
			{ nd = 0; if (!/^(not ok|Bail out!)/) after = 0 }' | sed 's/^/      /' >> "$out/report"
		if [ -s "$out/$name.stderr" ]; then
			echo "      stderr:" >> "$out/report"
			sed 's/^/        /' "$out/$name.stderr" >> "$out/report"
		fi
	fi
done
[ -n "$not_run" ] && echo "    not run:$not_run" >> "$out/report"
rm -f "$out/ended" "$out/done"
# The disk is only worth keeping to look at a failure (mount it with -o loop).
[ -n "$dead" ] || [ "${ZCG_VM_KEEP_DISK:-0}" = 1 ] || rm -f "$out/disk.img"

# One block per guest (guests may run in parallel), on stderr like a test's own diagnostics.
{
	if [ -n "$dead" ]; then
		printf '  %-8s %s %s: FAILED after %ss: %s\n' VM "$krel" "$hier" "$secs" "$why"
	elif grep -q '^1\.\.0 # SKIP' "$out/boot.tap"; then
		printf '  %-8s %s %s: skipped, %s\n' VM "$krel" "$hier" "$(sed 's/^1\.\.0 # SKIP //' "$out/boot.tap")"
	elif [ $failed -gt 0 ]; then
		printf '  %-8s %s %s: %ss, %s failed\n' VM "$krel" "$hier" "$secs" $failed
	else
		printf '  %-8s %s %s: %ss\n' VM "$krel" "$hier" "$secs"
	fi
	cat "$out/report"
	if [ -n "$dead" ] && [ -s "$out/qemu.log" ]; then
		echo "    qemu:"
		sed 's/^/      /' "$out/qemu.log"
	fi
	if [ -n "$dead" ]; then
		# CI keeps no build/ tree: show the console from the start of the last test (where a
		# panic or a hang is), cut to its first and last lines if it is long.
		[ -s "$out/console.log" ] || echo "    the console log is empty"
		[ -s "$out/console.log" ] && echo "    console since the last test started:"
		tr -d '\r' < "$out/console.log" | awk '
			/zcg: running / { n = 0 }
			{ line[++n] = $0 }
			END {
				for (i = 1; i <= n; i++)
					if (n <= 60 || i <= 25 || i > n - 30) print "      " line[i]
					else if (i == 26) print "      [...]"
			}'
	fi
} > "$out/summary"
rm -f "$out/report"
cat "$out/summary" >&2
[ -z "$dead" ]
