// SPDX-License-Identifier: GPL-2.0
/* zombiecg drain: empty cgroups' memory, then remove them, so they never become zombies. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "error.h"
#include "util.h"
#include "zombiecg/drain.h"
#include "text.h"
#include "zombiecg.h"

enum {
	OPT_TIMEOUT = 0x300,
	OPT_KEEP,
	OPT_MAX_CPU,
	OPT_SELF,
};

static struct {
	double timeout_s, max_cpu;
	bool keep, self;
} drain_args;

static const struct option drain_options[] = {
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "keep", no_argument, NULL, OPT_KEEP },
	{ "max-cpu", required_argument, NULL, OPT_MAX_CPU },
	{ "self", no_argument, NULL, OPT_SELF },
	{},
};

static const struct zcg_number_option timeout_option = {
	.command = "drain", .name = "timeout", .min = 0.001, .max = 86400, .unit = "seconds",
};
static const struct zcg_number_option max_cpu_option = {
	.command = "drain", .name = "max-cpu", .min = 0.01, .max = 100, .unit = "percent of one CPU",
};

static int drain_parse_option(struct zcg_ctx *ctx, int opt, const char *arg)
{
	switch (opt) {
	case OPT_TIMEOUT:
		return zcg_parse_number_option(ctx, &timeout_option, arg, &drain_args.timeout_s);
	case OPT_MAX_CPU:
		return zcg_parse_number_option(ctx, &max_cpu_option, arg, &drain_args.max_cpu);
	case OPT_KEEP:
		drain_args.keep = true;
		break;
	case OPT_SELF:
		drain_args.self = true;
		break;
	}
	return 0;
}

static void print_json_cgroup(struct json *j, const struct zcg_drain_cgroup *cg)
{
	json_object_begin(j, NULL);
	json_string(j, "path", cg->path);
	json_uint(j, "before_bytes", cg->before_bytes);
	json_uint(j, "after_bytes", cg->after_bytes);
	json_uint(j, "evicted_bytes", cg->evicted_bytes);
	json_bool(j, "removed", cg->removed);
	json_bool(j, "left_zombie", cg->left_zombie);
	json_array_begin(j, "remaining_pins");
	for (size_t i = 0; i < cg->n_pins; i++) {
		const struct zcg_drain_pin *p = &cg->pins[i];

		json_object_begin(j, NULL);
		json_string(j, "kind", p->kind);
		json_string(j, "path", p->path);
		json_uint(j, "bytes", p->bytes);
		json_string(j, "holder", p->holder);
		json_string(j, "reason", p->reason);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

static void print_human_cgroup(const struct zcg_drain_cgroup *cg)
{
	char b1[32], b2[32];

	printf("%s: %s -> %s%s%s\n", esc(cg->path), format_bytes((int64_t)cg->before_bytes, b1, sizeof(b1)),
	       format_bytes((int64_t)cg->after_bytes, b2, sizeof(b2)), cg->removed ? ", removed" : "",
	       cg->left_zombie ? ", LEFT A ZOMBIE" : "");
	for (size_t i = 0; i < cg->n_pins; i++) {
		const struct zcg_drain_pin *p = &cg->pins[i];

		printf("  %-7s %10s  %s%s%s%s%s\n", p->kind, format_bytes((int64_t)p->bytes, b1, sizeof(b1)),
		       p->path ? esc(p->path) : "", p->path ? ": " : "", esc(p->reason),
		       p->holder ? "; held by " : "", p->holder ? esc(p->holder) : "");
	}
}

/* The memory cgroup this process runs in, for --self (systemd ExecStopPost). */
static int self_cgroup(const struct zcg_ctx *ctx, char **ret)
{
	_cleanup_free_ char *buf = NULL;
	char *line, *save = NULL;
	bool v2 = ctx->sys->hierarchy == ZCG_HIER_V2;
	int r;

	r = read_full_file("/proc/self/cgroup", &buf, NULL);
	if (r < 0)
		return zcg_error_errno(r, "cannot read /proc/self/cgroup");
	/* v1: "4:memory:/a/b"; v2: "0::/a/b" */
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *ctrl = strchr(line, ':'), *path;

		if (!ctrl || !(path = strchr(ctrl + 1, ':')))
			continue;
		*path++ = '\0';
		ctrl++;
		if ((v2 && !*ctrl && line[0] == '0') || (!v2 && strstr(ctrl, "memory"))) {
			*ret = strdup(path);
			return *ret ? 0 : -ENOMEM;
		}
	}
	return zcg_error(-ENOENT, "/proc/self/cgroup names no memory cgroup");
}

