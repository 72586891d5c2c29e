/* SPDX-License-Identifier: GPL-2.0 */
/* The loader of bpf/memcg_census.bpf.c: one record per memcg of a memory hierarchy, dying
 * ones included (lib/census_bpf.c turns them into a census). Also what one memcg costs the kernel.
 *
 * Everything here needs a build with libbpf (HAVE_BPF) and a kernel with BTF; without them the
 * functions return -EOPNOTSUPP or another -errno and a reason, and callers fall back to
 * cgroupfs. Nothing here prints: libbpf's own messages are swallowed (kept for the reason
 * strings) unless the environment variable ZCG_DEBUG_BPF is set, which sends them to stderr.
 */
#ifndef ZCG_BPF_CENSUS_H
#define ZCG_BPF_CENSUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../bpf/memcg_census.h"
#include "bpf_common.h"

static inline bool zcg_memcg_rec_dying(const struct zcg_memcg_rec *rec)
{
	return !(rec->css_flags & ZCG_CSS_ONLINE) || (rec->css_flags & ZCG_CSS_DYING);
}

/* Says whether a BPF census can be tried: this build has BPF support and btf_path (normally
 * sysroot + ZCG_BTF_VMLINUX) is a readable file. It does not load anything.
 * Returns 0 if it can be tried; -EOPNOTSUPP without BPF support; -ENOENT or another -errno if
 * the BTF file cannot be read; failures come with a sentence saying why (zcg_strerror(r)). */
int zcg_bpf_available(const char *btf_path);

/* Where zcg_bpf_walk_memcgs() hands its records: record() gets each one, in pre-order, and
 * returns 0 or a -errno that ends the walk with that error; restart() (may be NULL) says the
 * records given so far are void: the walk starts over from the root. */
struct zcg_memcg_sink {
	int (*record)(void *userdata, const struct zcg_memcg_rec *rec);
	void (*restart)(void *userdata);
	void *userdata;
};

/* Loads the census program and walks the memory hierarchy mounted at memory_root_dir
 * (/sys/fs/cgroup/memory on v1, /sys/fs/cgroup on v2; a directory below it walks that
 * subtree only), handing each record to sink as it arrives. Records come in pre-order: a
 * parent before its children, so parent_id always refers to an earlier record, except the
 * first record's, which is the walk's root.
 * Returns 0 on success. Returns -EOPNOTSUPP without BPF support; -ENOENT without kernel BTF;
 * -EPERM without privileges; -ENODEV if the directory's hierarchy has no memory controller;
 * -EIO if the walk stopped early (a kernel read failed); -ENOBUFS if records were dropped;
 * -EAGAIN if the hierarchy changed under the walk too often for it to finish; the -errno
 * record() returned; another -errno if loading or attaching failed (verifier rejection, a
 * kernel without the iterator). Failures come with a sentence saying why (zcg_strerror(r)),
 * except record()'s own, which keep what record() said. Not thread-safe: libbpf's print
 * callback is process-wide. */
int zcg_bpf_walk_memcgs(const char *memory_root_dir, const struct zcg_memcg_sink *sink);

/* What one memcg's own kernel structures cost, from the running kernel's BTF (struct sizes)
 * and the possible CPUs and nodes. What is counted, per memcg:
 *   kmalloc'd, rounded up to the kmalloc size class:
 *     struct mem_cgroup with its nodeinfo[nr_node_ids] pointers,
 *     struct memcg_vmstats (where it is allocated separately),
 *     nr_node_ids * (struct mem_cgroup_per_node + struct lruvec_stats where separate);
 *   per-CPU, times the possible CPUs:
 *     struct memcg_vmstats_percpu, nr_node_ids * struct lruvec_stats_percpu,
 *     struct memcg1_events_percpu and struct css_rstat_cpu where this kernel has them;
 *   the struct cgroup a dying memcg keeps alive (its css holds a reference), with its
 *     per-CPU rstat data and its self css's struct css_rstat_cpu where present, the cgroup's
 *     struct kernfs_node, and, when PSI is on (/proc/pressure exists), its struct psi_group
 *     and per-CPU struct psi_group_cpu.
 * Not counted: shrinker_info (grows with the number of shrinkers), the writeback domain's
 * per-CPU counter, the name string, slab and per-CPU allocator overhead. So it is a floor.
 * Computed once per process (from zcg_bpf_walk_memcgs()'s BTF parse if that came first). */
struct zcg_memcg_overhead {
	uint64_t memcg_bytes;		/* mem_cgroup + vmstats (kmalloc) */
	uint64_t per_node_bytes;	/* all nodes' mem_cgroup_per_node (+ lruvec_stats) */
	uint64_t percpu_bytes;		/* all per-CPU parts times the possible CPUs */
	uint64_t cgroup_bytes;		/* the pinned struct cgroup, its kernfs node, psi, per-CPU */
	uint64_t total_bytes;
	unsigned int possible_cpus;
	unsigned int node_ids;		/* nr_node_ids: highest possible node + 1 */
};

/* Fills *ret with the breakdown above.
 * Returns 0 on success, -EOPNOTSUPP without BPF support or without kernel BTF, -ENOENT if a
 * structure the estimate needs is missing from BTF, another -errno on failure. */
int zcg_memcg_kernel_overhead_detail(struct zcg_memcg_overhead *ret);

/* The total of the above, in bytes.
 * Returns 0 and sets *ret_bytes_per_memcg, or a -errno as for the detailed call. */
int zcg_memcg_kernel_overhead(uint64_t *ret_bytes_per_memcg);

/* For tests and debugging: the index of each enum zcg_vmstat_item in struct memcg_vmstats'
 * state arrays according to the BTF in btf_path (a vmlinux ELF or raw BTF), -1 where unknown.
 * Returns 0 and fills ret_idx, -EOPNOTSUPP without BPF support, or -errno if the BTF cannot
 * be parsed. */
int zcg_bpf_vmstat_indexes(const char *btf_path, int ret_idx[ZCG_VMSTAT_NR]);

/* For tests and debugging: loads the census program into the running kernel with its CO-RE
 * relocations computed against btf_path (NULL: the running kernel's own BTF), then unloads it
 * without running it. With another kernel's BTF this checks that every relocation resolves
 * and that the code left for that kernel passes this kernel's verifier.
 * Returns 0 if it loaded, or a -errno with its sentence as for zcg_bpf_walk_memcgs(). */
int zcg_bpf_try_load(const char *btf_path);

#endif
