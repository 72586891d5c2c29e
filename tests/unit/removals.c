// SPDX-License-Identifier: GPL-2.0
/* The removal records (lib/removals.c): matching them to a census's zombies, the state file,
 * and what the tracker and the grouping make of them (exact ages, the path at removal). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "origins.h"
#include "removals.h"
#include "util.h"

#define S 1000000000ull

static struct zcg_zombie zombie(uint64_t id, const char *path)
{
	return (struct zcg_zombie) { .id = id, .name = (char *)"", .path = (char *)path, .parent = (char *)"/",
				     .usage_bytes = 4096, .file_bytes = 4096, .anon_bytes = 0, .shmem_bytes = 0,
				     .swap_bytes = 0, .kmem_bytes = 0, .count = 1 };
}

static void add(struct zcg_removals *rm, uint64_t id, uint64_t removed_s, const char *comm, const char *path)
{
	struct zcg_removal r = { .id = id, .removed_ns = removed_s * S, .created_ns = (removed_s - 5) * S,
				 .pid = (int64_t)id + 100, .path = (char *)path };

	snprintf(r.comm, sizeof(r.comm), "%s", comm);
	is_int(zcg_removals_add(rm, &r), 0, "add removal of %" PRIu64, id);
}

static void count(void *userdata, const struct zcg_removal *r)
{
	(*(int *)userdata)++;
}

static void matching(void)
{
	struct zcg_removals *rm = zcg_removals_new();
	struct zcg_zombie z[] = { zombie(11, "/a/x"), zombie(13, "/a/z") };
	struct zcg_zombie est[] = { { .path = (char *)"/", .parent = (char *)"/", .estimated = true, .count = 2 } };
	struct zcg_census c = { .zombies = z, .n_zombies = 2, .dying = 2, .source = "bpf" };
	struct zcg_census ce = { .zombies = est, .n_zombies = 1, .dying = 2, .source = "cgroupfs" };
	const struct zcg_removal *r;
	int n = 0;

	add(rm, 13, 100, "systemd", "/a/z");
	add(rm, 12, 101, "runc", "/a/y");	/* freed before the census: no zombie */
	add(rm, 11, 102, "zcg-rm", "/a/x");
	is_int(zcg_removals_reconcile(rm, &ce, count, &n), 0, "a census without names matches nothing");
	is_int((int)rm->n, 3, "... and keeps every record");
	is_int(zcg_removals_reconcile(rm, &c, count, &n), 2, "two removals left a zombie");
	is_int(n, 2, "each handed over once");
	is_int((int)rm->n, 2, "the one without a zombie is dropped");
	ok(!zcg_removals_find(rm, 12), "12 is gone");
	r = zcg_removals_find(rm, 11);
	ok(r && r->zombie && streq(r->comm, "zcg-rm") && r->removed_ns == 102 * S && r->pid == 111,
	   "11: comm, time and pid kept, seen dying");
	is_int(zcg_removals_reconcile(rm, &c, count, &n), 0, "the next census: nothing new");
	is_int(n, 2, "nothing handed over again");
	c.n_zombies = 1;	/* 13 was freed */
	is_int(zcg_removals_reconcile(rm, &c, count, &n), 0, "13 freed");
	ok(rm->n == 1 && zcg_removals_find(rm, 11) && !zcg_removals_find(rm, 13), "only 11 left");
	zcg_removals_free(rm);

	/* bounded: the newest ZCG_REMOVALS_MAX are kept */
	rm = zcg_removals_new();
	for (uint64_t i = 1; i <= ZCG_REMOVALS_MAX + 10; i++) {
		struct zcg_removal x = { .id = i, .removed_ns = i * S, .path = (char *)"/p" };

		if (zcg_removals_add(rm, &x) < 0)
			break;
	}
	zcg_removals_reconcile(rm, &ce, NULL, NULL);
	ok(rm->n == ZCG_REMOVALS_MAX && rm->dropped == 10 && !zcg_removals_find(rm, 10) && zcg_removals_find(rm, 11),
	   "past ZCG_REMOVALS_MAX the oldest are dropped");
	zcg_removals_free(rm);
}

static void state_file(void)
{
	char dir[] = "/tmp/zcg-removals.XXXXXX", path[64], *text = NULL;
	struct zcg_removals *rm = zcg_removals_new(), *back = NULL;
	const struct zcg_removal *r;
	size_t len;

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/removals", dir);
	rm->tracing = true;
	add(rm, 7, 200, "we\tird", "/a/b\tc\nd\\e");
	rm->r[0].zombie = true;
	is_int(zcg_removals_write(rm, path), 0, "write");
	is_int(read_full_file(path, &text, &len), 0, "read back");
	is_str(text, "zombiecg-removals 1 tracepoint\n"
		     "7\t200000000000\t195000000000\t107\tz\twe\\tird\t/a/b\\tc\\nd\\\\e\n",
	       "one line: id, times, pid, flags, comm and path escaped");
	free(text);
	is_int(zcg_removals_read(path, &back), 0, "parse");
	r = back ? zcg_removals_find(back, 7) : NULL;
	ok(back && back->tracing && r && r->zombie && streq(r->comm, "we\tird") && streq(r->path, "/a/b\tc\nd\\e") &&
	   r->created_ns == 195 * S, "the same record back");
	zcg_removals_free(back);

	rm->tracing = false;
	rm->note = strdup("kernel has no BTF");
	is_int(zcg_removals_write(rm, path), 0, "write, not tracing");
	is_int(zcg_removals_read(path, &back), 0, "parse");
	ok(back && !back->tracing && back->note && streq(back->note, "kernel has no BTF"), "not tracing, and why");
	zcg_removals_free(back);
	zcg_removals_free(rm);

	static const char *const bad[] = {
		"garbage\n",
		"zombiecg-removals 1 sometimes\n",
		"zombiecg-removals 1 tracepoint\n7\t1\t0\t1\tz\tcomm\n",
		"zombiecg-removals 1 tracepoint\nx\t1\t0\t1\tz\tcomm\t/a\n",
		"zombiecg-removals 1 tracepoint\n7\t1\t0\t1\tq\tcomm\t/a\n",
		"zombiecg-removals 1 tracepoint\n7\t1\t0\t1\tz\tcomm\trelative\n",
		"zombiecg-removals 1 tracepoint\n7\t1\t0\t1\tz\tcomm\t/a\textra\n",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		FILE *f = fopen(path, "w");

		fputs(bad[i], f);
		fclose(f);
		back = NULL;
		is_int(zcg_removals_read(path, &back), -EBADMSG, "malformed file %zu: -EBADMSG", i);
		ok(!back, "... and nothing returned");
	}
	unlink(path);
	is_int(zcg_removals_read(path, &back), -ENOENT, "no file: -ENOENT");
	rmdir(dir);
}

