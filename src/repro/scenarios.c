// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>

#include "cgroup.h"
#include "error.h"
#include "scenarios.h"
#include "util.h"

const char *const zcg_repro_scenario_names[_ZCG_REPRO_MAX] = {
	[ZCG_REPRO_PAGECACHE] = "pagecache",
	[ZCG_REPRO_DIRTY] = "dirty",
	[ZCG_REPRO_TMPFS] = "tmpfs",
	[ZCG_REPRO_MAPPED] = "mapped",
	[ZCG_REPRO_SLAB] = "slab",
	[ZCG_REPRO_SHARED] = "shared",
};

#define SLAB_FILE_BYTES 64

static int remove_tree(const char *path);

/* The slab scenario: one small file per 4 KiB of the requested size, at least 16. */
static unsigned slab_files(uint64_t size_bytes)
{
	return size_bytes / 4096 < 16 ? 16 : (unsigned)(size_bytes / 4096);
}

int zcg_repro_scenario_from_name(const char *name)
{
	for (int i = 0; i < _ZCG_REPRO_MAX; i++)
		if (streq(name, zcg_repro_scenario_names[i]))
			return i;
	return -EINVAL;
}

void zcg_repro_result_free(struct zcg_repro_result *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->n; i++) {
		free(res->zombies[i]);
		free(res->files[i]);
	}
	free(res->zombies);
	free(res->files);
	free(res->subtree);
	free(res->dir);
	free(res->manifest);
	free(res->holder_cgroup);
	free(res);
}

static const char *run_dir_or_default(const char *run_dir)
{
	return run_dir ? run_dir : zcg_run_dir();
}

