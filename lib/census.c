// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <string.h>

#include "census.h"
#include "error.h"
#include "stat.h"
#include "util.h"

const char *const zcg_kind_names[_ZCG_KIND_MAX] = {
	[ZCG_KIND_CACHE] = "cache",
	[ZCG_KIND_RSS] = "rss",
	[ZCG_KIND_SHMEM] = "shmem",
	[ZCG_KIND_MAPPED_FILE] = "mapped_file",
	[ZCG_KIND_DIRTY] = "dirty",
	[ZCG_KIND_WRITEBACK] = "writeback",
	[ZCG_KIND_SWAP] = "swap",
};

/* v1 memory.stat: local counters, then their hierarchical total_ twins. */
static const char *const v1_keys[2 * _ZCG_KIND_MAX] = {
	"cache", "rss", "shmem", "mapped_file", "dirty", "writeback", "swap",
	"total_cache", "total_rss", "total_shmem", "total_mapped_file", "total_dirty",
	"total_writeback", "total_swap",
};

/* v2 memory.stat is hierarchical only; swap lives in memory.swap.current. */
static const char *const v2_keys[_ZCG_KIND_MAX - 1] = {
	"file", "anon", "shmem", "file_mapped", "file_dirty", "file_writeback",
};

static const char *const v2_dying_keys[2] = { "nr_dying_subsys_memory", "nr_dying_descendants" };

bool zcg_census_has_zombie(const struct zcg_census *census, uint64_t id)
{
	for (size_t i = 0; i < census->n_zombies; i++)
		if (!census->zombies[i].estimated && census->zombies[i].id == id)
			return true;
	return false;
}

void zcg_census_free(struct zcg_census *census)
{
	if (!census)
		return;
	for (size_t i = 0; i < census->n_subtrees; i++)
		free(census->subtrees[i].path);
	for (size_t i = 0; i < census->n_zombies; i++) {
		free(census->zombies[i].name);
		free(census->zombies[i].path);
		free(census->zombies[i].parent);
	}
	free(census->subtrees);
	free(census->zombies);
	free(census->memory_root);
	free(census->scope);
	free(census->source_note);
	free(census);
}

struct walk {
	const struct zcg_sys *sys;
	struct zcg_census *census;
	size_t subtrees_allocated;
	uint64_t live;
	const char *dying_key;		/* v2: which cgroup.stat key counts dying memcgs */
};

/* Hierarchical numbers of one live cgroup, as its parent needs them. */
struct node_totals {
	uint64_t bytes[_ZCG_KIND_MAX];
	uint64_t dying;
};

/* The kernel's counters are unsigned 64-bit; ours are signed with -1 for unknown. A file
 * with absurd values (a corrupt or hostile saved tree) must give a huge number, not wrap. */
static int64_t bytes_to_int64(uint64_t v)
{
	return v > INT64_MAX ? INT64_MAX : (int64_t)v;
}

static int64_t add_saturated(int64_t a, int64_t b)
{
	int64_t sum;

	return __builtin_add_overflow(a, b, &sum) ? INT64_MAX : sum;
}

static int add_subtree(struct walk *w, const char *rel, int64_t dying, const uint64_t *bytes)
{
	struct zcg_census *c = w->census;
	struct zcg_subtree *s;
	int r;

	r = grow_array((void **)&c->subtrees, &w->subtrees_allocated, c->n_subtrees + 1,
		       sizeof(*c->subtrees));
	if (r < 0)
		return r;
	s = &c->subtrees[c->n_subtrees];
	s->path = strdup(rel);
	if (!s->path)
		return -ENOMEM;
	s->dying = dying;
	for (int k = 0; k < _ZCG_KIND_MAX; k++)
		s->kind_bytes[k] = bytes_to_int64(bytes[k]);
	s->pinned_bytes = add_saturated(add_saturated(s->kind_bytes[ZCG_KIND_CACHE], s->kind_bytes[ZCG_KIND_RSS]),
					s->kind_bytes[ZCG_KIND_SWAP]);
	c->n_subtrees++;
	return 0;
}

