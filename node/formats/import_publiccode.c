/* node/formats/import_publiccode.c: a publiccode.yml (versions 0.2 to 0.7 of the standard, and
 * the "0" of the files code.gouv.fr lists) as a draft of a software component.
 *
 * The YAML is read by libyaml through the front-matter parser (node/service/frontmatter.h),
 * the one Maille already has and fuzzes: the same rules apply (anchors, aliases and tags
 * refused, so no YAML bomb; nesting bounded; invalid UTF-8, NUL bytes and files over
 * MAILLE_INPUT_FILE_MAX refused with the line), dates stay text. The file is handed to it as
 * the front matter of an empty record: one "---" line before, one after.
 *
 * Mapping (the standard's keys, deprecated ones included):
 *   name, description.<lang>.localisedName     → title.<lang>, and the path component/<slug>
 *   description.<lang>.shortDescription        → summary.<lang>
 *   description.<lang>.longDescription         → description.<lang> (Markdown; HTML cleaned)
 *   description.<lang>.features                → features.<lang> (a Markdown list)
 *   description.<lang>.genericName, categories → keywords
 *   description.<lang>.documentation, apiDocumentation, videos; roadmap → links
 *   url, landingURL                            → repository_url, landing_url
 *   softwareVersion, releaseDate               → version, release_date
 *   developmentStatus                          → development_status, and status (reported)
 *   softwareType, platforms                    → software_type, platforms
 *   maintenance {type, contacts, contractors}  → maintenance (e-mails and addresses checked)
 *   dependsOn {open, proprietary, hardware}    → dependencies (one line per dependency)
 *   fundedBy                                   → funded_by
 *   isBasedOn                                  → relations (based_on)
 *   legal.license                              → licence (SPDX ids normalised)
 * Everything else (usedBy, logo, localisation, legal.repoOwner, organisation, the country
 * sections it/fr/..., intendedAudience...) goes under extensions.publiccode as written. Themes
 * and the other fields a publiccode.yml never has stay empty, commented in the draft. */
#include "import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/service/frontmatter.h"
#include "proto/error.h"
#include "proto/schema.h"

typedef struct pc {
	import_set *set;
	import_draft *d;
	const char *lang; /* the main language: "fr" if described in French, else the first */
} pc;

/* ---- values ------------------------------------------------------------------------------ */

/* v without its nulls (the format's "absent"), in place; false when v itself is null. */
static bool pc_strip(proto_value *v, unsigned depth)
{
	if (v->type == PROTO_V_NIL)
		return false;
	if (depth > IMPORT_DEPTH_MAX)
		return true;
	if (v->type == PROTO_V_ARRAY) {
		size_t o = 0;
		for (size_t i = 0; i < v->u.arr.n; i++)
			if (pc_strip(&v->u.arr.items[i], depth + 1))
				v->u.arr.items[o++] = v->u.arr.items[i];
		v->u.arr.n = o;
	} else if (v->type == PROTO_V_MAP) {
		size_t o = 0;
		for (size_t i = 0; i < v->u.map.n; i++)
			if (pc_strip(&v->u.map.items[i].val, depth + 1))
				v->u.map.items[o++] = v->u.map.items[i];
		v->u.map.n = o;
	}
	return true;
}

/* The map or array (type) m[key], created when absent (NULL: out of memory). */
static proto_value *pc_at(import_set *set, proto_value *m, const char *key, proto_vtype type)
{
	proto_value *v = (proto_value *)proto_map_get(m, key);
	if (v && v->type == type)
		return v;
	v = proto_value_map_put(&set->arena, m, key, strlen(key));
	if (v)
		v->type = type;
	return v;
}

#define pc_map_at(set, m, key) pc_at(set, m, key, PROTO_V_MAP)
#define pc_arr_at(set, m, key) pc_at(set, m, key, PROTO_V_ARRAY)

/* Appends a copy of v to the array arr; MAILLE_ENOMEM or 0. */
static int pc_append(import_set *set, proto_value *arr, const proto_value *v)
{
	proto_value *slot = proto_value_array_push(&set->arena, arr);
	if (!slot)
		return MAILLE_ENOMEM;
	*slot = *v;
	return 0;
}

/* Sets m[key] to a copy of v; MAILLE_ENOMEM or 0. */
static int pc_set(import_set *set, proto_value *m, const char *key, const proto_value *v)
{
	proto_value *slot = proto_value_map_put(&set->arena, m, key, strlen(key));
	if (!slot)
		return MAILLE_ENOMEM;
	*slot = *v;
	return 0;
}

/* Keeps v under extensions.publiccode.<k1>[.<k2>[.<k3>]] (k2, k3 may be NULL). */
static int pc_ext(pc *c, const char *k1, const char *k2, const char *k3, proto_value *v)
{
	if (!pc_strip(v, 0))
		return 0;
	const char *keys[3] = { k1, k2, k3 };
	size_t n = k3 ? 3 : k2 ? 2 : 1;
	if (!import_value_fits(v, 2 + (unsigned)n)) {
		char q[80];
		proto_schema_quote(q, sizeof q, keys[n - 1], strlen(keys[n - 1]));
		return import_issue_add(
		    c->set, c->d, IMPORT_DROPPED, "extensions",
		    "« %s » : une valeur imbriquée trop profond pour qu'une fiche "
		    "la garde : laissée de côté",
		    "\"%s\": a value nested too deep for a record to keep: left out", q);
	}
	proto_value *m = import_ext(c->set, c->d);
	for (size_t i = 0; m && i + 1 < n; i++)
		m = pc_map_at(c->set, m, keys[i]);
	proto_value *slot =
	    m ? proto_value_map_put(&c->set->arena, m, keys[n - 1], strlen(keys[n - 1])) : NULL;
	if (!slot)
		return MAILLE_ENOMEM;
	*slot = *v;
	return 0;
}

/* A scalar as text (a number the YAML left unquoted, a version 16 or 1.2, is text here). */
static bool pc_str(pc *c, const proto_value *v, const char **s, size_t *len)
{
	return import_scalar_text(c->set, v, s, len);
}

/* A value of the wrong shape: kept under extensions, reported. */
static int pc_shape(pc *c, const char *field, const char *k1, const char *k2, const char *k3,
                    proto_value *v, const char *what_fr, const char *what_en)
{
	if (v->type == PROTO_V_NIL)
		return 0;
	int r = import_issue_add(c->set, c->d, IMPORT_DROPPED, field,
	                         "%s%.0s attendu : la valeur est gardée sous extensions.publiccode",
	                         "%.0s%s expected: the value is kept under extensions.publiccode",
	                         what_fr, what_en);
	return r ? r : pc_ext(c, k1, k2, k3, v);
}

