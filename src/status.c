// SPDX-License-Identifier: GPL-2.0
/* zombiecg status: how many memcgs are dying, where, and what they pin. */
#include <errno.h>
#include <libsmartcols.h>
#include <string.h>

#include "census.h"
#include "text.h"
#include "util.h"
#include "zombiecg.h"

static const char *hierarchy_name(enum zcg_hierarchy h)
{
	return h == ZCG_HIER_V2 ? "v2" : "v1";
}

static double subtree_share(const struct zcg_census *c, const struct zcg_subtree *s)
{
	if (c->pinned_bytes > 0)
		return (double)s->pinned_bytes / (double)c->pinned_bytes;
	if (c->dying > 0 && s->dying >= 0)
		return (double)s->dying / (double)c->dying;
	return 0;
}

static void status_json(struct zcg_ctx *ctx, const struct zcg_census *c)
{
	struct json *j = &ctx->out;

	json_object_begin(j, NULL);
	json_string(j, "hierarchy", hierarchy_name(c->hierarchy));
	json_string(j, "memory_root", c->memory_root);
	json_string(j, "scope", c->scope);
	json_string(j, "source", c->source);
	json_string(j, "source_note", c->source_note);
	json_bool(j, "privileged", zcg_is_root());
	json_uint(j, "live", c->live);
	json_int_known(j, "dying", c->dying);
	json_string(j, "dying_counter", c->dying_counter);
	json_int_known(j, "pinned_bytes", c->pinned_bytes);
	json_string(j, "pinned_accuracy", c->pinned_accuracy);
	json_object_begin(j, "pinned_by_kind");
	for (int k = 0; k < _ZCG_KIND_MAX; k++)
		json_int_known(j, zcg_kind_names[k], c->kind_bytes[k]);
	json_object_end(j);
	json_int_known(j, "memcg_ids_used", c->memcg_ids_used);
	json_bool(j, "memcg_ids_exact", c->memcg_ids_exact);
	json_uint(j, "memcg_ids_max", ZCG_MEMCG_IDS_MAX);
	json_int_known(j, "kernel_overhead_bytes", c->kernel_overhead_bytes);
	json_array_begin(j, "subtrees");
	for (size_t i = 0; i < c->n_subtrees; i++) {
		const struct zcg_subtree *s = &c->subtrees[i];

		json_object_begin(j, NULL);
		json_string(j, "path", s->path);
		json_int_known(j, "dying", s->dying);
		json_int_known(j, "pinned_bytes", s->pinned_bytes);
		json_double(j, "share", subtree_share(c, s));
		json_object_begin(j, "pinned_by_kind");
		for (int k = 0; k < _ZCG_KIND_MAX; k++)
			json_int_known(j, zcg_kind_names[k], s->kind_bytes[k]);
		json_object_end(j);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
	json_finish(j);
}

static const char *count_or_dash(int64_t v, char *buf, size_t size)
{
	if (v < 0)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%lld", (long long)v);
	return buf;
}

static int subtree_table(const struct zcg_census *c)
{
	static const char *const headers[] = { "PARENT", "DYING", "PINNED", "SHARE", "CACHE", "RSS",
						"SHMEM", "MAPPED", "DIRTY", "WRITEBACK", "SWAP" };
	static const int kind_of[] = { -1, -1, -1, -1, ZCG_KIND_CACHE, ZCG_KIND_RSS, ZCG_KIND_SHMEM,
				       ZCG_KIND_MAPPED_FILE, ZCG_KIND_DIRTY, ZCG_KIND_WRITEBACK,
				       ZCG_KIND_SWAP };
	struct libscols_table *tb = scols_new_table();
	char buf[64];

	if (!tb)
		return -ENOMEM;
	scols_table_enable_noencoding(tb, 1);	/* cells are esc()aped already */
	for (size_t i = 0; i < ARRAY_SIZE(headers); i++)
		if (!scols_table_new_column(tb, headers[i], i == 0 ? 0.4 : 0.08,
					    i == 0 ? SCOLS_FL_TRUNC : SCOLS_FL_RIGHT))
			goto oom;
	for (size_t i = 0; i < c->n_subtrees; i++) {
		const struct zcg_subtree *s = &c->subtrees[i];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln)
			goto oom;
		scols_line_set_data(ln, 0, esc(s->path));
		scols_line_set_data(ln, 1, count_or_dash(s->dying, buf, sizeof(buf)));
		scols_line_set_data(ln, 2, format_bytes(s->pinned_bytes, buf, sizeof(buf)));
		snprintf(buf, sizeof(buf), "%.0f%%", 100 * subtree_share(c, s));
		scols_line_set_data(ln, 3, buf);
		for (size_t col = 4; col < ARRAY_SIZE(headers); col++)
			scols_line_set_data(ln, col, format_bytes(s->kind_bytes[kind_of[col]], buf, sizeof(buf)));
	}
	scols_print_table(tb);
	scols_unref_table(tb);
	return 0;
oom:
	scols_unref_table(tb);
	return -ENOMEM;
}

