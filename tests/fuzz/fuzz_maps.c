// SPDX-License-Identifier: GPL-2.0
/* /proc/PID/maps lines, and /proc/PID/cgroup (the holders pass reads both per process). */
#include "fuzz.h"
#include "holders.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_input_string(data, size), *line, *next;
	char *cg;

	cg = zcg_memory_cgroup_of(text, ZCG_HIER_V1);
	free(cg);
	cg = zcg_memory_cgroup_of(text, ZCG_HIER_V2);
	free(cg);
	for (line = text; line && *line; line = next) {
		unsigned major, minor;
		uint64_t ino;
		const char *path;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (zcg_parse_maps_line(line, &major, &minor, &ino, &path) == 0 && path)
			(void)strlen(path);
	}
	free(text);
	return 0;
}
