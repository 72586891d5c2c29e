/* SPDX-License-Identifier: GPL-2.0 */
/* Text the kernel or the user handed over, made safe to print: one escaping for all human
 * output, shell quoting for the commands we suggest, UTF-8 checking for JSON. */
#ifndef ZCG_TEXT_H
#define ZCG_TEXT_H

#include <stddef.h>

/* The length (1 to 4) of the valid UTF-8 sequence at s (shortest form, no surrogates, at
 * most U+10FFFF), or 0 if the byte at s starts none. s is NUL-terminated. */
size_t utf8_sequence_length(const unsigned char *s);

/* s as a human may see it: control bytes (C0, DEL, and C1 as UTF-8), bytes that are not
 * valid UTF-8, and a backslash that starts "\x" are written as \xHH, libsmartcols' scheme;
 * everything else stays. The result lives until 16 more calls (it is for printf arguments);
 * NULL gives NULL; on allocation failure it is "(out of memory)". */
const char *esc(const char *s);

/* s quoted for a POSIX shell: 'it'\''s'; where s holds bytes esc() would escape, bash's
 * $'...' with \xHH, so what is printed is both safe on a terminal and the same bytes when
 * pasted. Returns a newly allocated string or NULL. */
char *shell_quote(const char *s);

#endif
