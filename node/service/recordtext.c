/* node/service/recordtext.c: a record's values as a person reads them (recordtext.h). */
#include "recordtext.h"

#include "proto/record.h"

#include <stdio.h>
#include <string.h>

/* ---- labels --------------------------------------------------------------------------------- */

/* Licences by name (SPDX identifiers, and Etalab's). */
typedef struct licence_name {
	const char *spdx;
	const char *fr, *en;
} licence_name;

static const licence_name licences[] = {
	{ "etalab-2.0", "Licence Ouverte / Open Licence 2.0", "Licence Ouverte / Open Licence 2.0" },
	{ "etalab-1.0", "Licence Ouverte / Open Licence 1.0", "Licence Ouverte / Open Licence 1.0" },
	{ "CC-BY-4.0", "Creative Commons Attribution 4.0", "Creative Commons Attribution 4.0" },
	{ "CC-BY-SA-4.0", "Creative Commons Attribution - Partage dans les mêmes conditions 4.0",
	  "Creative Commons Attribution-ShareAlike 4.0" },
	{ "CC0-1.0", "Creative Commons Zéro (domaine public) 1.0", "Creative Commons Zero 1.0" },
	{ "ODbL-1.0", "Open Database License 1.0", "Open Database License 1.0" },
	{ "EUPL-1.2", "Licence publique de l'Union européenne 1.2", "European Union Public Licence 1.2" },
	{ "MIT", "Licence MIT", "MIT License" },
	{ "Apache-2.0", "Licence Apache 2.0", "Apache License 2.0" },
	{ "MPL-2.0", "Mozilla Public License 2.0", "Mozilla Public License 2.0" },
	{ "BSD-3-Clause", "Licence BSD à 3 clauses", "BSD 3-Clause License" },
	{ "GPL-3.0-or-later", "GNU GPL 3.0 ou ultérieure", "GNU GPL 3.0 or later" },
	{ "GPL-3.0-only", "GNU GPL 3.0 seulement", "GNU GPL 3.0 only" },
	{ "AGPL-3.0-or-later", "GNU AGPL 3.0 ou ultérieure", "GNU AGPL 3.0 or later" },
	{ "AGPL-3.0-only", "GNU AGPL 3.0 seulement", "GNU AGPL 3.0 only" },
	{ "LGPL-3.0-or-later", "GNU LGPL 3.0 ou ultérieure", "GNU LGPL 3.0 or later" },
	{ "CECILL-2.1", "Licence CeCILL 2.1", "CeCILL License 2.1" },
	{ "CECILL-B", "Licence CeCILL-B", "CeCILL-B License" },
	{ "CECILL-C", "Licence CeCILL-C", "CeCILL-C License" },
};

const char *recordtext_label(const char *name, bool en)
{
	for (size_t i = 0; i < sizeof licences / sizeof licences[0]; i++)
		if (strcmp(licences[i].spdx, name) == 0)
			return en ? licences[i].en : licences[i].fr;
	return proto_record_label(name, en);
}

/* Values of fields the tables leave open (a component's publiccode.yml terms, a hosting's
 * country), by field: labels only, never checked. */
