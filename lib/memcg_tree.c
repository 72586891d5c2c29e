// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "memcg_tree.h"
#include "util.h"

int zcg_tree_place(const struct zcg_tree *t, uint64_t level, uint64_t parent_id, size_t *ret_depth)
{
	size_t depth;

	if (!t->started) {
		*ret_depth = 0;
		return 0;
	}
	/* Levels are absolute; the walk may start below the hierarchy root. */
	if (level <= t->root_level)
		return -EIO;
	depth = level - t->root_level;
	if (depth > t->depth || t->levels[depth - 1].id != parent_id)
		return -EIO;
	*ret_depth = depth;
	return 0;
}

int zcg_tree_push(struct zcg_tree *t, size_t depth, uint64_t level, uint64_t id, const char *name, bool live)
{
	struct zcg_tree_level *parent, *l;

	while (t->depth > depth)
		zcg_tree_pop(t);
	if (grow_array((void **)&t->levels, &t->allocated, depth + 1, sizeof(*t->levels)) < 0)
		return -ENOMEM;
	parent = depth ? &t->levels[depth - 1] : NULL;
	l = &t->levels[depth];
	*l = (struct zcg_tree_level) {
		.id = id,
		.path = parent ? path_join(parent->path, name) : strdup("/"),
		.live_anc = parent && !live ? parent->live_anc : depth,
	};
	if (!l->path)
		return -ENOMEM;
	t->depth = depth + 1;
	if (!t->started) {
		t->started = true;
		t->root_level = level;
	}
	return 0;
}

const struct zcg_tree_level *zcg_tree_live_parent(const struct zcg_tree *t)
{
	if (t->depth < 2)
		return NULL;
	return &t->levels[t->levels[t->depth - 2].live_anc];
}

void zcg_tree_pop(struct zcg_tree *t)
{
	if (!t->depth)
		return;
	t->depth--;
	free(t->levels[t->depth].path);
	t->levels[t->depth].path = NULL;
}

void zcg_tree_reset(struct zcg_tree *t)
{
	while (t->depth)
		zcg_tree_pop(t);
	free(t->levels);
	*t = (struct zcg_tree) {0};
}
