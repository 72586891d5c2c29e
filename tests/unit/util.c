// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "util.h"

int main(void)
{
	uint64_t v = 0;
	char *s;

	is_int(parse_u64("42\n", &v), 0, "parse_u64 accepts a trailing newline");
	is_int(v, 42, "parse_u64 value");
	is_int(parse_u64("18446744073709551615", &v), 0, "parse_u64 takes UINT64_MAX");
	is_int(parse_u64("18446744073709551616", &v), -ERANGE, "parse_u64 refuses overflow");
	is_int(parse_u64("-1", &v), -EINVAL, "parse_u64 refuses a sign");
	is_int(parse_u64("12 34", &v), -EINVAL, "parse_u64 refuses two numbers");
	is_int(parse_u64("", &v), -EINVAL, "parse_u64 refuses empty");
	is_int(parse_u64_or_max("max\n", &v), 0, "parse_u64_or_max takes max");
	ok(v == UINT64_MAX, "max is UINT64_MAX");

	s = path_join("/sys/fs/cgroup/memory/", "/a/b");
	is_str(s, "/sys/fs/cgroup/memory/a/b", "path_join squeezes slashes");
	free(s);
	s = path_join("/", "a");
	is_str(s, "/a", "path_join from /");
	free(s);
	s = path_join("/x", "/");
	is_str(s, "/x", "path_join with / is the base");
	free(s);

	s = path_parent("/a/b");
	is_str(s, "/a", "path_parent of /a/b");
	free(s);
	s = path_parent("/a");
	is_str(s, "/", "path_parent of /a is /");
	free(s);
	s = path_parent("/");
	is_str(s, "/", "path_parent of / is /");
	free(s);

	ok(path_has_prefix("/a/b", "/a"), "/a/b is under /a");
	ok(path_has_prefix("/a", "/a/"), "/a is under /a/");
	ok(!path_has_prefix("/ab", "/a"), "/ab is not under /a");
	ok(path_has_prefix("/anything", "/"), "everything is under /");

	{
		double d = 0;

		is_int(parse_decimal("12.5", &d), 0, "parse_decimal 12.5");
		ok(d == 12.5, "parse_decimal value");
		is_int(parse_decimal(".5", &d), 0, "parse_decimal .5");
		is_int(parse_decimal("0x10", &d), -EINVAL, "parse_decimal refuses hex");
		is_int(parse_decimal("1e-300", &d), -EINVAL, "parse_decimal refuses an exponent");
		is_int(parse_decimal("inf", &d), -EINVAL, "parse_decimal refuses inf");
		is_int(parse_decimal("nan", &d), -EINVAL, "parse_decimal refuses nan");
		is_int(parse_decimal("-1", &d), -EINVAL, "parse_decimal refuses a sign");
		is_int(parse_decimal("", &d), -EINVAL, "parse_decimal refuses empty");
		is_int(parse_decimal("5%", &d), -EINVAL, "parse_decimal refuses trailing text");
	}

	/* read_full_file() is bounded in size and kind. */
	{
		char dir[] = "/tmp/zcg-util.XXXXXX", path[64], *buf = NULL;
		int fd;

		if (mkdtemp(dir)) {
			snprintf(path, sizeof(path), "%s/fifo", dir);
			mkfifo(path, 0600);
			alarm(5);	/* the old code blocked in open() on a FIFO */
			is_int(read_full_file(path, &buf, NULL), -EINVAL, "read_full_file refuses a FIFO at once");
			alarm(0);
			unlink(path);
			is_int(read_full_file(dir, &buf, NULL), -EISDIR, "read_full_file refuses a directory");
			snprintf(path, sizeof(path), "%s/big", dir);
			fd = open(path, O_WRONLY | O_CREAT, 0600);
			if (fd >= 0) {
				char block[65536] = { 'x' };

				for (int i = 0; i < 257; i++)
					if (write(fd, block, sizeof(block)) < 0)
						break;
				close(fd);
			}
			is_int(read_full_file(path, &buf, NULL), -EFBIG, "read_full_file refuses 16 MiB and more");
			unlink(path);
			is_int(read_full_file("/dev/null", &buf, NULL), -EINVAL, "read_full_file refuses a device");
			rmdir(dir);
		}
		free(buf);
	}
	return done_testing();
}