static int mkdir_p(const char *path, mode_t mode)
{
	_cleanup_free_ char *p = strdup(path);

	if (!p)
		return -ENOMEM;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static bool is_tmpfs(const char *path)
{
	struct statfs sfs;

	return statfs(path, &sfs) == 0 &&
	       (sfs.f_type == TMPFS_MAGIC || sfs.f_type == RAMFS_MAGIC);
}

/* Appends one line; manifest_sync() makes the lines so far durable. The manifest must
 * name a thing before it exists: sync before making what the lines name. */
static int manifest_add(FILE *m, const char *kind, const char *value)
{
	if (fprintf(m, "%s %s\n", kind, value) < 0)
		return -errno ? -errno : -EIO;
	return 0;
}

static int manifest_sync(FILE *m)
{
	if (fflush(m) != 0 || fsync(fileno(m)) < 0)
		return -errno ? -errno : -EIO;
	return 0;
}

static int write_pattern(int fd, uint64_t size, unsigned seed)
{
	char buf[65536];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 31 + seed);
	while (size > 0) {
		size_t n = size < sizeof(buf) ? size : sizeof(buf);
		ssize_t w = write(fd, buf, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		size -= (uint64_t)w;
	}
	return 0;
}

static uint64_t shared_pages_each(const struct zcg_repro_opts *opts)
{
	uint64_t pages = (opts->size_bytes + 4095) / 4096;

	return pages ? pages : 1;
}

/* The shared scenario's file: count * pages_each pages, written and synced from the caller's
 * cgroup, then dropped from the cache, so that each zombie's read first-touches its pages. */
static int shared_file_make(const struct zcg_repro_opts *opts, const char *file)
{
	_cleanup_close_ int fd = open(file, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	int r;

	if (fd < 0)
		return -errno;
	r = write_pattern(fd, (uint64_t)opts->count * shared_pages_each(opts) * 4096, 0);
	if (r < 0)
		return r;
	if (fsync(fd) < 0)
		return -errno;
	r = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	return -r;
}

/* Zombie idx's pages of the shared file, read with readahead off: exactly those pages. */
static int shared_read(const struct zcg_repro_opts *opts, int fd, unsigned idx)
{
	uint64_t each = shared_pages_each(opts);
	char buf[4096];

	for (uint64_t p = 0; p < each; p++) {
		ssize_t n = pread(fd, buf, sizeof(buf), (off_t)((idx * each + p) * 4096));

		if (n < 0)
			return -errno;
	}
	return 0;
}

/* What the helper does inside the doomed memcg: first-touch the pages it will pin. */
static int child_fill(const struct zcg_repro_opts *opts, const char *file, unsigned idx)
{
	int r;

	if (opts->scenario == ZCG_REPRO_SLAB) {
		uint64_t n = slab_files(opts->size_bytes);

		if (mkdir(file, 0755) < 0)
			return -errno;
		for (uint64_t i = 0; i < n; i++) {
			_cleanup_free_ char *p = strdup_printf("%s/f%llu", file, (unsigned long long)i);
			_cleanup_close_ int fd = -1;

			if (!p)
				return -ENOMEM;
			fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
			if (fd < 0)
				return -errno;
			r = write_pattern(fd, SLAB_FILE_BYTES, idx);
			if (r < 0)
				return r;
		}
		return 0;
	}

	_cleanup_close_ int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	r = write_pattern(fd, opts->size_bytes, idx);
	if (r < 0)
		return r;
	/* Clean pages for the plain scenarios, so the zombie is pinned by clean cache only;
	 * the dirty scenario is removed before writeback comes round. */
	if (opts->scenario != ZCG_REPRO_DIRTY && opts->scenario != ZCG_REPRO_TMPFS && fsync(fd) < 0)
		return -errno;
	return 0;
}

/* The helper's report of how far it got, through a pipe. */
struct helper_report {
	int error;		/* 0, or -errno of the step that failed */
	unsigned made;		/* zombies made */
	char message[256];
};

static int helper_fail(struct helper_report *rep, int r, const char *what, const char *path)
{
	rep->error = r;
	snprintf(rep->message, sizeof(rep->message), "%s %s: %s", what, path, zcg_strerror(r));
	return r;
}

/* The helper process: for each zombie, mkdir its memcg, move there, touch the pages it will
 * pin, and remove the memcg it came from (the first one comes from the caller's cgroup, the
 * last is removed by the caller once the helper is gone). Its own stack and heap are touched
 * before it moves, so its anonymous memory stays where it started. */
static void helper_run(const struct zcg_sys *sys, const struct zcg_repro_opts *opts,
		       struct zcg_repro_result *res, const char *shared, struct helper_report *rep)
{
	_cleanup_close_ int shared_fd = -1;
	char warm[65536];
	int r;

	memset(warm, 0, sizeof(warm));
	if (shared) {
		shared_fd = open(shared, O_RDONLY | O_CLOEXEC);
		if (shared_fd < 0) {
			helper_fail(rep, -errno, "cannot open", shared);
			return;
		}
		/* no readahead: each zombie's read charges only its own pages */
		posix_fadvise(shared_fd, 0, 0, POSIX_FADV_RANDOM);
	}
	for (unsigned i = 0; i < opts->count; i++) {
		r = zcg_cg_create(sys, res->zombies[i]);
		if (r < 0) {
			helper_fail(rep, r, "cannot create", res->zombies[i]);
			return;
		}
		r = zcg_cg_attach(sys, res->zombies[i], 0);
		if (r < 0) {
			helper_fail(rep, r, "cannot move into", res->zombies[i]);
			zcg_cg_remove(sys, res->zombies[i]);
			return;
		}
		if (i > 0 && (r = zcg_cg_remove(sys, res->zombies[i - 1])) < 0) {
			helper_fail(rep, r, "cannot remove", res->zombies[i - 1]);
			return;
		}
		rep->made = i;
		r = shared ? shared_read(opts, shared_fd, i) : child_fill(opts, res->files[i], i);
		if (r < 0) {
			helper_fail(rep, r, "cannot write", res->files[i]);
			return;
		}
		rep->made = i + 1;
	}
}

/* Runs the helper in a child process and removes the last memcg once it has exited.
 * Returns 0 with every zombie made, or -errno with detail; *ret_made says how many were. */
static int make_zombies(const struct zcg_sys *sys, const struct zcg_repro_opts *opts,
			struct zcg_repro_result *res, const char *shared, unsigned *ret_made)
{
	struct helper_report rep = {0};
	int p[2], status, r;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return zcg_error_errno(-errno, "cannot make a pipe");
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(p[0]);
		close(p[1]);
		return zcg_error_errno(r, "cannot fork");
	}
	if (pid == 0) {
		close(p[0]);
		helper_run(sys, opts, res, shared, &rep);
		_exit(write(p[1], &rep, sizeof(rep)) == sizeof(rep) ? 0 : 1);
	}
	close(p[1]);
	if (read(p[0], &rep, sizeof(rep)) != sizeof(rep)) {
		rep.error = -EIO;
		snprintf(rep.message, sizeof(rep.message), "the helper making the zombies died");
	}
	close(p[0]);
	if (waitpid(pid, &status, 0) < 0)
		return zcg_error_errno(-errno, "cannot wait for the helper");
	*ret_made = rep.made;
	/* the memcg the helper was in last: empty now */
	if (rep.made > 0 && (r = zcg_cg_remove(sys, res->zombies[rep.made - 1])) < 0)
		return r;
	if (rep.error < 0)
		return zcg_error(rep.error, "%s", rep.message);
	return 0;
}

/* The mapped scenario's holder: a detached process in a live cgroup that maps every file
 * and stays until killed. Its pid comes back through a pipe once the pages are mapped. */
static int spawn_holder(const struct zcg_sys *sys, const char *rel, char *const *files, size_t n,
			pid_t *ret_pid)
{
	int p[2], status;
	pid_t first, holder = 0;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	first = fork();
	if (first < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (first == 0) {
		close(p[0]);
		setsid();
		pid_t h = fork();
		if (h != 0)
			_exit(h < 0);
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
		}
		if (zcg_cg_attach(sys, rel, 0) < 0)
			_exit(1);
		for (size_t i = 0; i < n; i++) {
			int fd = open(files[i], O_RDONLY | O_CLOEXEC);
			struct stat st;
			volatile char *map;
			char sum = 0;

			if (fd < 0 || fstat(fd, &st) < 0 || st.st_size == 0)
				_exit(1);
			map = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
			if (map == MAP_FAILED)
				_exit(1);
			for (off_t o = 0; o < st.st_size; o += 4096)
				sum += map[o];
			(void)sum;
			close(fd);
		}
		h = getpid();
		if (write(p[1], &h, sizeof(h)) != sizeof(h))
			_exit(1);
		close(p[1]);
		for (;;)
			pause();
	}
	close(p[1]);
	waitpid(first, &status, 0);
	if (read(p[0], &holder, sizeof(holder)) != sizeof(holder))
		holder = 0;
	close(p[0]);
	if (holder <= 0)
		return zcg_error(-EIO, "the holder process could not map the files");
	*ret_pid = holder;
	return 0;
}

/* A filesystem's metadata (block and inode bitmaps, group descriptors, inode tables) is
 * cached in the block device's page cache, charged to whoever touched it first, and ext4's
 * journal keeps references to the buffers it logged: on a fresh filesystem the zombies
 * would be pinned by metadata that no cleanup short of drop_caches or an unmount frees
 * (seen in the VM lab: one inode table page per 16 files). Allocate and free as many inodes
 * and blocks as the scenario will use, from the caller's own cgroup, so the zombies pin only
 * what the scenario says. */
static int warm_fs_metadata(const char *dir, unsigned n_files)
{
	_cleanup_free_ char *sub = path_join(dir, ".warm");
	int r = 0;

	if (!sub)
		return -ENOMEM;
	if (mkdir(sub, 0700) < 0)
		return -errno;
	for (unsigned i = 0; i < n_files && r == 0; i++) {
		_cleanup_free_ char *p = strdup_printf("%s/%u", sub, i);
		_cleanup_close_ int fd = -1;

		if (!p)
			return -ENOMEM;
		fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0)
			r = -errno;
		else
			r = write_pattern(fd, SLAB_FILE_BYTES, i);
	}
	/* ext4 allocates at writeback: make it happen now, from here */
	if (r == 0)
		sync();
	remove_tree(sub);
	return r;
}

