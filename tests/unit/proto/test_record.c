/* tests/unit/proto/test_record.c: the record tables (proto/record.h): every field is described
 * in full, the vocabularies and schema.h's plain lists agree, lookups, conditions, themes. */
#include <stdbool.h>
#include <string.h>

#include "check.h"
#include "proto/record.h"
#include "proto/schema.h"

static bool text_ok(proto_fr_en t)
{
	return t.fr && *t.fr && t.en && *t.en;
}

static void check_vocab(const proto_vocab *v)
{
	CHECK(v->name && *v->name);
	CHECK(v->terms[0].value != NULL);
	for (const proto_vocab_term *t = v->terms; t->value; t++)
		CHECK(text_ok(t->label));
}

/* Every field of fields (and of its nested tables) has labels and help in both languages, and
 * what its widget and kind need. */
static void check_table(const proto_record_field *fields, unsigned depth)
{
	CHECK(depth < 4);
	for (const proto_record_field *f = fields; f && f->name; f++) {
		if (!text_ok(f->label) || !text_ok(f->help))
			fprintf(stderr, "field %s: label or help missing\n", f->name);
		CHECK(text_ok(f->label));
		CHECK(text_ok(f->help));
		bool vocab_kind = f->kind == PROTO_FK_ENUM || f->kind == PROTO_FK_ENUMLIST ||
		                  f->kind == PROTO_FK_THEMES;
		CHECK_EQ_INT(vocab_kind, f->vocab != NULL);
		if (f->vocab)
			check_vocab(f->vocab);
		bool obj_kind = f->kind == PROTO_FK_OBJ || f->kind == PROTO_FK_OBJLIST;
		CHECK_EQ_INT(obj_kind, f->obj != NULL);
		if (f->widget == PROTO_W_SELECT || f->widget == PROTO_W_CHECKS)
			CHECK(f->vocab != NULL);
		if (f->widget == PROTO_W_GROUPS)
			CHECK(f->form_name != NULL && f->kind == PROTO_FK_OBJLIST && text_ok(f->item));
		if (f->widget == PROTO_W_INLINE)
			CHECK(f->kind == PROTO_FK_OBJ);
		CHECK_EQ_INT(f->widget != PROTO_W_NONE, f->form != 0);
		if (f->cond)
			CHECK(proto_record_field_find(fields, f->cond->field) != NULL);
		if (f->obj)
			check_table(f->obj->fields, depth + 1);
	}
}

static void test_tables_complete(void)
{
	CHECK_EQ_INT(proto_record_n_types, 13);
	check_table(proto_record_common, 0);
	for (size_t i = 0; i < proto_record_n_types; i++) {
		const proto_record_type *t = &proto_record_types[i];
		CHECK_EQ_STR(t->name, proto_schema_types[i]);
		CHECK(text_ok(t->label) && text_ok(t->help));
		check_table(t->fields, 0);
		CHECK(t->cls == PROTO_RC_FEDERATION || t->fields != NULL);
	}
	CHECK(proto_schema_types[proto_record_n_types] == NULL);
}

static void test_plain_lists_agree(void)
{
	size_t i = 0;
	for (; proto_vocab_themes.terms[i].value; i++)
		CHECK_EQ_STR(proto_schema_themes[i], proto_vocab_themes.terms[i].value);
	CHECK(proto_schema_themes[i] == NULL);
	for (i = 0; proto_vocab_statuses.terms[i].value; i++)
		CHECK_EQ_STR(proto_schema_statuses[i], proto_vocab_statuses.terms[i].value);
	CHECK(proto_schema_statuses[i] == NULL);
}

static void test_labels(void)
{
	CHECK_EQ_STR(proto_record_label("use_case", false), "Cas d'usage");
	CHECK_EQ_STR(proto_record_label("use_case", true), "Use case");
	CHECK_EQ_STR(proto_record_label("themes", false), "Thèmes");
	CHECK_EQ_STR(proto_record_label("mitigation", false), "Atténuation"); /* nested */
	CHECK_EQ_STR(proto_record_label("pilot", false), "Expérimentation");   /* a value */
	CHECK_EQ_STR(proto_record_label("do_not_recommend", true), "Not recommended");
	/* a field and a value of the same name: the field's label */
	CHECK_EQ_STR(proto_record_label("evaluation", false), "Évaluation");
	CHECK(proto_record_label("no-such-name", false) == NULL);
	CHECK(proto_record_label(NULL, false) == NULL);
	CHECK_EQ_STR(proto_vocab_label(&proto_vocab_statuses, "retired", false), "Arrêté");
	CHECK(proto_vocab_label(&proto_vocab_statuses, "ia-democratie", false) == NULL);
}

static void test_lookups(void)
{
	const proto_record_type *uc = proto_record_type_find("use_case", 8);
	CHECK(uc != NULL);
	CHECK(proto_record_type_find("use_cas", 7) == NULL);
	CHECK(proto_record_type_field(uc, "purpose") != NULL);
	CHECK(proto_record_type_field(uc, PROTO_F_TITLE) != NULL); /* common */
	const proto_record_type *terr = proto_record_type_find("territory", 9);
	CHECK(proto_record_type_field(terr, PROTO_F_TITLE) == NULL); /* no common fields */
	CHECK_EQ_STR(proto_record_filter_field(NULL, PROTO_FILTER_STATUS), PROTO_F_STATUS);
	CHECK_EQ_STR(proto_record_filter_field(NULL, PROTO_FILTER_THEMES), PROTO_F_THEMES);
	CHECK_EQ_STR(proto_record_filter_field(NULL, PROTO_FILTER_LICENCE), PROTO_F_CONTENT_LICENCE);
	CHECK_EQ_STR(proto_record_filter_field(NULL, PROTO_FILTER_SW_LICENCE), "licence");
	char list[256];
	proto_record_type_list(list, sizeof list, true);
	CHECK_EQ_STR(list, "methodology, use_case, component, rex, call, label");
	proto_record_type_list(list, sizeof list, false);
	CHECK_EQ_STR(list, "methodology, use_case, component, rex, call, label, interest, award, "
	                   "comment, territory, member, vouch, node");
}

