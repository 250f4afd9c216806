/* Unit tests of proto/coop.c (PROTOCOL.md §5): the target digest of the worked example of §5.1
 * recomputed, the path of each act, when an act is well named (path_ok), the authoring checks
 * beyond the tables (proto_coop_check) and the records a body names (proto_coop_links). Bodies
 * are written as front matter and read by node/service/frontmatter.c, as maille publish does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "node/service/frontmatter.h"
#include "proto/coop.h"
#include "proto/error.h"
#include "proto/schema.h"

/* The key of PROTOCOL.md §1.6 (seed 00 01 ... 1f) and a second territory's. */
#define KEY_A "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
#define KEY_B "5f1e0c1d9a7b3e2f4a6c8d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c"
#define CALL "call/mutualiser-un-assistant-de-transcription"
#define COMP "component/outil-transcription"
#define LABEL "label/ia-de-confiance"
/* PROTOCOL.md §5.1's worked example */
#define D_CALL "ae9b9c6c4cdf2e067b93d9b47025874d"
#define D_COMP "48d599141140d31ecc76bad9093f9d37"
#define D_LABEL "620d8388e17e78988ebe23af26b04b4f"
#define ENTRY "37b1d867eeaeef51d9cb4bba28ed4b985afa56fa13466474b813c59cdb51eb7f"

static uint8_t key_a[PROTO_KEY_LEN], key_b[PROTO_KEY_LEN];
static proto_arena arena_;

/* Each test's keys and arena (the bodies live in it until end()). */
static void begin(void)
{
	if (proto_init() != 0)
		exit(1);
	proto_unhex(KEY_A, key_a, PROTO_KEY_LEN);
	proto_unhex(KEY_B, key_b, PROTO_KEY_LEN);
	proto_arena_init(&arena_, 0);
}

static void end(void)
{
	proto_arena_done(&arena_);
}

/* The body of a front matter (without its --- lines); the program ends if it does not parse. */
static proto_value *body_of(const char *yaml)
{
	char buf[16384];
	proto_value *body = NULL;
	fm_error err;
	int n = snprintf(buf, sizeof buf, "---\n%s---\n", yaml);
	if (n <= 0 || (size_t)n >= sizeof buf ||
	    fm_parse((const uint8_t *)buf, (size_t)n, &arena_, &body, NULL, &err) != 0) {
		fprintf(stderr, "body_of: %s\n%s", err.message, yaml);
		exit(1);
	}
	return body;
}

#define INTEREST_OF(key, path)                                                                     \
	"type: interest\ncall:\n  territory: \"" key "\"\n  path: " path "\nrole: co_developer\n"
#define INTEREST                                                                                   \
	INTEREST_OF(KEY_A, CALL)                                                                   \
	"message: Nous pouvons tester l'outil sur nos conseils municipaux dès janvier.\n"
#define AWARD_OF(label_key)                                                                        \
	"type: award\nlabel:\n  territory: \"" label_key "\"\n  path: " LABEL "\n"                 \
	"target:\n  territory: \"" KEY_A "\"\n  path: " COMP "\n  entry: \"" ENTRY "\"\n"          \
	"criteria: [transparence, sobriete]\nawarded: \"2026-12-07\"\nuntil: \"2028-12-07\"\n"
#define COMMENT_ON(path)                                                                           \
	"type: comment\ntarget:\n  territory: \"" KEY_A "\"\n  path: " path "\n"                   \
	"text: Avez-vous mesuré le *taux d'erreur* sur les noms propres ?\n"

static bool ok_at(const uint8_t *territory, const char *path, const proto_value *body)
{
	return proto_coop_path_ok(territory, path, strlen(path), body);
}

