/* SPDX-License-Identifier: GPL-2.0 */
/* Crash-safe changes to cgroup settings. Before zombiecg changes a file such as
 * memory.min, the old value goes into a journal under the run directory and is fsynced;
 * afterwards the old values are written back and the journal removed. The journal is
 * flock()ed by the process that owns it, so a later start can tell a crashed owner (lock
 * free: restore) from a running one (lock held: leave it). */
#ifndef ZCG_JOURNAL_H
#define ZCG_JOURNAL_H

#include <stddef.h>

struct zcg_journal;

/* Creates the journal <run_dir>/<name>.journal and locks it. run_dir NULL means
 * zcg_run_dir(). Returns 0, -EEXIST if another journal of that name is still there (recover
 * it first), other -errno with a detail message. */
int zcg_journal_begin(const char *run_dir, const char *name, struct zcg_journal **ret_journal);

/* Reads the current value of path, records it (synced), then writes value to path.
 * Returns 0, or -errno with a detail message (nothing was written to path then). */
int zcg_journal_set(struct zcg_journal *j, const char *path, const char *value);

/* Writes every recorded old value back, newest first, then removes the journal and frees j.
 * Returns 0, or the first -errno met (it still tries every entry; the journal is kept if
 * any restore failed, so a later recovery tries again). */
int zcg_journal_restore(struct zcg_journal *j);

/* Restores journals named <name>.journal in run_dir that no live process holds (a crashed
 * run). *ret_restored (may be NULL) gets the number of settings written back.
 * Returns 0 if there was nothing to do or all was restored, 1 if a live process holds the
 * journal (left alone), -errno on failure. */
int zcg_journal_recover(const char *run_dir, const char *name, size_t *ret_restored);

#endif
