// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "cgroup.h"
#include "census.h"
#include "error.h"
#include "explain.h"
#include "memcg_tree.h"
#include "bpf_common.h"
#include "fileid.h"
#include "bpf_folios.h"
#include "stat.h"
#include "util.h"

const char *const zcg_pin_kind_names[_ZCG_PIN_KIND_MAX] = {
	[ZCG_PIN_FILE] = "file",
	[ZCG_PIN_SHMEM] = "shmem",
	[ZCG_PIN_ANON] = "anon",
	[ZCG_PIN_SWAP] = "swap",
	[ZCG_PIN_KERNEL] = "kernel",
	[ZCG_PIN_OTHER] = "other",
};

const char *const zcg_action_names[_ZCG_ACTION_MAX] = {
	[ZCG_ACTION_EVICT] = "evict",
	[ZCG_ACTION_FLUSH_EVICT] = "flush-evict",
	[ZCG_ACTION_REMOVE_FILE] = "remove-file",
	[ZCG_ACTION_PROTECTED_RECLAIM] = "protected-reclaim",
	[ZCG_ACTION_WAIT_MAPPER] = "wait-mapper",
	[ZCG_ACTION_NONE] = "none",
};

#define CSS_ONLINE 0x2

/* ---- extents ---- */

int zcg_extents_add(struct zcg_extent **ext, size_t *n, size_t *allocated, uint64_t start,
		    uint64_t nr, uint32_t flags)
{
	int r;

	if (nr == 0)
		return 0;
	/* Records arrive in list order, often consecutive: extend the last one in place. */
	if (*n > 0) {
		struct zcg_extent *last = &(*ext)[*n - 1];

		if (last->flags == flags && last->start + last->nr_pages == start) {
			last->nr_pages += nr;
			return 0;
		}
	}
	r = grow_array((void **)ext, allocated, *n + 1, sizeof(**ext));
	if (r < 0)
		return r;
	(*ext)[*n] = (struct zcg_extent){ .start = start, .nr_pages = nr, .flags = flags };
	(*n)++;
	return 0;
}

static int extent_cmp(const void *a, const void *b)
{
	const struct zcg_extent *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->nr_pages != y->nr_pages)
		return x->nr_pages < y->nr_pages ? -1 : 1;
	return 0;
}

void zcg_extents_merge(struct zcg_extent *ext, size_t *n)
{
	size_t w = 0;

	if (*n == 0)
		return;
	qsort(ext, *n, sizeof(*ext), extent_cmp);
	for (size_t i = 1; i < *n; i++) {
		struct zcg_extent *cur = &ext[w];
		uint64_t end = cur->start + cur->nr_pages;

		if (ext[i].start < end) {
			/* overlap: the same pages seen twice */
			uint64_t e = ext[i].start + ext[i].nr_pages;

			if (e > end)
				cur->nr_pages = e - cur->start;
			cur->flags |= ext[i].flags;
		} else if (ext[i].start == end && ext[i].flags == cur->flags) {
			cur->nr_pages += ext[i].nr_pages;
		} else {
			ext[++w] = ext[i];
		}
	}
	*n = w + 1;
}

/* ---- grouping folios into pins ---- */

void zcg_pin_clear(struct zcg_pin *pin)
{
	free(pin->path);
	free(pin->reason);
	free(pin->extents);
	for (size_t i = 0; i < pin->n_mapped_by; i++)
		zcg_proc_clear(&pin->mapped_by[i]);
	for (size_t i = 0; i < pin->n_open_by; i++)
		zcg_proc_clear(&pin->open_by[i]);
	free(pin->mapped_by);
	free(pin->open_by);
	memset(pin, 0, sizeof(*pin));
}

static enum zcg_pin_kind folio_kind(const struct zcg_folio_rec *f)
{
	if (f->flags & ZCG_FOLIO_NO_MAPPING)
		return ZCG_PIN_OTHER;
	if (f->flags & ZCG_FOLIO_ANON)
		return ZCG_PIN_ANON;
	if (f->flags & ZCG_FOLIO_SWAPBACKED)
		return ZCG_PIN_SHMEM;
	return ZCG_PIN_FILE;
}

/* Order that puts one pin's folios next to each other, by page index within a file. */
static int folio_cmp(const void *a, const void *b)
{
	const struct zcg_folio_rec *x = *(const struct zcg_folio_rec *const *)a;
	const struct zcg_folio_rec *y = *(const struct zcg_folio_rec *const *)b;
	enum zcg_pin_kind kx = folio_kind(x), ky = folio_kind(y);

	if (kx != ky)
		return kx < ky ? -1 : 1;
	if (kx == ZCG_PIN_ANON) {
		if (x->owner_pid != y->owner_pid)
			return x->owner_pid < y->owner_pid ? -1 : 1;
		return 0;
	}
	if (kx == ZCG_PIN_OTHER)
		return 0;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->generation != y->generation)
		return x->generation < y->generation ? -1 : 1;
	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return 0;
}

static bool same_pin(const struct zcg_folio_rec *x, const struct zcg_folio_rec *y)
{
	enum zcg_pin_kind k = folio_kind(x);

	if (k != folio_kind(y))
		return false;
	if (k == ZCG_PIN_ANON)
		return x->owner_pid == y->owner_pid;
	if (k == ZCG_PIN_OTHER)
		return true;
	return x->dev == y->dev && x->ino == y->ino && x->generation == y->generation;
}

static uint32_t extent_flags(uint32_t folio_flags)
{
	return (folio_flags & ZCG_FOLIO_DIRTY ? ZCG_EXTENT_DIRTY : 0) |
	       (folio_flags & ZCG_FOLIO_WRITEBACK ? ZCG_EXTENT_WRITEBACK : 0) |
	       (folio_flags & ZCG_FOLIO_MAPPED ? ZCG_EXTENT_MAPPED : 0);
}

static void pin_start(struct zcg_pin *pin, const struct zcg_folio_rec *f)
{
	memset(pin, 0, sizeof(*pin));
	pin->kind = folio_kind(f);
	pin->action = ZCG_ACTION_NONE;
	if (pin->kind == ZCG_PIN_ANON) {
		pin->owner_pid = (int)f->owner_pid;
	} else if (pin->kind != ZCG_PIN_OTHER) {
		pin->has_file = true;
		pin->dev_major = zcg_kdev_major(f->dev);
		pin->dev_minor = zcg_kdev_minor(f->dev);
		pin->ino = f->ino;
		pin->generation = f->generation;
		pin->sb_magic = f->sb_magic;
		pin->rdev_major = zcg_kdev_major(f->rdev);
		pin->rdev_minor = zcg_kdev_minor(f->rdev);
		pin->deleted = f->flags & ZCG_FOLIO_UNLINKED;
	}
}

