/* Fuzz target: the cooperation records' rules (proto/coop.h, PROTOCOL.md §5) on a body
 * received from anyone: proto_value_decode, then proto_coop_about, proto_coop_path,
 * proto_coop_path_ok, proto_coop_check, proto_coop_links and proto_schema_validate.
 *
 * Input: one byte n, n bytes of the entry's path (any bytes: a relayed entry's path is valid,
 * an author's typing is not), then the body's msgpack.
 *
 * Properties: whatever the bytes, nothing crashes, leaks or over-reads; an act's path, when
 * its body gives one, is a valid path (§1.3) of the shape of §5.1 and the act is well named
 * there (path_ok) by the territory that may write it, and by no other path differing in its
 * digest; about succeeds when path does; links are at most PROTO_COOP_LINKS_MAX, each a path
 * or "<64 hex>/<path>"; a check's report counts its errors, each with a French and an English
 * text that are valid UTF-8 without a control character (printed on terminals and pages);
 * check is deterministic and the same without a report. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proto/coop.h"
#include "proto/error.h"
#include "proto/record.h"
#include "proto/schema.h"
#include "proto/value.h"

static bool is_lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static int link_cb(const char *ref, size_t len, void *ctx)
{
	unsigned *n = ctx;
	(*n)++;
	if (len == 0 || len > PROTO_COOP_REF_MAX || strlen(ref) < len)
		abort();
	if (proto_path_valid(ref, len))
		return 0;
	/* otherwise a target named in full */
	if (len < 2 * PROTO_KEY_LEN + 2 || ref[2 * PROTO_KEY_LEN] != '/' ||
	    !is_lower_hex(ref, 2 * PROTO_KEY_LEN) ||
	    !proto_path_valid(ref + 2 * PROTO_KEY_LEN + 1, len - 2 * PROTO_KEY_LEN - 1))
		abort();
	return 0;
}

static void check_report(const proto_schema_report *rep, int r)
{
	if ((r == MAILLE_ESCHEMA) != (rep->n_errors > 0) || rep->n_errors > PROTO_SCHEMA_ERR_MAX ||
	    rep->n_errors > rep->n_errors_total)
		abort();
	for (size_t i = 0; i < rep->n_errors; i++) {
		fuzz_check_text(rep->errors[i].field, sizeof rep->errors[i].field, false);
		fuzz_check_text(rep->errors[i].fr, sizeof rep->errors[i].fr, true);
		fuzz_check_text(rep->errors[i].en, sizeof rep->errors[i].en, true);
	}
}

/* The act is well named at path by the territory that may write it; a digest changed by one
 * digit is not its name. */
static void check_path(const proto_value *body, const char *path)
{
	size_t len = strlen(path);
	proto_coop_target about, label;
	uint8_t territory[PROTO_KEY_LEN] = { 0 };
	char other[PROTO_PATH_MAX + 1];
	size_t segments = 1;

	if (len == 0 || len > PROTO_PATH_MAX || !proto_path_valid(path, len))
		abort();
	for (size_t i = 0; i < len; i++)
		segments += path[i] == '/';
	if (segments > 3)
		abort();
	if (proto_coop_about(body, &about) != 0)
		abort();
	if (proto_coop_target_read(body, PROTO_F_LABEL, &label) == 0)
		memcpy(territory, label.territory, PROTO_KEY_LEN);
	if (strncmp(path, "award/", 6) == 0 && segments != 3)
		abort();
	if (!proto_coop_path_ok(territory, path, len, body))
		abort();
	memcpy(other, path, len + 1);
	{
		char *d = strchr(other, '/') + 1;
		*d = *d == '0' ? '1' : '0';
	}
	if (proto_coop_path_ok(territory, other, len, body))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static proto_schema_report rep, again;
	char given[256], path[PROTO_PATH_MAX + 1];
	static const uint8_t rnd[8] = { 0x3c, 0x9a, 0x01, 0xfe, 0x42, 0x00, 0x7d, 0xb5 };
	uint8_t territory[PROTO_KEY_LEN] = { 0 };
	proto_coop_target about;
	proto_arena a;
	proto_value *body = NULL;
	size_t n;
	unsigned links = 0;
	int r;

	if (size == 0)
		return 0;
	n = data[0];
	if (n > size - 1)
		n = size - 1;
	memcpy(given, data + 1, n);
	given[n] = '\0';
	data += 1 + n;
	size -= 1 + n;

	proto_arena_init(&a, 0);
	if (proto_value_decode(data, size, &a, &body) != 0) {
		proto_arena_done(&a);
		return 0;
	}
	r = proto_coop_path(body, rnd, path, sizeof path);
	if (r == 0)
		check_path(body, path);
	else if (r != MAILLE_EPROTO)
		abort();
	if (proto_coop_about(body, &about) == 0) {
		if (!proto_path_valid(about.path, strlen(about.path)))
			abort();
		memcpy(territory, about.territory, PROTO_KEY_LEN);
	}
	(void)proto_coop_path_ok(territory, given, strlen(given), body);

	r = proto_schema_validate(body, &rep);
	if (r != 0 && r != MAILLE_ESCHEMA)
		abort();
	memset(&rep, 0, sizeof rep);
	r = proto_coop_check(territory, given, body, &rep);
	if (r != 0 && r != MAILLE_ESCHEMA)
		abort();
	check_report(&rep, r);
	memset(&again, 0, sizeof again);
	if (proto_coop_check(territory, given, body, &again) != r ||
	    memcmp(&rep, &again, sizeof rep) != 0 ||
	    proto_coop_check(territory, given, body, NULL) != r)
		abort();

	if (proto_coop_links(body, link_cb, &links) != 0 || links > PROTO_COOP_LINKS_MAX)
		abort();
	proto_arena_done(&a);
	return 0;
}
