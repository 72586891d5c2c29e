/* SPDX-License-Identifier: GPL-2.0 */
/* The daemon's two plug-in points: the reap step (reap.c; tests/daemon/fake_reap.c in the
 * loop's contract test) and the HTTP endpoint (http.c). The loop is loop.c, its state and
 * the rest of what its files share state.h. */
#ifndef ZCG_DAEMON_H
#define ZCG_DAEMON_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ages.h"
#include "budget.h"
#include "sys.h"

/* ---- Reaping: one step per census, behind this interface ---------------------------------
 *
 * The loop calls daemon_reap_step() once per census, and only when
 *   - the configuration allows reaping (reap = yes),
 *   - something is past its grace period (req->targets is not empty), and
 *   - the CPU budget has something left (req->cpu_budget_ns > 0).
 * Everything the step needs is in the request; everything the daemon needs back is in the
 * outcome. The step runs in the main thread at the daemon's (idle) priority; metrics, the
 * textfile, history and logs are updated by the loop from the outcome. */

/* Why a zombie stayed after a reap step: a small fixed set, so the metric's cardinality is
 * bounded. The names are the `reason` label values of zombiecg_unreclaimable_memcgs. */
enum daemon_unreclaimable {
	DAEMON_UNRECL_MAPPED,	/* its page cache is mapped by live processes */
	DAEMON_UNRECL_SHMEM,	/* tmpfs/shmem pages and no tmpfs_recharge_target */
	DAEMON_UNRECL_DIRTY,	/* dirty or under writeback */
	DAEMON_UNRECL_SWAP,	/* swap entries hold it (and its memcg ID) */
	DAEMON_UNRECL_BUDGET,	/* not reached within the CPU budget this step */
	DAEMON_UNRECL_OTHER,
	_DAEMON_UNRECL_MAX,
};

extern const char *const daemon_unreclaimable_names[_DAEMON_UNRECL_MAX];

struct daemon_reap_request {
	const struct zcg_sys *sys;
	const char *scope;			/* hierarchy-relative subtree the daemon watches */
	const struct zcg_age_target *targets;	/* past their grace period, sorted by parent */
	size_t n_targets;
	int64_t cpu_budget_ns;			/* CPU time the step may spend (> 0) */
	bool protected_reclaim;			/* shield live siblings while reclaiming */
	const char *tmpfs_recharge_target;	/* hierarchy-relative, NULL: off */
	/* True once SIGTERM/SIGINT is pending: stop at the next safe point and return. */
	bool (*cancelled)(void *userdata);
	void *userdata;
};

struct daemon_reap_outcome {
	uint64_t reaped;			/* zombies freed */
	uint64_t evicted_bytes;			/* bytes evicted or recharged to free them */
	int64_t cpu_ns;				/* CPU time the step spent, < 0: let the loop measure */
	bool stopped;				/* acting ran out of its CPU budget (or was cancelled) */
	bool have_unreclaimable;		/* the array below is meaningful */
	uint64_t unreclaimable[_DAEMON_UNRECL_MAX];
	char message[256];			/* one line for the log: what happened */
};

/* Whether this build can reap. If not, *ret_reason (static) says why. */
bool daemon_reap_available(const char **ret_reason);

/* Runs one reap step. Returns 0 with the outcome filled in; -EOPNOTSUPP if this build cannot
 * reap (nothing was done); other -errno if the step failed (counts of what was freed before
 * the failure are still filled in). Failures come with their message (zcg_strerror(r)). */
int daemon_reap_step(const struct daemon_reap_request *req, struct daemon_reap_outcome *ret);

/* ---- What the main loop publishes for the HTTP thread ----------------------------------- */

struct daemon_published {
	pthread_mutex_t lock;
	char *metrics;		/* exposition text with process_* metrics, NULL before the first */
	size_t metrics_len;
	/* /healthz is computed when asked, so a stuck main loop shows up as stale. */
	uint64_t last_ok_ms;	/* CLOCK_MONOTONIC ms of the last good census, 0: none yet */
	uint64_t stale_after_ms;	/* unhealthy when the last good census is older */
	char status[200];	/* one line about the last census */
};

/* CLOCK_MONOTONIC in milliseconds: inline, so that the HTTP thread's file needs nothing of
 * the loop's. */
static inline uint64_t daemon_now_ms(void)
{
	return zcg_mono_ns() / 1000000;
}

struct daemon_http;

/* Serves GET /metrics and /healthz from pub on listen ("ADDR:PORT"; port 0 picks one).
 * Returns 0 and sets *ret, or -errno with a detail message. */
int daemon_http_start(const char *listen, struct daemon_published *pub, struct daemon_http **ret);
void daemon_http_stop(struct daemon_http *h);
/* The address actually bound, as "ADDR:PORT" (port 0 resolved). */
const char *daemon_http_address(const struct daemon_http *h);

#endif