int zcg_pins_from_folios(const struct zcg_folio_rec *recs, size_t n, struct zcg_pin **ret_pins,
			 size_t *ret_n)
{
	_cleanup_free_ const struct zcg_folio_rec **sorted = NULL;
	struct zcg_pin *pins = NULL;
	size_t n_pins = 0, allocated = 0, ext_allocated = 0;
	int r = 0;

	if (n == 0) {
		*ret_pins = NULL;
		*ret_n = 0;
		return 0;
	}
	sorted = malloc(n * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		sorted[i] = &recs[i];
	qsort(sorted, n, sizeof(*sorted), folio_cmp);

	for (size_t i = 0; i < n; i++) {
		const struct zcg_folio_rec *f = sorted[i];
		struct zcg_pin *pin;
		uint64_t nr = f->nr_pages ? f->nr_pages : 1;

		if (i == 0 || !same_pin(sorted[i - 1], f)) {
			r = grow_array((void **)&pins, &allocated, n_pins + 1, sizeof(*pins));
			if (r < 0)
				goto fail;
			pin_start(&pins[n_pins++], f);
			ext_allocated = 0;
		} else if (pins[n_pins - 1].has_file && sorted[i - 1]->index == f->index) {
			/* a folio seen twice (its list changed between two chunks): once is enough */
			continue;
		}
		pin = &pins[n_pins - 1];
		pin->pages += nr;
		if (f->flags & ZCG_FOLIO_DIRTY)
			pin->dirty_pages += nr;
		if (f->flags & ZCG_FOLIO_WRITEBACK)
			pin->writeback_pages += nr;
		if (f->flags & ZCG_FOLIO_MAPPED)
			pin->mapped_pages += nr;
		if (pin->has_file) {
			r = zcg_extents_add(&pin->extents, &pin->n_extents, &ext_allocated, f->index, nr,
					    extent_flags(f->flags));
			if (r < 0)
				goto fail;
		}
	}
	for (size_t i = 0; i < n_pins; i++)
		zcg_extents_merge(pins[i].extents, &pins[i].n_extents);
	*ret_pins = pins;
	*ret_n = n_pins;
	return 0;
fail:
	for (size_t i = 0; i < n_pins; i++)
		zcg_pin_clear(&pins[i]);
	free(pins);
	return r;
}

/* ---- verdicts ---- */

/* "pid 12 (bash) in /a/b", or "33 processes (e.g. pid 12 (bash) in /a/b)". */
char *zcg_procs_summary(const struct zcg_proc *p, size_t n)
{
	_cleanup_free_ char *one = NULL;

	if (n == 0)
		return strdup("");
	one = strdup_printf("pid %d (%s)%s%s", p[0].pid, p[0].comm ? p[0].comm : "?",
			    p[0].cgroup ? " in " : "", p[0].cgroup ? p[0].cgroup : "");
	if (!one || n == 1)
		return TAKE_PTR(one);
	return strdup_printf("%zu processes (e.g. %s)", n, one);
}

static int set_reason(struct zcg_pin *pin, enum zcg_action action, char *reason)
{
	if (!reason)
		return -ENOMEM;
	free(pin->reason);
	pin->action = action;
	pin->reason = reason;
	return 0;
}

static int decide_file(struct zcg_pin *pin, const struct zcg_verdict_ctx *ctx)
{
	_cleanup_free_ char *mappers = zcg_procs_summary(pin->mapped_by, pin->n_mapped_by);
	_cleanup_free_ char *openers = zcg_procs_summary(pin->open_by, pin->n_open_by);
	_cleanup_free_ char *deleted = NULL;
	bool v2 = ctx->hierarchy == ZCG_HIER_V2 && !ctx->no_memory_reclaim;

	if (!mappers || !openers)
		return -ENOMEM;
	if (pin->deleted) {
		if (pin->n_open_by)
			deleted = strdup_printf("; the file is deleted, still open by %s: evict through "
						"/proc/%d/fd/%d, or it goes when they close it", openers,
						pin->open_by[0].pid, pin->open_by[0].fd);
		else if (pin->n_mapped_by)
			deleted = strdup_printf("; the file is deleted and goes when its mappers unmap it");
		else
			deleted = strdup_printf("; the file is deleted and no holder was found in /proc");
	} else {
		deleted = strdup("");
	}
	if (!deleted)
		return -ENOMEM;

	if (pin->mapped_pages > 0) {
		const char *who = pin->n_mapped_by ? mappers :
				  ctx->estimated ? "live processes (which ones, only the BPF source can tell)" :
				  "no process found in /proc (another pid namespace?)";

		if (v2)
			return set_reason(pin, ZCG_ACTION_PROTECTED_RECLAIM, strdup_printf(
				"%llu of %llu pages are mapped by %s; memory.reclaim on the live parent, with its "
				"live children protected by memory.min, evicts them and the mappers fault them "
				"back into their own cgroups%s", (unsigned long long)pin->mapped_pages,
				(unsigned long long)pin->pages, who, deleted));
		return set_reason(pin, ZCG_ACTION_WAIT_MAPPER, strdup_printf(
			"%llu of %llu pages are mapped by %s; %s cannot reclaim them without taking "
			"them from those processes: they go when the mappers unmap or exit%s",
			(unsigned long long)pin->mapped_pages, (unsigned long long)pin->pages, who,
			ctx->no_memory_reclaim ? "this kernel has no memory.reclaim (5.19+), so it" : "cgroup v1",
			deleted));
	}
	if (pin->dirty_pages + pin->writeback_pages > 0)
		return set_reason(pin, ZCG_ACTION_FLUSH_EVICT, strdup_printf(
			"%llu dirty and %llu under writeback of %llu pages: write them back (sync), then "
			"evict; eviction alone skips them%s", (unsigned long long)pin->dirty_pages,
			(unsigned long long)pin->writeback_pages, (unsigned long long)pin->pages, deleted));
	return set_reason(pin, ZCG_ACTION_EVICT, strdup_printf(
		"clean, unmapped page cache: evicting it (fadvise DONTNEED) frees it%s", deleted));
}

static int decide_shmem(struct zcg_pin *pin, const struct zcg_verdict_ctx *ctx)
{
	_cleanup_free_ char *holders = NULL;
	const struct zcg_proc *h = pin->n_open_by ? pin->open_by : pin->mapped_by;
	size_t nh = pin->n_open_by ? pin->n_open_by : pin->n_mapped_by;

	holders = zcg_procs_summary(h, nh);
	if (!holders)
		return -ENOMEM;
	if (ctx->estimated)
		return set_reason(pin, ZCG_ACTION_REMOVE_FILE, strdup(
			"tmpfs/shmem pages: only removing or truncating their files frees them (which "
			"files, only the BPF source can tell)"));
	if (!pin->deleted && pin->path)
		return set_reason(pin, ZCG_ACTION_REMOVE_FILE, strdup_printf(
			"tmpfs/shmem pages: eviction skips them and reclaim can only move them to swap, "
			"still charged here; removing or truncating the file frees them%s%s",
			nh ? " (still in use by " : "", nh ? holders : ""));
	if (nh)
		return set_reason(pin, ZCG_ACTION_WAIT_MAPPER, strdup_printf(
			"%s held by %s: it has no name left to remove; it goes when they close or unmap it",
			pin->deleted ? "a deleted tmpfs file or memfd" : "a tmpfs file", holders));
	if (pin->deleted)
		return set_reason(pin, ZCG_ACTION_NONE, strdup(
			"a deleted tmpfs file or memfd, and no process holding it was found in /proc "
			"(a kernel user, or another pid namespace)"));
	return set_reason(pin, ZCG_ACTION_REMOVE_FILE, strdup(
		"tmpfs/shmem pages: only removing or truncating the file frees them, but its name "
		"was not found (no mount of its filesystem here?)"));
}

static int decide_anon(struct zcg_pin *pin, const struct zcg_verdict_ctx *ctx)
{
	_cleanup_free_ char *owner = zcg_procs_summary(pin->mapped_by, pin->n_mapped_by);

	if (!owner)
		return -ENOMEM;
	if (ctx->estimated) {
		bool reclaim = ctx->hierarchy == ZCG_HIER_V2 && ctx->swap_enabled && !ctx->no_memory_reclaim;

		return set_reason(pin, reclaim ? ZCG_ACTION_PROTECTED_RECLAIM : ZCG_ACTION_WAIT_MAPPER,
				  strdup_printf("anonymous memory, usually shared with a live process (after "
						"fork, or it moved out of the cgroup); %s",
						reclaim ? "reclaim of the live parent swaps it out" :
						"it goes when that process exits"));
	}
	if (!pin->n_mapped_by)
		return set_reason(pin, ZCG_ACTION_NONE, strdup(
			"anonymous memory no live process was found to share (swap cache, or about to be "
			"freed)"));
	if (ctx->hierarchy == ZCG_HIER_V2 && ctx->swap_enabled && !ctx->no_memory_reclaim)
		return set_reason(pin, ZCG_ACTION_PROTECTED_RECLAIM, strdup_printf(
			"anonymous memory of %s (it moved out of this cgroup, or shares pages after fork); "
			"reclaim of the live parent swaps it out, and the swap entries are charged to a "
			"live ancestor", owner));
	return set_reason(pin, ZCG_ACTION_WAIT_MAPPER, strdup_printf(
		"anonymous memory of %s (it moved out of this cgroup, or shares pages after fork); it "
		"goes when that process frees or unmaps it or exits (shared pages also when written: "
		"copy on write)%s", owner,
		ctx->swap_enabled ? "" : " (no swap: reclaim cannot free anonymous memory)"));
}

int zcg_pin_decide(struct zcg_pin *pin, const struct zcg_verdict_ctx *ctx)
{
	switch (pin->kind) {
	case ZCG_PIN_FILE:
		return decide_file(pin, ctx);
	case ZCG_PIN_SHMEM:
		return decide_shmem(pin, ctx);
	case ZCG_PIN_ANON:
		return decide_anon(pin, ctx);
	case ZCG_PIN_SWAP:
		return set_reason(pin, ZCG_ACTION_NONE, strdup(
			"swap entries charged to this memcg (they also keep its memcg ID): they go when "
			"their owners fault them back in or exit, or with swapoff"));
	case ZCG_PIN_KERNEL:
		return set_reason(pin, ZCG_ACTION_NONE, strdup(
			"kernel memory in the v1 kmem counter: since 5.9 kernel objects move to the parent "
			"at offline, so this is accounting left behind, not what holds the memcg"));
	default:
		if (ctx->lru_reparented)
			return set_reason(pin, ZCG_ACTION_NONE, strdup(
				"charged pages on none of its LRU lists: this kernel moves a removed memcg's "
				"LRU pages (page cache, tmpfs, anon) to its parent at offline, so those no "
				"longer hold it; the charge stays in its counter until they are freed. What "
				"can still hold it: the cgroup writeback structure of inodes it dirtied, even "
				"once written back, until the kernel moves them to the parent at a later memcg "
				"offline (sync, then reap takes one offline); swap entries; or a reference on "
				"its way out"));
		return set_reason(pin, ZCG_ACTION_NONE, strdup(
			"charged pages on no LRU list the walk could see: kernel memory, unevictable "
			"(mlocked) pages, or pages isolated for reclaim or migration at that moment"));
	}
}

int zcg_zombie_decide(struct zcg_explained *z)
{
	unsigned count[_ZCG_ACTION_MAX] = {0};
	enum zcg_action hardest = ZCG_ACTION_NONE;
	bool decisive = false;
	char *s;

	/* The hardest of what can be done: pins nothing can be done for (none) decide only
	 * when nothing else is there, or a zombie with tmpfs files and a few swap entries
	 * would read "none" where removing the files is what matters. */
	for (size_t i = 0; i < z->n_pins; i++) {
		const struct zcg_pin *p = &z->pins[i];

		if (p->kind == ZCG_PIN_KERNEL || p->kind == ZCG_PIN_OTHER)
			continue;
		decisive = true;
		count[p->action]++;
		if (p->action != ZCG_ACTION_NONE && (hardest == ZCG_ACTION_NONE || p->action > hardest))
			hardest = p->action;
	}
	free(z->reason);
	z->reason = NULL;
	if (!decisive) {
		z->action = ZCG_ACTION_NONE;
		z->reason = strdup(z->n_pins ?
			"no page cache, tmpfs, anonymous memory or swap holds it: only kernel memory or "
			"pages the walk could not see; it may go by itself" :
			"nothing is charged to it any more: a kernel reference, not memory, keeps it, and "
			"it usually goes within seconds");
		return z->reason ? 0 : -ENOMEM;
	}
	z->action = hardest;
	s = strdup("frees once every pin is freed:");
	for (int a = 0; s && a < _ZCG_ACTION_MAX; a++) {
		char *t;

		if (!count[a])
			continue;
		t = strdup_printf("%s %u %s", s, count[a], zcg_action_names[a]);
		free(s);
		s = t;
	}
	if (s && hardest != ZCG_ACTION_NONE && count[ZCG_ACTION_NONE]) {
		char *t = strdup_printf("%s (what the none pin(s) hold goes only by itself)", s);

		free(s);
		s = t;
	}
	z->reason = s;
	return s ? 0 : -ENOMEM;
}

/* ---- the whole picture ---- */

void zcg_explain_free(struct zcg_explain *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n_zombies; i++) {
		struct zcg_explained *z = &e->zombies[i];

		for (size_t k = 0; k < z->n_pins; k++)
			zcg_pin_clear(&z->pins[k]);
		free(z->pins);
		free(z->name);
		free(z->path);
		free(z->parent);
		free(z->reason);
	}
	free(e->zombies);
	free(e->memory_root);
	free(e->scope);
	free(e->source_note);
	free(e);
}

