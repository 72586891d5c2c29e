# SPDX-License-Identifier: GPL-2.0
# Helpers for tests that run `zombiecg daemon`: start it with a configuration, find the
# port it bound (listen = 127.0.0.1:0 picks a free one and logs it), fetch its endpoints,
# read one metric, and kill every daemon started when the test exits.
# POSIX sh: the root tests also run in the VM lab under busybox (wget instead of curl).

DAEMON_PIDS=""

# fetch URL: the body on stdout; fails on HTTP errors.
fetch() {
	if command -v curl >/dev/null 2>&1; then
		curl -sf --max-time 10 "$1"
	elif command -v timeout >/dev/null 2>&1; then
		# not wget -T: busybox 1.35's wget crashes with it
		timeout 10 wget -q -O - "$1"
	else
		wget -q -O - "$1"
	fi
}

# http_status URL [METHOD]: the status code (curl only; prints 000 without curl).
http_status() {
	if command -v curl >/dev/null 2>&1; then
		curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X "${2:-GET}" "$1"
	else
		echo 000
	fi
}

# daemon_start LOG ARGS...: starts `zombiecg ARGS` in the background with stderr to LOG,
# sets DPID, and for a daemon that listens waits for its port (DPORT). Fails after 15 s.
daemon_start() {
	_log=$1
	shift
	: > "$_log"
	"$ZCG" "$@" 2>>"$_log" &
	DPID=$!
	DAEMON_PIDS="$DAEMON_PIDS $DPID"
	DPORT=""
	_i=0
	# up to 60 s: in a software-emulated guest the first census alone can take seconds
	while [ $_i -lt 600 ]; do
		DPORT=$(sed -n 's/.*listening on [^"]*:\([0-9][0-9]*\).*/\1/p' "$_log" | tail -n 1)
		[ -n "$DPORT" ] && return 0
		kill -0 "$DPID" 2>/dev/null || return 1
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# daemon_start_via PREFIX LOG ARGS...: daemon_start with the daemon run as
# `PREFIX zombiecg ARGS` (PREFIX is split on blanks; a prefix that execs it, as env or setpriv
# do, leaves DPID the daemon itself).
daemon_start_via() {
	_via=$TESTDIR/zcg-via
	printf '#!/bin/sh\nexec %s %s "$@"\n' "$1" "$ZCG" > "$_via"
	chmod +x "$_via"
	shift
	_zcg=$ZCG
	ZCG=$_via
	daemon_start "$@"
	_r=$?
	ZCG=$_zcg
	return $_r
}

# daemon_stop [SIGNAL [TIMEOUT_S]]: stops $DPID, waits for it; returns its exit status (124
# if it did not stop within TIMEOUT_S, default 10, then it is killed).
daemon_stop() {
	kill -"${1:-TERM}" "$DPID" 2>/dev/null
	_i=0
	while kill -0 "$DPID" 2>/dev/null && [ $_i -lt $((${2:-10} * 10)) ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	if kill -0 "$DPID" 2>/dev/null; then
		kill -9 "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
		return 124
	fi
	wait "$DPID"
}

# Kills whatever daemon a test left running (trap on EXIT).
daemon_kill_all() {
	for _p in $DAEMON_PIDS; do
		kill -9 "$_p" 2>/dev/null && wait "$_p" 2>/dev/null
	done
	DAEMON_PIDS=""
	return 0
}

# metric NAME_AND_LABELS [PORT]: the value of one sample of the daemon's /metrics (empty if
# absent). NAME_AND_LABELS is matched literally up to the space before the value.
metric() {
	fetch "http://127.0.0.1:${2:-$DPORT}/metrics" | awk -v m="$1" 'index($0, m " ") == 1 { print $NF }'
}

# wait_until SECONDS COMMAND...: retries COMMAND every 0.2 s until it succeeds.
wait_until() {
	_limit=$(($1 * 5))
	shift
	_i=0
	while [ $_i -lt $_limit ]; do
		"$@" && return 0
		sleep 0.2
		_i=$((_i + 1))
	done
	return 1
}

# metric_is NAME_AND_LABELS VALUE: succeeds if the metric has that value now.
metric_is() {
	[ "$(metric "$1")" = "$2" ]
}

# metric_ge NAME_AND_LABELS MIN: succeeds if the metric is there and at least MIN now.
metric_ge() {
	_v=$(metric "$1")
	[ -n "$_v" ] && [ "${_v%.*}" -ge "$2" ] 2>/dev/null
}

# pick_port: a TCP port nobody listens on now (for servers that cannot bind port 0).
pick_port() {
	while :; do
		_p=$(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 30000 + 20000 ))
		_hex=$(printf '%04X' "$_p")
		cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v h=":$_hex" '$2 ~ h"$" && $4 == "0A" { f = 1 } END { exit !f }' ||
			{ echo "$_p"; return 0; }
	done
}

# loopback_up: a minimal VM may boot with lo down (nothing to bind 127.0.0.1 to). Bringing it
# up also gives it 127.0.0.1; on a host where it is up already this does nothing.
loopback_up() {
	_flags=$(cat /sys/class/net/lo/flags 2>/dev/null) || return 0
	[ $((_flags & 1)) -eq 1 ] && return 0
	ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up 2>/dev/null
}
