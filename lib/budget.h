/* SPDX-License-Identifier: GPL-2.0 */
/* CPU budgets, with one unit at every interface: a rate is a fraction of one CPU (`cpus`:
 * 0.01 is 1% of one CPU, 1 a whole one), CPU and wall time are nanoseconds. Percentages
 * (--max-cpu, the configuration's cpu_budget, the public zcg_drain_opts.max_cpu_pct) and
 * seconds (what commands print) are converted where they are read or written, nowhere here.
 *
 * Two forms. Pacing (struct zcg_budget), for a command's work that must stay in the
 * background: measure our own CPU time (user and system, so the kernel's reclaim work done on
 * our behalf counts too) and sleep between batches so that CPU / wall stays under the rate.
 * A token bucket (struct zcg_budget_bucket), for the daemon: it accrues `cpus` CPU-ns per
 * wall-clock ns, saves up at most `burst_ns`, and everything the daemon spends (census,
 * reaping, serving metrics) is charged to it; a negative balance is a debt that postpones the
 * next step, so the average stays within the budget. */
#ifndef ZCG_BUDGET_H
#define ZCG_BUDGET_H

#include <stdint.h>

/* ---- clocks ---------------------------------------------------------------------------- */

/* CLOCK_MONOTONIC in ns. */
uint64_t zcg_mono_ns(void);
/* This process's CPU time (CLOCK_PROCESS_CPUTIME_ID) in ns. */
int64_t zcg_process_cpu_ns(void);
/* CLOCK_MONOTONIC in seconds: for deadlines and timeouts, which are seconds. */
double zcg_now(void);

/* ---- pacing ---------------------------------------------------------------------------- */

struct zcg_budget {
	double cpus;		/* 0 < cpus < 1, or 1: unlimited */
	uint64_t start_wall_ns;	/* CLOCK_MONOTONIC */
	int64_t start_cpu_ns;	/* CLOCK_PROCESS_CPUTIME_ID */
	uint64_t slept_ns;	/* spent sleeping for the budget */
	int64_t helper_cpu_ns;	/* used by helper processes we waited for */
};

/* cpus <= 0 or >= 1 means no limit. */
void zcg_budget_init(struct zcg_budget *b, double cpus);

/* Sleeps as long as needed to bring CPU / wall back under the budget. Call between
 * batches. Returns the ns slept. */
uint64_t zcg_budget_throttle(struct zcg_budget *b);

/* Counts CPU time that child processes (e.g. recharge helpers) spent for this work. */
void zcg_budget_add_cpu(struct zcg_budget *b, int64_t cpu_ns);

/* CPU time (helpers' included) and wall time used since zcg_budget_init(). */
int64_t zcg_budget_cpu_ns(const struct zcg_budget *b);
int64_t zcg_budget_wall_ns(const struct zcg_budget *b);

/* ---- token bucket ---------------------------------------------------------------------- */

struct zcg_budget_bucket {
	double cpus;		/* the rate: 0.01 is 1% of one CPU */
	int64_t burst_ns;	/* most CPU time saved up */
	int64_t tokens_ns;	/* may be negative */
	uint64_t last_ns;	/* wall time of the last refill */
};

/* Starts with an empty bucket at now_ns. */
void zcg_budget_bucket_init(struct zcg_budget_bucket *b, double cpus, int64_t burst_ns, uint64_t now_ns);
/* Changes the rate (a reload) keeping the balance, clamped to the new burst. */
void zcg_budget_bucket_set(struct zcg_budget_bucket *b, double cpus, int64_t burst_ns);
/* Accrues tokens for the wall time since the last refill. */
void zcg_budget_bucket_refill(struct zcg_budget_bucket *b, uint64_t now_ns);
/* Charges CPU time spent. */
void zcg_budget_bucket_charge(struct zcg_budget_bucket *b, int64_t cpu_ns);
/* CPU time that may be spent now (<= 0: none). */
int64_t zcg_budget_bucket_available(const struct zcg_budget_bucket *b);
/* Wall time until the balance is back to zero (0 if it is not in debt). */
uint64_t zcg_budget_bucket_wait_ns(const struct zcg_budget_bucket *b);

#endif
