#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Builds a container image's root filesystem the way `podman build` / `docker build` would
# run a Containerfile, without either (neither is on this host, and no registry but Debian's
# is reachable): the Containerfile's instructions are read and carried out here, so the
# committed Containerfile is what gets tested.
#
#   oci-rootfs.sh CONTAINERFILE CONTEXT_DIR ROOTFS_DIR IMAGE_JSON
#
# FROM debian:bookworm-slim  -> debootstrap --variant=minbase bookworm from Debian's mirror,
#                               cached as $ZCG_OCI_CACHE/debian-bookworm-minbase.tar (build/oci/)
# COPY SRC... DEST           -> cp from CONTEXT_DIR (globs allowed, as docker's COPY)
# RUN CMD                    -> chroot ROOTFS /bin/sh -c CMD (with /proc, /dev, resolv.conf)
# ENV K=V / ENV K V          -> exported to the following RUNs, and into the image's env
# WORKDIR, ENTRYPOINT, CMD   -> IMAGE_JSON (exec form only), for the OCI config
# LABEL, EXPOSE, USER (root) -> recorded or ignored; anything else is an error.
# Root needed (debootstrap, chroot). Prints progress on stderr.
set -eu
CF=$1 CTX=$2 ROOTFS=$3 IMAGE_JSON=$4
CACHE=${ZCG_OCI_CACHE:-build/oci}
MIRROR=${ZCG_OCI_MIRROR:-http://deb.debian.org/debian}
log() { printf 'oci-rootfs: %s\n' "$*" >&2; }

# Joins continuation lines, drops comments and blank lines: one instruction a line.
instructions() {
	awk '
		/^[ \t]*#/ && cont == "" { next }
		{ line = $0
		  if (line ~ /\\[ \t]*$/) { sub(/\\[ \t]*$/, "", line); cont = cont line; next }
		  line = cont line; cont = ""
		  if (line ~ /^[ \t]*$/) next
		  print line }
	' "$CF"
}

base_bookworm() {
	tarball=$CACHE/debian-bookworm-minbase.tar
	if [ ! -s "$tarball" ]; then
		mkdir -p "$CACHE"
		tmp=$CACHE/debootstrap.$$
		rm -rf "$tmp"
		log "debootstrap --variant=minbase bookworm (once; cached in $tarball)"
		debootstrap --variant=minbase bookworm "$tmp" "$MIRROR" > "$CACHE/debootstrap.log" 2>&1 ||
			{ tail -n 20 "$CACHE/debootstrap.log" >&2; rm -rf "$tmp"; exit 1; }
		# What the slim image's sources are: main, updates and security, deb822.
		rm -f "$tmp/etc/apt/sources.list"
		cat > "$tmp/etc/apt/sources.list.d/debian.sources" <<-EOF
		Types: deb
		URIs: http://deb.debian.org/debian
		Suites: bookworm bookworm-updates
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

		Types: deb
		URIs: http://deb.debian.org/debian-security
		Suites: bookworm-security
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
		EOF
		# as the slim image: no package caches
		rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/*
		tar -C "$tmp" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
		rm -rf "$tmp"
	fi
	tar -C "$ROOTFS" -xf "$tarball"
}

run_in() {
	mount -t proc proc "$ROOTFS/proc"
	mount --rbind /dev "$ROOTFS/dev"
	mount --make-rslave "$ROOTFS/dev"
	cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf" 2>/dev/null || true
	set +e
	env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		DEBIAN_FRONTEND=noninteractive $ENVS chroot "$ROOTFS" /bin/sh -c "cd ${WORKDIR:-/} && $1" </dev/null
	rc=$?
	set -e
	umount -R "$ROOTFS/dev"
	umount "$ROOTFS/proc"
	: > "$ROOTFS/etc/resolv.conf"
	return $rc
}

rm -rf "$ROOTFS"
mkdir -p "$ROOTFS"
ENVS="" WORKDIR="" ENTRYPOINT="null" CMDJ="null" ENVJ="" from=""
instructions > "$ROOTFS.instructions"
while IFS= read -r line; do
	kw=$(printf '%s' "$line" | awk '{print toupper($1)}')
	arg=$(printf '%s' "$line" | sed 's/^[ \t]*[A-Za-z]*[ \t]*//')
	case $kw in
	FROM)
		[ -z "$from" ] || { log "one stage only"; exit 1; }
		from=$arg
		case $arg in
		debian:bookworm-slim) base_bookworm ;;
		*) log "FROM $arg: only debian:bookworm-slim is known here"; exit 1 ;;
		esac ;;
	COPY)
		dest=${arg##* }
		srcs=${arg% *}
		case $dest in */) mkdir -p "$ROOTFS$dest" ;; esac
		for s in $srcs; do
			# shellcheck disable=SC2086
			set -- $CTX/$s
			[ -e "$1" ] || { log "COPY $s: nothing in $CTX matches"; exit 1; }
			cp -a "$@" "$ROOTFS$dest"
		done ;;
	RUN)
		log "RUN $arg"
		run_in "$arg" >&2 || { log "RUN failed: $arg"; exit 1; } ;;
	ENV)
		case $arg in
		*=*) kv=$arg ;;
		*) kv="${arg%% *}=${arg#* }" ;;
		esac
		ENVS="$ENVS $kv"
		ENVJ="$ENVJ${ENVJ:+,}\"$kv\"" ;;
	WORKDIR) WORKDIR=$arg; mkdir -p "$ROOTFS$arg" ;;
	ENTRYPOINT) ENTRYPOINT=$arg ;;
	CMD) CMDJ=$arg ;;
	LABEL|EXPOSE) ;;
	USER) [ "$arg" = root ] || [ "$arg" = 0 ] || { log "USER $arg: the manifest runs as root"; exit 1; } ;;
	*) log "unsupported instruction: $line"; exit 1 ;;
	esac
done < "$ROOTFS.instructions"
rm -f "$ROOTFS.instructions"
[ -n "$from" ] || { log "no FROM"; exit 1; }
case $ENTRYPOINT$CMDJ in *'['*) ;; *) log "ENTRYPOINT/CMD: exec form (JSON) needed"; exit 1 ;; esac
printf '{"entrypoint": %s, "cmd": %s, "workdir": "%s", "env": [%s]}\n' \
	"$ENTRYPOINT" "$CMDJ" "${WORKDIR:-/}" "$ENVJ" > "$IMAGE_JSON"
log "root filesystem ready: $ROOTFS"
