// SPDX-License-Identifier: GPL-2.0
/* zombiecg explain: what holds each zombie, and what would free it. */
#include <errno.h>
#include <libsmartcols.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "error.h"
#include "explain.h"
#include "plan.h"
#include "text.h"
#include "util.h"
#include "zombiecg.h"

/* ---- JSON ---- */

static void procs_json(struct json *j, const char *key, const struct zcg_proc *p, size_t n, bool with_fd)
{
	json_array_begin(j, key);
	for (size_t i = 0; i < n; i++) {
		json_object_begin(j, NULL);
		json_int(j, "pid", p[i].pid);
		if (with_fd)
			json_int(j, "fd", p[i].fd);
		json_string(j, "comm", p[i].comm);
		json_string(j, "cgroup", p[i].cgroup);
		json_object_end(j);
	}
	json_array_end(j);
}

static void pin_json(struct json *j, const struct zcg_pin *p, long page)
{
	char dev[32];

	json_object_begin(j, NULL);
	json_string(j, "kind", zcg_pin_kind_names[p->kind]);
	json_string(j, "path", p->path);
	json_bool(j, "deleted", p->deleted);
	if (p->has_file) {
		snprintf(dev, sizeof(dev), "%u:%u", p->dev_major, p->dev_minor);
		json_string(j, "dev", dev);
		json_uint(j, "ino", p->ino);
	} else {
		json_null(j, "dev");
		json_null(j, "ino");
	}
	json_uint(j, "pages", p->pages);
	json_uint(j, "bytes", p->pages * (uint64_t)page);
	json_uint(j, "dirty_pages", p->dirty_pages);
	json_uint(j, "writeback_pages", p->writeback_pages);
	json_uint(j, "mapped_pages", p->mapped_pages);
	procs_json(j, "mapped_by", p->mapped_by, p->n_mapped_by, false);
	procs_json(j, "open_by", p->open_by, p->n_open_by, true);
	json_array_begin(j, "extents");
	for (size_t i = 0; i < p->n_extents; i++) {
		json_object_begin(j, NULL);
		json_uint(j, "start", p->extents[i].start);
		json_uint(j, "pages", p->extents[i].nr_pages);
		json_object_end(j);
	}
	json_array_end(j);
	json_string(j, "action", zcg_action_names[p->action]);
	json_string(j, "reason", p->reason);
	json_object_end(j);
}

