// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "fileio.h"
#include "util.h"

int zcg_write_file_atomic(const char *path, const char *tmp_path, const char *data, size_t len)
{
	_cleanup_free_ char *dir = strdup(path);
	_cleanup_close_ int fd = -1, dfd = -1;
	size_t done = 0;
	int r = 0;

	if (!dir)
		return -ENOMEM;
	fd = open(tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return zcg_error_errno(-errno, "cannot create %s", tmp_path);
	/* node_exporter reads the textfile under its own user, whatever the umask (the unit's
	 * UMask=0077) */
	if (fchmod(fd, 0644) < 0) {
		r = -errno;
		unlink(tmp_path);
		return zcg_error_errno(r, "cannot chmod %s", tmp_path);
	}
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		done += (size_t)n;
	}
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp_path);
		return zcg_error_errno(r, "cannot write %s", tmp_path);
	}
	if (rename(tmp_path, path) < 0) {
		r = -errno;
		unlink(tmp_path);
		return zcg_error_errno(r, "cannot rename %s to %s", tmp_path, path);
	}
	/* the rename itself must reach the disk too */
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0)
		fsync(dfd);
	return 0;
}

int zcg_write_memstream_atomic(FILE *f, char *const *text, const size_t *len, const char *path)
{
	_cleanup_free_ char *tmp = strdup_printf("%s.tmp", path);
	int r = fclose(f) != 0 ? -ENOMEM : tmp ? 0 : -ENOMEM;

	if (r == 0)
		r = zcg_write_file_atomic(path, tmp, *text, *len);
	free(*text);
	return r;
}
