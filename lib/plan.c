// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "error.h"
#include "fileid.h"
#include "plan.h"
#include "stat.h"
#include "text.h"
#include "util.h"

const char *const zcg_plan_op_names[_ZCG_PLAN_OP_MAX] = {
	[ZCG_PLAN_EVICT] = "evict",
	[ZCG_PLAN_RECHARGE] = "recharge",
	[ZCG_PLAN_PROTECTED_RECLAIM] = "protected-reclaim",
	[ZCG_PLAN_LEAVE] = "leave",
};

struct builder {
	const struct zcg_sys *sys;
	const struct zcg_explain *e;
	const struct zcg_plan_opts *opts;
	struct zcg_plan *plan;
	size_t allocated;
	long page_size;
};

bool zcg_plan_selects(const struct zcg_plan_opts *o, const struct zcg_explained *z)
{
	if (!o->only_ids && !o->only_parents)
		return true;
	if (!z->estimated && sorted_u64_has(o->only_ids, o->n_only_ids, z->id))
		return true;
	for (size_t i = 0; i < o->n_only_parents; i++)
		if (z->parent && streq(o->only_parents[i], z->parent))
			return true;
	return false;
}

/* Appends a step; reason (taken, NULL on ENOMEM for a leave step) says why not. */
static int add(struct builder *b, enum zcg_plan_op op, enum zcg_action action, const struct zcg_explained *z,
	       const struct zcg_pin *p, char *reason, struct zcg_plan_step **ret)
{
	struct zcg_plan *plan = b->plan;
	struct zcg_plan_step *s;
	int r;

	if (op == ZCG_PLAN_LEAVE && !reason)
		return -ENOMEM;
	r = grow_array((void **)&plan->steps, &b->allocated, plan->n_steps + 1, sizeof(*plan->steps));
	if (r < 0) {
		free(reason);
		return r;
	}
	s = &plan->steps[plan->n_steps++];
	*s = (struct zcg_plan_step){
		.op = op,
		.action = action,
		.zombie = z,
		.pin = p,
		.zombie_id = z && !z->estimated ? z->id : 0,
		.path = z ? (z->estimated ? z->parent : z->path) : NULL,
		.file = p ? p->path : NULL,
		.bytes = p ? p->pages * (uint64_t)b->page_size : 0,
		.reason = reason,
	};
	if (ret)
		*ret = s;
	return 0;
}

/* A tmpfs file reap may copy into the recharge target, or why not. */
static int plan_recharge(struct builder *b, const struct zcg_explained *z, const struct zcg_pin *p)
{
	const struct zcg_proc *h = p->n_open_by ? p->open_by : p->mapped_by;

	if (p->deleted || !p->path)
		return add(b, ZCG_PLAN_LEAVE, p->action, z, p, strdup_printf(
			"not recharged: %s", p->deleted ? "a deleted file or memfd has no name to swap a copy in under" :
			"its name was not found"), NULL);
	if (!p->has_file || p->sb_magic != ZCG_TMPFS_MAGIC)
		return add(b, ZCG_PLAN_LEAVE, p->action, z, p, strdup("not recharged: not a tmpfs file"), NULL);
	if (p->n_open_by || p->n_mapped_by || p->mapped_pages)
		return add(b, ZCG_PLAN_LEAVE, p->action, z, p, strdup_printf(
			"not recharged: %s by %s[%d]%s: left alone", p->n_open_by ? "open" : "mapped",
			h && h->comm ? h->comm : "a process", h ? h->pid : 0,
			p->n_open_by + p->n_mapped_by > 1 ? " and others" : ""), NULL);
	return add(b, ZCG_PLAN_RECHARGE, p->action, z, p, NULL, NULL);
}

