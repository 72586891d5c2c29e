// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "error.h"
#include "holders.h"
#include "util.h"

void zcg_proc_clear(struct zcg_proc *p)
{
	free(p->comm);
	free(p->cgroup);
	p->comm = p->cgroup = NULL;
}

int zcg_proc_copy(struct zcg_proc *dst, const struct zcg_proc *src)
{
	*dst = *src;
	dst->comm = src->comm ? strdup(src->comm) : NULL;
	dst->cgroup = src->cgroup ? strdup(src->cgroup) : NULL;
	if ((src->comm && !dst->comm) || (src->cgroup && !dst->cgroup)) {
		zcg_proc_clear(dst);
		return -ENOMEM;
	}
	return 0;
}

void zcg_file_query_clear(struct zcg_file_query *q)
{
	for (size_t i = 0; i < q->n_mapped_by; i++)
		zcg_proc_clear(&q->mapped_by[i]);
	for (size_t i = 0; i < q->n_open_by; i++)
		zcg_proc_clear(&q->open_by[i]);
	free(q->mapped_by);
	free(q->open_by);
	free(q->path);
	q->mapped_by = q->open_by = NULL;
	q->n_mapped_by = q->n_open_by = 0;
	q->path = NULL;
}

char *zcg_memory_cgroup_of(const char *text, enum zcg_hierarchy hierarchy)
{
	const char *line = text;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *c1 = memchr(line, ':', len), *c2;

		/* hierarchy-id:controller-list:path */
		if (c1 && (c2 = memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line)))) {
			size_t clen = (size_t)(c2 - c1 - 1);
			bool match = false;

			if (hierarchy == ZCG_HIER_V2) {
				match = clen == 0 && c1 - line == 1 && line[0] == '0';
			} else {
				for (const char *p = c1 + 1; p < c2;) {
					size_t n = strcspn(p, ",:");

					if (n == 6 && strncmp(p, "memory", 6) == 0)
						match = true;
					p += n + 1;
				}
			}
			if (match)
				return strndup(c2 + 1, len - (size_t)(c2 + 1 - line));
		}
		line = end ? end + 1 : NULL;
	}
	return NULL;
}

int zcg_parse_maps_line(char *line, unsigned *ret_major, unsigned *ret_minor, uint64_t *ret_ino,
			const char **ret_path)
{
	/* start-end perms offset major:minor inode [path] */
	unsigned long long ino;
	unsigned major, minor;
	int path_at = 0;

	if (sscanf(line, "%*x-%*x %*s %*x %x:%x %llu %n", &major, &minor, &ino, &path_at) < 3)
		return -EINVAL;
	*ret_major = major;
	*ret_minor = minor;
	*ret_ino = ino;
	*ret_path = path_at > 0 && line[path_at] ? line + path_at : NULL;
	return 0;
}

struct scan {
	const char *proc_dir;
	enum zcg_hierarchy hierarchy;
	struct zcg_file_query *q;
	size_t n;
	size_t *order;		/* q sorted by (major, minor, ino) */
	/* the process being scanned */
	int pid;
	bool loaded;
	struct zcg_proc info;
};

static int key_cmp(const struct zcg_file_query *a, unsigned major, unsigned minor, uint64_t ino)
{
	if (a->major != major)
		return a->major < major ? -1 : 1;
	if (a->minor != minor)
		return a->minor < minor ? -1 : 1;
	if (a->ino != ino)
		return a->ino < ino ? -1 : 1;
	return 0;
}

static int order_cmp(const void *x, const void *y, void *ctx)
{
	const struct zcg_file_query *q = ctx, *b = &q[*(const size_t *)y];

	return key_cmp(&q[*(const size_t *)x], b->major, b->minor, b->ino);
}

static struct zcg_file_query *lookup(struct scan *s, unsigned major, unsigned minor, uint64_t ino)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = key_cmp(&s->q[s->order[mid]], major, minor, ino);

		if (c == 0)
			return &s->q[s->order[mid]];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* comm and memory cgroup of the current pid, read once it turns out to matter. */
