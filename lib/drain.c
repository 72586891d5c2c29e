// SPDX-License-Identifier: LGPL-2.1-or-later
/* zcg_drain(): empty a cgroup's memory before it is removed, so it never lingers. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "budget.h"
#include "census.h"
#include "cgroup.h"
#include "drain.h"
#include "error.h"
#include "explain.h"
#include "reap.h"
#include "stat.h"
#include "sys.h"
#include "util.h"

#define DEFAULT_TIMEOUT_S 30.0

/* ---- the plan ------------------------------------------------------------------------------ */

/* Post-order: every cgroup after all of its descendants, so rmdir can follow the list. */
static int collect_post_order(const struct zcg_sys *sys, const char *rel, struct zcg_drain_plan *l)
{
	_cleanup_free_ char *dir = zcg_cgroup_dir(sys, rel);
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (!dir)
		return -ENOMEM;
	d = opendir(dir);
	if (!d)
		return zcg_error_errno(-errno, "cannot open %s", dir);
	while ((de = readdir(d))) {
		_cleanup_free_ char *child = NULL;

		if (de->d_type != DT_DIR || streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		child = path_join(rel, de->d_name);
		if (!child) {
			r = -ENOMEM;
			break;
		}
		r = collect_post_order(sys, child, l);
		if (r < 0)
			break;
	}
	closedir(d);
	if (r < 0)
		return r;
	r = grow_array((void **)&l->cgroups, &l->allocated, l->n_cgroups + 1, sizeof(char *));
	if (r < 0)
		return r;
	l->cgroups[l->n_cgroups] = strdup(rel);
	if (!l->cgroups[l->n_cgroups])
		return -ENOMEM;
	l->n_cgroups++;
	return 0;
}

/* Reads the pids of cgroup.procs into the plan; returns how many were not us. */
static int collect_tasks(const struct zcg_sys *sys, const char *rel, struct zcg_drain_plan *plan)
{
	_cleanup_free_ char *dir = zcg_cgroup_dir(sys, rel);
	_cleanup_free_ char *path = dir ? path_join(dir, "cgroup.procs") : NULL;
	_cleanup_free_ char *buf = NULL;
	int r, others = 0;

	if (!path)
		return -ENOMEM;
	r = read_full_file(path, &buf, NULL);
	if (r < 0)
		return zcg_error_errno(r, "cannot read %s", path);
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		pid_t pid = (pid_t)atoi(line);

		if (pid == getpid()) {
			plan->self_found = true;
			continue;
		}
		r = grow_array((void **)&plan->tasks, &plan->tasks_allocated, plan->n_tasks + 1, sizeof(pid_t));
		if (r < 0)
			return r;
		plan->tasks[plan->n_tasks++] = pid;
		others++;
	}
	return others;
}

int zcg_drain_plan_build(const struct zcg_sys *sys, const char *path, struct zcg_drain_plan *ret)
{
	struct zcg_drain_plan p = {0};
	int r;

	r = zcg_resolve_cgroup(sys, path, &p.rel);
	if (r < 0)
		goto fail;
	if (streq(p.rel, "/")) {
		r = zcg_error(-EINVAL, "%s is the root of the memory hierarchy: it cannot be drained", path);
		goto fail;
	}
	r = collect_post_order(sys, p.rel, &p);
	if (r < 0)
		goto fail;
	for (size_t i = 0; i < p.n_cgroups; i++) {
		r = collect_tasks(sys, p.cgroups[i], &p);
		if (r < 0)
			goto fail;
	}
	*ret = p;
	return 0;
fail:
	zcg_drain_plan_free(&p);
	return r;
}

void zcg_drain_plan_free(struct zcg_drain_plan *p)
{
	for (size_t i = 0; i < p->n_cgroups; i++)
		free(p->cgroups[i]);
	free(p->cgroups);
	free(p->tasks);
	free(p->rel);
	*p = (struct zcg_drain_plan){0};
}

/* ---- naming what stays ------------------------------------------------------------------ */

