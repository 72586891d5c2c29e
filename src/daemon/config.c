// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "config.h"
#include "error.h"
#include "util.h"

enum key_type {
	KEY_DURATION,	/* uint64_t ms */
	KEY_PATH,	/* char *, "" / "off" / "none": NULL */
	KEY_LISTEN,	/* char *, checked as ADDR:PORT, "off": NULL */
	KEY_COUNT,	/* int64_t, 0: off */
	KEY_SIZE,	/* int64_t bytes, 0: off */
	KEY_U32,	/* uint32_t, > 0 */
	KEY_PERCENT,	/* double fraction */
	KEY_BOOL,
	KEY_LOG_LEVEL,	/* int */
};

struct key {
	const char *name;
	enum key_type type;
	size_t offset;
	uint64_t min, max;	/* for durations (ms) and numbers; 0/0: unchecked */
};

#define K(n, t, field, lo, hi) { n, t, offsetof(struct zcg_config, field), lo, hi }
static const struct key keys[] = {
	K("interval", KEY_DURATION, interval_ms, 100, 86400000),
	K("under", KEY_PATH, under, 0, 0),
	K("grace_period", KEY_DURATION, grace_ms, 0, 30ull * 86400000),
	K("urgent_grace_period", KEY_DURATION, urgent_grace_ms, 0, 30ull * 86400000),
	K("dying_threshold", KEY_COUNT, dying_threshold, 0, 100000000),
	K("pinned_threshold", KEY_SIZE, pinned_threshold_bytes, 0, 0),
	K("memcg_id_headroom", KEY_COUNT, id_headroom_min, 0, 65535),
	K("cpu_budget", KEY_PERCENT, cpu_budget, 0, 0),
	K("reap", KEY_BOOL, reap, 0, 0),
	K("protected_reclaim", KEY_BOOL, protected_reclaim, 0, 0),
	K("tmpfs_recharge_target", KEY_PATH, tmpfs_recharge_target, 0, 0),
	K("bpf", KEY_BOOL, bpf, 0, 0),
	K("listen", KEY_LISTEN, listen, 0, 0),
	K("textfile_dir", KEY_PATH, textfile_dir, 0, 0),
	K("history_file", KEY_PATH, history_file, 0, 0),
	K("history_interval", KEY_DURATION, history_interval_ms, 1000, 86400000),
	K("history_records", KEY_U32, history_records, 16, 1000000),
	K("top_parents", KEY_U32, top_parents, 1, 1000),
	K("top_origins", KEY_U32, top_origins, 1, 1000),
	K("idle_priority", KEY_BOOL, idle_priority, 0, 0),
	K("log_level", KEY_LOG_LEVEL, log_level, 0, 0),
	K("log_json", KEY_BOOL, log_json, 0, 0),
};
#undef K

void zcg_config_init(struct zcg_config *c)
{
	*c = (struct zcg_config){
		.interval_ms = 60 * 1000,
		.grace_ms = 5 * 60 * 1000,
		.urgent_grace_ms = 30 * 1000,
		.cpu_budget = 0.01,
		.reap = true,
		.protected_reclaim = true,
		.bpf = true,
		.history_interval_ms = 5 * 60 * 1000,
		.history_records = 8640,	/* 30 days of 5-minute samples, 553 KiB */
		.top_parents = 10,
		.top_origins = 10,
		.idle_priority = true,
		.log_level = LOG_INFO,
	};
	/* Defaults that are strings; without memory the daemon cannot start anyway, and
	 * zcg_config_check() reports a NULL listen as "off", which is harmless. */
	c->listen = strdup("127.0.0.1:9771");
	c->history_file = strdup("/var/lib/zombiecg/history");
}

static char **string_field(struct zcg_config *c, const struct key *k)
{
	return (char **)((char *)c + k->offset);
}

void zcg_config_done(struct zcg_config *c)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (keys[i].type == KEY_PATH || keys[i].type == KEY_LISTEN) {
			free(*string_field(c, &keys[i]));
			*string_field(c, &keys[i]) = NULL;
		}
}