/* One line of text v (a scalar) cleaned into map[key]. */
static int pc_text(pc *c, proto_value *map, const char *key, const char *field,
                   const proto_value *v, unsigned flags)
{
	const char *s;
	size_t len;
	if (!pc_str(c, v, &s, &len))
		return 0;
	return import_text(c->set, c->d, map, key, field, s, len, flags);
}

/* The cleaned text of v, or NULL (left out: blank, refused with an issue, or not a scalar). */
static const proto_value *pc_clean(pc *c, const char *field, const proto_value *v, int *ret_err)
{
	proto_value *tmp = proto_value_new(&c->set->arena, PROTO_V_MAP);
	*ret_err = tmp ? 0 : MAILLE_ENOMEM;
	if (!tmp)
		return NULL;
	int r = pc_text(c, tmp, "v", field, v, 0);
	if (r < 0)
		*ret_err = r;
	return r == 1 ? proto_map_get(tmp, "v") : NULL;
}

/* Appends the cleaned text of v to the list body[key] (no duplicate). */
static int pc_push(pc *c, const char *key, const char *field, const proto_value *v)
{
	const char *s;
	size_t len;
	if (!pc_str(c, v, &s, &len))
		return 0;
	int r = import_text_push(c->set, c->d, c->d->body, key, field, s, len, 0);
	return r < 0 ? r : 0;
}

/* A link {rel, href} from v, an address. */
static int pc_link(pc *c, const char *rel, const char *field, const proto_value *v)
{
	const char *s;
	size_t len;
	if (!pc_str(c, v, &s, &len))
		return 0;
	proto_value *arr = pc_arr_at(c->set, c->d->body, "links");
	proto_value *link = arr ? proto_value_array_push(&c->set->arena, arr) : NULL;
	if (!link)
		return MAILLE_ENOMEM;
	link->type = PROTO_V_MAP;
	int r = import_uri(c->set, c->d, link, "href", field, s, len);
	if (r != 1) {
		arr->u.arr.n--; /* no address, no link */
		if (arr->u.arr.n == 0)
			proto_value_map_del(c->d->body, "links");
		return r;
	}
	proto_value *rv = proto_value_map_put(&c->set->arena, link, "rel", 3);
	proto_value *rs = rv ? proto_value_new_str(&c->set->arena, rel, strlen(rel)) : NULL;
	if (!rs)
		return MAILLE_ENOMEM;
	*rv = *rs;
	return 0;
}

/* ---- licences ------------------------------------------------------------------------------ */

/* The SPDX ids a publiccode.yml of a public body names, as the SPDX list spells them. */
/* clang-format off */
static const char *const pc_spdx_ids[] = {
	"0BSD", "AFL-3.0", "AGPL-3.0-only", "AGPL-3.0-or-later", "Apache-1.1", "Apache-2.0",
	"Artistic-2.0", "BSD-2-Clause", "BSD-3-Clause", "BSL-1.0", "CC-BY-3.0", "CC-BY-4.0",
	"CC-BY-SA-3.0", "CC-BY-SA-4.0", "CC0-1.0", "CECILL-1.0", "CECILL-1.1", "CECILL-2.0",
	"CECILL-2.1", "CECILL-B", "CECILL-C", "ECL-2.0", "EPL-1.0", "EPL-2.0", "etalab-2.0",
	"EUPL-1.0", "EUPL-1.1", "EUPL-1.2", "GFDL-1.3-only", "GFDL-1.3-or-later", "GPL-2.0-only",
	"GPL-2.0-or-later", "GPL-3.0-only", "GPL-3.0-or-later", "ISC", "LGPL-2.0-only",
	"LGPL-2.0-or-later", "LGPL-2.1-only", "LGPL-2.1-or-later", "LGPL-3.0-only",
	"LGPL-3.0-or-later", "MIT", "MIT-0", "MPL-1.1", "MPL-2.0", "MPL-2.0-no-copyleft-exception",
	"ODbL-1.0", "OFL-1.1", "OSL-3.0", "PostgreSQL", "Unlicense", "WTFPL", "Zlib", NULL,
};

/* The ids the SPDX list deprecates, and the "+" forms, with what replaces them. */
static const struct {
	const char *id, *spdx;
} pc_spdx_deprecated[] = {
	{ "AGPL-3.0", "AGPL-3.0-only" }, { "AGPL-3.0+", "AGPL-3.0-or-later" },
	{ "GPL-2.0", "GPL-2.0-only" },   { "GPL-2.0+", "GPL-2.0-or-later" },
	{ "GPL-3.0", "GPL-3.0-only" },   { "GPL-3.0+", "GPL-3.0-or-later" },
	{ "LGPL-2.0", "LGPL-2.0-only" }, { "LGPL-2.0+", "LGPL-2.0-or-later" },
	{ "LGPL-2.1", "LGPL-2.1-only" }, { "LGPL-2.1+", "LGPL-2.1-or-later" },
	{ "LGPL-3.0", "LGPL-3.0-only" }, { "LGPL-3.0+", "LGPL-3.0-or-later" },
	{ "GFDL-1.3", "GFDL-1.3-only" },
	{ "GPL-2.0-with-classpath-exception", "GPL-2.0-only WITH Classpath-exception-2.0" },
};
/* clang-format on */

static bool pc_ieq(const char *a, size_t alen, const char *b)
{
	size_t n = strlen(b);
	if (alen != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char x = a[i], y = b[i];
		if (x >= 'A' && x <= 'Z')
			x = (char)(x | 0x20);
		if (y >= 'A' && y <= 'Z')
			y = (char)(y | 0x20);
		if (x != y)
			return false;
	}
	return true;
}

typedef struct pc_licence {
	char out[512];
	size_t n;
	bool changed, deprecated, unknown, too_long;
	char unknown_id[80];
} pc_licence;

static void pc_lic_put(pc_licence *l, const char *s, size_t len)
{
	if (l->n + len + 1 >= sizeof l->out) {
		l->too_long = true;
		return;
	}
	memcpy(l->out + l->n, s, len);
	l->n += len;
	l->out[l->n] = '\0';
}

