// SPDX-License-Identifier: GPL-2.0
/* The remedy plan (lib/plan.h) on a cgroup v2 tree made here, without root: what reap
 * carries out and explain prints, from one explain result built by hand. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileid.h"
#include "plan.h"
#include "util.h"
#include "tap.h"

#define MiB (1024ull * 1024)

static void dir(const char *top, const char *rel)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	mkdir(path, 0755);
}

/* Cgroup rel below top's cgroupfs with its memory.current (MiB) and, if min, memory.min. */
static void cgroup(const char *top, const char *rel, unsigned long long current_mib, const char *min)
{
	char d[4096], num[64];

	snprintf(d, sizeof(d), "%s/sys/fs/cgroup%s", top, rel);
	mkdir(d, 0755);
	snprintf(num, sizeof(num), "%llu\n", current_mib * MiB);
	put(d, "memory.current", num);
	if (min)
		put(d, "memory.min", min);
}

/* /ok: 10 MiB in a live child, 2 MiB of zombies, 1 MiB of its own: reclaim is safe.
 * /busy: 1 MiB live, 2 MiB of zombies, 8 MiB of its own: reclaim would hit them.
 * /nocur: no memory.current to read. */
static char *make_tree(void)
{
	static char top[] = "/tmp/zcg-plan.XXXXXX";

	if (!mkdtemp(top))
		return NULL;
	dir(top, "proc");
	dir(top, "proc/self");
	put(top, "proc/self/mountinfo", "30 22 0:26 / /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw\n");
	dir(top, "sys");
	dir(top, "sys/fs");
	dir(top, "sys/fs/cgroup");
	put(top, "sys/fs/cgroup/cgroup.controllers", "cpu memory\n");
	cgroup(top, "/ok", 13, NULL);
	cgroup(top, "/ok/live", 10, "0\n");
	cgroup(top, "/busy", 11, NULL);
	cgroup(top, "/busy/live", 1, "max\n");
	dir(top, "sys/fs/cgroup/nocur");
	return top;
}

static struct zcg_extent ranges[] = {
	{ .start = 0, .nr_pages = 10, .flags = ZCG_EXTENT_DIRTY },
	{ .start = 20, .nr_pages = 5 },
};
static struct zcg_proc holder = { .pid = 7, .fd = 3, .comm = "holder", .cgroup = "/ok/live" };

/* z1 below /ok: a dirty file's two ranges, a mapped file, a tmpfs file, swap, kernel memory;
 * z2 below /busy and z3 below / hold mapped pages only; z4 below /nocur too. */
static struct zcg_pin z1_pins[] = {
	{ .kind = ZCG_PIN_FILE, .path = "/var/log/a b.log", .has_file = true, .pages = 15, .dirty_pages = 10,
	  .extents = ranges, .n_extents = 2, .action = ZCG_ACTION_FLUSH_EVICT, .reason = "dirty" },
	{ .kind = ZCG_PIN_FILE, .path = "/usr/lib/libc.so.6", .has_file = true, .pages = 100, .mapped_pages = 100,
	  .mapped_by = &holder, .n_mapped_by = 1, .action = ZCG_ACTION_PROTECTED_RECLAIM, .reason = "mapped" },
	{ .kind = ZCG_PIN_SHMEM, .path = "/dev/shm/it's\nhere", .has_file = true, .pages = 4,
	  .sb_magic = ZCG_TMPFS_MAGIC, .action = ZCG_ACTION_REMOVE_FILE, .reason = "tmpfs: remove it" },
	{ .kind = ZCG_PIN_SWAP, .pages = 2, .action = ZCG_ACTION_NONE, .reason = "swap entries" },
	{ .kind = ZCG_PIN_KERNEL, .pages = 9, .action = ZCG_ACTION_NONE, .reason = "kernel" },
};
static struct zcg_pin z2_pins[] = {
	{ .kind = ZCG_PIN_ANON, .pages = 512, .mapped_by = &holder, .n_mapped_by = 1,
	  .action = ZCG_ACTION_PROTECTED_RECLAIM, .reason = "anon" },
};
static struct zcg_pin z3_pins[] = {
	{ .kind = ZCG_PIN_FILE, .path = "/bin/sh", .has_file = true, .pages = 8, .mapped_pages = 8,
	  .action = ZCG_ACTION_PROTECTED_RECLAIM, .reason = "mapped" },
};
static struct zcg_pin z4_pins[] = {
	{ .kind = ZCG_PIN_FILE, .path = "/bin/true", .has_file = true, .pages = 8, .mapped_pages = 8,
	  .action = ZCG_ACTION_PROTECTED_RECLAIM, .reason = "mapped" },
	{ .kind = ZCG_PIN_FILE, .path = "/etc/motd", .has_file = true, .pages = 1,
	  .action = ZCG_ACTION_EVICT, .reason = "clean, but no ranges" },
};
static struct zcg_explained zombies[] = {
	{ .id = 101, .path = "/ok/z1", .parent = "/ok", .usage_bytes = 2 * MiB, .pins = z1_pins,
	  .n_pins = ARRAY_SIZE(z1_pins), .action = ZCG_ACTION_REMOVE_FILE },
	{ .id = 102, .path = "/busy/z2", .parent = "/busy", .usage_bytes = 2 * MiB, .pins = z2_pins,
	  .n_pins = ARRAY_SIZE(z2_pins), .action = ZCG_ACTION_PROTECTED_RECLAIM },
	{ .id = 103, .path = "/z3", .parent = "/", .usage_bytes = 1 * MiB, .pins = z3_pins,
	  .n_pins = ARRAY_SIZE(z3_pins), .action = ZCG_ACTION_PROTECTED_RECLAIM },
	{ .id = 104, .path = "/nocur/z4", .parent = "/nocur", .usage_bytes = 1 * MiB, .pins = z4_pins,
	  .n_pins = ARRAY_SIZE(z4_pins), .action = ZCG_ACTION_PROTECTED_RECLAIM },
};
static struct zcg_explain explained = {
	.hierarchy = ZCG_HIER_V2, .scope = "/", .source = "bpf", .zombies = zombies, .n_zombies = ARRAY_SIZE(zombies),
};

