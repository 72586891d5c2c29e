/* SPDX-License-Identifier: GPL-2.0 */
/* Which live processes map or hold open given files: one pass over <proc>/PID/maps
 * (major:minor and inode on every line) and, where asked, over <proc>/PID/fd. */
#ifndef ZCG_HOLDERS_H
#define ZCG_HOLDERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sys.h"

/* A process holding something: pid, its name and its memory cgroup. */
struct zcg_proc {
	int pid;
	int fd;			/* open_by: the descriptor number; -1 for mappings */
	char *comm;
	char *cgroup;		/* memory cgroup, hierarchy-relative ("/a/b"); NULL if unknown */
};

/* One file asked about, identified as /proc shows files (userspace major:minor, inode). */
struct zcg_file_query {
	unsigned major, minor;
	uint64_t ino;
	bool want_open;		/* also look for open descriptors (deleted files, tmpfs) */
	/* results */
	char *path;		/* as maps or the fd link names it, " (deleted)" included */
	struct zcg_proc *mapped_by;
	size_t n_mapped_by;
	struct zcg_proc *open_by;
	size_t n_open_by;
};

/* Fills mapped_by (and open_by where want_open) of every query, and path where a process
 * names the file. proc_dir is "<sysroot>/proc". Processes that vanish or cannot be read
 * are skipped. Returns 0, or -errno (with detail) if proc_dir itself cannot be read. */
int zcg_find_holders(const char *proc_dir, enum zcg_hierarchy hierarchy, struct zcg_file_query *q,
		     size_t n);

void zcg_file_query_clear(struct zcg_file_query *q);
void zcg_proc_clear(struct zcg_proc *p);
int zcg_proc_copy(struct zcg_proc *dst, const struct zcg_proc *src);

/* The memory cgroup in a /proc/PID/cgroup text: the v1 line whose controllers include
 * "memory", or the v2 line "0::". Returns a newly allocated path or NULL. */
char *zcg_memory_cgroup_of(const char *proc_pid_cgroup, enum zcg_hierarchy hierarchy);

/* Parses one /proc/PID/maps line into major, minor, inode and the path (pointing into
 * line, NULL if none). Returns 0, or -EINVAL if the line is malformed. */
int zcg_parse_maps_line(char *line, unsigned *ret_major, unsigned *ret_minor, uint64_t *ret_ino,
			const char **ret_path);

#endif
