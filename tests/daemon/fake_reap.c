// SPDX-License-Identifier: GPL-2.0
/* A stand-in for src/daemon/reap.c, linked only into the test binary
 * build/tests/zombiecg-fake-reap. It frees nothing: it records every request and answers
 * like a reaper would, so tests/cli/daemon-reap.t can check the daemon's side of the reap
 * contract (when the step is called, with which targets and budget, how outcomes, failures
 * and SIGTERM are handled) before the real reaper exists.
 *
 *   FAKE_REAP_LOG   file to append each request to ("step ..." then "target ..." lines)
 *   FAKE_REAP_MODE  ok (default): "frees" up to 2 zombies per target, 4 KiB each, 1 ms CPU,
 *                   and reports 1 unreclaimable (mapped);
 *                   fail: frees 1 and fails with -EIO;
 *                   slow: waits until cancelled() (SIGTERM), at most 30 s. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "error.h"

bool daemon_reap_available(const char **ret_reason)
{
	if (ret_reason)
		*ret_reason = "fake reaper (test build)";
	return true;
}

int daemon_reap_step(const struct daemon_reap_request *req, struct daemon_reap_outcome *ret)
{
	const char *mode = getenv("FAKE_REAP_MODE"), *path = getenv("FAKE_REAP_LOG");
	FILE *log = path ? fopen(path, "a") : NULL;
	int r = 0;

	memset(ret, 0, sizeof(*ret));
	if (!mode)
		mode = "ok";
	if (log) {
		fprintf(log, "step scope=%s budget_ns=%lld targets=%zu protected=%d tmpfs=%s\n", req->scope,
			(long long)req->cpu_budget_ns, req->n_targets, req->protected_reclaim,
			req->tmpfs_recharge_target ? req->tmpfs_recharge_target : "off");
		for (size_t i = 0; i < req->n_targets; i++)
			fprintf(log, "target %s id=%llu old=%lld old_bytes=%lld total=%lld\n",
				req->targets[i].parent, (unsigned long long)req->targets[i].zombie_id,
				(long long)req->targets[i].old_count, (long long)req->targets[i].old_bytes,
				(long long)req->targets[i].total);
		fflush(log);	/* visible while a slow step runs */
	}
	if (strcmp(mode, "slow") == 0) {
		struct timespec tick = { .tv_nsec = 10 * 1000 * 1000 };
		int waited = 0;

		while (!req->cancelled(req->userdata) && waited++ < 3000)
			nanosleep(&tick, NULL);
		if (log)
			fprintf(log, "%s\n", waited <= 3000 ? "cancelled" : "not cancelled");
		snprintf(ret->message, sizeof(ret->message), "fake: stopped early");
		ret->cpu_ns = -1;
	} else if (strcmp(mode, "fail") == 0) {
		ret->reaped = 1;
		ret->evicted_bytes = 4096;
		ret->cpu_ns = 1000000;
		r = zcg_error(-EIO, "fake: failed on purpose after freeing 1");
	} else {
		for (size_t i = 0; i < req->n_targets; i++)
			ret->reaped += req->targets[i].old_count > 2 ? 2 :
				       req->targets[i].old_count > 0 ? (uint64_t)req->targets[i].old_count : 1;
		ret->evicted_bytes = ret->reaped * 4096;
		ret->cpu_ns = 1000000;
		ret->have_unreclaimable = true;
		ret->unreclaimable[DAEMON_UNRECL_MAPPED] = 1;
		snprintf(ret->message, sizeof(ret->message), "fake: freed %llu", (unsigned long long)ret->reaped);
	}
	if (log)
		fclose(log);
	return r;
}
