// SPDX-License-Identifier: GPL-2.0
/* memcg census: one record per memory cgroup, dying ones included.
 *
 * An iter/cgroup program attached to the memory hierarchy's root cgroup with
 * BPF_CGROUP_ITER_SELF_ONLY runs once with that cgroup. From its memory css it walks
 * css->children / css->sibling in pre-order. That walk is the only way to the dying memcgs:
 * the cgroup iterator skips dead cgroups, and a dead cgroup's subsys[] is NULL (doc/kernel.md K5).
 * The iterator holds cgroup_mutex while the program runs, and css_release unlinks a css from
 * its parent's children list under that mutex, so every css reached here stays allocated until
 * we return; the counters we read may still move under us. Every mkdir and rmdir on the host
 * waits for that mutex, so a run stops after max_records memcgs and the next run resumes
 * from a checked cursor (css_alive()).
 *
 * Every kernel read goes through bpf_probe_read_kernel and is checked: a failed read, or a child
 * whose parent pointer does not point back, ends the walk and is counted in summary.faults,
 * so the loader reports an incomplete census instead of a wrong one.
 *
 * All kernel types are local "___zcg" flavours relocated by CO-RE, so the object builds
 * against any vmlinux.h (the running kernel's dump or the small committed fallback) and loads
 * on kernels whose layouts differ (6.1, 6.12, 6.18 checked). Fields that exist only on some
 * kernels or configs are guarded with bpf_core_field_exists(), never with version numbers.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "core_arrays.bpf.h"
#include "memcg_census.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader before load. */
const volatile __u32 nr_node_ids = 1;		/* highest possible node + 1 */
const volatile __u32 cgroup_v1 = 0;		/* the swap/memsw union means memsw on v1 */
const volatile __u32 have_vmstats = 0;	/* memcg->vmstats is a pointer to struct memcg_vmstats */
const volatile __u32 vmstats_array = 0;	/* 5.10: memcg->vmstats[] is an array in the memcg */
const volatile __s32 vmstat_idx[ZCG_VMSTAT_NR] = { -1, -1, -1, -1, -1, -1, -1 };

struct zcg_census_summary summary;

/* Set by the loader before each run: at most this many records a run (0: no limit), and
 * where to go on (0: from the root). The program sets resume_css/resume_id when it stops at
 * max_records and clears them once it has taken them. */
__u64 max_records;
__u64 resume_css;
__u64 resume_id;

/* Sized by the loader (bpf_map__set_max_entries) from the expected number of memcgs. Nobody
 * consumes while the walk runs, so the whole census must fit; a full buffer is counted in
 * summary.dropped and the loader retries with a bigger one. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} records SEC(".maps");

/* A record is too big for the BPF stack: it is built here and copied into the ring buffer. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct zcg_memcg_rec);
} scratch SEC(".maps");

/* Bounds. bpf_loop() allows at most 1 << 23 iterations; a walk takes two per memcg at most,
 * and there are at most 65535 memcg IDs plus the zombies that released theirs. */
#define WALK_MAX_STEPS		(1 << 23)
#define ZONES_MAX		8	/* MAX_NR_ZONES is 4 to 6 on real configs */
#define LRUGEN_ROWS_MAX		16	/* MAX_NR_GENS (4) * ANON_AND_FILE (2), with room */
#define NR_LRU_LISTS_EXPECTED	5
#define NODES_MAX		64	/* the bounded per-node loop (5.10) */

/* ---- kernel types, only the members used; CO-RE finds them wherever they are ---- */

struct zcg_atomic_long {
	long counter;
};

struct kernfs_node___zcg {
	const char *name;
	__u64 id;
} __attribute__((preserve_access_index));

struct cgroup___zcg {
	int level;
	struct kernfs_node___zcg *kn;
	void *subsys[1];
} __attribute__((preserve_access_index));

struct cgroup_subsys_state___zcg {
	struct cgroup___zcg *cgroup;
	struct list_head sibling;
	struct list_head children;
	int id;
	unsigned int flags;
	struct cgroup_subsys_state___zcg *parent;
} __attribute__((preserve_access_index));

