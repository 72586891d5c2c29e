// SPDX-License-Identifier: GPL-2.0
/* zombiecg origins: the zombies grouped by where they came from, with the fix at the source. */
#include <errno.h>
#include <libsmartcols.h>
#include <string.h>
#include <time.h>

#include "census.h"
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

static void origins_json(struct zcg_ctx *ctx, const struct zcg_origins *o, const struct zcg_removals *rm)
{
	struct json *j = &ctx->out;

	json_object_begin(j, NULL);
	zcg_removal_tracing_json(j, rm);
	json_array_begin(j, "origins");
	for (size_t i = 0; i < o->n; i++) {
		const struct zcg_origin *g = &o->origins[i];

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
}

int zcg_origins_table(const struct zcg_origins *o, size_t max_rows)
{
	static const char *const headers[] = { "ORIGIN", "KIND", "DYING", "PINNED", "KERNEL", "OLDEST", "NEWEST",
					       "RATE/H", "PATTERN" };
	struct libscols_table *tb = scols_new_table();
	size_t shown = o->n < max_rows ? o->n : max_rows;
	char buf[64];

	if (!tb)
		return -ENOMEM;
	scols_table_enable_noencoding(tb, 1);	/* cells are esc()aped already */
	for (size_t i = 0; i < ARRAY_SIZE(headers); i++) {
		bool text = i == 0 || i == 1 || i == ARRAY_SIZE(headers) - 1;

		if (!scols_table_new_column(tb, headers[i], text ? 0.2 : 0.06, text ? SCOLS_FL_TRUNC : SCOLS_FL_RIGHT))
			goto oom;
	}
	for (size_t i = 0; i < shown; i++) {
		const struct zcg_origin *g = &o->origins[i];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln)
			goto oom;
		scols_line_set_data(ln, 0, esc(g->origin));
		scols_line_set_data(ln, 1, zcg_origin_kind_names[g->kind]);
		scols_line_set_data(ln, 2, format_count(g->dying, buf, sizeof(buf)));
		scols_line_set_data(ln, 3, format_bytes(g->pinned_bytes, buf, sizeof(buf)));
		scols_line_set_data(ln, 4, format_bytes(g->kernel_overhead_bytes, buf, sizeof(buf)));
		scols_line_set_data(ln, 5, format_count(g->oldest_age_s, buf, sizeof(buf)));
		scols_line_set_data(ln, 6, format_count(g->newest_age_s, buf, sizeof(buf)));
		if (g->rate_per_hour >= 0)
			snprintf(buf, sizeof(buf), "%.1f", g->rate_per_hour);
		else
			snprintf(buf, sizeof(buf), "-");
		scols_line_set_data(ln, 7, buf);
		scols_line_set_data(ln, 8, esc(g->pattern));
	}
	scols_print_table(tb);
	scols_unref_table(tb);
	return 0;
oom:
	scols_unref_table(tb);
	return -ENOMEM;
}

static int origins_human(const struct zcg_census *c, const struct zcg_origins *o)
{
	size_t shown = zcg_rows_shown(o->n);
	bool any = false;
	int r;

	if (o->estimated)
		printf("%s cannot name zombies: origins by live parent (the pattern ends in /*), bytes estimated.\n",
		       c->source);
	r = zcg_origins_table(o, shown);
	if (r < 0)
		return r;
	zcg_print_rows_left(shown, o->n, "origins");
	for (size_t i = 0; i < shown; i++) {
		const struct zcg_origin *g = &o->origins[i];

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
		const struct zcg_origin *g = &o->origins[i];

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

/* --all only: the origins table has no column options (-o, --sort, ...) yet. */
static const struct option origins_options[] = {
	{ "all", no_argument, NULL, ZCG_OPT_ALL },
	{},
};

static int origins_parse_option(struct zcg_ctx *ctx, int opt, const char *arg)
{
	if (opt == ZCG_OPT_ALL)
		zcg_show_all = true;
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
		origins_json(ctx, o, rm);
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
	.args = "[--under PATH] [--json] [--no-bpf] [--all]",
	.summary = "group the dying memcgs by where they came from, with the fix at the source",
	.options = origins_options,
	.parse_option = origins_parse_option,
	.run = origins_run,
	.needs_sys = true,
};
