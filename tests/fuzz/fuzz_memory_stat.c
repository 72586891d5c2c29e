// SPDX-License-Identifier: GPL-2.0
/* memory.stat (v1 and v2 keys), and the one-number files next to it (memory.swap.current,
 * memory.min), through the parsers the census and reap use. */
#include "fuzz.h"
#include "stat.h"

static const char *const keys[] = {
	"cache", "rss", "shmem", "mapped_file", "dirty", "writeback", "swap",
	"total_cache", "total_rss", "total_shmem", "total_swap",
	"file", "anon", "file_mapped", "file_dirty", "file_writeback",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_input_file(data, size);
	uint64_t values[sizeof(keys) / sizeof(keys[0])], v;
	bool found[sizeof(keys) / sizeof(keys[0])];

	(void)zcg_read_keyed(path, keys, sizeof(keys) / sizeof(keys[0]), values, found);
	(void)zcg_read_u64_file(path, &v);
	return 0;
}
