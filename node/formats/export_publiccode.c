/* node/formats/export_publiccode.c: each software component as a publiccode.yml of version 0.7
 * of the standard (export.h), the inverse of import_publiccode.c's mapping, so that `maille
 * import publiccode` reads the file back into the same fields:
 *   title.<lang>, title.<other>          → name, description.<other>.localisedName
 *   summary, description, features       → description.<lang>.shortDescription,
 *                                          longDescription, features (one item a "- " line)
 *   keywords                             → categories (those of the standard's list), the
 *                                          first other one → the main language's genericName
 *   links documentation, api-documentation, video, roadmap → documentation, apiDocumentation,
 *                                          videos, roadmap
 *   repository_url, landing_url, version, release_date → url, landingURL, softwareVersion,
 *                                          releaseDate
 *   development_status (else status)     → developmentStatus
 *   software_type, platforms, licence    → softwareType, platforms, legal.license
 *   maintenance, dependencies            → maintenance, dependsOn (each line parsed back)
 *   funded_by "name (address)"           → fundedBy {name, uri}
 *   relations based_on                   → isBasedOn
 * The keys the reader kept under extensions.publiccode come back from there when they are keys
 * of the standard (localisation, logo, organisation, legal.mainCopyrightOwner, the
 * description's screenshots...); the others (creationDate, a country section) are not written,
 * a validator would refuse them. usedBy is never the source's: it names the territories whose
 * REX about the component this node holds (node/service/coop.h's coop_users; a REX that
 * declares the use abandoned does not count, nor, unless the export takes every territory, an
 * untrusted territory's), by their territory record's name; a use case is not a user.
 *
 * A component the standard cannot describe whole (no platforms, no localisation, a long
 * description under 150 characters...) is not written: it is a skip listing what it lacks,
 * checked here with the rules of the standard and of its reference parser (every language of
 * the description has its three texts). Components of another kind than software, and other
 * records, are left out silently. The YAML is libyaml's emitter's: quoting and escaping are
 * the library's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "export.h"
#include "import.h"
#include "node/service/coop.h"
#include "proto/error.h"

#define PCX_VERSION "0.7"
#define PCX_SHORT_MAX 150u
#define PCX_LONG_MIN 150u
#define PCX_LONG_MAX 10000u
#define PCX_GENERIC_MAX 35u
#define PCX_LANGS_MAX 16u
#define PCX_USERS_MAX 256u

/* The standard's categories (docs/standard/categories-list.rst of version 0.7). */
/* clang-format off */
static const char *const pcx_categories[] = {
	"accounting", "agile-project-management", "applicant-tracking", "application-development",
	"appointment-scheduling", "backup", "billing-and-invoicing", "blog", "budgeting",
	"business-intelligence", "business-process-management", "cad", "call-center-management",
	"cloud-management", "collaboration", "communications", "compliance-management",
	"contact-management", "content-management", "crm", "customer-service-and-support",
	"data-analytics", "data-collection", "data-visualization", "design", "design-system",
	"digital-asset-management", "digital-citizenship", "document-management",
	"donor-management", "e-commerce", "e-signature", "educational-content",
	"email-management", "email-marketing", "employee-management",
	"enterprise-project-management", "enterprise-social-networking", "erp",
	"event-management", "facility-management", "feedback-and-reviews-management",
	"financial-reporting", "fleet-management", "fundraising", "gamification",
	"geographic-information-systems", "grant-management", "graphic-design", "help-desk", "hr",
	"ide", "identity-management", "instant-messaging", "integrated-library-system",
	"inventory-management", "it-asset-management", "it-development", "it-management",
	"it-security", "it-service-management", "knowledge-management",
	"learning-management-system", "marketing", "mind-mapping", "mobile-marketing",
	"mobile-payment", "network-management", "office", "online-booking", "online-community",
	"payment-gateway", "payroll", "predictive-analysis", "procurement", "productivity-suite",
	"project-collaboration", "project-management", "property-management",
	"real-estate-management", "regulations-and-directives", "remote-support",
	"resource-management", "sales-management", "seo", "service-desk",
	"social-media-management", "survey", "talent-management", "task-management",
	"taxes-management", "test-management", "time-management", "time-tracking", "translation",
	"video-conferencing", "video-editing", "visitor-management", "voip",
	"warehouse-management", "web-collaboration", "web-conferencing", "website-builder",
	"whistleblowing", "workflow-management", "other", NULL,
};
/* clang-format on */

static const char *const pcx_maintenance_types[] = { "internal", "contract", "community", "none",
	                                             NULL };
/* Maille's status → developmentStatus, when the record has no development_status. */
static const char *const pcx_status_map[][2] = {
	{ "idea", "concept" },     { "design", "concept" },  { "development", "development" },
	{ "pilot", "beta" },       { "evaluation", "beta" }, { "production", "stable" },
	{ "retired", "obsolete" }, { NULL, NULL },
};