static const proto_vocab_term dev_status_terms[] = {
	{ "concept", { "concept", "concept" } }, { "beta", { "version bêta", "beta" } },
	{ "development", { "en développement", "in development" } },
	{ "stable", { "stable", "stable" } }, { "obsolete", { "obsolète", "obsolete" } },
	{ NULL, { NULL, NULL } },
};
static const proto_vocab_term software_type_terms[] = {
	{ "standalone/web", { "application web", "web application" } },
	{ "standalone/desktop", { "application de bureau", "desktop application" } },
	{ "standalone/mobile", { "application mobile", "mobile application" } },
	{ "standalone/backend", { "service serveur", "back-end service" } },
	{ "standalone/iot", { "objet connecté", "Internet of things" } },
	{ "standalone/other", { "application autonome", "standalone application" } },
	{ "addon", { "extension", "add-on" } },
	{ "library", { "bibliothèque logicielle", "library" } },
	{ "configurationFiles", { "fichiers de configuration", "configuration files" } },
	{ NULL, { NULL, NULL } },
};
static const proto_vocab_term platform_terms[] = {
	{ "linux", { "Linux", "Linux" } },     { "windows", { "Windows", "Windows" } },
	{ "mac", { "macOS", "macOS" } },       { "ios", { "iOS", "iOS" } },
	{ "android", { "Android", "Android" } }, { NULL, { NULL, NULL } },
};
static const proto_vocab_term country_terms[] = {
	{ "FR", { "France", "France" } },
	{ NULL, { NULL, NULL } },
};
static const proto_vocab open_vocabs[] = {
	{ "development_status", dev_status_terms },
	{ "software_type", software_type_terms },
	{ "platforms", platform_terms },
	{ "country", country_terms },
};

/* Languages by name (a language tag of a LANG field). */
static const proto_vocab_term lang_terms[] = {
	{ "fr", { "français", "French" } }, { "en", { "anglais", "English" } },
	{ "de", { "allemand", "German" } }, { "es", { "espagnol", "Spanish" } },
	{ "it", { "italien", "Italian" } }, { "br", { "breton", "Breton" } },
	{ "oc", { "occitan", "Occitan" } }, { "co", { "corse", "Corsican" } },
	{ "eu", { "basque", "Basque" } },   { "ca", { "catalan", "Catalan" } },
	{ NULL, { NULL, NULL } },
};
static const proto_vocab langs = { "languages", lang_terms };

/* ---- values --------------------------------------------------------------------------------- */

bool recordtext_str(const proto_record_field *f, const proto_value *v, bool en, char *ret,
                    size_t cap)
{
	if (!f || v->type != PROTO_V_STR)
		return false;
	const char *s = v->u.str.ptr, *lab = NULL;
	if (f->vocab)
		lab = proto_vocab_label(f->vocab, s, en);
	if (f->kind == PROTO_FK_DATE) {
		char d[DATEFMT_CAP];
		if (datefmt_ymd(s, v->u.str.len, en, d, sizeof d)) {
			snprintf(ret, cap, "%s", d);
			return true;
		}
	}
	if (f->kind == PROTO_FK_LICENCE)
		lab = recordtext_label(s, en);
	for (size_t i = 0; !lab && i < sizeof open_vocabs / sizeof open_vocabs[0]; i++)
		if (strcmp(open_vocabs[i].name, f->name) == 0)
			lab = proto_vocab_label(&open_vocabs[i], s, en);
	if (f->kind == PROTO_FK_LANG)
		lab = proto_vocab_label(&langs, s, en);
	if (!lab)
		return false;
	snprintf(ret, cap, "%s", lab);
	return true;
}

bool recordtext_number(const proto_record_field *f, const proto_value *v, bool en, char *ret,
                       size_t cap)
{
	if (!f || v->type != PROTO_V_INT || cap < 64)
		return false;
	/* a measure or an amount with its thousands grouped: "68 000" / "68,000" */
	if (f->kind == PROTO_FK_NUMBER || f->kind == PROTO_FK_NUM_OR_TEXT) {
		char digits[32];
		unsigned long long n =
		    v->u.i < 0 ? 0ULL - (unsigned long long)v->u.i : (unsigned long long)v->u.i;
		int nd = snprintf(digits, sizeof digits, "%llu", n);
		const char *sep = en ? "," : "\u202f"; /* French: a narrow no-break space */
		size_t o = 0, sl = strlen(sep);
		if (v->u.i < 0)
			ret[o++] = '-';
		for (int i = 0; i < nd; i++) {
			if (i && (nd - i) % 3 == 0) {
				memcpy(ret + o, sep, sl);
				o += sl;
			}
			ret[o++] = digits[i];
		}
		ret[o] = '\0';
		return true;
	}
	/* a rating says its scale: "3 sur 4" */
	if (f->kind == PROTO_FK_INT && f->lo == 1 && f->hi > 1 && f->hi <= 10) {
		snprintf(ret, cap, "%lld %s %lld", (long long)v->u.i, en ? "out of" : "sur",
		         (long long)f->hi);
		return true;
	}
	return false;
}

