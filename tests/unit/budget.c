// SPDX-License-Identifier: GPL-2.0
/* lib/budget.c: the token bucket the daemon paces itself with, and the pacing a command's
 * background work sleeps for. Rates are fractions of one CPU, times nanoseconds. */
#include <time.h>

#include "budget.h"
#include "tap.h"

/* Spends about ms of this process's CPU time. */
static void burn_cpu_ms(int ms)
{
	int64_t until = zcg_process_cpu_ns() + (int64_t)ms * 1000000;
	volatile unsigned long x = 0;

	while (zcg_process_cpu_ns() < until)
		x++;
}

int main(void)
{
	/* Budget: 1% of a CPU, 100 ms burst. */
	struct zcg_budget_bucket b;

	zcg_budget_bucket_init(&b, 0.01, 100000000, 0);
	is_int(zcg_budget_bucket_available(&b), 0, "budget starts empty");
	zcg_budget_bucket_refill(&b, 1000000000ull);
	is_int(zcg_budget_bucket_available(&b), 10000000, "1 s of wall time earns 10 ms of CPU");
	zcg_budget_bucket_refill(&b, 100000000000ull);
	is_int(zcg_budget_bucket_available(&b), 100000000, "saving is capped at the burst");
	zcg_budget_bucket_charge(&b, 150000000);
	is_int(zcg_budget_bucket_available(&b), 0, "overspending leaves nothing");
	is_int(zcg_budget_bucket_wait_ns(&b), 5000000000ull, "a 50 ms debt takes 5 s to repay at 1%%");
	zcg_budget_bucket_set(&b, 0.1, 100000000);
	is_int(zcg_budget_bucket_wait_ns(&b), 500000000, "at 10%% it takes 0.5 s");

	/* Pacing: no limit never sleeps; at half a CPU it sleeps until CPU / wall is back at one
	 * half (how long depends on how busy the host is: only the outcome is checked). */
	struct zcg_budget p;
	uint64_t slept;

	zcg_budget_init(&p, 0);
	burn_cpu_ms(20);
	is_int(zcg_budget_throttle(&p), 0, "no limit: never sleeps");
	zcg_budget_init(&p, 1);
	burn_cpu_ms(20);
	is_int(zcg_budget_throttle(&p), 0, "a whole CPU: never sleeps");
	zcg_budget_init(&p, 0.5);
	burn_cpu_ms(20);
	slept = zcg_budget_throttle(&p);
	ok(slept <= (uint64_t)zcg_budget_cpu_ns(&p), "half a CPU: sleeps at most the CPU time spent "
	   "(%llu ns)", (unsigned long long)slept);
	ok(zcg_budget_cpu_ns(&p) * 2 <= zcg_budget_wall_ns(&p) + 1000000,
	   "after the sleep CPU is at most half of wall (%lld of %lld ns)",
	   (long long)zcg_budget_cpu_ns(&p), (long long)zcg_budget_wall_ns(&p));
	zcg_budget_add_cpu(&p, 1000000000);
	ok(zcg_budget_cpu_ns(&p) >= 1000000000, "a helper's CPU time counts");
	zcg_budget_add_cpu(&p, -5);
	ok(zcg_budget_cpu_ns(&p) >= 1000000000, "a negative helper time is ignored");
	return done_testing();
}
