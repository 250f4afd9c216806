/* Tests of proto/sync.c (PROTOCOL.md §3.5): the session messages of synchronisation.
 *
 * Round trips of every message (known bytes for the small ones), the limits at their
 * boundaries, every non-canonical form we can name, truncation at every byte, trailing bytes,
 * wrong element counts, unknown RECON kinds; and for everything the decoder accepts, that the
 * generic canonical decoder (proto/value.h) accepts it too and that re-encoding the decoded
 * message gives the same bytes. */
#include <stdint.h>

#include "check.h"
#include "proto/channel.h"
#include "proto/error.h"
#include "proto/sync.h"
#include "proto/value.h"

#define BIG (PROTO_SESSION_MSG_MAX + 64u)

static uint8_t *ob, *ob2, *big;

static const uint8_t *raws_[PROTO_ENTRIES_MAX + 1];
static size_t lens_[PROTO_ENTRIES_MAX + 1];

static void setup(void)
{
	ob = malloc(BIG);
	ob2 = malloc(BIG);
	big = malloc(BIG);
	if (!ob || !ob2 || !big) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	for (size_t i = 0; i < BIG; i++)
		big[i] = (uint8_t)(i * 131u + 7u);
}

/* hex, then fill bytes 0xab: a message whose bin is too long to write out. */
static size_t msg_fill(uint8_t *out, const char *hex, size_t fill)
{
	size_t n = check_unhex(hex, out);
	memset(out + n, 0xab, fill);
	return n + fill;
}

/* The header of a bin of len bytes in the form hdr (0xc4, 0xc5, 0xc6), canonical or not. */
static size_t put_bin_hdr(uint8_t *p, uint8_t hdr, size_t len)
{
	size_t n = hdr == 0xc4 ? 1 : hdr == 0xc5 ? 2 : 4;
	p[0] = hdr;
	for (size_t i = 0; i < n; i++)
		p[1 + i] = (uint8_t)(len >> (8 * (n - 1 - i)));
	return 1 + n;
}

static int dec_hex(const char *hex, size_t fill)
{
	static uint8_t b[128 * 1024];
	if (strlen(hex) / 2 + fill > sizeof b) {
		fprintf(stderr, "dec_hex: %s +%zu does not fit\n", hex, fill);
		exit(1);
	}
	size_t n = msg_fill(b, hex, fill);
	proto_sync_msg m;
	return proto_sync_decode(b, n, &m);
}

/* Encodes a decoded message again with the encoders. */
static int reencode(const proto_sync_msg *m, uint8_t *out, size_t cap, size_t *ret_len)
{
	switch (m->type) {
	case PROTO_SESS_RECON:
		return proto_sync_encode_recon(m->recon_kind, m->data, m->data_len, out, cap,
		                               ret_len);
	case PROTO_SESS_WANT:
		return proto_sync_encode_want(m->ids, m->n_ids, out, cap, ret_len);
	case PROTO_SESS_ENTRIES: {
		const uint8_t *it = NULL, *raw;
		size_t n = 0, len;
		while (proto_sync_entries_next(m, &it, &raw, &len)) {
			if (n == PROTO_ENTRIES_MAX)
				return MAILLE_EPROTO;
			raws_[n] = raw;
			lens_[n++] = len;
		}
		if (n != m->n_entries)
			return MAILLE_EPROTO;
		return proto_sync_encode_entries(raws_, lens_, n, out, cap, ret_len);
	}
	case PROTO_SESS_REDEEM:
		return proto_sync_encode_redeem(m->secret, m->flags, out, cap, ret_len);
	case PROTO_SESS_REDEEMED:
		return proto_sync_encode_redeemed(m->result, out, cap, ret_len);
	default:
		return proto_sync_encode_mark(m->type, m->mark, out, cap, ret_len);
	}
}

/* Decodes msg; if it decodes, checks that it re-encodes to the same bytes and that the
 * generic decoders accept it with the same type. */
static bool decodes_canonically(const uint8_t *msg, size_t len, proto_sync_msg *m)
{
	if (proto_sync_decode(msg, len, m) != 0)
		return false;
	size_t len2 = 0;
	int r = reencode(m, ob2, BIG, &len2);
	CHECK_EQ_INT(r, 0);
	CHECK(r == 0 && len2 == len && memcmp(ob2, msg, len) == 0);
	CHECK_EQ_INT(proto_value_check(msg, len), 0);
	proto_sess_msg s;
	CHECK_EQ_INT(proto_sess_decode(msg, len, &s), 0);
	CHECK_EQ_INT(s.type, m->type);
	return true;
}