struct css_set___zcg {
	struct cgroup_subsys_state___zcg *subsys[1];
} __attribute__((preserve_access_index));

struct task_struct___zcg {
	struct css_set___zcg *cgroups;
} __attribute__((preserve_access_index));

struct page_counter___zcg {
	struct zcg_atomic_long usage;
} __attribute__((preserve_access_index));

/* struct lru_gen_folio (6.3+) was struct lru_gen_struct before: only member names matter
 * below the root type, so one local type covers both. Flattened by pahole: [gen][type][zone]. */
struct lru_gen___zcg {
	long nr_pages[1];
} __attribute__((preserve_access_index));

struct lruvec___zcg {
	struct lru_gen___zcg lrugen;		/* CONFIG_LRU_GEN only */
} __attribute__((preserve_access_index));

struct mem_cgroup_per_node___zcg {
	struct lruvec___zcg lruvec;
} __attribute__((preserve_access_index));

/* The same array as pahole 1.28+ writes it (bpf/core_arrays.bpf.h), and lru_zone_size's
 * flavours are there too. */
struct lru_gen___zcg3d {
	long nr_pages[1][1][1];			/* [gen][type][zone] */
} __attribute__((preserve_access_index));

struct lruvec___zcg3d {
	struct lru_gen___zcg3d lrugen;
} __attribute__((preserve_access_index));

struct mem_cgroup_per_node___zcg3d {
	struct lruvec___zcg3d lruvec;
} __attribute__((preserve_access_index));

struct memcg_vmstats___zcg {
	long state[1];
	long state_local[1];			/* 6.8+: the memcg's own, not hierarchical */
} __attribute__((preserve_access_index));

struct mem_cgroup___zcg {
	struct cgroup_subsys_state___zcg css;
	struct {
		int id;
	} id;
	struct page_counter___zcg memory;
	struct page_counter___zcg swap;		/* v2; shares a union with memsw since 5.x */
	struct page_counter___zcg memsw;	/* v1 */
	struct page_counter___zcg kmem;		/* v1 builds only (CONFIG_MEMCG_V1 on 6.11+) */
	struct memcg_vmstats___zcg *vmstats;
	struct mem_cgroup_per_node___zcg *nodeinfo[];
} __attribute__((preserve_access_index));

/* 5.10 (up to 5.12): the hierarchical statistics are an array inside struct mem_cgroup,
 * indexed by the enum value. */
struct mem_cgroup___zcg510 {
	struct zcg_atomic_long vmstats[1];
} __attribute__((preserve_access_index));

/* ---- checked reads ---- */

static __always_inline int read_ptr(void *dst, const void *src)
{
	*(void **)dst = NULL;
	if (bpf_probe_read_kernel(dst, sizeof(void *), src)) {
		summary.faults++;
		return -1;
	}
	return 0;
}

static __always_inline __u64 clamp_pages(long v)
{
	/* Per-CPU batching lets counters dip below zero for a moment. */
	return v < 0 ? 0 : (__u64)v;
}

static __always_inline __u64 read_counter(const struct page_counter___zcg *pc)
{
	long v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &pc->usage.counter);
	return clamp_pages(v);
}

/* ---- per-node LRU sizes ---- */

struct lru_sums {
	const void *memcg;
	__s64 anon, file, unevictable;
	bool lrugen_seen;
	bool node_missing;
	bool fault;
};

