// SPDX-License-Identifier: GPL-2.0
/* The pure parts of explain: device numbers, file handles, extents, grouping folios into
 * pins, verdicts, and the /proc scan on a fixture tree. */
#include <errno.h>
#include <sys/sysmacros.h>

#include "explain.h"
#include "fileid.h"
#include "bpf_folios.h"
#include "holders.h"
#include "tap.h"
#include "util.h"

static void test_dev(void)
{
	dev_t d = zcg_dev_from_kernel(254u << 20);

	is_int(major(d), 254, "kernel dev 254<<20: major 254");
	is_int(minor(d), 0, "kernel dev 254<<20: minor 0");
	d = zcg_dev_from_kernel((8u << 20) | 300);
	is_int(major(d), 8, "minor above 255: major kept");
	is_int(minor(d), 300, "minor above 255: minor kept (glibc splits it, the kernel does not)");
	d = zcg_dev_from_kernel(27);
	is_int(major(d), 0, "anonymous dev 0:27: major");
	is_int(minor(d), 27, "anonymous dev 0:27: minor");
	is_int(zcg_kdev_major((259u << 20) | 1), 259, "zcg_kdev_major");
	is_int(zcg_kdev_minor((259u << 20) | 1), 1, "zcg_kdev_minor");
}

static void test_handles(void)
{
	uint32_t raw[4] = {0};
	size_t len = 0;

	is_int(zcg_file_handle_encode("ext4", 247101, 7, raw, &len), 1, "ext4: FILEID_INO32_GEN");
	ok(len == 8 && raw[0] == 247101 && raw[1] == 7, "ext4: {ino, gen}");
	is_int(zcg_file_handle_encode("tmpfs", 0x100000002ull, 0xabc, raw, &len), 1, "tmpfs: type 1");
	ok(len == 12 && raw[0] == 0xabc && raw[1] == 2 && raw[2] == 1, "tmpfs: {gen, ino_lo, ino_hi}");
	is_int(zcg_file_handle_encode("xfs", 0x100000002ull, 5, raw, &len), 0x81, "xfs 64-bit inode: FILEID_INO64_GEN");
	ok(len == 12 && raw[0] == 2 && raw[1] == 1 && raw[2] == 5, "xfs: {ino_lo, ino_hi, gen}");
	is_int(zcg_file_handle_encode("ext4", 0x100000002ull, 0, raw, &len), -EOPNOTSUPP,
	       "a 64-bit inode number does not fit FILEID_INO32_GEN");
	is_int(zcg_file_handle_encode("btrfs", 257, 0, raw, &len), -EOPNOTSUPP, "btrfs handles need the subvolume");
}

static void test_extents(void)
{
	struct zcg_extent *e = NULL;
	size_t n = 0, a = 0;

	zcg_extents_add(&e, &n, &a, 0, 1, 0);
	zcg_extents_add(&e, &n, &a, 1, 1, 0);
	is_int(n, 1, "consecutive pages with the same flags extend the last extent");
	zcg_extents_add(&e, &n, &a, 10, 4, ZCG_EXTENT_DIRTY);
	zcg_extents_add(&e, &n, &a, 5, 5, 0);		/* 5..9, touches 10 but other flags */
	zcg_extents_add(&e, &n, &a, 2, 3, 0);		/* 2..4: joins 0..1 and 5..9 */
	zcg_extents_add(&e, &n, &a, 11, 1, ZCG_EXTENT_MAPPED);	/* inside 10..13: seen twice */
	zcg_extents_add(&e, &n, &a, 100, 2, 0);
	zcg_extents_merge(e, &n);
	is_int(n, 3, "merged into three extents");
	ok(e[0].start == 0 && e[0].nr_pages == 10 && e[0].flags == 0, "0..9 clean");
	ok(e[1].start == 10 && e[1].nr_pages == 4 && e[1].flags == (ZCG_EXTENT_DIRTY | ZCG_EXTENT_MAPPED),
	   "10..13 keeps apart from 0..9 (other flags), overlap ors the flags");
	ok(e[2].start == 100 && e[2].nr_pages == 2, "100..101");
	n = 0;
	zcg_extents_merge(e, &n);
	is_int(n, 0, "merging nothing");
	free(e);
}

