/* SPDX-License-Identifier: GPL-2.0 */
/* The library returns -errno; where the number alone cannot say what went wrong (which
 * file, which line), it also leaves a sentence here for the front-end to print. */
#ifndef ZCG_ERROR_H
#define ZCG_ERROR_H

/* Records a detail message for the calling thread and returns r (a -errno) unchanged,
 * so callers can write `return zcg_error(-EINVAL, "malformed %s line %u", path, n);`. */
int zcg_error(int r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Like zcg_error() with ": <strerror(-r)>" appended. */
int zcg_error_errno(int r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The last detail message, or NULL if none was recorded since zcg_error_clear(). */
const char *zcg_error_message(void);
void zcg_error_clear(void);

#endif
