/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libzombiecg: drain a memory cgroup, then remove it, so that it never becomes a dying
 * ("zombie") memcg. For batch schedulers, CI runners and node managers written in C:
 *
 *	struct zcg_drain_opts opts = { .timeout_s = 10 };
 *	struct zcg_drain_result res;
 *	int r = zcg_drain("/sys/fs/cgroup/memory/jobs/42", &opts, &res);
 *	if (r < 0)
 *		fprintf(stderr, "drain: %s\n", zcg_drain_strerror(r));
 *	else if (r > 0)
 *		... res.cgroups[i].pins say what is left and why ...
 *	zcg_drain_result_free(&res);
 *
 * Link with -lzombiecg (static: build/libzombiecg.a, installed as libzombiecg.a) and
 * -lsmartcols -lbpf -lelf -lz where BPF is built in. Needs root (CAP_SYS_ADMIN).
 */
#ifndef ZOMBIECG_DRAIN_H
#define ZOMBIECG_DRAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct zcg_drain_opts {
	double timeout_s;	/* for the whole call; 0 means 30 seconds */
	double max_cpu_pct;	/* CPU budget in percent of one CPU; 0 means no limit */
	bool keep;		/* drain, but do not remove the cgroups */
	bool move_self;		/* the caller may be in the cgroup (systemd ExecStopPost): move it
				 * to the hierarchy root first instead of refusing */
	const char *sysroot;	/* NULL for the running system */
	bool no_bpf;		/* never use BPF: what reclaim leaves is neither evicted nor
				 * named by file, only counted by kind from memory.stat */
};

/* Something that stayed charged to a cgroup after draining, and why. */
struct zcg_drain_pin {
	const char *kind;	/* "file", "shmem", "mapped", "dirty", "anon", "swap", "other" */
	char *path;		/* the file, or NULL where it cannot be known */
	uint64_t bytes;
	char *holder;		/* e.g. "pid 123 (cat) in /a/b", NULL if none known */
	char *reason;		/* what would free it */
};

struct zcg_drain_cgroup {
	char *path;		/* relative to the memory hierarchy's root */
	uint64_t before_bytes;	/* page cache + anon + swap charged before */
	uint64_t after_bytes;	/* ... and after draining */
	uint64_t evicted_bytes;	/* of after_bytes' page cache, what reclaim left and fadvise
				 * dropped (file ranges charged to this cgroup only; BPF) */
	bool removed;
	bool left_zombie;	/* removed, but something was still charged to it */
	struct zcg_drain_pin *pins;	/* the remaining pins */
	size_t n_pins;
};

struct zcg_drain_result {
	struct zcg_drain_cgroup *cgroups;	/* deepest first, the cgroup asked for last */
	size_t n_cgroups;
	pid_t *tasks;		/* when refused because of tasks: their pids */
	size_t n_tasks;
	double cpu_seconds;
	double wall_seconds;
};

/* Drains the cgroup at path (a cgroupfs path such as /sys/fs/cgroup/memory/a/b, or one
 * relative to the memory hierarchy's root such as /a/b) and all its descendants, deepest
 * first: dirty data is written back, then the memcg reclaims its own pages (v1
 * memory.force_empty, v2 memory.reclaim in steps), then (with BPF) the page cache reclaim
 * left is evicted by exact file ranges with fadvise, and each cgroup is removed unless
 * opts->keep. It never touches memory charged to other cgroups. What stays is named by
 * file and holder (with BPF) or counted by kind from memory.stat (without).
 * Returns 0 if every cgroup was removed without leaving a zombie (opts->keep: emptied), 1 if
 * one left a zombie (opts->keep: memory stayed; result says what and why), -EBUSY if a cgroup still has tasks (nothing was
 * changed; result->tasks lists them), other -errno on failure. *ret_result is filled in all
 * cases and must be freed with zcg_drain_result_free(). */
int zcg_drain(const char *path, const struct zcg_drain_opts *opts, struct zcg_drain_result *ret_result);

void zcg_drain_result_free(struct zcg_drain_result *result);

/* A sentence describing the last failure of this thread (names the file or cgroup),
 * or strerror(-r) if there is none. */
const char *zcg_drain_strerror(int r);

#endif
