#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make check-system`: a real systemd host. A Debian bookworm root filesystem with systemd
# (debootstrap --variant=minbase, cached in build/system/), the .deb from `make deb` and
# tests/system/guest.t copied in, booted by QEMU with the lab's 6.12 kernel and its initrd
# (/boot), systemd as PID 1 on cgroup v2. A oneshot unit runs guest.t at boot and writes its
# TAP to the second serial port; this script prints that TAP as its own.
# Needs root (debootstrap, mkfs.ext4 -d of a root-owned tree), qemu-system-x86, the 6.12
# kernel. ZCG_SYSTEM_TIMEOUT (900 s), ZCG_SYSTEM_ACCEL (tcg), ZCG_SYSTEM_CYCLES,
# ZCG_SYSTEM_WIDTH, ZCG_SYSTEM_EVERY_CYCLES
# (guest.t: 200 start/stop cycles of the drained and the control service, 10 at a time; 50
# with the drop-in for every service).
. "$(dirname "$0")/../lib/tap.sh"
cd "$TOP" || exit 1
[ "$(id -u)" = 0 ] || skip_all "needs root (debootstrap, the guest's root filesystem)"
for t in qemu-system-x86_64 debootstrap mkfs.ext4; do
	command -v "$t" >/dev/null 2>&1 || skip_all "no $t (make deps)"
done
krel=$(ls /boot/vmlinuz-6.12* 2>/dev/null | sed 's,.*/vmlinuz-,,' | sort -V | tail -n 1)
[ -n "$krel" ] && [ -r "/boot/vmlinuz-$krel" ] && [ -r "/boot/initrd.img-$krel" ] ||
	skip_all "no readable 6.12 kernel and initrd in /boot (linux-image-6.12-amd64)"
B=${BUILD:-build}
case $B in /*) ;; *) B=$TOP/$B ;; esac
S=$B/system
mkdir -p "$S"
if ! ls "$B"/deb/zombiecg_*_amd64.deb >/dev/null 2>&1; then
	make -s deb BUILD="$B" >/dev/null 2>&1 || { echo "Bail out! make deb failed"; exit 1; }
fi

# --- the root filesystem -------------------------------------------------------------------
# systemd and logind (libpam-systemd: pam_systemd in common-session), what the package needs,
# what guest.t uses, and Debian's Prometheus server (ZCG_SYSTEM_PROMETHEUS=0 leaves it out:
# 96 MB installed, the guest's first scrape a minute after boot under TCG)
pkgs=systemd,systemd-sysv,dbus,libpam-systemd,libbpf1,libmicrohttpd12,libelf1,curl,jq,procps,kmod,e2fsprogs
[ "${ZCG_SYSTEM_PROMETHEUS:-1}" = 0 ] || pkgs=$pkgs,prometheus
base=$S/bookworm-systemd-$(echo "$pkgs" | md5sum | cut -c1-8).tar
# debootstrap takes the .debs it finds in ZCG_SYSTEM_DEBCACHE (the host's apt cache if it
# has any) instead of downloading them, the rest from ZCG_SYSTEM_MIRROR, else the Debian
# mirror the machine's own apt sources name (as tests/vm/kernels.sh), else deb.debian.org
cache=${ZCG_SYSTEM_DEBCACHE:-/var/cache/apt/archives}
mirror=${ZCG_SYSTEM_MIRROR:-$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
	sed -n -e 's/^deb \(\[[^]]*\] \)\{0,1\}\([a-z]*:\/\/[^ ]*\/debian\)\/\{0,1\} .*/\2/p' \
		-e 's/^URIs: *\([a-z]*:\/\/[^ ]*\/debian\)\/\{0,1\} *$/\1/p' | head -n 1)}