int zcg_repro_make(const struct zcg_sys *sys, const struct zcg_repro_opts *opts,
		   struct zcg_repro_result **ret_result)
{
	_cleanup_fclose_ FILE *m = NULL;
	_cleanup_free_ char *run = NULL, *shared = NULL;
	struct zcg_repro_result *res;
	unsigned made = 0;
	const char *under = opts->under ? opts->under : "/";
	const char *base_dir = opts->dir;
	char name[64], buf[64];
	int r;

	if (opts->count == 0)
		return zcg_error(-EINVAL, "--count must be at least 1");
	if (!base_dir)
		base_dir = opts->scenario == ZCG_REPRO_TMPFS ? "/dev/shm" : "/var/tmp";
	if (mkdir_p(base_dir, 0755) < 0)
		return zcg_error_errno(-errno, "cannot create %s", base_dir);
	/* tmpfs pages are shmem, not page cache: each scenario needs the right kind. */
	if (opts->scenario == ZCG_REPRO_TMPFS && !is_tmpfs(base_dir))
		return zcg_error(-EINVAL, "--dir %s is not on tmpfs, which the tmpfs scenario needs", base_dir);
	if (opts->scenario != ZCG_REPRO_TMPFS && is_tmpfs(base_dir))
		return zcg_error(-EINVAL, "--dir %s is on tmpfs; the %s scenario needs a disk filesystem",
				 base_dir, zcg_repro_scenario_names[opts->scenario]);

