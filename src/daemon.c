// SPDX-License-Identifier: GPL-2.0
/* zombiecg daemon: a census every interval, ages for the grace period, a reap step behind
 * daemon_reap.c, metrics over HTTP and as a node_exporter textfile, a history ring, and the
 * systemd service protocol (Type=notify, watchdog, SIGHUP reload, SIGTERM stop).
 *
 * One loop in the main thread does everything that reads or changes the system, between
 * signals; the HTTP thread only copies text the loop rendered. A signal is read at the top of
 * the loop, so SIGTERM lets the current step finish (the reap step also sees it through its
 * cancelled() callback) and SIGHUP never lands in the middle of a census. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

#include "ages.h"
#include "cpu_bucket.h"
#include "census.h"
#include "config.h"
#include "daemon.h"
#include "daemon_removals.h"
#include "error.h"
#include "fileio.h"
#include "history.h"
#include "log.h"
#include "metrics.h"
#include "recharge.h"
#include "sdnotify.h"
#include "util.h"
#include "text.h"
#include "zombiecg.h"

enum {
	OPT_CONFIG = 0x300,
	OPT_INTERVAL,
	OPT_LISTEN,
	OPT_TEXTFILE,
	OPT_LOG_JSON,
	OPT_ONCE,
	OPT_CHECK_CONFIG,
};

static const struct option daemon_options[] = {
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "textfile", required_argument, NULL, OPT_TEXTFILE },
	{ "log-json", no_argument, NULL, OPT_LOG_JSON },
	{ "once", no_argument, NULL, OPT_ONCE },
	{ "check-config", no_argument, NULL, OPT_CHECK_CONFIG },
	{},
};

static struct {
	const char *config;
	const char *interval;
	const char *listen;
	const char *textfile;
	bool log_json;
	bool once;
	bool check_config;
} daemon_args;

enum threshold {
	THRESHOLD_DYING,
	THRESHOLD_PINNED,
	THRESHOLD_ID_HEADROOM,
	_THRESHOLD_MAX,
};

const char *const daemon_unreclaimable_names[_DAEMON_UNRECL_MAX] = {
	[DAEMON_UNRECL_MAPPED] = "mapped",
	[DAEMON_UNRECL_SHMEM] = "shmem",
	[DAEMON_UNRECL_DIRTY] = "dirty",
	[DAEMON_UNRECL_SWAP] = "swap",
	[DAEMON_UNRECL_BUDGET] = "budget",
	[DAEMON_UNRECL_OTHER] = "other",
};

static const char *const threshold_names[_THRESHOLD_MAX] = {
	[THRESHOLD_DYING] = "dying",
	[THRESHOLD_PINNED] = "pinned_bytes",
	[THRESHOLD_ID_HEADROOM] = "memcg_id_headroom",
};

#define TEXTFILE_NAME "zombiecg.prom"
/* node_exporter collects *.prom only: the temporary name must not end in .prom */
#define TEXTFILE_TMP_NAME ".zombiecg.prom.tmp"

/* Zombies handed to one reap step: it explains just those, so a step's cost follows its
 * batch (see reap() for how the batch adapts). */
#define REAP_BATCH_MIN 256
#define REAP_BATCH_FIRST 4096
#define REAP_BATCH_MAX 65536

struct daemon {
	size_t reap_batch;
	struct zcg_ctx *ctx;
	const char *config_path;	/* NULL: defaults only */
	struct zcg_config cfg;
	char *scope;			/* cfg.under resolved, "/" for all */
	char *tmpfs_target;		/* cfg.tmpfs_recharge_target resolved, NULL: off */

	struct zcg_ages *ages;
	struct zcg_origin_tracker *origins;	/* first-seen times and new zombies per origin */
	struct daemon_removals removals;	/* exact removal times (cgroup_rmdir tracepoint) */
	bool origins_failing;
	struct zcg_census *census;	/* the last good census */
	struct zcg_history *history;
	struct daemon_http *http;
	struct daemon_published pub;
	struct zcg_cpu_bucket budget;
	int sigfd;
	uint64_t watchdog_usec;		/* 0: no watchdog */

	/* what the metrics report */
	uint64_t scans, scan_errors;
	double scan_duration_s;		/* < 0: none yet */
	double last_scan_wall;
	int64_t eligible_memcgs, eligible_parents;
	bool threshold_enabled[_THRESHOLD_MAX];
	bool threshold_crossed[_THRESHOLD_MAX];
	bool reap_available;
	const char *reap_unavailable_reason;
	uint64_t reaped, evicted_bytes, reap_errors;
	double reap_cpu_s;
	bool have_unreclaimable;
	uint64_t unreclaimable[_DAEMON_UNRECL_MAX];
	bool config_ok;
	double config_ok_wall;
	double start_wall;

	/* bookkeeping */
	int64_t cpu_charged_ns;		/* process CPU time already charged to the budget */
	uint64_t next_history_ms;
	uint64_t last_sample_wall;
	uint64_t period_reaped, period_evicted;
	bool census_failing, textfile_failing, history_failing, over_budget_logged;
	bool eligible_logged;
};

/* ---- clocks and the process ------------------------------------------------------------ */

uint64_t daemon_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t process_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The daemon's own resident memory, from /proc/self/statm (never the sysroot). */
static int64_t rss_bytes(void)
{
	_cleanup_free_ char *buf = NULL;
	unsigned long long size, resident;

	if (read_full_file("/proc/self/statm", &buf, NULL) < 0 ||
	    sscanf(buf, "%llu %llu", &size, &resident) != 2)
		return -1;
	return (int64_t)resident * sysconf(_SC_PAGESIZE);
}

#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_CLASS_IDLE 3
#define IOPRIO_WHO_PROCESS 1