static int add_pin(struct zcg_drain_cgroup *cg, size_t *allocated, const char *kind, uint64_t bytes,
		   const char *reason)
{
	struct zcg_drain_pin *p;
	int r;

	if (bytes == 0)
		return 0;
	r = grow_array((void **)&cg->pins, allocated, cg->n_pins + 1, sizeof(*cg->pins));
	if (r < 0)
		return r;
	p = &cg->pins[cg->n_pins];
	p->kind = kind;
	p->bytes = bytes;
	p->reason = strdup(reason);
	if (!p->reason)
		return -ENOMEM;
	cg->n_pins++;
	return 0;
}

/* Local counters on v1, hierarchical on v2: the cgroup's descendants are drained and gone
 * by now, so both mean the same. */
int zcg_drain_describe_remaining(const struct zcg_sys *sys, struct zcg_drain_cgroup *cg)
{
	static const char *const v1_keys[] = { "total_shmem", "total_mapped_file", "total_dirty",
						"total_writeback", "total_rss", "total_cache", "total_swap" };
	static const char *const v2_keys[] = { "shmem", "file_mapped", "file_dirty", "file_writeback",
						"anon", "file", "swap" };
	_cleanup_free_ char *dir = zcg_cgroup_dir(sys, cg->path);
	_cleanup_free_ char *path = dir ? path_join(dir, "memory.stat") : NULL;
	uint64_t v[7] = {0};
	size_t allocated = 0;
	uint64_t file_rest;
	int r;

	if (!path)
		return -ENOMEM;
	r = zcg_read_keyed(path, sys->hierarchy == ZCG_HIER_V2 ? v2_keys : v1_keys, 7, v, NULL);
	if (r < 0)
		return r;
	/* Page cache that is neither shmem nor mapped nor dirty: clean, but reclaim did not
	 * take it (recently referenced, or raced with a reader). */
	file_rest = v[5] > v[0] + v[1] + v[2] + v[3] ? v[5] - v[0] - v[1] - v[2] - v[3] : 0;
	if ((r = add_pin(cg, &allocated, "shmem", v[0],
			 "tmpfs/shm pages: only removing or truncating the file frees them")) < 0 ||
	    (r = add_pin(cg, &allocated, "mapped", v[1],
			 "page cache mapped by live processes: frees when they unmap it")) < 0 ||
	    (r = add_pin(cg, &allocated, "dirty", v[2] + v[3],
			 "dirty or under writeback: frees once written back")) < 0 ||
	    (r = add_pin(cg, &allocated, "anon", v[4],
			 "anonymous memory shared with a live process (or locked)")) < 0 ||
	    (r = add_pin(cg, &allocated, "file", file_rest,
			 "clean page cache that reclaim did not take: retry, or evict the file")) < 0 ||
	    (r = add_pin(cg, &allocated, "swap", v[6],
			 "swap entries: freed when swapped in or the owner exits")) < 0)
		return r;
	return 0;
}

/* What a pin of explain's is called in a drain result. */
static const char *pin_kind(const struct zcg_pin *p)
{
	switch (p->kind) {
	case ZCG_PIN_FILE:
		return p->mapped_pages ? "mapped" : p->dirty_pages || p->writeback_pages ? "dirty" : "file";
	case ZCG_PIN_SHMEM:
		return "shmem";
	case ZCG_PIN_ANON:
		return "anon";
	case ZCG_PIN_SWAP:
		return "swap";
	default:
		return "other";
	}
}

/* The remaining pins by file and holder, from explain (replacing memory.stat's kinds);
 * lru_only leaves out the charge the walk did not see on an LRU list ("other"). */
