/* SPDX-License-Identifier: GPL-2.0 */
/* From what the kernel knows about a page cache page's file (superblock dev, inode number,
 * generation) to a path a person can read: file handles on a mount of that superblock,
 * block device names for the bdev pseudo-filesystem. */
#ifndef ZCG_FILEID_H
#define ZCG_FILEID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The kernel keeps dev_t as MAJOR << 20 | MINOR (MINORBITS 20); userspace's st_dev and
 * /proc/PID/maps use glibc's encoding of the same major and minor. */
static inline unsigned zcg_kdev_major(uint32_t kdev) { return kdev >> 20; }
static inline unsigned zcg_kdev_minor(uint32_t kdev) { return kdev & ((1u << 20) - 1); }
dev_t zcg_dev_from_kernel(uint32_t kdev);

/* Superblock magics that change how a pin is named or freed. */
#define ZCG_TMPFS_MAGIC 0x01021994u
#define ZCG_BDEVFS_MAGIC 0x62646576u

struct zcg_mount {
	unsigned major, minor;
	char *root;		/* the filesystem path mounted there ("/" for a whole fs) */
	char *mount_point;
	char *fstype;
};

struct zcg_mounts {
	struct zcg_mount *mounts;
	size_t n;
	int *fds;		/* an open mount point per entry, -1 unknown, -2 unusable */
};

/* Parses a mountinfo file (path given so tests can use fixtures). Returns 0 and fills
 * *ret, or -errno with detail. */
int zcg_mounts_read(const char *mountinfo, struct zcg_mounts *ret);
void zcg_mounts_free(struct zcg_mounts *m);

/* The first mount of superblock major:minor, preferring one of its root; NULL if none. */
const struct zcg_mount *zcg_mounts_find(const struct zcg_mounts *m, unsigned major, unsigned minor);

/* Fills a file handle for inode ino with generation gen of a filesystem of type fstype:
 * tmpfs {gen, ino_lo, ino_hi}, xfs with 64-bit inodes FILEID_INO64_GEN, else
 * FILEID_INO32_GEN {ino, gen} (ext2/3/4, xfs, and others using the generic helpers).
 * Returns the handle type, or -EOPNOTSUPP if the filesystem's handles need more than
 * (dev, ino, gen) (btrfs: the subvolume) or ino does not fit. *ret_len gets the bytes. */
int zcg_file_handle_encode(const char *fstype, uint64_t ino, uint32_t gen, uint32_t raw[4], size_t *ret_len);

/* Opens the file (kernel dev, ino, gen) through a mount of its superblock with open flags
 * (O_RDONLY to act on its page cache, O_PATH to name it). Needs CAP_DAC_READ_SEARCH.
 * Returns 0 and sets *ret_fd; -ENOENT if no usable mount or no such inode (or another inode
 * answered), -EOPNOTSUPP if the filesystem cannot be asked, other -errno. */
int zcg_file_open_by_handle(struct zcg_mounts *m, uint32_t kdev, uint64_t ino, uint32_t gen, int flags,
			    int *ret_fd);

/* Opens the file (dev, ino, gen) through a mount of its superblock and names it as
 * /proc/self/fd shows it (with " (deleted)" if unlinked). Needs CAP_DAC_READ_SEARCH.
 * Returns 0 and sets *ret_path (newly allocated) and *ret_deleted; -ENOENT if no usable
 * mount or no such inode, -EOPNOTSUPP if the filesystem cannot be asked, other -errno. */
int zcg_file_path_by_handle(struct zcg_mounts *m, uint32_t kdev, uint64_t ino, uint32_t gen,
			    char **ret_path, bool *ret_deleted);

/* Looks for inodes by walking the directory tree of a mount of superblock major:minor,
 * matching readdir's d_ino: for tmpfs, whose inodes open_by_handle_at() finds only after
 * someone asked for their handle, and filesystems whose handles need more than
 * (ino, gen). Stays on that filesystem and stops after max_entries entries. inos[] must
 * be sorted; ret_paths[i] (NULL on entry) gets the path of inos[i] where found.
 * Returns the number found, or -errno. */
int zcg_file_paths_by_walk(struct zcg_mounts *m, unsigned major, unsigned minor, const uint64_t *inos,
			   size_t n, char **ret_paths, size_t max_entries);

/* The filesystem type of superblock major:minor from mountinfo, NULL if not mounted. */
const char *zcg_mounts_fstype(const struct zcg_mounts *m, unsigned major, unsigned minor);

/* The /dev name of block device major:minor from <sys_dir>/dev/block/MAJ:MIN/uevent
 * (sys_dir is "/sys" or a sysroot's). Returns 0 and sets *ret_path, or -errno. */
int zcg_block_device_path(const char *sys_dir, unsigned major, unsigned minor, char **ret_path);

#endif