static long page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);

	return p > 0 ? p : 4096;
}

static bool swap_enabled(const struct zcg_sys *sys)
{
	_cleanup_free_ char *path = zcg_sys_path(sys, "/proc/meminfo"), *buf = NULL;
	const char *p;

	if (!path || read_full_file(path, &buf, NULL) < 0)
		return false;
	p = strstr(buf, "SwapTotal:");
	return p && strtoull(p + strlen("SwapTotal:"), NULL, 10) > 0;
}

/* v2's memory.reclaim came in 5.19; the root cgroup has it too where it exists. */
static bool memory_reclaim_exists(const struct zcg_sys *sys)
{
	_cleanup_free_ char *rel = path_join(sys->memory_mount, "memory.reclaim");
	_cleanup_free_ char *path = rel ? zcg_sys_path(sys, rel) : NULL;

	return !path || access(path, F_OK) == 0;	/* ENOMEM: assume the common case */
}

static int add_pin(struct zcg_explained *z, size_t *allocated, enum zcg_pin_kind kind, uint64_t pages)
{
	int r;

	if (pages == 0)
		return 0;
	r = grow_array((void **)&z->pins, allocated, z->n_pins + 1, sizeof(*z->pins));
	if (r < 0)
		return r;
	z->pins[z->n_pins++] = (struct zcg_pin){ .kind = kind, .pages = pages, .action = ZCG_ACTION_NONE };
	return 0;
}

