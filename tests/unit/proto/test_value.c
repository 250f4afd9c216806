/* Canonical msgpack values: golden encodings and every canonical-form rejection. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "proto/error.h"
#include "proto/limits.h"
#include "proto/value.h"

/* decode(hex) must give want; on success the re-encoding must be the same bytes */
static int roundtrip(const char *hex)
{
	uint8_t buf[512];
	size_t n = check_unhex(hex, buf);
	proto_arena a;
	proto_arena_init(&a, 0);
	proto_value *v = NULL;
	int r = proto_value_decode(buf, n, &a, &v);
	int rc = proto_value_check(buf, n);
	CHECK_EQ_INT(r, rc);
	if (r == 0) {
		uint8_t *out;
		size_t len;
		CHECK_EQ_INT(proto_value_encode(v, 1 << 20, &out, &len), 0);
		CHECK_EQ_INT(len, n);
		CHECK(memcmp(out, buf, n) == 0);
		free(out);
	}
	proto_arena_done(&a);
	return r;
}

static void test_canonical_accepted(void)
{
	const char *ok[] = {
		"c0", "c2", "c3", "00", "7f", "cc80", "ccff", "cd0100", "cdffff", "ce00010000",
		"cf0000000100000000", "cf7fffffffffffffff", "ff", "e0", "d0df", "d080", "d1ff7f",
		"d18000", "d2ffff7fff", "d280000000", "d3ffffffff7fffffff", "d38000000000000000",
		"cb3ff0000000000000", "cb8000000000000000", "a0", "a3616263", "c400", "c40101",
		"90", "9101", "80", "81a16101", "82a16101a16202",
		/* keys sort by encoded bytes: the shorter fixstr header sorts first */
		"82a17a01a2616102",
		"a2c3a9", /* "é" */
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		int r = roundtrip(ok[i]);
		if (r)
			fprintf(stderr, "  refused %s: %s\n", ok[i], maille_errname(r));
		CHECK_EQ_INT(r, 0);
	}
}

static void test_noncanonical_refused(void)
{
	struct {
		const char *hex;
		int err;
	} bad[] = {
		{"cc7f", MAILLE_ENONCANON},               /* uint8 for a fixint */
		{"cd00ff", MAILLE_ENONCANON},             /* uint16 for a uint8 */
		{"ce0000ffff", MAILLE_ENONCANON},         /* uint32 for a uint16 */
		{"cf00000000ffffffff", MAILLE_ENONCANON}, /* uint64 for a uint32 */
		{"d001", MAILLE_ENONCANON},               /* signed form for a non-negative */
		{"d0ff", MAILLE_ENONCANON},               /* int8 for a negative fixint */
		{"d1ff80", MAILLE_ENONCANON},             /* int16 for an int8 */
		{"d2ffff8000", MAILLE_ENONCANON},         /* int32 for an int16 */
		{"d3ffffffff80000000", MAILLE_ENONCANON}, /* int64 for an int32 */
		{"d30000000000000001", MAILLE_ENONCANON},
		{"ca3f800000", MAILLE_ENONCANON},         /* float32 */
		{"cb7ff8000000000000", MAILLE_ENONCANON}, /* NaN */
		{"d90161", MAILLE_ENONCANON},             /* str8 for a fixstr */
		{"da000161", MAILLE_ENONCANON},
		{"c50001ff", MAILLE_ENONCANON}, /* bin16 for a bin8 */
		{"dc000101", MAILLE_ENONCANON}, /* array16 for a fixarray */
		{"de0001a16101", MAILLE_ENONCANON},
		{"82a16201a16102", MAILLE_ENONCANON}, /* unsorted keys */
		{"82a16101a16102", MAILLE_ENONCANON}, /* duplicate keys */
		{"82a2616101a17a02", MAILLE_ENONCANON}, /* sorted as text, not as encoded bytes */
		{"8101a16101", MAILLE_EPROTO},         /* integer key */
		{"a1", MAILLE_EPROTO},                 /* truncated */
		{"", MAILLE_EPROTO},
		{"9201", MAILLE_EPROTO},
		{"c0c0", MAILLE_EPROTO}, /* trailing byte */
		{"c1", MAILLE_EPROTO},   /* never used */
		{"d40100", MAILLE_EPROTO}, /* ext */
		{"c70100", MAILLE_EPROTO},
		{"a2c328", MAILLE_EUTF8},   /* bad continuation */
		{"a2c0af", MAILLE_EUTF8},   /* overlong */
		{"a3eda080", MAILLE_EUTF8}, /* surrogate */
		{"a100", MAILLE_EUTF8},     /* NUL */
		{"cfffffffffffffffff", MAILLE_ETOOBIG}, /* > INT64_MAX */
		{"dd7fffffff", MAILLE_EPROTO}, /* announces 2^31 items, has none */
		{"df7fffffff", MAILLE_EPROTO},
		{"dbffffffff", MAILLE_EPROTO},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int r = roundtrip(bad[i].hex);
		if (r != bad[i].err)
			fprintf(stderr, "  %s: got %s, want %s\n", bad[i].hex, maille_errname(r),
			        maille_errname(bad[i].err));
		CHECK_EQ_INT(r, bad[i].err);
	}
}

