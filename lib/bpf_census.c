// SPDX-License-Identifier: GPL-2.0
/* Loader for bpf/memcg_census.bpf.c, and the per-memcg kernel overhead from BTF.
 * See bpf_census.h for the contracts. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "bpf_census.h"
#include "error.h"
#include "bpf_common.h"
#include "util.h"


#ifdef HAVE_BPF

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "memcg_census.skel.h"

/* ---- cleanup helpers ---- */

static inline void skel_destroyp(struct memcg_census_bpf **skel)
{
	memcg_census_bpf__destroy(*skel);
}

/* ---- BTF lookups ---- */

static const struct btf_type *btf_struct(const struct btf *btf, const char *name)
{
	int id = btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT);

	return id < 0 ? NULL : btf__type_by_id(btf, id);
}

/* Finds a member by name, looking into anonymous structs and unions as C does. Returns its
 * type id with typedefs and qualifiers stripped, or -ENOENT. */
static int btf_member_type(const struct btf *btf, const struct btf_type *t, const char *name)
{
	const struct btf_member *m;
	int i;

	if (!t || !btf_is_composite(t))
		return -ENOENT;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		const char *mname = btf__name_by_offset(btf, m->name_off);

		if (mname && *mname) {
			if (streq(mname, name))
				return btf__resolve_type(btf, m->type);
		} else {
			int id = btf__resolve_type(btf, m->type);

			if (id >= 0) {
				id = btf_member_type(btf, btf__type_by_id(btf, id), name);
				if (id >= 0)
					return id;
			}
		}
	}
	return -ENOENT;
}

/* Number of elements of an array member (pahole flattens multi-dimensional arrays), or -1. */
static long long btf_member_nelems(const struct btf *btf, const char *sname, const char *mname)
{
	int id = btf_member_type(btf, btf_struct(btf, sname), mname);
	const struct btf_type *t = id < 0 ? NULL : btf__type_by_id(btf, id);

	if (!t || !btf_is_array(t))
		return -1;
	return btf_array(t)->nelems;
}

/* Size of what a pointer member points to, or -1 if the member is missing or not a pointer. */
static long long btf_member_pointee_size(const struct btf *btf, const char *sname, const char *mname)
{
	int id = btf_member_type(btf, btf_struct(btf, sname), mname);
	const struct btf_type *t = id < 0 ? NULL : btf__type_by_id(btf, id);

	if (!t || !btf_is_ptr(t))
		return -1;
	return btf__resolve_size(btf, t->type);
}

static long long btf_struct_size(const struct btf *btf, const char *name)
{
	const struct btf_type *t = btf_struct(btf, name);

	return t ? (long long)t->size : -1;
}

static int btf_enum_value(const struct btf *btf, const char *ename, const char *item, long long *ret)
{
	int id = btf__find_by_name_kind(btf, ename, BTF_KIND_ENUM);
	const struct btf_type *t;
	const struct btf_enum *e;
	int i;

	if (id < 0)
		return -ENOENT;
	t = btf__type_by_id(btf, id);
	e = btf_enum(t);
	for (i = 0; i < btf_vlen(t); i++, e++)
		if (streq(btf__name_by_offset(btf, e->name_off), item)) {
			*ret = e->val;
			return 0;
		}
	return -ENOENT;
}

static bool btf_enum_has(const struct btf *btf, const char *ename, const char *item)
{
	long long v;

	return btf_enum_value(btf, ename, item, &v) == 0;
}

/* ---- where the statistics live in struct memcg_vmstats ----
 *
 * Until 6.10 memcg_vmstats.state[] is indexed directly by enum node_stat_item and
 * enum memcg_stat_item (MEMCG_NR_STAT entries). Since 6.11 it holds only the items memcg
 * accounts: first memcg_node_stat_items[] (as many as struct lruvec_stats has), then
 * memcg_stat_items[] (all of enum memcg_stat_item, in order). The first list lives only in
 * mm/memcontrol.c, so it is written out here; an entry marked optional is in the kernel's list
 * only when it exists in enum node_stat_item (config options, later kernels). The result is
 * used only if its length equals the kernel's, else the statistics are reported unknown. */

