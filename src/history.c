// SPDX-License-Identifier: GPL-2.0
/* zombiecg history: what the daemon's ring of samples says about the last days, per period:
 * a sparkline per series, then a table with a bar chart of the dying count (the shape of
 * the "day 0..7" tables in which zombie growth is usually reported). */
#include <errno.h>
#include <langinfo.h>
#include <libsmartcols.h>
#include <locale.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "error.h"
#include "history.h"
#include "util.h"
#include "text.h"
#include "zombiecg.h"

enum {
	OPT_SINCE = 0x400,
	OPT_PERIOD,
	OPT_FILE,
	OPT_HCONFIG,
};

static const struct option history_options[] = {
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "period", required_argument, NULL, OPT_PERIOD },
	{ "file", required_argument, NULL, OPT_FILE },
	{ "config", required_argument, NULL, OPT_HCONFIG },
	{},
};

static struct {
	uint64_t since_s;	/* 0: everything */
	uint64_t period_s;	/* 0: automatic */
	const char *file;
	const char *config;
} history_args;

#define MAX_AUTO_ROWS 31
#define BAR_WIDTH 24
#define SPARK_MAX 120

struct bucket {
	int64_t start;		/* unix time */
	size_t samples;
	int64_t dying, dying_max;	/* -1 unknown */
	int64_t pinned, pinned_max;
	int64_t live;
	int64_t ids;
	uint64_t reaped, evicted;
};

static int history_parse_option(struct zcg_ctx *ctx, int opt, const char *arg)
{
	uint64_t ms;

	switch (opt) {
	case OPT_SINCE:
	case OPT_PERIOD:
		if (zcg_parse_duration_ms(arg, &ms) < 0 || ms < 1000)
			return zcg_usage_error(ctx, "history: --%s '%s' is not a duration of a second or "
					       "more (like 90m, 24h, 7d)", opt == OPT_SINCE ? "since" : "period",
					       arg), -EINVAL;
		if (opt == OPT_SINCE)
			history_args.since_s = ms / 1000;
		else
			history_args.period_s = ms / 1000;
		break;
	case OPT_FILE:
		history_args.file = arg;
		break;
	case OPT_HCONFIG:
		history_args.config = arg;
		break;
	}
	return 0;
}

/* Where the ring is: --file, else history_file of the configuration, else the default. */
static int history_path(struct zcg_ctx *ctx, char **ret)
{
	const char *config = history_args.config;
	struct zcg_config c;
	int r;

	if (history_args.file) {
		*ret = strdup(history_args.file);
		return *ret ? 0 : -ENOMEM;
	}
	_cleanup_free_ char *default_config = zcg_state_path(ZCG_CONFIG_DEFAULT_PATH);

	if (!default_config)
		return -ENOMEM;
	if (!config && access(default_config, F_OK) == 0)
		config = default_config;
	zcg_config_init(&c);
	r = config_defaults_below_sysroot(ctx, &c);
	if (r == 0 && config)
		r = zcg_config_load(&c, config);
	if (r < 0) {
		zcg_config_done(&c);
		return r;
	}
	if (!c.history_file) {
		zcg_config_done(&c);
		return zcg_error(-ENOENT, "history is off in %s (history_file); use --file",
				 config ? config : "the configuration");
	}
	*ret = strdup(c.history_file);
	zcg_config_done(&c);
	return *ret ? 0 : -ENOMEM;
}

static int64_t local_offset(time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	return tm.tm_gmtoff;
}

/* Period starts fall on local midnight for days, on the hour for hours. */
static int64_t bucket_start(int64_t t, uint64_t period)
{
	int64_t off = local_offset((time_t)t), p = (int64_t)period, shifted = t + off;

	return shifted - ((shifted % p) + p) % p - off;
}