/* SCHED_IDLE and the idle I/O class: the daemon only runs when nothing else wants to. Set
 * before the HTTP thread starts, which inherits both. Already so (zombiecg.service's
 * CPUSchedulingPolicy=idle, IOSchedulingClass=idle), nothing is set: the unit's seccomp
 * filter denies the @resources system calls. */
static void set_idle_priority(void)
{
	struct sched_param param = { 0 };

	if (sched_getscheduler(0) != SCHED_IDLE && sched_setscheduler(0, SCHED_IDLE, &param) < 0)
		zlog(LOG_WARNING, "priority", "cannot switch to SCHED_IDLE: %s", strerror(errno));
	if (syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0) >> IOPRIO_CLASS_SHIFT != IOPRIO_CLASS_IDLE &&
	    syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_CLASS_IDLE << IOPRIO_CLASS_SHIFT) < 0)
		zlog(LOG_WARNING, "priority", "cannot switch to the idle I/O class: %s", strerror(errno));
}

/* ---- configuration --------------------------------------------------------------------- */

static int override(struct zcg_config *c, const char *option, const char *key, const char *value)
{
	char detail[512];
	int r;

	r = zcg_config_set(c, key, value);
	if (r < 0 && r != -ENOMEM) {
		snprintf(detail, sizeof(detail), "%s", zcg_error_message() ? zcg_error_message() : "invalid");
		return zcg_error(-EINVAL, "%s: %s", option, detail);
	}
	return r;
}

/* Defaults, then the file, then the command line. Returns 0; -EINVAL with a detail message
 * naming the file and line (or the option) if something is invalid; other -errno if the
 * file cannot be read. */
/* Under --sysroot the built-in state paths lie below it: a daemon run on a saved tree
 * never writes the host's history. Paths a configuration file sets are taken as written. */
int config_defaults_below_sysroot(const struct zcg_ctx *ctx, struct zcg_config *c)
{
	char *p;

	if (!ctx->sysroot || !c->history_file)
		return 0;
	p = zcg_state_path(c->history_file);
	if (!p)
		return -ENOMEM;
	free(c->history_file);
	c->history_file = p;
	return 0;
}

static int build_config(const struct daemon *d, struct zcg_config *ret)
{
	int r = 0;

	zcg_config_init(ret);
	r = config_defaults_below_sysroot(d->ctx, ret);
	if (r == 0 && d->config_path)
		r = zcg_config_load(ret, d->config_path);
	if (r == 0 && daemon_args.interval)
		r = override(ret, "--interval", "interval", daemon_args.interval);
	if (r == 0 && daemon_args.listen)
		r = override(ret, "--listen", "listen", daemon_args.listen);
	if (r == 0 && daemon_args.textfile)
		r = override(ret, "--textfile", "textfile_dir", daemon_args.textfile);
	if (r == 0 && daemon_args.log_json)
		ret->log_json = true;
	if (r == 0 && d->ctx->under)
		r = override(ret, "--under", "under", d->ctx->under);
	if (r == 0 && d->ctx->no_bpf)
		ret->bpf = false;
	if (r == 0)
		r = zcg_config_check(ret, d->config_path ? d->config_path : "command line");
	if (r < 0)
		zcg_config_done(ret);
	return r;
}

/* Resolves the paths a configuration names in the memory hierarchy. */
static int resolve_paths(const struct daemon *d, const struct zcg_config *c, char **ret_scope,
			 char **ret_tmpfs)
{
	_cleanup_free_ char *scope = NULL, *tmpfs = NULL;
	char detail[512];
	int r;

	if (c->under) {
		r = zcg_resolve_cgroup(d->ctx->sys, c->under, &scope);
		if (r < 0)
			goto fail_under;
	} else {
		scope = strdup("/");
		if (!scope)
			return -ENOMEM;
	}
	if (c->tmpfs_recharge_target) {
		r = zcg_resolve_cgroup(d->ctx->sys, c->tmpfs_recharge_target, &tmpfs);
		if (r < 0) {
			snprintf(detail, sizeof(detail), "%s", zcg_error_message() ? zcg_error_message() : "");
			return zcg_error(r, "tmpfs_recharge_target: %s", detail);
		}
		/* Not fatal: the cgroup may be set up later. Each reap step checks it again and
		 * leaves tmpfs files alone (saying why) while it cannot take pages. */
		if (zcg_recharge_target_check(d->ctx->sys, tmpfs) < 0) {
			zlog(LOG_WARNING, "config", "tmpfs_recharge_target: %s; tmpfs files are left alone until it can",
			     zcg_error_message() ? zcg_error_message() : "unusable");
			zcg_error_clear();
		}
	}
	*ret_scope = TAKE_PTR(scope);
	*ret_tmpfs = TAKE_PTR(tmpfs);
	return 0;
fail_under:
	snprintf(detail, sizeof(detail), "%s", zcg_error_message() ? zcg_error_message() : "");
	return zcg_error(r, "under: %s", detail);
}

static void enable_thresholds(struct daemon *d)
{
	d->threshold_enabled[THRESHOLD_DYING] = d->cfg.dying_threshold > 0;
	d->threshold_enabled[THRESHOLD_PINNED] = d->cfg.pinned_threshold_bytes > 0;
	d->threshold_enabled[THRESHOLD_ID_HEADROOM] = d->cfg.id_headroom_min > 0;
	for (int t = 0; t < _THRESHOLD_MAX; t++)
		if (!d->threshold_enabled[t])
			d->threshold_crossed[t] = false;
}

static int64_t budget_burst_ns(double ratio)
{
	/* up to 10 minutes' worth saved up, so a reap step can use a quiet period's savings */
	return (int64_t)(ratio * 600e9);
}

/* ---- history ----------------------------------------------------------------------------- */

