/* node/service/own_territory.c: the publishing territory as a record's `territories`
 * (own_territory.h). */
#include "node/service/own_territory.h"

#include <string.h>
#include <time.h>

#include "proto/error.h"
#include "proto/record.h"

/* The territory level (proto/record_common.c's territory_levels) of a territory kind
 * (proto/record_territory.c's territory_kinds), and whether its code is its SIREN (an EPCI's
 * code) rather than its COG; NULL for the kinds that are no territory level. */
static const char *kind_level(const char *kind, bool *ret_siren)
{
	static const struct {
		const char *kind, *level;
		bool siren;
	} map[] = {
		{ "commune", "commune", false },         { "epci", "epci", true },
		{ "metropole", "epci", true },           { "departement", "departement", false },
		{ "region", "region", false },
	};
	for (size_t i = 0; kind && i < sizeof map / sizeof map[0]; i++)
		if (strcmp(kind, map[i].kind) == 0) {
			*ret_siren = map[i].siren;
			return map[i].level;
		}
	return NULL;
}

static const char *str_of(const proto_value *v)
{
	return v && v->type == PROTO_V_STR && v->u.str.len ? v->u.str.ptr : NULL;
}

static proto_value *put_str(proto_arena *a, proto_value *map, const char *key, const char *s)
{
	proto_value *slot = proto_value_map_put(a, map, key, strlen(key));
	proto_value *v = proto_value_new_str(a, s, strlen(s));
	if (!slot || !v)
		return NULL;
	*slot = *v;
	return slot;
}

int own_territory_fill(proto_value *body, proto_arena *a, const proto_value *terr, int year)
{
	const proto_value *t = proto_map_get(body, PROTO_F_TYPE), *cur;
	const proto_record_type *rt =
	    str_of(t) ? proto_record_type_find(t->u.str.ptr, t->u.str.len) : NULL;
	if (!rt || rt->cls != PROTO_RC_CATALOGUE || !terr || terr->type != PROTO_V_MAP)
		return 0;
	const proto_record_field *f = proto_record_field_find(proto_record_common, "territories");
	cur = f ? proto_map_get(body, f->name) : NULL;
	if (!f || (cur && cur->type != PROTO_V_NIL))
		return 0;
	bool siren = false;
	const char *level = kind_level(str_of(proto_map_get(terr, PROTO_F_KIND)), &siren);
	const char *code = str_of(proto_map_get(terr, siren ? PROTO_F_SIREN : PROTO_F_COG));
	const char *label = proto_langmap_pick(proto_map_get(terr, PROTO_F_NAME), "fr");
	if (!level || !code || !label || !*label)
		return 0;
	/* built apart, then put: a failure leaves body as it was */
	proto_value *ref = proto_value_new(a, PROTO_V_MAP), *list = proto_value_new(a, PROTO_V_ARRAY);
	if (!ref || !list || !put_str(a, ref, "level", level) || !put_str(a, ref, "code", code))
		return MAILLE_ENOMEM;
	proto_value *y = proto_value_map_put(a, ref, "cog_year", strlen("cog_year"));
	if (!y || !put_str(a, ref, "label", label))
		return MAILLE_ENOMEM;
	y->type = PROTO_V_INT;
	y->u.i = year;
	proto_value *item = proto_value_array_push(a, list);
	if (!item)
		return MAILLE_ENOMEM;
	*item = *ref;
	proto_value *slot = proto_value_map_put(a, body, f->name, strlen(f->name));
	if (!slot)
		return MAILLE_ENOMEM;
	*slot = *list;
	return 0;
}

void own_territory_read(store *st, const uint8_t territory[PROTO_KEY_LEN], proto_arena *a,
                        uint64_t now_us, const proto_value **ret_terr, int *ret_year)
{
	time_t secs = (time_t)(now_us / 1000000u);
	struct tm tm;
	*ret_year = gmtime_r(&secs, &tm) ? tm.tm_year + 1900 : 2026;
	*ret_terr = NULL;
	store_row row;
	proto_value *terr = NULL;
	if (!st || store_entry_get(st, territory, "territory", &row) != 0)
		return;
	if (row.entry.kind == PROTO_KIND_DOCUMENT &&
	    proto_value_decode(row.entry.body, row.entry.body_len, a, &terr) == 0)
		*ret_terr = terr;
	store_row_done(&row);
}

int own_territory_fill_from_store(proto_value *body, proto_arena *a, store *st,
                                  const uint8_t territory[PROTO_KEY_LEN], uint64_t now_us)
{
	const proto_value *terr;
	int year;
	own_territory_read(st, territory, a, now_us, &terr, &year);
	return terr ? own_territory_fill(body, a, terr, year) : 0;
}
