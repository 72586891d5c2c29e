/* SPDX-License-Identifier: GPL-2.0 */
/* Protected reclaim (cgroup v2, doc/kernel.md K9): dying memcgs have memory.min reset to 0 at
 * offline, so raising memory.min of every live cgroup below a parent to its current usage
 * and then writing to the parent's memory.reclaim makes the kernel reclaim only the zombies'
 * pages. Mapped pages the zombies hold are unmapped; when live processes touch them again
 * they refault and are charged to their own cgroup, the right owner. */
#ifndef ZCG_PROTECT_H
#define ZCG_PROTECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sys.h"

#define ZCG_PROTECT_JOURNAL "memory-min"

struct zcg_protect_result {
	uint64_t before_bytes;		/* the parent's memory.current before */
	uint64_t after_bytes;		/* ... and after */
	unsigned protected_cgroups;	/* live cgroups whose memory.min was raised (and restored) */
	bool swappiness_arg;		/* the kernel took "swappiness=0": file pages only */
};

/* The memory.min values protected reclaim sets, decided before anything changes: every live
 * cgroup below the parent (not the parent: it is the reclaim root) at its memory.current
 * plus a sixteenth and 1 MiB (usage moves while we work), in pre-order so a parent's value,
 * which bounds its children's, is set first. A cgroup without memory.current (no memcg of its
 * own, or removed meanwhile) is skipped with everything below it. */
struct zcg_protect_setting {
	char *path;		/* its memory.min */
	uint64_t usage;		/* its memory.current when planned */
	uint64_t min;		/* what memory.min is raised to */
};

struct zcg_protect_plan {
	struct zcg_protect_setting *settings;
	size_t n, allocated;
};

/* Reads only cgroupfs (a fixture tree through --sysroot works, no root needed). Returns 0 and
 * fills *ret (free with zcg_protect_plan_free()), or -errno with a detail message. */
int zcg_protect_plan_build(const struct zcg_sys *sys, const char *parent, struct zcg_protect_plan *ret);
void zcg_protect_plan_free(struct zcg_protect_plan *p);

/* Reclaims up to max_bytes below parent (hierarchy-relative; never the root: its own pages
 * belong to everything outside a cgroup) with every live descendant protected, then
 * restores every memory.min it changed. The old values are journaled (see journal.h) before
 * the first change. Returns 0 on success (whatever was freed is in the result), -EOPNOTSUPP
 * on cgroup v1 or without memory.reclaim (before 5.19), -EINTR if a signal arrived during the
 * reclaim (settings restored), other -errno with a detail message (settings restored). */
int zcg_protected_reclaim(const struct zcg_sys *sys, const char *parent, uint64_t max_bytes,
			  struct zcg_protect_result *ret_result);

/* Restores what a crashed run left in the journal. Call at every start as root.
 * Returns what zcg_journal_recover() returns. */
int zcg_protect_recover(size_t *ret_restored);

#endif
