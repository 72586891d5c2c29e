// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "error.h"
#include "history.h"
#include "util.h"

static const char magic[8] = "ZCGHIST";	/* with its NUL: 8 bytes */

struct zcg_history {
	int fd;
	char *path;
	uint32_t capacity;
	uint64_t written;
	struct zcg_history_sample last;
};

static void put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_le32(const unsigned char *p)
{
	uint32_t v = 0;

	for (int i = 3; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint64_t get_le64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* CRC-16/CCITT: tells a whole record from a torn or never written one. */
static uint16_t crc16(const unsigned char *p, size_t n)
{
	uint16_t crc = 0xffff;

	while (n--) {
		crc ^= (uint16_t)(*p++ << 8);
		for (int i = 0; i < 8; i++)
			crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
	}
	return crc;
}

/* Record layout: time u64, period_s u32, flags u16, crc u16, live u64, dying i64,
 * pinned_bytes i64, memcg_ids_used i64, reaped u64, evicted_bytes u64. The crc covers the
 * record with its own two bytes zero. */
static void encode_record(unsigned char *p, const struct zcg_history_sample *s)
{
	uint16_t crc;

	memset(p, 0, ZCG_HISTORY_RECORD_SIZE);
	put_le64(p, s->time);
	put_le32(p + 8, s->period_s);
	p[12] = (unsigned char)s->flags;
	p[13] = (unsigned char)(s->flags >> 8);
	put_le64(p + 16, s->live);
	put_le64(p + 24, (uint64_t)s->dying);
	put_le64(p + 32, (uint64_t)s->pinned_bytes);
	put_le64(p + 40, (uint64_t)s->memcg_ids_used);
	put_le64(p + 48, s->reaped);
	put_le64(p + 56, s->evicted_bytes);
	crc = crc16(p, ZCG_HISTORY_RECORD_SIZE);
	p[14] = (unsigned char)crc;
	p[15] = (unsigned char)(crc >> 8);
}

/* Returns 0, or -EBADMSG for a record that is empty or torn. */
static int decode_record(const unsigned char *p, struct zcg_history_sample *s)
{
	unsigned char copy[ZCG_HISTORY_RECORD_SIZE];
	uint16_t crc = (uint16_t)(p[14] | p[15] << 8);

	memcpy(copy, p, sizeof(copy));
	copy[14] = copy[15] = 0;
	if (crc16(copy, sizeof(copy)) != crc || get_le64(p) == 0)
		return -EBADMSG;
	s->time = get_le64(p);
	s->period_s = get_le32(p + 8);
	s->flags = (uint32_t)(p[12] | p[13] << 8);
	s->live = get_le64(p + 16);
	s->dying = (int64_t)get_le64(p + 24);
	s->pinned_bytes = (int64_t)get_le64(p + 32);
	s->memcg_ids_used = (int64_t)get_le64(p + 40);
	s->reaped = get_le64(p + 48);
	s->evicted_bytes = get_le64(p + 56);
	return 0;
}

static void encode_header(unsigned char *p, uint32_t capacity, uint64_t written, uint64_t created)
{
	memset(p, 0, ZCG_HISTORY_HEADER_SIZE);
	memcpy(p, magic, sizeof(magic));
	put_le32(p + 8, ZCG_HISTORY_VERSION);
	put_le32(p + 12, ZCG_HISTORY_HEADER_SIZE);
	put_le32(p + 16, ZCG_HISTORY_RECORD_SIZE);
	put_le32(p + 20, capacity);
	put_le64(p + 24, written);
	put_le64(p + 32, created);
}

static int full_pread(int fd, void *buf, size_t n, off_t off)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = pread(fd, (char *)buf + done, n - done, off + (off_t)done);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return -EBADMSG;	/* truncated */
		done += (size_t)r;
	}
	return 0;
}

static int full_pwrite(int fd, const void *buf, size_t n, off_t off)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = pwrite(fd, (const char *)buf + done, n - done, off + (off_t)done);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += (size_t)r;
	}
	return 0;
}

