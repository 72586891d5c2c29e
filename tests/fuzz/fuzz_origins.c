// SPDX-License-Identifier: GPL-2.0
/* Any former path (cgroup names may hold any byte but '/' and NUL): the classifier gives a
 * pattern that starts with '/', is no longer than the path (collapsing only shortens), and an
 * origin name; one path's component collapse never grows either. */
#include "fuzz.h"
#include "origins.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_input_string(data, size), *x;
	struct zcg_origin_class c = { 0 };
	size_t n = strlen(s);

	if (zcg_origin_classify(s, &c) < 0)
		abort();
	if (!c.pattern || !c.origin || c.pattern[0] != '/' || (n && strlen(c.pattern) > n + 1))
		abort();
	if ((unsigned)c.kind >= _ZCG_ORIGIN_KIND_MAX)
		abort();
	zcg_origin_class_done(&c);
	x = zcg_origin_collapse_component(s);
	if (!x || strlen(x) > n)
		abort();
	free(x);
	free(s);
	return 0;
}
