/* SPDX-License-Identifier: GPL-2.0 */
/* A census of the memory hierarchy: how many memcgs are live, how many are dying, where the
 * dying ones are and what they pin. Two sources fill the same structure: cgroupfs (anyone,
 * an estimate) and BPF (root, exact, one row per zombie). */
#ifndef ZCG_CENSUS_H
#define ZCG_CENSUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sys.h"

/* What pinned bytes are made of, in v1 memory.stat terms (v2 names in comments). */
enum zcg_kind {
	ZCG_KIND_CACHE,		/* file */
	ZCG_KIND_RSS,		/* anon */
	ZCG_KIND_SHMEM,		/* shmem */
	ZCG_KIND_MAPPED_FILE,	/* file_mapped */
	ZCG_KIND_DIRTY,		/* file_dirty */
	ZCG_KIND_WRITEBACK,	/* file_writeback */
	ZCG_KIND_SWAP,		/* memory.swap.current */
	_ZCG_KIND_MAX,
};

extern const char *const zcg_kind_names[_ZCG_KIND_MAX];

/* The largest memcg ID: IDs are 16 bits (doc/kernel.md K10). */
#define ZCG_MEMCG_IDS_MAX 65535

/* A live cgroup that is the nearest live ancestor of one or more zombies. */
struct zcg_subtree {
	char *path;			/* relative to the hierarchy root, "/" for the root */
	int64_t dying;			/* zombies directly below it, -1 if unknown (v1 cgroupfs) */
	int64_t pinned_bytes;		/* cache + rss + swap held by those zombies */
	int64_t kind_bytes[_ZCG_KIND_MAX];
};

/* One zombie (BPF) or, where the source cannot name them, one live parent standing for the
 * zombies below it (estimated). Byte counts are -1 where unknown. */
struct zcg_zombie {
	uint64_t id;			/* cgroup inode number (kn->id), 0 if unknown */
	char *name;			/* NULL for estimated rows */
	char *path;			/* former path; the parent's path for estimated rows */
	char *parent;			/* nearest live ancestor */
	int64_t memcg_id;		/* 0 once released at offline, -1 if unknown */
	int64_t usage_bytes;
	int64_t file_bytes;
	int64_t anon_bytes;
	int64_t shmem_bytes;
	int64_t swap_bytes;
	int64_t kmem_bytes;
	int64_t count;			/* zombies this row stands for, -1 if unknown */
	bool estimated;
};

struct zcg_census {
	enum zcg_hierarchy hierarchy;
	char *memory_root;		/* mount point of the memory hierarchy */
	char *scope;			/* the subtree counted, "/" for all */
	const char *source;		/* "bpf" or "cgroupfs" */
	char *source_note;		/* why this source was used, NULL if it was the first choice */
	const char *dying_counter;	/* what `dying` was counted from */
	uint64_t live;			/* live memcgs in scope */
	int64_t dying;			/* dying memcgs in scope, -1 if unknown */
	int64_t pinned_bytes;		/* -1 if unknown */
	const char *pinned_accuracy;	/* "exact", "estimate" or "upper_bound" */
	int64_t kind_bytes[_ZCG_KIND_MAX];
	int64_t memcg_ids_used;		/* host-wide */
	bool memcg_ids_exact;		/* false: an upper bound (live + dying) */
	int64_t kernel_overhead_bytes;	/* -1 if unknown */
	struct zcg_subtree *subtrees;	/* sorted by pinned bytes, largest first */
	size_t n_subtrees;
	struct zcg_zombie *zombies;
	size_t n_zombies;
};

struct zcg_census_opts {
	const char *scope;		/* hierarchy-relative path, NULL or "/" for all */
	bool no_bpf;			/* use the cgroupfs source even if BPF works */
};

/* Counts from cgroupfs alone: v1 by /proc/cgroups minus live directories and the memory.stat
 * subtraction of doc/kernel.md K3; v2 by cgroup.stat dying counters and memory.stat upper bounds.
 * Returns 0 and sets *ret_census, or -errno (with a detail message) on failure. */
int zcg_census_cgroupfs(const struct zcg_sys *sys, const char *scope, struct zcg_census **ret_census);

/* Why BPF cannot be tried here (a newly allocated sentence): no_bpf, a sysroot (BPF reads
 * only the running kernel) or not root (also_needs, if not NULL, names what else root
 * brings). NULL if it can be tried, or out of memory (lib/census_take.c). */
char *zcg_bpf_not_here(const struct zcg_sys *sys, bool no_bpf, const char *also_needs);

/* Takes a census from the best source available: BPF unless opts->no_bpf or it cannot run,
 * then cgroupfs, recording in source_note why BPF was not used.
 * Returns 0 and sets *ret_census, or -errno (with a detail message) on failure. */
int zcg_census_take(const struct zcg_sys *sys, const struct zcg_census_opts *opts,
		    struct zcg_census **ret_census);

void zcg_census_free(struct zcg_census *census);

/* Sorts census->subtrees by pinned bytes, largest first, then by dying, then by path. */
void zcg_census_sort_subtrees(struct zcg_census *census);

/* Whether the census names a zombie with this cgroup id (never an estimated row). */
bool zcg_census_has_zombie(const struct zcg_census *census, uint64_t id);



/* The BPF source (lib/census_bpf.c). Returns 0 and sets *ret_census; -EOPNOTSUPP or another
 * -errno when BPF cannot run here, with a sentence saying why (zcg_strerror(r)). */
int zcg_census_bpf(const struct zcg_sys *sys, const char *scope, struct zcg_census **ret_census);

struct zcg_memcg_rec;

/* The pure half of the BPF source: turns the census program's records (pre-order, the
 * hierarchy root first; see lib/bpf_census.h) into a census of scope. overhead_per_memcg is
 * zcg_memcg_kernel_overhead()'s answer, or -1 if unknown. Zombie rows and subtrees come
 * sorted by pinned bytes, largest first.
 * Returns 0 and sets *ret_census; -EIO if the records are not a pre-order walk (a parent_id
 * that does not name the record's parent), -ENOMEM. */
int zcg_census_from_memcg_recs(const struct zcg_sys *sys, const char *scope, const struct zcg_memcg_rec *recs,
			       size_t n, uint64_t page_size, int64_t overhead_per_memcg,
			       struct zcg_census **ret_census);
#endif
