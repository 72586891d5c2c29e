// SPDX-License-Identifier: GPL-2.0
/* /proc/self/mountinfo, as both of its parsers read it: zcg_sys_open() (where the memory
 * controller is) and zcg_mounts_read() (the mounts explain and reap open files through). */
#include <sys/stat.h>

#include "fileid.h"
#include "fuzz.h"
#include "sys.h"

static char root[] = "/tmp/zcg-fuzz-mountinfo.XXXXXX";
static char mountinfo[sizeof(root) + 32];

static void make_root(void)
{
	char d[sizeof(root) + 32];

	if (!mkdtemp(root))
		abort();
	snprintf(d, sizeof(d), "%s/proc", root);
	mkdir(d, 0755);
	snprintf(d, sizeof(d), "%s/proc/self", root);
	mkdir(d, 0755);
	snprintf(mountinfo, sizeof(mountinfo), "%s/proc/self/mountinfo", root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zcg_sys *sys = NULL;
	struct zcg_mounts m = {0};
	FILE *f;

	if (!mountinfo[0])
		make_root();
	f = fopen(mountinfo, "w");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	if (zcg_sys_open(root, &sys) == 0)
		zcg_sys_free(sys);
	if (zcg_mounts_read(mountinfo, &m) == 0) {
		for (size_t i = 0; i < m.n; i++)
			(void)zcg_mounts_find(&m, m.mounts[i].major, m.mounts[i].minor);
		zcg_mounts_free(&m);
	}
	return 0;
}
