// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "error.h"
#include "journal.h"
#include "sys.h"
#include "util.h"

struct zcg_journal {
	char *path;
	int fd;
	char **paths, **values;	/* what to write back, in the order recorded */
	size_t n, allocated;
};

static void journal_free(struct zcg_journal *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->n; i++) {
		free(j->paths[i]);
		free(j->values[i]);
	}
	free(j->paths);
	free(j->values);
	if (j->fd >= 0)
		close(j->fd);
	free(j->path);
	free(j);
}

static char *journal_path(const char *run_dir, const char *name)
{
	return strdup_printf("%s/%s.journal", run_dir ? run_dir : zcg_run_dir(), name);
}

int zcg_journal_begin(const char *run_dir, const char *name, struct zcg_journal **ret)
{
	struct zcg_journal *j;
	const char *dir = run_dir ? run_dir : zcg_run_dir();

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return zcg_error_errno(-errno, "cannot create %s", dir);
	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->fd = -1;
	j->path = journal_path(run_dir, name);
	if (!j->path) {
		journal_free(j);
		return -ENOMEM;
	}
	j->fd = open(j->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (j->fd < 0) {
		int r = -errno;

		if (r == -EEXIST)
			r = zcg_error(r, "journal %s exists: another zombiecg is at work, or one crashed "
				      "(the next zombiecg run as root restores it)", j->path);
		else
			r = zcg_error_errno(r, "cannot create journal %s", j->path);
		journal_free(j);
		return r;
	}
	/* Exclusive lock held for our lifetime: a crash releases it. */
	if (flock(j->fd, LOCK_EX) < 0) {
		int r = zcg_error_errno(-errno, "cannot lock %s", j->path);

		unlink(j->path);
		journal_free(j);
		return r;
	}
	*ret = j;
	return 0;
}

/* One entry per line: the value, a tab, the path (values never hold tabs or newlines). */
static int append_entry(int fd, const char *path, const char *value)
{
	_cleanup_free_ char *line = strdup_printf("%s\t%s\n", value, path);
	size_t len;

	if (!line)
		return -ENOMEM;
	len = strlen(line);
	if (write(fd, line, len) != (ssize_t)len)
		return errno ? -errno : -EIO;
	if (fdatasync(fd) < 0)
		return -errno;
	return 0;
}

int zcg_journal_set(struct zcg_journal *j, const char *path, const char *value)
{
	_cleanup_free_ char *old = NULL;
	int r;

	r = read_full_file(path, &old, NULL);
	if (r < 0)
		return zcg_error_errno(r, "cannot read %s", path);
	old[strcspn(old, "\n")] = '\0';
	if (strchr(old, '\t'))
		return zcg_error(-EINVAL, "%s holds a tab: cannot journal it", path);
	r = grow_array((void **)&j->paths, &j->allocated, j->n + 1, sizeof(char *));
	if (r < 0)
		return r;
	j->values = realloc(j->values, j->allocated * sizeof(char *));
	if (!j->values)
		return -ENOMEM;
	r = append_entry(j->fd, path, old);
	if (r < 0)
		return zcg_error_errno(r, "cannot write journal %s", j->path);
	j->paths[j->n] = strdup(path);
	j->values[j->n] = TAKE_PTR(old);
	if (!j->paths[j->n])
		return -ENOMEM;
	j->n++;
	r = write_string_file(path, value);
	if (r < 0)
		return zcg_error_errno(r, "cannot write '%s' to %s", value, path);
	return 0;
}

/* Writes the old values back, newest first. A cgroup removed meanwhile needs nothing. */
static int restore_entries(char **paths, char **values, size_t n, size_t *ret_restored)
{
	size_t restored = 0;
	int first = 0;

	for (size_t i = n; i-- > 0;) {
		int r = write_string_file(paths[i], values[i]);

		if (r == -ENOENT)
			continue;
		if (r < 0) {
			if (!first)
				first = zcg_error_errno(r, "cannot restore '%s' to %s", values[i], paths[i]);
			continue;
		}
		restored++;
	}
	if (ret_restored)
		*ret_restored = restored;
	return first;
}

int zcg_journal_restore(struct zcg_journal *j)
{
	int r;

	if (!j)
		return 0;
	r = restore_entries(j->paths, j->values, j->n, NULL);
	if (r == 0)
		unlink(j->path);
	journal_free(j);
	return r;
}

int zcg_journal_recover(const char *run_dir, const char *name, size_t *ret_restored)
{
	_cleanup_free_ char *path = journal_path(run_dir, name), *buf = NULL;
	_cleanup_close_ int fd = -1;
	char **paths = NULL, **values = NULL;
	size_t n = 0, allocated = 0, restored = 0;
	int r;

	if (ret_restored)
		*ret_restored = 0;
	if (!path)
		return -ENOMEM;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : zcg_error_errno(-errno, "cannot open %s", path);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		return errno == EWOULDBLOCK ? 1 : zcg_error_errno(-errno, "cannot lock %s", path);
	r = read_full_file(path, &buf, NULL);
	if (r < 0)
		return zcg_error_errno(r, "cannot read %s", path);
	for (char *line = buf, *next; line && *line; line = next) {
		char *tab;

		next = strchr(line, '\n');
		if (!next)
			break;	/* a torn last line: its change was never made */
		*next++ = '\0';
		tab = strchr(line, '\t');
		if (!tab)
			continue;
		*tab = '\0';
		r = grow_array((void **)&paths, &allocated, n + 1, sizeof(char *));
		if (r < 0)
			goto out;
		values = realloc(values, allocated * sizeof(char *));
		if (!values) {
			r = -ENOMEM;
			goto out;
		}
		paths[n] = tab + 1;
		values[n] = line;
		n++;
	}
	r = restore_entries(paths, values, n, &restored);
	if (r == 0)
		unlink(path);
out:
	free(paths);
	free(values);
	if (ret_restored)
		*ret_restored = restored;
	return r;
}
