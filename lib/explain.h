/* SPDX-License-Identifier: GPL-2.0 */
/* What holds each zombie, and what would free it.
 *
 * With BPF (root, BTF) the LRU folios charged to each dying memcg are walked
 * (bpf/memcg_folios.bpf.c) and grouped into pins: one per file (page cache or tmpfs), per
 * process sharing anonymous memory, plus swap, kernel memory and whatever the walk did
 * not find. Each file pin keeps the exact page ranges charged to the zombie as extents,
 * so acting commands (reap, drain) can evict those pages and no others. Every pin and
 * every zombie gets a verdict: the least a user can do to free it.
 *
 * Without BPF a zombie's pages can only be attributed to its live parent (doc/kernel.md K2):
 * the result is one estimated row per live parent, with pins by kind from memory.stat. */
#ifndef ZCG_EXPLAIN_H
#define ZCG_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "holders.h"
#include "sys.h"

struct zcg_folio_rec;

enum zcg_pin_kind {
	ZCG_PIN_FILE,		/* page cache of a file on disk (or of a block device) */
	ZCG_PIN_SHMEM,		/* tmpfs, /dev/shm, memfd, SysV shm */
	ZCG_PIN_ANON,		/* anonymous memory */
	ZCG_PIN_SWAP,		/* swap entries charged to the memcg */
	ZCG_PIN_KERNEL,		/* kernel memory (v1 kmem counter) */
	ZCG_PIN_OTHER,		/* charged, but on no LRU list the walk could see */
	_ZCG_PIN_KIND_MAX,
};

/* Ordered from the easiest to the hardest: a zombie's verdict is its hardest pin's, none
 * counting only where no pin has anything else. */
enum zcg_action {
	ZCG_ACTION_EVICT,		/* clean, unmapped page cache: fadvise(DONTNEED) */
	ZCG_ACTION_FLUSH_EVICT,		/* dirty or under writeback: write back, then evict */
	ZCG_ACTION_REMOVE_FILE,		/* tmpfs/shm: only removing or truncating the file frees it */
	ZCG_ACTION_PROTECTED_RECLAIM,	/* v2: reclaim the parent with live siblings protected */
	ZCG_ACTION_WAIT_MAPPER,		/* mapped or held by live processes: frees when they go */
	ZCG_ACTION_NONE,		/* nothing a user can do (the reason says why) */
	_ZCG_ACTION_MAX,
};

extern const char *const zcg_pin_kind_names[_ZCG_PIN_KIND_MAX];
extern const char *const zcg_action_names[_ZCG_ACTION_MAX];

enum zcg_extent_flag {
	ZCG_EXTENT_DIRTY = 1u << 0,
	ZCG_EXTENT_WRITEBACK = 1u << 1,
	ZCG_EXTENT_MAPPED = 1u << 2,
};

/* Pages [start, start + nr_pages) of a file, all charged to the zombie. flags is what
 * any of them were (enum zcg_extent_flag): adjacent ranges merge only if equal. */
struct zcg_extent {
	uint64_t start;
	uint64_t nr_pages;
	uint32_t flags;
};

struct zcg_pin {
	enum zcg_pin_kind kind;
	char *path;		/* NULL if unknown; " (deleted)" at the end if unlinked */
	bool deleted;
	bool has_file;		/* dev, ino and generation are meaningful */
	unsigned dev_major, dev_minor;	/* userspace numbering, as stat and /proc show */
	uint64_t ino;
	uint32_t generation;
	uint64_t pages, dirty_pages, writeback_pages, mapped_pages;
	struct zcg_extent *extents;	/* file and shmem pins: sorted, merged */
	size_t n_extents;
	struct zcg_proc *mapped_by;	/* live processes mapping the file */
	size_t n_mapped_by;
	struct zcg_proc *open_by;	/* live processes holding it open (deleted files, tmpfs) */
	size_t n_open_by;
	int owner_pid;			/* anon: a live process that can map these pages, 0 if none */
	uint32_t sb_magic;		/* the file's superblock magic, as the kernel reported it */
	unsigned rdev_major, rdev_minor;	/* block device inodes: which device */
	enum zcg_action action;
	char *reason;
};

/* A zombie with what pins it. Estimated rows (no BPF) stand for the zombies below one
 * live parent: id 0, name NULL, path = parent. */
struct zcg_explained {
	uint64_t id;			/* cgroup id (inode number) */
	char *name;
	char *path;			/* former path, hierarchy-relative */
	char *parent;			/* nearest live ancestor */
	int64_t memcg_id;		/* 0 once released, -1 unknown */
	int64_t usage_bytes;		/* -1 unknown */
	int64_t count;			/* estimated rows: zombies it stands for, -1 unknown */
	bool estimated;
	bool walk_complete;		/* every LRU list walked to its end */
	struct zcg_pin *pins;		/* largest first */
	size_t n_pins;
	enum zcg_action action;
	char *reason;
};

