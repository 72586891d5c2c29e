// SPDX-License-Identifier: GPL-2.0
/* The BPF census source: every memcg of the hierarchy, dying ones included, from
 * bpf/memcg_census.bpf.c (lib/bpf_census.c), turned into the struct zcg_census that the
 * cgroupfs source fills, but exact and with one row per zombie.
 *
 * What a zombie pins is what sits on its LRU lists (page cache, anon, shmem, unevictable)
 * plus its swap entries. Its usage counter is not a good measure: kernel memory charged
 * through an obj_cgroup is uncharged from the parent once the objcg is reparented at offline,
 * so the dying memcg's own counter keeps those pages forever without being pinned by them
 * (seen on 6.18: usage = file LRU + kmem exactly). usage_bytes is still reported, as the
 * kernel counts it; pinned_bytes and the kinds come from the LRU sizes and swap. (Folios
 * charged a moment ago can still sit in a per-CPU LRU-add batch, not yet counted: a few pages
 * per CPU, gone by the time a zombie is old enough to matter.)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpf_census.h"
#include "error.h"
#include "memcg_tree.h"
#include "census.h"
#include "util.h"

/* A record's numbers in pages, made local: the kernel's page counters are hierarchical (a
 * memcg's usage includes its descendants'), and so are the vmstat fields on older kernels;
 * subtracting the direct children's values leaves the memcg's own share. */
enum {
	V_USAGE,
	V_SWAP,
	V_FILE,		/* vmstat fields, local only after subtraction if ZCG_REC_VMSTAT_HIER */
	V_ANON,
	V_SHMEM,
	V_MAPPED,
	V_DIRTY,
	V_WRITEBACK,
	V_KMEM,
	_V_MAX,
};

/* One memcg on the path from the walk's root to the record last read: what the census needs
 * of its record until its subtree is complete (a record is ~400 bytes, most of it the name
 * buffer). Records come in pre-order, so a memcg's subtree is complete when a record at its
 * depth or above arrives; only the current path is kept, never the whole tree. stack[d] goes
 * with tree.levels[d] (lib/memcg_tree.h), which has its id, path and nearest live ancestor. */
struct node {
	uint64_t memcg_id;
	uint64_t lru_anon, lru_file, lru_unevictable;	/* ZCG_UNKNOWN where unknown */
	uint64_t own[_V_MAX];	/* as the record has them; ZCG_UNKNOWN where unknown */
	uint64_t children[_V_MAX];	/* sums over the direct children */
	int32_t subtree;	/* its slot in census->subtrees when it has zombies, else -1 */
	uint32_t flags;		/* the record's ZCG_REC_* */
	bool dying;
	bool in_scope;
};

static void rec_values(const struct zcg_memcg_rec *r, uint64_t v[_V_MAX])
{
	v[V_USAGE] = r->usage_pages;
	v[V_SWAP] = r->swap_pages;
	v[V_FILE] = r->file_pages;
	v[V_ANON] = r->anon_pages;
	v[V_SHMEM] = r->shmem_pages;
	v[V_MAPPED] = r->file_mapped_pages;
	v[V_DIRTY] = r->file_dirty_pages;
	v[V_WRITEBACK] = r->writeback_pages;
	v[V_KMEM] = r->kmem_pages;
}

static bool value_is_hierarchical(const struct node *nd, int v)
{
	return v == V_USAGE || v == V_SWAP || (nd->flags & ZCG_REC_VMSTAT_HIER);
}

static uint64_t local_value(const struct node *nd, int v)
{
	if (nd->own[v] == ZCG_UNKNOWN)
		return ZCG_UNKNOWN;
	if (!value_is_hierarchical(nd, v))
		return nd->own[v];
	return nd->own[v] > nd->children[v] ? nd->own[v] - nd->children[v] : 0;
}

/* Pages of a zombie by kind, v1 memory.stat terms (cache includes shmem). */
struct zombie_pages {
	uint64_t usage, cache, rss, shmem, mapped, dirty, writeback, swap, kmem;	/* ZCG_UNKNOWN: unknown */
};

