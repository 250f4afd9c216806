/* Fuzz target: fm_path_insert (node/service/fmpath.h), which rewrites a person's own file.
 *
 * The first byte of the input picks the path (a plain one or one that YAML needs quoted), the
 * rest is the file. Properties: never a crash, a leak or an over-read; a refusal uses a
 * documented code and leaves the out-parameters alone; an accepted file comes back with one
 * line more, "path: ...", right after its opening '---' line, every other byte unchanged and
 * in order, and the result reads back (fm_parse) with that path. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "node/service/fmpath.h"
#include "node/service/frontmatter.h"
#include "proto/error.h"
#include "proto/value.h"

static const char *const paths[] = {
	"rex/chatbot-rh-un-an-apres", "methodology/2025.grille_v2~b", "2025/rex", "territoire",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	const char *path = paths[data[0] % (sizeof paths / sizeof paths[0])];
	const uint8_t *buf = data + 1;
	size_t len = size - 1;

	uint8_t *out = (uint8_t *)paths; /* must stay untouched on failure */
	size_t out_len = 12345;
	int r = fm_path_insert(buf, len, path, &out, &out_len);
	if (r) {
		if (r != MAILLE_EPROTO && r != MAILLE_ETOOBIG && r != MAILLE_ENOMEM)
			abort();
		if (out != (uint8_t *)paths || out_len != 12345)
			abort();
		return 0;
	}
	/* the opening line (after a byte order mark), kept */
	size_t at = len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	const uint8_t *nl = memchr(buf + at, '\n', len - at);
	if (!nl)
		abort();
	at = (size_t)(nl - buf) + 1;
	if (out_len <= len || memcmp(out, buf, at) != 0)
		abort();
	size_t extra = out_len - len;
	if (memcmp(out + at + extra, buf + at, len - at) != 0)
		abort();
	/* the inserted bytes are one line holding the path */
	const uint8_t *line = out + at;
	if (extra < 8 || memcmp(line, "path: ", 6) != 0 || line[extra - 1] != '\n' ||
	    memchr(line, '\n', extra - 1) != NULL)
		abort();
	proto_arena a;
	proto_arena_init(&a, 0);
	proto_value *body = NULL;
	const char *got = NULL;
	fm_error err;
	if (fm_parse(out, out_len, &a, &body, &got, &err) != 0 || !got || strcmp(got, path) != 0)
		abort();
	proto_arena_done(&a);
	free(out);
	return 0;
}
