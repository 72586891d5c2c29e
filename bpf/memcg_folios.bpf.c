// SPDX-License-Identifier: GPL-2.0
/* What pins each dying memcg: its memcgs (live and dying) and, for one memcg at a time, the
 * folios on its LRU lists, as fixed-size records through a ring buffer (memcg_folios.h).
 *
 * The way in is doc/kernel.md K5: an iter/cgroup program attached to the memory hierarchy's
 * root (SELF_ONLY) gets the root memcg's css and walks css->children/sibling, which reaches
 * dying memcgs that the cgroup iterator itself skips. The iterator holds cgroup_mutex while
 * the program runs, so no css on that tree is released under us (css_release_work_fn takes
 * the mutex); that is also why every run does a bounded amount of work and stops: other
 * tenants' mkdir and rmdir wait for it.
 *
 * The LRU lists (fact 7) are not ours to lock: folios move between lists and get freed
 * while we walk. Every read goes through bpf_probe_read_kernel (CO-RE), every loop is
 * bounded, and a folio whose memcg_data is not the memcg being walked ends that list
 * (counted as a stray so userspace knows the walk was short). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "core_arrays.bpf.h"
#include "memcg_folios.h"

char LICENSE[] SEC("license") = "GPL";

#define CSS_ONLINE_FLAG		0x2
#define MEMCG_DATA_FLAGS_MASK	0x7UL	/* low bits of folio->memcg_data are flags */
#define MAPPING_ANON		0x1UL	/* PAGE_MAPPING_ANON / FOLIO_MAPPING_ANON */
#define MAPPING_FLAGS		0x3UL	/* both bits set: KSM */
#define MAX_TREE_STEPS		(1 << 23)	/* bpf_loop's own limit */
#define MAX_BUDGET		(1 << 20)	/* folio steps a run, where bpf_loop is missing */
#define MAX_DEPTH		64
#define MAX_NODES		64
#define MAX_LISTS		(ZCG_NR_LRU + 128)	/* classic + MGLRU gens * types * zones */
#define MAX_ZONES		8
#define BDEVFS_MAGIC_LO		0x62646576	/* "bdev": the block devices' own page cache */

/* Kernels differ here; each field is used only where bpf_core_field_exists() says so.
 * 6.1: _folio_nr_pages, _total_mapcount; 6.2-6.10: _nr_pages_mapped, _entire_mapcount;
 * 6.11+: _large_mapcount; 6.14+: _nr_pages instead of _folio_nr_pages. */
struct folio___compat {
	unsigned int _folio_nr_pages;
	unsigned int _nr_pages;
	unsigned long _flags_1;
	atomic_t _total_mapcount;
	atomic_t _entire_mapcount;
	atomic_t _nr_pages_mapped;
	atomic_t _large_mapcount;
} __attribute__((preserve_access_index));

/* MGLRU (CONFIG_LRU_GEN): lruvec->lrugen.folios[gen][type][zone] (6.3+), named
 * lru_gen_struct.lists in 6.1. Only the array's offset and byte size are used: flat, and
 * three-dimensional as pahole 1.28+ writes it (bpf/core_arrays.bpf.h). */
struct lru_gen_folio___compat {
	struct list_head folios[1];
} __attribute__((preserve_access_index));
struct lruvec___mglru {
	struct lru_gen_folio___compat lrugen;
} __attribute__((preserve_access_index));
struct lru_gen_folio___3d {
	struct list_head folios[1][1][1];
} __attribute__((preserve_access_index));
struct lruvec___mglru3d {
	struct lru_gen_folio___3d lrugen;
} __attribute__((preserve_access_index));
struct lru_gen_struct___compat {
	struct list_head lists[1];
} __attribute__((preserve_access_index));
struct lruvec___mglru61 {
	struct lru_gen_struct___compat lrugen;
} __attribute__((preserve_access_index));

/* folio->flags is an unsigned long up to 6.17 and a memdesc_flags_t { unsigned long f; }
 * since 6.18; CO-RE matches a field only with a compatible type, so one flavor each. */
struct folio___ulflags {
	unsigned long flags;
} __attribute__((preserve_access_index));
struct memdesc_flags___compat {
	unsigned long f;
};
struct folio___mdflags {
	struct memdesc_flags___compat flags;
} __attribute__((preserve_access_index));

/* mem_cgroup_per_node->lru_zone_size[zone][list] (bpf/core_arrays.bpf.h); only its offset
 * is used. */
static __always_inline unsigned long lru_zone_size_off(void)
{
	__u32 off = 0, size = 0;

	zcg_lru_zone_size(&off, &size);
	return off;
}

/* 7.2+ ("Eliminate Dying Memory Cgroup"): an LRU folio's memcg_data points at an obj_cgroup,
 * whose ->memcg is the memcg it is charged to now (the parent, once its first memcg went
 * offline); before, at the memcg itself. Kernels with that series keep a per-node objcg in
 * mem_cgroup_per_node, which tells the two apart. */
struct mem_cgroup_per_node___objcg {
	struct obj_cgroup *objcg;
} __attribute__((preserve_access_index));
struct obj_cgroup___compat {
	struct mem_cgroup *memcg;
} __attribute__((preserve_access_index));

