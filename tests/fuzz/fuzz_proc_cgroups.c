// SPDX-License-Identifier: GPL-2.0
/* /proc/cgroups: the memory row's num_cgroups (the v1 dying count comes from it). */
#include "fuzz.h"
#include "stat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t n;

	(void)zcg_read_proc_cgroups_memory(fuzz_input_file(data, size), &n);
	return 0;
}