/* One token of an SPDX expression (an id, an operator, an exception). */
static void pc_lic_token(pc_licence *l, const char *t, size_t len, bool after_with)
{
	static const char *const ops[] = { "AND", "OR", "WITH" };
	for (size_t i = 0; i < 3; i++)
		if (pc_ieq(t, len, ops[i])) {
			l->changed |= memcmp(t, ops[i], len) != 0;
			pc_lic_put(l, ops[i], len);
			return;
		}
	if (after_with || (len > 11 && pc_ieq(t, 11, "LicenseRef-")) ||
	    (len > 12 && pc_ieq(t, 12, "DocumentRef-"))) {
		pc_lic_put(l, t, len);
		return;
	}
	for (size_t i = 0; i < sizeof pc_spdx_deprecated / sizeof pc_spdx_deprecated[0]; i++)
		if (pc_ieq(t, len, pc_spdx_deprecated[i].id)) {
			l->changed = l->deprecated = true;
			pc_lic_put(l, pc_spdx_deprecated[i].spdx,
			           strlen(pc_spdx_deprecated[i].spdx));
			return;
		}
	for (const char *const *id = pc_spdx_ids; *id; id++)
		if (pc_ieq(t, len, *id)) {
			l->changed |= memcmp(t, *id, len) != 0;
			pc_lic_put(l, *id, len);
			return;
		}
	if (!l->unknown)
		proto_schema_quote(l->unknown_id, sizeof l->unknown_id, t, len);
	l->unknown = true;
	pc_lic_put(l, t, len);
}

/* legal.license → licence: each id of the expression spelled as the SPDX list does. */
static int pc_licence_read(pc *c, const proto_value *v)
{
	const char *s;
	size_t len;
	if (!pc_str(c, v, &s, &len))
		return 0;
	pc_licence l;
	memset(&l, 0, sizeof l);
	bool after_with = false, space = false;
	for (size_t i = 0; i < len;) {
		char ch = s[i];
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
			space = l.n > 0;
			i++;
			continue;
		}
		if (space && l.out[l.n - 1] != '(' && ch != ')')
			pc_lic_put(&l, " ", 1);
		space = false;
		if (ch == '(' || ch == ')') {
			pc_lic_put(&l, &s[i], 1);
			i++;
			continue;
		}
		size_t j = i;
		while (j < len && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' && s[j] != '\r' &&
		       s[j] != '(' && s[j] != ')')
			j++;
		pc_lic_token(&l, s + i, j - i, after_with);
		after_with = pc_ieq(s + i, j - i, "WITH");
		i = j;
	}
	char q[96];
	proto_schema_quote(q, sizeof q, s, len);
	if (l.n == 0 || l.too_long || !proto_utf8_valid((const uint8_t *)l.out, l.n)) {
		int r = import_issue_add(c->set, c->d, IMPORT_DROPPED, "licence",
		                         "licence « %s » illisible : laissée de côté",
		                         "unreadable licence \"%s\": left out", q);
		proto_value tmp = *v;
		return r ? r : pc_ext(c, "legal", "license", NULL, &tmp);
	}
	proto_value *slot = proto_value_map_put(&c->set->arena, c->d->body, "licence", 7);
	proto_value *str = slot ? proto_value_new_str(&c->set->arena, l.out, l.n) : NULL;
	if (!str)
		return MAILLE_ENOMEM;
	*slot = *str;
	int r = 0;
	if (l.deprecated)
		r = import_issue_add(c->set, c->d, IMPORT_CLEANED, "licence",
		                     "« %s » est un identifiant SPDX déprécié : lu comme %s",
		                     "\"%s\" is a deprecated SPDX identifier: read as %s", q,
		                     l.out);
	else if (l.changed)
		r = import_issue_add(c->set, c->d, IMPORT_CLEANED, "licence", "« %s » lu comme %s",
		                     "\"%s\" read as %s", q, l.out);
	if (!r && l.unknown)
		r = import_issue_add(
		    c->set, c->d, IMPORT_NOTE, "licence",
		    "« %s » n'est pas un identifiant SPDX connu : gardé tel quel, à "
		    "vérifier",
		    "\"%s\" is not a known SPDX identifier: kept as written, to check",
		    l.unknown_id);
	return r;
}

bool import_spdx_expression_ok(const char *s)
{
	/* want_id: an id, a WITH's exception or "(" expected next; else an operator or ")" */
	bool want_id = true, after_with = false;
	int depth = 0;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		if (s[i] == ' ') {
			i++;
			continue;
		}
		if (s[i] == '(' || s[i] == ')') {
			if ((s[i] == '(') != want_id || after_with)
				return false;
			depth += s[i] == '(' ? 1 : -1;
			if (depth < 0)
				return false;
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && s[j] != ' ' && s[j] != '(' && s[j] != ')')
			j++;
		size_t len = j - i;
		bool op = (len == 3 && (memcmp(s + i, "AND", 3) == 0)) ||
		          (len == 2 && memcmp(s + i, "OR", 2) == 0) ||
		          (len == 4 && memcmp(s + i, "WITH", 4) == 0);
		if (op) {
			if (want_id)
				return false;
			after_with = len == 4;
		} else {
			bool known = after_with ||
			             (len > 11 && memcmp(s + i, "LicenseRef-", 11) == 0) ||
			             (len > 12 && memcmp(s + i, "DocumentRef-", 12) == 0);
			for (const char *const *id = pc_spdx_ids; *id && !known; id++)
				known = strlen(*id) == len && memcmp(s + i, *id, len) == 0;
			if (!want_id || !known)
				return false;
			after_with = false;
		}
		want_id = op;
		i = j;
	}
	return !want_id && depth == 0;
}

/* ---- the keys ------------------------------------------------------------------------------ */

/* A language tag as description's keys are, and as the front matter takes it for a record's
 * `lang` (so that the draft reads back with the same language). */
static bool pc_lang_ok(const char *s, size_t len)
{
	return fm_lang_tag_ok(s, len);
}

