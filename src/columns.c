// SPDX-License-Identifier: GPL-2.0
/* The column tables of status, list, explain, origins and history: -o/--output, --output-all,
 * -n/--noheadings, -b/--bytes, -r/--raw and --sort, as lsblk and lsmem take them. */
#include <errno.h>
#include <libsmartcols.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "columns.h"
#include "text.h"
#include "util.h"
#include "zombiecg.h"

/* More -o lists or columns than anyone types; past it -o is refused. */
#define MAX_OUTPUT_SPECS 16
#define MAX_SELECTED 64

const struct option zcg_table_options[] = {
	ZCG_TABLE_OPTIONS,
	{},
};

static struct {
	const char *output[MAX_OUTPUT_SPECS];	/* each -o in order; "+A,B" appends */
	size_t n_output;
	bool output_all, noheadings, bytes, raw;
	const char *sort;
} table_args;

int zcg_parse_table_option(struct zcg_ctx *ctx, int opt, const char *arg)
{
	switch (opt) {
	case ZCG_OPT_OUTPUT:
		if (table_args.n_output == MAX_OUTPUT_SPECS)
			return zcg_usage_error(ctx, "--output: more than %d lists given", MAX_OUTPUT_SPECS), -EINVAL;
		table_args.output[table_args.n_output++] = arg;
		return 0;
	case ZCG_OPT_OUTPUT_ALL:
		table_args.output_all = true;
		return 0;
	case ZCG_OPT_NOHEADINGS:
		table_args.noheadings = true;
		return 0;
	case ZCG_OPT_BYTES:
		table_args.bytes = true;
		return 0;
	case ZCG_OPT_RAW:
		table_args.raw = true;
		return 0;
	case ZCG_OPT_SORT:
		table_args.sort = arg;
		return 0;
	}
	return 1;
}

int zcg_parse_table_option_only(struct zcg_ctx *ctx, int opt, const char *arg)
{
	int r = zcg_parse_table_option(ctx, opt, arg);

	return r > 0 ? 0 : r;
}

bool zcg_table_raw(void)
{
	return table_args.raw;
}

/* The column named by the n bytes at name (case-insensitive), or -1. */
static ssize_t column_index(const struct zcg_table *t, const char *name, size_t n)
{
	for (size_t i = 0; i < t->n_columns; i++)
		if (strlen(t->columns[i].name) == n && strncasecmp(t->columns[i].name, name, n) == 0)
			return (ssize_t)i;
	return -1;
}

static int unknown_column(struct zcg_ctx *ctx, const struct zcg_table *t, const char *option,
			  const char *name, size_t n)
{
	_cleanup_free_ char *names = NULL;
	size_t len = 0;

	for (size_t i = 0; i < t->n_columns; i++)
		len += strlen(t->columns[i].name) + 2;
	names = malloc(len + 1);
	if (!names)
		return zcg_fail(ctx, -ENOMEM, NULL), -EINVAL;
	names[0] = '\0';
	for (size_t i = 0; i < t->n_columns; i++) {
		if (i)
			strcat(names, ", ");
		strcat(names, t->columns[i].name);
	}
	if (!n)
		return zcg_usage_error(ctx, "%s: %s: an empty column name (columns: %s)", t->command, option,
				       names), -EINVAL;
	return zcg_usage_error(ctx, "%s: %s: unknown column '%.*s' (columns: %s)", t->command, option,
			       (int)n, name, names), -EINVAL;
}

/* Appends the columns of one comma list to sel, at most MAX_SELECTED in all. Returns 0, or
 * -EINVAL after a usage error (ctx NULL: no message, for lists already checked). */