static void check_bytes(const uint8_t *p, size_t n, const char *hex)
{
	uint8_t w[256];
	size_t wn = check_unhex(hex, w);
	CHECK_EQ_INT(n, wn);
	CHECK(n == wn && memcmp(p, w, n) == 0);
}

/* ---- round trips --------------------------------------------------------------------------- */

static void test_known_bytes(void)
{
	size_t len;
	proto_sync_msg m;
	const uint8_t neg[] = {0x61};
	CHECK_EQ_INT(proto_sync_encode_recon(PROTO_RECON_OPEN, neg, 1, ob, BIG, &len), 0);
	check_bytes(ob, len, "930400c40161");
	CHECK_EQ_INT(proto_sync_encode_recon(PROTO_RECON_REPLY, neg, 1, ob, BIG, &len), 0);
	check_bytes(ob, len, "930402c40161");
	CHECK_EQ_INT(proto_sync_encode_recon(PROTO_RECON_CLOSE, NULL, 0, ob, BIG, &len), 0);
	check_bytes(ob, len, "930403c400");
	CHECK(decodes_canonically(ob, len, &m));
	CHECK_EQ_INT(m.type, PROTO_SESS_RECON);
	CHECK_EQ_INT(m.recon_kind, PROTO_RECON_CLOSE);
	CHECK_EQ_INT(m.data_len, 0);
	uint8_t id[RBSR_ID_LEN];
	memset(id, 0xab, sizeof id);
	CHECK_EQ_INT(proto_sync_encode_want(id, 1, ob, BIG, &len), 0);
	check_bytes(ob, len,
	            "9205c420abababababababababababababababababababababababababababababababab");
	const uint8_t e[] = {1, 2, 3};
	const uint8_t *raws[] = {e};
	size_t lens[] = {3};
	CHECK_EQ_INT(proto_sync_encode_entries(raws, lens, 1, ob, BIG, &len), 0);
	check_bytes(ob, len, "920691c403010203");
	static const struct {
		uint32_t type;
		uint64_t n;
		const char *hex;
	} marks[] = {
		{PROTO_SESS_MARK, 0, "920700"},
		{PROTO_SESS_MARK, 127, "92077f"},
		{PROTO_SESS_MARK_ACK, 128, "9208cc80"},
		{PROTO_SESS_MARK_ACK, 255, "9208ccff"},
		{PROTO_SESS_MARK_ACK, 300, "9208cd012c"},
		{PROTO_SESS_MARK, 65536, "9207ce00010000"},
		{PROTO_SESS_MARK, 1ull << 32, "9207cf0000000100000000"},
		{PROTO_SESS_MARK_ACK, INT64_MAX, "9208cf7fffffffffffffff"},
	};
	for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
		CHECK_EQ_INT(proto_sync_encode_mark(marks[i].type, marks[i].n, ob, BIG, &len), 0);
		check_bytes(ob, len, marks[i].hex);
		CHECK(decodes_canonically(ob, len, &m));
		CHECK_EQ_INT(m.type, marks[i].type);
		CHECK(m.mark == marks[i].n);
	}
}

static void test_roundtrip_recon(void)
{
	static const size_t sizes[] = {1, 2, 255, 256, 65535, 65536, RBSR_MSG_MAX};
	static const uint32_t kinds[] = {PROTO_RECON_OPEN, PROTO_RECON_NEXT, PROTO_RECON_REPLY};
	for (size_t k = 0; k < 3; k++) {
		for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
			size_t len;
			proto_sync_msg m;
			int r = proto_sync_encode_recon(kinds[k], big, sizes[i], ob, BIG, &len);
			CHECK_EQ_INT(r, 0);
			CHECK(decodes_canonically(ob, len, &m));
			CHECK_EQ_INT(m.type, PROTO_SESS_RECON);
			CHECK_EQ_INT(m.recon_kind, kinds[k]);
			CHECK_EQ_INT(m.data_len, sizes[i]);
			/* borrowed from the input, not copied */
			CHECK(m.data > ob && m.data + m.data_len == ob + len);
			CHECK(memcmp(m.data, big, sizes[i]) == 0);
		}
	}
}

static void test_roundtrip_want(void)
{
	static const size_t counts[] = {1, 2, 7, 8, 9, 1023, PROTO_WANT_IDS_MAX};
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		size_t len;
		proto_sync_msg m;
		CHECK_EQ_INT(proto_sync_encode_want(big, counts[i], ob, BIG, &len), 0);
		CHECK(decodes_canonically(ob, len, &m));
		CHECK_EQ_INT(m.type, PROTO_SESS_WANT);
		CHECK_EQ_INT(m.n_ids, counts[i]);
		CHECK(m.ids > ob && m.ids + counts[i] * RBSR_ID_LEN == ob + len);
		CHECK(memcmp(m.ids, big, counts[i] * RBSR_ID_LEN) == 0);
	}
}

