/* SPDX-License-Identifier: GPL-2.0 */
/* The library returns -errno; where the number alone cannot say what went wrong (which
 * file, which line), it records a sentence with it. The sentence belongs to that error:
 * whoever reports r asks for r's sentence (zcg_strerror(r)) and gets strerror(-r) when the
 * last sentence recorded explains another error, so a message left by a failure that was
 * handled and forgotten is never printed for a later one. Nothing needs clearing. */
#ifndef ZCG_ERROR_H
#define ZCG_ERROR_H

/* Records a message explaining r (a -errno) for the calling thread and returns r unchanged,
 * so callers can write `return zcg_error(-EINVAL, "malformed %s line %u", path, n);`. It
 * replaces the message recorded before. */
int zcg_error(int r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Like zcg_error() with ": <strerror(-r)>" appended. */
int zcg_error_errno(int r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Records "<fmt's text>: <what zcg_strerror(r) said>" as r's message and returns r: a caller
 * adding what it was doing to the message of the failure it passes on. */
int zcg_error_wrap(int r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The message recorded with r, or NULL if the last message recorded on this thread was for
 * another error (or none was). r may be given as -errno or errno. */
const char *zcg_error_message(int r);

/* What to print for r: its message if it has one, else strerror(-r). Never NULL; valid
 * until the next zcg_error() of this thread. */
const char *zcg_strerror(int r);

#endif
