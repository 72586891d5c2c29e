/* SPDX-License-Identifier: GPL-2.0 */
/* What the command files share: the global options and the verb table; output.h prints,
 * options.h parses option values. */
#ifndef ZCG_MAIN_H
#define ZCG_MAIN_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "options.h"
#include "output.h"
#include "sys.h"

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* runtime failure */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_PARTIAL = 3,	/* an acting command left zombies behind */
};

struct zcg_ctx {
	bool json;
	bool no_bpf;
	const char *sysroot;
	const char *under;	/* as the user gave it */
	char *scope;		/* --under resolved to a hierarchy-relative path, "/" if none */
	struct zcg_sys *sys;
	struct json out;
	char **argv;		/* the whole command line, for re-executing ourselves */
};

struct zcg_command {
	const char *name;
	const char *args;	/* synopsis after the name */
	const char *summary;
	const struct option *options;	/* command options, zero-terminated; may be NULL */
	/* Handles one command option. Returns 0, or -EINVAL after zcg_usage_error(). */
	int (*parse_option)(struct zcg_ctx *ctx, int opt, const char *arg);
	/* Runs with the positional arguments; returns an exit code. */
	int (*run)(struct zcg_ctx *ctx, int argc, char **argv);
	bool needs_sys;		/* open the memory hierarchy and resolve --under first */
};

extern const struct zcg_command cmd_status, cmd_list, cmd_explain, cmd_reap, cmd_repro, cmd_drain,
	cmd_release_agent, cmd_daemon, cmd_history, cmd_origins;

/* The top-level usage (commands, global options) and one command's: each option, and
 * whether root is needed (src/help.c). */
void usage(FILE *f, const struct zcg_command *const *commands, size_t n);
void command_usage(const struct zcg_command *cmd, FILE *f);

/* The release agent as the kernel runs it (src/release_agent.c). Returns an exit code. */
int zcg_release_agent_main(const char *cgroup);

struct zcg_config;
/* Under --sysroot, moves the configuration's built-in state paths (history_file) below it
 * (src/daemon/; the history command reads the same default). Returns 0 or -ENOMEM. */
int config_defaults_below_sysroot(const struct zcg_ctx *ctx, struct zcg_config *c);

/* Human tables of zombies stop after this many rows unless --all is given: past that a
 * terminal shows nothing useful, and --json (streamed) is the way to see every one. */
#define ZCG_HUMAN_ROWS 500
/* The option both list and explain take for that, with the table options (src/columns.h),
 * and its handler's answer. */
#define ZCG_OPT_ALL 0x1000
extern const struct option zcg_all_options[];
int zcg_parse_all_option(struct zcg_ctx *ctx, int opt, const char *arg);
extern bool zcg_show_all;
/* Rows to show of n: all of them with --all or -r, else at most ZCG_HUMAN_ROWS. */
size_t zcg_rows_shown(size_t n);
/* The line after a cut table: how many more and how to see them. */
void zcg_print_rows_left(size_t shown, size_t n, const char *what);

struct zcg_census;
struct zcg_origins;
struct zcg_removals;
struct json;
/* The census's zombies grouped by origin, with the facts the system gives (timers below the
 * sysroot; restart counts on the live host if restarts) (src/origins.c). Returns 0 and sets
 * *ret, or -ENOMEM. */
int zcg_origins_of(struct zcg_ctx *ctx, const struct zcg_census *c, bool restarts, struct zcg_origins **ret);
/* The same with the daemon's removal records rm (may be NULL): zombies grouped by their path
 * at removal, and the origins' removed_by. */
int zcg_origins_of_removals(struct zcg_ctx *ctx, const struct zcg_census *c, bool restarts,
			    struct zcg_removals *rm, struct zcg_origins **ret);
/* The removal records a daemon keeps (the run directory's removals file), or NULL without a
 * daemon's file or if it cannot be read (src/origins.c). */
struct zcg_removals *zcg_daemon_removals(void);
/* Where zombie ages come from, as the member "removal_tracing" of the object open in j:
 * {"attached": true|false, "note": why not or null}, null without a daemon's file. */
void zcg_removal_tracing_json(struct json *j, const struct zcg_removals *rm);
/* The same as a status line ("Zombie ages       ..."), none without a daemon's file. */
void zcg_removal_tracing_line(const struct zcg_removals *rm);
/* The origins table's first max_rows rows in its default columns (status's top origins: -o
 * and --sort are status's own). Returns 0 or -ENOMEM. */
int zcg_origins_print(const struct zcg_origins *o, size_t max_rows);

#endif
