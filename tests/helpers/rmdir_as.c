// SPDX-License-Identifier: GPL-2.0
/* Removes a directory from a process of a known name, for the tests of the cgroup_rmdir
 * tracepoint records; built as build/tests/helpers/rmdir_as.
 *
 *   rmdir_as COMM DIR    sets its comm to COMM (prctl PR_SET_NAME, at most 15 bytes), then
 *                        rmdir(DIR); prints "PID BEFORE_NS AFTER_NS": its pid and the
 *                        CLOCK_REALTIME just before and after the rmdir
 * Exit status: 0 success, 1 the rmdir failed (the reason on stderr), 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

static long long realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long long before, after;

	if (argc != 3 || !argv[1][0] || strlen(argv[1]) > 15) {
		fprintf(stderr, "usage: rmdir_as COMM DIR (COMM: 1 to 15 bytes)\n");
		return 2;
	}
	if (prctl(PR_SET_NAME, argv[1], 0, 0, 0) < 0) {
		fprintf(stderr, "rmdir_as: prctl(PR_SET_NAME): %s\n", strerror(errno));
		return 1;
	}
	before = realtime_ns();
	if (rmdir(argv[2]) < 0) {
		fprintf(stderr, "rmdir_as: rmdir %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	after = realtime_ns();
	printf("%d %lld %lld\n", (int)getpid(), before, after);
	return 0;
}
