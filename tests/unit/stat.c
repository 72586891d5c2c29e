// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include "error.h"
#include "stat.h"
#include "tap.h"

int main(void)
{
	static const char *const keys[] = { "cache", "total_cache", "absent" };
	uint64_t values[3] = {0}, n = 0;
	bool found[3];
	const char *msg;

	is_int(zcg_read_keyed(FIXTURE("hybrid-v1/sys/fs/cgroup/memory/a/memory.stat"), keys, 3, values, found),
	       0, "reads a v1 memory.stat");
	is_int(values[0], 8192, "local cache");
	is_int(values[1], 2121728, "total_cache");
	ok(found[0] && found[1] && !found[2], "found flags");

	is_int(zcg_read_keyed(FIXTURE("v1-malformed/sys/fs/cgroup/memory/a/memory.stat"), keys, 3, values, NULL),
	       -EINVAL, "malformed memory.stat is -EINVAL");
	msg = zcg_error_message(-EINVAL);
	ok(msg && strstr(msg, "v1-malformed/sys/fs/cgroup/memory/a/memory.stat line 2"),
	   "the error names the file and the line: %s", msg ? msg : "(none)");

	is_int(zcg_read_keyed(FIXTURE("nonexistent/memory.stat"), keys, 3, values, NULL), -ENOENT,
	       "missing file is -ENOENT");
	msg = zcg_error_message(-ENOENT);
	ok(msg && strstr(msg, "cannot read") && strstr(msg, "nonexistent/memory.stat"),
	   "the error names the missing file: %s", msg ? msg : "(none)");

	is_int(zcg_read_proc_cgroups_memory(FIXTURE("hybrid-v1/proc/cgroups"), &n), 0, "reads /proc/cgroups");
	is_int(n, 9, "memory num_cgroups");
	is_int(zcg_read_proc_cgroups_memory(FIXTURE("hybrid-v1/proc/self/mountinfo"), &n), -EINVAL,
	       "a file that is not /proc/cgroups is malformed");
	return done_testing();
}