static const struct zcg_plan_step *find(const struct zcg_plan *p, const char *path, const char *file,
					enum zcg_action action)
{
	for (size_t i = 0; i < p->n_steps; i++) {
		const struct zcg_plan_step *s = &p->steps[i];

		if (s->action == action && s->path && streq(s->path, path) &&
		    (file ? s->file && streq(s->file, file) : !s->file))
			return s;
	}
	return NULL;
}

static const char *line_with(char **lines, size_t n, const char *needle)
{
	for (size_t i = 0; i < n; i++)
		if (strstr(lines[i], needle))
			return lines[i];
	return NULL;
}

static void test_plan(struct zcg_sys *sys)
{
	struct zcg_plan_opts o = {0};
	struct zcg_plan *p = NULL;
	const struct zcg_plan_step *s;
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), reclaim;

	is_int(zcg_plan_build(sys, &explained, &o, &p), 0, "plan the four zombies");
	s = find(p, "/ok/z1", "/var/log/a b.log", ZCG_ACTION_FLUSH_EVICT);
	ok(s && s->op == ZCG_PLAN_EVICT, "flush-evict pin: evicted");
	ok(s && s->flush && s->pin->n_extents == 2 && s->zombie_id == 101 && s->bytes == 15 * page,
	   "... its two ranges, written back first, 15 pages of zombie 101");
	s = find(p, "/ok/z1", "/dev/shm/it's\nhere", ZCG_ACTION_REMOVE_FILE);
	ok(s && s->op == ZCG_PLAN_LEAVE && streq(s->reason, "tmpfs: remove it"),
	   "remove-file pin without --recharge-tmpfs: left, with the pin's reason");
	s = find(p, "/ok/z1", NULL, ZCG_ACTION_NONE);
	ok(s && s->op == ZCG_PLAN_LEAVE && s->pin && s->pin->kind == ZCG_PIN_SWAP, "swap: left");
	for (size_t i = 0; i < p->n_steps; i++)
		ok(!p->steps[i].pin || p->steps[i].pin->kind != ZCG_PIN_KERNEL, "step %zu: no kernel-memory pin", i);
	ok(!find(p, "/ok/z1", "/usr/lib/libc.so.6", ZCG_ACTION_PROTECTED_RECLAIM),
	   "a protected-reclaim pin has no step of its own");

	reclaim = 100 * page;
	s = find(p, "/ok", NULL, ZCG_ACTION_PROTECTED_RECLAIM);
	ok(s && s->op == ZCG_PLAN_PROTECTED_RECLAIM && !s->zombie && !s->reason,
	   "/ok (1 MiB of its own): protected reclaim");
	ok(s && s->bytes == reclaim && s->reclaim_bytes == reclaim + reclaim / 4 + MiB,
	   "... of the mapped pages, asking a little more");
	s = find(p, "/busy", NULL, ZCG_ACTION_PROTECTED_RECLAIM);
	ok(s && s->op == ZCG_PLAN_LEAVE && strstr(s->reason, "8388608 bytes of its own"),
	   "/busy (8 MiB of its own, over 4 MiB): refused: %s", s ? s->reason : "no step");
	s = find(p, "/", NULL, ZCG_ACTION_PROTECTED_RECLAIM);
	ok(s && s->op == ZCG_PLAN_LEAVE && strstr(s->reason, "below the root"),
	   "zombies below /: refused: %s", s ? s->reason : "no step");
	s = find(p, "/nocur", NULL, ZCG_ACTION_PROTECTED_RECLAIM);
	ok(s && s->op == ZCG_PLAN_LEAVE && strstr(s->reason, "cannot read the parent's usage"),
	   "/nocur without memory.current: refused: %s", s ? s->reason : "no step");
	s = find(p, "/nocur/z4", "/etc/motd", ZCG_ACTION_EVICT);
	ok(s && s->op == ZCG_PLAN_LEAVE && strstr(s->reason, "no page ranges"), "evict without ranges: left");
	is_str(p->kick_parent, "/ok", "the first zombie's parent is made to go offline once");

	ok(zcg_plan_acts_on(p, &zombies[0]), "the plan acts on z1");
	ok(!zcg_plan_acts_on(p, &zombies[1]), "... not on z2 (its parent's reclaim is refused)");
	ok(!zcg_plan_acts_on(p, &zombies[2]), "... not on z3 (below the root)");
	ok(!zcg_plan_acts_on(p, &zombies[3]), "... not on z4");
	zcg_plan_free(p);
}

