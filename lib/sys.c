// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "sys.h"
#include "util.h"

void zcg_sys_free(struct zcg_sys *sys)
{
	if (!sys)
		return;
	free(sys->sysroot);
	free(sys->memory_mount);
	free(sys->memory_dir);
	free(sys->mount_root);
	free(sys);
}

char *zcg_sys_path(const struct zcg_sys *sys, const char *abs_path)
{
	return strdup_printf("%s%s", sys->sysroot, abs_path);
}

char *zcg_cgroup_dir(const struct zcg_sys *sys, const char *rel)
{
	return path_join(sys->memory_dir, rel);
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

int zcg_mountinfo_parse_line(char *line, struct zcg_mountinfo_line *ret, const char **ret_why)
{
	char *fields[6] = {0}, *sep, *p = line;
	unsigned n = 0;

	sep = strstr(line, " - ");
	if (!sep) {
		*ret_why = "no ' - ' separator";
		return -EINVAL;
	}
	*sep = '\0';
	while (n < ARRAY_SIZE(fields) && (fields[n] = strsep(&p, " ")))
		n++;
	if (n < 6) {
		*ret_why = "fewer than 6 fields before ' - '";
		return -EINVAL;
	}
	if (sscanf(fields[2], "%u:%u", &ret->major, &ret->minor) != 2) {
		*ret_why = "no major:minor in the third field";
		return -EINVAL;
	}
	p = sep + 3;
	ret->fstype = strsep(&p, " ");
	strsep(&p, " "); /* source */
	ret->superopts = p ? p : "";
	unescape_octal(fields[3]);
	unescape_octal(fields[4]);
	ret->root = fields[3];
	ret->mount_point = fields[4];
	return 0;
}

static bool has_token(const char *list, const char *sep, const char *token)
{
	size_t l = strlen(token);

	for (const char *p = list; *p;) {
		size_t n = strcspn(p, sep);

		if (n == l && strncmp(p, token, l) == 0)
			return true;
		p += n;
		p += strspn(p, sep);
	}
	return false;
}

static bool v2_has_memory(const char *sysroot, const char *mount_point)
{
	_cleanup_free_ char *path = strdup_printf("%s%s/cgroup.controllers", sysroot, mount_point);
	_cleanup_free_ char *buf = NULL;

	if (!path || read_full_file(path, &buf, NULL) < 0)
		return false;
	return has_token(buf, " \n", "memory");
}

int zcg_sys_open(const char *sysroot, struct zcg_sys **ret_sys)
{
	_cleanup_free_ char *root = NULL, *path = NULL, *buf = NULL;
	_cleanup_free_ char *v1_mount = NULL, *v1_root = NULL, *v2_mount = NULL, *v2_root = NULL;
	struct zcg_sys *sys;
	unsigned line_no = 0;
	char *line, *save = NULL;
	int r;

	root = strdup(sysroot ? sysroot : "");
	if (!root)
		return -ENOMEM;
	for (size_t l = strlen(root); l > 0 && root[l - 1] == '/'; l--)
		root[l - 1] = '\0';
	path = strdup_printf("%s/proc/self/mountinfo", root);
	if (!path)
		return -ENOMEM;
	r = read_full_file(path, &buf, NULL);
	if (r < 0)
		return zcg_error_errno(r, "cannot read %s", path);

	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct zcg_mountinfo_line m;
		const char *why;

		line_no++;
		if (zcg_mountinfo_parse_line(line, &m, &why) < 0)
			return zcg_error(-EINVAL, "malformed %s line %u: %s", path, line_no, why);
		if (streq(m.fstype, "cgroup") && !v1_mount && has_token(m.superopts, ",", "memory")) {
			v1_mount = strdup(m.mount_point);
			v1_root = strdup(m.root);
			if (!v1_mount || !v1_root)
				return -ENOMEM;
		} else if (streq(m.fstype, "cgroup2") && !v2_mount && v2_has_memory(root, m.mount_point)) {
			v2_mount = strdup(m.mount_point);
			v2_root = strdup(m.root);
			if (!v2_mount || !v2_root)
				return -ENOMEM;
		}
	}
	if (!v1_mount && !v2_mount)
		return zcg_error(-ENOENT, "no memory controller mounted (no cgroup v1 'memory' mount "
				 "and no cgroup2 mount with 'memory' in cgroup.controllers in %s)", path);

	sys = calloc(1, sizeof(*sys));
	if (!sys)
		return -ENOMEM;
	sys->hierarchy = v1_mount ? ZCG_HIER_V1 : ZCG_HIER_V2;
	sys->memory_mount = v1_mount ? TAKE_PTR(v1_mount) : TAKE_PTR(v2_mount);
	sys->mount_root = v1_root ? TAKE_PTR(v1_root) : TAKE_PTR(v2_root);
	sys->memory_dir = strdup_printf("%s%s", root, sys->memory_mount);
	sys->sysroot = TAKE_PTR(root);
	if (!sys->memory_dir) {
		zcg_sys_free(sys);
		return -ENOMEM;
	}
	*ret_sys = sys;
	return 0;
}

