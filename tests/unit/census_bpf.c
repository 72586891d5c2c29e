// SPDX-License-Identifier: GPL-2.0
/* The BPF source without BPF: records as the census program emits them (pre-order) turned
 * into a census, and the loader's helpers that need no privileges. */
#include <errno.h>

#include "bpf_census.h"
#include "bpf_folios.h"	/* both programs' records in one file: no name may collide */
#include "census.h"
#include "error.h"
#include "tap.h"
#include "util.h"

#define PAGE 4096

/*   /                 live  (id 1)
 *   /a                live  (id 10)
 *   /a/z1             dying (id 11): 90 file pages, 10 kmem; hierarchical usage 120
 *   /a/z1/z1a         dying (id 12): 20 file pages, nested under a zombie
 *   /a/b              live  (id 13)
 *   /a/b/z2           dying (id 14): 8 anon pages of which 5 shmem, 3 swapped, keeps ID 77
 *   /z3               dying (id 20): 4 file pages */
/* Records are __u64-aligned throughout, so BPF and the host lay them out alike. */
_Static_assert(sizeof(struct zcg_memcg_rec) % 8 == 0, "census record size");
_Static_assert(sizeof(struct zcg_folio_memcg_rec) % 8 == 0, "folio walker memcg record size");
_Static_assert(sizeof(struct zcg_folio_rec) % 8 == 0, "folio record size");

static struct zcg_memcg_rec recs[7];

static void rec(int i, __u64 id, __u64 parent, __u64 level, bool dying, const char *name)
{
	struct zcg_memcg_rec *r = &recs[i];

	memset(r, 0, sizeof(*r));
	r->id = id;
	r->parent_id = parent;
	r->level = level;
	r->css_flags = dying ? ZCG_CSS_DYING : ZCG_CSS_ONLINE;
	r->memcg_id = dying ? 0 : id;
	snprintf(r->name, sizeof(r->name), "%s", name);
}

static void fill(void)
{
	rec(0, 1, 0, 0, false, "");
	rec(1, 10, 1, 1, false, "a");
	rec(2, 11, 10, 2, true, "z1");
	recs[2].usage_pages = 120;
	recs[2].lru_file_pages = 90;
	recs[2].kmem_pages = 10;
	rec(3, 12, 11, 3, true, "z1a");
	recs[3].usage_pages = 20;
	recs[3].lru_file_pages = 20;
	rec(4, 13, 10, 2, false, "b");
	rec(5, 14, 13, 3, true, "z2");
	recs[5].memcg_id = 77;
	recs[5].usage_pages = 8;
	recs[5].lru_anon_pages = 8;
	recs[5].shmem_pages = 5;
	recs[5].swap_pages = 3;
	rec(6, 20, 1, 1, true, "z3");
	recs[6].usage_pages = 4;
	recs[6].lru_file_pages = 4;
	/* Live ones hold their children's usage too (hierarchical counters). */
	recs[4].usage_pages = 8;
	recs[4].swap_pages = 3;
	recs[1].usage_pages = 120 + 8;
	recs[1].swap_pages = 3;
	recs[0].usage_pages = 128 + 4;
	recs[0].swap_pages = 3;
}

static const struct zcg_zombie *zombie(const struct zcg_census *c, const char *path)
{
	for (size_t i = 0; i < c->n_zombies; i++)
		if (streq(c->zombies[i].path, path))
			return &c->zombies[i];
	return NULL;
}

static const struct zcg_subtree *subtree(const struct zcg_census *c, const char *path)
{
	for (size_t i = 0; i < c->n_subtrees; i++)
		if (streq(c->subtrees[i].path, path))
			return &c->subtrees[i];
	return NULL;
}

