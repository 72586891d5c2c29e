/* SPDX-License-Identifier: GPL-2.0 */
/* The daemon's policy: defaults, a `key = value` file, and overrides from the command line.
 * A file is applied to a scratch copy and only handed out whole, so a bad file never leaves
 * a half-applied policy behind (SIGHUP keeps the old one in force). */
#ifndef ZCG_CONFIG_H
#define ZCG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ZCG_CONFIG_DEFAULT_PATH "/etc/zombiecg/zombiecg.conf"

struct zcg_config {
	uint64_t interval_ms;		/* between two censuses */
	char *under;			/* scope as written (cgroupfs or hierarchy path), NULL: all */
	uint64_t grace_ms;		/* zombies younger than this are never acted on */
	uint64_t urgent_grace_ms;	/* the grace period while a threshold below is crossed */
	bool urgent_grace_set;		/* urgent_grace_ms was set, not the default */
	int64_t dying_threshold;	/* act sooner at this many dying memcgs, 0: off */
	int64_t pinned_threshold_bytes;	/* act sooner at this many pinned bytes, 0: off */
	int64_t id_headroom_min;	/* act sooner when fewer memcg IDs than this are left, 0: off */
	double cpu_budget;		/* fraction of one CPU, averaged (0.01 = 1%) */
	bool reap;			/* free zombies past their grace period (false: observe only) */
	bool protected_reclaim;		/* shield live siblings (memory.min) while reclaiming */
	char *tmpfs_recharge_target;	/* cgroup that takes over zombies' tmpfs pages, NULL: off */
	bool bpf;			/* use the BPF census source where it works */
	char *listen;			/* "ADDR:PORT" for /metrics and /healthz, NULL: off */
	char *textfile_dir;		/* node_exporter textfile collector directory, NULL: off */
	char *history_file;		/* on-disk ring of samples, NULL: off */
	uint64_t history_interval_ms;	/* one sample per this period */
	uint32_t history_records;	/* ring capacity */
	uint32_t top_parents;		/* bound on the per-parent metrics' series */
	uint32_t top_origins;		/* origins in the per-origin metric, the rest "other" */
	bool idle_priority;		/* SCHED_IDLE and the idle I/O class */
	int log_level;			/* syslog priority: messages above it are dropped */
	bool log_json;			/* one JSON object per log line */
};

/* Fills c with the defaults (see README "Configuration"). */
void zcg_config_init(struct zcg_config *c);
/* Frees what c owns; c may then be initialised again. */
void zcg_config_done(struct zcg_config *c);
/* Deep copy. Returns 0 or -ENOMEM (dst is then initialised with defaults). */
int zcg_config_copy(struct zcg_config *dst, const struct zcg_config *src);

/* Sets one key from its string form, as in a file. Returns 0; -ENOENT for an unknown key and
 * -EINVAL for a bad value, both with a detail message naming the key (no file or line). */
int zcg_config_set(struct zcg_config *c, const char *key, const char *value);

/* Applies `key = value` lines (`#` starts a comment: a whole line, or after white space) to c,
 * then checks the keys against each other. origin names the text in messages ("FILE").
 * Returns 0; -EINVAL with a detail message "ORIGIN:LINE: ..." for a bad line or
 * "ORIGIN: ..." for keys that contradict each other. c may be partly changed on failure:
 * parse into a copy. */
int zcg_config_parse(struct zcg_config *c, const char *text, const char *origin);

/* Reads path and parses it into c as zcg_config_parse() does.
 * Returns 0, -errno with "cannot read PATH: ..." if it cannot be read, or -EINVAL as above. */
int zcg_config_load(struct zcg_config *c, const char *path);

/* Checks keys against each other (used after command-line overrides too). A default
 * urgent_grace_period longer than a configured grace_period is lowered to it; one set
 * explicitly is an error. Cgroup paths are not checked here: whether they exist is for the
 * daemon to find out in the hierarchy.
 * Returns 0 or -EINVAL with a detail message prefixed by origin. */
int zcg_config_check(struct zcg_config *c, const char *origin);

/* Value parsers, shared with the command line. Each returns 0 or -EINVAL (-ERANGE).
 * Durations: "90", "90s", "500ms", "5m", "2h", "7d" (a bare number is seconds). */
int zcg_parse_duration_ms(const char *s, uint64_t *ret_ms);
/* Sizes: "4096", "512K", "64MiB", "1G", "2TB" (powers of 1024). */
int zcg_parse_size(const char *s, uint64_t *ret_bytes);
/* Booleans: yes/no, true/false, on/off, 1/0. */
int zcg_parse_bool(const char *s, bool *ret);
/* "ADDR:PORT", "[V6ADDR]:PORT", ":PORT" (all addresses). Port 0 picks a free one.
 * Writes the address (without brackets, "" for all) into addr (size >= 64). */
int zcg_parse_listen(const char *s, char *addr, size_t addr_size, uint16_t *ret_port);

/* Syslog priority names: "err", "warning", "notice", "info", "debug". Returns the priority
 * or -EINVAL. */
int zcg_parse_log_level(const char *s);

#endif