/* Strips the memory mount prefix and squeezes slashes: "/sys/fs/cgroup/memory/a//b/" -> "/a/b". */
static char *normalize_selector_path(const struct zcg_sys *sys, const char *s)
{
	const char *tail = s;
	char *out, *w;

	if (path_has_prefix(s, sys->memory_mount) && !streq(sys->memory_mount, "/"))
		tail = s + strlen(sys->memory_mount);
	out = malloc(strlen(tail) + 2);
	if (!out)
		return NULL;
	w = out;
	*w++ = '/';
	for (const char *p = tail; *p; p++) {
		if (*p == '/' && w[-1] == '/')
			continue;
		*w++ = *p;
	}
	if (w > out + 1 && w[-1] == '/')
		w--;
	*w = '\0';
	return out;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Does zombie (id, name, path) match selector s? */
static bool selected(const struct zcg_sys *sys, const char *s, uint64_t id, const char *name, const char *path)
{
	if (all_digits(s) && strtoull(s, NULL, 10) == id)
		return true;
	if (strchr(s, '/')) {
		_cleanup_free_ char *norm = normalize_selector_path(sys, s);

		return norm && streq(norm, path);
	}
	return streq(s, name);
}

/* ---- the cgroupfs fallback ---- */

/* Which estimated row selector sel (a former path) picks: the row of the zombie's nearest
 * live ancestor, which must have zombies below it. Without BPF no zombie has an id or a
 * name. Sets *ret_row to the row's path (borrowed from c); returns 0, -ENOENT with detail
 * (nothing can match), -ENOMEM. */
static int estimated_row(const struct zcg_sys *sys, const struct zcg_census *c, const char *scope,
			 const char *sel, const char **ret_row)
{
	_cleanup_free_ char *norm = NULL, *live = NULL, *dir = NULL;
	struct stat st;

	if (!strchr(sel, '/'))
		return zcg_error(-ENOENT, "cannot select zombie '%s' without BPF: only a former path selects "
				 "one then (ids and names need BPF: root and a kernel with BTF)", sel);
	norm = normalize_selector_path(sys, sel);
	dir = norm ? zcg_cgroup_dir(sys, norm) : NULL;
	if (!dir)
		return -ENOMEM;
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return zcg_error(-ENOENT, "'%s' is a live cgroup, not a dying one", sel);
	/* the nearest ancestor that still exists */
	for (live = path_parent(norm);; ) {
		char *up;

		free(dir);
		dir = live ? zcg_cgroup_dir(sys, live) : NULL;
		if (!dir)
			return -ENOMEM;
		if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
			break;
		if (streq(live, "/"))	/* the root always exists: only an unreadable tree gets here */
			return zcg_error_errno(-errno, "cannot look at %s", dir);
		up = path_parent(live);
		free(live);
		live = up;
	}
	for (size_t k = 0; k < c->n_zombies; k++)
		if (streq(c->zombies[k].path, live)) {
			*ret_row = c->zombies[k].path;
			return 0;
		}
	return zcg_error(-ENOENT, "no dying memcg%s%s matches '%s': its nearest live cgroup, %s, has none below it",
			 streq(scope, "/") ? "" : " under ", streq(scope, "/") ? "" : scope, sel, live);
}

static int explain_estimated(const struct zcg_sys *sys, const struct zcg_explain_opts *opts,
			     struct zcg_explain *e, char *reason)
{
	_cleanup_free_ char *why = reason;
	struct zcg_census *c = NULL;
	struct zcg_verdict_ctx ctx = { .hierarchy = sys->hierarchy, .swap_enabled = e->swap_enabled,
				       .no_memory_reclaim = e->no_memory_reclaim,
				       .lru_reparented = e->lru_reparented,
				       .estimated = true };
	_cleanup_free_ const char **rows = NULL;
	long ps = page_size();
	int r;

	r = zcg_census_cgroupfs(sys, e->scope, &c);
	if (r < 0)
		return r;
	e->source = "cgroupfs";
	e->zombies = calloc(c->n_zombies ? c->n_zombies : 1, sizeof(*e->zombies));
	rows = calloc(opts->n_select + 1, sizeof(*rows));
	if (!e->zombies || !rows) {
		r = -ENOMEM;
		goto out;
	}
	/* a former path selects the row of its nearest live ancestor */
	for (size_t s = 0; s < opts->n_select; s++) {
		r = estimated_row(sys, c, e->scope, opts->select[s], &rows[s]);
		if (r < 0)
			goto out;
	}
	for (size_t i = 0; i < c->n_zombies; i++) {
		const struct zcg_zombie *cz = &c->zombies[i];
		const struct zcg_subtree *st = NULL;
		struct zcg_explained *z;
		size_t allocated = 0;
		bool keep = opts->n_select == 0;

		for (size_t s = 0; s < opts->n_select && !keep; s++)
			keep = rows[s] == cz->path;
		if (!keep)
			continue;
		for (size_t k = 0; k < c->n_subtrees; k++)
			if (streq(c->subtrees[k].path, cz->path))
				st = &c->subtrees[k];
		z = &e->zombies[e->n_zombies++];
		z->path = strdup(cz->path);
		z->parent = strdup(cz->parent);
		if (!z->path || !z->parent) {
			r = -ENOMEM;
			goto out;
		}
		z->estimated = true;
		z->count = cz->count;
		z->memcg_id = -1;
		z->usage_bytes = cz->usage_bytes;
		if (st) {
			const int64_t *kb = st->kind_bytes;
			uint64_t cache = kb[ZCG_KIND_CACHE] > 0 ? (uint64_t)kb[ZCG_KIND_CACHE] : 0;
			uint64_t shmem = kb[ZCG_KIND_SHMEM] > 0 ? (uint64_t)kb[ZCG_KIND_SHMEM] : 0;
			uint64_t file = cache > shmem ? cache - shmem : 0;

			if ((r = add_pin(z, &allocated, ZCG_PIN_FILE, file / ps)) < 0 ||
			    (r = add_pin(z, &allocated, ZCG_PIN_SHMEM, shmem / ps)) < 0 ||
			    (r = add_pin(z, &allocated, ZCG_PIN_ANON, kb[ZCG_KIND_RSS] / ps)) < 0 ||
			    (r = add_pin(z, &allocated, ZCG_PIN_SWAP, kb[ZCG_KIND_SWAP] / ps)) < 0)
				goto out;
			for (size_t k = 0; k < z->n_pins; k++) {
				struct zcg_pin *p = &z->pins[k];

				if (p->kind != ZCG_PIN_FILE)
					continue;
				p->dirty_pages = kb[ZCG_KIND_DIRTY] / ps;
				p->writeback_pages = kb[ZCG_KIND_WRITEBACK] / ps;
				p->mapped_pages = kb[ZCG_KIND_MAPPED_FILE] / ps;
				if (p->mapped_pages > p->pages)
					p->mapped_pages = p->pages;
			}
		}
		for (size_t k = 0; k < z->n_pins; k++) {
			r = zcg_pin_decide(&z->pins[k], &ctx);
			if (r < 0)
				goto out;
		}
		r = zcg_zombie_decide(z);
		if (r < 0)
			goto out;
	}
	e->source_note = strdup_printf(
		"%s: without BPF the kernel attributes a zombie's pages to its nearest live ancestor "
		"(/proc/kpagecgroup and memory.stat alike), so files cannot be named; one estimated "
		"row per live parent, from memory.stat", why ? why : "BPF not used");
	r = e->source_note ? 0 : -ENOMEM;
out:
	zcg_census_free(c);
	return r;
}

/* ---- the BPF source ---- */

struct memcg_node {
	const struct zcg_folio_memcg_rec *rec;	/* NULL: the walk gave this memcg before */
	char *path;
	char *live_parent;	/* nearest live ancestor's path, NULL if none is known */
};

struct id_pos {
	uint64_t id;
	size_t pos;
};

/* By id, then by position in the walk. */
static int id_pos_cmp(const void *a, const void *b)
{
	const struct id_pos *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static void memcg_nodes_free(struct memcg_node *nodes, size_t n)
{
	for (size_t i = 0; i < n && nodes; i++) {
		free(nodes[i].path);
		free(nodes[i].live_parent);
	}
	free(nodes);
}

/* One node a record: its path and nearest live ancestor, from the pre-order walk
 * (lib/memcg_tree.h). A memcg the walk gave twice (the tree changed between runs) keeps its
 * first record; one that no longer follows in pre-order (its parent went between runs) gets
 * "?/name". */
static int build_paths(const struct zcg_folio_memcg_rec *recs, size_t n, struct memcg_node **ret_nodes)
{
	struct memcg_node *nodes = calloc(n ? n : 1, sizeof(*nodes));
	_cleanup_free_ struct id_pos *ids = calloc(n ? n : 1, sizeof(*ids));
	struct zcg_tree tree = {0};
	int r = 0;

	if (!nodes || !ids) {
		free(nodes);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		ids[i] = (struct id_pos) { .id = recs[i].id, .pos = i };
	qsort(ids, n, sizeof(*ids), id_pos_cmp);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || ids[i - 1].id != ids[i].id)
			nodes[ids[i].pos].rec = &recs[ids[i].pos];
	for (size_t i = 0; i < n && r >= 0; i++) {
		struct memcg_node *node = &nodes[i];
		const struct zcg_tree_level *live_parent;
		size_t depth;

		if (zcg_tree_place(&tree, recs[i].depth, recs[i].parent_id, &depth) < 0) {
			if (node->rec && !(node->path = strdup_printf("?/%s", recs[i].name)))
				r = -ENOMEM;
			continue;
		}
		r = zcg_tree_push(&tree, depth, recs[i].depth, recs[i].id, recs[i].name,
				  recs[i].css_flags & CSS_ONLINE);
		if (r < 0 || !node->rec)
			continue;
		live_parent = zcg_tree_live_parent(&tree);
		node->path = strdup(tree.levels[depth].path);
		node->live_parent = live_parent ? strdup(live_parent->path) : NULL;
		if (!node->path || (live_parent && !node->live_parent))
			r = -ENOMEM;
	}
	zcg_tree_reset(&tree);
	if (r < 0) {
		memcg_nodes_free(nodes, n);
		return r;
	}
	*ret_nodes = nodes;
	return 0;
}

/* One entry per distinct file among all pins, to name it and find its holders once. */
struct file_ref {
	struct zcg_pin *pin;
};

static int pin_file_cmp(const void *a, const void *b)
{
	const struct zcg_pin *x = ((const struct file_ref *)a)->pin, *y = ((const struct file_ref *)b)->pin;

	if (x->dev_major != y->dev_major)
		return x->dev_major < y->dev_major ? -1 : 1;
	if (x->dev_minor != y->dev_minor)
		return x->dev_minor < y->dev_minor ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return 0;
}

static int copy_procs(struct zcg_proc **dst, size_t *dst_n, const struct zcg_proc *src, size_t n)
{
	if (n == 0)
		return 0;
	*dst = calloc(n, sizeof(**dst));
	if (!*dst)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		int r = zcg_proc_copy(&(*dst)[i], &src[i]);

		if (r < 0)
			return r;
		(*dst_n)++;
	}
	return 0;
}

/* Names the queries marked in walk[] by walking their filesystems' trees, one
 * filesystem at a time (q is sorted by device). Best effort: errors leave names unknown
 * except running out of memory. */
static int walk_mounts(struct zcg_mounts *mounts, struct zcg_file_query *q, const bool *walk, size_t nq)
{
	for (size_t i = 0; i < nq;) {
		_cleanup_free_ uint64_t *inos = NULL;
		_cleanup_free_ char **paths = NULL;
		size_t j = i, k = 0, n;
		int r;

		while (j < nq && q[j].major == q[i].major && q[j].minor == q[i].minor)
			j++;
		n = 0;
		for (size_t x = i; x < j; x++)
			n += walk[x];
		if (n == 0) {
			i = j;
			continue;
		}
		inos = calloc(n, sizeof(*inos));
		paths = calloc(n, sizeof(*paths));
		if (!inos || !paths)
			return -ENOMEM;
		for (size_t x = i; x < j; x++)
			if (walk[x])
				inos[k++] = q[x].ino;
		r = zcg_file_paths_by_walk(mounts, q[i].major, q[i].minor, inos, n, paths, 200000);
		if (r == -ENOMEM)
			return r;
		k = 0;
		for (size_t x = i; x < j; x++)
			if (walk[x])
				q[x].path = paths[k++];
		i = j;
	}
	return 0;
}

/* Names every file pin and finds who maps or holds it. */
static int resolve_files(const struct zcg_sys *sys, struct zcg_explain *e)
{
	_cleanup_free_ struct file_ref *refs = NULL;
	_cleanup_free_ struct zcg_file_query *q = NULL;
	_cleanup_free_ size_t *query_of = NULL;
	_cleanup_free_ bool *walk = NULL;
	_cleanup_free_ char *mountinfo = zcg_sys_path(sys, "/proc/self/mountinfo");
	_cleanup_free_ char *proc = zcg_sys_path(sys, "/proc");
	_cleanup_free_ char *sysfs = zcg_sys_path(sys, "/sys");
	struct zcg_mounts mounts = {0};
	size_t n = 0, nq = 0;
	bool live = !sys->sysroot[0];
	int r;

	if (!mountinfo || !proc || !sysfs)
		return -ENOMEM;
	for (size_t i = 0; i < e->n_zombies; i++)
		for (size_t k = 0; k < e->zombies[i].n_pins; k++)
			n += e->zombies[i].pins[k].has_file;
	if (n == 0)
		return 0;
	refs = calloc(n, sizeof(*refs));
	q = calloc(n, sizeof(*q));
	query_of = calloc(n, sizeof(*query_of));
	walk = calloc(n, sizeof(*walk));
	if (!refs || !q || !query_of || !walk)
		return -ENOMEM;
	n = 0;
	for (size_t i = 0; i < e->n_zombies; i++)
		for (size_t k = 0; k < e->zombies[i].n_pins; k++)
			if (e->zombies[i].pins[k].has_file)
				refs[n++].pin = &e->zombies[i].pins[k];
	qsort(refs, n, sizeof(*refs), pin_file_cmp);

	r = zcg_mounts_read(mountinfo, &mounts);
	if (r < 0)	/* naming files is best effort: the holders scan may still name them */
		mounts = (struct zcg_mounts){0};
	for (size_t i = 0; i < n; i++) {
		struct zcg_pin *pin = refs[i].pin;
		struct zcg_file_query *fq;

		if (i > 0 && pin_file_cmp(&refs[i - 1], &refs[i]) == 0) {
			query_of[i] = query_of[i - 1];
			q[query_of[i]].want_open |= pin->deleted || pin->kind == ZCG_PIN_SHMEM;
			continue;
		}
		query_of[i] = nq;
		fq = &q[nq++];
		fq->major = pin->dev_major;
		fq->minor = pin->dev_minor;
		fq->ino = pin->ino;
		fq->want_open = pin->deleted || pin->kind == ZCG_PIN_SHMEM;
		if (pin->sb_magic == ZCG_BDEVFS_MAGIC) {
			/* the block device's own cache (filesystem metadata): name the device */
			if (zcg_block_device_path(sysfs, pin->rdev_major, pin->rdev_minor, &fq->path) < 0)
				fq->path = NULL;
			continue;
		}
		if (live && mounts.n) {
			bool deleted = false;
			uint32_t kdev = (pin->dev_major << 20) | pin->dev_minor;
			const char *fstype = zcg_mounts_fstype(&mounts, pin->dev_major, pin->dev_minor);

			r = zcg_file_path_by_handle(&mounts, kdev, pin->ino, pin->generation, &fq->path, &deleted);
			if (r == 0 && deleted)
				fq->want_open = true;
			/* tmpfs finds an inode by handle only once someone asked for its handle */
			walk[nq - 1] = !pin->deleted && !fq->path && fstype &&
				       (streq(fstype, "tmpfs") || r == -EOPNOTSUPP);
		}
	}
	r = walk_mounts(&mounts, q, walk, nq);
	zcg_mounts_free(&mounts);
	if (r < 0)
		goto out;
	/* still no name: look in every process's maps and open files */
	for (size_t i = 0; i < nq; i++)
		q[i].want_open |= !q[i].path;

	r = zcg_find_holders(proc, sys->hierarchy, q, nq);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct zcg_pin *pin = refs[i].pin;
		const struct zcg_file_query *fq = &q[query_of[i]];
		bool show_mappers = pin->mapped_pages > 0 || pin->kind == ZCG_PIN_SHMEM || pin->deleted;

		if (fq->path && !(pin->path = strdup(fq->path))) {
			r = -ENOMEM;
			goto out;
		}
		if (pin->path) {
			size_t l = strlen(pin->path);

			if (l > 10 && streq(pin->path + l - 10, " (deleted)"))
				pin->deleted = true;
		}
		if (show_mappers && (r = copy_procs(&pin->mapped_by, &pin->n_mapped_by, fq->mapped_by,
						     fq->n_mapped_by)) < 0)
			goto out;
		if ((r = copy_procs(&pin->open_by, &pin->n_open_by, fq->open_by, fq->n_open_by)) < 0)
			goto out;
	}
	r = 0;
out:
	for (size_t i = 0; i < nq; i++)
		zcg_file_query_clear(&q[i]);
	return r;
}

