/* SPDX-License-Identifier: GPL-2.0 */
/* The loader of bpf/memcg_folios.bpf.c: every memcg (dying ones included) and the LRU
 * folios of a list of target memcgs, read in bounded runs. Root only; builds without BPF return
 * -EOPNOTSUPP. The records are the program's own (bpf/memcg_folios.h). */
#ifndef ZCG_FOLIO_WALK_H
#define ZCG_FOLIO_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../bpf/memcg_folios.h"

struct zcg_folio_walker;

struct zcg_walk_stats {
	uint64_t restarts;	/* resume points found stale: a list walked again */
	uint64_t strays;	/* lists cut short because they changed under the walk */
	bool complete;		/* every list walked to its end */
};

/* What the folio walk found for one target: its folios are recs[first .. first + n). */
struct zcg_walk_result {
	uint64_t id;
	size_t first, n;
	bool gone;		/* the memcg was freed since the memcg walk: nothing holds it */
	struct zcg_walk_stats stats;
};

/* Loads the program and attaches it to the memory hierarchy mounted at memory_dir (or takes
 * the one the last close kept for that hierarchy).
 * Returns 0 and sets *ret; -EOPNOTSUPP (no BPF in this build, no BTF) or another -errno
 * when BPF cannot run here, with a sentence saying why (zcg_strerror(r)). */
int zcg_folio_walker_open(const char *memory_dir, struct zcg_folio_walker **ret);
/* Ends a use. One walker per process stays loaded for the next open (a daemon explains every
 * interval); it goes with the process. */
void zcg_folio_walker_close(struct zcg_folio_walker *w);

/* Every memcg of the hierarchy in pre-order, root first, dying ones included, each with its
 * css address (the folio walk's target).
 * Returns 0 and sets *ret_recs (newly allocated) and *ret_n, or -errno with detail. */
int zcg_folio_walker_memcgs(struct zcg_folio_walker *w, struct zcg_folio_memcg_rec **ret_recs, size_t *ret_n);

/* The folios on the LRU lists of each target (cgroup id and css address from
 * zcg_folio_walker_memcgs()), one record per folio (a folio may appear twice if its list
 * changed between chunks), grouped by target in the targets' order; results[i] says where
 * targets[i]'s are. The cost is linear in targets + folios: each target is found by its
 * address, checked by the program before use, never searched for.
 * Returns 0 and sets the outputs (newly allocated), or -errno with detail. */
int zcg_folio_walker_folios(struct zcg_folio_walker *w, const struct zcg_walk_target *targets, size_t n_targets,
			    struct zcg_folio_rec **ret_recs, size_t *ret_n, struct zcg_walk_result **ret_results);

/* Steps the program took (memcgs visited, folios, list changes, targets) and runs it made
 * since this walker was opened: what the linearity test checks. */
void zcg_folio_walker_counts(const struct zcg_folio_walker *w, uint64_t *ret_steps, uint64_t *ret_runs);

#endif
