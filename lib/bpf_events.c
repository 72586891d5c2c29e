// SPDX-License-Identifier: GPL-2.0
/* Loader for bpf/cgroup_events.bpf.c. See bpf_events.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bpf_common.h"
#include "bpf_events.h"
#include "error.h"
#include "util.h"

#ifdef HAVE_BPF

#include <bpf/libbpf.h>

#include "../bpf/cgroup_events.h"
#include "cgroup_events.skel.h"

struct zcg_cgroup_events {
	struct cgroup_events_bpf *skel;
	struct ring_buffer *rb;
	char *mount_root;		/* "/" or the hierarchy path mounted */
	/* during a drain */
	struct zcg_removals *into;
	int64_t boot_to_unix_ns;
	int added, error;
};

/* The memory controller's hierarchy id: 0 on v2 (the default hierarchy's), on v1 from
 * /proc/cgroups (kernels without v1 memory support list no memory line there). Returns it,
 * or -errno. */
static int memory_hierarchy_id(const struct zcg_sys *sys)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	char *line, *save = NULL;
	size_t len;
	int r;

	if (sys->hierarchy == ZCG_HIER_V2)
		return 0;
	path = zcg_sys_path(sys, "/proc/cgroups");
	if (!path)
		return -ENOMEM;
	r = read_full_file(path, &text, &len);
	if (r < 0)
		return r;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int hid;

		if (sscanf(line, "memory %d", &hid) == 1 || sscanf(line, "memory\t%d", &hid) == 1)
			return hid;
	}
	return -ENOENT;
}

static int64_t clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static uint64_t to_unix(const struct zcg_cgroup_events *ev, uint64_t boot_ns)
{
	int64_t t = (int64_t)boot_ns + ev->boot_to_unix_ns;

	return boot_ns && t > 0 ? (uint64_t)t : 0;
}

static int take_event(void *ctx, void *data, size_t size)
{
	struct zcg_cgroup_events *ev = ctx;
	const struct zcg_cgroup_event *e = data;
	struct zcg_removal r = { 0 };
	char path[ZCG_EV_PATH_LEN];
	size_t root_len = strlen(ev->mount_root);
	int err;

	if (size < sizeof(*e))
		return 0;
	memcpy(path, e->path, sizeof(path));
	path[sizeof(path) - 1] = '\0';
	r.path = path;
	if (!streq(ev->mount_root, "/")) {
		/* namespaced: the tracepoint's path is from the hierarchy root */
		if (strncmp(path, ev->mount_root, root_len) != 0 || (path[root_len] && path[root_len] != '/'))
			return 0;
		r.path = path[root_len] ? path + root_len : "/";
	}
	r.id = e->id;
	r.removed_ns = to_unix(ev, e->removed_ns);
	r.created_ns = to_unix(ev, e->created_ns);
	r.pid = (int64_t)e->pid;
	r.path_cut = e->flags & ZCG_EV_PATH_CUT;
	memcpy(r.comm, e->comm, sizeof(r.comm) < sizeof(e->comm) ? sizeof(r.comm) : sizeof(e->comm));
	r.comm[sizeof(r.comm) - 1] = '\0';
	err = zcg_removals_add(ev->into, &r);
	if (err < 0) {
		ev->error = err;
		return err;
	}
	ev->added++;
	return 0;
}

void zcg_cgroup_events_close(struct zcg_cgroup_events *ev)
{
	if (!ev)
		return;
	ring_buffer__free(ev->rb);
	cgroup_events_bpf__destroy(ev->skel);
	free(ev->mount_root);
	free(ev);
}

int zcg_cgroup_events_open(const struct zcg_sys *sys, struct zcg_cgroup_events **ret)
{
	struct zcg_cgroup_events *ev;
	int hid, r;

	if (sys->sysroot && sys->sysroot[0])
		return zcg_error(-EOPNOTSUPP, "not on a saved tree (--sysroot)");
	if (access(ZCG_BTF_VMLINUX, R_OK) < 0)
		return zcg_error_errno(-errno, "kernel has no BTF (%s)", ZCG_BTF_VMLINUX);
	hid = memory_hierarchy_id(sys);
	if (hid < 0)
		return zcg_error_errno(hid, "no memory controller in /proc/cgroups");
	ev = calloc(1, sizeof(*ev));
	if (!ev || !(ev->mount_root = strdup(sys->mount_root ?: "/"))) {
		free(ev);
		return -ENOMEM;
	}
	zcg_bpf_messages_reset();
	ev->skel = cgroup_events_bpf__open();
	if (!ev->skel) {
		r = zcg_error_errno(-errno, "cannot open the BPF cgroup events object");
		goto fail;
	}
	ev->skel->rodata->memory_hierarchy_id = hid;
	r = cgroup_events_bpf__load(ev->skel);
	if (r < 0) {
		const char *detail = zcg_bpf_message();

		r = zcg_error(r, "cannot load the cgroup_mkdir/cgroup_rmdir tracepoint programs: %s%s%s%s",
			      strerror(-r), detail[0] ? " (" : "", detail, detail[0] ? ")" : "");
		goto fail;
	}
	r = cgroup_events_bpf__attach(ev->skel);
	if (r < 0) {
		r = zcg_error_errno(r, "cannot attach to the cgroup_mkdir/cgroup_rmdir tracepoints");
		goto fail;
	}
	ev->rb = ring_buffer__new(bpf_map__fd(ev->skel->maps.events), take_event, ev, NULL);
	if (!ev->rb) {
		r = zcg_error_errno(-errno, "cannot map the cgroup events ring buffer");
		goto fail;
	}
	*ret = ev;
	return 0;
fail:
	zcg_cgroup_events_close(ev);
	return r;
}

int zcg_cgroup_events_drain(struct zcg_cgroup_events *ev, struct zcg_removals *rm)
{
	int r;

	ev->into = rm;
	ev->added = 0;
	ev->error = 0;
	ev->boot_to_unix_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME);
	r = ring_buffer__consume(ev->rb);
	ev->into = NULL;
	if (ev->error)
		return ev->error;
	return r < 0 ? r : ev->added;
}

void zcg_cgroup_events_stats(const struct zcg_cgroup_events *ev, struct zcg_cgroup_events_stats *ret)
{
	const struct zcg_events_summary *s = &ev->skel->bss->summary;

	*ret = (struct zcg_cgroup_events_stats) {
		.mkdirs = s->mkdirs, .rmdirs = s->rmdirs, .dropped = s->dropped, .faults = s->faults,
	};
}

#else /* !HAVE_BPF */

int zcg_cgroup_events_open(const struct zcg_sys *sys, struct zcg_cgroup_events **ret)
{
	return zcg_error(-EOPNOTSUPP, "built without BPF support");
}

int zcg_cgroup_events_drain(struct zcg_cgroup_events *ev, struct zcg_removals *rm)
{
	return -EOPNOTSUPP;
}

void zcg_cgroup_events_stats(const struct zcg_cgroup_events *ev, struct zcg_cgroup_events_stats *ret)
{
	*ret = (struct zcg_cgroup_events_stats) { 0 };
}

void zcg_cgroup_events_close(struct zcg_cgroup_events *ev)
{
}

#endif
