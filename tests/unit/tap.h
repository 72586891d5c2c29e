/* SPDX-License-Identifier: GPL-2.0 */
/* Minimal TAP producer for the C unit tests, read by prove. */
#ifndef ZCG_TAP_H
#define ZCG_TAP_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...) do {						\
	int _ok = !!(cond);						\
	printf("%sok %d - ", _ok ? "" : "not ", ++tap_n);		\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	if (!_ok) {							\
		tap_failed++;						\
		printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
	}								\
} while (0)

#define is_int(got, want, ...) do {					\
	long long _g = (long long)(got), _w = (long long)(want);	\
	ok(_g == _w, __VA_ARGS__);					\
	if (_g != _w)							\
		printf("#   got %lld, want %lld\n", _g, _w);		\
} while (0)

#define is_str(got, want, ...) do {					\
	const char *_g = (got), *_w = (want);				\
	int _eq = (_g && _w) ? strcmp(_g, _w) == 0 : _g == _w;		\
	ok(_eq, __VA_ARGS__);						\
	if (!_eq)							\
		printf("#   got '%s', want '%s'\n", _g ? _g : "(null)", _w ? _w : "(null)"); \
} while (0)

static inline int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

/* Writes text to dir/name (a file of a tree a test makes); failures show in what reads it. */
static inline void put(const char *dir, const char *name, const char *text)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* Fixture trees live in tests/fixtures; tests run from the top of the source tree. */
#define FIXTURE(name) "tests/fixtures/" name

#endif