static int pins_from_explained(struct zcg_drain_cgroup *cg, const struct zcg_explained *z, bool lru_only)
{
	size_t allocated = 0;
	long page = sysconf(_SC_PAGESIZE);

	for (size_t k = 0; k < z->n_pins; k++) {
		const struct zcg_pin *p = &z->pins[k];
		const struct zcg_proc *h = p->n_mapped_by ? &p->mapped_by[0] : p->n_open_by ? &p->open_by[0] : NULL;
		struct zcg_drain_pin *d;
		int r;

		/* v1 kmem: not in the usage drain looks at (kernel objects go to the parent) */
		if (p->kind == ZCG_PIN_KERNEL || !p->pages || (lru_only && p->kind == ZCG_PIN_OTHER))
			continue;
		r = add_pin(cg, &allocated, pin_kind(p), p->pages * (uint64_t)page,
			    p->reason ? p->reason : zcg_action_names[p->action]);
		if (r < 0)
			return r;
		d = &cg->pins[cg->n_pins - 1];
		d->path = p->path ? strdup(p->path) : NULL;
		if (h)
			d->holder = zcg_procs_summary(h, 1);
		if ((p->path && !d->path) || (h && !d->holder))
			return -ENOMEM;
	}
	return 0;
}

/* After rmdir: is the memcg with this id still there, dying? A memcg is freed a little
 * after its last charge goes (per-CPU charge caches are returned at offline, then RCU and
 * workqueues), so look for up to `seconds`, and not past the drain's deadline (a census under
 * software emulation takes most of a second: the limit is in time, not attempts); one look
 * at least. 1 yes, 0 no, -1 unknown (no BPF census). */
static int still_dying(const struct zcg_sys *sys, const char *rel, uint64_t id, double seconds,
		       double deadline)
{
	struct zcg_census_opts co = { .scope = rel };
	double until = zcg_now() + seconds;

	if (until > deadline)
		until = deadline;

	for (int attempt = 0;; attempt++) {
		struct timespec ts = { 0, 100000000 };
		struct zcg_census *c = NULL;
		bool found;

		if (attempt) {
			if (zcg_now() > until)
				return 1;
			nanosleep(&ts, NULL);
		}
		if (zcg_census_take(sys, &co, &c) < 0 || !streq(c->source, "bpf")) {
			zcg_census_free(c);
			return -1;
		}
		found = zcg_census_has_zombie(c, id);
		zcg_census_free(c);
		if (!found)
			return 0;
	}
}

static bool past_deadline(void *userdata)
{
	return zcg_now() > *(const double *)userdata;
}

/* The fadvise step: explain the cgroup (BPF walks its LRU lists), evict the exact file
 * ranges reclaim left (clean ones; dirty ones written back first), then explain again to
 * name what stays. Returns 1 if done with BPF, 0 if BPF is not available here (the caller
 * falls back to memory.stat), -errno on failure. */
static int evict_and_name(const struct zcg_sys *sys, const char *rel, uint64_t cgroup_id,
			  const struct zcg_drain_opts *opts, double deadline, struct zcg_drain_cgroup *cg)
{
	char id[32], *select[1] = { id };
	struct zcg_explain_opts eo = { .scope = rel, .select = select, .n_select = 1, .include_live = true };
	struct zcg_reap_opts ro = { .scope = rel, .no_protected_reclaim = true, .max_cpu = opts->max_cpu_pct / 100,
				    .cancelled = past_deadline, .userdata = &deadline };
	struct zcg_reap_result res = {0};
	struct zcg_explain *e = NULL;
	int r;

	if (opts->no_bpf || opts->sysroot || !cgroup_id)
		return 0;
	snprintf(id, sizeof(id), "%llu", (unsigned long long)cgroup_id);
	r = zcg_explain_take(sys, &eo, &e);
	if (r < 0 || !streq(e->source, "bpf") || e->n_zombies != 1) {
		zcg_explain_free(e);
		return 0;
	}
	r = zcg_reap_explained(sys, &ro, e, &res);
	cg->evicted_bytes = res.evicted_bytes;
	zcg_reap_result_free(&res);
	zcg_explain_free(e);
	e = NULL;
	if (r < 0)
		return r;
	r = zcg_cg_usage_settled(sys, rel, &cg->after_bytes);
	if (r < 0 || cg->after_bytes == 0)
		return r < 0 ? r : 1;
	r = zcg_explain_take(sys, &eo, &e);
	if (r < 0 || e->n_zombies != 1) {
		zcg_explain_free(e);
		return 0;
	}
	/* v2: memory.current also counts kernel memory (the slab objects of the files the
	 * cgroup made, alive while the files are) and per-CPU charge caches, which memory.stat
	 * leaves out; before 5.13 memory.stat itself can be 32 pages a CPU off (doc/kernel.md
	 * K18), so "what is left" can read a few pages where nothing a drain can free is. A
	 * complete walk saw every LRU page: that and swap are what is left, and the rest
	 * ("other") is not listed, as an exact memory.stat would not count it. */
	bool exact = sys->hierarchy == ZCG_HIER_V2 && e->zombies[0].walk_complete;

	r = pins_from_explained(cg, &e->zombies[0], exact);
	zcg_explain_free(e);
	if (r < 0)
		return r;
	if (exact) {
		cg->after_bytes = 0;
		for (size_t k = 0; k < cg->n_pins; k++)
			cg->after_bytes += cg->pins[k].bytes;
	}
	return 1;
}

