/* tools/cli/sign.c: how the CLI writes this node's entries (init, publish, delete, member,
 * vouch, join): who may write, the timestamp, the body's encoding, the signature. */
#include "node/service/publish.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "node/service/nodedir.h"
#include "proto/error.h"
#include "proto/member.h"
#include "proto/value.h"

/* sign.h: the timestamp of a new version wins the live-set order. */
uint64_t next_timestamp(store *st, const uint8_t territory[PROTO_KEY_LEN], const char *path)
{
	uint64_t now = cli_now_us();
	store_row row;
	if (store_entry_get(st, territory, path, &row) == 0) {
		if (row.entry.timestamp >= now)
			now = row.entry.timestamp + 1;
		store_row_done(&row);
	}
	return now;
}

/* sign.h */
int sign_and_put(node_dir *nd, const char *path, int kind, const uint8_t *body, size_t body_len,
                 uint8_t ret_id[PROTO_ID_LEN])
{
	proto_entry e;
	char capref[sizeof PROTO_MEMBERS_PREFIX + 2 * PROTO_KEY_LEN];
	memset(&e, 0, sizeof e);
	if (nd->member && !nd->has_territory)
		return MAILLE_ESTATE;
	memcpy(e.territory, nd->territory, PROTO_KEY_LEN);
	memcpy(e.signer, nd->pk, PROTO_KEY_LEN);
	if (nd->member) {
		/* a member's entry names its capability by path (PROTOCOL.md §4.3) */
		memcpy(capref, PROTO_MEMBERS_PREFIX, sizeof PROTO_MEMBERS_PREFIX - 1);
		proto_hex(nd->pk, PROTO_KEY_LEN, capref + sizeof PROTO_MEMBERS_PREFIX - 1);
		e.capref = capref;
		e.capref_len = strlen(capref);
	}
	e.path = path;
	e.path_len = strlen(path);
	e.timestamp = next_timestamp(nd->st, nd->territory, path);
	e.kind = (uint8_t)kind;
	e.body = body;
	e.body_len = body_len;
	uint8_t *raw;
	size_t len;
	int r = proto_entry_encode(&e, nd->sk, &raw, &len);
	if (r)
		return r;
	proto_entry_id(raw, len, ret_id);
	int result;
	r = store_entry_put(nd->st, raw, len, cli_now_us(), &result);
	free(raw);
	return r;
}

/* sign.h */
int encode_body(proto_value *body, uint8_t **ret, size_t *ret_len)
{
	/* the entry adds at most ~400 bytes of envelope to the body */
	return proto_value_encode(body, PROTO_ENTRY_MAX - 512, ret, ret_len);
}

/* ---- the member node's side ----------------------------------------------------------------- */

int member_can_write(const node_dir *nd, const char *cmd)
{
	if (!nd->member)
		return 0;
	if (!nd->has_territory) {
		char hex[2 * PROTO_KEY_LEN + 1];
		proto_hex(nd->pk, PROTO_KEY_LEN, hex);
		cli_error("%s: this member node has no capability in force yet, so it cannot write "
		          "for a territory. Ask your territory's administrator to run, on the "
		          "territory's node:",
		          cmd);
		cli_error_line("  maille member add %s --name \"YOUR NAME\"", hex);
		cli_error_line("then sync (maille sync HOST:PORT, or let the daemon do it) and try "
		               "again.");
		return EXIT_FAIL;
	}
	return 0;
}