/* Reads and checks the header of an open ring. Returns 0 or -EBADMSG/-errno with detail. */
static int read_header(int fd, const char *path, uint32_t *ret_capacity, uint64_t *ret_written)
{
	unsigned char h[ZCG_HISTORY_HEADER_SIZE];
	struct stat st;
	uint32_t capacity;
	int r;

	if (fstat(fd, &st) < 0)
		return zcg_error_errno(-errno, "cannot stat %s", path);
	r = full_pread(fd, h, sizeof(h), 0);
	if (r == -EBADMSG || (r == 0 && memcmp(h, magic, sizeof(magic)) != 0))
		return zcg_error(-EBADMSG, "%s is not a zombiecg history file (no ZCGHIST header)", path);
	if (r < 0)
		return zcg_error_errno(r, "cannot read %s", path);
	if (get_le32(h + 8) != ZCG_HISTORY_VERSION)
		return zcg_error(-EBADMSG, "%s: history format version %u, this zombiecg reads %u", path,
				 get_le32(h + 8), ZCG_HISTORY_VERSION);
	capacity = get_le32(h + 20);
	if (get_le32(h + 12) != ZCG_HISTORY_HEADER_SIZE || get_le32(h + 16) != ZCG_HISTORY_RECORD_SIZE ||
	    capacity == 0 || capacity > ZCG_HISTORY_MAX_RECORDS)
		return zcg_error(-EBADMSG, "%s: malformed history header (header %u, record %u bytes, "
				 "capacity %u)", path, get_le32(h + 12), get_le32(h + 16), capacity);
	if ((uint64_t)st.st_size < ZCG_HISTORY_HEADER_SIZE + (uint64_t)capacity * ZCG_HISTORY_RECORD_SIZE)
		return zcg_error(-EBADMSG, "%s: truncated history file (%lld bytes for %u records)", path,
				 (long long)st.st_size, capacity);
	*ret_capacity = capacity;
	*ret_written = get_le64(h + 24);
	return 0;
}

/* Reads the valid samples of an open ring, oldest first. */
static int read_samples(int fd, const char *path, uint32_t capacity, uint64_t written,
			struct zcg_history_sample **ret, size_t *ret_n)
{
	uint64_t n = written < capacity ? written : capacity;
	_cleanup_free_ struct zcg_history_sample *samples = NULL;
	_cleanup_free_ unsigned char *buf = NULL;
	size_t got = 0;
	int r;

	*ret = NULL;
	*ret_n = 0;
	if (!n)
		return 0;
	samples = calloc(n, sizeof(*samples));
	buf = malloc((size_t)capacity * ZCG_HISTORY_RECORD_SIZE);
	if (!samples || !buf)
		return -ENOMEM;
	r = full_pread(fd, buf, (size_t)capacity * ZCG_HISTORY_RECORD_SIZE, ZCG_HISTORY_HEADER_SIZE);
	if (r < 0)
		return zcg_error_errno(r, "cannot read %s", path);
	for (uint64_t i = written - n; i < written; i++) {
		const unsigned char *p = buf + (size_t)(i % capacity) * ZCG_HISTORY_RECORD_SIZE;

		if (decode_record(p, &samples[got]) == 0)
			got++;
	}
	if (got)
		*ret = TAKE_PTR(samples);
	*ret_n = got;
	return 0;
}

int zcg_history_read(const char *path, struct zcg_history_sample **ret_samples, size_t *ret_n)
{
	_cleanup_close_ int fd = -1;
	uint32_t capacity;
	uint64_t written;
	int r;

	struct stat st;

	/* O_NONBLOCK and a regular file only: a FIFO named as the ring must not hang us. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return zcg_error_errno(-errno, "cannot open %s", path);
	if (fstat(fd, &st) < 0)
		return zcg_error_errno(-errno, "cannot stat %s", path);
	if (!S_ISREG(st.st_mode))
		return zcg_error(-EBADMSG, "%s is not a zombiecg history file (not a regular file)", path);
	r = read_header(fd, path, &capacity, &written);
	if (r < 0)
		return r;
	return read_samples(fd, path, capacity, written, ret_samples, ret_n);
}

static int mkdir_parents(const char *path)
{
	_cleanup_free_ char *copy = strdup(path);

	if (!copy)
		return -ENOMEM;
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST)
			return zcg_error_errno(-errno, "cannot create directory %s", copy);
		*p = '/';
	}
	return 0;
}

static int fsync_parent(const char *path)
{
	_cleanup_free_ char *copy = strdup(path);
	_cleanup_close_ int fd = -1;

	if (!copy)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		return -errno;
	return 0;
}

/* Writes a complete ring holding samples (the newest `capacity` of them) to a temporary
 * file and renames it over path, so readers see the old file or the new one. */
static int write_new_ring(const char *path, uint32_t capacity, const struct zcg_history_sample *samples,
			  size_t n)
{
	_cleanup_free_ char *tmp = strdup_printf("%s.tmp.%d", path, (int)getpid());
	_cleanup_free_ unsigned char *buf = NULL;
	_cleanup_close_ int fd = -1;
	size_t first = n > capacity ? n - capacity : 0, size;
	int r;

	if (!tmp)
		return -ENOMEM;
	size = ZCG_HISTORY_HEADER_SIZE + (size_t)capacity * ZCG_HISTORY_RECORD_SIZE;
	buf = calloc(1, size);
	if (!buf)
		return -ENOMEM;
	encode_header(buf, capacity, n - first, (uint64_t)time(NULL));
	for (size_t i = first; i < n; i++)
		encode_record(buf + ZCG_HISTORY_HEADER_SIZE + (i - first) * ZCG_HISTORY_RECORD_SIZE,
			      &samples[i]);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return zcg_error_errno(-errno, "cannot create %s", tmp);
	/* readable by `zombiecg history` of any user, whatever the umask (the unit's UMask=0077) */
	if (fchmod(fd, 0644) < 0) {
		r = -errno;
		unlink(tmp);
		return zcg_error_errno(r, "cannot chmod %s", tmp);
	}
	r = full_pwrite(fd, buf, size, 0);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return zcg_error_errno(r, "cannot write %s", path);
	}
	fsync_parent(path);
	return 0;
}

