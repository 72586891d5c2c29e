/* SPDX-License-Identifier: GPL-2.0 */
/* Replacing a file so readers see the old content or the new, never a mix. */
#ifndef ZCG_FILEIO_H
#define ZCG_FILEIO_H

#include <stddef.h>
#include <stdio.h>

/* Writes data to tmp_path (in the same directory as path), fsyncs it, renames it over path
 * and fsyncs the directory. tmp_path must not match what readers collect (node_exporter
 * reads *.prom only). Returns 0 or -errno with a detail message naming the file. */
int zcg_write_file_atomic(const char *path, const char *tmp_path, const char *data, size_t len);

/* Closes f, an open_memstream() stream over text, and writes what it holds to path as
 * zcg_write_file_atomic() does, through "<path>.tmp"; frees text either way.
 * Returns 0 or -errno. */
int zcg_write_memstream_atomic(FILE *f, char *const *text, const size_t *len, const char *path);

#endif