struct zcg_explain {
	enum zcg_hierarchy hierarchy;
	char *memory_root;
	char *scope;
	const char *source;		/* "bpf" or "cgroupfs" */
	char *source_note;		/* why not BPF, or NULL */
	bool swap_enabled;		/* the host has swap: anon pages can be reclaimed */
	bool no_memory_reclaim;		/* v2 without memory.reclaim (kernels before 5.19) */
	bool lru_reparented;		/* the kernel moves LRU pages to the parent at offline */
	uint64_t pages_walked;		/* pages found on LRU lists */
	uint64_t walk_steps;		/* BPF: steps the walker took (memcgs, folios, lists, targets) */
	uint64_t walk_runs;		/* BPF: program runs it took */
	struct zcg_explained *zombies;
	size_t n_zombies;
};

struct zcg_explain_opts {
	const char *scope;		/* hierarchy-relative, NULL or "/" for all */
	char *const *select;		/* zombies by id, name or former path; none: all */
	size_t n_select;
	bool no_bpf;
	bool include_live;	/* selected live memcgs too, explained the same way (drain: what
				 * reclaim left in a cgroup about to be removed) */
	const uint64_t *only_ids;	/* BPF: only these zombies (cgroup ids, sorted ascending),
					 * if n_only_ids > 0: a daemon step explains its batch only */
	size_t n_only_ids;
};

/* Explains the dying memcgs in scope (and among opts->select, if given).
 * Returns 0 and sets *ret; -ENOENT (with detail) if a selector matches no zombie; other
 * -errno with detail. Without BPF it still returns 0, with estimated rows and
 * source_note saying why. */
int zcg_explain_take(const struct zcg_sys *sys, const struct zcg_explain_opts *opts,
		     struct zcg_explain **ret);
void zcg_explain_free(struct zcg_explain *e);

/* ---- the pure parts, for acting commands and tests ---- */

/* Adds pages [start, start + nr) with flags to an extent list (unsorted until merged).
 * Returns 0 or -ENOMEM. */
int zcg_extents_add(struct zcg_extent **ext, size_t *n, size_t *allocated, uint64_t start,
		    uint64_t nr, uint32_t flags);

/* Sorts and merges: overlapping ranges (a folio seen twice) join with their flags or-ed,
 * touching ranges join when their flags are equal. */
void zcg_extents_merge(struct zcg_extent *ext, size_t *n);

/* Groups folio records of one memcg into pins (file, shmem, anon, other), counting each
 * page once even if a record repeats. Paths, holders and verdicts are left empty.
 * Returns 0 and sets *ret_pins and *ret_n, or -ENOMEM. */
int zcg_pins_from_folios(const struct zcg_folio_rec *recs, size_t n, struct zcg_pin **ret_pins,
			 size_t *ret_n);

struct zcg_verdict_ctx {
	enum zcg_hierarchy hierarchy;
	bool swap_enabled;
	bool no_memory_reclaim;	/* v2 without memory.reclaim (before 5.19): no protected reclaim */
	bool lru_reparented;	/* LRU pages go to the parent at offline (7.2): they pin nothing */
	bool estimated;		/* pins by kind from memory.stat: no files, no processes known */
};

/* Sets pin->action and pin->reason from what the pin is. Returns 0 or -ENOMEM. */
int zcg_pin_decide(struct zcg_pin *pin, const struct zcg_verdict_ctx *ctx);

/* Sets z->action and z->reason from its pins: the hardest action among the pins that hold
 * it that is not none (none pins, kernel and unlisted pages decide only when nothing else is
 * there). 0 or -ENOMEM. */
int zcg_zombie_decide(struct zcg_explained *z);

void zcg_pin_clear(struct zcg_pin *pin);

/* "pid 12 (bash) in /a/b" (the cgroup where known), or "33 processes (e.g. pid 12 (bash) in
 * /a/b)"; "" for none. Newly allocated, NULL on ENOMEM. */
char *zcg_procs_summary(const struct zcg_proc *p, size_t n);

/* A live child of a zombie's parent, with what protected reclaim (doc/kernel.md K9) needs:
 * raise memory.min to memory.current, reclaim the parent, restore memory.min. */
struct zcg_live_child {
	char *path;			/* hierarchy-relative */
	uint64_t current_bytes;		/* memory.current */
	uint64_t min_bytes;		/* memory.min (0 when "max" cannot be read as a number) */
	bool min_is_max;
};

/* v2: the live children of cgroup parent. Returns 0 and sets the outputs, -EOPNOTSUPP on
 * v1, other -errno with detail. */
int zcg_live_children(const struct zcg_sys *sys, const char *parent, struct zcg_live_child **ret,
		      size_t *ret_n);
void zcg_live_children_free(struct zcg_live_child *c, size_t n);

#endif