/* A zombie with a record is dated by its removal and grouped by its path at removal, even where
 * the census's path says something else (an ancestor renamed or gone). */
static void tracker_and_grouping(void)
{
	struct zcg_removals *rm = zcg_removals_new();
	struct zcg_zombie z[] = {
		zombie(21, "/system.slice/system-foo.slice/foo@1.service"),
		zombie(22, "/lost/x"),
		zombie(23, "/system.slice/system-foo.slice/foo@3.service"),
	};
	struct zcg_census c = { .zombies = z, .n_zombies = 3, .dying = 3, .kernel_overhead_bytes = -1, .source = "bpf" };
	char dir[] = "/tmp/zcg-removals.XXXXXX", path[64];
	struct zcg_origin_tracker *t = NULL;
	struct zcg_origins *o = NULL;
	const struct zcg_origin *g = NULL;

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/origins", dir);
	add(rm, 21, 500, "systemd", "/system.slice/system-foo.slice/foo@1.service");
	add(rm, 22, 700, "zcg-rm", "/system.slice/system-foo.slice/foo@2.service");
	is_int(zcg_removals_reconcile(rm, &c, NULL, NULL), 2, "two records match");
	is_int(zcg_origin_tracker_new(&t), 0, "tracker");
	is_int(zcg_origin_tracker_update(t, &c, rm, 1000), 1, "census at 1000 with the records");
	is_int(zcg_origin_tracker_write(t, path), 0, "write");
	is_int(zcg_origins_group_removals(&c, rm, &o), 0, "group with the records");
	is_int(zcg_origins_apply_state(o, path, 1100), 0, "apply at 1100");
	for (size_t i = 0; o && i < o->n; i++)
		if (streq(o->origins[i].pattern, "/system.slice/system-foo.slice/foo@*.service"))
			g = &o->origins[i];
	ok(g && g->dying == 3, "the zombie at /lost/x joins foo@ by its path at removal");
	ok(g && g->oldest_age_s == 600 && g->newest_age_s == 100,
	   "oldest: removed at 500 (600 s), newest: first seen at 1000 (100 s)");
	is_str(g ? g->ages : NULL, "first-seen", "one of three undated: first-seen");
	ok(g && streq(g->removed_by, "zcg-rm") && g->removed_by_pid == 122 && g->removed_at == 700,
	   "removed_by: the newest recorded removal");
	zcg_origins_free(o);

	/* the daemon's grouping takes the tracker's classification of the zombies it has seen */
	z[2].path = (char *)"/elsewhere/y";
	ok(zcg_origin_tracker_class(t, 23) && zcg_origin_tracker_class(t, 23)->kind == ZCG_ORIGIN_TEMPLATE &&
	   !zcg_origin_tracker_class(t, 99), "the tracker's class of 23 (foo@ at first sight), none for 99");
	is_int(zcg_origins_group_cached(&c, rm, t, &o), 0, "group, cached classes");
	ok(o && o->n == 1 && o->origins[0].dying == 3 && streq(o->origins[0].origin, "foo@.service"),
	   "cached: 23 stays with foo@ though its census path changed");
	zcg_origins_free(o);
	is_int(zcg_origins_group_removals(&c, rm, &o), 0, "group, classified afresh");
	ok(o && o->n == 2, "afresh: /elsewhere/y is an origin of its own");
	zcg_origins_free(o);
	zcg_origin_tracker_free(t);

	/* all dated: ages say removal */
	c.n_zombies = 2;
	zcg_origin_tracker_new(&t);
	zcg_origin_tracker_update(t, &c, rm, 1000);
	zcg_origin_tracker_write(t, path);
	zcg_origins_group_removals(&c, rm, &o);
	zcg_origins_apply_state(o, path, 1000);
	ok(o && o->n == 1 && o->origins[0].oldest_age_s == 500 && o->origins[0].newest_age_s == 300,
	   "both dated by their removals: 500 s and 300 s");
	is_str(o && o->n ? o->origins[0].ages : NULL, "removal", "ages: removal");
	zcg_origins_free(o);
	zcg_origin_tracker_free(t);
	zcg_removals_free(rm);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	matching();
	state_file();
	tracker_and_grouping();
	return done_testing();
}