static bool pcx_in(const char *const *list, const char *s)
{
	for (; s && *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

static const char *pcx_str(const proto_value *m, const char *key)
{
	const proto_value *v = m && m->type == PROTO_V_MAP ? proto_map_get(m, key) : NULL;
	return v && v->type == PROTO_V_STR ? v->u.str.ptr : NULL;
}

static const proto_value *pcx_get(const proto_value *m, const char *key, proto_vtype type)
{
	const proto_value *v = m && m->type == PROTO_V_MAP ? proto_map_get(m, key) : NULL;
	return v && v->type == type ? v : NULL;
}

/* ---- the record read ---------------------------------------------------------------------- */

typedef struct pcx_doc {
	const export_set *s;
	const export_record *r;
	const proto_value *body;
	const proto_value *ext; /* extensions.publiccode, or NULL */
	proto_arena *a;
	const char *lang; /* the main language: the record's, first in the description */
	const char *langs[PCX_LANGS_MAX];
	size_t n_langs;
	const char *name, *dev_status;
	const char *users[PCX_USERS_MAX]; /* usedBy */
	size_t n_users;
	char fr[320], en[320]; /* what it lacks */
	size_t n_fr, n_en;
	unsigned n_missing;
} pcx_doc;

/* A key the file cannot have as the standard wants it, and why. */
static void pcx_miss(pcx_doc *d, const char *key, const char *fr, const char *en)
{
	if (d->n_fr < sizeof d->fr)
		d->n_fr += (size_t)snprintf(d->fr + d->n_fr, sizeof d->fr - d->n_fr, "%s%s (%s)",
		                            d->n_missing ? ", " : "", key, fr);
	if (d->n_en < sizeof d->en)
		d->n_en += (size_t)snprintf(d->en + d->n_en, sizeof d->en - d->n_en, "%s%s (%s)",
		                            d->n_missing ? ", " : "", key, en);
	d->n_missing++;
}

static void pcx_lang_add(pcx_doc *d, const char *lang)
{
	for (size_t i = 0; i < d->n_langs; i++)
		if (strcmp(d->langs[i], lang) == 0)
			return;
	if (d->n_langs < PCX_LANGS_MAX)
		d->langs[d->n_langs++] = lang;
}

/* The text of a language map (or a plain string, the main language's) in lang. */
static const char *pcx_text(const pcx_doc *d, const char *key, const char *lang)
{
	const proto_value *v = proto_map_get(d->body, key);
	if (v && v->type == PROTO_V_STR)
		return strcmp(lang, d->lang) == 0 ? v->u.str.ptr : NULL;
	return pcx_str(v, lang);
}

/* The languages of the description: the main one first, then those of summary, description
 * and features in their order. */
static void pcx_langs(pcx_doc *d)
{
	const char *lang = pcx_str(d->body, PROTO_F_LANG);
	static const char *const keys[] = { PROTO_F_SUMMARY, PROTO_F_DESCRIPTION, "features",
		                            NULL };
	for (const char *const *k = keys; *k; k++) {
		const proto_value *v = pcx_get(d->body, *k, PROTO_V_MAP);
		for (size_t i = 0; v && i < v->u.map.n; i++)
			if (v->u.map.items[i].val.type == PROTO_V_STR)
				pcx_lang_add(d, v->u.map.items[i].key);
	}
	d->lang = lang ? lang : "fr";
	bool found = false;
	for (size_t i = 0; i < d->n_langs && !found; i++)
		if (strcmp(d->langs[i], d->lang) == 0) {
			memmove(&d->langs[1], &d->langs[0], i * sizeof d->langs[0]);
			d->langs[0] = d->lang;
			found = true;
		}
	if (!found && d->n_langs)
		d->lang = d->langs[0];
	if (!d->n_langs)
		d->langs[d->n_langs++] = d->lang;
}

/* The features of lang as items: a Markdown list's items, else the text as one item. Calls fn
 * for each (its text and length), its first error into *err; the number of items. */
static size_t pcx_features(const pcx_doc *d, const char *lang, yaml_emitter_t *e,
                           int (*fn)(yaml_emitter_t *e, const char *s, size_t len), int *err)
{
	const proto_value *v = proto_map_get(d->body, "features");
	size_t n = 0;
	if (v && v->type == PROTO_V_ARRAY) {
		if (strcmp(lang, d->lang) != 0)
			return 0;
		for (size_t i = 0; i < v->u.arr.n; i++)
			if (v->u.arr.items[i].type == PROTO_V_STR && v->u.arr.items[i].u.str.len) {
				n++;
				if (fn && !*err)
					*err = fn(e, v->u.arr.items[i].u.str.ptr,
					          v->u.arr.items[i].u.str.len);
			}
		return n;
	}
	const char *t = pcx_text(d, "features", lang);
	if (!t)
		return 0;
	bool list = true;
	for (const char *p = t; *p && list;) {
		size_t len = strcspn(p, "\n");
		list = len == 0 || (len > 2 && p[0] == '-' && p[1] == ' ');
		p += len + (p[len] == '\n');
	}
	for (const char *p = t; *p;) {
		size_t len = list ? strcspn(p, "\n") : strlen(p);
		if (len > 2 || (!list && len)) {
			n++;
			if (fn && !*err)
				*err = fn(e, list ? p + 2 : p, list ? len - 2 : len);
		}
		p += len + (p[len] == '\n');
	}
	return n;
}

/* One language's texts checked. */
static void pcx_check_lang(pcx_doc *d, const char *lang)
{
	char key[96];
	const char *s = pcx_text(d, PROTO_F_SUMMARY, lang);
	snprintf(key, sizeof key, "description.%s.shortDescription", lang);
	if (!s)
		pcx_miss(d, key, "absent", "missing");
	else if (proto_utf8_len(s, strlen(s)) > PCX_SHORT_MAX)
		pcx_miss(d, key, "plus de 150 caractères", "over 150 characters");
	s = pcx_text(d, PROTO_F_DESCRIPTION, lang);
	snprintf(key, sizeof key, "description.%s.longDescription", lang);
	size_t n = s ? proto_utf8_len(s, strlen(s)) : 0;
	if (!s)
		pcx_miss(d, key, "absent", "missing");
	else if (n < PCX_LONG_MIN)
		pcx_miss(d, key, "moins de 150 caractères", "under 150 characters");
	else if (n > PCX_LONG_MAX)
		pcx_miss(d, key, "plus de 10 000 caractères", "over 10,000 characters");
	snprintf(key, sizeof key, "description.%s.features", lang);
	int unused = 0;
	if (!pcx_features(d, lang, NULL, NULL, &unused))
		pcx_miss(d, key, "absent", "missing");
}

/* A contact or a contractor has a name (and a contractor the end of its contract). */
static void pcx_check_people(pcx_doc *d, const proto_value *m, const char *key, bool until)
{
	const proto_value *v = pcx_get(m, key, PROTO_V_ARRAY);
	for (size_t i = 0; v && i < v->u.arr.n; i++) {
		const proto_value *p = &v->u.arr.items[i];
		char k[64];
		if (p->type == PROTO_V_STR && !until)
			continue; /* a name alone */
		snprintf(k, sizeof k, "maintenance.%s[%zu].name", key, i);
		if (!pcx_str(p, "name"))
			pcx_miss(d, k, "absent", "missing");
		snprintf(k, sizeof k, "maintenance.%s[%zu].until", key, i);
		if (until && !pcx_str(p, PROTO_F_UNTIL))
			pcx_miss(d, k, "absent", "missing");
	}
}

static void pcx_check_maintenance(pcx_doc *d)
{
	const proto_value *m = pcx_get(d->body, "maintenance", PROTO_V_MAP);
	const char *type = pcx_str(m, "type");
	if (!type) {
		pcx_miss(d, "maintenance.type", "absent", "missing");
		return;
	}
	if (!pcx_in(pcx_maintenance_types, type)) {
		pcx_miss(d, "maintenance.type", "hors du standard", "not a value of the standard");
		return;
	}
	const proto_value *contacts = pcx_get(m, "contacts", PROTO_V_ARRAY);
	const proto_value *contractors = pcx_get(m, "contractors", PROTO_V_ARRAY);
	bool contract = strcmp(type, "contract") == 0;
	if (contract && (!contractors || !contractors->u.arr.n))
		pcx_miss(d, "maintenance.contractors", "absent pour un contrat",
		         "missing for a contract");
	if (!contract && contractors && contractors->u.arr.n)
		pcx_miss(d, "maintenance.contractors", "seulement pour un contrat",
		         "only for a contract");
	if ((strcmp(type, "internal") == 0 || strcmp(type, "community") == 0) &&
	    (!contacts || !contacts->u.arr.n))
		pcx_miss(d, "maintenance.contacts", "absent", "missing");
	pcx_check_people(d, m, "contacts", false);
	pcx_check_people(d, m, "contractors", true);
}

/* localisation, from extensions.publiccode: the standard requires it, Maille has no field. */
static void pcx_check_localisation(pcx_doc *d)
{
	const proto_value *l = pcx_get(d->ext, "localisation", PROTO_V_MAP);
	const proto_value *langs = pcx_get(l, "availableLanguages", PROTO_V_ARRAY);
	bool ok = l && pcx_get(l, "localisationReady", PROTO_V_BOOL) && langs && langs->u.arr.n;
	for (size_t i = 0; ok && i < langs->u.arr.n; i++)
		ok = langs->u.arr.items[i].type == PROTO_V_STR && langs->u.arr.items[i].u.str.len;
	if (!ok)
		pcx_miss(d, "localisation", l ? "incomplète" : "absent",
		         l ? "incomplete" : "missing");
}

/* What the standard requires, each rule that fails listed in d. */
static void pcx_check(pcx_doc *d)
{
	d->name = export_text(d->a, d->body, PROTO_F_TITLE, d->lang, NULL);
	if (!d->name)
		pcx_miss(d, "name", "absent", "missing");
	if (!pcx_str(d->body, "repository_url"))
		pcx_miss(d, "url", "absent", "missing");
	const proto_value *pl = pcx_get(d->body, "platforms", PROTO_V_ARRAY);
	if (!pl || !pl->u.arr.n)
		pcx_miss(d, "platforms", "absent", "missing");
	const char *ds = pcx_str(d->body, "development_status");
	const char *st = pcx_str(d->body, PROTO_F_STATUS);
	for (size_t i = 0; !ds && st && pcx_status_map[i][0]; i++)
		if (strcmp(pcx_status_map[i][0], st) == 0)
			ds = pcx_status_map[i][1];
	if (!ds)
		pcx_miss(d, "developmentStatus", "absent", "missing");
	else if (!pcx_in(import_publiccode_dev_statuses, ds))
		pcx_miss(d, "developmentStatus", "hors du standard", "not a value of the standard");
	d->dev_status = ds;
	const char *sw = pcx_str(d->body, "software_type");
	if (!sw)
		pcx_miss(d, "softwareType", "absent", "missing");
	else if (!pcx_in(import_publiccode_software_types, sw))
		pcx_miss(d, "softwareType", "hors du standard", "not a value of the standard");
	for (size_t i = 0; i < d->n_langs; i++)
		pcx_check_lang(d, d->langs[i]);
	const char *lic = pcx_str(d->body, "licence");
	if (!lic)
		pcx_miss(d, "legal.license", "absent", "missing");
	else if (!import_spdx_expression_ok(lic))
		pcx_miss(d, "legal.license", "pas une expression SPDX connue",
		         "not a known SPDX expression");
	pcx_check_maintenance(d);
	pcx_check_localisation(d);
}

/* ---- usedBy ----------------------------------------------------------------------------- */

typedef struct pcx_users_ctx {
	pcx_doc *d;
	int err;
} pcx_users_ctx;

static int pcx_any_row(const store_row *row, void *ctx)
{
	(void)row;
	*(bool *)ctx = true;
	return 1;
}

/* Whether the set keeps key's records: its territories are every one, or the trusted ones. */
static bool pcx_trusted(const export_set *s, const uint8_t key[PROTO_KEY_LEN])
{
	if (!s->trusted_only)
		return true;
	store_filter f = { .type = PROTO_T_REX, .territory = key, .trusted_only = true };
	bool any = false;
	store_list(s->st, &f, pcx_any_row, &any);
	return any;
}

static int pcx_user(const coop_item *it, void *vctx)
{
	pcx_users_ctx *c = vctx;
	pcx_doc *d = c->d;
	const char *type = pcx_str(it->body, PROTO_F_TYPE);
	const char *decl = pcx_str(it->body, PROTO_F_DECLARATION);
	if (!type || strcmp(type, PROTO_T_REX) != 0 || (decl && strcmp(decl, "abandoned") == 0) ||
	    d->n_users == PCX_USERS_MAX || !pcx_trusted(d->s, it->row->entry.territory))
		return 0;
	char name[256];
	if (store_territory_name(d->s->st, it->row->entry.territory, name, sizeof name) != 0)
		return 0; /* a territory without a name: never an invented one */
	for (size_t i = 0; i < d->n_users; i++)
		if (strcmp(d->users[i], name) == 0)
			return 0;
	const char *kept = proto_arena_strndup(d->a, name, strlen(name));
	if (!kept) {
		c->err = MAILLE_ENOMEM;
		return 1;
	}
	d->users[d->n_users++] = kept;
	return 0;
}

/* ---- the YAML ------------------------------------------------------------------------------ */

/* Whether a plain scalar s would read as something else than a string (a number, a date, a
 * boolean, null) in YAML 1.1 or 1.2: then it is quoted. */
static bool pcx_typed(const char *s, size_t len)
{
	static const char *const words[] = { "null", "true", "false", "yes", "no", "on",
		                             "off",  "y",    "n",     "~",   NULL };
	if (len == 0)
		return true;
	char c = s[0];
	if ((c >= '0' && c <= '9') ||
	    ((c == '-' || c == '+' || c == '.') && len > 1 &&
	     ((s[1] >= '0' && s[1] <= '9') || s[1] == '.' || s[1] == 'i' || s[1] == 'I')) ||
	    (c == '.' && len > 1))
		return true;
	for (const char *const *w = words; *w; w++) {
		size_t n = strlen(*w);
		if (n != len)
			continue;
		size_t i = 0;
		while (i < n && (s[i] | 0x20) == (*w)[i])
			i++;
		if (i == n)
			return true;
	}
	return false;
}

static int pcx_emit(yaml_emitter_t *e, yaml_event_t *ev, int ok)
{
	if (!ok || !yaml_emitter_emit(e, ev))
		return MAILLE_ENOMEM;
	return 0;
}

static int pcx_scalar_style(yaml_emitter_t *e, const char *s, size_t len, yaml_scalar_style_t st)
{
	yaml_event_t ev;
	bool typed = pcx_typed(s, len);
	return pcx_emit(e, &ev,
	                yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)len,
	                                             !typed, 1,
	                                             typed ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : st));
}

