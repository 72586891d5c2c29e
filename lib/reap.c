// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "budget.h"
#include "census.h"
#include "cgroup.h"
#include "error.h"
#include "fileid.h"
#include "plan.h"
#include "protect.h"
#include "reap.h"
#include "recharge.h"
#include "util.h"

/* Work between two looks at the budget and the stop flag. */
#define BATCH_BYTES (4u << 20)

struct reap {
	const struct zcg_sys *sys;
	const struct zcg_reap_opts *opts;
	struct zcg_reap_result *res;
	struct zcg_budget budget;
	int64_t act_cpu0_ns;		/* the budget's CPU when acting began */
	struct zcg_mounts mounts;
	size_t steps_allocated, skipped_allocated;
	uint64_t page_size;
	uint64_t batch;			/* bytes since the last throttle */
	dev_t synced[32];		/* filesystems written back: syncfs them at the end */
	int sync_fds[32];
	size_t n_synced;
	char *kick_parent;		/* v2: a live parent of zombies acted on */
	char *recharge_unusable;	/* why opts->recharge_tmpfs cannot take pages, or NULL */
	struct { dev_t dev; uint64_t ino; } recharged[64];	/* files already swapped */
	size_t n_recharged;
};

static bool stopping(struct reap *rp)
{
	const struct zcg_reap_opts *o = rp->opts;

	/* The CPU limit counts only once something was done, so every step makes progress
	 * even where looking alone costs more than the limit (a slow machine, the VM lab). */
	if ((o->stop && *o->stop) || (o->cancelled && o->cancelled(o->userdata)) ||
	    (o->cpu_limit_ns > 0 && rp->res->n_steps > 0 &&
	     zcg_budget_cpu_ns(&rp->budget) - rp->act_cpu0_ns > o->cpu_limit_ns))
		rp->res->stopped = true;
	return rp->res->stopped;
}

static int add_step(struct reap *rp, uint64_t id, const char *zpath, enum zcg_action action,
		    const char *file, uint64_t bytes, struct zcg_reap_step **ret)
{
	struct zcg_reap_result *res = rp->res;
	struct zcg_reap_step *s;
	int r;

	r = grow_array((void **)&res->steps, &rp->steps_allocated, res->n_steps + 1, sizeof(*res->steps));
	if (r < 0)
		return r;
	s = &res->steps[res->n_steps];
	s->zombie_id = id;
	s->zombie_path = zpath ? strdup(zpath) : NULL;
	s->file = file ? strdup(file) : NULL;
	s->action = action;
	s->bytes = bytes;
	if ((zpath && !s->zombie_path) || (file && !s->file))
		return -ENOMEM;
	res->n_steps++;
	*ret = s;
	return 0;
}

