#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The VM lab's kernels: Debian's own kernel packages, fetched with apt into the build tree.
#
#   kernels.sh resolve ENTRY
#	prints the kernel release for ENTRY and prepares $KDIR/<release>/ (below); prints
#	nothing and the reason on stderr when it cannot. ENTRY is a series or a full release:
#	  5.10	bullseye (+ bullseye-security): linux-image-amd64, the newest 5.10
#	  6.1	bookworm (+ bookworm-security): linux-image-amd64
#	  6.12	bookworm (+ bookworm-security): linux-image-6.12-amd64
#	  7	sid: linux-image-amd64, the newest 7.x
#	  a full release (6.1.0-57-amd64): one fetched before, or one installed in /boot
#
# $KDIR (default $BUILD/vm/kernels) holds:
#	apt/<suite>/	a private apt tree per suite: sources.list, lists/, cache/. apt-get runs
#			with -o Dir::Etc::sourcelist, Dir::Etc::sourceparts=-, Dir::State::Lists,
#			Dir::Cache and Dir::State::status=/dev/null, so the machine's own apt
#			configuration (sources, lists, installed packages) is neither used nor touched
#	series-<entry>	the release a series resolved to: a second run needs no network at all
#	<release>/root/	the packages extracted with dpkg-deb -x (the .debs are deleted)
#	<release>/vmlinuz, config: links into root/ for either package layout:
#			linux-image-<rel> with /boot/vmlinuz-<rel>, /boot/config-<rel>,
#			/lib/modules/<rel> (5.10, 6.1, 6.12), or linux-binary-<rel> +
#			linux-modules-<rel> + linux-base-<rel> with vmlinuz, config and
#			modules.builtin in /usr/lib/modules/<rel>/ (7.x)
#	<release>/moddir	a directory D with D/lib/modules/<rel>/modules.dep (depmod -b
#			made it; packages do not ship it), for modprobe -d D -S <rel>
#
# The mirror is the one the machine's own sources use (the first deb.debian.org-like
# "debian" URI in /etc/apt/sources.list*), or ZCG_VM_MIRROR; the security suites live next
# to it at .../debian-security on the same host. ZCG_VM_KERNELS_REFRESH=1 looks for newer
# packages instead of taking the release a series resolved to before.
set -eu

BUILD=${BUILD:-build}
KDIR=${KDIR:-$BUILD/vm/kernels}
PATH=$PATH:/usr/sbin:/sbin

die() { echo "kernels.sh: $*" >&2; exit 1; }
# The reason a kernel is not available: on stderr, for run.sh's skip message.
unavailable() { echo "$*" >&2; exit 0; }

# The machine's Debian mirror: a URI ending in /debian from the one-line or deb822 sources.
mirror() {
	if [ -n "${ZCG_VM_MIRROR:-}" ]; then
		echo "${ZCG_VM_MIRROR%/}"
		return
	fi
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
		sed -n -e 's/^deb \(\[[^]]*\] \)\{0,1\}\([a-z]*:\/\/[^ ]*\/debian\)\/\{0,1\} .*/\2/p' \
			-e 's/^URIs: *\([a-z]*:\/\/[^ ]*\/debian\)\/\{0,1\} *$/\1/p' | head -n 1
}

# series_info ENTRY: "SUITES METAPACKAGE" for a series, nothing for anything else.
series_info() {
	case $1 in
	5.10) echo "bullseye,bullseye-security linux-image-amd64" ;;
	6.1) echo "bookworm,bookworm-security linux-image-amd64" ;;
	6.12) echo "bookworm,bookworm-security linux-image-6.12-amd64" ;;
	7) echo "sid linux-image-amd64" ;;
	esac
}

# apt_tree SUITES: makes the private apt tree for these suites, prints its apt options.
apt_tree() {
	tree=$(cd "$KDIR" && pwd)/apt/$(echo "$1" | tr , +)
	mkdir -p "$tree/lists/partial" "$tree/cache/archives/partial"
	url=$(mirror)
	: > "$tree/sources.list.tmp"
	for s in $(echo "$1" | tr , ' '); do
		case $s in
		*-security) u=${url}-security ;;
		*) u=$url ;;
		esac
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $u $s main" >> "$tree/sources.list.tmp"
	done
	mv "$tree/sources.list.tmp" "$tree/sources.list"
	echo "-o Dir::Etc::sourcelist=$tree/sources.list -o Dir::Etc::sourceparts=- \
-o Dir::State::Lists=$tree/lists -o Dir::Cache=$tree/cache -o Dir::State::status=/dev/null \
-o APT::Architecture=amd64 -o Debug::NoLocking=1 -o APT::Sandbox::User=root"
}

# depends OPTS PKG: PKG's candidate's dependencies, one package name a line.
depends() {
	# shellcheck disable=SC2086 # OPTS are several words
	apt-cache $1 show "$2" 2>/dev/null | sed -n '/^Depends:/{s/^Depends: //;p;q}' |
		tr ',' '\n' | sed 's/^ *//; s/[ (].*//; s/|.*//'
}