static long count_node_lru(__u32 nid, struct lru_sums *s)
{
	struct mem_cgroup_per_node___zcg *pn;
	unsigned long row[NR_LRU_LISTS_EXPECTED];
	__u32 lzs_off, zones, z, r, rows, off = 0;

	if (read_ptr(&pn, s->memcg + bpf_core_field_offset(struct mem_cgroup___zcg, nodeinfo) +
			  (__u64)nid * sizeof(void *))) {
		s->fault = true;
		return 1;
	}
	if (!pn) {
		s->node_missing = true;
		return 0;
	}

	/* Classic LRU: lru_zone_size[zone * NR_LRU_LISTS + lru], one row per zone. With MGLRU
	 * on, the evictable lists stay empty (their folios are on generations, below), but
	 * unevictable folios still go to the classic list and are counted here. */
	if (!zcg_lru_zone_size(&lzs_off, &zones)) {
		s->fault = true;
		return 1;
	}
	zones /= NR_LRU_LISTS_EXPECTED * sizeof(unsigned long);
	if (zones == 0 || zones > ZONES_MAX) {
		s->fault = true;
		return 1;
	}
	for (z = 0; z < ZONES_MAX; z++) {
		if (z >= zones)
			break;
		if (bpf_probe_read_kernel(row, sizeof(row), (void *)pn + lzs_off + z * sizeof(row))) {
			s->fault = true;
			return 1;
		}
		s->anon += row[LRU_INACTIVE_ANON] + row[LRU_ACTIVE_ANON];
		s->file += row[LRU_INACTIVE_FILE] + row[LRU_ACTIVE_FILE];
		s->unevictable += row[LRU_UNEVICTABLE];
	}

	/* MGLRU: lrugen.nr_pages[gen][type][zone], type 0 anon, 1 file. A folio is on exactly
	 * one of the two structures, so adding both is right whether MGLRU is on or off. */
	rows = 0;
	ZCG_CORE_ARRAY(struct mem_cgroup_per_node___zcg, struct mem_cgroup_per_node___zcg3d,
		       lruvec.lrugen.nr_pages, off, rows);
	rows /= zones * sizeof(long);
	if (rows) {
		/* One long at a time: a read sized by a relocated value loses its bound in the
		 * verifier on some kernels' layouts, and these rows are short. */
		for (r = 0; r < LRUGEN_ROWS_MAX; r++) {
			__s64 sum = 0;

			if (r >= rows)
				break;
			for (z = 0; z < ZONES_MAX; z++) {
				long v;

				if (z >= zones)
					break;
				if (bpf_probe_read_kernel(&v, sizeof(v), (void *)pn + off +
							  (r * zones + z) * sizeof(long))) {
					s->fault = true;
					return 1;
				}
				sum += v;
			}
			if (sum)
				s->lrugen_seen = true;
			if (r & 1)
				s->file += sum;
			else
				s->anon += sum;
		}
	}
	return 0;
}

/* ---- vmstats ---- */

/* One statistic of the memcg's struct memcg_vmstats, at the index the loader worked out from
 * BTF, from state_local where this kernel keeps it, else from the hierarchical state. */
static __always_inline __u64 read_vmstat(const struct memcg_vmstats___zcg *vs, __s32 idx)
{
	__u32 off, n;
	long v = 0;

	if (!vs || idx < 0)
		return ZCG_UNKNOWN;
	if (bpf_core_field_exists(struct memcg_vmstats___zcg, state_local)) {
		off = bpf_core_field_offset(struct memcg_vmstats___zcg, state_local);
		n = bpf_core_field_size(struct memcg_vmstats___zcg, state_local) / sizeof(long);
	} else if (bpf_core_field_exists(struct memcg_vmstats___zcg, state)) {
		off = bpf_core_field_offset(struct memcg_vmstats___zcg, state);
		n = bpf_core_field_size(struct memcg_vmstats___zcg, state) / sizeof(long);
	} else {
		return ZCG_UNKNOWN;
	}
	if ((__u32)idx >= n)
		return ZCG_UNKNOWN;
	if (bpf_probe_read_kernel(&v, sizeof(v), (void *)vs + off + (__u32)idx * sizeof(long)))
		return ZCG_UNKNOWN;
	return clamp_pages(v);
}

static __always_inline __u64 read_vmstat_array(const struct mem_cgroup___zcg *memcg, __s32 idx)
{
	__u32 off = bpf_core_field_offset(struct mem_cgroup___zcg510, vmstats);
	__u32 n = bpf_core_field_size(struct mem_cgroup___zcg510, vmstats) / sizeof(long);
	long v = 0;

	if (idx < 0 || (__u32)idx >= n)
		return ZCG_UNKNOWN;
	if (bpf_probe_read_kernel(&v, sizeof(v), (void *)memcg + off + (__u32)idx * sizeof(long)))
		return ZCG_UNKNOWN;
	return clamp_pages(v);
}

