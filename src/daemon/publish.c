// SPDX-License-Identifier: GPL-2.0
/* What the daemon tells the world after each census: the metrics (rendered for the HTTP
 * thread and the node_exporter textfile), the status line for systemd, a history sample
 * when one is due, and the origins state file for `zombiecg origins`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "fileio.h"
#include "log.h"
#include "metrics.h"
#include "sdnotify.h"
#include "state.h"
#include "text.h"
#include "util.h"

const char *const daemon_unreclaimable_names[_DAEMON_UNRECL_MAX] = {
	[DAEMON_UNRECL_MAPPED] = "mapped",
	[DAEMON_UNRECL_SHMEM] = "shmem",
	[DAEMON_UNRECL_DIRTY] = "dirty",
	[DAEMON_UNRECL_SWAP] = "swap",
	[DAEMON_UNRECL_BUDGET] = "budget",
	[DAEMON_UNRECL_OTHER] = "other",
};

#define TEXTFILE_NAME "zombiecg.prom"
/* node_exporter collects *.prom only: the temporary name must not end in .prom */
#define TEXTFILE_TMP_NAME ".zombiecg.prom.tmp"

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

/* ---- history ----------------------------------------------------------------------------- */

void daemon_history_tick(struct daemon *d, uint64_t now_ms)
{
	struct zcg_history_sample s = {0};
	const struct zcg_census *c = d->res.census;
	uint64_t now = (uint64_t)time(NULL);
	int r;

	if (!d->res.history || !c || now_ms < d->pace.next_history_ms)
		return;
	d->pace.next_history_ms = now_ms + d->conf.cfg.history_interval_ms;
	s.time = now;
	if (d->pace.last_sample_wall && d->pace.last_sample_wall < now &&
	    now - d->pace.last_sample_wall <= 2 * d->conf.cfg.history_interval_ms / 1000 + 1)
		s.period_s = (uint32_t)(now - d->pace.last_sample_wall);
	else
		s.period_s = (uint32_t)((d->conf.cfg.history_interval_ms + 999) / 1000);
	s.flags = (c->hierarchy == ZCG_HIER_V2 ? ZCG_SAMPLE_V2 : 0) |
		  (streq(c->source, "bpf") ? ZCG_SAMPLE_BPF : 0) |
		  (d->stats.reap_available ? ZCG_SAMPLE_REAP_AVAILABLE : 0);
	s.live = c->live;
	s.dying = c->dying;
	s.pinned_bytes = c->pinned_bytes;
	s.memcg_ids_used = c->memcg_ids_used;
	s.reaped = d->pace.period_reaped;
	s.evicted_bytes = d->pace.period_evicted;
	r = zcg_history_append(d->res.history, &s);
	if (r < 0) {
		if (!d->logged.history_failing)
			zlog(LOG_ERR, "history", "%s", zcg_strerror(r));
		d->logged.history_failing = true;
		return;
	}
	if (d->logged.history_failing)
		zlog(LOG_NOTICE, "history", "writing %s again", d->conf.cfg.history_file);
	d->logged.history_failing = false;
	d->pace.last_sample_wall = now;
	d->pace.period_reaped = d->pace.period_evicted = 0;
}

/* ---- publishing ---------------------------------------------------------------------------- */

static void status_line(const struct daemon *d, char *buf, size_t size)
{
	const struct zcg_census *c = d->res.census;
	char bytes[32], dying[32], eligible[48];

	if (!c) {
		snprintf(buf, size, "no census yet");
		return;
	}
	if (c->dying >= 0)
		snprintf(dying, sizeof(dying), "%lld", (long long)c->dying);
	else
		snprintf(dying, sizeof(dying), "unknown");
	if (d->stats.eligible_memcgs >= 0)
		snprintf(eligible, sizeof(eligible), "%lld past grace", (long long)d->stats.eligible_memcgs);
	else
		snprintf(eligible, sizeof(eligible), "%lld parent(s) past grace",
			 (long long)d->stats.eligible_parents);
	snprintf(buf, size, "%s dying, %s pinned, %s; %s", dying,
		 format_bytes(c->pinned_bytes, bytes, sizeof(bytes)), eligible,
		 !d->stats.reap_available ? d->stats.reap_unavailable_reason :
		 d->conf.cfg.reap ? "reaping" : "reap = no");
}

static void fill_metrics(const struct daemon *d, struct zcg_metrics *m,
			 struct zcg_metrics_label_value *thresholds,
			 struct zcg_metrics_label_value *unreclaimable)
{
	size_t n_thresholds = 0;