#define ITEM(name) { name, false }
#define OPTIONAL_ITEM(name) { name, true }
static const struct {
	const char *name;
	bool optional;
} memcg_node_stat_items[] = {
	ITEM("NR_INACTIVE_ANON"), ITEM("NR_ACTIVE_ANON"), ITEM("NR_INACTIVE_FILE"),
	ITEM("NR_ACTIVE_FILE"), ITEM("NR_UNEVICTABLE"), ITEM("NR_SLAB_RECLAIMABLE_B"),
	ITEM("NR_SLAB_UNRECLAIMABLE_B"), ITEM("WORKINGSET_REFAULT_ANON"),
	ITEM("WORKINGSET_REFAULT_FILE"), ITEM("WORKINGSET_ACTIVATE_ANON"),
	ITEM("WORKINGSET_ACTIVATE_FILE"), ITEM("WORKINGSET_RESTORE_ANON"),
	ITEM("WORKINGSET_RESTORE_FILE"), ITEM("WORKINGSET_NODERECLAIM"), ITEM("NR_ANON_MAPPED"),
	ITEM("NR_FILE_MAPPED"), ITEM("NR_FILE_PAGES"), ITEM("NR_FILE_DIRTY"), ITEM("NR_WRITEBACK"),
	ITEM("NR_SHMEM"), ITEM("NR_SHMEM_THPS"), ITEM("NR_FILE_THPS"), ITEM("NR_ANON_THPS"),
	OPTIONAL_ITEM("NR_VMALLOC"), ITEM("NR_KERNEL_STACK_KB"), ITEM("NR_PAGETABLE"),
	OPTIONAL_ITEM("NR_SECONDARY_PAGETABLE"), OPTIONAL_ITEM("NR_SWAPCACHE"),
	OPTIONAL_ITEM("PGPROMOTE_SUCCESS"), OPTIONAL_ITEM("PGDEMOTE_KSWAPD"),
	OPTIONAL_ITEM("PGDEMOTE_DIRECT"), OPTIONAL_ITEM("PGDEMOTE_KHUGEPAGED"),
	OPTIONAL_ITEM("PGDEMOTE_PROACTIVE"), OPTIONAL_ITEM("PGSTEAL_KSWAPD"),
	OPTIONAL_ITEM("PGSTEAL_DIRECT"), OPTIONAL_ITEM("PGSTEAL_KHUGEPAGED"),
	OPTIONAL_ITEM("PGSTEAL_PROACTIVE"), OPTIONAL_ITEM("PGSTEAL_ANON"),
	OPTIONAL_ITEM("PGSTEAL_FILE"), OPTIONAL_ITEM("PGSCAN_KSWAPD"), OPTIONAL_ITEM("PGSCAN_DIRECT"),
	OPTIONAL_ITEM("PGSCAN_KHUGEPAGED"), OPTIONAL_ITEM("PGSCAN_PROACTIVE"),
	OPTIONAL_ITEM("PGSCAN_ANON"), OPTIONAL_ITEM("PGSCAN_FILE"), OPTIONAL_ITEM("PGREFILL"),
	OPTIONAL_ITEM("NR_HUGETLB"),
};
#undef ITEM
#undef OPTIONAL_ITEM

static const char *const vmstat_item_names[ZCG_VMSTAT_NR] = {
	[ZCG_VMSTAT_FILE] = "NR_FILE_PAGES",
	[ZCG_VMSTAT_ANON] = "NR_ANON_MAPPED",
	[ZCG_VMSTAT_SHMEM] = "NR_SHMEM",
	[ZCG_VMSTAT_FILE_MAPPED] = "NR_FILE_MAPPED",
	[ZCG_VMSTAT_FILE_DIRTY] = "NR_FILE_DIRTY",
	[ZCG_VMSTAT_WRITEBACK] = "NR_WRITEBACK",
	[ZCG_VMSTAT_KMEM] = "MEMCG_KMEM",
};

