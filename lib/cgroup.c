// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <time.h>

#include "budget.h"
#include "cgroup.h"
#include "error.h"
#include "stat.h"
#include "util.h"

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static char *cg_file(const struct zcg_sys *sys, const char *rel, const char *file)
{
	_cleanup_free_ char *dir = zcg_cgroup_dir(sys, rel);

	return dir ? path_join(dir, file) : NULL;
}

static int write_cg_file(const struct zcg_sys *sys, const char *rel, const char *file, const char *value)
{
	_cleanup_free_ char *path = cg_file(sys, rel, file);
	int r;

	if (!path)
		return -ENOMEM;
	r = write_string_file(path, value);
	if (r < 0)
		return zcg_error_errno(r, "cannot write '%s' to %s", value, path);
	return 0;
}

int zcg_cg_enable_memory_below(const struct zcg_sys *sys, const char *rel)
{
	_cleanup_free_ char *path = NULL, *buf = NULL;

	if (sys->hierarchy != ZCG_HIER_V2)
		return 0;
	path = cg_file(sys, rel, "cgroup.subtree_control");
	if (!path)
		return -ENOMEM;
	if (read_full_file(path, &buf, NULL) == 0 && strstr(buf, "memory"))
		return 0;
	return write_cg_file(sys, rel, "cgroup.subtree_control", "+memory");
}

int zcg_cg_create(const struct zcg_sys *sys, const char *rel)
{
	_cleanup_free_ char *dir = zcg_cgroup_dir(sys, rel);
	_cleanup_free_ char *parent = path_parent(rel);
	int r;

	if (!dir || !parent)
		return -ENOMEM;
	r = zcg_cg_enable_memory_below(sys, parent);
	if (r < 0)
		return r;
	if (mkdir(dir, 0755) < 0)
		return zcg_error_errno(-errno, "cannot create cgroup %s", dir);
	return 0;
}

int zcg_lru_drain_all(void)
{
	/* do_pages_move() starts with lru_add_drain_all() (5.10: migrate_prep(); 5.12+:
	 * lru_cache_disable(), which drains every CPU and waits) and then moves nothing. */
	int node = 0;

	if (syscall(SYS_move_pages, 0, 0UL, NULL, &node, NULL, 0) < 0)
		return -errno;
	return 0;
}

int zcg_cg_attach(const struct zcg_sys *sys, const char *rel, pid_t pid)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	return write_cg_file(sys, rel, "cgroup.procs", buf);
}

/* memory.stat is flushed lazily (a few dozen pages per CPU may lag, for up to 2 s): a small
 * residue can be stale. */
#define STAT_SLACK_BYTES (64u * 4096u * 8u)

static int usage_from_stat(const struct zcg_sys *sys, const char *rel, uint64_t *ret_bytes)
{
	static const char *const v1_keys[] = { "total_cache", "total_rss", "total_swap" };
	static const char *const v2_keys[] = { "file", "anon" };
	_cleanup_free_ char *path = cg_file(sys, rel, "memory.stat");
	_cleanup_free_ char *swap = cg_file(sys, rel, "memory.swap.current");
	uint64_t v[3] = {0}, swapped = 0;
	bool v2 = sys->hierarchy == ZCG_HIER_V2;
	int r;

	if (!path || !swap)
		return -ENOMEM;
	r = zcg_read_keyed(path, v2 ? v2_keys : v1_keys, v2 ? 2 : 3, v, NULL);
	if (r < 0)
		return r;
	if (v2 && zcg_read_u64_file(swap, &swapped) < 0)
		swapped = 0;
	*ret_bytes = v[0] + v[1] + v[2] + swapped;
	/* memory.current is an exact page counter of everything memory.stat's file and anon
	 * count, plus kernel memory and per-CPU charge caches: never below the truth, never
	 * late. Before 5.13 memory.stat takes each CPU's deltas only past 32 pages, so an
	 * emptied cgroup can read up to that per CPU for ever (doc/kernel.md K18): the
	 * smaller of the two is the better bound. */
	if (v2 && *ret_bytes > 0) {
		_cleanup_free_ char *cur = cg_file(sys, rel, "memory.current");
		uint64_t current;

		if (cur && zcg_read_u64_file(cur, &current) == 0 && current + swapped < *ret_bytes)
			*ret_bytes = current + swapped;
	}
	return 0;
}

int zcg_cg_usage(const struct zcg_sys *sys, const char *rel, uint64_t *ret_bytes)
{
	/* Kernel memory (slab) is left out: reclaim cannot free it, and since objcg
	 * reparenting (5.9) it no longer keeps a dying memcg alive. v1 has exact page
	 * counters for both (memory and kmem); v2 only the lazily flushed memory.stat. */
	_cleanup_free_ char *usage = cg_file(sys, rel, "memory.usage_in_bytes");
	_cleanup_free_ char *kmem = cg_file(sys, rel, "memory.kmem.usage_in_bytes");
	uint64_t u, k;

	if (!usage || !kmem)
		return -ENOMEM;
	if (sys->hierarchy == ZCG_HIER_V1 && zcg_read_u64_file(usage, &u) == 0 &&
	    zcg_read_u64_file(kmem, &k) == 0) {
		*ret_bytes = u > k ? u - k : 0;
		return 0;
	}
	return usage_from_stat(sys, rel, ret_bytes);
}

int zcg_cg_usage_settled(const struct zcg_sys *sys, const char *rel, uint64_t *ret_bytes)
{
	int r = zcg_cg_usage(sys, rel, ret_bytes);

	if (r < 0 || *ret_bytes == 0 || *ret_bytes > STAT_SLACK_BYTES || sys->hierarchy == ZCG_HIER_V1)
		return r;
	/* The periodic stats flush runs every 2 s. */
	sleep_ms(2200);
	return zcg_cg_usage(sys, rel, ret_bytes);
}