/* Anonymous pins name the process the kernel says can map them. */
static int resolve_anon_owners(const struct zcg_sys *sys, struct zcg_explain *e)
{
	for (size_t i = 0; i < e->n_zombies; i++) {
		for (size_t k = 0; k < e->zombies[i].n_pins; k++) {
			struct zcg_pin *pin = &e->zombies[i].pins[k];
			_cleanup_free_ char *comm_path = NULL, *cg_path = NULL, *cg = NULL;
			struct zcg_proc p = { .fd = -1 };

			if (pin->kind != ZCG_PIN_ANON || pin->owner_pid <= 0)
				continue;
			comm_path = strdup_printf("%s/proc/%d/comm", sys->sysroot, pin->owner_pid);
			cg_path = strdup_printf("%s/proc/%d/cgroup", sys->sysroot, pin->owner_pid);
			if (!comm_path || !cg_path)
				return -ENOMEM;
			if (read_full_file(comm_path, &p.comm, NULL) < 0)
				continue;	/* exited meanwhile */
			p.comm[strcspn(p.comm, "\n")] = '\0';
			p.pid = pin->owner_pid;
			if (read_full_file(cg_path, &cg, NULL) == 0)
				p.cgroup = zcg_memory_cgroup_of(cg, sys->hierarchy);
			pin->mapped_by = malloc(sizeof(*pin->mapped_by));
			if (!pin->mapped_by) {
				zcg_proc_clear(&p);
				return -ENOMEM;
			}
			pin->mapped_by[0] = p;
			pin->n_mapped_by = 1;
		}
	}
	return 0;
}