/* Opens the configured ring; a file that is not a ring is moved aside, not overwritten.
 * Returns 0 (d->history may stay NULL if off) or -errno with a detail message. */
static int open_history(struct daemon *d)
{
	struct zcg_history_sample last;
	char detail[512];
	int r;

	if (!d->cfg.history_file)
		return 0;
	r = zcg_history_open(d->cfg.history_file, d->cfg.history_records, &d->history);
	if (r == -EBADMSG) {
		_cleanup_free_ char *aside = strdup_printf("%s.bad.%lld", d->cfg.history_file,
							   (long long)time(NULL));

		snprintf(detail, sizeof(detail), "%s", zcg_error_message());
		if (!aside || rename(d->cfg.history_file, aside) < 0)
			return zcg_error(-EBADMSG, "%s; and it cannot be moved aside", detail);
		zlog(LOG_WARNING, "history", "%s: moved to %s, starting a new history", detail, aside);
		r = zcg_history_open(d->cfg.history_file, d->cfg.history_records, &d->history);
	}
	if (r < 0)
		return r;
	/* Keep the cadence across restarts: the next sample is due one interval after the last. */
	d->next_history_ms = daemon_now_ms();
	if (zcg_history_last(d->history, &last) == 0) {
		uint64_t now = (uint64_t)time(NULL), interval_s = d->cfg.history_interval_ms / 1000;

		d->last_sample_wall = last.time;
		if (last.time <= now && now - last.time < interval_s)
			d->next_history_ms += (interval_s - (now - last.time)) * 1000;
	}
	return 0;
}

static void history_tick(struct daemon *d, uint64_t now_ms)
{
	struct zcg_history_sample s = {0};
	const struct zcg_census *c = d->census;
	uint64_t now = (uint64_t)time(NULL);

	if (!d->history || !c || now_ms < d->next_history_ms)
		return;
	d->next_history_ms = now_ms + d->cfg.history_interval_ms;
	s.time = now;
	if (d->last_sample_wall && d->last_sample_wall < now &&
	    now - d->last_sample_wall <= 2 * d->cfg.history_interval_ms / 1000 + 1)
		s.period_s = (uint32_t)(now - d->last_sample_wall);
	else
		s.period_s = (uint32_t)((d->cfg.history_interval_ms + 999) / 1000);
	s.flags = (c->hierarchy == ZCG_HIER_V2 ? ZCG_SAMPLE_V2 : 0) |
		  (streq(c->source, "bpf") ? ZCG_SAMPLE_BPF : 0) |
		  (d->reap_available ? ZCG_SAMPLE_REAP_AVAILABLE : 0);
	s.live = c->live;
	s.dying = c->dying;
	s.pinned_bytes = c->pinned_bytes;
	s.memcg_ids_used = c->memcg_ids_used;
	s.reaped = d->period_reaped;
	s.evicted_bytes = d->period_evicted;
	if (zcg_history_append(d->history, &s) < 0) {
		if (!d->history_failing)
			zlog(LOG_ERR, "history", "%s", zcg_error_message());
		d->history_failing = true;
		return;
	}
	if (d->history_failing)
		zlog(LOG_NOTICE, "history", "writing %s again", d->cfg.history_file);
	d->history_failing = false;
	d->last_sample_wall = now;
	d->period_reaped = d->period_evicted = 0;
}

/* ---- publishing ---------------------------------------------------------------------------- */

/* A crossed threshold shortens the grace period. */
static bool urgent(const struct daemon *d)
{
	for (int t = 0; t < _THRESHOLD_MAX; t++)
		if (d->threshold_enabled[t] && d->threshold_crossed[t])
			return true;
	return false;
}

static void status_line(const struct daemon *d, char *buf, size_t size)
{
	const struct zcg_census *c = d->census;
	char bytes[32], dying[32], eligible[48];

	if (!c) {
		snprintf(buf, size, "no census yet");
		return;
	}
	if (c->dying >= 0)
		snprintf(dying, sizeof(dying), "%lld", (long long)c->dying);
	else
		snprintf(dying, sizeof(dying), "unknown");
	if (d->eligible_memcgs >= 0)
		snprintf(eligible, sizeof(eligible), "%lld past grace", (long long)d->eligible_memcgs);
	else
		snprintf(eligible, sizeof(eligible), "%lld parent(s) past grace",
			 (long long)d->eligible_parents);
	snprintf(buf, size, "%s dying, %s pinned, %s; %s", dying,
		 format_bytes(c->pinned_bytes, bytes, sizeof(bytes)), eligible,
		 !d->reap_available ? d->reap_unavailable_reason : d->cfg.reap ? "reaping" : "reap = no");
}

static void fill_metrics(const struct daemon *d, struct zcg_metrics *m,
			 struct zcg_metrics_label_value *thresholds,
			 struct zcg_metrics_label_value *unreclaimable)
{
	size_t n_thresholds = 0;

