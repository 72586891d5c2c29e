// SPDX-License-Identifier: GPL-2.0
/* The daemon's reap step: where `zombiecg reap`'s library call plugs in.
 *
 * TODO(reap): this build has no reaper, so the step reports itself unavailable and the
 * daemon only counts zombies (zombiecg_reap_available 0; the reap counters stay 0; nothing
 * is faked). When the reap library lands, this file is the only one to change:
 *
 *   1. daemon_reap_available(): return true.
 *   2. daemon_reap_step(): turn the request into the library's options and call it, e.g.
 *
 *        struct zcg_reap_opts opts = {
 *                .scope = req->scope,
 *                .targets/.parents = the parents (or zombie IDs, when zombie_id != 0) of
 *                            req->targets: act on nothing else, and never on zombies
 *                            younger than the grace period where the method can tell them
 *                            apart (named zombies); for a parent-level target, old_count
 *                            (or old_bytes on v1) of its zombies are past the grace period,
 *                .cpu_budget_ns = req->cpu_budget_ns,
 *                .protected_reclaim = req->protected_reclaim,
 *                .tmpfs_recharge_target = req->tmpfs_recharge_target,
 *                .cancelled = req->cancelled, .userdata = req->userdata,
 *        };
 *        struct zcg_reap_result res = {0};
 *        r = zcg_reap(req->sys, &opts, &res);
 *
 *      then fill *ret: reaped = zombies freed, evicted_bytes, cpu_ns (or -1 to let the loop
 *      measure it), and map the library's unreclaimable reasons onto
 *      enum daemon_unreclaimable (have_unreclaimable = true), message = one log line.
 *   3. Return 0, or the library's -errno on failure (counted in zombiecg_reap_errors_total
 *      and logged with message); a partial result is still folded into the counters.
 *
 * The contract the loop relies on: the step returns within roughly cpu_budget_ns of CPU
 * time (it runs at idle priority, so wall time may be longer), checks cancelled() between
 * zombies, leaves every live cgroup's settings as it found them (memory.min restored even on
 * failure), and acts only inside req->scope.
 *
 * tests/daemon/fake_reap.c implements the same two functions for a test-only binary
 * (build/tests/zombiecg-fake-reap) that frees nothing but answers like a reaper, so
 * tests/cli/daemon-reap.t checks the loop's side of this contract today: who gets called
 * when, with what budget and targets, and how outcomes, failures and SIGTERM are handled. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon.h"

static const char unavailable[] = "reap: not available in this build";

bool daemon_reap_available(const char **ret_reason)
{
	if (ret_reason)
		*ret_reason = unavailable;
	return false;
}

int daemon_reap_step(const struct daemon_reap_request *req, struct daemon_reap_outcome *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->cpu_ns = 0;
	snprintf(ret->message, sizeof(ret->message), "%s", unavailable);
	return -EOPNOTSUPP;
}
