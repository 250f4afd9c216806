/* Fuzz target: the key backup file and its plaintext (node/service/keybackup.h).
 *
 * Every input goes to both parsers, the text one and the plaintext one (corpus/keybackup/
 * holds files, "*.txt", and plaintexts, "plain-*"): they are separate so that the plaintext
 * decoder is reached without a passphrase.
 *
 * Properties: neither parser crashes, leaks or over-reads; a refusal uses a documented code
 * with a non-empty reason that is valid UTF-8; an accepted file has limits in [MIN, SENSITIVE]
 * and formats back to the input bytes exactly; an accepted plaintext has valid names and
 * encodes back to the input bytes exactly; a refused plaintext leaves the secret zeroed.
 *
 * Argon2id runs only for a file whose limits are the minimum ones (8 KiB, one pass), with the
 * corpus's passphrase: the valid seed then opens end to end and a mutated box must fail
 * authentication, never crash. Larger limits are never tried here: the target stays fast and
 * a hostile input cannot make it allocate. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proto/error.h"
#include "proto/value.h"
#include "node/service/keybackup.h"

/* the passphrase of corpus/keybackup/valid-*.txt */
#define CORPUS_PASSPHRASE "correct horse battery staple"

static void check_why(const char *why, size_t cap)
{
	size_t n = strnlen(why, cap);
	if (n == 0 || n == cap || !proto_utf8_valid((const uint8_t *)why, n))
		abort();
}

static void check_secret(const keybackup_secret *s)
{
	if (!keybackup_name_valid(s->name, strlen(s->name)))
		abort();
	if (s->has_federation &&
	    !keybackup_federation_name_valid(s->federation_name, strlen(s->federation_name)))
		abort();
}

static void fuzz_file(const uint8_t *data, size_t size)
{
	static keybackup_file f; /* 1 KiB of box: static, not on libFuzzer's stack */
	char why[300];
	why[0] = '\0';
	int r = keybackup_parse((const char *)data, size, &f, why, sizeof why);
	if (r) {
		if (r != MAILLE_EPROTO && r != MAILLE_EVERSION && r != MAILLE_ETOOBIG)
			abort();
		check_why(why, sizeof why);
		return;
	}
	if (!keybackup_limits_ok(f.opslimit, f.memlimit) || f.box_len > KEYBACKUP_BOX_MAX)
		abort();
	static char text[KEYBACKUP_FILE_MAX + 1];
	size_t len = 0;
	if (keybackup_format(&f, text, sizeof text, &len) != 0)
		abort();
	if (len != size || memcmp(text, data, size) != 0)
		abort();

	if (f.opslimit != crypto_pwhash_argon2id_OPSLIMIT_MIN ||
	    f.memlimit != crypto_pwhash_argon2id_MEMLIMIT_MIN)
		return;
	keybackup_secret s;
	r = keybackup_open(&f, CORPUS_PASSPHRASE, strlen(CORPUS_PASSPHRASE), &s, why, sizeof why);
	if (r == 0)
		check_secret(&s);
	else if (r != MAILLE_EAUTH && r != MAILLE_EPROTO && r != MAILLE_ENONCANON &&
	         r != MAILLE_EUTF8 && r != MAILLE_ETOOBIG)
		abort();
	sodium_memzero(&s, sizeof s);
}

static void fuzz_plain(const uint8_t *data, size_t size)
{
	keybackup_secret s;
	char why[300];
	why[0] = '\0';
	memset(&s, 0xa5, sizeof s);
	int r = keybackup_plain_decode(data, size, &s, why, sizeof why);
	if (r) {
		if (r != MAILLE_EPROTO && r != MAILLE_ENONCANON && r != MAILLE_EUTF8 &&
		    r != MAILLE_ETOOBIG && r != MAILLE_ENOMEM)
			abort();
		check_why(why, sizeof why);
		if (!sodium_is_zero((const unsigned char *)&s, sizeof s))
			abort(); /* a refusal must not leave half a secret behind */
		return;
	}
	check_secret(&s);
	uint8_t out[KEYBACKUP_PLAIN_MAX];
	size_t len = 0;
	if (keybackup_plain_encode(&s, out, sizeof out, &len) != 0)
		abort();
	if (len != size || memcmp(out, data, size) != 0)
		abort();
	sodium_memzero(&s, sizeof s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		if (sodium_init() < 0) /* sodium_malloc and randombytes need it */
			abort();
		ready = 1;
	}
	fuzz_file(data, size);
	fuzz_plain(data, size);
	return 0;
}