static int drain_run(struct zcg_ctx *ctx, int argc, char **argv)
{
	struct zcg_drain_opts opts = {
		.timeout_s = drain_args.timeout_s,
		.max_cpu_pct = drain_args.max_cpu,
		.keep = drain_args.keep,
		.move_self = drain_args.self,
		.sysroot = ctx->sysroot,
		.no_bpf = ctx->no_bpf,
	};
	_cleanup_free_ char *self = NULL;
	char *self_argv[1];
	struct json *j = &ctx->out;
	int exit_code = EXIT_OK, r;

	if (drain_args.self) {
		const char *moved = getenv("ZCG_DRAIN_SELF");

		if (argc > 0)
			return zcg_usage_error(ctx, "drain: --self takes no PATH");
		/* this process's cgroup is the live host's, never a saved tree's */
		if (ctx->sysroot)
			return zcg_usage_error(ctx, "drain --self drains the cgroup this process runs in "
					       "on the live host; --sysroot cannot be used");
		if (!moved) {
			r = self_cgroup(ctx, &self);
			if (r < 0)
				return zcg_fail(ctx, r, NULL);
			if (streq(self, "/"))
				return zcg_fail(ctx, -EINVAL, "drain --self: this process runs in the root cgroup");
			/* Our own memory is charged to the cgroup we are draining and stays so
			 * after we move: step out to the root, then start afresh there. */
			r = zcg_cg_attach(ctx->sys, "/", 0);
			if (r < 0)
				return zcg_fail(ctx, r, NULL);
			if (setenv("ZCG_DRAIN_SELF", self, 1) < 0)
				return zcg_fail(ctx, -errno, NULL);
			fflush(NULL);
			execv("/proc/self/exe", ctx->argv);
			return zcg_fail(ctx, -errno, "drain --self: cannot re-execute /proc/self/exe: %s",
					strerror(errno));
		}
		self = strdup(moved);
		if (!self)
			return zcg_fail(ctx, -ENOMEM, NULL);
		unsetenv("ZCG_DRAIN_SELF");
		self_argv[0] = self;
		argv = self_argv;
		argc = 1;
	}
	if (argc < 1)
		return zcg_usage_error(ctx, "drain: missing PATH (a cgroup to drain and remove)");
	if (!zcg_is_root())
		return zcg_fail(ctx, -EPERM, "drain writes to cgroupfs and must run as root");

	if (ctx->json) {
		json_object_begin(j, NULL);
		json_array_begin(j, "drained");
	}
	double cpu = 0, wall = 0;
	_cleanup_free_ char **errors = calloc(argc, sizeof(char *));
	int n_errors = 0;

	if (!errors)
		return zcg_fail(ctx, -ENOMEM, NULL);
	for (int i = 0; i < argc; i++) {
		struct zcg_drain_result res;

		r = zcg_drain(argv[i], &opts, &res);
		for (size_t k = 0; k < res.n_cgroups; k++) {
			if (ctx->json)
				print_json_cgroup(j, &res.cgroups[k]);
			else
				print_human_cgroup(&res.cgroups[k]);
		}
		cpu += res.cpu_seconds;
		wall += res.wall_seconds;
		zcg_drain_result_free(&res);
		if (r < 0) {
			errors[n_errors++] = strdup_printf("%s", zcg_drain_strerror(r));
			exit_code = EXIT_FAIL;
		} else if (r > 0 && exit_code == EXIT_OK) {
			exit_code = EXIT_PARTIAL;
		}
	}
	if (ctx->json) {
		json_array_end(j);
		json_double(j, "cpu_seconds", cpu);
		json_double(j, "wall_seconds", wall);
		if (n_errors) {
			/* the first one as "error", like every other failure in JSON mode */
			json_string(j, "error", errors[0]);
			json_array_begin(j, "errors");
			for (int i = 0; i < n_errors; i++)
				json_string(j, NULL, errors[i]);
			json_array_end(j);
		}
		json_object_end(j);
		json_finish(j);
	} else {
		for (int i = 0; i < n_errors; i++)
			fprintf(stderr, "zombiecg: drain: %s\n", esc(errors[i]));
	}
	for (int i = 0; i < n_errors; i++)
		free(errors[i]);
	return exit_code;
}

const struct zcg_command cmd_drain = {
	.name = "drain",
	.args = "PATH... [--timeout S] [--keep] [--max-cpu PCT] | --self [--keep]",
	.summary = "empty cgroups' memory, then remove them, so they never become zombies",
	.options = drain_options,
	.parse_option = drain_parse_option,
	.run = drain_run,
	.needs_sys = true,
};
