// SPDX-License-Identifier: GPL-2.0
#include "ages.h"
#include "tap.h"
#include "util.h"

/* A census with one estimated row per parent: count >= 0 (v2) or bytes (v1, count -1). */
static struct zcg_census census_of(struct zcg_zombie *rows, size_t n)
{
	return (struct zcg_census){ .zombies = rows, .n_zombies = n };
}

static int64_t eligible(struct zcg_ages *a, uint64_t now, uint64_t grace, int64_t *ret_parents)
{
	struct zcg_age_target *t = NULL;
	size_t n = 0;
	int64_t memcgs, parents;

	zcg_ages_eligible(a, now, grace, &t, &n);
	zcg_ages_summarize(t, n, &memcgs, &parents);
	free(t);
	if (ret_parents)
		*ret_parents = parents;
	return memcgs;
}

/* Removal records: 12 died at 50 s, 13 at 450 s (after the census that first saw it). */
static bool died_at(void *userdata, uint64_t id, uint64_t *ret_ms)
{
	(void)userdata;
	if (id == 12)
		*ret_ms = 50000;
	else if (id == 13)
		*ret_ms = 450000;
	else
		return false;
	return true;
}

int main(void)
{
	const uint64_t grace = 300000;
	struct zcg_ages *a = NULL;
	struct zcg_age_target *t = NULL;
	struct zcg_census c;
	int64_t parents = 0;
	size_t n = 0;

	/* v2 counts per parent. */
	struct zcg_zombie v2[] = {
		{ .parent = "/system.slice", .estimated = true, .count = 3, .usage_bytes = 300 },
		{ .parent = "/user.slice", .estimated = true, .count = 1, .usage_bytes = 100 },
	};
	is_int(zcg_ages_new(&a), 0, "new tracker");
	c = census_of(v2, 2);
	is_int(zcg_ages_update(a, &c, 1000, NULL, NULL), 0, "first census at t=1s");
	is_int(zcg_ages_tracked(a), 2, "two parents tracked");
	is_int(eligible(a, 1000, grace, &parents), 0, "nothing is eligible at once");
	is_int(eligible(a, 1000 + grace - 1, grace, NULL), 0, "nor 1 ms before the grace period ends");
	is_int(eligible(a, 1000 + grace, grace, &parents), 4, "all 4 once the grace period is over");
	is_int(parents, 2, "in 2 parents");

	/* Two more zombies arrive at t=200s: the parent is old, its new zombies are young. */
	v2[0].count = 5;
	zcg_ages_update(a, &c, 200000, NULL, NULL);
	is_int(eligible(a, 1000 + grace, grace, NULL), 4, "new zombies under an old parent wait their turn");
	is_int(eligible(a, 200000 + grace, grace, NULL), 6, "and become eligible after their own grace");
	zcg_ages_eligible(a, 1000 + grace, grace, &t, &n);
	ok(n == 2 && streq(t[0].parent, "/system.slice") && t[0].old_count == 3 && t[0].total == 5 &&
	   t[0].first_seen_ms == 1000 && t[0].zombie_id == 0 && t[0].old_bytes == -1,
	   "the target says 3 of 5 are old, first seen at 1 s");
	free(t);

	/* One dies: assume the oldest, so nothing young is promoted. */
	v2[0].count = 4;
	zcg_ages_update(a, &c, 250000, NULL, NULL);
	is_int(eligible(a, 1000 + grace, grace, NULL), 3, "a death is taken off the oldest cohort");

	/* A parent that loses all its zombies is forgotten; if they come back they are young. */
	c = census_of(v2, 1);
	zcg_ages_update(a, &c, 260000, NULL, NULL);
	is_int(zcg_ages_tracked(a), 1, "a parent without zombies is forgotten");
	c = census_of(v2, 2);
	zcg_ages_update(a, &c, 270000, NULL, NULL);
	is_int(eligible(a, 269999 + grace, grace, NULL), 4, "returning zombies start a new grace period");
	zcg_ages_free(a);

	/* v1: bytes per parent, the count is unknown. */
	struct zcg_zombie v1[] = { { .parent = "/", .estimated = true, .count = -1, .usage_bytes = 8192 } };
	zcg_ages_new(&a);
	c = census_of(v1, 1);
	zcg_ages_update(a, &c, 0, NULL, NULL);
	v1[0].usage_bytes = 12288;
	zcg_ages_update(a, &c, 100000, NULL, NULL);
	zcg_ages_eligible(a, grace, grace, &t, &n);
	ok(n == 1 && t[0].old_count == -1 && t[0].old_bytes == 8192 && t[0].total == 12288,
	   "v1: 8 KiB of 12 KiB are old, count unknown");
	zcg_ages_summarize(t, n, &parents, &parents);
	free(t);
	is_int(eligible(a, grace, grace, NULL), -1, "v1: the eligible count is unknown");
	zcg_ages_free(a);

	/* BPF: every zombie by ID. */
	struct zcg_zombie named[] = {
		{ .id = 11, .parent = "/a", .name = "x", .count = 1 },
		{ .id = 12, .parent = "/a", .name = "y", .count = 1 },
		{ .id = 13, .parent = "/b", .name = "z", .count = 1 },
	};
	zcg_ages_new(&a);
	c = census_of(named, 2);
	zcg_ages_update(a, &c, 0, NULL, NULL);
	c = census_of(named, 3);
	zcg_ages_update(a, &c, 60000, NULL, NULL);
	zcg_ages_eligible(a, grace, grace, &t, &n);
	ok(n == 2 && t[0].zombie_id == 11 && t[1].zombie_id == 12 && t[0].old_count == 1,
	   "named zombies are tracked one by one");
	free(t);
	is_int(eligible(a, 60000 + grace, grace, &parents), 3, "all three later");
	is_int(parents, 2, "in two parents");
	zcg_ages_free(a);

	/* Recorded removals date named zombies: 12 died 350 s before the first census, 13 after
	 * it (a later record, never a later time than first seen), 11 has no record. */
	zcg_ages_new(&a);
	c = census_of(named, 3);
	is_int(zcg_ages_update(a, &c, 400000, died_at, NULL), 0, "a census with removal records");
	zcg_ages_eligible(a, 400000, grace, &t, &n);
	ok(n == 1 && t[0].zombie_id == 12 && t[0].first_seen_ms == 50000,
	   "the zombie removed 350 s before the census is past a 300 s grace at once");
	free(t);
	is_int(eligible(a, 450000 - 1, grace, NULL), 1, "the others wait");
	is_int(eligible(a, 700000, grace, NULL), 3, "11 (first-seen) and 13 after their own grace");
	zcg_ages_update(a, &c, 500000, died_at, NULL);
	zcg_ages_eligible(a, 700000 - 1, grace, &t, &n);
	ok(n == 1 && t[0].zombie_id == 12, "a record later than first seen does not make a zombie younger");
	free(t);
	zcg_ages_free(a);

	/* Many small increases: cohorts merge without making anything older than it is. */
	struct zcg_zombie busy[] = { { .parent = "/busy", .estimated = true, .count = 0 } };
	zcg_ages_new(&a);
	c = census_of(busy, 1);
	for (int i = 1; i <= 40; i++) {
		busy[0].count = i;
		zcg_ages_update(a, &c, (uint64_t)i * 1000, NULL, NULL);
	}
	for (int i = 1; i <= 40; i++) {
		int64_t got = eligible(a, (uint64_t)i * 1000 + grace, grace, NULL);

		if (got > i) {
			ok(0, "merged cohorts never count a zombie as older than it is (t=%d: %lld)", i,
			   (long long)got);
			break;
		}
		if (i == 40)
			ok(1, "merged cohorts never count a zombie as older than it is");
	}
	is_int(eligible(a, 40000 + grace, grace, NULL), 40, "all 40 in the end");
	zcg_ages_free(a);

	/* A census that finds no zombie (a clean host): nothing to sort, nothing eligible
	 * (UBSan stopped on qsort(NULL, 0) here). */
	zcg_ages_new(&a);
	c = census_of(NULL, 0);
	is_int(zcg_ages_update(a, &c, 1000, NULL, NULL), 0, "a census without zombies");
	is_int(eligible(a, 1000 + grace, grace, &parents), 0, "nothing eligible");
	zcg_ages_free(a);
	return done_testing();
}
