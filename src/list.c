// SPDX-License-Identifier: GPL-2.0
/* zombiecg list: one row per zombie, or per live parent where the source cannot name them. */
#include <errno.h>
#include <libsmartcols.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "census.h"
#include "columns.h"
#include "text.h"
#include "util.h"
#include "zombiecg.h"

enum {
	COL_ID, COL_NAME, COL_PATH, COL_PARENT, COL_MEMCG_ID, COL_USAGE, COL_FILE, COL_ANON, COL_SHMEM,
	COL_SWAP, COL_KMEM, COL_ESTIMATED, COL_ZOMBIES,
};

/* In the order of a zombie's JSON members. */
static const struct zcg_column list_columns[] = {
	[COL_ID] = { "ID", NULL, "cgroup inode number (what explain and reap take)", 0.06, SCOLS_FL_RIGHT,
		     ZCG_CELL_UINT, "id" },
	[COL_NAME] = { "NAME", NULL, "the zombie's directory name", 0.2, SCOLS_FL_WRAP, ZCG_CELL_STRING, "name" },
	[COL_PATH] = { "PATH", NULL, "its former path", 0.2, SCOLS_FL_WRAP, ZCG_CELL_STRING, "path" },
	[COL_PARENT] = { "PARENT", NULL, "nearest live ancestor", 0.2, SCOLS_FL_WRAP, ZCG_CELL_STRING, "parent" },
	[COL_MEMCG_ID] = { "MEMCG_ID", NULL, "memcg ID it holds (0: released at offline)", 0.06, SCOLS_FL_RIGHT,
			   ZCG_CELL_INT, "memcg_id" },
	[COL_USAGE] = { "USAGE", NULL, "bytes charged", 0.06, SCOLS_FL_RIGHT, ZCG_CELL_BYTES, "usage_bytes" },
	[COL_FILE] = { "FILE", NULL, "page cache", 0.06, SCOLS_FL_RIGHT, ZCG_CELL_BYTES, "file_bytes" },
	[COL_ANON] = { "ANON", NULL, "anonymous memory", 0.06, SCOLS_FL_RIGHT, ZCG_CELL_BYTES, "anon_bytes" },
	[COL_SHMEM] = { "SHMEM", NULL, "tmpfs and shared memory", 0.06, SCOLS_FL_RIGHT, ZCG_CELL_BYTES,
			"shmem_bytes" },
	[COL_SWAP] = { "SWAP", NULL, "swap", 0.06, SCOLS_FL_RIGHT, ZCG_CELL_BYTES, "swap_bytes" },
	[COL_KMEM] = { "KMEM", NULL, "kernel memory", 0.06, SCOLS_FL_RIGHT, ZCG_CELL_BYTES, "kmem_bytes" },
	[COL_ESTIMATED] = { "ESTIMATED", NULL, "yes: a live parent's row, bytes estimated", 0.06, SCOLS_FL_RIGHT,
			    ZCG_CELL_BOOL, "estimated" },
	[COL_ZOMBIES] = { "ZOMBIES", NULL, "zombies the row stands for", 0.06, SCOLS_FL_RIGHT, ZCG_CELL_INT,
			  "count" },
};

static void list_cell(const void *row, size_t col, const void *data, struct zcg_cell *ret)
{
	const struct zcg_zombie *z = row;
	static const size_t bytes_offset[] = {
		[COL_USAGE] = offsetof(struct zcg_zombie, usage_bytes),
		[COL_FILE] = offsetof(struct zcg_zombie, file_bytes),
		[COL_ANON] = offsetof(struct zcg_zombie, anon_bytes),
		[COL_SHMEM] = offsetof(struct zcg_zombie, shmem_bytes),
		[COL_SWAP] = offsetof(struct zcg_zombie, swap_bytes),
		[COL_KMEM] = offsetof(struct zcg_zombie, kmem_bytes),
	};

	switch (col) {
	case COL_ID:
		ret->unum = z->id;
		ret->known = z->id != 0;
		break;
	case COL_NAME:
		ret->text = z->name;
		break;
	case COL_PATH:
		ret->text = z->path;
		break;
	case COL_PARENT:
		ret->text = z->parent;
		break;
	case COL_MEMCG_ID:
		ret->num = z->memcg_id;
		break;
	case COL_ESTIMATED:
		ret->num = z->estimated;
		return;
	case COL_ZOMBIES:
		ret->num = z->count;
		break;
	default:
		ret->num = *(const int64_t *)((const char *)z + bytes_offset[col]);
		break;
	}
	ret->known = ret->known && (col == COL_ID || ret->num >= 0);
}

