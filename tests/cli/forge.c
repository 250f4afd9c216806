/* tests/cli/forge.c: signs and stores an entry whose body is any JSON document, with a node's
 * own key, bypassing every check of `maille publish` (front matter, schema, reserved paths).
 *
 * usage: cli-forge --dir DIR --path PATH --body JSON
 * JSON objects become maps, arrays arrays, strings strings (any code point JSON can say,
 * control characters included), integers, reals, true, false and null themselves. Prints the
 * entry id. A test tool, never installed: what it makes is what a peer running other software
 * can send, and the CLI must show it safely whatever the schema refuses. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "nodecli.h"
#include "proto/error.h"
#include "proto/value.h"

static proto_value *from_json(proto_arena *a, const json_t *j)
{
	proto_value *v = NULL;
	switch (json_typeof(j)) {
	case JSON_OBJECT: {
		v = proto_value_new(a, PROTO_V_MAP);
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)j, k, x)
		{
			proto_value *slot = v ? proto_value_map_put(a, v, k, strlen(k)) : NULL;
			proto_value *c = from_json(a, x);
			if (!slot || !c)
				return NULL;
			*slot = *c;
		}
		return v;
	}
	case JSON_ARRAY: {
		v = proto_value_new(a, PROTO_V_ARRAY);
		size_t i;
		json_t *x;
		json_array_foreach(j, i, x)
		{
			proto_value *slot = v ? proto_value_array_push(a, v) : NULL;
			proto_value *c = from_json(a, x);
			if (!slot || !c)
				return NULL;
			*slot = *c;
		}
		return v;
	}
	case JSON_STRING:
		return proto_value_new_str(a, json_string_value(j), json_string_length(j));
	case JSON_INTEGER:
		if ((v = proto_value_new(a, PROTO_V_INT)))
			v->u.i = (int64_t)json_integer_value(j);
		return v;
	case JSON_REAL:
		if ((v = proto_value_new(a, PROTO_V_FLOAT)))
			v->u.f = json_real_value(j);
		return v;
	case JSON_TRUE:
	case JSON_FALSE:
		if ((v = proto_value_new(a, PROTO_V_BOOL)))
			v->u.b = json_is_true(j);
		return v;
	case JSON_NULL:
		return proto_value_new(a, PROTO_V_NIL);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *dir = NULL, *path = NULL, *body_json = NULL;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--dir") == 0)
			dir = argv[i + 1];
		else if (strcmp(argv[i], "--path") == 0)
			path = argv[i + 1];
		else if (strcmp(argv[i], "--body") == 0)
			body_json = argv[i + 1];
	}
	if (argc != 7 || !dir || !path || !body_json) {
		fputs("usage: cli-forge --dir DIR --path PATH --body JSON\n", stderr);
		return 2;
	}
	if (proto_init() != 0)
		return 1;
	json_error_t jerr;
	json_t *j = json_loads(body_json, 0, &jerr);
	if (!j || !json_is_object(j)) {
		fprintf(stderr, "cli-forge: --body is not a JSON object: %s\n", jerr.text);
		json_decref(j);
		return 2;
	}
	proto_arena a;
	proto_arena_init(&a, 0);
	proto_value *body = from_json(&a, j);
	json_decref(j);
	uint8_t *enc = NULL;
	size_t len = 0;
	int r = body ? proto_value_encode(body, PROTO_ENTRY_MAX - 512, &enc, &len) : MAILLE_ENOMEM;
	proto_arena_done(&a);
	if (r) {
		fprintf(stderr, "cli-forge: cannot encode the body: %s\n", maille_strerror(r));
		return 1;
	}
	node_dir nd;
	if (cli_node_open(&nd, dir)) {
		free(enc);
		return 1;
	}
	uint8_t id[PROTO_ID_LEN];
	r = cli_publish(&nd, path, PROTO_KIND_DOCUMENT, enc, len, id);
	free(enc);
	node_dir_close(&nd);
	if (r) {
		fprintf(stderr, "cli-forge: cannot store %s: %s\n", path, maille_strerror(r));
		return 1;
	}
	char hex[2 * PROTO_ID_LEN + 1];
	proto_hex(id, PROTO_ID_LEN, hex);
	printf("%s\n", hex);
	return 0;
}