/* features: a list of short texts → one Markdown list, features.<lang>. */
static int pc_features(pc *c, const char *lang, proto_value *v)
{
	char field[IMPORT_FIELD_MAX];
	import_field(field, sizeof field, "features.%s", lang);
	if (v->type != PROTO_V_ARRAY) {
		const char *s;
		size_t len;
		if (!pc_str(c, v, &s, &len))
			return pc_shape(c, field, "description", lang, "features", v, "une liste",
			                "a list");
		int r = import_text_lang(c->set, c->d, c->d->body, "features", field, lang, s, len,
		                         IMPORT_TEXT_MULTILINE);
		return r < 0 ? r : 0;
	}
	size_t total = 0;
	for (size_t i = 0; i < v->u.arr.n; i++)
		if (v->u.arr.items[i].type == PROTO_V_STR)
			total += v->u.arr.items[i].u.str.len + 3;
	char *md = proto_arena_alloc(&c->set->arena, total + 1);
	if (!md)
		return MAILLE_ENOMEM;
	size_t n = 0;
	for (size_t i = 0; i < v->u.arr.n; i++) {
		int r = 0;
		const proto_value *t = NULL;
		if (v->u.arr.items[i].type == PROTO_V_STR)
			t = pc_clean(c, field, &v->u.arr.items[i], &r);
		else if (v->u.arr.items[i].type != PROTO_V_NIL)
			r = import_issue_add(
			    c->set, c->d, IMPORT_DROPPED, field,
			    "la fonctionnalité n°%zu n'est pas un texte : laissée de côté",
			    "feature #%zu is not a text: left out", i + 1);
		if (r)
			return r;
		if (!t)
			continue;
		n += (size_t)snprintf(md + n, total + 1 - n, "%s- %s", n ? "\n" : "", t->u.str.ptr);
	}
	if (n == 0)
		return 0;
	proto_value *m = pc_map_at(c->set, c->d->body, "features");
	proto_value *slot = m ? proto_value_map_put(&c->set->arena, m, lang, strlen(lang)) : NULL;
	proto_value *s = slot ? proto_value_new_str(&c->set->arena, md, n) : NULL;
	if (!s)
		return MAILLE_ENOMEM;
	*slot = *s;
	return 0;
}

/* description.<lang>: one language's texts. */
static int pc_description_lang(pc *c, const char *lang, proto_value *m)
{
	int r = 0;
	char field[IMPORT_FIELD_MAX];
	for (size_t i = 0; i < m->u.map.n && r >= 0; i++) {
		const char *k = m->u.map.items[i].key;
		proto_value *v = &m->u.map.items[i].val;
		if (v->type == PROTO_V_NIL)
			continue;
		const char *to = strcmp(k, "shortDescription") == 0  ? "summary"
		                 : strcmp(k, "longDescription") == 0 ? "description"
		                 : strcmp(k, "localisedName") == 0   ? "title"
		                                                     : NULL;
		if (to) {
			import_field(field, sizeof field, "%s.%s", to, lang);
			const char *s;
			size_t len;
			r = pc_str(c, v, &s, &len)
			        ? import_text_lang(
			              c->set, c->d, c->d->body, to, field, lang, s, len,
			              strcmp(to, "description") == 0 ? IMPORT_TEXT_MULTILINE : 0)
			        : pc_shape(c, field, "description", lang, k, v, "un texte",
			                   "a text");
		} else if (strcmp(k, "features") == 0) {
			r = pc_features(c, lang, v);
		} else if (strcmp(k, "genericName") == 0) {
			r = pc_push(c, "keywords", "keywords", v);
		} else if (strcmp(k, "documentation") == 0) {
			r = pc_link(c, "documentation", "links", v);
		} else if (strcmp(k, "apiDocumentation") == 0) {
			r = pc_link(c, "api-documentation", "links", v);
		} else if (strcmp(k, "videos") == 0 && v->type == PROTO_V_ARRAY) {
			for (size_t j = 0; j < v->u.arr.n && !r; j++)
				r = pc_link(c, "video", "links", &v->u.arr.items[j]);
		} else {
			r = pc_ext(c, "description", lang, k, v);
		}
	}
	return r < 0 ? r : 0;
}

static int pc_description(pc *c, proto_value *v)
{
	if (v->type != PROTO_V_MAP)
		return pc_shape(c, "description", "description", NULL, NULL, v,
		                "une table de langues", "a map of languages");
	int r = 0;
	for (size_t i = 0; i < v->u.map.n && r >= 0; i++) {
		const char *lang = v->u.map.items[i].key;
		proto_value *m = &v->u.map.items[i].val;
		if (m->type == PROTO_V_NIL)
			continue;
		if (!pc_lang_ok(lang, strlen(lang))) {
			char q[64];
			proto_schema_quote(q, sizeof q, lang, strlen(lang));
			r = import_issue_add(
			    c->set, c->d, IMPORT_DROPPED, "description",
			    "« %s » n'est pas un code de langue : ses textes sont gardés "
			    "sous extensions.publiccode",
			    "\"%s\" is not a language code: its texts are kept under "
			    "extensions.publiccode",
			    q);
			if (!r)
				r = pc_ext(c, "description", lang, NULL, m);
			continue;
		}
		r = m->type == PROTO_V_MAP ? pc_description_lang(c, lang, m)
		                           : pc_shape(c, "description", "description", lang, NULL,
		                                      m, "une table", "a map");
	}
	return r < 0 ? r : 0;
}

/* The keys of one object of a list (a contact, a contractor): texts cleaned, the e-mail and
 * web addresses and dates checked, any other key kept as written. */
static int pc_person(pc *c, const char *field, proto_value *src, proto_value *dst)
{
	int r = 0;
	char f[IMPORT_FIELD_MAX];
	for (size_t i = 0; i < src->u.map.n && r >= 0; i++) {
		const char *k = src->u.map.items[i].key;
		proto_value *v = &src->u.map.items[i].val;
		const char *s;
		size_t len;
		import_field(f, sizeof f, "%s.%s", field, k);
		if (!pc_strip(v, 0))
			continue;
		if (!pc_str(c, v, &s, &len)) {
			if (pc_set(c->set, dst, k, v))
				return MAILLE_ENOMEM;
		} else if (strcmp(k, "email") == 0) {
			r = import_email(c->set, c->d, dst, k, f, s, len);
		} else if (strcmp(k, "website") == 0 || strcmp(k, "url") == 0) {
			r = import_uri(c->set, c->d, dst, k, f, s, len);
		} else if (strcmp(k, "until") == 0) {
			r = import_date(c->set, c->d, dst, k, f, s, len);
		} else {
			r = import_text(c->set, c->d, dst, k, f, s, len, 0);
		}
	}
	return r < 0 ? r : 0;
}

/* A list of the source (dst_field: maintenance.contacts...) into dst[key], each item read by
 * fn (its field, e.g. "maintenance.contacts[0]", then the item, then the array to append to);
 * left out when nothing of it is kept. */
