/* SPDX-License-Identifier: GPL-2.0 */
/* A CPU budget for work that must stay in the background: measure our own CPU time (user
 * and system, so the kernel's reclaim work done on our behalf counts too) and sleep
 * between batches so that CPU time / wall time stays under the budget. */
#ifndef ZCG_BUDGET_H
#define ZCG_BUDGET_H

#include <stdint.h>

struct zcg_budget {
	double max_cpu;		/* fraction of one CPU, 0 < max_cpu <= 1 (>= 1: unlimited) */
	double start_wall;	/* seconds, CLOCK_MONOTONIC */
	double start_cpu;	/* seconds, CLOCK_PROCESS_CPUTIME_ID */
	double slept;		/* seconds spent sleeping for the budget */
	double helper_cpu;	/* seconds used by helper processes we waited for */
};

/* pct is a percentage of one CPU (e.g. 5 for 5%); <= 0 or >= 100 means no limit. */
void zcg_budget_init(struct zcg_budget *b, double pct);

/* Sleeps as long as needed to bring CPU / wall back under the budget. Call between
 * batches. Returns the seconds slept. */
double zcg_budget_throttle(struct zcg_budget *b);

/* Counts CPU time that child processes (e.g. recharge helpers) spent for this work. */
void zcg_budget_add_cpu(struct zcg_budget *b, double seconds);

/* CPU seconds (helpers' included) and wall seconds used since zcg_budget_init(). */
double zcg_budget_cpu(const struct zcg_budget *b);
double zcg_budget_wall(const struct zcg_budget *b);

/* Monotonic seconds. */
double zcg_now(void);

#endif
