/* proto/invite.c: invitation tokens (see invite.h, PROTOCOL.md §4.1).
 *
 * The payload is the canonical msgpack array
 *   [1, network key (bin 32), federation name (str), inviter key (bin 32),
 *    [address (str), ...], secret (bin 32), expires (uint, microseconds)]
 * encoded with proto_value_encode and decoded with proto_value_decode (bounded, canonical:
 * one token per content), then base64url without padding (libsodium's
 * sodium_base64_VARIANT_URLSAFE_NO_PADDING): the alphabet survives mail clients, terminals
 * and URLs, and a token is one word a double click selects. */
#include "invite.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "value.h"

#define INVITE_FIELDS 7u
#define INVITE_ARENA_BUDGET (64u * 1024u)
#define INVITE_PAYLOAD_MAX 1536u /* bytes of msgpack: base64 of PROTO_INVITE_TOKEN_MAX */
#define SECRET_HASH_LABEL "maille/1 invitation secret"

bool proto_invite_name_valid(const char *s, size_t len)
{
	if (len == 0 || len > PROTO_INVITE_NAME_MAX || !proto_utf8_valid((const uint8_t *)s, len))
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

bool proto_invite_addr_valid(const char *s, size_t len)
{
	if (len == 0 || len > PROTO_INVITE_ADDR_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

void proto_invite_secret_hash(const uint8_t secret[PROTO_INVITE_SECRET_LEN],
                              uint8_t ret[PROTO_ID_LEN])
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, PROTO_ID_LEN);
	crypto_generichash_update(&st, (const uint8_t *)SECRET_HASH_LABEL,
	                          sizeof SECRET_HASH_LABEL - 1);
	crypto_generichash_update(&st, secret, PROTO_INVITE_SECRET_LEN);
	crypto_generichash_final(&st, ret, PROTO_ID_LEN);
	sodium_memzero(&st, sizeof st);
}

static bool invite_valid(const proto_invite *inv)
{
	if (!proto_invite_name_valid(inv->federation, strnlen(inv->federation, sizeof inv->federation)) ||
	    inv->n_addrs == 0 || inv->n_addrs > PROTO_INVITE_ADDRS_MAX || inv->expires_us == 0 ||
	    inv->expires_us > (uint64_t)INT64_MAX)
		return false;
	for (size_t i = 0; i < inv->n_addrs; i++)
		if (!proto_invite_addr_valid(inv->addrs[i], strnlen(inv->addrs[i], sizeof inv->addrs[i])))
			return false;
	return true;
}

static proto_value *push(proto_arena *a, proto_value *arr, proto_vtype t)
{
	proto_value *v = proto_value_array_push(a, arr);
	if (v)
		v->type = t;
	return v;
}

int proto_invite_encode(const proto_invite *inv, char *out, size_t cap)
{
	if (!invite_valid(inv))
		return MAILLE_EINVAL;
	proto_arena a;
	proto_arena_init(&a, INVITE_ARENA_BUDGET);
	uint8_t *buf = NULL;
	size_t len = 0;
	int r = MAILLE_ENOMEM;
	proto_value *arr = proto_value_new(&a, PROTO_V_ARRAY), *v, *addrs;
	if (!arr || !(v = push(&a, arr, PROTO_V_INT)))
		goto out;
	v->u.i = PROTO_INVITE_VERSION;
	if (!(v = push(&a, arr, PROTO_V_BIN)))
		goto out;
	v->u.bin.ptr = inv->netkey;
	v->u.bin.len = PROTO_NETKEY_LEN;
	if (!(v = push(&a, arr, PROTO_V_STR)))
		goto out;
	v->u.str.ptr = inv->federation;
	v->u.str.len = strlen(inv->federation);
	if (!(v = push(&a, arr, PROTO_V_BIN)))
		goto out;
	v->u.bin.ptr = inv->inviter;
	v->u.bin.len = PROTO_KEY_LEN;
	if (!(addrs = push(&a, arr, PROTO_V_ARRAY)))
		goto out;
	for (size_t i = 0; i < inv->n_addrs; i++) {
		if (!(v = push(&a, addrs, PROTO_V_STR)))
			goto out;
		v->u.str.ptr = inv->addrs[i];
		v->u.str.len = strlen(inv->addrs[i]);
	}
	if (!(v = push(&a, arr, PROTO_V_BIN)))
		goto out;
	v->u.bin.ptr = inv->secret;
	v->u.bin.len = PROTO_INVITE_SECRET_LEN;
	if (!(v = push(&a, arr, PROTO_V_INT)))
		goto out;
	v->u.i = (int64_t)inv->expires_us;
	r = proto_value_encode(arr, INVITE_PAYLOAD_MAX, &buf, &len);
	if (r)
		goto out;
	size_t plen = sizeof PROTO_INVITE_PREFIX - 1;
	size_t b64 = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	if (cap < plen + b64) { /* b64 counts the NUL */
		r = MAILLE_ETOOBIG;
		goto out;
	}
	memcpy(out, PROTO_INVITE_PREFIX, plen);
	sodium_bin2base64(out + plen, cap - plen, buf, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	r = 0;
out:
	if (buf) {
		sodium_memzero(buf, len); /* it held the network key and the secret */
		free(buf);
	}
	proto_arena_done(&a);
	return r;
}

static bool get_bin(const proto_value *v, size_t len, uint8_t *ret)
{
	if (v->type != PROTO_V_BIN || v->u.bin.len != len)
		return false;
	memcpy(ret, v->u.bin.ptr, len);
	return true;
}

static bool get_str(const proto_value *v, bool (*valid)(const char *, size_t), char *ret)
{
	if (v->type != PROTO_V_STR || !valid(v->u.str.ptr, v->u.str.len))
		return false;
	memcpy(ret, v->u.str.ptr, v->u.str.len);
	ret[v->u.str.len] = '\0';
	return true;
}

int proto_invite_decode(const char *token, size_t len, proto_invite *ret)
{
	size_t plen = sizeof PROTO_INVITE_PREFIX - 1;
	if (len > PROTO_INVITE_TOKEN_MAX)
		return MAILLE_ETOOBIG;
	if (len <= plen || memcmp(token, PROTO_INVITE_PREFIX, plen) != 0)
		return MAILLE_EPROTO;
	const char *b = token + plen;
	size_t blen = len - plen;
	/* the alphabet first: libsodium would stop at the first other character */
	for (size_t i = 0; i < blen; i++) {
		char c = b[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return MAILLE_EPROTO;
	}
	uint8_t buf[INVITE_PAYLOAD_MAX];
	size_t n = 0;
	const char *end = NULL;
	if (sodium_base642bin(buf, sizeof buf, b, blen, NULL, &n, &end,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    end != b + blen)
		return MAILLE_EPROTO; /* a length no base64 gives, or bits left over */
	proto_arena a;
	proto_arena_init(&a, INVITE_ARENA_BUDGET);
	proto_value *v;
	proto_invite inv;
	memset(&inv, 0, sizeof inv);
	int r = proto_value_decode(buf, n, &a, &v);
	if (r)
		goto out;
	r = MAILLE_EPROTO;
	if (v->type != PROTO_V_ARRAY || v->u.arr.n < 1)
		goto out;
	const proto_value *f = v->u.arr.items;
	if (f[0].type != PROTO_V_INT || f[0].u.i < 0)
		goto out;
	if (f[0].u.i != PROTO_INVITE_VERSION) {
		r = MAILLE_EVERSION;
		goto out;
	}
	if (v->u.arr.n != INVITE_FIELDS || !get_bin(&f[1], PROTO_NETKEY_LEN, inv.netkey) ||
	    !get_str(&f[2], proto_invite_name_valid, inv.federation) ||
	    !get_bin(&f[3], PROTO_KEY_LEN, inv.inviter) || f[4].type != PROTO_V_ARRAY ||
	    f[4].u.arr.n == 0 || f[4].u.arr.n > PROTO_INVITE_ADDRS_MAX ||
	    !get_bin(&f[5], PROTO_INVITE_SECRET_LEN, inv.secret) || f[6].type != PROTO_V_INT ||
	    f[6].u.i <= 0)
		goto out;
	for (size_t i = 0; i < f[4].u.arr.n; i++)
		if (!get_str(&f[4].u.arr.items[i], proto_invite_addr_valid, inv.addrs[i]))
			goto out;
	inv.n_addrs = f[4].u.arr.n;
	inv.expires_us = (uint64_t)f[6].u.i;
	*ret = inv;
	r = 0;
out:
	sodium_memzero(&inv, sizeof inv);
	sodium_memzero(buf, sizeof buf);
	proto_arena_done(&a);
	return r;
}