static int pcx_str_len(yaml_emitter_t *e, const char *s, size_t len)
{
	return pcx_scalar_style(e, s, len, YAML_ANY_SCALAR_STYLE);
}

static int pcx_s(yaml_emitter_t *e, const char *s)
{
	return pcx_str_len(e, s, strlen(s));
}

/* A multiline text as a literal block, when the emitter can. */
static int pcx_block(yaml_emitter_t *e, const char *s)
{
	return pcx_scalar_style(
	    e, s, strlen(s), strchr(s, '\n') ? YAML_LITERAL_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE);
}

/* A non-string scalar written as YAML reads it (true, 12, 1.5). */
static int pcx_plain(yaml_emitter_t *e, const char *s)
{
	yaml_event_t ev;
	return pcx_emit(e, &ev,
	                yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s,
	                                             (int)strlen(s), 1, 0,
	                                             YAML_PLAIN_SCALAR_STYLE));
}

/* The start or the end of a block mapping (seq false) or sequence. */
static int pcx_collection(yaml_emitter_t *e, bool seq, bool start)
{
	yaml_event_t ev;
	int ok;
	if (seq && start)
		ok = yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
		                                          YAML_BLOCK_SEQUENCE_STYLE);
	else if (seq)
		ok = yaml_sequence_end_event_initialize(&ev);
	else if (start)
		ok = yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
		                                         YAML_BLOCK_MAPPING_STYLE);
	else
		ok = yaml_mapping_end_event_initialize(&ev);
	return pcx_emit(e, &ev, ok);
}