# finish_tree DIR: links vmlinuz and config, runs depmod; prints the release.
finish_tree() {
	d=$1
	root=$d/root
	krel=
	for f in "$root"/boot/vmlinuz-* "$root"/usr/lib/modules/*/vmlinuz "$root"/lib/modules/*/vmlinuz; do
		[ -e "$f" ] || continue
		case $f in
		*/boot/vmlinuz-*) krel=${f##*/vmlinuz-}; cfg=$root/boot/config-$krel ;;
		*) krel=${f%/vmlinuz}; krel=${krel##*/}; cfg=${f%/vmlinuz}/config ;;
		esac
		ln -sf "${f#"$d"/}" "$d/vmlinuz"
		[ -e "$cfg" ] && ln -sf "${cfg#"$d"/}" "$d/config"
		break
	done
	[ -n "$krel" ] || return 1
	# modprobe -d D and depmod -b D look in D/lib/modules/<rel>; the split packages use /usr/lib.
	if [ ! -e "$root/lib/modules/$krel" ] && [ -d "$root/usr/lib/modules/$krel" ]; then
		mkdir -p "$root/lib/modules"
		ln -s "../../usr/lib/modules/$krel" "$root/lib/modules/$krel"
	fi
	[ -d "$root/lib/modules/$krel" ] || return 1
	if [ ! -s "$root/lib/modules/$krel/modules.dep" ]; then
		depmod -b "$root" "$krel" || return 1
	fi
	echo root > "$d/moddir"
	echo "$krel"
}

# fetch ENTRY: downloads and extracts the series' kernel, prints its release.
fetch() {
	# shellcheck disable=SC2086 # "SUITES METAPACKAGE"
	set -- $(series_info "$1") "$1"
	suites=$1 meta=$2 entry=$3
	command -v apt-get > /dev/null || unavailable "no apt-get to fetch the $entry kernel with"
	command -v dpkg-deb > /dev/null || unavailable "no dpkg-deb to unpack the $entry kernel with"
	[ -n "$(mirror)" ] || unavailable "no Debian mirror in /etc/apt/sources.list* (set ZCG_VM_MIRROR)"
	opts=$(apt_tree "$suites")
	# shellcheck disable=SC2086
	if ! apt-get $opts -q update > "$KDIR/apt-update-$entry.log" 2>&1 ||
		grep -q '^[EW]: ' "$KDIR/apt-update-$entry.log"; then
		unavailable "apt-get update for $suites failed: $(grep -m1 '^[EW]: ' "$KDIR/apt-update-$entry.log" || tail -n 1 "$KDIR/apt-update-$entry.log")"
	fi
	# linux-image-amd64 -> linux-image-<rel>; 7.x's linux-image-<rel> is itself an empty
	# package depending on linux-binary-<rel>, linux-modules-<rel> and linux-base-<rel>.
	image=$(depends "$opts" "$meta" | grep -m1 '^linux-image-') ||
		unavailable "$meta in $suites depends on no linux-image package"
	flavour=${image#linux-image-}
	pkgs=$image
	for p in $(depends "$opts" "$image"); do
		case $p in linux-binary-"$flavour" | linux-modules-"$flavour" | linux-base-"$flavour") pkgs="$pkgs $p" ;; esac
	done
	tmp=$KDIR/download.$$
	rm -rf "$tmp"
	mkdir -p "$tmp/root"
	echo "kernels.sh: fetching $pkgs from $suites" >&2
	# shellcheck disable=SC2086
	if ! (cd "$tmp" && apt-get $opts -q download $pkgs > download.log 2>&1); then
		reason=$(grep -m1 '^E: ' "$tmp/download.log" || tail -n 1 "$tmp/download.log")
		rm -rf "$tmp"
		unavailable "apt-get download $pkgs failed: $reason"
	fi
	for deb in "$tmp"/*.deb; do
		dpkg-deb -x "$deb" "$tmp/root" || { rm -rf "$tmp"; die "dpkg-deb -x $deb failed"; }
	done
	rm -f "$tmp"/*.deb
	krel=$(finish_tree "$tmp") || { rm -rf "$tmp"; unavailable "$pkgs hold no kernel I can boot"; }
	rm -rf "${KDIR:?}/$krel"
	mv "$tmp" "$KDIR/$krel"
	echo "$pkgs" > "$KDIR/$krel/packages"
	echo "$krel" > "$KDIR/series-$entry"
	echo "$krel"
}

# from_boot KREL: a kernel installed on this machine, in the same shape as a fetched one.
from_boot() {
	[ -r "/boot/vmlinuz-$1" ] || return 1
	[ -s "/lib/modules/$1/modules.dep" ] || return 1
	d=$KDIR/$1
	mkdir -p "$d"
	ln -sf "/boot/vmlinuz-$1" "$d/vmlinuz"
	[ -e "/boot/config-$1" ] && ln -sf "/boot/config-$1" "$d/config"
	echo / > "$d/moddir"
	echo "$1"
}

resolve() {
	entry=$1
	mkdir -p "$KDIR"
	# A series fetched before: its tree is the cache, no network.
	if [ -n "$(series_info "$entry")" ]; then
		if [ "${ZCG_VM_KERNELS_REFRESH:-0}" != 1 ] && [ -s "$KDIR/series-$entry" ]; then
			krel=$(cat "$KDIR/series-$entry")
			if [ -e "$KDIR/$krel/vmlinuz" ] && [ -s "$KDIR/$krel/moddir" ]; then
				echo "$krel"
				return
			fi
		fi
		fetch "$entry"
		return
	fi
	# A full release: fetched before, or installed here.
	if [ -e "$KDIR/$entry/vmlinuz" ] && [ -s "$KDIR/$entry/moddir" ]; then
		echo "$entry"
		return
	fi
	from_boot "$entry" && return
	unavailable "no kernel $entry: not a series (5.10 6.1 6.12 7), not fetched before, not in /boot"
}

case ${1:-} in
resolve) [ $# -eq 2 ] || die "usage: $0 resolve ENTRY"; resolve "$2" ;;
*) die "usage: $0 resolve ENTRY" ;;
esac
