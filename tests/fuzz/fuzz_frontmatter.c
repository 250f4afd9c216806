/* Fuzz target: fm_parse (node/service/frontmatter.h).
 *
 * Properties: the parser never crashes, leaks or over-reads, whatever the bytes; a refusal
 * uses a documented code and gives a message in French and in English and a field that are
 * valid UTF-8, with a line number inside the file; an accepted file gives a body that encodes, decodes back (so the
 * front matter respects every limit of the protocol's decoder) and re-encodes to the same
 * bytes, and a `path` that is text without NUL. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proto/error.h"
#include "proto/value.h"
#include "node/service/frontmatter.h"

static void check_error(const uint8_t *data, size_t size, int r, const fm_error *err)
{
	if (r != MAILLE_EPROTO && r != MAILLE_EUTF8 && r != MAILLE_ETOOBIG && r != MAILLE_ENOMEM)
		abort();
	size_t flen_fr = strnlen(err->message_fr, sizeof err->message_fr);
	if (flen_fr == 0 || flen_fr == sizeof err->message_fr ||
	    !proto_utf8_valid((const uint8_t *)err->message_fr, flen_fr))
		abort(); /* the French text too */
	size_t mlen = strnlen(err->message, sizeof err->message);
	size_t flen = strnlen(err->field, sizeof err->field);
	if (mlen == 0 || mlen == sizeof err->message || flen == sizeof err->field)
		abort(); /* empty or not NUL-terminated */
	if (!proto_utf8_valid((const uint8_t *)err->message, mlen) ||
	    !proto_utf8_valid((const uint8_t *)err->field, flen))
		abort();
	size_t lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (err->line > lines)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	proto_arena a;
	proto_arena_init(&a, 0);
	proto_value *body = NULL;
	const char *path = NULL;
	fm_error err;
	int r = fm_parse(data, size, &a, &body, &path, &err);
	if (r != 0) {
		check_error(data, size, r, &err);
		proto_arena_done(&a);
		return 0;
	}
	if (!body || body->type != PROTO_V_MAP)
		abort();
	if (path && !proto_utf8_valid((const uint8_t *)path, strlen(path)))
		abort();

	uint8_t *enc = NULL, *enc2 = NULL;
	size_t len = 0, len2 = 0;
	if (proto_value_encode(body, SIZE_MAX, &enc, &len) != 0)
		abort();
	proto_value *back = NULL;
	if (proto_value_decode(enc, len, &a, &back) != 0)
		abort();
	if (proto_value_encode(back, len, &enc2, &len2) != 0)
		abort();
	if (len2 != len || memcmp(enc, enc2, len) != 0)
		abort();
	free(enc);
	free(enc2);
	proto_arena_done(&a);
	return 0;
}
