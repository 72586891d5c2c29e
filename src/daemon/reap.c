// SPDX-License-Identifier: GPL-2.0
/* The daemon's reap step: zcg_reap() (the library behind `zombiecg reap`) on the zombies
 * past their grace period.
 *
 * Named zombies (BPF) are passed by cgroup id; parent-level targets (cgroupfs: only "N
 * zombies below P" is known) by parent. The step keeps to the CPU time the loop grants,
 * stops at the next safe point when cancelled() turns true (SIGTERM), and zcg_reap() leaves
 * every live cgroup's settings as it found them (memory.min is journaled and restored, even
 * across a crash). tests/daemon/fake_reap.c implements the same two functions for the
 * loop's contract test. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "budget.h"
#include "daemon.h"
#include "error.h"
#include "reap.h"
#include "util.h"

bool daemon_reap_available(const char **ret_reason)
{
	if (ret_reason)
		*ret_reason = NULL;
	return true;
}

static enum daemon_unreclaimable unreclaimable_of(enum zcg_action a)
{
	switch (a) {
	case ZCG_ACTION_WAIT_MAPPER:
	case ZCG_ACTION_PROTECTED_RECLAIM:
		return DAEMON_UNRECL_MAPPED;
	case ZCG_ACTION_REMOVE_FILE:
		return DAEMON_UNRECL_SHMEM;
	case ZCG_ACTION_FLUSH_EVICT:
		return DAEMON_UNRECL_DIRTY;
	default:
		return DAEMON_UNRECL_OTHER;
	}
}

int daemon_reap_step(const struct daemon_reap_request *req, struct daemon_reap_outcome *ret)
{
	_cleanup_free_ uint64_t *ids = calloc(req->n_targets + 1, sizeof(*ids));
	_cleanup_free_ char **parents = calloc(req->n_targets + 1, sizeof(*parents));
	struct zcg_reap_opts opts = {
		.scope = req->scope,
		.no_protected_reclaim = !req->protected_reclaim,
		.cancelled = req->cancelled,
		.userdata = req->userdata,
		.cpu_limit_ns = req->cpu_budget_ns,
		.no_settle = true,
		.only_ids = ids,
		.only_parents = parents,
		.recharge_tmpfs = req->tmpfs_recharge_target,
	};
	struct zcg_reap_result res;
	int64_t cpu0, cpu1;
	int r;

	memset(ret, 0, sizeof(*ret));
	ret->cpu_ns = -1;	/* the loop measures it */
	if (!ids || !parents)
		return -ENOMEM;
	for (size_t i = 0; i < req->n_targets; i++) {
		if (req->targets[i].zombie_id)
			ids[opts.n_only_ids++] = req->targets[i].zombie_id;
		else
			parents[opts.n_only_parents++] = (char *)req->targets[i].parent;
	}
	cpu0 = zcg_process_cpu_ns();
	r = zcg_reap(req->sys, &opts, &res);
	cpu1 = zcg_process_cpu_ns();
	if (r < 0)
		return zcg_error_wrap(r, "reap failed");
	/* Recharge helpers run in child processes: their CPU counts against the budget too. */
	if (res.helper_cpu_ns > 0)
		ret->cpu_ns = cpu1 - cpu0 + res.helper_cpu_ns;
	ret->reaped = res.freed;
	ret->stopped = res.stopped;
	ret->evicted_bytes = res.evicted_bytes + res.reclaimed_bytes + res.recharged_bytes;
	ret->have_unreclaimable = true;
	for (size_t i = 0; i < res.n_skipped; i++)
		ret->unreclaimable[res.stopped ? DAEMON_UNRECL_BUDGET : unreclaimable_of(res.skipped[i].action)]++;
	snprintf(ret->message, sizeof(ret->message),
		 "reap: %llu freed, %llu left; evicted %llu bytes (%llu written back first), protected reclaim %llu bytes, "
		 "recharged %llu bytes of tmpfs%s",
		 (unsigned long long)res.freed, (unsigned long long)res.n_skipped,
		 (unsigned long long)res.evicted_bytes, (unsigned long long)res.flushed_bytes,
		 (unsigned long long)res.reclaimed_bytes, (unsigned long long)res.recharged_bytes,
		 res.stopped ? "; stopped early (budget or signal)" : "");
	zcg_reap_result_free(&res);
	return 0;
}