	for (int t = 0; t < _THRESHOLD_MAX; t++)
		if (d->threshold_enabled[t])
			thresholds[n_thresholds++] = (struct zcg_metrics_label_value){
				threshold_names[t], d->threshold_crossed[t] ? 1 : 0 };
	for (int k = 0; k < _DAEMON_UNRECL_MAX; k++)
		unreclaimable[k] = (struct zcg_metrics_label_value){
			daemon_unreclaimable_names[k], (double)d->unreclaimable[k] };
	*m = (struct zcg_metrics){
		.version = ZCG_VERSION,
		.hierarchy = d->ctx->sys->hierarchy == ZCG_HIER_V2 ? "v2" : "v1",
		.census = d->census,
		.top_parents = d->cfg.top_parents,
		.eligible_memcgs = d->census ? d->eligible_memcgs : -1,
		.eligible_parents = d->census ? d->eligible_parents : -1,
		.thresholds = thresholds,
		.n_thresholds = n_thresholds,
		.reap_available = d->reap_available,
		.reaped_total = d->reaped,
		.reap_evicted_bytes_total = d->evicted_bytes,
		.reap_cpu_seconds_total = d->reap_cpu_s,
		.reap_errors_total = d->reap_errors,
		.unreclaimable = d->have_unreclaimable ? unreclaimable : NULL,
		.n_unreclaimable = d->have_unreclaimable ? _DAEMON_UNRECL_MAX : 0,
		.scan_duration_seconds = d->scan_duration_s,
		.last_scan_timestamp_seconds = d->last_scan_wall,
		.scans_total = d->scans,
		.scan_errors_total = d->scan_errors,
		.grace_period_seconds = (urgent(d) ? d->cfg.urgent_grace_ms : d->cfg.grace_ms) / 1000.0,
		.cpu_budget_ratio = d->cfg.cpu_budget,
		.config_reload_ok = d->config_ok,
		.config_reload_timestamp_seconds = d->config_ok_wall,
		.process_cpu_seconds_total = (double)process_cpu_ns() / 1e9,
		.process_resident_memory_bytes = rss_bytes(),
		.process_start_time_seconds = d->start_wall,
	};
}

static void write_textfile(struct daemon *d, const char *text, size_t len)
{
	_cleanup_free_ char *path = NULL, *tmp = NULL;

	if (!d->cfg.textfile_dir)
		return;
	path = path_join(d->cfg.textfile_dir, TEXTFILE_NAME);
	tmp = path_join(d->cfg.textfile_dir, TEXTFILE_TMP_NAME);
	if (!path || !tmp)
		return;
	if (zcg_write_file_atomic(path, tmp, text, len) < 0) {
		if (!d->textfile_failing)
			zlog(LOG_ERR, "textfile", "%s", zcg_error_message());
		d->textfile_failing = true;
		return;
	}
	if (d->textfile_failing)
		zlog(LOG_NOTICE, "textfile", "writing %s again", path);
	d->textfile_failing = false;
}

/* Renders the metrics for HTTP (with process_*) and for the textfile (without), hands the
 * first to the HTTP thread and writes the second. */
static void publish(struct daemon *d, bool census_ok)
{
	struct zcg_metrics_label_value thresholds[_THRESHOLD_MAX], unreclaimable[_DAEMON_UNRECL_MAX];
	struct zcg_origins *origins = NULL, *top_origins = NULL;
	struct zcg_metrics m;
	char *http_text = NULL, *file_text = NULL, status[200];
	size_t http_len = 0, file_len = 0;

	fill_metrics(d, &m, thresholds, unreclaimable);
	daemon_removals_metrics(&d->removals, &m);
	status_line(d, status, sizeof(status));
	/* timers are looked up (a few access() calls), restart counts not: no exec per census */
	if (d->census && zcg_origins_group_removals(d->census, d->removals.rm, &origins) == 0 &&
	    zcg_origins_look_up_facts(origins, d->ctx->sysroot ?: "", false) == 0)
		zcg_origins_top(origins, d->cfg.top_origins, &top_origins);
	m.origins = top_origins;
	if (zcg_metrics_render(&m, ZCG_METRICS_PROCESS, &http_text, &http_len) < 0 ||
	    zcg_metrics_render(&m, 0, &file_text, &file_len) < 0) {
		zlog(LOG_ERR, "metrics", "cannot render metrics: out of memory");
		free(http_text);
		zcg_origins_free(origins);
		zcg_origins_free(top_origins);
		return;
	}
	zcg_origins_free(origins);
	zcg_origins_free(top_origins);
	pthread_mutex_lock(&d->pub.lock);
	free(d->pub.metrics);
	d->pub.metrics = http_text;
	d->pub.metrics_len = http_len;
	if (census_ok)
		d->pub.last_ok_ms = daemon_now_ms();
	d->pub.stale_after_ms = 3 * d->cfg.interval_ms + 30000;
	snprintf(d->pub.status, sizeof(d->pub.status), "%s", status);
	pthread_mutex_unlock(&d->pub.lock);

	write_textfile(d, file_text, file_len);
	free(file_text);
	if (d->watchdog_usec || getenv("NOTIFY_SOCKET")) {
		_cleanup_free_ char *msg = strdup_printf("STATUS=%s", status);

		if (msg)
			zcg_sd_notify(msg);
	}
}

/* ---- one step: census, ages, thresholds, reap ------------------------------------------- */

/* First-seen times and new zombies per origin, for `zombiecg origins` (the run directory's
 * origins file). */
static void track_origins(struct daemon *d, const struct zcg_census *c)
{
	_cleanup_free_ char *path = path_join(zcg_run_dir(), ZCG_ORIGINS_STATE_FILE);
	int r;

	if (!path)
		return;
	daemon_removals_reconcile(&d->removals, c);
	r = zcg_origin_tracker_update(d->origins, c, d->removals.rm, (uint64_t)d->last_scan_wall);
	if (r == 0)
		return;	/* cgroupfs: no names to follow, no state to write */
	if (r > 0) {
		(void)mkdir(zcg_run_dir(), 0755);
		r = zcg_origin_tracker_write(d->origins, path);
	}
	if (r < 0 && !d->origins_failing)
		zlog(LOG_WARNING, "origins", "%s", r == -ENOMEM ? "out of memory" : zcg_error_message());
	else if (r == 0 && d->origins_failing)
		zlog(LOG_NOTICE, "origins", "writing %s again", path);
	d->origins_failing = r < 0;
}

static bool term_pending(void *userdata)
{
	sigset_t pending;

	if (sigpending(&pending) < 0)
		return false;
	return sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1;
}

