// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <ctype.h>
#include <sys/stat.h>

#include "util.h"

#define READ_FULL_MAX (16u << 20)

int read_full_file(const char *path, char **ret_buf, size_t *ret_len)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, allocated = 0;

	struct stat st;

	/* O_NONBLOCK: a FIFO put where a file was expected must not hang us in open(). */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	/* procfs, sysfs and cgroupfs files are regular files (of size 0 or 4096, whatever
	 * they hold); a directory, FIFO, socket or device is not what any caller reads. */
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	for (;;) {
		ssize_t n;

		if (len + 4096 + 1 > allocated) {
			size_t want = allocated ? allocated * 2 : 8192;
			char *p;

			if (want > READ_FULL_MAX)
				return -EFBIG;
			p = realloc(buf, want);
			if (!p)
				return -ENOMEM;
			buf = p;
			allocated = want;
		}
		n = read(fd, buf + len, allocated - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += n;
	}
	if (!buf) {
		buf = malloc(1);
		if (!buf)
			return -ENOMEM;
	}
	buf[len] = '\0';
	if (ret_len)
		*ret_len = len;
	*ret_buf = TAKE_PTR(buf);
	return 0;
}

int write_string_file(const char *path, const char *value)
{
	_cleanup_close_ int fd = -1;
	size_t len = strlen(value);
	ssize_t n;

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, value, len);
	if (n < 0)
		return -errno;
	if ((size_t)n != len)
		return -EIO;
	return 0;
}

int parse_u64(const char *s, uint64_t *ret)
{
	unsigned long long v;
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	while (isspace((unsigned char)*end))
		end++;
	if (*end)
		return -EINVAL;
	*ret = v;
	return 0;
}

int parse_u64_or_max(const char *s, uint64_t *ret)
{
	while (isspace((unsigned char)*s))
		s++;
	if (strncmp(s, "max", 3) == 0) {
		const char *e = s + 3;

		while (isspace((unsigned char)*e))
			e++;
		if (!*e) {
			*ret = UINT64_MAX;
			return 0;
		}
	}
	return parse_u64(s, ret);
}

int parse_decimal_prefix(const char *s, double *ret, const char **ret_end)
{
	const char *p = s;
	size_t digits = 0;
	char *end;
	double v;

	while (isdigit((unsigned char)*p)) {
		p++;
		digits++;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			p++;
			digits++;
		}
	}
	/* "0x10", "1e3", "inf" and "nan" stop at a letter strtod() would have taken: refused,
	 * whatever follows (a unit cannot start with x or e: no such unit is known). */
	if (!digits || *p == 'x' || *p == 'X' || ((*p == 'e' || *p == 'E') &&
	    (isdigit((unsigned char)p[1]) || ((p[1] == '-' || p[1] == '+') && isdigit((unsigned char)p[2])))))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	/* strtod() reads at least what was checked; stop it from reading more. */
	if (errno == ERANGE || end < p)
		return -ERANGE;
	*ret = v;
	*ret_end = p;
	return 0;
}

int parse_decimal(const char *s, double *ret)
{
	const char *end;
	double v;
	int r;

	r = parse_decimal_prefix(s, &v, &end);
	if (r < 0)
		return r;
	if (*end)
		return -EINVAL;
	*ret = v;
	return 0;
}

char *path_join(const char *a, const char *b)
{
	size_t la = strlen(a);

	while (la > 1 && a[la - 1] == '/')
		la--;
	while (*b == '/')
		b++;
	if (!*b)
		return strndup(a, la);
	return strdup_printf("%.*s%s%s", (int)la, a, (la == 1 && a[0] == '/') ? "" : "/", b);
}

bool path_has_prefix(const char *path, const char *prefix)
{
	size_t l = strlen(prefix);

	while (l > 1 && prefix[l - 1] == '/')
		l--;
	if (l == 1 && prefix[0] == '/')
		return path[0] == '/';
	return strncmp(path, prefix, l) == 0 && (path[l] == '\0' || path[l] == '/');
}

char *strdup_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	return r < 0 ? NULL : s;
}

int grow_array(void **array, size_t *allocated, size_t need, size_t elem)
{
	size_t n;
	void *p;

	if (need <= *allocated)
		return 0;
	n = *allocated ? *allocated * 2 : 16;
	while (n < need)
		n *= 2;
	p = realloc(*array, n * elem);
	if (!p)
		return -ENOMEM;
	memset((char *)p + *allocated * elem, 0, (n - *allocated) * elem);
	*array = p;
	*allocated = n;
	return 0;
}

char *path_parent(const char *path)
{
	char *parent = strdup(path), *slash;

	if (!parent)
		return NULL;
	slash = strrchr(parent, '/');
	if (slash == parent || !slash)
		strcpy(parent, "/");
	else
		*slash = '\0';
	return parent;
}

int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

bool sorted_u64_has(const uint64_t *sorted, size_t n, uint64_t v)
{
	return n && bsearch(&v, sorted, n, sizeof(*sorted), cmp_u64);
}
