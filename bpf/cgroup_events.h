/* SPDX-License-Identifier: GPL-2.0 */
/* Records shared between cgroup_events.bpf.c and its loader (lib/bpf_events.c): one per
 * removal (rmdir) of a cgroup of the memory hierarchy, with when it was made (mkdir) where the
 * program saw that too. Every number is a __u64 so the layout is the same for the BPF target
 * and the host. */
#ifndef ZCG_CGROUP_EVENTS_H
#define ZCG_CGROUP_EVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* The kernel's TRACE_CGROUP_PATH_LEN: the tracepoint's path is cut there. */
#define ZCG_EV_PATH_LEN 1024
/* TASK_COMM_LEN */
#define ZCG_EV_COMM_LEN 16

/* zcg_cgroup_event.flags */
#define ZCG_EV_PATH_CUT	(1u << 0)	/* the path filled the buffer: it may be cut */

struct zcg_cgroup_event {
	__u64 id;			/* kernfs node id (kn->id): the cgroup's inode number, as
					 * the census records it */
	__u64 removed_ns;		/* CLOCK_BOOTTIME at rmdir */
	__u64 created_ns;		/* CLOCK_BOOTTIME at its mkdir, 0 if the program missed it */
	__u64 pid;			/* the removing process (thread group id) */
	__u64 level;			/* cgroup->level */
	__u64 flags;			/* ZCG_EV_* */
	char comm[ZCG_EV_COMM_LEN];	/* the removing thread's comm */
	char path[ZCG_EV_PATH_LEN];	/* the tracepoint's path, from the hierarchy root */
};

/* What the program did since it was loaded, in its .bss. */
struct zcg_events_summary {
	__u64 mkdirs;			/* memory-hierarchy mkdirs seen */
	__u64 rmdirs;			/* memory-hierarchy rmdirs seen */
	__u64 dropped;			/* rmdir records lost: the ring buffer was full */
	__u64 faults;			/* kernel reads that failed: record not sent */
};

#endif
