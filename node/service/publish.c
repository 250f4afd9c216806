/* node/service/publish.c: how a node writes its own entries (publish.h): the timestamp that
 * lets an edit win, the body's encoding, the signature, the put. */
#include "publish.h"

#include <stdlib.h>
#include <string.h>

#include "proto/error.h"

void publish_capref(const uint8_t member[PROTO_KEY_LEN], char ret[PUBLISH_CAPREF_CAP])
{
	memcpy(ret, PROTO_MEMBERS_PREFIX, sizeof PROTO_MEMBERS_PREFIX - 1);
	proto_hex(member, PROTO_KEY_LEN, ret + sizeof PROTO_MEMBERS_PREFIX - 1);
}

uint64_t publish_timestamp(store *st, const uint8_t territory[PROTO_KEY_LEN], const char *path,
                           uint64_t now_us)
{
	store_row row;
	if (store_entry_get(st, territory, path, &row) == 0) {
		if (row.entry.timestamp >= now_us)
			now_us = row.entry.timestamp + 1;
		store_row_done(&row);
	}
	return now_us;
}

int publish_put(store *st, const publish_signer *s, const char *path, int kind, const uint8_t *body,
                size_t body_len, uint64_t now_us, uint8_t ret_id[PROTO_ID_LEN])
{
	proto_entry e;
	memset(&e, 0, sizeof e);
	memcpy(e.territory, s->territory, PROTO_KEY_LEN);
	memcpy(e.signer, s->sk + PROTO_SECRET_KEY_LEN - PROTO_KEY_LEN, PROTO_KEY_LEN);
	if (s->capref) {
		e.capref = s->capref;
		e.capref_len = strlen(s->capref);
	}
	e.path = path;
	e.path_len = strlen(path);
	e.timestamp = publish_timestamp(st, s->territory, path, now_us);
	e.kind = (uint8_t)kind;
	e.body = body;
	e.body_len = body_len;
	uint8_t *raw;
	size_t len;
	int r = proto_entry_encode(&e, s->sk, &raw, &len);
	if (r)
		return r;
	r = store_entry_put(st, raw, len, now_us, NULL);
	if (!r && ret_id)
		proto_entry_id(raw, len, ret_id);
	free(raw);
	return r;
}

int publish_node_dir(node_dir *nd, const char *path, int kind, const uint8_t *body, size_t body_len,
                     uint64_t now_us, uint8_t ret_id[PROTO_ID_LEN])
{
	if (nd->member && !nd->has_territory)
		return MAILLE_ESTATE;
	char capref[PUBLISH_CAPREF_CAP];
	publish_signer s = { .territory = nd->territory, .sk = nd->sk, .capref = NULL };
	if (nd->member) {
		publish_capref(nd->pk, capref);
		s.capref = capref;
	}
	return publish_put(nd->st, &s, path, kind, body, body_len, now_us, ret_id);
}

void publish_vouch_path(const uint8_t key[PROTO_KEY_LEN], char ret[PUBLISH_VOUCH_PATH_CAP])
{
	memcpy(ret, PROTO_VOUCHES_PREFIX, sizeof PROTO_VOUCHES_PREFIX - 1);
	proto_hex(key, PROTO_KEY_LEN, ret + sizeof PROTO_VOUCHES_PREFIX - 1);
}

int publish_vouch(node_dir *nd, const uint8_t key[PROTO_KEY_LEN], bool active, uint64_t now_us,
                  uint8_t ret_id[PROTO_ID_LEN])
{
	/* {"type": "vouch"}: fixmap(1), fixstr "type", fixstr "vouch" — canonical as written; a
	 * tombstone's body is the empty map */
	static const uint8_t vouch[] = { 0x81, 0xa4, 't', 'y', 'p', 'e',
		                         0xa5, 'v',  'o', 'u', 'c', 'h' };
	static const uint8_t empty_map = 0x80;
	char path[PUBLISH_VOUCH_PATH_CAP];
	publish_vouch_path(key, path);
	if (active)
		return publish_node_dir(nd, path, PROTO_KIND_DOCUMENT, vouch, sizeof vouch, now_us,
		                        ret_id);
	return publish_node_dir(nd, path, PROTO_KIND_TOMBSTONE, &empty_map, 1, now_us, ret_id);
}

int publish_encode_body(proto_value *body, uint8_t **ret, size_t *ret_len)
{
	/* the entry adds at most ~400 bytes of envelope to the body */
	return proto_value_encode(body, PROTO_ENTRY_MAX - 512, ret, ret_len);
}
