// SPDX-License-Identifier: GPL-2.0
/* Output every command shares (src/output.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "output.h"
#include "text.h"
#include "util.h"
#include "zombiecg.h"

static void report(struct zcg_ctx *ctx, const char *msg)
{
	if (ctx->json) {
		struct json j;

		json_init(&j, stdout);
		json_object_begin(&j, NULL);
		json_string(&j, "error", msg);
		json_object_end(&j);
		json_finish(&j);
	} else {
		fprintf(stderr, "zombiecg: %s\n", esc(msg));
	}
}

int zcg_fail(struct zcg_ctx *ctx, int r, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;

	if (fmt) {
		va_list ap;

		va_start(ap, fmt);
		if (vasprintf(&msg, fmt, ap) < 0)
			msg = NULL;
		va_end(ap);
	}
	if (!msg)
		msg = strdup(zcg_strerror(r));
	report(ctx, msg ? msg : "out of memory");
	return EXIT_FAIL;
}

int zcg_usage_error(struct zcg_ctx *ctx, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	report(ctx, msg ? msg : "usage error");
	if (!ctx->json)
		fprintf(stderr, "Try 'zombiecg --help' for more information.\n");
	return EXIT_USAGE;
}

void json_zombies_header(struct json *j, const char *source, const char *source_note,
			 enum zcg_hierarchy hierarchy, const char *scope)
{
	json_string(j, "source", source);
	json_string(j, "source_note", source_note);
	json_string(j, "hierarchy", hierarchy == ZCG_HIER_V2 ? "v2" : "v1");
	json_string(j, "scope", scope);
}

void json_zombie_identity(struct json *j, uint64_t id, const char *name, const char *path,
			  const char *parent, int64_t memcg_id, int64_t usage_bytes)
{
	if (id)
		json_uint(j, "id", id);
	else
		json_null(j, "id");
	json_string(j, "name", name);
	json_string(j, "path", path);
	json_string(j, "parent", parent);
	json_int_known(j, "memcg_id", memcg_id);
	json_int_known(j, "usage_bytes", usage_bytes);
}

const char *format_bytes(int64_t v, char *buf, size_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double d = (double)v;
	unsigned u = 0;

	if (v < 0) {
		snprintf(buf, size, "-");
		return buf;
	}
	while (d >= 1024 && u < ARRAY_SIZE(units) - 1) {
		d /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%lld B", (long long)v);
	else
		snprintf(buf, size, "%.1f %s", d, units[u]);
	return buf;
}

const char *format_count(int64_t v, char *buf, size_t size)
{
	if (v < 0)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%lld", (long long)v);
	return buf;
}