struct vmstat_layout {
	bool have_vmstats;
	bool vmstats_array;	/* 5.10: mem_cgroup.vmstats[] is an array, by enum value */
	int idx[ZCG_VMSTAT_NR];
	/* The kernel has iter/cgroup (6.1+); without it the census enters the css tree from
	 * an iter/task program (5.8+, bpf/memcg_census.bpf.c says why that is safe). */
	bool cgroup_iter;
};

static int compact_node_index(const struct btf *btf, const char *item, long long nr_node_items)
{
	long long pos = 0;
	int found = -1;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(memcg_node_stat_items); i++) {
		if (memcg_node_stat_items[i].optional &&
		    !btf_enum_has(btf, "node_stat_item", memcg_node_stat_items[i].name))
			continue;
		if (streq(memcg_node_stat_items[i].name, item))
			found = pos;
		pos++;
	}
	return pos == nr_node_items ? found : -1;
}

static void resolve_vmstat_layout(const struct btf *btf, struct vmstat_layout *ret)
{
	long long nr_state, nr_node_items, memcg_nr_stat, memcg_swap, v;
	int i;

	for (i = 0; i < ZCG_VMSTAT_NR; i++)
		ret->idx[i] = -1;
	ret->cgroup_iter = btf__find_by_name_kind(btf, "bpf_iter__cgroup", BTF_KIND_STRUCT) >= 0;
	ret->have_vmstats = btf_member_pointee_size(btf, "mem_cgroup", "vmstats") > 0;
	nr_state = btf_member_nelems(btf, "memcg_vmstats", "state");
	nr_node_items = btf_member_nelems(btf, "lruvec_stats", "state");
	ret->vmstats_array = false;
	if (!ret->have_vmstats &&
	    btf_enum_value(btf, "memcg_stat_item", "MEMCG_NR_STAT", &memcg_nr_stat) == 0 &&
	    btf_member_nelems(btf, "mem_cgroup", "vmstats") == memcg_nr_stat) {
		/* 5.10: atomic_long_t vmstats[MEMCG_NR_STAT] in the memcg, hierarchical. */
		ret->vmstats_array = true;
		for (i = 0; i < ZCG_VMSTAT_NR; i++) {
			const char *ename = i == ZCG_VMSTAT_KMEM ? "memcg_stat_item" : "node_stat_item";

			if (btf_enum_value(btf, ename, vmstat_item_names[i], &v) == 0 && v >= 0 &&
			    v < memcg_nr_stat)
				ret->idx[i] = v;
		}
		return;
	}
	if (!ret->have_vmstats || nr_state <= 0 ||
	    btf_enum_value(btf, "memcg_stat_item", "MEMCG_NR_STAT", &memcg_nr_stat) < 0 ||
	    btf_enum_value(btf, "memcg_stat_item", "MEMCG_SWAP", &memcg_swap) < 0) {
		ret->have_vmstats = false;
		return;
	}

	if (nr_state == memcg_nr_stat) {
		/* Direct indexing by enum value. */
		for (i = 0; i < ZCG_VMSTAT_NR; i++) {
			const char *ename = i == ZCG_VMSTAT_KMEM ? "memcg_stat_item" : "node_stat_item";

			if (btf_enum_value(btf, ename, vmstat_item_names[i], &v) == 0 && v >= 0 && v < nr_state)
				ret->idx[i] = v;
		}
		return;
	}

	/* Compact layout: check that the memcg-only items fill the tail as expected. */
	if (nr_node_items <= 0 || nr_state - nr_node_items != memcg_nr_stat - memcg_swap)
		return;
	for (i = 0; i < ZCG_VMSTAT_NR; i++) {
		if (i == ZCG_VMSTAT_KMEM) {
			if (btf_enum_value(btf, "memcg_stat_item", "MEMCG_KMEM", &v) == 0)
				ret->idx[i] = nr_node_items + (v - memcg_swap);
		} else {
			ret->idx[i] = compact_node_index(btf, vmstat_item_names[i], nr_node_items);
		}
	}
}

/* ---- system facts ---- */

static int read_id_list_file(const char *path, unsigned int *ret_count, unsigned int *ret_last)
{
	_cleanup_free_ char *buf = NULL;
	int r;

	r = read_full_file(path, &buf, NULL);
	if (r < 0)
		return r;
	return zcg_parse_id_list(buf, ret_count, ret_last);
}

