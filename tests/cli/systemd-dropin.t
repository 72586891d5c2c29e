#!/bin/sh
# The systemd drop-in in deploy/systemd/ is a valid unit fragment that runs zombiecg drain
# --self (the behaviour itself is tested as root in tests/root/drain.t, case "self").
. "$(dirname "$0")/../lib/tap.sh"
cd "$TOP" || exit 1
DROPIN=deploy/systemd/zombiecg-drain.conf
grep -q '^ExecStopPost=.*zombiecg drain --self' "$DROPIN"
ok $? "the drop-in drains with --self in ExecStopPost"
command -v systemd-analyze >/dev/null || { skip "systemd-analyze not installed"; done_testing; }
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
printf '[Unit]\nDescription=demo job\n[Service]\nType=oneshot\nExecStart=/bin/true\n' > "$d/demo.service"
mkdir "$d/demo.service.d"
sed "s|/usr/local/bin/zombiecg|$ZCG|" "$DROPIN" > "$d/demo.service.d/zombiecg-drain.conf"
# verify reads drop-ins next to the unit only through the unit search path: merge them.
cat "$d/demo.service" "$d/demo.service.d/zombiecg-drain.conf" > "$d/merged.service"
out=$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify "$d/merged.service" 2>&1)
is "$?" 0 "systemd-analyze verify accepts the unit with the drop-in"
[ -z "$out" ] || diag "$out"
done_testing