static int plan_pin(struct builder *b, const struct zcg_explained *z, const struct zcg_pin *p)
{
	struct zcg_plan_step *s;
	int r;

	switch (p->action) {
	case ZCG_ACTION_EVICT:
	case ZCG_ACTION_FLUSH_EVICT:
		if (!p->n_extents)
			return add(b, ZCG_PLAN_LEAVE, p->action, z, p, strdup("no page ranges known: left alone"), NULL);
		r = add(b, ZCG_PLAN_EVICT, p->action, z, p, NULL, &s);
		if (r >= 0)
			s->flush = p->action == ZCG_ACTION_FLUSH_EVICT && !b->opts->no_flush;
		return r;
	case ZCG_ACTION_PROTECTED_RECLAIM:
		return 0;	/* one step per parent, after the pins */
	case ZCG_ACTION_REMOVE_FILE:
	case ZCG_ACTION_WAIT_MAPPER:
	case ZCG_ACTION_NONE:
		if (p->kind == ZCG_PIN_SHMEM && b->opts->recharge_tmpfs)
			return plan_recharge(b, z, p);
		/* fall through */
	default:
		/* tmpfs (unless recharged), mapped on v1, anon, swap: not ours to change */
		return add(b, ZCG_PLAN_LEAVE, p->action, z, p, strdup(p->reason ? p->reason : "not touched"), NULL);
	}
}

/* The parent's own pages (not its live children's, not its zombies'): protected reclaim
 * would hit them, since the reclaim root is never protected. */