const struct zcg_table zcg_list_table = ZCG_TABLE("list", list_columns, list_cell);

/* The rows in --sort order. Returns 0 or -ENOMEM. */
static int list_rows(const struct zcg_census *c, const void ***ret)
{
	const void **rows = calloc(c->n_zombies ? c->n_zombies : 1, sizeof(*rows));

	if (!rows)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_zombies; i++)
		rows[i] = &c->zombies[i];
	if (zcg_table_sort(&zcg_list_table, rows, c->n_zombies, NULL) < 0) {
		free(rows);
		return -ENOMEM;
	}
	*ret = rows;
	return 0;
}

static int list_json(struct zcg_ctx *ctx, const struct zcg_census *c)
{
	_cleanup_free_ const void **rows = NULL;
	struct json *j = &ctx->out;
	int r;

	r = list_rows(c, &rows);
	if (r < 0)
		return r;
	json_object_begin(j, NULL);
	json_zombies_header(j, c->source, c->source_note, c->hierarchy, c->scope);
	json_array_begin(j, "zombies");
	for (size_t i = 0; i < c->n_zombies; i++) {
		json_object_begin(j, NULL);
		zcg_table_json_row(&zcg_list_table, j, rows[i], NULL);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
	json_finish(j);
	return 0;
}

static int list_human(const struct zcg_census *c)
{
	static const size_t exact[] = { COL_ID, COL_NAME, COL_PATH, COL_PARENT, COL_MEMCG_ID, COL_USAGE,
					COL_FILE, COL_ANON, COL_SHMEM, COL_SWAP, COL_KMEM };
	static const size_t estimated[] = { COL_PARENT, COL_ZOMBIES, COL_USAGE, COL_FILE, COL_ANON,
					    COL_SHMEM, COL_SWAP };
	_cleanup_free_ const void **rows = NULL;
	bool est = c->n_zombies && c->zombies[0].estimated;
	size_t shown = zcg_rows_shown(c->n_zombies);
	int r;

	r = list_rows(c, &rows);
	if (r < 0)
		return r;
	if (est && !zcg_table_raw())
		printf("%s cannot name zombies: one row per live parent, bytes estimated.\n", c->source);
	r = zcg_table_print(&zcg_list_table, est ? estimated : exact, est ? ARRAY_SIZE(estimated) : ARRAY_SIZE(exact),
			    rows, shown, NULL, 0);
	if (r < 0)
		return r;
	zcg_print_rows_left(shown, c->n_zombies, est ? "live parents" : "zombies");
	return 0;
}

static int list_run(struct zcg_ctx *ctx, int argc, char **argv)
{
	struct zcg_census_opts opts = { .scope = ctx->scope, .no_bpf = ctx->no_bpf };
	struct zcg_census *c = NULL;
	int r = 0;

	if (argc > 0)
		return zcg_usage_error(ctx, "list: unexpected argument '%s'", argv[0]);
	if (zcg_table_check(ctx, &zcg_list_table) < 0)
		return EXIT_USAGE;
	r = zcg_census_take(ctx->sys, &opts, &c);
	if (r < 0)
		return zcg_fail(ctx, r, NULL);
	if (ctx->json)
		r = list_json(ctx, c);
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
	.args = "[--under PATH] [--json] [--no-bpf] [--all] [-o COLUMNS] [--output-all] [-n] [-b] [-r] [--sort COLUMN]",
	.summary = "list the dying memcgs with their former path, live parent and bytes",
	.options = zcg_all_options,
	.parse_option = zcg_parse_all_option,
	.run = list_run,
	.needs_sys = true,
};
