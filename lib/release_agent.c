// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "release_agent.h"
#include "util.h"

#define STATE_FILE "release-agent.state"

static char *state_path(void)
{
	return path_join(zcg_run_dir(), STATE_FILE);
}

void zcg_release_agent_state_free(struct zcg_release_agent_state *s)
{
	free(s->previous_agent);
	free(s->under);
	free(s->agent);
	memset(s, 0, sizeof(*s));
}

int zcg_release_agent_state_read(struct zcg_release_agent_state *ret)
{
	_cleanup_free_ char *path = state_path(), *buf = NULL;
	struct zcg_release_agent_state s = { .previous_notify = 0 };
	char *line, *next;
	int r;

	if (!path)
		return -ENOMEM;
	r = read_full_file(path, &buf, NULL);
	if (r < 0)
		return r == -ENOENT ? r : zcg_error_errno(r, "cannot read %s", path);
	for (line = buf; line && *line; line = next) {
		char *value;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		value = strchr(line, ' ');
		value = value ? (*value = '\0', value + 1) : line + strlen(line);
		if (streq(line, "previous_agent"))
			s.previous_agent = strdup(value);
		else if (streq(line, "under"))
			s.under = strdup(value);
		else if (streq(line, "agent"))
			s.agent = strdup(value);
		else if (streq(line, "previous_notify"))
			s.previous_notify = atoi(value);
	}
	if (!s.previous_agent || !s.under || !s.agent) {
		zcg_release_agent_state_free(&s);
		return zcg_error(-EINVAL, "%s is incomplete", path);
	}
	*ret = s;
	return 0;
}

/* Reads a one-line cgroupfs file without its newline. */
static int read_line(const char *path, char **ret)
{
	char *buf = NULL;
	int r = read_full_file(path, &buf, NULL);

	if (r < 0)
		return zcg_error_errno(r, "cannot read %s", path);
	buf[strcspn(buf, "\n")] = '\0';
	*ret = buf;
	return 0;
}

int zcg_release_agent_install(const struct zcg_sys *sys, const char *under, const char *exe)
{
	_cleanup_free_ char *agent_file = path_join(sys->memory_dir, "release_agent");
	_cleanup_free_ char *under_dir = zcg_cgroup_dir(sys, under);
	_cleanup_free_ char *notify_file = under_dir ? path_join(under_dir, "notify_on_release") : NULL;
	_cleanup_free_ char *state = state_path(), *tmp = NULL, *link = NULL;
	_cleanup_free_ char *previous = NULL, *notify = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	struct stat st;
	int r;

	if (!agent_file || !notify_file || !state)
		return -ENOMEM;
	if (sys->hierarchy != ZCG_HIER_V1)
		return zcg_error(-EOPNOTSUPP, "cgroup v2 has no release agent: drain on stop instead "
				 "(zombiecg drain --self, see deploy/systemd/)");
	if (stat(state, &st) == 0)
		return zcg_error(-EEXIST, "a release agent is already installed (%s): uninstall it first", state);
	r = read_line(agent_file, &previous);
	if (r < 0)
		return r;
	r = read_line(notify_file, &notify);
	if (r < 0)
		return r;
	if (mkdir(zcg_run_dir(), 0755) < 0 && errno != EEXIST)
		return zcg_error_errno(-errno, "cannot create %s", zcg_run_dir());
	link = path_join(zcg_run_dir(), ZCG_RELEASE_AGENT_NAME);
	tmp = strdup_printf("%s.tmp", state);
	if (!link || !tmp)
		return -ENOMEM;
	/* The state goes to disk before anything changes, so uninstall can always restore. */
	f = fopen(tmp, "we");
	if (!f)
		return zcg_error_errno(-errno, "cannot create %s", tmp);
	fprintf(f, "previous_agent %s\nunder %s\nagent %s\nprevious_notify %s\n", previous, under, link, notify);
	if (fflush(f) != 0 || fsync(fileno(f)) < 0 || rename(tmp, state) < 0)
		return zcg_error_errno(-errno, "cannot write %s", state);

	unlink(link);
	if (symlink(exe, link) < 0)
		return zcg_error_errno(-errno, "cannot create %s", link);
	r = write_string_file(notify_file, "1");
	if (r < 0)
		return zcg_error_errno(r, "cannot write 1 to %s", notify_file);
	r = write_string_file(agent_file, link);
	if (r < 0)
		return zcg_error_errno(r, "cannot write %s to %s", link, agent_file);
	return 0;
}

int zcg_release_agent_uninstall(const struct zcg_sys *sys)
{
	_cleanup_free_ char *agent_file = path_join(sys->memory_dir, "release_agent");
	_cleanup_free_ char *state = state_path(), *link = NULL, *under_dir = NULL, *notify = NULL;
	struct zcg_release_agent_state s;
	struct stat st;
	int r;

	if (!agent_file || !state)
		return -ENOMEM;
	r = zcg_release_agent_state_read(&s);
	if (r == -ENOENT)
		return zcg_error(r, "no release agent installed by zombiecg (%s missing)", state);
	if (r < 0)
		return r;
	/* An empty agent is written as a newline: the kernel strips it. */
	r = write_string_file(agent_file, s.previous_agent[0] ? s.previous_agent : "\n");
	if (r < 0) {
		r = zcg_error_errno(r, "cannot restore %s", agent_file);
		goto out;
	}
	under_dir = zcg_cgroup_dir(sys, s.under);
	notify = under_dir ? path_join(under_dir, "notify_on_release") : NULL;
	if (notify && stat(under_dir, &st) == 0) {
		r = write_string_file(notify, s.previous_notify ? "1" : "0");
		if (r < 0) {
			r = zcg_error_errno(r, "cannot restore %s", notify);
			goto out;
		}
	}
	link = path_join(zcg_run_dir(), ZCG_RELEASE_AGENT_NAME);
	if (link)
		unlink(link);
	r = unlink(state) < 0 ? zcg_error_errno(-errno, "cannot remove %s", state) : 0;
out:
	zcg_release_agent_state_free(&s);
	return r;
}