static int add_columns(struct zcg_ctx *ctx, const struct zcg_table *t, const char *list, size_t *sel,
		       size_t *n_sel)
{
	const char *p = list;

	for (;;) {
		size_t n = strcspn(p, ",");
		ssize_t col = column_index(t, p, n);

		if (col < 0)
			return ctx ? unknown_column(ctx, t, "--output", p, n) : -EINVAL;
		/* checked without the defaults: with them, the last ones are left out */
		if (*n_sel == MAX_SELECTED)
			return ctx ? zcg_usage_error(ctx, "%s: --output: more than %d columns", t->command,
						     MAX_SELECTED), -EINVAL : 0;
		sel[(*n_sel)++] = (size_t)col;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

/* The columns to print, in order: --output-all, else the -o lists applied one after the
 * other to the defaults ("+A,B" appends, "A,B" replaces). */
static int select_columns(struct zcg_ctx *ctx, const struct zcg_table *t, const size_t *defaults,
			  size_t n_defaults, size_t *sel, size_t *ret_n)
{
	size_t n = 0;
	int r;

	if (table_args.output_all) {
		for (size_t i = 0; i < t->n_columns && i < MAX_SELECTED; i++)
			sel[n++] = i;
		*ret_n = n;
		return 0;
	}
	for (size_t i = 0; i < n_defaults && i < MAX_SELECTED; i++)
		sel[n++] = defaults[i];
	for (size_t i = 0; i < table_args.n_output; i++) {
		const char *list = table_args.output[i];

		if (list[0] == '+')
			list++;
		else
			n = 0;
		r = add_columns(ctx, t, list, sel, &n);
		if (r < 0)
			return r;
	}
	*ret_n = n;
	return 0;
}

int zcg_table_check(struct zcg_ctx *ctx, const struct zcg_table *t)
{
	size_t sel[MAX_SELECTED], n;
	int r;

	r = select_columns(ctx, t, NULL, 0, sel, &n);
	if (r < 0)
		return r;
	if (table_args.sort && column_index(t, table_args.sort, strlen(table_args.sort)) < 0)
		return unknown_column(ctx, t, "--sort", table_args.sort, strlen(table_args.sort));
	return 0;
}

struct sort_key {
	const void *row;
	struct zcg_cell cell;	/* its text may point into its own buf: keys stay in place */
};

struct sort_by {
	const struct sort_key *keys;
	const struct zcg_column *column;
};

/* Compares two indexes into the keys; ties keep the order before. */
static int compare_keys(const void *a, const void *b, void *arg)
{
	const struct sort_by *by = arg;
	size_t i = *(const size_t *)a, k = *(const size_t *)b;
	const struct zcg_cell *x = &by->keys[i].cell, *y = &by->keys[k].cell;
	enum zcg_cell_type type = by->column->type;
	int r = 0;

	if (x->known != y->known)
		r = x->known ? 1 : -1;
	else if (!x->known)
		r = 0;
	else if (type == ZCG_CELL_STRING)
		r = strcmp(x->text, y->text);
	else if (type == ZCG_CELL_UINT)
		r = (x->unum > y->unum) - (x->unum < y->unum);
	else if (type == ZCG_CELL_SHARE || type == ZCG_CELL_DOUBLE)
		r = (x->share > y->share) - (x->share < y->share);
	else
		r = (x->num > y->num) - (x->num < y->num);
	if (r)
		return r;
	return (i > k) - (i < k);
}

static void get_cell(const struct zcg_table *t, const void *row, size_t col, const void *data,
		     struct zcg_cell *ret)
{
	*ret = (struct zcg_cell){ .known = true };
	t->cell(row, col, data, ret);
	if (t->columns[col].type == ZCG_CELL_STRING && !ret->text)
		ret->known = false;
}

int zcg_table_sort(const struct zcg_table *t, const void **rows, size_t n, const void *data)
{
	_cleanup_free_ struct sort_key *keys = NULL;
	_cleanup_free_ size_t *order = NULL;
	struct sort_by by;
	ssize_t col;

	if (!table_args.sort || n < 2)
		return 0;
	col = column_index(t, table_args.sort, strlen(table_args.sort));
	if (col < 0)
		return 0;	/* zcg_table_check() said so already */
	keys = calloc(n, sizeof(*keys));
	order = calloc(n, sizeof(*order));
	if (!keys || !order)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		keys[i].row = rows[i];
		get_cell(t, rows[i], (size_t)col, data, &keys[i].cell);
		order[i] = i;
	}
	by = (struct sort_by){ .keys = keys, .column = &t->columns[col] };
	qsort_r(order, n, sizeof(*order), compare_keys, &by);
	for (size_t i = 0; i < n; i++)
		rows[i] = keys[order[i]].row;
	for (size_t i = 0; i < n; i++)
		free(keys[i].cell.allocated);
	return 0;
}

/* A cell as the human table shows it. Raw mode leaves the encoding of names to
 * libsmartcols (\x20 for a space, as lsblk -r). */
static const char *cell_text(const struct zcg_column *c, const struct zcg_cell *v, char *buf, size_t size)
{
	if (!v->known)
		return "-";
	if (c->type == ZCG_CELL_STRING)
		return table_args.raw ? v->text : esc(v->text);
	if (c->type == ZCG_CELL_BYTES && table_args.bytes) {
		snprintf(buf, size, "%lld", (long long)v->num);
		return buf;
	}
	if (v->text)
		return v->text;
	switch (c->type) {
	case ZCG_CELL_UINT:
		snprintf(buf, size, "%llu", (unsigned long long)v->unum);
		break;
	case ZCG_CELL_BYTES:
		return format_bytes(v->num, buf, size);
	case ZCG_CELL_BOOL:
		return v->num ? "yes" : "no";
	case ZCG_CELL_SHARE:
		snprintf(buf, size, "%.0f%%", 100 * v->share);
		break;
	case ZCG_CELL_DOUBLE:
		snprintf(buf, size, "%.1f", v->share);
		break;
	default:
		snprintf(buf, size, "%lld", (long long)v->num);
		break;
	}
	return buf;
}

/* The table after indent spaces a line; on a terminal, within its width. */
static int print_indented(struct libscols_table *tb, int indent)
{
	_cleanup_free_ char *text = NULL;
	struct winsize ws;

	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > indent + 20) {
		scols_table_set_termforce(tb, SCOLS_TERMFORCE_ALWAYS);
		scols_table_set_termwidth(tb, ws.ws_col - (size_t)indent);
	}
	if (scols_print_table_to_string(tb, &text) < 0)
		return -ENOMEM;
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n"), len = n;

		while (len && p[len - 1] == ' ')	/* the padding of an empty last cell */
			len--;
		printf("%*s%.*s\n", indent, "", (int)len, p);
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

static int table_print(const struct zcg_table *t, const size_t *defaults, size_t n_defaults, bool chosen,
		       const void **rows, size_t n, const void *data, int indent)
{
	size_t sel[MAX_SELECTED], n_sel = 0;
	struct libscols_table *tb;
	char buf[64];
	int r = 0;

	if (chosen && select_columns(NULL, t, defaults, n_defaults, sel, &n_sel) < 0)
		return -EINVAL;	/* zcg_table_check() said so already */
	for (size_t i = 0; !chosen && i < n_defaults && i < MAX_SELECTED; i++)
		sel[n_sel++] = defaults[i];
	tb = scols_new_table();
	if (!tb)
		return -ENOMEM;
	scols_table_enable_noheadings(tb, table_args.noheadings);
	scols_table_enable_raw(tb, table_args.raw);
	if (!table_args.raw)
		scols_table_enable_noencoding(tb, 1);	/* cells are esc()aped already */
	for (size_t i = 0; i < n_sel; i++) {
		const struct zcg_column *c = &t->columns[sel[i]];

		if (!scols_table_new_column(tb, c->header ? c->header : c->name, c->whint, c->flags))
			goto oom;
	}
	for (size_t i = 0; i < n; i++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln)
			goto oom;
		for (size_t k = 0; k < n_sel; k++) {
			struct zcg_cell v;

			get_cell(t, rows[i], sel[k], data, &v);
			r = scols_line_set_data(ln, k, cell_text(&t->columns[sel[k]], &v, buf, sizeof(buf)));
			free(v.allocated);
			if (r < 0)
				goto oom;
		}
	}
	if (indent && !table_args.raw)
		r = print_indented(tb, indent);
	else
		scols_print_table(tb);
	scols_unref_table(tb);
	return r;
oom:
	scols_unref_table(tb);
	return -ENOMEM;
}

