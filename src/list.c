// SPDX-License-Identifier: GPL-2.0
/* zombiecg list: one row per zombie, or per live parent where the source cannot name them. */
#include <errno.h>
#include <libsmartcols.h>
#include <string.h>

#include "census.h"
#include "text.h"
#include "util.h"
#include "zombiecg.h"

static void list_json(struct zcg_ctx *ctx, const struct zcg_census *c)
{
	struct json *j = &ctx->out;

	json_object_begin(j, NULL);
	json_zombies_header(j, c->source, c->source_note, c->hierarchy, c->scope);
	json_array_begin(j, "zombies");
	for (size_t i = 0; i < c->n_zombies; i++) {
		const struct zcg_zombie *z = &c->zombies[i];

		json_object_begin(j, NULL);
		json_zombie_identity(j, z->id, z->name, z->path, z->parent, z->memcg_id, z->usage_bytes);
		json_int_known(j, "file_bytes", z->file_bytes);
		json_int_known(j, "anon_bytes", z->anon_bytes);
		json_int_known(j, "shmem_bytes", z->shmem_bytes);
		json_int_known(j, "swap_bytes", z->swap_bytes);
		json_int_known(j, "kmem_bytes", z->kmem_bytes);
		json_bool(j, "estimated", z->estimated);
		json_int_known(j, "count", z->count);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
	json_finish(j);
}

static int list_human(const struct zcg_census *c)
{
	static const char *const exact[] = { "ID", "NAME", "PATH", "PARENT", "MEMCG_ID", "USAGE",
					     "FILE", "ANON", "SHMEM", "SWAP", "KMEM" };
	static const char *const estimated[] = { "PARENT", "ZOMBIES", "USAGE", "FILE", "ANON",
						 "SHMEM", "SWAP" };
	bool est = c->n_zombies && c->zombies[0].estimated;
	const char *const *headers = est ? estimated : exact;
	size_t n_cols = est ? ARRAY_SIZE(estimated) : ARRAY_SIZE(exact);
	size_t shown = zcg_rows_shown(c->n_zombies);
	struct libscols_table *tb;
	char buf[64];

	if (est)
		printf("%s cannot name zombies: one row per live parent, bytes estimated.\n", c->source);
	tb = scols_new_table();
	if (!tb)
		return -ENOMEM;
	scols_table_enable_noencoding(tb, 1);	/* cells are esc()aped already */
	for (size_t i = 0; i < n_cols; i++) {
		bool text = streq(headers[i], "NAME") || streq(headers[i], "PATH") || streq(headers[i], "PARENT");

		if (!scols_table_new_column(tb, headers[i], text ? 0.2 : 0.06, text ? SCOLS_FL_TRUNC : SCOLS_FL_RIGHT))
			goto oom;
	}
	for (size_t i = 0; i < shown; i++) {
		const struct zcg_zombie *z = &c->zombies[i];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		int col = 0;

		if (!ln)
			goto oom;
		if (est) {
			scols_line_set_data(ln, col++, esc(z->parent));
			if (z->count >= 0)
				snprintf(buf, sizeof(buf), "%lld", (long long)z->count);
			else
				snprintf(buf, sizeof(buf), "-");
			scols_line_set_data(ln, col++, buf);
		} else {
			snprintf(buf, sizeof(buf), "%llu", (unsigned long long)z->id);
			scols_line_set_data(ln, col++, buf);
			scols_line_set_data(ln, col++, esc(z->name));
			scols_line_set_data(ln, col++, esc(z->path));
			scols_line_set_data(ln, col++, esc(z->parent));
			snprintf(buf, sizeof(buf), "%lld", (long long)z->memcg_id);
			scols_line_set_data(ln, col++, z->memcg_id >= 0 ? buf : "-");
		}
		scols_line_set_data(ln, col++, format_bytes(z->usage_bytes, buf, sizeof(buf)));
		scols_line_set_data(ln, col++, format_bytes(z->file_bytes, buf, sizeof(buf)));
		scols_line_set_data(ln, col++, format_bytes(z->anon_bytes, buf, sizeof(buf)));
		scols_line_set_data(ln, col++, format_bytes(z->shmem_bytes, buf, sizeof(buf)));
		scols_line_set_data(ln, col++, format_bytes(z->swap_bytes, buf, sizeof(buf)));
		if (!est)
			scols_line_set_data(ln, col++, format_bytes(z->kmem_bytes, buf, sizeof(buf)));
	}
	scols_print_table(tb);
	scols_unref_table(tb);
	zcg_print_rows_left(shown, c->n_zombies, est ? "live parents" : "zombies");
	return 0;
oom:
	scols_unref_table(tb);
	return -ENOMEM;
}

static int list_run(struct zcg_ctx *ctx, int argc, char **argv)
{
	struct zcg_census_opts opts = { .scope = ctx->scope, .no_bpf = ctx->no_bpf };
	struct zcg_census *c = NULL;
	int r = 0;

	if (argc > 0)
		return zcg_usage_error(ctx, "list: unexpected argument '%s'", argv[0]);
	r = zcg_census_take(ctx->sys, &opts, &c);
	if (r < 0)
		return zcg_fail(ctx, r, NULL);
	if (ctx->json)
		list_json(ctx, c);
	else if (c->n_zombies)
		r = list_human(c);
	else
		printf("No dying memcgs%s%s (source: %s).\n", streq(c->scope, "/") ? "" : " under ",
		       streq(c->scope, "/") ? "" : esc(c->scope), c->source);
	zcg_census_free(c);
	return r < 0 ? zcg_fail(ctx, r, NULL) : EXIT_OK;
}

const struct zcg_command cmd_list = {
	.name = "list",
	.args = "[--under PATH] [--json] [--no-bpf] [--all]",
	.summary = "list the dying memcgs with their former path, live parent and bytes",
	.options = zcg_all_options,
	.parse_option = zcg_parse_all_option,
	.run = list_run,
	.needs_sys = true,
};