static int pin_size_cmp(const void *a, const void *b)
{
	const struct zcg_pin *x = a, *y = b;

	if (x->pages != y->pages)
		return x->pages > y->pages ? -1 : 1;
	return x->kind < y->kind ? -1 : x->kind > y->kind;
}

/* Turns one zombie's folios (as walked) into pins, plus swap, kernel and the rest. */
static int explain_one(const struct zcg_sys *sys, const struct memcg_node *node,
		       const struct zcg_folio_rec *recs, const struct zcg_walk_result *walk,
		       struct zcg_explained *z, uint64_t *pages_walked)
{
	const struct zcg_folio_memcg_rec *m = node->rec;
	size_t allocated;
	uint64_t walked = 0, kmem = 0, swap = 0, rest;
	int r;

	z->id = m->id;
	z->name = strdup(m->name);
	z->path = strdup(node->path);
	z->parent = strdup(node->live_parent ? node->live_parent : "/");
	if (!z->name || !z->path || !z->parent)
		return -ENOMEM;
	z->memcg_id = m->memcg_id;
	z->usage_bytes = (int64_t)m->usage_pages * page_size();
	z->count = 1;

	if (walk->gone) {
		/* freed since the memcg walk: nothing holds it any more */
		z->walk_complete = true;
		z->usage_bytes = 0;
		return 0;
	}
	z->walk_complete = walk->stats.complete && walk->stats.strays == 0;
	r = zcg_pins_from_folios(recs + walk->first, walk->n, &z->pins, &z->n_pins);
	if (r < 0)
		return r;
	allocated = z->n_pins;
	for (size_t i = 0; i < z->n_pins; i++)
		walked += z->pins[i].pages;
	*pages_walked += walked;

