#!/bin/sh
# Runs every test through one prove invocation, so `make check` ends with prove's summary:
# unit tests (normal and ASan+UBSan builds), CLI tests, root tests on this host (they skip
# themselves when not root), and the VM lab (cgroup v2 and other kernels).
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
TOP=$(pwd)
ZCG=$TOP/$BUILD/zombiecg
export TOP ZCG BUILD
tests="$BUILD/tests/unit/*.t $BUILD/asan/tests/unit/*.t tests/cli/*.t tests/root/*.t"
[ -n "$(ls tests/vm/*.t 2>/dev/null)" ] && [ -z "${ZCG_NO_VM:-}" ] && tests="$tests tests/vm/*.t"
# shellcheck disable=SC2086
exec prove ${PROVE_FLAGS:-} $tests
