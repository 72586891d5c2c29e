// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "ages.h"
#include "util.h"

/* Cohorts per entry; when full, the two oldest are merged under the younger timestamp,
 * which can only delay acting on them. */
#define MAX_COHORTS 16

struct cohort {
	uint64_t since_ms;
	int64_t amount;
};

enum unit { UNIT_COUNT, UNIT_BYTES };

struct entry {
	char *parent;
	uint64_t id;
	enum unit unit;
	int64_t total;
	unsigned n_cohorts;
	struct cohort cohorts[MAX_COHORTS];
};

struct zcg_ages {
	struct entry *entries;	/* sorted by (parent, id) */
	size_t n;
};

int zcg_ages_new(struct zcg_ages **ret)
{
	*ret = calloc(1, sizeof(**ret));
	return *ret ? 0 : -ENOMEM;
}

static void free_entries(struct entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(e[i].parent);
	free(e);
}

void zcg_ages_free(struct zcg_ages *a)
{
	if (!a)
		return;
	free_entries(a->entries, a->n);
	free(a);
}

size_t zcg_ages_tracked(const struct zcg_ages *a)
{
	return a->n;
}

static int cmp_entry(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	int c = strcmp(a->parent, b->parent);

	if (c)
		return c;
	return a->id < b->id ? -1 : a->id > b->id;
}

static void add_cohort(struct entry *e, uint64_t now_ms, int64_t amount)
{
	if (e->n_cohorts == MAX_COHORTS) {
		e->cohorts[1].amount += e->cohorts[0].amount;
		memmove(&e->cohorts[0], &e->cohorts[1], (MAX_COHORTS - 1) * sizeof(e->cohorts[0]));
		e->n_cohorts--;
	}
	e->cohorts[e->n_cohorts++] = (struct cohort){ .since_ms = now_ms, .amount = amount };
	e->total += amount;
}

static void take_oldest(struct entry *e, int64_t amount)
{
	unsigned drop = 0;

	e->total -= amount;
	while (amount > 0 && drop < e->n_cohorts) {
		struct cohort *c = &e->cohorts[drop];

		if (c->amount > amount) {
			c->amount -= amount;
			break;
		}
		amount -= c->amount;
		drop++;
	}
	memmove(&e->cohorts[0], &e->cohorts[drop], (e->n_cohorts - drop) * sizeof(e->cohorts[0]));
	e->n_cohorts -= drop;
}

/* The census rows as fresh entries (amount in total, no cohorts yet). */
static int rows_from_census(const struct zcg_census *c, struct entry **ret, size_t *ret_n)
{
	struct entry *rows = NULL;
	size_t n = 0;

	if (c->n_zombies) {
		rows = calloc(c->n_zombies, sizeof(*rows));
		if (!rows)
			return -ENOMEM;
	}
	for (size_t i = 0; i < c->n_zombies; i++) {
		const struct zcg_zombie *z = &c->zombies[i];
		struct entry *e = &rows[n];

		memset(e, 0, sizeof(*e));
		if (!z->parent)
			continue;
		if (!z->estimated) {
			e->unit = UNIT_COUNT;
			e->id = z->id;
			e->total = 1;
		} else if (z->count >= 0) {
			e->unit = UNIT_COUNT;
			e->total = z->count;
		} else {
			e->unit = UNIT_BYTES;
			e->total = z->usage_bytes;
		}
		if (e->total <= 0)
			continue;
		e->parent = strdup(z->parent);
		if (!e->parent) {
			free_entries(rows, n);
			return -ENOMEM;
		}
		n++;
	}
	qsort_safe(rows, n, sizeof(*rows), cmp_entry);
	*ret = rows;
	*ret_n = n;
	return 0;
}

int zcg_ages_update(struct zcg_ages *a, const struct zcg_census *c, uint64_t now_ms,
		    zcg_ages_died_fn died, void *userdata)
{
	struct entry *rows;
	size_t n, i = 0;
	int r;

	r = rows_from_census(c, &rows, &n);
	if (r < 0)
		return r;
	/* Walk both sorted lists; rows inherit the cohorts of the entry with the same key. */
	for (size_t j = 0; j < n; j++) {
		struct entry *row = &rows[j];
		int64_t amount = row->total;
		int cmp = 1;

		while (i < a->n && (cmp = cmp_entry(&a->entries[i], row)) < 0)
			i++;
		row->total = 0;
		if (i < a->n && cmp == 0 && a->entries[i].unit == row->unit) {
			const struct entry *old = &a->entries[i];

			row->total = old->total;
			row->n_cohorts = old->n_cohorts;
			memcpy(row->cohorts, old->cohorts, sizeof(row->cohorts));
			if (amount > old->total)
				add_cohort(row, now_ms, amount - old->total);
			else if (amount < old->total)
				take_oldest(row, old->total - amount);
		} else {
			add_cohort(row, now_ms, amount);
		}
		/* a named zombie is one cohort: its recorded removal dates it, first-seen or not */
		if (row->id && died) {
			uint64_t t;

			if (died(userdata, row->id, &t) && t < row->cohorts[0].since_ms)
				row->cohorts[0].since_ms = t;
		}
	}
	free_entries(a->entries, a->n);
	a->entries = rows;
	a->n = n;
	return 0;
}

int zcg_ages_eligible(const struct zcg_ages *a, uint64_t now_ms, uint64_t grace_ms,
		      struct zcg_age_target **ret, size_t *ret_n)
{
	struct zcg_age_target *t = NULL;
	size_t n = 0;

	if (a->n) {
		t = calloc(a->n, sizeof(*t));
		if (!t)
			return -ENOMEM;
	}
	for (size_t i = 0; i < a->n; i++) {
		const struct entry *e = &a->entries[i];
		int64_t old = 0;

		for (unsigned k = 0; k < e->n_cohorts; k++)
			if (e->cohorts[k].since_ms + grace_ms <= now_ms)
				old += e->cohorts[k].amount;
		if (old <= 0)
			continue;
		t[n++] = (struct zcg_age_target){
			.parent = e->parent,
			.zombie_id = e->id,
			.old_count = e->unit == UNIT_COUNT ? old : -1,
			.old_bytes = e->unit == UNIT_BYTES ? old : -1,
			.total = e->total,
			.first_seen_ms = e->cohorts[0].since_ms,
		};
	}
	*ret = t;
	*ret_n = n;
	return 0;
}

void zcg_ages_summarize(const struct zcg_age_target *t, size_t n, int64_t *ret_memcgs,
			int64_t *ret_parents)
{
	int64_t memcgs = 0, parents = 0;

	for (size_t i = 0; i < n; i++) {
		if (memcgs >= 0)
			memcgs = t[i].old_count >= 0 ? memcgs + t[i].old_count : -1;
		/* targets come sorted by parent: count each parent once */
		if (i == 0 || strcmp(t[i].parent, t[i - 1].parent) != 0)
			parents++;
	}
	*ret_memcgs = memcgs;
	*ret_parents = parents;
}
