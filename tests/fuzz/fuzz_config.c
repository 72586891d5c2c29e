// SPDX-License-Identifier: GPL-2.0
/* The daemon's configuration file, as zcg_config_load() reads it. */
#include "config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zcg_config c;

	zcg_config_init(&c);
	(void)zcg_config_load(&c, fuzz_input_file(data, size));
	zcg_config_done(&c);
	return 0;
}