static void test_limits(void)
{
	/* nesting deeper than PROTO_VALUE_DEPTH_MAX */
	uint8_t deep[64];
	memset(deep, 0x91, sizeof deep);
	deep[sizeof deep - 1] = 0xc0;
	CHECK_EQ_INT(proto_value_check(deep, sizeof deep), MAILLE_ETOOBIG);
	/* exactly at the limit is fine */
	CHECK_EQ_INT(proto_value_check(deep + sizeof deep - 1 - PROTO_VALUE_DEPTH_MAX,
	                               PROTO_VALUE_DEPTH_MAX + 1),
	             0);
	/* a key over PROTO_MAP_KEY_MAX */
	uint8_t key[3 + 70 + 1] = {0x81, 0xd9, 70};
	memset(key + 3, 'k', 70);
	key[3 + 70] = 0xc0;
	CHECK_EQ_INT(proto_value_check(key, sizeof key), MAILLE_ETOOBIG);
	/* more nodes than PROTO_VALUE_NODES_MAX: an array of 70000 nils */
	size_t n = 70000;
	uint8_t *many = malloc(5 + n);
	many[0] = 0xdd;
	many[1] = 0;
	many[2] = (uint8_t)(n >> 16);
	many[3] = (uint8_t)(n >> 8);
	many[4] = (uint8_t)n;
	memset(many + 5, 0xc0, n);
	CHECK_EQ_INT(proto_value_check(many, 5 + n), MAILLE_ETOOBIG);
	free(many);
	/* an arena budget caps what decoding may allocate */
	proto_arena a;
	proto_arena_init(&a, 64);
	uint8_t arr[] = {0x9f, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0,
	                 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0};
	proto_value *v = NULL;
	CHECK_EQ_INT(proto_value_decode(arr, sizeof arr, &a, &v), MAILLE_ENOMEM);
	CHECK(v == NULL);
	proto_arena_done(&a);
}

static void test_build_and_encode(void)
{
	proto_arena a;
	proto_arena_init(&a, 0);
	proto_value *m = proto_value_new(&a, PROTO_V_MAP);
	*proto_value_map_put(&a, m, "zz", 2) = *proto_value_new_str(&a, "fin", 3);
	proto_value *n = proto_value_map_put(&a, m, "n", 1);
	n->type = PROTO_V_INT;
	n->u.i = -200;
	proto_value *f = proto_value_map_put(&a, m, "f", 1);
	f->type = PROTO_V_FLOAT;
	f->u.f = 1.5;
	proto_value *arr = proto_value_map_put(&a, m, "a", 1);
	arr->type = PROTO_V_ARRAY;
	for (int i = 0; i < 20; i++) {
		proto_value *it = proto_value_array_push(&a, arr);
		it->type = PROTO_V_INT;
		it->u.i = i * 1000;
	}
	uint8_t *out;
	size_t len;
	CHECK_EQ_INT(proto_value_encode(m, 1 << 20, &out, &len), 0);
	/* sorted keys: a, f, n, zz */
	CHECK(out[0] == 0x84 && out[1] == 0xa1 && out[2] == 'a' && out[3] == 0xdc);
	proto_arena b;
	proto_arena_init(&b, 0);
	proto_value *back;
	CHECK_EQ_INT(proto_value_decode(out, len, &b, &back), 0);
	CHECK_EQ_INT(proto_map_get(back, "n")->u.i, -200);
	CHECK(proto_map_get(back, "f")->u.f == 1.5);
	CHECK_EQ_INT(proto_map_get(back, "a")->u.arr.n, 20);
	CHECK_EQ_STR(proto_map_get(back, "zz")->u.str.ptr, "fin");
	CHECK(proto_map_get(back, "absent") == NULL);
	/* the size limit is enforced */
	uint8_t *small;
	size_t slen;
	CHECK_EQ_INT(proto_value_encode(m, 10, &small, &slen), MAILLE_ETOOBIG);
	free(out);
	/* a duplicate key cannot be produced through map_put, but a hand-made map is refused */
	proto_value dup = {.type = PROTO_V_MAP};
	proto_kv kvs[2] = {{.key = "k", .key_len = 1, .val = {.type = PROTO_V_NIL}},
	                   {.key = "k", .key_len = 1, .val = {.type = PROTO_V_NIL}}};
	dup.u.map.items = kvs;
	dup.u.map.n = 2;
	CHECK_EQ_INT(proto_value_encode(&dup, 1 << 20, &small, &slen), MAILLE_EINVAL);
	/* invalid UTF-8 and NaN are refused by the encoder too */
	proto_value s = {.type = PROTO_V_STR};
	s.u.str.ptr = "\xc3";
	s.u.str.len = 1;
	CHECK_EQ_INT(proto_value_encode(&s, 100, &small, &slen), MAILLE_EUTF8);
	proto_value nan = {.type = PROTO_V_FLOAT};
	nan.u.f = NAN;
	CHECK_EQ_INT(proto_value_encode(&nan, 100, &small, &slen), MAILLE_EINVAL);
	proto_arena_done(&b);
	proto_arena_done(&a);
}

