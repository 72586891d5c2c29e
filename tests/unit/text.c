// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>

#include "tap.h"
#include "text.h"

int main(void)
{
	char *q;

	is_str(esc("/system.slice/foo.service"), "/system.slice/foo.service", "esc: plain text stays");
	is_str(esc("caf\xc3\xa9"), "caf\xc3\xa9", "esc: valid UTF-8 stays");
	is_str(esc("a\x1b[31mb"), "a\\x1b[31mb", "esc: ESC escaped");
	is_str(esc("a\nb\tc"), "a\\x0ab\\x09c", "esc: newline and tab escaped");
	is_str(esc("x\xff\xfey"), "x\\xff\\xfey", "esc: invalid UTF-8 bytes escaped");
	is_str(esc("\xc2\x9b" "2J"), "\\xc2\\x9b2J", "esc: C1 CSI escaped");
	is_str(esc("\xed\xa0\x80"), "\\xed\\xa0\\x80", "esc: a UTF-16 surrogate is not UTF-8");
	is_str(esc("\xc0\xaf"), "\\xc0\\xaf", "esc: overlong form escaped");
	is_str(esc("dev-disk-by\\x2duuid"), "dev-disk-by\\x5cx2duuid", "esc: a literal \\x is told from an escape");
	is_str(esc("a\\b"), "a\\b", "esc: other backslashes stay");
	ok(esc(NULL) == NULL, "esc(NULL) is NULL");

	q = shell_quote("/var/tmp/it's");
	is_str(q, "'/var/tmp/it'\\''s'", "shell_quote: a quote");
	free(q);
	q = shell_quote("/tmp/a\nb\x1b");
	is_str(q, "$'/tmp/a\\x0ab\\x1b'", "shell_quote: control bytes in $'...'");
	free(q);
	q = shell_quote("/tmp/it's\\x\xff");
	is_str(q, "$'/tmp/it\\'s\\\\x\\xff'", "shell_quote: quote and backslash in $'...'");
	free(q);

	is_int(utf8_sequence_length((const unsigned char *)"\xf0\x9f\x98\x80"), 4, "utf8: a 4-byte sequence");
	is_int(utf8_sequence_length((const unsigned char *)"\xf4\x90\x80\x80"), 0, "utf8: above U+10FFFF");
	is_int(utf8_sequence_length((const unsigned char *)"\xe2\x82"), 0, "utf8: cut short by the NUL");
	return done_testing();
}
