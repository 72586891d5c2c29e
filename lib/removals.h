/* SPDX-License-Identifier: GPL-2.0 */
/* Exact deaths: the removals (rmdir) of memory cgroups as the cgroup_rmdir tracepoint
 * recorded them (bpf/cgroup_events.bpf.c, loaded by lib/bpf_events.c): when, by which
 * process, the cgroup's id and full path. The daemon keeps the records of removals that left
 * a zombie, matched to the census's zombies by cgroup id (the kernfs id both record), in a
 * small state file (ZCG_REMOVALS_STATE_FILE in the run directory) that `zombiecg origins`
 * reads and a restart reloads. This part is pure: records in, records out. */
#ifndef ZCG_REMOVALS_H
#define ZCG_REMOVALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "census.h"

#define ZCG_REMOVAL_COMM_LEN 16

struct zcg_removal {
	uint64_t id;			/* cgroup id (kernfs node id, the census's zcg_zombie.id) */
	uint64_t removed_ns;		/* unix time of the rmdir, ns */
	uint64_t created_ns;		/* unix time of its mkdir, ns; 0 if not seen */
	int64_t pid;			/* the removing process */
	char comm[ZCG_REMOVAL_COMM_LEN];	/* its comm */
	char *path;			/* hierarchy-relative path at removal ("/a/b") */
	bool path_cut;			/* the tracepoint's buffer was full: path may be cut */
	bool zombie;			/* a census has seen it dying */
};

/* Records kept at most: past it the oldest are dropped (their zombies fall back to
 * first-seen ages). */
#define ZCG_REMOVALS_MAX 16384

struct zcg_removals {
	struct zcg_removal *r;
	size_t n, cap;
	bool sorted;			/* r is sorted by id (zcg_removals_find() needs it) */
	bool tracing;			/* the tracepoint is attached (what the state file says) */
	char *note;			/* why it is not, NULL if it is or nobody said */
	uint64_t dropped;		/* records given up on for room */
};

/* Returns a new, empty set, or NULL on allocation failure. */
struct zcg_removals *zcg_removals_new(void);
void zcg_removals_free(struct zcg_removals *rm);

/* Adds one record, not yet seen as a zombie (path copied, "" made "/"). Returns 0 or -ENOMEM. */
int zcg_removals_add(struct zcg_removals *rm, const struct zcg_removal *r);

/* Matches the records against a census that names its zombies (BPF): a record whose cgroup is
 * one of the census's zombies is kept, and on its first match handed to new_zombie (may be
 * NULL: that removal left a zombie); the others are dropped (their memcg was freed, or was
 * no memcg). A census that cannot name zombies keeps every record. Then keeps the newest
 * ZCG_REMOVALS_MAX. Returns the number of first matches, or -ENOMEM. */
int zcg_removals_reconcile(struct zcg_removals *rm, const struct zcg_census *c,
			   void (*new_zombie)(void *userdata, const struct zcg_removal *r), void *userdata);

/* The record of cgroup id, or NULL. */
const struct zcg_removal *zcg_removals_find(struct zcg_removals *rm, uint64_t id);

/* Writes the state file at path atomically (path.tmp, then rename): a line
 * "zombiecg-removals 1 tracepoint" or "zombiecg-removals 1 first-seen\tNOTE", then one line per
 * record: id, removed_ns, created_ns, pid, flags ("z" seen dying, "c" path cut, "-" none),
 * comm, path, tab-separated, comm and path escaped (zcg_tsv_escape()). Returns 0 or -errno
 * with detail. */
int zcg_removals_write(const struct zcg_removals *rm, const char *path);

/* Reads such a file. Returns 0 and sets *ret; -ENOENT without one; -EBADMSG (with detail) if
 * it is not one; -ENOMEM. */
int zcg_removals_read(const char *path, struct zcg_removals **ret);

/* Tab-separated state files: backslash, tab and newline escaped so one line holds one field
 * set. zcg_tsv_unescape() undoes it in place. */
void zcg_tsv_escape(FILE *f, const char *s);
void zcg_tsv_unescape(char *s);

#define ZCG_REMOVALS_STATE_FILE "removals"

#endif