struct mm_struct___compat {
	struct task_struct *owner;	/* CONFIG_MEMCG */
} __attribute__((preserve_access_index));

/* Before 5.16 there is no struct folio: the LRU lists link struct pages, which have the same
 * members (inside anonymous unions, which CO-RE looks into). A compound page keeps its order
 * and mapcount in its first tail page. Up to 5.10 the memcg is page->mem_cgroup, a plain
 * pointer; memcg_data from 5.11. */
struct page___zcg510 {
	unsigned long flags;
	struct list_head lru;
	struct address_space *mapping;
	unsigned long index;
	atomic_t _mapcount;
	unsigned long memcg_data;
	struct mem_cgroup *mem_cgroup;
	unsigned char compound_order;
	atomic_t compound_mapcount;
} __attribute__((preserve_access_index));

/* A load-time constant: branches on it are dead code the verifier drops, with the CO-RE
 * relocations of the other kernels' types in them. A field of the program's globals would
 * not do: the verifier does not know its value. */
#define HAVE_FOLIOS bpf_core_type_exists(struct folio)

/* iter/task's way to the memory css (5.10 has no iter/cgroup): task->cgroups->subsys[]. */
struct css_set___zcgf {
	struct cgroup_subsys_state *subsys[1];
} __attribute__((preserve_access_index));
struct task_struct___zcgf {
	struct css_set___zcgf *cgroups;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} records SEC(".maps");

/* What the folio mode walks: ZCG_TARGET_BATCH (cgroup id, css address) pairs at most. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ZCG_TARGET_BATCH);
	__type(key, __u32);
	__type(value, struct zcg_walk_target);
} targets SEC(".maps");

/* Set by userspace before each run. */
__u32 mode;			/* enum zcg_walk_mode */
__u32 nr_nodes = 1;		/* possible NUMA nodes: nodeinfo[] has this many entries */
__u32 budget = 16384;		/* steps (memcgs, folios, list changes, targets) per run */
__u32 emit_limit = 16384;	/* memcg records per run (the ring buffer holds them all) */

/* Memcg mode: where the next run starts. Userspace zeroes them for a new walk. */
__u64 skip_memcgs;		/* memcg records already received in earlier runs */
__u64 resume_css;		/* the css to visit next, 0: walk from the root */
__u64 resume_id;		/* its cgroup id, to check the css is still that memcg */
__u32 resume_depth;

/* Folio mode: the resume point, kept between runs; userspace zeroes it for a new batch. */
__u32 n_targets;
__u32 cur_target;		/* index into targets */
__u32 cur_node;
__u32 cur_list;
__u64 cur_pos;			/* address of the list_head to visit next, 0: the list's start */
__u64 cur_folios;		/* of the current target, so far */
__u32 cur_restarts;
__u32 cur_strays;

/* Results of the last run. */
__u32 status;			/* enum zcg_walk_status */
__u64 emitted;
__u64 steps;			/* every step of every run, summed until userspace zeroes it */

static __always_inline void *read_ptr(const void *addr)
{
	void *p = NULL;

	bpf_probe_read_kernel(&p, sizeof(p), addr);
	return p;
}

static __always_inline unsigned long read_ulong(const void *addr)
{
	unsigned long v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), addr);
	return v;
}

static __always_inline int read_int(const void *addr)
{
	int v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), addr);
	return v;
}

static __always_inline __u64 css_cgroup_id(struct cgroup_subsys_state *css)
{
	return BPF_CORE_READ(css, cgroup, kn, id);
}

/* ---- memcg records ---- */

struct lru_sum {
	struct mem_cgroup *memcg;
	__u32 nr_zones;
	__u32 nonempty;			/* bit type * nr_zones + zone: that (type, zone) has pages */
	__u64 pages[ZCG_NR_LRU];
};

/* Walk state lives in globals (map memory), not on the stack: verifiers before 6.7 check a
 * bpf_loop callback as if it ran once, so state it keeps in the caller's stack is taken for
 * the constants it started as and the branches on it are pruned as dead code (seen on
 * Debian 6.1: the css walk visited the root forever). bpf_loop's context argument must be
 * on the stack there, so the callbacks take none and use these. Runs are never concurrent:
 * each zombiecg loads its own copy and reads one iterator at a time. */
static struct lru_sum sum_state;

/* One (node, zone) row of mem_cgroup_per_node->lru_zone_size[zone][list]. It counts MGLRU's
 * folios too (lru_gen_update_size keeps it). */
static long lru_sum_step(__u64 i, void *unused)
{
	struct lru_sum *s = &sum_state;
	unsigned long row[ZCG_NR_LRU] = {};
	__u32 node, zone;
	void *pn;

	if (!s->nr_zones)
		return 1;
	node = i / s->nr_zones;
	zone = i % s->nr_zones;
	if (node >= MAX_NODES)
		return 1;
	pn = read_ptr((void *)s->memcg + bpf_core_field_offset(struct mem_cgroup, nodeinfo) +
		      node * sizeof(void *));
	if (!pn)
		return 0;
	bpf_probe_read_kernel(row, sizeof(row),
			      pn + lru_zone_size_off() + zone * sizeof(row));
	for (int l = 0; l < ZCG_NR_LRU; l++)
		s->pages[l] += row[l];
	if (row[0] || row[1])	/* LRU_INACTIVE_ANON, LRU_ACTIVE_ANON */
		s->nonempty |= 1u << zone;
	if (row[2] || row[3])	/* the file lists */
		s->nonempty |= 1u << (s->nr_zones + zone);
	return 0;
}