static int read_v1_node(const char *dir, uint64_t local[_ZCG_KIND_MAX], uint64_t total[_ZCG_KIND_MAX])
{
	_cleanup_free_ char *path = path_join(dir, "memory.stat");
	uint64_t values[2 * _ZCG_KIND_MAX] = {0};
	int r;

	if (!path)
		return -ENOMEM;
	r = zcg_read_keyed(path, v1_keys, ARRAY_SIZE(v1_keys), values, NULL);
	if (r < 0)
		return r;
	memcpy(local, values, _ZCG_KIND_MAX * sizeof(uint64_t));
	memcpy(total, values + _ZCG_KIND_MAX, _ZCG_KIND_MAX * sizeof(uint64_t));
	return 0;
}

static int read_v2_node(struct walk *w, const char *dir, uint64_t hier[_ZCG_KIND_MAX],
			uint64_t *ret_dying, bool *ret_memory_below)
{
	_cleanup_free_ char *stat = path_join(dir, "memory.stat");
	_cleanup_free_ char *cstat = path_join(dir, "cgroup.stat");
	_cleanup_free_ char *swap = path_join(dir, "memory.swap.current");
	_cleanup_free_ char *ctl = path_join(dir, "cgroup.subtree_control");
	_cleanup_free_ char *ctl_buf = NULL;
	uint64_t dying[2] = {0};
	bool found[2];
	int r;

	if (!stat || !cstat || !swap || !ctl)
		return -ENOMEM;
	memset(hier, 0, _ZCG_KIND_MAX * sizeof(uint64_t));
	r = zcg_read_keyed(stat, v2_keys, ARRAY_SIZE(v2_keys), hier, NULL);
	if (r < 0)
		return r;
	/* The root has no memory.swap.current, and kernels without swap accounting none. */
	if (zcg_read_u64_file(swap, &hier[ZCG_KIND_SWAP]) < 0)
		hier[ZCG_KIND_SWAP] = 0;
	r = zcg_read_keyed(cstat, v2_dying_keys, 2, dying, found);
	if (r < 0)
		return r;
	/* nr_dying_subsys_memory (6.11+) counts memcgs only; nr_dying_descendants counts
	 * cgroups dying for any controller, so it is the fallback. */
	if (!w->dying_key)
		w->dying_key = found[0] ? v2_dying_keys[0] : v2_dying_keys[1];
	*ret_dying = found[0] ? dying[0] : dying[1];
	*ret_memory_below = read_full_file(ctl, &ctl_buf, NULL) == 0 &&
			    (strstr(ctl_buf, "memory ") || strstr(ctl_buf, "memory\n") ||
			     (strlen(ctl_buf) >= 6 && streq(ctl_buf + strlen(ctl_buf) - 6, "memory")));
	return 0;
}

