// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

static __thread char last_error[1024];

static int vrecord(int r, bool with_errno, const char *fmt, va_list ap)
{
	int n = vsnprintf(last_error, sizeof(last_error), fmt, ap);

	if (with_errno && n >= 0 && (size_t)n < sizeof(last_error))
		snprintf(last_error + n, sizeof(last_error) - n, ": %s", strerror(-r));
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

const char *zcg_error_message(void)
{
	return last_error[0] ? last_error : NULL;
}

void zcg_error_clear(void)
{
	last_error[0] = '\0';
}
