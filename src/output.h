/* SPDX-License-Identifier: GPL-2.0 */
/* What every command prints the same way (bpftool's common code): failures as a line on
 * stderr or {"error": ...} under --json, byte counts, and the JSON fields list and explain
 * share. The library never prints; this is where its -errno and message meet the user. */
#ifndef ZCG_OUTPUT_H
#define ZCG_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "sys.h"

struct zcg_ctx;

/* Reports a runtime failure (JSON: {"error": ...} on stdout) and returns EXIT_FAIL. Without
 * fmt the message is r's own (zcg_strerror(r): the library's sentence for r, else strerror). */
int zcg_fail(struct zcg_ctx *ctx, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Reports a usage error with a hint to --help and returns EXIT_USAGE. */
int zcg_usage_error(struct zcg_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "1.5 GiB" style, into buf. v < 0 (unknown) prints "-". */
const char *format_bytes(int64_t v, char *buf, size_t size);
/* A count into buf; v < 0 (unknown) prints "-". */
const char *format_count(int64_t v, char *buf, size_t size);

/* The fields list and explain share: the object's header, and a zombie's (or, estimated, a
 * live parent's) identity. The caller has opened the object. */
void json_zombies_header(struct json *j, const char *source, const char *source_note,
			 enum zcg_hierarchy hierarchy, const char *scope);
void json_zombie_identity(struct json *j, uint64_t id, const char *name, const char *path,
			  const char *parent, int64_t memcg_id, int64_t usage_bytes);

#endif
