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
#   ZCG_VM_KERNELS	kernels to boot: series (5.10 6.1 6.12 7: Debian's packages, fetched
#			by tests/vm/kernels.sh into $BUILD/vm/kernels) or full releases
#			(fetched before, or in /boot) [5.10 6.1 6.12 7]
#   ZCG_VM_KERNELS_REFRESH=1	look for newer kernel packages than those fetched before
#   ZCG_VM_HIERS	cgroup hierarchies: v2, v1 [v2 v1]
#   ZCG_VM_TESTS	tests to run, names or globs in tests/root ("00-env", "0*"), or paths
#   		in the source tree (bench/vm/reap.t) [all of tests/root]
#   ZCG_VM_JOBS		guests at a time [2]
#   ZCG_VM_MEM ZCG_VM_SMP	guest memory and CPUs [512M 2]
#   ZCG_VM_CPU		qemu CPU model [host under KVM, max under TCG]
#   ZCG_VM_DISK		size of each guest's (sparse) ext4 data disk [1G]
#   ZCG_VM_TIMEOUT	seconds before a guest is killed [1200]
#   ZCG_VM_TEST_TIMEOUT	seconds before the guest kills one test [480]
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
# where tests/vm/kernels.sh keeps the kernels (KDIR: one cache for several trees)
KDIR=${KDIR:-$VM/kernels}
export KDIR
export BUILD V="${V:-0}"
export ZCG_VM_MEM="${ZCG_VM_MEM:-512M}" ZCG_VM_SMP="${ZCG_VM_SMP:-2}"
export ZCG_VM_TIMEOUT="${ZCG_VM_TIMEOUT:-1200}" ZCG_VM_TEST_TIMEOUT="${ZCG_VM_TEST_TIMEOUT:-480}"
export ZCG_VM_DEBUG="${ZCG_VM_DEBUG:-0}" ZCG_VM_SHELL="${ZCG_VM_SHELL:-0}"
kernels=${ZCG_VM_KERNELS:-5.10 6.1 6.12 7}
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