/* lru_sum_step() as a global function, verified once: a loop calling it costs the verifier
 * a few instructions a turn, not the whole body. */
__attribute__((noinline)) int zcg_lru_sum_step(__u32 i)
{
	return lru_sum_step(i, NULL);
}

/* sum_state for memcg: its pages per list, summed over nodes and zones. bounded: a
 * bounded loop instead of bpf_loop() (5.17+), a constant at each call site, so the program
 * for kernels without bpf_loop has no call to it. */
static __always_inline struct lru_sum *lru_sum_of(struct mem_cgroup *memcg, const bool bounded)
{
	struct lru_sum *s = &sum_state;
	__u32 nodes = nr_nodes < MAX_NODES ? nr_nodes : MAX_NODES;

	__builtin_memset(s, 0, sizeof(*s));
	s->memcg = memcg;
	s->nr_zones = bpf_core_enum_value(enum zone_type, __MAX_NR_ZONES);
	if (s->nr_zones > MAX_ZONES)
		s->nr_zones = MAX_ZONES;
	if (bounded) {
		for (__u32 i = 0; i < MAX_NODES * MAX_ZONES; i++) {
			if (i >= nodes * s->nr_zones || zcg_lru_sum_step(i))
				break;
		}
	} else {
		bpf_loop(nodes * s->nr_zones, lru_sum_step, NULL, 0);
	}
	return s;
}

static __always_inline int emit_memcg(struct cgroup_subsys_state *css, __u32 depth, const bool bounded)
{
	struct mem_cgroup *memcg = (void *)css;	/* css is the first member */
	struct cgroup_subsys_state *parent;
	struct zcg_folio_memcg_rec *rec;

	rec = bpf_ringbuf_reserve(&records, sizeof(*rec), 0);
	if (!rec)
		return -1;
	rec->type = ZCG_REC_MEMCG;
	rec->css_flags = BPF_CORE_READ(css, flags);
	rec->id = css_cgroup_id(css);
	parent = BPF_CORE_READ(css, parent);
	rec->parent_id = parent ? css_cgroup_id(parent) : 0;
	rec->usage_pages = BPF_CORE_READ(memcg, memory.usage.counter);
	rec->memsw_pages = bpf_core_field_exists(memcg->memsw) ? BPF_CORE_READ(memcg, memsw.usage.counter) : 0;
	rec->kmem_pages = bpf_core_field_exists(memcg->kmem) ? BPF_CORE_READ(memcg, kmem.usage.counter) : 0;
	rec->memcg_id = BPF_CORE_READ(memcg, id.id);
	rec->depth = depth;
	rec->css = (unsigned long)css;
	for (int l = 0; l < ZCG_NR_LRU; l++)
		rec->lru_pages[l] = 0;
	/* Per-list sizes only where they matter: dying memcgs, whose folios get walked. */
	if (!(rec->css_flags & CSS_ONLINE_FLAG)) {
		struct lru_sum *s = lru_sum_of(memcg, bounded);

		for (int l = 0; l < ZCG_NR_LRU; l++)
			rec->lru_pages[l] = s->pages[l];
	}
	rec->name[0] = '\0';
	bpf_probe_read_kernel_str(rec->name, sizeof(rec->name), BPF_CORE_READ(css, cgroup, kn, name));
	bpf_ringbuf_submit(rec, BPF_RB_NO_WAKEUP);
	return 0;
}

/* ---- checking a css address before following it ---- */

#define CSS_RELEASED_FLAG	0x4

/* Whether css still is the memcg with cgroup id `id` and still on the tree. Addresses come
 * from earlier runs (and through userspace), between which the css may have been released
 * and freed, and its memory reused. Reading it is safe either way (every read is a probe).
 * What makes the answer right: under cgroup_mutex, which the iterator holds, a css is unlinked
 * from its parent's children and marked CSS_RELEASED before it can be freed (css_release_work_fn
 * takes the mutex), and cgroup ids (kernfs node ids) are never reused while the system runs.
 * So a css that still reads back its own id, is not released and is still linked (its
 * neighbour points back at it) is alive, and stays so until this run returns. */
static __always_inline bool css_alive(struct cgroup_subsys_state *css, __u64 id)
{
	struct list_head *sib, *prev;

	if (!css || (long)css > 0 || !id)
		return false;
	if (css_cgroup_id(css) != id)
		return false;
	if (BPF_CORE_READ(css, flags) & CSS_RELEASED_FLAG)
		return false;
	sib = (void *)css + bpf_core_field_offset(struct cgroup_subsys_state, sibling);
	prev = BPF_CORE_READ(css, sibling.prev);
	return prev && read_ptr(&prev->next) == sib;
}

/* ---- the css tree, pre-order ---- */

