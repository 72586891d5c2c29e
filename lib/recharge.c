// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cgroup.h"
#include "error.h"
#include "holders.h"
#include "recharge.h"
#include "stat.h"
#include "util.h"

/* Bytes copied or compared between two looks at the lease. */
#define CHUNK (1u << 20)
/* What the target must have left below its limits beyond the file itself. */
#define HEADROOM_SLACK (16u << 20)

static int note(struct zcg_recharge_result *res, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int note(struct zcg_recharge_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->note, sizeof(res->note), fmt, ap);
	va_end(ap);
	return 0;
}

int zcg_recharge_target_check(const struct zcg_sys *sys, const char *rel)
{
	_cleanup_free_ char *dir = zcg_cgroup_dir(sys, rel);
	_cleanup_free_ char *own = NULL, *subtree = NULL, *buf = NULL;
	struct stat st;

	if (!dir)
		return -ENOMEM;
	if (streq(rel, "/"))
		return zcg_error(-EINVAL, "%s is the root cgroup: name a live cgroup below it", dir);
	if (stat(dir, &st) < 0)
		return zcg_error_errno(-errno, "no cgroup %s", dir);
	if (!S_ISDIR(st.st_mode))
		return zcg_error(-ENOTDIR, "%s is not a cgroup directory", dir);
	own = path_join(dir, sys->hierarchy == ZCG_HIER_V2 ? "memory.current" : "memory.usage_in_bytes");
	if (!own)
		return -ENOMEM;
	if (access(own, F_OK) < 0)
		return zcg_error(-EINVAL, "%s has no memory cgroup of its own (%s is missing): enable +memory "
				 "in its parent's cgroup.subtree_control", dir, own);
	if (sys->hierarchy != ZCG_HIER_V2)
		return 0;
	subtree = path_join(dir, "cgroup.subtree_control");
	if (!subtree)
		return -ENOMEM;
	if (read_full_file(subtree, &buf, NULL) == 0 && buf[strspn(buf, " \n")] != '\0') {
		buf[strcspn(buf, "\n")] = '\0';
		return zcg_error(-EINVAL, "%s hands controllers (%s) to its children, so no process may join "
				 "it (cgroup v2 has no internal processes): name a leaf cgroup", dir, buf);
	}
	return 0;
}

/* What the target and its ancestors can still take below their limits. */
static uint64_t headroom(const struct zcg_sys *sys, const char *target)
{
	/* limit file, the usage it limits */
	static const char *const v1[][2] = {
		{ "memory.limit_in_bytes", "memory.usage_in_bytes" },
		{ "memory.memsw.limit_in_bytes", "memory.memsw.usage_in_bytes" },
	};
	static const char *const v2[][2] = {
		{ "memory.max", "memory.current" },
		{ "memory.high", "memory.current" },
	};
	bool is_v2 = sys->hierarchy == ZCG_HIER_V2;
	_cleanup_free_ char *rel = strdup(target);
	uint64_t room = UINT64_MAX;

	while (rel) {
		_cleanup_free_ char *dir = zcg_cgroup_dir(sys, rel);
		char *slash;

		for (size_t i = 0; dir && i < (is_v2 ? ARRAY_SIZE(v2) : ARRAY_SIZE(v1)); i++) {
			_cleanup_free_ char *lim = path_join(dir, is_v2 ? v2[i][0] : v1[i][0]);
			_cleanup_free_ char *use = path_join(dir, is_v2 ? v2[i][1] : v1[i][1]);
			uint64_t limit, usage;

			/* files a level does not have (the v2 root, v1 without swap accounting)
			 * set no limit */
			if (lim && use && zcg_read_u64_file(lim, &limit) == 0 && zcg_read_u64_file(use, &usage) == 0) {
				uint64_t left = limit > usage ? limit - usage : 0;

				if (left < room)
					room = left;
			}
		}
		if (streq(rel, "/"))
			break;
		slash = strrchr(rel, '/');
		if (slash == rel)
			slash[1] = '\0';
		else if (slash)
			*slash = '\0';
		else
			break;
	}
	return room;
}

