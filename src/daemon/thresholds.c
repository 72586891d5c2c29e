// SPDX-License-Identifier: GPL-2.0
/* The census thresholds (dying count, pinned bytes, memcg ID headroom): crossing one shortens
 * the grace period to urgent_grace_period until the census is back below it. */
#include "log.h"
#include "state.h"

const char *const daemon_threshold_names[_THRESHOLD_MAX] = {
	[THRESHOLD_DYING] = "dying",
	[THRESHOLD_PINNED] = "pinned_bytes",
	[THRESHOLD_ID_HEADROOM] = "memcg_id_headroom",
};

/* A crossed threshold shortens the grace period. */
static bool urgent(const struct daemon *d)
{
	for (int t = 0; t < _THRESHOLD_MAX; t++)
		if (d->conf.threshold_enabled[t] && d->stats.threshold_crossed[t])
			return true;
	return false;
}

uint64_t daemon_grace_ms(const struct daemon *d)
{
	return urgent(d) ? d->conf.cfg.urgent_grace_ms : d->conf.cfg.grace_ms;
}

void daemon_enable_thresholds(struct daemon *d)
{
	d->conf.threshold_enabled[THRESHOLD_DYING] = d->conf.cfg.dying_threshold > 0;
	d->conf.threshold_enabled[THRESHOLD_PINNED] = d->conf.cfg.pinned_threshold_bytes > 0;
	d->conf.threshold_enabled[THRESHOLD_ID_HEADROOM] = d->conf.cfg.id_headroom_min > 0;
	for (int t = 0; t < _THRESHOLD_MAX; t++)
		if (!d->conf.threshold_enabled[t])
			d->stats.threshold_crossed[t] = false;
}

void daemon_check_thresholds(struct daemon *d)
{
	const struct zcg_census *c = d->res.census;
	bool crossed[_THRESHOLD_MAX] = {
		[THRESHOLD_DYING] = c->dying >= 0 && c->dying >= d->conf.cfg.dying_threshold,
		[THRESHOLD_PINNED] = c->pinned_bytes >= 0 &&
				     c->pinned_bytes >= d->conf.cfg.pinned_threshold_bytes,
		[THRESHOLD_ID_HEADROOM] = c->memcg_ids_used >= 0 &&
					  ZCG_MEMCG_IDS_MAX - c->memcg_ids_used < d->conf.cfg.id_headroom_min,
	};

	for (int t = 0; t < _THRESHOLD_MAX; t++) {
		if (!d->conf.threshold_enabled[t])
			continue;
		if (crossed[t] && !d->stats.threshold_crossed[t])
			zlog(LOG_WARNING, "threshold", "%s threshold crossed: grace period shortened to %.1f s",
			     daemon_threshold_names[t], d->conf.cfg.urgent_grace_ms / 1000.0);
		else if (!crossed[t] && d->stats.threshold_crossed[t])
			zlog(LOG_NOTICE, "threshold", "%s back below its threshold", daemon_threshold_names[t]);
		d->stats.threshold_crossed[t] = crossed[t];
	}
}