static int status_human(struct zcg_ctx *ctx, const struct zcg_census *c)
{
	char b1[64], b2[64];

	printf("Memory hierarchy  cgroup %s at %s%s%s\n", hierarchy_name(c->hierarchy), esc(c->memory_root),
	       streq(c->scope, "/") ? "" : ", subtree ", streq(c->scope, "/") ? "" : esc(c->scope));
	printf("Source            %s%s%s%s\n", c->source, c->source_note ? " (" : "",
	       c->source_note ? esc(c->source_note) : "", c->source_note ? ")" : "");
	printf("Live memcgs       %llu\n", (unsigned long long)c->live);
	if (c->dying >= 0)
		printf("Dying memcgs      %lld\n", (long long)c->dying);
	else if (!streq(c->scope, "/"))
		printf("Dying memcgs      unknown in a subtree from %s (total: run without --under)\n",
		       c->dying_counter);
	else
		printf("Dying memcgs      unknown: %s counts the whole hierarchy, of which only a part is "
		       "mounted here\n", c->dying_counter);
	printf("Pinned            %s (%s)", format_bytes(c->pinned_bytes, b1, sizeof(b1)),
	       c->pinned_accuracy);
	if (c->pinned_bytes > 0) {
		const char *sep = ": ";

		for (int k = 0; k < _ZCG_KIND_MAX; k++) {
			if (c->kind_bytes[k] <= 0)
				continue;
			printf("%s%s %s", sep, zcg_kind_names[k], format_bytes(c->kind_bytes[k], b2, sizeof(b2)));
			sep = ", ";
		}
	}
	printf("\n");
	printf("memcg IDs         %lld of %d used%s\n", (long long)c->memcg_ids_used, ZCG_MEMCG_IDS_MAX,
	       c->memcg_ids_exact ? "" : " (upper bound: live + dying)");
	if (c->kernel_overhead_bytes >= 0)
		printf("Kernel overhead   %s (the zombies' own kernel structures)\n",
		       format_bytes(c->kernel_overhead_bytes, b1, sizeof(b1)));
	if (c->n_subtrees) {
		printf("\nWhere the dying memcgs are (nearest live ancestor):\n");
		if (subtree_table(c) < 0)
			return -ENOMEM;
	}
	if (!zcg_is_root())
		printf("\nRunning as root adds an exact list of every zombie by name with its bytes (BPF).\n");
	return 0;
}

static int status_run(struct zcg_ctx *ctx, int argc, char **argv)
{
	struct zcg_census_opts opts = { .scope = ctx->scope, .no_bpf = ctx->no_bpf };
	struct zcg_census *c = NULL;
	int r;

	if (argc > 0)
		return zcg_usage_error(ctx, "status: unexpected argument '%s'", argv[0]);
	r = zcg_census_take(ctx->sys, &opts, &c);
	if (r < 0)
		return zcg_fail(ctx, r, NULL);
	if (ctx->json)
		status_json(ctx, c);
	else
		r = status_human(ctx, c);
	zcg_census_free(c);
	return r < 0 ? zcg_fail(ctx, r, NULL) : EXIT_OK;
}

const struct zcg_command cmd_status = {
	.name = "status",
	.args = "[--under PATH] [--json] [--no-bpf]",
	.summary = "count live and dying memcgs and show where the dying ones are",
	.run = status_run,
	.needs_sys = true,
};