# Everything but the fetched kernels is made afresh.
mkdir -p "$VM"
find "$VM" -mindepth 1 -maxdepth 1 ! -name kernels -exec rm -rf {} +

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
# make_list OUT PATTERN...: the tests matching the patterns (names or globs in tests/root,
# or paths in the source tree), once each, in order.
make_list() {
	out=$1
	shift
	: > "$out"
	for t in "$@"; do
		found=
		# Unquoted on purpose: a name may be a glob; a path (bench/vm/reap.t) is taken as it is.
		for f in tests/root/$t tests/root/$t.t $(case $t in */*) echo "$t";; esac); do
			[ -f "$f" ] || continue
			grep -qxF "$f" "$out" || echo "$f" >> "$out"
			found=1
		done
		[ -n "$found" ] || die "no test matches $t in tests/root"
	done
	[ -s "$out" ] || die "no tests in tests/root"
}

# matrix_tests KREL HIER: the patterns tests/vm/matrix lists for this kernel and hierarchy,
# "*" when it lists none. A series matches its releases: "6.1" is 6.1.0-57-amd64, not 6.12.x.
matrix_tests() {
	awk -v krel="$1" -v hier="$2" '
		/^[ \t]*(#|$)/ { next }
		($2 == hier || $2 == "*") && (index(krel, $1 ".") == 1 || index(krel, $1 "-") == 1 || krel == $1) {
			$1 = ""; $2 = ""; sub(/^ +/, ""); print; found = 1; exit
		}
		END { if (!found) print "*" }' tests/vm/matrix
}

# tests_for KREL HIER OUT: what this guest runs: ZCG_VM_TESTS, else the matrix's choice.
tests_for() {
	if [ -n "${ZCG_VM_TESTS:-}" ]; then
		# shellcheck disable=SC2086 # a list of patterns
		make_list "$3" $ZCG_VM_TESTS
	else
		set -f
		# shellcheck disable=SC2046 # a list of patterns, expanded in make_list
		set -- "$1" "$2" "$3" $(matrix_tests "$1" "$2")
		set +f
		out=$3
		shift 3
		make_list "$out" "$@"
	fi
}

# The archive shared by all guests holds every test; each guest gets its own list.
testlist=$VM/tests
make_list "$testlist" '*'

# --- kernels -----------------------------------------------------------------------------
# tests/vm/kernels.sh fetches a series' Debian kernel packages with apt into $VM/kernels
# (kept between runs: a second run downloads nothing) or takes a full release from /boot.
# Each combination: "NAME:KREL:HIER", KREL "-" when it cannot boot; the reason is in
# $VM/NAME/boot.tap already.
combos=
releases=
for hier in $hiers; do
	case $hier in v1 | v2) ;; *) die "ZCG_VM_HIERS: unknown hierarchy $hier (v1 or v2)" ;; esac
done
for entry in $kernels; do
	krel=$(sh tests/vm/kernels.sh resolve "$entry" 2> "$VM/kernel-$entry.why") || true
	[ -n "$krel" ] || continue
	echo "$krel" > "$VM/kernel-$entry.krel"
	case " $releases " in *" $krel "*) ;; *) releases="$releases $krel" ;; esac
done
for hier in $hiers; do
	for entry in $kernels; do
		krel=$(cat "$VM/kernel-$entry.krel" 2>/dev/null || true)
		name=${krel:-$entry}-$hier
		mkdir -p "$VM/$name"
		if [ -z "$krel" ]; then
			why=$(grep -v '^kernels.sh: fetching' "$VM/kernel-$entry.why" | tail -n 1)
			echo "1..0 # SKIP $hier: ${why:-no $entry kernel}" > "$VM/$name/boot.tap"
			combos="$combos $name:-:$hier"
			continue
		fi
		combos="$combos $name:$krel:$hier"
		tests_for "$krel" "$hier" "$VM/$name/tests"
	done
done

# --- images ------------------------------------------------------------------------------
lab_start=$(date +%s)
sh tests/vm/mkinitramfs.sh common "$VM/common.cpio.gz" "$testlist"
for krel in $releases; do
	kd=$KDIR/$krel
	moddir=$(cat "$kd/moddir")
	case $moddir in /*) ;; *) moddir=$kd/$moddir ;; esac
	sh tests/vm/mkinitramfs.sh modules "$krel" "$VM/modules-$krel.cpio.gz" "$moddir"
done
for c in $combos; do
	name=${c%%:*} rest=${c#*:}
	krel=${rest%%:*}
	[ "$krel" = - ] && continue
	# The guest's own test list last: the kernel unpacks the archives in order, so its
	# /zcg/vm-tests replaces the common one.
	sh tests/vm/mkinitramfs.sh list "$VM/$name/tests" "$VM/$name/tests.cpio.gz"
	cat "$VM/common.cpio.gz" "$VM/modules-$krel.cpio.gz" "$VM/$name/tests.cpio.gz" > "$VM/$name/initrd.cpio.gz"
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
	cat "$VM/common.cpio.gz" "$VM/modules-$1.cpio.gz" > "$VM/probe-initrd.cpio.gz"
	probe=$VM/kvm-probe.log
	timeout -k 5 20 qemu-system-x86_64 -nodefaults -display none -no-reboot -accel kvm -m 256M \
		-cpu host -kernel "$KDIR/$1/vmlinuz" -initrd "$VM/probe-initrd.cpio.gz" \
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
# boot KREL HIER NAME: one guest, its kernel from $KDIR/KREL.
boot() {
	ZCG_VM_VMLINUZ=$KDIR/$1/vmlinuz ZCG_VM_KCONFIG=$KDIR/$1/config \
		sh tests/vm/boot.sh "$1" "$2" "$VM/$3/initrd.cpio.gz" "$VM/$3" "$VM/$3/tests"
}
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
		boot "$krel" "$hier" "$name" || true
		continue
	fi
	read -r _ <&3
	{
		boot "$krel" "$hier" "$name" || true
		# Software emulation now and then panics a kernel while it boots (seen: a fault in
		# sched_clock_cpu at 2.4 s, before /init): boot once more if no test had started.
		if grep -q 'Kernel panic' "$VM/$name/console.log" 2>/dev/null &&
		   ! grep -q 'zcg: running' "$VM/$name/console.log"; then
			say "${name%-*} $hier: the kernel panicked while booting; booting once more"
			cp "$VM/$name/console.log" "$VM/$name/first-boot.console"
			boot "$krel" "$hier" "$name" || true
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
	[ -e "$VM/$name/tests" ] || { set -- "$@" "$VM/$name/boot.tap"; continue; }
	for tap in "$VM/$name/boot.tap" $(sed "s,.*/,$VM/$name/,; s,\.t\$,.tap," "$VM/$name/tests"); do
		[ -e "$tap" ] && set -- "$@" "$tap"
	done
done
report "$@"
