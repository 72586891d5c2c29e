// SPDX-License-Identifier: GPL-2.0
#include "cpu_bucket.h"

void zcg_cpu_bucket_init(struct zcg_cpu_bucket *b, double ratio, int64_t burst_ns, uint64_t now_ns)
{
	*b = (struct zcg_cpu_bucket){ .ratio = ratio, .burst_ns = burst_ns, .last_ns = now_ns };
}

void zcg_cpu_bucket_set(struct zcg_cpu_bucket *b, double ratio, int64_t burst_ns)
{
	b->ratio = ratio;
	b->burst_ns = burst_ns;
	if (b->tokens_ns > burst_ns)
		b->tokens_ns = burst_ns;
}

void zcg_cpu_bucket_refill(struct zcg_cpu_bucket *b, uint64_t now_ns)
{
	if (now_ns > b->last_ns) {
		double add = (double)(now_ns - b->last_ns) * b->ratio;

		if (add > (double)b->burst_ns * 2)
			add = (double)b->burst_ns * 2;
		b->tokens_ns += (int64_t)add;
		if (b->tokens_ns > b->burst_ns)
			b->tokens_ns = b->burst_ns;
	}
	b->last_ns = now_ns;
}

void zcg_cpu_bucket_charge(struct zcg_cpu_bucket *b, int64_t cpu_ns)
{
	if (cpu_ns > 0)
		b->tokens_ns -= cpu_ns;
}

int64_t zcg_cpu_bucket_available(const struct zcg_cpu_bucket *b)
{
	return b->tokens_ns > 0 ? b->tokens_ns : 0;
}

uint64_t zcg_cpu_bucket_wait_ns(const struct zcg_cpu_bucket *b)
{
	if (b->tokens_ns >= 0 || b->ratio <= 0)
		return 0;
	return (uint64_t)((double)-b->tokens_ns / b->ratio);
}
