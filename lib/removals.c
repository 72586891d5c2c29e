// SPDX-License-Identifier: GPL-2.0
/* The removal records the cgroup_rmdir tracepoint gave, matched to zombies. See removals.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fileio.h"
#include "removals.h"
#include "util.h"

struct zcg_removals *zcg_removals_new(void)
{
	return calloc(1, sizeof(struct zcg_removals));
}

void zcg_removals_free(struct zcg_removals *rm)
{
	if (!rm)
		return;
	for (size_t i = 0; i < rm->n; i++)
		free(rm->r[i].path);
	free(rm->r);
	free(rm->note);
	free(rm);
}

int zcg_removals_add(struct zcg_removals *rm, const struct zcg_removal *r)
{
	struct zcg_removal *n;

	if (grow_array((void **)&rm->r, &rm->cap, rm->n + 1, sizeof(*rm->r)) < 0)
		return -ENOMEM;
	n = &rm->r[rm->n];
	*n = *r;
	n->comm[sizeof(n->comm) - 1] = '\0';
	n->path = strdup(r->path && r->path[0] ? r->path : "/");
	if (!n->path)
		return -ENOMEM;
	rm->n++;
	rm->sorted = false;
	return 0;
}

static int cmp_id(const void *a, const void *b)
{
	const struct zcg_removal *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int cmp_newest(const void *a, const void *b)
{
	const struct zcg_removal *x = a, *y = b;

	return x->removed_ns > y->removed_ns ? -1 : x->removed_ns < y->removed_ns;
}

/* Keeps the newest ZCG_REMOVALS_MAX, then sorts by id. */
static void trim_and_sort(struct zcg_removals *rm)
{
	if (rm->n > ZCG_REMOVALS_MAX) {
		qsort_safe(rm->r, rm->n, sizeof(*rm->r), cmp_newest);
		for (size_t i = ZCG_REMOVALS_MAX; i < rm->n; i++)
			free(rm->r[i].path);
		rm->dropped += rm->n - ZCG_REMOVALS_MAX;
		rm->n = ZCG_REMOVALS_MAX;
	}
	qsort_safe(rm->r, rm->n, sizeof(*rm->r), cmp_id);
	rm->sorted = true;
}

int zcg_removals_reconcile(struct zcg_removals *rm, const struct zcg_census *c,
			   void (*new_zombie)(void *userdata, const struct zcg_removal *r), void *userdata)
{
	_cleanup_free_ uint64_t *ids = NULL;
	size_t n_ids = 0, kept = 0;
	int matched = 0;

	if (!c->source || !streq(c->source, "bpf") || (c->n_zombies && c->zombies[0].estimated)) {
		trim_and_sort(rm);
		return 0;
	}
	if (c->n_zombies) {
		ids = malloc(c->n_zombies * sizeof(*ids));
		if (!ids)
			return -ENOMEM;
	}
	for (size_t i = 0; i < c->n_zombies; i++)
		if (c->zombies[i].id)
			ids[n_ids++] = c->zombies[i].id;
	qsort_safe(ids, n_ids, sizeof(*ids), cmp_u64);
	for (size_t i = 0; i < rm->n; i++) {
		struct zcg_removal *r = &rm->r[i];

		if (!n_ids || !bsearch(&r->id, ids, n_ids, sizeof(*ids), cmp_u64)) {
			free(r->path);
			continue;
		}
		if (!r->zombie) {
			r->zombie = true;
			matched++;
			if (new_zombie)
				new_zombie(userdata, r);
		}
		rm->r[kept++] = *r;
	}
	rm->n = kept;
	trim_and_sort(rm);
	return matched;
}

const struct zcg_removal *zcg_removals_find(struct zcg_removals *rm, uint64_t id)
{
	struct zcg_removal key = { .id = id };

	if (!rm || !rm->n)
		return NULL;
	if (!rm->sorted) {
		qsort_safe(rm->r, rm->n, sizeof(*rm->r), cmp_id);
		rm->sorted = true;
	}
	return bsearch(&key, rm->r, rm->n, sizeof(*rm->r), cmp_id);
}

void zcg_tsv_escape(FILE *f, const char *s)
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

void zcg_tsv_unescape(char *s)
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

