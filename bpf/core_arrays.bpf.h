/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's multi-dimensional arrays as CO-RE sees them, for both BPF programs.
 *
 * pahole up to 1.27 writes them into BTF flattened (lrugen's [gen][type][zone] as one
 * dimension); 1.28+ (Debian's 7.x kernels) keeps every dimension, and CO-RE matches an array
 * only with one of the same depth. The programs use only an array's offset and byte size,
 * which are the same either way: each array gets a flat flavour and one of its real depth,
 * and ZCG_CORE_ARRAY() takes whichever the running kernel's BTF has. */
#ifndef ZCG_CORE_ARRAYS_BPF_H
#define ZCG_CORE_ARRAYS_BPF_H

#include <bpf/bpf_core_read.h>

/* Sets off and size (in bytes) of field from the flavour (flat, then deep) the kernel has;
 * evaluates to false, leaving both alone, if neither has it. */
#define ZCG_CORE_ARRAY(flat, deep, field, off, size) ({					\
	bool __found = true;								\
											\
	if (bpf_core_field_exists(flat, field)) {					\
		(off) = bpf_core_field_offset(flat, field);				\
		(size) = bpf_core_field_size(flat, field);				\
	} else if (bpf_core_field_exists(deep, field)) {				\
		(off) = bpf_core_field_offset(deep, field);				\
		(size) = bpf_core_field_size(deep, field);				\
	} else {									\
		__found = false;							\
	}										\
	__found;									\
})

/* mem_cgroup_per_node->lru_zone_size[zone][lru] */
struct mem_cgroup_per_node___flat {
	unsigned long lru_zone_size[1];
} __attribute__((preserve_access_index));
struct mem_cgroup_per_node___2d {
	unsigned long lru_zone_size[1][1];
} __attribute__((preserve_access_index));

/* Where lru_zone_size is in struct mem_cgroup_per_node, and its size in bytes. Returns false
 * on a kernel without it. */
static __always_inline bool zcg_lru_zone_size(__u32 *ret_off, __u32 *ret_size)
{
	return ZCG_CORE_ARRAY(struct mem_cgroup_per_node___flat, struct mem_cgroup_per_node___2d,
			      lru_zone_size, *ret_off, *ret_size);
}

#endif
