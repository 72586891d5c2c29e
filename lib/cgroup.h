/* SPDX-License-Identifier: GPL-2.0 */
/* Acting on cgroups of the memory hierarchy: create, attach, reclaim, remove. Paths are
 * relative to the hierarchy root, as everywhere in the library. */
#ifndef ZCG_CGROUP_H
#define ZCG_CGROUP_H

#include <stdint.h>
#include <sys/types.h>

#include "sys.h"

/* Creates cgroup rel. On v2 it first makes sure the parent hands the memory controller down
 * (+memory in its cgroup.subtree_control), or the child would share the parent's memcg.
 * Returns 0, -EEXIST, or another -errno with a detail message. */
int zcg_cg_create(const struct zcg_sys *sys, const char *rel);

/* v2: enables +memory in rel's cgroup.subtree_control (no-op on v1).
 * Returns 0 or -errno with a detail message. */
int zcg_cg_enable_memory_below(const struct zcg_sys *sys, const char *rel);

/* Moves pid (0: the caller) into cgroup rel. Returns 0 or -errno with a detail message. */
int zcg_cg_attach(const struct zcg_sys *sys, const char *rel, pid_t pid);

/* Page cache, anon and swap bytes charged to rel and everything below it, dying
 * descendants included: v1 memory.usage_in_bytes minus memory.kmem.usage_in_bytes (exact
 * page counters), v2 hierarchical memory.stat. Returns 0 or -errno with detail. */
int zcg_cg_usage(const struct zcg_sys *sys, const char *rel, uint64_t *ret_bytes);

/* Like zcg_cg_usage(), but a small non-zero v2 figure is read again after the kernel's
 * periodic stats flush (2 s), so "nothing left" is not missed for a stale counter. */
int zcg_cg_usage_settled(const struct zcg_sys *sys, const char *rel, uint64_t *ret_bytes);

/* Reclaims everything charged to rel's subtree, dying descendants included: v1
 * memory.force_empty, v2 memory.reclaim in steps. Only for cgroups without tasks that the
 * caller owns. Returns 0 if usage reached zero, -EBUSY if some stayed, other -errno. */
int zcg_cg_reclaim_all(const struct zcg_sys *sys, const char *rel);

struct zcg_budget;

/* Reclaims what is charged below rel like zcg_cg_reclaim_all(), giving up after timeout_s
 * seconds or when four rounds in a row freed nothing, and keeping to budget (may be NULL).
 * Returns 0 if usage reached zero, -EBUSY if some stayed, other -errno. */
int zcg_cg_reclaim(const struct zcg_sys *sys, const char *rel, double timeout_s,
		   struct zcg_budget *budget);

/* Empties every CPU's LRU-add batches (pages just charged wait there, on no LRU list, until
 * a batch fills: neither a walk of the memcg's LRU lists nor reclaim sees them). There is no
 * file for it: move_pages(2) on this process with no pages does it before it looks at any
 * (doc/kernel.md K17). Returns 0 or -errno (ENOSYS without NUMA, EPERM under a seccomp
 * filter); callers go on without it. */
int zcg_lru_drain_all(void);

/* Removes rel (rmdir), retrying briefly while the kernel still reports it busy.
 * Returns 0, or -errno with a detail message. */
int zcg_cg_remove(const struct zcg_sys *sys, const char *rel);

/* v2: makes the kernel look again at the writeback structures of dying memcgs. Inodes a
 * memcg dirtied keep its writeback structure (and so the memcg) alive after rmdir; the kernel
 * moves the clean ones to the parent's only when some memcg goes offline, so this creates and
 * removes an empty cgroup below parent (a live cgroup with memory in its subtree_control),
 * named zombiecg-kick.<pid>. Nothing is charged to it: it dies at once. 0 or -errno. */
int zcg_cg_kick_offline(const struct zcg_sys *sys, const char *parent);

/* v2, for callers that do not know which filesystems a dying memcg wrote to: sync() (clean
 * inodes move to their writeback structure's attached list), then zcg_cg_kick_offline().
 * Nothing on v1 (no cgroup writeback there). Errors are dropped: this only helps. */
void zcg_cg_release_writeback(const struct zcg_sys *sys, const char *parent);

/* v2: dying memcgs below rel from its cgroup.stat. Returns >= 0, or -errno (v1: -EOPNOTSUPP). */
int64_t zcg_cg_dying_below(const struct zcg_sys *sys, const char *rel);

#endif