static void check_thresholds(struct daemon *d)
{
	const struct zcg_census *c = d->census;
	bool crossed[_THRESHOLD_MAX] = {
		[THRESHOLD_DYING] = c->dying >= 0 && c->dying >= d->cfg.dying_threshold,
		[THRESHOLD_PINNED] = c->pinned_bytes >= 0 && c->pinned_bytes >= d->cfg.pinned_threshold_bytes,
		[THRESHOLD_ID_HEADROOM] = c->memcg_ids_used >= 0 &&
					  ZCG_MEMCG_IDS_MAX - c->memcg_ids_used < d->cfg.id_headroom_min,
	};

	for (int t = 0; t < _THRESHOLD_MAX; t++) {
		if (!d->threshold_enabled[t])
			continue;
		if (crossed[t] && !d->threshold_crossed[t])
			zlog(LOG_WARNING, "threshold", "%s threshold crossed: grace period shortened to %.1f s",
			     threshold_names[t], d->cfg.urgent_grace_ms / 1000.0);
		else if (!crossed[t] && d->threshold_crossed[t])
			zlog(LOG_NOTICE, "threshold", "%s back below its threshold", threshold_names[t]);
		d->threshold_crossed[t] = crossed[t];
	}
}

static void reap(struct daemon *d, const struct zcg_age_target *targets, size_t n)
{
	struct daemon_reap_outcome out;
	struct daemon_reap_request req = {
		.sys = d->ctx->sys,
		.scope = d->scope,
		.targets = targets,
		.n_targets = n,
		.protected_reclaim = d->cfg.protected_reclaim,
		.tmpfs_recharge_target = d->tmpfs_target,
		.cancelled = term_pending,
		.userdata = d,
	};
	int64_t cpu0;
	int r;

	if (!d->cfg.reap || !n)
		return;
	if (!d->reap_available) {
		if (!d->eligible_logged)
			zlog(LOG_NOTICE, "reap", "%s: zombies past their grace period are counted, not freed",
			     d->reap_unavailable_reason);
		d->eligible_logged = true;
		return;
	}
	zcg_cpu_bucket_refill(&d->budget, daemon_now_ms() * 1000000ull);
	req.cpu_budget_ns = zcg_cpu_bucket_available(&d->budget);
	if (req.cpu_budget_ns <= 0) {
		zlog(LOG_DEBUG, "reap", "CPU budget spent: waiting %.1f s", zcg_cpu_bucket_wait_ns(&d->budget) / 1e9);
		return;
	}
	if (!d->reap_batch)
		d->reap_batch = REAP_BATCH_FIRST;
	if (req.n_targets > d->reap_batch)
		req.n_targets = d->reap_batch;
	cpu0 = process_cpu_ns();
	r = daemon_reap_step(&req, &out);
	if (r == -EOPNOTSUPP) {
		d->reap_available = false;
		zlog(LOG_NOTICE, "reap", "%s", out.message);
		return;
	}
	if (out.cpu_ns < 0)
		out.cpu_ns = process_cpu_ns() - cpu0;
	/* A step's censuses and explain cost about the same whatever its batch: a full batch the
	 * step got through doubles, so that on a big backlog each step frees more for that cost;
	 * one whose acting ran out of budget halves. */
	if (out.stopped && d->reap_batch > REAP_BATCH_MIN)
		d->reap_batch /= 2;
	else if (!out.stopped && req.n_targets == d->reap_batch && d->reap_batch < REAP_BATCH_MAX)
		d->reap_batch *= 2;
	d->reaped += out.reaped;
	d->evicted_bytes += out.evicted_bytes;
	d->period_reaped += out.reaped;
	d->period_evicted += out.evicted_bytes;
	d->reap_cpu_s += (double)out.cpu_ns / 1e9;
	if (out.have_unreclaimable) {
		d->have_unreclaimable = true;
		memcpy(d->unreclaimable, out.unreclaimable, sizeof(d->unreclaimable));
	}
	if (r < 0) {
		d->reap_errors++;
		zlog(LOG_ERR, "reap", "%s", out.message[0] ? out.message : strerror(-r));
	} else {
		zlog(out.reaped ? LOG_INFO : LOG_DEBUG, "reap", "%s", out.message);
	}
}

/* One census, and with may_reap the reap step for what is past its grace period. */
static int step(struct daemon *d, bool may_reap)
{
	struct zcg_census_opts opts = { .scope = d->scope, .no_bpf = !d->cfg.bpf };
	_cleanup_free_ struct zcg_age_target *targets = NULL;
	struct zcg_census *c = NULL;
	uint64_t t0 = now_ns(), now;
	int64_t cpu0 = process_cpu_ns();
	size_t n = 0;
	int r;

	zcg_error_clear();
	/* removals before the census: each one drained happened before it, so a record whose
	 * cgroup the census does not show dying left no zombie */
	daemon_removals_drain(&d->removals);
	r = zcg_census_take(d->ctx->sys, &opts, &c);
	d->scan_duration_s = (double)(now_ns() - t0) / 1e9;
	now = daemon_now_ms();
	if (r < 0) {
		d->scan_errors++;
		if (!d->census_failing)
			zlog(LOG_ERR, "census", "%s", zcg_error_message() ? zcg_error_message() : strerror(-r));
		d->census_failing = true;
		publish(d, false);
		return r;
	}
	if (d->census_failing)
		zlog(LOG_NOTICE, "census", "census works again");
	d->census_failing = false;
	zcg_census_free(d->census);
	d->census = c;
	d->scans++;
	d->last_scan_wall = wall_now();

	/* A census more expensive than the whole budget leaves nothing for reaping: say so once. */
	if ((double)(process_cpu_ns() - cpu0) > d->cfg.cpu_budget * 1e6 * (double)d->cfg.interval_ms) {
		if (!d->over_budget_logged)
			zlog(LOG_WARNING, "budget", "a census takes %.1f ms of CPU, more than cpu_budget "
			     "allows per interval: raise interval or cpu_budget",
			     (double)(process_cpu_ns() - cpu0) / 1e6);
		d->over_budget_logged = true;
	}

	track_origins(d, c);
	r = zcg_ages_update(d->ages, c, now);
	if (r == 0) {
		check_thresholds(d);
		r = zcg_ages_eligible(d->ages, now, urgent(d) ? d->cfg.urgent_grace_ms : d->cfg.grace_ms,
				      &targets, &n);
	}
	if (r < 0) {
		zlog(LOG_ERR, "census", "cannot track zombie ages: out of memory");
		d->eligible_memcgs = d->eligible_parents = -1;
	} else {
		zcg_ages_summarize(targets, n, &d->eligible_memcgs, &d->eligible_parents);
		zlog(LOG_DEBUG, "census", "%llu live, %lld dying, %lld bytes pinned, %zu target(s) past "
		     "grace, %.1f ms", (unsigned long long)c->live, (long long)c->dying,
		     (long long)c->pinned_bytes, n, d->scan_duration_s * 1000);
		if (!n)
			d->eligible_logged = false;
		if (may_reap)
			reap(d, targets, n);
	}
	history_tick(d, daemon_now_ms());
	publish(d, true);
	return 0;
}

