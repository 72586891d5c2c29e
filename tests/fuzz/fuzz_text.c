// SPDX-License-Identifier: GPL-2.0
/* Whatever bytes the kernel hands over: esc() leaves no control byte and only valid UTF-8,
 * shell_quote() does the same, and the JSON writer (src/json.c) writes valid UTF-8. */
#include "fuzz.h"
#include "text.h"
#include "../../src/json.c"

static void check_clean(const char *s, bool json)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = utf8_sequence_length(p);

		if (!n)
			abort();	/* invalid UTF-8 got through */
		if (!json && (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] < 0xa0)))
			abort();	/* a control byte got through */
		p += n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_input_string(data, size), *q, *out = NULL;
	size_t out_len = 0;
	struct json j;
	FILE *f;

	check_clean(esc(s), false);
	q = shell_quote(s);
	if (!q)
		abort();
	check_clean(q, false);
	free(q);

	f = open_memstream(&out, &out_len);
	if (!f)
		abort();
	json_init(&j, f);
	json_object_begin(&j, NULL);
	json_string(&j, s, s);
	json_object_end(&j);
	json_finish(&j);
	fclose(f);
	if (memchr(out, '\0', out_len))
		abort();
	check_clean(out, true);
	free(out);
	free(s);
	return 0;
}
