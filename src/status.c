// SPDX-License-Identifier: GPL-2.0
/* zombiecg status: how many memcgs are dying, where, and what they pin. */
#include <errno.h>
#include <libsmartcols.h>
#include <stdlib.h>
#include <string.h>

#include "census.h"
#include "columns.h"
#include "origins.h"
#include "removals.h"
#include "text.h"
#include "util.h"
#include "zombiecg.h"

/* Origins status shows. */
#define STATUS_ORIGINS 3

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

static void status_json(struct zcg_ctx *ctx, const struct zcg_census *c, const void **rows,
			const struct zcg_removals *rm)
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
	zcg_removal_tracing_json(j, rm);
	json_array_begin(j, "subtrees");
	for (size_t i = 0; i < c->n_subtrees; i++) {
		json_object_begin(j, NULL);
		zcg_table_json_row(&zcg_status_table, j, rows[i], c);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
	json_finish(j);
}

enum {
	COL_PARENT, COL_DYING, COL_PINNED, COL_SHARE, COL_CACHE, COL_RSS, COL_SHMEM, COL_MAPPED, COL_DIRTY,
	COL_WRITEBACK, COL_SWAP,
};

#define KIND_COLUMN(name, help, kind) \
	{ name, NULL, help, 0.08, SCOLS_FL_RIGHT, ZCG_CELL_BYTES, NULL, "pinned_by_kind", &zcg_kind_names[kind] }

/* One row per live parent of zombies, in the order of a subtree's JSON members. */
static const struct zcg_column status_columns[] = {
	[COL_PARENT] = { "PARENT", NULL, "the live parent (nearest live ancestor)", 0.4, SCOLS_FL_WRAP,
			 ZCG_CELL_STRING, "path" },
	[COL_DYING] = { "DYING", NULL, "zombies below it", 0.08, SCOLS_FL_RIGHT, ZCG_CELL_INT, "dying" },
	[COL_PINNED] = { "PINNED", NULL, "bytes they pin", 0.08, SCOLS_FL_RIGHT, ZCG_CELL_BYTES, "pinned_bytes" },
	[COL_SHARE] = { "SHARE", NULL, "share of all pinned bytes (of zombies if bytes are unknown)", 0.08,
			SCOLS_FL_RIGHT, ZCG_CELL_SHARE, "share" },
	[COL_CACHE] = KIND_COLUMN("CACHE", "page cache", ZCG_KIND_CACHE),
	[COL_RSS] = KIND_COLUMN("RSS", "anonymous memory", ZCG_KIND_RSS),
	[COL_SHMEM] = KIND_COLUMN("SHMEM", "tmpfs and shared memory", ZCG_KIND_SHMEM),
	[COL_MAPPED] = KIND_COLUMN("MAPPED", "page cache mapped by processes", ZCG_KIND_MAPPED_FILE),
	[COL_DIRTY] = KIND_COLUMN("DIRTY", "dirty page cache", ZCG_KIND_DIRTY),
	[COL_WRITEBACK] = KIND_COLUMN("WRITEBACK", "page cache under writeback", ZCG_KIND_WRITEBACK),
	[COL_SWAP] = KIND_COLUMN("SWAP", "swap", ZCG_KIND_SWAP),
};

static void status_cell(const void *row, size_t col, const void *data, struct zcg_cell *ret)
{
	static const int kind_of[] = { [COL_CACHE] = ZCG_KIND_CACHE, [COL_RSS] = ZCG_KIND_RSS,
				       [COL_SHMEM] = ZCG_KIND_SHMEM, [COL_MAPPED] = ZCG_KIND_MAPPED_FILE,
				       [COL_DIRTY] = ZCG_KIND_DIRTY, [COL_WRITEBACK] = ZCG_KIND_WRITEBACK,
				       [COL_SWAP] = ZCG_KIND_SWAP };
	const struct zcg_subtree *s = row;

	switch (col) {
	case COL_PARENT:
		ret->text = s->path;
		return;
	case COL_DYING:
		ret->num = s->dying;
		break;
	case COL_PINNED:
		ret->num = s->pinned_bytes;
		break;
	case COL_SHARE:
		ret->share = subtree_share(data, s);
		return;
	default:
		ret->num = s->kind_bytes[kind_of[col]];
		break;
	}
	ret->known = ret->num >= 0;
}

