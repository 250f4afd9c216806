/* node/service/json.c: see json.h. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "json.h"
#include "proto/entry.h"
#include "proto/record.h"

json_t *node_value_json(const proto_value *v)
{
	switch (v->type) {
	case PROTO_V_NIL:
		return json_null();
	case PROTO_V_BOOL:
		return json_boolean(v->u.b);
	case PROTO_V_INT:
		return json_integer((json_int_t)v->u.i);
	case PROTO_V_FLOAT:
		return json_real(v->u.f);
	case PROTO_V_STR:
		return json_stringn(v->u.str.ptr, v->u.str.len);
	case PROTO_V_BIN: {
		char *hex = malloc(v->u.bin.len * 2 + 1);
		if (!hex)
			return NULL;
		proto_hex(v->u.bin.ptr, v->u.bin.len, hex);
		json_t *s = json_string(hex);
		free(hex);
		return s;
	}
	case PROTO_V_ARRAY: {
		json_t *a = json_array();
		for (size_t i = 0; a && i < v->u.arr.n; i++)
			json_array_append_new(a, node_value_json(&v->u.arr.items[i]));
		return a;
	}
	case PROTO_V_MAP: {
		json_t *o = json_object();
		for (size_t i = 0; o && i < v->u.map.n; i++) {
			const proto_kv *kv = &v->u.map.items[i];
			json_object_setn_new(o, kv->key, kv->key_len, node_value_json(&kv->val));
		}
		return o;
	}
	}
	return NULL;
}

/* Drops, in place, the address of every contact that says it may not be shown (`public`
 * false), at any depth. */
static void drop_private_addresses(json_t *v)
{
	const char *key;
	json_t *m;
	size_t i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, m)
			drop_private_addresses(m);
	} else if (json_is_object(v)) {
		if (json_is_false(json_object_get(v, PROTO_F_PUBLIC)))
			json_object_del(v, PROTO_F_EMAIL);
		json_object_foreach(v, key, m)
			drop_private_addresses(m);
	}
}

json_t *node_value_json_public(const proto_value *v)
{
	json_t *j = node_value_json(v);
	if (j)
		drop_private_addresses(j);
	return j;
}

json_t *node_themes_json(const proto_value *body)
{
	const proto_value *th = proto_map_get(body, PROTO_F_THEMES);
	json_t *arr = json_array();
	const char *t;
	for (size_t i = 0; arr && (t = proto_record_theme(th, i)) != NULL; i++)
		json_array_append_new(arr, json_string(t));
	return arr;
}

void node_time_utc(uint64_t us, int style, char *ret, size_t cap)
{
	time_t secs = (time_t)(us / 1000000u);
	struct tm tm;
	if (!gmtime_r(&secs, &tm)) {
		snprintf(ret, cap, "?");
	} else if (style == NODE_TIME_MINUTE) {
		strftime(ret, cap, "%Y-%m-%d %H:%M UTC", &tm);
	} else {
		char date[32];
		strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(ret, cap, "%s.%06uZ", date, (unsigned)(us % 1000000u));
	}
}
