/* SPDX-License-Identifier: GPL-2.0 */
/* Prometheus text exposition (format 0.0.4) of a census and the daemon's counters. Every
 * family has HELP and TYPE lines; values that are unknown (null in the census, -1 here) are
 * left out rather than reported as 0. The same text serves /metrics and the node_exporter
 * textfile (which must not carry process_* metrics: node_exporter has its own). */
#ifndef ZCG_METRICS_H
#define ZCG_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "census.h"
#include "origins.h"

struct zcg_metrics_label_value {
	const char *label;
	double value;
};

/* Zombies one origin made since the daemon started (zombiecg_zombies_created_total). */
struct zcg_metrics_created {
	const char *origin;
	enum zcg_origin_kind kind;
	uint64_t total;
};

struct zcg_metrics {
	const char *version;
	const char *hierarchy;		/* "v1" or "v2" */
	const struct zcg_census *census;	/* the last good census, NULL before the first */
	unsigned top_parents;		/* series per *_by_parent family, at most */
	const struct zcg_origins *origins;	/* the census's origins cut to top_origins (and
						 * "other"), NULL: the family has no samples */
	/* Removals recorded by the cgroup_rmdir tracepoint that left a zombie, per origin (at
	 * most top_origins series, the rest in created_other); without removal_tracing the
	 * family has no samples. */
	bool removal_tracing;
	const struct zcg_metrics_created *created;
	size_t n_created;
	uint64_t created_other;

	/* What the daemon would act on (-1: unknown, e.g. v1 counts zombies host-wide only). */
	int64_t eligible_memcgs;	/* zombies past their grace period */
	int64_t eligible_parents;	/* live parents holding such zombies */
	const struct zcg_metrics_label_value *thresholds;	/* enabled ones: 1 crossed, 0 not */
	size_t n_thresholds;

	/* Reaping: counters stay at 0 while reap_available is false. */
	bool reap_available;
	uint64_t reaped_total;
	uint64_t reap_evicted_bytes_total;
	double reap_cpu_seconds_total;
	uint64_t reap_errors_total;
	const struct zcg_metrics_label_value *unreclaimable;	/* NULL: unknown, left out */
	size_t n_unreclaimable;

	/* Scanning. */
	double scan_duration_seconds;	/* < 0: no census yet */
	double last_scan_timestamp_seconds;	/* 0: none */
	uint64_t scans_total;
	uint64_t scan_errors_total;

	/* Policy in force. */
	double grace_period_seconds;
	double cpu_budget_ratio;
	bool config_reload_ok;
	double config_reload_timestamp_seconds;

	/* The process itself (ZCG_METRICS_PROCESS only). */
	double process_cpu_seconds_total;
	int64_t process_resident_memory_bytes;	/* -1: unknown */
	double process_start_time_seconds;
};

enum {
	ZCG_METRICS_PROCESS = 1 << 0,	/* add process_* families (HTTP, not the textfile) */
};

/* Renders m into a newly allocated NUL-terminated text.
 * Returns 0 and sets *ret_text (and *ret_len if not NULL), or -ENOMEM. */
int zcg_metrics_render(const struct zcg_metrics *m, unsigned flags, char **ret_text, size_t *ret_len);

/* Writes s as the inside of a quoted label value: backslash, double quote and newline are
 * escaped, bytes that are not valid UTF-8 become U+FFFD (cgroup names may hold anything but
 * '/' and NUL; the exposition format must be UTF-8). */
void zcg_metrics_write_label_value(FILE *f, const char *s);

#endif
