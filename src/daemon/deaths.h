/* SPDX-License-Identifier: GPL-2.0 */
/* The daemon's removal records: the cgroup_rmdir tracepoint programs (lib/bpf_events.h)
 * drained before each census, the records matched to that census's zombies (lib/removals.h)
 * and kept in the run directory's removals file across restarts, and the removals that left a
 * zombie counted per origin for zombiecg_zombies_created_total. Where the tracepoint cannot be
 * attached the daemon says why once and ages stay first-seen. */
#ifndef ZCG_DAEMON_DEATHS_H
#define ZCG_DAEMON_DEATHS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf_events.h"
#include "census.h"
#include "metrics.h"
#include "removals.h"
#include "sys.h"

struct daemon_removals {
	struct zcg_removals *rm;		/* never NULL after a successful start */
	struct zcg_cgroup_events *ev;		/* NULL: not tracing */
	char *state_path;
	struct zcg_metrics_created *created;	/* own series first, "other" last when used */
	size_t n_created, cap_created;
	size_t top;				/* own series at most */
	uint64_t other;				/* created zombies of the origins past top */
	bool failing;
	bool written;				/* the state file was written once */
};

/* Reloads the records the last run kept, then, with trace, attaches the tracepoint programs
 * (logging once why not). Returns 0 or -ENOMEM. */
int daemon_removals_start(struct daemon_removals *dr, const struct zcg_sys *sys, bool trace, size_t top);

/* Before a census: takes in what the programs recorded. */
void daemon_removals_drain(struct daemon_removals *dr);

/* After a census: keeps the records of its zombies, counts the removals that left one, and
 * writes the state file. */
void daemon_removals_reconcile(struct daemon_removals *dr, const struct zcg_census *c);

/* When the zombie with cgroup ID id died, as CLOCK_MONOTONIC ms (the daemon's ages' clock):
 * from its removal record, matched as reconcile keeps them. Returns true and sets *ret_ms, or
 * false without a record. A zcg_ages_died_fn; dr is the daemon_removals. */
bool daemon_removals_died_ms(void *dr, uint64_t id, uint64_t *ret_ms);

/* Fills m's removal_tracing and created series (valid until the next reconcile). */
void daemon_removals_metrics(const struct daemon_removals *dr, struct zcg_metrics *m);

void daemon_removals_stop(struct daemon_removals *dr);

#endif