static void test_golden_digest(void)
{
	begin();
	char d[PROTO_COOP_HEX + 1];
	proto_coop_digest(key_a, CALL, strlen(CALL), d);
	CHECK_EQ_STR(d, D_CALL);
	proto_coop_digest(key_a, COMP, strlen(COMP), d);
	CHECK_EQ_STR(d, D_COMP);
	proto_coop_digest(key_a, LABEL, strlen(LABEL), d);
	CHECK_EQ_STR(d, D_LABEL);
	/* the key is part of it: the same path in another territory is another record */
	proto_coop_digest(key_b, CALL, strlen(CALL), d);
	CHECK(strcmp(d, D_CALL) != 0);
	CHECK_EQ_INT(strlen(d), PROTO_COOP_HEX);
	end();
}

static void test_paths(void)
{
	begin();
	static const uint8_t rnd[8] = { 0x3c, 0x9a, 0x01, 0xfe, 0x42, 0x00, 0x7d, 0xb5 };
	char p[PROTO_PATH_MAX + 1] = "untouched";

	CHECK_EQ_INT(proto_coop_path(body_of(INTEREST), rnd, p, sizeof p), 0);
	CHECK_EQ_STR(p, "interest/" D_CALL);
	CHECK_EQ_INT(proto_coop_path(body_of(AWARD_OF(KEY_A)), NULL, p, sizeof p), 0);
	CHECK_EQ_STR(p, "award/" D_COMP "/" D_LABEL);
	/* the longest act path: 71 bytes in 3 segments, far within 256 and 16 (§5.5) */
	CHECK_EQ_INT(strlen(p), 6 + PROTO_COOP_HEX + 1 + PROTO_COOP_HEX);
	CHECK_EQ_INT(proto_coop_path(body_of(COMMENT_ON(COMP)), rnd, p, sizeof p), 0);
	CHECK_EQ_STR(p, "comment/" D_COMP "/3c9a01fe42007db5");
	/* a comment's own name is random: without one, no path */
	CHECK_EQ_INT(proto_coop_path(body_of(COMMENT_ON(COMP)), NULL, p, sizeof p), MAILLE_EINVAL);
	/* too small a buffer */
	CHECK_EQ_INT(proto_coop_path(body_of(INTEREST), NULL, p, 20), MAILLE_EINVAL);
	/* not an act, or an act without its target */
	strcpy(p, "untouched");
	CHECK_EQ_INT(proto_coop_path(body_of("type: rex\n"), rnd, p, sizeof p), MAILLE_EPROTO);
	CHECK_EQ_INT(proto_coop_path(body_of("type: interest\nrole: tester\n"), rnd, p, sizeof p),
	             MAILLE_EPROTO);
	CHECK_EQ_INT(proto_coop_path(body_of("type: award\ntarget:\n  territory: \"" KEY_A
	                                     "\"\n  path: " COMP "\n"),
	                             rnd, p, sizeof p),
	             MAILLE_EPROTO);
	CHECK_EQ_STR(p, "untouched");
	end();
}

static void test_about(void)
{
	begin();
	proto_coop_target t;
	CHECK_EQ_INT(proto_coop_about(body_of(AWARD_OF(KEY_B)), &t), 0);
	CHECK(memcmp(t.territory, key_a, PROTO_KEY_LEN) == 0);
	CHECK_EQ_STR(t.path, COMP);
	CHECK(t.has_entry);
	CHECK_EQ_INT(proto_coop_about(body_of(INTEREST), &t), 0);
	CHECK_EQ_STR(t.path, CALL);
	CHECK(!t.has_entry);
	/* a key of 63 digits, a path that is not one, an entry that is not 64 hex */
	CHECK_EQ_INT(
	    proto_coop_about(body_of(INTEREST_OF("03a107bff3ce10be1d70dd18e74bc09967e4d6309"
	                                         "ba50d5f1ddc8664125531b",
	                                         CALL)),
	                     &t),
	    MAILLE_EPROTO);
	CHECK_EQ_INT(proto_coop_about(body_of(INTEREST_OF(KEY_A, "Call/Majuscules")), &t),
	             MAILLE_EPROTO);
	CHECK_EQ_INT(proto_coop_about(body_of("type: comment\ntarget:\n  territory: \"" KEY_A
	                                      "\"\n  path: " COMP "\n  entry: \"zz\"\n"),
	                              &t),
	             MAILLE_EPROTO);
	CHECK_EQ_INT(proto_coop_about(body_of("type: label\n"), &t), MAILLE_EPROTO);
	CHECK(proto_coop_is_act("award", 5));
	CHECK(proto_coop_is_act("comment", 7));
	CHECK(!proto_coop_is_act("label", 5));
	CHECK(!proto_coop_is_act("call", 4));
	end();
}