	for (int t = 0; t < _THRESHOLD_MAX; t++)
		if (d->conf.threshold_enabled[t])
			thresholds[n_thresholds++] = (struct zcg_metrics_label_value){
				daemon_threshold_names[t], d->stats.threshold_crossed[t] ? 1 : 0 };
	for (int k = 0; k < _DAEMON_UNRECL_MAX; k++)
		unreclaimable[k] = (struct zcg_metrics_label_value){
			daemon_unreclaimable_names[k], (double)d->stats.unreclaimable[k] };
	*m = (struct zcg_metrics){
		.version = ZCG_VERSION,
		.hierarchy = d->ctx->sys->hierarchy == ZCG_HIER_V2 ? "v2" : "v1",
		.census = d->res.census,
		.top_parents = d->conf.cfg.top_parents,
		.eligible_memcgs = d->res.census ? d->stats.eligible_memcgs : -1,
		.eligible_parents = d->res.census ? d->stats.eligible_parents : -1,
		.thresholds = thresholds,
		.n_thresholds = n_thresholds,
		.reap_available = d->stats.reap_available,
		.reaped_total = d->stats.reaped,
		.reap_evicted_bytes_total = d->stats.evicted_bytes,
		.reap_cpu_seconds_total = (double)d->stats.reap_cpu_ns / 1e9,
		.reap_errors_total = d->stats.reap_errors,
		.unreclaimable = d->stats.have_unreclaimable ? unreclaimable : NULL,
		.n_unreclaimable = d->stats.have_unreclaimable ? _DAEMON_UNRECL_MAX : 0,
		.scan_duration_seconds =
			d->stats.scan_duration_ns < 0 ? -1 : (double)d->stats.scan_duration_ns / 1e9,
		.last_scan_timestamp_seconds = d->stats.last_scan_wall,
		.scans_total = d->stats.scans,
		.scan_errors_total = d->stats.scan_errors,
		.grace_period_seconds = daemon_grace_ms(d) / 1000.0,
		.cpu_budget_ratio = d->conf.cfg.cpu_budget,
		.config_reload_ok = d->stats.config_ok,
		.config_reload_timestamp_seconds = d->stats.config_ok_wall,
		.process_cpu_seconds_total = (double)zcg_process_cpu_ns() / 1e9,
		.process_resident_memory_bytes = rss_bytes(),
		.process_start_time_seconds = d->stats.start_wall,
	};
}

static void write_textfile(struct daemon *d, const char *text, size_t len)
{
	_cleanup_free_ char *path = NULL, *tmp = NULL;
	int r;

	if (!d->conf.cfg.textfile_dir)
		return;
	path = path_join(d->conf.cfg.textfile_dir, TEXTFILE_NAME);
	tmp = path_join(d->conf.cfg.textfile_dir, TEXTFILE_TMP_NAME);
	if (!path || !tmp)
		return;
	r = zcg_write_file_atomic(path, tmp, text, len);
	if (r < 0) {
		if (!d->logged.textfile_failing)
			zlog(LOG_ERR, "textfile", "%s", zcg_strerror(r));
		d->logged.textfile_failing = true;
		return;
	}
	if (d->logged.textfile_failing)
		zlog(LOG_NOTICE, "textfile", "writing %s again", path);
	d->logged.textfile_failing = false;
}

void daemon_publish(struct daemon *d, bool census_ok)
{
	struct zcg_metrics_label_value thresholds[_THRESHOLD_MAX], unreclaimable[_DAEMON_UNRECL_MAX];
	struct zcg_origins *origins = NULL, *top_origins = NULL;
	struct zcg_metrics m;
	char *http_text = NULL, *file_text = NULL, status[200];
	size_t http_len = 0, file_len = 0;

	fill_metrics(d, &m, thresholds, unreclaimable);
	daemon_removals_metrics(&d->res.removals, &m);
	status_line(d, status, sizeof(status));
	/* timers are looked up (a few access() calls), restart counts not: no exec per census */
	if (d->res.census && zcg_origins_group_cached(d->res.census, d->res.removals.rm, d->res.origins, &origins) == 0 &&
	    zcg_origins_look_up_facts(origins, d->ctx->sysroot ?: "", false) == 0)
		zcg_origins_top(origins, d->conf.cfg.top_origins, &top_origins);
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
	pthread_mutex_lock(&d->res.pub.lock);
	free(d->res.pub.metrics);
	d->res.pub.metrics = http_text;
	d->res.pub.metrics_len = http_len;
	if (census_ok)
		d->res.pub.last_ok_ms = daemon_now_ms();
	d->res.pub.stale_after_ms = 3 * d->conf.cfg.interval_ms + 30000;
	snprintf(d->res.pub.status, sizeof(d->res.pub.status), "%s", status);
	pthread_mutex_unlock(&d->res.pub.lock);

	write_textfile(d, file_text, file_len);
	free(file_text);
	if (d->res.watchdog_usec || getenv("NOTIFY_SOCKET")) {
		_cleanup_free_ char *msg = strdup_printf("STATUS=%s", status);

		if (msg)
			zcg_sd_notify(msg);
	}
}

/* ---- origins ----------------------------------------------------------------------------- */

/* The run directory's origins file. */
void daemon_track_origins(struct daemon *d, const struct zcg_census *c)
{
	_cleanup_free_ char *path = path_join(zcg_run_dir(), ZCG_ORIGINS_STATE_FILE);
	int r;

	if (!path)
		return;
	daemon_removals_reconcile(&d->res.removals, c);
	r = zcg_origin_tracker_update(d->res.origins, c, d->res.removals.rm, (uint64_t)d->stats.last_scan_wall);
	if (r == 0)
		return;	/* cgroupfs: no names to follow, no state to write */
	if (r > 0) {
		(void)mkdir(zcg_run_dir(), 0755);
		r = zcg_origin_tracker_write(d->res.origins, path);
	}
	if (r < 0 && !d->logged.origins_failing)
		zlog(LOG_WARNING, "origins", "%s", zcg_strerror(r));
	else if (r == 0 && d->logged.origins_failing)
		zlog(LOG_NOTICE, "origins", "writing %s again", path);
	d->logged.origins_failing = r < 0;
}
