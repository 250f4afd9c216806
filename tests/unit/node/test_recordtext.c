/* tests/unit/node/test_recordtext.c: a record's values as a person reads them
 * (node/service/recordtext.h): labels of licences and vocabulary values, dates, periods,
 * amounts with their thousands grouped, ratings with their scale, in French and English; the
 * order of a record's fields and of a nested object's members. */
#include <string.h>

#include "check.h"
#include "node/service/recordtext.h"

static proto_arena A;

/* Values of the tests' own, for the duration of the block that writes them. */
#define str(s) (&(proto_value){ .type = PROTO_V_STR, .u.str = { (s), strlen(s) } })
#define num(n) (&(proto_value){ .type = PROTO_V_INT, .u.i = (n) })

static void put(proto_value *m, const char *k, const proto_value *v)
{
	*proto_value_map_put(&A, m, k, strlen(k)) = *v;
}

static const proto_record_field *rex_field(const char *name)
{
	const proto_record_field *f =
	    proto_record_type_field(proto_record_type_find("rex", 3), name);
	CHECK(f != NULL);
	return f;
}

static void test_labels(void)
{
	CHECK_EQ_STR(recordtext_label("etalab-2.0", false), "Licence Ouverte / Open Licence 2.0");
	CHECK_EQ_STR(recordtext_label("EUPL-1.2", true), "European Union Public Licence 1.2");
	CHECK(recordtext_label("rex", false) != NULL); /* a type, from the record tables */
	CHECK(recordtext_label("zorglub", false) == NULL);

	char t[RECORDTEXT_CAP];
	CHECK(recordtext_str(rex_field("status"), str("production"), false, t, sizeof t));
	CHECK_EQ_STR(t, proto_vocab_label(&proto_vocab_statuses, "production", false));
	CHECK(strcmp(t, "production") != 0);
	CHECK(recordtext_str(rex_field("content_licence"), str("CC-BY-4.0"), true, t, sizeof t));
	CHECK_EQ_STR(t, "Creative Commons Attribution 4.0");
	CHECK(recordtext_str(rex_field("lang"), str("fr"), false, t, sizeof t));
	CHECK_EQ_STR(t, "français");
	/* a value no vocabulary has, and a field of plain text: nothing of their own */
	strcpy(t, "untouched");
	CHECK(!recordtext_str(rex_field("status"), str("inconnu"), false, t, sizeof t));
	CHECK(!recordtext_str(rex_field("context"), str("Texte"), false, t, sizeof t));
	CHECK(!recordtext_str(NULL, str("etalab-2.0"), false, t, sizeof t));
	CHECK_EQ_STR(t, "untouched");
}

static void test_dates(void)
{
	char t[RECORDTEXT_CAP];
	const proto_record_field *period = rex_field("period");
	const proto_record_field *start = proto_record_field_find(period->obj->fields, "start");
	CHECK(recordtext_str(start, str("2024-03-01"), false, t, sizeof t));
	CHECK_EQ_STR(t, "1er mars 2024");
	CHECK(recordtext_str(start, str("2024-03-01"), true, t, sizeof t));
	CHECK_EQ_STR(t, "1 March 2024");
	CHECK(!recordtext_str(start, str("2024-02-30"), false, t, sizeof t));

	proto_value *p = proto_value_new(&A, PROTO_V_MAP);
	put(p, "start", str("2024-03-01"));
	CHECK(recordtext_period(period->obj, p, false, t, sizeof t));
	CHECK_EQ_STR(t, "depuis le 1er mars 2024");
	put(p, "end", str("2025-02-28"));
	CHECK(recordtext_period(period->obj, p, false, t, sizeof t));
	CHECK_EQ_STR(t, "du 1er mars 2024 au 28 février 2025");
	CHECK(recordtext_period(period->obj, p, true, t, sizeof t));
	CHECK_EQ_STR(t, "from 1 March 2024 to 28 February 2025");
	/* not a period: the cost object; not a date */
	CHECK(!recordtext_period(rex_field("cost")->obj, p, false, t, sizeof t));
	proto_value *bad = proto_value_new(&A, PROTO_V_MAP);
	put(bad, "start", str("mars 2024"));
	CHECK(!recordtext_period(period->obj, bad, false, t, sizeof t));
}

