// SPDX-License-Identifier: GPL-2.0
/* The BPF plumbing both loaders share; see bpf_common.h. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "bpf_common.h"
#include "util.h"

int zcg_parse_id_list(const char *s, unsigned int *ret_count, unsigned int *ret_last)
{
	unsigned int count = 0, last = 0;
	bool any = false;

	while (*s && !isspace((unsigned char)*s)) {
		unsigned long a, b;
		char *end;

		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		errno = 0;
		a = strtoul(s, &end, 10);
		if (errno || a > UINT32_MAX / 2)
			return -EINVAL;
		b = a;
		if (*end == '-') {
			s = end + 1;
			if (!isdigit((unsigned char)*s))
				return -EINVAL;
			b = strtoul(s, &end, 10);
			if (errno || b < a || b > UINT32_MAX / 2)
				return -EINVAL;
		}
		count += b - a + 1;
		if (!any || b > last)
			last = b;
		any = true;
		s = end;
		if (*s == ',')
			s++;
		else if (*s && !isspace((unsigned char)*s))
			return -EINVAL;
	}
	while (isspace((unsigned char)*s))
		s++;
	if (!any || *s)
		return -EINVAL;
	*ret_count = count;
	*ret_last = last;
	return 0;
}

unsigned int zcg_bpf_node_ids(void)
{
	_cleanup_free_ char *buf = NULL;
	unsigned int count, last;

	if (read_full_file("/sys/devices/system/node/possible", &buf, NULL) < 0 ||
	    zcg_parse_id_list(buf, &count, &last) < 0)
		return 1;
	return last + 1;
}

#ifdef HAVE_BPF

#include <bpf/bpf.h>

/* ---- libbpf's messages: silent unless ZCG_DEBUG_BPF, but kept to explain failures ---- */

static char libbpf_first_warning[256];
static char libbpf_verifier_line[256];

static void copy_line(char *dst, size_t size, const char *src, size_t len)
{
	while (len > 0 && isspace((unsigned char)src[len - 1]))
		len--;
	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* The verifier log arrives as one message ending in "-- END PROG LOAD LOG --"; its last
 * line before that marker is usually the reason for the rejection. */
static void keep_verifier_line(const char *msg)
{
	const char *end = strstr(msg, "-- END PROG LOAD LOG --"), *p, *start;

	if (!end)
		return;
	p = end;
	while (p > msg && isspace((unsigned char)p[-1]))
		p--;
	start = p;
	while (start > msg && start[-1] != '\n')
		start--;
	if (p > start)
		copy_line(libbpf_verifier_line, sizeof(libbpf_verifier_line), start, p - start);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char msg[4096];

	if (getenv("ZCG_DEBUG_BPF"))
		return vfprintf(stderr, fmt, ap);
	if (level != LIBBPF_WARN)
		return 0;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	keep_verifier_line(msg);
	if (!libbpf_first_warning[0] && !strstr(msg, "-- BEGIN PROG LOAD LOG --"))
		copy_line(libbpf_first_warning, sizeof(libbpf_first_warning), msg, strcspn(msg, "\n"));
	return 0;
}

void zcg_bpf_messages_reset(void)
{
	libbpf_set_print(libbpf_print);
	libbpf_first_warning[0] = '\0';
	libbpf_verifier_line[0] = '\0';
}

const char *zcg_bpf_message(void)
{
	return libbpf_verifier_line[0] ? libbpf_verifier_line : libbpf_first_warning;
}

bool zcg_bpf_verifier_spoke(void)
{
	return libbpf_verifier_line[0] != '\0';
}

/* /sys/kernel/btf/vmlinux hands out at most a page per read(), so reading its ~6 MB costs
 * 15-80 ms here; kernels that allow mmap of it (6.16+) make that ~8 ms (btf__new copies it,
 * so it is unmapped at once). libbpf reads it once more for the load itself, which cannot be
 * avoided with libbpf 1.1. */
struct btf *zcg_bpf_kernel_btf(void)
{
	_cleanup_close_ int fd = -1;
	struct btf *btf = NULL;
	struct stat st;
	void *p;

	fd = open(ZCG_BTF_VMLINUX, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0) {
		p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p != MAP_FAILED) {
			btf = btf__new(p, st.st_size);
			munmap(p, st.st_size);
			if (btf)
				return btf;
		}
	}
	return btf__load_vmlinux_btf();
}

static bool kernel_btf_has(const char *name, int kind, int *cached)
{
	if (*cached < 0) {
		_cleanup_(zcg_btf_freep) struct btf *btf = zcg_bpf_kernel_btf();

		*cached = btf && btf__find_by_name_kind(btf, name, kind) >= 0;
	}
	return *cached;
}

bool zcg_kernel_reparents_lru(void)
{
	static int cached = -1;

	return kernel_btf_has("lru_reparent_memcg", BTF_KIND_FUNC, &cached);
}

bool zcg_kernel_has_cgroup_iter(void)
{
	static int cached = -1;

	return kernel_btf_has("bpf_iter__cgroup", BTF_KIND_STRUCT, &cached);
}

struct bpf_link *zcg_bpf_attach_cgroup_iter(struct bpf_program *prog, int cgroup_fd)
{
	union bpf_iter_link_info linfo = {};
	LIBBPF_OPTS(bpf_iter_attach_opts, opts, .link_info = &linfo, .link_info_len = sizeof(linfo));

	linfo.cgroup.cgroup_fd = cgroup_fd;
	linfo.cgroup.order = BPF_CGROUP_ITER_SELF_ONLY;
	return bpf_program__attach_iter(prog, &opts);
}

int zcg_bpf_iter_run(struct bpf_link *link)
{
	_cleanup_close_ int fd = bpf_iter_create(bpf_link__fd(link));
	char buf[64];
	ssize_t n;

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno != EINTR)
			return -errno;
	}
	return 0;
}

#else

bool zcg_kernel_reparents_lru(void)
{
	return false;
}

bool zcg_kernel_has_cgroup_iter(void)
{
	return false;
}

#endif