void zcg_history_close(struct zcg_history *h)
{
	if (!h)
		return;
	if (h->fd >= 0)
		close(h->fd);	/* drops the lock */
	free(h->path);
	free(h);
}

int zcg_history_open(const char *path, uint32_t capacity, struct zcg_history **ret)
{
	_cleanup_free_ struct zcg_history_sample *samples = NULL;
	struct zcg_history *h;
	size_t n = 0;
	int r;

	if (capacity == 0 || capacity > ZCG_HISTORY_MAX_RECORDS)
		return zcg_error(-EINVAL, "history capacity %u out of range (1 to %u)", capacity,
				 ZCG_HISTORY_MAX_RECORDS);
	r = mkdir_parents(path);
	if (r < 0)
		return r;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->fd = -1;
	h->path = strdup(path);
	if (!h->path) {
		r = -ENOMEM;
		goto fail;
	}

	for (int attempt = 0; attempt < 3; attempt++) {
		uint32_t old_capacity;

		h->fd = open(path, O_RDWR | O_CLOEXEC);
		if (h->fd < 0 && errno == ENOENT) {
			r = write_new_ring(path, capacity, NULL, 0);
			if (r < 0)
				goto fail;
			continue;
		}
		if (h->fd < 0) {
			r = zcg_error_errno(-errno, "cannot open %s", path);
			goto fail;
		}
		if (flock(h->fd, LOCK_EX | LOCK_NB) < 0) {
			r = errno == EWOULDBLOCK ?
				zcg_error(-EBUSY, "%s is in use by another process (a second zombiecg daemon?)",
					  path) :
				zcg_error_errno(-errno, "cannot lock %s", path);
			goto fail;
		}
		r = read_header(h->fd, path, &old_capacity, &h->written);
		if (r < 0)
			goto fail;
		r = read_samples(h->fd, path, old_capacity, h->written, &samples, &n);
		if (r < 0)
			goto fail;
		if (old_capacity == capacity) {
			h->capacity = capacity;
			if (n)
				h->last = samples[n - 1];
			*ret = h;
			return 0;
		}
		/* Keep what fits in the new size, under the lock of the old file. */
		r = write_new_ring(path, capacity, samples, n);
		if (r < 0)
			goto fail;
		free(TAKE_PTR(samples));
		close(h->fd);
		h->fd = -1;
	}
	r = zcg_error(-EIO, "%s keeps changing while it is opened", path);
fail:
	zcg_history_close(h);
	return r;
}

int zcg_history_append(struct zcg_history *h, const struct zcg_history_sample *s)
{
	unsigned char rec[ZCG_HISTORY_RECORD_SIZE], hdr[8];
	off_t off = ZCG_HISTORY_HEADER_SIZE + (off_t)(h->written % h->capacity) * ZCG_HISTORY_RECORD_SIZE;
	int r;

	encode_record(rec, s);
	r = full_pwrite(h->fd, rec, sizeof(rec), off);
	/* The record must be on disk before the header counts it. */
	if (r == 0 && fdatasync(h->fd) < 0)
		r = -errno;
	if (r == 0) {
		put_le64(hdr, h->written + 1);
		r = full_pwrite(h->fd, hdr, sizeof(hdr), 24);
	}
	if (r == 0 && fdatasync(h->fd) < 0)
		r = -errno;
	if (r < 0)
		return zcg_error_errno(r, "cannot write %s", h->path);
	h->written++;
	h->last = *s;
	return 0;
}

int zcg_history_last(const struct zcg_history *h, struct zcg_history_sample *ret)
{
	if (!h->last.time)
		return -ENOENT;
	*ret = h->last;
	return 0;
}

uint64_t zcg_history_written(const struct zcg_history *h)
{
	return h->written;
}
