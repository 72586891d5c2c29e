/* SPDX-License-Identifier: GPL-2.0 */
/* Fallback for build hosts without /sys/kernel/btf/vmlinux (the Makefile prefers a dump of
 * the running kernel's BTF). It is deliberately small: memcg_census describes every kernel
 * structure it reads with its own "___zcg" CO-RE flavours and needs only the basic types, the
 * iterator context and the enums that CO-RE relocates by name. memcg_folios uses the kernel's
 * own type names, so below those come with exactly the members it reads (and its "___compat"
 * flavours for what moved between versions stay in the program). CO-RE matches members by
 * name, wherever the kernel nests them in anonymous structs and unions, so the layouts here
 * are flat and their offsets meaningless; arrays that pahole flattens in kernel BTF (e.g.
 * lru_zone_size[zone][lru]) are declared flat too, as libbpf only matches them that way.
 * Enum values below are only defaults; bpf_core_enum_value() replaces them at load time.
 */
#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

typedef signed char __s8;
typedef unsigned char __u8;
typedef short __s16;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __s8 s8;
typedef __u8 u8;
typedef __s16 s16;
typedef __u16 u16;
typedef __s32 s32;
typedef __u32 u32;
typedef __s64 s64;
typedef __u64 u64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef _Bool bool;
typedef __u32 dev_t;
typedef int pid_t;
typedef unsigned long pgoff_t;

typedef struct {
	int counter;
} atomic_t;

typedef struct {
	s64 counter;
} atomic64_t;

typedef atomic64_t atomic_long_t;

enum {
	false = 0,
	true = 1,
};

struct list_head {
	struct list_head *next;
	struct list_head *prev;
};

struct rb_node {
	unsigned long __rb_parent_color;
	struct rb_node *rb_right;
	struct rb_node *rb_left;
};

struct rb_root {
	struct rb_node *rb_node;
};

struct rb_root_cached {
	struct rb_root rb_root;
	struct rb_node *rb_leftmost;
};

struct seq_file;
struct mm_struct;

struct kernfs_node {
	const char *name;
	u64 id;
};

struct cgroup_subsys_state;

struct cgroup {
	struct kernfs_node *kn;
	struct cgroup_subsys_state *subsys[1];	/* [CGROUP_SUBSYS_COUNT] */
};

struct cgroup_subsys_state {
	struct cgroup *cgroup;
	struct list_head sibling;
	struct list_head children;
	unsigned int flags;
	struct cgroup_subsys_state *parent;
};

struct page_counter {
	atomic_long_t usage;
};

struct mem_cgroup_id {
	int id;
};

struct lruvec {
	struct list_head lists[5];		/* [NR_LRU_LISTS] */
};

struct mem_cgroup_per_node {
	struct lruvec lruvec;
	unsigned long lru_zone_size[1];		/* flattened [MAX_NR_ZONES][NR_LRU_LISTS] */
};

struct mem_cgroup {
	struct cgroup_subsys_state css;
	struct mem_cgroup_id id;
	struct page_counter memory;
	union {
		struct page_counter swap;	/* v2 */
		struct page_counter memsw;	/* v1 */
	};
	struct page_counter kmem;		/* v1 builds only (CONFIG_MEMCG_V1 on 6.11+) */
	struct mem_cgroup_per_node *nodeinfo[];
};

/* Only the members common to every supported kernel: flags, the order and the mapcounts of
 * large folios changed, and memcg_folios.bpf.c has its own flavours for those. */
struct folio {
	struct list_head lru;
	struct address_space *mapping;
	pgoff_t index;
	atomic_t _mapcount;
	unsigned long memcg_data;
};

struct task_struct {
	pid_t tgid;
};

struct vm_area_struct {
	struct mm_struct *vm_mm;
};

struct anon_vma {
	struct anon_vma *root;
	struct rb_root_cached rb_root;
};

struct anon_vma_chain {
	struct vm_area_struct *vma;
	struct rb_node rb;
};

struct super_block {
	dev_t s_dev;
	unsigned long s_magic;
};

struct inode {
	struct super_block *i_sb;
	unsigned long i_ino;
	union {
		const unsigned int i_nlink;
		unsigned int __i_nlink;
	};
	dev_t i_rdev;
	u32 i_generation;
};

struct address_space {
	struct inode *host;
};

struct bpf_iter_meta {
	union {
		struct seq_file *seq;
	};
	u64 session_id;
	u64 seq_num;
};

struct bpf_iter__cgroup {
	union {
		struct bpf_iter_meta *meta;
	};
	union {
		struct cgroup *cgroup;
	};
};

/* the census's entry point where the kernel has no iter/cgroup (5.10) */
struct bpf_iter__task {
	union {
		struct bpf_iter_meta *meta;
	};
	union {
		struct task_struct *task;
	};
};

enum cgroup_subsys_id {
	memory_cgrp_id = 4,
};

enum zone_type {
	__MAX_NR_ZONES = 5,
};

enum pageflags {
	PG_writeback = 1,
	PG_dirty = 4,
	PG_head = 6,
	PG_active = 8,
	PG_swapcache = 10,		/* an alias of PG_owner_priv_1 */
	PG_swapbacked = 17,
	PG_unevictable = 18,
	PG_mlocked = 20,
};

enum lru_list {
	LRU_INACTIVE_ANON = 0,
	LRU_ACTIVE_ANON = 1,
	LRU_INACTIVE_FILE = 2,
	LRU_ACTIVE_FILE = 3,
	LRU_UNEVICTABLE = 4,
	NR_LRU_LISTS = 5,
};

/* UAPI (include/uapi/linux/bpf.h): fixed values. */
enum bpf_map_type {
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_RINGBUF = 27,
};

enum {
	BPF_RB_NO_WAKEUP = 1,
	BPF_RB_FORCE_WAKEUP = 2,
};

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute pop
#endif

#endif