static void test_path_ok(void)
{
	begin();
	const proto_value *in = body_of(INTEREST);
	const proto_value *aw = body_of(AWARD_OF(KEY_A));
	const proto_value *aw_b = body_of(AWARD_OF(KEY_B));
	const proto_value *co = body_of(COMMENT_ON(COMP));

	/* an interest: its path in any territory (the interested one), and only that one */
	CHECK(ok_at(key_b, "interest/" D_CALL, in));
	CHECK(ok_at(key_a, "interest/" D_CALL, in));
	CHECK(!ok_at(key_b, "interest/" D_COMP, in));                          /* another digest */
	CHECK(!ok_at(key_b, "interest/ae9b9c6c4cdf2e067b93d9b47025874e", in)); /* one digit */
	CHECK(!ok_at(key_b, "interest/AE9B9C6C4CDF2E067B93D9B47025874D", in)); /* upper case */
	CHECK(!ok_at(key_b, "interest/" D_CALL "/x", in));
	CHECK(!ok_at(key_b, "interest/" D_CALL,
	             body_of(INTEREST_OF("03A107BFF3CE10BE1D70DD18E74BC09967E4D6309BA50D5F1D"
	                                 "DC8664125531B8",
	                                 CALL))));
	CHECK(!ok_at(key_b, "rex/" D_CALL, in));
	CHECK(!ok_at(key_b, "call/x", body_of("type: call\n")));
	/* an award: in the label's own territory only */
	CHECK(ok_at(key_a, "award/" D_COMP "/" D_LABEL, aw));
	CHECK(!ok_at(key_b, "award/" D_COMP "/" D_LABEL, aw));
	{
		/* a label of B, awarded by A: whatever the path, it does not count in A */
		char p[PROTO_PATH_MAX + 1];
		CHECK_EQ_INT(proto_coop_path(aw_b, NULL, p, sizeof p), 0);
		CHECK(!ok_at(key_a, p, aw_b));
		CHECK(ok_at(key_b, p, aw_b));
	}
	CHECK(!ok_at(key_a, "award/" D_LABEL "/" D_COMP, aw)); /* digests swapped */
	/* a comment: its digest, then 16 lower-case hex digits of its own */
	CHECK(ok_at(key_b, "comment/" D_COMP "/3c9a01fe42007db5", co));
	CHECK(ok_at(key_a, "comment/" D_COMP "/0000000000000000", co));
	CHECK(!ok_at(key_b, "comment/" D_COMP "/3C9A01FE42007DB5", co));
	CHECK(!ok_at(key_b, "comment/" D_COMP "/3c9a01fe42007dbg", co));
	CHECK(!ok_at(key_b, "comment/" D_COMP "/reponse-du-maire", co));
	CHECK(!ok_at(key_b, "comment/" D_COMP "/3c9a01fe42007db", co));
	CHECK(!ok_at(key_b, "comment/" D_COMP "/3c9a01fe42007db55", co));
	CHECK(!ok_at(key_b, "comment/" D_CALL "/3c9a01fe42007db5", co));
	/* a reply: a comment whose target is a comment */
	CHECK(!ok_at(key_b, "comment/" D_COMP "/3c9a01fe42007db5",
	             body_of(COMMENT_ON("comment/" D_COMP "/3c9a01fe42007db5"))));
	{
		char d[PROTO_COOP_HEX + 1], p[PROTO_PATH_MAX + 1];
		const char *parent = "comment/" D_COMP "/3c9a01fe42007db5";
		proto_coop_digest(key_a, parent, strlen(parent), d);
		snprintf(p, sizeof p, "comment/%s/00ff00ff00ff00ff", d);
		CHECK(ok_at(key_b, p, body_of(COMMENT_ON("comment/" D_COMP "/3c9a01fe42007db5"))));
	}
	CHECK(!proto_coop_path_ok(key_b, NULL, 0, in));
	CHECK(!ok_at(key_b, "interest/" D_CALL, NULL));
	end();
}