static int step_note(struct zcg_reap_step *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int step_note(struct zcg_reap_step *s, const char *fmt, ...)
{
	va_list ap;
	char *m;

	va_start(ap, fmt);
	if (vasprintf(&m, fmt, ap) < 0)
		m = NULL;
	va_end(ap);
	free(s->note);
	s->note = m;
	return m ? 0 : -ENOMEM;
}

/* Sleeps for the CPU budget and the I/O rate, and yields: at the lowest priority, other
 * work goes first. */
static void throttle(struct reap *rp, uint64_t bytes)
{
	rp->batch += bytes;
	if (rp->batch < BATCH_BYTES)
		return;
	rp->batch = 0;
	zcg_budget_throttle(&rp->budget);
	if (rp->opts->max_rate_mbps > 0) {
		double done = (double)(rp->res->evicted_bytes + rp->res->flushed_bytes) / 1048576.0;
		double need = done / rp->opts->max_rate_mbps - (double)zcg_budget_wall_ns(&rp->budget) / 1e9;

		if (need > 0) {
			struct timespec ts = { .tv_sec = (time_t)need,
					       .tv_nsec = (long)((need - (double)(time_t)need) * 1e9) };
			nanosleep(&ts, NULL);
		}
	}
	sched_yield();
}

static void remember_fs(struct reap *rp, int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return;
	for (size_t i = 0; i < rp->n_synced; i++)
		if (rp->synced[i] == st.st_dev)
			return;
	if (rp->n_synced < ARRAY_SIZE(rp->synced)) {
		rp->sync_fds[rp->n_synced] = dup(fd);
		rp->synced[rp->n_synced++] = st.st_dev;
	}
}

/* Opens the file behind a pin for its page cache: by handle on a mount of its superblock,
 * or the block device itself for filesystem metadata. */
static int open_pin(struct reap *rp, const struct zcg_pin *p, int *ret_fd)
{
	if (p->sb_magic == ZCG_BDEVFS_MAGIC) {
		struct stat st;
		int fd;

		if (!p->path)
			return -ENOENT;
		fd = open(p->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		if (fstat(fd, &st) < 0 || !S_ISBLK(st.st_mode) || major(st.st_rdev) != p->rdev_major ||
		    minor(st.st_rdev) != p->rdev_minor) {
			close(fd);
			return -ENOENT;
		}
		*ret_fd = fd;
		return 0;
	}
	return zcg_file_open_by_handle(&rp->mounts, (p->dev_major << 20) | p->dev_minor, p->ino,
				       p->generation, O_RDONLY, ret_fd);
}

/* evict and flush-evict: exactly the zombie's page ranges of one file. Pages of the same
 * file charged to live cgroups lie outside these ranges and stay. fadvise never drops a
 * dirty or mapped page, so nothing is lost even if a page changed since the walk. */
static int evict_pin(struct reap *rp, const struct zcg_plan_step *ps)
{
	const struct zcg_pin *p = ps->pin;
	bool flush = ps->flush;
	uint64_t flushed = 0, evicted = 0, skipped = 0;
	struct zcg_reap_step *s;
	_cleanup_close_ int fd = -1;
	int r;

	r = add_step(rp, ps->zombie_id, ps->path, ps->action, ps->file, ps->bytes, &s);
	if (r < 0)
		return r;
	if (rp->opts->dry_run)
		return step_note(s, "dry run: would %s %zu range(s)", flush ? "write back, then evict" : "evict",
				 p->n_extents);
	r = open_pin(rp, p, &fd);
	if (r < 0)
		return step_note(s, "cannot open the file (%s): left alone", strerror(-r));
	for (size_t i = 0; i < p->n_extents && !stopping(rp); i++) {
		const struct zcg_extent *x = &p->extents[i];
		off_t off = (off_t)(x->start * rp->page_size), len = (off_t)(x->nr_pages * rp->page_size);

		if (x->flags & ZCG_EXTENT_MAPPED) {
			skipped += (uint64_t)len;
			continue;
		}
		if (x->flags & (ZCG_EXTENT_DIRTY | ZCG_EXTENT_WRITEBACK)) {
			if (!flush) {
				skipped += (uint64_t)len;
				continue;
			}
			/* Written back and waited for before the eviction can drop them. */
			if (sync_file_range(fd, off, len, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
					    SYNC_FILE_RANGE_WAIT_AFTER) < 0)
				return step_note(s, "write-back failed (%s): left alone", strerror(errno));
			flushed += (uint64_t)len;
			rp->res->flushed_bytes += (uint64_t)len;
		}
		r = posix_fadvise(fd, off, len, POSIX_FADV_DONTNEED);
		if (r != 0)
			return step_note(s, "fadvise failed (%s)", strerror(r));
		evicted += (uint64_t)len;
		rp->res->evicted_bytes += (uint64_t)len;
		throttle(rp, (uint64_t)len);
	}
	if (flushed) {
		/* the data is on disk; make its metadata (size, block map) durable too */
		fdatasync(fd);
		remember_fs(rp, fd);
	}
	/* v2 cgroup writeback: the inodes the zombie dirtied keep its writeback structure, and
	 * the memcg, until they are found clean on their writeback lists (syncfs) and switched
	 * to the parent (at the next memcg offline: see act()). */
	if (evicted && rp->sys->hierarchy == ZCG_HIER_V2)
		remember_fs(rp, fd);
	s->done = true;
	return step_note(s, "evicted %llu bytes%s%s", (unsigned long long)evicted,
			 flushed ? " after writing them back" : "",
			 skipped ? (flush ? "; mapped pages left" : "; dirty or mapped pages left") : "");
}

static bool already_recharged(const struct reap *rp, const struct zcg_pin *p)
{
	for (size_t i = 0; i < rp->n_recharged; i++)
		if (rp->recharged[i].dev == makedev(p->dev_major, p->dev_minor) && rp->recharged[i].ino == p->ino)
			return true;
	return false;
}

/* --recharge-tmpfs: a tmpfs file nobody holds is copied by a helper in the live target
 * cgroup and the copy swapped in under its name; its old pages go with the old inode.
 * Files explain saw open or mapped are not even planned (the helper looks again). */
static int recharge_pin(struct reap *rp, const struct zcg_plan_step *ps)
{
	const char *target = rp->opts->recharge_tmpfs;
	const struct zcg_pin *p = ps->pin;
	struct zcg_recharge_result rr;
	struct zcg_recharge_file f;
	struct zcg_reap_step *s;
	int r;

	r = add_step(rp, ps->zombie_id, ps->path, ps->action, ps->file, ps->bytes, &s);
	if (r < 0)
		return r;
	if (rp->recharge_unusable)
		return step_note(s, "not recharged: %s", rp->recharge_unusable);
	if (already_recharged(rp, p))
		return step_note(s, "recharged by an earlier step");
	if (rp->opts->dry_run)
		return step_note(s, "dry run: would copy it into a file charged to %s and swap that in", target);
	f = (struct zcg_recharge_file){ .path = p->path, .dev_major = p->dev_major, .dev_minor = p->dev_minor,
					.ino = p->ino };
	r = zcg_recharge_tmpfs_file(rp->sys, target, &f, &rr);
	if (r < 0)
		return r;
	/* the helper's copying counts against --max-cpu like our own work */
	zcg_budget_add_cpu(&rp->budget, rr.cpu_ns);
	rp->res->helper_cpu_ns += rr.cpu_ns;
	if (rr.done) {
		s->done = true;
		rp->res->recharged_bytes += rr.bytes;
		rp->res->recharged_files++;
		if (rp->n_recharged < ARRAY_SIZE(rp->recharged)) {
			rp->recharged[rp->n_recharged].dev = makedev(p->dev_major, p->dev_minor);
			rp->recharged[rp->n_recharged++].ino = p->ino;
		}
		throttle(rp, rr.bytes);
		return step_note(s, "%s", rr.note);
	}
	return step_note(s, "not recharged: %s", rr.note);
}

/* Protected reclaim below one live parent the plan found safe to reclaim. */
static int reclaim_parent(struct reap *rp, const struct zcg_plan_step *ps)
{
	struct zcg_protect_result pr;
	struct zcg_reap_step *s;
	int r;

	r = add_step(rp, 0, ps->path, ZCG_ACTION_PROTECTED_RECLAIM, NULL, ps->bytes, &s);
	if (r < 0)
		return r;
	if (rp->opts->dry_run)
		return step_note(s, "dry run: would reclaim up to %llu bytes with every live cgroup below protected",
				 (unsigned long long)ps->reclaim_bytes);
	r = zcg_protected_reclaim(rp->sys, ps->path, ps->reclaim_bytes, &pr);
	if (r == -EINTR)
		return r;
	if (r < 0) {
		return step_note(s, "protected reclaim failed: %s", zcg_strerror(r));
	}
	s->done = true;
	rp->res->protected_reclaims++;
	if (pr.before_bytes > pr.after_bytes)
		rp->res->reclaimed_bytes += pr.before_bytes - pr.after_bytes;
	throttle(rp, BATCH_BYTES);
	return step_note(s, "reclaimed %lld bytes with %u live cgroup(s) protected%s",
			 (long long)pr.before_bytes - (long long)pr.after_bytes, pr.protected_cgroups,
			 pr.swappiness_arg ? " (file pages only)" : "");
}

static int add_skip(struct reap *rp, uint64_t id, const char *path, enum zcg_action action,
		    const char *reason)
{
	struct zcg_reap_result *res = rp->res;
	struct zcg_reap_skip *k;
	int r;

	r = grow_array((void **)&res->skipped, &rp->skipped_allocated, res->n_skipped + 1, sizeof(*res->skipped));
	if (r < 0)
		return r;
	k = &res->skipped[res->n_skipped];
	k->id = id;
	k->action = action;
	k->path = path ? strdup(path) : NULL;
	k->reason = strdup(reason ? reason : "still pinned");
	if (!k->reason)
		return -ENOMEM;
	res->n_skipped++;
	return 0;
}

static void totals(const struct zcg_explain *e, int64_t *ret_dying, int64_t *ret_pinned)
{
	int64_t dying = 0, pinned = 0;

	for (size_t i = 0; i < e->n_zombies; i++) {
		const struct zcg_explained *z = &e->zombies[i];

		if (z->estimated)
			dying = (z->count < 0 || dying < 0) ? -1 : dying + z->count;
		else if (dying >= 0)
			dying++;
		if (z->usage_bytes < 0 || pinned < 0)
			pinned = -1;
		else
			pinned += z->usage_bytes;
	}
	*ret_dying = dying;
	*ret_pinned = pinned;
}

/* What of opts the plan needs (only_ids sorted by sorted_opts()). */
static struct zcg_plan_opts plan_opts(const struct zcg_reap_opts *o)
{
	return (struct zcg_plan_opts){ .no_flush = o->no_flush, .no_protected_reclaim = o->no_protected_reclaim,
				       .recharge_tmpfs = o->recharge_tmpfs, .only_ids = o->only_ids,
				       .n_only_ids = o->n_only_ids, .only_parents = o->only_parents,
				       .n_only_parents = o->n_only_parents };
}

static bool selected(const struct zcg_reap_opts *o, const struct zcg_explained *z)
{
	struct zcg_plan_opts po = plan_opts(o);

	return zcg_plan_selects(&po, z);
}

static int plan_and_act(struct reap *rp, const struct zcg_explain *e)
{
	struct zcg_plan_opts po = plan_opts(rp->opts);
	struct zcg_plan *plan = NULL;
	int r;

	r = zcg_plan_build(rp->sys, e, &po, &plan);
	if (r < 0)
		return r;
	for (size_t i = 0; i < plan->n_steps && r >= 0 && !stopping(rp); i++) {
		const struct zcg_plan_step *ps = &plan->steps[i];
		struct zcg_reap_step *s;

		switch (ps->op) {
		case ZCG_PLAN_EVICT:
			r = evict_pin(rp, ps);
			break;
		case ZCG_PLAN_RECHARGE:
			r = recharge_pin(rp, ps);
			break;
		case ZCG_PLAN_PROTECTED_RECLAIM:
			r = reclaim_parent(rp, ps);
			break;
		default:
			r = add_step(rp, ps->zombie_id, ps->path, ps->action, ps->file, ps->bytes, &s);
			if (r >= 0)
				r = step_note(s, "%s", ps->reason);
			break;
		}
		sched_yield();
	}
	/* see act() */
	if (r >= 0 && plan->kick_parent && !(rp->kick_parent = strdup(plan->kick_parent)))
		r = -ENOMEM;
	zcg_plan_free(plan);
	return r;
}

/* Dying memcgs are freed asynchronously (RCU, workqueues) once their last page goes: take a
 * census (the cheap one: no folio walk, no /proc scan) until the count stops falling. */
static int census_after(const struct zcg_sys *sys, const struct zcg_reap_opts *opts, struct zcg_census **ret)
{
	struct zcg_census_opts co = { .scope = opts->scope, .no_bpf = opts->no_bpf };
	struct zcg_census *after = NULL;
	int64_t last = INT64_MAX;
	int r;

	for (int attempt = 0, steady = 0; attempt < (opts->no_settle ? 1 : 12) && steady < 2; attempt++) {
		struct timespec ts = { 0, 250000000 };

		if (attempt > 0)
			nanosleep(&ts, NULL);
		zcg_census_free(after);
		after = NULL;
		r = zcg_census_take(sys, &co, &after);
		if (r < 0)
			return r;
		if (after->dying <= 0)
			break;
		steady = after->dying < last ? 0 : steady + 1;
		last = after->dying;
	}
	*ret = after;
	return 0;
}

/* The acting part: budget, the plan carried out on e, writeback structures synced. */
static int act(struct reap *rp, const struct zcg_explain *e)
{
	_cleanup_free_ char *mountinfo = zcg_sys_path(rp->sys, "/proc/self/mountinfo");
	int r;

	if (!mountinfo)
		return -ENOMEM;
	rp->act_cpu0_ns = zcg_budget_cpu_ns(&rp->budget);
	if (rp->opts->recharge_tmpfs && (r = zcg_recharge_target_check(rp->sys, rp->opts->recharge_tmpfs)) < 0) {
		rp->recharge_unusable = strdup(zcg_strerror(r));
		if (!rp->recharge_unusable)
			return -ENOMEM;
	}
	if (zcg_mounts_read(mountinfo, &rp->mounts) < 0)
		rp->mounts = (struct zcg_mounts){0};
	r = plan_and_act(rp, e);
	/* Writeback structures left behind (wb, inodes under writeback) switch to the parent
	 * once their filesystem has been synced. */
	for (size_t i = 0; i < rp->n_synced; i++) {
		if (rp->sync_fds[i] >= 0) {
			syncfs(rp->sync_fds[i]);
			close(rp->sync_fds[i]);
		}
	}
	/* ... and the kernel switches clean inodes off dying memcgs' writeback structures only
	 * when a memcg goes offline: make one (seen on Debian's 6.1 and 6.12, v2: without this
	 * every zombie that had written a file stayed, with no page left, until some other
	 * cgroup was removed). Inodes dirtied long enough ago are clean on their lists by now
	 * without a syncfs: the flusher has been by. */
	if (rp->kick_parent && !rp->opts->dry_run)
		(void)zcg_cg_kick_offline(rp->sys, rp->kick_parent);	/* best effort */
	free(rp->kick_parent);
	rp->kick_parent = NULL;
	free(rp->recharge_unusable);
	rp->recharge_unusable = NULL;
	zcg_mounts_free(&rp->mounts);
	return r;
}

/* opts with only_ids sorted (a copy in *ret_ids), so selected() can search them. */
static int sorted_opts(const struct zcg_reap_opts *opts, struct zcg_reap_opts *ret_opts, uint64_t **ret_ids)
{
	*ret_opts = *opts;
	*ret_ids = NULL;
	if (!opts->n_only_ids)
		return 0;
	*ret_ids = malloc(opts->n_only_ids * sizeof(**ret_ids));
	if (!*ret_ids)
		return -ENOMEM;
	memcpy(*ret_ids, opts->only_ids, opts->n_only_ids * sizeof(**ret_ids));
	qsort(*ret_ids, opts->n_only_ids, sizeof(**ret_ids), cmp_u64);
	ret_opts->only_ids = *ret_ids;
	return 0;
}

/* The ids of the zombies a census names, sorted: what is still there after a reap. */
static int census_ids(const struct zcg_census *c, uint64_t **ret, size_t *ret_n)
{
	uint64_t *ids = malloc((c->n_zombies + 1) * sizeof(*ids));
	size_t n = 0;

	if (!ids)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_zombies; i++)
		if (!c->zombies[i].estimated)
			ids[n++] = c->zombies[i].id;
	qsort(ids, n, sizeof(*ids), cmp_u64);
	*ret = ids;
	*ret_n = n;
	return 0;
}

/* Whether every id asked for names a zombie of e. 0, -ENOENT or -EOPNOTSUPP with detail. */
static int ids_found(const struct zcg_explain *e, const struct zcg_reap_opts *opts)
{
	if (!streq(e->source, "bpf"))
		return zcg_error(-EOPNOTSUPP, "cannot select zombie %llu without BPF: ids need BPF (root and a "
				 "kernel with BTF; `zombiecg explain` says why it is not used)",
				 (unsigned long long)opts->only_ids[0]);
	for (size_t i = 0; i < opts->n_only_ids; i++) {
		bool found = false;

		for (size_t k = 0; k < e->n_zombies && !found; k++)
			found = e->zombies[k].id == opts->only_ids[i];
		if (!found)
			return zcg_error(-ENOENT, "no dying memcg%s%s has id %llu",
					 streq(e->scope, "/") ? "" : " under ", streq(e->scope, "/") ? "" : e->scope,
					 (unsigned long long)opts->only_ids[i]);
	}
	return 0;
}

int zcg_reap_explained(const struct zcg_sys *sys, const struct zcg_reap_opts *caller_opts,
		       const struct zcg_explain *e, struct zcg_reap_result *res)
{
	_cleanup_free_ uint64_t *sorted = NULL;
	struct zcg_reap_opts sorted_o;
	const struct zcg_reap_opts *opts = &sorted_o;
	struct reap rp = { .sys = sys, .opts = opts, .res = res,
			   .steps_allocated = res->n_steps, .skipped_allocated = res->n_skipped };
	int r;

	if (sorted_opts(caller_opts, &sorted_o, &sorted) < 0)
		return -ENOMEM;
	zcg_budget_init(&rp.budget, opts->max_cpu);
	rp.page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	r = act(&rp, e);
	res->cpu_ns += zcg_budget_cpu_ns(&rp.budget);
	res->wall_ns += zcg_budget_wall_ns(&rp.budget);
	return r;
}

int zcg_reap(const struct zcg_sys *sys, const struct zcg_reap_opts *caller_opts, struct zcg_reap_result *ret)
{
	_cleanup_free_ uint64_t *sorted = NULL, *left = NULL;
	struct zcg_reap_opts sorted_o;
	const struct zcg_reap_opts *opts = &sorted_o;
	size_t n_left = 0;
	struct zcg_explain_opts eo = { .scope = caller_opts->scope, .no_bpf = caller_opts->no_bpf };
	struct zcg_explain *before = NULL;
	struct zcg_census *after = NULL;
	struct zcg_reap_result res = { .before_dying = -1, .after_dying = -1, .before_pinned = -1, .after_pinned = -1 };
	struct reap rp = { .sys = sys, .opts = opts, .res = &res };
	int r;

	if (sorted_opts(caller_opts, &sorted_o, &sorted) < 0)
		return -ENOMEM;
	/* asked for some zombies by id only: explain just those (their folios) */
	if (opts->n_only_ids && !opts->n_only_parents) {
		eo.only_ids = sorted;
		eo.n_only_ids = opts->n_only_ids;
	}
	zcg_budget_init(&rp.budget, opts->max_cpu);
	rp.page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	r = zcg_explain_take(sys, &eo, &before);
	if (r < 0)
		return r;
	if (opts->only_ids_required) {
		r = ids_found(before, opts);
		if (r < 0) {
			zcg_explain_free(before);
			return r;
		}
	}
	res.source = before->source;
	res.source_note = before->source_note ? strdup(before->source_note) : NULL;
	/* Before and after from the same census, so the two compare. */
	{
		struct zcg_census_opts co = { .scope = opts->scope, .no_bpf = opts->no_bpf };
		struct zcg_census *c = NULL;

		if (zcg_census_take(sys, &co, &c) == 0) {
			res.before_dying = c->dying;
			res.before_pinned = c->pinned_bytes;
			zcg_census_free(c);
		} else {
			totals(before, &res.before_dying, &res.before_pinned);
		}
	}
	r = act(&rp, before);
	if (r < 0)
		goto fail;

	if (opts->dry_run) {
		res.after_dying = res.before_dying;
		res.after_pinned = res.before_pinned;
		for (size_t i = 0; i < before->n_zombies; i++) {
			const struct zcg_explained *z = &before->zombies[i];

			if (!selected(opts, z))
				continue;
			r = add_skip(&rp, z->id, z->estimated ? z->parent : z->path, z->action, "dry run");
			if (r < 0)
				goto fail;
		}
	} else {
		r = census_after(sys, opts, &after);
		if (r < 0)
			goto fail;
		res.after_dying = after->dying;
		res.after_pinned = after->pinned_bytes;
		if (before->n_zombies && !before->zombies[0].estimated) {
			/* By id where BPF names them: zombies can also appear meanwhile. */
			r = census_ids(after, &left, &n_left);
			if (r < 0)
				goto fail;
			for (size_t i = 0; i < before->n_zombies; i++) {
				const struct zcg_explained *z = &before->zombies[i];

				if (!selected(opts, z))
					continue;
				if (!sorted_u64_has(left, n_left, z->id)) {
					res.freed++;
					continue;
				}
				r = add_skip(&rp, z->id, z->path, z->action, z->reason);
				if (r < 0)
					goto fail;
			}
		} else {
			if (res.before_dying > res.after_dying && res.after_dying >= 0)
				res.freed = (uint64_t)(res.before_dying - res.after_dying);
			for (size_t i = 0; i < before->n_zombies; i++) {
				const struct zcg_explained *z = &before->zombies[i];

				if (!selected(opts, z))
					continue;
				r = add_skip(&rp, 0, z->parent, z->action, z->reason);
				if (r < 0)
					goto fail;
			}
		}
	}
	res.cpu_ns = zcg_budget_cpu_ns(&rp.budget);
	res.wall_ns = zcg_budget_wall_ns(&rp.budget);
	zcg_explain_free(before);
	zcg_census_free(after);
	*ret = res;
	return res.n_skipped && !opts->dry_run ? 1 : 0;
fail:
	zcg_explain_free(before);
	zcg_census_free(after);
	zcg_reap_result_free(&res);
	return r;
}

void zcg_reap_result_free(struct zcg_reap_result *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->n_steps; i++) {
		free(res->steps[i].zombie_path);
		free(res->steps[i].file);
		free(res->steps[i].note);
	}
	for (size_t i = 0; i < res->n_skipped; i++) {
		free(res->skipped[i].path);
		free(res->skipped[i].reason);
	}
	free(res->steps);
	free(res->skipped);
	free(res->source_note);
	memset(res, 0, sizeof(*res));
}