struct copy {
	const struct zcg_sys *sys;
	const char *target;
	int dfd, ofd, nfd;
	const char *name;		/* the original's name in dfd */
	char tmpname[96];		/* the copy's name until the swap */
	bool linked;			/* tmpname names the copy */
	bool late_open;			/* the original was opened after the last check */
	struct stat st;			/* the original before the copy */
	struct stat nst;		/* the copy */
	char *a, *b;
};

static bool same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static bool same_ts(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* Nothing a writer, truncate, chmod, chown, setxattr or link would change has changed. */
static bool unchanged(const struct stat *a, const struct stat *b)
{
	return same_inode(a, b) && a->st_size == b->st_size && a->st_nlink == b->st_nlink &&
	       same_ts(&a->st_mtim, &b->st_mtim) && same_ts(&a->st_ctim, &b->st_ctim);
}

/* Our write lease on the original is intact: nobody has started to open or truncate it. */
static bool lease_held(int fd)
{
	return fcntl(fd, F_GETLEASE) == F_WRLCK;
}

static bool name_is(int dfd, const char *name, const struct stat *want)
{
	struct stat st;

	return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && same_inode(&st, want);
}

/* 1 (with the note set) if any process other than this one has the file open or mapped, or
 * the scan failed; 0 if none. */
static int held_by_others(struct copy *c, struct zcg_recharge_result *res)
{
	_cleanup_free_ char *proc = zcg_sys_path(c->sys, "/proc");
	struct zcg_file_query q = { .major = major(c->st.st_dev), .minor = minor(c->st.st_dev),
				    .ino = (uint64_t)c->st.st_ino, .want_open = true };
	int r;

	if (!proc)
		return -ENOMEM;
	r = zcg_find_holders(proc, c->sys->hierarchy, &q, 1);
	if (r < 0) {
		note(res, "cannot scan %s for its holders (%s): left alone", proc, strerror(-r));
		return 1;
	}
	if (q.n_open_by)
		note(res, "open by %s[%d]%s: left alone", q.open_by[0].comm ? q.open_by[0].comm : "?",
		     q.open_by[0].pid, q.n_open_by > 1 ? " and others" : "");
	else if (q.n_mapped_by)
		note(res, "mapped by %s[%d]%s: left alone", q.mapped_by[0].comm ? q.mapped_by[0].comm : "?",
		     q.mapped_by[0].pid, q.n_mapped_by > 1 ? " and others" : "");
	r = q.n_open_by || q.n_mapped_by;
	zcg_file_query_clear(&q);
	return r;
}

static int read_all(int fd, char *buf, size_t n, off_t off, size_t *ret)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = pread(fd, buf + done, n - done, off + (off_t)done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		done += (size_t)r;
	}
	*ret = done;
	return 0;
}

