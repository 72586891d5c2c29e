// SPDX-License-Identifier: GPL-2.0
/* zombiecg release-agent: the cgroup v1 release agent that drains and removes emptied
 * cgroups, and its install/uninstall. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>

#include "budget.h"
#include "error.h"
#include "release_agent.h"
#include "util.h"
#include "zombiecg/drain.h"
#include "text.h"
#include "zombiecg.h"

/* How many agents drain at once; the rest wait for a slot, then give up. */
#define AGENT_SLOTS 4
#define AGENT_SLOT_WAIT_S 20.0
#define AGENT_DRAIN_TIMEOUT_S 10.0
#define AGENT_LOG_MAX (1u << 20)

/* The kernel starts the agent without a terminal: log to syslog and to a file under the
 * run directory (one write per line, O_APPEND, so concurrent agents do not interleave). */
static void agent_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void agent_log(int prio, const char *fmt, ...)
{
	_cleanup_free_ char *path = path_join(zcg_run_dir(), "release-agent.log");
	char msg[1024], line[1200];
	struct stat st;
	va_list ap;
	int fd, n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	syslog(prio, "%s", msg);
	if (!path)
		return;
	if (stat(path, &st) == 0 && st.st_size > AGENT_LOG_MAX) {
		_cleanup_free_ char *old = strdup_printf("%s.1", path);

		if (old)
			rename(path, old);
	}
	n = snprintf(line, sizeof(line), "%lld zombiecg[%d]: %s\n", (long long)time(NULL), (int)getpid(), msg);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		if (write(fd, line, n) < 0)
			syslog(LOG_WARNING, "cannot write %s: %m", path);
		close(fd);
	}
}

static int take_slot(void)
{
	double deadline = zcg_now() + AGENT_SLOT_WAIT_S;

	for (;;) {
		for (int i = 0; i < AGENT_SLOTS; i++) {
			_cleanup_free_ char *p = strdup_printf("%s/release-agent.slot%d", zcg_run_dir(), i);
			int fd;

			if (!p)
				return -ENOMEM;
			fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
			if (fd < 0)
				return -errno;
			if (flock(fd, LOCK_EX | LOCK_NB) == 0)
				return fd;	/* held until exit */
			close(fd);
		}
		if (zcg_now() > deadline)
			return -EBUSY;
		struct timespec ts = { 0, 100000000 };
		nanosleep(&ts, NULL);
	}
}

int zcg_release_agent_main(const char *cgroup)
{
	struct zcg_release_agent_state s = {0};
	struct zcg_drain_opts opts = { .timeout_s = AGENT_DRAIN_TIMEOUT_S };
	struct zcg_drain_result res;
	int r, slot;

	openlog("zombiecg", LOG_PID, LOG_DAEMON);
	if (!cgroup || cgroup[0] != '/') {
		agent_log(LOG_ERR, "release agent: expected a cgroup path, got '%s'", cgroup ? cgroup : "");
		return EXIT_USAGE;
	}
	r = zcg_release_agent_state_read(&s);
	if (r < 0) {
		agent_log(LOG_WARNING, "release agent for %s: not installed (%s), ignoring", cgroup,
			  r == -ENOENT ? "no state file" : strerror(-r));
		return EXIT_OK;
	}
	/* Only strict descendants of the subtree are ours. The subtree itself is left alone
	 * (it carries notify_on_release only so that its children inherit it); anything
	 * outside goes to whatever agent was there before us. */
	if (streq(cgroup, s.under)) {
		zcg_release_agent_state_free(&s);
		return EXIT_OK;
	}
	if (!path_has_prefix(cgroup, s.under)) {
		if (s.previous_agent[0] && !streq(s.previous_agent, s.agent)) {
			execl(s.previous_agent, s.previous_agent, cgroup, (char *)NULL);
			agent_log(LOG_ERR, "release agent: cannot run previous agent %s: %m", s.previous_agent);
		}
		zcg_release_agent_state_free(&s);
		return EXIT_OK;
	}
	slot = take_slot();
	if (slot < 0) {
		agent_log(LOG_WARNING, "release agent: %s left alone: %s", cgroup,
			  slot == -EBUSY ? "all drain slots busy" : strerror(-slot));
		zcg_release_agent_state_free(&s);
		return EXIT_FAIL;
	}
	r = zcg_drain(cgroup, &opts, &res);
	if (r < 0)
		agent_log(LOG_ERR, "release agent: drain %s failed: %s", cgroup, zcg_drain_strerror(r));
	for (size_t i = 0; i < res.n_cgroups; i++) {
		const struct zcg_drain_cgroup *cg = &res.cgroups[i];

		agent_log(cg->left_zombie ? LOG_WARNING : LOG_INFO,
			  "release agent: %s drained %llu -> %llu bytes, %s%s", cg->path,
			  (unsigned long long)cg->before_bytes, (unsigned long long)cg->after_bytes,
			  cg->removed ? "removed" : "kept", cg->left_zombie ? ", left a zombie" : "");
	}
	zcg_drain_result_free(&res);
	zcg_release_agent_state_free(&s);
	return r < 0 ? EXIT_FAIL : r > 0 ? EXIT_PARTIAL : EXIT_OK;
}