/* One statistic, from the memcg itself before 5.13 (in_memcg), else from its memcg_vmstats. */
static __always_inline __u64 read_stat(const struct mem_cgroup___zcg *memcg,
				       const struct memcg_vmstats___zcg *vs, bool in_memcg,
				       enum zcg_vmstat_item item)
{
	return in_memcg ? read_vmstat_array(memcg, vmstat_idx[item]) : read_vmstat(vs, vmstat_idx[item]);
}

/* ---- one record ---- */

static __always_inline __u64 css_kn_id(struct cgroup_subsys_state___zcg *css)
{
	struct cgroup___zcg *cg;
	struct kernfs_node___zcg *kn;
	__u64 id = 0;

	if (read_ptr(&cg, &css->cgroup) || !cg || read_ptr(&kn, &cg->kn) || !kn)
		return 0;
	bpf_probe_read_kernel(&id, sizeof(id), &kn->id);
	return id;
}

/* Whether the css to resume at is still the memcg the last run stopped before. Between two
 * runs it may have been released and freed (a removed cgroup whose last page went), and its
 * memory reused. Under cgroup_mutex (iter/cgroup), or under RCU (iter/task: a released css is
 * freed only after a grace period), a css that still reads back its cgroup's id, does not
 * have CSS_RELEASED (set under cgroup_mutex before it is unlinked) and whose sibling list
 * neighbour points back at it, is linked in the tree and stays allocated until this run
 * returns. cgroup ids (kernfs node ids) are not reused while the system runs. */
static __always_inline bool css_alive(struct cgroup_subsys_state___zcg *css, __u64 id)
{
	unsigned long sibling_off = bpf_core_field_offset(struct cgroup_subsys_state___zcg, sibling);
	unsigned int flags = 0;
	void *prev = NULL, *next = NULL;

	if (!css || !id || css_kn_id(css) != id)
		return false;
	if (bpf_probe_read_kernel(&flags, sizeof(flags), &css->flags) || (flags & ZCG_CSS_RELEASED))
		return false;
	/* list_head.next is its first member */
	if (read_ptr(&prev, &css->sibling.prev) || !prev || read_ptr(&next, prev))
		return false;
	return next == (void *)css + sibling_off;
}

/* Where a run starts: the root on a fresh census, else the css the last run stopped before.
 * Returns NULL (summary.resume_lost set) if that css is gone: the loader starts over. */
static __always_inline struct cgroup_subsys_state___zcg *
walk_start(struct cgroup_subsys_state___zcg *root)
{
	struct cgroup_subsys_state___zcg *pos = (void *)resume_css;
	__u64 id = resume_id;

	resume_css = 0;
	resume_id = 0;
	if (!pos)
		return root;
	if (!css_alive(pos, id)) {
		summary.resume_lost = 1;
		return NULL;
	}
	return pos;
}

/* bounded: the per-node sums in a bounded loop instead of bpf_loop(), which 5.10 lacks (5.17+);
 * a constant at each call site, so each program gets only the code its kernel can load. */
