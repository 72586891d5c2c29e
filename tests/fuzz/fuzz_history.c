// SPDX-License-Identifier: GPL-2.0
/* The history ring, as `zombiecg history` reads it (no lock: a daemon may be writing). */
#include "fuzz.h"
#include "history.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zcg_history_sample *s = NULL;
	size_t n = 0;

	if (zcg_history_read(fuzz_input_file(data, size), &s, &n) == 0)
		free(s);
	return 0;
}
