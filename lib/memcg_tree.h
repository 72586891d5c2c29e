/* SPDX-License-Identifier: GPL-2.0 */
/* The memcg tree as a BPF walk gives it: records in pre-order, each with its cgroup id, its
 * parent's and its level. One record at a time, this keeps the levels of the current path (the
 * walk never needs the whole tree): each memcg's path below the walk's root and its nearest
 * live ancestor. The BPF census (lib/census_bpf.c) and explain's BPF source (lib/explain.c)
 * both read their walks through it. */
#ifndef ZCG_MEMCG_TREE_H
#define ZCG_MEMCG_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct zcg_tree_level {
	uint64_t id;		/* cgroup id */
	char *path;		/* "/" for the walk's root; the last component is the name */
	size_t live_anc;	/* depth of the nearest live ancestor, its own if live */
};

struct zcg_tree {
	struct zcg_tree_level *levels;	/* levels[d]: the memcg at depth d below the root */
	size_t depth;			/* levels on the stack */
	size_t allocated;
	uint64_t root_level;		/* the first record's (absolute) level */
	bool started;
};

/* Where the next record goes: *ret_depth, its depth below the walk's root (0 for the first
 * record). The caller then pops the levels at that depth and below (their subtrees are
 * complete) and pushes it.
 * Returns 0, or -EIO if it cannot follow the records before in a pre-order walk (a level not
 * below the first record's, more than one below the current path, or another parent). */
int zcg_tree_place(const struct zcg_tree *t, uint64_t level, uint64_t parent_id, size_t *ret_depth);

/* Pushes the record zcg_tree_place() put at depth (what is still at that depth or below is
 * popped first): its path is its parent's joined with name ("/" at depth 0). level is the
 * record's absolute level. Returns 0 or -ENOMEM. */
int zcg_tree_push(struct zcg_tree *t, size_t depth, uint64_t level, uint64_t id, const char *name, bool live);

/* The nearest live ancestor of the top level (not the level itself), NULL at depth 0. */
const struct zcg_tree_level *zcg_tree_live_parent(const struct zcg_tree *t);

/* Pops the top level, freeing its path unless the caller took it. */
void zcg_tree_pop(struct zcg_tree *t);

/* Frees every level; t may then take a walk from its start again. */
void zcg_tree_reset(struct zcg_tree *t);

#endif