	/* v1 memory.usage includes kmem and excludes swap (memsw = memory + swap); v2 keeps
	 * swap in its own counter, which shares the union with memsw. */
	if (sys->hierarchy == ZCG_HIER_V1) {
		kmem = m->kmem_pages;
		swap = m->memsw_pages > m->usage_pages ? m->memsw_pages - m->usage_pages : 0;
	} else {
		swap = m->memsw_pages;
	}
	rest = m->usage_pages > walked + kmem ? m->usage_pages - walked - kmem : 0;
	if ((r = add_pin(z, &allocated, ZCG_PIN_SWAP, swap)) < 0 ||
	    (r = add_pin(z, &allocated, ZCG_PIN_KERNEL, kmem)) < 0 ||
	    (r = add_pin(z, &allocated, ZCG_PIN_OTHER, rest)) < 0)
		return r;
	return 0;
}

static int explain_bpf(const struct zcg_sys *sys, const struct zcg_explain_opts *opts,
		       struct zcg_folio_walker *w, struct zcg_explain *e)
{
	_cleanup_free_ struct zcg_folio_memcg_rec *recs = NULL;
	_cleanup_free_ struct zcg_folio_rec *folios = NULL;
	_cleanup_free_ struct zcg_walk_result *walks = NULL;
	_cleanup_free_ struct zcg_walk_target *targets = NULL;
	_cleanup_free_ const struct memcg_node **chosen = NULL;
	_cleanup_free_ bool *used = NULL;
	struct memcg_node *nodes = NULL;
	size_t n_chosen = 0, n_folios = 0;
	struct zcg_verdict_ctx ctx = { .hierarchy = sys->hierarchy, .swap_enabled = e->swap_enabled,
				       .no_memory_reclaim = e->no_memory_reclaim,
				       .lru_reparented = e->lru_reparented };
	size_t n = 0, allocated = 0;
	int r;

