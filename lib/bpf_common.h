/* SPDX-License-Identifier: GPL-2.0 */
/* What both BPF loaders need (lib/bpf_census.c for bpf/memcg_census.bpf.c, lib/bpf_folios.c
 * for bpf/memcg_folios.bpf.c): libbpf's messages, the kernel's BTF and what it says about the
 * kernel, the possible NUMA nodes, and running an iterator on a cgroup. Internal to the
 * library. Builds without BPF get the same functions, answering "not here". */
#ifndef ZCG_BPF_COMMON_H
#define ZCG_BPF_COMMON_H

#include <stdbool.h>

/* Where the running kernel exposes its BTF. Callers with a sysroot prefix it. */
#define ZCG_BTF_VMLINUX "/sys/kernel/btf/vmlinux"

/* Parses a kernel ID list such as "0-3,8,10-11" (/sys/devices/system/cpu/possible).
 * Returns 0 and sets *ret_count (how many IDs) and *ret_last (the highest), or -EINVAL. */
int zcg_parse_id_list(const char *s, unsigned int *ret_count, unsigned int *ret_last);

/* nr_node_ids: the highest possible NUMA node + 1 (/sys/devices/system/node/possible); 1 on
 * kernels built without NUMA or if the file cannot be read. */
unsigned int zcg_bpf_node_ids(void);

/* The kernel moves a memcg's LRU folios to its parent at offline (the "Eliminate Dying Memory
 * Cgroup" series, seen in Debian's 7.2: BTF has lru_reparent_memcg()): page cache, tmpfs and
 * anon pages then no longer hold a removed memcg. Looked up once; false without BPF support
 * or without kernel BTF. */
bool zcg_kernel_reparents_lru(void);

/* The kernel has the BPF cgroup iterator (iter/cgroup, 6.1+; BTF has struct
 * bpf_iter__cgroup). Looked up once; false without BPF support or kernel BTF. */
bool zcg_kernel_has_cgroup_iter(void);

#ifdef HAVE_BPF
#include <bpf/btf.h>
#include <bpf/libbpf.h>

/* Starts capturing libbpf's messages (its print hook is process-wide): silent unless the
 * environment has ZCG_DEBUG_BPF (then everything goes to stderr), but the verifier's last
 * line and the first warning are kept to explain a failure. Call before each open/load. */
void zcg_bpf_messages_reset(void);

/* What libbpf said since the last reset that best explains a failure: the verifier's last
 * line before "-- END PROG LOAD LOG --" if it printed a log, else its first warning, else "". */
const char *zcg_bpf_message(void);

/* Whether the verifier printed a log since the last reset (a rejection, not a missing type). */
bool zcg_bpf_verifier_spoke(void);

/* The running kernel's BTF, or NULL with errno set. */
struct btf *zcg_bpf_kernel_btf(void);

static inline void zcg_btf_freep(struct btf **btf)
{
	btf__free(*btf);
}

/* Attaches an iter/cgroup program to the cgroup open at cgroup_fd, run for that cgroup only
 * (BPF_CGROUP_ITER_SELF_ONLY: the program walks the tree itself).
 * Returns the link, or NULL with errno set. */
struct bpf_link *zcg_bpf_attach_cgroup_iter(struct bpf_program *prog, int cgroup_fd);

/* One run of an iterator program: a fresh iterator instance read to its end (the programs
 * write nothing to it; reading runs them). Returns 0 or -errno. */
int zcg_bpf_iter_run(struct bpf_link *link);
#endif

#endif
