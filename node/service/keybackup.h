/* node/service/keybackup.h: the key backup file of `maille key export` / `maille init --restore`.
 *
 * The format is described at the top of keybackup.c. This module only converts: text
 * file <-> fields (keybackup_parse / keybackup_format), secret <-> plaintext (keybackup_plain_*),
 * and passphrase + secret <-> sealed file (keybackup_seal / keybackup_open). It performs no
 * I/O and prints nothing, so that a fuzz target can call the parser and the plaintext decoder
 * without the rest of the node (tests/fuzz/fuzz_keybackup.c).
 *
 * Depends on libsodium (Argon2id, XSalsa20-Poly1305, base64) and proto/value.h. */
#ifndef MAILLE_NODE_KEYBACKUP_H
#define MAILLE_NODE_KEYBACKUP_H

#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KEYBACKUP_MAGIC "maille-key-backup 1" /* the first line: format and version */
#define KEYBACKUP_KDF "argon2id13"
#define KEYBACKUP_FILE_MAX 4096u    /* bytes of a backup file: larger is refused unread */
#define KEYBACKUP_SEED_LEN 32u      /* the Ed25519 seed, as in DIR/node.key */
#define KEYBACKUP_NETKEY_LEN 32u    /* the federation's network key (PROTO_NETKEY_LEN) */
#define KEYBACKUP_NAME_MAX 255u     /* bytes of the territory's name (node_dir.name holds 255) */
#define KEYBACKUP_FED_NAME_MAX 128u /* bytes of the federation's name (FEDERATION_NAME_MAX) */
#define KEYBACKUP_PLAIN_MAX 1024u   /* bytes of the plaintext: ~440 at most, with room */
#define KEYBACKUP_SALT_LEN crypto_pwhash_SALTBYTES      /* 16: 32 hex digits */
#define KEYBACKUP_NONCE_LEN crypto_secretbox_NONCEBYTES /* 24: 48 hex digits */
#define KEYBACKUP_BOX_MAX (KEYBACKUP_PLAIN_MAX + crypto_secretbox_MACBYTES)

/* What the file says, in clear: nothing in it is secret without the passphrase. */
typedef struct keybackup_file {
	unsigned long long opslimit;
	size_t memlimit;
	uint8_t salt[KEYBACKUP_SALT_LEN];
	uint8_t nonce[KEYBACKUP_NONCE_LEN];
	uint8_t box[KEYBACKUP_BOX_MAX];
	size_t box_len;
} keybackup_file;

/* What the box holds. Plain arrays and no pointers, so that the caller decides where it
 * lives: sodium_malloc() in the CLI (it holds the node's identity), the stack in the fuzz
 * target. Wipe it with sodium_memzero() (or sodium_free()). */
typedef struct keybackup_secret {
	uint8_t seed[KEYBACKUP_SEED_LEN];
	char name[KEYBACKUP_NAME_MAX + 1];
	bool has_federation;
	char federation_name[KEYBACKUP_FED_NAME_MAX + 1];
	uint8_t netkey[KEYBACKUP_NETKEY_LEN];
} keybackup_secret;

/* The Argon2id limits accepted when reading: [MIN, SENSITIVE] of libsodium. Above, a hostile
 * file could make a restore allocate gigabytes or spin for minutes; below, libsodium refuses. */
bool keybackup_limits_ok(unsigned long long opslimit, size_t memlimit);

/* Parses a backup file's text[0..len) (need not be NUL-terminated) into *ret. Strict: the
 * five lines in their order, each ending with '\n', nothing else; decimal numbers without
 * leading zeros, lowercase hex, canonical padded base64. Errors, with a short reason in why:
 * MAILLE_ETOOBIG (over KEYBACKUP_FILE_MAX), MAILLE_EVERSION (another version of the format),
 * MAILLE_EPROTO (anything else, limits outside keybackup_limits_ok included). */
int keybackup_parse(const char *text, size_t len, keybackup_file *ret, char *why, size_t why_cap);
/* The text of f into ret (cap bytes, NUL-terminated; *ret_len without the NUL). Exactly what
 * keybackup_parse accepts: format(parse(x)) == x. MAILLE_EINVAL if f is out of range,
 * MAILLE_ETOOBIG if cap is too small. */
int keybackup_format(const keybackup_file *f, char *ret, size_t cap, size_t *ret_len);

/* The plaintext: a canonical msgpack map {seed: bin 32, name: str, federation?: {name: str,
 * key: bin 32}}, keys exactly these. Decoded with proto_value_decode (bounded); every copy
 * the decoder made is wiped before it returns. MAILLE_EPROTO (not such a map, why says what),
 * or the decoder's code (MAILLE_ENONCANON, MAILLE_EUTF8, MAILLE_ETOOBIG, MAILLE_ENOMEM;
 * MAILLE_ETOOBIG too for a plaintext over KEYBACKUP_PLAIN_MAX). *ret is zeroed on failure. */
int keybackup_plain_decode(const uint8_t *buf, size_t len, keybackup_secret *ret, char *why,
                           size_t why_cap);
/* The plaintext of s into ret (cap bytes; *ret_len). The encoder's temporary buffer is wiped.
 * MAILLE_EINVAL if a name is not valid, MAILLE_ETOOBIG if cap is too small, MAILLE_ENOMEM. */
int keybackup_plain_encode(const keybackup_secret *s, uint8_t *ret, size_t cap, size_t *ret_len);

/* A territory's name as the backup accepts it: 1 to KEYBACKUP_NAME_MAX bytes of UTF-8 without
 * control characters (it becomes a line of maille.conf). */
bool keybackup_name_valid(const char *s, size_t len);
/* A federation's name: 1 to KEYBACKUP_FED_NAME_MAX bytes of UTF-8 without control characters
 * or edge blanks, the rule of the federation file (federation_name_valid uses it), here so that
 * this module and its fuzz target need nothing else. */
bool keybackup_federation_name_valid(const char *s, size_t len);

/* Seals s with the passphrase: fresh salt and nonce, Argon2id with the given limits (which
 * must satisfy keybackup_limits_ok), XSalsa20-Poly1305. MAILLE_EINVAL (limits, names),
 * MAILLE_ENOMEM (Argon2id could not allocate memlimit bytes). */
int keybackup_seal(const keybackup_secret *s, const char *pass, size_t pass_len,
                   unsigned long long opslimit, size_t memlimit, keybackup_file *ret);
/* Opens f with the passphrase into *ret. MAILLE_EINVAL (limits: checked again before any
 * work), MAILLE_ENOMEM, MAILLE_EAUTH (wrong passphrase or damaged box), or
 * keybackup_plain_decode's errors (why says what). *ret is zeroed on failure. */
int keybackup_open(const keybackup_file *f, const char *pass, size_t pass_len,
                   keybackup_secret *ret, char *why, size_t why_cap);

#endif
