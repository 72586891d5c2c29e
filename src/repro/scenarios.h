/* SPDX-License-Identifier: GPL-2.0 */
/* Making zombies on purpose (tests, benchmarks, demonstrations) and cleaning them up.
 * Every run writes a manifest first and appends to it as it goes, so cleanup finds
 * everything even after a crash. */
#ifndef ZCG_REPRO_H
#define ZCG_REPRO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sys.h"

enum zcg_repro_scenario {
	ZCG_REPRO_PAGECACHE,	/* a process in a fresh memcg writes a file, exits, rmdir */
	ZCG_REPRO_DIRTY,	/* same, removed while its pages are still dirty */
	ZCG_REPRO_TMPFS,	/* the file is on tmpfs: shmem pages */
	ZCG_REPRO_MAPPED,	/* a live process elsewhere maps the zombie's file */
	ZCG_REPRO_SLAB,		/* many small files: dentries, inodes and their pages */
	ZCG_REPRO_SHARED,	/* each zombie reads its own pages of one shared file: clean
				 * page cache, no file or inode per zombie (scale tests) */
	_ZCG_REPRO_MAX,
};

extern const char *const zcg_repro_scenario_names[_ZCG_REPRO_MAX];

/* Returns the scenario for a name, or -EINVAL. */
int zcg_repro_scenario_from_name(const char *name);

struct zcg_repro_opts {
	enum zcg_repro_scenario scenario;
	unsigned count;
	uint64_t size_bytes;	/* per zombie */
	const char *under;	/* hierarchy-relative parent of the repro subtree, "/" if NULL */
	const char *dir;	/* where files go; NULL: /var/tmp, or /dev/shm for tmpfs */
	const char *run_dir;	/* manifests: NULL means $ZCG_RUN_DIR or /run/zombiecg */
};

struct zcg_repro_result {
	char *subtree;		/* hierarchy-relative */
	char *dir;
	char *manifest;
	char **zombies;		/* former paths, hierarchy-relative */
	char **files;		/* one per zombie (a directory for slab; the same file for shared) */
	size_t n;
	pid_t holder;		/* mapped: the process that maps the files, else 0 */
	char *holder_cgroup;
};

/* Makes opts->count zombies. One helper process makes them all: it moves itself from each
 * new memcg to the next and removes the one it left, so a zombie costs a mkdir, two writes
 * to cgroup.procs, an rmdir and its file's I/O, not a process. Returns 0 and sets *ret_result, or -errno with a detail
 * message (whatever was made so far is in the manifest for zcg_repro_cleanup()). */
int zcg_repro_make(const struct zcg_sys *sys, const struct zcg_repro_opts *opts,
		   struct zcg_repro_result **ret_result);
void zcg_repro_result_free(struct zcg_repro_result *result);

struct zcg_repro_cleanup_result {
	unsigned manifests;	/* runs cleaned up */
	unsigned holders_killed;
	unsigned files_removed;
	unsigned cgroups_removed;
	int64_t zombies_left;	/* v2: exact; v1: -1 if charges stayed (zombies likely), else 0 */
};

/* Undoes every repro run whose subtree lies under `under` (NULL: all): kills its holders,
 * removes its files, reclaims what its zombies still hold and removes its cgroups.
 * Returns 0 if nothing was left behind, -EBUSY if zombies or cgroups remain, other -errno. */
int zcg_repro_cleanup(const struct zcg_sys *sys, const char *under, const char *run_dir,
		      struct zcg_repro_cleanup_result *ret_result);

#endif