/* Squeezes "//" and "/./", drops a trailing '/', refuses "..": cgroup paths never need it. */
static int normalize_rel(const char *in, char **ret)
{
	_cleanup_free_ char *out = malloc(strlen(in) + 2);
	char *w;

	if (!out)
		return -ENOMEM;
	w = out;
	*w++ = '/';
	for (const char *p = in; *p;) {
		size_t n;

		p += strspn(p, "/");
		n = strcspn(p, "/");
		if (n == 0)
			break;
		if (n == 2 && strncmp(p, "..", 2) == 0)
			return -EINVAL;
		if (!(n == 1 && *p == '.')) {
			if (w > out + 1)
				*w++ = '/';
			memcpy(w, p, n);
			w += n;
		}
		p += n;
	}
	*w = '\0';
	*ret = TAKE_PTR(out);
	return 0;
}

int zcg_resolve_cgroup(const struct zcg_sys *sys, const char *user_path, char **ret_rel)
{
	_cleanup_free_ char *rel = NULL, *dir = NULL, *outside = NULL;
	const char *tail = user_path;
	struct stat st;
	int r;

	if (!*user_path)
		return zcg_error(-EINVAL, "empty cgroup path");
	if (path_has_prefix(user_path, sys->memory_mount) && !streq(sys->memory_mount, "/"))
		tail = user_path + strlen(sys->memory_mount);
	r = normalize_rel(tail, &rel);
	if (r == -EINVAL)
		return zcg_error(r, "%s: '..' is not allowed in a cgroup path", user_path);
	if (r < 0)
		return r;
	dir = zcg_cgroup_dir(sys, rel);
	if (!dir)
		return -ENOMEM;
	if (stat(dir, &st) < 0) {
		r = -errno;
		/* A path that exists elsewhere (another controller's hierarchy, /tmp) is a
		 * different mistake from a cgroup that is not there. */
		outside = zcg_sys_path(sys, user_path);
		if (tail == user_path && user_path[0] == '/' && outside && stat(outside, &st) == 0)
			return zcg_error(-EXDEV, "%s is outside the memory hierarchy (mounted at %s)",
					 user_path, sys->memory_mount);
		return zcg_error_errno(r, "no cgroup %s in the memory hierarchy at %s", user_path,
				       sys->memory_mount);
	}
	if (!S_ISDIR(st.st_mode))
		return zcg_error(-ENOTDIR, "%s is not a cgroup directory", user_path);
	*ret_rel = TAKE_PTR(rel);
	return 0;
}

bool zcg_is_root(void)
{
	return geteuid() == 0;
}

static char *state_root;

void zcg_set_state_root(const char *root)
{
	free(state_root);
	state_root = root && *root ? strdup(root) : NULL;
}

char *zcg_state_path(const char *abs_path)
{
	return strdup_printf("%s%s", state_root ? state_root : "", abs_path);
}

const char *zcg_run_dir(void)
{
	static char *below_root;
	const char *env = getenv("ZCG_RUN_DIR");

	if (env && *env)
		return env;
	if (!state_root)
		return "/run/zombiecg";
	if (!below_root)
		below_root = zcg_state_path("/run/zombiecg");
	return below_root ? below_root : "/nonexistent/zombiecg-run-dir";
}
