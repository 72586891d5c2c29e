// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "error.h"
#include "fileid.h"
#include "sys.h"
#include "util.h"

#define FILEID_INO32_GEN	1
#define FILEID_INO64_GEN	0x81	/* xfs with inode numbers above 32 bits */

dev_t zcg_dev_from_kernel(uint32_t kdev)
{
	return makedev(zcg_kdev_major(kdev), zcg_kdev_minor(kdev));
}

void zcg_mounts_free(struct zcg_mounts *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->mounts[i].root);
		free(m->mounts[i].mount_point);
		free(m->mounts[i].fstype);
		if (m->fds && m->fds[i] >= 0)
			close(m->fds[i]);
	}
	free(m->mounts);
	free(m->fds);
	memset(m, 0, sizeof(*m));
}

int zcg_mounts_read(const char *mountinfo, struct zcg_mounts *ret)
{
	_cleanup_free_ char *buf = NULL;
	struct zcg_mounts m = {0};
	size_t allocated = 0;
	unsigned line_no = 0;
	char *line, *save = NULL;
	const char *why = "";
	int r;

	r = read_full_file(mountinfo, &buf, NULL);
	if (r < 0)
		return zcg_error_errno(r, "cannot read %s", mountinfo);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct zcg_mountinfo_line ml;
		struct zcg_mount *mnt;

		line_no++;
		if (zcg_mountinfo_parse_line(line, &ml, &why) < 0)
			goto malformed;
		r = grow_array((void **)&m.mounts, &allocated, m.n + 1, sizeof(*m.mounts));
		if (r < 0)
			goto fail;
		mnt = &m.mounts[m.n++];
		mnt->major = ml.major;
		mnt->minor = ml.minor;
		mnt->root = strdup(ml.root);
		mnt->mount_point = strdup(ml.mount_point);
		mnt->fstype = strdup(ml.fstype ? ml.fstype : "");
		if (!mnt->root || !mnt->mount_point || !mnt->fstype) {
			r = -ENOMEM;
			goto fail;
		}
	}
	m.fds = malloc((m.n ? m.n : 1) * sizeof(int));
	if (!m.fds) {
		r = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < m.n; i++)
		m.fds[i] = -1;
	*ret = m;
	return 0;
malformed:
	r = zcg_error(-EINVAL, "malformed %s line %u: %s", mountinfo, line_no, why);
fail:
	zcg_mounts_free(&m);
	return r;
}

static bool mount_is(const struct zcg_mount *mnt, unsigned major, unsigned minor)
{
	return mnt->major == major && mnt->minor == minor;
}

const struct zcg_mount *zcg_mounts_find(const struct zcg_mounts *m, unsigned major, unsigned minor)
{
	const struct zcg_mount *any = NULL;

	for (size_t i = 0; i < m->n; i++) {
		if (!mount_is(&m->mounts[i], major, minor))
			continue;
		if (streq(m->mounts[i].root, "/"))
			return &m->mounts[i];
		if (!any)
			any = &m->mounts[i];
	}
	return any;
}

int zcg_file_handle_encode(const char *fstype, uint64_t ino, uint32_t gen, uint32_t raw[4], size_t *ret_len)
{
	if (streq(fstype, "btrfs"))
		return -EOPNOTSUPP;	/* handles name the subvolume, which we do not know */
	if (streq(fstype, "tmpfs")) {
		/* shmem_encode_fh(): generation first, then the 64-bit inode number */
		raw[0] = gen;
		raw[1] = (uint32_t)ino;
		raw[2] = (uint32_t)(ino >> 32);
		*ret_len = 12;
		return FILEID_INO32_GEN;
	}
	if (ino > UINT32_MAX) {
		if (!streq(fstype, "xfs"))
			return -EOPNOTSUPP;
		raw[0] = (uint32_t)ino;
		raw[1] = (uint32_t)(ino >> 32);
		raw[2] = gen;
		*ret_len = 12;
		return FILEID_INO64_GEN;
	}
	raw[0] = (uint32_t)ino;
	raw[1] = gen;
	*ret_len = 8;
	return FILEID_INO32_GEN;
}

/* An open mount point of superblock major:minor that really is that superblock (a mount
 * point can be hidden by another mount on top, /dev/shm here is). */