static void test_conditions(void)
{
	proto_arena a;
	proto_arena_init(&a, 0);
	const proto_record_type *uc = proto_record_type_find("use_case", 8);
	const proto_record_field *recourse = proto_record_type_field(uc, "recourse");
	proto_value *body = proto_value_new(&a, PROTO_V_MAP);
	CHECK_EQ_INT(proto_record_presence(recourse, body), PROTO_OPTIONAL);
	proto_value *b = proto_value_map_put(&a, body, "individual_decisions", 20);
	b->type = PROTO_V_BOOL;
	b->u.b = true;
	CHECK_EQ_INT(proto_record_presence(recourse, body), PROTO_REQUIRED);
	b->u.b = false;
	CHECK_EQ_INT(proto_record_presence(recourse, body), PROTO_OPTIONAL);

	const proto_record_type *co = proto_record_type_find("component", 9);
	const proto_record_field *repo = proto_record_type_field(co, "repository_url");
	proto_value *c = proto_value_new(&a, PROTO_V_MAP);
	*proto_value_map_put(&a, c, "component_kind", 14) = *proto_value_new_str(&a, "software", 8);
	CHECK_EQ_INT(proto_record_presence(repo, c), PROTO_REQUIRED);
	*proto_value_map_put(&a, c, "component_kind", 14) = *proto_value_new_str(&a, "dataset", 7);
	CHECK_EQ_INT(proto_record_presence(repo, c), PROTO_OPTIONAL);
	proto_arena_done(&a);
}

static void test_themes(void)
{
	proto_arena a;
	proto_arena_init(&a, 0);
	proto_value *one = proto_value_new_str(&a, "donnees", 7);
	CHECK_EQ_STR(proto_record_theme(one, 0), "donnees"); /* a single string: a list of one */
	CHECK(proto_record_theme(one, 1) == NULL);
	proto_value *list = proto_value_new(&a, PROTO_V_ARRAY);
	*proto_value_array_push(&a, list) = *proto_value_new_str(&a, "accessibilite", 13);
	proto_value_array_push(&a, list)->type = PROTO_V_INT; /* skipped */
	*proto_value_array_push(&a, list) = *proto_value_new_str(&a, "donnees", 7);
	CHECK_EQ_STR(proto_record_theme(list, 0), "accessibilite");
	CHECK_EQ_STR(proto_record_theme(list, 1), "donnees");
	CHECK(proto_record_theme(list, 2) == NULL);
	CHECK(proto_record_theme(NULL, 0) == NULL);
	proto_arena_done(&a);
}

static void test_search_columns(void)
{
	/* the store's index has these four columns, in this order, with today's weights */
	CHECK_EQ_STR(proto_search_columns[PROTO_SEARCH_TITLE].name, "title");
	CHECK_EQ_STR(proto_search_columns[PROTO_SEARCH_SUMMARY].name, "summary");
	CHECK_EQ_STR(proto_search_columns[PROTO_SEARCH_DESCRIPTION].name, "description");
	CHECK_EQ_STR(proto_search_columns[PROTO_SEARCH_KEYWORDS].name, "keywords");
	CHECK(proto_search_columns[PROTO_SEARCH_TITLE].weight == 10.0);
	CHECK(proto_search_columns[PROTO_SEARCH_KEYWORDS].weight == 3.0);
}

/* No two fields a reader sees side by side share a label: a type's top-level fields (its own
 * and the common ones), and the members of each nested table. */
static void check_distinct(const proto_record_field *const *tables, size_t n_tables)
{
	for (size_t ta = 0; ta < n_tables; ta++)
		for (const proto_record_field *a = tables[ta]; a && a->name; a++) {
			for (size_t tb = ta; tb < n_tables; tb++)
				for (const proto_record_field *b = tb == ta ? a + 1 : tables[tb];
				     b && b->name; b++)
					if (strcmp(a->label.fr, b->label.fr) == 0 ||
					    strcmp(a->label.en, b->label.en) == 0) {
						fprintf(stderr, "fields %s and %s share a label (%s / %s)\n",
						        a->name, b->name, a->label.fr, a->label.en);
						CHECK(false);
					}
			if (a->obj) {
				const proto_record_field *sub[1] = { a->obj->fields };
				check_distinct(sub, 1);
			}
		}
}

static void test_labels_distinct(void)
{
	for (size_t i = 0; i < proto_record_n_types; i++) {
		const proto_record_type *t = &proto_record_types[i];
		const proto_record_field *tables[2] = {
			t->fields, t->cls == PROTO_RC_CATALOGUE ? proto_record_common : NULL
		};
		check_distinct(tables, 2);
	}
}

CHECK_MAIN(test_tables_complete, test_plain_lists_agree, test_labels, test_lookups,
           test_conditions, test_themes, test_search_columns, test_labels_distinct)
