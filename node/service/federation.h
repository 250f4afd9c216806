/* node/service/federation.h: the federation file (federation.c). Prints nothing. */
#ifndef MAILLE_NODE_FEDERATION_H
#define MAILLE_NODE_FEDERATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/service/nodedir.h"

/*   DIR/federation    "name = NAME" and "key = <64 hex>" lines, mode 0600: the federation's
 *                     network key, the psk of the handshake (PROTOCOL.md §2). Whoever holds
 *                     it is a member; it is never printed or logged (show a fingerprint). */
#define FEDERATION_FILE "federation"
#define FEDERATION_NAME_MAX 128u  /* bytes of a federation's name */
#define FEDERATION_FILE_MAX 4096u /* bytes of a federation file */

typedef struct federation {
	char name[FEDERATION_NAME_MAX + 1];
	uint8_t *key; /* sodium_malloc'd PROTO_NETKEY_LEN bytes; NULL when not loaded */
} federation;

/* 1 to FEDERATION_NAME_MAX bytes of UTF-8 without C0 control characters, DEL or edge blanks
 * (what the file and an invitation hold; a new name also passes cli_name_check). */
bool federation_name_valid(const char *name);
/* DIR/federation into ret. MAILLE_EINVAL if it does not fit. */
int federation_path(const char *dir, char *ret, size_t cap);
/* A new federation with a fresh random key. MAILLE_EINVAL (name), MAILLE_ENOMEM. */
int federation_generate(const char *name, federation *ret);
/* Reads and validates a federation file into *ret (written only on success; the caller ends
 * it with federation_done). Warns through env (NULL: nowhere) if the file is readable by
 * others. Errors: MAILLE_ENOTFOUND (no such file), MAILLE_EPROTO (not a federation file),
 * MAILLE_EIO, MAILLE_ENOMEM; a short reason goes to why (why_cap bytes). */
int federation_read(const char *path, federation *ret, char *why, size_t why_cap,
                    const node_env *env);
/* Writes f to path, created with mode 0600; never overwrites (MAILLE_EEXIST). MAILLE_EIO;
 * MAILLE_EINVAL for a name that cannot be one line of the file (node_conf_append). */
int federation_write(const char *path, const federation *f);
/* Wipes and frees the key. Safe on a zeroed or already done struct. */
void federation_done(federation *f);

/* Loads this node's federation (DIR/federation). 0, or an error said through env: MAILLE_EINVAL
 * (path too long), MAILLE_ENOTFOUND (the node has no federation: what to do is said), or
 * federation_read's. */
int federation_load(const node_dir *nd, federation *ret, const node_env *env);

#endif
