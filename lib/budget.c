// SPDX-License-Identifier: GPL-2.0
/* CPU budgets: pacing and the token bucket. See budget.h. */
#include <time.h>

#include "budget.h"

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

uint64_t zcg_mono_ns(void)
{
	return (uint64_t)clock_ns(CLOCK_MONOTONIC);
}

int64_t zcg_process_cpu_ns(void)
{
	return clock_ns(CLOCK_PROCESS_CPUTIME_ID);
}

double zcg_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- pacing ---------------------------------------------------------------------------- */

void zcg_budget_init(struct zcg_budget *b, double cpus)
{
	b->cpus = (cpus <= 0 || cpus >= 1) ? 1.0 : cpus;
	b->start_wall_ns = zcg_mono_ns();
	b->start_cpu_ns = zcg_process_cpu_ns();
	b->slept_ns = 0;
	b->helper_cpu_ns = 0;
}

void zcg_budget_add_cpu(struct zcg_budget *b, int64_t cpu_ns)
{
	if (cpu_ns > 0)
		b->helper_cpu_ns += cpu_ns;
}

int64_t zcg_budget_cpu_ns(const struct zcg_budget *b)
{
	return zcg_process_cpu_ns() - b->start_cpu_ns + b->helper_cpu_ns;
}

int64_t zcg_budget_wall_ns(const struct zcg_budget *b)
{
	return (int64_t)(zcg_mono_ns() - b->start_wall_ns);
}

uint64_t zcg_budget_throttle(struct zcg_budget *b)
{
	double need;
	struct timespec ts;

	if (b->cpus >= 1.0)
		return 0;
	/* The wall time at which our CPU time would be exactly cpus of it. */
	need = (double)zcg_budget_cpu_ns(b) / b->cpus - (double)zcg_budget_wall_ns(b);
	if (need <= 0)
		return 0;
	ts.tv_sec = (time_t)(need / 1e9);
	ts.tv_nsec = (long)(need - (double)ts.tv_sec * 1e9);
	while (nanosleep(&ts, &ts) < 0)
		;
	b->slept_ns += (uint64_t)need;
	return (uint64_t)need;
}

/* ---- token bucket ---------------------------------------------------------------------- */

void zcg_budget_bucket_init(struct zcg_budget_bucket *b, double cpus, int64_t burst_ns, uint64_t now_ns)
{
	*b = (struct zcg_budget_bucket){ .cpus = cpus, .burst_ns = burst_ns, .last_ns = now_ns };
}

void zcg_budget_bucket_set(struct zcg_budget_bucket *b, double cpus, int64_t burst_ns)
{
	b->cpus = cpus;
	b->burst_ns = burst_ns;
	if (b->tokens_ns > burst_ns)
		b->tokens_ns = burst_ns;
}

void zcg_budget_bucket_refill(struct zcg_budget_bucket *b, uint64_t now_ns)
{
	if (now_ns > b->last_ns) {
		double add = (double)(now_ns - b->last_ns) * b->cpus;

		if (add > (double)b->burst_ns * 2)
			add = (double)b->burst_ns * 2;
		b->tokens_ns += (int64_t)add;
		if (b->tokens_ns > b->burst_ns)
			b->tokens_ns = b->burst_ns;
	}
	b->last_ns = now_ns;
}

void zcg_budget_bucket_charge(struct zcg_budget_bucket *b, int64_t cpu_ns)
{
	if (cpu_ns > 0)
		b->tokens_ns -= cpu_ns;
}

int64_t zcg_budget_bucket_available(const struct zcg_budget_bucket *b)
{
	return b->tokens_ns > 0 ? b->tokens_ns : 0;
}

uint64_t zcg_budget_bucket_wait_ns(const struct zcg_budget_bucket *b)
{
	if (b->tokens_ns >= 0 || b->cpus <= 0)
		return 0;
	return (uint64_t)((double)-b->tokens_ns / b->cpus);
}