/* Encodes n entries cut from `big` with lens, decodes, and walks them. */
static void entries_roundtrip(const size_t *lens, size_t n)
{
	static const uint8_t *raws[PROTO_ENTRIES_MAX];
	size_t off = 0;
	for (size_t i = 0; i < n; i++) {
		raws[i] = big + off;
		off += lens[i];
	}
	size_t len;
	proto_sync_msg m;
	CHECK_EQ_INT(proto_sync_encode_entries(raws, lens, n, ob, BIG, &len), 0);
	size_t bound = proto_sync_entries_size(lens, n);
	CHECK(len <= bound && bound - len <= PROTO_ENTRIES_OVERHEAD - 3);
	CHECK(decodes_canonically(ob, len, &m));
	CHECK_EQ_INT(m.type, PROTO_SESS_ENTRIES);
	CHECK_EQ_INT(m.n_entries, n);
	const uint8_t *it = NULL, *raw;
	size_t k = 0, rl;
	while (proto_sync_entries_next(&m, &it, &raw, &rl)) {
		CHECK(k < n && rl == lens[k] && memcmp(raw, raws[k], rl) == 0);
		CHECK(raw > ob && raw + rl <= ob + len);
		k++;
	}
	CHECK_EQ_INT(k, n);
	/* the iterator stays at its end */
	CHECK(!proto_sync_entries_next(&m, &it, &raw, &rl));
}

static void test_roundtrip_entries(void)
{
	/* every bin header form, up to the largest entry */
	static const size_t sizes[] = {1, 149, 255, 256, 4000, 65535, 65536, PROTO_ENTRY_MAX};
	entries_roundtrip(sizes, sizeof sizes / sizeof sizes[0]);
	/* every array header form, up to the most entries */
	static size_t lens[PROTO_ENTRIES_MAX];
	static const size_t counts[] = {1, 15, 16, 17, 255, 256, PROTO_ENTRIES_MAX};
	for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
		for (size_t i = 0; i < counts[c]; i++)
			lens[i] = 1 + (i * 37) % 200;
		entries_roundtrip(lens, counts[c]);
	}
	/* the iterator gives nothing for another type */
	proto_sync_msg m;
	size_t len;
	CHECK_EQ_INT(proto_sync_encode_mark(PROTO_SESS_MARK, 3, ob, BIG, &len), 0);
	CHECK_EQ_INT(proto_sync_decode(ob, len, &m), 0);
	const uint8_t *it = NULL, *raw;
	size_t rl;
	CHECK(!proto_sync_entries_next(&m, &it, &raw, &rl));
}

static void test_sizes(void)
{
	CHECK_EQ_INT(proto_sync_entry_size(1), 3);
	CHECK_EQ_INT(proto_sync_entry_size(255), 257);
	CHECK_EQ_INT(proto_sync_entry_size(256), 259);
	CHECK_EQ_INT(proto_sync_entry_size(65535), 65538);
	CHECK_EQ_INT(proto_sync_entry_size(65536), 65541);
	CHECK_EQ_INT(proto_sync_entry_size(PROTO_ENTRY_MAX), PROTO_ENTRY_MAX + 5);
	CHECK(proto_sync_entry_size(SIZE_MAX) == SIZE_MAX);
	CHECK_EQ_INT(proto_sync_entries_size(NULL, 0), PROTO_ENTRIES_OVERHEAD);
	size_t lens[] = {10, 300};
	CHECK_EQ_INT(proto_sync_entries_size(lens, 2), PROTO_ENTRIES_OVERHEAD + 12 + 303);
	size_t huge[] = {SIZE_MAX - 8, SIZE_MAX / 2, 7};
	CHECK(proto_sync_entries_size(huge, 3) == SIZE_MAX);
}

/* ---- limits ------------------------------------------------------------------------------- */