static uint64_t auto_period(const struct zcg_history_sample *s, size_t n)
{
	static const uint64_t choices[] = { 60, 300, 900, 3600, 3 * 3600, 6 * 3600, 86400, 7 * 86400 };
	uint64_t span = n ? s[n - 1].time - s[0].time : 0, typical = n ? s[n - 1].period_s : 60;

	for (size_t i = 0; i < ARRAY_SIZE(choices); i++)
		if (choices[i] >= typical && span / choices[i] < MAX_AUTO_ROWS)
			return choices[i];
	return choices[ARRAY_SIZE(choices) - 1];
}

static void fold(struct bucket *b, const struct zcg_history_sample *s)
{
	b->samples++;
	/* the state at the end of the period: the last sample's values */
	b->dying = s->dying;
	b->pinned = s->pinned_bytes;
	b->live = (int64_t)s->live;
	b->ids = s->memcg_ids_used;
	if (s->dying > b->dying_max)
		b->dying_max = s->dying;
	if (s->pinned_bytes > b->pinned_max)
		b->pinned_max = s->pinned_bytes;
	b->reaped += s->reaped;
	b->evicted += s->evicted_bytes;
}

/* Groups samples into periods from the first one's to the last one's, gaps included. */
static int make_buckets(const struct zcg_history_sample *s, size_t n, uint64_t period,
			struct bucket **ret, size_t *ret_n)
{
	int64_t first, last;
	struct bucket *b;
	size_t count;

	*ret = NULL;
	*ret_n = 0;
	if (!n)
		return 0;
	first = bucket_start((int64_t)s[0].time, period);
	last = bucket_start((int64_t)s[n - 1].time, period);
	count = (size_t)((last - first) / (int64_t)period) + 1;
	if (count > 10000000)
		return zcg_error(-E2BIG, "%zu periods of %llu s: choose a longer --period", count,
				 (unsigned long long)period);
	b = calloc(count, sizeof(*b));
	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < count; i++)
		b[i] = (struct bucket){ .start = first + (int64_t)(i * period), .dying = -1, .dying_max = -1,
					.pinned = -1, .pinned_max = -1, .live = -1, .ids = -1 };
	for (size_t i = 0; i < n; i++) {
		int64_t k = (bucket_start((int64_t)s[i].time, period) - first) / (int64_t)period;

		/* the ring is in write order; a clock step backwards can put a sample earlier */
		if (k >= 0 && (size_t)k < count)
			fold(&b[k], &s[i]);
	}
	*ret = b;
	*ret_n = count;
	return 0;
}

static const char *format_time(int64_t t, uint64_t period, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	strftime(buf, size, period >= 86400 ? "%Y-%m-%d" : "%Y-%m-%d %H:%M", &tm);
	return buf;
}

static const char *format_period(uint64_t p, char *buf, size_t size)
{
	if (p % 86400 == 0)
		snprintf(buf, size, "%llud", (unsigned long long)(p / 86400));
	else if (p % 3600 == 0)
		snprintf(buf, size, "%lluh", (unsigned long long)(p / 3600));
	else if (p % 60 == 0)
		snprintf(buf, size, "%llum", (unsigned long long)(p / 60));
	else
		snprintf(buf, size, "%llus", (unsigned long long)p);
	return buf;
}

static bool utf8_terminal(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && (streq(cs, "UTF-8") || streq(cs, "utf8"));
}

