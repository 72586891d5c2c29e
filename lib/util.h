/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers shared by the library and the front-ends: cleanup attributes in the
 * systemd style, file reading, number parsing. Nothing here prints or exits. */
#ifndef ZCG_UTIL_H
#define ZCG_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void freep(void *p) { free(*(void **)p); }
static inline void fclosep(FILE **f) { if (*f) fclose(*f); }
static inline void closep(int *fd) { if (*fd >= 0) close(*fd); }
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_close_ _cleanup_(closep)

/* Hand a pointer out of a cleanup scope: returns it and leaves NULL behind. */
#define TAKE_PTR(p) ({ __typeof__(p) _p = (p); (p) = NULL; _p; })
#define TAKE_FD(fd) ({ int _fd = (fd); (fd) = -1; _fd; })

#define streq(a, b) (strcmp((a), (b)) == 0)

/* qsort() for arrays that may be empty and then NULL: qsort(NULL, 0, ...) is undefined
 * (glibc declares base nonnull; UBSan stops there), so nothing is called for fewer than two. */
static inline void qsort_safe(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

/* Reads a whole regular file (less than 16 MiB) into a NUL-terminated buffer.
 * Returns 0 and sets *ret_buf (and *ret_len if not NULL) on success; -EFBIG if it is larger,
 * -EISDIR for a directory, -EINVAL for anything else that is not a regular file (a FIFO, a
 * device: never waited on), other -errno on failure. */
int read_full_file(const char *path, char **ret_buf, size_t *ret_len);

/* Writes a string to an existing file (cgroupfs control files) with one write().
 * Returns 0 on success, -errno on failure. */
int write_string_file(const char *path, const char *value);

/* Parses a decimal unsigned 64-bit number that fills the whole string (leading and
 * trailing white space allowed). Returns 0 on success, -EINVAL or -ERANGE. */
int parse_u64(const char *s, uint64_t *ret);

/* Like parse_u64 but accepts "max" (returns UINT64_MAX), as cgroup v2 limit files do. */
int parse_u64_or_max(const char *s, uint64_t *ret);

/* Parses a plain decimal number at the start of s ("12", "0.5", ".5"): no sign, exponent,
 * hex, inf or nan. Returns 0 and sets *ret and *ret_end (the first byte after it), or
 * -EINVAL if s does not start with one, -ERANGE if it does not fit a double. */
int parse_decimal_prefix(const char *s, double *ret, const char **ret_end);
/* Like parse_decimal_prefix() for a number that fills the whole string. */
int parse_decimal(const char *s, double *ret);

/* Joins a and b with exactly one '/' between them into a newly allocated string.
 * Returns NULL on allocation failure. */
char *path_join(const char *a, const char *b);
/* The parent of a hierarchy-relative path: "/a/b" -> "/a", "/a" -> "/". NULL on ENOMEM. */
char *path_parent(const char *path);

/* True if path equals prefix or lies below it (prefix is a directory). */
bool path_has_prefix(const char *path, const char *prefix);

/* asprintf() that returns the string or NULL. */
char *strdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grows a dynamic array of elements of size elem to hold at least need elements.
 * Returns 0 or -ENOMEM. */
int grow_array(void **array, size_t *allocated, size_t need, size_t elem);

/* qsort/bsearch comparator for uint64_t. */
int cmp_u64(const void *a, const void *b);
/* Whether sorted[0..n) holds v (sorted ascending). */
bool sorted_u64_has(const uint64_t *sorted, size_t n, uint64_t v);

#endif