int zcg_config_copy(struct zcg_config *dst, const struct zcg_config *src)
{
	*dst = *src;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		char **f;

		if (keys[i].type != KEY_PATH && keys[i].type != KEY_LISTEN)
			continue;
		f = string_field(dst, &keys[i]);
		if (*f && !(*f = strdup(*f))) {
			/* the fields after i still point into src: clear them before freeing */
			for (size_t j = i + 1; j < ARRAY_SIZE(keys); j++)
				if (keys[j].type == KEY_PATH || keys[j].type == KEY_LISTEN)
					*string_field(dst, &keys[j]) = NULL;
			zcg_config_done(dst);
			zcg_config_init(dst);
			return -ENOMEM;
		}
	}
	return 0;
}

static bool is_off(const char *s)
{
	return !*s || strcasecmp(s, "off") == 0 || strcasecmp(s, "none") == 0 ||
	       strcasecmp(s, "no") == 0;
}

/* A number with an optional unit suffix; units[] maps suffixes to multipliers. */
struct unit {
	const char *suffix;
	uint64_t mult;
};

static int parse_with_unit(const char *s, const struct unit *units, size_t n_units,
			   uint64_t default_mult, uint64_t *ret)
{
	const char *end;
	double v;

	while (isspace((unsigned char)*s))
		s++;
	/* plain decimals only: "0x10" or "1e3" are no durations or sizes anyone writes */
	if (parse_decimal_prefix(s, &v, &end) < 0 || !isfinite(v))
		return -EINVAL;
	while (isspace((unsigned char)*end))
		end++;
	uint64_t mult = default_mult;
	if (*end) {
		size_t l = strlen(end);
		bool found = false;

		while (l > 0 && isspace((unsigned char)end[l - 1]))
			l--;
		for (size_t i = 0; i < n_units; i++)
			if (strlen(units[i].suffix) == l && strncasecmp(end, units[i].suffix, l) == 0) {
				mult = units[i].mult;
				found = true;
				break;
			}
		if (!found)
			return -EINVAL;
	}
	v *= (double)mult;
	if (v >= 18446744073709551615.0)
		return -ERANGE;
	*ret = (uint64_t)(v + 0.5);
	return 0;
}

int zcg_parse_duration_ms(const char *s, uint64_t *ret_ms)
{
	static const struct unit units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "sec", 1000 }, { "m", 60000 }, { "min", 60000 },
		{ "h", 3600000 }, { "d", 86400000 }, { "w", 7 * 86400000ull },
	};

	return parse_with_unit(s, units, ARRAY_SIZE(units), 1000, ret_ms);
}

int zcg_parse_size(const char *s, uint64_t *ret_bytes)
{
	static const struct unit units[] = {
		{ "b", 1 },
		{ "k", 1ull << 10 }, { "kb", 1ull << 10 }, { "kib", 1ull << 10 },
		{ "m", 1ull << 20 }, { "mb", 1ull << 20 }, { "mib", 1ull << 20 },
		{ "g", 1ull << 30 }, { "gb", 1ull << 30 }, { "gib", 1ull << 30 },
		{ "t", 1ull << 40 }, { "tb", 1ull << 40 }, { "tib", 1ull << 40 },
	};

	return parse_with_unit(s, units, ARRAY_SIZE(units), 1, ret_bytes);
}

int zcg_parse_bool(const char *s, bool *ret)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

int zcg_parse_listen(const char *s, char *addr, size_t addr_size, uint16_t *ret_port)
{
	const char *colon, *host = s;
	size_t host_len;
	uint64_t port;

	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return -EINVAL;
		host = s + 1;
		host_len = (size_t)(close - host);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -EINVAL;
		host_len = (size_t)(colon - s);
		/* an unbracketed IPv6 address is ambiguous */
		if (memchr(s, ':', host_len))
			return -EINVAL;
	}
	if (host_len + 1 > addr_size)
		return -EINVAL;
	if (parse_u64(colon + 1, &port) < 0 || port > 65535 || strchr(colon + 1, ' '))
		return -EINVAL;
	memcpy(addr, host, host_len);
	addr[host_len] = '\0';
	*ret_port = (uint16_t)port;
	return 0;
}

