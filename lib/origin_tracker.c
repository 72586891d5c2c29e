// SPDX-License-Identifier: GPL-2.0
/* The daemon's memory of origins: when it first saw each named zombie, how many new ones each
 * pattern brought, written to a small state file that `zombiecg origins` reads. See origins.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fileio.h"
#include "origins.h"
#include "removals.h"
#include "util.h"

#define NO_PATTERN UINT32_MAX

struct tracked {
	uint64_t id;
	uint64_t first_seen;	/* unix seconds */
	uint32_t pattern;	/* index into patterns, NO_PATTERN past the cap */
	bool exact;		/* first_seen is the removal time a tracepoint record gave */
};

struct tracked_pattern {
	char *pattern;
	struct zcg_origin_class cls;	/* its classification (cls.pattern is pattern) */
	uint64_t created;	/* new zombies seen after the first census */
	int64_t current;	/* zombies of the last census */
	int64_t exact;		/* of which the age is from a removal record */
	uint64_t oldest, newest;	/* their first-seen times */
};

struct zcg_origin_tracker {
	struct tracked *zombies;	/* sorted by id */
	size_t n;
	struct tracked_pattern *patterns;
	size_t n_patterns, cap_patterns;
	uint64_t since, last;	/* first and last census */
	bool seeded;
};

int zcg_origin_tracker_new(struct zcg_origin_tracker **ret)
{
	*ret = calloc(1, sizeof(**ret));
	return *ret ? 0 : -ENOMEM;
}

void zcg_origin_tracker_free(struct zcg_origin_tracker *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_patterns; i++) {
		t->patterns[i].cls.pattern = NULL;	/* the same string as pattern */
		zcg_origin_class_done(&t->patterns[i].cls);
		free(t->patterns[i].pattern);
	}
	free(t->patterns);
	free(t->zombies);
	free(t);
}

static int cmp_tracked(const void *a, const void *b)
{
	const struct tracked *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* The index of cls's pattern, added with cls (taken: its strings then belong to the table)
 * if new; NO_PATTERN when the table is full. */
static int pattern_index(struct zcg_origin_tracker *t, struct zcg_origin_class *cls, uint32_t *ret)
{
	struct tracked_pattern *p;

	for (size_t i = 0; i < t->n_patterns; i++)
		if (streq(t->patterns[i].pattern, cls->pattern)) {
			*ret = (uint32_t)i;
			return 0;
		}
	if (t->n_patterns >= ZCG_ORIGIN_TRACKED_PATTERNS) {
		*ret = NO_PATTERN;
		return 0;
	}
	if (grow_array((void **)&t->patterns, &t->cap_patterns, t->n_patterns + 1, sizeof(*t->patterns)) < 0)
		return -ENOMEM;
	p = &t->patterns[t->n_patterns];
	*p = (struct tracked_pattern) { .pattern = cls->pattern, .cls = *cls };
	*cls = (struct zcg_origin_class) { 0 };
	*ret = (uint32_t)t->n_patterns++;
	return 0;
}

int zcg_origin_tracker_update(struct zcg_origin_tracker *t, const struct zcg_census *c, struct zcg_removals *rm,
			      uint64_t now)
{
	_cleanup_free_ struct tracked *next = NULL;
	size_t n = 0, old = 0;

	/* only BPF names zombies: from cgroupfs there is nothing to follow */
	if (!c->source || !streq(c->source, "bpf") || (c->n_zombies && c->zombies[0].estimated))
		return 0;
	if (c->n_zombies) {
		next = calloc(c->n_zombies, sizeof(*next));
		if (!next)
			return -ENOMEM;
	}
	for (size_t i = 0; i < c->n_zombies; i++)
		if (c->zombies[i].id)
			next[n++] = (struct tracked) { .id = c->zombies[i].id, .pattern = (uint32_t)i };
	qsort_safe(next, n, sizeof(*next), cmp_tracked);
	/* both sorted by id: known zombies keep what was seen, new ones are classified once */
	for (size_t i = 0; i < n; i++) {
		const struct zcg_zombie *z = &c->zombies[next[i].pattern];
		const struct zcg_removal *rec = zcg_removals_find(rm, next[i].id);
		struct zcg_origin_class cls;
		int r;

		while (old < t->n && t->zombies[old].id < next[i].id)
			old++;
		if (old < t->n && t->zombies[old].id == next[i].id) {
			next[i].first_seen = t->zombies[old].first_seen;
			next[i].pattern = t->zombies[old].pattern;
			next[i].exact = t->zombies[old].exact;
			continue;
		}
		/* the path at removal is the zombie's own, whatever became of its ancestors */
		r = zcg_origin_classify(rec ? rec->path : z->path, &cls);
		if (r < 0)
			return r;
		r = pattern_index(t, &cls, &next[i].pattern);
		zcg_origin_class_done(&cls);
		if (r < 0)
			return r;
		next[i].first_seen = now;
		if (rec && rec->removed_ns) {
			next[i].first_seen = rec->removed_ns / 1000000000;
			next[i].exact = true;
		}
		/* the first census finds zombies made before: they are not new */
		if (t->seeded && next[i].pattern != NO_PATTERN)
			t->patterns[next[i].pattern].created++;
	}
	for (size_t p = 0; p < t->n_patterns; p++)
		t->patterns[p].current = t->patterns[p].exact = 0;
	for (size_t i = 0; i < n; i++) {
		struct tracked_pattern *p;

		if (next[i].pattern == NO_PATTERN)
			continue;
		p = &t->patterns[next[i].pattern];
		if (!p->current || next[i].first_seen < p->oldest)
			p->oldest = next[i].first_seen;
		if (!p->current || next[i].first_seen > p->newest)
			p->newest = next[i].first_seen;
		p->current++;
		p->exact += next[i].exact;
	}
	free(t->zombies);
	t->zombies = TAKE_PTR(next);
	t->n = n;
	if (!t->seeded)
		t->since = now;
	t->last = now;
	t->seeded = true;
	return 1;
}

const struct zcg_origin_class *zcg_origin_tracker_class(const struct zcg_origin_tracker *t, uint64_t id)
{
	struct tracked key = { .id = id };
	const struct tracked *z;

	if (!t || !t->n)
		return NULL;
	z = bsearch(&key, t->zombies, t->n, sizeof(*t->zombies), cmp_tracked);
	return z && z->pattern != NO_PATTERN ? &t->patterns[z->pattern].cls : NULL;
}

/* Patterns are cgroup paths: any byte but NUL; escaped as the removals file escapes its paths. */
int zcg_origin_tracker_write(const struct zcg_origin_tracker *t, const char *path)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f, "zombiecg-origins 2 %" PRIu64 " %" PRIu64 "\n", t->since, t->last);
	for (size_t i = 0; i < t->n_patterns; i++) {
		const struct tracked_pattern *p = &t->patterns[i];

		if (!p->current && !p->created)
			continue;
		fprintf(f, "%" PRIu64 "\t%" PRId64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRId64 "\t", p->created, p->current,
			p->current ? p->oldest : 0, p->current ? p->newest : 0, p->exact);
		zcg_tsv_escape(f, p->pattern);
		fputc('\n', f);
	}
	return zcg_write_memstream_atomic(f, &text, &len, path);
}