static void explain_json(struct zcg_ctx *ctx, const struct zcg_explain *e)
{
	struct json *j = &ctx->out;
	long page = sysconf(_SC_PAGESIZE);

	json_object_begin(j, NULL);
	json_zombies_header(j, e->source, e->source_note, e->hierarchy, e->scope);
	json_uint(j, "pages_walked", e->pages_walked);
	/* what the BPF walk cost (null for the estimate): linear in memcgs + folios */
	json_int_known(j, "walk_steps", streq(e->source, "bpf") ? (int64_t)e->walk_steps : -1);
	json_int_known(j, "walk_runs", streq(e->source, "bpf") ? (int64_t)e->walk_runs : -1);
	json_array_begin(j, "zombies");
	for (size_t i = 0; i < e->n_zombies; i++) {
		const struct zcg_explained *z = &e->zombies[i];

		json_object_begin(j, NULL);
		json_zombie_identity(j, z->id, z->name, z->path, z->parent, z->memcg_id, z->usage_bytes);
		json_bool(j, "estimated", z->estimated);
		json_int_known(j, "count", z->count);
		if (z->estimated)
			json_null(j, "walk_complete");	/* no walk */
		else
			json_bool(j, "walk_complete", z->walk_complete);
		json_string(j, "action", zcg_action_names[z->action]);
		json_string(j, "reason", z->reason);
		json_array_begin(j, "pins");
		for (size_t k = 0; k < z->n_pins; k++)
			pin_json(j, &z->pins[k], page);
		json_array_end(j);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
	json_finish(j);
}

/* ---- human ---- */

enum {
	COL_ZOMBIE, COL_KIND, COL_SIZE, COL_ACTION, COL_WHAT, COL_DETAILS, COL_PATH, COL_DELETED, COL_DEV,
	COL_INO, COL_PAGES, COL_DIRTY, COL_WRITEBACK, COL_MAPPED, COL_MAPPED_BY, COL_OPEN_BY, COL_REASON,
};

/* One row per pin of a zombie. explain's JSON (pins with their processes and extents) is
 * nested, so it keeps its own writer above: these columns have no JSON keys. */
static const struct zcg_column explain_columns[] = {
	[COL_ZOMBIE] = { "ZOMBIE", NULL, "the zombie's id (its live parent for estimates)", 0.1, SCOLS_FL_WRAP,
			 ZCG_CELL_STRING },
	[COL_KIND] = { "KIND", NULL, "file, shmem, anon, swap, kernel or other", 0.06, 0, ZCG_CELL_STRING },
	[COL_SIZE] = { "SIZE", NULL, "bytes pinned", 0.08, SCOLS_FL_RIGHT, ZCG_CELL_BYTES },
	[COL_ACTION] = { "ACTION", NULL, "what frees it (see \"What frees them\")", 0.1, 0, ZCG_CELL_STRING },
	[COL_WHAT] = { "WHAT", NULL, "the file, or what kind of memory", 0.3, SCOLS_FL_WRAP, ZCG_CELL_STRING },
	[COL_DETAILS] = { "DETAILS", NULL, "dirty and writeback pages, who maps or holds it", 0.2, SCOLS_FL_WRAP,
			  ZCG_CELL_STRING },
	[COL_PATH] = { "PATH", NULL, "the file's path, - if unknown", 0.3, SCOLS_FL_WRAP, ZCG_CELL_STRING },
	[COL_DELETED] = { "DELETED", NULL, "yes: the file is unlinked", 0.04, 0, ZCG_CELL_BOOL },
	[COL_DEV] = { "DEV", NULL, "the file's device (major:minor)", 0.06, 0, ZCG_CELL_STRING },
	[COL_INO] = { "INO", NULL, "the file's inode number", 0.08, SCOLS_FL_RIGHT, ZCG_CELL_UINT },
	[COL_PAGES] = { "PAGES", NULL, "pages pinned", 0.06, SCOLS_FL_RIGHT, ZCG_CELL_INT },
	[COL_DIRTY] = { "DIRTY", NULL, "dirty pages", 0.06, SCOLS_FL_RIGHT, ZCG_CELL_INT },
	[COL_WRITEBACK] = { "WRITEBACK", NULL, "pages under writeback", 0.06, SCOLS_FL_RIGHT, ZCG_CELL_INT },
	[COL_MAPPED] = { "MAPPED", NULL, "pages mapped by processes", 0.06, SCOLS_FL_RIGHT, ZCG_CELL_INT },
	[COL_MAPPED_BY] = { "MAPPED_BY", NULL, "live processes mapping it", 0.06, SCOLS_FL_RIGHT, ZCG_CELL_INT },
	[COL_OPEN_BY] = { "OPEN_BY", NULL, "live processes holding it open", 0.06, SCOLS_FL_RIGHT, ZCG_CELL_INT },
	[COL_REASON] = { "REASON", NULL, "why that action", 0.3, SCOLS_FL_WRAP, ZCG_CELL_STRING },
};

/* A row: a pin and the zombie it pins. */
struct pin_row {
	const struct zcg_explained *zombie;
	const struct zcg_pin *pin;
};

/* "pid 12 (bash) in /a", or "33 processes, e.g. pid 12 (bash) in /a" */
static void write_procs(FILE *f, const char *what, const struct zcg_proc *p, size_t n, bool with_fd)
{
	fprintf(f, "%s ", what);
	if (n > 1)
		fprintf(f, "%zu processes, e.g. ", n);
	fprintf(f, "pid %d (%s)", p[0].pid, p[0].comm ? p[0].comm : "?");
	if (with_fd && p[0].fd >= 0)
		fprintf(f, " fd %d", p[0].fd);
	if (p[0].cgroup)
		fprintf(f, " in %s", p[0].cgroup);
}

/* The bracketed notes of a pin: dirty and writeback pages, who maps or holds it. Returns
 * a newly allocated string (maybe empty) or NULL. */
static char *pin_details(const struct zcg_pin *p)
{
	char *text = NULL;
	size_t size;
	FILE *f = open_memstream(&text, &size);

	if (!f)
		return NULL;
	if (p->dirty_pages || p->writeback_pages)
		fprintf(f, "[%llu dirty, %llu writeback]", (unsigned long long)p->dirty_pages,
			(unsigned long long)p->writeback_pages);
	if (p->n_mapped_by) {
		fprintf(f, "%s[", ftell(f) ? " " : "");
		if (p->kind == ZCG_PIN_ANON) {
			write_procs(f, "shared with", p->mapped_by, p->n_mapped_by, false);
		} else {
			fprintf(f, "%llu pages mapped; ", (unsigned long long)p->mapped_pages);
			write_procs(f, "mapped by", p->mapped_by, p->n_mapped_by, false);
		}
		fputc(']', f);
	} else if (p->mapped_pages) {
		fprintf(f, "%s[%llu pages mapped]", ftell(f) ? " " : "", (unsigned long long)p->mapped_pages);
	}
	if (p->n_open_by) {
		fprintf(f, "%s[", ftell(f) ? " " : "");
		write_procs(f, "open by", p->open_by, p->n_open_by, true);
		fputc(']', f);
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* The pin's file, or what kind of memory it is. */
static const char *pin_what(const struct zcg_pin *p)
{
	if (p->path)
		return p->path;
	switch (p->kind) {
	case ZCG_PIN_FILE:
	case ZCG_PIN_SHMEM:
		return p->has_file ? "(file not found)" : "(which files: unknown without BPF)";
	case ZCG_PIN_ANON:
		return "(anonymous memory)";
	case ZCG_PIN_SWAP:
		return "(swap entries)";
	case ZCG_PIN_KERNEL:
		return "(kernel memory, v1 kmem counter)";
	default:
		return "(charged, on no LRU list seen)";
	}
}

static void pin_cell(const void *row, size_t col, const void *data, struct zcg_cell *ret)
{
	const struct zcg_explained *z = ((const struct pin_row *)row)->zombie;
	const struct zcg_pin *p = ((const struct pin_row *)row)->pin;
	static const size_t pages_offset[] = {
		[COL_PAGES] = offsetof(struct zcg_pin, pages),
		[COL_DIRTY] = offsetof(struct zcg_pin, dirty_pages),
		[COL_WRITEBACK] = offsetof(struct zcg_pin, writeback_pages),
		[COL_MAPPED] = offsetof(struct zcg_pin, mapped_pages),
	};
	const long *page = data;

	switch (col) {
	case COL_ZOMBIE:
		if (z->estimated) {
			ret->text = z->parent;
		} else {
			snprintf(ret->buf, sizeof(ret->buf), "%llu", (unsigned long long)z->id);
			ret->text = ret->buf;
		}
		break;
	case COL_KIND:
		ret->text = zcg_pin_kind_names[p->kind];
		break;
	case COL_SIZE:
		ret->num = (int64_t)(p->pages * (uint64_t)*page);
		break;
	case COL_ACTION:
		ret->text = zcg_action_names[p->action];
		break;
	case COL_WHAT:
		if (p->has_file && !p->path)
			ret->text = ret->allocated = strdup_printf("%s dev %u:%u ino %llu", pin_what(p), p->dev_major,
								   p->dev_minor, (unsigned long long)p->ino);
		else
			ret->text = pin_what(p);
		break;
	case COL_DETAILS:
		ret->text = ret->allocated = pin_details(p);
		break;
	case COL_PATH:
		ret->text = p->path;
		break;
	case COL_DELETED:
		ret->num = p->deleted;
		break;
	case COL_DEV:
		if (p->has_file) {
			snprintf(ret->buf, sizeof(ret->buf), "%u:%u", p->dev_major, p->dev_minor);
			ret->text = ret->buf;
		}
		break;
	case COL_INO:
		ret->unum = p->ino;
		ret->known = p->has_file;
		break;
	case COL_PAGES:
	case COL_DIRTY:
	case COL_WRITEBACK:
	case COL_MAPPED:
		ret->num = (int64_t)*(const uint64_t *)((const char *)p + pages_offset[col]);
		break;
	case COL_MAPPED_BY:
		ret->num = (int64_t)p->n_mapped_by;
		break;
	case COL_OPEN_BY:
		ret->num = (int64_t)p->n_open_by;
		break;
	case COL_REASON:
		ret->text = p->reason;
		break;
	}
}

const struct zcg_table zcg_explain_table = ZCG_TABLE("explain", explain_columns, pin_cell);

/* The pins of n zombies as one table, in --sort order: below a zombie's line (n = 1),
 * or alone with -r, where a ZOMBIE column says whose pin each row is. Returns 0 or
 * -ENOMEM. */
static int print_pins(const struct zcg_explained *zombies, size_t n, long page)
{
	static const size_t defaults[] = { COL_KIND, COL_SIZE, COL_ACTION, COL_WHAT, COL_DETAILS };
	static const size_t raw_defaults[] = { COL_ZOMBIE, COL_KIND, COL_SIZE, COL_ACTION, COL_WHAT, COL_DETAILS };
	_cleanup_free_ struct pin_row *pins = NULL;
	_cleanup_free_ const void **rows = NULL;
	bool raw = zcg_table_raw();
	size_t n_pins = 0, k = 0;

	for (size_t i = 0; i < n; i++)
		n_pins += zombies[i].n_pins;
	pins = calloc(n_pins ? n_pins : 1, sizeof(*pins));
	rows = calloc(n_pins ? n_pins : 1, sizeof(*rows));
	if (!pins || !rows)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		for (size_t p = 0; p < zombies[i].n_pins; p++, k++) {
			pins[k] = (struct pin_row){ .zombie = &zombies[i], .pin = &zombies[i].pins[p] };
			rows[k] = &pins[k];
		}
	if (zcg_table_sort(&zcg_explain_table, rows, n_pins, &page) < 0)
		return -ENOMEM;
	return zcg_table_print(&zcg_explain_table, raw ? raw_defaults : defaults,
			       raw ? ARRAY_SIZE(raw_defaults) : ARRAY_SIZE(defaults), rows, n_pins, &page, 2);
}

static int explain_human(struct zcg_ctx *ctx, const struct zcg_explain *e)
{
	struct zcg_plan_opts po = {0};	/* what a plain `zombiecg reap --id ID` does */
	struct zcg_plan *plan = NULL;
	char **cmds = NULL;
	size_t n_cmds = 0;
	size_t shown = zcg_rows_shown(e->n_zombies);
	long page = sysconf(_SC_PAGESIZE);
	uint64_t total = 0;
	char size[32];
	int r = 0;

	if (zcg_table_raw())
		return print_pins(e->zombies, e->n_zombies, page);
	for (size_t i = 0; i < e->n_zombies; i++)
		total += e->zombies[i].usage_bytes > 0 ? (uint64_t)e->zombies[i].usage_bytes : 0;
	printf("Source: %s, cgroup %s", e->source, e->hierarchy == ZCG_HIER_V2 ? "v2" : "v1");
	if (!streq(e->scope, "/"))
		printf(", under %s", esc(e->scope));
	printf("\n");
	if (e->source_note)
		printf("Note: %s.\n", esc(e->source_note));
	if (e->n_zombies == 0) {
		printf("No dying memcgs%s%s.\n", streq(e->scope, "/") ? "" : " under ",
		       streq(e->scope, "/") ? "" : esc(e->scope));
		return 0;
	}
	printf("%s %zu %s, %s charged%s.\n\n", e->zombies[0].estimated ? "Estimates for" : "Explained",
	       e->n_zombies, e->zombies[0].estimated ? "live parent(s) of zombies" : "zombie(s)",
	       format_bytes((int64_t)total, size, sizeof(size)),
	       e->zombies[0].estimated ? " (estimate)" : "");

	for (size_t i = 0; i < shown; i++) {
		const struct zcg_explained *z = &e->zombies[i];

		if (z->estimated) {
			printf("zombies below %s", esc(z->parent));
			if (z->count >= 0)
				printf(" (%lld)", (long long)z->count);
		} else {
			printf("zombie %llu %s", (unsigned long long)z->id, esc(z->path));
		}
		printf(": %s, verdict %s", format_bytes(z->usage_bytes, size, sizeof(size)),
		       zcg_action_names[z->action]);
		if (!z->estimated && !z->walk_complete)
			printf(" (the LRU walk was cut short: lists changed under it)");
		printf("\n");
		if (z->n_pins) {
			r = print_pins(z, 1, page);
			if (r < 0)
				return r;
		}
		if (!z->n_pins)
			printf("  %s\n", esc(z->reason));
	}
	zcg_print_rows_left(shown, e->n_zombies, e->zombies[0].estimated ? "live parents" : "zombies");

	printf("\nWhat frees them:\n");
	for (int a = 0; a < _ZCG_ACTION_MAX; a++) {
		const struct zcg_pin *example = NULL;
		uint64_t pages = 0;
		size_t pins = 0;

		for (size_t i = 0; i < e->n_zombies; i++)
			for (size_t k = 0; k < e->zombies[i].n_pins; k++)
				if (e->zombies[i].pins[k].action == (enum zcg_action)a) {
					const struct zcg_pin *p = &e->zombies[i].pins[k];

					pins++;
					pages += p->pages;
					if (!example || p->pages > example->pages)
						example = p;
				}
		if (!pins)
			continue;
		printf("  %-17s %zu pin(s), %s: %s\n", zcg_action_names[a], pins,
		       format_bytes((int64_t)(pages * (uint64_t)page), size, sizeof(size)), esc(example->reason));
	}
	r = zcg_plan_build(ctx->sys, e, &po, &plan);
	if (r >= 0)
		r = zcg_plan_commands(plan, e, shown, &cmds, &n_cmds);
	zcg_plan_free(plan);
	if (r < 0)
		return r;
	printf("\nCommands:\n");
	if (!n_cmds)
		printf("  # nothing to run\n");
	for (size_t i = 0; i < n_cmds; i++)
		printf("  %s\n", cmds[i]);
	zcg_plan_commands_free(cmds, n_cmds);
	return 0;
}

static int explain_run(struct zcg_ctx *ctx, int argc, char **argv)
{
	struct zcg_explain_opts opts = {
		.scope = ctx->scope,
		.select = argv,
		.n_select = (size_t)argc,
		.no_bpf = ctx->no_bpf,
	};
	struct zcg_explain *e = NULL;
	int r;

	if (zcg_table_check(ctx, &zcg_explain_table) < 0)
		return EXIT_USAGE;
	r = zcg_explain_take(ctx->sys, &opts, &e);
	if (r < 0)
		return zcg_fail(ctx, r, NULL);
	if (ctx->json)
		explain_json(ctx, e);
	else
		r = explain_human(ctx, e);
	zcg_explain_free(e);
	return r < 0 ? zcg_fail(ctx, r, NULL) : EXIT_OK;
}

const struct zcg_command cmd_explain = {
	.name = "explain",
	.args = "[ZOMBIE...] [--under PATH] [--json] [--no-bpf] [--all] [-o COLUMNS] [--output-all] [-n] [-b] [-r] [--sort COLUMN]",
	.summary = "say what holds each zombie (files, processes) and what would free it",
	.options = zcg_all_options,
	.parse_option = zcg_parse_all_option,
	.run = explain_run,
	.needs_sys = true,
};