static int pc_items(pc *c, proto_value *dst, const char *key, const char *dst_field,
                    const char *src_key, proto_value *v,
                    int (*fn)(pc *c, const char *field, size_t i, proto_value *item,
                              proto_value *arr))
{
	if (v->type != PROTO_V_ARRAY)
		return pc_shape(c, dst_field, src_key, key, NULL, v, "une liste", "a list");
	proto_value *arr = pc_arr_at(c->set, dst, key);
	if (!arr)
		return MAILLE_ENOMEM;
	for (size_t i = 0; i < v->u.arr.n; i++) {
		char field[IMPORT_FIELD_MAX];
		import_field(field, sizeof field, "%s[%zu]", dst_field, arr->u.arr.n);
		int r = fn(c, field, i, &v->u.arr.items[i], arr);
		if (r < 0)
			return r;
	}
	if (arr->u.arr.n == 0)
		proto_value_map_del(dst, key);
	return 0;
}

/* A contact or a contractor: a map of texts, or a text. */
static int pc_person_item(pc *c, const char *field, size_t i, proto_value *item, proto_value *arr)
{
	int r = 0;
	const proto_value *t;
	if (item->type == PROTO_V_MAP) {
		proto_value *dst = proto_value_new(&c->set->arena, PROTO_V_MAP);
		if (!dst || (r = pc_person(c, field, item, dst)))
			return dst ? r : MAILLE_ENOMEM;
		t = dst->u.map.n ? dst : NULL;
	} else {
		t = pc_clean(c, field, item, &r);
	}
	return r ? r : t ? pc_append(c->set, arr, t) : 0;
}

/* maintenance.contacts or .contractors: a list of people or companies. */
static int pc_people(pc *c, proto_value *maint, const char *key, proto_value *v)
{
	char field[IMPORT_FIELD_MAX];
	import_field(field, sizeof field, "maintenance.%s", key);
	return pc_items(c, maint, key, field, "maintenance", v, pc_person_item);
}

/* The vocabulary of maintenance.type. */
static const proto_vocab *pc_maintenance_types(void)
{
	const proto_record_type *t = proto_record_type_find("component", 9);
	const proto_record_field *mf = proto_record_type_field(t, "maintenance");
	const proto_record_field *tf =
	    mf && mf->obj ? proto_record_field_find(mf->obj->fields, "type") : NULL;
	return tf ? tf->vocab : NULL;
}

/* One key of maintenance into dst. */
static int pc_maintenance_key(pc *c, proto_value *dst, const char *k, proto_value *x)
{
	const char *s;
	size_t len;
	if (strcmp(k, "type") == 0 && pc_str(c, x, &s, &len))
		return import_enum(c->set, c->d, dst, "type", "maintenance.type",
		                   pc_maintenance_types(), NULL, s, len);
	if (strcmp(k, "contacts") == 0 || strcmp(k, "contractors") == 0)
		return pc_people(c, dst, k, x);
	return pc_ext(c, "maintenance", k, NULL, x);
}

/* An object of the source (src_key: maintenance, dependsOn) into body[field], each of its
 * keys read by fn; left out when nothing of it is kept. */
static int pc_object(pc *c, const char *field, const char *src_key, proto_value *v,
                     int (*fn)(pc *c, proto_value *dst, const char *k, proto_value *x))
{
	if (v->type != PROTO_V_MAP)
		return pc_shape(c, field, src_key, NULL, NULL, v, "une table", "a map");
	proto_value *dst = proto_value_new(&c->set->arena, PROTO_V_MAP);
	if (!dst)
		return MAILLE_ENOMEM;
	for (size_t i = 0; i < v->u.map.n; i++) {
		proto_value *x = &v->u.map.items[i].val;
		int r = x->type == PROTO_V_NIL ? 0 : fn(c, dst, v->u.map.items[i].key, x);
		if (r < 0)
			return r;
	}
	return dst->u.map.n ? pc_set(c->set, c->d->body, field, dst) : 0;
}

/* A dependency as one line, "name version" (or its range). */
static int pc_depends_item(pc *c, const char *field, size_t i, proto_value *item, proto_value *arr)
{
	const proto_value *name = proto_map_get(item, "name");
	const char *ns;
	size_t nl;
	if (!name || !pc_str(c, name, &ns, &nl))
		return item->type == PROTO_V_NIL
		           ? 0
		           : import_issue_add(
		                 c->set, c->d, IMPORT_DROPPED, field,
		                 "la dépendance n°%zu n'a pas de nom : laissée de côté",
		                 "dependency #%zu has no name: left out", i + 1);
	char line[512];
	int n = snprintf(line, sizeof line, "%.*s", (int)(nl > 300 ? 300 : nl), ns);
	static const char *const ver[][2] = { { "version", " " },
		                              { "versionMin", " >= " },
		                              { "versionMax", " <= " } };
	for (size_t k = 0; k < 3; k++) {
		const proto_value *x = proto_map_get(item, ver[k][0]);
		const char *s;
		size_t len;
		if (x && pc_str(c, x, &s, &len) && (size_t)n < sizeof line)
			n += snprintf(line + n, sizeof line - (size_t)n, "%s%.*s", ver[k][1],
			              (int)(len > 60 ? 60 : len), s);
	}
	const proto_value *opt = proto_map_get(item, "optional");
	if (opt && opt->type == PROTO_V_BOOL && opt->u.b && (size_t)n < sizeof line)
		n += snprintf(line + n, sizeof line - (size_t)n, " (optional)");
	if ((size_t)n >= sizeof line)
		n = (int)sizeof line - 1;
	proto_value tmp = { .type = PROTO_V_STR };
	tmp.u.str.ptr = line;
	tmp.u.str.len = (size_t)n;
	int r;
	const proto_value *t = pc_clean(c, field, &tmp, &r);
	return r ? r : t ? pc_append(c->set, arr, t) : 0;
}

/* dependsOn.<kind>: each dependency as one line. */
static int pc_depends_kind(pc *c, proto_value *deps, const char *kind, proto_value *v)
{
	char field[IMPORT_FIELD_MAX];
	import_field(field, sizeof field, "dependencies.%s", kind);
	return pc_items(c, deps, kind, field, "dependsOn", v, pc_depends_item);
}