static struct zcg_folio_rec file_folio(uint32_t dev, uint64_t ino, uint64_t index, uint32_t nr, uint32_t flags)
{
	return (struct zcg_folio_rec){ .type = ZCG_REC_FOLIO, .dev = dev, .ino = ino, .index = index,
				       .nr_pages = nr, .flags = flags, .generation = 3 };
}

static const struct zcg_pin *find_pin(const struct zcg_pin *p, size_t n, enum zcg_pin_kind kind, uint64_t ino, int owner)
{
	for (size_t i = 0; i < n; i++)
		if (p[i].kind == kind && p[i].ino == ino && p[i].owner_pid == owner)
			return &p[i];
	return NULL;
}

static void test_pins(void)
{
	const uint32_t vda = 254u << 20, shm = 27;
	struct zcg_folio_rec recs[] = {
		file_folio(vda, 10, 3, 1, 0),
		file_folio(vda, 10, 0, 1, 0),
		file_folio(vda, 10, 1, 1, 0),
		file_folio(vda, 10, 1, 1, 0),		/* seen twice: counted once */
		file_folio(vda, 10, 2, 1, 0),
		file_folio(vda, 10, 4, 4, ZCG_FOLIO_DIRTY | ZCG_FOLIO_LARGE),
		file_folio(vda, 11, 0, 1, ZCG_FOLIO_MAPPED),
		file_folio(vda, 11, 1, 1, ZCG_FOLIO_WRITEBACK),
		file_folio(shm, 10, 0, 1, ZCG_FOLIO_SWAPBACKED | ZCG_FOLIO_DIRTY),
		{ .type = ZCG_REC_FOLIO, .flags = ZCG_FOLIO_ANON | ZCG_FOLIO_SWAPBACKED | ZCG_FOLIO_MAPPED,
		  .owner_pid = 42, .ino = 0xffff1, .nr_pages = 1 },
		{ .type = ZCG_REC_FOLIO, .flags = ZCG_FOLIO_ANON | ZCG_FOLIO_SWAPBACKED | ZCG_FOLIO_MAPPED,
		  .owner_pid = 42, .ino = 0xffff2, .nr_pages = 512 },
		{ .type = ZCG_REC_FOLIO, .flags = ZCG_FOLIO_ANON | ZCG_FOLIO_SWAPBACKED, .nr_pages = 1 },
		{ .type = ZCG_REC_FOLIO, .flags = ZCG_FOLIO_NO_MAPPING, .nr_pages = 1 },
	};
	struct zcg_pin *pins = NULL;
	const struct zcg_pin *p;
	size_t n = 0;

	is_int(zcg_pins_from_folios(recs, ARRAY_SIZE(recs), &pins, &n), 0, "pins from folios");
	is_int(n, 6, "two files, one shmem file, two anon owners, one unmapped folio");
	p = find_pin(pins, n, ZCG_PIN_FILE, 10, 0);
	ok(p, "file 254:0 ino 10");
	if (p) {
		is_int(p->pages, 8, "ino 10: 4 small folios + a large one of 4, the repeat counted once");
		is_int(p->dirty_pages, 4, "ino 10: the large folio's pages are dirty");
		ok(p->dev_major == 254 && p->dev_minor == 0 && p->generation == 3, "ino 10: dev and generation");
		is_int(p->n_extents, 2, "ino 10: clean 0..3 and dirty 4..7");
		if (p->n_extents == 2)
			ok(p->extents[0].start == 0 && p->extents[0].nr_pages == 4 &&
			   p->extents[1].start == 4 && p->extents[1].nr_pages == 4 &&
			   p->extents[1].flags == ZCG_EXTENT_DIRTY, "ino 10: extents");
	}
	p = find_pin(pins, n, ZCG_PIN_FILE, 11, 0);
	ok(p && p->mapped_pages == 1 && p->writeback_pages == 1 && p->pages == 2, "ino 11: mapped and writeback");
	p = find_pin(pins, n, ZCG_PIN_SHMEM, 10, 0);
	ok(p && p->dev_major == 0 && p->dev_minor == 27 && p->pages == 1, "same inode number on tmpfs: its own pin");
	p = find_pin(pins, n, ZCG_PIN_ANON, 0, 42);
	ok(p && p->pages == 513 && p->mapped_pages == 513 && !p->has_file, "anon shared with pid 42: one pin");
	p = find_pin(pins, n, ZCG_PIN_ANON, 0, 0);
	ok(p && p->pages == 1, "anon with no owner");
	p = find_pin(pins, n, ZCG_PIN_OTHER, 0, 0);
	ok(p && p->pages == 1, "a folio without mapping (truncated)");
	for (size_t i = 0; i < n; i++)
		zcg_pin_clear(&pins[i]);
	free(pins);
	is_int(zcg_pins_from_folios(recs, 0, &pins, &n), 0, "no folios");
	is_int(n, 0, "no pins");
}