	res = calloc(1, sizeof(*res));
	if (!res)
		return -ENOMEM;
	snprintf(name, sizeof(name), "zombiecg-repro.%d", (int)getpid());
	res->subtree = path_join(under, name);
	res->dir = path_join(base_dir, name);
	run = path_join(run_dir_or_default(opts->run_dir), "repro");
	res->zombies = calloc(opts->count, sizeof(char *));
	res->files = calloc(opts->count, sizeof(char *));
	if (!res->subtree || !res->dir || !run || !res->zombies || !res->files) {
		r = -ENOMEM;
		goto fail;
	}
	r = mkdir_p(run, 0700);
	if (r < 0) {
		r = zcg_error_errno(r, "cannot create %s", run);
		goto fail;
	}
	res->manifest = strdup_printf("%s/%s.manifest", run, name);
	if (!res->manifest) {
		r = -ENOMEM;
		goto fail;
	}
	m = fopen(res->manifest, "wxe");
	if (!m) {
		r = zcg_error_errno(-errno, "cannot create %s", res->manifest);
		goto fail;
	}
	if ((r = manifest_add(m, "scenario", zcg_repro_scenario_names[opts->scenario])) < 0 ||
	    (r = manifest_add(m, "subtree", res->subtree)) < 0 ||
	    (r = manifest_add(m, "dir", res->dir)) < 0 ||
	    (r = manifest_sync(m)) < 0) {
		r = zcg_error_errno(r, "cannot write %s", res->manifest);
		goto fail;
	}
	if (mkdir(res->dir, 0755) < 0) {
		r = zcg_error_errno(-errno, "cannot create %s", res->dir);
		goto fail;
	}
	r = warm_fs_metadata(res->dir, opts->scenario == ZCG_REPRO_SLAB ?
			     opts->count * slab_files(opts->size_bytes) + 32 : 32);
	if (r < 0) {
		r = zcg_error_errno(r, "cannot write to %s", res->dir);
		goto fail;
	}
	r = zcg_cg_create(sys, res->subtree);
	if (r < 0)
		goto fail;
	r = zcg_cg_enable_memory_below(sys, res->subtree);
	if (r < 0)
		goto fail;

