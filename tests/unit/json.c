// SPDX-License-Identifier: GPL-2.0
/* The JSON writer (src/json.c): escaping, nesting, and its nesting limit. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "json.h"
#include "tap.h"

/* Runs fn with a writer on a memory stream; returns what it wrote (free it) and the
 * json_finish() result in *ret. */
static char *written(void (*fn)(struct json *), int *ret)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	json_init(&j, f);
	fn(&j);
	*ret = json_finish(&j);
	fclose(f);
	return buf;
}

static void doc(struct json *j)
{
	json_object_begin(j, NULL);
	json_string(j, "s", "a\"b\\c\nd\te\x01" "caf\xc3\xa9 \xff");
	json_int_known(j, "unknown", -1);
	json_uint(j, "big", 18446744073709551615ULL);
	json_array_begin(j, "empty");
	json_array_end(j);
	json_array_begin(j, "a");
	json_bool(j, NULL, true);
	json_null(j, NULL);
	json_array_end(j);
	json_object_end(j);
}

static void deep(struct json *j)
{
	/* 40 levels: past the limit; the writer must say so and stay well-formed */
	for (int i = 0; i < 40; i++)
		json_array_begin(j, NULL);
	json_int(j, NULL, 7);
	for (int i = 0; i < 40; i++)
		json_array_end(j);
}

static void limit(struct json *j)
{
	for (int i = 0; i < JSON_MAX_DEPTH - 1; i++)
		json_array_begin(j, NULL);
	json_int(j, NULL, 7);
	for (int i = 0; i < JSON_MAX_DEPTH - 1; i++)
		json_array_end(j);
}

static int count(const char *s, char c)
{
	int n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

int main(void)
{
	char *out;
	int r;

	out = written(doc, &r);
	is_int(r, 0, "a document: json_finish says 0");
	is_str(out, "{\n"
		    "  \"s\": \"a\\\"b\\\\c\\nd\\te\\u0001caf\xc3\xa9 \\ufffd\",\n"
		    "  \"unknown\": null,\n"
		    "  \"big\": 18446744073709551615,\n"
		    "  \"empty\": [],\n"
		    "  \"a\": [\n"
		    "    true,\n"
		    "    null\n"
		    "  ]\n"
		    "}\n",
	       "escapes, UTF-8 kept, invalid bytes as U+FFFD, null for unknown, empty arrays");
	free(out);

	out = written(limit, &r);
	is_int(r, 0, "JSON_MAX_DEPTH - 1 levels: fine");
	ok(count(out, '[') == JSON_MAX_DEPTH - 1 && count(out, ']') == JSON_MAX_DEPTH - 1 && strstr(out, "7"),
	   "all of them written");
	ok(!json_any_failed(), "no failure recorded");
	free(out);

	out = written(deep, &r);
	is_int(r, -E2BIG, "40 levels: json_finish says -E2BIG");
	ok(json_any_failed(), "and the process knows (main exits 1)");
	is_int(count(out, '['), JSON_MAX_DEPTH - 1, "the levels within the limit are written");
	is_int(count(out, ']'), JSON_MAX_DEPTH - 1, "and closed: the output is well-formed");
	ok(!strstr(out, "7"), "what is deeper is left out, not written at the wrong level");
	free(out);
	return done_testing();
}