/* Ring buffer bytes for n records: a power of two, as the kernel wants. */
static uint32_t ringbuf_size(uint64_t n)
{
	uint64_t need = n * ((8 + sizeof(struct zcg_memcg_rec) + 7) & ~7ULL), size = 64 * 1024;

	while (size < need && size < (1ULL << 30))
		size <<= 1;
	return size;
}

static const char *lockdown_mode(void)
{
	static char mode[32];
	_cleanup_free_ char *buf = NULL;
	char *open, *close;

	if (read_full_file("/sys/kernel/security/lockdown", &buf, NULL) < 0)
		return NULL;
	open = strchr(buf, '[');
	close = open ? strchr(open, ']') : NULL;
	if (!close)
		return NULL;
	snprintf(mode, sizeof(mode), "%.*s", (int)(close - open - 1), open + 1);
	return mode;
}

/* ---- what a memcg costs the kernel ---- */

/* kmalloc() hands out SLUB size classes up to two pages, whole page orders above. */
static uint64_t kmalloc_size(uint64_t n)
{
	static const uint64_t classes[] = { 8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192 };
	uint64_t page = sysconf(_SC_PAGESIZE), size;
	size_t i;

	if (n <= 2 * page)
		for (i = 0; i < ARRAY_SIZE(classes); i++)
			if (n <= classes[i])
				return classes[i];
	for (size = page; size < n; size <<= 1)
		;
	return size;
}

static uint64_t positive(long long v)
{
	return v > 0 ? (uint64_t)v : 0;
}

/* The kernel does not change under a running process: computed once, from the first BTF
 * parse that needs it (zcg_bpf_walk_memcgs() parses BTF anyway). */
static struct zcg_memcg_overhead overhead_cache;
static bool overhead_cached;
/* The running kernel's BTF does not change: the layout it gives is worked out once per
 * process (the daemon takes a census every interval). */
static struct vmstat_layout layout_cache;
static bool layout_cached;

static int overhead_from_btf(const struct btf *btf, struct zcg_memcg_overhead *ret)
{
	struct zcg_memcg_overhead o = {};
	unsigned int count, last;
	long long memcg, per_node, cgroup, sz;
	uint64_t percpu = 0;
	int r;

	r = read_id_list_file("/sys/devices/system/cpu/possible", &count, &last);
	if (r < 0)
		return r;
	o.possible_cpus = count;
	o.node_ids = zcg_bpf_node_ids();

	memcg = btf_struct_size(btf, "mem_cgroup");
	per_node = btf_struct_size(btf, "mem_cgroup_per_node");
	cgroup = btf_struct_size(btf, "cgroup");
	if (memcg <= 0 || per_node <= 0 || cgroup <= 0)
		return -ENOENT;

	/* mem_cgroup_alloc(): kzalloc(struct_size(memcg, nodeinfo, nr_node_ids)), then the
	 * statistics it points to. Embedded ones are already in sizeof(struct mem_cgroup). */
	o.memcg_bytes = kmalloc_size(memcg + o.node_ids * sizeof(void *));
	sz = btf_member_pointee_size(btf, "mem_cgroup", "vmstats");
	if (sz > 0)
		o.memcg_bytes += kmalloc_size(sz);
	percpu += positive(btf_member_pointee_size(btf, "mem_cgroup", "vmstats_percpu"));
	percpu += positive(btf_member_pointee_size(btf, "mem_cgroup", "events_percpu"));
	percpu += positive(btf_member_pointee_size(btf, "cgroup_subsys_state", "rstat_cpu"));

	/* alloc_mem_cgroup_per_node_info(), once per possible node. */
	sz = btf_member_pointee_size(btf, "mem_cgroup_per_node", "lruvec_stats");
	o.per_node_bytes = o.node_ids * (kmalloc_size(per_node) + (sz > 0 ? kmalloc_size(sz) : 0));
	percpu += o.node_ids * positive(btf_member_pointee_size(btf, "mem_cgroup_per_node",
								 "lruvec_stats_percpu"));

	/* The cgroup: kzalloc(struct_size(cgrp, ancestors, level + 1)), counted at level 1, its
	 * rstat per-CPU data (6.16+: base stats plus the self css's), kernfs node and psi. */
	o.cgroup_bytes = kmalloc_size(cgroup + 2 * sizeof(void *));
	o.cgroup_bytes += positive(btf_struct_size(btf, "kernfs_node"));
	percpu += positive(btf_member_pointee_size(btf, "cgroup", "rstat_cpu"));
	percpu += positive(btf_member_pointee_size(btf, "cgroup", "rstat_base_cpu"));
	percpu += positive(btf_member_pointee_size(btf, "cgroup_subsys_state", "rstat_cpu"));
	if (access("/proc/pressure/memory", F_OK) == 0) {
		sz = btf_member_pointee_size(btf, "cgroup", "psi");
		if (sz > 0)
			o.cgroup_bytes += kmalloc_size(sz);
		percpu += positive(btf_member_pointee_size(btf, "psi_group", "pcpu"));
	}

	o.percpu_bytes = percpu * o.possible_cpus;
	o.total_bytes = o.memcg_bytes + o.per_node_bytes + o.percpu_bytes + o.cgroup_bytes;
	*ret = o;
	return 0;
}