int zcg_removals_write(const struct zcg_removals *rm, const char *path)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f, "zombiecg-removals 1 %s", rm->tracing ? "tracepoint" : "first-seen");
	if (!rm->tracing && rm->note) {
		fputc('\t', f);
		zcg_tsv_escape(f, rm->note);
	}
	fputc('\n', f);
	for (size_t i = 0; i < rm->n; i++) {
		const struct zcg_removal *x = &rm->r[i];

		fprintf(f, "%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRId64 "\t%s%s%s\t", x->id, x->removed_ns,
			x->created_ns, x->pid, x->zombie ? "z" : "", x->path_cut ? "c" : "",
			!x->zombie && !x->path_cut ? "-" : "");
		zcg_tsv_escape(f, x->comm);
		fputc('\t', f);
		zcg_tsv_escape(f, x->path);
		fputc('\n', f);
	}
	return zcg_write_memstream_atomic(f, &text, &len, path);
}

/* Splits off the next tab-separated field of *s. */
static char *next_field(char **s)
{
	char *f = *s, *tab;

	if (!f)
		return NULL;
	tab = strchr(f, '\t');
	if (tab) {
		*tab = '\0';
		*s = tab + 1;
	} else {
		*s = NULL;
	}
	return f;
}

int zcg_removals_read(const char *path, struct zcg_removals **ret)
{
	_cleanup_free_ char *text = NULL;
	struct zcg_removals *rm;
	char *line, *save = NULL, *rest, *state;
	size_t len, lineno = 1;
	int r;

	r = read_full_file(path, &text, &len);
	if (r < 0)
		return r;
	if (memchr(text, '\0', len))
		return zcg_error(-EBADMSG, "%s: not a removals state file (a NUL byte)", path);
	line = strtok_r(text, "\n", &save);
	if (!line || strncmp(line, "zombiecg-removals 1 ", 20) != 0)
		return zcg_error(-EBADMSG, "%s: not a removals state file of version 1", path);
	rm = zcg_removals_new();
	if (!rm)
		return -ENOMEM;
	rest = line + 20;
	state = next_field(&rest);
	if (streq(state, "tracepoint")) {
		rm->tracing = true;
	} else if (streq(state, "first-seen")) {
		if (rest) {
			zcg_tsv_unescape(rest);
			rm->note = strdup(rest);
			if (!rm->note)
				goto oom;
		}
	} else {
		zcg_removals_free(rm);
		return zcg_error(-EBADMSG, "%s:1: unknown state '%s'", path, state);
	}
	while ((line = strtok_r(NULL, "\n", &save))) {
		struct zcg_removal x = { 0 };
		char *f[7], *end;
		size_t i;

		lineno++;
		rest = line;
		for (i = 0; i < ARRAY_SIZE(f); i++)
			if (!(f[i] = next_field(&rest)))
				break;
		if (i < ARRAY_SIZE(f) || rest)
			goto bad;
		errno = 0;
		x.id = strtoull(f[0], &end, 10);
		if (*end || !x.id)
			goto bad;
		x.removed_ns = strtoull(f[1], &end, 10);
		if (*end)
			goto bad;
		x.created_ns = strtoull(f[2], &end, 10);
		if (*end)
			goto bad;
		x.pid = strtoll(f[3], &end, 10);
		if (*end || errno)
			goto bad;
		if (strspn(f[4], "zc-") != strlen(f[4]))
			goto bad;
		x.zombie = strchr(f[4], 'z');
		x.path_cut = strchr(f[4], 'c');
		zcg_tsv_unescape(f[5]);
		snprintf(x.comm, sizeof(x.comm), "%s", f[5]);
		zcg_tsv_unescape(f[6]);
		if (f[6][0] != '/')
			goto bad;
		x.path = f[6];
		if (zcg_removals_add(rm, &x) < 0)
			goto oom;
	}
	zcg_removals_find(rm, 0);	/* sorts */
	*ret = rm;
	return 0;
bad:
	zcg_removals_free(rm);
	return zcg_error(-EBADMSG, "%s:%zu: malformed removal record", path, lineno);
oom:
	zcg_removals_free(rm);
	return -ENOMEM;
}