static void charge_budget(struct daemon *d)
{
	int64_t cpu = process_cpu_ns();

	zcg_cpu_bucket_refill(&d->budget, daemon_now_ms() * 1000000ull);
	zcg_cpu_bucket_charge(&d->budget, cpu - d->cpu_charged_ns);
	d->cpu_charged_ns = cpu;
}

/* ---- reload ------------------------------------------------------------------------------ */

static bool str_changed(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && !streq(a, b));
}

/* Applies the configuration file again. Everything that can fail is tried before anything
 * changes, so a bad file, a cgroup that is gone or a port in use leave the old configuration
 * in force, whole. */
static void reload(struct daemon *d)
{
	struct zcg_config next;
	_cleanup_free_ char *scope = NULL, *tmpfs = NULL;
	struct daemon_http *http = NULL;
	bool http_changed;
	int r;

	zcg_sd_notify("RELOADING=1");
	zcg_error_clear();
	r = build_config(d, &next);
	if (r < 0) {
		zlog(LOG_ERR, "config", "%s; the previous configuration stays in force",
		     zcg_error_message() ? zcg_error_message() : strerror(-r));
		d->config_ok = false;
		goto out;
	}
	r = resolve_paths(d, &next, &scope, &tmpfs);
	http_changed = str_changed(next.listen, d->cfg.listen);
	if (r == 0 && http_changed && next.listen) {
		r = daemon_http_start(next.listen, &d->pub, &http);
		if (r == -EADDRINUSE && d->http) {
			/* Probably the same port on another address: free it, and take the old
			 * address back if the new one still cannot be bound. */
			char detail[512];

			daemon_http_stop(d->http);
			d->http = NULL;
			r = daemon_http_start(next.listen, &d->pub, &http);
			if (r < 0) {
				snprintf(detail, sizeof(detail), "%s", zcg_error_message() ? zcg_error_message() : "");
				if (daemon_http_start(d->cfg.listen, &d->pub, &d->http) < 0)
					zlog(LOG_ERR, "http", "cannot listen on %s again: %s", d->cfg.listen,
					     zcg_error_message());
				zcg_error(r, "%s", detail);
			}
		}
	}
	if (r < 0) {
		zlog(LOG_ERR, "config", "%s: %s; the previous configuration stays in force",
		     d->config_path ? d->config_path : "command line",
		     zcg_error_message() ? zcg_error_message() : strerror(-r));
		zcg_config_done(&next);
		d->config_ok = false;
		goto out;
	}

	/* Commit. */
	if (http_changed) {
		daemon_http_stop(d->http);
		d->http = http;
		if (http)
			zlog(LOG_NOTICE, "http", "listening on %s", daemon_http_address(http));
	}
	if (!streq(scope, d->scope)) {
		/* ages are relative to what the census sees: a new scope starts them afresh */
		struct zcg_ages *ages = NULL;

		if (zcg_ages_new(&ages) == 0) {
			zcg_ages_free(d->ages);
			d->ages = ages;
		}
	}
	free(d->scope);
	d->scope = TAKE_PTR(scope);
	free(d->tmpfs_target);
	d->tmpfs_target = TAKE_PTR(tmpfs);
	if (next.idle_priority != d->cfg.idle_priority)
		zlog(LOG_NOTICE, "config", "idle_priority changes at the next start");
	bool history_changed = str_changed(next.history_file, d->cfg.history_file) ||
			       next.history_records != d->cfg.history_records;
	zcg_config_done(&d->cfg);
	d->cfg = next;
	log_setup(d->cfg.log_json, d->cfg.log_level);
	zcg_cpu_bucket_set(&d->budget, d->cfg.cpu_budget, budget_burst_ns(d->cfg.cpu_budget));
	enable_thresholds(d);
	if (history_changed) {
		zcg_history_close(d->history);
		d->history = NULL;
		r = open_history(d);
		if (r < 0)
			zlog(LOG_ERR, "history", "%s: history is off until the next reload",
			     zcg_error_message() ? zcg_error_message() : strerror(-r));
	}
	d->config_ok = true;
	d->config_ok_wall = wall_now();
	zlog(LOG_NOTICE, "config", "reloaded %s: scope %s, interval %.1f s, grace period %.1f s",
	     d->config_path ? d->config_path : "(defaults and command line)", d->scope,
	     d->cfg.interval_ms / 1000.0, d->cfg.grace_ms / 1000.0);
out:
	zcg_sd_notify("READY=1");
}

/* ---- start, loop, stop ---------------------------------------------------------------- */