if [ ! -s "$base" ]; then
	diag "debootstrap bookworm with $pkgs (once; cached in $base)"
	rm -rf "$S/base.tmp"
	debootstrap --variant=minbase --include="$pkgs" ${cache:+--cache-dir="$cache"} \
		bookworm "$S/base.tmp" "${mirror:-http://deb.debian.org/debian}" > "$S/debootstrap.log" 2>&1 ||
		{ tail -n 5 "$S/debootstrap.log" | sed 's/^/# /'; echo "Bail out! debootstrap failed"; exit 1; }
	rm -rf "$S"/base.tmp/var/cache/apt/archives/*.deb
	tar -C "$S/base.tmp" -cf "$base.tmp" . && mv "$base.tmp" "$base" && rm -rf "$S/base.tmp"
fi
R=$S/root
rm -rf "$R" && mkdir -p "$R" && tar -C "$R" -xf "$base"
mkdir -p "$R/root/deb" "$R/root/zcg"
cp "$B"/deb/zombiecg_*_amd64.deb "$R/root/deb/"
cp tests/lib/tap.sh tests/system/guest.t deploy/prometheus/alerts.yml "$R/root/zcg/"
echo zcg-system > "$R/etc/hostname"
printf '127.0.0.1\tlocalhost zcg-system\n' > "$R/etc/hosts"
: > "$R/etc/fstab"
# no udev in the guest: the serial console's getty would wait 90 s for dev-ttyS0.device
ln -sf /dev/null "$R/etc/systemd/system/serial-getty@ttyS0.service"
cat > "$R/etc/systemd/system/zcg-system-test.service" <<EOF
[Unit]
Description=zombiecg system test (tests/system/guest.t)
[Service]
Type=oneshot
Environment=ZCG_SYSTEM_CYCLES=${ZCG_SYSTEM_CYCLES:-200} ZCG_SYSTEM_WIDTH=${ZCG_SYSTEM_WIDTH:-10} ZCG_SYSTEM_EVERY_CYCLES=${ZCG_SYSTEM_EVERY_CYCLES:-50}
ExecStart=/bin/sh -c '/root/zcg/guest.t > /dev/ttyS1 2>&1; echo "@@ZCG done \$?" > /dev/ttyS1; systemctl --no-block poweroff'
[Install]
WantedBy=multi-user.target
EOF
ln -sf /etc/systemd/system/zcg-system-test.service "$R/etc/systemd/system/multi-user.target.wants/"
disk=$S/disk.img
rm -f "$disk"
truncate -s 3G "$disk"
mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 -d "$R" "$disk" ||
	{ echo "Bail out! mkfs.ext4 -d failed"; exit 1; }
rm -rf "$R"

# --- boot ----------------------------------------------------------------------------------
rm -f "$S/console.log" "$S/results.log"
start=$(date +%s)
timeout -k 10 "${ZCG_SYSTEM_TIMEOUT:-900}" qemu-system-x86_64 -nodefaults -display none -no-reboot \
	-accel "${ZCG_SYSTEM_ACCEL:-tcg}" -cpu max -m 1G -smp 2 \
	-kernel "/boot/vmlinuz-$krel" -initrd "/boot/initrd.img-$krel" \
	-append "root=/dev/vda rw console=ttyS0 panic=-1 mitigations=off no_timer_check systemd.unified_cgroup_hierarchy=1 systemd.firstboot=off" \
	-drive "file=$disk,if=virtio,format=raw,cache=unsafe" \
	-serial "file:$S/console.log" -serial "file:$S/results.log" < /dev/null 2> "$S/qemu.log"
rc=$?
diag "guest: kernel $krel, $(($(date +%s) - start)) s (qemu exit $rc); console: $S/console.log"
tr -d '\r' < "$S/results.log" > "$S/results.tap" 2>/dev/null
if grep -q '^@@ZCG done' "$S/results.tap"; then
	grep -v '^@@ZCG done' "$S/results.tap"
	st=$(sed -n 's/^@@ZCG done //p' "$S/results.tap")
	rm -f "$disk"
	exit "$st"
fi
cat "$S/results.tap"
echo "not ok - the guest did not finish (qemu exit $rc): $(tail -n 3 "$S/console.log" | tr -d '\r' | tr '\n' ' ')"
exit 1
