/* SPDX-License-Identifier: GPL-2.0 */
/* Background work runs at the lowest priority the kernel has, like the NetEase recycling
 * thread: SCHED_IDLE for the CPU, the idle class for I/O. */
#ifndef ZCG_PRIORITY_H
#define ZCG_PRIORITY_H

/* Puts the calling process in SCHED_IDLE and the idle I/O class.
 * Returns 0, or -errno if either could not be set (the other may have been). */
int zcg_priority_idle(void);

#endif
