/* tests/unit/node/test_extensions.c: a stored record's unknown top-level fields moved under
 * `extensions` (node/service/extensions.h), after which the record validates; what cannot move
 * stays where it was. */
#include <string.h>

#include "check.h"
#include "node/service/extensions.h"
#include "proto/error.h"
#include "proto/schema.h"
#include "proto/value.h"

static proto_arena A;

static void put_str(proto_value *m, const char *k, const char *v)
{
	*proto_value_map_put(&A, m, k, strlen(k)) = *proto_value_new_str(&A, v, strlen(v));
}

/* A valid methodology, as the sample records write one. */
static proto_value *methodology(void)
{
	proto_value *b = proto_value_new(&A, PROTO_V_MAP);
	put_str(b, "type", "methodology");
	put_str(b, "title", "Charte de la donnée");
	put_str(b, "summary", "Une charte.");
	put_str(b, "description", "Le texte.");
	proto_value *themes = proto_value_new(&A, PROTO_V_ARRAY);
	*proto_value_array_push(&A, themes) = *proto_value_new_str(&A, "donnees", 7);
	*proto_value_map_put(&A, b, "themes", 6) = *themes;
	put_str(b, "status", "production");
	put_str(b, "method_kind", "charter");
	proto_value *covers = proto_value_new(&A, PROTO_V_ARRAY);
	*proto_value_array_push(&A, covers) = *proto_value_new_str(&A, "transparency", 12);
	*proto_value_map_put(&A, b, "covers", 6) = *covers;
	proto_schema_normalize(b, &A);
	return b;
}

static void test_moved(void)
{
	static proto_schema_report rep;
	proto_arena_init(&A, 0);
	proto_value *b = methodology();
	CHECK_EQ_INT(proto_schema_validate(b, &rep), 0);
	put_str(b, "couleur", "bleu");
	put_str(b, "service_pilote", "DSI");
	CHECK_EQ_INT(proto_schema_validate(b, &rep), MAILLE_ESCHEMA);
	CHECK_EQ_INT(rep.n_errors, 2);
	CHECK_EQ_INT(extensions_adopt_unknown(b, &A), 0);
	CHECK_EQ_INT(proto_schema_validate(b, &rep), 0);
	CHECK(proto_map_get(b, "couleur") == NULL);
	const proto_value *ext = proto_map_get(b, "extensions");
	CHECK(ext && ext->type == PROTO_V_MAP);
	CHECK_EQ_STR(proto_map_get(ext, "couleur")->u.str.ptr, "bleu");
	CHECK_EQ_STR(proto_map_get(ext, "service_pilote")->u.str.ptr, "DSI");
	CHECK_EQ_STR(proto_map_get(b, "status")->u.str.ptr, "production");
	/* nothing more to move: the same body */
	size_t n = b->u.map.n;
	CHECK_EQ_INT(extensions_adopt_unknown(b, &A), 0);
	CHECK_EQ_INT(b->u.map.n, n);
	proto_arena_done(&A);
}

static void test_kept(void)
{
	proto_arena_init(&A, 0);
	/* extensions already has the key: it stays, and validation names it */
	proto_value *b = methodology();
	proto_value *ext = proto_value_new(&A, PROTO_V_MAP);
	put_str(ext, "couleur", "rouge");
	*proto_value_map_put(&A, b, "extensions", 10) = *ext;
	put_str(b, "couleur", "bleu");
	put_str(b, "autre", "x");
	CHECK_EQ_INT(extensions_adopt_unknown(b, &A), 0);
	CHECK_EQ_STR(proto_map_get(b, "couleur")->u.str.ptr, "bleu");
	CHECK_EQ_STR(proto_map_get(proto_map_get(b, "extensions"), "couleur")->u.str.ptr, "rouge");
	CHECK_EQ_STR(proto_map_get(proto_map_get(b, "extensions"), "autre")->u.str.ptr, "x");
	CHECK_EQ_INT(proto_schema_validate(b, NULL), MAILLE_ESCHEMA);
	/* extensions that is not a map: nothing moves */
	b = methodology();
	put_str(b, "extensions", "texte");
	put_str(b, "couleur", "bleu");
	CHECK_EQ_INT(extensions_adopt_unknown(b, &A), 0);
	CHECK_EQ_STR(proto_map_get(b, "couleur")->u.str.ptr, "bleu");
	/* an unknown or federation type: left alone */
	b = proto_value_new(&A, PROTO_V_MAP);
	put_str(b, "type", "vouch");
	put_str(b, "couleur", "bleu");
	CHECK_EQ_INT(extensions_adopt_unknown(b, &A), 0);
	CHECK(proto_map_get(b, "extensions") == NULL);
	put_str(b, "type", "recette");
	CHECK_EQ_INT(extensions_adopt_unknown(b, &A), 0);
	CHECK(proto_map_get(b, "extensions") == NULL);
	proto_arena_done(&A);
}

CHECK_MAIN(test_moved, test_kept)
