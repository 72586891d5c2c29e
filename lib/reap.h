/* SPDX-License-Identifier: GPL-2.0 */
/* Reaping: free zombies, and only zombies, from userspace, within a CPU and I/O budget.
 * The userspace counterpart of NetEase's recycling thread (seeds): it evicts exactly the
 * page ranges charged to dying memcgs (explain's pins), writing dirty ones back first, and
 * on cgroup v2 reclaims mapped ones with every live cgroup protected (doc/kernel.md K9). */
#ifndef ZCG_REAP_H
#define ZCG_REAP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "explain.h"
#include "sys.h"

struct zcg_reap_opts {
	const char *scope;		/* hierarchy-relative, NULL or "/" for all */
	bool dry_run;			/* plan only: touch nothing */
	bool no_flush;			/* skip dirty pages instead of writing them back */
	bool no_protected_reclaim;
	bool no_bpf;
	double max_cpu;			/* fraction of one CPU (lib/budget.h), 0: no limit */
	double max_rate_mbps;		/* MiB/s written back plus evicted, 0: no limit */
	volatile sig_atomic_t *stop;	/* set (e.g. by SIGTERM): finish the current step, stop */
	bool (*cancelled)(void *userdata);	/* the same as a callback (the daemon), may be NULL */
	void *userdata;
	int64_t cpu_limit_ns;		/* stop acting once acting has spent this much CPU (the
					 * explain before it not counted), 0: no limit */
	bool no_settle;			/* one census afterwards, without waiting for late frees
					 * (the daemon: its next census sees them anyway) */
	/* Act only on these zombies (by cgroup id) and on the zombies below these live parents;
	 * both NULL: on every zombie in scope (the daemon passes those past their grace period). */
	const uint64_t *only_ids;
	size_t n_only_ids;
	char *const *only_parents;
	size_t n_only_parents;
	bool only_ids_required;		/* each of only_ids must name a dying memcg in scope
					 * (zombiecg reap --id): see zcg_reap() */
	/* tmpfs files pinning zombies that nobody has open or mapped: copy each from a helper in
	 * this live cgroup (hierarchy-relative) and swap the copy in (lib/recharge.h). NULL: off,
	 * tmpfs files are never touched. */
	const char *recharge_tmpfs;
};

/* One step of the plan: what is (or, dry run, would be) done for one pin or parent. */
struct zcg_reap_step {
	uint64_t zombie_id;		/* 0 for a protected reclaim, which acts on a parent */
	char *zombie_path;		/* or the parent, for a protected reclaim */
	enum zcg_action action;
	char *file;			/* NULL if none */
	uint64_t bytes;			/* what the step targets */
	bool done;			/* carried out (false in a dry run or when skipped) */
	char *note;			/* what happened, or why not */
};

struct zcg_reap_skip {
	uint64_t id;
	char *path;
	enum zcg_action action;		/* what it would take (explain's verdict) */
	char *reason;
};

struct zcg_reap_result {
	int64_t before_dying, after_dying;		/* -1 unknown */
	int64_t before_pinned, after_pinned;		/* bytes, -1 unknown */
	uint64_t freed;					/* zombies in scope that died */
	uint64_t evicted_bytes;				/* page cache dropped by fadvise */
	uint64_t flushed_bytes;				/* dirty bytes written back first */
	uint64_t reclaimed_bytes;			/* by protected reclaim */
	uint64_t recharged_bytes;			/* tmpfs files copied to recharge_tmpfs */
	unsigned recharged_files;
	unsigned protected_reclaims;
	const char *source;				/* explain's source: "bpf" or "cgroupfs" */
	char *source_note;
	struct zcg_reap_step *steps;
	size_t n_steps;
	struct zcg_reap_skip *skipped;			/* zombies still there afterwards, and why */
	size_t n_skipped;
	int64_t cpu_ns, wall_ns;			/* CPU: helpers' included */
	int64_t helper_cpu_ns;				/* recharge helpers' CPU time */
	bool stopped;					/* cancelled or out of CPU budget before the end */
};

/* Plans (lib/plan.h) and (unless dry_run) carries out the reaping of the zombies in scope,
 * then takes a new census. Returns 0 if every zombie in scope died (or, dry run, none is in
 * scope), 1 if some remain (result->skipped says why), -errno on failure; with
 * only_ids_required, -ENOENT (with detail) if an id names no dying memcg in scope and
 * -EOPNOTSUPP (with detail) without BPF, which names no zombie. *ret_result is filled whenever
 * the return value is >= 0; free it with zcg_reap_result_free(). */
int zcg_reap(const struct zcg_sys *sys, const struct zcg_reap_opts *opts, struct zcg_reap_result *ret_result);
/* Carries out opts on the pins of an explain result the caller took (drain: a live cgroup
 * about to be removed, explained with include_live), without a census before or after:
 * adds steps, evicted and flushed bytes, CPU and wall time to *result (zeroed by the
 * caller first, or from an earlier call). Returns 0 or -errno. */
int zcg_reap_explained(const struct zcg_sys *sys, const struct zcg_reap_opts *opts,
		       const struct zcg_explain *e, struct zcg_reap_result *result);
void zcg_reap_result_free(struct zcg_reap_result *result);

#endif
