/* SPDX-License-Identifier: GPL-2.0 */
/* The loader of bpf/cgroup_events.bpf.c: raw tracepoints on cgroup_mkdir and cgroup_rmdir
 * that record each removal of a memory cgroup (when, by whom, its id and path) for the daemon
 * (lib/removals.h keeps the records). Needs a build with libbpf (HAVE_BPF), root, and a kernel
 * with BTF (CO-RE), ring buffers (5.8) and the tracepoints' path argument (4.20); without them
 * zcg_cgroup_events_open() says why and the daemon keeps first-seen ages. */
#ifndef ZCG_BPF_EVENTS_H
#define ZCG_BPF_EVENTS_H

#include <stdint.h>

#include "removals.h"
#include "sys.h"

struct zcg_cgroup_events;

/* Loads the programs for sys's memory hierarchy and attaches them. Returns 0 and sets *ret;
 * -EOPNOTSUPP without BPF support in this build or on a sysroot; another -errno if the kernel
 * cannot (no BTF, no tracepoint, no privileges), with a message saying why (zcg_strerror()).
 * Not thread-safe (libbpf's print hook). */
int zcg_cgroup_events_open(const struct zcg_sys *sys, struct zcg_cgroup_events **ret);

/* Moves the records the programs sent since the last call into rm (zcg_removals_add()):
 * times made unix times, paths made relative to sys's mount root (removals outside it are
 * left out). Returns how many were added, or -errno. */
int zcg_cgroup_events_drain(struct zcg_cgroup_events *ev, struct zcg_removals *rm);

/* What the programs counted since they were attached (bpf/cgroup_events.h). */
struct zcg_cgroup_events_stats {
	uint64_t mkdirs, rmdirs, dropped, faults;
};
void zcg_cgroup_events_stats(const struct zcg_cgroup_events *ev, struct zcg_cgroup_events_stats *ret);

void zcg_cgroup_events_close(struct zcg_cgroup_events *ev);

#endif
