// SPDX-License-Identifier: GPL-2.0
/* Debug harness for the BPF census (lib/bpf_census.c), used by the root tests and by hand;
 * built as build/tests/helpers/bpf_census_probe.
 *
 *   bpf_census_probe [--dying] DIR       one line per memcg under DIR (a memory hierarchy root)
 *   bpf_census_probe --time N DIR        N full censuses (load included), wall time of each
 *   bpf_census_probe --overhead          kernel bytes one memcg costs, with the breakdown
 *   bpf_census_probe --available BTF     exit 0 if a census could be tried with that BTF file
 *   bpf_census_probe --try-load BTF      load (not run) the program relocated for another kernel's
 *                                        BTF (a vmlinux ELF or raw BTF), then print its vmstat indexes
 *
 * Census lines are tab-separated, counts in pages, ZCG_UNKNOWN printed as "-":
 *   id parent_id level dying css_flags memcg_id usage swap lru_anon lru_file lru_unevictable
 *   file anon shmem file_mapped file_dirty writeback kmem rec_flags name
 * Exit status: 0 success, 1 failure (the reason on stderr), 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpf_census.h"
#include "error.h"
#include "util.h"

static void print_count(uint64_t v, char sep)
{
	if (v == ZCG_UNKNOWN)
		printf("-%c", sep);
	else
		printf("%" PRIu64 "%c", v, sep);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Every record of one census in an array (the library hands them over one by one). */
struct rec_array {
	struct zcg_memcg_rec *recs;
	size_t n, allocated;
};

static int rec_array_add(void *userdata, const struct zcg_memcg_rec *rec)
{
	struct rec_array *a = userdata;

	if (grow_array((void **)&a->recs, &a->allocated, a->n + 1, sizeof(*a->recs)) < 0)
		return -ENOMEM;
	a->recs[a->n++] = *rec;
	return 0;
}

static void rec_array_restart(void *userdata)
{
	((struct rec_array *)userdata)->n = 0;
}

static int read_memcgs(const char *dir, struct zcg_memcg_rec **ret_recs, size_t *ret_n)
{
	struct rec_array a = {};
	const struct zcg_memcg_sink sink = {
		.record = rec_array_add, .restart = rec_array_restart, .userdata = &a,
	};
	int r = zcg_bpf_walk_memcgs(dir, &sink);

	if (r < 0) {
		free(a.recs);
		return r;
	}
	*ret_recs = a.recs;
	*ret_n = a.n;
	return 0;
}

static int list(const char *dir, bool dying_only)
{
	_cleanup_free_ struct zcg_memcg_rec *recs = NULL;
	size_t n, i, dying = 0;
	int r;

	r = read_memcgs(dir, &recs, &n);
	if (r < 0) {
		fprintf(stderr, "bpf_census_probe: %s\n", zcg_strerror(r));
		return 1;
	}
	printf("# id\tparent_id\tlevel\tdying\tcss_flags\tmemcg_id\tusage\tswap\tlru_anon\tlru_file\t"
	       "lru_unevictable\tfile\tanon\tshmem\tfile_mapped\tfile_dirty\twriteback\tkmem\t"
	       "rec_flags\tname\n");
	for (i = 0; i < n; i++) {
		const struct zcg_memcg_rec *rec = &recs[i];
		bool d = zcg_memcg_rec_dying(rec);

		dying += d;
		if (dying_only && !d)
			continue;
		printf("%llu\t%llu\t%llu\t%d\t0x%llx\t%llu\t", (unsigned long long)rec->id,
		       (unsigned long long)rec->parent_id, (unsigned long long)rec->level, d,
		       (unsigned long long)rec->css_flags, (unsigned long long)rec->memcg_id);
		print_count(rec->usage_pages, '\t');
		print_count(rec->swap_pages, '\t');
		print_count(rec->lru_anon_pages, '\t');
		print_count(rec->lru_file_pages, '\t');
		print_count(rec->lru_unevictable_pages, '\t');
		print_count(rec->file_pages, '\t');
		print_count(rec->anon_pages, '\t');
		print_count(rec->shmem_pages, '\t');
		print_count(rec->file_mapped_pages, '\t');
		print_count(rec->file_dirty_pages, '\t');
		print_count(rec->writeback_pages, '\t');
		print_count(rec->kmem_pages, '\t');
		printf("0x%llx\t%s\n", (unsigned long long)rec->flags, rec->name);
	}
	printf("# memcgs %zu dying %zu\n", n, dying);
	return 0;
}

static int timed(const char *dir, int times)
{
	int t;

	for (t = 0; t < times; t++) {
		_cleanup_free_ struct zcg_memcg_rec *recs = NULL;
		double start = now();
		size_t n;
		int r;

		r = read_memcgs(dir, &recs, &n);
		if (r < 0) {
			fprintf(stderr, "bpf_census_probe: %s\n", zcg_strerror(r));
			return 1;
		}
		printf("census %d: %zu memcgs in %.1f ms\n", t, n, (now() - start) * 1e3);
	}
	return 0;
}

static int overhead(void)
{
	struct zcg_memcg_overhead o;
	int r;

	r = zcg_memcg_kernel_overhead_detail(&o);
	if (r < 0) {
		fprintf(stderr, "bpf_census_probe: kernel overhead: %s\n", strerror(-r));
		return 1;
	}
	printf("possible_cpus %u\nnode_ids %u\nmemcg_bytes %" PRIu64 "\nper_node_bytes %" PRIu64
	       "\npercpu_bytes %" PRIu64 "\ncgroup_bytes %" PRIu64 "\ntotal_bytes %" PRIu64 "\n",
	       o.possible_cpus, o.node_ids, o.memcg_bytes, o.per_node_bytes, o.percpu_bytes,
	       o.cgroup_bytes, o.total_bytes);
	return 0;
}

static int available(const char *btf)
{
	int r;

	r = zcg_bpf_available(btf);
	if (r < 0) {
		fprintf(stderr, "bpf_census_probe: %s\n", zcg_strerror(r));
		return 1;
	}
	return 0;
}

static int try_load(const char *btf)
{
	int idx[ZCG_VMSTAT_NR], r, i;

	r = zcg_bpf_try_load(btf);
	if (r < 0) {
		fprintf(stderr, "bpf_census_probe: %s\n", zcg_strerror(r));
		return 1;
	}
	r = zcg_bpf_vmstat_indexes(btf, idx);
	if (r < 0) {
		fprintf(stderr, "bpf_census_probe: vmstat indexes: %s\n", strerror(-r));
		return 1;
	}
	printf("loaded; vmstat indexes file anon shmem file_mapped file_dirty writeback kmem:");
	for (i = 0; i < ZCG_VMSTAT_NR; i++)
		printf(" %d", idx[i]);
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "dying", no_argument, NULL, 'd' },
		{ "time", required_argument, NULL, 't' },
		{ "overhead", no_argument, NULL, 'o' },
		{ "available", required_argument, NULL, 'a' },
		{ "try-load", required_argument, NULL, 'l' },
		{}
	};
	bool dying_only = false;
	int times = 0, c;

	while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
		switch (c) {
		case 'd':
			dying_only = true;
			break;
		case 't':
			times = atoi(optarg);
			break;
		case 'o':
			return overhead();
		case 'a':
			return available(optarg);
		case 'l':
			return try_load(optarg);
		default:
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: bpf_census_probe [--dying | --time N] DIR | --overhead | --available BTF\n");
		return 2;
	}
	if (times > 0)
		return timed(argv[optind], times);
	return list(argv[optind], dying_only);
}
