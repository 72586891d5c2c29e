// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "text.h"

static bool log_json;
static int log_max = LOG_INFO;

static const char *const level_names[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

void log_setup(bool json, int max_level)
{
	log_json = json;
	log_max = max_level;
}

/* Appends s as JSON string content (no quotes) to buf at *pos, as far as it fits. */
static void json_escape(char *buf, size_t size, size_t *pos, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char tmp[8];
	size_t n;

	while (*p) {
		const char *out = json_escape_next(&p, tmp, &n);

		if (*pos + n + 7 >= size)
			break;
		memcpy(buf + *pos, out, n);
		*pos += n;
	}
	buf[*pos] = '\0';
}

void zlog(int prio, const char *event, const char *fmt, ...)
{
	char msg[2048], line[4096 + 256];
	size_t pos = 0;
	va_list ap;

	if (prio > log_max)
		return;
	if (prio < 0 || prio > LOG_DEBUG)
		prio = LOG_ERR;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	if (log_json) {
		struct timespec ts;
		struct tm tm;
		char when[40];

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		pos = (size_t)snprintf(line, sizeof(line), "{\"time\":\"%s.%03ldZ\",\"level\":\"%s\","
				       "\"priority\":%d,\"event\":\"", when, ts.tv_nsec / 1000000,
				       level_names[prio], prio);
		json_escape(line, sizeof(line) - 4, &pos, event);
		pos += (size_t)snprintf(line + pos, sizeof(line) - pos, "\",\"message\":\"");
		json_escape(line, sizeof(line) - 4, &pos, msg);
		pos += (size_t)snprintf(line + pos, sizeof(line) - pos, "\"}\n");
	} else {
		/* one line per message, and nothing a terminal would act on: esc() writes
		 * a newline (and every other control byte) as \xHH */
		pos = (size_t)snprintf(line, sizeof(line), "<%d>%s: %s\n", prio, event, esc(msg));
	}
	if (pos >= sizeof(line))
		pos = sizeof(line) - 1;
	if (write(STDERR_FILENO, line, pos) < 0)
		return;
}