static void test_langmap_and_utf8(void)
{
	proto_arena a;
	proto_arena_init(&a, 0);
	proto_value *m = proto_value_new(&a, PROTO_V_MAP);
	*proto_value_map_put(&a, m, "en", 2) = *proto_value_new_str(&a, "Nursery", 7);
	CHECK_EQ_STR(proto_langmap_pick(m, "fr"), "Nursery");
	*proto_value_map_put(&a, m, "fr", 2) = *proto_value_new_str(&a, "Crèche", 7);
	CHECK_EQ_STR(proto_langmap_pick(m, "de"), "Crèche");
	CHECK_EQ_STR(proto_langmap_pick(m, "en"), "Nursery");
	proto_value_map_del(m, "fr");
	CHECK_EQ_INT(m->u.map.n, 1);
	CHECK_EQ_INT(proto_utf8_len("Crèche", 7), 6);
	CHECK(proto_utf8_valid((const uint8_t *)"\xf0\x9f\x98\x80", 4));
	CHECK(!proto_utf8_valid((const uint8_t *)"\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	CHECK(!proto_utf8_valid((const uint8_t *)"\xe0\x80\x80", 3));     /* overlong */
	proto_arena_done(&a);
}

/* proto_text_check: every code point below U+00A0 and DEL, one line and several. */
static void test_text_check(void)
{
	for (uint32_t cp = 0; cp < 0xa0; cp++) {
		char s[8] = "a";
		size_t n = 1;
		if (cp < 0x80) {
			s[n++] = (char)cp;
		} else {
			s[n++] = (char)0xc2;
			s[n++] = (char)cp;
		}
		s[n++] = 'b';
		bool control = cp < 0x20 || cp >= 0x7f;
		bool in_lines = cp == '\n' || cp == '\t';
		for (int ml = 0; ml <= 1; ml++) {
			uint32_t got = 0xffffffffu;
			int r = proto_text_check(s, n, ml, &got);
			if (control && !(ml && in_lines)) {
				CHECK_EQ_INT(r, MAILLE_EINVAL);
				CHECK_EQ_INT(got, cp);
			} else {
				CHECK_EQ_INT(r, 0);
				CHECK_EQ_INT(got, 0xffffffffu); /* untouched */
			}
		}
	}
	/* the first one is reported; what is not a control passes */
	uint32_t cp = 0;
	CHECK_EQ_INT(proto_text_check("x\r\n\x1b", 4, true, &cp), MAILLE_EINVAL);
	CHECK_EQ_INT(cp, '\r');
	/* è, a no-break space (U+00A0, the first code point past C1), a bidi override, an emoji */
	CHECK_EQ_INT(proto_text_check("Cr\xc3\xa8" "che \xc2\xa0\xe2\x80\xae\xf0\x9f\x98\x80", 17,
	                              false, NULL),
	             0);
	CHECK_EQ_INT(proto_text_check("", 0, false, NULL), 0);
	CHECK_EQ_INT(proto_text_check("a\0b", 3, true, NULL), MAILLE_EINVAL);
	CHECK_EQ_INT(proto_text_check("Cr\xe8" "che", 6, false, &cp), MAILLE_EUTF8);
	CHECK_EQ_INT(proto_text_check("\xc2", 1, true, NULL), MAILLE_EUTF8);
}

CHECK_MAIN(test_canonical_accepted, test_noncanonical_refused, test_limits, test_build_and_encode,
           test_langmap_and_utf8, test_text_check)
