// SPDX-License-Identifier: GPL-2.0
/* zombiecg reap: free zombies, and only zombies, within a CPU and I/O budget. */
#include <errno.h>
#include <libsmartcols.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "priority.h"
#include "reap.h"
#include "recharge.h"
#include "util.h"
#include "text.h"
#include "zombiecg.h"

enum {
	OPT_DRY_RUN = 0x400,
	OPT_NO_FLUSH,
	OPT_NO_PROTECTED,
	OPT_MAX_CPU,
	OPT_MAX_RATE,
	OPT_RECHARGE_TMPFS,
	OPT_ID,
};

static struct {
	bool dry_run, no_flush, no_protected;
	double max_cpu, max_rate;
	const char *recharge_tmpfs;
	uint64_t *ids;			/* --id, in the order given */
	size_t n_ids, ids_allocated;
} reap_args = { .max_cpu = 5 };

static const struct option reap_options[] = {
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "no-flush", no_argument, NULL, OPT_NO_FLUSH },
	{ "no-protected-reclaim", no_argument, NULL, OPT_NO_PROTECTED },
	{ "max-cpu", required_argument, NULL, OPT_MAX_CPU },
	{ "max-rate", required_argument, NULL, OPT_MAX_RATE },
	{ "recharge-tmpfs", required_argument, NULL, OPT_RECHARGE_TMPFS },
	{ "id", required_argument, NULL, OPT_ID },
	{},
};

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	stop_requested = sig;
}

static const struct zcg_number_option max_cpu_option = {
	.command = "reap", .name = "max-cpu", .min = 0.01, .max = 100, .unit = "percent of one CPU",
};
static const struct zcg_number_option max_rate_option = {
	.command = "reap", .name = "max-rate", .min = 0.01, .max = 1e6, .unit = "MiB/s",
};

static int reap_parse_option(struct zcg_ctx *ctx, int opt, const char *arg)
{
	int r;

	switch (opt) {
	case OPT_DRY_RUN:
		reap_args.dry_run = true;
		break;
	case OPT_NO_FLUSH:
		reap_args.no_flush = true;
		break;
	case OPT_NO_PROTECTED:
		reap_args.no_protected = true;
		break;
	case OPT_MAX_CPU:
		return zcg_parse_number_option(ctx, &max_cpu_option, arg, &reap_args.max_cpu);
	case OPT_MAX_RATE:
		return zcg_parse_number_option(ctx, &max_rate_option, arg, &reap_args.max_rate);
	case OPT_ID: {
		uint64_t id;

		if (parse_u64(arg, &id) < 0 || id == 0)
			return zcg_usage_error(ctx, "reap: --id '%s' is not a cgroup id (a positive integer, as "
					       "explain and list show)", arg), -EINVAL;
		r = grow_array((void **)&reap_args.ids, &reap_args.ids_allocated, reap_args.n_ids + 1,
			       sizeof(*reap_args.ids));
		if (r < 0)
			return zcg_fail(ctx, r, NULL), r;
		reap_args.ids[reap_args.n_ids++] = id;
		break;
	}
	case OPT_RECHARGE_TMPFS:
		/* checked in reap_run(), once the memory hierarchy is known */
		reap_args.recharge_tmpfs = arg;
		break;
	}
	return 0;
}