struct css_walk {
	struct cgroup_subsys_state *root, *pos;
	__u64 n;			/* memcgs passed */
	__u32 depth;
	bool ascending;			/* pos and its subtree are done: look for its next sibling */
	bool full;
};

/* One step of an iterative pre-order walk: visit a css and go to its first child, or (when
 * ascending) go to the next sibling, else up to the parent. One step, constant work: the
 * verifier and cgroup_mutex both like it that way. */
static struct css_walk css_state;

static __always_inline long css_step_body(const bool bounded)
{
	struct css_walk *w = &css_state;
	unsigned long children_off = bpf_core_field_offset(struct cgroup_subsys_state, children);
	unsigned long sibling_off = bpf_core_field_offset(struct cgroup_subsys_state, sibling);
	struct cgroup_subsys_state *pos = w->pos, *parent;
	struct list_head *n;

	if (!pos)
		return 1;
	steps++;
	if (w->ascending) {
		if (pos == w->root) {
			w->pos = NULL;
			return 1;
		}
		parent = BPF_CORE_READ(pos, parent);
		if (!parent) {
			w->pos = NULL;
			return 1;
		}
		n = BPF_CORE_READ(pos, sibling.next);
		if (n && (void *)n != (void *)parent + children_off) {
			w->pos = (void *)n - sibling_off;
			w->ascending = false;
		} else {
			w->pos = parent;
			if (w->depth)
				w->depth--;
		}
		return 0;
	}

	if (w->n >= skip_memcgs) {
		/* a bounded run: the rest comes in the next one, from here */
		if (emitted >= emit_limit || emit_memcg(pos, w->depth, bounded) < 0) {
			w->full = true;
			return 1;
		}
		emitted++;
	}
	w->n++;

	n = BPF_CORE_READ(pos, children.next);
	if (n && (void *)n != (void *)pos + children_off && w->depth < MAX_DEPTH) {
		w->pos = (void *)n - sibling_off;
		w->depth++;
	} else {
		w->ascending = true;
	}
	return 0;
}

static long css_step(__u64 i, void *unused)
{
	return css_step_body(false);
}

/* Kernels without bpf_loop() (before 5.17): the same steps as two nested bounded loops of
 * global functions, each verified once on its own. */
#define STEP_CHUNK 4096

__attribute__((noinline)) int zcg_css_step(void)
{
	return css_step_body(true);
}

__attribute__((noinline)) int zcg_css_chunk(void)
{
	for (int i = 0; i < STEP_CHUNK; i++) {
		if (zcg_css_step())
			return 1;
	}
	return 0;
}

static __always_inline void walk_memcgs(struct cgroup_subsys_state *root, const bool bounded)
{
	struct css_walk *w = &css_state;

	w->root = root;
	w->pos = root;
	w->n = 0;
	if (resume_css && css_alive((void *)resume_css, resume_id)) {
		/* the run before stopped here: go on, skipping nothing */
		w->pos = (void *)resume_css;
		w->depth = resume_depth;
		w->n = skip_memcgs;
	}
	resume_css = resume_id = 0;
	if (bounded) {
		for (int c = 0; c < MAX_TREE_STEPS / STEP_CHUNK; c++) {
			if (zcg_css_chunk())
				break;
		}
	} else {
		bpf_loop(MAX_TREE_STEPS, css_step, NULL, 0);
	}
	if (w->full && w->pos) {
		resume_css = (unsigned long)w->pos;
		resume_id = css_cgroup_id(w->pos);
		resume_depth = w->depth;
	}
	status = w->full || w->pos ? ZCG_WALK_MORE : ZCG_WALK_DONE;
}

/* ---- the folios of one memcg ---- */

struct lru_walk {
	struct mem_cgroup *memcg;	/* the current target, NULL: take the next one */
	__u64 id;			/* its cgroup id */
	struct list_head *head;		/* current list's head, NULL: not looked up yet */
	struct list_head *pos;		/* next list node, NULL: the head's first */
	unsigned long mglru_off;	/* offset of the MGLRU list array in lruvec, 0: none */
	__u32 node, list, nr_lists;
	__u32 nr_zones;			/* MAX_NR_ZONES: the MGLRU array's last dimension */
	__u32 unevictable;		/* LRU_UNEVICTABLE */
	__u32 nonempty;			/* bit type * nr_zones + zone: that (type, zone) has pages */
	unsigned long flags_off;	/* offset of folio->flags (page->flags before folios) */
	unsigned long lru_off, memcg_off, mapping_off, index_off, mapcount_off;
	unsigned long page_size;	/* sizeof(struct page): where a compound page's tail is */
	bool resumed;			/* pos came from the last run: check it first */
	__u32 full;			/* the ring buffer is full: stop this run */
	/* page flag bits, looked up once (they moved between kernel versions) */
	__u32 pg_dirty, pg_writeback, pg_head, pg_swapbacked, pg_swapcache, pg_unevictable,
	      pg_mlocked, pg_active;
};

static __always_inline void next_list(struct lru_walk *w)
{
	w->head = NULL;
	w->pos = NULL;
	w->resumed = false;
	if (++w->list >= w->nr_lists) {
		w->list = 0;
		w->node++;
	}
}