static int mount_fd(struct zcg_mounts *m, unsigned major, unsigned minor, const char **ret_fstype)
{
	int best = -1;

	for (int pass = 0; pass < 2 && best < 0; pass++) {
		for (size_t i = 0; i < m->n; i++) {
			struct zcg_mount *mnt = &m->mounts[i];
			struct stat st;

			if (!mount_is(mnt, major, minor) || (pass == 0 && !streq(mnt->root, "/")))
				continue;
			if (m->fds[i] == -1) {
				/* not O_PATH: open_by_handle_at() refuses O_PATH mount descriptors (EBADF) */
				int fd = open(mnt->mount_point, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

				if (fd >= 0 && fstat(fd, &st) == 0 && major(st.st_dev) == major &&
				    minor(st.st_dev) == minor) {
					m->fds[i] = fd;
				} else {
					if (fd >= 0)
						close(fd);
					m->fds[i] = -2;
				}
			}
			if (m->fds[i] >= 0) {
				best = m->fds[i];
				*ret_fstype = mnt->fstype;
				break;
			}
		}
	}
	return best;
}

int zcg_file_open_by_handle(struct zcg_mounts *m, uint32_t kdev, uint64_t ino, uint32_t gen, int flags,
			    int *ret_fd)
{
	unsigned major = zcg_kdev_major(kdev), minor = zcg_kdev_minor(kdev);
	union {
		struct file_handle fh;
		char space[sizeof(struct file_handle) + 16];
	} h;
	_cleanup_close_ int fd = -1;
	const char *fstype = NULL;
	size_t len = 0;
	struct stat st;
	int mfd, type;

	mfd = mount_fd(m, major, minor, &fstype);
	if (mfd < 0)
		return -ENOENT;
	type = zcg_file_handle_encode(fstype, ino, gen, (uint32_t *)h.fh.f_handle, &len);
	if (type < 0)
		return type;
	h.fh.handle_bytes = (unsigned)len;
	h.fh.handle_type = type;
	fd = open_by_handle_at(mfd, &h.fh, flags | O_CLOEXEC);
	if (fd < 0)
		return errno == ESTALE ? -ENOENT : -errno;
	/* Handles with generation 0 match any generation on some filesystems: make sure. */
	if (fstat(fd, &st) < 0)
		return -errno;
	if ((uint64_t)st.st_ino != ino || major(st.st_dev) != major || minor(st.st_dev) != minor)
		return -ENOENT;
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int zcg_file_path_by_handle(struct zcg_mounts *m, uint32_t kdev, uint64_t ino, uint32_t gen,
			    char **ret_path, bool *ret_deleted)
{
	_cleanup_close_ int fd = -1;
	char link[64], target[4096];
	struct stat st;
	ssize_t n;
	int r;

	r = zcg_file_open_by_handle(m, kdev, ino, gen, O_PATH, &fd);
	if (r < 0)
		return r;
	if (fstat(fd, &st) < 0)
		return -errno;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	*ret_path = strdup(target);
	if (!*ret_path)
		return -ENOMEM;
	*ret_deleted = st.st_nlink == 0;
	return 0;
}

const char *zcg_mounts_fstype(const struct zcg_mounts *m, unsigned major, unsigned minor)
{
	const struct zcg_mount *mnt = zcg_mounts_find(m, major, minor);

	return mnt ? mnt->fstype : NULL;
}

struct tree_walk {
	dev_t dev;
	const uint64_t *inos;
	size_t n;
	char **paths;
	size_t found, entries, max_entries;
};

static ssize_t find_ino(const uint64_t *inos, size_t n, uint64_t ino)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (inos[mid] == ino)
			return (ssize_t)mid;
		if (inos[mid] < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* dir_fd is consumed. */
static int walk_dir(struct tree_walk *t, int dir_fd, const char *path, unsigned depth)
{
	DIR *d = fdopendir(dir_fd);
	struct dirent *de;
	int r = 0;

	if (!d) {
		close(dir_fd);
		return 0;
	}
	while (r == 0 && t->found < t->n && (de = readdir(d))) {
		ssize_t i;

		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		if (++t->entries > t->max_entries)
			break;
		i = find_ino(t->inos, t->n, de->d_ino);
		if (i >= 0 && !t->paths[i]) {
			t->paths[i] = strdup_printf("%s%s%s", path, streq(path, "/") ? "" : "/", de->d_name);
			if (!t->paths[i]) {
				r = -ENOMEM;
				break;
			}
			t->found++;
		}
		if (de->d_type == DT_DIR && depth < 64) {
			_cleanup_free_ char *sub = NULL;
			struct stat st;
			int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (fd < 0)
				continue;
			/* another filesystem mounted here: not ours to walk */
			if (fstat(fd, &st) < 0 || st.st_dev != t->dev) {
				close(fd);
				continue;
			}
			sub = strdup_printf("%s%s%s", path, streq(path, "/") ? "" : "/", de->d_name);
			if (!sub) {
				close(fd);
				r = -ENOMEM;
				break;
			}
			r = walk_dir(t, fd, sub, depth + 1);
		}
	}
	closedir(d);
	return r;
}

int zcg_file_paths_by_walk(struct zcg_mounts *m, unsigned major, unsigned minor, const uint64_t *inos,
			   size_t n, char **ret_paths, size_t max_entries)
{
	struct tree_walk t = { .dev = makedev(major, minor), .inos = inos, .n = n, .paths = ret_paths,
			       .max_entries = max_entries };
	const char *fstype = NULL;
	int mfd, fd, r;

	mfd = mount_fd(m, major, minor, &fstype);
	if (mfd < 0)
		return -ENOENT;
	for (size_t i = 0; i < m->n; i++) {
		if (m->fds[i] != mfd)
			continue;
		fd = openat(mfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		r = walk_dir(&t, fd, m->mounts[i].mount_point, 0);
		return r < 0 ? r : (int)t.found;
	}
	return -ENOENT;
}

int zcg_block_device_path(const char *sys_dir, unsigned major, unsigned minor, char **ret_path)
{
	_cleanup_free_ char *path = strdup_printf("%s/dev/block/%u:%u/uevent", sys_dir, major, minor);
	_cleanup_free_ char *buf = NULL;
	char *name;
	int r;

	if (!path)
		return -ENOMEM;
	r = read_full_file(path, &buf, NULL);
	if (r < 0)
		return r;
	name = strstr(buf, "DEVNAME=");
	if (!name || (name != buf && name[-1] != '\n'))
		return -ENOENT;
	name += strlen("DEVNAME=");
	name[strcspn(name, "\n")] = '\0';
	*ret_path = strdup_printf("/dev/%s", name);
	return *ret_path ? 0 : -ENOMEM;
}
