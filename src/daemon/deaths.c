// SPDX-License-Identifier: GPL-2.0
/* The daemon's removal records. See deaths.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "budget.h"
#include "deaths.h"
#include "error.h"
#include "log.h"
#include "origins.h"
#include "util.h"

int daemon_removals_start(struct daemon_removals *dr, const struct zcg_sys *sys, bool trace, size_t top)
{
	int r;

	*dr = (struct daemon_removals) { .top = top };
	dr->state_path = path_join(zcg_run_dir(), ZCG_REMOVALS_STATE_FILE);
	if (!dr->state_path)
		return -ENOMEM;
	r = zcg_removals_read(dr->state_path, &dr->rm);
	if (r == 0) {
		zlog(LOG_INFO, "removals", "%zu removal records kept from the last run (%s)", dr->rm->n,
		     dr->state_path);
		dr->rm->tracing = false;
		free(dr->rm->note);
		dr->rm->note = NULL;
	} else if (r != -ENOENT) {
		zlog(LOG_WARNING, "removals", "ignoring %s: %s", dr->state_path,
		     zcg_strerror(r));
	}
	if (!dr->rm && !(dr->rm = zcg_removals_new()))
		return -ENOMEM;
	if (!trace) {
		dr->rm->note = strdup("BPF is off (bpf = no) or the daemon runs once");
		return dr->rm->note ? 0 : -ENOMEM;
	}
	r = zcg_cgroup_events_open(sys, &dr->ev);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		const char *why = zcg_strerror(r);

		zlog(LOG_NOTICE, "removals", "%s: zombie ages are first-seen, not exact, and "
		     "zombiecg_zombies_created_total is not exported", why);
		dr->rm->note = strdup(why);
		return dr->rm->note ? 0 : -ENOMEM;
	}
	dr->rm->tracing = true;
	zlog(LOG_INFO, "removals", "recording memory cgroup removals (cgroup_rmdir tracepoint): exact zombie ages");
	return 0;
}

void daemon_removals_drain(struct daemon_removals *dr)
{
	struct zcg_cgroup_events_stats st;
	int r;

	if (!dr->ev)
		return;
	r = zcg_cgroup_events_drain(dr->ev, dr->rm);
	if (r < 0) {
		zlog(LOG_WARNING, "removals", "cannot read the removal records: %s", strerror(-r));
		return;
	}
	zcg_cgroup_events_stats(dr->ev, &st);
	if (r)
		zlog(LOG_DEBUG, "removals", "%d removals recorded (%llu mkdirs, %llu rmdirs, %llu dropped so far)", r,
		     (unsigned long long)st.mkdirs, (unsigned long long)st.rmdirs, (unsigned long long)st.dropped);
}

/* A removal that left a zombie: one more for its origin's series, or for "other". */
static void count_created(void *userdata, const struct zcg_removal *rec)
{
	struct daemon_removals *dr = userdata;
	struct zcg_origin_class cls;

	if (!dr->ev)
		return;	/* records reloaded from the last run: counted then */
	if (zcg_origin_classify(rec->path, &cls) < 0) {
		dr->other++;
		return;
	}
	for (size_t i = 0; i < dr->n_created; i++)
		if (dr->created[i].kind == cls.kind && streq(dr->created[i].origin, cls.origin)) {
			dr->created[i].total++;
			zcg_origin_class_done(&cls);
			return;
		}
	if (dr->n_created < dr->top &&
	    grow_array((void **)&dr->created, &dr->cap_created, dr->n_created + 1, sizeof(*dr->created)) == 0) {
		dr->created[dr->n_created++] = (struct zcg_metrics_created) {
			.origin = TAKE_PTR(cls.origin), .kind = cls.kind, .total = 1,
		};
	} else {
		dr->other++;
	}
	zcg_origin_class_done(&cls);
}

void daemon_removals_reconcile(struct daemon_removals *dr, const struct zcg_census *c)
{
	int r = zcg_removals_reconcile(dr->rm, c, count_created, dr);

	if (r > 0)
		zlog(LOG_DEBUG, "removals", "%d removals left a zombie", r);
	/* not tracing and nothing kept: the file written once already says why */
	if (r == 0 && !dr->ev && !dr->rm->n && dr->written)
		return;
	if (r >= 0) {
		(void)mkdir(zcg_run_dir(), 0755);
		r = zcg_removals_write(dr->rm, dr->state_path);
	}
	if (r < 0 && !dr->failing)
		zlog(LOG_WARNING, "removals", "%s", zcg_strerror(r));
	else if (r >= 0 && dr->failing)
		zlog(LOG_NOTICE, "removals", "writing %s again", dr->state_path);
	dr->failing = r < 0;
	dr->written = dr->written || r >= 0;
}

bool daemon_removals_died_ms(void *userdata, uint64_t id, uint64_t *ret_ms)
{
	struct daemon_removals *dr = userdata;
	const struct zcg_removal *rec = zcg_removals_find(dr->rm, id);
	uint64_t mono_ms = zcg_mono_ns() / 1000000, wall_ns, ago_ms;
	struct timespec ts;

	if (!rec || !rec->removed_ns)
		return false;
	clock_gettime(CLOCK_REALTIME, &ts);
	wall_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	/* the record is on the wall clock: as long ago on the monotonic one (a removal "in the
	 * future", after the wall clock was set back, is now) */
	ago_ms = rec->removed_ns < wall_ns ? (wall_ns - rec->removed_ns) / 1000000 : 0;
	*ret_ms = ago_ms < mono_ms ? mono_ms - ago_ms : 0;
	return true;
}

void daemon_removals_metrics(const struct daemon_removals *dr, struct zcg_metrics *m)
{
	m->removal_tracing = dr->ev != NULL;
	m->created = dr->created;
	m->n_created = dr->n_created;
	m->created_other = dr->other;
}

void daemon_removals_stop(struct daemon_removals *dr)
{
	zcg_cgroup_events_close(dr->ev);
	zcg_removals_free(dr->rm);
	for (size_t i = 0; i < dr->n_created; i++)
		free((char *)dr->created[i].origin);
	free(dr->created);
	free(dr->state_path);
	*dr = (struct daemon_removals) { 0 };
}