/* Whether list w->list can hold folios, from lru_zone_size as read when the target's walk
 * began: classic lists of a type (anon, file) with no pages in any zone are skipped without a
 * read. A dying memcg gets no new charges, and folios keep their type, so what is empty stays
 * empty. MGLRU's lists are always walked: lru_gen_update_size() keeps the node's counters but
 * not the memcg's lru_zone_size (it calls __update_lru_size, not update_lru_size), which
 * reads 0 for folios on them (seen on Debian's 6.12, MGLRU on). */
static __always_inline bool list_may_hold(struct lru_walk *w)
{
	__u32 l = w->list, type, zone_bits = (1u << w->nr_zones) - 1;

	if (!w->nr_zones || l >= ZCG_NR_LRU)
		return true;
	type = l >= 2;	/* LRU_INACTIVE_ANON, LRU_ACTIVE_ANON, then the file lists */
	return (w->nonempty >> (type * w->nr_zones)) & zone_bits;
}

static __always_inline struct list_head *list_head_of(struct lru_walk *w)
{
	void *pn, *lruvec;

	pn = read_ptr((void *)w->memcg + bpf_core_field_offset(struct mem_cgroup, nodeinfo) +
		      w->node * sizeof(void *));
	if (!pn)
		return NULL;
	lruvec = pn + bpf_core_field_offset(struct mem_cgroup_per_node, lruvec);
	if (w->list < ZCG_NR_LRU)
		return lruvec + bpf_core_field_offset(struct lruvec, lists) +
		       w->list * sizeof(struct list_head);
	return lruvec + w->mglru_off + (w->list - ZCG_NR_LRU) * sizeof(struct list_head);
}

static __always_inline bool flag(unsigned long flags, __u32 bit)
{
	return bit < 64 && (flags >> bit) & 1;
}

static __always_inline __u32 large_folio_pages(struct lru_walk *w, struct folio___compat *f)
{
	unsigned int nr = 0;

	if (!HAVE_FOLIOS) {
		struct page___zcg510 *tail = (void *)f + w->page_size;

		nr = 1u << (BPF_CORE_READ(tail, compound_order) & 0x1f);
	} else if (bpf_core_field_exists(f->_nr_pages))
		nr = BPF_CORE_READ(f, _nr_pages);
	else if (bpf_core_field_exists(f->_folio_nr_pages))
		nr = BPF_CORE_READ(f, _folio_nr_pages);
	else if (bpf_core_field_exists(f->_flags_1))
		nr = 1u << (BPF_CORE_READ(f, _flags_1) & 0x1f);	/* folio order in bits 0-7 */
	return nr ? nr : 1;
}

/* Mapped into some page table: small folios count from -1 in _mapcount; large ones keep
 * the count elsewhere, by kernel version. */
static __always_inline bool folio_is_mapped(struct lru_walk *w, struct folio *folio, bool large)
{
	struct folio___compat *f = (void *)folio;

	if (!large)
		return read_int((void *)folio + w->mapcount_off) >= 0;
	if (!HAVE_FOLIOS) {
		struct page___zcg510 *tail = (void *)folio + w->page_size;

		return BPF_CORE_READ(tail, compound_mapcount.counter) >= 0 ||
		       read_int((void *)folio + w->mapcount_off) >= 0;
	}
	if (bpf_core_field_exists(f->_large_mapcount))
		return BPF_CORE_READ(f, _large_mapcount.counter) >= 0;
	if (bpf_core_field_exists(f->_total_mapcount))
		return BPF_CORE_READ(f, _total_mapcount.counter) >= 0;
	if (bpf_core_field_exists(f->_entire_mapcount) &&
	    BPF_CORE_READ(f, _entire_mapcount.counter) >= 0)
		return true;
	if (bpf_core_field_exists(f->_nr_pages_mapped))
		return (BPF_CORE_READ(f, _nr_pages_mapped.counter) & 0x7fffff) > 0;
	return false;
}

/* Some live process that can map an anon folio: the owner of the mm of the first VMA
 * on its anon_vma's interval tree. */
static __always_inline __u32 anon_owner(struct anon_vma *av)
{
	struct mm_struct___compat *mm;
	struct anon_vma_chain *avc;
	struct vm_area_struct *vma;
	struct task_struct *owner;
	struct rb_node *node;

	node = BPF_CORE_READ(av, rb_root.rb_root.rb_node);
	if (!node)
		return 0;
	avc = (void *)node - bpf_core_field_offset(struct anon_vma_chain, rb);
	vma = BPF_CORE_READ(avc, vma);
	if (!vma)
		return 0;
	mm = (void *)BPF_CORE_READ(vma, vm_mm);
	if (!mm || !bpf_core_field_exists(mm->owner))
		return 0;
	owner = BPF_CORE_READ(mm, owner);
	return owner ? BPF_CORE_READ(owner, tgid) : 0;
}

