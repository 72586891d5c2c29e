/* SPDX-License-Identifier: GPL-2.0 */
/* The daemon's state, by concern, and what its files call of each other. One struct daemon
 * lives in daemon_run() (loop.c): the loop steps it, reload.c changes what is in force,
 * publish.c turns what it counted into metrics, the textfile, the history ring and the
 * status line. Only the main thread touches it; the HTTP thread sees res.pub alone. */
#ifndef ZCG_DAEMON_STATE_H
#define ZCG_DAEMON_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ages.h"
#include "budget.h"
#include "census.h"
#include "config.h"
#include "daemon.h"
#include "history.h"
#include "deaths.h"
#include "origins.h"
#include "zombiecg.h"

/* The daemon's command-line options (they override the configuration file). */
struct daemon_args {
	const char *config;
	const char *interval;
	const char *listen;
	const char *textfile;
	bool log_json;
	bool once;
	bool check_config;
};

/* The thresholds that shorten the grace period; the names are the `threshold` label values
 * of zombiecg_threshold_crossed. */
enum daemon_threshold {
	THRESHOLD_DYING,
	THRESHOLD_PINNED,
	THRESHOLD_ID_HEADROOM,
	_THRESHOLD_MAX,
};

extern const char *const daemon_threshold_names[_THRESHOLD_MAX];

/* What is in force: the configuration and what it resolves to. Changed by a reload only,
 * all at once. */
struct daemon_conf {
	const struct daemon_args *args;
	const char *config_path;	/* NULL: defaults only */
	struct zcg_config cfg;
	char *scope;			/* cfg.under resolved, "/" for all */
	char *tmpfs_target;		/* cfg.tmpfs_recharge_target resolved, NULL: off */
	bool threshold_enabled[_THRESHOLD_MAX];
};

/* What the daemon holds: open things and what it keeps from one census to the next. */
struct daemon_res {
	struct zcg_ages *ages;
	struct zcg_origin_tracker *origins;	/* first-seen times and new zombies per origin */
	struct daemon_removals removals;	/* exact removal times (cgroup_rmdir tracepoint) */
	struct zcg_census *census;	/* the last good census */
	struct zcg_history *history;
	struct daemon_http *http;
	struct daemon_published pub;
	struct zcg_budget_bucket budget;
	int sigfd;
	uint64_t watchdog_usec;		/* 0: no watchdog */
};

/* What the metrics report. */
struct daemon_stats {
	uint64_t scans, scan_errors;
	int64_t scan_duration_ns;	/* < 0: none yet */
	double last_scan_wall;
	int64_t eligible_memcgs, eligible_parents;
	bool threshold_crossed[_THRESHOLD_MAX];
	bool reap_available;
	const char *reap_unavailable_reason;
	uint64_t reaped, evicted_bytes, reap_errors;
	int64_t reap_cpu_ns;
	bool have_unreclaimable;
	uint64_t unreclaimable[_DAEMON_UNRECL_MAX];
	bool config_ok;
	double config_ok_wall;
	double start_wall;
};

/* Pacing: the reap batch, the CPU time charged to the budget, the history's cadence. */
struct daemon_pace {
	size_t reap_batch;
	int64_t cpu_charged_ns;		/* process CPU time already charged to the budget */
	uint64_t next_history_ms;
	uint64_t last_sample_wall;
	uint64_t period_reaped, period_evicted;	/* since the last history sample */
};

/* Log once: a failing part is logged when it starts failing and when it works again, a
 * condition when it starts. */
struct daemon_logged {
	bool census_failing, textfile_failing, history_failing, origins_failing;
	bool over_budget;	/* a census costs more than the budget allows per interval */
	bool eligible;		/* zombies past grace that this build cannot reap */
};

struct daemon {
	struct zcg_ctx *ctx;
	struct daemon_conf conf;
	struct daemon_res res;
	struct daemon_stats stats;
	struct daemon_pace pace;
	struct daemon_logged logged;
};

/* CLOCK_REALTIME, seconds (CPU time and CLOCK_MONOTONIC are lib/budget.h's and daemon.h's). */
static inline double daemon_wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- thresholds.c ---- */
/* The grace period now: urgent_grace while a threshold is crossed, else grace. */
uint64_t daemon_grace_ms(const struct daemon *d);
/* Enables the thresholds the configuration sets; a disabled one is no longer crossed. */
void daemon_enable_thresholds(struct daemon *d);
/* Compares the census with the thresholds, logging each one crossed or left. */
void daemon_check_thresholds(struct daemon *d);

/* ---- reload.c ---- */
/* Defaults, then the file, then the command line. Returns 0; -EINVAL with a detail message
 * naming the file and line (or the option) if something is invalid; other -errno if the
 * file cannot be read. */
int daemon_build_config(const struct daemon *d, struct zcg_config *ret);
/* Resolves the paths a configuration names in the memory hierarchy. Returns 0, or -errno
 * with a detail message naming the setting. */
int daemon_resolve_paths(const struct daemon *d, const struct zcg_config *c, char **ret_scope,
			 char **ret_tmpfs);
/* The CPU budget's burst for a ratio. */
int64_t daemon_budget_burst_ns(double cpus);
/* Opens the configured ring; a file that is not a ring is moved aside, not overwritten.
 * Returns 0 (d->res.history may stay NULL if off) or -errno with a detail message. */
int daemon_open_history(struct daemon *d);
/* SIGHUP: applies the configuration file again, or keeps the old one whole. */
void daemon_reload(struct daemon *d);

/* ---- publish.c ---- */
/* Renders the metrics for HTTP (with process_*) and for the textfile (without), hands the
 * first to the HTTP thread and writes the second; sends the status line to systemd. */
void daemon_publish(struct daemon *d, bool census_ok);
/* Appends a history sample when one is due. */
void daemon_history_tick(struct daemon *d, uint64_t now_ms);
/* First-seen times and new zombies per origin, for `zombiecg origins`. */
void daemon_track_origins(struct daemon *d, const struct zcg_census *c);

#endif
