// SPDX-License-Identifier: GPL-2.0
/* zcg_drain()'s plan and how it names what stays (lib/drain.h), on cgroup trees made here,
 * without root: the order it drains in, the tasks that refuse it, and the kinds of memory it
 * reports from memory.stat on v1 and v2. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drain.h"
#include "error.h"
#include "util.h"
#include "tap.h"

static void mkdirs(const char *top, const char *rel)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	mkdir(path, 0755);
}

/* A tree in top (a mkdtemp() template) with a memory hierarchy: v2 (cgroup2 at
 * /sys/fs/cgroup) or v1 (the memory controller at /sys/fs/cgroup/memory). */
static char *make_tree(char *top, bool v2)
{
	if (!mkdtemp(top))
		return NULL;
	mkdirs(top, "proc");
	mkdirs(top, "proc/self");
	mkdirs(top, "sys");
	mkdirs(top, "sys/fs");
	mkdirs(top, "sys/fs/cgroup");
	if (v2) {
		put(top, "proc/self/mountinfo", "30 22 0:26 / /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw\n");
		put(top, "sys/fs/cgroup/cgroup.controllers", "cpu memory\n");
	} else {
		put(top, "proc/self/mountinfo", "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup "
			 "rw,memory\n");
		put(top, "proc/cgroups", "#subsys_name\thierarchy\tnum_cgroups\tenabled\nmemory\t4\t9\t1\n");
		mkdirs(top, "sys/fs/cgroup/memory");
	}
	return top;
}

/* Cgroup rel (below the hierarchy's root dir) with its cgroup.procs. */
static void cgroup(const char *root, const char *rel, const char *procs)
{
	char d[4096];

	snprintf(d, sizeof(d), "%s%s", root, rel);
	mkdir(d, 0755);
	put(d, "cgroup.procs", procs);
	put(d, "memory.current", "0\n");
}

static void rm_tree(const char *top)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", top);
}

static ssize_t index_of(const struct zcg_drain_plan *p, const char *rel)
{
	for (size_t i = 0; i < p->n_cgroups; i++)
		if (streq(p->cgroups[i], rel))
			return (ssize_t)i;
	return -1;
}

static void test_plan(void)
{
	char top[] = "/tmp/zcg-drain.XXXXXX", root[4200], self[32];
	struct zcg_drain_plan p = {0};
	struct zcg_sys *sys = NULL;
	int r;

	if (!make_tree(top, true) || zcg_sys_open(top, &sys) < 0) {
		ok(0, "a cgroup v2 tree");
		return;
	}
	snprintf(root, sizeof(root), "%s/sys/fs/cgroup", top);
	snprintf(self, sizeof(self), "%d\n", (int)getpid());
	cgroup(root, "/a", "");
	cgroup(root, "/a/b", "");
	cgroup(root, "/a/b/c", "");
	cgroup(root, "/a/d", "");
	cgroup(root, "/other", "999\n");

	is_int(zcg_drain_plan_build(sys, "/a", &p), 0, "plan the drain of /a");
	is_str(p.rel, "/a", "the cgroup asked for");
	is_int(p.n_cgroups, 4, "it and its three descendants");
	ok(index_of(&p, "/a/b/c") >= 0 && index_of(&p, "/a/b/c") < index_of(&p, "/a/b") &&
	   index_of(&p, "/a/d") >= 0 && index_of(&p, "/a/b") >= 0 && p.n_cgroups &&
	   streq(p.cgroups[p.n_cgroups - 1], "/a"), "deepest first, /a last: each after its descendants");
	is_int(p.n_tasks, 0, "no task below /a (/other's are not looked at)");
	ok(!p.self_found, "this process is not below /a");
	zcg_drain_plan_free(&p);

	/* tasks anywhere below refuse the drain; this process is noted apart */
	cgroup(root, "/a/d", "123\n456\n");
	cgroup(root, "/a/b/c", self);
	is_int(zcg_drain_plan_build(sys, "/a", &p), 0, "plan again with tasks below");
	ok(p.n_tasks == 2 && p.tasks[0] == 123 && p.tasks[1] == 456, "the two tasks of /a/d, in order");
	ok(p.self_found, "this process, found in /a/b/c, is not counted as a task but noted");
	zcg_drain_plan_free(&p);

	is_int(zcg_drain_plan_build(sys, "/a/b/c", &p), 0, "plan a leaf");
	ok(p.n_cgroups == 1 && streq(p.cgroups[0], "/a/b/c") && p.n_tasks == 0 && p.self_found,
	   "a leaf is its own plan");
	zcg_drain_plan_free(&p);

	r = zcg_drain_plan_build(sys, "/", &p);
	is_int(r, -EINVAL, "the root cannot be drained");
	ok(strstr(zcg_strerror(r), "root of the memory hierarchy") != NULL, "and the error says so: %s",
	   zcg_strerror(r));
	ok(zcg_drain_plan_build(sys, "/nope", &p) < 0 && p.n_cgroups == 0 && !p.rel,
	   "a cgroup that does not exist: an error, no plan");
	zcg_sys_free(sys);
	rm_tree(top);
}