static __always_inline void fill_folio(struct lru_walk *w, struct folio *folio,
				       unsigned long pflags, struct zcg_folio_rec *rec)
{
	unsigned long mapping;
	bool large;

	rec->type = ZCG_REC_FOLIO;
	rec->memcg = w->id;
	rec->lru = w->list;
	rec->flags = 0;
	rec->ino = rec->index = 0;
	rec->dev = rec->generation = rec->owner_pid = rec->sb_magic = 0;
	rec->rdev = rec->reserved = 0;
	large = flag(pflags, w->pg_head);
	rec->nr_pages = large ? large_folio_pages(w, (void *)folio) : 1;
	if (large)
		rec->flags |= ZCG_FOLIO_LARGE;
	if (flag(pflags, w->pg_dirty))
		rec->flags |= ZCG_FOLIO_DIRTY;
	if (flag(pflags, w->pg_writeback))
		rec->flags |= ZCG_FOLIO_WRITEBACK;
	if (flag(pflags, w->pg_unevictable))
		rec->flags |= ZCG_FOLIO_UNEVICTABLE;
	if (flag(pflags, w->pg_mlocked))
		rec->flags |= ZCG_FOLIO_MLOCKED;
	if (flag(pflags, w->pg_active))
		rec->flags |= ZCG_FOLIO_ACTIVE;
	if (flag(pflags, w->pg_swapbacked)) {
		rec->flags |= ZCG_FOLIO_SWAPBACKED;
		/* PG_swapcache shares its bit with other flags: only valid if swap-backed */
		if (flag(pflags, w->pg_swapcache))
			rec->flags |= ZCG_FOLIO_SWAPCACHE;
	}
	if (folio_is_mapped(w, folio, large))
		rec->flags |= ZCG_FOLIO_MAPPED;

	mapping = (unsigned long)read_ptr((void *)folio + w->mapping_off);
	if (!mapping) {
		rec->flags |= ZCG_FOLIO_NO_MAPPING;
		return;
	}
	if (mapping & MAPPING_ANON) {
		struct anon_vma *av = (void *)(mapping & ~MAPPING_FLAGS);

		rec->flags |= ZCG_FOLIO_ANON;
		if ((mapping & MAPPING_FLAGS) == MAPPING_FLAGS) {
			rec->flags |= ZCG_FOLIO_KSM;
			return;
		}
		rec->ino = (__u64)(unsigned long)BPF_CORE_READ(av, root);
		rec->owner_pid = anon_owner(av);
		return;
	}

	struct address_space *as = (void *)mapping;
	struct inode *host = BPF_CORE_READ(as, host);

	rec->index = read_ulong((void *)folio + w->index_off);
	if (!host)
		return;
	rec->ino = BPF_CORE_READ(host, i_ino);
	rec->generation = BPF_CORE_READ(host, i_generation);
	if (BPF_CORE_READ(host, __i_nlink) == 0)
		rec->flags |= ZCG_FOLIO_UNLINKED;
	rec->dev = BPF_CORE_READ(host, i_sb, s_dev);
	rec->sb_magic = (__u32)BPF_CORE_READ(host, i_sb, s_magic);
	if (rec->sb_magic == BDEVFS_MAGIC_LO)
		rec->rdev = BPF_CORE_READ(host, i_rdev);
}

static struct lru_walk lru_state;

static __always_inline void walked(struct lru_walk *w, __u32 result)
{
	struct zcg_walked_rec *rec = bpf_ringbuf_reserve(&records, sizeof(*rec), 0);

	if (!rec) {
		w->full = true;
		return;
	}
	rec->type = ZCG_REC_WALKED;
	rec->status = result;
	rec->id = w->id;
	rec->folios = cur_folios;
	rec->restarts = cur_restarts;
	rec->strays = cur_strays;
	bpf_ringbuf_submit(rec, BPF_RB_NO_WAKEUP);
	/* on to the next target, from its first list */
	w->memcg = NULL;
	w->head = w->pos = NULL;
	w->resumed = false;
	w->node = w->list = 0;
	cur_folios = 0;
	cur_restarts = cur_strays = 0;
	cur_target++;
}

/* Takes targets[cur_target] as the memcg to walk, if it is still alive. */
static __always_inline bool take_target(struct lru_walk *w, const bool bounded)
{
	__u32 key = cur_target;
	struct zcg_walk_target *t = bpf_map_lookup_elem(&targets, &key);

	if (!t)
		return false;
	w->id = t->id;
	if (!css_alive((void *)t->css, t->id))
		return false;
	w->memcg = (void *)t->css;	/* css is the memcg's first member */
	/* which (type, zone) pairs hold pages (list_may_hold): nr_zones is the same in both */
	w->nonempty = lru_sum_of(w->memcg, bounded)->nonempty;
	return true;
}

