// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include "census.h"
#include "metrics.h"
#include "tap.h"
#include "util.h"

static bool has_line(const char *text, const char *line)
{
	size_t l = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && (p[l] == '\n' || p[l] == '\0'))
			return true;
	return false;
}

/* Whether a line starts with s (HELP and TYPE lines start with '#'). */
static bool mentions(const char *text, const char *s)
{
	for (const char *p = text; (p = strstr(p, s)); p++)
		if (p == text || p[-1] == '\n')
			return true;
	return false;
}

static char *label_value(const char *in)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	zcg_metrics_write_label_value(f, in);
	fclose(f);
	return buf;
}

/* Every sample line's family has HELP and TYPE lines before it, and each family's TYPE
 * appears once. */
static bool well_formed(const char *text)
{
	_cleanup_free_ char *copy = strdup(text);
	char typed[64][96];
	size_t n_typed = 0;
	char *save = NULL;

	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[96];
		size_t l;

		if (strncmp(line, "# HELP ", 7) == 0)
			continue;
		if (strncmp(line, "# TYPE ", 7) == 0) {
			if (sscanf(line + 7, "%95s", name) != 1 || n_typed >= 64)
				return false;
			for (size_t i = 0; i < n_typed; i++)
				if (streq(typed[i], name))
					return false;
			strcpy(typed[n_typed++], name);
			continue;
		}
		l = strcspn(line, "{ ");
		if (l == 0 || l >= sizeof(name))
			return false;
		memcpy(name, line, l);
		name[l] = '\0';
		if (!n_typed || !streq(typed[n_typed - 1], name))
			return false;
	}
	return true;
}