static int walk_node(struct walk *w, const char *rel, struct node_totals *ret)
{
	_cleanup_free_ char *dir = zcg_cgroup_dir(w->sys, rel);
	uint64_t local[_ZCG_KIND_MAX] = {0}, own[_ZCG_KIND_MAX] = {0};
	struct node_totals children = {0};
	bool v2 = w->sys->hierarchy == ZCG_HIER_V2, memory_below = true;
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (!dir)
		return -ENOMEM;
	memset(ret, 0, sizeof(*ret));
	if (v2)
		r = read_v2_node(w, dir, own, &ret->dying, &memory_below);
	else
		r = read_v1_node(dir, local, own);
	if (r < 0)
		return r;
	memcpy(ret->bytes, own, sizeof(own));
	w->live++;

	/* v2: without +memory in subtree_control the children share this memcg. */
	if (memory_below) {
		d = opendir(dir);
		if (!d)
			return zcg_error_errno(-errno, "cannot open %s", dir);
		while ((de = readdir(d))) {
			_cleanup_free_ char *child = NULL;
			struct node_totals ct;

			if (de->d_type != DT_DIR || streq(de->d_name, ".") || streq(de->d_name, ".."))
				continue;
			child = path_join(rel, de->d_name);
			if (!child) {
				r = -ENOMEM;
				break;
			}
			r = walk_node(w, child, &ct);
			if (r == -ENOENT && zcg_error_message(r) && strstr(zcg_error_message(r), child)) {
				/* removed while we walked: it is no longer ours to count */
				r = 0;
				continue;
			}
			if (r < 0)
				break;
			for (int k = 0; k < _ZCG_KIND_MAX; k++)
				children.bytes[k] += ct.bytes[k];
			children.dying += ct.dying;
		}
		closedir(d);
		if (r < 0)
			return r;
	}

	/* What this cgroup's own dying descendants hold: hierarchical minus what is accounted
	 * to itself minus what its live children account for. v2 cannot separate "itself",
	 * so it is an upper bound, counted only where zombies are known to be. */
	uint64_t held[_ZCG_KIND_MAX];
	bool any = false;
	for (int k = 0; k < _ZCG_KIND_MAX; k++) {
		uint64_t sub = local[k] + children.bytes[k];

		held[k] = own[k] > sub ? own[k] - sub : 0;
		any |= held[k] > 0;
	}
	if (v2) {
		int64_t direct = ret->dying > children.dying ? (int64_t)(ret->dying - children.dying) : 0;

		if (direct > 0)
			r = add_subtree(w, rel, direct, held);
	} else if (any) {
		r = add_subtree(w, rel, -1, held);
	}
	return r;
}

static int cmp_subtree(const void *a, const void *b)
{
	const struct zcg_subtree *x = a, *y = b;

	if (x->pinned_bytes != y->pinned_bytes)
		return x->pinned_bytes > y->pinned_bytes ? -1 : 1;
	if (x->dying != y->dying)
		return x->dying > y->dying ? -1 : 1;
	return strcmp(x->path, y->path);
}

void zcg_census_sort_subtrees(struct zcg_census *c)
{
	/* No zombie, no array: qsort() must not be handed NULL, even for 0 elements. */
	qsort_safe(c->subtrees, c->n_subtrees, sizeof(*c->subtrees), cmp_subtree);
}

/* cgroupfs cannot name zombies: list one estimated row per live parent instead. */
static int subtrees_to_rows(struct zcg_census *c)
{
	if (!c->n_subtrees)
		return 0;
	c->zombies = calloc(c->n_subtrees, sizeof(*c->zombies));
	if (!c->zombies)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_subtrees; i++) {
		const struct zcg_subtree *s = &c->subtrees[i];
		struct zcg_zombie *z = &c->zombies[c->n_zombies++];

		z->path = strdup(s->path);
		z->parent = strdup(s->path);
		if (!z->path || !z->parent)
			return -ENOMEM;
		z->estimated = true;
		z->count = s->dying;
		z->memcg_id = -1;
		z->usage_bytes = s->pinned_bytes;
		z->file_bytes = s->kind_bytes[ZCG_KIND_CACHE];
		z->anon_bytes = s->kind_bytes[ZCG_KIND_RSS];
		z->shmem_bytes = s->kind_bytes[ZCG_KIND_SHMEM];
		z->swap_bytes = s->kind_bytes[ZCG_KIND_SWAP];
		z->kmem_bytes = -1;
	}
	return 0;
}

static struct zcg_census *census_new(const struct zcg_sys *sys, const char *scope)
{
	struct zcg_census *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->hierarchy = sys->hierarchy;
	c->memory_root = strdup(sys->memory_mount);
	c->scope = strdup(scope ? scope : "/");
	c->dying = -1;
	c->pinned_bytes = -1;
	c->memcg_ids_used = -1;
	c->kernel_overhead_bytes = -1;
	for (int k = 0; k < _ZCG_KIND_MAX; k++)
		c->kind_bytes[k] = -1;
	if (!c->memory_root || !c->scope) {
		zcg_census_free(c);
		return NULL;
	}
	return c;
}

/* v1: one walk of the whole hierarchy gives the live count for /proc/cgroups' subtraction.
 * The two cannot be read atomically; if num_cgroups moved during the walk, walk again. */
