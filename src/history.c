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

#include "columns.h"
#include "daemon/config.h"
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
	ZCG_TABLE_OPTIONS,
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
	default:
		return zcg_parse_table_option_only(ctx, opt, arg);
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

enum {
	COL_PERIOD, COL_END, COL_SAMPLES, COL_DYING, COL_MAX, COL_PINNED, COL_PINNED_MAX, COL_LIVE,
	COL_MEMCG_IDS, COL_REAPED, COL_EVICTED, COL_BAR,
};

/* One row per period, in the order of a period's JSON members. */
static const struct zcg_column history_columns[] = {
	[COL_PERIOD] = { "PERIOD", NULL, "start of the period (local time)", 0.1, 0, ZCG_CELL_INT, "start" },
	[COL_END] = { "END", NULL, "end of the period", 0.1, 0, ZCG_CELL_INT, "end" },
	[COL_SAMPLES] = { "SAMPLES", NULL, "samples in it", 0.1, SCOLS_FL_RIGHT, ZCG_CELL_INT, "samples" },
	[COL_DYING] = { "DYING", NULL, "dying memcgs at its end", 0.1, SCOLS_FL_RIGHT, ZCG_CELL_INT, "dying" },
	[COL_MAX] = { "MAX", NULL, "most dying memcgs in it", 0.1, SCOLS_FL_RIGHT, ZCG_CELL_INT, "dying_max" },
	[COL_PINNED] = { "PINNED", NULL, "pinned bytes at its end", 0.1, SCOLS_FL_RIGHT, ZCG_CELL_BYTES,
			 "pinned_bytes" },
	[COL_PINNED_MAX] = { "PINNED_MAX", NULL, "most pinned bytes in it", 0.1, SCOLS_FL_RIGHT, ZCG_CELL_BYTES,
			     "pinned_bytes_max" },
	[COL_LIVE] = { "LIVE", NULL, "live memcgs at its end", 0.1, SCOLS_FL_RIGHT, ZCG_CELL_INT, "live" },
	[COL_MEMCG_IDS] = { "MEMCG_IDS", NULL, "memcg IDs used at its end", 0.1, SCOLS_FL_RIGHT, ZCG_CELL_INT,
			    "memcg_ids_used" },
	[COL_REAPED] = { "REAPED", NULL, "zombies reaped in it", 0.1, SCOLS_FL_RIGHT, ZCG_CELL_INT, "reaped" },
	[COL_EVICTED] = { "EVICTED", NULL, "bytes evicted in it", 0.1, SCOLS_FL_RIGHT, ZCG_CELL_BYTES,
			  "evicted_bytes" },
	[COL_BAR] = { "BAR", "DYING (bar)", "the dying count as a bar", 0.1, 0, ZCG_CELL_STRING },
};

/* What a period's cells need besides the bucket. */
struct history_view {
	uint64_t period;
	int64_t max_dying;
};

static void history_cell(const void *row, size_t col, const void *data, struct zcg_cell *ret)
{
	const struct history_view *v = data;
	const struct bucket *b = row;

	switch (col) {
	case COL_PERIOD:
	case COL_END:
		ret->num = b->start + (col == COL_END ? (int64_t)v->period : 0);
		ret->text = format_time(ret->num, v->period, ret->buf, sizeof(ret->buf));
		return;
	case COL_SAMPLES:
		ret->num = (int64_t)b->samples;
		return;
	case COL_DYING:
		ret->num = b->dying;
		break;
	case COL_MAX:
		ret->num = b->dying_max;
		break;
	case COL_PINNED:
		ret->num = b->pinned;
		break;
	case COL_PINNED_MAX:
		ret->num = b->pinned_max;
		break;
	case COL_LIVE:
		ret->num = b->live;
		break;
	case COL_MEMCG_IDS:
		ret->num = b->ids;
		break;
	case COL_REAPED:
	case COL_EVICTED:
		/* nothing is known of a period without samples */
		ret->num = (int64_t)(col == COL_REAPED ? b->reaped : b->evicted);
		ret->known = b->samples > 0;
		return;
	case COL_BAR:
		ret->text = ret->buf;
		if (b->dying > 0 && v->max_dying > 0) {
			int w = (int)((b->dying * BAR_WIDTH + v->max_dying - 1) / v->max_dying);

			memset(ret->buf, '#', (size_t)w);
			ret->buf[w] = '\0';
		}
		return;
	}
	ret->known = ret->num >= 0;
}

const struct zcg_table zcg_history_table = ZCG_TABLE("history", history_columns, history_cell);

static int history_table(const void **rows, size_t n, const struct history_view *view)
{
	static const size_t defaults[] = { COL_PERIOD, COL_SAMPLES, COL_DYING, COL_MAX, COL_PINNED, COL_LIVE,
					   COL_REAPED, COL_EVICTED, COL_BAR };

	return zcg_table_print(&zcg_history_table, defaults, ARRAY_SIZE(defaults), rows, n, view, 0);
}

static void history_json(struct zcg_ctx *ctx, const char *path, const struct zcg_history_sample *s,
			 size_t n, const void **rows, size_t nb, const struct history_view *view)
{
	struct json *j = &ctx->out;

	json_object_begin(j, NULL);
	json_string(j, "file", path);
	if (history_args.since_s)
		json_uint(j, "since_s", history_args.since_s);
	else
		json_null(j, "since_s");
	json_uint(j, "period_s", view->period);
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
		zcg_table_json_row(&zcg_history_table, j, rows[i], view);
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
	_cleanup_free_ const void **rows = NULL;
	_cleanup_free_ char *path = NULL;
	struct history_view view = {0};
	size_t n = 0, first = 0, nb = 0;
	uint64_t period, reaped = 0;
	bool utf8;
	int r;

	if (argc > 0)
		return zcg_usage_error(ctx, "history: unexpected argument '%s'", argv[0]);
	if (zcg_table_check(ctx, &zcg_history_table) < 0)
		return EXIT_USAGE;
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
	view.period = period;
	rows = calloc(nb ? nb : 1, sizeof(*rows));
	if (!rows)
		return zcg_fail(ctx, -ENOMEM, NULL);
	for (size_t i = 0; i < nb; i++) {
		rows[i] = &buckets[i];
		if (buckets[i].dying > view.max_dying)
			view.max_dying = buckets[i].dying;
	}
	r = zcg_table_sort(&zcg_history_table, rows, nb, &view);
	if (r < 0)
		return zcg_fail(ctx, r, NULL);
	if (ctx->json) {
		history_json(ctx, path, samples + first, n - first, rows, nb, &view);
		return EXIT_OK;
	}
	if (zcg_table_raw()) {
		r = history_table(rows, nb, &view);
		return r < 0 ? zcg_fail(ctx, r, NULL) : EXIT_OK;
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
	r = history_table(rows, nb, &view);
	if (r < 0)
		return zcg_fail(ctx, r, NULL);
	if (!reaped && !(samples[n - 1].flags & ZCG_SAMPLE_REAP_AVAILABLE))
		printf("\nReaped stays 0: the daemon that wrote this could not reap (counting only).\n");
	return EXIT_OK;
}

const struct zcg_command cmd_history = {
	.name = "history",
	.args = "[--since D] [--period P] [--file PATH | --config FILE] [--json] [-o COLUMNS] [--output-all] [-n] [-b] [-r] [--sort COLUMN]",
	.summary = "show the daemon's history: dying count, pinned bytes and reaped per period",
	.options = history_options,
	.parse_option = history_parse_option,
	.run = history_run,
	.needs_sys = false,
};