#define pcx_map_start(e) pcx_collection(e, false, true)
#define pcx_map_end(e) pcx_collection(e, false, false)
#define pcx_seq_start(e) pcx_collection(e, true, true)
#define pcx_seq_end(e) pcx_collection(e, true, false)

/* key: "text", when text is not NULL. */
static int pcx_kv(yaml_emitter_t *e, const char *key, const char *text)
{
	if (!text)
		return 0;
	int r = pcx_s(e, key);
	return r ? r : pcx_s(e, text);
}

/* Any value the reader kept (a string, a number, a boolean, a list, a map). */
static int pcx_value(yaml_emitter_t *e, const proto_value *v, unsigned depth)
{
	char num[40];
	int r = 0;
	if (depth > IMPORT_DEPTH_MAX)
		return pcx_plain(e, "null");
	switch (v->type) {
	case PROTO_V_STR:
		return pcx_block(e, v->u.str.ptr);
	case PROTO_V_BOOL:
		return pcx_plain(e, v->u.b ? "true" : "false");
	case PROTO_V_INT:
		snprintf(num, sizeof num, "%lld", (long long)v->u.i);
		return pcx_plain(e, num);
	case PROTO_V_FLOAT:
		snprintf(num, sizeof num, "%.17g", v->u.f);
		return pcx_plain(e, num);
	case PROTO_V_ARRAY:
		r = pcx_seq_start(e);
		for (size_t i = 0; i < v->u.arr.n && !r; i++)
			r = pcx_value(e, &v->u.arr.items[i], depth + 1);
		return r ? r : pcx_seq_end(e);
	case PROTO_V_MAP:
		r = pcx_map_start(e);
		for (size_t i = 0; i < v->u.map.n && !r; i++)
			if (!(r = pcx_s(e, v->u.map.items[i].key)))
				r = pcx_value(e, &v->u.map.items[i].val, depth + 1);
		return r ? r : pcx_map_end(e);
	default:
		return pcx_plain(e, "null");
	}
}

