// SPDX-License-Identifier: GPL-2.0
/* The remedy plan (lib/plan.h) on a cgroup v2 tree made here, without root: what reap
 * carries out and explain prints, from one explain result built by hand; and the decisions
 * made before acting that go with it: which tmpfs files are recharged and whether the target
 * can take them (lib/recharge.h), which memory.min values protected reclaim sets
 * (lib/protect.h). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "fileid.h"
#include "plan.h"
#include "protect.h"
#include "recharge.h"
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

/* Which tmpfs file reap would recharge: only one it can swap a copy in for unseen. */
static void test_recharge_choice(struct zcg_sys *sys)
{
	char *parents[] = { "/ok" };
	struct zcg_plan_opts o = { .only_parents = parents, .n_only_parents = 1, .recharge_tmpfs = "/keep" };
	struct zcg_pin saved = z1_pins[2];
	const char *f = z1_pins[2].path;
	struct zcg_plan *p = NULL;
	const struct zcg_plan_step *s;
	static const struct {
		const char *what, *reason;
	} cases[] = {
		{ "mapped by a process", "not recharged: mapped by holder[7]" },
		{ "deleted (or a memfd)", "not recharged: a deleted file or memfd has no name" },
		{ "without a name", "not recharged: its name was not found" },
		{ "not on tmpfs", "not recharged: not a tmpfs file" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		z1_pins[2] = saved;
		switch (i) {
		case 0:
			z1_pins[2].mapped_by = &holder;
			z1_pins[2].n_mapped_by = 1;
			z1_pins[2].mapped_pages = 1;
			break;
		case 1:
			z1_pins[2].deleted = true;
			break;
		case 2:
			z1_pins[2].path = NULL;
			break;
		case 3:
			z1_pins[2].sb_magic = 0xEF53;	/* ext4 */
			break;
		}
		is_int(zcg_plan_build(sys, &explained, &o, &p), 0, "plan with a tmpfs file %s", cases[i].what);
		s = NULL;
		for (size_t k = 0; k < p->n_steps; k++)
			if (p->steps[k].pin == &z1_pins[2])
				s = &p->steps[k];
		ok(s && s->op == ZCG_PLAN_LEAVE && strstr(s->reason, cases[i].reason),
		   "a tmpfs file %s: %s", cases[i].what, s ? s->reason : "no step");
		zcg_plan_free(p);
	}
	z1_pins[2] = saved;
	ok(z1_pins[2].path == f, "(the fixture's pin is back as it was)");
}

static const char *top_dir;

/* Whether a live cgroup can take recharged pages: checked before any file is touched. */
static void test_recharge_target(struct zcg_sys *sys)
{
	char ok_dir[4200];
	int r;

	snprintf(ok_dir, sizeof(ok_dir), "%s/sys/fs/cgroup/ok", top_dir);
	is_int(zcg_recharge_target_check(sys, "/ok/live"), 0, "recharge target: a live leaf with its own memcg");
	r = zcg_recharge_target_check(sys, "/");
	ok(r == -EINVAL && strstr(zcg_strerror(r), "is the root cgroup"), "the root is refused: %s",
	   zcg_strerror(r));
	r = zcg_recharge_target_check(sys, "/missing");
	ok(r == -ENOENT && strstr(zcg_strerror(r), "no cgroup"), "a missing cgroup is refused: %s",
	   zcg_strerror(r));
	r = zcg_recharge_target_check(sys, "/nocur");
	ok(r == -EINVAL && strstr(zcg_strerror(r), "no memory cgroup of its own"),
	   "a cgroup without memory.current is refused: %s", zcg_strerror(r));
	put(ok_dir, "cgroup.subtree_control", "memory\n");
	r = zcg_recharge_target_check(sys, "/ok");
	ok(r == -EINVAL && strstr(zcg_strerror(r), "hands controllers (memory)"),
	   "an inner cgroup (controllers handed down) is refused: %s", zcg_strerror(r));
	put(ok_dir, "cgroup.subtree_control", "\n");
	is_int(zcg_recharge_target_check(sys, "/ok"), 0, "with nothing handed down it is a leaf again");
}

/* The memory.min values protected reclaim raises, planned on /prot: x (8 MiB) with y
 * (2 MiB) below it, and nomem (no memcg of its own) with z below it. */
static void test_protect_plan(struct zcg_sys *sys)
{
	struct zcg_protect_plan p = {0};
	char want_x[4200], want_y[4200];

	cgroup(top_dir, "/prot", 20, NULL);
	cgroup(top_dir, "/prot/x", 8, "0\n");
	cgroup(top_dir, "/prot/x/y", 2, "0\n");
	dir(top_dir, "sys/fs/cgroup/prot/nomem");
	cgroup(top_dir, "/prot/nomem/z", 1, "0\n");
	snprintf(want_x, sizeof(want_x), "%s/sys/fs/cgroup/prot/x/memory.min", top_dir);
	snprintf(want_y, sizeof(want_y), "%s/sys/fs/cgroup/prot/x/y/memory.min", top_dir);

	is_int(zcg_protect_plan_build(sys, "/prot", &p), 0, "protect plan below /prot");
	is_int(p.n, 2, "x and y: the parent (the reclaim root) is not protected, nomem has no memcg");
	ok(p.n == 2 && streq(p.settings[0].path, want_x) && streq(p.settings[1].path, want_y),
	   "pre-order: x before y, whose value it bounds");
	ok(p.n == 2 && p.settings[0].usage == 8 * MiB && p.settings[0].min == 8 * MiB + 8 * MiB / 16 + MiB,
	   "x: memory.min at its usage plus a sixteenth and 1 MiB (%llu)",
	   p.n ? (unsigned long long)p.settings[0].min : 0);
	ok(p.n == 2 && p.settings[1].min == 2 * MiB + 2 * MiB / 16 + MiB, "y: likewise (%llu)",
	   p.n == 2 ? (unsigned long long)p.settings[1].min : 0);
	zcg_protect_plan_free(&p);
	is_int(zcg_protect_plan_build(sys, "/prot/x/y", &p), 0, "protect plan below a leaf");
	is_int(p.n, 0, "nothing to protect");
	zcg_protect_plan_free(&p);
	is_int(zcg_protect_plan_build(sys, "/gone", &p), 0, "below a cgroup removed meanwhile");
	is_int(p.n, 0, "nothing to protect either");
	zcg_protect_plan_free(&p);
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

	top_dir = top;
	ok(top && zcg_sys_open(top, &sys) == 0, "a cgroup v2 tree in %s", top ? top : "(none)");
	if (sys) {
		test_plan(sys);
		test_options(sys);
		test_commands(sys);
		test_estimated(sys);
		test_recharge_choice(sys);
		test_recharge_target(sys);
		test_protect_plan(sys);
		zcg_sys_free(sys);
	}
	if (top) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", top);
	}
	return done_testing();
}