static void reap_json(struct zcg_ctx *ctx, const struct zcg_reap_result *r)
{
	struct json *j = &ctx->out;

	json_object_begin(j, NULL);
	json_string(j, "source", r->source);
	json_string(j, "source_note", r->source_note);
	json_bool(j, "dry_run", reap_args.dry_run);
	json_object_begin(j, "before");
	json_int_known(j, "dying", r->before_dying);
	json_int_known(j, "pinned_bytes", r->before_pinned);
	json_object_end(j);
	json_object_begin(j, "after");
	json_int_known(j, "dying", r->after_dying);
	json_int_known(j, "pinned_bytes", r->after_pinned);
	json_object_end(j);
	json_uint(j, "freed", r->freed);
	json_uint(j, "evicted_bytes", r->evicted_bytes);
	json_uint(j, "flushed_bytes", r->flushed_bytes);
	json_uint(j, "reclaimed_bytes", r->reclaimed_bytes);
	json_uint(j, "protected_reclaims", r->protected_reclaims);
	json_uint(j, "recharged_bytes", r->recharged_bytes);
	json_uint(j, "recharged_files", r->recharged_files);
	json_array_begin(j, "plan");
	for (size_t i = 0; i < r->n_steps; i++) {
		const struct zcg_reap_step *s = &r->steps[i];

		json_object_begin(j, NULL);
		if (s->zombie_id)
			json_uint(j, "id", s->zombie_id);
		else
			json_null(j, "id");
		json_string(j, "path", s->zombie_path);
		json_string(j, "action", zcg_action_names[s->action]);
		json_string(j, "file", s->file);
		json_uint(j, "bytes", s->bytes);
		json_bool(j, "done", s->done);
		json_string(j, "note", s->note);
		json_object_end(j);
	}
	json_array_end(j);
	json_array_begin(j, "skipped");
	for (size_t i = 0; i < r->n_skipped; i++) {
		json_object_begin(j, NULL);
		if (r->skipped[i].id)
			json_uint(j, "id", r->skipped[i].id);
		else
			json_null(j, "id");
		json_string(j, "path", r->skipped[i].path);
		json_string(j, "reason", r->skipped[i].reason);
		json_object_end(j);
	}
	json_array_end(j);
	json_double(j, "cpu_seconds", (double)r->cpu_ns / 1e9);
	json_double(j, "wall_seconds", (double)r->wall_ns / 1e9);
	json_object_end(j);
	json_finish(j);
}

static int reap_human(const struct zcg_reap_result *r)
{
	struct libscols_table *tb = scols_new_table();
	static const char *const headers[] = { "ZOMBIE", "ACTION", "FILE", "BYTES", "RESULT" };
	char b1[32], b2[32];

	if (!tb)
		return -ENOMEM;
	printf("Source: %s%s%s%s\n", r->source, r->source_note ? " (" : "", r->source_note ? esc(r->source_note) : "",
	       r->source_note ? ")" : "");
	scols_table_enable_noencoding(tb, 1);	/* cells are esc()aped already */
	for (size_t i = 0; i < ARRAY_SIZE(headers); i++)
		if (!scols_table_new_column(tb, headers[i], i == 3 ? 0.08 : 0.2,
					    i == 3 ? SCOLS_FL_RIGHT : (i == 4 ? SCOLS_FL_WRAP : SCOLS_FL_TRUNC)))
			goto oom;
	for (size_t i = 0; i < r->n_steps; i++) {
		const struct zcg_reap_step *s = &r->steps[i];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln)
			goto oom;
		scols_line_set_data(ln, 0, esc(s->zombie_path));
		scols_line_set_data(ln, 1, zcg_action_names[s->action]);
		scols_line_set_data(ln, 2, s->file ? esc(s->file) : "-");
		scols_line_set_data(ln, 3, format_bytes((int64_t)s->bytes, b1, sizeof(b1)));
		scols_line_set_data(ln, 4, s->note ? esc(s->note) : "");
	}
	if (r->n_steps)
		scols_print_table(tb);
	scols_unref_table(tb);
	printf("\n%s: %lld dying, %s pinned before; %lld dying, %s pinned after; %llu freed.\n",
	       reap_args.dry_run ? "Dry run" : "Reaped", (long long)r->before_dying,
	       format_bytes(r->before_pinned, b1, sizeof(b1)), (long long)r->after_dying,
	       format_bytes(r->after_pinned, b2, sizeof(b2)), (unsigned long long)r->freed);
	printf("Evicted %s", format_bytes((int64_t)r->evicted_bytes, b1, sizeof(b1)));
	printf(" (%s written back first), protected reclaim freed %s; %.3f s CPU, %.3f s wall.\n",
	       format_bytes((int64_t)r->flushed_bytes, b1, sizeof(b1)),
	       format_bytes((int64_t)r->reclaimed_bytes, b2, sizeof(b2)), (double)r->cpu_ns / 1e9,
	       (double)r->wall_ns / 1e9);
	if (reap_args.recharge_tmpfs)
		printf("Recharged %u tmpfs file(s), %s, to %s.\n", r->recharged_files,
		       format_bytes((int64_t)r->recharged_bytes, b1, sizeof(b1)), esc(reap_args.recharge_tmpfs));
	if (r->n_skipped && !reap_args.dry_run) {
		printf("\nStill dying:\n");
		for (size_t i = 0; i < r->n_skipped; i++)
			printf("  %s: %s\n", r->skipped[i].path ? esc(r->skipped[i].path) : "?", esc(r->skipped[i].reason));
	}
	return 0;