static int load_info(struct scan *s)
{
	_cleanup_free_ char *comm_path = NULL, *cg_path = NULL, *cg = NULL;

	if (s->loaded)
		return 0;
	s->loaded = true;
	comm_path = strdup_printf("%s/%d/comm", s->proc_dir, s->pid);
	cg_path = strdup_printf("%s/%d/cgroup", s->proc_dir, s->pid);
	if (!comm_path || !cg_path)
		return -ENOMEM;
	if (read_full_file(comm_path, &s->info.comm, NULL) == 0)
		s->info.comm[strcspn(s->info.comm, "\n")] = '\0';
	if (read_full_file(cg_path, &cg, NULL) == 0)
		s->info.cgroup = zcg_memory_cgroup_of(cg, s->hierarchy);
	return 0;
}

static int add_proc(struct scan *s, struct zcg_proc **arr, size_t *n, int fd)
{
	struct zcg_proc p;
	int r;

	/* a process maps a file many times: once is enough */
	for (size_t i = 0; i < *n; i++)
		if ((*arr)[i].pid == s->pid && (fd < 0 || (*arr)[i].fd == fd))
			return 0;
	r = load_info(s);
	if (r < 0)
		return r;
	p = s->info;
	p.pid = s->pid;
	p.fd = fd;
	struct zcg_proc *grown = realloc(*arr, (*n + 1) * sizeof(**arr));
	if (!grown)
		return -ENOMEM;
	*arr = grown;
	r = zcg_proc_copy(&(*arr)[*n], &p);
	if (r < 0)
		return r;
	(*n)++;
	return 0;
}

static int scan_maps(struct scan *s)
{
	_cleanup_free_ char *path = strdup_printf("%s/%d/maps", s->proc_dir, s->pid);
	_cleanup_free_ char *buf = NULL;
	char *line, *next;
	int r;

	if (!path)
		return -ENOMEM;
	if (read_full_file(path, &buf, NULL) < 0)
		return 0;	/* gone, or a kernel thread */
	for (line = buf; line && *line; line = next) {
		struct zcg_file_query *q;
		const char *mpath;
		unsigned major, minor;
		uint64_t ino;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (zcg_parse_maps_line(line, &major, &minor, &ino, &mpath) < 0 || ino == 0)
			continue;
		q = lookup(s, major, minor, ino);
		if (!q)
			continue;
		if (!q->path && mpath && (q->path = strdup(mpath)) == NULL)
			return -ENOMEM;
		r = add_proc(s, &q->mapped_by, &q->n_mapped_by, -1);
		if (r < 0)
			return r;
	}
	return 0;
}

static int scan_fds(struct scan *s)
{
	_cleanup_free_ char *dir = strdup_printf("%s/%d/fd", s->proc_dir, s->pid);
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (!dir)
		return -ENOMEM;
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		_cleanup_free_ char *link = NULL;
		struct zcg_file_query *q;
		struct stat st;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		link = path_join(dir, de->d_name);
		if (!link) {
			r = -ENOMEM;
			break;
		}
		if (stat(link, &st) < 0)
			continue;
		q = lookup(s, major(st.st_dev), minor(st.st_dev), (uint64_t)st.st_ino);
		if (!q || !q->want_open)
			continue;
		if (!q->path) {
			char target[4096];
			ssize_t n = readlink(link, target, sizeof(target) - 1);

			if (n > 0) {
				target[n] = '\0';
				q->path = strdup(target);
			}
		}
		r = add_proc(s, &q->open_by, &q->n_open_by, atoi(de->d_name));
		if (r < 0)
			break;
	}
	closedir(d);
	return r;
}

int zcg_find_holders(const char *proc_dir, enum zcg_hierarchy hierarchy, struct zcg_file_query *q,
		     size_t n)
{
	_cleanup_free_ size_t *order = NULL;
	struct scan s = { .proc_dir = proc_dir, .hierarchy = hierarchy, .q = q, .n = n };
	bool any_open = false;
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (n == 0)
		return 0;
	order = malloc(n * sizeof(*order));
	if (!order)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		order[i] = i;
		any_open |= q[i].want_open;
	}
	s.order = order;
	qsort_r(order, n, sizeof(*order), order_cmp, q);

	d = opendir(proc_dir);
	if (!d)
		return zcg_error_errno(-errno, "cannot open %s", proc_dir);
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0 || (streq(proc_dir, "/proc") && pid == getpid()))
			continue;
		s.pid = (int)pid;
		s.loaded = false;
		r = scan_maps(&s);
		if (r >= 0 && any_open)
			r = scan_fds(&s);
		zcg_proc_clear(&s.info);
		if (r < 0)
			break;
	}
	closedir(d);
	return r;
}
