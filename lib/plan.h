/* SPDX-License-Identifier: GPL-2.0 */
/* The remedy plan: what can be done for each zombie explain found, decided once.
 *
 * zcg_plan_build() turns an explain result into steps: evict (after writing back) the exact
 * page ranges of one file, recharge one tmpfs file, protected reclaim below one live
 * parent, or leave a pin alone, with the reason. reap carries the steps out (lib/reap.c),
 * explain prints them as the commands that do the same (zcg_plan_commands()), and the
 * daemon's reap step reads the reasons through reap's result. The plan reads only cgroupfs
 * (a live parent's memory.current and its live children's), so it is built the same way
 * from a fixture tree (--sysroot) as on the live system, and needs no root. */
#ifndef ZCG_PLAN_H
#define ZCG_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "explain.h"
#include "sys.h"

/* Protected reclaim below a parent is refused when the parent's own pages (neither its live
 * children's nor its zombies') are above this and above a tenth of what its zombies hold:
 * the reclaim root is never protected, so reclaim would take them too. */
#define ZCG_PLAN_PARENT_OWN_MAX (4u << 20)

enum zcg_plan_op {
	ZCG_PLAN_EVICT,			/* fadvise(DONTNEED) the pin's extents (dirty ones written back first if flush) */
	ZCG_PLAN_RECHARGE,		/* copy a tmpfs file into opts->recharge_tmpfs and swap the copy in */
	ZCG_PLAN_PROTECTED_RECLAIM,	/* v2: memory.reclaim on parent, every live cgroup below protected */
	ZCG_PLAN_LEAVE,			/* nothing is done: reason says why */
	_ZCG_PLAN_OP_MAX,
};

extern const char *const zcg_plan_op_names[_ZCG_PLAN_OP_MAX];

struct zcg_plan_step {
	enum zcg_plan_op op;
	enum zcg_action action;		/* the pin's verdict; protected-reclaim for a parent's step */
	const struct zcg_explained *zombie;	/* borrowed from the explain result; NULL for a parent's step */
	const struct zcg_pin *pin;	/* borrowed; NULL for a parent's step and estimated rows */
	uint64_t zombie_id;		/* 0 for a parent's step and estimated rows */
	const char *path;		/* the zombie's former path, or the parent (borrowed) */
	const char *file;		/* the pin's path, NULL if none (borrowed) */
	uint64_t bytes;			/* what the step targets */
	bool flush;			/* evict: write dirty and writeback extents back first */
	uint64_t reclaim_bytes;		/* protected reclaim: what to ask memory.reclaim for */
	char *reason;			/* ZCG_PLAN_LEAVE: why not (never NULL), else NULL */
};

struct zcg_plan_opts {
	bool no_flush;			/* dirty extents are left, not written back */
	bool no_protected_reclaim;
	const char *recharge_tmpfs;	/* NULL: tmpfs files are left alone */
	/* Only these zombies (cgroup ids, sorted ascending) and the zombies below these live
	 * parents; both NULL: every zombie of the explain result. */
	const uint64_t *only_ids;
	size_t n_only_ids;
	char *const *only_parents;
	size_t n_only_parents;
};

struct zcg_plan {
	struct zcg_plan_step *steps;	/* each selected zombie's pins in order, then one step per parent */
	size_t n_steps;
	const char *kick_parent;	/* v2: the first selected zombie's live parent (borrowed), or NULL */
};

/* Whether opts select zombie z (an estimated row: by its parent). */
bool zcg_plan_selects(const struct zcg_plan_opts *opts, const struct zcg_explained *z);

/* Plans what can be done for the zombies of e (which must outlive the plan: steps borrow
 * from it). Kernel-memory pins get no step (accounting left behind, nothing to act on).
 * Reads the live parents' usage through sys (v2 protected reclaim); what cannot be read
 * becomes a refused step, not an error. Returns 0 and sets *ret, or -ENOMEM. */
int zcg_plan_build(const struct zcg_sys *sys, const struct zcg_explain *e, const struct zcg_plan_opts *opts,
		   struct zcg_plan **ret);
void zcg_plan_free(struct zcg_plan *plan);

/* Whether the plan does anything for zombie z: a step of its own that acts, or a protected
 * reclaim of its parent that does. */
bool zcg_plan_acts_on(const struct zcg_plan *plan, const struct zcg_explained *z);

/* The commands that carry out plan (built with default options from e), for a human: for
 * each of the first shown zombies the plan acts on, `zombiecg reap --id ID` with what it
 * does as a comment; then one '#' comment line per kind of step left alone. Every path is
 * shell-quoted in commands and escaped (esc()) in comments, so no line breaks out of its
 * comment or its quotes. Sets *ret_lines (each without a newline; free with
 * zcg_plan_commands_free()) and *ret_n; returns 0 or -ENOMEM. */
int zcg_plan_commands(const struct zcg_plan *plan, const struct zcg_explain *e, size_t shown, char ***ret_lines,
		      size_t *ret_n);
void zcg_plan_commands_free(char **lines, size_t n);

#endif