static int setup_signals(struct daemon *d)
{
	sigset_t mask;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	/* blocked before any thread exists, so every thread inherits the mask */
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	d->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	return d->sigfd < 0 ? -errno : 0;
}

static int loop(struct daemon *d)
{
	uint64_t now = daemon_now_ms();
	uint64_t next_scan = now + d->cfg.interval_ms;
	/* half the watchdog interval, in ms, never 0 (that would spin) */
	uint64_t ping_ms = d->watchdog_usec / 2000 ? d->watchdog_usec / 2000 : 1;
	uint64_t next_watchdog = d->watchdog_usec ? now + ping_ms : UINT64_MAX;
	bool stop = false, hup = false;

	while (!stop) {
		struct signalfd_siginfo si;
		struct pollfd pfd = { .fd = d->sigfd, .events = POLLIN };
		uint64_t wake = next_scan < next_watchdog ? next_scan : next_watchdog;
		int timeout;

		now = daemon_now_ms();
		timeout = wake > now ? (int)(wake - now > 60000 ? 60000 : wake - now) : 0;
		if (poll(&pfd, 1, timeout) < 0 && errno != EINTR)
			return -errno;
		while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo == SIGHUP)
				hup = true;
			else
				stop = true;
		}
		if (stop)
			break;
		now = daemon_now_ms();
		if (now >= next_watchdog) {
			zcg_sd_notify("WATCHDOG=1");
			next_watchdog = now + ping_ms;
		}
		if (hup) {
			hup = false;
			reload(d);
			next_scan = now;	/* show the new configuration's effect at once */
		}
		if (now >= next_scan) {
			step(d, true);
			charge_budget(d);
			/* The next census an interval after this step ends: a step that takes
			 * long (a slow machine, a big reap) leaves the budget room to refill. */
			next_scan = daemon_now_ms() + d->cfg.interval_ms;
		}
	}
	zlog(LOG_NOTICE, "daemon", "stopping");
	zcg_sd_notify("STOPPING=1");
	return 0;
}

static void daemon_free(struct daemon *d)
{
	daemon_http_stop(d->http);
	zcg_history_close(d->history);
	zcg_ages_free(d->ages);
	zcg_origin_tracker_free(d->origins);
	daemon_removals_stop(&d->removals);
	zcg_census_free(d->census);
	zcg_config_done(&d->cfg);
	free(d->scope);
	free(d->tmpfs_target);
	free(d->pub.metrics);
	if (d->sigfd >= 0)
		close(d->sigfd);
	pthread_mutex_destroy(&d->pub.lock);
}

static int daemon_parse_option(struct zcg_ctx *ctx, int opt, const char *arg)
{
	uint64_t ms;
	char addr[128];
	uint16_t port;

	switch (opt) {
	case OPT_CONFIG:
		daemon_args.config = arg;
		break;
	case OPT_INTERVAL:
		if (zcg_parse_duration_ms(arg, &ms) < 0)
			return zcg_usage_error(ctx, "daemon: --interval '%s' is not a duration (like 60, 30s, "
					       "500ms, 5m)", arg), -EINVAL;
		daemon_args.interval = arg;
		break;
	case OPT_LISTEN:
		if (!streq(arg, "off") && zcg_parse_listen(arg, addr, sizeof(addr), &port) < 0)
			return zcg_usage_error(ctx, "daemon: --listen '%s' is not ADDR:PORT (like "
					       "127.0.0.1:9771, [::1]:9771, :9771) or off", arg), -EINVAL;
		daemon_args.listen = arg;
		break;
	case OPT_TEXTFILE:
		if (arg[0] != '/')
			return zcg_usage_error(ctx, "daemon: --textfile '%s' is not an absolute directory",
					       arg), -EINVAL;
		daemon_args.textfile = arg;
		break;
	case OPT_LOG_JSON:
		daemon_args.log_json = true;
		break;
	case OPT_ONCE:
		daemon_args.once = true;
		break;
	case OPT_CHECK_CONFIG:
		daemon_args.check_config = true;
		break;
	}
	return 0;
}

/* --check-config: the file (and options) parsed; now whether the cgroups it names exist.
 * sys_r is what opening the memory hierarchy returned. Returns the exit code: 0 valid,
 * 1 a cgroup it names is missing (the daemon would not start), 0 with a note where the
 * hierarchy could not be read to check. */
static int check_config(struct daemon *d, int sys_r)
{
	struct zcg_ctx *ctx = d->ctx;
	_cleanup_free_ char *scope = NULL, *tmpfs = NULL, *unchecked = NULL, *missing = NULL;
	const char *name = d->config_path ? d->config_path : "defaults and command line";
	bool names_cgroups = d->cfg.under || d->cfg.tmpfs_recharge_target;
	int r;

	if (sys_r < 0 && names_cgroups) {
		unchecked = strdup_printf("under and tmpfs_recharge_target not checked: %s",
					  zcg_error_message() ? zcg_error_message() : strerror(-sys_r));
	} else if (names_cgroups) {
		zcg_error_clear();
		r = resolve_paths(d, &d->cfg, &scope, &tmpfs);
		if (r < 0)
			missing = strdup(zcg_error_message() ? zcg_error_message() : strerror(-r));
	}
	if (ctx->json) {
		json_object_begin(&ctx->out, NULL);
		json_string(&ctx->out, "config", d->config_path);
		json_bool(&ctx->out, "valid", true);
		json_bool(&ctx->out, "cgroups_checked", !unchecked);
		if (unchecked)
			json_string(&ctx->out, "note", unchecked);
		if (missing)
			json_string(&ctx->out, "error", missing);
		json_object_end(&ctx->out);
		json_finish(&ctx->out);
	} else if (missing) {
		fprintf(stderr, "zombiecg: %s: parses, but %s\n", esc(name), esc(missing));
	} else {
		printf("%s: valid%s%s\n", esc(name), unchecked ? "; " : "", unchecked ? esc(unchecked) : "");
	}
	zcg_config_done(&d->cfg);
	return missing ? EXIT_FAIL : EXIT_OK;
}

