// SPDX-License-Identifier: GPL-2.0
/* cgroup.stat: the v2 dying counters (nr_dying_subsys_memory, nr_dying_descendants). */
#include "fuzz.h"
#include "stat.h"

static const char *const keys[] = { "nr_dying_subsys_memory", "nr_dying_descendants", "nr_descendants" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t values[3];
	bool found[3];

	(void)zcg_read_keyed(fuzz_input_file(data, size), keys, 3, values, found);
	(void)zcg_read_keyed(fuzz_input_file(data, size), keys, 3, values, NULL);
	return 0;
}
