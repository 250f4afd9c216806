/* tests/unit/node/test_own_territory.c: the publishing territory as a record's `territories`
 * (node/service/own_territory.h): which territory records give a level and a code, and that
 * a record naming its territories, a record of another class or a territory without a code
 * is left as it is. */
#include <string.h>

#include "check.h"
#include "node/service/own_territory.h"
#include "proto/error.h"
#include "proto/value.h"

static proto_arena A;

static proto_value *str(const char *s)
{
	return proto_value_new_str(&A, s, strlen(s));
}

/* A map of up to three (key, string) pairs; a NULL key ends them. */
static proto_value *map2(const char *k1, const char *v1, const char *k2, const char *v2,
                         const char *k3, const char *v3)
{
	proto_value *m = proto_value_new(&A, PROTO_V_MAP);
	const char *kv[] = { k1, v1, k2, v2, k3, v3 };
	for (size_t i = 0; i < 6 && kv[i]; i += 2)
		*proto_value_map_put(&A, m, kv[i], strlen(kv[i])) = *str(kv[i + 1]);
	return m;
}

static proto_value *rex(void)
{
	return map2("type", "rex", "title", "Bilan", NULL, NULL);
}

static void expect_ref(const proto_value *body, const char *level, const char *code,
                       const char *label)
{
	const proto_value *t = proto_map_get(body, "territories");
	CHECK(t && t->type == PROTO_V_ARRAY && t->u.arr.n == 1);
	if (!t || t->type != PROTO_V_ARRAY || t->u.arr.n != 1)
		return;
	const proto_value *ref = &t->u.arr.items[0];
	CHECK_EQ_STR(proto_map_get(ref, "level")->u.str.ptr, level);
	CHECK_EQ_STR(proto_map_get(ref, "code")->u.str.ptr, code);
	CHECK_EQ_STR(proto_langmap_pick(proto_map_get(ref, "label"), "fr"), label);
	CHECK_EQ_INT(proto_map_get(ref, "cog_year")->u.i, 2026);
}

static void test_kinds(void)
{
	proto_arena_init(&A, 0);
	proto_value *b = rex();
	CHECK_EQ_INT(own_territory_fill(b, &A, map2("name", "Métropole de Lyon", "kind", "metropole",
	                                            "siren", "200046977"),
	                                2026),
	             0);
	expect_ref(b, "epci", "200046977", "Métropole de Lyon");

	b = rex();
	proto_value *lyon = map2("name", "Lyon", "kind", "commune", "cog", "69123");
	CHECK_EQ_INT(own_territory_fill(b, &A, lyon, 2026), 0);
	expect_ref(b, "commune", "69123", "Lyon");

	b = rex();
	proto_value *name = proto_value_new(&A, PROTO_V_MAP);
	*proto_value_map_put(&A, name, "fr", 2) = *str("Département du Rhône");
	proto_value *rhone = map2("kind", "departement", "cog", "69", NULL, NULL);
	*proto_value_map_put(&A, rhone, "name", 4) = *name;
	CHECK_EQ_INT(own_territory_fill(b, &A, rhone, 2026), 0);
	expect_ref(b, "departement", "69", "Département du Rhône");
	proto_arena_done(&A);
}

static void test_left_alone(void)
{
	proto_arena_init(&A, 0);
	proto_value *lyon = map2("name", "Lyon", "kind", "commune", "cog", "69123");
	/* no code for its level, or a kind that is no territory level */
	proto_value *b = rex();
	CHECK_EQ_INT(own_territory_fill(b, &A, map2("name", "Lyon", "kind", "commune", NULL, NULL),
	                                2026),
	             0);
	CHECK(proto_map_get(b, "territories") == NULL);
	CHECK_EQ_INT(own_territory_fill(b, &A, map2("name", "Les Amis", "kind", "association",
	                                            "siren", "123456789"),
	                                2026),
	             0);
	CHECK(proto_map_get(b, "territories") == NULL);
	/* a record that names its territories keeps them */
	b = rex();
	proto_value *own = proto_value_new(&A, PROTO_V_ARRAY);
	*proto_value_array_push(&A, own) = *map2("level", "region", "code", "84", NULL, NULL);
	*proto_value_map_put(&A, b, "territories", 11) = *own;
	CHECK_EQ_INT(own_territory_fill(b, &A, lyon, 2026), 0);
	CHECK_EQ_STR(proto_map_get(&proto_map_get(b, "territories")->u.arr.items[0], "code")
	                 ->u.str.ptr,
	             "84");
	/* a nil territories counts as absent */
	b = rex();
	proto_value_map_put(&A, b, "territories", 11)->type = PROTO_V_NIL;
	CHECK_EQ_INT(own_territory_fill(b, &A, lyon, 2026), 0);
	expect_ref(b, "commune", "69123", "Lyon");
	/* a territory record, a federation record, no type, no territory record */
	b = map2("type", "territory", "name", "Lyon", NULL, NULL);
	CHECK_EQ_INT(own_territory_fill(b, &A, lyon, 2026), 0);
	CHECK(proto_map_get(b, "territories") == NULL);
	b = map2("title", "Sans type", NULL, NULL, NULL, NULL);
	CHECK_EQ_INT(own_territory_fill(b, &A, lyon, 2026), 0);
	CHECK(proto_map_get(b, "territories") == NULL);
	b = rex();
	CHECK_EQ_INT(own_territory_fill(b, &A, NULL, 2026), 0);
	CHECK(proto_map_get(b, "territories") == NULL);
	proto_arena_done(&A);
}

CHECK_MAIN(test_kinds, test_left_alone)