static void test_numbers(void)
{
	char t[RECORDTEXT_CAP];
	const proto_record_field *amount =
	    proto_record_field_find(rex_field("cost")->obj->fields, "amount");
	CHECK(recordtext_number(amount, num(68000), false, t, sizeof t));
	CHECK_EQ_STR(t, "68\u202f000");
	CHECK(recordtext_number(amount, num(1234567), true, t, sizeof t));
	CHECK_EQ_STR(t, "1,234,567");
	CHECK(recordtext_number(amount, num(999), true, t, sizeof t));
	CHECK_EQ_STR(t, "999");
	const proto_record_field *value =
	    proto_record_field_find(rex_field("indicators")->obj->fields, "value");
	CHECK(recordtext_number(value, num(-1500), false, t, sizeof t));
	CHECK_EQ_STR(t, "-1\u202f500");
	CHECK(recordtext_number(value, num(INT64_MIN), true, t, sizeof t));
	CHECK_EQ_STR(t, "-9,223,372,036,854,775,808");
	CHECK(recordtext_number(rex_field("rating"), num(3), false, t, sizeof t));
	CHECK_EQ_STR(t, "3 sur 4");
	CHECK(recordtext_number(rex_field("rating"), num(3), true, t, sizeof t));
	CHECK_EQ_STR(t, "3 out of 4");
	CHECK(!recordtext_number(rex_field("rating"), str("3"), true, t, sizeof t));
	CHECK(!recordtext_number(rex_field("status"), num(3), true, t, sizeof t));
}

typedef struct seen {
	const char *keys[16];
	bool known[16], hidden[16];
	size_t n;
} seen;

static void see_field(const proto_record_field *f, const char *key, const proto_value *v,
                      void *ctx)
{
	(void)v;
	seen *s = ctx;
	CHECK(s->n < 16);
	s->known[s->n] = f != NULL;
	s->keys[s->n++] = key;
}

static void see_member(const proto_record_field *m, const char *key, const proto_value *v,
                       bool hidden, void *ctx)
{
	seen *s = ctx;
	s->hidden[s->n] = hidden;
	see_field(m, key, v, ctx);
}

static void test_order(void)
{
	proto_value *b = proto_value_new(&A, PROTO_V_MAP);
	put(b, "zorglub", num(1));
	put(b, "status", str("production"));
	put(b, "title", str("Titre"));
	put(b, "rating", num(3));
	put(b, "type", str("rex"));
	proto_value *p = proto_value_new(&A, PROTO_V_MAP);
	put(p, "start", str("2024-03-01"));
	put(b, "period", p);
	seen s = { 0 };
	recordtext_fields(b, "rex", see_field, &s);
	/* the type's own fields in the table's order, then the common ones, then the others;
	 * the heading's (title) and type left out */
	CHECK_EQ_INT((int)s.n, 4);
	CHECK_EQ_STR(s.keys[0], "period");
	CHECK_EQ_STR(s.keys[1], "rating");
	CHECK_EQ_STR(s.keys[2], "status");
	CHECK_EQ_STR(s.keys[3], "zorglub");
	CHECK(s.known[0] && s.known[2] && !s.known[3]);

	/* a contact that is not public: its address is hidden; members in the table's order */
	const proto_record_field *contacts = rex_field("contacts");
	proto_value *c = proto_value_new(&A, PROTO_V_MAP);
	put(c, "couleur", str("bleu"));
	put(c, "public", &(proto_value){ .type = PROTO_V_BOOL, .u.b = false });
	put(c, "email", str("rh@exemple.fr"));
	put(c, "name", str("Pôle RH"));
	seen m = { 0 };
	recordtext_members(contacts->obj, c, see_member, &m);
	CHECK_EQ_INT((int)m.n, 4);
	CHECK_EQ_STR(m.keys[0], "name");
	CHECK_EQ_STR(m.keys[1], "email");
	CHECK(m.hidden[1] && !m.hidden[0]);
	CHECK_EQ_STR(m.keys[3], "couleur");
	CHECK(!m.known[3]);
	proto_arena_done(&A);
}

CHECK_MAIN(test_labels, test_dates, test_numbers, test_order)
