#!/bin/sh
# Runs every test through one prove invocation, so `make check` ends with prove's summary:
# unit tests (normal and ASan+UBSan builds), CLI tests, the fuzz targets for a short time each, root tests on this host (they skip
# themselves when not root), the VM lab's results (the same root tests under Debian's
# kernels, cgroup v2 and v1), collected first as .tap files, and last the systemd guest
# (tests/system/system.t, `make check-system`): it boots its own guest, so it runs after the
# lab's guests are done and after the host's root tests, nothing else running beside it.
# ZCG_NO_VM=1 leaves out both the lab and the systemd guest.
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
TOP=$(pwd)
ZCG=$TOP/$BUILD/zombiecg
export TOP ZCG BUILD
tests="$BUILD/tests/unit/*.t $BUILD/asan/tests/unit/*.t tests/cli/*.t tests/fuzz/*.t tests/root/*.t"
if [ -z "${ZCG_NO_VM:-}" ]; then
	# run.sh never fails here: a guest's failures become not-ok lines in its .tap files
	vm=$(ZCG_VM_PROVE=0 tests/vm/run.sh) || { echo "VM lab failed to run"; exit 1; }
	tests="$tests $vm tests/system/system.t"
fi
# shellcheck disable=SC2086
exec prove ${PROVE_FLAGS:-} $tests