const struct zcg_table zcg_status_table = ZCG_TABLE("status", status_columns, status_cell);

static int subtree_table(const struct zcg_census *c, const void **rows)
{
	static const size_t defaults[] = { COL_PARENT, COL_DYING, COL_PINNED, COL_SHARE, COL_CACHE, COL_RSS,
					   COL_SHMEM, COL_MAPPED, COL_DIRTY, COL_WRITEBACK, COL_SWAP };

	return zcg_table_print(&zcg_status_table, defaults, ARRAY_SIZE(defaults), rows, c->n_subtrees, c, 0);
}

/* The few origins with the most zombies (`zombiecg origins` has them all). */
static int status_origins(struct zcg_ctx *ctx, const struct zcg_census *c, struct zcg_removals *rm)
{
	struct zcg_origins *o = NULL;
	int r;

	r = zcg_origins_of_removals(ctx, c, false, rm, &o);
	if (r < 0)
		return r;
	if (o->n) {
		printf("\nTop origins (zombiecg origins shows all %zu):\n", o->n);
		r = zcg_origins_print(o, STATUS_ORIGINS);
	}
	zcg_origins_free(o);
	return r;
}

static int status_human(struct zcg_ctx *ctx, const struct zcg_census *c, const void **rows,
			struct zcg_removals *rm)
{
	char b1[64], b2[64];

	if (zcg_table_raw())
		return subtree_table(c, rows);
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
	zcg_removal_tracing_line(rm);
	if (c->n_subtrees) {
		printf("\nWhere the dying memcgs are (nearest live ancestor):\n");
		if (subtree_table(c, rows) < 0)
			return -ENOMEM;
	}
	/* by live parent the origins would repeat the table above: only with named zombies */
	if (c->n_zombies && !c->zombies[0].estimated && status_origins(ctx, c, rm) < 0)
		return -ENOMEM;
	if (!zcg_is_root())
		printf("\nRunning as root adds an exact list of every zombie by name with its bytes (BPF).\n");
	return 0;
}

static int status_run(struct zcg_ctx *ctx, int argc, char **argv)
{
	struct zcg_census_opts opts = { .scope = ctx->scope, .no_bpf = ctx->no_bpf };
	_cleanup_free_ const void **rows = NULL;
	struct zcg_removals *rm = NULL;
	struct zcg_census *c = NULL;
	int r;

	if (argc > 0)
		return zcg_usage_error(ctx, "status: unexpected argument '%s'", argv[0]);
	if (zcg_table_check(ctx, &zcg_status_table) < 0)
		return EXIT_USAGE;
	r = zcg_census_take(ctx->sys, &opts, &c);
	if (r < 0)
		return zcg_fail(ctx, r, NULL);
	rows = calloc(c->n_subtrees ? c->n_subtrees : 1, sizeof(*rows));
	if (!rows) {
		zcg_census_free(c);
		return zcg_fail(ctx, -ENOMEM, NULL);
	}
	for (size_t i = 0; i < c->n_subtrees; i++)
		rows[i] = &c->subtrees[i];
	rm = zcg_daemon_removals();
	r = zcg_table_sort(&zcg_status_table, rows, c->n_subtrees, c);
	if (r >= 0 && ctx->json)
		status_json(ctx, c, rows, rm);
	else if (r >= 0)
		r = status_human(ctx, c, rows, rm);
	zcg_removals_free(rm);
	zcg_census_free(c);
	return r < 0 ? zcg_fail(ctx, r, NULL) : EXIT_OK;
}

const struct zcg_command cmd_status = {
	.name = "status",
	.args = "[--under PATH] [--json] [--no-bpf] [-o COLUMNS] [--output-all] [-n] [-b] [-r] [--sort COLUMN]",
	.summary = "count live and dying memcgs and show where the dying ones are",
	.options = zcg_table_options,
	.parse_option = zcg_parse_table_option_only,
	.run = status_run,
	.needs_sys = true,
};
