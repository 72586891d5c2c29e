/* SPDX-License-Identifier: GPL-2.0 */
/* The tables of status, list, explain, origins and history, described once per table as util-linux
 * lsmem's column table is: each column's name (for -o and --sort), header, help line,
 * layout flags and JSON key. One description drives the libsmartcols output, the JSON
 * members of a row, the columns --help lists and the checks of -o and --sort. */
#ifndef ZCG_COLUMNS_H
#define ZCG_COLUMNS_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"

struct zcg_ctx;

enum zcg_cell_type {
	ZCG_CELL_STRING,	/* text; NULL is unknown */
	ZCG_CELL_INT,		/* num */
	ZCG_CELL_UINT,		/* unum (ids: cgroup inode numbers) */
	ZCG_CELL_BYTES,		/* num, human size unless -b */
	ZCG_CELL_BOOL,		/* num: 0 or 1 */
	ZCG_CELL_SHARE,		/* share, a fraction shown as a percentage */
	ZCG_CELL_DOUBLE,	/* share, a number shown with one decimal (a rate) */
};

struct zcg_column {
	const char *name;	/* "PATH": for -o, --sort, and the header */
	const char *header;	/* the header when it is not the name, or NULL */
	const char *help;	/* one line in --help */
	double whint;		/* libsmartcols width hint */
	int flags;		/* SCOLS_FL_* */
	enum zcg_cell_type type;
	const char *json_key;	/* the row's JSON member, NULL if it has none */
	const char *json_object;	/* the object inside the row that holds it, or NULL */
	const char *const *json_key_of;	/* instead of json_key: where a library table keeps it
					 * (&zcg_kind_names[k]) */
};

/* One cell's value, filled by a table's cell function. */
struct zcg_cell {
	const char *text;	/* STRING: the value; other types: the human text, if not the
				 * generic one (a formatted time) */
	int64_t num;
	uint64_t unum;
	double share;
	bool known;		/* false: "-" and JSON null */
	char buf[64];		/* where a cell function may format text */
	char *allocated;	/* longer text it allocated (text points into it): freed after use */
};

struct zcg_table {
	const char *command;		/* "list", for messages */
	const struct zcg_column *columns;
	size_t n_columns;
	/* Fills ret for column col of row (ret is zeroed first); data is the caller's. */
	void (*cell)(const void *row, size_t col, const void *data, struct zcg_cell *ret);
};

/* A table of the command name, its column array and its cell function (util.h's ARRAY_SIZE). */
#define ZCG_TABLE(command_name, column_array, cell_function) \
	{ .command = (command_name), .columns = (column_array), .n_columns = ARRAY_SIZE(column_array), \
	  .cell = (cell_function) }

/* -o/--output, --output-all, -n/--noheadings, -b/--bytes, -r/--raw, --sort: the options
 * every table command takes, as entries of its getopt table. */
enum {
	ZCG_OPT_OUTPUT = 'o',
	ZCG_OPT_NOHEADINGS = 'n',
	ZCG_OPT_BYTES = 'b',
	ZCG_OPT_RAW = 'r',
	ZCG_OPT_OUTPUT_ALL = 0x1100,
	ZCG_OPT_SORT,
};
#define ZCG_TABLE_OPTIONS \
	{ "output", required_argument, NULL, ZCG_OPT_OUTPUT }, \
	{ "output-all", no_argument, NULL, ZCG_OPT_OUTPUT_ALL }, \
	{ "noheadings", no_argument, NULL, ZCG_OPT_NOHEADINGS }, \
	{ "bytes", no_argument, NULL, ZCG_OPT_BYTES }, \
	{ "raw", no_argument, NULL, ZCG_OPT_RAW }, \
	{ "sort", required_argument, NULL, ZCG_OPT_SORT }
/* The table options alone (status takes no others). */
extern const struct option zcg_table_options[];

/* Handles a table option. Returns 0 if it took opt, 1 if opt is not a table option,
 * -EINVAL after zcg_usage_error(). */
int zcg_parse_table_option(struct zcg_ctx *ctx, int opt, const char *arg);
/* The same, for commands whose options are the table options alone. */
int zcg_parse_table_option_only(struct zcg_ctx *ctx, int opt, const char *arg);

/* Whether -r was given: then a command prints its table alone, every row, for scripts
 * (the lines around it are left out; --json has them). */
bool zcg_table_raw(void);

/* Checks that every column -o and --sort name exists in t, before any work is done.
 * Returns 0, or -EINVAL after zcg_usage_error() (exit 2) naming the column and listing
 * the valid ones. */
int zcg_table_check(struct zcg_ctx *ctx, const struct zcg_table *t);

/* Orders rows (n pointers) by the --sort column, numbers numerically, unknown first;
 * leaves them alone without --sort. Returns 0. */
int zcg_table_sort(const struct zcg_table *t, const void **rows, size_t n, const void *data);

/* Prints rows as a libsmartcols table of the columns -o and --output-all chose (defaults,
 * n_defaults column indexes, otherwise), with -n, -b and -r applied, each line after indent
 * spaces. Paths and names are never cut: where the terminal is too narrow their columns
 * wrap (SCOLS_FL_WRAP), and off a terminal nothing is narrowed. Returns 0 or -ENOMEM. */
int zcg_table_print(const struct zcg_table *t, const size_t *defaults, size_t n_defaults,
		    const void **rows, size_t n, const void *data, int indent);

/* Writes row's JSON members: every column with a JSON key, in the table's order, the
 * members of one json_object grouped in it. The caller has opened the row's object. */
void zcg_table_json_row(const struct zcg_table *t, struct json *j, const void *row, const void *data);

/* The "Columns:" part of a command's --help: each column's name and help line. */
void zcg_table_help(const struct zcg_table *t, FILE *f);

/* The same with the defaults alone, -o, --output-all and --sort left to the command's own
 * table: for a second table a command shows (status's top origins). */
int zcg_table_print_defaults(const struct zcg_table *t, const size_t *defaults, size_t n_defaults,
			     const void **rows, size_t n, const void *data, int indent);

/* The tables, for --help (src/status.c, list.c, explain.c, history.c, origins.c). */
extern const struct zcg_table zcg_status_table, zcg_list_table, zcg_explain_table, zcg_history_table,
	zcg_origins_table;

#endif