static void zombie_pages(const struct node *nd, struct zombie_pages *p)
{
	uint64_t shmem = local_value(nd, V_SHMEM), lru_anon = nd->lru_anon, on_anon;

	p->usage = local_value(nd, V_USAGE);
	p->swap = local_value(nd, V_SWAP);
	p->shmem = shmem;
	p->mapped = local_value(nd, V_MAPPED);
	p->dirty = local_value(nd, V_DIRTY);
	p->writeback = local_value(nd, V_WRITEBACK);
	p->kmem = local_value(nd, V_KMEM);
	if (lru_anon != ZCG_UNKNOWN && nd->lru_file != ZCG_UNKNOWN && nd->lru_unevictable != ZCG_UNKNOWN) {
		/* The LRU sizes are current; shmem sits on the anon LRU but counts as cache. The
		 * vmstat shmem may lag by a flush period, hence the clamp. Unevictable pages
		 * (ramfs, SHM_LOCK, mlock) are counted as cache: for a zombie they are file pages
		 * mapped or locked by someone else far more often than anon ones. */
		on_anon = shmem == ZCG_UNKNOWN ? 0 : (shmem < lru_anon ? shmem : lru_anon);
		p->cache = nd->lru_file + nd->lru_unevictable + on_anon;
		p->rss = lru_anon - on_anon;
	} else {
		p->cache = local_value(nd, V_FILE);
		p->rss = local_value(nd, V_ANON);
	}
}

static int64_t bytes_or_unknown(uint64_t pages, uint64_t page_size)
{
	return pages == ZCG_UNKNOWN ? -1 : (int64_t)(pages * page_size);
}

/* Adds pages to a byte total that stays -1 once anything added was unknown. */
static void add_known(int64_t *total, uint64_t pages, uint64_t page_size)
{
	if (*total < 0)
		return;
	if (pages == ZCG_UNKNOWN)
		*total = -1;
	else
		*total += (int64_t)(pages * page_size);
}

static void add_kinds(int64_t kind_bytes[_ZCG_KIND_MAX], int64_t *pinned, const struct zombie_pages *p,
		      uint64_t page_size)
{
	add_known(&kind_bytes[ZCG_KIND_CACHE], p->cache, page_size);
	add_known(&kind_bytes[ZCG_KIND_RSS], p->rss, page_size);
	add_known(&kind_bytes[ZCG_KIND_SHMEM], p->shmem, page_size);
	add_known(&kind_bytes[ZCG_KIND_MAPPED_FILE], p->mapped, page_size);
	add_known(&kind_bytes[ZCG_KIND_DIRTY], p->dirty, page_size);
	add_known(&kind_bytes[ZCG_KIND_WRITEBACK], p->writeback, page_size);
	add_known(&kind_bytes[ZCG_KIND_SWAP], p->swap, page_size);
	add_known(pinned, p->cache, page_size);
	add_known(pinned, p->rss, page_size);
	add_known(pinned, p->swap, page_size);
}

static int64_t zombie_pinned(const struct zcg_zombie *z)
{
	return (z->file_bytes > 0 ? z->file_bytes : 0) + (z->anon_bytes > 0 ? z->anon_bytes : 0) +
	       (z->swap_bytes > 0 ? z->swap_bytes : 0);
}

