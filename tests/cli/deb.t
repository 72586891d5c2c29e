#!/bin/sh
# The Debian packages: `make deb` builds them from a clean copy of the tree with
# dpkg-buildpackage, lintian finds no error or warning, each package holds exactly the files
# it should (the bash completion when the tree has one), the configuration is a conffile and
# the packaged unit and drop-in name /usr/bin/zombiecg; the packaged binary runs, and the
# -dev package's header and static library build examples/drain.c.
. "$(dirname "$0")/../lib/tap.sh"
cd "$TOP" || exit 1
for t in dpkg-buildpackage dh lintian dpkg-deb git; do
	command -v "$t" >/dev/null 2>&1 || skip_all "no $t (make deps installs debhelper, dpkg-dev, lintian)"
done
B=${BUILD:-build}
D=$B/deb
V=$(sed -n 's/^VERSION := //p' Makefile)
ARCH=$(dpkg --print-architecture)
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT

out=$(make -s deb BUILD="$B" 2>&1)
ok $? "make deb (dpkg-buildpackage -b from a clean copy, then lintian --fail-on error,warning)"
[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'
for p in zombiecg zombiecg-dev; do
	[ -f "$D/${p}_${V}_$ARCH.deb" ]
	ok $? "$D/${p}_${V}_$ARCH.deb built"
done
[ -f "$D/zombiecg_${V}_$ARCH.deb" ] || { done_testing; }

# lintian on the packages and .changes, every tag shown: no E: or W: lines
lintian "$D/zombiecg_${V}_$ARCH.changes" > "$TMP/lintian" 2>&1
is "$(grep -E '^[EW]: ' "$TMP/lintian")" "" "lintian: no errors, no warnings"
grep -E '^[EWIPX]: ' "$TMP/lintian" | sed 's/^/# /'

# --- file lists ----------------------------------------------------------------------------
list() { dpkg-deb -c "$1" | awk '$1 !~ /^d/ { sub(/^\.\//, "", $6); print $6 }' | sort; }
# the completion is in the package when `make install` installs one
has_completion=
grep -q 'share/bash-completion/completions/zombiecg' Makefile && has_completion=1
{
	echo etc/zombiecg/zombiecg.conf
	echo lib/systemd/system/zombiecg.service
	echo usr/bin/zombiecg
	[ -n "$has_completion" ] && echo usr/share/bash-completion/completions/zombiecg
	echo usr/share/doc/zombiecg/changelog.gz
	echo usr/share/doc/zombiecg/copyright
	echo usr/share/man/man8/zombiecg.8.gz
	echo usr/share/zombiecg/zombiecg-drain.conf
} | sort > "$TMP/want.main"
list "$D/zombiecg_${V}_$ARCH.deb" > "$TMP/got.main"
is "$(diff "$TMP/want.main" "$TMP/got.main")" "" "zombiecg: exactly the binary, unit, conffile, man page, drop-in, docs${has_completion:+, bash completion}"
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null)
printf '%s\n' usr/include/zombiecg/drain.h "usr/lib/$MA/libzombiecg.a" \
	usr/share/doc/zombiecg-dev/changelog.gz usr/share/doc/zombiecg-dev/copyright | sort > "$TMP/want.dev"
list "$D/zombiecg-dev_${V}_$ARCH.deb" > "$TMP/got.dev"
is "$(diff "$TMP/want.dev" "$TMP/got.dev")" "" "zombiecg-dev: exactly the header and the static library (multiarch dir)"

# --- control data --------------------------------------------------------------------------
mkdir "$TMP/ctl" "$TMP/root"
dpkg-deb -e "$D/zombiecg_${V}_$ARCH.deb" "$TMP/ctl"
dpkg-deb -x "$D/zombiecg_${V}_$ARCH.deb" "$TMP/root"
is "$(cat "$TMP/ctl/conffiles")" /etc/zombiecg/zombiecg.conf "the configuration is the one conffile"
cmp -s deploy/zombiecg.conf "$TMP/root/etc/zombiecg/zombiecg.conf"
ok $? "the conffile is deploy/zombiecg.conf"
deps=$(dpkg-deb -f "$D/zombiecg_${V}_$ARCH.deb" Depends)
like "$deps" 'libbpf1.*libmicrohttpd12.*libsmartcols1' "Depends from the shared libraries: $deps"
grep -q "deb-systemd-helper enable 'zombiecg.service'" "$TMP/ctl/postinst" &&
	grep -q "deb-systemd-invoke .*'zombiecg.service'" "$TMP/ctl/postinst"
ok $? "postinst enables and starts the unit (dh_installsystemd)"
grep -qx 'ExecStart=/usr/bin/zombiecg daemon --config /etc/zombiecg/zombiecg.conf' "$TMP/root/lib/systemd/system/zombiecg.service"
ok $? "packaged unit: ExecStart=/usr/bin/zombiecg"
grep -qx 'ExecStopPost=-+/usr/bin/zombiecg drain --self --keep --timeout 10' "$TMP/root/usr/share/zombiecg/zombiecg-drain.conf"
ok $? "packaged drop-in: ExecStopPost= runs /usr/bin/zombiecg"
if command -v systemd-analyze >/dev/null 2>&1; then
	# verify resolves ExecStart= on this host: point it at the packaged binary
	sed "s|/usr/bin/zombiecg|$TMP/root/usr/bin/zombiecg|" "$TMP/root/lib/systemd/system/zombiecg.service" > "$TMP/zombiecg.service"
	is "$(systemd-analyze verify --man=no "$TMP/zombiecg.service" 2>&1)" "" "systemd-analyze verify: packaged unit"
else
	skip "no systemd-analyze"
fi
like "$("$TMP/root/usr/bin/zombiecg" --version 2>&1)" "^zombiecg $V\$" "the packaged binary runs: zombiecg $V"
like "$("$TMP/root/usr/bin/zombiecg" --sysroot tests/fixtures/v2 status --json 2>&1 | jq -r .hierarchy)" '^v2$' \
	"the packaged binary reads a cgroup tree (fixture v2)"

# --- the -dev package builds the C API's example -----------------------------------------
mkdir "$TMP/dev"
dpkg-deb -x "$D/zombiecg-dev_${V}_$ARCH.deb" "$TMP/dev"
bpf_libs=$(pkg-config --libs libbpf 2>/dev/null)
${CC:-cc} -o "$TMP/drain" -I"$TMP/dev/usr/include" examples/drain.c \
	-L"$TMP/dev/usr/lib/$MA" -lzombiecg -lsmartcols $bpf_libs -lelf -lz 2> "$TMP/cc.err"
ok $? "examples/drain.c builds with <zombiecg/drain.h> and -lzombiecg -lsmartcols -lbpf -lelf -lz"
[ -s "$TMP/cc.err" ] && sed 's/^/# /' "$TMP/cc.err"
done_testing