/* ---- the census ---- */

int zcg_bpf_available(const char *btf_path)
{
	_cleanup_close_ int fd = -1;

	fd = open(btf_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int r = -errno;

		if (r == -ENOENT)
			return zcg_error(r, "kernel has no BTF (%s missing)", btf_path);
		return zcg_error(r, "cannot read kernel BTF %s: %s", btf_path, strerror(-r));
	}
	return 0;
}

struct collector {
	const struct zcg_memcg_sink *sink;
	size_t n;
	int error;
};

static int collect_record(void *ctx, void *data, size_t size)
{
	struct collector *c = ctx;
	int r;

	if (size != sizeof(struct zcg_memcg_rec)) {
		c->error = -EBADMSG;
		return c->error;
	}
	r = c->sink->record(c->sink->userdata, data);
	if (r < 0) {
		c->error = r;
		return r;
	}
	c->n++;
	return 0;
}

struct census_params {
	int root_fd;
	const char *root_dir;
	bool cgroup_v1;
	unsigned int node_ids;
	struct vmstat_layout layout;
};

static int describe_load_error(int r)
{
	const char *detail = zcg_bpf_message();
	const char *lockdown = lockdown_mode();

	if (r == -EPERM)
		return zcg_error(r, "BPF load failed: %s (need CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN)",
				 strerror(-r));
	if (lockdown && streq(lockdown, "confidentiality"))
		return zcg_error(r, "BPF load failed: %s (kernel lockdown is in confidentiality mode, "
				 "which forbids reading kernel memory from BPF)", strerror(-r));
	if (zcg_bpf_verifier_spoke())
		return zcg_error(r, "BPF program rejected by the verifier: %s", detail);
	return zcg_error(r, "BPF load failed: %s%s%s%s", strerror(-r),
			 detail[0] ? " (" : "", detail, detail[0] ? ")" : "");
}

/* Opens the census object, configures it and loads it, CO-RE relocated against btf_path
 * (NULL: the running kernel's BTF). */
static int census_load(const struct census_params *p, const char *btf_path, uint64_t expected,
		       struct memcg_census_bpf **ret_skel)
{
	_cleanup_(skel_destroyp) struct memcg_census_bpf *skel = NULL;
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .btf_custom_path = btf_path);
	int i, r;

	zcg_bpf_messages_reset();
	skel = memcg_census_bpf__open_opts(&open_opts);
	if (!skel) {
		r = -errno;
		return zcg_error(r, "cannot open the BPF census object: %s", strerror(-r));
	}
	skel->rodata->nr_node_ids = p->node_ids;
	skel->rodata->cgroup_v1 = p->cgroup_v1;
	skel->rodata->have_vmstats = p->layout.have_vmstats;
	skel->rodata->vmstats_array = p->layout.vmstats_array;
	for (i = 0; i < ZCG_VMSTAT_NR; i++)
		skel->rodata->vmstat_idx[i] = p->layout.idx[i];
	r = bpf_map__set_max_entries(skel->maps.records, ringbuf_size(expected));
	if (r < 0) {
		return zcg_error(r, "cannot size the BPF ring buffer: %s", strerror(-r));
	}

	/* Only the entry point this kernel has: libbpf would fail the whole object on the
	 * other one's attach target. */
	bpf_program__set_autoload(skel->progs.memcg_census, p->layout.cgroup_iter);
	bpf_program__set_autoload(skel->progs.memcg_census_task, !p->layout.cgroup_iter);
	r = memcg_census_bpf__load(skel);
	if (r < 0)
		return describe_load_error(r);
	*ret_skel = TAKE_PTR(skel);
	return 0;
}

