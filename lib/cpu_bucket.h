/* SPDX-License-Identifier: GPL-2.0 */
/* The daemon's CPU budget as a token bucket: it accrues `ratio` CPU-nanoseconds per
 * wall-clock nanosecond, saves up at most `burst_ns`, and everything the daemon spends
 * (census, reaping, serving metrics) is charged to it. A negative balance is a debt that
 * postpones the next step, so the average stays within the budget. */
#ifndef ZCG_CPU_BUCKET_H
#define ZCG_CPU_BUCKET_H

#include <stdint.h>

struct zcg_cpu_bucket {
	double ratio;		/* CPUs: 0.01 is 1% of one CPU */
	int64_t burst_ns;	/* most CPU time saved up */
	int64_t tokens_ns;	/* may be negative */
	uint64_t last_ns;	/* wall time of the last refill */
};

/* Starts with an empty bucket at now_ns. */
void zcg_cpu_bucket_init(struct zcg_cpu_bucket *b, double ratio, int64_t burst_ns, uint64_t now_ns);
/* Changes the rate (a reload) keeping the balance, clamped to the new burst. */
void zcg_cpu_bucket_set(struct zcg_cpu_bucket *b, double ratio, int64_t burst_ns);
/* Accrues tokens for the wall time since the last refill. */
void zcg_cpu_bucket_refill(struct zcg_cpu_bucket *b, uint64_t now_ns);
/* Charges CPU time spent. */
void zcg_cpu_bucket_charge(struct zcg_cpu_bucket *b, int64_t cpu_ns);
/* CPU time that may be spent now (<= 0: none). */
int64_t zcg_cpu_bucket_available(const struct zcg_cpu_bucket *b);
/* Wall time until the balance is back to zero (0 if it is not in debt). */
uint64_t zcg_cpu_bucket_wait_ns(const struct zcg_cpu_bucket *b);

#endif
