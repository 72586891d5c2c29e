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
#include "util.h"

#define NO_PATTERN UINT32_MAX

struct tracked {
	uint64_t id;
	uint64_t first_seen;	/* unix seconds */
	uint32_t pattern;	/* index into patterns, NO_PATTERN past the cap */
};

struct tracked_pattern {
	char *pattern;
	uint64_t created;	/* new zombies seen after the first census */
	int64_t current;	/* zombies of the last census */
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
	for (size_t i = 0; i < t->n_patterns; i++)
		free(t->patterns[i].pattern);
	free(t->patterns);
	free(t->zombies);
	free(t);
}

static int cmp_tracked(const void *a, const void *b)
{
	const struct tracked *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* The index of pattern, added if new (NO_PATTERN when the table is full). */
static int pattern_index(struct zcg_origin_tracker *t, const char *pattern, uint32_t *ret)
{
	for (size_t i = 0; i < t->n_patterns; i++)
		if (streq(t->patterns[i].pattern, pattern)) {
			*ret = (uint32_t)i;
			return 0;
		}
	if (t->n_patterns >= ZCG_ORIGIN_TRACKED_PATTERNS) {
		*ret = NO_PATTERN;
		return 0;
	}
	if (grow_array((void **)&t->patterns, &t->cap_patterns, t->n_patterns + 1, sizeof(*t->patterns)) < 0)
		return -ENOMEM;
	t->patterns[t->n_patterns].pattern = strdup(pattern);
	if (!t->patterns[t->n_patterns].pattern)
		return -ENOMEM;
	*ret = (uint32_t)t->n_patterns++;
	return 0;
}

int zcg_origin_tracker_update(struct zcg_origin_tracker *t, const struct zcg_census *c, uint64_t now)
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
		struct zcg_origin_class cls;
		int r;

		while (old < t->n && t->zombies[old].id < next[i].id)
			old++;
		if (old < t->n && t->zombies[old].id == next[i].id) {
			next[i].first_seen = t->zombies[old].first_seen;
			next[i].pattern = t->zombies[old].pattern;
			continue;
		}
		r = zcg_origin_classify(z->path, &cls);
		if (r < 0)
			return r;
		r = pattern_index(t, cls.pattern, &next[i].pattern);
		zcg_origin_class_done(&cls);
		if (r < 0)
			return r;
		next[i].first_seen = now;
		/* the first census finds zombies made before: they are not new */
		if (t->seeded && next[i].pattern != NO_PATTERN)
			t->patterns[next[i].pattern].created++;
	}
	for (size_t p = 0; p < t->n_patterns; p++)
		t->patterns[p].current = 0;
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

/* Patterns are cgroup paths: any byte but NUL. Backslash, tab and newline are escaped so one
 * line holds one pattern. */
static void write_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\t')
			fputs("\\t", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '\\' && (s[1] == '\\' || s[1] == 't' || s[1] == 'n')) {
			s++;
			*o++ = *s == 't' ? '\t' : *s == 'n' ? '\n' : '\\';
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

int zcg_origin_tracker_write(const struct zcg_origin_tracker *t, const char *path)
{
	_cleanup_free_ char *tmp = strdup_printf("%s.tmp", path);
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	if (!tmp)
		return -ENOMEM;
	f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f, "zombiecg-origins 1 %" PRIu64 " %" PRIu64 "\n", t->since, t->last);
	for (size_t i = 0; i < t->n_patterns; i++) {
		const struct tracked_pattern *p = &t->patterns[i];

		if (!p->current && !p->created)
			continue;
		fprintf(f, "%" PRIu64 "\t%" PRId64 "\t%" PRIu64 "\t%" PRIu64 "\t", p->created, p->current,
			p->current ? p->oldest : 0, p->current ? p->newest : 0);
		write_escaped(f, p->pattern);
		fputc('\n', f);
	}
	if (fclose(f) != 0) {
		free(text);
		return -ENOMEM;
	}
	r = zcg_write_file_atomic(path, tmp, text, len);
	free(text);
	return r;
}

int zcg_origins_apply_state(struct zcg_origins *o, const char *path, uint64_t now)
{
	_cleanup_free_ char *text = NULL;
	uint64_t since, last;
	char *line, *save = NULL;
	size_t len;
	int r;

	r = read_full_file(path, &text, &len);
	if (r < 0)
		return r;
	line = strtok_r(text, "\n", &save);
	if (!line || sscanf(line, "zombiecg-origins 1 %" SCNu64 " %" SCNu64, &since, &last) != 2 || last < since)
		return zcg_error(-EBADMSG, "%s: not an origins state file of version 1", path);
	while ((line = strtok_r(NULL, "\n", &save))) {
		uint64_t created, oldest, newest;
		int64_t current;
		int at = 0;

		if (sscanf(line, "%" SCNu64 "\t%" SCNd64 "\t%" SCNu64 "\t%" SCNu64 "\t%n", &created, &current, &oldest,
			   &newest, &at) != 4 || !at)
			return zcg_error(-EBADMSG, "%s: malformed line", path);
		unescape(line + at);
		for (size_t i = 0; i < o->n; i++) {
			struct zcg_origin *g = &o->origins[i];

			if (!streq(g->pattern, line + at))
				continue;
			if (current > 0) {
				g->oldest_age_s = oldest <= now ? (int64_t)(now - oldest) : 0;
				g->newest_age_s = newest <= now ? (int64_t)(now - newest) : 0;
			}
			if (last > since)
				g->rate_per_hour = (double)created * 3600.0 / (double)(last - since);
		}
	}
	return 0;
}
