/* SPDX-License-Identifier: GPL-2.0 */
/* The daemon's log: one line per message on stderr, either with a journald priority prefix
 * ("<6>census: ...", which journald and systemd's stderr capture turn into the priority) or
 * as one JSON object per line for collectors that want structure (Kubernetes). Lines are
 * written with a single write(2), so the HTTP thread and the main loop never interleave. */
#ifndef ZCG_LOG_H
#define ZCG_LOG_H

#include <stdbool.h>
#include <syslog.h>

void log_setup(bool json, int max_level);

/* Logs at a syslog priority (LOG_ERR ... LOG_DEBUG); event is a short word for what the
 * message is about ("config", "census", "reap", "http"), shown as a prefix or "event". */
void zlog(int prio, const char *event, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
