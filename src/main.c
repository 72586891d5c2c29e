// SPDX-License-Identifier: GPL-2.0
/* zombiecg: find, explain, reap and prevent dying memory cgroups. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "protect.h"
#include "release_agent.h"
#include "text.h"
#include "util.h"
#include "zombiecg.h"

static const struct zcg_command *const commands[] = {
	&cmd_status,
	&cmd_list,
	&cmd_explain,
	&cmd_origins,
	&cmd_reap,
	&cmd_repro,
	&cmd_drain,
	&cmd_release_agent,
	&cmd_daemon,
	&cmd_history,
};

enum {
	OPT_SYSROOT = 0x100,
	OPT_UNDER,
	OPT_NO_BPF,
	OPT_HELP,
	OPT_VERSION,
};

static const struct option global_options[] = {
	{ "json", no_argument, NULL, 'J' },
	{ "sysroot", required_argument, NULL, OPT_SYSROOT },
	{ "under", required_argument, NULL, OPT_UNDER },
	{ "no-bpf", no_argument, NULL, OPT_NO_BPF },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{},
};

static const struct zcg_command *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (streq(commands[i]->name, name))
			return commands[i];
	return NULL;
}

/* The global options and the command's own, in one table for getopt_long. */
static struct option *merge_options(const struct zcg_command *cmd)
{
	size_t ng = ARRAY_SIZE(global_options) - 1, nc = 0;
	struct option *all;

	while (cmd && cmd->options && cmd->options[nc].name)
		nc++;
	all = calloc(ng + nc + 1, sizeof(*all));
	if (!all)
		return NULL;
	memcpy(all, global_options, ng * sizeof(*all));
	if (nc)
		memcpy(all + ng, cmd->options, nc * sizeof(*all));
	return all;
}

/* Short options: the globals plus any single-letter command option. A leading ':' makes
 * getopt_long() tell a missing argument (':') from an unknown option ('?'). */
static void short_options(const struct option *opts, char *buf, size_t size)
{
	size_t n = 0;

	buf[n++] = '+';	/* stop at the command name in the first pass */
	buf[n++] = ':';
	for (const struct option *o = opts; o->name && n + 3 < size; o++) {
		if (o->val > 0 && o->val < 0x100) {
			buf[n++] = (char)o->val;
			if (o->has_arg == required_argument)
				buf[n++] = ':';
		}
	}
	buf[n] = '\0';
}

static const struct option *option_by_val(const struct option *opts, int val)
{
	for (const struct option *o = opts; o->name; o++)
		if (o->val == val)
			return o;
	return NULL;
}

static bool is_short_option(const char *shorts, int c)
{
	return c > 0 && c < 0x100 && c != ':' && c != '+' && strchr(shorts, c);
}

/* Says which option getopt_long() stopped at, as the user typed it. */
static int option_error(struct zcg_ctx *ctx, const struct zcg_command *cmd, const struct option *opts,
			const char *shorts, int opt, int argc, char **argv)
{
	/* "status: " for a command's options; nothing before the global ones (report() adds
	 * "zombiecg: " already). */
	const char *who = cmd ? cmd->name : NULL;
	const char *sep = cmd ? ": " : "";
	const struct option *o = option_by_val(opts, optopt);
	const char *word = optind > 0 && optind <= argc ? argv[optind - 1] : "";

	if (opt == ':') {
		/* A missing argument only happens at the end of the line: the last word is the
		 * option, "--under" or "-x" (or a cluster ending in it). */
		word = argv[argc - 1];
		if (strncmp(word, "--", 2) == 0 && o)
			return zcg_usage_error(ctx, "%s%soption '--%s' requires an argument", who ? who : "", sep,
					       o->name);
		return zcg_usage_error(ctx, "%s%soption '-%c' requires an argument", who ? who : "", sep,
				       optopt);
	}
	/* '?' with a known option's value: a long option that takes no argument was given one
	 * (a short option cannot fail that way). */
	if (o && (optopt >= 0x100 || is_short_option(shorts, optopt)))
		return zcg_usage_error(ctx, "%s%soption '--%s' takes no argument (in '%s')", who ? who : "", sep,
				       o->name, word);
	if (optopt > 0 && optopt < 0x100)
		return zcg_usage_error(ctx, "%s%sunknown option '-%c'", who ? who : "", sep, optopt);
	return zcg_usage_error(ctx, "%s%sunknown option '%.*s'", who ? who : "", sep,
			       (int)strcspn(word, "="), word);
}

static int parse(struct zcg_ctx *ctx, const struct zcg_command *cmd, int argc, char **argv,
		 bool stop_at_command, int *ret_optind)
{
	_cleanup_free_ struct option *opts = merge_options(cmd);
	char shorts[64];
	int opt;

	if (!opts)
		return zcg_fail(ctx, -ENOMEM, NULL);
	short_options(opts, shorts, sizeof(shorts));
	/* The first pass stops at the command name; the second permutes so options may
	 * follow positional arguments. */
	const char *s = stop_at_command ? shorts : shorts + 1;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, s, opts, NULL)) != -1) {
		switch (opt) {
		case 'J':
			ctx->json = true;
			break;
		case OPT_SYSROOT:
			ctx->sysroot = optarg;
			break;
		case OPT_UNDER:
			ctx->under = optarg;
			break;
		case OPT_NO_BPF:
			ctx->no_bpf = true;
			break;
		case 'h':
			if (cmd)
				command_usage(cmd, stdout);
			else
				usage(stdout, commands, ARRAY_SIZE(commands));
			exit(EXIT_OK);
		case 'V':
			printf("zombiecg %s\n", ZCG_VERSION);
			exit(EXIT_OK);
		case ':':
		case '?':
			return option_error(ctx, cmd, opts, shorts, opt, argc, argv);
		default:
			if (cmd && cmd->parse_option && cmd->parse_option(ctx, opt, optarg) < 0)
				return EXIT_USAGE;
			break;
		}
	}
	*ret_optind = optind;
	return EXIT_OK;
}

