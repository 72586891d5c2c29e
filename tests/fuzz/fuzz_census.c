// SPDX-License-Identifier: GPL-2.0
/* The cgroupfs census on a whole tree: the counters of memory.stat, cgroup.stat,
 * memory.swap.current and /proc/cgroups, together, through the arithmetic that turns them
 * into dying counts and pinned bytes per live parent, and the daemon's ages on top.
 * The input's first byte picks the tree (a copy of tests/fixtures/hybrid-v1 or v2); the rest
 * is split at "%%\n" into the contents of that tree's files, in the order below (a file
 * without a section keeps its fixture content). */
#include <sys/stat.h>

#include "ages.h"
#include "census.h"
#include "fuzz.h"
#include "sys.h"

static const char *const v1_files[] = {
	"proc/cgroups",
	"sys/fs/cgroup/memory/memory.stat",
	"sys/fs/cgroup/memory/a/memory.stat",
	"sys/fs/cgroup/memory/a/b/memory.stat",
	"sys/fs/cgroup/memory/c/memory.stat",
};
static const char *const v2_files[] = {
	"sys/fs/cgroup/memory.stat",
	"sys/fs/cgroup/cgroup.stat",
	"sys/fs/cgroup/system.slice/memory.stat",
	"sys/fs/cgroup/system.slice/cgroup.stat",
	"sys/fs/cgroup/system.slice/memory.swap.current",
	"sys/fs/cgroup/system.slice/cgroup.subtree_control",
	"sys/fs/cgroup/system.slice/foo.service/memory.stat",
	"sys/fs/cgroup/system.slice/foo.service/cgroup.stat",
	"sys/fs/cgroup/user.slice/memory.stat",
	"sys/fs/cgroup/user.slice/cgroup.stat",
};
#define MAX_FILES 10

static char top[] = "/tmp/zcg-fuzz-census.XXXXXX";
static char roots[2][sizeof(top) + 16];
static char *original[2][MAX_FILES];

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 65536);
	size_t n;

	if (!f || !buf)
		abort();
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void put(const char *path, const char *data, size_t size)
{
	FILE *f = fopen(path, "w");

	if (!f || (size && fwrite(data, 1, size, f) != size))
		abort();
	fclose(f);
}

static void setup(void)
{
	static const char *const names[2] = { "hybrid-v1", "v2" };
	char cmd[512], path[512];

	if (!mkdtemp(top))
		abort();
	for (int t = 0; t < 2; t++) {
		const char *const *files = t ? v2_files : v1_files;
		size_t n = t ? sizeof(v2_files) / sizeof(*v2_files) : sizeof(v1_files) / sizeof(*v1_files);

		snprintf(roots[t], sizeof(roots[t]), "%s/%s", top, names[t]);
		snprintf(cmd, sizeof(cmd), "cp -a tests/fixtures/%s %s", names[t], roots[t]);
		if (system(cmd) != 0)
			abort();
		for (size_t i = 0; i < n; i++) {
			snprintf(path, sizeof(path), "%s/%s", roots[t], files[i]);
			original[t][i] = slurp(path);
		}
	}
}

static void census(const char *root, const char *scope, struct zcg_ages *ages)
{
	struct zcg_sys *sys = NULL;
	struct zcg_census *c = NULL;

	if (zcg_sys_open(root, &sys) < 0)
		return;
	if (zcg_census_cgroupfs(sys, scope, &c) == 0) {
		(void)zcg_ages_update(ages, c, 1000, NULL, NULL);
		(void)zcg_ages_update(ages, c, 400000, NULL, NULL);
		zcg_census_free(c);
	}
	zcg_sys_free(sys);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	const char *p, *end = (const char *)data + size;
	struct zcg_ages *ages = NULL;
	char path[512];
	int t;
	size_t n, i;

	if (!ready) {
		setup();
		ready = true;
	}
	if (size < 1)
		return 0;
	t = data[0] & 1;
	n = t ? sizeof(v2_files) / sizeof(*v2_files) : sizeof(v1_files) / sizeof(*v1_files);
	p = (const char *)data + 1;
	for (i = 0; i < n; i++) {
		const char *sep = p < end ? memmem(p, (size_t)(end - p), "%%\n", 3) : NULL;
		const char *const *files = t ? v2_files : v1_files;

		snprintf(path, sizeof(path), "%s/%s", roots[t], files[i]);
		if (p >= end) {
			put(path, original[t][i], strlen(original[t][i]));
			continue;
		}
		put(path, p, sep ? (size_t)(sep - p) : (size_t)(end - p));
		p = sep ? sep + 3 : end;
	}
	if (zcg_ages_new(&ages) < 0)
		abort();
	census(roots[t], "/", ages);
	census(roots[t], t ? "/system.slice" : "/a", ages);
	zcg_ages_free(ages);
	return 0;
}
