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

#endif