oom:
	scols_unref_table(tb);
	return -ENOMEM;
}

static int reap_run(struct zcg_ctx *ctx, int argc, char **argv)
{
	struct zcg_reap_opts opts = {
		.scope = ctx->scope,
		.dry_run = reap_args.dry_run,
		.no_flush = reap_args.no_flush,
		.no_protected_reclaim = reap_args.no_protected,
		.no_bpf = ctx->no_bpf,
		.max_cpu = reap_args.max_cpu / 100,	/* --max-cpu is a percent */
		.max_rate_mbps = reap_args.max_rate,
		.stop = &stop_requested,
		/* --id: those zombies only, each of which must be there */
		.only_ids = reap_args.ids,
		.n_only_ids = reap_args.n_ids,
		.only_ids_required = reap_args.n_ids > 0,
	};
	struct sigaction sa = { .sa_handler = on_stop };
	_cleanup_free_ char *recharge_rel = NULL;
	struct zcg_reap_result res;
	int r;

	if (argc > 0)
		return zcg_usage_error(ctx, "reap: unexpected argument '%s'", argv[0]);
	if (reap_args.recharge_tmpfs) {
		r = zcg_resolve_cgroup(ctx->sys, reap_args.recharge_tmpfs, &recharge_rel);
		if (r == -ENOMEM)
			return zcg_fail(ctx, r, NULL);
		if (r == 0)
			r = zcg_recharge_target_check(ctx->sys, recharge_rel);
		if (r == -ENOMEM)
			return zcg_fail(ctx, r, NULL);
		if (r < 0)
			return zcg_usage_error(ctx, "reap: --recharge-tmpfs %s: %s", reap_args.recharge_tmpfs,
					       zcg_strerror(r));
		opts.recharge_tmpfs = recharge_rel;
	}
	if (!zcg_is_root() && !reap_args.dry_run)
		return zcg_fail(ctx, -EPERM, "reap acts on page cache and cgroupfs and must run as root (try --dry-run)");
	/* Like the kernel's recycling thread: the lowest priority there is. */
	zcg_priority_idle();
	/* SIGTERM and SIGINT finish the current step, restore what it changed, and stop. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	r = zcg_reap(ctx->sys, &opts, &res);
	if (r < 0)
		return zcg_fail(ctx, r, NULL);
	if (ctx->json)
		reap_json(ctx, &res);
	else if (reap_human(&res) < 0)
		r = -ENOMEM;
	zcg_reap_result_free(&res);
	if (r < 0)
		return zcg_fail(ctx, r, NULL);
	return r > 0 ? EXIT_PARTIAL : EXIT_OK;
}

const struct zcg_command cmd_reap = {
	.name = "reap",
	.args = "[--id ID]... [--under PATH] [--dry-run] [--no-flush] [--no-protected-reclaim] [--max-cpu PCT] [--max-rate MiB/s] [--recharge-tmpfs CGROUP]",
	.summary = "free zombies, and only zombies, within a CPU and I/O budget",
	.options = reap_options,
	.parse_option = reap_parse_option,
	.run = reap_run,
	.needs_sys = true,
};