/* The loaded census program, its iterator link and ring buffer, kept for the next census of
 * the same hierarchy (the daemon takes one every interval: loading and verifying each time
 * cost more CPU than the census itself). */
static struct {
	struct memcg_census_bpf *skel;
	struct bpf_link *link;
	struct ring_buffer *rb;
	struct collector *collector;	/* where the next consume puts records */
	char *root_dir;
	bool cgroup_v1;
	uint32_t rb_size;
} loaded;

static void loaded_free(void)
{
	ring_buffer__free(loaded.rb);
	bpf_link__destroy(loaded.link);
	memcg_census_bpf__destroy(loaded.skel);
	free(loaded.root_dir);
	memset(&loaded, 0, sizeof(loaded));
}

static int collect_loaded(void *ctx, void *data, size_t size)
{
	return collect_record(loaded.collector, data, size);
}

/* Makes `loaded` a census program for p's hierarchy with room for `expected` records. */
static int census_prepare(const struct census_params *p, uint64_t expected)
{
	int r;

	if (loaded.skel && loaded.cgroup_v1 == p->cgroup_v1 && streq(loaded.root_dir, p->root_dir) &&
	    loaded.rb_size >= ringbuf_size(expected))
		return 0;
	loaded_free();
	r = census_load(p, NULL, expected, &loaded.skel);
	if (r < 0)
		return r;
	loaded.cgroup_v1 = p->cgroup_v1;
	loaded.rb_size = ringbuf_size(expected);
	loaded.root_dir = strdup(p->root_dir);
	if (!loaded.root_dir) {
		loaded_free();
		return -ENOMEM;
	}
	if (p->layout.cgroup_iter) {
		loaded.link = zcg_bpf_attach_cgroup_iter(loaded.skel->progs.memcg_census, p->root_fd);
	} else {
		/* The first task leads to the root of the hierarchy memory is on. */
		loaded.link = bpf_program__attach_iter(loaded.skel->progs.memcg_census_task, NULL);
	}
	if (!loaded.link) {
		r = -errno;
		loaded_free();
		return zcg_error(r, "cannot attach the BPF %s iterator to %s: %s",
			   p->layout.cgroup_iter ? "cgroup" : "task", p->root_dir, strerror(-r));
	}
	loaded.rb = ring_buffer__new(bpf_map__fd(loaded.skel->maps.records), collect_loaded, NULL, NULL);
	if (!loaded.rb) {
		r = -errno;
		loaded_free();
		return zcg_error(r, "cannot map the BPF ring buffer: %s", strerror(-r));
	}
	return 0;
}

/* Records one run of the census program emits at most. The ring buffer holds one run's
 * records (userspace maps it twice over, all of it resident: 1 MiB of ring costs 2 MiB of
 * RSS), and the run holds cgroup_mutex throughout: a few microseconds a memcg. */
#define CENSUS_RECORDS_PER_RUN 2048

/* One run of the census program (the first of a census if `fresh`, else going on where the
 * last one stopped), its records handed to c. */
static int census_run(const struct census_params *p, bool fresh, struct collector *c,
		      struct zcg_census_summary *ret_summary)
{
	int r;

