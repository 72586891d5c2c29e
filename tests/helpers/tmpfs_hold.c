// SPDX-License-Identifier: GPL-2.0
/* What the root tests need around a tmpfs file that busybox (the VM lab) cannot do; built
 * as build/tests/helpers/tmpfs_hold.
 *
 *   tmpfs_hold open FILE READY            keep FILE open read-only until killed
 *   tmpfs_hold map FILE READY             map FILE shared, close the descriptor, read every
 *                                         page, and keep the mapping until killed
 *   tmpfs_hold setxattr FILE NAME VALUE   set an extended attribute
 *   tmpfs_hold getxattr FILE NAME         print its value
 *   tmpfs_hold recharge FILE CGROUP       zcg_recharge_tmpfs_file() on FILE as it is now, without
 *                                         explain's look at its holders first: prints "done" or
 *                                         "left" and the note
 *
 * open and map create the file READY once they hold FILE, so a test can wait for it.
 * Exit status: 0 success, 1 failure (the reason on stderr), 2 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "error.h"
#include "recharge.h"
#include "sys.h"

static int fail(const char *what, const char *path)
{
	fprintf(stderr, "tmpfs_hold: %s %s: %s\n", what, path, strerror(errno));
	return 1;
}

static int ready(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	if (fd < 0)
		return fail("cannot create", path);
	close(fd);
	return 0;
}

static int hold(const char *file, const char *ready_path, int map)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return fail("cannot open", file);
	if (map) {
		volatile const char *p;
		long page = sysconf(_SC_PAGESIZE);
		unsigned sum = 0;

		if (fstat(fd, &st) < 0 || st.st_size == 0)
			return fail("cannot map (empty?)", file);
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			return fail("cannot map", file);
		close(fd);
		for (off_t off = 0; off < st.st_size; off += page)
			sum += (unsigned char)p[off];
		(void)sum;
	}
	if (ready(ready_path))
		return 1;
	for (;;)
		pause();
}

static int recharge(const char *file, const char *cgroup)
{
	struct zcg_recharge_result res;
	struct zcg_recharge_file f = { .path = file };
	struct zcg_sys *sys = NULL;
	char *rel = NULL;
	struct stat st;
	int r;

	if (stat(file, &st) < 0)
		return fail("cannot stat", file);
	f.dev_major = major(st.st_dev);
	f.dev_minor = minor(st.st_dev);
	f.ino = (uint64_t)st.st_ino;
	r = zcg_sys_open(NULL, &sys);
	if (r == 0)
		r = zcg_resolve_cgroup(sys, cgroup, &rel);
	if (r == 0)
		r = zcg_recharge_target_check(sys, rel);
	if (r == 0)
		r = zcg_recharge_tmpfs_file(sys, rel, &f, &res);
	if (r < 0) {
		fprintf(stderr, "tmpfs_hold: %s\n", zcg_strerror(r));
		return 1;
	}
	printf("%s: %s\n", res.done ? "done" : "left", res.note);
	free(rel);
	zcg_sys_free(sys);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "recharge") == 0)
		return recharge(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "open") == 0)
		return hold(argv[2], argv[3], 0);
	if (argc == 4 && strcmp(argv[1], "map") == 0)
		return hold(argv[2], argv[3], 1);
	if (argc == 5 && strcmp(argv[1], "setxattr") == 0) {
		if (setxattr(argv[2], argv[3], argv[4], strlen(argv[4]), 0) < 0)
			return fail("cannot set an extended attribute on", argv[2]);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "getxattr") == 0) {
		char buf[4096];
		ssize_t n = getxattr(argv[2], argv[3], buf, sizeof(buf) - 1);

		if (n < 0)
			return fail("cannot get an extended attribute of", argv[2]);
		buf[n] = '\0';
		printf("%s\n", buf);
		return 0;
	}
	fprintf(stderr, "usage: tmpfs_hold open|map FILE READY | setxattr FILE NAME VALUE | getxattr FILE NAME | "
			"recharge FILE CGROUP\n");
	return 2;
}