static void test_want_limits(void)
{
	size_t len;
	/* 0 ids */
	CHECK_EQ_INT(proto_sync_encode_want(big, 0, ob, BIG, &len), MAILLE_EINVAL);
	CHECK_EQ_INT(dec_hex("9205c400", 0), MAILLE_EPROTO);
	/* 1024 ids: the largest WANT, a bin16 of 32768 bytes */
	CHECK_EQ_INT(proto_sync_encode_want(big, PROTO_WANT_IDS_MAX, ob, BIG, &len), 0);
	CHECK_EQ_INT(len, 5 + PROTO_WANT_IDS_MAX * RBSR_ID_LEN);
	proto_sync_msg m;
	CHECK_EQ_INT(proto_sync_decode(ob, len, &m), 0);
	CHECK_EQ_INT(m.n_ids, PROTO_WANT_IDS_MAX);
	/* 1025 ids */
	CHECK_EQ_INT(proto_sync_encode_want(big, PROTO_WANT_IDS_MAX + 1, ob, BIG, &len),
	             MAILLE_EINVAL);
	len = check_unhex("9205", ob);
	len += put_bin_hdr(ob + len, 0xc5, (PROTO_WANT_IDS_MAX + 1) * RBSR_ID_LEN);
	memset(ob + len, 1, (PROTO_WANT_IDS_MAX + 1) * RBSR_ID_LEN);
	len += (PROTO_WANT_IDS_MAX + 1) * RBSR_ID_LEN;
	CHECK_EQ_INT(proto_sync_decode(ob, len, &m), MAILLE_ETOOBIG);
	/* not a whole number of ids */
	CHECK_EQ_INT(dec_hex("9205c41f", 31), MAILLE_EPROTO);
	CHECK_EQ_INT(dec_hex("9205c421", 33), MAILLE_EPROTO);
	CHECK_EQ_INT(dec_hex("9205c440", 64), 0);
	CHECK_EQ_INT(proto_sync_encode_want(NULL, 1, ob, BIG, &len), MAILLE_EINVAL);
	/* the same id twice: the ids of a WANT must be distinct (PROTOCOL.md §3.5), but that is
	 * the receiver's to enforce (it sends each entry once), not the decoder's */
	memset(ob2, 7, 2 * RBSR_ID_LEN);
	CHECK_EQ_INT(proto_sync_encode_want(ob2, 2, ob, BIG, &len), 0);
	CHECK_EQ_INT(proto_sync_decode(ob, len, &m), 0);
	CHECK_EQ_INT(m.n_ids, 2);
	CHECK(memcmp(m.ids, m.ids + RBSR_ID_LEN, RBSR_ID_LEN) == 0);
}

static void test_entries_limits(void)
{
	size_t len;
	proto_sync_msg m;
	const uint8_t *raws[PROTO_ENTRIES_MAX + 1];
	static size_t lens[PROTO_ENTRIES_MAX + 1];
	/* an entry of PROTO_ENTRY_MAX bytes, then one more byte */
	raws[0] = big;
	lens[0] = PROTO_ENTRY_MAX;
	CHECK_EQ_INT(proto_sync_encode_entries(raws, lens, 1, ob, BIG, &len), 0);
	CHECK_EQ_INT(proto_sync_decode(ob, len, &m), 0);
	lens[0] = PROTO_ENTRY_MAX + 1;
	CHECK_EQ_INT(proto_sync_encode_entries(raws, lens, 1, ob, BIG, &len), MAILLE_EINVAL);
	len = check_unhex("920691", ob);
	len += put_bin_hdr(ob + len, 0xc6, PROTO_ENTRY_MAX + 1);
	memcpy(ob + len, big, PROTO_ENTRY_MAX + 1);
	len += PROTO_ENTRY_MAX + 1;
	CHECK_EQ_INT(proto_sync_decode(ob, len, &m), MAILLE_ETOOBIG);
	/* an empty entry, an empty list */
	lens[0] = 0;
	CHECK_EQ_INT(proto_sync_encode_entries(raws, lens, 1, ob, BIG, &len), MAILLE_EINVAL);
	CHECK_EQ_INT(dec_hex("920691c400", 0), MAILLE_EPROTO);
	CHECK_EQ_INT(dec_hex("920692c40101c400", 0), MAILLE_EPROTO);
	CHECK_EQ_INT(proto_sync_encode_entries(raws, lens, 0, ob, BIG, &len), MAILLE_EINVAL);
	CHECK_EQ_INT(dec_hex("920690", 0), MAILLE_EPROTO);
	/* PROTO_ENTRIES_MAX entries, then one more */
	for (size_t i = 0; i <= PROTO_ENTRIES_MAX; i++) {
		raws[i] = big + i;
		lens[i] = 1;
	}
	CHECK_EQ_INT(proto_sync_encode_entries(raws, lens, PROTO_ENTRIES_MAX, ob, BIG, &len), 0);
	CHECK_EQ_INT(proto_sync_decode(ob, len, &m), 0);
	CHECK_EQ_INT(proto_sync_encode_entries(raws, lens, PROTO_ENTRIES_MAX + 1, ob, BIG, &len),
	             MAILLE_EINVAL);
	len = check_unhex("9206dc1001", ob);
	for (size_t i = 0; i <= PROTO_ENTRIES_MAX; i++)
		len += check_unhex("c40155", ob + len);
	CHECK_EQ_INT(proto_sync_decode(ob, len, &m), MAILLE_ETOOBIG);
	/* a null entry pointer */
	raws[1] = NULL;
	CHECK_EQ_INT(proto_sync_encode_entries(raws, lens, 2, ob, BIG, &len), MAILLE_EINVAL);
}