static __always_inline long folio_step_body(const bool bounded)
{
	struct lru_walk *w = &lru_state;
	unsigned long lru_off = w->lru_off;
	unsigned long memcg_data, pflags;
	struct zcg_folio_rec *rec;
	struct folio *folio;

	steps++;
	if (!w->memcg) {
		if (cur_target >= n_targets || cur_target >= ZCG_TARGET_BATCH)
			return 1;
		if (!take_target(w, bounded)) {
			/* freed since the memcg walk: nothing holds it any more */
			walked(w, ZCG_WALK_NOT_FOUND);
			return w->full & 1;	/* the verifier wants 0 or 1 */
		}
		return 0;
	}
	if (w->node >= nr_nodes || w->node >= MAX_NODES) {
		walked(w, ZCG_WALK_DONE);
		return w->full & 1;	/* the verifier wants 0 or 1 */
	}
	if (w->list >= w->nr_lists) {
		/* a cursor from the last run that points past the lists */
		w->list = w->nr_lists - 1;
		next_list(w);
		return 0;
	}
	/* Since 5.18 unevictable folios sit on no list (their lru field holds mlock_count);
	 * the old list head is stale (LIST_POISON on 6.18). lru_zone_size still counts them. */
	if (w->list == w->unevictable || !list_may_hold(w)) {
		next_list(w);
		return 0;
	}
	if (!w->head) {
		w->head = list_head_of(w);
		if (!w->head) {
			next_list(w);
			return 0;
		}
	}
	if (!w->pos)
		w->pos = read_ptr(&w->head->next);
	if (!w->pos || w->pos == w->head) {
		next_list(w);
		return 0;
	}
	/* Kernel addresses have the top bit set on 64-bit; anything else (LIST_POISON) means
	 * the node was unlinked under us. A folio charged elsewhere means the same. */
	folio = (void *)w->pos - lru_off;
	memcg_data = (long)w->pos < 0 ? read_ulong((void *)folio + w->memcg_off) : 0;
	memcg_data &= ~MEMCG_DATA_FLAGS_MASK;
	if (memcg_data && bpf_core_field_exists(((struct mem_cgroup_per_node___objcg *)0)->objcg))
		memcg_data = (unsigned long)read_ptr((void *)memcg_data +
						     bpf_core_field_offset(struct obj_cgroup___compat, memcg));
	if (memcg_data != (unsigned long)w->memcg) {
		if (w->resumed) {
			/* the folio we stopped at left: walk this list again from its start */
			cur_restarts++;
			w->resumed = false;
			w->pos = read_ptr(&w->head->next);
			return 0;
		}
		cur_strays++;
		next_list(w);
		return 0;
	}
	w->resumed = false;
	pflags = read_ulong((void *)folio + w->flags_off);

	rec = bpf_ringbuf_reserve(&records, sizeof(*rec), 0);
	if (!rec) {
		w->full = true;
		return 1;
	}
	fill_folio(w, folio, pflags, rec);
	bpf_ringbuf_submit(rec, BPF_RB_NO_WAKEUP);
	emitted++;
	cur_folios++;
	w->pos = read_ptr(&w->pos->next);
	return 0;
}

static long folio_step(__u64 i, void *unused)
{
	return folio_step_body(false);
}

__attribute__((noinline)) int zcg_folio_step(void)
{
	return folio_step_body(true);
}

__attribute__((noinline)) int zcg_folio_chunk(void)
{
	for (int i = 0; i < STEP_CHUNK; i++) {
		if (zcg_folio_step())
			return 1;
	}
	return 0;
}

/* The layout facts every target shares, looked up once per run. */
static void lru_walk_setup(struct lru_walk *w)
{
	__u32 nr_mglru = 0, size = 0;

	w->mglru_off = 0;
	if (ZCG_CORE_ARRAY(struct lruvec___mglru, struct lruvec___mglru3d, lrugen.folios, w->mglru_off, size)) {
		nr_mglru = size / sizeof(struct list_head);
	} else if (bpf_core_field_exists(((struct lruvec___mglru61 *)0)->lrugen.lists)) {
		w->mglru_off = bpf_core_field_offset(struct lruvec___mglru61, lrugen.lists);
		nr_mglru = bpf_core_field_size(struct lruvec___mglru61, lrugen.lists) / sizeof(struct list_head);
	}
	w->nr_lists = ZCG_NR_LRU + (nr_mglru < MAX_LISTS - ZCG_NR_LRU ? nr_mglru : MAX_LISTS - ZCG_NR_LRU);
	w->nr_zones = bpf_core_enum_value(enum zone_type, __MAX_NR_ZONES);
	if (w->nr_zones > MAX_ZONES)
		w->nr_zones = MAX_ZONES;

	if (HAVE_FOLIOS) {
		w->lru_off = bpf_core_field_offset(struct folio, lru);
		w->memcg_off = bpf_core_field_offset(struct folio, memcg_data);
		w->mapping_off = bpf_core_field_offset(struct folio, mapping);
		w->index_off = bpf_core_field_offset(struct folio, index);
		w->mapcount_off = bpf_core_field_offset(struct folio, _mapcount);
		if (bpf_core_field_exists(((struct folio___ulflags *)0)->flags))
			w->flags_off = bpf_core_field_offset(struct folio___ulflags, flags);
		else
			w->flags_off = bpf_core_field_offset(struct folio___mdflags, flags);
	} else {
		w->lru_off = bpf_core_field_offset(struct page___zcg510, lru);
		if (bpf_core_field_exists(((struct page___zcg510 *)0)->memcg_data))
			w->memcg_off = bpf_core_field_offset(struct page___zcg510, memcg_data);
		else
			w->memcg_off = bpf_core_field_offset(struct page___zcg510, mem_cgroup);
		w->mapping_off = bpf_core_field_offset(struct page___zcg510, mapping);
		w->index_off = bpf_core_field_offset(struct page___zcg510, index);
		w->mapcount_off = bpf_core_field_offset(struct page___zcg510, _mapcount);
		w->flags_off = bpf_core_field_offset(struct page___zcg510, flags);
		w->page_size = bpf_core_type_size(struct page___zcg510);
	}
	w->unevictable = bpf_core_enum_value(enum lru_list, LRU_UNEVICTABLE);
	w->pg_dirty = bpf_core_enum_value(enum pageflags, PG_dirty);
	w->pg_writeback = bpf_core_enum_value(enum pageflags, PG_writeback);
	w->pg_head = bpf_core_enum_value(enum pageflags, PG_head);
	w->pg_swapbacked = bpf_core_enum_value(enum pageflags, PG_swapbacked);
	w->pg_swapcache = bpf_core_enum_value(enum pageflags, PG_swapcache);
	w->pg_unevictable = bpf_core_enum_value(enum pageflags, PG_unevictable);
	w->pg_mlocked = bpf_core_enum_value(enum pageflags, PG_mlocked);
	w->pg_active = bpf_core_enum_value(enum pageflags, PG_active);
}