/* One key of dependsOn into dst. */
static int pc_depends_key(pc *c, proto_value *dst, const char *k, proto_value *x)
{
	if (strcmp(k, "open") == 0 || strcmp(k, "proprietary") == 0 || strcmp(k, "hardware") == 0)
		return pc_depends_kind(c, dst, k, x);
	return pc_ext(c, "dependsOn", k, NULL, x);
}

/* fundedBy: names (0.2's strings, or {name, url} since 0.4) → funded_by, "name (url)". */
static int pc_funded(pc *c, proto_value *v)
{
	if (v->type != PROTO_V_ARRAY)
		return pc_shape(c, "funded_by", "fundedBy", NULL, NULL, v, "une liste", "a list");
	int r = 0;
	for (size_t i = 0; i < v->u.arr.n && r >= 0; i++) {
		proto_value *item = &v->u.arr.items[i];
		if (item->type != PROTO_V_MAP) {
			r = pc_push(c, "funded_by", "funded_by", item);
			continue;
		}
		const proto_value *name = proto_map_get(item, "name"),
		                  *url = proto_map_get(item, "uri");
		if (!url)
			url = proto_map_get(item, "url");
		const char *ns, *us = NULL;
		size_t nl, ul = 0;
		if (!name || !pc_str(c, name, &ns, &nl)) {
			r = import_issue_add(c->set, c->d, IMPORT_DROPPED, "funded_by",
			                     "le financeur n°%zu n'a pas de nom : laissé de côté",
			                     "funder #%zu has no name: left out", i + 1);
			continue;
		}
		if (url && !pc_str(c, url, &us, &ul))
			us = NULL;
		char *s = proto_arena_alloc(&c->set->arena, nl + ul + 4);
		if (!s)
			return MAILLE_ENOMEM;
		size_t n = (size_t)sprintf(s, us ? "%.*s (%.*s)" : "%.*s", (int)nl, ns, (int)ul,
		                           us ? us : "");
		proto_value tmp = { .type = PROTO_V_STR };
		tmp.u.str.ptr = s;
		tmp.u.str.len = n;
		r = pc_push(c, "funded_by", "funded_by", &tmp);
	}
	return r < 0 ? r : 0;
}

/* isBasedOn: the software this one derives from → relations based_on. */
static int pc_based_on(pc *c, proto_value *v)
{
	size_t n = v->type == PROTO_V_ARRAY ? v->u.arr.n : 1;
	for (size_t i = 0; i < n; i++) {
		const proto_value *x = v->type == PROTO_V_ARRAY ? &v->u.arr.items[i] : v;
		const char *s;
		size_t len;
		if (!pc_str(c, x, &s, &len))
			continue;
		proto_value *arr = pc_arr_at(c->set, c->d->body, "relations");
		proto_value *rel = arr ? proto_value_array_push(&c->set->arena, arr) : NULL;
		if (!rel)
			return MAILLE_ENOMEM;
		rel->type = PROTO_V_MAP;
		int r = import_uri(c->set, c->d, rel, "target", "relations", s, len);
		if (r < 0)
			return r;
		if (r == 0) {
			arr->u.arr.n--;
			if (arr->u.arr.n == 0)
				proto_value_map_del(c->d->body, "relations");
			continue;
		}
		proto_value *rv = proto_value_map_put(&c->set->arena, rel, "rel", 3);
		proto_value *rs = rv ? proto_value_new_str(&c->set->arena, "based_on", 8) : NULL;
		if (!rs)
			return MAILLE_ENOMEM;
		*rv = *rs;
	}
	return 0;
}

/* A list of short texts (platforms, categories) into body[key]. */
static int pc_list(pc *c, const char *key, const char *src_key, proto_value *v)
{
	if (v->type != PROTO_V_ARRAY)
		return v->type == PROTO_V_STR
		           ? pc_push(c, key, key, v)
		           : pc_shape(c, key, src_key, NULL, NULL, v, "une liste", "a list");
	int r = 0;
	for (size_t i = 0; i < v->u.arr.n && r >= 0; i++)
		r = pc_push(c, key, key, &v->u.arr.items[i]);
	return r < 0 ? r : 0;
}

static const import_synonym pc_status_synonyms[] = {
	{ "concept", "idea" },     { "beta", "pilot" }, { "stable", "production" },
	{ "obsolete", "retired" }, { NULL, NULL },
};

const char *const import_publiccode_dev_statuses[] = { "concept", "development", "beta",
	                                               "stable",  "obsolete",    NULL };
const char *const import_publiccode_software_types[] = {
	"standalone/mobile",
	"standalone/iot",
	"standalone/desktop",
	"standalone/web",
	"standalone/backend",
	"standalone/other",
	"addon",
	"library",
	"configurationFiles",
	NULL,
};

/* A text from a vocabulary of the standard's, kept as written; an unknown one is reported. */
static int pc_term(pc *c, const char *key, proto_value *v, const char *const *terms)
{
	int r = pc_text(c, c->d->body, key, key, v, 0);
	const proto_value *t = proto_map_get(c->d->body, key);
	if (r != 1 || !t)
		return r < 0 ? r : 0;
	for (const char *const *x = terms; *x; x++)
		if (strcmp(*x, t->u.str.ptr) == 0)
			return 0;
	char q[96];
	proto_schema_quote(q, sizeof q, t->u.str.ptr, t->u.str.len);
	return import_issue_add(
	    c->set, c->d, IMPORT_NOTE, key,
	    "« %s » n'est pas une valeur du standard publiccode.yml : gardée, à "
	    "vérifier",
	    "\"%s\" is not a value of the publiccode.yml standard: kept, to check", q);
}

/* One key of legal: the licence into the body, the others kept (dst stays empty). */
static int pc_legal_key(pc *c, proto_value *dst, const char *k, proto_value *x)
{
	(void)dst;
	return strcmp(k, "license") == 0 ? pc_licence_read(c, x) : pc_ext(c, "legal", k, NULL, x);
}

