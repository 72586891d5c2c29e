/* SPDX-License-Identifier: GPL-2.0 */
/* The cgroup v1 release agent: the kernel runs it with a cgroup's path when that cgroup
 * becomes empty (notify_on_release), and zombiecg then drains and removes it. Install and
 * uninstall keep what they change in a state file written before the change, so uninstall
 * restores the previous agent even after a crash. */
#ifndef ZCG_RELEASE_AGENT_H
#define ZCG_RELEASE_AGENT_H

#include "sys.h"

/* The name the kernel runs zombiecg under (a symlink in the state directory): main()
 * recognises it and runs the agent with argv[1]. */
#define ZCG_RELEASE_AGENT_NAME "zombiecg-release-agent"

struct zcg_release_agent_state {
	char *previous_agent;	/* what release_agent held before, "" if empty */
	char *under;		/* the subtree whose descendants the agent drains */
	char *agent;		/* the path written to release_agent */
	int previous_notify;	/* notify_on_release of `under` before, 0 or 1 */
};

/* Installs the agent for the descendants of `under` (hierarchy-relative) with `exe` the
 * zombiecg binary. v1 only. Returns 0; -EOPNOTSUPP on v2, -EEXIST if already installed,
 * other -errno (all with a detail message). */
int zcg_release_agent_install(const struct zcg_sys *sys, const char *under, const char *exe);

/* Restores the previous agent and notify_on_release. Returns 0, -ENOENT if not installed,
 * other -errno with a detail message. */
int zcg_release_agent_uninstall(const struct zcg_sys *sys);

/* Reads the state file. Returns 0, -ENOENT if not installed, other -errno. */
int zcg_release_agent_state_read(struct zcg_release_agent_state *ret_state);
void zcg_release_agent_state_free(struct zcg_release_agent_state *state);

#endif