static void test_session_msg_max(void)
{
	/* three entries of PROTO_ENTRY_MAX and one that brings the message to exactly
	 * PROTO_SESSION_MSG_MAX bytes: 3 bytes of headers, 4 bin32 headers */
	size_t last = PROTO_SESSION_MSG_MAX - 3 - 3 * (PROTO_ENTRY_MAX + 5) - 5;
	const uint8_t *raws[4] = {big, big + 1, big + 2, big + 3};
	size_t lens[4] = {PROTO_ENTRY_MAX, PROTO_ENTRY_MAX, PROTO_ENTRY_MAX, last};
	size_t len;
	proto_sync_msg m;
	CHECK(proto_sync_entries_size(lens, 4) > PROTO_SESSION_MSG_MAX); /* an upper bound */
	CHECK_EQ_INT(proto_sync_encode_entries(raws, lens, 4, ob, BIG, &len), 0);
	CHECK_EQ_INT(len, PROTO_SESSION_MSG_MAX);
	CHECK(decodes_canonically(ob, len, &m));
	CHECK_EQ_INT(m.n_entries, 4);
	/* the encoder needs exactly the message's size */
	CHECK_EQ_INT(proto_sync_encode_entries(raws, lens, 4, ob, len - 1, &len), MAILLE_ETOOBIG);
	/* one byte more */
	lens[3] = last + 1;
	CHECK_EQ_INT(proto_sync_encode_entries(raws, lens, 4, ob, BIG, &len), MAILLE_EINVAL);
	len = check_unhex("920694", ob);
	for (size_t i = 0; i < 4; i++) {
		len += put_bin_hdr(ob + len, 0xc6, lens[i]);
		memcpy(ob + len, raws[i], lens[i]);
		len += lens[i];
	}
	CHECK_EQ_INT(len, PROTO_SESSION_MSG_MAX + 1);
	CHECK_EQ_INT(proto_sync_decode(ob, len, &m), MAILLE_ETOOBIG);
	/* RECON data over RBSR_MSG_MAX */
	len = check_unhex("930401", ob);
	len += put_bin_hdr(ob + len, 0xc6, RBSR_MSG_MAX + 1);
	memcpy(ob + len, big, RBSR_MSG_MAX + 1);
	len += RBSR_MSG_MAX + 1;
	CHECK_EQ_INT(proto_sync_decode(ob, len, &m), MAILLE_ETOOBIG);
}

/* ---- refusals ------------------------------------------------------------------------------ */

typedef struct bad {
	const char *hex;
	size_t fill; /* 0xab bytes after hex */
	int code;
} bad;

static void check_bad(const bad *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int r = dec_hex(b[i].hex, b[i].fill);
		if (r != b[i].code)
			fprintf(stderr, "  %s +%zu: got %d, want %d\n", b[i].hex, b[i].fill, r,
			        b[i].code);
		CHECK_EQ_INT(r, b[i].code);
	}
}