static void test_options(struct zcg_sys *sys)
{
	uint64_t only[] = { 102 };
	char *parents[] = { "/ok" };
	struct zcg_plan_opts o = { .no_flush = true, .no_protected_reclaim = true };
	struct zcg_plan *p = NULL;
	const struct zcg_plan_step *s;

	is_int(zcg_plan_build(sys, &explained, &o, &p), 0, "plan with --no-flush --no-protected-reclaim");
	s = find(p, "/ok/z1", "/var/log/a b.log", ZCG_ACTION_FLUSH_EVICT);
	ok(s && s->op == ZCG_PLAN_EVICT && !s->flush, "--no-flush: evicted, not written back");
	s = find(p, "/ok", NULL, ZCG_ACTION_PROTECTED_RECLAIM);
	ok(s && s->op == ZCG_PLAN_LEAVE && strstr(s->reason, "--no-protected-reclaim"), "--no-protected-reclaim: left");
	zcg_plan_free(p);

	o = (struct zcg_plan_opts){ .only_ids = only, .n_only_ids = 1 };
	is_int(zcg_plan_build(sys, &explained, &o, &p), 0, "plan for zombie 102 only");
	ok(p->n_steps == 1 && p->steps[0].op == ZCG_PLAN_LEAVE && streq(p->steps[0].path, "/busy"),
	   "... one step: /busy's refused reclaim");
	zcg_plan_free(p);

	o = (struct zcg_plan_opts){ .only_parents = parents, .n_only_parents = 1, .recharge_tmpfs = "/keep" };
	is_int(zcg_plan_build(sys, &explained, &o, &p), 0, "plan below /ok with --recharge-tmpfs");
	s = find(p, "/ok/z1", "/dev/shm/it's\nhere", ZCG_ACTION_REMOVE_FILE);
	ok(s && s->op == ZCG_PLAN_RECHARGE, "an unused tmpfs file: recharged");
	ok(!find(p, "/busy", NULL, ZCG_ACTION_PROTECTED_RECLAIM), "no step for /busy");
	zcg_plan_free(p);

	z1_pins[2].open_by = &holder;
	z1_pins[2].n_open_by = 1;
	is_int(zcg_plan_build(sys, &explained, &o, &p), 0, "plan again, the tmpfs file open");
	s = find(p, "/ok/z1", "/dev/shm/it's\nhere", ZCG_ACTION_REMOVE_FILE);
	ok(s && s->op == ZCG_PLAN_LEAVE && strstr(s->reason, "open by holder[7]"), "an open tmpfs file: left: %s",
	   s ? s->reason : "no step");
	zcg_plan_free(p);
	z1_pins[2].open_by = NULL;
	z1_pins[2].n_open_by = 0;
}

