/* node/service/blob.h: the attachments' blob store (PROTOCOL.md §6).
 *
 * A blob is a file's content, addressed by its digest (BLAKE2b-256, 64 hex digits) and kept as a
 * file of the node directory, DIR/blobs/<first 2 hex>/<other 62 hex>, never as a row of the
 * store: files of 64 MiB do not belong in SQLite pages, and the web and the transfer read them
 * in pieces. A blob is written atomically (a temporary file in DIR/blobs/tmp, synced, renamed,
 * its folder synced) and verified when opened for reading (digest, and tree when the caller
 * knows it). Memory stays bounded whatever the size: files are read in 64 KiB pieces.
 *
 * No message: errors are codes (errno kept on MAILLE_EIO). */
#ifndef MAILLE_NODE_BLOB_H
#define MAILLE_NODE_BLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/blobtree.h"

#define BLOB_PATH_MAX 4096u
#define BLOB_MAX_SIZE_DEFAULT (UINT64_C(64) << 20) /* a file published as an attachment */
#define BLOB_SNIFF_LEN 4096u                       /* bytes blob_sniff looks at */

typedef struct blob_info {
	proto_blob_hash digest; /* BLAKE2b-256 of the whole content: attachments[].digest */
	proto_blob_hash tree;   /* root of the hash tree: attachments[].tree */
	uint64_t size;
} blob_info;

/* DIR/blobs/<2 hex>/<62 hex> into ret. MAILLE_ETOOBIG when cap is short. */
int blob_path(const char *dir, const proto_blob_hash digest, char *ret, size_t cap);

/* Stores the regular file at src: copied into a temporary file while hashed, synced, renamed
 * to its digest's path (a blob already there is kept: same digest, same bytes). Refused with
 * MAILLE_ETOOBIG past max_size bytes, MAILLE_EQUOTA when the store would grow past budget
 * bytes (blob_usage + size; a blob already stored costs nothing); nothing stays in either
 * case. ret_info (digest, tree, size) is written on success only. */
int blob_put_file(const char *dir, const char *src, uint64_t max_size, uint64_t budget,
                  blob_info *ret_info);

/* True when DIR holds the blob (not verified: blob_open and blob_verify verify). */
bool blob_has(const char *dir, const proto_blob_hash digest);

/* Checks the blob's content against digest and, when tree is not NULL, against the root of
 * its hash tree: 0, MAILLE_ENOTFOUND, MAILLE_ECORRUPT, MAILLE_EIO. ret_size when not NULL. */
int blob_verify(const char *dir, const proto_blob_hash digest, const proto_blob_hash tree,
                uint64_t *ret_size);

/* Opens the blob for reading after blob_verify: a file descriptor at offset 0 and its size.
 * Blobs are only ever renamed into place, never written there, so what was verified is what is
 * read. */
int blob_open(const char *dir, const proto_blob_hash digest, const proto_blob_hash tree,
              int *ret_fd, uint64_t *ret_size);

/* Removes the blob: 0, MAILLE_ENOTFOUND, MAILLE_EIO. */
int blob_remove(const char *dir, const proto_blob_hash digest);

/* Calls fn for every blob of DIR (names that are not 64 hex digits are skipped) with its digest,
 * path and size; stops at fn's first non-zero return, which it returns. 0 when DIR has no
 * blobs folder. */
typedef int (*blob_each_fn)(void *ctx, const proto_blob_hash digest, const char *path,
                            uint64_t size);
int blob_each(const char *dir, blob_each_fn fn, void *ctx);

/* The bytes and count of the blobs held. */
int blob_usage(const char *dir, uint64_t *ret_bytes, size_t *ret_count);

/* Removes every blob for which keep returns false, and every left-over temporary file of
 * DIR/blobs/tmp; the removed bytes and count are added to *ret_bytes and *ret_count. The
 * caller's keep decides what is referenced (the live entries' attachments). fn, when not NULL,
 * is told of each blob removed. */
typedef bool (*blob_keep_fn)(void *ctx, const proto_blob_hash digest);
int blob_gc(const char *dir, blob_keep_fn keep, void *keep_ctx, blob_each_fn removed,
            void *removed_ctx, uint64_t *ret_bytes, size_t *ret_count);

/* The media type of a file from its first bytes (up to BLOB_SNIFF_LEN), never from its name:
 * PDF, PNG, JPEG, GIF, ODF (its own mimetype member), OOXML (docx, xlsx, pptx by their
 * folders), other ZIP; UTF-8 text as text/csv when its first lines split alike on ';', ',' or
 * tabs, else text/plain; anything else application/octet-stream. A static string. */
const char *blob_sniff(const uint8_t *head, size_t n);

/* The digests every live entry's attachments[] names (PROTOCOL.md §6), sorted and without
 * repeats, in a malloc'd array the caller frees: what blob_gc keeps. Cost: every live body is
 * decoded once (one pass over the store, about the time of an export); an entry whose body does
 * not decode names nothing. blob_referenced_has looks one digest up (binary search). */
typedef struct blob_refs {
	proto_blob_hash *digests;
	size_t n, cap;
} blob_refs;
struct store;
int blob_referenced(struct store *st, blob_refs *ret);
bool blob_referenced_has(void *refs, const proto_blob_hash digest);
void blob_refs_free(blob_refs *r);

#endif
