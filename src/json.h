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
/* Writes the closing newline after the top-level value. */
void json_finish(struct json *j);

#endif
