/* SPDX-License-Identifier: GPL-2.0 */
/* Text the kernel or the user handed over, made safe to print: one escaping for all human
 * output, shell quoting for the commands we suggest, UTF-8 checking for JSON. */
#ifndef ZCG_TEXT_H
#define ZCG_TEXT_H

#include <stddef.h>

/* The length (1 to 4) of the valid UTF-8 sequence at s (shortest form, no surrogates, at
 * most U+10FFFF), or 0 if the byte at s starts none. s is NUL-terminated. */
size_t utf8_sequence_length(const unsigned char *s);

/* The JSON (RFC 8259) string escape of the character at *p, the one escaper of all JSON
 * output: returns the bytes to write and sets *ret_len, advancing *p past the character.
 * Valid UTF-8 stays as it is; a byte that starts no valid UTF-8 sequence becomes U+FFFD
 * (the kernel hands over names and paths as bytes); quote, backslash and control characters
 * are escaped. tmp (8 bytes) may hold the result. *p must not point at the NUL. */
const char *json_escape_next(const unsigned char **p, char tmp[8], size_t *ret_len);

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