static int census_v1(const struct zcg_sys *sys, const char *scope, struct walk *w,
		     uint64_t *ret_num_cgroups, uint64_t *ret_live_host)
{
	_cleanup_free_ char *proc = zcg_sys_path(sys, "/proc/cgroups");
	uint64_t before, after = 0;
	int r;

	if (!proc)
		return -ENOMEM;
	for (int attempt = 0; attempt < 5; attempt++) {
		struct node_totals root;
		struct walk all = { .sys = sys, .census = w->census };

		r = zcg_read_proc_cgroups_memory(proc, &before);
		if (r < 0)
			return r;
		/* The subtrees come from the scope's walk, the live count from the root's. */
		if (!streq(scope, "/")) {
			struct zcg_census scratch = {0};

			all.census = &scratch;
			r = walk_node(&all, "/", &root);
			for (size_t i = 0; i < scratch.n_subtrees; i++)
				free(scratch.subtrees[i].path);
			free(scratch.subtrees);
			if (r < 0)
				return r;
		}
		for (size_t i = 0; i < w->census->n_subtrees; i++)
			free(w->census->subtrees[i].path);
		w->census->n_subtrees = 0;
		w->live = 0;
		r = walk_node(w, scope, &root);
		if (r < 0)
			return r;
		r = zcg_read_proc_cgroups_memory(proc, &after);
		if (r < 0)
			return r;
		*ret_live_host = streq(scope, "/") ? w->live : all.live;
		if (after == before)
			break;
	}
	*ret_num_cgroups = after;
	return 0;
}

int zcg_census_cgroupfs(const struct zcg_sys *sys, const char *scope, struct zcg_census **ret_census)
{
	struct zcg_census *c;
	struct walk w = { .sys = sys };
	struct node_totals root;
	int r;

	if (!scope)
		scope = "/";
	c = census_new(sys, scope);
	if (!c)
		return -ENOMEM;
	w.census = c;
	c->source = "cgroupfs";

	if (sys->hierarchy == ZCG_HIER_V1) {
		uint64_t num_cgroups = 0, live_host = 0;

		r = census_v1(sys, scope, &w, &num_cgroups, &live_host);
		if (r < 0)
			goto fail;
		c->dying_counter = "/proc/cgroups";
		c->pinned_accuracy = "estimate";
		c->memcg_ids_used = (int64_t)num_cgroups;
		/* /proc/cgroups counts the whole hierarchy, so only an unscoped census can
		 * subtract; a namespaced mount (root not "/") hides part of it. */
		if (streq(scope, "/") && streq(sys->mount_root, "/"))
			c->dying = num_cgroups > live_host ? (int64_t)(num_cgroups - live_host) : 0;
	} else {
		r = walk_node(&w, scope, &root);
		if (r < 0)
			goto fail;
		c->dying = (int64_t)root.dying;
		c->dying_counter = w.dying_key ? w.dying_key : "nr_dying_descendants";
		c->pinned_accuracy = "upper_bound";
		/* Dying memcgs normally give their ID back at offline (doc/kernel.md K10), so this
		 * is an upper bound: only BPF can tell which ones still hold one. */
		c->memcg_ids_used = (int64_t)(w.live + root.dying);
	}
	c->memcg_ids_exact = false;
	c->live = w.live;

	zcg_census_sort_subtrees(c);
	c->pinned_bytes = 0;
	for (int k = 0; k < _ZCG_KIND_MAX; k++)
		c->kind_bytes[k] = 0;
	for (size_t i = 0; i < c->n_subtrees; i++) {
		c->pinned_bytes = add_saturated(c->pinned_bytes, c->subtrees[i].pinned_bytes);
		for (int k = 0; k < _ZCG_KIND_MAX; k++)
			c->kind_bytes[k] = add_saturated(c->kind_bytes[k], c->subtrees[i].kind_bytes[k]);
	}
	r = subtrees_to_rows(c);
	if (r < 0)
		goto fail;
	*ret_census = c;
	return 0;
fail:
	zcg_census_free(c);
	return r;
}
