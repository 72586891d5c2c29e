// SPDX-License-Identifier: GPL-2.0
/* zombiecg explain: what holds each zombie, and what would free it. */
#include <errno.h>
#include <string.h>

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

/* "pid 12 (bash) in /a", or "33 processes, e.g. pid 12 (bash) in /a" */
static void print_procs(const char *what, const struct zcg_proc *p, size_t n, bool with_fd)
{
	printf("%s ", what);
	if (n > 1)
		printf("%zu processes, e.g. ", n);
	printf("pid %d (%s)", p[0].pid, p[0].comm ? esc(p[0].comm) : "?");
	if (with_fd && p[0].fd >= 0)
		printf(" fd %d", p[0].fd);
	if (p[0].cgroup)
		printf(" in %s", esc(p[0].cgroup));
}

static void print_pin(const struct zcg_pin *p, long page)
{
	char size[32];
	const char *what = p->path;

	if (!what) {
		switch (p->kind) {
		case ZCG_PIN_FILE:
		case ZCG_PIN_SHMEM:
			what = p->has_file ? "(file not found)" : "(which files: unknown without BPF)";
			break;
		case ZCG_PIN_ANON:
			what = "(anonymous memory)";
			break;
		case ZCG_PIN_SWAP:
			what = "(swap entries)";
			break;
		case ZCG_PIN_KERNEL:
			what = "(kernel memory, v1 kmem counter)";
			break;
		default:
			what = "(charged, on no LRU list seen)";
			break;
		}
	}
	printf("  %-6s %10s  %-17s %s", zcg_pin_kind_names[p->kind],
	       format_bytes((int64_t)(p->pages * (uint64_t)page), size, sizeof(size)),
	       zcg_action_names[p->action], esc(what));
	if (p->has_file && !p->path)
		printf(" dev %u:%u ino %llu", p->dev_major, p->dev_minor, (unsigned long long)p->ino);
	if (p->dirty_pages || p->writeback_pages)
		printf(" [%llu dirty, %llu writeback]", (unsigned long long)p->dirty_pages,
		       (unsigned long long)p->writeback_pages);
	if (p->n_mapped_by) {
		if (p->kind == ZCG_PIN_ANON) {
			printf(" [");
			print_procs("shared with", p->mapped_by, p->n_mapped_by, false);
		} else {
			printf(" [%llu pages mapped; ", (unsigned long long)p->mapped_pages);
			print_procs("mapped by", p->mapped_by, p->n_mapped_by, false);
		}
		printf("]");
	} else if (p->mapped_pages) {
		printf(" [%llu pages mapped]", (unsigned long long)p->mapped_pages);
	}
	if (p->n_open_by) {
		printf(" [");
		print_procs("open by", p->open_by, p->n_open_by, true);
		printf("]");
	}
	printf("\n");
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
		for (size_t k = 0; k < z->n_pins; k++)
			print_pin(&z->pins[k], page);
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
	.args = "[ZOMBIE...] [--under PATH] [--json] [--no-bpf] [--all]",
	.summary = "say what holds each zombie (files, processes) and what would free it",
	.options = zcg_all_options,
	.parse_option = zcg_parse_all_option,
	.run = explain_run,
	.needs_sys = true,
};
