// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "census.h"
#include "error.h"
#include "tap.h"

static struct zcg_census *take(const char *fixture, const char *scope)
{
	struct zcg_sys *sys = NULL;
	struct zcg_census *c = NULL;
	int r;

	r = zcg_sys_open(fixture, &sys);
	if (r < 0)
		return NULL;
	r = zcg_census_cgroupfs(sys, scope, &c);
	zcg_sys_free(sys);
	return r < 0 ? NULL : c;
}

/* A cgroup v2 tree whose root's zombies hold counters near 2^64, as a corrupt or hostile
 * saved tree could: the sums must saturate, not overflow (UBSan stops on signed overflow). */
static char *make_huge_tree(void)
{
	static char top[] = "/tmp/zcg-census-huge.XXXXXX";
	char d[4096];

	if (!mkdtemp(top))
		return NULL;
	snprintf(d, sizeof(d), "%s/proc", top);
	mkdir(d, 0755);
	snprintf(d, sizeof(d), "%s/proc/self", top);
	mkdir(d, 0755);
	put(d, "mountinfo", "30 22 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
	snprintf(d, sizeof(d), "%s/sys", top);
	mkdir(d, 0755);
	snprintf(d, sizeof(d), "%s/sys/fs", top);
	mkdir(d, 0755);
	snprintf(d, sizeof(d), "%s/sys/fs/cgroup", top);
	mkdir(d, 0755);
	put(d, "cgroup.controllers", "memory\n");
	put(d, "cgroup.subtree_control", "\n");
	put(d, "cgroup.stat", "nr_descendants 0\nnr_dying_descendants 3\nnr_dying_subsys_memory 3\n");
	put(d, "memory.stat", "anon 18446744073709551615\nfile 18446744073709551615\n"
			      "shmem 9223372036854775807\n");
	put(d, "memory.swap.current", "18446744073709551615\n");
	return top;
}

static void remove_huge_tree(const char *top)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", top);
}

int main(void)
{
	char *huge;
	struct zcg_census *c;
	struct zcg_sys *sys = NULL;

	/* hybrid-v1: 4 live memcgs, num_cgroups 9; zombies below /a hold 2 MiB cache + 12 KiB
	 * anon + 4 KiB shmem, zombies below / hold 64 KiB. */
	c = take(FIXTURE("hybrid-v1"), "/");
	ok(c, "v1 census");
	is_int(c->live, 4, "v1 live");
	is_int(c->dying, 5, "v1 dying = num_cgroups - live directories");
	is_int(c->n_subtrees, 2, "v1: two live parents hold zombies");
	is_str(c->subtrees[0].path, "/a", "largest first: /a");
	is_int(c->subtrees[0].kind_bytes[ZCG_KIND_CACHE], 2097152 + 4096, "/a cache = total - local - children");
	is_int(c->subtrees[0].kind_bytes[ZCG_KIND_RSS], 12288, "/a rss");
	is_int(c->subtrees[0].kind_bytes[ZCG_KIND_SHMEM], 4096, "/a shmem");
	is_int(c->subtrees[0].kind_bytes[ZCG_KIND_MAPPED_FILE], 1048576, "/a mapped_file");
	is_int(c->subtrees[0].kind_bytes[ZCG_KIND_DIRTY], 4096, "/a dirty");
	is_int(c->subtrees[0].dying, -1, "v1 cannot count zombies per subtree");
	is_int(c->subtrees[1].pinned_bytes, 65536, "/ holds 64 KiB");
	is_int(c->pinned_bytes, 2101248 + 12288 + 65536, "v1 pinned = cache + rss + swap over subtrees");
	is_str(c->pinned_accuracy, "estimate", "v1 pinned is an estimate");
	is_int(c->n_zombies, 2, "one estimated row per subtree");
	ok(c->zombies[0].estimated && !c->zombies[0].name, "rows are estimated and unnamed");
	is_int(c->memcg_ids_used, 9, "memcg ids: upper bound");
	zcg_census_free(c);

	c = take(FIXTURE("hybrid-v1"), "/a");
	is_int(c->live, 2, "v1 scoped live");
	is_int(c->dying, -1, "v1 scoped dying is unknown from /proc/cgroups");
	is_int(c->n_subtrees, 1, "v1 scoped: only /a");
	zcg_census_free(c);

	c = take(FIXTURE("v2"), "/");
	is_int(c->live, 4, "v2 live");
	is_int(c->dying, 6, "v2 dying from nr_dying_subsys_memory");
	is_str(c->dying_counter, "nr_dying_subsys_memory", "v2 counter name");
	is_str(c->subtrees[0].path, "/system.slice", "v2 largest first");
	is_int(c->subtrees[0].dying, 4, "v2 zombies directly below system.slice");
	is_int(c->subtrees[0].kind_bytes[ZCG_KIND_CACHE], 4194304, "v2 bound: hierarchical minus live children");
	is_int(c->subtrees[0].kind_bytes[ZCG_KIND_SWAP], 8192, "v2 swap from memory.swap.current");
	is_int(c->subtrees[1].dying, 2, "v2 zombies directly below /");
	is_str(c->pinned_accuracy, "upper_bound", "v2 pinned is an upper bound");
	zcg_census_free(c);

	c = take(FIXTURE("v2-old"), "/");
	is_int(c->dying, 7, "before 6.11: nr_dying_descendants");
	is_str(c->dying_counter, "nr_dying_descendants", "old counter name");
	zcg_census_free(c);

	c = take(FIXTURE("v2"), "/system.slice");
	is_int(c->live, 2, "v2 scoped live");
	is_int(c->dying, 4, "v2 scoped dying");
	zcg_census_free(c);

	/* A subtree without zombies: nothing to sort (qsort(NULL, 0) is undefined). */
	c = take(FIXTURE("v2"), "/user.slice");
	ok(c, "v2 census of a subtree without zombies");
	if (c) {
		is_int(c->n_subtrees, 0, "no subtree holds zombies");
		is_int(c->pinned_bytes, 0, "nothing pinned");
		zcg_census_free(c);
	}

	huge = make_huge_tree();
	c = huge ? take(huge, "/") : NULL;
	ok(c, "census of a tree with counters near 2^64");
	if (c) {
		is_int(c->pinned_bytes, INT64_MAX, "pinned bytes saturate at INT64_MAX");
		is_int(c->kind_bytes[ZCG_KIND_CACHE], INT64_MAX, "a kind's bytes saturate too");
		zcg_census_free(c);
	}
	if (huge)
		remove_huge_tree(huge);

	zcg_sys_open(FIXTURE("v1-malformed"), &sys);
	is_int(zcg_census_cgroupfs(sys, "/", &c), -EINVAL, "malformed memory.stat fails the census");
	ok(strstr(zcg_strerror(-EINVAL), "memory/a/memory.stat line 2"), "and names file and line: %s",
	   zcg_strerror(-EINVAL));
	zcg_sys_free(sys);
	return done_testing();
}
