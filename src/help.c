// SPDX-License-Identifier: GPL-2.0
/* `zombiecg help [COMMAND]` and `COMMAND --help`: each command's options, one line each,
 * and whether it needs root. The option tables the parser uses stay in the command files;
 * tests/cli/help.t checks that every option there is described here (and in the bash
 * completion). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "columns.h"
#include "util.h"
#include "zombiecg.h"

struct option_help {
	const char *spelling;	/* "--max-cpu PCT" */
	const char *text;
};

struct command_help {
	const char *name;
	const char *root;	/* whether root is needed, and what it adds */
	const struct zcg_table *table;	/* its columns, for the table options, or NULL */
	struct option_help options[16];	/* terminated by a NULL spelling */
};

/* The options of a command with a table (src/columns.c). */
#define TABLE_OPTIONS_HELP \
	{ "-o, --output COLUMNS", "columns to print, comma-separated; +COLUMNS adds to the default ones" }, \
	{ "--output-all", "every column" }, \
	{ "-n, --noheadings", "no header line" }, \
	{ "-b, --bytes", "sizes in bytes, not human units (1.5 MiB)" }, \
	{ "-r, --raw", "the table alone, cells separated by a space (\\x20 inside one), every row" }, \
	{ "--sort COLUMN", "rows in the order of COLUMN (numbers numerically)" }

static const struct command_help helps[] = {
	{ "status", "not needed; as root on a kernel with BTF the census comes from BPF (exact "
		    "counts, every zombie by name)", &zcg_status_table, {
		TABLE_OPTIONS_HELP,
		{ NULL, NULL } } },
	{ "list", "not needed; as root on a kernel with BTF (BPF) one row per zombie, by name, "
		  "instead of one per live parent", &zcg_list_table, {
		{ "--all", "every row in the human table (it stops at 500 otherwise)" },
		TABLE_OPTIONS_HELP,
		{ NULL, NULL } } },
	{ "explain", "not needed; as root on a kernel with BTF (BPF) it names the files and "
		     "processes holding each zombie, otherwise it estimates per live parent", &zcg_explain_table, {
		{ "ZOMBIE...", "zombies by id (cgroup inode number), name or former path; none: all" },
		{ "--all", "every zombie in the human output (it stops at 500 otherwise)" },
		TABLE_OPTIONS_HELP,
		{ NULL, NULL } } },
	{ "origins", "not needed; as root on a kernel with BTF (BPF) every zombie's former path is "
		     "known and grouped, otherwise one origin per live parent (estimated)", &zcg_origins_table, {
		{ "--all", "every origin in the human table (it stops at 500 otherwise)" },
		TABLE_OPTIONS_HELP,
		{ NULL, NULL } } },
	{ "reap", "needed (it evicts page cache and writes cgroupfs); --dry-run works without, "
		  "but without BPF nothing can be targeted", NULL, {
		{ "--id ID", "only this zombie (its cgroup id, as explain shows it), repeatable; an id that "
			     "names no zombie is an error" },
		{ "--dry-run", "print the plan, touch nothing" },
		{ "--no-flush", "leave dirty pages alone instead of writing them back first" },
		{ "--no-protected-reclaim", "no memory.reclaim with live cgroups protected (cgroup v2)" },
		{ "--max-cpu PCT", "CPU time in percent of one CPU, from 0.01 to 100 (default 5)" },
		{ "--max-rate MiB/s", "bound write-back plus eviction, from 0.01 to 1000000 MiB/s" },
		{ "--recharge-tmpfs CGROUP", "charge zombies' unused tmpfs files to this live cgroup "
					     "(copy, verify, swap in)" },
		{ NULL, NULL } } },
	{ "repro", "needed (it creates cgroups); --sysroot cannot be used", NULL, {
		{ "SCENARIO", "pagecache, dirty, tmpfs, mapped, slab, shared; or cleanup" },
		{ "--count N", "how many zombies, from 1 to 1000000 (default 1)" },
		{ "--size-mb M", "MiB each writes, from 0.000001 (a byte) to 1048576 (default 1)" },
		{ "--dir DIR", "where the files go (default /var/tmp, /dev/shm for tmpfs)" },
		{ NULL, NULL } } },
	{ "drain", "needed (it writes cgroupfs)", NULL, {
		{ "PATH...", "cgroups to empty and remove, with their descendants" },
		{ "--timeout S", "bound on the whole call, from 0.001 to 86400 s (default 30)" },
		{ "--keep", "empty the cgroups but do not remove them" },
		{ "--max-cpu PCT", "CPU time in percent of one CPU, from 0.01 to 100" },
		{ "--self", "drain the cgroup this command runs in (systemd ExecStopPost=)" },
		{ NULL, NULL } } },
	{ "release-agent", "needed for install and uninstall (they write cgroupfs); status: not "
			   "needed; the kernel runs the agent as root", NULL, {
		{ "install --under PATH", "drain and remove emptied cgroups below PATH (cgroup v1)" },
		{ "uninstall", "put the previous release agent back" },
		{ "status", "what is installed" },
		{ "CGROUP", "what the kernel runs: drain and remove CGROUP" },
		{ NULL, NULL } } },
	{ "daemon", "not needed to count; reaping and BPF need root (or the capabilities of "
		    "deploy/systemd/zombiecg.service)", NULL, {
		{ "--config FILE", "configuration file (default /etc/zombiecg/zombiecg.conf if it exists)" },
		{ "--interval S", "time between censuses (interval)" },
		{ "--listen ADDR:PORT", "HTTP address for /metrics and /healthz, or off (listen)" },
		{ "--textfile DIR", "node_exporter textfile directory (textfile_dir)" },
		{ "--log-json", "JSON log lines (log_json)" },
		{ "--once", "one census, textfile and history sample, then exit" },
		{ "--check-config", "check the configuration and the cgroups it names, then exit" },
		{ NULL, NULL } } },
	{ "history", "not needed (read access to the ring)", &zcg_history_table, {
		{ "--since D", "only samples this recent (like 90m, 24h, 7d)" },
		{ "--period P", "one row per P (default: the shortest giving at most 31 rows)" },
		{ "--file PATH", "the ring to read" },
		{ "--config FILE", "read history_file from this configuration" },
		TABLE_OPTIONS_HELP,
		{ NULL, NULL } } },
};

