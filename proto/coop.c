/* proto/coop.c: see coop.h. The rules are PROTOCOL.md §5's. */
#include "coop.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "record.h"

#define DIGEST_DOMAIN "maille/1 target"

void proto_coop_digest(const uint8_t territory[PROTO_KEY_LEN], const char *path, size_t len,
                       char ret[PROTO_COOP_HEX + 1])
{
	crypto_generichash_state st;
	uint8_t d[PROTO_COOP_DIGEST_LEN];

	crypto_generichash_init(&st, NULL, 0, sizeof d);
	crypto_generichash_update(&st, (const uint8_t *)DIGEST_DOMAIN, strlen(DIGEST_DOMAIN));
	crypto_generichash_update(&st, territory, PROTO_KEY_LEN);
	crypto_generichash_update(&st, (const uint8_t *)path, len);
	crypto_generichash_final(&st, d, sizeof d);
	proto_hex(d, sizeof d, ret);
}

static bool str_is(const proto_value *v, const char *s)
{
	return v && v->type == PROTO_V_STR && v->u.str.len == strlen(s) &&
	       memcmp(v->u.str.ptr, s, v->u.str.len) == 0;
}

/* 2*len lower-case hex digits (what proto_hex writes; an upper-case key has two spellings). */
static int lower_hex(const proto_value *v, uint8_t *ret, size_t len)
{
	if (!v || v->type != PROTO_V_STR || v->u.str.len != 2 * len)
		return MAILLE_EPROTO;
	for (size_t i = 0; i < v->u.str.len; i++) {
		char c = v->u.str.ptr[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return MAILLE_EPROTO;
	}
	return proto_unhex(v->u.str.ptr, ret, len) == 0 ? 0 : MAILLE_EPROTO;
}

int proto_coop_target_read(const proto_value *body, const char *field, proto_coop_target *ret)
{
	const proto_value *t, *p, *e;
	proto_coop_target out;

	if (!body || body->type != PROTO_V_MAP || !field || !ret)
		return MAILLE_EPROTO;
	t = proto_map_get(body, field);
	if (!t || t->type != PROTO_V_MAP)
		return MAILLE_EPROTO;
	memset(&out, 0, sizeof out);
	if (lower_hex(proto_map_get(t, PROTO_F_TERRITORY), out.territory, PROTO_KEY_LEN) != 0)
		return MAILLE_EPROTO;
	p = proto_map_get(t, PROTO_F_PATH);
	if (!p || p->type != PROTO_V_STR || !proto_path_valid(p->u.str.ptr, p->u.str.len))
		return MAILLE_EPROTO;
	memcpy(out.path, p->u.str.ptr, p->u.str.len);
	out.path[p->u.str.len] = '\0';
	e = proto_map_get(t, PROTO_F_ENTRY);
	if (e) {
		if (lower_hex(e, out.entry, PROTO_ID_LEN) != 0)
			return MAILLE_EPROTO;
		out.has_entry = true;
	}
	*ret = out;
	return 0;
}

bool proto_coop_is_act(const char *type, size_t len)
{
	const proto_record_type *t = proto_record_type_find(type, len);
	return t && t->cls == PROTO_RC_ACT;
}

typedef enum act { ACT_NONE, ACT_INTEREST, ACT_AWARD, ACT_COMMENT } act;

static act act_type(const proto_value *body)
{
	const proto_value *t;

	if (!body || body->type != PROTO_V_MAP)
		return ACT_NONE;
	t = proto_map_get(body, PROTO_F_TYPE);
	if (str_is(t, PROTO_T_INTEREST))
		return ACT_INTEREST;
	if (str_is(t, PROTO_T_AWARD))
		return ACT_AWARD;
	if (str_is(t, PROTO_T_COMMENT))
		return ACT_COMMENT;
	return ACT_NONE;
}

int proto_coop_about(const proto_value *body, proto_coop_target *ret)
{
	act type = act_type(body);

	if (!type)
		return MAILLE_EPROTO;
	return proto_coop_target_read(body, type == ACT_INTEREST ? PROTO_F_CALL : PROTO_F_TARGET,
	                              ret);
}

int proto_coop_path(const proto_value *body, const uint8_t rnd[8], char *ret, size_t cap)
{
	act type = act_type(body);
	proto_coop_target about, label;
	char d[PROTO_COOP_HEX + 1], dl[PROTO_COOP_HEX + 1], r[PROTO_COOP_COMMENT_ID_HEX + 1];
	int n;

	if (!type || !ret || proto_coop_about(body, &about) != 0)
		return MAILLE_EPROTO;
	proto_coop_digest(about.territory, about.path, strlen(about.path), d);
	if (type == ACT_INTEREST) {
		n = snprintf(ret, cap, "interest/%s", d);
	} else if (type == ACT_AWARD) {
		if (proto_coop_target_read(body, PROTO_F_LABEL, &label) != 0)
			return MAILLE_EPROTO;
		proto_coop_digest(label.territory, label.path, strlen(label.path), dl);
		n = snprintf(ret, cap, "award/%s/%s", d, dl);
	} else {
		if (!rnd)
			return MAILLE_EINVAL;
		proto_hex(rnd, PROTO_COOP_COMMENT_ID_HEX / 2, r);
		n = snprintf(ret, cap, "comment/%s/%s", d, r);
	}
	return n > 0 && (size_t)n < cap ? 0 : MAILLE_EINVAL;
}

static bool is_lower_hex(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

bool proto_coop_path_ok(const uint8_t territory[PROTO_KEY_LEN], const char *path, size_t len,
                        const proto_value *body)
{
	act type = act_type(body);
	char want[PROTO_PATH_MAX + 1];
	static const uint8_t zero[8];
	size_t wl;

	if (!type || !path || proto_coop_path(body, zero, want, sizeof want) != 0)
		return false;
	if (type == ACT_AWARD) {
		proto_coop_target label;
		if (proto_coop_target_read(body, PROTO_F_LABEL, &label) != 0 ||
		    sodium_memcmp(label.territory, territory, PROTO_KEY_LEN) != 0)
			return false;
	}
	wl = strlen(want);
	if (type != ACT_COMMENT)
		return len == wl && memcmp(path, want, len) == 0;
	/* comment/<digest>/ then 16 lower-case hex digits of its own */
	wl -= PROTO_COOP_COMMENT_ID_HEX;
	return len == wl + PROTO_COOP_COMMENT_ID_HEX && memcmp(path, want, wl) == 0 &&
	       is_lower_hex(path + wl, PROTO_COOP_COMMENT_ID_HEX);
}

/* ---- Authoring checks ---------------------------------------------------------------------- */

/* Errors go to the report as validation's do (proto_schema_error_add: cut on a UTF-8
 * boundary); bytes of a body or a path quoted in them are made printable first
 * (proto_schema_quote): a report is printed on terminals and pages. */

static int check_size(proto_schema_report *rep, const proto_value *body, const char *field,
                      size_t max)
{
	const proto_value *v = proto_map_get(body, field);

	if (v && v->type == PROTO_V_STR && v->u.str.len > max)
		return proto_schema_error_add(
		    rep, field, "texte trop long : %zu octets, %zu au plus",
		    "text too long: %zu bytes, %zu at most", v->u.str.len, max);
	return 0;
}

static bool criterion_id_ok(const proto_value *v)
{
	if (!v || v->type != PROTO_V_STR || v->u.str.len == 0 ||
	    v->u.str.len > PROTO_COOP_CRITERION_ID_MAX)
		return false;
	for (size_t i = 0; i < v->u.str.len; i++) {
		char c = v->u.str.ptr[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return false;
	}
	return true;
}

static int check_label(proto_schema_report *rep, const proto_value *body)
{
	const proto_value *cr = proto_map_get(body, PROTO_F_CRITERIA);
	int r = 0;

	if (!cr || cr->type != PROTO_V_ARRAY)
		return 0;
	for (size_t i = 0; i < cr->u.arr.n; i++) {
		const proto_value *id = proto_map_get(&cr->u.arr.items[i], PROTO_F_ID);
		char field[48];
		snprintf(field, sizeof field, "%s[%zu].%s", PROTO_F_CRITERIA, i, PROTO_F_ID);
		if (!id || id->type != PROTO_V_STR)
			continue; /* the tables' check said it */
		if (!criterion_id_ok(id)) {
			r = proto_schema_error_add(
			    rep, field,
			    "identifiant de critère invalide ; attendu 1 à %u caractères a-z, "
			    "0-9 ou -",
			    "invalid criterion id; expected 1 to %u characters a-z, 0-9 or -",
			    PROTO_COOP_CRITERION_ID_MAX);
			continue;
		}
		for (size_t j = 0; j < i; j++) {
			const proto_value *o = proto_map_get(&cr->u.arr.items[j], PROTO_F_ID);
			if (o && o->type == PROTO_V_STR && o->u.str.len == id->u.str.len &&
			    memcmp(o->u.str.ptr, id->u.str.ptr, id->u.str.len) == 0) {
				r = proto_schema_error_add(
				    rep, field, "identifiant de critère en double : %s",
				    "duplicate criterion id: %s", id->u.str.ptr); /* a-z0-9- */
				break;
			}
		}
	}
	return r;
}

/* An award's evidence names criteria it claims. */
static int check_award(proto_schema_report *rep, const uint8_t territory[PROTO_KEY_LEN],
                       const proto_value *body)
{
	const proto_value *cr = proto_map_get(body, PROTO_F_CRITERIA);
	const proto_value *ev = proto_map_get(body, PROTO_F_EVIDENCE);
	proto_coop_target label;
	int r = 0;

	if (territory && proto_coop_target_read(body, PROTO_F_LABEL, &label) == 0 &&
	    sodium_memcmp(label.territory, territory, PROTO_KEY_LEN) != 0)
		r = proto_schema_error_add(
		    rep, PROTO_F_LABEL, "seul le territoire qui a défini le label peut l'attribuer",
		    "only the territory that defined the label can award it");
	if (!cr || cr->type != PROTO_V_ARRAY || !ev || ev->type != PROTO_V_ARRAY)
		return r;
	for (size_t i = 0; i < ev->u.arr.n; i++) {
		const proto_value *c = proto_map_get(&ev->u.arr.items[i], PROTO_F_CRITERION);
		bool found = false;
		char field[48], quoted[PROTO_COOP_CRITERION_ID_MAX + 8];
		if (!c || c->type != PROTO_V_STR)
			continue;
		for (size_t j = 0; j < cr->u.arr.n && !found; j++) {
			const proto_value *x = &cr->u.arr.items[j];
			found = x->type == PROTO_V_STR && x->u.str.len == c->u.str.len &&
			        memcmp(x->u.str.ptr, c->u.str.ptr, c->u.str.len) == 0;
		}
		snprintf(field, sizeof field, "%s[%zu].%s", PROTO_F_EVIDENCE, i, PROTO_F_CRITERION);
		if (!found) {
			proto_schema_quote(quoted, sizeof quoted, c->u.str.ptr, c->u.str.len);
			r = proto_schema_error_add(
			    rep, field, "preuve d'un critère que l'attribution ne retient pas : %s",
			    "evidence for a criterion the award does not list: %s", quoted);
		}
	}
	return r;
}

int proto_coop_check(const uint8_t territory[PROTO_KEY_LEN], const char *path,
                     const proto_value *body, proto_schema_report *rep)
{
	const proto_value *t;
	act type;
	int r = 0;

	if (!body || body->type != PROTO_V_MAP)
		return 0;
	t = proto_map_get(body, PROTO_F_TYPE);
	if (str_is(t, PROTO_T_LABEL))
		return check_label(rep, body);
	type = act_type(body);
	if (!type)
		return 0;
	if (type == ACT_INTEREST)
		r |= check_size(rep, body, PROTO_F_MESSAGE, PROTO_COOP_MESSAGE_MAX);
	if (type == ACT_COMMENT)
		r |= check_size(rep, body, PROTO_F_TEXT, PROTO_COOP_COMMENT_MAX);
	if (type == ACT_AWARD)
		r |= check_award(rep, territory, body);
	if (path && territory && !r && !proto_coop_path_ok(territory, path, strlen(path), body)) {
		char want[PROTO_PATH_MAX + 1], quoted[96];
		static const uint8_t zero[8];
		if (proto_coop_path(body, zero, want, sizeof want) == 0) {
			if (type == ACT_COMMENT)
				want[strlen(want) - PROTO_COOP_COMMENT_ID_HEX] = '\0';
			proto_schema_quote(quoted, sizeof quoted, path, strlen(path));
			r |= proto_schema_error_add(
			    rep, "", "chemin %s incorrect pour cette fiche : il doit être %s%s",
			    "wrong path %s for this record: it must be %s%s", quoted, want,
			    type == ACT_COMMENT ? "<16 hex>" : "");
		}
	}
	return r ? MAILLE_ESCHEMA : 0;
}

/* ---- Links ------------------------------------------------------------------------------- */

typedef struct links_ctx {
	proto_coop_link_cb cb;
	void *ctx;
	unsigned n;
} links_ctx;

static int link_emit(links_ctx *l, const char *s, size_t len)
{
	if (l->n >= PROTO_COOP_LINKS_MAX)
		return 0;
	l->n++;
	return l->cb(s, len, l->ctx);
}

/* A reference string names a record when it is a path, or "<64 hex>/<path>" (a record of
 * another territory, which is no path itself when the record's path has 16 segments or more
 * than 191 bytes); an address or words do not (PROTOCOL.md §5.3). */
static int link_str(links_ctx *l, const proto_value *v)
{
	const size_t k = 2 * PROTO_KEY_LEN;
	const char *s;
	size_t len;

	if (v->type != PROTO_V_STR)
		return 0;
	s = v->u.str.ptr;
	len = v->u.str.len;
	if (proto_path_valid(s, len) || (len > k + 1 && s[k] == '/' && is_lower_hex(s, k) &&
	                                 proto_path_valid(s + k + 1, len - k - 1)))
		return link_emit(l, s, len);
	return 0;
}

static int link_fields(links_ctx *l, const proto_record_field *fields, const proto_value *obj);

static int link_value(links_ctx *l, const proto_record_field *f, const proto_value *v)
{
	int r = 0;

	if (f->display == PROTO_D_TARGET && v->type == PROTO_V_MAP) {
		proto_coop_target t;
		proto_value holder;
		proto_kv kv = { f->name, strlen(f->name), *v };
		char buf[PROTO_COOP_REF_MAX + 1];
		holder.type = PROTO_V_MAP;
		holder.u.map.items = &kv;
		holder.u.map.n = holder.u.map.cap = 1;
		if (proto_coop_target_read(&holder, f->name, &t) != 0)
			return 0;
		proto_hex(t.territory, PROTO_KEY_LEN, buf);
		buf[2 * PROTO_KEY_LEN] = '/';
		memcpy(buf + 2 * PROTO_KEY_LEN + 1, t.path, strlen(t.path) + 1);
		return link_emit(l, buf, strlen(buf));
	}
	if (f->kind == PROTO_FK_REF)
		return link_str(l, v);
	if (f->display == PROTO_D_REFS && v->type == PROTO_V_ARRAY) {
		for (size_t i = 0; i < v->u.arr.n && !r; i++)
			r = link_str(l, &v->u.arr.items[i]);
		return r;
	}
	if (f->kind == PROTO_FK_OBJ && f->obj && v->type == PROTO_V_MAP)
		return link_fields(l, f->obj->fields, v);
	if (f->kind == PROTO_FK_OBJLIST && f->obj && v->type == PROTO_V_ARRAY)
		for (size_t i = 0; i < v->u.arr.n && !r; i++)
			if (v->u.arr.items[i].type == PROTO_V_MAP)
				r = link_fields(l, f->obj->fields, &v->u.arr.items[i]);
	return r;
}

/* Whether a value of f can name a record: most fields cannot, and looking them up in every
 * body a store receives cost 10% of a bulk sync's time (maille-bench sync --only ingest). */
static bool may_link(const proto_record_field *f, unsigned depth)
{
	if (f->kind == PROTO_FK_REF || f->display == PROTO_D_REFS || f->display == PROTO_D_TARGET)
		return true;
	if ((f->kind == PROTO_FK_OBJ || f->kind == PROTO_FK_OBJLIST) && f->obj && depth < 4)
		for (const proto_record_field *m = f->obj->fields; m && m->name; m++)
			if (may_link(m, depth + 1))
				return true;
	return false;
}

static int link_fields(links_ctx *l, const proto_record_field *fields, const proto_value *obj)
{
	int r = 0;

	for (const proto_record_field *f = fields; f && f->name && !r; f++) {
		if (!may_link(f, 0))
			continue;
		const proto_value *v = proto_map_get(obj, f->name);
		if (v)
			r = link_value(l, f, v);
	}
	return r;
}

int proto_coop_links(const proto_value *body, proto_coop_link_cb cb, void *ctx)
{
	const proto_value *t;
	const proto_record_type *rt;
	links_ctx l = { cb, ctx, 0 };
	int r;

	if (!body || body->type != PROTO_V_MAP || !cb)
		return 0;
	t = proto_map_get(body, PROTO_F_TYPE);
	if (!t || t->type != PROTO_V_STR)
		return 0;
	rt = proto_record_type_find(t->u.str.ptr, t->u.str.len);
	if (!rt || !rt->fields)
		return 0;
	r = link_fields(&l, proto_record_type_common(rt), body);
	return r ? r : link_fields(&l, rt->fields, body);
}
