/* node/service/fmpath.c: the chosen path written into a record's file (fmpath.h). */
#include "fmpath.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "frontmatter.h"
#include "proto/entry.h"
#include "proto/error.h"
#include "proto/limits.h"
#include "proto/value.h"

/* The body of buf, canonically encoded, and its path: 0, or fm_parse's error. */
static int fmpath_read(const uint8_t *buf, size_t len, uint8_t **ret_enc, size_t *ret_enc_len,
                       char **ret_path)
{
	proto_arena a;
	proto_arena_init(&a, 0);
	proto_value *body = NULL;
	const char *path = NULL;
	fm_error err;
	int r = fm_parse(buf, len, &a, &body, &path, &err);
	if (!r)
		r = proto_value_encode(body, SIZE_MAX, ret_enc, ret_enc_len);
	if (!r) {
		*ret_path = path ? strdup(path) : NULL;
		if (path && !*ret_path) {
			free(*ret_enc);
			r = MAILLE_ENOMEM;
		}
	}
	proto_arena_done(&a);
	return r;
}

/* Whether path can be written as a plain YAML scalar that reads back as that string: a
 * lower-case letter first (never a number, a boolean or null) and a '/' in it (never one of
 * YAML's words). Other valid paths are written between double quotes, which their characters
 * never need to escape. */
static bool fmpath_plain(const char *path)
{
	return path[0] >= 'a' && path[0] <= 'z' && strchr(path, '/') != NULL;
}

int fm_path_insert(const uint8_t *buf, size_t len, const char *path, uint8_t **ret,
                   size_t *ret_len)
{
	size_t plen = strlen(path);
	if (!proto_path_valid(path, plen))
		return MAILLE_EINVAL;
	uint8_t *enc = NULL;
	size_t enc_len = 0;
	char *old_path = NULL;
	int r = fmpath_read(buf, len, &enc, &enc_len, &old_path);
	if (r)
		return r == MAILLE_ENOMEM ? r : MAILLE_EPROTO;
	if (old_path) {
		free(old_path);
		free(enc);
		return MAILLE_EPROTO;
	}

	/* fm_parse accepted buf: it opens with a '---' line (after a byte order mark) that a
	 * line feed ends, since the front matter is closed on a later line */
	size_t at = len >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf ? 3 : 0;
	const uint8_t *nl = memchr(buf + at, '\n', len - at);
	if (!nl) {
		free(enc);
		return MAILLE_EPROTO;
	}
	at = (size_t)(nl - buf) + 1;
	bool crlf = at >= 2 && buf[at - 2] == '\r';
	bool plain = fmpath_plain(path);
	size_t line_len = strlen("path: ") + plen + (plain ? 0 : 2) + (crlf ? 2 : 1);
	if (len + line_len > MAILLE_INPUT_FILE_MAX) {
		free(enc);
		return MAILLE_ETOOBIG;
	}
	uint8_t *out = malloc(len + line_len);
	if (!out) {
		free(enc);
		return MAILLE_ENOMEM;
	}
	memcpy(out, buf, at);
	size_t n = at;
	memcpy(out + n, "path: ", 6);
	n += 6;
	if (!plain)
		out[n++] = '"';
	memcpy(out + n, path, plen);
	n += plen;
	if (!plain)
		out[n++] = '"';
	if (crlf)
		out[n++] = '\r';
	out[n++] = '\n';
	memcpy(out + n, buf + at, len - at);
	n += len - at;

	/* the file must say the same record, now at path */
	uint8_t *enc2 = NULL;
	size_t enc2_len = 0;
	char *new_path = NULL;
	r = fmpath_read(out, n, &enc2, &enc2_len, &new_path);
	bool same = !r && new_path && strcmp(new_path, path) == 0 && enc2_len == enc_len &&
	            memcmp(enc, enc2, enc_len) == 0;
	free(enc);
	free(enc2);
	free(new_path);
	if (!same) {
		free(out);
		return r == MAILLE_ENOMEM ? r : MAILLE_EPROTO;
	}
	*ret = out;
	*ret_len = n;
	return 0;
}