	r = census_prepare(p, CENSUS_RECORDS_PER_RUN + 16);
	if (r < 0)
		return r;
	memset(&loaded.skel->bss->summary, 0, sizeof(loaded.skel->bss->summary));
	loaded.skel->bss->max_records = CENSUS_RECORDS_PER_RUN;
	if (fresh) {
		loaded.skel->bss->resume_css = 0;
		loaded.skel->bss->resume_id = 0;
	}
	loaded.skel->bss->task_walk_started = 0;
	loaded.collector = c;
	r = zcg_bpf_iter_run(loaded.link);
	if (r < 0) {
		return zcg_error(r, "running the BPF census iterator failed: %s", strerror(-r));
	}

	r = ring_buffer__consume(loaded.rb);
	if (c->error < 0 || r < 0) {
		r = c->error < 0 ? c->error : r;
		/* records of this run may be left in it: start afresh next time */
		loaded_free();
		return zcg_error(r, "reading the BPF ring buffer failed: %s", strerror(-r));
	}
	*ret_summary = loaded.skel->bss->summary;
	return 0;
}

/* How often a census starts over because the memcg it was to resume at went away between
 * two runs (a zombie freed at that moment): rare, and a snapshot taken again is as good. */
#define CENSUS_RESTARTS_MAX 8

int zcg_bpf_walk_memcgs(const char *memory_root_dir, const struct zcg_memcg_sink *sink)
{
	_cleanup_close_ int root_fd = -1;
	struct census_params p = { .root_dir = memory_root_dir };
	struct zcg_census_summary summary = {}, total = {};
	struct collector c = { .sink = sink };
	struct statfs sfs;
	int attempt, r;

	r = zcg_bpf_available(ZCG_BTF_VMLINUX);
	if (r < 0)
		return r;

	root_fd = open(memory_root_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0 || fstatfs(root_fd, &sfs) < 0) {
		r = -errno;
		return zcg_error(r, "cannot open %s: %s", memory_root_dir, strerror(-r));
	}
	if (sfs.f_type == CGROUP2_SUPER_MAGIC) {
		p.cgroup_v1 = false;
	} else if (sfs.f_type == CGROUP_SUPER_MAGIC) {
		p.cgroup_v1 = true;
	} else {
		return zcg_error(-ENOTDIR, "%s is not a cgroup file system", memory_root_dir);
	}
	p.root_fd = root_fd;
	p.node_ids = zcg_bpf_node_ids();

	if (!layout_cached) {
		_cleanup_(zcg_btf_freep) struct btf *btf = NULL;

		zcg_bpf_messages_reset();
		btf = zcg_bpf_kernel_btf();
		if (!btf) {
			r = -errno;
			return zcg_error(r, "cannot parse kernel BTF %s: %s", ZCG_BTF_VMLINUX, strerror(-r));
		}
		resolve_vmstat_layout(btf, &layout_cache);
		layout_cached = true;
		if (!overhead_cached && overhead_from_btf(btf, &overhead_cache) == 0)
			overhead_cached = true;
	}
	p.layout = layout_cache;

	/* Runs of at most CENSUS_RECORDS_PER_RUN records each, until one gets back to the root;
	 * a run that finds its resume point gone starts the census over. */
	for (attempt = 0;; attempt++) {
		if (attempt > 0 && sink->restart)
			sink->restart(sink->userdata);
		c.n = 0;
		memset(&total, 0, sizeof(total));
		for (bool fresh = true;; fresh = false) {
			r = census_run(&p, fresh, &c, &summary);
			if (r < 0)
				return r;
			total.visited += summary.visited;
			total.emitted += summary.emitted;
			total.dropped += summary.dropped;
			total.faults += summary.faults;
			if (summary.no_memcg || summary.runs != 1 || summary.resume_lost ||
			    summary.walk_done || !summary.more || summary.faults || summary.dropped)
				break;
		}
		if (!summary.resume_lost || attempt + 1 >= CENSUS_RESTARTS_MAX)
			break;
	}

	if (summary.no_memcg) {
		return zcg_error(-ENODEV, "%s has no memory controller", memory_root_dir);
	}
	if (summary.runs != 1) {
		return zcg_error(-EIO, "the BPF cgroup iterator ran %llu times on %s, expected once",
			   (unsigned long long)summary.runs, memory_root_dir);
	}
	if (summary.resume_lost) {
		return zcg_error(-EAGAIN, "the memory hierarchy changed under the BPF census %d times in a row",
			   CENSUS_RESTARTS_MAX);
	}
	if (!summary.walk_done || total.faults) {
		return zcg_error(-EIO, "the BPF memcg walk stopped early after %llu memcgs (%llu failed reads)",
			   (unsigned long long)total.visited, (unsigned long long)total.faults);
	}
	if (total.dropped) {
		return zcg_error(-ENOBUFS, "the BPF census lost %llu of %llu records: ring buffer too small",
			   (unsigned long long)total.dropped, (unsigned long long)total.visited);
	}
	if (c.n != total.emitted) {
		return zcg_error(-EIO, "the BPF census emitted %llu records but %zu arrived",
			   (unsigned long long)total.emitted, c.n);
	}
	return 0;
}