int zcg_parse_log_level(const char *s)
{
	static const struct { const char *name; int prio; } levels[] = {
		{ "err", LOG_ERR }, { "error", LOG_ERR }, { "warning", LOG_WARNING },
		{ "warn", LOG_WARNING }, { "notice", LOG_NOTICE }, { "info", LOG_INFO },
		{ "debug", LOG_DEBUG },
	};

	for (size_t i = 0; i < ARRAY_SIZE(levels); i++)
		if (strcasecmp(s, levels[i].name) == 0)
			return levels[i].prio;
	return -EINVAL;
}

static const struct key *find_key(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (streq(keys[i].name, name))
			return &keys[i];
	return NULL;
}

static int set_string(struct zcg_config *c, const struct key *k, const char *value)
{
	char **f = string_field(c, k);
	char *copy = NULL;

	if (!is_off(value)) {
		copy = strdup(value);
		if (!copy)
			return -ENOMEM;
	}
	free(*f);
	*f = copy;
	return 0;
}

static int out_of_range(const struct key *k, const char *value, const char *unit_hint)
{
	return zcg_error(-EINVAL, "%s = %s: out of range (%s)", k->name, value, unit_hint);
}

int zcg_config_set(struct zcg_config *c, const char *key, const char *value)
{
	const struct key *k = find_key(key);
	void *field;
	uint64_t u;
	bool b;
	int r;

	if (!k)
		return zcg_error(-ENOENT, "unknown key '%s'", key);
	field = (char *)c + k->offset;
	switch (k->type) {
	case KEY_DURATION:
		r = zcg_parse_duration_ms(value, &u);
		if (r < 0)
			return zcg_error(-EINVAL, "%s = %s: not a duration (like 90s, 500ms, 5m, 2h, 7d)",
					 key, value);
		if (u < k->min || u > k->max) {
			char hint[96];

			snprintf(hint, sizeof(hint), "%.3g s to %.3g s", k->min / 1000.0, k->max / 1000.0);
			return out_of_range(k, value, hint);
		}
		*(uint64_t *)field = u;
		if (k->offset == offsetof(struct zcg_config, urgent_grace_ms))
			c->urgent_grace_set = true;
		return 0;
	case KEY_PATH:
		if (!is_off(value) && (streq(key, "textfile_dir") || streq(key, "history_file")) &&
		    value[0] != '/')
			return zcg_error(-EINVAL, "%s = %s: not an absolute path", key, value);
		return set_string(c, k, value);
	case KEY_LISTEN: {
		char addr[128];
		uint16_t port;

		if (!is_off(value) && zcg_parse_listen(value, addr, sizeof(addr), &port) < 0)
			return zcg_error(-EINVAL, "%s = %s: not ADDR:PORT (like 127.0.0.1:9771, "
					 "[::1]:9771, :9771) or off", key, value);
		return set_string(c, k, value);
	}
	case KEY_COUNT:
		if (is_off(value)) {
			*(int64_t *)field = 0;
			return 0;
		}
		if (parse_u64(value, &u) < 0)
			return zcg_error(-EINVAL, "%s = %s: not a whole number (0 or off: disabled)", key, value);
		if (k->max && u > k->max) {
			char hint[64];

			snprintf(hint, sizeof(hint), "at most %llu", (unsigned long long)k->max);
			return out_of_range(k, value, hint);
		}
		*(int64_t *)field = (int64_t)u;
		return 0;
	case KEY_SIZE:
		if (is_off(value)) {
			*(int64_t *)field = 0;
			return 0;
		}
		if (zcg_parse_size(value, &u) < 0 || u > INT64_MAX)
			return zcg_error(-EINVAL, "%s = %s: not a size (like 4096, 512K, 64M, 1G; 0 or off: "
					 "disabled)", key, value);
		*(int64_t *)field = (int64_t)u;
		return 0;
	case KEY_U32:
		if (parse_u64(value, &u) < 0)
			return zcg_error(-EINVAL, "%s = %s: not a whole number", key, value);
		if (u < k->min || u > k->max) {
			char hint[64];

			snprintf(hint, sizeof(hint), "%llu to %llu", (unsigned long long)k->min,
				 (unsigned long long)k->max);
			return out_of_range(k, value, hint);
		}
		*(uint32_t *)field = (uint32_t)u;
		return 0;
	case KEY_PERCENT: {
		const char *end = value;
		double v = 0;

		r = parse_decimal_prefix(value, &v, &end);
		while (isspace((unsigned char)*end))
			end++;
		if (*end == '%')
			end++;
		while (isspace((unsigned char)*end))
			end++;
		if (r < 0 || *end || !isfinite(v))
			return zcg_error(-EINVAL, "%s = %s: not a percentage of one CPU (like 1%% or 0.5%%)",
					 key, value);
		if (!(v > 0) || v > 100)
			return out_of_range(k, value, "more than 0% and at most 100% of one CPU");
		*(double *)field = v / 100.0;
		return 0;
	}
	case KEY_BOOL:
		if (zcg_parse_bool(value, &b) < 0)
			return zcg_error(-EINVAL, "%s = %s: not a boolean (yes/no, true/false, on/off, 1/0)",
					 key, value);
		*(bool *)field = b;
		return 0;
	case KEY_LOG_LEVEL:
		r = zcg_parse_log_level(value);
		if (r < 0)
			return zcg_error(-EINVAL, "%s = %s: not one of err, warning, notice, info, debug",
					 key, value);
		*(int *)field = r;
		return 0;
	}
	return -EINVAL;
}