	if (opts->scenario == ZCG_REPRO_SHARED) {
		shared = path_join(res->dir, "shared");
		if (!shared) {
			r = -ENOMEM;
			goto fail;
		}
		if ((r = manifest_add(m, "file", shared)) < 0 || (r = manifest_sync(m)) < 0) {
			r = zcg_error_errno(r, "cannot write %s", res->manifest);
			goto fail;
		}
		r = shared_file_make(opts, shared);
		if (r < 0) {
			r = zcg_error_errno(r, "cannot write %s", shared);
			goto fail;
		}
	}
	/* the manifest first: a cleanup finds everything even if the helper stops half-way */
	for (unsigned i = 0; i < opts->count; i++) {
		snprintf(buf, sizeof(buf), "z%u", i);
		res->zombies[i] = path_join(res->subtree, buf);
		res->files[i] = shared ? strdup(shared) : path_join(res->dir, buf);
		res->n = i + 1;
		if (!res->zombies[i] || !res->files[i]) {
			r = -ENOMEM;
			goto fail;
		}
		if ((r = manifest_add(m, "zombie", res->zombies[i])) < 0 ||
		    (!shared && (r = manifest_add(m, "file", res->files[i])) < 0)) {
			r = zcg_error_errno(r, "cannot write %s", res->manifest);
			goto fail;
		}
	}
	r = manifest_sync(m);
	if (r < 0) {
		r = zcg_error_errno(r, "cannot write %s", res->manifest);
		goto fail;
	}
	r = make_zombies(sys, opts, res, shared, &made);
	if (r < 0)
		goto fail;

	if (opts->scenario == ZCG_REPRO_MAPPED) {
		res->holder_cgroup = path_join(res->subtree, "holder");
		if (!res->holder_cgroup) {
			r = -ENOMEM;
			goto fail;
		}
		if ((r = manifest_add(m, "live", res->holder_cgroup)) < 0 || (r = manifest_sync(m)) < 0)
			goto fail;
		r = zcg_cg_create(sys, res->holder_cgroup);
		if (r < 0)
			goto fail;
		r = spawn_holder(sys, res->holder_cgroup, res->files, res->n, &res->holder);
		if (r < 0)
			goto fail;
		snprintf(buf, sizeof(buf), "%d", (int)res->holder);
		if ((r = manifest_add(m, "holder", buf)) < 0 || (r = manifest_sync(m)) < 0)
			goto fail;
	}
	*ret_result = res;
	return 0;
fail:
	zcg_repro_result_free(res);
	return r;
}

/* ---- cleanup ---- */

struct manifest {
	char *subtree;
	char *dir;
	char **zombies, **files, **live;
	size_t n_zombies, n_files, n_live;
	size_t a_zombies, a_files, a_live;
	pid_t holders[16];
	size_t n_holders;
};

static void manifest_free(struct manifest *m)
{
	for (size_t i = 0; i < m->n_zombies; i++)
		free(m->zombies[i]);
	for (size_t i = 0; i < m->n_files; i++)
		free(m->files[i]);
	for (size_t i = 0; i < m->n_live; i++)
		free(m->live[i]);
	free(m->zombies);
	free(m->files);
	free(m->live);
	free(m->subtree);
	free(m->dir);
}

