/* SPDX-License-Identifier: GPL-2.0 */
/* Recharging a tmpfs file to a live cgroup: the "charge shared memory to a live group" idea
 * from the LSFMM report (seeds), done from userspace without changing a byte.
 *
 * tmpfs pages stay charged to the memcg that first touched them, and eviction cannot drop
 * them: a tmpfs file written by a since-removed cgroup pins it for as long as the file
 * exists. A helper process that first joins the live target cgroup copies the file to a
 * new inode in the same directory (data, holes, owner, mode, xattrs, flags, times), checks
 * the copy byte for byte, and swaps it in under the original's name. The old inode, and
 * with it the zombie's last pages, goes when the helper closes it.
 *
 * Only a file that nobody else has open or mapped is copied, and a write lease on the
 * original makes any open that starts during the copy visible: the helper then backs off,
 * leaving the original as it was. */
#ifndef ZCG_RECHARGE_H
#define ZCG_RECHARGE_H

#include <stdbool.h>
#include <stdint.h>

#include "sys.h"

/* Whether cgroup rel (hierarchy-relative, as zcg_resolve_cgroup() gives it) can take
 * recharged pages: a live cgroup below the root with a memcg of its own (v2: the memory
 * controller enabled for it) that a process may join (v2: no controllers enabled for its
 * children). Returns 0, or -EINVAL / -errno with a detail message naming the cgroup. */
int zcg_recharge_target_check(const struct zcg_sys *sys, const char *rel);

/* The file to recharge, as explain found it. */
struct zcg_recharge_file {
	const char *path;		/* absolute, as the system sees it */
	unsigned dev_major, dev_minor;	/* the inode the path must still name */
	uint64_t ino;
};

struct zcg_recharge_result {
	bool done;			/* the copy replaced the original */
	uint64_t bytes;			/* the file's size (done) */
	int64_t cpu_ns;			/* the helper's CPU time, user and system */
	char note[512];			/* what happened, or why the file was left alone */
};

/* Recharges one tmpfs file to live cgroup target (hierarchy-relative; check it first with
 * zcg_recharge_target_check()). The work is done by a forked helper that joins target; the
 * caller waits for it. Files that are open or mapped by any process, deleted, hard-linked,
 * not regular, immutable or append-only, or no longer at their path are left alone, as is
 * the file whenever something changes during the copy. The original is changed only by the
 * final swap, after the copy has been verified.
 * Returns 0 with *ret filled in (ret->done says whether it was recharged, ret->note why
 * not), or -ENOMEM. */
int zcg_recharge_tmpfs_file(const struct zcg_sys *sys, const char *target, const struct zcg_recharge_file *f,
			    struct zcg_recharge_result *ret);

#endif
