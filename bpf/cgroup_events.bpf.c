// SPDX-License-Identifier: GPL-2.0
/* Exact births and deaths of memory cgroups: raw tracepoint programs on cgroup:cgroup_mkdir
 * and cgroup:cgroup_rmdir (TP_PROTO(struct cgroup *cgrp, const char *path), since 4.20).
 * rmdir sends one record per removed cgroup of the memory hierarchy through a ring buffer:
 * its kernfs id, the boot-time clock, the removing process's pid and comm and the path the
 * tracepoint gives; mkdir only notes the creation time in an LRU hash the rmdir record picks
 * up. The daemon drains the buffer before each census (lib/bpf_events.c) and keeps the
 * records of removals that left a zombie.
 *
 * Why this is safe to run in the kernel:
 * - raw_tp programs observe: they cannot change the cgroup, the task or the return value,
 *   and need no kprobes (nothing is patched into kernel text; only the tracepoint's static
 *   key is switched on, which makes the kernel format the path it passes).
 * - Both tracepoints fire in cgroup_mkdir()/cgroup_rmdir() with cgroup_mutex held and the
 *   cgroup pinned (its kernfs node is referenced until cgroup_kn_unlock()), and the path
 *   points to the kernel's trace_cgroup_path buffer under trace_cgroup_path_lock: every
 *   pointer read here is valid for the call. Reads still go through bpf_probe_read_kernel
 *   (BPF_CORE_READ) and a failed one drops the record (summary.faults), never a bad value.
 * - The work per call is fixed (no loops): a few reads, one hash update or lookup/delete,
 *   one ring buffer reservation. A full ring buffer drops the record (summary.dropped); the
 *   program never waits, so rmdir is never slowed by a slow reader. The hash is an LRU of
 *   BIRTHS_MAX entries: memory is bounded whatever the creation rate.
 * - Only cgroups of the memory hierarchy are recorded (root->hierarchy_id, set by the loader
 *   from /proc/cgroups: 0 on v2), so the other v1 hierarchies cost one read each.
 *
 * Kernel types are local "___zcg" flavours relocated by CO-RE (the kernel's BTF is needed;
 * without it the loader reports why and the daemon keeps first-seen ages). kn->id is a u64
 * since 5.5, the id the census (bpf/memcg_census.bpf.c) records.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "cgroup_events.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader: the memory controller's hierarchy (/proc/cgroups; 0 is cgroup v2's). */
const volatile __s32 memory_hierarchy_id = 0;

struct zcg_events_summary summary;

#define BIRTHS_MAX 65536
/* uapi values, spelled out: the committed fallback vmlinux.h has only what the census needs */
#define MAP_TYPE_LRU_HASH 9	/* BPF_MAP_TYPE_LRU_HASH */
#define UPDATE_ANY 0		/* BPF_ANY */

/* Sized by the loader; drained before each census. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 * 1024 * 1024);
} events SEC(".maps");

struct {
	__uint(type, MAP_TYPE_LRU_HASH);
	__uint(max_entries, BIRTHS_MAX);
	__type(key, __u64);
	__type(value, __u64);
} births SEC(".maps");

struct kernfs_node___zcg {
	__u64 id;
} __attribute__((preserve_access_index));

struct cgroup_root___zcg {
	int hierarchy_id;
} __attribute__((preserve_access_index));

struct cgroup___zcg {
	int level;
	struct kernfs_node___zcg *kn;
	struct cgroup_root___zcg *root;
} __attribute__((preserve_access_index));

/* The cgroup's kernfs id if it belongs to the memory hierarchy, else 0 (also on a failed read). */
static __always_inline __u64 memory_cgroup_id(struct cgroup___zcg *cgrp, int *level)
{
	struct cgroup_root___zcg *root = NULL;
	struct kernfs_node___zcg *kn = NULL;
	int hid = -1;
	__u64 id = 0;

	if (bpf_core_read(&root, sizeof(root), &cgrp->root) || !root ||
	    bpf_core_read(&hid, sizeof(hid), &root->hierarchy_id))
		goto fault;
	if (hid != memory_hierarchy_id)
		return 0;
	if (bpf_core_read(&kn, sizeof(kn), &cgrp->kn) || !kn || bpf_core_read(&id, sizeof(id), &kn->id) ||
	    bpf_core_read(level, sizeof(*level), &cgrp->level))
		goto fault;
	return id;
fault:
	__sync_fetch_and_add(&summary.faults, 1);
	return 0;
}

SEC("raw_tp/cgroup_mkdir")
int BPF_PROG(cgroup_mkdir, struct cgroup___zcg *cgrp, const char *path)
{
	__u64 now = bpf_ktime_get_boot_ns();
	int level = 0;
	__u64 id = memory_cgroup_id(cgrp, &level);

	if (!id)
		return 0;
	__sync_fetch_and_add(&summary.mkdirs, 1);
	bpf_map_update_elem(&births, &id, &now, UPDATE_ANY);
	return 0;
}

SEC("raw_tp/cgroup_rmdir")
int BPF_PROG(cgroup_rmdir, struct cgroup___zcg *cgrp, const char *path)
{
	__u64 now = bpf_ktime_get_boot_ns();
	struct zcg_cgroup_event *ev;
	int level = 0;
	__u64 id = memory_cgroup_id(cgrp, &level), *born;
	long n;

	if (!id)
		return 0;
	__sync_fetch_and_add(&summary.rmdirs, 1);
	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev) {
		__sync_fetch_and_add(&summary.dropped, 1);
		bpf_map_delete_elem(&births, &id);
		return 0;
	}
	ev->id = id;
	ev->removed_ns = now;
	born = bpf_map_lookup_elem(&births, &id);
	ev->created_ns = born ? *born : 0;
	if (born)
		bpf_map_delete_elem(&births, &id);
	ev->pid = bpf_get_current_pid_tgid() >> 32;
	ev->level = level;
	ev->flags = 0;
	bpf_get_current_comm(ev->comm, sizeof(ev->comm));
	n = bpf_probe_read_kernel_str(ev->path, sizeof(ev->path), path);
	if (n < 0) {
		__sync_fetch_and_add(&summary.faults, 1);
		bpf_ringbuf_discard(ev, 0);
		return 0;
	}
	if (n >= (long)sizeof(ev->path))
		ev->flags |= ZCG_EV_PATH_CUT;
	bpf_ringbuf_submit(ev, 0);
	return 0;
}
