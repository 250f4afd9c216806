/* node/service/blobsniff.c: an attachment's media type from its first bytes (blob.h). Apart
 * from blob.c, which reads the store, so that its fuzz target links alone. */
#include <stdbool.h>
#include <string.h>

#include "node/service/blob.h"

static bool starts(const uint8_t *h, size_t n, const char *magic, size_t len)
{
	return n >= len && memcmp(h, magic, len) == 0;
}

static bool contains(const uint8_t *h, size_t n, const char *s)
{
	size_t k = strlen(s);
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(h + i, s, k) == 0)
			return true;
	return false;
}

/* UTF-8 without control characters but tab and line breaks; a sequence cut by the end of the
 * head is forgiven. */
static bool is_text(const uint8_t *h, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint8_t c = h[i];
		size_t k = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
		         : (c & 0xf8) == 0xf0 ? 4 : 0;
		if (k == 0 || (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
			return false;
		for (size_t j = 1; j < k; j++)
			if (i + j < n && (h[i + j] & 0xc0) != 0x80)
				return false;
		i += k;
	}
	return true;
}

/* At least two whole lines with the same number (one or more) of one separator. */
static bool is_csv(const uint8_t *h, size_t n)
{
	static const char seps[] = { ';', ',', '\t' };
	for (size_t s = 0; s < sizeof seps; s++) {
		size_t lines = 0, first = 0, count = 0;
		bool same = true;
		for (size_t i = 0; i < n && same; i++) {
			if (h[i] == (uint8_t)seps[s])
				count++;
			else if (h[i] == '\n') {
				if (lines == 0)
					first = count;
				else if (count != first)
					same = false;
				lines++;
				count = 0;
			}
		}
		if (same && lines >= 2 && first > 0)
			return true;
	}
	return false;
}

const char *blob_sniff(const uint8_t *h, size_t n)
{
	if (n > BLOB_SNIFF_LEN)
		n = BLOB_SNIFF_LEN;
	if (starts(h, n, "%PDF-", 5))
		return "application/pdf";
	if (starts(h, n, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (starts(h, n, "\xff\xd8\xff", 3))
		return "image/jpeg";
	if (starts(h, n, "GIF87a", 6) || starts(h, n, "GIF89a", 6))
		return "image/gif";
	if (starts(h, n, "PK\x03\x04", 4)) {
		/* ODF: a first member "mimetype", stored, whose content is the type (offset 38) */
		static const char *const odf[] = {
			"application/vnd.oasis.opendocument.text",
			"application/vnd.oasis.opendocument.spreadsheet",
			"application/vnd.oasis.opendocument.presentation",
		};
		if (n > 38 && memcmp(h + 30, "mimetype", 8) == 0)
			for (size_t i = 0; i < sizeof odf / sizeof odf[0]; i++)
				if (starts(h + 38, n - 38, odf[i], strlen(odf[i])))
					return odf[i];
		if (contains(h, n, "[Content_Types].xml")) {
			if (contains(h, n, "word/"))
				return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
			if (contains(h, n, "xl/"))
				return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
			if (contains(h, n, "ppt/"))
				return "application/vnd.openxmlformats-officedocument.presentationml.presentation";
		}
		return "application/zip";
	}
	if (n > 0 && is_text(h, n))
		return is_csv(h, n) ? "text/csv" : "text/plain";
	return "application/octet-stream";
}