/* One character per period, scaled from 0 to the largest value; ' ' where unknown. */
static void sparkline(const char *label, const struct bucket *b, size_t n, int which, bool utf8,
		      bool bytes)
{
	static const char *const blocks[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	static const char ascii[] = "_.:-=+*#";
	size_t from = n > SPARK_MAX ? n - SPARK_MAX : 0;
	int64_t max = -1, min = -1;
	char lo[32], hi[32];

	for (size_t i = from; i < n; i++) {
		int64_t v = which == 0 ? b[i].dying : which == 1 ? b[i].pinned : (int64_t)b[i].reaped;

		if (which == 2 && !b[i].samples)
			v = -1;
		if (v < 0)
			continue;
		if (v > max)
			max = v;
		if (min < 0 || v < min)
			min = v;
	}
	printf("%-8s", label);
	for (size_t i = from; i < n; i++) {
		int64_t v = which == 0 ? b[i].dying : which == 1 ? b[i].pinned : (int64_t)b[i].reaped;
		int level;

		if (which == 2 && !b[i].samples)
			v = -1;
		if (v < 0) {
			putchar(' ');
			continue;
		}
		level = max > 0 ? (int)((v * 7 + max / 2) / max) : 0;
		if (utf8)
			fputs(blocks[level], stdout);
		else
			putchar(ascii[level]);
	}
	if (max < 0)
		printf("  unknown\n");
	else if (bytes)
		printf("  %s .. %s\n", format_bytes(min, lo, sizeof(lo)), format_bytes(max, hi, sizeof(hi)));
	else
		printf("  %lld .. %lld\n", (long long)min, (long long)max);
}

static const char *count_or_dash(int64_t v, char *buf, size_t size)
{
	if (v < 0)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%lld", (long long)v);
	return buf;
}

static int history_table(const struct bucket *b, size_t n, uint64_t period)
{
	static const char *const headers[] = { "PERIOD", "SAMPLES", "DYING", "MAX", "PINNED", "LIVE",
						"REAPED", "EVICTED", "DYING (bar)" };
	struct libscols_table *tb = scols_new_table();
	int64_t max = 0;
	char buf[64];

	if (!tb)
		return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(headers); i++)
		if (!scols_table_new_column(tb, headers[i], 0.1,
					    i == 0 || i == ARRAY_SIZE(headers) - 1 ? 0 : SCOLS_FL_RIGHT))
			goto oom;
	for (size_t i = 0; i < n; i++)
		if (b[i].dying > max)
			max = b[i].dying;
	for (size_t i = 0; i < n; i++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		char bar[BAR_WIDTH + 1] = "";

		if (!ln)
			goto oom;
		scols_line_set_data(ln, 0, format_time(b[i].start, period, buf, sizeof(buf)));
		snprintf(buf, sizeof(buf), "%zu", b[i].samples);
		scols_line_set_data(ln, 1, buf);
		scols_line_set_data(ln, 2, count_or_dash(b[i].dying, buf, sizeof(buf)));
		scols_line_set_data(ln, 3, count_or_dash(b[i].dying_max, buf, sizeof(buf)));
		scols_line_set_data(ln, 4, format_bytes(b[i].pinned, buf, sizeof(buf)));
		scols_line_set_data(ln, 5, count_or_dash(b[i].live, buf, sizeof(buf)));
		scols_line_set_data(ln, 6, b[i].samples ? count_or_dash((int64_t)b[i].reaped, buf, sizeof(buf)) : "-");
		scols_line_set_data(ln, 7, b[i].samples ? format_bytes((int64_t)b[i].evicted, buf, sizeof(buf)) : "-");
		if (b[i].dying > 0 && max > 0) {
			int w = (int)((b[i].dying * BAR_WIDTH + max - 1) / max);

			memset(bar, '#', (size_t)w);
			bar[w] = '\0';
		}
		scols_line_set_data(ln, 8, bar);
	}
	scols_print_table(tb);
	scols_unref_table(tb);
	return 0;
oom:
	scols_unref_table(tb);
	return -ENOMEM;
}