static void test_noncanonical(void)
{
	static const bad cases[] = {
		/* the canonical forms, for reference */
		{"920700", 0, 0},
		{"9205c420", 32, 0},
		{"9205c50100", 256, 0},
		{"920691c40101", 0, 0},
		{"930400c40161", 0, 0},
		/* ints: longer than needed, or non-negative in a signed form */
		{"92cc0700", 0, MAILLE_ENONCANON},
		{"9207cc05", 0, MAILLE_ENONCANON},
		{"9207cc7f", 0, MAILLE_ENONCANON},
		{"9207cd00ff", 0, MAILLE_ENONCANON},
		{"9207ce0000ffff", 0, MAILLE_ENONCANON},
		{"9207cf00000000ffffffff", 0, MAILLE_ENONCANON},
		{"9207d005", 0, MAILLE_ENONCANON},
		{"9207d10005", 0, MAILLE_ENONCANON},
		{"9207d200000005", 0, MAILLE_ENONCANON},
		{"9207d30000000000000005", 0, MAILLE_ENONCANON},
		{"92d00700", 0, MAILLE_ENONCANON},
		{"9304cc00c40161", 0, MAILLE_ENONCANON},
		{"9304d000c40161", 0, MAILLE_ENONCANON},
		/* array headers longer than needed */
		{"dc00020700", 0, MAILLE_ENONCANON},
		{"dd000000020700", 0, MAILLE_ENONCANON},
		{"9206dc0001c40101", 0, MAILLE_ENONCANON},
		{"9206dc000fc40101", 0, MAILLE_ENONCANON},
		{"9206dd00000001c40101", 0, MAILLE_ENONCANON},
		/* bin headers longer than needed (bin8 is right for every length below 256) */
		{"9205c50020", 32, MAILLE_ENONCANON},
		{"9205c500ff", 255, MAILLE_ENONCANON},
		{"9205c600000020", 32, MAILLE_ENONCANON},
		{"9205c60000ffe0", 65504, MAILLE_ENONCANON},
		{"920691c5000101", 0, MAILLE_ENONCANON},
		{"920691c600000001", 1, MAILLE_ENONCANON},
		{"930400c5000161", 0, MAILLE_ENONCANON},
		{"930403c50000", 0, MAILLE_ENONCANON},
		/* negative, or not an int */
		{"9207ff", 0, MAILLE_EPROTO},
		{"9207e0", 0, MAILLE_EPROTO},
		{"9207d080", 0, MAILLE_EPROTO},
		{"9207d1ff7f", 0, MAILLE_EPROTO},
		{"9207d3ffffffffffffffff", 0, MAILLE_EPROTO},
		{"9207c0", 0, MAILLE_EPROTO},
		{"9207c3", 0, MAILLE_EPROTO},
		{"9207cb0000000000000000", 0, MAILLE_EPROTO},
		{"9207a0", 0, MAILLE_EPROTO},
		/* over the int64 range */
		{"9207cf8000000000000000", 0, MAILLE_ETOOBIG},
		{"9208cfffffffffffffffff", 0, MAILLE_ETOOBIG},
		/* a str, a nil, an array where a bin belongs */
		{"9205b0", 32, MAILLE_EPROTO},
		{"9205c0", 0, MAILLE_EPROTO},
		{"920691a10a", 0, MAILLE_EPROTO},
		{"930400a161", 0, MAILLE_EPROTO},
		{"9206c40101", 0, MAILLE_EPROTO},
		{"920691910a", 0, MAILLE_EPROTO},
		/* ext types and the never-used byte */
		{"9207c1", 0, MAILLE_EPROTO},
		{"9207d40100", 0, MAILLE_EPROTO},
	};
	check_bad(cases, sizeof cases / sizeof cases[0]);
}

static void test_wrong_counts(void)
{
	static const bad cases[] = {
		{"", 0, MAILLE_EPROTO},
		{"90", 0, MAILLE_EPROTO},
		{"07", 0, MAILLE_EPROTO},
		{"c0", 0, MAILLE_EPROTO},
		{"8107", 0, MAILLE_EPROTO},
		{"91c0", 0, MAILLE_EPROTO},
		{"9104", 0, MAILLE_EPROTO},
		{"920400", 0, MAILLE_EPROTO},
		{"940400c40161c0", 0, MAILLE_EPROTO},
		{"9105", 0, MAILLE_EPROTO},
		{"9305c420", 32, MAILLE_EPROTO},
		{"9106", 0, MAILLE_EPROTO},
		{"930691c40101c0", 0, MAILLE_EPROTO},
		{"9107", 0, MAILLE_EPROTO},
		{"93070000", 0, MAILLE_EPROTO},
		{"9108", 0, MAILLE_EPROTO},
		{"9f08", 0, MAILLE_EPROTO},
		/* the inner array announces more entries than there are */
		{"920692c40101", 0, MAILLE_EPROTO},
		/* or fewer: the rest is a trailing byte */
		{"920691c40101c40101", 0, MAILLE_EPROTO},
	};
	check_bad(cases, sizeof cases / sizeof cases[0]);
}

static void test_recon_kinds(void)
{
	static const bad cases[] = {
		{"930404c40161", 0, MAILLE_EPROTO},
		{"93047fc40161", 0, MAILLE_EPROTO},
		{"9304ccffc40161", 0, MAILLE_EPROTO},
		{"9304cf7fffffffffffffffc40161", 0, MAILLE_EPROTO},
		{"9304ffc40161", 0, MAILLE_EPROTO},
		/* CLOSE is empty, the others are not */
		{"930403c40161", 0, MAILLE_EPROTO},
		{"930400c400", 0, MAILLE_EPROTO},
		{"930401c400", 0, MAILLE_EPROTO},
		{"930402c400", 0, MAILLE_EPROTO},
		{"930401c40161", 0, 0},
		{"930403c400", 0, 0},
	};
	check_bad(cases, sizeof cases / sizeof cases[0]);
}

