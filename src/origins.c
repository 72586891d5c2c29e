// SPDX-License-Identifier: GPL-2.0
/* zombiecg origins: the zombies grouped by where they came from, with the fix at the source. */
#include <errno.h>
#include <libsmartcols.h>
#include <string.h>
#include <time.h>

#include "census.h"
#include "columns.h"
#include "origins.h"
#include "removals.h"
#include "text.h"
#include "util.h"
#include "zombiecg.h"

struct zcg_removals *zcg_daemon_removals(void)
{
	_cleanup_free_ char *path = path_join(zcg_run_dir(), ZCG_REMOVALS_STATE_FILE);
	struct zcg_removals *rm = NULL;

	if (!path || zcg_removals_read(path, &rm) < 0)
		return NULL;
	return rm;
}

void zcg_removal_tracing_json(struct json *j, const struct zcg_removals *rm)
{
	if (!rm) {
		json_null(j, "removal_tracing");
		return;
	}
	json_object_begin(j, "removal_tracing");
	json_bool(j, "attached", rm->tracing);
	json_string(j, "note", rm->tracing ? NULL : rm->note);
	json_object_end(j);
}

void zcg_removal_tracing_line(const struct zcg_removals *rm)
{
	if (!rm)
		return;	/* no daemon: status shows no ages */
	if (rm->tracing)
		printf("Zombie ages       exact: the daemon records removals (cgroup_rmdir tracepoint)\n");
	else
		printf("Zombie ages       first seen by the daemon (removals not recorded: %s)\n",
		       rm->note ? esc(rm->note) : "unknown why");
}

enum {
	COL_ORIGIN, COL_KIND, COL_DYING, COL_PINNED, COL_KERNEL, COL_OLDEST, COL_NEWEST, COL_RATE, COL_PATTERN,
	COL_AGES, COL_REMOVED_BY, COL_RESTARTS, COL_EXAMPLE, COL_ADVICE,
};

/* No JSON keys: an origin's JSON (origins_json()) keeps the members issue 16 fixed, with an
 * array (examples) and an object (removed_by) inside, which a column cannot be. */
static const struct zcg_column origins_columns[] = {
	[COL_ORIGIN] = { "ORIGIN", NULL, "a short name for the group (foo@.service)", 0.2, SCOLS_FL_WRAP,
			 ZCG_CELL_STRING },
	[COL_KIND] = { "KIND", NULL, "systemd-template, user-session, kubernetes-container, ...", 0.1, 0,
		       ZCG_CELL_STRING },
	[COL_DYING] = { "DYING", NULL, "its zombies", 0.06, SCOLS_FL_RIGHT, ZCG_CELL_INT },
	[COL_PINNED] = { "PINNED", NULL, "memory they pin", 0.06, SCOLS_FL_RIGHT, ZCG_CELL_BYTES },
	[COL_KERNEL] = { "KERNEL", NULL, "their own kernel structures", 0.06, SCOLS_FL_RIGHT, ZCG_CELL_BYTES },
	[COL_OLDEST] = { "OLDEST", NULL, "age of the oldest, seconds (from the daemon)", 0.06, SCOLS_FL_RIGHT,
			 ZCG_CELL_INT },
	[COL_NEWEST] = { "NEWEST", NULL, "age of the newest, seconds (from the daemon)", 0.06, SCOLS_FL_RIGHT,
			 ZCG_CELL_INT },
	[COL_RATE] = { "RATE", "RATE/H", "new zombies an hour while the daemon watched", 0.06, SCOLS_FL_RIGHT,
		       ZCG_CELL_DOUBLE },
	[COL_PATTERN] = { "PATTERN", NULL, "the former path, instance parts as *", 0.2, SCOLS_FL_WRAP,
			  ZCG_CELL_STRING },
	[COL_AGES] = { "AGES", NULL, "removal (exact, from the tracepoint) or first-seen", 0.06, 0,
		       ZCG_CELL_STRING },
	[COL_REMOVED_BY] = { "REMOVED_BY", NULL, "comm of the process that removed the newest recorded one",
			     0.1, 0, ZCG_CELL_STRING },
	[COL_RESTARTS] = { "RESTARTS", NULL, "the service's restart count, where systemd tells", 0.06,
			   SCOLS_FL_RIGHT, ZCG_CELL_INT },
	[COL_EXAMPLE] = { "EXAMPLE", NULL, "the former path of its largest zombie", 0.2, SCOLS_FL_WRAP,
			  ZCG_CELL_STRING },
	[COL_ADVICE] = { "ADVICE", NULL, "what stops them at the source", 0.3, SCOLS_FL_WRAP, ZCG_CELL_STRING },
};