static __always_inline int emit_memcg_body(struct cgroup_subsys_state___zcg *css, bool is_root,
					   const bool bounded)
{
	struct mem_cgroup___zcg *memcg = (void *)css - bpf_core_field_offset(struct mem_cgroup___zcg, css);
	struct memcg_vmstats___zcg *vs = NULL;
	bool in_memcg;
	struct lru_sums sums = { .memcg = memcg };
	struct cgroup_subsys_state___zcg *parent = NULL;
	struct kernfs_node___zcg *kn = NULL;
	struct cgroup___zcg *cg = NULL;
	struct zcg_memcg_rec *rec;
	const char *name = NULL;
	__u32 zero = 0;
	unsigned int flags = 0;
	int level = 0, id = 0;

	summary.visited++;
	rec = bpf_map_lookup_elem(&scratch, &zero);
	if (!rec)
		return -1;

	if (read_ptr(&cg, &css->cgroup) || !cg || read_ptr(&kn, &cg->kn) || !kn)
		return -1;
	bpf_probe_read_kernel(&rec->id, sizeof(rec->id), &kn->id);
	bpf_probe_read_kernel(&level, sizeof(level), &cg->level);
	rec->level = level;
	if (read_ptr(&name, &kn->name) || !name ||
	    bpf_probe_read_kernel_str(rec->name, sizeof(rec->name), name) < 0)
		rec->name[0] = '\0';
	rec->parent_id = 0;
	if (!is_root) {
		if (read_ptr(&parent, &css->parent) || !parent)
			return -1;
		rec->parent_id = css_kn_id(parent);
	}
	bpf_probe_read_kernel(&flags, sizeof(flags), &css->flags);
	rec->css_flags = flags;
	bpf_probe_read_kernel(&id, sizeof(id), &css->id);
	rec->css_id = id;
	id = 0;
	bpf_probe_read_kernel(&id, sizeof(id), &memcg->id.id);
	rec->memcg_id = id;
	rec->flags = 0;

	rec->usage_pages = read_counter(&memcg->memory);
	rec->swap_pages = ZCG_UNKNOWN;
	if (cgroup_v1 && bpf_core_field_exists(memcg->memsw)) {
		/* memsw counts memory + swap: its excess over memory is what sits in swap. */
		__u64 memsw = read_counter(&memcg->memsw);

		rec->swap_pages = memsw > rec->usage_pages ? memsw - rec->usage_pages : 0;
		rec->flags |= ZCG_REC_SWAP_FROM_MEMSW;
	} else if (!cgroup_v1 && bpf_core_field_exists(memcg->swap)) {
		rec->swap_pages = read_counter(&memcg->swap);
	}

	/* LRU sizes, per node. */
	rec->lru_anon_pages = ZCG_UNKNOWN;
	rec->lru_file_pages = ZCG_UNKNOWN;
	rec->lru_unevictable_pages = ZCG_UNKNOWN;
	if (bpf_core_enum_value(enum lru_list, NR_LRU_LISTS) == NR_LRU_LISTS_EXPECTED &&
	    bpf_core_enum_value(enum lru_list, LRU_UNEVICTABLE) == LRU_UNEVICTABLE) {
		if (bounded) {
			for (__u32 nid = 0; nid < NODES_MAX; nid++) {
				if (nid >= nr_node_ids || count_node_lru(nid, &sums))
					break;
			}
		} else {
			bpf_loop(nr_node_ids, count_node_lru, &sums, 0);
		}
		if (sums.fault)
			return -1;
		rec->lru_anon_pages = clamp_pages(sums.anon);
		rec->lru_file_pages = clamp_pages(sums.file);
		rec->lru_unevictable_pages = clamp_pages(sums.unevictable);
		if (sums.lrugen_seen)
			rec->flags |= ZCG_REC_LRUGEN;
		if (sums.node_missing)
			rec->flags |= ZCG_REC_NO_NODEINFO;
	}

	/* Statistics. */
	if (have_vmstats && bpf_core_field_exists(memcg->vmstats))
		read_ptr(&vs, &memcg->vmstats);
	if (vs && !bpf_core_field_exists(struct memcg_vmstats___zcg, state_local))
		rec->flags |= ZCG_REC_VMSTAT_HIER;
	in_memcg = !vs && vmstats_array && bpf_core_field_exists(struct mem_cgroup___zcg510, vmstats);
	if (in_memcg)
		rec->flags |= ZCG_REC_VMSTAT_HIER;
	rec->file_pages = read_stat(memcg, vs, in_memcg, ZCG_VMSTAT_FILE);
	rec->anon_pages = read_stat(memcg, vs, in_memcg, ZCG_VMSTAT_ANON);
	rec->shmem_pages = read_stat(memcg, vs, in_memcg, ZCG_VMSTAT_SHMEM);
	rec->file_mapped_pages = read_stat(memcg, vs, in_memcg, ZCG_VMSTAT_FILE_MAPPED);
	rec->file_dirty_pages = read_stat(memcg, vs, in_memcg, ZCG_VMSTAT_FILE_DIRTY);
	rec->writeback_pages = read_stat(memcg, vs, in_memcg, ZCG_VMSTAT_WRITEBACK);
	rec->kmem_pages = read_stat(memcg, vs, in_memcg, ZCG_VMSTAT_KMEM);
	if (rec->kmem_pages != ZCG_UNKNOWN) {
		rec->flags |= ZCG_REC_KMEM_VMSTAT;
	} else if (bpf_core_field_exists(memcg->kmem)) {
		rec->kmem_pages = read_counter(&memcg->kmem);
		rec->flags |= ZCG_REC_KMEM_COUNTER;
	}

	if (bpf_ringbuf_output(&records, rec, sizeof(*rec), BPF_RB_NO_WAKEUP))
		summary.dropped++;
	else
		summary.emitted++;
	return 0;
}

