/* SPDX-License-Identifier: GPL-2.0 */
/* Records shared by bpf/memcg_folios.bpf.c and its loader (lib/bpf_folios.c).
 *
 * The program runs as an iter/cgroup program on the memory hierarchy's root. Each read of
 * an iterator instance runs it once, under cgroup_mutex, with a bounded amount of work
 * (`budget` steps):
 *   - mode ZCG_MODE_MEMCGS: one record per memcg (live and dying) in pre-order, each with
 *     its css address; a run resumes at the css the previous one stopped at (checked
 *     before use), else after the first skip_memcgs memcgs of a walk from the root;
 *   - mode ZCG_MODE_FOLIOS: for each of the n_targets (cgroup id, css address) pairs in
 *     the targets map, in order, the folios on its LRU lists and then one ZCG_REC_WALKED
 *     record; a run resumes at the target, list and list node the previous one stopped at.
 * Every css address from userspace (or from an earlier run) is checked before it is
 * followed: a css that was freed meanwhile is reported ZCG_WALK_NOT_FOUND, never walked.
 * So each target costs a constant number of steps plus its folios: the whole walk is
 * linear in memcgs + folios (it used to search the tree for every target).
 * Records go through a ring buffer (fixed sizes); when it is full the run stops where it is
 * and the loader drains it and runs again. */
#ifndef ZCG_MEMCG_FOLIOS_H
#define ZCG_MEMCG_FOLIOS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

enum zcg_rec_type {
	ZCG_REC_MEMCG = 1,
	ZCG_REC_FOLIO = 2,
	ZCG_REC_WALKED = 3,
};

enum zcg_walk_mode {
	ZCG_MODE_MEMCGS = 0,
	ZCG_MODE_FOLIOS = 1,
};

/* Targets a loader can hand over at once (the targets map's size). */
#define ZCG_TARGET_BATCH 8192

struct zcg_walk_target {
	__u64 id;		/* cgroup id */
	__u64 css;		/* its css address, as the memcg record gave it */
};

/* What one folio is; several may be set. */
enum zcg_folio_flag {
	ZCG_FOLIO_DIRTY		= 1u << 0,
	ZCG_FOLIO_WRITEBACK	= 1u << 1,
	ZCG_FOLIO_MAPPED	= 1u << 2,	/* mapped into some process' page tables */
	ZCG_FOLIO_ANON		= 1u << 3,	/* anonymous (mapping has PAGE_MAPPING_ANON) */
	ZCG_FOLIO_KSM		= 1u << 4,	/* KSM page (anon, shared by content) */
	ZCG_FOLIO_SWAPBACKED	= 1u << 5,	/* anon or shmem/tmpfs */
	ZCG_FOLIO_SWAPCACHE	= 1u << 6,	/* in the swap cache */
	ZCG_FOLIO_UNEVICTABLE	= 1u << 7,
	ZCG_FOLIO_MLOCKED	= 1u << 8,
	ZCG_FOLIO_UNLINKED	= 1u << 9,	/* the file's inode has no links left */
	ZCG_FOLIO_NO_MAPPING	= 1u << 10,	/* mapping is NULL: truncated, about to be freed */
	ZCG_FOLIO_LARGE		= 1u << 11,	/* head of a large folio (nr_pages > 1) */
	ZCG_FOLIO_ACTIVE	= 1u << 12,
};

/* Where the walk of one memcg stands. */
enum zcg_walk_status {
	ZCG_WALK_DONE = 1,	/* every list walked to its end */
	ZCG_WALK_MORE = 2,	/* budget or ring buffer exhausted: run again to go on */
	ZCG_WALK_NOT_FOUND = 3,	/* the target memcg was freed meanwhile */
};

#define ZCG_NR_LRU 5		/* inactive/active anon, inactive/active file, unevictable */
#define ZCG_MEMCG_NAME_LEN 64

struct zcg_folio_memcg_rec {
	__u32 type;		/* ZCG_REC_MEMCG */
	__u32 css_flags;	/* CSS_ONLINE (0x2) clear: dying */
	__u64 id;		/* cgroup id (kernfs inode number), as kpagecgroup and stat show */
	__u64 parent_id;	/* 0 for the root */
	__u64 usage_pages;	/* memcg->memory usage */
	__u64 memsw_pages;	/* memcg->memsw (v1: memory + swap) or ->swap (v2): one union */
	__u64 kmem_pages;	/* memcg->kmem usage (v1 kernels keep it), 0 where absent */
	__u64 lru_pages[ZCG_NR_LRU];	/* lru_zone_size summed over zones and nodes */
	__u32 memcg_id;		/* memcg->id.id, 0 once released at offline */
	__u32 depth;		/* 0 for the root */
	__u64 css;		/* the css's kernel address: a folio walk's target (checked before use) */
	char name[ZCG_MEMCG_NAME_LEN];
};

struct zcg_folio_rec {
	__u32 type;		/* ZCG_REC_FOLIO */
	__u32 flags;		/* enum zcg_folio_flag */
	__u64 memcg;		/* cgroup id of the memcg walked */
	__u64 ino;		/* file: inode number; anon: the anon_vma's address (a grouping key) */
	__u64 index;		/* file: page offset of the folio's first page */
	__u32 dev;		/* i_sb->s_dev in the kernel's encoding: MAJOR << 20 | MINOR */
	__u32 generation;	/* i_generation */
	__u32 nr_pages;		/* 1, or the size of a large folio */
	__u32 lru;		/* list index: < ZCG_NR_LRU classic, else an MGLRU list */
	__u32 owner_pid;	/* anon: tgid owning an mm that maps this anon_vma, 0 if none */
	__u32 sb_magic;		/* i_sb->s_magic (low 32 bits) */
	__u32 rdev;		/* block device inodes (bdev fs): i_rdev, kernel encoding; else 0 */
	__u32 reserved;
};

/* One per target, after its folios. */
struct zcg_walked_rec {
	__u32 type;		/* ZCG_REC_WALKED */
	__u32 status;		/* ZCG_WALK_DONE or ZCG_WALK_NOT_FOUND */
	__u64 id;		/* the target's cgroup id */
	__u64 folios;		/* folio records emitted for it */
	__u32 restarts;		/* stale resume points: a list walked again from its start */
	__u32 strays;		/* lists cut short because they changed under the walk */
};

#endif
