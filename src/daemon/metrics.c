// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "util.h"

/* Length of the valid UTF-8 sequence at s, or 0 if it is not one (overlong forms,
 * surrogates and code points above U+10FFFF are invalid). */
static size_t utf8_valid_len(const unsigned char *s)
{
	uint32_t cp;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void zcg_metrics_write_label_value(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = utf8_valid_len(p);

		if (n == 0) {
			fputs("\xef\xbf\xbd", f);	/* U+FFFD */
			p++;
			continue;
		}
		switch (*p) {
		case '\\': fputs("\\\\", f); break;
		case '"': fputs("\\\"", f); break;
		case '\n': fputs("\\n", f); break;
		default: fwrite(p, 1, n, f);
		}
		p += n;
	}
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	/* HELP text escapes backslash and newline; ours hold neither. */
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The shortest of %.15g and %.17g that reads back as the same double: 0.01, not
 * 0.010000000000000000208. */
static const char *format_double(double v, char *buf, size_t size)
{
	snprintf(buf, size, "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, size, "%.17g", v);
	return buf;
}

static void sample_int(FILE *f, const char *name, int64_t v)
{
	fprintf(f, "%s %" PRId64 "\n", name, v);
}

static void sample_uint(FILE *f, const char *name, uint64_t v)
{
	fprintf(f, "%s %" PRIu64 "\n", name, v);
}

static void sample_double(FILE *f, const char *name, double v)
{
	char buf[40];

	fprintf(f, "%s %s\n", name, format_double(v, buf, sizeof(buf)));
}

static void sample_labelled(FILE *f, const char *name, const char *label, const char *value,
			    const char *number)
{
	fprintf(f, "%s{%s=\"", name, label);
	zcg_metrics_write_label_value(f, value);
	fprintf(f, "\"} %s\n", number);
}

static void sample_labelled_int(FILE *f, const char *name, const char *label, const char *value,
				int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	sample_labelled(f, name, label, value, buf);
}

static void sample_labelled_double(FILE *f, const char *name, const char *label, const char *value,
				   double v)
{
	char buf[40];

	sample_labelled(f, name, label, value, format_double(v, buf, sizeof(buf)));
}

static int cmp_dying_desc(const void *a, const void *b)
{
	const struct zcg_subtree *x = *(const struct zcg_subtree *const *)a;
	const struct zcg_subtree *y = *(const struct zcg_subtree *const *)b;

	if (x->dying != y->dying)
		return x->dying > y->dying ? -1 : 1;
	if (x->pinned_bytes != y->pinned_bytes)
		return x->pinned_bytes > y->pinned_bytes ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* The top parents by dying count, then by pinned bytes: bounded cardinality whatever the
 * number of cgroups. Subtrees with unknown values are skipped. */
static int render_parents(FILE *f, const struct zcg_census *c, unsigned top)
{
	_cleanup_free_ const struct zcg_subtree **by_dying = NULL;
	size_t n = 0, shown = 0;

	family(f, "zombiecg_dying_memcgs_by_parent", "gauge",
	       "Dying memcgs whose nearest live ancestor is parent (top parents only).");
	if (c && c->n_subtrees) {
		by_dying = calloc(c->n_subtrees, sizeof(*by_dying));
		if (!by_dying)
			return -ENOMEM;
		for (size_t i = 0; i < c->n_subtrees; i++)
			if (c->subtrees[i].dying >= 0)
				by_dying[n++] = &c->subtrees[i];
		qsort_safe(by_dying, n, sizeof(*by_dying), cmp_dying_desc);
		for (size_t i = 0; i < n && i < top; i++)
			sample_labelled_int(f, "zombiecg_dying_memcgs_by_parent", "parent",
					    by_dying[i]->path, by_dying[i]->dying);
	}
	family(f, "zombiecg_pinned_bytes_by_parent", "gauge",
	       "Bytes held by the dying memcgs below parent (top parents only; accuracy as in "
	       "zombiecg_census_info).");
	/* census subtrees are sorted by pinned bytes already */
	for (size_t i = 0; c && i < c->n_subtrees && shown < top; i++) {
		if (c->subtrees[i].pinned_bytes < 0)
			continue;
		sample_labelled_int(f, "zombiecg_pinned_bytes_by_parent", "parent", c->subtrees[i].path,
				    c->subtrees[i].pinned_bytes);
		shown++;
	}
	return 0;
}

static void render_origins(FILE *f, const struct zcg_origins *o)
{
	family(f, "zombiecg_dying_memcgs_by_origin", "gauge",
	       "Dying memcgs by origin, the pattern of their former path as `zombiecg origins` "
	       "groups them (top_origins of them, the rest as origin=\"other\").");
	for (size_t i = 0; o && i < o->n; i++) {
		char buf[32];

		if (o->origins[i].dying < 0)
			continue;
		snprintf(buf, sizeof(buf), "%" PRId64, o->origins[i].dying);
		fprintf(f, "zombiecg_dying_memcgs_by_origin{origin=\"");
		zcg_metrics_write_label_value(f, o->origins[i].origin);
		fprintf(f, "\",kind=\"%s\"} %s\n", zcg_origin_kind_names[o->origins[i].kind], buf);
	}
}

static void render_created(FILE *f, const struct zcg_metrics *m)
{
	family(f, "zombiecg_removal_tracing", "gauge",
	       "1 if the daemon records memory cgroup removals (cgroup_rmdir tracepoint): zombie "
	       "ages are exact and zombiecg_zombies_created_total counts; 0: ages are first-seen.");
	sample_int(f, "zombiecg_removal_tracing", m->removal_tracing);
	family(f, "zombiecg_zombies_created_total", "counter",
	       "Removals of memory cgroups that left a zombie (still dying at the next census), by "
	       "origin as `zombiecg origins` names it, since the daemon started (top_origins "
	       "origins in the order they appeared, the rest as origin=\"other\").");
	if (!m->removal_tracing)
		return;
	for (size_t i = 0; i < m->n_created; i++) {
		fprintf(f, "zombiecg_zombies_created_total{origin=\"");
		zcg_metrics_write_label_value(f, m->created[i].origin);
		fprintf(f, "\",kind=\"%s\"} %" PRIu64 "\n", zcg_origin_kind_names[m->created[i].kind],
			m->created[i].total);
	}
	fprintf(f, "zombiecg_zombies_created_total{origin=\"other\",kind=\"%s\"} %" PRIu64 "\n",
		zcg_origin_kind_names[ZCG_ORIGIN_GENERIC], m->created_other);
}

static void render_census(FILE *f, const struct zcg_census *c)
{
	family(f, "zombiecg_dying_memcgs", "gauge",
	       "Dying (zombie) memory cgroups in scope: removed, still held by charged memory.");
	if (c && c->dying >= 0)
		sample_int(f, "zombiecg_dying_memcgs", c->dying);
	family(f, "zombiecg_live_memcgs", "gauge", "Live memory cgroups in scope.");
	if (c)
		sample_uint(f, "zombiecg_live_memcgs", c->live);
	family(f, "zombiecg_pinned_memory_bytes", "gauge",
	       "Memory held by dying memcgs: cache + rss + swap.");
	if (c && c->pinned_bytes >= 0)
		sample_int(f, "zombiecg_pinned_memory_bytes", c->pinned_bytes);
	family(f, "zombiecg_pinned_bytes", "gauge",
	       "Memory held by dying memcgs by kind (kinds overlap: mapped_file, dirty and "
	       "writeback are part of cache).");
	for (int k = 0; c && k < _ZCG_KIND_MAX; k++)
		if (c->kind_bytes[k] >= 0)
			sample_labelled_int(f, "zombiecg_pinned_bytes", "kind", zcg_kind_names[k],
					    c->kind_bytes[k]);
	family(f, "zombiecg_kernel_overhead_bytes", "gauge",
	       "Kernel memory of the dying memcgs' own structures (BPF source only).");
	if (c && c->kernel_overhead_bytes >= 0)
		sample_int(f, "zombiecg_kernel_overhead_bytes", c->kernel_overhead_bytes);
	family(f, "zombiecg_memcg_ids_used", "gauge",
	       "Memory cgroup IDs in use host-wide (an upper bound unless the source is bpf).");
	if (c && c->memcg_ids_used >= 0)
		sample_int(f, "zombiecg_memcg_ids_used", c->memcg_ids_used);
	family(f, "zombiecg_memcg_ids_max", "gauge",
	       "Memory cgroup IDs the kernel can hand out (mkdir fails with ENOSPC beyond).");
	sample_int(f, "zombiecg_memcg_ids_max", ZCG_MEMCG_IDS_MAX);
}

static void render_label_values(FILE *f, const char *name, const char *label,
				const struct zcg_metrics_label_value *lv, size_t n)
{
	for (size_t i = 0; lv && i < n; i++)
		sample_labelled_double(f, name, label, lv[i].label, lv[i].value);
}

int zcg_metrics_render(const struct zcg_metrics *m, unsigned flags, char **ret_text, size_t *ret_len)
{
	const struct zcg_census *c = m->census;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;

	render_census(f, c);
	r = render_parents(f, c, m->top_parents);
	if (r < 0) {
		fclose(f);
		free(text);
		return r;
	}
	render_origins(f, m->origins);
	render_created(f, m);

	family(f, "zombiecg_eligible_memcgs", "gauge",
	       "Dying memcgs past their grace period, which the daemon may act on.");
	if (m->eligible_memcgs >= 0)
		sample_int(f, "zombiecg_eligible_memcgs", m->eligible_memcgs);
	family(f, "zombiecg_eligible_parents", "gauge",
	       "Live parents holding dying memcgs past their grace period.");
	if (m->eligible_parents >= 0)
		sample_int(f, "zombiecg_eligible_parents", m->eligible_parents);
	family(f, "zombiecg_threshold_exceeded", "gauge",
	       "1 while a configured threshold is crossed and the short grace period applies.");
	render_label_values(f, "zombiecg_threshold_exceeded", "threshold", m->thresholds, m->n_thresholds);

	family(f, "zombiecg_reap_available", "gauge",
	       "1 if this build can free zombies; 0: it counts them only.");
	sample_int(f, "zombiecg_reap_available", m->reap_available ? 1 : 0);
	family(f, "zombiecg_reaped_total", "counter", "Dying memcgs freed by the daemon.");
	sample_uint(f, "zombiecg_reaped_total", m->reaped_total);
	family(f, "zombiecg_reap_evicted_bytes_total", "counter",
	       "Bytes evicted or recharged to free dying memcgs.");
	sample_uint(f, "zombiecg_reap_evicted_bytes_total", m->reap_evicted_bytes_total);
	family(f, "zombiecg_reap_cpu_seconds_total", "counter", "CPU time spent reaping.");
	sample_double(f, "zombiecg_reap_cpu_seconds_total", m->reap_cpu_seconds_total);
	family(f, "zombiecg_reap_errors_total", "counter", "Reap steps that failed.");
	sample_uint(f, "zombiecg_reap_errors_total", m->reap_errors_total);
	family(f, "zombiecg_unreclaimable_memcgs", "gauge",
	       "Dying memcgs the last reap step could not free, by reason.");
	render_label_values(f, "zombiecg_unreclaimable_memcgs", "reason", m->unreclaimable,
			    m->n_unreclaimable);

	family(f, "zombiecg_scan_duration_seconds", "gauge", "Wall time of the last census.");
	if (m->scan_duration_seconds >= 0)
		sample_double(f, "zombiecg_scan_duration_seconds", m->scan_duration_seconds);
	family(f, "zombiecg_scans_total", "counter", "Censuses taken.");
	sample_uint(f, "zombiecg_scans_total", m->scans_total);
	family(f, "zombiecg_scan_errors_total", "counter", "Censuses that failed.");
	sample_uint(f, "zombiecg_scan_errors_total", m->scan_errors_total);
	family(f, "zombiecg_last_scan_timestamp_seconds", "gauge",
	       "Unix time of the last successful census.");
	if (m->last_scan_timestamp_seconds > 0)
		sample_double(f, "zombiecg_last_scan_timestamp_seconds", m->last_scan_timestamp_seconds);

	family(f, "zombiecg_grace_period_seconds", "gauge",
	       "Grace period in force (the urgent one while a threshold is crossed): younger "
	       "zombies are never acted on.");
	sample_double(f, "zombiecg_grace_period_seconds", m->grace_period_seconds);
	family(f, "zombiecg_cpu_budget_ratio", "gauge", "CPU budget in force, in CPUs (0.01 = 1% of one).");
	sample_double(f, "zombiecg_cpu_budget_ratio", m->cpu_budget_ratio);
	family(f, "zombiecg_config_last_reload_successful", "gauge",
	       "1 if the last configuration load succeeded (0: the previous one stays in force).");
	sample_int(f, "zombiecg_config_last_reload_successful", m->config_reload_ok ? 1 : 0);
	family(f, "zombiecg_config_last_reload_success_timestamp_seconds", "gauge",
	       "Unix time of the last successful configuration load.");
	sample_double(f, "zombiecg_config_last_reload_success_timestamp_seconds",
		      m->config_reload_timestamp_seconds);

	family(f, "zombiecg_census_info", "gauge",
	       "How the last census was taken: scope, dying counter and accuracy of pinned bytes.");
	if (c) {
		fputs("zombiecg_census_info{scope=\"", f);
		zcg_metrics_write_label_value(f, c->scope);
		fputs("\",dying_counter=\"", f);
		zcg_metrics_write_label_value(f, c->dying_counter ? c->dying_counter : "");
		fputs("\",pinned_accuracy=\"", f);
		zcg_metrics_write_label_value(f, c->pinned_accuracy ? c->pinned_accuracy : "");
		fputs("\"} 1\n", f);
	}
	family(f, "zombiecg_build_info", "gauge",
	       "Version, census source (bpf or cgroupfs) and cgroup hierarchy (v1 or v2).");
	fputs("zombiecg_build_info{version=\"", f);
	zcg_metrics_write_label_value(f, m->version ? m->version : "");
	fputs("\",source=\"", f);
	zcg_metrics_write_label_value(f, c && c->source ? c->source : "none");
	fputs("\",hierarchy=\"", f);
	zcg_metrics_write_label_value(f, m->hierarchy ? m->hierarchy : "");
	fputs("\"} 1\n", f);

	if (flags & ZCG_METRICS_PROCESS) {
		family(f, "process_cpu_seconds_total", "counter", "User and system CPU time of the daemon.");
		sample_double(f, "process_cpu_seconds_total", m->process_cpu_seconds_total);
		family(f, "process_resident_memory_bytes", "gauge", "Resident memory of the daemon.");
		if (m->process_resident_memory_bytes >= 0)
			sample_int(f, "process_resident_memory_bytes", m->process_resident_memory_bytes);
		family(f, "process_start_time_seconds", "gauge", "Unix time the daemon started.");
		sample_double(f, "process_start_time_seconds", m->process_start_time_seconds);
	}

	if (fclose(f) != 0) {
		free(text);
		return -ENOMEM;
	}
	*ret_text = text;
	if (ret_len)
		*ret_len = len;
	return 0;
}
