/* SPDX-License-Identifier: GPL-2.0 */
/* What the libFuzzer targets share. The parsers read files by path (the same code reads the
 * live system and saved trees), so each input is written to a file first: a memfd named by
 * /proc/self/fd/N, or a file in a private directory where the parser wants a tree. */
#ifndef ZCG_FUZZ_H
#define ZCG_FUZZ_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void fuzz_write_all(int fd, const uint8_t *data, size_t size)
{
	size_t done = 0;

	if (ftruncate(fd, 0) < 0)
		abort();
	while (done < size) {
		ssize_t n = pwrite(fd, data + done, size - done, (off_t)done);

		if (n <= 0)
			abort();
		done += (size_t)n;
	}
}

/* The input as a file: returns its path (valid until the next call). */
static inline const char *fuzz_input_file(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];

	if (fd < 0) {
		fd = memfd_create("zcg-fuzz", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	fuzz_write_all(fd, data, size);
	return path;
}

/* The input as a NUL-terminated string (newly allocated). */
static inline char *fuzz_input_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