static int parent_own_bytes(const struct zcg_sys *sys, const char *parent, uint64_t zombie_bytes,
			    uint64_t *ret)
{
	_cleanup_free_ char *dir = zcg_cgroup_dir(sys, parent);
	_cleanup_free_ char *cur = dir ? path_join(dir, "memory.current") : NULL;
	struct zcg_live_child *kids = NULL;
	uint64_t current, live = 0;
	size_t n = 0;
	int r;

	if (!cur)
		return -ENOMEM;
	r = zcg_read_u64_file(cur, &current);
	if (r < 0)
		return r;
	r = zcg_live_children(sys, parent, &kids, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		live += kids[i].current_bytes;
	zcg_live_children_free(kids, n);
	*ret = current > live + zombie_bytes ? current - live - zombie_bytes : 0;
	return 0;
}

/* One step for a live parent: what its selected zombies' protected-reclaim pins hold
 * (bytes), reclaimed with every live cgroup below protected, or why not. */
static int plan_parent(struct builder *b, const char *parent, uint64_t bytes)
{
	const struct zcg_explain *e = b->e;
	struct zcg_plan_step *s;
	uint64_t zombie_bytes = 0, own = 0;
	char *why = NULL;
	int r;

	for (size_t j = 0; j < e->n_zombies; j++)
		if (e->zombies[j].parent && streq(e->zombies[j].parent, parent) && e->zombies[j].usage_bytes > 0)
			zombie_bytes += (uint64_t)e->zombies[j].usage_bytes;
	if (b->opts->no_protected_reclaim) {
		why = strdup("--no-protected-reclaim given");
	} else if (streq(parent, "/")) {
		why = strdup("zombies directly below the root: reclaim there would hit the root's own pages");
	} else if ((r = parent_own_bytes(b->sys, parent, zombie_bytes, &own)) < 0) {
		if (r == -ENOMEM)
			return r;
		why = strdup_printf("cannot read the parent's usage (%s)", zcg_strerror(r));
	} else if (own > ZCG_PLAN_PARENT_OWN_MAX && own > zombie_bytes / 10) {
		/* some slack for kernel memory and counters in flight */
		why = strdup_printf("the parent holds %llu bytes of its own that reclaim would hit: left alone",
				    (unsigned long long)own);
	}
	r = add(b, why ? ZCG_PLAN_LEAVE : ZCG_PLAN_PROTECTED_RECLAIM, ZCG_ACTION_PROTECTED_RECLAIM, NULL, NULL,
		why, &s);
	if (r < 0)
		return r;
	s->path = parent;
	s->bytes = bytes;
	/* a little more than the target: pages move between lists as we go */
	if (!why)
		s->reclaim_bytes = bytes + bytes / 4 + (1u << 20);
	return 0;
}

int zcg_plan_build(const struct zcg_sys *sys, const struct zcg_explain *e, const struct zcg_plan_opts *opts,
		   struct zcg_plan **ret)
{
	struct builder b = { .sys = sys, .e = e, .opts = opts, .page_size = sysconf(_SC_PAGESIZE) };
	_cleanup_free_ uint64_t *reclaimable = calloc(e->n_zombies + 1, sizeof(*reclaimable));
	bool v2 = e->hierarchy == ZCG_HIER_V2;
	int r = 0;

	b.plan = calloc(1, sizeof(*b.plan));
	if (!b.plan || !reclaimable) {
		free(b.plan);
		return -ENOMEM;
	}
	if (b.page_size <= 0)
		b.page_size = 4096;
	for (size_t i = 0; i < e->n_zombies && r >= 0; i++) {
		const struct zcg_explained *z = &e->zombies[i];

		if (!zcg_plan_selects(opts, z))
			continue;
		/* once per run, whatever this zombie's pins: see reap's act() */
		if (v2 && !b.plan->kick_parent)
			b.plan->kick_parent = z->parent;
		if (z->estimated) {
			/* Without BPF the zombies' pages cannot be told from the parent's own
			 * (doc/kernel.md K2): nothing can be targeted. */
			r = add(&b, ZCG_PLAN_LEAVE, ZCG_ACTION_NONE, z, NULL, strdup_printf(
				"without BPF (%s) the zombies' pages cannot be told from the live parent's own "
				"(kpagecgroup sees only online memcgs): run as root on a kernel with BTF",
				e->source_note ? e->source_note : "unavailable"), NULL);
			if (r >= 0)
				b.plan->steps[b.plan->n_steps - 1].bytes = z->usage_bytes > 0 ? (uint64_t)z->usage_bytes : 0;
			continue;
		}
		for (size_t k = 0; k < z->n_pins && r >= 0; k++) {
			const struct zcg_pin *p = &z->pins[k];

			/* Kernel objects move to the parent at offline (5.9+): that counter is
			 * accounting left behind, nothing to act on or to list. */
			if (p->kind == ZCG_PIN_KERNEL)
				continue;
			if (p->action == ZCG_ACTION_PROTECTED_RECLAIM && v2)
				reclaimable[i] += p->pages * (uint64_t)b.page_size;
			r = plan_pin(&b, z, p);
		}
	}
	/* one step per live parent, in the order their zombies came */
	for (size_t i = 0; i < e->n_zombies && r >= 0; i++) {
		const char *parent = e->zombies[i].parent;
		uint64_t bytes = 0;
		bool seen = false;

		if (!reclaimable[i] || !parent)
			continue;
		for (size_t k = 0; k < i && !seen; k++)
			seen = reclaimable[k] && e->zombies[k].parent && streq(e->zombies[k].parent, parent);
		if (seen)
			continue;
		for (size_t k = i; k < e->n_zombies; k++)
			if (e->zombies[k].parent && streq(e->zombies[k].parent, parent))
				bytes += reclaimable[k];
		r = plan_parent(&b, parent, bytes);
	}
	if (r < 0) {
		zcg_plan_free(b.plan);
		return r;
	}
	*ret = b.plan;
	return 0;
}

void zcg_plan_free(struct zcg_plan *plan)
{
	if (!plan)
		return;
	for (size_t i = 0; i < plan->n_steps; i++)
		free(plan->steps[i].reason);
	free(plan->steps);
	free(plan);
}

static bool step_acts(const struct zcg_plan_step *s)
{
	return s->op != ZCG_PLAN_LEAVE;
}

bool zcg_plan_acts_on(const struct zcg_plan *plan, const struct zcg_explained *z)
{
	for (size_t i = 0; i < plan->n_steps; i++) {
		const struct zcg_plan_step *s = &plan->steps[i];

		if (!step_acts(s))
			continue;
		if (s->zombie == z)
			return true;
		if (!s->zombie && s->op == ZCG_PLAN_PROTECTED_RECLAIM && z->parent && streq(s->path, z->parent))
			for (size_t k = 0; k < z->n_pins; k++)
				if (z->pins[k].action == ZCG_ACTION_PROTECTED_RECLAIM)
					return true;
	}
	return false;
}

/* ---- the commands, for a human ---- */

/* One line per distinct text, in the order first needed. */
struct lines {
	char **v;
	size_t n, allocated;
};

/* Adds line (taken; NULL is ENOMEM) unless it is there already. */
static int line_add(struct lines *l, char *line)
{
	int r;

	if (!line)
		return -ENOMEM;
	for (size_t i = 0; i < l->n; i++)
		if (streq(l->v[i], line)) {
			free(line);
			return 0;
		}
	r = grow_array((void **)&l->v, &l->allocated, l->n + 1, sizeof(*l->v));
	if (r < 0) {
		free(line);
		return r;
	}
	l->v[l->n++] = line;
	return 0;
}

void zcg_plan_commands_free(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

/* What a pin is, for a sentence: its path, else what kind of memory. */
static const char *pin_noun(const struct zcg_pin *p)
{
	if (p->path)
		return p->path;
	switch (p->kind) {
	case ZCG_PIN_FILE:
		return p->has_file ? "a file not found by name" : "page cache of files unknown without BPF";
	case ZCG_PIN_SHMEM:
		return p->has_file ? "a tmpfs file not found by name" : "tmpfs files unknown without BPF";
	case ZCG_PIN_ANON:
		return "anonymous memory";
	default:
		return zcg_pin_kind_names[p->kind];
	}
}

/* "zombiecg reap --id ID    # PATH: what it does" for zombie z. */
static char *reap_line(const struct zcg_plan *plan, const struct zcg_explained *z)
{
	_cleanup_free_ char *what = strdup("");
	size_t ranges = 0, files = 0, flushed = 0;
	const char *file = NULL, *parent = NULL;

	for (size_t i = 0; i < plan->n_steps; i++) {
		const struct zcg_plan_step *s = &plan->steps[i];

		if (s->op == ZCG_PLAN_EVICT && s->zombie == z) {
			ranges += s->pin->n_extents;
			files++;
			flushed += s->flush;
			if (!file)
				file = pin_noun(s->pin);
		} else if (s->op == ZCG_PLAN_PROTECTED_RECLAIM && z->parent && streq(s->path, z->parent)) {
			parent = s->path;
		}
	}
	if (!what)
		return NULL;
	if (files && what) {
		_cleanup_free_ char *others = files > 1 ? strdup_printf(" and %zu other file(s)", files - 1) : strdup("");

		free(what);
		what = others ? strdup_printf("evicts its %zu page range(s) of %s%s%s", ranges, esc(file), others,
					      flushed ? ", dirty ones written back first" : "") : NULL;
	}
	if (what && parent) {
		char *t = strdup_printf("%s%sreclaims what it holds below %s, every live cgroup there protected", what,
					files ? "; " : "", esc(parent));

		free(what);
		what = t;
	}
	return what ? strdup_printf("zombiecg reap --id %llu    # %s: %s", (unsigned long long)z->id, esc(z->path),
				    what) : NULL;
}

/* The comment for a tmpfs file only its removal frees. */
static char *remove_file_line(const struct zcg_plan_step *s)
{
	const struct zcg_pin *p = s->pin;
	_cleanup_free_ char *q = NULL;

	if (!p)
		return strdup("# tmpfs files: only removing or truncating them frees them (which ones, only the BPF "
			      "source can tell)");
	if (!p->path && p->has_file)
		return strdup_printf("# a tmpfs file on %u:%u, inode %llu: only removing or truncating it frees it "
				     "(its name was not found)", p->dev_major, p->dev_minor, (unsigned long long)p->ino);
	if (!p->path)
		return strdup("# tmpfs files: only removing or truncating them frees them (which ones, only the BPF "
			      "source can tell)");
	q = shell_quote(p->path);
	if (!q)
		return NULL;
	if (p->n_open_by || p->n_mapped_by || p->mapped_pages)
		return strdup_printf("# %s (tmpfs, in use): only removing or truncating it frees it, which loses "
				     "its data: rm -- %s", q, q);
	return strdup_printf("# %s (tmpfs): only removing or truncating it frees it, which loses its data "
			     "(rm -- %s); to keep the data, zombiecg reap --id %llu --recharge-tmpfs CGROUP moves it "
			     "into the live CGROUP", q, q, (unsigned long long)s->zombie_id);
}

/* One comment line for the pins nothing is done for, of one action. */
static int leave_summary(const struct zcg_plan *plan, const struct zcg_explained *first, size_t shown,
			 enum zcg_action action, struct lines *out)
{
	const struct zcg_pin *example = NULL;
	size_t n = 0;

	for (size_t i = 0; i < plan->n_steps; i++) {
		const struct zcg_plan_step *s = &plan->steps[i];

		if (s->op != ZCG_PLAN_LEAVE || s->action != action || !s->pin || s->zombie < first ||
		    s->zombie >= first + shown)
			continue;
		n++;
		if (!example || s->pin->pages > example->pages)
			example = s->pin;
	}
	if (!n)
		return 0;
	if (action == ZCG_ACTION_WAIT_MAPPER) {
		const struct zcg_proc *h = example->n_open_by ? example->open_by : example->mapped_by;
		size_t nh = example->n_open_by ? example->n_open_by : example->n_mapped_by;
		_cleanup_free_ char *held = nh ? strdup_printf(", held by %zu process(es), e.g. pid %d (%s)", nh,
							       h[0].pid, h[0].comm ? esc(h[0].comm) : "?") : strdup("");

		return held ? line_add(out, strdup_printf(
			"# wait-mapper: nothing to run for %zu pin(s) that live processes map or hold; they go "
			"when those processes exit (the largest: %s%s)", n, esc(pin_noun(example)), held)) : -ENOMEM;
	}
	if (action == ZCG_ACTION_NONE)
		return line_add(out, strdup_printf("# none: nothing to run for %zu pin(s): %s", n, esc(example->reason)));
	return line_add(out, strdup_printf("# %s: nothing to run for %zu pin(s): no page ranges known (the largest: %s)",
					   zcg_action_names[action], n, esc(pin_noun(example))));
}

/* Whether one of the first shown zombies needs protected reclaim below parent. */
static bool shown_below(const struct zcg_explained *first, size_t shown, const char *parent)
{
	for (size_t i = 0; i < shown; i++)
		if (first[i].parent && streq(first[i].parent, parent))
			for (size_t k = 0; k < first[i].n_pins; k++)
				if (first[i].pins[k].action == ZCG_ACTION_PROTECTED_RECLAIM)
					return true;
	return false;
}

int zcg_plan_commands(const struct zcg_plan *plan, const struct zcg_explain *e, size_t shown, char ***ret_lines,
		      size_t *ret_n)
{
	static const enum zcg_action summed[] = { ZCG_ACTION_EVICT, ZCG_ACTION_FLUSH_EVICT, ZCG_ACTION_WAIT_MAPPER,
						  ZCG_ACTION_NONE };
	const struct zcg_explained *first = e->zombies;
	struct lines out = {0};
	int r = 0;

	if (shown > e->n_zombies)
		shown = e->n_zombies;
	for (size_t i = 0; i < shown && r >= 0; i++)
		if (!first[i].estimated && zcg_plan_acts_on(plan, &first[i]))
			r = line_add(&out, reap_line(plan, &first[i]));
	for (size_t i = 0; i < plan->n_steps && r >= 0; i++) {
		const struct zcg_plan_step *s = &plan->steps[i];

		if (s->op != ZCG_PLAN_LEAVE || (s->zombie && (s->zombie < first || s->zombie >= first + shown)))
			continue;
		if (!s->zombie && !shown_below(first, shown, s->path))
			continue;
		if (!s->zombie)		/* a parent's protected reclaim */
			r = line_add(&out, strdup_printf("# protected reclaim below %s: not done: %s", esc(s->path),
							 esc(s->reason)));
		else if (s->zombie->estimated)
			r = line_add(&out, strdup("# nothing to run: without BPF the zombies' pages cannot be told "
						  "from their live parent's own, so nothing can target them (run as root "
						  "on a kernel with BTF)"));
		else if (s->action == ZCG_ACTION_REMOVE_FILE)
			r = line_add(&out, remove_file_line(s));
	}
	for (size_t a = 0; a < ARRAY_SIZE(summed) && r >= 0; a++)
		r = leave_summary(plan, first, shown, summed[a], &out);
	if (r < 0) {
		zcg_plan_commands_free(out.v, out.n);
		return r;
	}
	*ret_lines = out.v;
	*ret_n = out.n;
	return 0;
}
