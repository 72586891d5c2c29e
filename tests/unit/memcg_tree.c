// SPDX-License-Identifier: GPL-2.0
/* The pre-order walk both BPF sources read their memcgs through (lib/memcg_tree.c). */
#include <errno.h>

#include "memcg_tree.h"
#include "tap.h"

static int add(struct zcg_tree *t, uint64_t level, uint64_t id, uint64_t parent_id, const char *name, bool live)
{
	size_t depth;
	int r = zcg_tree_place(t, level, parent_id, &depth);

	return r < 0 ? r : zcg_tree_push(t, depth, level, id, name, live);
}

int main(void)
{
	struct zcg_tree t = {0};
	const struct zcg_tree_level *lp;

	/* a walk that starts below the hierarchy root (level 2): /, a (dying), a/b (dying), c */
	is_int(add(&t, 2, 10, 1, "", true), 0, "the first record is the walk's root, whatever its level");
	is_str(t.levels[0].path, "/", "its path is /");
	ok(!zcg_tree_live_parent(&t), "the root has no live parent");
	is_int(add(&t, 3, 11, 10, "a", false), 0, "a child");
	is_int(add(&t, 4, 12, 11, "b", false), 0, "a grandchild");
	is_str(t.levels[2].path, "/a/b", "its path joins its ancestors' names");
	lp = zcg_tree_live_parent(&t);
	ok(lp && lp->id == 10, "a dying memcg below a dying one: its live parent is the nearest live ancestor");
	is_int(add(&t, 3, 13, 10, "c", true), 0, "a sibling of a pops a's subtree");
	is_int((int)t.depth, 2, "two levels on the stack");
	is_str(t.levels[1].path, "/c", "the sibling's path");

	is_int(add(&t, 2, 14, 1, "x", true), -EIO, "a level not below the root's: not pre-order");
	is_int(add(&t, 5, 15, 13, "y", true), -EIO, "two levels below the current path: not pre-order");
	is_int(add(&t, 4, 16, 99, "z", true), -EIO, "another parent than the level above: not pre-order");
	is_int((int)t.depth, 2, "a refused record changes nothing");
	zcg_tree_reset(&t);
	is_int((int)t.depth, 0, "reset empties it");
	is_int(add(&t, 0, 1, 0, "", true), 0, "and it takes a walk from its start again");
	zcg_tree_reset(&t);
	return done_testing();
}
