/* SPDX-License-Identifier: GPL-2.0 */
/* A small streaming JSON writer: numbers stay numbers, unknown values are null. */
#ifndef ZCG_JSON_H
#define ZCG_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json {
	FILE *f;
	int depth;
	int overflow;		/* scopes opened past JSON_MAX_DEPTH - 1, not written */
	bool failed;		/* that happened: the output lacks them */
	bool first[JSON_MAX_DEPTH];
};

void json_init(struct json *j, FILE *f);
/* key is NULL for array elements and the top-level value. */
void json_object_begin(struct json *j, const char *key);
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);
void json_string(struct json *j, const char *key, const char *value);	/* NULL: null */
void json_int(struct json *j, const char *key, int64_t value);
void json_int_known(struct json *j, const char *key, int64_t value);	/* < 0: null */
void json_uint(struct json *j, const char *key, uint64_t value);
void json_bool(struct json *j, const char *key, bool value);
void json_null(struct json *j, const char *key);
void json_double(struct json *j, const char *key, double value);
/* Writes the closing newline after the top-level value. Returns 0, or -E2BIG if something
 * was nested deeper than JSON_MAX_DEPTH - 1 levels: a bug, said on stderr when it happened,
 * the deeper parts left out (what was written is well-formed). */
int json_finish(struct json *j);

/* Whether any writer of this process hit the nesting limit (main() exits 1 then). */
bool json_any_failed(void);

#endif
