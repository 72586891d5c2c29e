// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "priority.h"

#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_CLASS_IDLE 3
#define IOPRIO_WHO_PROCESS 1

int zcg_priority_idle(void)
{
	struct sched_param sp = { .sched_priority = 0 };
	int r = 0;

	if (sched_setscheduler(0, SCHED_IDLE, &sp) < 0)
		r = -errno;
	/* glibc has no wrapper for ioprio_set */
	if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_CLASS_IDLE << IOPRIO_CLASS_SHIFT) < 0 && !r)
		r = -errno;
	return r;
}
