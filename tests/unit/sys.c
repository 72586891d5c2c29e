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
	ok(strstr(zcg_strerror(-ENOENT), "/nope"), "error names the path: %s", zcg_strerror(-ENOENT));
	is_int(zcg_resolve_cgroup(sys, "/sys/fs/cgroup/unified", &rel), -EXDEV,
	       "another hierarchy is -EXDEV");
	ok(strstr(zcg_strerror(-EXDEV), "outside the memory hierarchy"), "error says outside: %s",
	   zcg_strerror(-EXDEV));
	is_int(zcg_resolve_cgroup(sys, "/a/../c", &rel), -EINVAL, "'..' is refused");
	is_int(zcg_resolve_cgroup(sys, "/a/memory.stat", &rel), -ENOTDIR, "a file is not a cgroup");
	zcg_sys_free(sys);

	is_int(zcg_sys_open(FIXTURE("v2"), &sys), 0, "v2 host: opens");
	is_int(sys->hierarchy, ZCG_HIER_V2, "v2 host: v2");
	is_str(sys->memory_mount, "/sys/fs/cgroup", "v2 host: mount point");
	zcg_sys_free(sys);

	sys = NULL;
	is_int(zcg_sys_open(FIXTURE("nomemory"), &sys), -ENOENT, "no memory controller: -ENOENT");
	ok(strstr(zcg_strerror(-ENOENT), "no memory controller"), "error says so: %s", zcg_strerror(-ENOENT));
	is_int(zcg_sys_open(FIXTURE("does-not-exist"), &sys), -ENOENT, "missing sysroot: -ENOENT");
	ok(strstr(zcg_strerror(-ENOENT), "does-not-exist/proc/self/mountinfo"), "error names mountinfo");

	/* the one mountinfo line parser, for both the memory mount and file handles */
	{
		char line[] = "36 25 0:31 /a\\b /mnt/with\\040space rw,relatime shared:9 - cgroup cgroup rw,memory";
		char bad[] = "36 25 0:31 / /mnt rw";
		char short_line[] = "36 25 0:31 / - ext4 /dev/vda rw";
		struct zcg_mountinfo_line m;
		const char *why = NULL;

		is_int(zcg_mountinfo_parse_line(line, &m, &why), 0, "mountinfo line: parsed");
		ok(m.major == 0 && m.minor == 31, "mountinfo line: major:minor");
		is_str(m.root, "/a\\b", "mountinfo line: root kept (\\\\ is no octal escape)");
		is_str(m.mount_point, "/mnt/with space", "mountinfo line: \\040 unescaped");
		is_str(m.fstype, "cgroup", "mountinfo line: fstype");
		is_str(m.superopts, "rw,memory", "mountinfo line: super options");
		is_int(zcg_mountinfo_parse_line(bad, &m, &why), -EINVAL, "mountinfo line without ' - ': refused");
		is_str(why, "no ' - ' separator", "and says why");
		is_int(zcg_mountinfo_parse_line(short_line, &m, &why), -EINVAL, "mountinfo line of 4 fields: refused");
		is_str(why, "fewer than 6 fields before ' - '", "and says why");
	}
	return done_testing();
}
