// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

size_t utf8_sequence_length(const unsigned char *s)
{
	unsigned c = s[0];
	size_t n;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;	/* a continuation byte, an overlong C0/C1 lead, or F5..FF */
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;	/* also stops at the NUL */
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

const char *json_escape_next(const unsigned char **p, char tmp[8], size_t *ret_len)
{
	const unsigned char *c = *p;
	const char *out = (const char *)c;
	size_t n = 1;

	if (*c >= 0x80) {
		n = utf8_sequence_length(c);
		if (!n) {
			out = "\\ufffd";
			*ret_len = 6;
			*p = c + 1;
			return out;
		}
		*ret_len = n;
		*p = c + n;
		return out;
	}
	*p = c + 1;
	switch (*c) {
	case '"': out = "\\\""; n = 2; break;
	case '\\': out = "\\\\"; n = 2; break;
	case '\n': out = "\\n"; n = 2; break;
	case '\t': out = "\\t"; n = 2; break;
	case '\r': out = "\\r"; n = 2; break;
	default:
		if (*c < 0x20) {
			snprintf(tmp, 8, "\\u%04x", *c);
			out = tmp;
			n = 6;
		}
	}
	*ret_len = n;
	return out;
}

/* How many bytes at p esc() keeps as they are: 0 means "escape the byte at p". */
static size_t printable_length(const unsigned char *p)
{
	size_t n;

	if (*p < 0x20 || *p == 0x7f)
		return 0;
	if (*p == '\\')
		return p[1] == 'x' ? 0 : 1;
	n = utf8_sequence_length(p);
	/* U+0080..U+009F: C1 controls (0x9b is CSI on some terminals) */
	if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0)
		return 0;
	return n;
}

static bool needs_escape(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = printable_length(p);

		if (!n)
			return true;
		p += n;
	}
	return false;
}

/* Writes s escaped into out (size at least 4 * strlen(s) + 1). */
static void escape_into(char *out, const char *s)
{
	char *w = out;

	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = printable_length(p);

		if (!n) {
			w += sprintf(w, "\\x%02x", *p);
			p++;
			continue;
		}
		memcpy(w, p, n);
		w += n;
		p += n;
	}
	*w = '\0';
}

const char *esc(const char *s)
{
	static char *ring[16];
	static unsigned next;
	char *out;

	if (!s)
		return NULL;
	if (!needs_escape(s))
		return s;
	out = malloc(4 * strlen(s) + 1);
	if (!out)
		return "(out of memory)";
	escape_into(out, s);
	next = (next + 1) % 16;
	free(ring[next]);
	ring[next] = out;
	return out;
}

char *shell_quote(const char *s)
{
	bool dollar = needs_escape(s);
	size_t n = 3;
	char *out, *w;

	for (const char *p = s; *p; p++)
		n += 4;
	out = malloc(n + 1);
	if (!out)
		return NULL;
	w = out;
	if (dollar) {
		/* $'...': \xHH for what is escaped, \\ and \' for the two quoting bytes */
		*w++ = '$';
		*w++ = '\'';
		for (const unsigned char *p = (const unsigned char *)s; *p;) {
			size_t k = printable_length(p);

			if (!k || *p == '\\' || *p == '\'') {
				if (*p == '\\' || *p == '\'') {
					*w++ = '\\';
					*w++ = (char)*p;
				} else {
					w += sprintf(w, "\\x%02x", *p);
				}
				p++;
				continue;
			}
			memcpy(w, p, k);
			w += k;
			p += k;
		}
	} else {
		*w++ = '\'';
		for (const char *p = s; *p; p++) {
			if (*p == '\'') {
				memcpy(w, "'\\''", 4);
				w += 4;
			} else {
				*w++ = *p;
			}
		}
	}
	*w++ = '\'';
	*w = '\0';
	return out;
}