static __always_inline void walk_targets(const bool bounded)
{
	struct lru_walk *w = &lru_state;

	w->full = 0;
	lru_walk_setup(w);
	w->memcg = NULL;
	w->head = NULL;
	w->node = cur_node;
	w->list = cur_list;
	w->pos = (void *)cur_pos;
	/* The target in progress when the last run stopped may have been freed since: check
	 * it again before going on in its lists. */
	if (cur_target < n_targets && (cur_node || cur_list || cur_pos)) {
		if (take_target(w, bounded)) {
			w->resumed = cur_pos != 0;
		} else {
			walked(w, ZCG_WALK_NOT_FOUND);
		}
	}

	if (bounded) {
		for (int c = 0; c < MAX_BUDGET / STEP_CHUNK; c++) {
			if ((__u32)c * STEP_CHUNK >= budget || zcg_folio_chunk())
				break;
		}
	} else {
		bpf_loop(budget, folio_step, NULL, 0);
	}

	cur_node = w->node;
	cur_list = w->list;
	cur_pos = (unsigned long)w->pos;
	status = cur_target >= n_targets ? ZCG_WALK_DONE : ZCG_WALK_MORE;
}

SEC("iter/cgroup")
int memcg_folios(struct bpf_iter__cgroup *ctx)
{
	struct cgroup *cgrp = ctx->cgroup;
	struct css_walk *t = &css_state;
	int memory_id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	struct cgroup_subsys_state *root;

	if (!cgrp)
		return 0;
	emitted = 0;
	__builtin_memset(t, 0, sizeof(*t));
	if (memory_id < 0 || memory_id >= 16)
		return 0;
	root = read_ptr((void *)cgrp + bpf_core_field_offset(struct cgroup, subsys) +
			memory_id * sizeof(void *));
	if (mode == ZCG_MODE_MEMCGS)
		walk_memcgs(root, false);
	else
		walk_targets(false);
	return 0;
}

/* ---- before 6.1: the same walks from an iter/task program ----
 *
 * No iter/cgroup (6.1) and no bpf_loop() (5.17): the first task the iterator shows leads to
 * its memory css (task->cgroups->subsys[memory_cgrp_id]), ->parent climbs to the root, and
 * the walks above run as bounded loops of global functions. No cgroup_mutex is held: the run
 * is one invocation under rcu_read_lock() (bpf_iter_run_prog), and css are unlinked with
 * list_del_rcu() and freed after a grace period, which is how the kernel's own
 * css_next_child() walks them; a css kept from an earlier run (a resume point, a target) is
 * checked by css_alive() before use, and every read is a probe. bpf/memcg_census.bpf.c's
 * task entry point has the whole argument. */
#define CSS_CLIMB_MAX 64

__u32 task_started;		/* reset by the loader before each run */

SEC("iter/task")
int memcg_folios_task(struct bpf_iter__task *ctx)
{
	struct task_struct___zcgf *task = (void *)ctx->task;
	struct css_walk *t = &css_state;
	int memory_id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	struct cgroup_subsys_state *css, *parent;
	struct css_set___zcgf *cset;
	int d;

	if (!task || task_started)
		return 0;
	task_started = 1;
	emitted = 0;
	__builtin_memset(t, 0, sizeof(*t));
	if (memory_id < 0 || memory_id >= 16)
		return 0;
	cset = BPF_CORE_READ(task, cgroups);
	if (!cset)
		return 0;
	css = read_ptr((void *)cset + bpf_core_field_offset(struct css_set___zcgf, subsys) +
		       memory_id * sizeof(void *));
	for (d = 0; d < CSS_CLIMB_MAX && css; d++) {
		parent = BPF_CORE_READ(css, parent);
		if (!parent)
			break;
		css = parent;
	}
	if (!css || d == CSS_CLIMB_MAX)
		return 0;
	if (mode == ZCG_MODE_MEMCGS)
		walk_memcgs(css, true);
	else
		walk_targets(true);
	return 0;
}