static int emit_memcg(struct cgroup_subsys_state___zcg *css, bool is_root)
{
	return emit_memcg_body(css, is_root, false);
}

static int emit_memcg_bounded(struct cgroup_subsys_state___zcg *css, bool is_root)
{
	return emit_memcg_body(css, is_root, true);
}

/* ---- the walk ---- */

struct walk_state {
	struct cgroup_subsys_state___zcg *root;
	struct cgroup_subsys_state___zcg *pos;
	bool ascending;		/* pos and its subtree are done: go on with its next sibling */
};

static __always_inline struct cgroup_subsys_state___zcg *css_of_sibling_node(void *node)
{
	return node - bpf_core_field_offset(struct cgroup_subsys_state___zcg, sibling);
}

/* One step of an iterative pre-order walk: visit pos and go to its first child, or, once pos
 * is done, go to its next sibling or back up to its parent. Returns 1 to stop. */
static __always_inline long walk_step_body(struct walk_state *w, const bool bounded)
{
	struct cgroup_subsys_state___zcg *pos = w->pos, *parent, *child, *back;
	void *node;

	if (!pos)
		return 1;
	if (!w->ascending) {
		if (max_records && summary.emitted + summary.dropped >= max_records) {
			/* this run's share is done: the next one visits pos first */
			resume_css = (__u64)pos;
			resume_id = css_kn_id(pos);
			summary.more = 1;
			return 1;
		}
		if (bounded ? emit_memcg_bounded(pos, pos == w->root) : emit_memcg(pos, pos == w->root))
			return 1;
		if (read_ptr(&node, &pos->children.next) || !node)
			return 1;
		if (node != &pos->children) {
			child = css_of_sibling_node(node);
			/* A child must point back at us; anything else is not a css list. */
			if (read_ptr(&back, &child->parent) || back != pos) {
				summary.faults++;
				return 1;
			}
			w->pos = child;
			return 0;
		}
	}
	if (pos == w->root) {
		summary.walk_done = 1;
		return 1;
	}
	if (read_ptr(&parent, &pos->parent) || !parent)
		return 1;
	if (read_ptr(&node, &pos->sibling.next) || !node)
		return 1;
	if (node != &parent->children) {
		w->pos = css_of_sibling_node(node);
		w->ascending = false;
	} else {
		w->pos = parent;
		w->ascending = true;
	}
	return 0;
}

static long walk_step(__u32 i, struct walk_state *w)
{
	return walk_step_body(w, false);
}

SEC("iter/cgroup")
int memcg_census(struct bpf_iter__cgroup *ctx)
{
	struct cgroup___zcg *cgrp = (void *)ctx->cgroup;
	struct walk_state w = {};
	__u32 ss = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	void *css = NULL;

	/* Called once more with NULL at the end of the iteration. */
	if (!cgrp)
		return 0;
	summary.runs++;
	if (ss >= bpf_core_field_size(struct cgroup___zcg, subsys) / sizeof(void *)) {
		summary.faults++;
		return 0;
	}
	if (read_ptr(&css, (void *)cgrp + bpf_core_field_offset(struct cgroup___zcg, subsys) +
			   ss * sizeof(void *)))
		return 0;
	if (!css) {
		summary.no_memcg = 1;
		return 0;
	}
	w.root = css;
	w.pos = walk_start(css);
	if (!w.pos)
		return 0;
	bpf_loop(WALK_MAX_STEPS, walk_step, &w, 0);
	return 0;
}