static void global_options_help(FILE *f)
{
	fprintf(f, "  -J, --json             machine-readable output (errors too: {\"error\": ...})\n"
		   "      --sysroot DIR      read /proc and /sys under DIR (a saved tree; not /)\n"
		   "      --under PATH       limit to a cgroup subtree (/sys/fs/cgroup/memory/a or /a)\n"
		   "      --no-bpf           use the cgroupfs source even where BPF works\n"
		   "  -h, --help             this help\n"
		   "  -V, --version          print the version\n");
}

void usage(FILE *f, const struct zcg_command *const *commands, size_t n)
{
	fprintf(f, "Usage: zombiecg [OPTIONS] COMMAND [ARGS]\n\n"
		   "Find, explain, reap and prevent dying (\"zombie\") memory cgroups.\n\nCommands:\n");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %-14s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f, "  %-14s %s\n", "help [COMMAND]", "this help, or a command's options and whether it needs root");
	fprintf(f, "\nOptions (any command):\n");
	global_options_help(f);
	fprintf(f, "\nExit status: 0 ok, 1 runtime failure, 2 usage error, 3 partial (zombies left).\n"
		   "See 'zombiecg help COMMAND' and zombiecg(8).\n");
}

void command_usage(const struct zcg_command *cmd, FILE *f)
{
	const struct command_help *h = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(helps); i++)
		if (streq(helps[i].name, cmd->name))
			h = &helps[i];
	fprintf(f, "Usage: zombiecg %s %s\n\n%c%s.\n", cmd->name, cmd->args, toupper((unsigned char)cmd->summary[0]),
		cmd->summary + 1);
	if (h && h->options[0].spelling) {
		fprintf(f, "\nArguments and options:\n");
		for (const struct option_help *o = h->options; o->spelling; o++)
			fprintf(f, "  %-24s %s\n", o->spelling, o->text);
	}
	if (h && h->table)
		zcg_table_help(h->table, f);
	fprintf(f, "\nOptions of every command:\n");
	global_options_help(f);
	if (h)
		fprintf(f, "\nRoot: %s.\n", h->root);
	fprintf(f, "See zombiecg(8).\n");
}