/* Whether rep holds an error at field whose English text contains needle. */
static bool has_error(const proto_schema_report *rep, const char *field, const char *needle)
{
	for (size_t i = 0; i < rep->n_errors; i++)
		if (strcmp(rep->errors[i].field, field) == 0 && strstr(rep->errors[i].en, needle) &&
		    rep->errors[i].fr[0])
			return true;
	return false;
}

static int check(const uint8_t *territory, const char *path, const char *yaml,
                 proto_schema_report *rep)
{
	memset(rep, 0, sizeof *rep);
	return proto_coop_check(territory, path, body_of(yaml), rep);
}

static char *repeat(char c, size_t n)
{
	static char buf[9000];
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

static void test_check(void)
{
	begin();
	static proto_schema_report rep;
	char yaml[12000];

	/* valid acts at their paths, and the tables agree */
	CHECK_EQ_INT(proto_schema_validate(body_of(INTEREST), &rep), 0);
	CHECK_EQ_INT(check(key_b, "interest/" D_CALL, INTEREST, &rep), 0);
	CHECK_EQ_INT(rep.n_errors, 0);
	CHECK_EQ_INT(proto_schema_validate(body_of(AWARD_OF(KEY_A)), &rep), 0);
	CHECK_EQ_INT(check(key_a, "award/" D_COMP "/" D_LABEL, AWARD_OF(KEY_A), &rep), 0);
	CHECK_EQ_INT(proto_schema_validate(body_of(COMMENT_ON(COMP)), &rep), 0);
	CHECK_EQ_INT(check(key_b, "comment/" D_COMP "/0123456789abcdef", COMMENT_ON(COMP), &rep),
	             0);
	/* no path: not checked; not a cooperation record: nothing to say */
	CHECK_EQ_INT(check(key_b, NULL, INTEREST, &rep), 0);
	CHECK_EQ_INT(check(key_b, "rex/x", "type: rex\n", &rep), 0);

	/* the wrong path says the right one */
	CHECK_EQ_INT(check(key_b, "interest/mon-interet", INTEREST, &rep), MAILLE_ESCHEMA);
	CHECK(has_error(&rep, "", "it must be interest/" D_CALL));
	CHECK_EQ_INT(check(key_b, "comment/x", COMMENT_ON(COMP), &rep), MAILLE_ESCHEMA);
	CHECK(has_error(&rep, "", "it must be comment/" D_COMP "/<16 hex>"));
	/* an award of another territory's label */
	CHECK_EQ_INT(check(key_a, NULL, AWARD_OF(KEY_B), &rep), MAILLE_ESCHEMA);
	CHECK(has_error(&rep, "label", "only the territory that defined the label"));
	CHECK(strstr(rep.errors[0].fr, "seul le territoire") != NULL);
	/* evidence for a criterion the award does not list */
	CHECK_EQ_INT(
	    check(key_a, NULL,
	          AWARD_OF(KEY_A) "evidence:\n  - criterion: transparence\n    text: Au "
	                          "registre.\n  - criterion: accessibilite\n    text: RGAA.\n",
	          &rep),
	    MAILLE_ESCHEMA);
	CHECK_EQ_INT(rep.n_errors, 1);
	CHECK(has_error(&rep, "evidence[1].criterion", "does not list: accessibilite"));

	/* sizes: 4 KiB of message, 8 KiB of comment */
	snprintf(yaml, sizeof yaml, INTEREST_OF(KEY_A, CALL) "message: %s\n",
	         repeat('a', PROTO_COOP_MESSAGE_MAX));
	CHECK_EQ_INT(check(key_b, NULL, yaml, &rep), 0);
	snprintf(yaml, sizeof yaml, INTEREST_OF(KEY_A, CALL) "message: %s\n",
	         repeat('a', PROTO_COOP_MESSAGE_MAX + 1));
	CHECK_EQ_INT(check(key_b, NULL, yaml, &rep), MAILLE_ESCHEMA);
	CHECK(has_error(&rep, "message", "4097 bytes, 4096 at most"));
	snprintf(yaml, sizeof yaml,
	         "type: comment\ntarget:\n  territory: \"" KEY_A "\"\n  path: " COMP "\ntext: %s\n",
	         repeat('b', PROTO_COOP_COMMENT_MAX));
	CHECK_EQ_INT(check(key_b, NULL, yaml, &rep), 0);
	snprintf(yaml, sizeof yaml,
	         "type: comment\ntarget:\n  territory: \"" KEY_A "\"\n  path: " COMP "\ntext: %s\n",
	         repeat('b', PROTO_COOP_COMMENT_MAX + 1));
	CHECK_EQ_INT(check(key_b, NULL, yaml, &rep), MAILLE_ESCHEMA);
	CHECK(has_error(&rep, "text", "8193 bytes, 8192 at most"));

	/* a label's criterion ids: syntax, length, unique */
	CHECK_EQ_INT(check(key_a, LABEL,
	                   "type: label\ncriteria:\n  - id: transparence\n    text: a\n"
	                   "  - id: Sobriete\n    text: b\n  - id: transparence\n    text: c\n"
	                   "  - id: abcdefghijklmnopqrstuvwxyz0123456\n    text: d\n"
	                   "  - id: abcdefghijklmnopqrstuvwxyz012345\n    text: e\n",
	                   &rep),
	             MAILLE_ESCHEMA);
	CHECK_EQ_INT(rep.n_errors, 3);
	CHECK(has_error(&rep, "criteria[1].id", "invalid criterion id"));
	CHECK(has_error(&rep, "criteria[2].id", "duplicate criterion id: transparence"));
	CHECK(has_error(&rep, "criteria[3].id", "invalid criterion id"));
	CHECK_EQ_INT(
	    check(key_a, LABEL, "type: label\ncriteria:\n  - id: a-1\n    text: a\n", &rep), 0);
	/* without a report: only the answer */
	CHECK_EQ_INT(proto_coop_check(key_a, NULL, body_of(AWARD_OF(KEY_B)), NULL), MAILLE_ESCHEMA);
	end();
}

typedef struct refs {
	char v[80][PROTO_COOP_REF_MAX + 1];
	size_t n;
	size_t stop_at; /* cb returns 7 at this link (0: never) */
} refs;

static int ref_cb(const char *ref, size_t len, void *ctx)
{
	refs *r = ctx;
	if (r->n < 80)
		snprintf(r->v[r->n], sizeof r->v[0], "%.*s", (int)len, ref);
	r->n++;
	return r->stop_at && r->n == r->stop_at ? 7 : 0;
}

static refs links_of(const char *yaml)
{
	refs r;
	memset(&r, 0, sizeof r);
	CHECK_EQ_INT(proto_coop_links(body_of(yaml), ref_cb, &r), 0);
	return r;
}

static void test_links(void)
{
	begin();
	refs r = links_of(INTEREST);
	CHECK_EQ_INT(r.n, 1);
	CHECK_EQ_STR(r.v[0], KEY_A "/" CALL);
	r = links_of(AWARD_OF(KEY_B));
	CHECK_EQ_INT(r.n, 2);
	CHECK_EQ_STR(r.v[0], KEY_B "/" LABEL);
	CHECK_EQ_STR(r.v[1], KEY_A "/" COMP);
	r = links_of(COMMENT_ON("comment/" D_COMP "/3c9a01fe42007db5"));
	CHECK_EQ_INT(r.n, 1);
	CHECK_EQ_STR(r.v[0], KEY_A "/comment/" D_COMP "/3c9a01fe42007db5");
	/* an act whose target is not a target links nothing */
	r = links_of(
	    INTEREST_OF("03A107BFF3CE10BE1D70DD18E74BC09967E4D6309BA50D5F1DDC8664125531B8", CALL));
	CHECK_EQ_INT(r.n, 0);
	/* a call's related records: paths as written, bare or named in full; addresses and URNs
	 * are not records */
	r = links_of("type: call\nrelated:\n  - " COMP "\n  - https://exemple.fr/projet\n"
	             "  - \"" KEY_B "/use_case/transcription-des-conseils\"\n"
	             "  - urn:isbn:978-2-1234-5680-3\n");
	CHECK_EQ_INT(r.n, 2);
	CHECK_EQ_STR(r.v[0], COMP);
	CHECK_EQ_STR(r.v[1], KEY_B "/use_case/transcription-des-conseils");
	/* a record of another territory named in full: the whole is no path when the record's
	 * path has 16 segments or more than 191 bytes, it names a record all the same */
	{
		char yaml[1024], deep[PROTO_PATH_MAX + 1] = "component";
		for (int i = 1; i < 16; i++)
			strcat(deep, "/s");
		snprintf(yaml, sizeof yaml,
		         "type: call\nrelated:\n  - \"" KEY_B "/%s\"\n  - \"" KEY_B "/%s/x\"\n"
		         "  - \"" KEY_B "/\"\n  - \"03A107BF/component/x\"\n",
		         deep, deep);
		r = links_of(yaml);
		CHECK_EQ_INT(r.n, 1);
		CHECK_EQ_STR(r.v[0], KEY_B "/component/s/s/s/s/s/s/s/s/s/s/s/s/s/s/s");
	}
	/* a REX's relations (a common field): their targets that are paths */
	r = links_of("type: rex\nrelations:\n  - rel: uses\n    target: " COMP "\n"
	             "  - rel: uses\n    target: https://exemple.fr/outil\n"
	             "  - rel: derived_from\n    target: methodology/atelier-citoyen\n");
	CHECK_EQ_INT(r.n, 2);
	CHECK_EQ_STR(r.v[0], COMP);
	CHECK_EQ_STR(r.v[1], "methodology/atelier-citoyen");
	/* a label links nothing; neither does an unknown type */
	CHECK_EQ_INT(links_of("type: label\ncriteria:\n  - id: a\n    text: b\n").n, 0);
	CHECK_EQ_INT(links_of("type: grimoire\nrelated: [" COMP "]\n").n, 0);
	/* at most PROTO_COOP_LINKS_MAX */
	{
		char yaml[8192];
		size_t o = (size_t)snprintf(yaml, sizeof yaml, "type: call\nrelated:\n");
		for (unsigned i = 0; i < PROTO_COOP_LINKS_MAX + 10; i++)
			o += (size_t)snprintf(yaml + o, sizeof yaml - o, "  - component/c%u\n", i);
		r = links_of(yaml);
		CHECK_EQ_INT(r.n, PROTO_COOP_LINKS_MAX);
		/* a callback's non-zero stops the walk and is returned */
		memset(&r, 0, sizeof r);
		r.stop_at = 3;
		CHECK_EQ_INT(proto_coop_links(body_of(yaml), ref_cb, &r), 7);
		CHECK_EQ_INT(r.n, 3);
	}
	end();
}

CHECK_MAIN(test_golden_digest, test_paths, test_about, test_path_ok, test_check, test_links)
