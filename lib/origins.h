/* SPDX-License-Identifier: GPL-2.0 */
/* Where zombies come from: a zombie's former path with its instance parts (session numbers,
 * container and pod ids, transient unit ids, ...) collapsed to '*' is its *pattern*; the
 * pattern is classified (systemd template, transient unit, service, timer, user session, user
 * manager, Kubernetes pod or container, Docker, libvirt machine, YARN container, or generic)
 * and zombies with the same pattern form one *origin*. The classification is pure (strings in,
 * strings out) so it is tested without root; the few facts that need the system (a timer for
 * a service, its restart count) are looked up separately and fed in. */
#ifndef ZCG_ORIGINS_H
#define ZCG_ORIGINS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "census.h"
#include "removals.h"

enum zcg_origin_kind {
	ZCG_ORIGIN_GENERIC,		/* none of the below: runs of digits and hex collapsed */
	ZCG_ORIGIN_SERVICE,		/* a plain systemd service (foo.service) */
	ZCG_ORIGIN_TIMER,		/* a service a timer of the same name starts */
	ZCG_ORIGIN_TEMPLATE,		/* instances of a systemd template (foo@1.service) */
	ZCG_ORIGIN_TRANSIENT,		/* systemd-run units (run-r<hex>.scope, run-u<N>.service) */
	ZCG_ORIGIN_SESSION,		/* logind sessions (user-UID.slice/session-N.scope) */
	ZCG_ORIGIN_USER_MANAGER,	/* user@UID.service and what runs in it */
	ZCG_ORIGIN_K8S_POD,		/* a Kubernetes pod's own cgroup */
	ZCG_ORIGIN_K8S_CONTAINER,	/* a container of a Kubernetes pod */
	ZCG_ORIGIN_DOCKER,		/* Docker containers outside Kubernetes */
	ZCG_ORIGIN_LIBVIRT,		/* libvirt machines (qemu, lxc) */
	ZCG_ORIGIN_YARN,		/* Hadoop YARN containers */
	_ZCG_ORIGIN_KIND_MAX,
};

/* "generic", "systemd-service", "systemd-timer", "systemd-template", "systemd-transient",
 * "user-session", "user-manager", "kubernetes-pod", "kubernetes-container", "docker",
 * "libvirt-machine", "yarn-container". */
extern const char *const zcg_origin_kind_names[_ZCG_ORIGIN_KIND_MAX];

/* What one former path says about its origin. */
struct zcg_origin_class {
	enum zcg_origin_kind kind;
	char *pattern;		/* the path with instance parts as '*', hierarchy-relative */
	char *origin;		/* a short name for the group ("foo@.service", "docker containers") */
	char *unit;		/* the systemd unit to look facts up for ("foo.service"), or NULL */
	int64_t uid;		/* the user of a session or user manager, -1 if none */
};

/* Classifies a former path (hierarchy-relative, "/a/b"). Pure.
 * Returns 0 and fills *ret (free with zcg_origin_class_done()), or -ENOMEM. */
int zcg_origin_classify(const char *path, struct zcg_origin_class *ret);
void zcg_origin_class_done(struct zcg_origin_class *c);

/* The generic collapse of one path component: a token (between '-', '_', '.', '@', ':') of
 * hex digits, at least 8 long and holding a digit, a UUID, and any run of decimal digits
 * become '*'. Pure. Returns a newly allocated string, or NULL on allocation failure. */
char *zcg_origin_collapse_component(const char *component);

#define ZCG_ORIGIN_EXAMPLES 3

/* One origin: the zombies of one pattern. Numbers are -1 where unknown. */
struct zcg_origin {
	char *origin;
	enum zcg_origin_kind kind;
	char *pattern;
	char *unit;			/* as in zcg_origin_class */
	int64_t uid;
	int64_t dying;
	int64_t pinned_bytes;
	int64_t kernel_overhead_bytes;
	int64_t oldest_age_s;
	int64_t newest_age_s;
	char *examples[ZCG_ORIGIN_EXAMPLES];	/* former paths, the largest first */
	size_t n_examples;		/* 0 for estimated origins: the former paths are unknown */
	double rate_per_hour;		/* < 0: unknown */
	int64_t restarts;		/* the unit's restart count where systemd told, else -1 */
	const char *ages;		/* where the ages are from: "removal" (every zombie's rmdir
					 * time, from the tracepoint), "first-seen" (the daemon's
					 * first census showing it, a lower bound), NULL: unknown */
	char removed_by[16];		/* comm of the newest removal recorded, "" if none */
	int64_t removed_by_pid;		/* its pid, -1 if none */
	int64_t removed_at;		/* its unix time, -1 if none */
	char *advice;			/* NULL: none known */
};

struct zcg_origins {
	struct zcg_origin *origins;	/* the most zombies first, then the most bytes */
	size_t n;
	bool estimated;			/* from a census that cannot name zombies: grouped by live
					 * parent, the pattern is the parent's followed by "/ *" */
};

/* Groups the census's zombie rows by pattern. Kernel overhead is the census's total shared
 * out by dying count (it is the same per memcg). Ages and rates are left unknown; advice is
 * filled by zcg_origin_advise() from what is known so far.
 * Returns 0 and sets *ret (free with zcg_origins_free()), or -ENOMEM. */
