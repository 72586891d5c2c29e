// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "error.h"
#include "stat.h"
#include "util.h"

int zcg_read_keyed(const char *path, const char *const *keys, size_t n_keys, uint64_t *values,
		   bool *found)
{
	_cleanup_free_ char *buf = NULL;
	unsigned line_no = 0;
	char *line, *next;
	int r;

	r = read_full_file(path, &buf, NULL);
	if (r < 0)
		return zcg_error_errno(r, "cannot read %s", path);
	if (found)
		memset(found, 0, n_keys * sizeof(*found));
	for (line = buf; line && *line; line = next) {
		char *key, *value, *rest;
		uint64_t v;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line_no++;
		if (!*line)
			continue;
		rest = line;
		key = strsep(&rest, " ");
		value = rest;
		if (!*key || !value || strchr(value, ' ') || parse_u64(value, &v) < 0)
			return zcg_error(-EINVAL, "malformed %s line %u: '%.80s%s%.80s'", path, line_no,
					 key, value ? " " : "", value ? value : "");
		for (size_t i = 0; i < n_keys; i++) {
			if (streq(key, keys[i])) {
				values[i] = v;
				if (found)
					found[i] = true;
			}
		}
	}
	return 0;
}

int zcg_read_proc_cgroups_memory(const char *path, uint64_t *ret_num_cgroups)
{
	_cleanup_free_ char *buf = NULL;
	unsigned line_no = 0;
	char *line, *next;
	int r;

	r = read_full_file(path, &buf, NULL);
	if (r < 0)
		return zcg_error_errno(r, "cannot read %s", path);
	for (line = buf; line && *line; line = next) {
		char name[64];
		unsigned hier, enabled;
		unsigned long long num;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line_no++;
		if (line[0] == '#' || !*line)
			continue;
		if (sscanf(line, "%63s %u %llu %u", name, &hier, &num, &enabled) != 4)
			return zcg_error(-EINVAL, "malformed %s line %u: '%.80s'", path, line_no, line);
		if (streq(name, "memory")) {
			*ret_num_cgroups = num;
			return 0;
		}
	}
	return zcg_error(-ENOENT, "%s has no memory controller row", path);
}

int zcg_read_u64_file(const char *path, uint64_t *ret)
{
	_cleanup_free_ char *buf = NULL;
	int r;

	r = read_full_file(path, &buf, NULL);
	if (r < 0)
		return zcg_error_errno(r, "cannot read %s", path);
	r = parse_u64_or_max(buf, ret);
	if (r < 0)
		return zcg_error(-EINVAL, "malformed %s: '%.40s' is not a number", path, buf);
	return 0;
}