/* ---- 5.10: the same walk from an iter/task program ----
 *
 * iter/cgroup came in 6.1. Before it, a task iterator (5.8+) is a way in: the first task it
 * shows us leads to its memory css (task->cgroups->subsys[memory_cgrp_id]), ->parent climbs
 * to the hierarchy's root css, and from there the walk is the one above. Why that is safe
 * without cgroup_mutex:
 *  - bpf_iter_run_prog() runs each invocation under rcu_read_lock(), and a run's walk is
 *    done within one invocation; all the next run keeps is the resume point, an address it
 *    checks (css_alive()) before following it;
 *  - task->cgroups is an RCU-protected pointer (task_css_set()), and a css_set pins its css;
 *  - a css's parent outlives it (the child holds a reference, dropped in css_free_rwork_fn);
 *  - css_release_work_fn unlinks a css from its parent's children with list_del_rcu() and
 *    frees it after an RCU grace period (queue_rcu_work), which is how the kernel's own
 *    css_next_child() walks children under RCU alone. An unlinked css's ->sibling.next still
 *    points into the list, so a walk standing on it goes on or ends at the list head;
 *  - every read is bpf_probe_read_kernel, checked, and a child whose ->parent does not
 *    point back ends the walk as a fault: at worst the census is reported incomplete, never
 *    made up. A memcg created or removed during the walk may be missed or seen; the same is
 *    true under cgroup_mutex a moment later.
 * 5.10 has no bpf_loop() either: the walk is two nested bounded loops of global functions
 * (each verified once, on its own), chunks of steps, WALK_MAX_STEPS in all. */
#define TASK_WALK_CHUNK		2048
#define TASK_WALK_CHUNKS	(WALK_MAX_STEPS / TASK_WALK_CHUNK)
#define CSS_CLIMB_MAX		64	/* cgroup depth; real trees are far shallower */

static struct walk_state task_walk;
__u32 task_walk_started;		/* reset by the loader before each run */

__attribute__((noinline)) int zcg_task_walk_step(void)
{
	return walk_step_body(&task_walk, true);
}

__attribute__((noinline)) int zcg_task_walk_chunk(void)
{
	for (int i = 0; i < TASK_WALK_CHUNK; i++) {
		if (zcg_task_walk_step())
			return 1;
	}
	return 0;
}

SEC("iter/task")
int memcg_census_task(struct bpf_iter__task *ctx)
{
	struct task_struct___zcg *task = (void *)ctx->task;
	__u32 ss = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	struct cgroup_subsys_state___zcg *css = NULL, *parent = NULL;
	struct css_set___zcg *cset = NULL;
	int d;

	if (!task || task_walk_started)
		return 0;
	task_walk_started = 1;
	summary.runs++;
	if (ss >= bpf_core_field_size(struct css_set___zcg, subsys) / sizeof(void *)) {
		summary.faults++;
		return 0;
	}
	if (read_ptr(&cset, &task->cgroups) || !cset ||
	    read_ptr(&css, (void *)cset + bpf_core_field_offset(struct css_set___zcg, subsys) +
			   ss * sizeof(void *)))
		return 0;
	if (!css) {
		summary.no_memcg = 1;
		return 0;
	}
	for (d = 0; d < CSS_CLIMB_MAX; d++) {
		if (read_ptr(&parent, &css->parent))
			return 0;
		if (!parent)
			break;
		css = parent;
	}
	if (d == CSS_CLIMB_MAX) {
		summary.faults++;
		return 0;
	}
	task_walk.root = css;
	task_walk.pos = walk_start(css);
	task_walk.ascending = false;
	if (!task_walk.pos)
		return 0;
	for (int i = 0; i < TASK_WALK_CHUNKS; i++) {
		if (zcg_task_walk_chunk())
			break;
	}
	return 0;
}