static const struct zcg_drain_pin *pin(const struct zcg_drain_cgroup *cg, const char *kind)
{
	for (size_t i = 0; i < cg->n_pins; i++)
		if (streq(cg->pins[i].kind, kind))
			return &cg->pins[i];
	return NULL;
}

static void free_pins(struct zcg_drain_cgroup *cg)
{
	for (size_t i = 0; i < cg->n_pins; i++)
		free(cg->pins[i].reason);
	free(cg->pins);
	cg->pins = NULL;
	cg->n_pins = 0;
}

/* memory.stat of /gone: 1 page shmem, 2 mapped, 1 dirty + 1 writeback, no anon, 16 pages of
 * file (of which 11 are plain clean cache), 1 page of swap. */
static void test_remaining(bool v2)
{
	char top[] = "/tmp/zcg-drain.XXXXXX", dir[4200];
	struct zcg_drain_cgroup cg = { .path = (char *)"/gone" };
	struct zcg_sys *sys = NULL;
	const struct zcg_drain_pin *p;
	const char *hier = v2 ? "v2" : "v1";

	if (!make_tree(top, v2) || zcg_sys_open(top, &sys) < 0) {
		ok(0, "a cgroup %s tree", hier);
		return;
	}
	snprintf(dir, sizeof(dir), "%s/sys/fs/cgroup%s/gone", top, v2 ? "" : "/memory");
	mkdir(dir, 0755);
	put(dir, "memory.stat", v2 ?
	    "anon 0\nfile 65536\nshmem 4096\nfile_mapped 8192\nfile_dirty 4096\nfile_writeback 4096\n"
	    "swap 4096\n" :
	    "cache 1\nrss 1\ntotal_cache 65536\ntotal_rss 0\ntotal_shmem 4096\ntotal_mapped_file 8192\n"
	    "total_dirty 4096\ntotal_writeback 4096\ntotal_swap 4096\n");
	is_int(zcg_drain_describe_remaining(sys, &cg), 0, "%s: what stayed, from memory.stat", hier);
	is_int(cg.n_pins, 5, "%s: five kinds hold bytes (no anon)", hier);
	p = pin(&cg, "shmem");
	ok(p && p->bytes == 4096 && strstr(p->reason, "removing or truncating"), "%s: shmem, 4096", hier);
	p = pin(&cg, "mapped");
	ok(p && p->bytes == 8192 && strstr(p->reason, "unmap"), "%s: mapped, 8192", hier);
	p = pin(&cg, "dirty");
	ok(p && p->bytes == 8192 && strstr(p->reason, "written back"), "%s: dirty and writeback, 8192", hier);
	ok(!pin(&cg, "anon"), "%s: no anon pin for 0 bytes", hier);
	p = pin(&cg, "file");
	ok(p && p->bytes == 65536 - 4096 - 8192 - 4096 - 4096, "%s: clean cache reclaim left, %llu", hier,
	   p ? (unsigned long long)p->bytes : 0);
	p = pin(&cg, "swap");
	ok(p && p->bytes == 4096, "%s: swap, 4096", hier);
	free_pins(&cg);

	put(dir, "memory.stat", v2 ? "anon 0\nfile 0\nshmem 0\nfile_mapped 0\nfile_dirty 0\n"
				     "file_writeback 0\nswap 0\n" : "total_cache 0\ntotal_rss 0\n");
	is_int(zcg_drain_describe_remaining(sys, &cg), 0, "%s: an empty memory.stat", hier);
	is_int(cg.n_pins, 0, "%s: names nothing", hier);
	cg.path = (char *)"/missing";
	ok(zcg_drain_describe_remaining(sys, &cg) < 0 && cg.n_pins == 0, "%s: no memory.stat: an error", hier);
	zcg_sys_free(sys);
	rm_tree(top);
}

int main(void)
{
	test_plan();
	test_remaining(true);
	test_remaining(false);
	return done_testing();
}