static int cmp_zombie(const void *a, const void *b)
{
	const struct zcg_zombie *x = a, *y = b;
	int64_t px = zombie_pinned(x), py = zombie_pinned(y);

	if (px != py)
		return px > py ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* Builds the census as records arrive. */
struct builder {
	const struct zcg_sys *sys;
	const char *scope;
	uint64_t page_size;
	struct zcg_tree tree;	/* the current path: ids, paths, live ancestors */
	struct node *stack;	/* stack[d]: the memcg at depth d below the root on the current path */
	size_t allocated;
	size_t n;		/* records taken */
	uint64_t ids_used;
	struct zcg_census *census;
	size_t zombies_allocated, subtrees_allocated;
	int error;		/* the first error add() returned */
};

static void builder_init(struct builder *b, const struct zcg_sys *sys, const char *scope, uint64_t page_size)
{
	*b = (struct builder) { .sys = sys, .scope = scope ? scope : "/", .page_size = page_size };
}

static void builder_reset(void *userdata)
{
	struct builder *b = userdata;

	zcg_tree_reset(&b->tree);
	free(b->stack);
	zcg_census_free(b->census);
	builder_init(b, b->sys, b->scope, b->page_size);
}

static int census_new(const struct builder *b, struct zcg_census **ret)
{
	struct zcg_census *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->hierarchy = b->sys->hierarchy;
	c->memory_root = strdup(b->sys->memory_mount);
	c->scope = strdup(b->scope);
	if (!c->memory_root || !c->scope) {
		zcg_census_free(c);
		return -ENOMEM;
	}
	c->source = "bpf";
	c->dying_counter = "bpf";
	c->pinned_accuracy = "exact";
	*ret = c;
	return 0;
}

/* A former path's last component: the cgroup's name. */
static const char *path_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The memcg at the top of the stack: its subtree is complete, so its own share of the
 * hierarchical counters is known. Counted, and a row if it is a zombie in scope; popped. */
static int pop(struct builder *b)
{
	struct zcg_census *c = b->census;
	size_t top = b->tree.depth - 1;
	struct zcg_tree_level *lvl = &b->tree.levels[top], *anc_lvl = &b->tree.levels[lvl->live_anc];
	struct node *nd = &b->stack[top], *anc = &b->stack[lvl->live_anc];
	struct zombie_pages p;
	struct zcg_subtree *s;
	struct zcg_zombie *z;
	int r;

	if (!nd->in_scope || !nd->dying) {
		if (nd->in_scope)
			c->live++;
		goto done;
	}
	c->dying++;
	zombie_pages(nd, &p);
	add_kinds(c->kind_bytes, &c->pinned_bytes, &p, b->page_size);

	/* One row per zombie; its path moves into the row. */
	r = grow_array((void **)&c->zombies, &b->zombies_allocated, c->n_zombies + 1, sizeof(*c->zombies));
	if (r < 0)
		return r;
	z = &c->zombies[c->n_zombies++];
	*z = (struct zcg_zombie) {
		.id = lvl->id,
		.path = TAKE_PTR(lvl->path),
		.memcg_id = (int64_t)nd->memcg_id,
		.usage_bytes = bytes_or_unknown(p.usage, b->page_size),
		.file_bytes = bytes_or_unknown(p.cache, b->page_size),
		.anon_bytes = bytes_or_unknown(p.rss, b->page_size),
		.shmem_bytes = bytes_or_unknown(p.shmem, b->page_size),
		.swap_bytes = bytes_or_unknown(p.swap, b->page_size),
		.kmem_bytes = bytes_or_unknown(p.kmem, b->page_size),
		.count = 1,
	};
	z->name = strdup(path_name(z->path));
	z->parent = strdup(anc_lvl->path);
	if (!z->name || !z->parent)
		return -ENOMEM;

	/* And its share of its nearest live ancestor's row (in scope: the scope's root is a
	 * live cgroup). That ancestor is below it on the stack. */
	if (anc->subtree < 0) {
		r = grow_array((void **)&c->subtrees, &b->subtrees_allocated, c->n_subtrees + 1,
			       sizeof(*c->subtrees));
		if (r < 0)
			return r;
		s = &c->subtrees[c->n_subtrees];
		*s = (struct zcg_subtree) { .path = strdup(anc_lvl->path) };
		if (!s->path)
			return -ENOMEM;
		anc->subtree = (int32_t)c->n_subtrees++;
	}
	s = &c->subtrees[anc->subtree];
	s->dying++;
	add_kinds(s->kind_bytes, &s->pinned_bytes, &p, b->page_size);
done:
	zcg_tree_pop(&b->tree);
	return 0;
}

/* Returns 0, -EIO if the records are not a pre-order walk, -ENOMEM. */
static int builder_add_checked(struct builder *b, const struct zcg_memcg_rec *r)
{
	struct node *nd, *parent = NULL;
	size_t depth = 0;
	int ret;

	if (b->n == 0) {
		ret = census_new(b, &b->census);
		if (ret < 0)
			return ret;
	}
	ret = zcg_tree_place(&b->tree, r->level, r->parent_id, &depth);
	if (ret < 0)
		return ret;
	/* everything at its depth or below is complete */
	while (b->tree.depth > depth) {
		ret = pop(b);
		if (ret < 0)
			return ret;
	}
	if (grow_array((void **)&b->stack, &b->allocated, depth + 1, sizeof(*b->stack)) < 0)
		return -ENOMEM;
	parent = depth ? &b->stack[depth - 1] : NULL;
	nd = &b->stack[depth];
	*nd = (struct node) {
		.memcg_id = r->memcg_id,
		.lru_anon = r->lru_anon_pages,
		.lru_file = r->lru_file_pages,
		.lru_unevictable = r->lru_unevictable_pages,
		.subtree = -1,
		.flags = (uint32_t)r->flags,
		.dying = zcg_memcg_rec_dying(r),
	};
	rec_values(r, nd->own);
	ret = zcg_tree_push(&b->tree, depth, r->level, r->id, r->name, !nd->dying);
	if (ret < 0)
		return ret;
	nd->in_scope = path_has_prefix(b->tree.levels[depth].path, b->scope);
	if (parent)
		for (int v = 0; v < _V_MAX; v++)
			if (nd->own[v] != ZCG_UNKNOWN)
				parent->children[v] += nd->own[v];
	if (r->memcg_id)
		b->ids_used++;
	b->n++;
	return 0;
}

static int builder_add(void *userdata, const struct zcg_memcg_rec *r)
{
	struct builder *b = userdata;
	int r2 = b->error ? b->error : builder_add_checked(b, r);

	if (r2 < 0 && !b->error)
		b->error = r2;
	return r2;
}

/* Completes the census: the memcgs still on the stack, totals, sorting. */
static int builder_finish(struct builder *b, int64_t overhead_per_memcg, struct zcg_census **ret_census)
{
	struct zcg_census *c = b->census;
	int r;

	if (b->error)
		return b->error;
	if (b->n == 0)
		return -EIO;
	while (b->tree.depth > 0) {
		r = pop(b);
		if (r < 0)
			return r;
	}
	/* IDs are global to the memory controller: count them only if the walk saw all of it. */
	if (streq(b->sys->mount_root, "/")) {
		c->memcg_ids_used = (int64_t)b->ids_used;
		c->memcg_ids_exact = true;
	} else {
		c->memcg_ids_used = -1;
		c->memcg_ids_exact = false;
	}
	c->kernel_overhead_bytes = overhead_per_memcg >= 0 ? c->dying * overhead_per_memcg : -1;
	zcg_census_sort_subtrees(c);
	qsort_safe(c->zombies, c->n_zombies, sizeof(*c->zombies), cmp_zombie);
	*ret_census = TAKE_PTR(b->census);
	return 0;
}

int zcg_census_from_memcg_recs(const struct zcg_sys *sys, const char *scope, const struct zcg_memcg_rec *recs,
			       size_t n, uint64_t page_size, int64_t overhead_per_memcg,
			       struct zcg_census **ret_census)
{
	struct builder b;
	int r = 0;

	builder_init(&b, sys, scope, page_size);
	for (size_t i = 0; i < n && r == 0; i++)
		r = builder_add(&b, &recs[i]);
	if (r == 0)
		r = builder_finish(&b, overhead_per_memcg, ret_census);
	builder_reset(&b);
	return r;
}

int zcg_census_bpf(const struct zcg_sys *sys, const char *scope, struct zcg_census **ret_census)
{
	_cleanup_free_ char *btf = NULL, *stat = NULL, *buf = NULL;
	struct builder b;
	const struct zcg_memcg_sink sink = { .record = builder_add, .restart = builder_reset, .userdata = &b };
	uint64_t per_memcg = 0;
	int r;

	btf = zcg_sys_path(sys, ZCG_BTF_VMLINUX);
	stat = path_join(sys->memory_dir, "memory.stat");
	if (!btf || !stat)
		return -ENOMEM;
	r = zcg_bpf_available(btf);
	if (r < 0)
		return r;

	/* Reading memory.stat makes the kernel flush pending per-CPU statistics (when enough
	 * are pending), so the vmstat fields are closer to current. Best effort. */
	(void)read_full_file(stat, &buf, NULL);

	builder_init(&b, sys, scope, sysconf(_SC_PAGESIZE));
	r = zcg_bpf_walk_memcgs(sys->memory_dir, &sink);
	if (r >= 0)
		r = builder_finish(&b, zcg_memcg_kernel_overhead(&per_memcg) < 0 ? -1 : (int64_t)per_memcg,
				   ret_census);
	else if (b.error)
		r = b.error;	/* the walk stopped because building failed: say why building failed */
	else
		goto out;	/* the walk's own failure, with its sentence */
	if (r == -EIO)
		r = zcg_error(r, "the BPF census records do not form a pre-order walk of the hierarchy");
	else if (r < 0)
		r = zcg_error(r, "building the BPF census failed: %s", strerror(-r));
out:
	builder_reset(&b);
	return r;
}
