// SPDX-License-Identifier: GPL-2.0
#include <time.h>

#include "budget.h"

static double clock_seconds(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double zcg_now(void)
{
	return clock_seconds(CLOCK_MONOTONIC);
}

void zcg_budget_init(struct zcg_budget *b, double pct)
{
	b->max_cpu = (pct <= 0 || pct >= 100) ? 1.0 : pct / 100.0;
	b->start_wall = zcg_now();
	b->start_cpu = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
	b->slept = 0;
	b->helper_cpu = 0;
}

void zcg_budget_add_cpu(struct zcg_budget *b, double seconds)
{
	if (seconds > 0)
		b->helper_cpu += seconds;
}

double zcg_budget_cpu(const struct zcg_budget *b)
{
	return clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - b->start_cpu + b->helper_cpu;
}

double zcg_budget_wall(const struct zcg_budget *b)
{
	return zcg_now() - b->start_wall;
}

double zcg_budget_throttle(struct zcg_budget *b)
{
	double cpu, wall, need;
	struct timespec ts;

	if (b->max_cpu >= 1.0)
		return 0;
	cpu = zcg_budget_cpu(b);
	wall = zcg_budget_wall(b);
	/* The wall time at which cpu would be exactly max_cpu of it. */
	need = cpu / b->max_cpu - wall;
	if (need <= 0)
		return 0;
	ts.tv_sec = (time_t)need;
	ts.tv_nsec = (long)((need - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0)
		;
	b->slept += need;
	return need;
}
