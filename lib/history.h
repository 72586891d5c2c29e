/* SPDX-License-Identifier: GPL-2.0 */
/* An on-disk ring of census samples: a 64-byte header (magic "ZCGHIST\0", version, sizes,
 * capacity, samples ever written) and `capacity` fixed 64-byte records, all little-endian.
 * The file never grows past 64 + 64 * capacity bytes; the oldest samples are overwritten.
 * A record is written (and synced) before the header counts it, so a crash loses at most the
 * sample being written. */
#ifndef ZCG_HISTORY_H
#define ZCG_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#define ZCG_HISTORY_VERSION 1
#define ZCG_HISTORY_HEADER_SIZE 64
#define ZCG_HISTORY_RECORD_SIZE 64
#define ZCG_HISTORY_MAX_RECORDS 1000000

enum {
	ZCG_SAMPLE_V2 = 1 << 0,			/* cgroup v2 (else v1) */
	ZCG_SAMPLE_BPF = 1 << 1,		/* the census came from BPF (exact) */
	ZCG_SAMPLE_REAP_AVAILABLE = 1 << 2,	/* reaping was possible in this period */
};

struct zcg_history_sample {
	uint64_t time;		/* unix seconds at the end of the period */
	uint32_t period_s;	/* seconds the sample covers */
	uint32_t flags;		/* ZCG_SAMPLE_* */
	uint64_t live;
	int64_t dying;		/* at the end of the period, -1 if unknown */
	int64_t pinned_bytes;	/* -1 if unknown */
	int64_t memcg_ids_used;	/* -1 if unknown */
	uint64_t reaped;	/* zombies freed during the period */
	uint64_t evicted_bytes;	/* bytes evicted to free them */
};

struct zcg_history;

/* Opens (creating it and its directory if missing) the ring at path for appending, and
 * locks it so a second daemon cannot write it too. If the file holds a different capacity,
 * it is rewritten with the newest samples that fit.
 * Returns 0 and sets *ret; -EBUSY if another process holds the lock; -EBADMSG if the file
 * is not a history ring of this version; other -errno. All with a detail message. */
int zcg_history_open(const char *path, uint32_t capacity, struct zcg_history **ret);
void zcg_history_close(struct zcg_history *h);

/* Appends one sample, overwriting the oldest when full. Returns 0 or -errno with detail. */
int zcg_history_append(struct zcg_history *h, const struct zcg_history_sample *s);

/* The newest sample. Returns 0, or -ENOENT if the ring is empty. */
int zcg_history_last(const struct zcg_history *h, struct zcg_history_sample *ret);

/* Samples ever appended (may exceed the capacity). */
uint64_t zcg_history_written(const struct zcg_history *h);

/* Reads every sample of the ring at path, oldest first, without locking (the daemon may be
 * writing: a torn newest record is skipped). Returns 0 and sets *ret_samples (newly
 * allocated, NULL if none) and *ret_n; -EBADMSG if it is not a history ring; other -errno;
 * all with a detail message. */
int zcg_history_read(const char *path, struct zcg_history_sample **ret_samples, size_t *ret_n);

#endif
