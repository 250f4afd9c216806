/* node/service/extensions.c: a stored record's unknown fields moved under `extensions`
 * (extensions.h). */
#include "node/service/extensions.h"

#include <string.h>

#include "proto/error.h"
#include "proto/limits.h"
#include "proto/record.h"

int extensions_adopt_unknown(proto_value *body, proto_arena *a)
{
	const proto_value *tv = proto_map_get(body, PROTO_F_TYPE);
	const proto_record_type *t =
	    tv && tv->type == PROTO_V_STR && tv->u.str.ptr
	        ? proto_record_type_find(tv->u.str.ptr, tv->u.str.len)
	        : NULL;
	if (!t || !t->fields)
		return 0;
	for (size_t i = 0; i < body->u.map.n;) {
		proto_kv *kv = &body->u.map.items[i];
		char key[PROTO_MAP_KEY_MAX + 1];
		if (!kv->key || kv->key_len > PROTO_MAP_KEY_MAX || memchr(kv->key, 0, kv->key_len)) {
			i++;
			continue;
		}
		memcpy(key, kv->key, kv->key_len);
		key[kv->key_len] = '\0';
		proto_value *ext = (proto_value *)proto_map_get(body, PROTO_F_EXTENSIONS);
		if (strcmp(key, PROTO_F_TYPE) == 0 || proto_record_type_field(t, key) ||
		    (ext && (ext->type != PROTO_V_MAP || proto_map_get(ext, key)))) {
			i++;
			continue;
		}
		proto_value val = kv->val;
		if (!ext) {
			proto_value *m = proto_value_new(a, PROTO_V_MAP);
			ext = m ? proto_value_map_put(a, body, PROTO_F_EXTENSIONS,
			                              strlen(PROTO_F_EXTENSIONS))
			        : NULL;
			if (!ext)
				return MAILLE_ENOMEM;
			*ext = *m;
		}
		proto_value *slot = proto_value_map_put(a, ext, key, strlen(key));
		if (!slot)
			return MAILLE_ENOMEM;
		*slot = val;
		proto_value_map_del(body, key); /* the next key is now at i */
	}
	return 0;
}
