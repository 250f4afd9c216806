/* Fuzz target: fm_write (node/service/fmwrite.h), fed by records from peers (`maille export
 * --format markdown` of any stored record).
 *
 * The input is a canonical value (proto_value_decode; other inputs are skipped). Properties:
 * never a crash, a leak or an over-read; a refusal is MAILLE_EINVAL (a value the front matter
 * cannot hold) and leaves the out-parameters alone; an accepted record comes back through
 * fm_parse (what `maille publish` reads) with the path given and, both normalised
 * (proto_schema_normalize), the same canonical bytes. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "node/service/fmwrite.h"
#include "node/service/frontmatter.h"
#include "proto/error.h"
#include "proto/schema.h"
#include "proto/value.h"

static uint8_t *normalised(proto_value *v, proto_arena *a, size_t *ret_len)
{
	uint8_t *enc = NULL;
	proto_schema_normalize(v, a);
	if (proto_value_encode(v, SIZE_MAX, &enc, ret_len) != 0)
		abort();
	return enc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	proto_arena a;
	proto_arena_init(&a, 0);
	proto_value *body = NULL;
	if (proto_value_decode(data, size, &a, &body) != 0) {
		proto_arena_done(&a);
		return 0;
	}
	static const char path[] = "rex/essai";
	char *text = (char *)path; /* must stay untouched on failure */
	size_t len = 7;
	int r = fm_write(body, path, &text, &len);
	if (r) {
		if (r != MAILLE_EINVAL || text != path || len != 7)
			abort();
		proto_arena_done(&a);
		return 0;
	}
	if (body->type != PROTO_V_MAP || strlen(text) != len)
		abort();
	proto_value *back = NULL;
	const char *got = NULL;
	fm_error err;
	if (fm_parse((const uint8_t *)text, len, &a, &back, &got, &err) != 0 || !got ||
	    strcmp(got, path) != 0)
		abort();
	size_t l1, l2;
	uint8_t *e1 = normalised(body, &a, &l1), *e2 = normalised(back, &a, &l2);
	if (l1 != l2 || memcmp(e1, e2, l1) != 0)
		abort();
	free(e1);
	free(e2);
	free(text);
	proto_arena_done(&a);
	return 0;
}