static int push(char ***arr, size_t *n, size_t *allocated, const char *value)
{
	int r = grow_array((void **)arr, allocated, *n + 1, sizeof(char *));

	if (r < 0)
		return r;
	(*arr)[*n] = strdup(value);
	if (!(*arr)[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

static int manifest_read(const char *path, struct manifest *m)
{
	_cleanup_free_ char *buf = NULL;
	unsigned line_no = 0;
	char *line, *next;
	int r;

	r = read_full_file(path, &buf, NULL);
	if (r < 0)
		return zcg_error_errno(r, "cannot read %s", path);
	for (line = buf; line && *line; line = next) {
		char *value;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line_no++;
		value = strchr(line, ' ');
		if (!value)
			return zcg_error(-EINVAL, "malformed %s line %u", path, line_no);
		*value++ = '\0';
		r = 0;
		if (streq(line, "subtree"))
			r = (m->subtree = strdup(value)) ? 0 : -ENOMEM;
		else if (streq(line, "dir"))
			r = (m->dir = strdup(value)) ? 0 : -ENOMEM;
		else if (streq(line, "zombie"))
			r = push(&m->zombies, &m->n_zombies, &m->a_zombies, value);
		else if (streq(line, "file"))
			r = push(&m->files, &m->n_files, &m->a_files, value);
		else if (streq(line, "live"))
			r = push(&m->live, &m->n_live, &m->a_live, value);
		else if (streq(line, "holder") && m->n_holders < ARRAY_SIZE(m->holders))
			m->holders[m->n_holders++] = atoi(value);
		if (r < 0)
			return r;
	}
	if (!m->subtree || !m->dir)
		return zcg_error(-EINVAL, "%s names no subtree or dir", path);
	return 0;
}

/* Kills a holder only if it still lives in one of the run's cgroups: pids get reused. */
static bool holder_is_ours(pid_t pid, const struct manifest *m)
{
	_cleanup_free_ char *path = strdup_printf("/proc/%d/cgroup", (int)pid);
	_cleanup_free_ char *buf = NULL;

	if (!path || read_full_file(path, &buf, NULL) < 0)
		return false;
	for (size_t i = 0; i < m->n_live; i++) {
		_cleanup_free_ char *needle = strdup_printf(":%s\n", m->live[i]);

		if (needle && strstr(buf, needle))
			return true;
	}
	return false;
}

/* True once pid has exited: gone, or a zombie process whose parent has not reaped it yet
 * (its memory, and so its mappings, are already released then). */
static bool process_exited(pid_t pid)
{
	_cleanup_free_ char *path = strdup_printf("/proc/%d/stat", (int)pid);
	_cleanup_free_ char *buf = NULL;
	char *state;

	if (!path || read_full_file(path, &buf, NULL) < 0)
		return true;
	state = strrchr(buf, ')');
	return !state || state[1] != ' ' || state[2] == 'Z' || state[2] == 'X';
}

static void kill_and_wait(pid_t pid)
{
	kill(pid, SIGKILL);
	for (int i = 0; i < 500 && !process_exited(pid); i++) {
		struct timespec ts = { 0, 10000000 };

		waitpid(pid, NULL, WNOHANG);	/* in case it is our own child */
		nanosleep(&ts, NULL);
	}
}

static int remove_tree(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) < 0 ? -errno : 0;
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		_cleanup_free_ char *child = NULL;

		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		child = path_join(path, de->d_name);
		if (!child) {
			closedir(d);
			return -ENOMEM;
		}
		remove_tree(child);
	}
	closedir(d);
	return rmdir(path) < 0 ? -errno : 0;
}

/* syncfs() on the filesystem that holds path, or on its parent if path is gone. */
static void sync_fs_of(const char *path)
{
	_cleanup_free_ char *parent = strdup(path);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char *slash;

	if (fd < 0 && parent && (slash = strrchr(parent, '/')) && slash != parent) {
		*slash = '\0';
		fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd >= 0)
		syncfs(fd);
}

static int cleanup_one(const struct zcg_sys *sys, const struct manifest *m,
		       struct zcg_repro_cleanup_result *res)
{
	_cleanup_free_ char *subtree_dir = zcg_cgroup_dir(sys, m->subtree);
	struct stat st;
	int r, ret = 0;

	if (!subtree_dir)
		return -ENOMEM;
	for (size_t i = 0; i < m->n_holders; i++) {
		if (holder_is_ours(m->holders[i], m)) {
			kill_and_wait(m->holders[i]);
			res->holders_killed++;
		}
	}
	/* Unlinking a file nobody holds drops its page cache, which frees the zombies. */
	for (size_t i = 0; i < m->n_files; i++)
		if (remove_tree(m->files[i]) == 0)
			res->files_removed++;
	remove_tree(m->dir);

	if (stat(subtree_dir, &st) < 0)
		return 0;
	for (size_t i = 0; i < m->n_live; i++) {
		r = zcg_cg_remove(sys, m->live[i]);
		if (r == 0)
			res->cgroups_removed++;
	}
	/* Metadata the files' creation dirtied (inode tables, directories) must reach the
	 * disk before reclaim can take it. */
	sync_fs_of(m->dir);
	/* Whatever else the zombies hold (pages of binaries their processes ran, doc/kernel.md
	 * K11) goes with a reclaim of the run's own subtree. */
	r = zcg_cg_reclaim_all(sys, m->subtree);
	if (r == -EBUSY) {
		if (sys->hierarchy == ZCG_HIER_V1)
			res->zombies_left = -1;
		ret = -EBUSY;
	} else if (r < 0) {
		return r;
	}
	if (sys->hierarchy == ZCG_HIER_V2) {
		int64_t dying = 0;

		/* Freed zombies go away asynchronously (RCU, workqueues). One whose inodes are
		 * clean but still on its writeback lists is held by its writeback structure until
		 * a memcg goes offline (see reap): after a second, take one offline. */
		for (int i = 0; i < 100; i++) {
			dying = zcg_cg_dying_below(sys, m->subtree);
			if (dying <= 0)
				break;
			if (i == 50)
				zcg_cg_release_writeback(sys, m->subtree);
			struct timespec ts = { 0, 20000000 };
			nanosleep(&ts, NULL);
		}
		if (dying > 0) {
			res->zombies_left += dying;
			ret = -EBUSY;
		}
	}
	r = zcg_cg_remove(sys, m->subtree);
	if (r < 0)
		return r;
	res->cgroups_removed++;
	return ret;
}

int zcg_repro_cleanup(const struct zcg_sys *sys, const char *under, const char *run_dir,
		      struct zcg_repro_cleanup_result *ret_result)
{
	_cleanup_free_ char *run = path_join(run_dir_or_default(run_dir), "repro");
	struct zcg_repro_cleanup_result res = {0};
	struct dirent *de;
	DIR *d;
	int ret = 0;

	if (!run)
		return -ENOMEM;
	d = opendir(run);
	if (!d) {
		if (errno == ENOENT) {
			*ret_result = res;
			return 0;
		}
		return zcg_error_errno(-errno, "cannot open %s", run);
	}
	while ((de = readdir(d))) {
		_cleanup_free_ char *path = NULL;
		struct manifest m = {0};
		size_t l = strlen(de->d_name);
		int r;

		if (l < 9 || !streq(de->d_name + l - 9, ".manifest"))
			continue;
		path = path_join(run, de->d_name);
		if (!path) {
			ret = -ENOMEM;
			break;
		}
		r = manifest_read(path, &m);
		if (r == -ENOENT) {
			/* another cleanup finished that run meanwhile */
			manifest_free(&m);
			continue;
		}
		if (r >= 0 && under && !path_has_prefix(m.subtree, under)) {
			manifest_free(&m);
			continue;
		}
		if (r >= 0)
			r = cleanup_one(sys, &m, &res);
		manifest_free(&m);
		if (r >= 0) {
			unlink(path);
			res.manifests++;
		} else if (ret == 0 || ret == -EBUSY) {
			ret = r;
		}
	}
	closedir(d);
	*ret_result = res;
	return ret;
}
