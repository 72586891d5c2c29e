/* SPDX-License-Identifier: GPL-2.0 */
/* What the running kernel does that changes what pins a removed memcg (implemented in
 * lib/bpf_census.c, from kernel BTF). */
#ifndef ZCG_KERNEL_FACTS_H
#define ZCG_KERNEL_FACTS_H

#include <stdbool.h>

/* The kernel moves a memcg's LRU folios to its parent at offline (the "Eliminate Dying Memory
 * Cgroup" series, seen in Debian's 7.2: BTF has lru_reparent_memcg()): page cache, tmpfs and
 * anon pages then no longer hold a removed memcg. Looked up once; false without BPF support
 * or without kernel BTF. */
bool zcg_kernel_reparents_lru(void);

/* The kernel has the BPF cgroup iterator (iter/cgroup, 6.1+; BTF has struct
 * bpf_iter__cgroup). Looked up once; false without BPF support or kernel BTF. */
bool zcg_kernel_has_cgroup_iter(void);

#endif