static const char *map_str(const proto_value *map, const char *key)
{
	const proto_value *v = proto_map_get(map, key);
	return v && v->type == PROTO_V_STR ? v->u.str.ptr : NULL;
}

bool recordtext_period(const proto_record_obj *obj, const proto_value *v, bool en, char *ret,
                       size_t cap)
{
	if (!obj || obj->check != PROTO_CHECK_PERIOD || !obj->fields[0].name ||
	    !obj->fields[1].name || v->type != PROTO_V_MAP)
		return false;
	const char *st = map_str(v, obj->fields[0].name), *end = map_str(v, obj->fields[1].name);
	char text[RECORDTEXT_CAP];
	if (!st || !datefmt_period(st, end, en, text, sizeof text))
		return false;
	snprintf(ret, cap, "%s", text);
	return true;
}

/* ---- order ---------------------------------------------------------------------------------- */

/* The highest page rank of a table, the heading's left out. */
static unsigned max_rank(const proto_record_field *table)
{
	unsigned m = 0;
	for (const proto_record_field *f = table; f && f->name; f++)
		if (f->page != PROTO_PAGE_HEAD && f->page > m)
			m = f->page;
	return m;
}

void recordtext_fields(const proto_value *body, const char *type, recordtext_field_fn fn, void *ctx)
{
	if (!body || body->type != PROTO_V_MAP)
		return;
	const proto_record_type *t = type ? proto_record_type_find(type, strlen(type)) : NULL;
	const proto_record_field *tables[2] = { t ? t->fields : NULL,
		                                t ? proto_record_type_common(t) : proto_record_common };
	for (size_t l = 0; l < 2; l++)
		for (unsigned rank = 1, m = max_rank(tables[l]); rank <= m; rank++)
			for (const proto_record_field *f = tables[l]; f && f->name; f++) {
				if (f->page != rank)
					continue;
				const proto_value *v = proto_map_get(body, f->name);
				if (v && v->type != PROTO_V_NIL)
					fn(f, f->name, v, ctx);
			}
	for (size_t i = 0; i < body->u.map.n; i++) {
		const proto_kv *kv = &body->u.map.items[i];
		const proto_record_field *f = proto_record_field_find(tables[0], kv->key);
		if (!f)
			f = proto_record_field_find(tables[1], kv->key);
		if (strcmp(kv->key, PROTO_F_TYPE) == 0 || strcmp(kv->key, PROTO_F_NAME) == 0 ||
		    (f && f->page != 0))
			continue;
		fn(f, kv->key, &kv->val, ctx);
	}
}

void recordtext_members(const proto_record_obj *obj, const proto_value *v, recordtext_member_fn fn,
                        void *ctx)
{
	if (v->type != PROTO_V_MAP)
		return;
	/* a contact's address says whether it may be shown to anyone (its `public` member) */
	const proto_value *shown = proto_map_get(v, PROTO_F_PUBLIC);
	bool hide_email = shown && shown->type == PROTO_V_BOOL && !shown->u.b;
	for (const proto_record_field *m = obj->fields; m->name; m++) {
		const proto_value *mv = proto_map_get(v, m->name);
		if (mv && mv->type != PROTO_V_NIL)
			fn(m, m->name, mv, hide_email && m->kind == PROTO_FK_EMAIL, ctx);
	}
	for (size_t i = 0; i < v->u.map.n; i++) {
		const proto_kv *kv = &v->u.map.items[i];
		if (!proto_record_field_find(obj->fields, kv->key))
			fn(NULL, kv->key, &kv->val, false, ctx);
	}
}