/* REDEEM and REDEEMED (PROTOCOL.md §4.5): round trips, and the malformed ones. */
static void test_redeem(void)
{
	uint8_t secret[PROTO_REDEEM_SECRET_LEN], out[64];
	size_t len = 0;
	proto_sync_msg m;
	for (size_t i = 0; i < sizeof secret; i++)
		secret[i] = (uint8_t)(i * 7 + 1);
	CHECK_EQ_INT(proto_sync_encode_redeem(secret, PROTO_REDEEM_MEMBER, out, sizeof out, &len), 0);
	CHECK_EQ_INT(proto_sync_decode(out, len, &m), 0);
	CHECK_EQ_INT(m.type, PROTO_SESS_REDEEM);
	CHECK(m.secret && memcmp(m.secret, secret, sizeof secret) == 0);
	CHECK_EQ_INT(m.flags, PROTO_REDEEM_MEMBER);
	CHECK(decodes_canonically(out, len, &m));
	CHECK_EQ_INT(proto_sync_encode_redeem(secret, 0, out, 10, &len), MAILLE_ETOOBIG);
	CHECK_EQ_INT(proto_sync_encode_redeemed(PROTO_REDEEM_USED, out, sizeof out, &len), 0);
	CHECK_EQ_INT(proto_sync_decode(out, len, &m), 0);
	CHECK_EQ_INT(m.type, PROTO_SESS_REDEEMED);
	CHECK_EQ_INT(m.result, PROTO_REDEEM_USED);
	CHECK(decodes_canonically(out, len, &m));
	static const bad cases[] = {
		{"920900", 0, MAILLE_EPROTO},          /* REDEEM without its flags */
		{"9309c41f", 31, MAILLE_EPROTO},       /* a secret of 31 bytes... */
		{"9309c421", 33, MAILLE_EPROTO},       /* ...or 33 */
		{"93090000", 0, MAILLE_EPROTO},        /* not a bin */
		{"940ac0", 0, MAILLE_EPROTO},          /* REDEEMED of 4 elements (truncated) */
		{"910a", 0, MAILLE_EPROTO},            /* REDEEMED without its result */
		{"920ac0", 0, MAILLE_EPROTO},          /* a result that is not a uint */
	};
	check_bad(cases, sizeof cases / sizeof cases[0]);
}

static void test_other_types(void)
{
	/* session messages that are not ours, well formed or not: MAILLE_EINVAL */
	static const bad cases[] = {
		{"920101", 0, MAILLE_EINVAL},
		{"920201", 0, MAILLE_EINVAL},
		{"930302a0", 0, MAILLE_EINVAL},
		{"920000", 0, MAILLE_EINVAL},
		{"920b00", 0, MAILLE_EINVAL},
		{"9163", 0, MAILLE_EINVAL},
		{"92ccff00", 0, MAILLE_EINVAL},
	};
	check_bad(cases, sizeof cases / sizeof cases[0]);
	proto_sync_msg m;
	uint8_t b[1] = {0x90};
	CHECK_EQ_INT(proto_sync_decode(b, PROTO_SESSION_MSG_MAX + 1, &m), MAILLE_ETOOBIG);
}

/* A sample of valid messages, one of each shape and header form. */
static size_t sample(size_t i, uint8_t *out)
{
	size_t len = 0;
	static size_t lens[20];
	static const uint8_t *raws[20];
	static const size_t mix[] = {1, 300, 70000};
	int r = 0;
	switch (i) {
	case 0:
		r = proto_sync_encode_recon(PROTO_RECON_OPEN, big, 1, out, BIG, &len);
		break;
	case 1:
		r = proto_sync_encode_recon(PROTO_RECON_NEXT, big, 300, out, BIG, &len);
		break;
	case 2:
		r = proto_sync_encode_recon(PROTO_RECON_REPLY, big, 70000, out, BIG, &len);
		break;
	case 3:
		r = proto_sync_encode_recon(PROTO_RECON_CLOSE, NULL, 0, out, BIG, &len);
		break;
	case 4:
		r = proto_sync_encode_want(big, 1, out, BIG, &len);
		break;
	case 5:
		r = proto_sync_encode_want(big, PROTO_WANT_IDS_MAX, out, BIG, &len);
		break;
	case 6:
		for (size_t k = 0; k < 3; k++) {
			raws[k] = big;
			lens[k] = mix[k];
		}
		r = proto_sync_encode_entries(raws, lens, 3, out, BIG, &len);
		break;
	case 7:
		for (size_t k = 0; k < 20; k++) {
			raws[k] = big + k;
			lens[k] = 1 + k * 13;
		}
		r = proto_sync_encode_entries(raws, lens, 20, out, BIG, &len);
		break;
	case 8:
		r = proto_sync_encode_mark(PROTO_SESS_MARK, 0, out, BIG, &len);
		break;
	case 9:
		r = proto_sync_encode_mark(PROTO_SESS_MARK_ACK, 1000, out, BIG, &len);
		break;
	case 10:
		r = proto_sync_encode_mark(PROTO_SESS_MARK, INT64_MAX, out, BIG, &len);
		break;
	default:
		return 0;
	}
	CHECK_EQ_INT(r, 0);
	return r ? 0 : len;
}