/* Whether v is a list of non-empty strings. */
static bool pcx_strings(const proto_value *v)
{
	if (!v || v->type != PROTO_V_ARRAY)
		return false;
	for (size_t i = 0; i < v->u.arr.n; i++)
		if (v->u.arr.items[i].type != PROTO_V_STR || !v->u.arr.items[i].u.str.len)
			return false;
	return true;
}

/* Whether a kept value has the shape the standard gives key (else it is not written). */
static bool pcx_ext_ok(const char *key, const proto_value *v)
{
	if (strcmp(key, "inputTypes") == 0 || strcmp(key, "outputTypes") == 0 ||
	    strcmp(key, "screenshots") == 0 || strcmp(key, "awards") == 0)
		return pcx_strings(v);
	if (strcmp(key, "organisation") == 0)
		return pcx_str(v, "uri") != NULL;
	if (strcmp(key, "supports") == 0) {
		for (size_t i = 0; v->type == PROTO_V_ARRAY && i < v->u.arr.n; i++)
			if (!pcx_str(&v->u.arr.items[i], PROTO_F_ID))
				return false;
		return v->type == PROTO_V_ARRAY;
	}
	if (strcmp(key, "intendedAudience") == 0) {
		for (size_t i = 0; v->type == PROTO_V_MAP && i < v->u.map.n; i++)
			if (!pcx_strings(&v->u.map.items[i].val))
				return false;
		return v->type == PROTO_V_MAP;
	}
	if (strcmp(key, "localisation") == 0)
		return v->type == PROTO_V_MAP;
	return v->type == PROTO_V_STR; /* applicationSuite, logo, legal's texts */
}

/* The kept keys of m (a part of extensions.publiccode) among keys, written back. */
static int pcx_ext(yaml_emitter_t *e, const proto_value *m, const char *const *keys)
{
	int r = 0;
	for (; *keys && !r; keys++) {
		const proto_value *v = m && m->type == PROTO_V_MAP ? proto_map_get(m, *keys) : NULL;
		if (v && pcx_ext_ok(*keys, v) && !(r = pcx_s(e, *keys)))
			r = pcx_value(e, v, 0);
	}
	return r;
}

/* The links of rel, as a list (videos) or the first one. */
static const char *pcx_link(const pcx_doc *d, const char *rel, size_t nth)
{
	const proto_value *links = pcx_get(d->body, "links", PROTO_V_ARRAY);
	for (size_t i = 0; links && i < links->u.arr.n; i++) {
		const char *r = pcx_str(&links->u.arr.items[i], "rel");
		if (r && strcmp(r, rel) == 0 && nth-- == 0)
			return pcx_str(&links->u.arr.items[i], "href");
	}
	return NULL;
}

/* The first keyword outside the standard's categories, or NULL. */
static const char *pcx_generic_name(const pcx_doc *d)
{
	const proto_value *kw = pcx_get(d->body, "keywords", PROTO_V_ARRAY);
	for (size_t i = 0; kw && i < kw->u.arr.n; i++) {
		const proto_value *k = &kw->u.arr.items[i];
		if (k->type == PROTO_V_STR && !pcx_in(pcx_categories, k->u.str.ptr))
			return proto_utf8_len(k->u.str.ptr, k->u.str.len) <= PCX_GENERIC_MAX
			           ? k->u.str.ptr
			           : NULL;
	}
	return NULL;
}