static int write_all(int fd, const char *buf, size_t n, off_t off)
{
	while (n > 0) {
		ssize_t r = pwrite(fd, buf, n, off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		buf += r;
		n -= (size_t)r;
		off += r;
	}
	return 0;
}

/* The data ranges of the original into the copy (holes stay holes), then its size. */
static int copy_data(struct copy *c, struct zcg_recharge_result *res)
{
	off_t off = 0, end = c->st.st_size;
	int r;

	while (off < end) {
		off_t data = lseek(c->ofd, off, SEEK_DATA), hole;

		if (data < 0 && errno == ENXIO)
			break;
		if (data < 0)
			return note(res, "cannot seek in it (%s): left alone", strerror(errno)), 1;
		hole = lseek(c->ofd, data, SEEK_HOLE);
		if (hole < 0)
			return note(res, "cannot seek in it (%s): left alone", strerror(errno)), 1;
		if (hole > end)
			hole = end;
		for (off_t p = data; p < hole;) {
			size_t want = (size_t)(hole - p) < CHUNK ? (size_t)(hole - p) : CHUNK, got;

			r = read_all(c->ofd, c->a, want, p, &got);
			if (r < 0)
				return note(res, "cannot read it (%s): left alone", strerror(-r)), 1;
			if (got < want)
				return note(res, "it shrank during the copy: left alone"), 1;
			r = write_all(c->nfd, c->a, got, p);
			if (r < 0)
				return note(res, "cannot write the copy (%s): left alone", strerror(-r)), 1;
			p += (off_t)got;
			if (!lease_held(c->ofd))
				return note(res, "a process opened it during the copy: left alone"), 1;
		}
		off = hole;
	}
	if (ftruncate(c->nfd, end) < 0)
		return note(res, "cannot size the copy (%s): left alone", strerror(errno)), 1;
	return 0;
}

/* Reads both files back in full and compares them. */
static int verify_data(struct copy *c, struct zcg_recharge_result *res)
{
	off_t end = c->st.st_size;
	struct stat st;
	int r;

	if (fstat(c->nfd, &st) < 0 || st.st_size != end)
		return note(res, "the copy has the wrong size: left alone"), 1;
	for (off_t p = 0; p < end;) {
		size_t want = (size_t)(end - p) < CHUNK ? (size_t)(end - p) : CHUNK, ga, gb;

		r = read_all(c->ofd, c->a, want, p, &ga);
		if (r == 0)
			r = read_all(c->nfd, c->b, want, p, &gb);
		if (r < 0)
			return note(res, "cannot read back (%s): left alone", strerror(-r)), 1;
		if (ga != want || gb != want || memcmp(c->a, c->b, want) != 0)
			return note(res, "the copy differs from the original at or after byte %lld: left alone",
				    (long long)p), 1;
		p += (off_t)want;
		if (!lease_held(c->ofd))
			return note(res, "a process opened it during the check: left alone"), 1;
	}
	return 0;
}

/* Every extended attribute (user.*, trusted.*, security.*, and ACLs as system.posix_acl_*). */
static int copy_xattrs(struct copy *c, struct zcg_recharge_result *res)
{
	_cleanup_free_ char *names = NULL;
	ssize_t len;

	for (;;) {
		len = flistxattr(c->ofd, NULL, 0);
		if (len < 0 && (errno == ENOTSUP || errno == EOPNOTSUPP))
			return 0;
		if (len < 0)
			return note(res, "cannot list its extended attributes (%s): left alone", strerror(errno)), 1;
		if (len == 0)
			return 0;
		free(names);
		names = malloc((size_t)len);
		if (!names)
			return -ENOMEM;
		len = flistxattr(c->ofd, names, (size_t)len);
		if (len >= 0)
			break;
		if (errno != ERANGE)
			return note(res, "cannot list its extended attributes (%s): left alone", strerror(errno)), 1;
	}
	for (char *n = names; n < names + len; n += strlen(n) + 1) {
		_cleanup_free_ char *val = NULL;
		ssize_t vlen = fgetxattr(c->ofd, n, NULL, 0);

		if (vlen >= 0 && !(val = malloc((size_t)vlen + 1)))
			return -ENOMEM;
		if (vlen >= 0)
			vlen = fgetxattr(c->ofd, n, val, (size_t)vlen);
		if (vlen < 0 || fsetxattr(c->nfd, n, val, (size_t)vlen, 0) < 0)
			return note(res, "cannot copy extended attribute %s (%s): left alone", n, strerror(errno)), 1;
	}
	return 0;
}

/* Owner, extended attributes, mode and inode flags; times come last (see the caller).
 * chown first: it clears set-id bits and security.capability, which come after it. */
static int copy_metadata(struct copy *c, struct zcg_recharge_result *res)
{
	int flags = 0, r;

	if (fchown(c->nfd, c->st.st_uid, c->st.st_gid) < 0)
		return note(res, "cannot set the copy's owner (%s): left alone", strerror(errno)), 1;
	r = copy_xattrs(c, res);
	if (r != 0)
		return r;
	if (fchmod(c->nfd, c->st.st_mode & 07777) < 0)
		return note(res, "cannot set the copy's mode (%s): left alone", strerror(errno)), 1;
	if (ioctl(c->ofd, FS_IOC_GETFLAGS, &flags) == 0 && (flags & (FS_NODUMP_FL | FS_NOATIME_FL))) {
		int set = flags & (FS_NODUMP_FL | FS_NOATIME_FL);

		if (ioctl(c->nfd, FS_IOC_SETFLAGS, &set) < 0)
			return note(res, "cannot set the copy's inode flags (%s): left alone", strerror(errno)), 1;
	}
	return 0;
}

/* Everything the swap relies on, looked at once more right before it. */
static int before_swap(struct copy *c, struct zcg_recharge_result *res)
{
	struct stat st;
	int r;

	if (!lease_held(c->ofd))
		return note(res, "a process opened it before the swap: left alone"), 1;
	r = held_by_others(c, res);
	if (r != 0)
		return r < 0 ? r : 1;
	if (fstat(c->ofd, &st) < 0 || !unchanged(&c->st, &st))
		return note(res, "it changed during the copy: left alone"), 1;
	if (!name_is(c->dfd, c->name, &c->st))
		return note(res, "its name now names another file: left alone"), 1;
	if (!name_is(c->dfd, c->tmpname, &c->nst))
		return note(res, "the copy's name %s changed: left alone", c->tmpname), 1;
	return 0;
}

/* Exchanges the names, makes sure nobody opened the original meanwhile (else exchanges them
 * back), and removes the original's inode from the directory. */
static int swap_in(struct copy *c, struct zcg_recharge_result *res)
{
	if (renameat2(c->dfd, c->tmpname, c->dfd, c->name, RENAME_EXCHANGE) < 0)
		return note(res, "cannot swap the copy in (%s): left alone", strerror(errno)), 1;
	if (!name_is(c->dfd, c->tmpname, &c->st) || !name_is(c->dfd, c->name, &c->nst)) {
		/* Someone renamed in this directory at the same moment: touch nothing more. */
		c->linked = false;
		return note(res, "the directory changed during the swap: the original should be at %s, the "
			    "copy at its name; check and remove one by hand", c->tmpname), 1;
	}
	if (!lease_held(c->ofd)) {
		/* An open of the original started before the swap: it must keep its name. */
		if (renameat2(c->dfd, c->tmpname, c->dfd, c->name, RENAME_EXCHANGE) < 0) {
			c->linked = false;
			return note(res, "a process opened it during the swap, and swapping back failed (%s): the "
				    "original is at %s, the identical copy at its name", strerror(errno), c->tmpname), 1;
		}
		if (!lease_held(c->nfd))
			c->linked = false;	/* someone opened the copy too: it stays */
		return note(res, "a process opened it during the swap: swapped back, left alone%s%s",
			    c->linked ? "" : "; the copy it also opened stays at ", c->linked ? "" : c->tmpname), 1;
	}
	c->linked = false;
	if (unlinkat(c->dfd, c->tmpname, 0) < 0)
		return note(res, "swapped in, but cannot remove the original from %s (%s): it still holds the "
			    "zombie", c->tmpname, strerror(errno)), 1;
	/* An open whose lookup came before the swap and whose open comes now gets the old inode:
	 * no check can prevent that, but it can be told. */
	c->late_open = !lease_held(c->ofd);
	return 0;
}

/* The helper's work after joining the target. */
static int recharge(struct copy *c, const struct zcg_recharge_file *f, struct zcg_recharge_result *res)
{
	_cleanup_free_ char *dir = strdup(f->path);
	struct statfs sfs;
	uint64_t need, room;
	char *slash;
	int flags = 0, r;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (!slash || !slash[1] || f->path[0] != '/')
		return note(res, "not an absolute file path: left alone");
	*slash = '\0';
	c->name = f->path + (slash - dir) + 1;
	c->dfd = open(*dir ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->dfd < 0)
		return note(res, "cannot open its directory (%s): left alone", strerror(errno));
	/* O_NONBLOCK: never wait for someone else's lease; O_NOATIME: reading keeps its atime */
	c->ofd = openat(c->dfd, c->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOATIME | O_CLOEXEC);
	if (c->ofd < 0)
		return note(res, "cannot open it (%s): left alone", strerror(errno));
	if (fstat(c->ofd, &c->st) < 0 || fstatfs(c->ofd, &sfs) < 0)
		return note(res, "cannot stat it (%s): left alone", strerror(errno));
	if (major(c->st.st_dev) != f->dev_major || minor(c->st.st_dev) != f->dev_minor ||
	    (uint64_t)c->st.st_ino != f->ino)
		return note(res, "its path now names another file: left alone");
	if (sfs.f_type != TMPFS_MAGIC)
		return note(res, "not on tmpfs: left alone");
	if (!S_ISREG(c->st.st_mode))
		return note(res, "not a regular file: left alone");
	if (c->st.st_nlink != 1)
		return note(res, "it has %ju hard links: only a file with one name can be swapped, left alone",
			    (uintmax_t)c->st.st_nlink);
	if (ioctl(c->ofd, FS_IOC_GETFLAGS, &flags) == 0 && (flags & (FS_IMMUTABLE_FL | FS_APPEND_FL)))
		return note(res, "immutable or append-only: left alone");
	/* From here on, anyone opening or truncating it breaks the lease, which we watch. */
	if (fcntl(c->ofd, F_SETLEASE, F_WRLCK) < 0) {
		if (errno != EAGAIN && errno != EBUSY)
			return note(res, "cannot take a write lease on it (%s): left alone", strerror(errno));
		/* name who holds it, where /proc can tell */
		r = held_by_others(c, res);
		if (r < 0)
			return r;
		if (r == 0)
			note(res, "open or mapped by another process (a write lease was refused): left alone");
		return 0;
	}
	r = held_by_others(c, res);
	if (r != 0)
		return r < 0 ? r : 0;
	need = (uint64_t)c->st.st_blocks * 512;
	if (sfs.f_blocks && (uint64_t)sfs.f_bavail * (uint64_t)sfs.f_bsize < need + CHUNK)
		return note(res, "its tmpfs has no room for a copy of %ju bytes: left alone", (uintmax_t)need);
	room = headroom(c->sys, c->target);
	if (room < need + HEADROOM_SLACK)
		return note(res, "%s has %ju bytes left below its memory limits, too little for %ju: left alone",
			    c->target, (uintmax_t)room, (uintmax_t)need);

	c->a = malloc(CHUNK);
	c->b = malloc(CHUNK);
	if (!c->a || !c->b)
		return -ENOMEM;
	c->nfd = openat(c->dfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (c->nfd < 0 || fstat(c->nfd, &c->nst) < 0)
		return note(res, "cannot create a file in its directory (%s): left alone", strerror(errno));
	r = copy_data(c, res);
	if (r == 0)
		r = verify_data(c, res);
	if (r != 0)
		return r < 0 ? r : 0;
	r = copy_metadata(c, res);
	if (r != 0)
		return r < 0 ? r : 0;
	snprintf(c->tmpname, sizeof(c->tmpname), ".zombiecg-recharge.%ju.%d", (uintmax_t)c->st.st_ino, (int)getpid());
	if (linkat(c->nfd, "", c->dfd, c->tmpname, AT_EMPTY_PATH) < 0)
		return note(res, "cannot link the copy as %s (%s): left alone", c->tmpname, strerror(errno));
	c->linked = true;
	/* Times last: reading the copy back and linking it touched them. */
	{
		struct timespec ts[2] = { c->st.st_atim, c->st.st_mtim };

		if (futimens(c->nfd, ts) < 0)
			return note(res, "cannot set the copy's times (%s): left alone", strerror(errno));
	}
	if (fcntl(c->nfd, F_SETLEASE, F_WRLCK) < 0)
		return note(res, "cannot lease the copy (%s): left alone", strerror(errno));
	r = before_swap(c, res);
	if (r != 0)
		return r < 0 ? r : 0;
	if (swap_in(c, res) != 0)
		return 0;
	res->done = true;
	res->bytes = (uint64_t)c->st.st_size;
	return note(res, "copied %ju bytes into a new file charged to %s, verified, swapped in%s",
		    (uintmax_t)c->st.st_size, c->target, c->late_open ? "; but a process opened the old "
		    "file at that very moment: what it writes there is not in the new one" : "");
}

static void helper(const struct zcg_sys *sys, const char *target, const struct zcg_recharge_file *f,
		   struct zcg_recharge_result *res)
{
	struct copy c = { .sys = sys, .target = target, .dfd = -1, .ofd = -1, .nfd = -1 };
	int r;

	/* A lease break is signalled with SIGIO, whose default is to terminate: we poll instead. */
	signal(SIGIO, SIG_IGN);
	r = zcg_cg_attach(sys, target, 0);
	if (r < 0) {
		note(res, "the helper cannot join %s: %s", target, zcg_strerror(r));
		return;
	}
	r = recharge(&c, f, res);
	if (r < 0)
		note(res, "%s: left alone", strerror(-r));
	if (c.linked && name_is(c.dfd, c.tmpname, &c.nst))
		unlinkat(c.dfd, c.tmpname, 0);
	free(c.a);
	free(c.b);
	/* Closing the original drops the lease and, once swapped out, its last reference. */
	if (c.nfd >= 0)
		close(c.nfd);
	if (c.ofd >= 0)
		close(c.ofd);
	if (c.dfd >= 0)
		close(c.dfd);
}

/* The helper died before it said what it did: remove its copy if that is all it left. */
static void after_helper_died(const struct zcg_recharge_file *f, pid_t pid, struct zcg_recharge_result *res)
{
	_cleanup_free_ char *dir = strdup(f->path);
	_cleanup_close_ int dfd = -1;
	char tmpname[96];
	char *slash = dir ? strrchr(dir, '/') : NULL;
	struct stat st, tst;

	if (!slash)
		return;
	*slash = '\0';
	dfd = open(*dir ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	snprintf(tmpname, sizeof(tmpname), ".zombiecg-recharge.%ju.%d", (uintmax_t)f->ino, (int)pid);
	if (dfd < 0 || fstatat(dfd, tmpname, &tst, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	if ((uint64_t)tst.st_ino == f->ino) {
		size_t l = strlen(res->note);

		snprintf(res->note + l, sizeof(res->note) - l, "; the original was kept as %s/%s", dir, tmpname);
		return;
	}
	/* The original still has its name: what the helper left is the copy. */
	if (fstatat(dfd, slash + 1, &st, AT_SYMLINK_NOFOLLOW) == 0 && (uint64_t)st.st_ino == f->ino)
		unlinkat(dfd, tmpname, 0);
}

int zcg_recharge_tmpfs_file(const struct zcg_sys *sys, const char *target, const struct zcg_recharge_file *f,
			    struct zcg_recharge_result *ret)
{
	struct zcg_recharge_result res;
	struct rusage ru = {0};
	size_t got = 0;
	int64_t cpu_ns;
	int p[2], status = 0;
	pid_t pid;

	memset(ret, 0, sizeof(*ret));
	if (pipe2(p, O_CLOEXEC) < 0)
		return note(ret, "cannot create a pipe for the helper (%s): left alone", strerror(errno));
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return note(ret, "cannot fork the helper (%s): left alone", strerror(errno));
	}
	if (pid == 0) {
		const char *out = (const char *)&res;
		size_t left = sizeof(res);

		close(p[0]);
		memset(&res, 0, sizeof(res));
		helper(sys, target, f, &res);
		while (left > 0) {
			ssize_t w = write(p[1], out, left);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			out += w;
			left -= (size_t)w;
		}
		_exit(0);
	}
	close(p[1]);
	while (got < sizeof(res)) {
		ssize_t n = read(p[0], (char *)&res + got, sizeof(res) - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(p[0]);
	while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	cpu_ns = ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000 +
		 ((int64_t)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
	if (got == sizeof(res)) {
		*ret = res;
		ret->note[sizeof(ret->note) - 1] = '\0';
		ret->cpu_ns = cpu_ns;
		return 0;
	}
	ret->cpu_ns = cpu_ns;
	if (WIFSIGNALED(status))
		note(ret, "the helper was killed by signal %d (out of memory in %s?)", WTERMSIG(status), target);
	else
		note(ret, "the helper exited without a result");
	after_helper_died(f, pid, ret);
	return 0;
}