static void test_commands(struct zcg_sys *sys)
{
	struct zcg_plan_opts o = {0};
	struct zcg_plan *p = NULL;
	char **lines = NULL;
	size_t n = 0;
	const char *l;

	zcg_plan_build(sys, &explained, &o, &p);
	is_int(zcg_plan_commands(p, &explained, explained.n_zombies, &lines, &n), 0, "the commands");
	l = line_with(lines, n, "zombiecg reap --id 101 ");
	ok(l && strncmp(l, "zombiecg reap --id 101 ", 23) == 0, "z1: reap just that zombie: %s", l ? l : "none");
	ok(l && strstr(l, "2 page range(s)") && strstr(l, "written back first") && strstr(l, "below /ok"),
	   "... saying it evicts two ranges and reclaims below /ok");
	ok(!line_with(lines, n, "--id 102 ") && !line_with(lines, n, "--id 103 ") &&
	   !line_with(lines, n, "zombiecg reap --id 104"), "no reap for z2, z3, z4: nothing would be done");
	l = line_with(lines, n, "# protected reclaim below /busy: not done");
	ok(l && strstr(l, "of its own"), "refused reclaim below /busy: a comment with the reason");
	ok(line_with(lines, n, "# protected reclaim below /: not done"), "... and below /");
	l = line_with(lines, n, "tmpfs");
	ok(l && l[0] == '#' && strstr(l, "rm -- $'/dev/shm/it\\'s\\x0ahere'") &&
	   strstr(l, "zombiecg reap --id 101 --recharge-tmpfs CGROUP"),
	   "tmpfs: a comment, the file shell-quoted: %s", l ? l : "none");
	ok(line_with(lines, n, "# none: nothing to run for 1 pin(s): swap entries"), "swap: summed up");
	for (size_t i = 0; i < n; i++) {
		ok(!strchr(lines[i], '\n') && !strstr(lines[i], "dd ") && !strstr(lines[i], "count=0"),
		   "line %zu: one line, no whole-file eviction", i);
		ok(lines[i][0] == '#' || strncmp(lines[i], "zombiecg reap --id ", 19) == 0,
		   "line %zu: a comment or a reap of one zombie", i);
	}
	zcg_plan_commands_free(lines, n);
	is_int(zcg_plan_commands(p, &explained, 1, &lines, &n), 0, "the commands for the first zombie shown");
	ok(!line_with(lines, n, "/busy") && !line_with(lines, n, "below /:"), "only what the shown zombie needs");
	zcg_plan_commands_free(lines, n);
	zcg_plan_free(p);
}

static void test_estimated(struct zcg_sys *sys)
{
	struct zcg_pin pins[] = { { .kind = ZCG_PIN_FILE, .pages = 4, .action = ZCG_ACTION_EVICT, .reason = "cache" } };
	struct zcg_explained rows[] = {
		{ .path = "/ok", .parent = "/ok", .estimated = true, .count = 3, .usage_bytes = MiB, .pins = pins,
		  .n_pins = 1, .action = ZCG_ACTION_EVICT },
	};
	struct zcg_explain e = { .hierarchy = ZCG_HIER_V2, .scope = "/", .source = "cgroupfs",
				 .source_note = "--no-bpf given", .zombies = rows, .n_zombies = 1 };
	struct zcg_plan_opts o = {0};
	struct zcg_plan *p = NULL;
	char **lines = NULL;
	size_t n = 0;

	is_int(zcg_plan_build(sys, &e, &o, &p), 0, "plan an estimated row");
	ok(p->n_steps == 1 && p->steps[0].op == ZCG_PLAN_LEAVE && p->steps[0].zombie_id == 0 &&
	   strstr(p->steps[0].reason, "--no-bpf given") && p->steps[0].bytes == MiB,
	   "without BPF: one step, left, saying why");
	is_int(zcg_plan_commands(p, &e, 1, &lines, &n), 0, "its commands");
	ok(n == 1 && strncmp(lines[0], "# nothing to run: without BPF", 29) == 0, "nothing to run: %s",
	   n ? lines[0] : "none");
	zcg_plan_commands_free(lines, n);
	zcg_plan_free(p);
}

int main(void)
{
	char *top = make_tree();
	struct zcg_sys *sys = NULL;
	char cmd[4200];

	ok(top && zcg_sys_open(top, &sys) == 0, "a cgroup v2 tree in %s", top ? top : "(none)");
	if (sys) {
		test_plan(sys);
		test_options(sys);
		test_commands(sys);
		test_estimated(sys);
		zcg_sys_free(sys);
	}
	if (top) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", top);
	}
	return done_testing();
}
