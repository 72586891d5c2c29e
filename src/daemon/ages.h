/* SPDX-License-Identifier: GPL-2.0 */
/* How long zombies have been seen, so the daemon never acts on young ones. A BPF census
 * names every zombie: each is tracked by its cgroup ID. A cgroupfs census only says how
 * many zombies (v2) or how many bytes (v1) sit below each live parent: those are tracked as
 * cohorts, one per increase, with the time it was first seen. When the amount shrinks, the
 * oldest cohorts are taken off first: which zombie died is unknown, and assuming the old
 * ones did errs towards waiting longer, never towards acting early. A named zombie whose
 * removal was recorded (the cgroup_rmdir tracepoint, src/daemon/deaths.h) is as old as its
 * removal; the others' ages start at the census that first saw them: a restart starts their
 * grace periods afresh. */
#ifndef ZCG_AGES_H
#define ZCG_AGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "census.h"

struct zcg_ages;

/* What is past its grace period: one named zombie, or a share of a parent's zombies. */
struct zcg_age_target {
	const char *parent;	/* nearest live ancestor, hierarchy-relative; owned by the tracker */
	uint64_t zombie_id;	/* cgroup ID of a named zombie (BPF); 0: the parent's zombies as a group */
	int64_t old_count;	/* zombies past the grace period, -1 if only bytes are known (v1) */
	int64_t old_bytes;	/* bytes past the grace period where tracked by bytes, else -1 */
	int64_t total;		/* all it tracks: zombies, or bytes where old_count is -1 */
	uint64_t first_seen_ms;	/* when the oldest of them died (its removal) or was first seen */
};

/* Returns 0 and sets *ret, or -ENOMEM. */
int zcg_ages_new(struct zcg_ages **ret);
void zcg_ages_free(struct zcg_ages *a);

/* When the zombie with cgroup ID id died, on the tracker's clock: returns true and sets
 * *ret_ms, or false if unknown. */
typedef bool (*zcg_ages_died_fn)(void *userdata, uint64_t id, uint64_t *ret_ms);

/* Folds a census taken at now_ms (a monotonic clock) in; what the census no longer shows is
 * forgotten. A named zombie is dated by died (may be NULL) where it knows, never later than
 * now_ms; else from now_ms when first seen. Returns 0 or -ENOMEM (the tracker is then
 * unchanged). */
int zcg_ages_update(struct zcg_ages *a, const struct zcg_census *c, uint64_t now_ms,
		    zcg_ages_died_fn died, void *userdata);

/* Lists what has been seen for at least grace_ms at now_ms. Returns 0 and sets *ret (newly
 * allocated array; its parent strings stay valid until the next update) and *ret_n, or
 * -ENOMEM. */
int zcg_ages_eligible(const struct zcg_ages *a, uint64_t now_ms, uint64_t grace_ms,
		      struct zcg_age_target **ret, size_t *ret_n);

/* Sums a target list: zombies (-1 if some are only known as bytes) and distinct parents. */
void zcg_ages_summarize(const struct zcg_age_target *t, size_t n, int64_t *ret_memcgs,
			int64_t *ret_parents);

/* Entries tracked (named zombies plus parents). */
size_t zcg_ages_tracked(const struct zcg_ages *a);

#endif