int main(void)
{
	struct zcg_sys sys = { .sysroot = "", .hierarchy = ZCG_HIER_V1, .memory_mount = "/sys/fs/cgroup/memory",
			       .memory_dir = "/sys/fs/cgroup/memory", .mount_root = "/" };
	const struct zcg_zombie *z;
	const struct zcg_subtree *s;
	struct zcg_census *c = NULL;
	unsigned int count, last;

	fill();
	is_int(zcg_census_from_memcg_recs(&sys, "/", recs, 7, PAGE, 1000, &c), 0, "census from records");
	is_str(c->source, "bpf", "source bpf");
	is_int(c->live, 3, "live: /, /a, /a/b");
	is_int(c->dying, 4, "dying: every zombie, nested ones too");
	is_int(c->n_zombies, 4, "one row per zombie");
	z = zombie(c, "/a/z1/z1a");
	ok(z && streq(z->parent, "/a"), "a zombie below a zombie has the nearest live ancestor as parent");
	z = zombie(c, "/a/z1");
	ok(z && z->usage_bytes == 100 * PAGE, "usage is made local: the nested zombie's share is taken out");
	ok(z && z->file_bytes == 90 * PAGE && z->kmem_bytes == 10 * PAGE, "file and kmem bytes");
	ok(z && z->count == 1 && !z->estimated && z->id == 11 && streq(z->name, "z1"), "exact row");
	z = zombie(c, "/a/b/z2");
	ok(z && z->memcg_id == 77, "a zombie holding its memcg ID");
	ok(z && z->shmem_bytes == 5 * PAGE && z->file_bytes == 5 * PAGE && z->anon_bytes == 3 * PAGE,
	   "shmem counts as cache, the rest of the anon LRU as rss");
	ok(z && z->swap_bytes == 3 * PAGE, "swap");
	z = zombie(c, "/z3");
	ok(z && streq(z->parent, "/"), "a zombie below the root");
	is_str(c->zombies[0].path, "/a/z1", "rows sorted by pinned bytes");
	is_int(c->pinned_bytes, (90 + 20 + 8 + 3 + 4) * PAGE, "pinned = LRU pages + swap");
	is_int(c->kind_bytes[ZCG_KIND_SHMEM], 5 * PAGE, "shmem total");
	is_int(c->kind_bytes[ZCG_KIND_SWAP], 3 * PAGE, "swap total");
	is_int(c->memcg_ids_used, 4, "memcg IDs: 3 live + 1 zombie holding one");
	ok(c->memcg_ids_exact, "memcg IDs exact");
	is_int(c->kernel_overhead_bytes, 4 * 1000, "kernel overhead = dying * per memcg");
	is_int(c->n_subtrees, 3, "three live parents hold zombies");
	s = subtree(c, "/a");
	ok(s && s->dying == 2 && s->pinned_bytes == 110 * PAGE, "/a: z1 and z1a, 110 pages");
	s = subtree(c, "/a/b");
	ok(s && s->dying == 1 && s->pinned_bytes == 11 * PAGE, "/a/b: z2, 8 pages + 3 swapped");
	is_str(c->subtrees[0].path, "/a", "subtrees sorted by pinned bytes");
	zcg_census_free(c);

	c = NULL;
	is_int(zcg_census_from_memcg_recs(&sys, "/a/b", recs, 7, PAGE, -1, &c), 0, "scoped census");
	is_int(c->live, 1, "scoped live");
	is_int(c->dying, 1, "scoped dying is exact");
	is_int(c->kernel_overhead_bytes, -1, "overhead unknown");
	is_int(c->memcg_ids_used, 4, "memcg IDs stay host-wide");
	zcg_census_free(c);

	sys.mount_root = "/ns";
	c = NULL;
	is_int(zcg_census_from_memcg_recs(&sys, "/", recs, 7, PAGE, -1, &c), 0, "census of a namespaced mount");
	is_int(c->memcg_ids_used, -1, "memcg IDs unknown when the walk did not see the whole controller");
	zcg_census_free(c);
	sys.mount_root = "/";

	recs[3].parent_id = 13;
	c = NULL;
	is_int(zcg_census_from_memcg_recs(&sys, "/", recs, 7, PAGE, -1, &c), -EIO, "a parent_id out of pre-order is refused");
	fill();
	recs[4].level = 5;
	is_int(zcg_census_from_memcg_recs(&sys, "/", recs, 7, PAGE, -1, &c), -EIO, "a level jump is refused");
	is_int(zcg_census_from_memcg_recs(&sys, "/", recs, 0, PAGE, -1, &c), -EIO, "no records is refused");

	is_int(zcg_parse_id_list("0-3,8,10-11\n", &count, &last), 0, "id list");
	ok(count == 7 && last == 11, "id list counts 7, last 11");
	is_int(zcg_parse_id_list("0\n", &count, &last), 0, "single id");
	ok(count == 1 && last == 0, "one id, last 0");
	is_int(zcg_parse_id_list("3-1", &count, &last), -EINVAL, "backwards range refused");
	is_int(zcg_parse_id_list("", &count, &last), -EINVAL, "empty refused");
	is_int(zcg_parse_id_list("1,x", &count, &last), -EINVAL, "garbage refused");

#ifdef HAVE_BPF
	is_int(zcg_bpf_available(FIXTURE("nomemory") "/sys/kernel/btf/vmlinux"), -ENOENT,
	       "no BTF file: -ENOENT");
	ok(strstr(zcg_strerror(-ENOENT), "kernel has no BTF"), "no BTF: the reason says so");
#else
	is_int(zcg_bpf_available(FIXTURE("nomemory") "/sys/kernel/btf/vmlinux"), -EOPNOTSUPP,
	       "no BPF build: -EOPNOTSUPP");
	ok(zcg_error_message(-EOPNOTSUPP) != NULL, "no BPF build: a reason");
#endif
	return done_testing();
}