int zcg_config_check(struct zcg_config *c, const char *origin)
{
	if (c->urgent_grace_ms > c->grace_ms && !c->urgent_grace_set)
		c->urgent_grace_ms = c->grace_ms;
	if (c->urgent_grace_ms > c->grace_ms)
		return zcg_error(-EINVAL, "%s: urgent_grace_period (%.0f s) is longer than grace_period "
				 "(%.0f s); it is meant to act sooner", origin, c->urgent_grace_ms / 1000.0,
				 c->grace_ms / 1000.0);
	return 0;
}

static char *strip(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int zcg_config_parse(struct zcg_config *c, const char *text, const char *origin)
{
	_cleanup_free_ char *buf = strdup(text);
	unsigned seen_line[ARRAY_SIZE(keys)] = {0};
	unsigned line_no = 0;
	char *line, *next;
	int r;

	if (!buf)
		return -ENOMEM;
	for (line = buf; line; line = next) {
		char *eq, *key, *value, *hash;
		const struct key *k;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line_no++;
		/* A comment is a whole line or starts after white space, so values can hold '#'. */
		for (hash = line; (hash = strchr(hash, '#')); hash++)
			if (hash == line || isspace((unsigned char)hash[-1])) {
				*hash = '\0';
				break;
			}
		line = strip(line);
		if (!*line)
			continue;
		eq = strchr(line, '=');
		if (!eq)
			return zcg_error(-EINVAL, "%s:%u: expected 'key = value', got '%.80s'", origin,
					 line_no, line);
		*eq = '\0';
		key = strip(line);
		value = strip(eq + 1);
		if (!*key)
			return zcg_error(-EINVAL, "%s:%u: missing key before '='", origin, line_no);
		k = find_key(key);
		if (k && seen_line[k - keys])
			return zcg_error(-EINVAL, "%s:%u: %s is already set on line %u", origin, line_no,
					 key, seen_line[k - keys]);
		r = zcg_config_set(c, key, value);
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			char detail[512];

			/* an unknown key (-ENOENT) is an invalid file too; the detail lives in
			 * the buffer zcg_error() is about to overwrite */
			snprintf(detail, sizeof(detail), "%s", zcg_strerror(r));
			return zcg_error(-EINVAL, "%s:%u: %s", origin, line_no, detail);
		}
		seen_line[k - keys] = line_no;
	}
	return zcg_config_check(c, origin);
}

int zcg_config_load(struct zcg_config *c, const char *path)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r;

	r = read_full_file(path, &buf, &len);
	if (r < 0)
		return zcg_error_errno(r, "cannot read %s", path);
	if (memchr(buf, '\0', len))
		return zcg_error(-EINVAL, "%s: not a text file (it holds NUL bytes)", path);
	return zcg_config_parse(c, buf, path);
}