/* v2 before 5.19 has no memory.reclaim. Lowering memory.high reclaims in the write itself,
 * down to the new value or until reclaim makes no progress, and never OOM-kills (unlike
 * memory.max); the old value goes back right after, so nothing stays throttled. */
static int reclaim_by_high(const struct zcg_sys *sys, const char *rel, uint64_t target)
{
	_cleanup_free_ char *path = cg_file(sys, rel, "memory.high"), *old = NULL;
	char value[32];
	size_t len;
	int r, r2;

	if (!path)
		return -ENOMEM;
	r = read_full_file(path, &old, &len);
	if (r < 0)
		return zcg_error_errno(r, "cannot read %s", path);
	while (len > 0 && (old[len - 1] == '\n' || old[len - 1] == ' '))
		old[--len] = '\0';
	snprintf(value, sizeof(value), "%llu", (unsigned long long)target);
	r = write_cg_file(sys, rel, "memory.high", value);
	r2 = write_cg_file(sys, rel, "memory.high", old);
	return r < 0 ? r : r2;
}

static bool has_memory_reclaim(const struct zcg_sys *sys, const char *rel)
{
	_cleanup_free_ char *path = cg_file(sys, rel, "memory.reclaim");

	return !path || access(path, F_OK) == 0;
}

int zcg_cg_reclaim(const struct zcg_sys *sys, const char *rel, double timeout_s,
		   struct zcg_budget *budget)
{
	/* v2 reclaim goes in steps so a budget can interleave sleeps with the work. */
	const uint64_t step = 64ull << 20;
	double deadline = zcg_now() + (timeout_s > 0 ? timeout_s : 30);
	uint64_t usage = 0, last = UINT64_MAX;
	int r, stalls = 0;

	for (unsigned round = 0;; round++) {
		r = zcg_cg_usage(sys, rel, &usage);
		if (r < 0)
			return r;
		if (usage == 0)
			return 0;
		if (usage >= last && ++stalls >= 4)
			break;
		if (usage < last)
			stalls = 0;
		last = usage;
		if (zcg_now() >= deadline)
			break;
		if (sys->hierarchy == ZCG_HIER_V1) {
			/* Fails with EBUSY when some pages would not go; retrying helps with
			 * pages that were under writeback or recently referenced. */
			r = write_cg_file(sys, rel, "memory.force_empty", "0");
		} else {
			char amount[32];

			snprintf(amount, sizeof(amount), "%llu",
				 (unsigned long long)(usage < step ? usage : step));
			if (has_memory_reclaim(sys, rel))
				r = write_cg_file(sys, rel, "memory.reclaim", amount);
			else
				r = reclaim_by_high(sys, rel, usage > step ? usage - step : 0);
		}
		if (r < 0 && r != -EBUSY && r != -EAGAIN)
			return r;
		if (budget)
			zcg_budget_throttle(budget);
		if (r < 0 || usage >= last)
			sleep_ms(20u << (round < 5 ? round : 5));
	}
	r = zcg_cg_usage_settled(sys, rel, &usage);
	if (r < 0)
		return r;
	return usage == 0 ? 0 : -EBUSY;
}

int zcg_cg_reclaim_all(const struct zcg_sys *sys, const char *rel)
{
	return zcg_cg_reclaim(sys, rel, 10, NULL);
}

int zcg_cg_remove(const struct zcg_sys *sys, const char *rel)
{
	_cleanup_free_ char *dir = zcg_cgroup_dir(sys, rel);

	if (!dir)
		return -ENOMEM;
	for (int attempt = 0;; attempt++) {
		if (rmdir(dir) == 0)
			return 0;
		/* A task that just exited can keep the cgroup busy for a moment (longer on a
		 * loaded machine: up to 5 s). */
		if (errno != EBUSY || attempt >= 250)
			return zcg_error_errno(-errno, "cannot remove cgroup %s", dir);
		sleep_ms(20);
	}
}

int64_t zcg_cg_dying_below(const struct zcg_sys *sys, const char *rel)
{
	static const char *const keys[2] = { "nr_dying_subsys_memory", "nr_dying_descendants" };
	_cleanup_free_ char *path = NULL;
	uint64_t v[2] = {0};
	bool found[2];
	int r;

	if (sys->hierarchy != ZCG_HIER_V2)
		return -EOPNOTSUPP;
	path = cg_file(sys, rel, "cgroup.stat");
	if (!path)
		return -ENOMEM;
	r = zcg_read_keyed(path, keys, 2, v, found);
	if (r < 0)
		return r;
	return (int64_t)(found[0] ? v[0] : v[1]);
}

int zcg_cg_kick_offline(const struct zcg_sys *sys, const char *parent)
{
	_cleanup_free_ char *rel = strdup_printf("%s/zombiecg-kick.%d", streq(parent, "/") ? "" : parent, (int)getpid());
	_cleanup_free_ char *dir = rel ? zcg_cgroup_dir(sys, rel) : NULL;

	if (!dir)
		return -ENOMEM;
	if (mkdir(dir, 0755) < 0)
		return zcg_error_errno(-errno, "cannot create cgroup %s", dir);
	return zcg_cg_remove(sys, rel);
}

void zcg_cg_release_writeback(const struct zcg_sys *sys, const char *parent)
{
	if (sys->hierarchy != ZCG_HIER_V2)
		return;
	sync();
	(void)zcg_cg_kick_offline(sys, parent);	/* best effort: the next removal does it too */
}