static enum zcg_action decide(struct zcg_pin *p, enum zcg_hierarchy h, bool swap)
{
	struct zcg_verdict_ctx ctx = { .hierarchy = h, .swap_enabled = swap };

	if (zcg_pin_decide(p, &ctx) < 0)
		return _ZCG_ACTION_MAX;
	return p->action;
}

static void test_verdicts(void)
{
	struct zcg_proc holder = { .pid = 7, .fd = 3, .comm = "holdmap", .cgroup = "/live" };
	struct zcg_pin p = { .kind = ZCG_PIN_FILE, .has_file = true, .pages = 10 };
	struct zcg_explained z = {0};
	struct zcg_pin pins[3];

	is_str(zcg_action_names[decide(&p, ZCG_HIER_V1, false)], "evict", "clean unmapped page cache: evict");
	ok(p.reason && strstr(p.reason, "fadvise"), "evict says how: %s", p.reason);
	p.dirty_pages = 2;
	is_str(zcg_action_names[decide(&p, ZCG_HIER_V1, false)], "flush-evict", "dirty: flush-evict");
	p.dirty_pages = 0;
	p.writeback_pages = 1;
	is_str(zcg_action_names[decide(&p, ZCG_HIER_V2, false)], "flush-evict", "under writeback: flush-evict");
	p.mapped_pages = 5;
	p.mapped_by = &holder;
	p.n_mapped_by = 1;
	is_str(zcg_action_names[decide(&p, ZCG_HIER_V1, false)], "wait-mapper", "mapped, v1: wait-mapper");
	ok(strstr(p.reason, "pid 7 (holdmap) in /live") != NULL, "the reason names the mapper: %s", p.reason);
	is_str(zcg_action_names[decide(&p, ZCG_HIER_V2, false)], "protected-reclaim", "mapped, v2: protected-reclaim");
	ok(strstr(p.reason, "memory.min") != NULL, "the reason names the technique");
	p.mapped_by = NULL;
	p.n_mapped_by = 0;
	p.mapped_pages = 0;
	p.writeback_pages = 0;
	p.deleted = true;
	p.open_by = &holder;
	p.n_open_by = 1;
	is_str(zcg_action_names[decide(&p, ZCG_HIER_V1, false)], "evict", "deleted but open, clean: evict");
	ok(strstr(p.reason, "/proc/7/fd/3") != NULL, "through the holder's descriptor: %s", p.reason);
	p.open_by = NULL;
	p.n_open_by = 0;
	free(p.reason);

	p = (struct zcg_pin){ .kind = ZCG_PIN_SHMEM, .has_file = true, .pages = 1, .path = "/dev/shm/x" };
	is_str(zcg_action_names[decide(&p, ZCG_HIER_V2, true)], "remove-file", "tmpfs file: remove-file");
	free(p.reason);
	p = (struct zcg_pin){ .kind = ZCG_PIN_SHMEM, .has_file = true, .pages = 1, .deleted = true,
			      .open_by = &holder, .n_open_by = 1 };
	is_str(zcg_action_names[decide(&p, ZCG_HIER_V1, false)], "wait-mapper", "memfd held open: wait-mapper");
	free(p.reason);
	p = (struct zcg_pin){ .kind = ZCG_PIN_SHMEM, .has_file = true, .pages = 1, .deleted = true };
	is_str(zcg_action_names[decide(&p, ZCG_HIER_V1, false)], "none", "deleted tmpfs, no holder: none");
	free(p.reason);

	p = (struct zcg_pin){ .kind = ZCG_PIN_ANON, .pages = 3, .owner_pid = 7, .mapped_by = &holder, .n_mapped_by = 1 };
	is_str(zcg_action_names[decide(&p, ZCG_HIER_V1, true)], "wait-mapper", "anon shared, v1: wait-mapper");
	is_str(zcg_action_names[decide(&p, ZCG_HIER_V2, true)], "protected-reclaim", "anon shared, v2 with swap: protected-reclaim");
	is_str(zcg_action_names[decide(&p, ZCG_HIER_V2, false)], "wait-mapper", "anon shared, v2 without swap: wait-mapper");
	free(p.reason);
	p = (struct zcg_pin){ .kind = ZCG_PIN_ANON, .pages = 3 };
	is_str(zcg_action_names[decide(&p, ZCG_HIER_V2, true)], "none", "anon, nobody found: none");
	free(p.reason);
	for (int k = ZCG_PIN_SWAP; k <= ZCG_PIN_OTHER; k++) {
		p = (struct zcg_pin){ .kind = k, .pages = 1 };
		is_str(zcg_action_names[decide(&p, ZCG_HIER_V2, true)], "none", "%s: none", zcg_pin_kind_names[k]);
		free(p.reason);
	}

	/* zombie verdicts */
	memset(pins, 0, sizeof(pins));
	pins[0] = (struct zcg_pin){ .kind = ZCG_PIN_FILE, .action = ZCG_ACTION_EVICT };
	pins[1] = (struct zcg_pin){ .kind = ZCG_PIN_FILE, .action = ZCG_ACTION_WAIT_MAPPER };
	pins[2] = (struct zcg_pin){ .kind = ZCG_PIN_KERNEL, .action = ZCG_ACTION_NONE };
	z.pins = pins;
	z.n_pins = 3;
	is_int(zcg_zombie_decide(&z), 0, "zombie verdict");
	is_str(zcg_action_names[z.action], "wait-mapper", "the hardest pin decides; kernel accounting does not");
	ok(strstr(z.reason, "1 evict 1 wait-mapper") != NULL, "the reason counts the pins: %s", z.reason);
	/* pins nothing can be done for do not hide those something can be done for */
	pins[0] = (struct zcg_pin){ .kind = ZCG_PIN_FILE, .action = ZCG_ACTION_FLUSH_EVICT };
	pins[1] = (struct zcg_pin){ .kind = ZCG_PIN_SHMEM, .action = ZCG_ACTION_REMOVE_FILE };
	pins[2] = (struct zcg_pin){ .kind = ZCG_PIN_SWAP, .action = ZCG_ACTION_NONE };
	zcg_zombie_decide(&z);
	is_str(zcg_action_names[z.action], "remove-file", "flush-evict, remove-file and swap: remove-file, not none");
	ok(strstr(z.reason, "1 flush-evict 1 remove-file 1 none") && strstr(z.reason, "by itself"),
	   "the reason still counts the none pin: %s", z.reason);
	z.pins = &pins[2];
	z.n_pins = 1;
	zcg_zombie_decide(&z);
	is_str(zcg_action_names[z.action], "none", "only swap: none");
	z.pins = pins;
	pins[0] = (struct zcg_pin){ .kind = ZCG_PIN_FILE, .action = ZCG_ACTION_EVICT };
	pins[2] = (struct zcg_pin){ .kind = ZCG_PIN_KERNEL, .action = ZCG_ACTION_NONE };
	z.n_pins = 1;
	zcg_zombie_decide(&z);
	is_str(zcg_action_names[z.action], "evict", "only clean page cache: evict");
	z.pins = &pins[2];
	zcg_zombie_decide(&z);
	is_str(zcg_action_names[z.action], "none", "only kernel accounting: none");
	z.n_pins = 0;
	zcg_zombie_decide(&z);
	is_str(zcg_action_names[z.action], "none", "nothing charged: none");
	ok(strstr(z.reason, "reference") != NULL, "and says a reference holds it: %s", z.reason);
	free(z.reason);
}