int zcg_origins_group(const struct zcg_census *c, struct zcg_origins **ret);
/* The same, with the removal records of rm (may be NULL): a zombie with one is grouped by its
 * path at removal (then right even where the census lost its ancestors' names), and each
 * origin says who removed its newest recorded zombie (removed_by). */
int zcg_origins_group_removals(const struct zcg_census *c, struct zcg_removals *rm, struct zcg_origins **ret);
struct zcg_origin_tracker;
/* The same, taking the classification of every zombie tracker t (may be NULL) has seen from
 * it (the daemon after its tracker took the same census) instead of classifying it again. */
int zcg_origins_group_cached(const struct zcg_census *c, struct zcg_removals *rm,
			     const struct zcg_origin_tracker *t, struct zcg_origins **ret);
void zcg_origins_free(struct zcg_origins *o);

/* Marks the origin a timer starts (SERVICE becomes TIMER) and records a restart count
 * (< 0: unknown), then rewrites its advice. Pure. Returns 0 or -ENOMEM. */
int zcg_origin_set_facts(struct zcg_origin *o, bool has_timer, int64_t restarts);

/* The fix at the source for o's kind, from its fields (uid, unit, restarts). Pure.
 * Returns 0 and sets *ret_advice (newly allocated, NULL if there is none to give), or
 * -ENOMEM. */
int zcg_origin_advise(const struct zcg_origin *o, char **ret_advice);

/* Whether a timer named after the service unit (foo.timer for foo.service, foo@.timer for
 * foo@.service) is installed below root (a sysroot, "" for the host) in one of systemd's
 * unit directories. Returns 1 if so, 0 if not. */
int zcg_origin_unit_has_timer(const char *root, const char *unit);

/* A service's restart count from systemd: runs `systemctl show --property=NRestarts --value
 * -- UNIT` (found in $PATH). Returns 0 and sets *ret; -ENODATA if systemctl gave no count or
 * failed (no systemd, no such unit, no NRestarts in this systemd); other -errno. */
int zcg_origin_unit_restarts(const char *unit, int64_t *ret);

/* Services asked for their restart count per call of zcg_origins_look_up_facts(), at most. */
#define ZCG_ORIGIN_RESTART_LOOKUPS 16

/* Fills in the facts for every service origin: a timer below root ("" for the host), and
 * where live_host and systemd runs (/run/systemd/system), its restart count (for the first
 * ZCG_ORIGIN_RESTART_LOOKUPS services);
 * then its kind and advice follow (zcg_origin_set_facts()). Returns 0 or -ENOMEM. */
int zcg_origins_look_up_facts(struct zcg_origins *o, const char *root, bool live_host);

/* Groups into at most top origins and one "other" (kind "generic") holding the rest, for
 * bounded metric cardinality; origins sharing a name and kind are summed first. Returns 0
 * and sets *ret (a new list of that many entries, names copied), or -ENOMEM. */
int zcg_origins_top(const struct zcg_origins *o, size_t top, struct zcg_origins **ret);

/* ---- the daemon's memory of origins (lib/origin_tracker.c) ----
 * Each BPF census names the zombies: the tracker remembers when it first saw each (by cgroup
 * id) and its pattern (classified once, when new), and counts per pattern the zombies that
 * appeared after its first census. Ages are then "first seen by the daemon" (a lower bound),
 * and the rate is those new zombies over the time from the first census to the last. */
struct zcg_origin_tracker;

/* Patterns tracked at most; zombies of further ones are not counted. */
#define ZCG_ORIGIN_TRACKED_PATTERNS 1024

/* Returns 0 and sets *ret, or -ENOMEM. */
int zcg_origin_tracker_new(struct zcg_origin_tracker **ret);
void zcg_origin_tracker_free(struct zcg_origin_tracker *t);

/* Folds a census taken at now (unix seconds) in. A new zombie with a removal record in rm
 * (may be NULL) is classified by the path at removal and dated by its removal time (exact),
 * else by its census path and now (first seen). Returns 1 if it did; 0 if the census cannot
 * name zombies (not from BPF), which changes nothing; -ENOMEM. */
int zcg_origin_tracker_update(struct zcg_origin_tracker *t, const struct zcg_census *c, struct zcg_removals *rm,
			      uint64_t now);

/* How the tracker classified the zombie with cgroup id id (its path at first sight), or NULL
 * if it has not seen it (or its pattern is past the cap). Valid until the tracker is freed. */
const struct zcg_origin_class *zcg_origin_tracker_class(const struct zcg_origin_tracker *t, uint64_t id);

/* Writes the state file at path (atomically: path.tmp, then rename): a line
 * "zombiecg-origins 2 FIRST LAST" (the first and last census), then one line per pattern:
 * created, current, oldest and newest first-seen time (0 without current zombies), how many
 * of the current ones are dated by their removal record, pattern
 * (backslash, tab and newline escaped), tab-separated. Returns 0 or -errno with detail. */
int zcg_origin_tracker_write(const struct zcg_origin_tracker *t, const char *path);

/* Fills the ages (from first-seen or removal times, at now, and where they are from) and
 * rates of o's origins whose pattern the state file at path has. Returns 0; -ENOENT without one (no daemon); -EBADMSG (with
 * detail) if it is not such a file; other -errno. */
int zcg_origins_apply_state(struct zcg_origins *o, const char *path, uint64_t now);

/* The state file's name in the run directory. */
#define ZCG_ORIGINS_STATE_FILE "origins"

#endif