static int daemon_run(struct zcg_ctx *ctx, int argc, char **argv)
{
	struct daemon d = {
		.ctx = ctx,
		.sigfd = -1,
		.scan_duration_s = -1,
		.eligible_memcgs = -1,
		.eligible_parents = -1,
		.pub = { .lock = PTHREAD_MUTEX_INITIALIZER },
	};
	_cleanup_free_ char *default_config = NULL;
	int r, exit_code = EXIT_FAIL;

	if (argc > 0)
		return zcg_usage_error(ctx, "daemon: unexpected argument '%s'", argv[0]);
	d.start_wall = wall_now();
	default_config = zcg_state_path(ZCG_CONFIG_DEFAULT_PATH);
	if (!default_config)
		return zcg_fail(ctx, -ENOMEM, NULL);
	if (daemon_args.config)
		d.config_path = daemon_args.config;
	else if (access(default_config, F_OK) == 0)
		d.config_path = default_config;

	zcg_error_clear();
	r = build_config(&d, &d.cfg);
	if (r < 0 && r != -ENOMEM) {
		/* an invalid, missing or unreadable file, or a bad option, is the caller's to
		 * fix: a usage error, like any other configuration error */
		zcg_fail(ctx, r, NULL);
		return EXIT_USAGE;
	}
	if (r < 0)
		return zcg_fail(ctx, r, NULL);
	/* The memory hierarchy is opened here, not before the command, so --check-config can
	 * still judge the file where it cannot be found. */
	r = zcg_sys_open(ctx->sysroot, &ctx->sys);
	if (r < 0 && !daemon_args.check_config)
		return zcg_fail(ctx, r, NULL);
	if (daemon_args.check_config)
		return check_config(&d, r);
	log_setup(d.cfg.log_json, d.cfg.log_level);
	d.config_ok = true;
	d.config_ok_wall = wall_now();

	r = resolve_paths(&d, &d.cfg, &d.scope, &d.tmpfs_target);
	if (r < 0) {
		zlog(LOG_ERR, "config", "%s", zcg_error_message());
		goto out;
	}
	enable_thresholds(&d);
	d.reap_available = daemon_reap_available(&d.reap_unavailable_reason);
	if (zcg_ages_new(&d.ages) < 0 || zcg_origin_tracker_new(&d.origins) < 0 ||
	    daemon_removals_start(&d.removals, ctx->sys, d.cfg.bpf && !daemon_args.once, d.cfg.top_origins) < 0) {
		zlog(LOG_ERR, "daemon", "out of memory");
		goto out;
	}
	zcg_cpu_bucket_init(&d.budget, d.cfg.cpu_budget, budget_burst_ns(d.cfg.cpu_budget),
			daemon_now_ms() * 1000000ull);
	r = open_history(&d);
	if (r < 0) {
		zlog(LOG_ERR, "history", "%s", zcg_error_message() ? zcg_error_message() : strerror(-r));
		goto out;
	}

	if (d.cfg.idle_priority)
		set_idle_priority();
	if (daemon_args.once) {
		d.next_history_ms = 0;	/* every run leaves a sample (cron and timers) */
		r = step(&d, true);
		exit_code = r < 0 ? EXIT_FAIL : EXIT_OK;
		goto out;
	}

	r = setup_signals(&d);
	if (r < 0) {
		zlog(LOG_ERR, "daemon", "cannot set up signal handling: %s", strerror(-r));
		goto out;
	}
	r = zcg_sd_watchdog_usec(&d.watchdog_usec);
	if (r < 0)
		zlog(LOG_WARNING, "daemon", "ignoring malformed WATCHDOG_USEC/WATCHDOG_PID");
	zlog(LOG_INFO, "daemon", "zombiecg %s: %s, scope %s, interval %.1f s, grace period %.1f s, "
	     "cpu budget %.2f%% of one CPU%s%s", ZCG_VERSION, d.config_path ? d.config_path : "no config file",
	     d.scope, d.cfg.interval_ms / 1000.0, d.cfg.grace_ms / 1000.0, d.cfg.cpu_budget * 100,
	     d.reap_available ? "" : "; ", d.reap_available ? "" : d.reap_unavailable_reason);

	/* A first census before serving, so /metrics is never empty when READY=1 is sent. Only
	 * a census: a reap step can take minutes (a backlog, the CPU budget), which would hold
	 * READY=1 past systemd's start timeout and leave /metrics unserved meanwhile. */
	step(&d, false);
	charge_budget(&d);
	if (d.cfg.listen) {
		r = daemon_http_start(d.cfg.listen, &d.pub, &d.http);
		if (r < 0) {
			zlog(LOG_ERR, "http", "%s", zcg_error_message());
			goto out;
		}
		zlog(LOG_NOTICE, "http", "listening on %s", daemon_http_address(d.http));
	}
	zcg_sd_notify("READY=1");
	r = loop(&d);
	exit_code = r < 0 ? EXIT_FAIL : EXIT_OK;
out:
	daemon_free(&d);
	return exit_code;
}

const struct zcg_command cmd_daemon = {
	.name = "daemon",
	.args = "[--config FILE] [--interval S] [--listen ADDR:PORT|off] [--textfile DIR] [--log-json] [--once] [--check-config]",
	.summary = "watch zombies continuously: metrics, history, reaping past a grace period",
	.options = daemon_options,
	.parse_option = daemon_parse_option,
	.run = daemon_run,
	.needs_sys = false,	/* opened in daemon_run(), after the configuration */
};
