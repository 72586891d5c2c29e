/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* zcg_drain()'s parts apart from acting (lib/drain.c), internal to the library: the plan it
 * follows and how it names what stays. Both read only cgroupfs, so a fixture tree through
 * a sysroot exercises them without root. The public API is include/zombiecg/drain.h. */
#ifndef ZCG_DRAIN_INTERNAL_H
#define ZCG_DRAIN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sys.h"
#include "zombiecg/drain.h"

/* What a drain does, decided before anything changes: which cgroups, in which order, and
 * whether tasks in them refuse it (zcg_drain() refuses when n_tasks > 0, or when self_found
 * without move_self). */
struct zcg_drain_plan {
	char *rel;		/* the cgroup asked for, hierarchy-relative */
	char **cgroups;		/* rel and every cgroup below it, each after all of its descendants
				 * (so rmdir can follow the list) */
	size_t n_cgroups, allocated;
	pid_t *tasks;		/* the pids in their cgroup.procs, this process not counted */
	size_t n_tasks, tasks_allocated;
	bool self_found;	/* this process is in one of them */
};

/* Plans the drain of path (as zcg_drain() takes it). Returns 0 and fills *ret (free with
 * zcg_drain_plan_free()); -EINVAL for the root of the hierarchy, or what resolving path or
 * reading the tree returned, each with a detail message. */
int zcg_drain_plan_build(const struct zcg_sys *sys, const char *path, struct zcg_drain_plan *ret);
void zcg_drain_plan_free(struct zcg_drain_plan *p);

/* What stayed in a drained cgroup without BPF, by kind (shmem, mapped, dirty, anon, file,
 * swap), from its memory.stat: appends one pin per kind that holds bytes, with its reason, to
 * cg->pins (cg->path names the cgroup). Returns 0 or -errno. */
int zcg_drain_describe_remaining(const struct zcg_sys *sys, struct zcg_drain_cgroup *cg);

#endif