int zcg_bpf_vmstat_indexes(const char *btf_path, int ret_idx[ZCG_VMSTAT_NR])
{
	_cleanup_(zcg_btf_freep) struct btf *btf = NULL;
	struct vmstat_layout layout;

	zcg_bpf_messages_reset();
	btf = btf__parse(btf_path, NULL);
	if (!btf)
		return -errno;
	resolve_vmstat_layout(btf, &layout);
	memcpy(ret_idx, layout.idx, sizeof(layout.idx));
	return 0;
}

int zcg_bpf_try_load(const char *btf_path)
{
	_cleanup_(skel_destroyp) struct memcg_census_bpf *skel = NULL;
	_cleanup_(zcg_btf_freep) struct btf *btf = NULL;
	struct census_params p = { .node_ids = 1, .cgroup_v1 = true };

	zcg_bpf_messages_reset();
	btf = btf_path ? btf__parse(btf_path, NULL) : zcg_bpf_kernel_btf();
	if (!btf) {
		int r = -errno;

		return zcg_error(r, "cannot parse BTF %s: %s", btf_path ? btf_path : ZCG_BTF_VMLINUX,
			   strerror(-r));
	}
	resolve_vmstat_layout(btf, &p.layout);
	return census_load(&p, btf_path, 64, &skel);
}

int zcg_memcg_kernel_overhead_detail(struct zcg_memcg_overhead *ret)
{
	_cleanup_(zcg_btf_freep) struct btf *btf = NULL;
	int r;

	if (!overhead_cached) {
		if (access(ZCG_BTF_VMLINUX, R_OK) < 0)
			return -EOPNOTSUPP;
		zcg_bpf_messages_reset();
		btf = zcg_bpf_kernel_btf();
		if (!btf)
			return -errno;
		r = overhead_from_btf(btf, &overhead_cache);
		if (r < 0)
			return r;
		overhead_cached = true;
	}
	*ret = overhead_cache;
	return 0;
}

int zcg_memcg_kernel_overhead(uint64_t *ret_bytes_per_memcg)
{
	struct zcg_memcg_overhead o;
	int r;

	r = zcg_memcg_kernel_overhead_detail(&o);
	if (r < 0)
		return r;
	*ret_bytes_per_memcg = o.total_bytes;
	return 0;
}

#else /* !HAVE_BPF */

int zcg_bpf_available(const char *btf_path)
{
	return zcg_error(-EOPNOTSUPP, "this build has no BPF support (libbpf, clang or bpftool was missing)");
}

int zcg_bpf_walk_memcgs(const char *memory_root_dir, const struct zcg_memcg_sink *sink)
{
	return zcg_bpf_available(NULL);
}

int zcg_memcg_kernel_overhead_detail(struct zcg_memcg_overhead *ret)
{
	return -EOPNOTSUPP;
}

int zcg_memcg_kernel_overhead(uint64_t *ret_bytes_per_memcg)
{
	return -EOPNOTSUPP;
}

int zcg_bpf_vmstat_indexes(const char *btf_path, int ret_idx[ZCG_VMSTAT_NR])
{
	return -EOPNOTSUPP;
}

int zcg_bpf_try_load(const char *btf_path)
{
	return zcg_bpf_available(NULL);
}

#endif
