// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cgroup.h"
#include "error.h"
#include "journal.h"
#include "protect.h"
#include "stat.h"
#include "util.h"

int zcg_protect_recover(size_t *ret_restored)
{
	return zcg_journal_recover(NULL, ZCG_PROTECT_JOURNAL, ret_restored);
}

/* ---- the plan: which memory.min values ---------------------------------------------------- */

/* Plans memory.min of dir and every live cgroup below it at its usage. Pre-order, so a
 * parent's protection is set before its children's (it bounds theirs). */
static int plan_children(struct zcg_protect_plan *p, const char *dir);

static int plan_tree(struct zcg_protect_plan *p, const char *dir)
{
	_cleanup_free_ char *current = path_join(dir, "memory.current");
	_cleanup_free_ char *min = path_join(dir, "memory.min");
	struct zcg_protect_setting *s;
	uint64_t usage;
	int r;

	if (!current || !min)
		return -ENOMEM;
	r = zcg_read_u64_file(current, &usage);
	if (r == -ENOENT)
		return 0;	/* removed meanwhile, or no memcg of its own */
	if (r < 0)
		return r;
	r = grow_array((void **)&p->settings, &p->allocated, p->n + 1, sizeof(*p->settings));
	if (r < 0)
		return r;
	s = &p->settings[p->n++];
	/* A little headroom: usage moves while we work. */
	*s = (struct zcg_protect_setting){ .path = TAKE_PTR(min), .usage = usage,
					   .min = usage + usage / 16 + (1 << 20) };
	return plan_children(p, dir);
}

static int plan_children(struct zcg_protect_plan *p, const char *dir)
{
	struct dirent *de;
	DIR *d;
	int r = 0;

	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : zcg_error_errno(-errno, "cannot open %s", dir);
	while ((de = readdir(d))) {
		_cleanup_free_ char *child = NULL;

		if (de->d_type != DT_DIR || streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		child = path_join(dir, de->d_name);
		if (!child) {
			r = -ENOMEM;
			break;
		}
		r = plan_tree(p, child);
		if (r < 0)
			break;
	}
	closedir(d);
	return r;
}

int zcg_protect_plan_build(const struct zcg_sys *sys, const char *parent, struct zcg_protect_plan *ret)
{
	_cleanup_free_ char *dir = zcg_cgroup_dir(sys, parent);
	struct zcg_protect_plan p = {0};
	int r;

	if (!dir)
		return -ENOMEM;
	/* Every live cgroup below the parent, not the parent: it is the reclaim root. */
	r = plan_children(&p, dir);
	if (r < 0) {
		zcg_protect_plan_free(&p);
		return r;
	}
	*ret = p;
	return 0;
}

void zcg_protect_plan_free(struct zcg_protect_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->settings[i].path);
	free(p->settings);
	*p = (struct zcg_protect_plan){0};
}

/* ---- acting ---------------------------------------------------------------------------- */

/* Raises every memory.min of the plan, in its order, each old value journaled first. */
static int protect(struct zcg_journal *j, const struct zcg_protect_plan *p, unsigned *count)
{
	for (size_t i = 0; i < p->n; i++) {
		char value[32];
		int r;

		snprintf(value, sizeof(value), "%llu", (unsigned long long)p->settings[i].min);
		r = zcg_journal_set(j, p->settings[i].path, value);
		if (r < 0)
			return r;
		(*count)++;
	}
	return 0;
}

static int write_reclaim(const char *path, uint64_t bytes, bool *swappiness_arg)
{
	char value[64];
	int r;

	/* swappiness=0 keeps reclaim to file pages (6.12+): pushing a zombie's anon pages to
	 * swap would only move the pin. Older kernels refuse the argument with EINVAL. */
	snprintf(value, sizeof(value), "%llu swappiness=0", (unsigned long long)bytes);
	r = write_string_file(path, value);
	if (r != -EINVAL) {
		*swappiness_arg = true;
		return r;
	}
	*swappiness_arg = false;
	snprintf(value, sizeof(value), "%llu", (unsigned long long)bytes);
	return write_string_file(path, value);
}

/* The test hook's pause, in 100 ms steps. It ends early once SIGTERM or SIGINT is pending:
 * the daemon blocks both and reads them from a signalfd, so sleep() would carry on through
 * them, while the real window (raising memory.min, writing memory.reclaim) is short. So a
 * test can stop the daemon inside the window and see what it leaves behind. */
static void test_pause(int seconds)
{
	const struct timespec step = { .tv_nsec = 100 * 1000 * 1000 };
	sigset_t pending;

	for (int i = 0; i < seconds * 10; i++) {
		if (sigpending(&pending) == 0 &&
		    (sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1))
			return;
		nanosleep(&step, NULL);
	}
}

int zcg_protected_reclaim(const struct zcg_sys *sys, const char *parent, uint64_t max_bytes,
			  struct zcg_protect_result *ret)
{
	_cleanup_free_ char *dir = zcg_cgroup_dir(sys, parent);
	_cleanup_free_ char *reclaim = dir ? path_join(dir, "memory.reclaim") : NULL;
	_cleanup_free_ char *current = dir ? path_join(dir, "memory.current") : NULL;
	struct zcg_protect_result res = {0};
	struct zcg_protect_plan plan = {0};
	struct zcg_journal *j = NULL;
	int r, rr;

	if (!reclaim || !current)
		return -ENOMEM;
	if (sys->hierarchy != ZCG_HIER_V2)
		return zcg_error(-EOPNOTSUPP, "protected reclaim needs cgroup v2 (memory.min, memory.reclaim)");
	if (streq(parent, "/"))
		return zcg_error(-EINVAL, "protected reclaim below the root cgroup would hit the root's own pages");
	if (access(reclaim, W_OK) < 0)
		return zcg_error(-EOPNOTSUPP, "%s is missing: the kernel has no memory.reclaim (5.19+)", reclaim);
	r = zcg_read_u64_file(current, &res.before_bytes);
	if (r < 0)
		return r;

	r = zcg_protect_plan_build(sys, parent, &plan);
	if (r < 0)
		return r;
	r = zcg_journal_begin(NULL, ZCG_PROTECT_JOURNAL, &j);
	if (r < 0) {
		zcg_protect_plan_free(&plan);
		return r;
	}
	r = protect(j, &plan, &res.protected_cgroups);
	zcg_protect_plan_free(&plan);
	if (r < 0)
		goto restore;

	/* Tests only: a window in which to kill us with memory.min raised. */
	const char *pause = getenv("ZCG_TEST_PAUSE_PROTECTED");
	if (pause)
		test_pause(atoi(pause));

	r = write_reclaim(reclaim, max_bytes, &res.swappiness_arg);
	/* EAGAIN: less than asked could be reclaimed, which is expected (live pages are
	 * protected and some zombie pages may not go). */
	if (r == -EAGAIN)
		r = 0;
	if (r < 0 && r != -EINTR)
		r = zcg_error_errno(r, "cannot write to %s", reclaim);
	if (zcg_read_u64_file(current, &res.after_bytes) < 0)
		res.after_bytes = res.before_bytes;
restore:
	rr = zcg_journal_restore(j);
	if (rr < 0 && r >= 0)
		r = rr;
	if (r >= 0)
		*ret = res;
	return r;
}