static void origins_cell(const void *row, size_t col, const void *data, struct zcg_cell *ret)
{
	const struct zcg_origin *g = row;

	switch (col) {
	case COL_ORIGIN:
		ret->text = g->origin;
		return;
	case COL_KIND:
		ret->text = zcg_origin_kind_names[g->kind];
		return;
	case COL_PATTERN:
		ret->text = g->pattern;
		return;
	case COL_AGES:
		ret->text = g->ages;
		return;
	case COL_REMOVED_BY:
		ret->text = g->removed_at >= 0 ? g->removed_by : NULL;
		return;
	case COL_EXAMPLE:
		ret->text = g->n_examples ? g->examples[0] : NULL;
		return;
	case COL_ADVICE:
		ret->text = g->advice;
		return;
	case COL_RATE:
		ret->share = g->rate_per_hour;
		ret->known = g->rate_per_hour >= 0;
		return;
	case COL_DYING:
		ret->num = g->dying;
		break;
	case COL_PINNED:
		ret->num = g->pinned_bytes;
		break;
	case COL_KERNEL:
		ret->num = g->kernel_overhead_bytes;
		break;
	case COL_OLDEST:
		ret->num = g->oldest_age_s;
		break;
	case COL_NEWEST:
		ret->num = g->newest_age_s;
		break;
	case COL_RESTARTS:
		ret->num = g->restarts;
		break;
	}
	ret->known = ret->num >= 0;
}

const struct zcg_table zcg_origins_table = ZCG_TABLE("origins", origins_columns, origins_cell);

static const size_t origins_defaults[] = { COL_ORIGIN, COL_KIND, COL_DYING, COL_PINNED, COL_KERNEL,
					   COL_OLDEST, COL_NEWEST, COL_RATE, COL_PATTERN };

/* The origins in --sort order (without --sort, as grouped: the most zombies first). Returns
 * 0 and sets *ret, or -ENOMEM. */
static int origin_rows(const struct zcg_origins *o, const void ***ret)
{
	const void **rows = calloc(o->n ? o->n : 1, sizeof(*rows));

	if (!rows)
		return -ENOMEM;
	for (size_t i = 0; i < o->n; i++)
		rows[i] = &o->origins[i];
	if (zcg_table_sort(&zcg_origins_table, rows, o->n, NULL) < 0) {
		free(rows);
		return -ENOMEM;
	}
	*ret = rows;
	return 0;
}

