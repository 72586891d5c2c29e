/* SPDX-License-Identifier: GPL-2.0 */
/* Records shared between memcg_census.bpf.c and its loader (lib/bpf_census.c).
 *
 * The BPF program walks the whole memory hierarchy, dying memcgs included, and emits one
 * fixed-size struct zcg_memcg_rec per memcg through a ring buffer (a seq_file cannot hold
 * thousands of them: doc/kernel.md K16). Every field is a __u64 so the layout is the same for
 * the BPF target and the host, and so the struct never needs repacking when a field is added.
 */
#ifndef ZCG_MEMCG_CENSUS_H
#define ZCG_MEMCG_CENSUS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* A cgroup name is one path component: NAME_MAX bytes plus the NUL. */
#define ZCG_NAME_LEN 256

/* A counter this kernel does not keep, or whose place the loader could not work out. */
#define ZCG_UNKNOWN ((__u64)-1)

/* css->flags bits (include/linux/cgroup-defs.h). They sit in an anonymous enum, which CO-RE
 * cannot relocate, and they have kept these values since cgroup v2 appeared. */
#define ZCG_CSS_ONLINE	0x02
#define ZCG_CSS_RELEASED	0x04
#define ZCG_CSS_DYING	0x10

/* zcg_memcg_rec.flags: where the numbers came from, so a reader can judge them. */
#define ZCG_REC_SWAP_FROM_MEMSW	(1u << 0)	/* v1: swap_pages = memsw - memory */
#define ZCG_REC_KMEM_VMSTAT	(1u << 1)	/* kmem_pages from the MEMCG_KMEM statistic */
#define ZCG_REC_KMEM_COUNTER	(1u << 2)	/* kmem_pages from the v1 kmem page counter */
#define ZCG_REC_LRUGEN		(1u << 3)	/* some LRU pages sit on MGLRU generations */
#define ZCG_REC_VMSTAT_HIER	(1u << 4)	/* vmstat fields include descendants (old layout) */
#define ZCG_REC_NO_NODEINFO	(1u << 5)	/* a node's per-memcg data was missing: lru_* partial */

/* One memcg, live or dying.
 *
 * Page counts are in pages of PAGE_SIZE. usage_pages and swap_pages come from the kernel's
 * page counters, which are hierarchical: a memcg's usage includes its descendants' (for a
 * leaf zombie the two are the same). The lru_* counts are the memcg's own, from its lruvecs
 * (summed over nodes and zones; classic LRU lists plus MGLRU generations); folios charged a
 * moment ago may still wait in a per-CPU LRU-add batch and are not counted yet. The vmstat fields
 * (file_pages ... kmem_pages) are the memcg's own flushed statistics where the kernel keeps a
 * local copy, else hierarchical (ZCG_REC_VMSTAT_HIER); the kernel flushes them every ~2 s, so
 * they may lag the page counters slightly. ZCG_UNKNOWN marks a field this kernel lacks. */
struct zcg_memcg_rec {
	__u64 id;			/* kernfs node id: the cgroup's inode number */
	__u64 parent_id;		/* parent memcg's id, 0 for the walk's root */
	__u64 level;			/* cgroup->level, 0 for the hierarchy root */
	__u64 css_flags;		/* ZCG_CSS_* and others; dying = no ZCG_CSS_ONLINE */
	__u64 css_id;			/* css->id (per-controller, reused after free) */
	__u64 memcg_id;			/* memcg->id.id: 0 once released at offline */
	__u64 flags;			/* ZCG_REC_* */
	__u64 usage_pages;		/* memcg->memory: charged pages, hierarchical */
	__u64 swap_pages;		/* v2: memcg->swap; v1: memsw - memory (ZCG_REC_SWAP_FROM_MEMSW) */
	__u64 lru_anon_pages;		/* (in)active anon, includes shmem/tmpfs (swap-backed) */
	__u64 lru_file_pages;		/* (in)active file: page cache */
	__u64 lru_unevictable_pages;	/* mlocked, ramfs, SHM_LOCKed */
	__u64 file_pages;		/* NR_FILE_PAGES (v1 "cache"; includes shmem) */
	__u64 anon_pages;		/* NR_ANON_MAPPED (v1 "rss") */
	__u64 shmem_pages;		/* NR_SHMEM */
	__u64 file_mapped_pages;	/* NR_FILE_MAPPED */
	__u64 file_dirty_pages;		/* NR_FILE_DIRTY */
	__u64 writeback_pages;		/* NR_WRITEBACK */
	__u64 kmem_pages;		/* MEMCG_KMEM, else the v1 kmem counter; ZCG_UNKNOWN if neither */
	char name[ZCG_NAME_LEN];	/* kernfs name, "" or "/" for the root */
};

/* Which statistics the vmstat fields come from; the loader resolves each to an index into
 * struct memcg_vmstats' state arrays (the layout changed in 6.11) and tells the program. */
enum zcg_vmstat_item {
	ZCG_VMSTAT_FILE,
	ZCG_VMSTAT_ANON,
	ZCG_VMSTAT_SHMEM,
	ZCG_VMSTAT_FILE_MAPPED,
	ZCG_VMSTAT_FILE_DIRTY,
	ZCG_VMSTAT_WRITEBACK,
	ZCG_VMSTAT_KMEM,
	ZCG_VMSTAT_NR,
};

/* What one run of the walk did; the program keeps it in .bss and the loader reads it after the
 * iterator finishes. A run emits at most max_records records (the ring buffer's room, and a
 * bound on how long it holds cgroup_mutex), then stops with `more` set and its cursor in
 * resume_css/resume_id; the next run goes on from there. A census is complete when a run
 * sets walk_done and no run dropped anything or lost its resume point. */
struct zcg_census_summary {
	__u64 runs;			/* times the program saw the root cgroup (expect 1) */
	__u64 visited;			/* memcgs the walk reached */
	__u64 emitted;			/* records submitted to the ring buffer */
	__u64 dropped;			/* records lost because the ring buffer was full */
	__u64 walk_done;		/* 1 if the walk got back to the root */
	__u64 faults;			/* kernel reads that failed or failed a sanity check */
	__u64 no_memcg;			/* the cgroup given has no memory controller css */
	__u64 more;			/* stopped at max_records: resume_css says where to go on */
	__u64 resume_lost;		/* the css to resume at was gone: nothing walked */
};

#endif
