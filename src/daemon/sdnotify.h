/* SPDX-License-Identifier: GPL-2.0 */
/* The service manager's notification protocol (sd_notify(3)), without libsystemd: one
 * datagram to the AF_UNIX socket named in $NOTIFY_SOCKET ("@name" is abstract). */
#ifndef ZCG_SDNOTIFY_H
#define ZCG_SDNOTIFY_H

#include <stdint.h>

/* Sends state ("READY=1", "WATCHDOG=1", "STATUS=...", several lines allowed).
 * Returns 1 if sent, 0 if there is no $NOTIFY_SOCKET (not under systemd), -errno. */
int zcg_sd_notify(const char *state);

/* The watchdog interval from $WATCHDOG_USEC, if it is meant for this process ($WATCHDOG_PID
 * unset or ours). Returns 1 and sets *ret_usec, 0 if there is no watchdog, -EINVAL if the
 * variables are malformed. */
int zcg_sd_watchdog_usec(uint64_t *ret_usec);

#endif