/* Dirty pages cannot be reclaimed until written back; memcg reclaim on v1 never writes
 * them itself. Without the list of files (BPF) the safe way is a sync. */
static void flush_if_dirty(const struct zcg_sys *sys, const char *rel)
{
	static const char *const v1_keys[] = { "total_dirty", "total_writeback" };
	static const char *const v2_keys[] = { "file_dirty", "file_writeback" };
	_cleanup_free_ char *dir = zcg_cgroup_dir(sys, rel);
	_cleanup_free_ char *path = dir ? path_join(dir, "memory.stat") : NULL;
	uint64_t v[2] = {0};

	if (!path || zcg_read_keyed(path, sys->hierarchy == ZCG_HIER_V2 ? v2_keys : v1_keys, 2, v, NULL) < 0)
		return;
	if (v[0] + v[1] > 0)
		sync();
}

static int drain_one(const struct zcg_sys *sys, const char *rel, const struct zcg_drain_opts *opts,
		     double deadline, struct zcg_budget *budget, struct zcg_drain_cgroup *cg)
{
	_cleanup_free_ char *dir = zcg_cgroup_dir(sys, rel);
	uint64_t id = 0;	/* the cgroup id (its directory's inode), to find its memcg with BPF */
	struct stat st;
	double left;
	int r;

	cg->path = strdup(rel);
	if (!cg->path || !dir)
		return -ENOMEM;
	if (stat(dir, &st) == 0)
		id = (uint64_t)st.st_ino;
	r = zcg_cg_usage(sys, rel, &cg->before_bytes);
	if (r < 0)
		return r;
	cg->after_bytes = cg->before_bytes;
	/* Tests only: leave everything to the fadvise step, to show what it alone frees. */
	if (cg->before_bytes > 0 && !getenv("ZCG_TEST_DRAIN_NO_RECLAIM")) {
		left = deadline - zcg_now();
		r = zcg_cg_reclaim(sys, rel, left > 0.1 ? left : 0.1, budget);
		if (r < 0 && r != -EBUSY)
			return r;
		r = zcg_cg_usage_settled(sys, rel, &cg->after_bytes);
		if (r < 0)
			return r;
	}
	if (cg->after_bytes > 0) {
		r = evict_and_name(sys, rel, id, opts, deadline, cg);
		if (r == 0 && cg->after_bytes > 0)
			r = zcg_drain_describe_remaining(sys, cg);
		if (r < 0)
			return r;
	}
	if (!opts->keep) {
		r = zcg_cg_remove(sys, rel);
		if (r < 0)
			return r;
		cg->removed = true;
		/* Anything still charged keeps the memcg alive after rmdir; where BPF names
		 * zombies the kernel says for sure (what stayed may have been per-CPU charge
		 * caches, returned at offline; and on v2 a memcg with nothing charged can stay,
		 * held by its cgroup writeback structure). */
		cg->left_zombie = cg->after_bytes > 0;
		if (id && !opts->no_bpf && !opts->sysroot) {
			_cleanup_free_ char *parent = path_parent(rel);
			int dying;

			if (!parent)
				return -ENOMEM;
			dying = still_dying(sys, parent, id, 1.0, deadline);
			/* v2: the inodes it wrote with fsync (clean, but still on its writeback
			 * lists) keep its writeback structure (see zcg_cg_release_writeback). The
			 * switch goes through RCU and a workqueue, and skips inodes not yet clean
			 * when it runs, until the next memcg offline: up to three rounds. */
			for (int round = 0; dying == 1 && sys->hierarchy == ZCG_HIER_V2 && round < 3 &&
			     zcg_now() < deadline; round++) {
				zcg_cg_release_writeback(sys, parent);
				dying = still_dying(sys, parent, id, 3.0, deadline);
			}
			if (dying >= 0)
				cg->left_zombie = dying;
		}
	}
	return 0;
}

