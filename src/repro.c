// SPDX-License-Identifier: GPL-2.0
/* zombiecg repro: make zombies on purpose, and clean them up again. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "repro/scenarios.h"
#include "util.h"
#include "text.h"
#include "zombiecg.h"

enum {
	OPT_COUNT = 0x200,
	OPT_SIZE_MB,
	OPT_DIR,
};

static struct {
	unsigned count;
	uint64_t size_bytes;
	bool size_given;
	const char *dir;
} repro_args = { .count = 1, .size_bytes = 1 << 20 };

static const struct option repro_options[] = {
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "size-mb", required_argument, NULL, OPT_SIZE_MB },
	{ "dir", required_argument, NULL, OPT_DIR },
	{},
};

/* down to one byte: the tmpfs scenario needs no more */
static const struct zcg_number_option size_mb_option = {
	.command = "repro", .name = "size-mb", .min = 0.000001, .max = 1024 * 1024, .unit = "MiB", .what = "a size",
};

static int repro_parse_option(struct zcg_ctx *ctx, int opt, const char *arg)
{
	char *end;
	int r;

	switch (opt) {
	case OPT_COUNT: {
		unsigned long v;

		errno = 0;
		v = strtoul(arg, &end, 10);
		if (!isdigit((unsigned char)arg[0]) || errno || *end || v == 0 || v > 1000000)
			return zcg_usage_error(ctx, "repro: --count '%s' is not a number from 1 to 1000000", arg), -EINVAL;
		repro_args.count = (unsigned)v;
		break;
	}
	case OPT_SIZE_MB: {
		double mb;

		r = zcg_parse_number_option(ctx, &size_mb_option, arg, &mb);
		if (r < 0)
			return r;
		repro_args.size_bytes = (uint64_t)(mb * 1048576.0);
		repro_args.size_given = true;
		if (!repro_args.size_bytes)
			repro_args.size_bytes = 1;
		break;
	}
	case OPT_DIR:
		repro_args.dir = arg;
		break;
	}
	return 0;
}

static int repro_cleanup(struct zcg_ctx *ctx)
{
	struct zcg_repro_cleanup_result res = {0};
	int r;

	r = zcg_repro_cleanup(ctx->sys, ctx->scope, NULL, &res);
	if (r < 0 && r != -EBUSY)
		return zcg_fail(ctx, r, NULL);
	if (ctx->json) {
		struct json *j = &ctx->out;

		json_object_begin(j, NULL);
		json_uint(j, "runs", res.manifests);
		json_uint(j, "holders_killed", res.holders_killed);
		json_uint(j, "files_removed", res.files_removed);
		json_uint(j, "cgroups_removed", res.cgroups_removed);
		json_int(j, "zombies_left", res.zombies_left);
		json_object_end(j);
		json_finish(j);
	} else {
		printf("Cleaned up %u repro run(s): %u holder(s) killed, %u file(s) removed, %u cgroup(s) removed.\n",
		       res.manifests, res.holders_killed, res.files_removed, res.cgroups_removed);
		if (res.zombies_left > 0)
			printf("%lld zombie(s) could not be freed.\n", (long long)res.zombies_left);
		else if (res.zombies_left < 0)
			printf("Some pages stayed charged: zombies may be left (check `zombiecg status`).\n");
	}
	return r == -EBUSY ? EXIT_PARTIAL : EXIT_OK;
}

static void print_result(struct zcg_ctx *ctx, const struct zcg_repro_opts *opts,
			 const struct zcg_repro_result *res)
{
	_cleanup_free_ char *quoted = NULL;

	if (ctx->json) {
		struct json *j = &ctx->out;

		json_object_begin(j, NULL);
		json_string(j, "scenario", zcg_repro_scenario_names[opts->scenario]);
		json_string(j, "subtree", res->subtree);
		json_string(j, "dir", res->dir);
		json_string(j, "manifest", res->manifest);
		json_uint(j, "size_bytes", opts->size_bytes);
		json_array_begin(j, "zombies");
		for (size_t i = 0; i < res->n; i++) {
			json_object_begin(j, NULL);
			json_string(j, "path", res->zombies[i]);
			json_string(j, "file", res->files[i]);
			json_object_end(j);
		}
		json_array_end(j);
		json_array_begin(j, "holders");
		if (res->holder) {
			json_object_begin(j, NULL);
			json_int(j, "pid", res->holder);
			json_string(j, "cgroup", res->holder_cgroup);
			json_object_end(j);
		}
		json_array_end(j);
		json_object_end(j);
		json_finish(j);
		return;
	}
	printf("Made %zu %s zombie(s) under %s, files in %s.\n", res->n,
	       zcg_repro_scenario_names[opts->scenario], esc(res->subtree), esc(res->dir));
	if (res->holder)
		printf("Holder pid %d in %s maps the files.\n", (int)res->holder, esc(res->holder_cgroup));
	quoted = shell_quote(res->subtree);
	printf("Manifest: %s\nUndo with: zombiecg repro cleanup --under %s\n", esc(res->manifest),
	       quoted ? quoted : esc(res->subtree));
}

static int repro_run(struct zcg_ctx *ctx, int argc, char **argv)
{
	struct zcg_repro_opts opts = {
		.count = repro_args.count,
		.size_bytes = repro_args.size_bytes,
		.under = ctx->scope,
		.dir = repro_args.dir,
	};
	struct zcg_repro_result *res = NULL;
	int scenario, r;

	if (argc < 1)
		return zcg_usage_error(ctx, "repro: missing scenario (pagecache, dirty, tmpfs, mapped, slab, shared or cleanup)");
	if (argc > 1)
		return zcg_usage_error(ctx, "repro: unexpected argument '%s'", argv[1]);
	if (ctx->sysroot && *ctx->sysroot && !streq(ctx->sysroot, "/"))
		return zcg_usage_error(ctx, "repro acts on the running system; --sysroot cannot be used");
	if (streq(argv[0], "cleanup"))
		return repro_cleanup(ctx);
	scenario = zcg_repro_scenario_from_name(argv[0]);
	if (scenario < 0)
		return zcg_usage_error(ctx, "repro: unknown scenario '%s' (pagecache, dirty, tmpfs, mapped, slab, shared, cleanup)",
				       argv[0]);
	if (!zcg_is_root())
		return zcg_fail(ctx, -EPERM, "repro creates cgroups and must run as root");
	opts.scenario = scenario;
	/* shared is for counts in the hundred thousands: one page each unless told otherwise */
	if (scenario == ZCG_REPRO_SHARED && !repro_args.size_given)
		opts.size_bytes = 4096;
	r = zcg_repro_make(ctx->sys, &opts, &res);
	if (r < 0)
		return zcg_fail(ctx, r, "repro %s: %s (undo what was made with: zombiecg repro cleanup)",
				argv[0], zcg_strerror(r));
	print_result(ctx, &opts, res);
	zcg_repro_result_free(res);
	return EXIT_OK;
}

const struct zcg_command cmd_repro = {
	.name = "repro",
	.args = "SCENARIO --count N [--size-mb M] [--under PATH] [--dir DIR] | cleanup [--under PATH]",
	.summary = "make zombies on purpose (pagecache, dirty, tmpfs, mapped, slab, shared), or clean them up",
	.options = repro_options,
	.parse_option = repro_parse_option,
	.run = repro_run,
	.needs_sys = true,
};