static int release_agent_run(struct zcg_ctx *ctx, int argc, char **argv)
{
	char exe[PATH_MAX];
	ssize_t n;
	int r;

	if (argc < 1)
		return zcg_usage_error(ctx, "release-agent: missing install, uninstall, status or a cgroup path");
	if (argc > 1)
		return zcg_usage_error(ctx, "release-agent: unexpected argument '%s'", argv[1]);
	if (argv[0][0] == '/')
		return zcg_release_agent_main(argv[0]);
	if (streq(argv[0], "status")) {
		struct zcg_release_agent_state s;

		r = zcg_release_agent_state_read(&s);
		if (r < 0 && r != -ENOENT)
			return zcg_fail(ctx, r, NULL);
		if (ctx->json) {
			json_object_begin(&ctx->out, NULL);
			json_bool(&ctx->out, "installed", r == 0);
			json_string(&ctx->out, "under", r == 0 ? s.under : NULL);
			json_string(&ctx->out, "agent", r == 0 ? s.agent : NULL);
			json_string(&ctx->out, "previous_agent", r == 0 ? s.previous_agent : NULL);
			json_object_end(&ctx->out);
			json_finish(&ctx->out);
		} else if (r == 0) {
			printf("Installed for the descendants of %s (agent %s, previous agent '%s').\n",
			       esc(s.under), esc(s.agent), esc(s.previous_agent));
		} else {
			printf("Not installed.\n");
		}
		if (r == 0)
			zcg_release_agent_state_free(&s);
		return EXIT_OK;
	}
	if (!zcg_is_root())
		return zcg_fail(ctx, -EPERM, "release-agent %s writes to cgroupfs and must run as root", argv[0]);
	if (streq(argv[0], "install")) {
		if (!ctx->scope)
			return zcg_usage_error(ctx, "release-agent install: --under PATH is required");
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n < 0)
			return zcg_fail(ctx, -errno, "cannot read /proc/self/exe: %s", strerror(errno));
		exe[n] = '\0';
		r = zcg_release_agent_install(ctx->sys, ctx->scope, exe);
	} else if (streq(argv[0], "uninstall")) {
		r = zcg_release_agent_uninstall(ctx->sys);
	} else {
		return zcg_usage_error(ctx, "release-agent: unknown action '%s'", argv[0]);
	}
	if (r < 0)
		return zcg_fail(ctx, r, NULL);
	if (ctx->json) {
		json_object_begin(&ctx->out, NULL);
		json_string(&ctx->out, "action", argv[0]);
		json_bool(&ctx->out, "ok", true);
		json_object_end(&ctx->out);
		json_finish(&ctx->out);
	} else {
		printf("Release agent %sed%s%s.\n", argv[0], ctx->scope ? " for the descendants of " : "",
		       ctx->scope ? esc(ctx->scope) : "");
	}
	return EXIT_OK;
}

const struct zcg_command cmd_release_agent = {
	.name = "release-agent",
	.args = "install --under PATH | uninstall | status | CGROUP",
	.summary = "cgroup v1 release agent that drains and removes emptied cgroups",
	.run = release_agent_run,
	.needs_sys = true,
};