int zcg_drain(const char *path, const struct zcg_drain_opts *opts, struct zcg_drain_result *ret_result)
{
	static const struct zcg_drain_opts defaults = {0};
	struct zcg_drain_result res = {0};
	struct zcg_sys *sys = NULL;
	struct zcg_drain_plan plan = {0};
	struct zcg_budget budget;
	bool partial = false;
	double deadline;
	int r;

	if (!opts)
		opts = &defaults;
	zcg_budget_init(&budget, opts->max_cpu_pct / 100);	/* the public API's percent */
	deadline = zcg_now() + (opts->timeout_s > 0 ? opts->timeout_s : DEFAULT_TIMEOUT_S);

	r = zcg_sys_open(opts->sysroot, &sys);
	if (r < 0)
		goto out;
	r = zcg_drain_plan_build(sys, path, &plan);
	if (r < 0)
		goto out;
	res.tasks = TAKE_PTR(plan.tasks);
	res.n_tasks = plan.n_tasks;

	/* Refuse before changing anything if a task still runs anywhere below. */
	if (res.n_tasks > 0 || (plan.self_found && !opts->move_self)) {
		char pids[256] = "";
		size_t len = 0;

		for (size_t i = 0; i < res.n_tasks && len < sizeof(pids) - 16; i++)
			len += snprintf(pids + len, sizeof(pids) - len, "%s%d", i ? " " : "", (int)res.tasks[i]);
		if (plan.self_found && !opts->move_self)
			len += snprintf(pids + len, sizeof(pids) - len, "%s%d (this process)", len ? " " : "",
					(int)getpid());
		r = zcg_error(-EBUSY, "%s still has tasks: %s%s", path, pids,
			      res.n_tasks > 16 ? " ..." : "");
		goto out;
	}
	/* systemd's ExecStopPost runs inside the unit's cgroup: step out to the root, which
	 * may hold processes on v1 and v2 alike. */
	if (plan.self_found) {
		r = zcg_cg_attach(sys, "/", 0);
		if (r < 0)
			goto out;
	}

	/* Act: the plan's cgroups in its order. */
	flush_if_dirty(sys, plan.rel);
	res.cgroups = calloc(plan.n_cgroups, sizeof(*res.cgroups));
	if (!res.cgroups) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < plan.n_cgroups; i++) {
		struct zcg_drain_cgroup *cg = &res.cgroups[res.n_cgroups++];

		r = drain_one(sys, plan.cgroups[i], opts, deadline, &budget, cg);
		if (r < 0)
			goto out;
		if (cg->removed ? cg->left_zombie : cg->after_bytes > 0)
			partial = true;
	}
	r = partial ? 1 : 0;
out:
	res.cpu_seconds = (double)zcg_budget_cpu_ns(&budget) / 1e9;
	res.wall_seconds = (double)zcg_budget_wall_ns(&budget) / 1e9;
	zcg_drain_plan_free(&plan);
	zcg_sys_free(sys);
	*ret_result = res;
	return r;
}

void zcg_drain_result_free(struct zcg_drain_result *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->n_cgroups; i++) {
		struct zcg_drain_cgroup *cg = &res->cgroups[i];

		for (size_t j = 0; j < cg->n_pins; j++) {
			free(cg->pins[j].path);
			free(cg->pins[j].holder);
			free(cg->pins[j].reason);
		}
		free(cg->pins);
		free(cg->path);
	}
	free(res->cgroups);
	free(res->tasks);
	memset(res, 0, sizeof(*res));
}

const char *zcg_drain_strerror(int r)
{
	return zcg_strerror(r);
}
