// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include "error.h"
#include "sys.h"
#include "tap.h"

int main(void)
{
	struct zcg_sys *sys = NULL;
	char *rel = NULL;

	is_int(zcg_sys_open(FIXTURE("hybrid-v1"), &sys), 0, "hybrid host: opens");
	is_int(sys->hierarchy, ZCG_HIER_V1, "hybrid host: v1 memory wins over cgroup2 without memory");
	is_str(sys->memory_mount, "/sys/fs/cgroup/memory", "hybrid host: mount point");

	is_int(zcg_resolve_cgroup(sys, "/sys/fs/cgroup/memory/a/b", &rel), 0, "cgroupfs path resolves");
	is_str(rel, "/a/b", "cgroupfs path is made relative");
	free(rel);
	is_int(zcg_resolve_cgroup(sys, "/a//b/", &rel), 0, "relative path resolves");
	is_str(rel, "/a/b", "relative path is normalised");
	free(rel);
	is_int(zcg_resolve_cgroup(sys, "/sys/fs/cgroup/memory", &rel), 0, "the mount point is the root");
	is_str(rel, "/", "root is /");
	free(rel);
	is_int(zcg_resolve_cgroup(sys, "/nope", &rel), -ENOENT, "missing cgroup is -ENOENT");
	ok(strstr(zcg_error_message(), "/nope"), "error names the path: %s", zcg_error_message());
	is_int(zcg_resolve_cgroup(sys, "/sys/fs/cgroup/unified", &rel), -EXDEV,
	       "another hierarchy is -EXDEV");
	ok(strstr(zcg_error_message(), "outside the memory hierarchy"), "error says outside: %s",
	   zcg_error_message());
	is_int(zcg_resolve_cgroup(sys, "/a/../c", &rel), -EINVAL, "'..' is refused");
	is_int(zcg_resolve_cgroup(sys, "/a/memory.stat", &rel), -ENOTDIR, "a file is not a cgroup");
	zcg_sys_free(sys);

	is_int(zcg_sys_open(FIXTURE("v2"), &sys), 0, "v2 host: opens");
	is_int(sys->hierarchy, ZCG_HIER_V2, "v2 host: v2");
	is_str(sys->memory_mount, "/sys/fs/cgroup", "v2 host: mount point");
	zcg_sys_free(sys);

	sys = NULL;
	is_int(zcg_sys_open(FIXTURE("nomemory"), &sys), -ENOENT, "no memory controller: -ENOENT");
	ok(strstr(zcg_error_message(), "no memory controller"), "error says so: %s", zcg_error_message());
	is_int(zcg_sys_open(FIXTURE("does-not-exist"), &sys), -ENOENT, "missing sysroot: -ENOENT");
	ok(strstr(zcg_error_message(), "does-not-exist/proc/self/mountinfo"), "error names mountinfo");
	return done_testing();
}