static int pcx_description(yaml_emitter_t *e, const pcx_doc *d)
{
	static const char *const kept[] = { "screenshots", "awards", NULL };
	const proto_value *ext = pcx_get(d->ext, PROTO_F_DESCRIPTION, PROTO_V_MAP);
	int r = pcx_s(e, PROTO_F_DESCRIPTION);
	r = r ? r : pcx_map_start(e);
	for (size_t i = 0; i < d->n_langs && !r; i++) {
		const char *lang = d->langs[i];
		bool main = strcmp(lang, d->lang) == 0;
		r = pcx_s(e, lang);
		r = r ? r : pcx_map_start(e);
		if (!r && !main)
			r = pcx_kv(e, "localisedName",
			           pcx_str(pcx_get(d->body, PROTO_F_TITLE, PROTO_V_MAP), lang));
		if (!r && main)
			r = pcx_kv(e, "genericName", pcx_generic_name(d));
		if (!r)
			r = pcx_kv(e, "shortDescription", pcx_text(d, PROTO_F_SUMMARY, lang));
		if (!r && !(r = pcx_s(e, "longDescription")))
			r = pcx_block(e, pcx_text(d, PROTO_F_DESCRIPTION, lang));
		if (!r && main) {
			r = pcx_kv(e, "documentation", pcx_link(d, "documentation", 0));
			if (!r)
				r = pcx_kv(e, "apiDocumentation",
				           pcx_link(d, "api-documentation", 0));
			if (!r && pcx_link(d, "video", 0)) {
				r = pcx_s(e, "videos");
				r = r ? r : pcx_seq_start(e);
				for (size_t k = 0; !r && pcx_link(d, "video", k); k++)
					r = pcx_s(e, pcx_link(d, "video", k));
				r = r ? r : pcx_seq_end(e);
			}
		}
		if (!r && !(r = pcx_s(e, "features")) && !(r = pcx_seq_start(e))) {
			pcx_features(d, lang, e, pcx_str_len, &r);
			r = r ? r : pcx_seq_end(e);
		}
		if (!r)
			r = pcx_ext(e, pcx_get(ext, lang, PROTO_V_MAP), kept);
		r = r ? r : pcx_map_end(e);
	}
	return r ? r : pcx_map_end(e);
}

/* A maintenance person: a map of texts as the reader keeps it, a bare name as {name}. */
static int pcx_people(yaml_emitter_t *e, const proto_value *m, const char *key)
{
	const proto_value *v = pcx_get(m, key, PROTO_V_ARRAY);
	if (!v || !v->u.arr.n)
		return 0;
	int r = pcx_s(e, key);
	r = r ? r : pcx_seq_start(e);
	for (size_t i = 0; i < v->u.arr.n && !r; i++) {
		const proto_value *p = &v->u.arr.items[i];
		if (p->type == PROTO_V_MAP)
			r = pcx_value(e, p, 1);
		else if (p->type == PROTO_V_STR && !(r = pcx_map_start(e)) &&
		         !(r = pcx_kv(e, "name", p->u.str.ptr)))
			r = pcx_map_end(e);
	}
	return r ? r : pcx_seq_end(e);
}

static int pcx_maintenance(yaml_emitter_t *e, const pcx_doc *d)
{
	const proto_value *m = pcx_get(d->body, "maintenance", PROTO_V_MAP);
	int r = pcx_s(e, "maintenance");
	r = r ? r : pcx_map_start(e);
	r = r ? r : pcx_kv(e, "type", pcx_str(m, "type"));
	r = r ? r : pcx_people(e, m, "contractors");
	r = r ? r : pcx_people(e, m, "contacts");
	return r ? r : pcx_map_end(e);
}

/* The last occurrence of the 4 bytes w in s[0..len), or NULL. */
static const char *pcx_find(const char *s, size_t len, const char *w)
{
	for (size_t i = len >= 4 ? len - 4 + 1 : 0; i-- > 0;)
		if (memcmp(s + i, w, 4) == 0)
			return s + i;
	return NULL;
}

/* One dependency line as the reader writes it back into its keys: "name version",
 * "name >= min", "name <= max", " (optional)" at the end. */
static int pcx_dependency(yaml_emitter_t *e, const char *line)
{
	size_t len = strlen(line);
	bool optional = len > 11 && strcmp(line + len - 11, " (optional)") == 0;
	if (optional)
		len -= 11;
	const char *min = NULL, *max = NULL;
	size_t min_len = 0, max_len = 0;
	const char *p = pcx_find(line, len, " <= ");
	if (p) {
		max = p + 4;
		max_len = len - (size_t)(max - line);
		len = (size_t)(p - line);
	}
	p = pcx_find(line, len, " >= ");
	if (p) {
		min = p + 4;
		min_len = len - (size_t)(min - line);
		len = (size_t)(p - line);
	}
	/* "name version": a last word that starts with a digit (or v and a digit) */
	const char *ver = NULL;
	size_t ver_len = 0;
	const char *sp = NULL;
	for (size_t i = 0; i < len; i++)
		if (line[i] == ' ')
			sp = line + i;
	if (sp && sp + 1 < line + len &&
	    ((sp[1] >= '0' && sp[1] <= '9') ||
	     (sp[1] == 'v' && sp + 2 < line + len && sp[2] >= '0' && sp[2] <= '9'))) {
		ver = sp + 1;
		ver_len = len - (size_t)(ver - line);
		len = (size_t)(sp - line);
	}
	int r = pcx_map_start(e);
	r = r ? r : pcx_s(e, "name");
	r = r ? r : pcx_str_len(e, line, len);
	if (!r && ver && !(r = pcx_s(e, "version")))
		r = pcx_str_len(e, ver, ver_len);
	if (!r && min && !(r = pcx_s(e, "versionMin")))
		r = pcx_str_len(e, min, min_len);
	if (!r && max && !(r = pcx_s(e, "versionMax")))
		r = pcx_str_len(e, max, max_len);
	if (!r && optional && !(r = pcx_s(e, "optional")))
		r = pcx_plain(e, "true");
	return r ? r : pcx_map_end(e);
}

