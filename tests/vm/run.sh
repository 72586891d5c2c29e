#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The VM lab (`make check-vm`): runs the root tests (tests/root/*.t) inside qemu guests under
# real Debian kernels, on cgroup v2 and on the cgroup v1 memory hierarchy, and hands the
# results to prove. Everything is built at test time under $BUILD/vm/ (nothing prebuilt is
# committed): an initramfs with busybox, jq, build/zombiecg and tests/, a fresh ext4 data disk
# per guest. See tests/vm/README.md.
#
# Combinations are kernels x hierarchies. For each, $BUILD/vm/<kernel>-<hier>/ holds boot.tap
# (the guest's setup checks: kernel release, disk, hierarchy), <test>.tap per test, and
# console.log. A combination that cannot work is a TAP skip with the reason; a guest that
# hangs or panics is killed and its unfinished tests are failures.
#
# Env (all optional):
#   ZCG_VM_KERNELS	kernels to boot: full releases or series ("6.1" = newest 6.1.* in /boot)
#			[6.1 6.12]
#   ZCG_VM_HIERS	cgroup hierarchies: v2, v1 [v2 v1]
#   ZCG_VM_TESTS	tests to run, names or globs in tests/root ("00-env", "0*"), or paths
#   		in the source tree (bench/vm/reap.t) [all of tests/root]
#   ZCG_VM_JOBS		guests at a time [2]
#   ZCG_VM_MEM ZCG_VM_SMP	guest memory and CPUs [512M 2]
#   ZCG_VM_CPU		qemu CPU model [host under KVM, max under TCG]
#   ZCG_VM_DISK		size of each guest's (sparse) ext4 data disk [1G]
#   ZCG_VM_TIMEOUT	seconds before a guest is killed [900]
#   ZCG_VM_TEST_TIMEOUT	seconds before the guest kills one test [300]
#   ZCG_VM_ACCEL	kvm, tcg or auto (kvm if it really boots a guest) [auto]
#   ZCG_VM_DEBUG=1	one guest at a time, its console on the terminal, kernel not quiet,
#			/init traced, test output mirrored to the console, prove -v
#   ZCG_VM_SHELL=1	as DEBUG, then a shell in the guest after the tests (no timeout)
#   ZCG_VM_KEEP_DISK=1	keep every guest's data disk (failed guests always keep theirs)
#   ZCG_VM_PROVE=0	do not run prove; print the TAP files, for a caller's own prove
#   BUILD [build]  V=1 (qemu command lines, prove -v)
set -eu

cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
VM=$BUILD/vm
export BUILD V="${V:-0}"
export ZCG_VM_MEM="${ZCG_VM_MEM:-512M}" ZCG_VM_SMP="${ZCG_VM_SMP:-2}"
export ZCG_VM_TIMEOUT="${ZCG_VM_TIMEOUT:-900}" ZCG_VM_TEST_TIMEOUT="${ZCG_VM_TEST_TIMEOUT:-300}"
export ZCG_VM_DEBUG="${ZCG_VM_DEBUG:-0}" ZCG_VM_SHELL="${ZCG_VM_SHELL:-0}"
kernels=${ZCG_VM_KERNELS:-6.1 6.12}
hiers=${ZCG_VM_HIERS:-v2 v1}
jobs=${ZCG_VM_JOBS:-2}
prove_flags=
if [ "$ZCG_VM_DEBUG" = 1 ] || [ "$ZCG_VM_SHELL" = 1 ]; then
	jobs=1	# one console on the terminal
	prove_flags=-v
fi
[ "$V" = 1 ] && prove_flags=-v

die() { echo "tests/vm/run.sh: $*" >&2; exit 1; }
say() { printf '  %-8s %s\n' VM "$*" >&2; }

# Hands the TAP files to prove, or lists them for a caller that runs prove itself.
report() {
	if [ "${ZCG_VM_PROVE:-1}" = 0 ]; then
		for f in "$@"; do echo "$f"; done
		exit 0
	fi
	# shellcheck disable=SC2086 # prove_flags is empty or one flag
	exec prove $prove_flags "$@"
}

# The whole lab cannot run here: one skipped TAP stream says why.
skip_lab() {
	echo "1..0 # SKIP $*" > "$VM/lab.tap"
	report "$VM/lab.tap"
}