int zcg_origins_apply_state(struct zcg_origins *o, const char *path, uint64_t now)
{
	_cleanup_free_ char *text = NULL;
	uint64_t since, last;
	char *line, *save = NULL;
	size_t len;
	int r, version;

	r = read_full_file(path, &text, &len);
	if (r < 0)
		return r;
	line = strtok_r(text, "\n", &save);
	if (!line || sscanf(line, "zombiecg-origins %d %" SCNu64 " %" SCNu64, &version, &since, &last) != 3 ||
	    (version != 1 && version != 2) || last < since)
		return zcg_error(-EBADMSG, "%s: not an origins state file of version 1 or 2", path);
	while ((line = strtok_r(NULL, "\n", &save))) {
		uint64_t created, oldest, newest;
		int64_t current, exact = 0;
		int at = 0;

		if (version == 1 ? sscanf(line, "%" SCNu64 "\t%" SCNd64 "\t%" SCNu64 "\t%" SCNu64 "\t%n", &created,
					  &current, &oldest, &newest, &at) != 4 :
				   sscanf(line, "%" SCNu64 "\t%" SCNd64 "\t%" SCNu64 "\t%" SCNu64 "\t%" SCNd64 "\t%n",
					  &created, &current, &oldest, &newest, &exact, &at) != 5)
			return zcg_error(-EBADMSG, "%s: malformed line", path);
		if (!at)
			return zcg_error(-EBADMSG, "%s: malformed line", path);
		zcg_tsv_unescape(line + at);
		for (size_t i = 0; i < o->n; i++) {
			struct zcg_origin *g = &o->origins[i];

			if (!streq(g->pattern, line + at))
				continue;
			if (current > 0) {
				g->oldest_age_s = oldest <= now ? (int64_t)(now - oldest) : 0;
				g->newest_age_s = newest <= now ? (int64_t)(now - newest) : 0;
				g->ages = exact >= current ? "removal" : "first-seen";
			}
			if (last > since)
				g->rate_per_hour = (double)created * 3600.0 / (double)(last - since);
		}
	}
	return 0;
}
