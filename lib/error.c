// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

/* The last message recorded on this thread and the error it explains (a positive errno,
 * 0 if none). */
static __thread struct {
	int errnum;
	char message[1024];
} last;

static int vrecord(int r, bool with_errno, const char *fmt, va_list ap)
{
	int n = vsnprintf(last.message, sizeof(last.message), fmt, ap);

	if (with_errno && n >= 0 && (size_t)n < sizeof(last.message))
		snprintf(last.message + n, sizeof(last.message) - n, ": %s", strerror(-r));
	last.errnum = r < 0 ? -r : r;
	return r;
}

int zcg_error(int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vrecord(r, false, fmt, ap);
	va_end(ap);
	return r;
}

int zcg_error_errno(int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vrecord(r, true, fmt, ap);
	va_end(ap);
	return r;
}

int zcg_error_wrap(int r, const char *fmt, ...)
{
	char cause[sizeof(last.message)];
	va_list ap;
	int n;

	snprintf(cause, sizeof(cause), "%.*s", (int)sizeof(cause) - 1, zcg_strerror(r));
	va_start(ap, fmt);
	n = vsnprintf(last.message, sizeof(last.message), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n + 3 < sizeof(last.message))
		snprintf(last.message + n, sizeof(last.message) - n, ": %.*s",
			 (int)(sizeof(last.message) - n - 3), cause);
	last.errnum = r < 0 ? -r : r;
	return r;
}

const char *zcg_error_message(int r)
{
	int errnum = r < 0 ? -r : r;

	return errnum && last.errnum == errnum && last.message[0] ? last.message : NULL;
}

const char *zcg_strerror(int r)
{
	const char *m = zcg_error_message(r);

	return m ? m : strerror(r < 0 ? -r : r);
}
