/* SPDX-License-Identifier: GPL-2.0 */
/* Parsers for the kernel's flat keyed files: memory.stat, cgroup.stat, /proc/cgroups. */
#ifndef ZCG_STAT_H
#define ZCG_STAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reads a "key value" per line file. For each keys[i] found, stores the value in values[i]
 * and sets found[i] (found may be NULL). Every line must be a key and a decimal number.
 * Returns 0 on success, -errno if the file cannot be read, -EINVAL with a detail message
 * naming the file and the line if it is malformed. */
int zcg_read_keyed(const char *path, const char *const *keys, size_t n_keys, uint64_t *values,
		   bool *found);

/* Reads the num_cgroups column of the memory row of a /proc/cgroups file.
 * Returns 0 on success, -ENOENT (with detail) if there is no memory row, -EINVAL (with the
 * line named) if the file is malformed, other -errno if it cannot be read. */
int zcg_read_proc_cgroups_memory(const char *path, uint64_t *ret_num_cgroups);

/* Reads a file holding one number (or "max"). Returns 0, -errno, or -EINVAL with detail. */
int zcg_read_u64_file(const char *path, uint64_t *ret);

#endif
