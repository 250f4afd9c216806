/* node/service/file.h: whole small files read and written the way the node directory needs
 * them (file.c): the key, maille.conf, the federation file, DIR/store.corrupt, key backups, a
 * record's Markdown. No message: errors are codes, errno kept for the caller's. */
#ifndef MAILLE_NODE_FILE_H
#define MAILLE_NODE_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Reads fd to its end into buf, which holds max + 1 bytes (so that one byte too many tells a
 * file over max from one of exactly max). 0 with *ret_len; MAILLE_ETOOBIG past max bytes
 * (the rest is not read); MAILLE_EIO (errno kept). fd stays open. */
int node_file_read_fd(int fd, uint8_t *buf, size_t max, size_t *ret_len);
/* Creates path with mode and writes data[0..len) to it, synced; never replaces a file
 * (MAILLE_EEXIST) and never leaves half of one (MAILLE_EIO, errno kept). */
int node_file_create(const char *path, mode_t mode, const void *data, size_t len);
/* node_file_create for one of many files written at once (the drafts of an import, a folder
 * export): not synced one by one, which costs a disk flush a file; the caller syncs them all
 * with node_file_sync_fs once they are written. */
int node_file_create_many(const char *path, mode_t mode, const void *data, size_t len);
/* Every file of the file system holding dir on disk (syncfs). 0 or MAILLE_EIO (errno kept). */
int node_file_sync_fs(const char *dir);

/* Replaces the regular file at path (a symbolic link is followed: its target is replaced) with
 * data[0..len), atomically: a temporary file in the same directory, synced, given the old
 * file's mode, then renamed over it, so that a reader sees the old bytes or the new ones,
 * never a mix. Only when the file still holds expect[0..expect_len) (what the caller read):
 * MAILLE_ESTATE otherwise (someone changed it meanwhile), nothing written. MAILLE_EIO
 * (errno kept: EACCES, EROFS...) when it cannot be written, or is read-only by its mode (for
 * root too); the temporary file never stays. */
int node_file_replace(const char *path, const void *expect, size_t expect_len, const void *data,
                      size_t len);

#endif