rm -rf "$VM"
mkdir -p "$VM"

[ -x "$BUILD/zombiecg" ] || die "$BUILD/zombiecg is not built (run make)"
# modprobe and mkfs.ext4 are in /usr/sbin, not in a user's PATH; the lab needs no root.
PATH=$PATH:/usr/sbin:/sbin
for tool in qemu-system-x86_64:qemu-system-x86 busybox:busybox-static cpio:cpio modprobe:kmod xz:xz-utils; do
	command -v "${tool%%:*}" > /dev/null ||
		skip_lab "${tool%%:*} not installed (apt-get install ${tool#*:})"
done
for tool in mkfs.ext4:e2fsprogs jq:jq prove:perl; do
	command -v "${tool%%:*}" > /dev/null ||
		die "${tool%%:*} not found (make deps, or apt-get install ${tool#*:})"
done

# --- tests -------------------------------------------------------------------------------
testlist=$VM/tests
: > "$testlist"
if [ -n "${ZCG_VM_TESTS:-}" ]; then
	for t in $ZCG_VM_TESTS; do
		found=
		# Unquoted on purpose: a name may be a glob.
		# a path (bench/vm/reap.t) is taken as it is
		for f in tests/root/$t tests/root/$t.t $(case $t in */*) echo "$t";; esac); do
			[ -f "$f" ] || continue
			grep -qxF "$f" "$testlist" || echo "$f" >> "$testlist"
			found=1
		done
		[ -n "$found" ] || die "ZCG_VM_TESTS: no test matches $t in tests/root"
	done
else
	for f in tests/root/*.t; do [ -f "$f" ] && echo "$f" >> "$testlist"; done
fi
[ -s "$testlist" ] || die "no tests in tests/root"

# --- kernels -----------------------------------------------------------------------------
# resolve_kernel ENTRY: prints the release for a full release or the newest of a series
# ("6.1" matches 6.1.0-56-amd64, not 6.12.x); nothing if none is installed.
resolve_kernel() {
	if [ -e "/boot/vmlinuz-$1" ]; then
		echo "$1"
		return
	fi
	for k in /boot/vmlinuz-"$1".* /boot/vmlinuz-"$1"-*; do
		[ -e "$k" ] && echo "${k#/boot/vmlinuz-}"
	done | sort -V | tail -n 1
}

# Each combination: "NAME KREL HIER", KREL "-" when it cannot boot; the reason is in
# $VM/NAME/boot.tap already.
combos=
releases=
for hier in $hiers; do
	case $hier in v1 | v2) ;; *) die "ZCG_VM_HIERS: unknown hierarchy $hier (v1 or v2)" ;; esac
done
for hier in $hiers; do
	for entry in $kernels; do
		krel=$(resolve_kernel "$entry")
		name=${krel:-$entry}-$hier
		mkdir -p "$VM/$name"
		why=
		if [ -z "$krel" ]; then
			why="no $entry kernel in /boot (install a Debian linux-image-$entry* package)"
		elif [ ! -r "/boot/vmlinuz-$krel" ]; then
			why="cannot read /boot/vmlinuz-$krel (run as root)"
		elif [ ! -d "/lib/modules/$krel" ]; then
			why="no /lib/modules/$krel for kernel $krel"
		fi
		if [ -n "$why" ]; then
			echo "1..0 # SKIP $hier: $why" > "$VM/$name/boot.tap"
			combos="$combos $name:-:$hier"
			continue
		fi
		combos="$combos $name:$krel:$hier"
		case " $releases " in *" $krel "*) ;; *) releases="$releases $krel" ;; esac
	done
done

# --- images ------------------------------------------------------------------------------
lab_start=$(date +%s)
sh tests/vm/mkinitramfs.sh common "$VM/common.cpio.gz" "$testlist"
for krel in $releases; do
	sh tests/vm/mkinitramfs.sh modules "$krel" "$VM/modules-$krel.cpio.gz"
	cat "$VM/common.cpio.gz" "$VM/modules-$krel.cpio.gz" > "$VM/initrd-$krel.cpio.gz"
done

# --- accelerator -------------------------------------------------------------------------
# KVM only when it is hardware virtualisation (vmx/svm) and actually boots our guest: a
# /dev/kvm without them (e.g. a paravirtual kvm-pvm inside a VM) hangs ordinary kernels.
pick_accel() {
	case ${ZCG_VM_ACCEL:-auto} in
	kvm | tcg) echo "$ZCG_VM_ACCEL"; return ;;
	auto) ;;
	*) die "ZCG_VM_ACCEL: kvm, tcg or auto" ;;
	esac
	if [ -z "$releases" ] || [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ] ||
		! grep -qwE 'vmx|svm' /proc/cpuinfo; then
		echo tcg
		return
	fi
	# shellcheck disable=SC2086 # the first release
	set -- $releases
	probe=$VM/kvm-probe.log
	timeout -k 5 20 qemu-system-x86_64 -nodefaults -display none -no-reboot -accel kvm -m 256M \
		-cpu host -kernel "/boot/vmlinuz-$1" -initrd "$VM/initrd-$1.cpio.gz" \
		-append "console=ttyS0 panic=-1 quiet zcg.probe=1" \
		-serial null -serial "file:$probe" < /dev/null > /dev/null 2>&1 || true
	if grep -q '@@ZCG probe ok' "$probe" 2>/dev/null; then echo kvm; else echo tcg; fi
}
ZCG_VM_ACCEL=$(pick_accel)
export ZCG_VM_ACCEL

# --- guests ------------------------------------------------------------------------------
# timeout(1) runs qemu in its own process group and background jobs ignore SIGINT, so on ^C
# or TERM nothing would stop the guests: kill them by the pids qemu wrote.
stop_guests() {
	for pidfile in "$VM"/*/qemu.pid; do
		[ -s "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null
	done
	exit 130
}
trap stop_guests INT TERM
# A pool of $jobs slots: a FIFO holds one token per free slot.
mkfifo "$VM/slots"
exec 3<> "$VM/slots"
rm "$VM/slots"
i=0
while [ $i -lt "$jobs" ]; do echo >&3; i=$((i + 1)); done
booted=0
for c in $combos; do
	name=${c%%:*} rest=${c#*:}
	krel=${rest%%:*} hier=${rest#*:}
	if [ "$krel" = - ]; then
		say "${name%-*} $hier: skipped, $(sed 's/^1\.\.0 # SKIP [^:]*: //' "$VM/$name/boot.tap")"
		continue
	fi
	booted=$((booted + 1))
	if [ "$ZCG_VM_SHELL" = 1 ]; then
		# In the foreground: a background job's stdin would be /dev/null, not the terminal.
		sh tests/vm/boot.sh "$krel" "$hier" "$VM/initrd-$krel.cpio.gz" "$VM/$name" "$testlist" || true
		continue
	fi
	read -r _ <&3
	{
		sh tests/vm/boot.sh "$krel" "$hier" "$VM/initrd-$krel.cpio.gz" "$VM/$name" "$testlist" || true
		# Software emulation now and then panics a kernel while it boots (seen: a fault in
		# sched_clock_cpu at 2.4 s, before /init): boot once more if no test had started.
		if grep -q 'Kernel panic' "$VM/$name/console.log" 2>/dev/null &&
		   ! grep -q 'zcg: running' "$VM/$name/console.log"; then
			say "${name%-*} $hier: the kernel panicked while booting; booting once more"
			cp "$VM/$name/console.log" "$VM/$name/first-boot.console"
			sh tests/vm/boot.sh "$krel" "$hier" "$VM/initrd-$krel.cpio.gz" "$VM/$name" "$testlist" || true
		fi
		echo >&3
	} &
done
wait
exec 3>&-
say "lab: $booted guests in $(($(date +%s) - lab_start))s (accel $ZCG_VM_ACCEL, $jobs at a time, -m $ZCG_VM_MEM -smp $ZCG_VM_SMP)"

# --- results -----------------------------------------------------------------------------
set --
for c in $combos; do
	name=${c%%:*}
	for tap in "$VM/$name/boot.tap" $(sed "s,.*/,$VM/$name/,; s,\.t\$,.tap," "$testlist"); do
		[ -e "$tap" ] && set -- "$@" "$tap"
	done
done
report "$@"