/* Errors are JSON whenever --json is on the line, even after the option that failed:
 * look for it before parsing anything (up to "--", where options end). */
static bool json_requested(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (streq(a, "--"))
			break;
		if (streq(a, "--json") || strncmp(a, "--json=", 7) == 0)
			return true;
		/* -J alone or in a cluster of flags (-Jh) */
		if (a[0] == '-' && a[1] != '-' && a[1] && strspn(a + 1, "JhV") == strlen(a + 1) && strchr(a, 'J'))
			return true;
	}
	return false;
}

/* Whatever went to stdout must have reached it: a full disk or a closed pipe is an error
 * (exit 1), not a silent truncation. Runs at every exit, --help and --version included. */
static void close_stdout(void)
{
	bool failed = ferror(stdout);
	int saved;

	if (json_any_failed())
		_exit(EXIT_FAIL);	/* said on stderr when it happened */

	errno = 0;
	if (fflush(stdout) != 0)
		failed = true;
	saved = errno;
	if (failed) {
		fprintf(stderr, "zombiecg: cannot write standard output: %s\n",
			saved ? strerror(saved) : "write error");
		_exit(EXIT_FAIL);
	}
}

/* --sysroot is a sandbox: a saved tree, never the live host by another name (the host's
 * journal and state would be acted on while the user thinks they are reading a copy). Our
 * own state (journals, the release agent's files) then lives below it too. */
static int check_sysroot(struct zcg_ctx *ctx)
{
	_cleanup_free_ char *real = NULL;

	if (!*ctx->sysroot)
		return zcg_usage_error(ctx, "--sysroot '': an empty sysroot is the live host; to read the "
				       "live host, run without --sysroot");
	real = realpath(ctx->sysroot, NULL);
	if (real && streq(real, "/"))
		return zcg_usage_error(ctx, "--sysroot %s is the live host's root; to read the live host, "
				       "run without --sysroot", ctx->sysroot);
	zcg_set_state_root(real ? real : ctx->sysroot);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	struct zcg_ctx ctx = {0};
	const struct zcg_command *cmd;
	const char *base = strrchr(argv[0], '/');
	int r, first;

	/* The kernel runs the release agent as <run dir>/zombiecg-release-agent CGROUP. */
	if (streq(base ? base + 1 : argv[0], ZCG_RELEASE_AGENT_NAME))
		return zcg_release_agent_main(argc > 1 ? argv[1] : NULL);
	atexit(close_stdout);
	ctx.json = json_requested(argc, argv);
	r = parse(&ctx, NULL, argc, argv, true, &first);
	if (r != EXIT_OK)
		return r;
	if (first >= argc) {
		if (ctx.json)
			return zcg_usage_error(&ctx, "missing command (see 'zombiecg help')");
		usage(stderr, commands, ARRAY_SIZE(commands));
		return EXIT_USAGE;
	}
	if (streq(argv[first], "help")) {
		if (first + 1 >= argc) {
			usage(stdout, commands, ARRAY_SIZE(commands));
			return EXIT_OK;
		}
		cmd = find_command(argv[first + 1]);
		if (!cmd)
			return zcg_usage_error(&ctx, "help: unknown command '%s'", argv[first + 1]);
		if (first + 2 < argc)
			return zcg_usage_error(&ctx, "help: unexpected argument '%s'", argv[first + 2]);
		command_usage(cmd, stdout);
		return EXIT_OK;
	}
	cmd = find_command(argv[first]);
	if (!cmd)
		return zcg_usage_error(&ctx, "unknown command '%s'", argv[first]);

	/* Parse the rest with the command's options added; argv[0] becomes the command. */
	int cmd_argc = argc - first, pos;
	char **cmd_argv = argv + first;

	optind = 0;	/* 0: glibc re-initialises its state */
	r = parse(&ctx, cmd, cmd_argc, cmd_argv, false, &pos);
	if (r != EXIT_OK)
		return r;
	json_init(&ctx.out, stdout);
	ctx.argv = argv;
	if (ctx.sysroot) {
		r = check_sysroot(&ctx);
		if (r != EXIT_OK)
			return r;
	}

	/* A zombiecg that crashed in the middle of protected reclaim left raised memory.min
	 * settings behind: every start as root puts them back. */
	if (zcg_is_root() && !ctx.sysroot) {
		size_t restored = 0;

		r = zcg_protect_recover(&restored);
		if (r < 0)
			fprintf(stderr, "zombiecg: warning: %s\n", zcg_strerror(r));
		else if (restored)
			fprintf(stderr, "zombiecg: restored %zu memory.min setting(s) left by an interrupted run\n", restored);
	}

	if (cmd->needs_sys) {
		r = zcg_sys_open(ctx.sysroot, &ctx.sys);
		if (r < 0)
			return zcg_fail(&ctx, r, NULL);
		if (ctx.under) {
			r = zcg_resolve_cgroup(ctx.sys, ctx.under, &ctx.scope);
			if (r < 0) {
				zcg_sys_free(ctx.sys);
				return zcg_fail(&ctx, r, "--under: %s", zcg_strerror(r));
			}
		}
	}
	r = cmd->run(&ctx, cmd_argc - pos, cmd_argv + pos);
	free(ctx.scope);
	zcg_sys_free(ctx.sys);
	return r;
}
