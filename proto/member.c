/* proto/member.c: member capabilities and vouches (see member.h, PROTOCOL.md §4.2, §4.3). */
#include "member.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

#define KEY_HEX_LEN (2u * PROTO_KEY_LEN)
#define BODY_ARENA_FACTOR 4u /* a decoded body may take this many arena bytes per byte */
#define BODY_ARENA_BASE 4096u

bool proto_path_reserved(const char *path, size_t len)
{
	static const char *const prefixes[] = {PROTO_MEMBERS_PREFIX, PROTO_VOUCHES_PREFIX, "node/"};
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		size_t n = strlen(prefixes[i]);
		if (len >= n && memcmp(path, prefixes[i], n) == 0)
			return true;
	}
	return len == strlen("territory") && memcmp(path, "territory", len) == 0;
}

/* "<prefix><64 lowercase hex>" into key. Upper case is refused: one path per key. */
static bool path_key(const char *path, size_t len, const char *prefix, uint8_t key[PROTO_KEY_LEN])
{
	size_t n = strlen(prefix);
	if (len != n + KEY_HEX_LEN || memcmp(path, prefix, n) != 0)
		return false;
	for (size_t i = 0; i < KEY_HEX_LEN; i++) {
		char c = path[n + i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	char hex[KEY_HEX_LEN + 1];
	memcpy(hex, path + n, KEY_HEX_LEN);
	hex[KEY_HEX_LEN] = '\0';
	return proto_unhex(hex, key, PROTO_KEY_LEN) == 0;
}

static bool self_signed(const proto_entry *e)
{
	return e->capref == NULL && memcmp(e->signer, e->territory, PROTO_KEY_LEN) == 0;
}

static int body_decode(const proto_entry *e, proto_arena *a, proto_value **ret)
{
	proto_arena_init(a, BODY_ARENA_BASE + BODY_ARENA_FACTOR * e->body_len);
	int r = proto_value_decode(e->body, e->body_len, a, ret);
	if (!r && (*ret)->type != PROTO_V_MAP)
		r = MAILLE_EPROTO;
	return r;
}

static bool type_is(const proto_value *body, const char *type)
{
	const proto_value *t = proto_map_get(body, "type");
	return t && t->type == PROTO_V_STR && strcmp(t->u.str.ptr, type) == 0;
}

/* A prefix: "" or a valid path followed by '/', not reserved. */
static bool prefix_valid(const char *p, size_t len)
{
	if (len == 0)
		return true;
	if (len >= PROTO_PATH_MAX || p[len - 1] != '/' || !proto_path_valid(p, len - 1))
		return false;
	return !proto_path_reserved(p, len);
}

static bool name_valid(const char *s, size_t len)
{
	if (len == 0 || len > PROTO_MEMBER_NAME_MAX || !proto_utf8_valid((const uint8_t *)s, len))
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

int proto_member_cap_decode(const proto_entry *e, proto_member_cap *ret)
{
	proto_member_cap c;
	memset(&c, 0, sizeof c);
	if (e->kind != PROTO_KIND_DOCUMENT || !self_signed(e) ||
	    !path_key(e->path, e->path_len, PROTO_MEMBERS_PREFIX, c.member) ||
	    memcmp(c.member, e->territory, PROTO_KEY_LEN) == 0)
		return MAILLE_EPROTO;
	memcpy(c.territory, e->territory, PROTO_KEY_LEN);
	proto_arena a;
	proto_value *body;
	int r = body_decode(e, &a, &body);
	if (r)
		goto out;
	r = MAILLE_EPROTO;
	if (!type_is(body, "member"))
		goto out;
	const proto_value *name = proto_map_get(body, "name"), *role = proto_map_get(body, "role"),
	                  *prefix = proto_map_get(body, "prefix"), *from = proto_map_get(body, "from"),
	                  *until = proto_map_get(body, "until");
	if (!name || name->type != PROTO_V_STR || !role || role->type != PROTO_V_STR || !prefix ||
	    prefix->type != PROTO_V_STR || !from || from->type != PROTO_V_INT ||
	    (until && until->type != PROTO_V_INT))
		goto out;
	r = MAILLE_ESCHEMA;
	if (!name_valid(name->u.str.ptr, name->u.str.len) ||
	    !prefix_valid(prefix->u.str.ptr, prefix->u.str.len) || from->u.i < 0 ||
	    (until && until->u.i <= from->u.i))
		goto out;
	if (strcmp(role->u.str.ptr, "editor") == 0)
		c.role = PROTO_ROLE_EDITOR;
	else if (strcmp(role->u.str.ptr, "admin") == 0)
		c.role = PROTO_ROLE_ADMIN;
	else
		goto out;
	memcpy(c.name, name->u.str.ptr, name->u.str.len);
	memcpy(c.prefix, prefix->u.str.ptr, prefix->u.str.len);
	c.from_us = (uint64_t)from->u.i;
	c.until_us = until ? (uint64_t)until->u.i : UINT64_MAX;
	*ret = c;
	r = 0;
out:
	proto_arena_done(&a);
	return r;
}

int proto_member_cap_body(const proto_member_cap *c, uint8_t **ret_buf, size_t *ret_len)
{
	size_t nl = strnlen(c->name, sizeof c->name), pl = strnlen(c->prefix, sizeof c->prefix);
	bool bounded = c->until_us != UINT64_MAX;
	if (!name_valid(c->name, nl) || !prefix_valid(c->prefix, pl) ||
	    (c->role != PROTO_ROLE_EDITOR && c->role != PROTO_ROLE_ADMIN) ||
	    c->from_us > (uint64_t)INT64_MAX ||
	    (bounded && (c->until_us > (uint64_t)INT64_MAX || c->until_us <= c->from_us)))
		return MAILLE_EINVAL;
	proto_arena a;
	proto_arena_init(&a, 0);
	int r = MAILLE_ENOMEM;
	proto_value *m = proto_value_new(&a, PROTO_V_MAP), *v;
	const char *role = c->role == PROTO_ROLE_ADMIN ? "admin" : "editor";
	if (!m)
		goto out;
	struct {
		const char *k, *s;
		size_t len;
	} strs[] = {{"type", "member", 6}, {"name", c->name, nl}, {"role", role, strlen(role)},
	            {"prefix", c->prefix, pl}};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
		proto_value *s = proto_value_new_str(&a, strs[i].s, strs[i].len);
		if (!s || !(v = proto_value_map_put(&a, m, strs[i].k, strlen(strs[i].k))))
			goto out;
		*v = *s;
	}
	if (!(v = proto_value_map_put(&a, m, "from", 4)))
		goto out;
	v->type = PROTO_V_INT;
	v->u.i = (int64_t)c->from_us;
	if (c->until_us != UINT64_MAX) {
		if (!(v = proto_value_map_put(&a, m, "until", 5)))
			goto out;
		v->type = PROTO_V_INT;
		v->u.i = (int64_t)c->until_us;
	}
	r = proto_value_encode(m, PROTO_ENTRY_MAX, ret_buf, ret_len);
out:
	proto_arena_done(&a);
	return r;
}

int proto_member_covers(const proto_member_cap *c, const proto_entry *e)
{
	char capref[sizeof PROTO_MEMBERS_PREFIX + KEY_HEX_LEN];
	memcpy(capref, PROTO_MEMBERS_PREFIX, sizeof PROTO_MEMBERS_PREFIX - 1);
	proto_hex(c->member, PROTO_KEY_LEN, capref + sizeof PROTO_MEMBERS_PREFIX - 1);
	if (memcmp(e->territory, c->territory, PROTO_KEY_LEN) != 0 ||
	    memcmp(e->signer, c->member, PROTO_KEY_LEN) != 0 || !e->capref ||
	    e->capref_len != strlen(capref) || memcmp(e->capref, capref, e->capref_len) != 0)
		return MAILLE_EAUTH;
	if (e->timestamp < c->from_us || e->timestamp >= c->until_us)
		return MAILLE_ESTATE;
	size_t pl = strlen(c->prefix);
	if (proto_path_reserved(e->path, e->path_len) || e->path_len < pl ||
	    memcmp(e->path, c->prefix, pl) != 0)
		return MAILLE_EINVAL;
	return 0;
}

int proto_vouch_decode(const proto_entry *e, uint8_t ret_key[PROTO_KEY_LEN], bool *ret_active)
{
	uint8_t key[PROTO_KEY_LEN];
	if (!self_signed(e) || !path_key(e->path, e->path_len, PROTO_VOUCHES_PREFIX, key) ||
	    memcmp(key, e->territory, PROTO_KEY_LEN) == 0)
		return MAILLE_EPROTO;
	if (e->kind == PROTO_KIND_DOCUMENT) {
		proto_arena a;
		proto_value *body;
		int r = body_decode(e, &a, &body);
		if (!r && !type_is(body, "vouch"))
			r = MAILLE_EPROTO;
		proto_arena_done(&a);
		if (r)
			return r;
	}
	memcpy(ret_key, key, PROTO_KEY_LEN);
	*ret_active = e->kind == PROTO_KIND_DOCUMENT;
	return 0;
}