static int pcx_depends(yaml_emitter_t *e, const pcx_doc *d)
{
	static const char *const kinds[] = { "open", "proprietary", "hardware", NULL };
	const proto_value *deps = pcx_get(d->body, "dependencies", PROTO_V_MAP);
	if (!deps || !deps->u.map.n)
		return 0;
	int r = pcx_s(e, "dependsOn");
	r = r ? r : pcx_map_start(e);
	for (const char *const *k = kinds; *k && !r; k++) {
		const proto_value *v = proto_map_get(deps, *k);
		if (!v || (v->type != PROTO_V_ARRAY && v->type != PROTO_V_STR))
			continue;
		r = pcx_s(e, *k);
		r = r ? r : pcx_seq_start(e);
		if (v->type == PROTO_V_STR)
			r = r ? r : pcx_dependency(e, v->u.str.ptr);
		for (size_t i = 0; v->type == PROTO_V_ARRAY && i < v->u.arr.n && !r; i++)
			if (v->u.arr.items[i].type == PROTO_V_STR)
				r = pcx_dependency(e, v->u.arr.items[i].u.str.ptr);
		r = r ? r : pcx_seq_end(e);
	}
	return r ? r : pcx_map_end(e);
}

/* funded_by's "name (address)" as {name, uri}: the reference parser wants the uri, so a funder
 * without an address is not written. */
static int pcx_funded(yaml_emitter_t *e, const pcx_doc *d)
{
	const proto_value *v = proto_map_get(d->body, "funded_by");
	size_t n = v && v->type == PROTO_V_ARRAY ? v->u.arr.n : v && v->type == PROTO_V_STR;
	int r = 0;
	bool open = false;
	for (size_t i = 0; i < n && !r; i++) {
		const proto_value *x = v->type == PROTO_V_ARRAY ? &v->u.arr.items[i] : v;
		if (x->type != PROTO_V_STR)
			continue;
		const char *s = x->u.str.ptr;
		size_t len = x->u.str.len;
		const char *par = len > 2 && s[len - 1] == ')' ? strstr(s, " (http") : NULL;
		if (!par)
			continue;
		if (!open && (r = pcx_s(e, "fundedBy")) == 0 && (r = pcx_seq_start(e)) == 0)
			open = true;
		r = r ? r : pcx_map_start(e);
		r = r ? r : pcx_s(e, "name");
		r = r ? r : pcx_str_len(e, s, (size_t)(par - s));
		r = r ? r : pcx_s(e, "uri");
		r = r ? r : pcx_str_len(e, par + 2, len - (size_t)(par + 2 - s) - 1);
		r = r ? r : pcx_map_end(e);
	}
	return r || !open ? r : pcx_seq_end(e);
}

/* The keys before the description, in the standard's order. */
static int pcx_head(yaml_emitter_t *e, const pcx_doc *d)
{
	static const char *const suite[] = { "applicationSuite", NULL };
	static const char *const logos[] = { "logo",       "monochromeLogo", "organisation",
		                             "inputTypes", "outputTypes",    NULL };
	int r = pcx_kv(e, "publiccodeYmlVersion", PCX_VERSION);
	r = r ? r : pcx_kv(e, "name", d->name);
	r = r ? r : pcx_ext(e, d->ext, suite);
	r = r ? r : pcx_kv(e, "url", pcx_str(d->body, "repository_url"));
	r = r ? r : pcx_kv(e, "landingURL", pcx_str(d->body, "landing_url"));
	const proto_value *rel = pcx_get(d->body, "relations", PROTO_V_ARRAY);
	bool open = false;
	for (size_t i = 0; rel && i < rel->u.arr.n && !r; i++) {
		const char *t = pcx_str(&rel->u.arr.items[i], PROTO_F_TARGET);
		const char *k = pcx_str(&rel->u.arr.items[i], "rel");
		if (!t || !k || strcmp(k, "based_on") != 0 || !strstr(t, "://"))
			continue;
		if (!open && !(r = pcx_s(e, "isBasedOn")) && !(r = pcx_seq_start(e)))
			open = true;
		r = r ? r : pcx_s(e, t);
	}
	if (open && !r)
		r = pcx_seq_end(e);
	r = r ? r : pcx_kv(e, "softwareVersion", pcx_str(d->body, "version"));
	r = r ? r : pcx_kv(e, "releaseDate", pcx_str(d->body, "release_date"));
	r = r ? r : pcx_ext(e, d->ext, logos);
	r = r ? r : pcx_s(e, "platforms");
	r = r ? r : pcx_value(e, proto_map_get(d->body, "platforms"), 0);
	const proto_value *kw = pcx_get(d->body, "keywords", PROTO_V_ARRAY);
	open = false;
	for (size_t i = 0; kw && i < kw->u.arr.n && !r; i++) {
		const proto_value *k = &kw->u.arr.items[i];
		if (k->type != PROTO_V_STR || !pcx_in(pcx_categories, k->u.str.ptr))
			continue;
		if (!open && !(r = pcx_s(e, "categories")) && !(r = pcx_seq_start(e)))
			open = true;
		r = r ? r : pcx_s(e, k->u.str.ptr);
	}
	if (open && !r)
		r = pcx_seq_end(e);
	if (d->n_users && !r && !(r = pcx_s(e, "usedBy")) && !(r = pcx_seq_start(e))) {
		for (size_t i = 0; i < d->n_users && !r; i++)
			r = pcx_s(e, d->users[i]);
		r = r ? r : pcx_seq_end(e);
	}
	r = r ? r : pcx_funded(e, d);
	r = r ? r : pcx_kv(e, "roadmap", pcx_link(d, "roadmap", 0));
	r = r ? r : pcx_kv(e, "developmentStatus", d->dev_status);
	return r ? r : pcx_kv(e, "softwareType", pcx_str(d->body, "software_type"));
}