	e->source = "bpf";
	used = calloc(opts->n_select + 1, sizeof(*used));
	if (!used)
		return -ENOMEM;
	r = zcg_folio_walker_memcgs(w, &recs, &n);
	if (r < 0)
		return r;
	r = build_paths(recs, n, &nodes);
	if (r < 0)
		return r;
	/* in pre-order, as the walk found them */
	for (size_t i = 0; i < n; i++) {
		struct memcg_node *node = &nodes[i];
		bool keep;

		if (!node->rec || !node->path)
			continue;
		if ((recs[i].css_flags & CSS_ONLINE) && !(opts->include_live && opts->n_select))
			continue;
		if (!path_has_prefix(node->path, e->scope))
			continue;
		if (opts->n_only_ids && !sorted_u64_has(opts->only_ids, opts->n_only_ids, recs[i].id))
			continue;
		keep = opts->n_select == 0;
		for (size_t s = 0; s < opts->n_select; s++) {
			if (selected(sys, opts->select[s], recs[i].id, recs[i].name, node->path)) {
				used[s] = true;
				keep = true;
			}
		}
		if (!keep)
			continue;
		r = grow_array((void **)&chosen, &allocated, n_chosen + 1, sizeof(*chosen));
		if (r < 0)
			goto out;
		chosen[n_chosen++] = node;
	}
	for (size_t s = 0; s < opts->n_select; s++) {
		if (!used[s]) {
			r = zcg_error(-ENOENT, "no dying memcg%s%s matches '%s' (by id, name or former path)",
				      streq(e->scope, "/") ? "" : " under ", streq(e->scope, "/") ? "" : e->scope,
				      opts->select[s]);
			goto out;
		}
	}
	/* every chosen memcg's folios in one walk, each found by its css address */
	targets = calloc(n_chosen ? n_chosen : 1, sizeof(*targets));
	e->zombies = calloc(n_chosen ? n_chosen : 1, sizeof(*e->zombies));
	if (!targets || !e->zombies) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n_chosen; i++) {
		targets[i].id = chosen[i]->rec->id;
		targets[i].css = chosen[i]->rec->css;
	}
	r = zcg_folio_walker_folios(w, targets, n_chosen, &folios, &n_folios, &walks);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < n_chosen; i++) {
		r = explain_one(sys, chosen[i], folios, &walks[i], &e->zombies[e->n_zombies++], &e->pages_walked);
		if (r < 0)
			goto out;
	}
	zcg_folio_walker_counts(w, &e->walk_steps, &e->walk_runs);
	r = resolve_files(sys, e);
	if (r < 0)
		goto out;
	r = resolve_anon_owners(sys, e);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < e->n_zombies; i++) {
		struct zcg_explained *z = &e->zombies[i];

		for (size_t k = 0; k < z->n_pins; k++) {
			r = zcg_pin_decide(&z->pins[k], &ctx);
			if (r < 0)
				goto out;
		}
		qsort_safe(z->pins, z->n_pins, sizeof(*z->pins), pin_size_cmp);
		r = zcg_zombie_decide(z);
		if (r < 0)
			goto out;
	}
	r = 0;
out:
	memcg_nodes_free(nodes, n);
	return r;
}

int zcg_explain_take(const struct zcg_sys *sys, const struct zcg_explain_opts *opts,
		     struct zcg_explain **ret)
{
	struct zcg_folio_walker *w = NULL;
	struct zcg_explain *e;
	char *reason = NULL;
	int r;

	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->hierarchy = sys->hierarchy;
	e->memory_root = strdup(sys->memory_mount);
	e->scope = strdup(opts->scope ? opts->scope : "/");
	if (!e->memory_root || !e->scope) {
		r = -ENOMEM;
		goto fail;
	}
	e->swap_enabled = swap_enabled(sys);
	/* Facts of the running kernel; a saved tree (--sysroot) gets the common case. */
	e->no_memory_reclaim = !sys->sysroot[0] && sys->hierarchy == ZCG_HIER_V2 &&
			       !memory_reclaim_exists(sys);
	e->lru_reparented = !sys->sysroot[0] && zcg_kernel_reparents_lru();

	reason = zcg_bpf_not_here(sys, opts->no_bpf, "file handles CAP_DAC_READ_SEARCH");
	if (!reason && (r = zcg_folio_walker_open(sys->memory_dir, &w)) < 0)
		reason = strdup(zcg_strerror(r));

	if (w) {
		/* pages charged a moment ago may still wait in a CPU's LRU-add batch, where the
		 * walk over the LRU lists would count them as "other" (not named) */
		(void)zcg_lru_drain_all();
		r = explain_bpf(sys, opts, w, e);
		zcg_folio_walker_close(w);
	} else {
		r = explain_estimated(sys, opts, e, reason);
	}
	if (r < 0)
		goto fail;
	*ret = e;
	return 0;
fail:
	zcg_explain_free(e);
	return r;
}

/* ---- protected reclaim ---- */

void zcg_live_children_free(struct zcg_live_child *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(c[i].path);
	free(c);
}

int zcg_live_children(const struct zcg_sys *sys, const char *parent, struct zcg_live_child **ret,
		      size_t *ret_n)
{
	_cleanup_free_ char *dir = zcg_cgroup_dir(sys, parent);
	struct zcg_live_child *c = NULL;
	size_t n = 0, allocated = 0;
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (sys->hierarchy != ZCG_HIER_V2)
		return -EOPNOTSUPP;
	if (!dir)
		return -ENOMEM;
	d = opendir(dir);
	if (!d)
		return zcg_error_errno(-errno, "cannot open %s", dir);
	while ((de = readdir(d))) {
		_cleanup_free_ char *cur = NULL, *min = NULL, *min_buf = NULL, *child = NULL;
		struct zcg_live_child *lc;
		uint64_t v = 0;

		if (de->d_type != DT_DIR || streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		child = path_join(dir, de->d_name);
		cur = child ? path_join(child, "memory.current") : NULL;
		min = child ? path_join(child, "memory.min") : NULL;
		if (!cur || !min) {
			r = -ENOMEM;
			break;
		}
		if (zcg_read_u64_file(cur, &v) < 0)
			continue;	/* no memcg of its own, or removed meanwhile */
		r = grow_array((void **)&c, &allocated, n + 1, sizeof(*c));
		if (r < 0)
			break;
		lc = &c[n++];
		lc->current_bytes = v;
		lc->path = path_join(parent, de->d_name);
		if (!lc->path) {
			r = -ENOMEM;
			break;
		}
		if (read_full_file(min, &min_buf, NULL) == 0) {
			if (strncmp(min_buf, "max", 3) == 0)
				lc->min_is_max = true;
			else
				parse_u64(min_buf, &lc->min_bytes);
		}
	}
	closedir(d);
	if (r < 0) {
		zcg_live_children_free(c, n);
		return r;
	}
	*ret = c;
	*ret_n = n;
	return 0;
}