int main(void)
{
	struct zcg_subtree subtrees[] = {
		{ .path = "/big", .dying = 3, .pinned_bytes = 3000,
		  .kind_bytes = { 3000, 0, 0, 1000, 0, 0, 0 } },
		{ .path = "/many", .dying = 40, .pinned_bytes = 400,
		  .kind_bytes = { 400, 0, 0, 0, 0, 0, 0 } },
		{ .path = "/we\"ird\\na\nme", .dying = 7, .pinned_bytes = 70,
		  .kind_bytes = { 70, 0, 0, 0, 0, 0, 0 } },
		{ .path = "/small", .dying = 1, .pinned_bytes = 10,
		  .kind_bytes = { 10, 0, 0, 0, 0, 0, 0 } },
	};
	struct zcg_census census = {
		.hierarchy = ZCG_HIER_V2,
		.scope = "/",
		.source = "cgroupfs",
		.dying_counter = "nr_dying_subsys_memory",
		.live = 12,
		.dying = 51,
		.pinned_bytes = 3480,
		.pinned_accuracy = "upper_bound",
		.kind_bytes = { 3480, 0, 0, 1000, 0, 0, 0 },
		.memcg_ids_used = 63,
		.kernel_overhead_bytes = -1,
		.subtrees = subtrees,
		.n_subtrees = ARRAY_SIZE(subtrees),
	};
	struct zcg_metrics_label_value thresholds[] = { { "dying", 1 }, { "memcg_id_headroom", 0 } };
	struct zcg_metrics m = {
		.version = "0.1.0",
		.hierarchy = "v2",
		.census = &census,
		.top_parents = 2,
		.eligible_memcgs = 44,
		.eligible_parents = 2,
		.thresholds = thresholds,
		.n_thresholds = ARRAY_SIZE(thresholds),
		.scan_duration_seconds = 0.0125,
		.last_scan_timestamp_seconds = 1767225600,
		.scans_total = 5,
		.grace_period_seconds = 300,
		.cpu_budget_ratio = 0.01,
		.config_reload_ok = true,
		.config_reload_timestamp_seconds = 1767225000,
		.process_cpu_seconds_total = 0.5,
		.process_resident_memory_bytes = 4 << 20,
		.process_start_time_seconds = 1767220000,
	};
	char *text = NULL, *v;

	is_int(zcg_metrics_render(&m, ZCG_METRICS_PROCESS, &text, NULL), 0, "render");
	ok(well_formed(text), "every sample follows its family's HELP and TYPE, each family once");
	ok(has_line(text, "# TYPE zombiecg_dying_memcgs gauge"), "TYPE line");
	ok(has_line(text, "# HELP zombiecg_dying_memcgs Dying (zombie) memory cgroups in scope: removed, "
		    "still held by charged memory."), "HELP line");
	ok(has_line(text, "zombiecg_dying_memcgs 51"), "dying");
	ok(has_line(text, "zombiecg_live_memcgs 12"), "live");
	ok(has_line(text, "zombiecg_pinned_memory_bytes 3480"), "pinned total");
	ok(has_line(text, "zombiecg_pinned_bytes{kind=\"cache\"} 3480"), "pinned by kind: cache");
	ok(has_line(text, "zombiecg_pinned_bytes{kind=\"mapped_file\"} 1000"), "pinned by kind: mapped_file");
	ok(has_line(text, "zombiecg_pinned_bytes{kind=\"swap\"} 0"), "a known zero is reported");
	ok(!mentions(text, "zombiecg_kernel_overhead_bytes "), "unknown kernel overhead is left out");
	ok(has_line(text, "# TYPE zombiecg_kernel_overhead_bytes gauge"), "but its family is described");
	ok(has_line(text, "zombiecg_memcg_ids_used 63"), "ids used");
	ok(has_line(text, "zombiecg_memcg_ids_max 65535"), "ids max");
	ok(has_line(text, "zombiecg_dying_memcgs_by_parent{parent=\"/many\"} 40"), "top parent by dying");
	ok(has_line(text, "zombiecg_dying_memcgs_by_parent{parent=\"/we\\\"ird\\\\na\\nme\"} 7"),
	   "second parent, label value escaped");
	ok(!mentions(text, "zombiecg_dying_memcgs_by_parent{parent=\"/big\"}"), "only the top 2 by dying");
	ok(has_line(text, "zombiecg_pinned_bytes_by_parent{parent=\"/big\"} 3000"), "top parent by bytes");
	ok(has_line(text, "zombiecg_pinned_bytes_by_parent{parent=\"/many\"} 400"), "second by bytes");
	ok(!mentions(text, "zombiecg_pinned_bytes_by_parent{parent=\"/small\"}"), "only the top 2 by bytes");
	ok(has_line(text, "zombiecg_eligible_memcgs 44"), "eligible");
	ok(has_line(text, "zombiecg_threshold_exceeded{threshold=\"dying\"} 1"), "threshold crossed");
	ok(has_line(text, "zombiecg_threshold_exceeded{threshold=\"memcg_id_headroom\"} 0"), "threshold not crossed");
	ok(has_line(text, "zombiecg_reap_available 0"), "reap not available");
	ok(has_line(text, "zombiecg_reaped_total 0"), "reaped stays 0");
	ok(has_line(text, "zombiecg_reap_evicted_bytes_total 0"), "evicted stays 0");
	ok(has_line(text, "zombiecg_reap_cpu_seconds_total 0"), "reap cpu stays 0");
	ok(!mentions(text, "zombiecg_unreclaimable_memcgs{"), "unknown unreclaimable reasons left out");
	ok(has_line(text, "zombiecg_scan_duration_seconds 0.0125"), "scan duration");
	ok(has_line(text, "zombiecg_cpu_budget_ratio 0.01"), "doubles print short");
	ok(has_line(text, "zombiecg_last_scan_timestamp_seconds 1767225600"), "timestamps print whole");
	ok(has_line(text, "zombiecg_census_info{scope=\"/\",dying_counter=\"nr_dying_subsys_memory\","
		    "pinned_accuracy=\"upper_bound\"} 1"), "census info");
	ok(has_line(text, "zombiecg_build_info{version=\"0.1.0\",source=\"cgroupfs\",hierarchy=\"v2\"} 1"),
	   "build info");
	ok(has_line(text, "process_resident_memory_bytes 4194304"), "process metrics on /metrics");
	free(text);

	/* v1 in a subtree: dying unknown, per-parent dying unknown; textfile: no process_*. */
	census.dying = -1;
	for (size_t i = 0; i < ARRAY_SIZE(subtrees); i++)
		subtrees[i].dying = -1;
	census.hierarchy = ZCG_HIER_V1;
	m.hierarchy = "v1";
	m.eligible_memcgs = -1;
	m.scan_duration_seconds = -1;
	struct zcg_metrics_label_value reasons[] = { { "mapped", 2 }, { "shmem", 1 } };
	m.reap_available = true;
	m.reaped_total = 9;
	m.unreclaimable = reasons;
	m.n_unreclaimable = ARRAY_SIZE(reasons);
	is_int(zcg_metrics_render(&m, 0, &text, NULL), 0, "render v1");
	ok(well_formed(text), "v1 text well formed");
	ok(!mentions(text, "zombiecg_dying_memcgs "), "unknown dying count left out, not 0");
	ok(!mentions(text, "zombiecg_dying_memcgs_by_parent{"), "unknown per-parent counts left out");
	ok(has_line(text, "zombiecg_pinned_bytes_by_parent{parent=\"/big\"} 3000"), "bytes by parent still there");
	ok(!mentions(text, "zombiecg_eligible_memcgs "), "unknown eligible count left out");
	ok(!mentions(text, "zombiecg_scan_duration_seconds "), "no scan yet: no duration");
	ok(has_line(text, "zombiecg_unreclaimable_memcgs{reason=\"mapped\"} 2"), "unreclaimable by reason");
	ok(has_line(text, "zombiecg_reaped_total 9"), "reaped counter");
	ok(!mentions(text, "process_"), "textfile flavour has no process_* metrics");
	free(text);

	/* Before the first census. */
	m.census = NULL;
	is_int(zcg_metrics_render(&m, 0, &text, NULL), 0, "render without a census");
	ok(well_formed(text), "well formed without a census");
	ok(!mentions(text, "zombiecg_live_memcgs "), "no census: no live count");
	ok(has_line(text, "zombiecg_build_info{version=\"0.1.0\",source=\"none\",hierarchy=\"v1\"} 1"),
	   "build info says source none");
	free(text);

	v = label_value("caf\xc3\xa9 \xff\xfe ok \xe2\x82");
	is_str(v, "caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd ok \xef\xbf\xbd\xef\xbf\xbd",
	       "valid UTF-8 kept, invalid bytes become U+FFFD");
	free(v);
	v = label_value("\xed\xa0\x80 \xc0\xaf");
	is_str(v, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd",
	       "surrogates and overlong forms are invalid");
	free(v);
	return done_testing();
}