static int pcx_document(yaml_emitter_t *e, const pcx_doc *d)
{
	static const char *const audience[] = { "supports", "intendedAudience", NULL };
	static const char *const legal[] = { "mainCopyrightOwner", "repoOwner", "authorsFile",
		                             NULL };
	static const char *const loc[] = { "localisation", NULL };
	yaml_event_t ev;
	int r = pcx_emit(e, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 0));
	r = r ? r : pcx_map_start(e);
	r = r ? r : pcx_head(e, d);
	r = r ? r : pcx_ext(e, d->ext, audience);
	r = r ? r : pcx_description(e, d);
	r = r ? r : pcx_s(e, "legal");
	r = r ? r : pcx_map_start(e);
	r = r ? r : pcx_kv(e, "license", pcx_str(d->body, "licence"));
	r = r ? r : pcx_ext(e, pcx_get(d->ext, "legal", PROTO_V_MAP), legal);
	r = r ? r : pcx_map_end(e);
	r = r ? r : pcx_maintenance(e, d);
	r = r ? r : pcx_ext(e, d->ext, loc);
	r = r ? r : pcx_depends(e, d);
	r = r ? r : pcx_map_end(e);
	return r ? r : pcx_emit(e, &ev, yaml_document_end_event_initialize(&ev, 1));
}

/* The whole file of d into *ret (malloc'd). */
static int pcx_yaml(const pcx_doc *d, char **ret, size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return MAILLE_ENOMEM;
	yaml_emitter_t e;
	if (!yaml_emitter_initialize(&e)) {
		fclose(f);
		free(buf);
		return MAILLE_ENOMEM;
	}
	yaml_emitter_set_output_file(&e, f);
	yaml_emitter_set_unicode(&e, 1);
	yaml_emitter_set_width(&e, 100);
	yaml_event_t ev;
	int r = pcx_emit(&e, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
	r = r ? r : pcx_document(&e, d);
	r = r ? r : pcx_emit(&e, &ev, yaml_stream_end_event_initialize(&ev));
	if (!r && !yaml_emitter_flush(&e))
		r = MAILLE_ENOMEM;
	yaml_emitter_delete(&e);
	if (fclose(f) != 0 && !r)
		r = MAILLE_ENOMEM;
	if (r) {
		free(buf);
		return r;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

/* ---- the records ---------------------------------------------------------------------------- */

typedef struct pcx_run {
	const export_set *s;
	export_sink *o;
} pcx_run;

/* The file's name: the path's slug after "component/", '/' made '-', and the territory's
 * first hex digits when another territory of the export has a record at the same path. */
static void pcx_file_name(const export_set *s, const export_record *r, char *ret, size_t cap)
{
	const char *p = strncmp(r->path, "component/", 10) == 0 ? r->path + 10 : r->path;
	char slug[PROTO_PATH_MAX + 1];
	size_t n = 0;
	for (; *p && n < sizeof slug - 1; p++)
		slug[n++] = *p == '/' ? '-' : *p;
	slug[n] = '\0';
	bool twice = false;
	for (size_t i = 0; i < s->n && !twice; i++)
		twice = &s->v[i] != r && strcmp(s->v[i].path, r->path) == 0 &&
		        memcmp(s->v[i].territory, r->territory, PROTO_KEY_LEN) != 0;
	char hex[2 * PROTO_KEY_LEN + 1];
	proto_hex(r->territory, PROTO_KEY_LEN, hex);
	if (twice)
		snprintf(ret, cap, "%s-%.8s.publiccode.yml", slug, hex);
	else
		snprintf(ret, cap, "%s.publiccode.yml", slug);
}

static int pcx_record(void *ctx, const export_record *r, const proto_value *body)
{
	pcx_run *run = ctx;
	const char *kind = pcx_str(body, "component_kind");
	if (strcmp(r->type, PROTO_T_COMPONENT) != 0 || !kind || strcmp(kind, "software") != 0)
		return 0; /* not software: publiccode.yml describes software only */
	proto_arena a;
	proto_arena_init(&a, 0);
	pcx_doc d;
	memset(&d, 0, sizeof d);
	d.s = run->s;
	d.r = r;
	d.body = body;
	d.a = &a;
	d.ext = pcx_get(pcx_get(body, PROTO_F_EXTENSIONS, PROTO_V_MAP), "publiccode", PROTO_V_MAP);
	pcx_langs(&d);
	pcx_check(&d);
	int e = 0;
	if (d.n_missing) {
		e = export_skip_add(run->o, r, "le standard publiccode.yml demande : %s%.0s",
		                    "the publiccode.yml standard requires: %.0s%s", d.fr, d.en);
		proto_arena_done(&a);
		return e;
	}
	pcx_users_ctx uc = { &d, 0 };
	e = coop_users(run->s->st, r->territory, r->path, NULL, pcx_user, &uc);
	if (uc.err)
		e = uc.err;
	char *yaml = NULL;
	size_t len = 0;
	if (!e)
		e = pcx_yaml(&d, &yaml, &len);
	if (!e) {
		char name[PROTO_PATH_MAX + 40];
		pcx_file_name(run->s, r, name, sizeof name);
		e = export_put(run->o, name, yaml, len);
		if (!e)
			run->o->n_records++;
	}
	free(yaml);
	proto_arena_done(&a);
	return e;
}

int export_write_publiccode(const export_set *s, export_sink *o, const char *variant)
{
	(void)variant;
	pcx_run run = { s, o };
	return export_each(s, pcx_record, &run);
}