static int origins_json(struct zcg_ctx *ctx, const struct zcg_origins *o, const struct zcg_removals *rm)
{
	_cleanup_free_ const void **rows = NULL;
	struct json *j = &ctx->out;
	int r = origin_rows(o, &rows);

	if (r < 0)
		return r;
	json_object_begin(j, NULL);
	zcg_removal_tracing_json(j, rm);
	json_array_begin(j, "origins");
	for (size_t i = 0; i < o->n; i++) {
		const struct zcg_origin *g = rows[i];

		json_object_begin(j, NULL);
		json_string(j, "origin", g->origin);
		json_string(j, "kind", zcg_origin_kind_names[g->kind]);
		json_string(j, "pattern", g->pattern);
		json_int_known(j, "dying", g->dying);
		json_int_known(j, "pinned_bytes", g->pinned_bytes);
		json_int_known(j, "kernel_overhead_bytes", g->kernel_overhead_bytes);
		json_int_known(j, "oldest_age_s", g->oldest_age_s);
		json_int_known(j, "newest_age_s", g->newest_age_s);
		if (o->estimated) {
			json_null(j, "examples");
		} else {
			json_array_begin(j, "examples");
			for (size_t e = 0; e < g->n_examples; e++)
				json_string(j, NULL, g->examples[e]);
			json_array_end(j);
		}
		if (g->rate_per_hour >= 0)
			json_double(j, "rate_per_hour", g->rate_per_hour);
		else
			json_null(j, "rate_per_hour");
		json_string(j, "ages", g->ages);
		if (g->removed_at >= 0) {
			json_object_begin(j, "removed_by");
			json_string(j, "comm", g->removed_by);
			json_int(j, "pid", g->removed_by_pid);
			json_int(j, "time", g->removed_at);
			json_object_end(j);
		} else {
			json_null(j, "removed_by");
		}
		json_int_known(j, "restarts", g->restarts);
		json_string(j, "advice", g->advice);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
	json_finish(j);
	return 0;
}

int zcg_origins_print(const struct zcg_origins *o, size_t max_rows)
{
	_cleanup_free_ const void **rows = NULL;
	int r = origin_rows(o, &rows);

	if (r < 0)
		return r;
	return zcg_table_print_defaults(&zcg_origins_table, origins_defaults, ARRAY_SIZE(origins_defaults), rows,
					o->n < max_rows ? o->n : max_rows, NULL, 0);
}

static int origins_human(const struct zcg_census *c, const struct zcg_origins *o)
{
	_cleanup_free_ const void **rows = NULL;
	size_t shown = zcg_rows_shown(o->n);
	bool any = false;
	int r;

	r = origin_rows(o, &rows);
	if (r < 0)
		return r;
	if (o->estimated && !zcg_table_raw())
		printf("%s cannot name zombies: origins by live parent (the pattern ends in /*), bytes estimated.\n",
		       c->source);
	r = zcg_table_print(&zcg_origins_table, origins_defaults, ARRAY_SIZE(origins_defaults), rows, shown, NULL, 0);
	if (r < 0 || zcg_table_raw())
		return r;
	zcg_print_rows_left(shown, o->n, "origins");
	for (size_t i = 0; i < shown; i++) {
		const struct zcg_origin *g = rows[i];

		if (!o->estimated && g->n_examples) {
			if (!any)
				printf("\nExamples:\n");
			any = true;
			printf("  %s:", esc(g->origin));
			for (size_t e = 0; e < g->n_examples; e++)
				printf(" %s", esc(g->examples[e]));
			printf("\n");
		}
	}
	any = false;
	for (size_t i = 0; i < shown; i++) {
		const struct zcg_origin *g = rows[i];

		if (!g->advice)
			continue;
		if (!any)
			printf("\nWhat stops them at the source:\n");
		any = true;
		printf("  %s: %s\n", esc(g->origin), esc(g->advice));
	}
	return 0;
}

int zcg_origins_of(struct zcg_ctx *ctx, const struct zcg_census *c, bool restarts, struct zcg_origins **ret)
{
	struct zcg_removals *rm = zcg_daemon_removals();
	int r = zcg_origins_of_removals(ctx, c, restarts, rm, ret);

	zcg_removals_free(rm);
	return r;
}

int zcg_origins_of_removals(struct zcg_ctx *ctx, const struct zcg_census *c, bool restarts,
			    struct zcg_removals *rm, struct zcg_origins **ret)
{
	_cleanup_free_ char *state = NULL;
	struct zcg_origins *o = NULL;
	int r;

	r = zcg_origins_group_removals(c, rm, &o);
	if (r < 0)
		return r;
	r = zcg_origins_look_up_facts(o, ctx->sysroot ?: "", restarts && !ctx->sysroot);
	if (r < 0) {
		zcg_origins_free(o);
		return r;
	}
	/* ages and rates where a daemon keeps them; without one they stay unknown */
	state = path_join(zcg_run_dir(), ZCG_ORIGINS_STATE_FILE);
	if (!state) {
		zcg_origins_free(o);
		return -ENOMEM;
	}
	(void)zcg_origins_apply_state(o, state, (uint64_t)time(NULL));
	*ret = o;
	return 0;
}

static int origins_run(struct zcg_ctx *ctx, int argc, char **argv)
{
	struct zcg_census_opts opts = { .scope = ctx->scope, .no_bpf = ctx->no_bpf };
	struct zcg_census *c = NULL;
	struct zcg_origins *o = NULL;
	struct zcg_removals *rm = NULL;
	int r;

	if (argc > 0)
		return zcg_usage_error(ctx, "origins: unexpected argument '%s'", argv[0]);
	if (zcg_table_check(ctx, &zcg_origins_table) < 0)
		return EXIT_USAGE;
	r = zcg_census_take(ctx->sys, &opts, &c);
	if (r < 0)
		return zcg_fail(ctx, r, NULL);
	rm = zcg_daemon_removals();
	r = zcg_origins_of_removals(ctx, c, true, rm, &o);
	if (r < 0) {
		zcg_removals_free(rm);
		zcg_census_free(c);
		return zcg_fail(ctx, r, "cannot group the zombies by origin");
	}
	if (ctx->json)
		r = origins_json(ctx, o, rm);
	else if (o->n)
		r = origins_human(c, o);
	else
		printf("No dying memcgs%s%s (source: %s).\n", streq(c->scope, "/") ? "" : " under ",
		       streq(c->scope, "/") ? "" : esc(c->scope), c->source);
	zcg_origins_free(o);
	zcg_removals_free(rm);
	zcg_census_free(c);
	return r < 0 ? zcg_fail(ctx, r, NULL) : EXIT_OK;
}

const struct zcg_command cmd_origins = {
	.name = "origins",
	.args = "[--under PATH] [--json] [--no-bpf] [--all] [-o COLUMNS] [--output-all] [-n] [-b] [-r] [--sort COLUMN]",
	.summary = "group the dying memcgs by where they came from, with the fix at the source",
	.options = zcg_all_options,
	.parse_option = zcg_parse_all_option,
	.run = origins_run,
	.needs_sys = true,
};
