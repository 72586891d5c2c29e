/* SPDX-License-Identifier: GPL-2.0 */
/* Where the memory controller lives. Every path the library reads is the sysroot prefix
 * plus an absolute path, so the same code runs on the host, in the VM and on fixtures. */
#ifndef ZCG_SYS_H
#define ZCG_SYS_H

#include <stdbool.h>

enum zcg_hierarchy {
	ZCG_HIER_V1 = 1,
	ZCG_HIER_V2 = 2,
};

struct zcg_sys {
	char *sysroot;		/* "" for the live system, else a directory without trailing '/' */
	enum zcg_hierarchy hierarchy;
	char *memory_mount;	/* mount point as the system sees it, e.g. /sys/fs/cgroup/memory */
	char *memory_dir;	/* sysroot + memory_mount: where to open files */
	char *mount_root;	/* the hierarchy path mounted there ("/" unless namespaced) */
};

/* Finds the memory controller in <sysroot>/proc/self/mountinfo: a cgroup v1 mount with the
 * memory option wins (hybrid hosts), else a cgroup2 mount whose cgroup.controllers lists
 * memory. sysroot may be NULL or "" for the live system.
 * Returns 0 and sets *ret_sys, -ENOENT (with a detail message) if no memory controller is
 * mounted, other -errno on failure. */
int zcg_sys_open(const char *sysroot, struct zcg_sys **ret_sys);

/* One line of /proc/PID/mountinfo, split in place; the strings point into the line. */
struct zcg_mountinfo_line {
	unsigned major, minor;
	char *root;		/* the filesystem path mounted there, unescaped */
	char *mount_point;	/* unescaped */
	char *fstype;
	char *superopts;	/* "" if absent */
};

/* Splits line ("id parent maj:min root mountpoint opts [optional...] - fstype source
 * superopts") in place into *ret, undoing mountinfo's \ooo escapes of root and mount point.
 * Returns 0, or -EINVAL with *ret_why (static) saying what is wrong. */
int zcg_mountinfo_parse_line(char *line, struct zcg_mountinfo_line *ret, const char **ret_why);
void zcg_sys_free(struct zcg_sys *sys);

/* sysroot + abs_path, newly allocated, or NULL on allocation failure. */
char *zcg_sys_path(const struct zcg_sys *sys, const char *abs_path);

/* Directory of a cgroup given by its path relative to the hierarchy root ("/" is the root),
 * newly allocated, or NULL on allocation failure. */
char *zcg_cgroup_dir(const struct zcg_sys *sys, const char *rel);

/* Turns a user's cgroup path into one relative to the memory hierarchy root ("/a/b", "/" for
 * the root). Accepts a cgroupfs path (/sys/fs/cgroup/memory/a/b) or a hierarchy-relative one
 * (/a/b or a/b). Returns 0 and sets *ret_rel; -ENOENT if no such cgroup exists, -EXDEV if the
 * path is a directory outside the memory hierarchy, -ENOTDIR if it is not a directory (all
 * with a detail message naming the path). */
int zcg_resolve_cgroup(const struct zcg_sys *sys, const char *user_path, char **ret_rel);

/* Where zombiecg keeps state that must outlive one run (manifests, journals, the release
 * agent's state): $ZCG_RUN_DIR, else /run/zombiecg (below the state root if one is set). */
const char *zcg_run_dir(void);
/* Puts zombiecg's own state (run directory, default configuration and history) below root,
 * for --sysroot: nothing run on a saved tree touches the host's. NULL or "": the host. */
void zcg_set_state_root(const char *root);
/* abs_path (a default state or configuration path) below the state root, newly allocated,
 * or NULL on allocation failure. */
char *zcg_state_path(const char *abs_path);

/* True if the process may use privileged interfaces (BPF, writes to cgroupfs). */
bool zcg_is_root(void);

#endif
