#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Builds the VM lab's initramfs pieces (gzip'd newc cpio archives; the kernel unpacks
# concatenated archives in order, so a guest's initrd is common + modules-<kernel>):
#
#   mkinitramfs.sh common OUT.cpio.gz TESTLIST
#	busybox (static), /init, jq, build/zombiecg and the whole tests/ tree under /zcg, each
#	dynamic binary with every library ldd lists and the dynamic loader; TESTLIST (paths
#	relative to the source tree, one a line) becomes /zcg/vm-tests, what the guest runs.
#   mkinitramfs.sh list TESTLIST OUT.cpio.gz
#	only /zcg/vm-tests: a guest's own list, packed after the others so it replaces
#	the common one.
#   mkinitramfs.sh modules KREL OUT.cpio.gz [DIR]
#	the modules that guest kernel needs for the virtio disk and ext4, in load order in
#	/zcg/modules/order, decompressed (6.12 ships .ko.xz; busybox insmod wants plain ELF).
#	They come from DIR/lib/modules/KREL (modprobe -d DIR), by default the machine's own
#	/lib/modules; tests/vm/kernels.sh extracts the lab's kernels into such a DIR.
#
# Run from the top of the source tree. BUILD (default build) is where zombiecg was built.
set -eu

BUILD=${BUILD:-build}
# What the guest needs from its kernel: the PCI transport, the disk, the filesystem. Their
# dependencies (virtio_ring, jbd2, mbcache, crc16, ...) and ext4's soft dependency on crc32c
# come from modprobe's view of that kernel's modules.dep, so the list stays right when a new
# kernel builds something in (6.12 has virtio_pci built in) or splits a module.
GUEST_MODULES="virtio_pci virtio_blk ext4"

die() { echo "mkinitramfs.sh: $*" >&2; exit 1; }

# Writes the directory $1 as a gzip'd cpio archive $2, owned by root, in a stable order.
pack() {
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 -n > "$2.tmp"
	mv "$2.tmp" "$2"
}

# add_elf ROOT SRC DEST: copies the executable SRC to ROOT/DEST and, when it is dynamically
# linked, every library ldd resolves plus the loader, at the same absolute paths (the loader
# finds them there through its built-in search path; the guest has no ld.so.cache).
add_elf() {
	mkdir -p "$1/${3%/*}"
	cp -L "$2" "$1/$3"
	libs=$(ldd "$2" 2>/dev/null) || return 0	# "not a dynamic executable"
	if echo "$libs" | grep -q 'not found'; then
		die "$2: missing libraries: $(echo "$libs" | grep 'not found' | tr -s ' \t' ' ')"
	fi
	echo "$libs" | awk '$2 == "=>" && $3 ~ /^\// { print $3; next } $1 ~ /^\// { print $1 }' |
	while read -r lib; do
		[ -e "$1$lib" ] && continue
		mkdir -p "$1/${lib%/*}"
		cp -L "$lib" "$1$lib"
	done
}

build_common() {
	out=$1 testlist=$2
	[ -x "$BUILD/zombiecg" ] || die "$BUILD/zombiecg not built (run make)"
	busybox=$(command -v busybox) || die "busybox not found (apt-get install busybox-static)"
	jq=$(command -v jq) || die "jq not found (the tests use it; apt-get install jq)"
	root=$(mktemp -d "${out%/*}/common.XXXXXX")
	trap 'rm -rf "$root"' EXIT

	mkdir -p "$root/bin" "$root/etc" "$root/root" "$root/zcg/build"
	add_elf "$root" "$busybox" /bin/busybox
	ln -s busybox "$root/bin/sh"	# for #!/bin/sh before /init has installed the applets
	add_elf "$root" "$jq" /usr/bin/jq
	add_elf "$root" "$BUILD/zombiecg" /zcg/build/zombiecg
	# Compiled helpers the root tests may exec (e.g. a process that keeps a file mapped).
	if [ -d "$BUILD/tests/helpers" ]; then
		for h in "$BUILD"/tests/helpers/*; do
			[ -f "$h" ] && [ -x "$h" ] && add_elf "$root" "$h" "/zcg/build/tests/helpers/${h##*/}"
		done
	fi
	# The C API examples a root test links against (tests/root/drain_api.t).
	if [ -d "$BUILD/examples" ]; then
		for h in "$BUILD"/examples/*; do
			[ -f "$h" ] && [ -x "$h" ] && add_elf "$root" "$h" "/zcg/build/examples/${h##*/}"
		done
	fi
	cp -R tests "$root/zcg/tests"
	cp "$testlist" "$root/zcg/vm-tests"
	cp tests/vm/init "$root/init"
	chmod 0755 "$root/init"
	echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
	echo 'root:x:0:' > "$root/etc/group"
	pack "$root" "$out"
}

build_modules() {
	krel=$1 out=$2 moddir=${3:-/}
	[ -d "$moddir/lib/modules/$krel" ] || die "no $moddir/lib/modules/$krel (kernel modules not installed)"
	root=$(mktemp -d "${out%/*}/modules.XXXXXX")
	trap 'rm -rf "$root"' EXIT
	mkdir -p "$root/zcg/modules"
	: > "$root/zcg/modules/order"
	for m in $GUEST_MODULES; do
		# Lines are "insmod /lib/modules/.../x.ko[.xz] " or "builtin x" (nothing to load).
		modprobe -d "$moddir" -S "$krel" --show-depends "$m" >> "$root/deps" ||
			die "modprobe -d $moddir -S $krel --show-depends $m failed"
	done
	awk '$1 == "insmod" { print $2 }' "$root/deps" | while read -r ko; do
		name=${ko##*/}
		name=${name%.xz}
		name=${name%.zst}
		name=${name%.gz}
		grep -qxF "$name" "$root/zcg/modules/order" && continue	# shared dependency
		case $ko in
		*.xz) xz -dc "$ko" > "$root/zcg/modules/$name" ;;
		*.zst) zstd -qdc "$ko" > "$root/zcg/modules/$name" ;;
		*.gz) gzip -dc "$ko" > "$root/zcg/modules/$name" ;;
		*) cp "$ko" "$root/zcg/modules/$name" ;;
		esac
		echo "$name" >> "$root/zcg/modules/order"
	done
	rm "$root/deps"
	pack "$root" "$out"
}

# build_list TESTLIST OUT: an archive with only /zcg/vm-tests, one guest's own list.
build_list() {
	root=$(mktemp -d "${2%/*}/list.XXXXXX")
	trap 'rm -rf "$root"' EXIT
	mkdir -p "$root/zcg"
	cp "$1" "$root/zcg/vm-tests"
	pack "$root" "$2"
}

case ${1:-} in
list) [ $# -eq 3 ] || die "usage: $0 list TESTLIST OUT.cpio.gz"; build_list "$2" "$3" ;;
common) [ $# -eq 3 ] || die "usage: $0 common OUT.cpio.gz TESTLIST"; build_common "$2" "$3" ;;
modules) [ $# -eq 3 ] || [ $# -eq 4 ] || die "usage: $0 modules KREL OUT.cpio.gz [DIR]"
	build_modules "$2" "$3" "${4:-/}" ;;
*) die "usage: $0 common OUT.cpio.gz TESTLIST | modules KREL OUT.cpio.gz [DIR]" ;;
esac
