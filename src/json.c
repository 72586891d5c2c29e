// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "json.h"
#include "text.h"

void json_init(struct json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->first[0] = true;
}

static void write_escaped(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char tmp[8];
	size_t n;

	fputc('"', f);
	while (*p) {
		const char *out = json_escape_next(&p, tmp, &n);

		fwrite(out, 1, n, f);
	}
	fputc('"', f);
}

static bool any_failed;

bool json_any_failed(void)
{
	return any_failed;
}

/* Comma, newline and indentation before a member, then its key. */
static void member(struct json *j, const char *key)
{
	if (j->depth > 0) {
		if (!j->first[j->depth])
			fputc(',', j->f);
		fputc('\n', j->f);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	j->first[j->depth] = false;
	if (key) {
		write_escaped(j->f, key);
		fputs(": ", j->f);
	}
}

static void open_scope(struct json *j, const char *key, char c)
{
	if (j->overflow || j->depth >= JSON_MAX_DEPTH - 1) {
		/* a bug of ours, never of the input: say so, and keep the output well-formed
		 * up to here (nothing deeper is written; the matching ends are skipped) */
		if (!j->overflow++)
			fprintf(stderr, "zombiecg: internal error: JSON output nested deeper than %d levels\n",
				JSON_MAX_DEPTH - 1);
		j->failed = true;
		any_failed = true;
		return;
	}
	member(j, key);
	fputc(c, j->f);
	j->depth++;
	j->first[j->depth] = true;
}

static void close_scope(struct json *j, char c)
{
	bool empty;

	if (j->overflow) {
		j->overflow--;
		return;
	}
	empty = j->first[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (!empty) {
		fputc('\n', j->f);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	fputc(c, j->f);
}

void json_object_begin(struct json *j, const char *key) { open_scope(j, key, '{'); }
void json_object_end(struct json *j) { close_scope(j, '}'); }
void json_array_begin(struct json *j, const char *key) { open_scope(j, key, '['); }
void json_array_end(struct json *j) { close_scope(j, ']'); }

void json_string(struct json *j, const char *key, const char *value)
{
	if (j->overflow)
		return;
	member(j, key);
	if (value)
		write_escaped(j->f, value);
	else
		fputs("null", j->f);
}

void json_int(struct json *j, const char *key, int64_t value)
{
	if (j->overflow)
		return;
	member(j, key);
	fprintf(j->f, "%" PRId64, value);
}

void json_int_known(struct json *j, const char *key, int64_t value)
{
	if (value < 0)
		json_null(j, key);
	else
		json_int(j, key, value);
}

void json_uint(struct json *j, const char *key, uint64_t value)
{
	if (j->overflow)
		return;
	member(j, key);
	fprintf(j->f, "%" PRIu64, value);
}

void json_bool(struct json *j, const char *key, bool value)
{
	if (j->overflow)
		return;
	member(j, key);
	fputs(value ? "true" : "false", j->f);
}

void json_null(struct json *j, const char *key)
{
	if (j->overflow)
		return;
	member(j, key);
	fputs("null", j->f);
}

void json_double(struct json *j, const char *key, double value)
{
	if (j->overflow)
		return;
	member(j, key);
	fprintf(j->f, "%.6f", value);
}

int json_finish(struct json *j)
{
	fputc('\n', j->f);
	fflush(j->f);
	return j->failed ? -E2BIG : 0;
}