static void history_json(struct zcg_ctx *ctx, const char *path, const struct zcg_history_sample *s,
			 size_t n, const struct bucket *b, size_t nb, uint64_t period)
{
	struct json *j = &ctx->out;

	json_object_begin(j, NULL);
	json_string(j, "file", path);
	if (history_args.since_s)
		json_uint(j, "since_s", history_args.since_s);
	else
		json_null(j, "since_s");
	json_uint(j, "period_s", period);
	json_uint(j, "samples", n);
	if (n) {
		json_uint(j, "first", s[0].time);
		json_uint(j, "last", s[n - 1].time);
	} else {
		json_null(j, "first");
		json_null(j, "last");
	}
	json_array_begin(j, "periods");
	for (size_t i = 0; i < nb; i++) {
		json_object_begin(j, NULL);
		json_int(j, "start", b[i].start);
		json_int(j, "end", b[i].start + (int64_t)period);
		json_uint(j, "samples", b[i].samples);
		json_int_known(j, "dying", b[i].dying);
		json_int_known(j, "dying_max", b[i].dying_max);
		json_int_known(j, "pinned_bytes", b[i].pinned);
		json_int_known(j, "pinned_bytes_max", b[i].pinned_max);
		json_int_known(j, "live", b[i].live);
		json_int_known(j, "memcg_ids_used", b[i].ids);
		if (b[i].samples) {
			json_uint(j, "reaped", b[i].reaped);
			json_uint(j, "evicted_bytes", b[i].evicted);
		} else {
			json_null(j, "reaped");
			json_null(j, "evicted_bytes");
		}
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
	json_finish(j);
}

static int history_run(struct zcg_ctx *ctx, int argc, char **argv)
{
	_cleanup_free_ struct zcg_history_sample *samples = NULL;
	_cleanup_free_ struct bucket *buckets = NULL;
	_cleanup_free_ char *path = NULL;
	size_t n = 0, first = 0, nb = 0;
	uint64_t period, reaped = 0;
	bool utf8;
	int r;

	if (argc > 0)
		return zcg_usage_error(ctx, "history: unexpected argument '%s'", argv[0]);
	utf8 = setlocale(LC_CTYPE, "") && utf8_terminal();
	r = history_path(ctx, &path);
	if (r == -EINVAL)
		return zcg_fail(ctx, r, NULL), EXIT_USAGE;
	if (r < 0)
		return zcg_fail(ctx, r, NULL);
	r = zcg_history_read(path, &samples, &n);
	if (r < 0)
		return zcg_fail(ctx, r, NULL);
	if (history_args.since_s) {
		uint64_t cutoff = (uint64_t)time(NULL) - history_args.since_s;

		while (first < n && samples[first].time < cutoff)
			first++;
	}
	period = history_args.period_s ? history_args.period_s : auto_period(samples + first, n - first);
	r = make_buckets(samples + first, n - first, period, &buckets, &nb);
	if (r < 0)
		return zcg_fail(ctx, r, NULL);
	if (ctx->json) {
		history_json(ctx, path, samples + first, n - first, buckets, nb, period);
		return EXIT_OK;
	}
	if (n == first) {
		printf("No samples in %s%s yet: the daemon writes one every history_interval.\n", esc(path),
		       history_args.since_s ? " for that time" : "");
		return EXIT_OK;
	}
	char t1[32], t2[32], p[32];
	printf("History in %s: %zu samples from %s to %s, in periods of %s\n\n", esc(path), n - first,
	       format_time((int64_t)samples[first].time, 60, t1, sizeof(t1)),
	       format_time((int64_t)samples[n - 1].time, 60, t2, sizeof(t2)), format_period(period, p, sizeof(p)));
	sparkline("dying", buckets, nb, 0, utf8, false);
	sparkline("pinned", buckets, nb, 1, utf8, true);
	for (size_t i = 0; i < nb; i++)
		reaped += buckets[i].reaped;
	sparkline("reaped", buckets, nb, 2, utf8, false);
	printf("\n");
	r = history_table(buckets, nb, period);
	if (r < 0)
		return zcg_fail(ctx, r, NULL);
	if (!reaped && !(samples[n - 1].flags & ZCG_SAMPLE_REAP_AVAILABLE))
		printf("\nReaped stays 0: the daemon that wrote this could not reap (counting only).\n");
	return EXIT_OK;
}

const struct zcg_command cmd_history = {
	.name = "history",
	.args = "[--since D] [--period P] [--file PATH | --config FILE] [--json]",
	.summary = "show the daemon's history: dying count, pinned bytes and reaped per period",
	.options = history_options,
	.parse_option = history_parse_option,
	.run = history_run,
	.needs_sys = false,
};