/* One top-level key. */
static int pc_key(pc *c, const char *k, proto_value *v)
{
	const char *s;
	size_t len;
	int r;
	if (v->type == PROTO_V_NIL || strcmp(k, "name") == 0)
		return 0;
	if (strcmp(k, "description") == 0)
		return pc_description(c, v);
	if (strcmp(k, "legal") == 0)
		return pc_object(c, "licence", "legal", v, pc_legal_key);
	if (strcmp(k, "maintenance") == 0)
		return pc_object(c, "maintenance", k, v, pc_maintenance_key);
	if (strcmp(k, "dependsOn") == 0)
		return pc_object(c, "dependencies", k, v, pc_depends_key);
	if (strcmp(k, "fundedBy") == 0)
		return pc_funded(c, v);
	if (strcmp(k, "isBasedOn") == 0)
		return pc_based_on(c, v);
	if (strcmp(k, "platforms") == 0)
		return pc_list(c, "platforms", k, v);
	if (strcmp(k, "categories") == 0)
		return pc_list(c, "keywords", k, v);
	if (strcmp(k, "roadmap") == 0)
		return pc_link(c, "roadmap", "links", v);
	if (strcmp(k, "softwareType") == 0)
		return pc_term(c, "software_type", v, import_publiccode_software_types);
	if (!pc_str(c, v, &s, &len))
		return pc_ext(c, k, NULL, NULL, v);
	if (strcmp(k, "url") == 0)
		r = import_uri(c->set, c->d, c->d->body, "repository_url", "repository_url", s,
		               len);
	else if (strcmp(k, "landingURL") == 0)
		r = import_uri(c->set, c->d, c->d->body, "landing_url", "landing_url", s, len);
	else if (strcmp(k, "softwareVersion") == 0)
		r = import_text(c->set, c->d, c->d->body, "version", "version", s, len, 0);
	else if (strcmp(k, "releaseDate") == 0)
		r = import_date(c->set, c->d, c->d->body, "release_date", "release_date", s, len);
	else if (strcmp(k, "developmentStatus") == 0) {
		r = pc_term(c, "development_status", v, import_publiccode_dev_statuses);
		if (!r)
			r = import_enum(c->set, c->d, c->d->body, PROTO_F_STATUS, PROTO_F_STATUS,
			                import_vocab("component", PROTO_F_STATUS),
			                pc_status_synonyms, s, len);
	} else
		return pc_ext(c, k, NULL, NULL, v);
	return r < 0 ? r : 0;
}

/* The standard's required keys a file lacks (code.gouv.fr's files lack several): reported, so
 * that the draft says what the source did not give. */
static int pc_missing(pc *c, const proto_value *root)
{
	static const char *const top[] = {
		"name",        "url",   "platforms",   "developmentStatus", "softwareType",
		"description", "legal", "maintenance", "localisation",      NULL
	};
	int r = 0;
	for (const char *const *k = top; *k && !r; k++) {
		const proto_value *v = proto_map_get(root, *k);
		if (!v || v->type == PROTO_V_NIL)
			r = import_issue_add(
			    c->set, c->d, IMPORT_NOTE, *k,
			    "le fichier n'a pas la clé « %s » que le standard "
			    "publiccode.yml demande",
			    "the file lacks the key \"%s\" the publiccode.yml standard "
			    "requires",
			    *k);
	}
	const proto_value *desc = proto_map_get(root, "description");
	static const char *const per_lang[] = { "shortDescription", "longDescription", "features",
		                                NULL };
	for (size_t i = 0; desc && desc->type == PROTO_V_MAP && i < desc->u.map.n && r >= 0; i++)
		for (const char *const *k = per_lang;
		     *k && !r &&
		     pc_lang_ok(desc->u.map.items[i].key, strlen(desc->u.map.items[i].key));
		     k++) {
			const proto_value *v = proto_map_get(&desc->u.map.items[i].val, *k);
			if (!v || v->type == PROTO_V_NIL)
				r = import_issue_add(
				    c->set, c->d, IMPORT_NOTE, "description",
				    "le fichier n'a pas la clé « description.%s.%s » que le "
				    "standard publiccode.yml demande",
				    "the file lacks the key \"description.%s.%s\" the "
				    "publiccode.yml standard requires",
				    desc->u.map.items[i].key, *k);
		}
	return r;
}

/* The main language, and name → title and the path. */
static int pc_name(pc *c, const proto_value *root)
{
	const proto_value *desc = proto_map_get(root, "description");
	c->lang = "fr";
	if (desc && desc->type == PROTO_V_MAP && !proto_map_get(desc, "fr"))
		for (size_t i = 0; i < desc->u.map.n; i++) {
			const char *k = desc->u.map.items[i].key;
			if (desc->u.map.items[i].val.type == PROTO_V_MAP &&
			    pc_lang_ok(k, strlen(k))) {
				c->lang = k;
				break;
			}
		}
	if (desc && desc->type == PROTO_V_MAP) {
		proto_value *slot =
		    proto_value_map_put(&c->set->arena, c->d->body, PROTO_F_LANG, 4);
		proto_value *s =
		    slot ? proto_value_new_str(&c->set->arena, c->lang, strlen(c->lang)) : NULL;
		if (!s)
			return MAILLE_ENOMEM;
		*slot = *s;
	}
	const proto_value *name = proto_map_get(root, "name");
	const char *s;
	size_t len;
	if (!name || !pc_str(c, name, &s, &len))
		return name && name->type != PROTO_V_NIL
		           ? pc_shape(c, "title", "name", NULL, NULL, (proto_value *)name,
		                      "un texte", "a text")
		           : 0;
	char field[IMPORT_FIELD_MAX];
	import_field(field, sizeof field, "title.%s", c->lang);
	int r =
	    import_text_lang(c->set, c->d, c->d->body, PROTO_F_TITLE, field, c->lang, s, len, 0);
	if (r < 0)
		return r;
	char slug[96];
	size_t n = proto_slugify(s, len, slug, sizeof slug);
	if (n) {
		char *path = proto_arena_alloc(&c->set->arena, n + 11);
		if (!path)
			return MAILLE_ENOMEM;
		snprintf(path, n + 11, "component/%s", slug);
		c->d->path = path;
	}
	return 0;
}

/* ---- the file ------------------------------------------------------------------------------ */

static bool pc_line_is(const uint8_t *p, size_t len, const char *marker)
{
	while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == ' ' || p[len - 1] == '\t'))
		len--;
	return len == strlen(marker) && memcmp(p, marker, len) == 0;
}

/* A line holding nothing for YAML: blank, or a comment. */
static bool pc_line_empty(const uint8_t *p, size_t len)
{
	size_t i = 0;
	while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r'))
		i++;
	return i == len || p[i] == '#';
}

/* Whether the lines from offset i on hold nothing for YAML. */
static bool pc_rest_empty(const uint8_t *text, size_t i, size_t len)
{
	while (i < len) {
		const uint8_t *nl = memchr(text + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - text) : len;
		if (!pc_line_empty(text + i, e - i))
			return false;
		i = e + 1;
	}
	return true;
}