int zcg_table_print(const struct zcg_table *t, const size_t *defaults, size_t n_defaults,
		    const void **rows, size_t n, const void *data, int indent)
{
	return table_print(t, defaults, n_defaults, true, rows, n, data, indent);
}

int zcg_table_print_defaults(const struct zcg_table *t, const size_t *defaults, size_t n_defaults,
			     const void **rows, size_t n, const void *data, int indent)
{
	return table_print(t, defaults, n_defaults, false, rows, n, data, indent);
}

void zcg_table_json_row(const struct zcg_table *t, struct json *j, const void *row, const void *data)
{
	const char *open = NULL;

	for (size_t i = 0; i < t->n_columns; i++) {
		const struct zcg_column *c = &t->columns[i];
		const char *key = c->json_key ? c->json_key : c->json_key_of ? *c->json_key_of : NULL;
		struct zcg_cell v;

		if (!key)
			continue;
		if (open && (!c->json_object || !streq(open, c->json_object))) {
			json_object_end(j);
			open = NULL;
		}
		if (c->json_object && !open) {
			json_object_begin(j, c->json_object);
			open = c->json_object;
		}
		get_cell(t, row, i, data, &v);
		if (!v.known && c->type != ZCG_CELL_BOOL) {
			json_null(j, key);
			free(v.allocated);
			continue;
		}
		switch (c->type) {
		case ZCG_CELL_STRING:
			json_string(j, key, v.text);
			break;
		case ZCG_CELL_UINT:
			json_uint(j, key, v.unum);
			break;
		case ZCG_CELL_BOOL:
			json_bool(j, key, v.num);
			break;
		case ZCG_CELL_SHARE:
		case ZCG_CELL_DOUBLE:
			json_double(j, key, v.share);
			break;
		default:
			json_int(j, key, v.num);
			break;
		}
		free(v.allocated);
	}
	if (open)
		json_object_end(j);
}

void zcg_table_help(const struct zcg_table *t, FILE *f)
{
	fprintf(f, "\nColumns (-o, --sort; any case):\n");
	for (size_t i = 0; i < t->n_columns; i++)
		fprintf(f, "  %-24s %s\n", t->columns[i].name, t->columns[i].help);
}