static void test_holders(void)
{
	struct zcg_file_query q[] = {
		{ .major = 254, .minor = 0, .ino = 332835 },	/* libc, mapped by 100 and 200 */
		{ .major = 0, .minor = 27, .ino = 161 },	/* a /dev/shm file */
		{ .major = 0, .minor = 1, .ino = 2050, .want_open = true },
		{ .major = 254, .minor = 0, .ino = 5 },		/* nobody */
	};
	char line[] = "7f2a1c600000-7f2a1c601000 rw-s 00000000 00:1b 161    /dev/shm/a b";
	char bad[] = "not a maps line";
	unsigned major, minor;
	uint64_t ino;
	const char *path;
	char *cg;

	is_int(zcg_parse_maps_line(line, &major, &minor, &ino, &path), 0, "maps line parses");
	ok(major == 0 && minor == 27 && ino == 161, "maps: hex major:minor, decimal inode");
	is_str(path, "/dev/shm/a b", "maps: the path keeps its spaces");
	is_int(zcg_parse_maps_line(bad, &major, &minor, &ino, &path), -EINVAL, "malformed maps line");

	cg = zcg_memory_cgroup_of("12:pids:/u\n4:cpu,memory:/a/b\n0::/v2\n", ZCG_HIER_V1);
	is_str(cg, "/a/b", "v1: the line whose controllers include memory");
	free(cg);
	cg = zcg_memory_cgroup_of("12:pids:/u\n4:cpu,memory:/a/b\n0::/v2\n", ZCG_HIER_V2);
	is_str(cg, "/v2", "v2: the 0:: line");
	free(cg);
	cg = zcg_memory_cgroup_of("1:name=systemd:/x\n", ZCG_HIER_V1);
	ok(cg == NULL, "no memory line: NULL");

	is_int(zcg_find_holders(FIXTURE("procs/proc"), ZCG_HIER_V1, q, ARRAY_SIZE(q)), 0, "scan the fixture /proc");
	is_int(q[0].n_mapped_by, 2, "libc is mapped by two processes (each counted once)");
	if (q[0].n_mapped_by == 2) {
		const struct zcg_proc *a = q[0].mapped_by[0].pid == 100 ? &q[0].mapped_by[0] : &q[0].mapped_by[1];
		const struct zcg_proc *b = a == &q[0].mapped_by[0] ? &q[0].mapped_by[1] : &q[0].mapped_by[0];

		ok(a->pid == 100 && b->pid == 200, "pids 100 and 200");
		is_str(a->comm, "bash", "comm of 100");
		is_str(a->cgroup, "/process_api/a", "v1 memory cgroup of 100");
		ok(b->cgroup == NULL, "200 has no v1 memory line");
		is_int(a->fd, -1, "a mapping has no descriptor");
	}
	is_str(q[0].path, "/usr/lib/x86_64-linux-gnu/libc.so.6", "libc named from maps");
	is_str(q[1].path, "/dev/shm/a file with spaces", "tmpfs file named from maps");
	is_str(q[2].path, "/memfd:jit (deleted)", "memfd named from maps");
	is_int(q[3].n_mapped_by, 0, "an unmapped file has no mappers");
	ok(q[3].path == NULL, "and no name from /proc");
	for (size_t i = 0; i < ARRAY_SIZE(q); i++)
		zcg_file_query_clear(&q[i]);

	struct zcg_file_query q2 = { .major = 254, .minor = 0, .ino = 332835 };
	is_int(zcg_find_holders(FIXTURE("procs/proc"), ZCG_HIER_V2, &q2, 1), 0, "scan again as v2");
	if (q2.n_mapped_by == 2) {
		const struct zcg_proc *b = q2.mapped_by[0].pid == 200 ? &q2.mapped_by[0] : &q2.mapped_by[1];

		is_str(b->cgroup, "/system.slice/foo.service", "v2 cgroup of 200");
	} else {
		ok(0, "v2 scan found both mappers");
	}
	zcg_file_query_clear(&q2);
	is_int(zcg_find_holders(FIXTURE("procs/nope"), ZCG_HIER_V2, &q2, 1), -ENOENT, "missing proc dir");
}

int main(void)
{
	test_dev();
	test_handles();
	test_extents();
	test_pins();
	test_verdicts();
	test_holders();
	return done_testing();
}