static void test_truncations_and_trailing(void)
{
	size_t len;
	for (size_t i = 0; (len = sample(i, ob)) > 0; i++) {
		proto_sync_msg m;
		CHECK(decodes_canonically(ob, len, &m));
		size_t refused = 0;
		for (size_t cut = 0; cut < len; cut++)
			refused += proto_sync_decode(ob, cut, &m) != 0;
		CHECK_EQ_INT(refused, len);
		/* every truncation is refused as malformed, never as something else */
		for (size_t cut = 1; cut < len; cut += 1 + cut / 64)
			CHECK_EQ_INT(proto_sync_decode(ob, cut, &m), MAILLE_EPROTO);
		static const uint8_t extra[] = {0x00, 0xc0, 0x90, 0xc4};
		for (size_t k = 0; k < sizeof extra; k++) {
			ob[len] = extra[k];
			CHECK_EQ_INT(proto_sync_decode(ob, len + 1, &m), MAILLE_EPROTO);
		}
	}
}

/* Every single-byte change of small valid messages: whatever still decodes is canonical
 * (re-encodes to the same bytes, accepted by the generic decoder). */
static void test_mutations(void)
{
	size_t len;
	size_t accepted = 0;
	for (size_t i = 0; (len = sample(i, ob)) > 0; i++) {
		if (len > 64)
			continue;
		memcpy(big + BIG - 64, ob, len); /* keep the original: sample() reuses big */
		for (size_t pos = 0; pos < len; pos++) {
			for (unsigned v = 0; v < 256; v++) {
				memcpy(ob, big + BIG - 64, len);
				ob[pos] = (uint8_t)v;
				proto_sync_msg m;
				accepted += decodes_canonically(ob, len, &m);
			}
		}
		memset(big + BIG - 64, 0, 64);
	}
	CHECK(accepted > 0);
}

static void test_encoder_caps(void)
{
	size_t len, len2;
	for (size_t i = 0; (len = sample(i, ob)) > 0; i++) {
		proto_sync_msg m;
		CHECK_EQ_INT(proto_sync_decode(ob, len, &m), 0);
		memset(ob2, 0x5a, len);
		CHECK_EQ_INT(reencode(&m, ob2, len - 1, &len2), MAILLE_ETOOBIG);
		/* nothing written when the capacity is too small */
		size_t touched = 0;
		for (size_t k = 0; k < len; k++)
			touched += ob2[k] != 0x5a;
		CHECK_EQ_INT(touched, 0);
		CHECK_EQ_INT(reencode(&m, ob2, len, &len2), 0);
		CHECK_EQ_INT(len2, len);
	}
	CHECK_EQ_INT(proto_sync_encode_mark(PROTO_SESS_PING, 1, ob, BIG, &len), MAILLE_EINVAL);
	CHECK_EQ_INT(proto_sync_encode_mark(PROTO_SESS_WANT, 1, ob, BIG, &len), MAILLE_EINVAL);
	uint64_t over = (uint64_t)INT64_MAX + 1;
	CHECK_EQ_INT(proto_sync_encode_mark(PROTO_SESS_MARK, over, ob, BIG, &len), MAILLE_EINVAL);
	CHECK_EQ_INT(proto_sync_encode_recon(4, big, 1, ob, BIG, &len), MAILLE_EINVAL);
	CHECK_EQ_INT(proto_sync_encode_recon(PROTO_RECON_CLOSE, big, 1, ob, BIG, &len),
	             MAILLE_EINVAL);
	CHECK_EQ_INT(proto_sync_encode_recon(PROTO_RECON_OPEN, big, 0, ob, BIG, &len),
	             MAILLE_EINVAL);
	CHECK_EQ_INT(proto_sync_encode_recon(PROTO_RECON_NEXT, NULL, 5, ob, BIG, &len),
	             MAILLE_EINVAL);
	CHECK_EQ_INT(
		proto_sync_encode_recon(PROTO_RECON_REPLY, big, RBSR_MSG_MAX + 1, ob, BIG, &len),
		MAILLE_EINVAL);
}

static void teardown(void)
{
	free(ob);
	free(ob2);
	free(big);
}

CHECK_MAIN(setup, test_known_bytes, test_roundtrip_recon, test_roundtrip_want,
           test_roundtrip_entries, test_sizes, test_want_limits, test_entries_limits,
           test_session_msg_max, test_noncanonical, test_wrong_counts, test_recon_kinds,
           test_other_types, test_redeem, test_truncations_and_trailing, test_mutations, test_encoder_caps,
           teardown)
