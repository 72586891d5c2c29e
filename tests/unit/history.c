// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include "error.h"
#include "history.h"
#include "tap.h"
#include "util.h"

static struct zcg_history_sample sample(uint64_t t)
{
	return (struct zcg_history_sample){
		.time = t, .period_s = 300, .flags = ZCG_SAMPLE_V2, .live = 10 + t, .dying = (int64_t)t * 2,
		.pinned_bytes = (int64_t)t << 20, .memcg_ids_used = -1, .reaped = t % 3, .evicted_bytes = t * 4096,
	};
}

static void corrupt(const char *path, off_t off, const char *bytes, size_t n)
{
	int fd = open(path, O_WRONLY);

	if (fd >= 0) {
		if (pwrite(fd, bytes, n, off) != (ssize_t)n)
			printf("# pwrite failed\n");
		close(fd);
	}
}

int main(void)
{
	char dir[] = "/tmp/zcg-history-test.XXXXXX";
	_cleanup_free_ char *path = NULL, *cmd = NULL;
	struct zcg_history *h = NULL, *h2 = NULL;
	struct zcg_history_sample *s = NULL, last;
	struct stat st;
	size_t n = 0;

	if (!mkdtemp(dir))
		return 1;
	path = strdup_printf("%s/state/history", dir);

	is_int(zcg_history_open(path, 4, &h), 0, "open creates the ring and its directory");
	ok(stat(path, &st) == 0 && st.st_size == 64 + 4 * 64, "file is header + capacity records (%lld bytes)",
	   (long long)st.st_size);
	is_int(zcg_history_last(h, &last), -ENOENT, "a new ring is empty");
	is_int(zcg_history_read(path, &s, &n), 0, "read an empty ring");
	ok(n == 0 && !s, "no samples");
	is_int(zcg_history_open(path, 4, &h2), -EBUSY, "a second writer is refused");
	ok(strstr(zcg_strerror(-EBUSY), "in use by another process"), "and told why: %s", zcg_strerror(-EBUSY));

	for (uint64_t t = 1; t <= 6; t++) {
		struct zcg_history_sample x = sample(t);

		is_int(zcg_history_append(h, &x), 0, "append sample %llu", (unsigned long long)t);
	}
	ok(stat(path, &st) == 0 && st.st_size == 64 + 4 * 64, "the file does not grow past its capacity");
	is_int(zcg_history_written(h), 6, "6 samples written");
	is_int(zcg_history_read(path, &s, &n), 0, "read while the writer holds it");
	is_int(n, 4, "the ring keeps the newest 4");
	is_int(s[0].time, 3, "oldest first");
	is_int(s[3].time, 6, "newest last");
	ok(s[3].dying == 12 && s[3].pinned_bytes == 6 << 20 && s[3].memcg_ids_used == -1 && s[3].live == 16 &&
	   s[3].reaped == 0 && s[3].evicted_bytes == 6 * 4096 && s[3].flags == ZCG_SAMPLE_V2 && s[3].period_s == 300,
	   "every field round-trips, -1 included");
	free(s);
	zcg_history_close(h);

	is_int(zcg_history_open(path, 4, &h), 0, "reopen (a restart)");
	is_int(zcg_history_last(h, &last), 0, "the newest sample survives");
	is_int(last.time, 6, "and is sample 6");
	zcg_history_close(h);

	is_int(zcg_history_open(path, 8, &h), 0, "reopen with a larger capacity");
	for (uint64_t t = 7; t <= 9; t++) {
		struct zcg_history_sample x = sample(t);

		zcg_history_append(h, &x);
	}
	zcg_history_close(h);
	is_int(zcg_history_read(path, &s, &n), 0, "read after growing");
	ok(n == 7 && s[0].time == 3 && s[6].time == 9, "old samples kept, new ones appended (%zu)", n);
	free(s);
	is_int(zcg_history_open(path, 2, &h), 0, "reopen with a smaller capacity");
	zcg_history_close(h);
	is_int(zcg_history_read(path, &s, &n), 0, "read after shrinking");
	ok(n == 2 && s[0].time == 8 && s[1].time == 9, "the newest samples that fit are kept");
	free(s);
	ok(stat(path, &st) == 0 && st.st_size == 64 + 2 * 64, "and the file shrank");

	/* A torn record is skipped, the others are read. */
	corrupt(path, 64 + 64 + 20, "\x01\x02", 2);
	is_int(zcg_history_read(path, &s, &n), 0, "read with a torn record");
	ok(n == 1 && s[0].time == 8, "the torn record is skipped");
	free(s);

	corrupt(path, 8, "\x09", 1);
	is_int(zcg_history_read(path, &s, &n), -EBADMSG, "another format version is refused");
	ok(strstr(zcg_strerror(-EBADMSG), "history format version 9"), "message: %s", zcg_strerror(-EBADMSG));
	corrupt(path, 0, "NOTMINE", 7);
	is_int(zcg_history_open(path, 2, &h), -EBADMSG, "a foreign file is refused, not overwritten");
	ok(strstr(zcg_strerror(-EBADMSG), "is not a zombiecg history file"), "message: %s", zcg_strerror(-EBADMSG));
	if (truncate(path, 10) == 0) {
		is_int(zcg_history_read(path, &s, &n), -EBADMSG, "a truncated file is refused");
	}
	is_int(zcg_history_read("/nonexistent/history", &s, &n), -ENOENT, "missing file");
	is_str(zcg_strerror(-ENOENT), "cannot open /nonexistent/history: No such file or directory", "message names it");

	{
		_cleanup_free_ char *fifo = path_join(dir, "fifo");

		mkfifo(fifo, 0600);
		alarm(5);	/* the old code blocked in open() */
		is_int(zcg_history_read(fifo, &s, &n), -EBADMSG, "a FIFO is refused at once");
		alarm(0);
	}

	cmd = strdup_printf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# cleanup failed\n");
	return done_testing();
}