/* The file as the front matter of an empty record into *ret: "---", the text, "---". A
 * leading "---" (document start) and a trailing "..." (document end) become comments; any
 * other such line would end the front matter, so it is a file error (a publiccode.yml is one
 * document). */
static int pc_wrap(import_set *set, const import_src *src, uint8_t **ret, size_t *ret_len)
{
	const uint8_t *p = src->buf;
	size_t len = src->len;
	if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
		p += 3; /* a byte order mark */
		len -= 3;
	}
	uint8_t *buf = proto_arena_alloc(&set->arena, len + 10);
	if (!buf)
		return MAILLE_ENOMEM;
	memcpy(buf, "---\n", 4);
	memcpy(buf + 4, p, len);
	uint8_t *text = buf + 4;
	bool content = false;
	unsigned line = 1;
	for (size_t i = 0; i < len; line++) {
		const uint8_t *nl = memchr(text + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - text) : len;
		if (pc_line_is(text + i, e - i, "---") || pc_line_is(text + i, e - i, "...")) {
			bool end = text[i] == '.';
			if ((end && !pc_rest_empty(text, e, len)) || (!end && content))
				return import_file_fail(
				    set, src, MAILLE_EPROTO, line, 1, "",
				    "plusieurs documents YAML dans le fichier (ligne %u) : "
				    "un publiccode.yml en a un seul",
				    "several YAML documents in the file (line %u): a "
				    "publiccode.yml has only one",
				    line);
			text[i] = '#';
		} else if (!pc_line_empty(text + i, e - i)) {
			content = true;
		}
		i = e + 1;
	}
	memcpy(buf + 4 + len, "\n---\n", 5);
	*ret = buf;
	*ret_len = len + 9;
	return 0;
}

/* A message of the front-matter parser with its "line N" (word: "line", "ligne") counted in
 * the file rather than in the wrapped text, one line longer at the top, and the control
 * characters of a quoted key (a tab) made spaces. */
static void pc_unwrap_lines(char *msg, size_t cap, const char *word)
{
	char out[sizeof((fm_error *)0)->message];
	size_t o = 0, wl = strlen(word);
	for (const char *p = msg; *p && o + 12 < sizeof out;) {
		if (strncmp(p, word, wl) == 0 && p[wl] == ' ' && p[wl + 1] >= '1' &&
		    p[wl + 1] <= '9') {
			char *end;
			unsigned long n = strtoul(p + wl + 1, &end, 10);
			o += (size_t)snprintf(out + o, sizeof out - o, "%s %lu", word,
			                      n > 1 ? n - 1 : n);
			p = end;
			continue;
		}
		out[o++] = (unsigned char)*p < 0x20 || *p == 0x7f ? ' ' : *p;
		p++;
	}
	out[o] = '\0';
	snprintf(msg, cap, "%s", out);
}

int import_read_publiccode(import_set *set, const import_src *src)
{
	if (src->len > IMPORT_FILE_MAX)
		return import_file_fail(set, src, MAILLE_ETOOBIG, 0, 0, "",
		                        "le fichier dépasse %u octets",
		                        "the file is larger than %u bytes", IMPORT_FILE_MAX);
	uint8_t *buf = NULL;
	size_t len = 0;
	int r = pc_wrap(set, src, &buf, &len);
	if (r)
		return r;
	fm_error fe;
	memset(&fe, 0, sizeof fe);
	proto_value *root = NULL;
	const char *path = NULL;
	r = fm_parse(buf, len, &set->arena, &root, &path, &fe);
	if (r) {
		pc_unwrap_lines(fe.message, sizeof fe.message, "line");
		pc_unwrap_lines(fe.message_fr, sizeof fe.message_fr, "ligne");
	}
	if (r)
		return import_file_fail(set, src, r, fe.line > 1 ? fe.line - 1 : fe.line, fe.column,
		                        fe.field, "%s%.0s", "%.0s%s",
		                        fe.message_fr[0] ? fe.message_fr : maille_strerror(r),
		                        fe.message[0] ? fe.message : maille_strerror(r));
	const proto_value *ver = proto_map_get(root, "publiccodeYmlVersion");
	pc c = { set, NULL, "fr" };
	const char *vs;
	size_t vl;
	if (!ver || !pc_str(&c, ver, &vs, &vl))
		return import_file_fail(
		    set, src, MAILLE_EPROTO, 1, 0, "publiccodeYmlVersion",
		    "ce fichier n'est pas un publiccode.yml : il n'a pas de clé "
		    "publiccodeYmlVersion",
		    "this file is not a publiccode.yml: it has no "
		    "publiccodeYmlVersion key");
	c.d = import_draft_new(set, src, "component", NULL);
	if (!c.d)
		return MAILLE_ENOMEM;
	proto_value *kind = proto_value_map_put(&set->arena, c.d->body, "component_kind", 14);
	proto_value *ks = kind ? proto_value_new_str(&set->arena, "software", 8) : NULL;
	if (!ks)
		return MAILLE_ENOMEM;
	*kind = *ks;
	bool known =
	    (vl == 1 && vs[0] == '0') || (vl >= 3 && vs[0] == '0' && vs[1] == '.' && vs[2] >= '2' &&
	                                  vs[2] <= '7' && (vl == 3 || vs[3] == '.'));
	if (!known) {
		char q[64];
		proto_schema_quote(q, sizeof q, vs, vl);
		if ((r = import_issue_add(
		         set, c.d, IMPORT_NOTE, "publiccodeYmlVersion",
		         "version « %s » inconnue (0.2 à 0.7 et 0 sont lues) : lue "
		         "comme la 0.7, à vérifier",
		         "unknown version \"%s\" (0.2 to 0.7 and 0 are read): read as "
		         "0.7, to check",
		         q)))
			return r;
	}
	if ((r = pc_name(&c, root)) || (r = pc_missing(&c, root)))
		return r;
	for (size_t i = 0; i < root->u.map.n; i++)
		if ((r = pc_key(&c, root->u.map.items[i].key, &root->u.map.items[i].val)) < 0)
			return r;
	if (path) { /* not a key of the standard: kept like any other */
		proto_value tmp = { .type = PROTO_V_STR };
		tmp.u.str.ptr = path;
		tmp.u.str.len = strlen(path);
		if ((r = pc_ext(&c, "path", NULL, NULL, &tmp)))
			return r;
	}
	return 0;
}
