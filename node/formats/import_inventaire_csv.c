/* node/formats/import_inventaire_csv.c: Maille's CSV of the French inventory of public
 * algorithms (CRPA L312-1-3), one row per use case, into use_case drafts.
 *
 * The columns are the items of Etalab's inventory guidance, in French, then Maille's own
 * fields under their French labels (the record tables'); a header is recognised without case,
 * accents or separators (import_same_words), and a column may also be headed by Maille's field
 * name. A column the table does not know goes to extensions.inventaire-csv under its header;
 * so do `Administration` (the record's territory is the node's, never the file's), `Périmètre`,
 * `Mode de collecte` and `Date de mise à jour` (a date: no field of use_case holds it).
 *
 * Conventions of a cell (README, "Importer"):
 * - lists (bases légales, données traitées, composants, mots-clés, thèmes, ressources liées):
 *   one item a line, or items separated by ';' (keywords and themes also by ',');
 * - `Contact`: one contact a line or ';' (',' too when no item has the "Nom <adresse>" form:
 *   a name may hold a comma), each "Nom <adresse>", an address, or a name
 *   (words without '@'); the inventory is published, so an address is marked public (noted);
 * - `Risques`: one risk a line, "risque : mesure d'atténuation" or "risque : description :
 *   mesure" (the first two ':' split);
 * - `Source des données` and `Données personnelles`: one item for every data source, or as many
 *   items as `Données traitées` has lines, in the same order;
 * - `Ressources liées`: one link a line, "titre : https://..." or an address.
 * A row equal to the header (two exports pasted one after the other) is skipped and reported
 * on the draft before it. The path is use_case/<slug of Nom>, so re-importing the file edits
 * the same records. Performs no I/O. */
#include "import.h"

#include <stdio.h>
#include <string.h>

#include "csvread.h"
#include "inventaire.h"
#include "proto/error.h"
#include "proto/schema.h"

#define INV_TYPE "use_case"

/* Etalab's items in its order, then Maille's fields (the record tables' French labels). */
const inv_column inv_columns[] = {
	{ "Nom", "title", INV_TITLE, "Titre" },
	{ "Administration", NULL, INV_EXT, NULL },
	{ "Direction ou service", "department", INV_LINE, "Service" },
	{ "Contact", "contacts", INV_CONTACTS, "Contacts" },
	{ "Date de mise à jour", NULL, INV_EXT_DATE, NULL },
	{ "Contexte", "context", INV_TEXT, NULL },
	{ "Finalité", "purpose", INV_TEXT, NULL },
	{ "Place dans la décision", "decision_process", INV_TEXT, "Processus de décision" },
	{ "Niveau d'automatisation", "automation_level", INV_ENUM, NULL },
	{ "Bases légales", "legal_basis", INV_LIST, "Base légale" },
	{ "Nombre de décisions par an", "decisions_per_year", INV_DECISIONS, "Décisions par an" },
	{ "Périmètre", NULL, INV_EXT, NULL },
	{ "Public concerné", "affected_public", INV_TEXT, NULL },
	{ "Données traitées", NULL, INV_DATA, NULL },
	{ "Source des données", NULL, INV_PROVIDER, "Sources des données" },
	{ "Mode de collecte", NULL, INV_EXT, NULL },
	{ "Type d'algorithme", "algorithm_type", INV_ENUM, NULL },
	{ "Ressources liées", "links", INV_LINKS, "Liens" },
	{ "Contrôle humain", "human_oversight", INV_TEXT, NULL },
	{ "Risques", "risks", INV_RISKS, NULL },
	{ "Recours", "recourse", INV_TEXT, "Voies de recours" },
	{ "Décisions individuelles", "individual_decisions", INV_BOOL, NULL },
	{ "Données personnelles", NULL, INV_PERSONAL, NULL },
	{ "Résumé", "summary", INV_TEXT, NULL },
	{ "Description", "description", INV_TEXT, NULL },
	{ "Thèmes", "themes", INV_THEMES, NULL },
	{ "Mots-clés", "keywords", INV_WORDS, NULL },
	{ "Statut", "status", INV_ENUM, NULL },
	{ "Catégorie de risque (AI Act)", "risk_category", INV_ENUM, "Catégorie de risque" },
	{ "Description du modèle", "model_description", INV_TEXT, NULL },
	{ "Analyses d'impact", "impact_assessments", INV_TEXT, NULL },
	{ "Alternatives étudiées", "alternatives_considered", INV_TEXT, NULL },
	{ "Suivi", "monitoring", INV_TEXT, NULL },
	{ "Réversibilité", "rollback", INV_TEXT, NULL },
	{ "Fournisseurs", "suppliers", INV_TEXT, NULL },
	{ "Hébergeur", "hosting.provider", INV_LINE, NULL },
	{ "Pays d'hébergement", "hosting.country", INV_LINE, NULL },
	{ "Hébergement souverain", "hosting.sovereign", INV_BOOL, NULL },
	{ "Calcul", "environment.compute", INV_LINE, NULL },
	{ "Énergie (kWh par an)", "environment.energy_kwh_per_year", INV_NUMBER, NULL },
	{ "Méthode d'estimation", "environment.method", INV_TEXT, NULL },
	{ "Registre public", "public_register_url", INV_URI, NULL },
	{ "Composants", "components", INV_LIST, NULL },
	{ NULL, NULL, INV_EXT, NULL },
};

#define INV_N_COLUMNS (sizeof inv_columns / sizeof inv_columns[0] - 1)

/* The spellings people write in inventories, beyond the vocabularies' values and labels
 * (import_enum compares them without case, accents and separators). */
static const import_synonym syn_automation[] = {
	{ "Décision entièrement automatisée", "fully_automated" },
	{ "Décision automatisée", "fully_automated" },
	{ "Automatisé", "fully_automated" },
	{ "Automatique", "fully_automated" },
	{ "Totalement automatisé", "fully_automated" },
	{ "Entièrement automatique", "fully_automated" },
	{ "Aide à la décision humaine", "decision_support" },
	{ "Outil d'aide à la décision", "decision_support" },
	{ "Semi-automatisé", "decision_support" },
	{ "Partiellement automatisé", "decision_support" },
	{ "Décision partiellement automatisée", "decision_support" },
	{ "Aucune décision individuelle", "no_individual_decision" },
	{ "Sans décision individuelle", "no_individual_decision" },
	{ NULL, NULL },
};

static const import_synonym syn_algorithm[] = {
	{ "Règles", "rule_based" },
	{ "Algorithme à base de règles", "rule_based" },
	{ "Déterministe", "rule_based" },
	{ "Algorithme déterministe", "rule_based" },
	{ "Système expert", "rule_based" },
	{ "Barème", "rule_based" },
	{ "Apprentissage", "machine_learning" },
	{ "Machine learning", "machine_learning" },
	{ "IA", "machine_learning" },
	{ "Intelligence artificielle", "machine_learning" },
	{ "Mixte", "hybrid" },
	{ "Intelligence artificielle générative", "generative_ai" },
	{ NULL, NULL },
};

static const import_synonym syn_status[] = {
	{ "En service", "production" },
	{ "Déployé", "production" },
	{ "Test", "pilot" },
	{ "Expérimental", "pilot" },
	{ "Abandonné", "retired" },
	{ "Arrêt", "retired" },
	{ NULL, NULL },
};

static const import_synonym syn_personal[] = {
	{ "Oui", "identified" },
	{ "Identifiées", "identified" },
	{ "Nominatives", "identified" },
	{ "Pseudonymisé", "pseudonymised" },
	{ "Non", "none" },
	{ "Anonymisées", "none" },
	{ "Aucune donnée personnelle", "none" },
	{ NULL, NULL },
};

static const import_synonym syn_risk[] = {
	{ "Haut", "high" },
	{ "Élevé", "high" },
	{ "Risque élevé", "high" },
	{ "Limité", "limited" },
	{ "Minimal", "minimal" },
	{ "Faible", "minimal" },
	{ "Inacceptable", "unacceptable" },
	{ NULL, NULL },
};

/* The synonyms of a field's vocabulary. */
static const import_synonym *synonyms_of(const char *field)
{
	return strcmp(field, "automation_level") == 0   ? syn_automation
	       : strcmp(field, "algorithm_type") == 0   ? syn_algorithm
	       : strcmp(field, "status") == 0           ? syn_status
	       : strcmp(field, "personal_data") == 0    ? syn_personal
	       : strcmp(field, "risk_category") == 0    ? syn_risk
	                                                : NULL;
}

static const char *const inv_yes[] = { "oui", "vrai", "yes", "true", "o", "1", "x", NULL };
static const char *const inv_no[] = { "non", "faux", "no", "false", "n", "0", NULL };

/* What one import of a file reads from its header. */
typedef struct inv_reader {
	import_set *set;
	const import_src *src;
	const csvr_table *t;
	int col_of[INV_N_COLUMNS]; /* the file's column of each known one, -1 if absent */
	const inv_column **of_col; /* each column of the file: its known column, or NULL */
	const char **ext_key;      /* each column of the file: its key under extensions */
} inv_reader;

/* ---- small pieces ---------------------------------------------------------------------- */

/* The next item of s[*pos..len), split on line breaks and on the characters of seps; leading
 * list marks ("- ", "• ", "* ") dropped. false when no item is left. */
static bool next_item(const char *s, size_t len, size_t *pos, const char *seps,
                      const char **ret, size_t *ret_len)
{
	while (*pos < len) {
		size_t start = *pos, end = start;
		while (end < len && s[end] != '\n' && s[end] != '\r' && !strchr(seps, s[end]))
			end++;
		*pos = end < len ? end + 1 : len;
		const char *p = s + start;
		size_t n = end - start;
		import_trim(&p, &n);
		if (n >= 2 && (p[0] == '-' || p[0] == '*') && p[1] == ' ') {
			p += 2;
			n -= 2;
		} else if (n >= 4 && memcmp(p, "\xe2\x80\xa2 ", 4) == 0) {
			p += 4;
			n -= 4;
		}
		import_trim(&p, &n);
		if (n) {
			*ret = p;
			*ret_len = n;
			return true;
		}
	}
	return false;
}

static size_t count_items(const char *s, size_t len, const char *seps)
{
	size_t pos = 0, n = 0, il;
	const char *it;
	while (next_item(s, len, &pos, seps, &it, &il))
		n++;
	return n;
}

static proto_value *new_map_in(import_set *set, proto_value *map, const char *key)
{
	proto_value *m = (proto_value *)proto_map_get(map, key);
	if (m && m->type == PROTO_V_MAP)
		return m;
	m = proto_value_map_put(&set->arena, map, key, strlen(key));
	if (m)
		m->type = PROTO_V_MAP;
	return m;
}

static proto_value *new_list_in(import_set *set, proto_value *map, const char *key)
{
	proto_value *l = proto_value_map_put(&set->arena, map, key, strlen(key));
	if (l)
		l->type = PROTO_V_ARRAY;
	return l;
}

/* The vocabulary of data_sources[].personal_data. */
static const proto_vocab *personal_vocab(void)
{
	const proto_record_type *t = proto_record_type_find(INV_TYPE, strlen(INV_TYPE));
	const proto_record_field *f = proto_record_type_field(t, "data_sources");
	const proto_record_field *p =
	    f && f->obj ? proto_record_field_find(f->obj->fields, "personal_data") : NULL;
	return p ? p->vocab : NULL;
}

/* A value kept under extensions.inventaire-csv[key]: as written when it is clean text, else
 * cleaned (and reported) by import_text. */
static int put_ext(inv_reader *r, import_draft *d, const char *key, const char *s, size_t len)
{
	proto_value *ext = import_ext(r->set, d);
	if (!ext)
		return MAILLE_ENOMEM;
	import_trim(&s, &len);
	if (proto_text_check(s, len, true, NULL) != 0) {
		char field[IMPORT_FIELD_MAX];
		snprintf(field, sizeof field, "extensions.%s.%s", r->set->format->name, key);
		int x = import_text(r->set, d, ext, key, field, s, len, IMPORT_TEXT_MULTILINE);
		return x < 0 ? x : 0;
	}
	proto_value *slot = proto_value_map_put(&r->set->arena, ext, key, strlen(key));
	proto_value *v = slot ? proto_value_new_str(&r->set->arena, s, len) : NULL;
	if (!v)
		return MAILLE_ENOMEM;
	*slot = *v;
	return 0;
}

/* Oui / Non into map[key]; anything else dropped with an issue. */
static int put_bool(import_set *set, import_draft *d, proto_value *map, const char *key,
                    const char *field, const char *s, size_t len)
{
	import_trim(&s, &len);
	if (!len)
		return 0;
	int b = -1;
	for (size_t i = 0; inv_yes[i] && b < 0; i++)
		if (import_same_words(s, len, inv_yes[i], strlen(inv_yes[i])))
			b = 1;
	for (size_t i = 0; inv_no[i] && b < 0; i++)
		if (import_same_words(s, len, inv_no[i], strlen(inv_no[i])))
			b = 0;
	if (b < 0) {
		char q[96];
		proto_schema_quote(q, sizeof q, s, len);
		return import_issue_add(set, d, IMPORT_DROPPED, field,
		                        "« %s » n'est ni « Oui » ni « Non » : laissé de côté",
		                        "\"%s\" is neither \"Oui\" (yes) nor \"Non\" (no): left out", q);
	}
	proto_value *slot = proto_value_map_put(&set->arena, map, key, strlen(key));
	if (!slot)
		return MAILLE_ENOMEM;
	slot->type = PROTO_V_BOOL;
	slot->u.b = b == 1;
	return 1;
}

/* Digits, with spaces (also no-break ones) between thousands, and one decimal separator ','
 * or '.' when frac: into *ret. */
static bool read_number(const char *s, size_t len, bool frac, double *ret, bool *ret_int)
{
	char buf[40];
	size_t o = 0;
	bool dot = false, digit = false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= '0' && c <= '9') {
			if (o + 1 >= sizeof buf)
				return false;
			buf[o++] = (char)c;
			digit = true;
		} else if (c == ' ') {
			continue;
		} else if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] == 0xa0) {
			i++;
		} else if (c == 0xe2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
		           (unsigned char)s[i + 2] == 0xaf) {
			i += 2;
		} else if ((c == ',' || c == '.') && frac && !dot && digit) {
			if (o + 1 >= sizeof buf)
				return false;
			buf[o++] = '.';
			dot = true;
		} else {
			return false;
		}
	}
	if (!digit || o > 15 || buf[o - 1] == '.')
		return false;
	buf[o] = '\0';
	double v = 0, scale = 0;
	for (size_t i = 0; i < o; i++) {
		if (buf[i] == '.') {
			scale = 1;
			continue;
		}
		v = v * 10 + (buf[i] - '0');
		if (scale > 0)
			scale *= 10;
	}
	*ret = scale > 0 ? v / scale : v;
	*ret_int = !dot;
	return true;
}

/* ---- the cells of a row ---------------------------------------------------------------- */

/* One item of a cell into the object o, item k of its list: 0 or MAILLE_ENOMEM. */
typedef int (*inv_item_fn)(inv_reader *r, import_draft *d, proto_value *o, size_t k,
                           const char *it, size_t il, void *ctx);

/* A list of objects d->body[key] from the items of a cell (seps: the separators besides line
 * breaks), one object an item; an item that leaves its object empty is dropped, and so is the
 * list when nothing is left. */
static int do_objects(inv_reader *r, import_draft *d, const char *key, const char *seps,
                      const char *s, size_t len, inv_item_fn fn, void *ctx)
{
	import_set *set = r->set;
	proto_value *list = NULL;
	size_t pos = 0, il, k = 0;
	const char *it;
	while (next_item(s, len, &pos, seps, &it, &il)) {
		if (!list && !(list = new_list_in(set, d->body, key)))
			return MAILLE_ENOMEM;
		proto_value *o = proto_value_array_push(&set->arena, list);
		if (!o)
			return MAILLE_ENOMEM;
		o->type = PROTO_V_MAP;
		int x = fn(r, d, o, k, it, il, ctx);
		if (x < 0)
			return x;
		if (o->u.map.n == 0)
			list->u.arr.n--; /* nothing left of it */
		else
			k++;
	}
	if (list && list->u.arr.n == 0)
		proto_value_map_del(d->body, key);
	return 0;
}

/* "Nom <adresse>", an address, or a name; ctx: whether the note on `public` was made. */
static int contact_item(inv_reader *r, import_draft *d, proto_value *c, size_t k,
                        const char *it, size_t il, void *ctx)
{
	import_set *set = r->set;
	bool *noted = ctx;
	const char *lt = memchr(it, '<', il);
	const char *gt = lt ? memchr(lt, '>', il - (size_t)(lt - it)) : NULL;
	const char *name = NULL, *mail = it;
	size_t name_len = 0, mail_len = il;
	if (lt && gt) {
		name = it;
		name_len = (size_t)(lt - it);
		mail = lt + 1;
		mail_len = (size_t)(gt - lt - 1);
	} else if (!memchr(it, '@', il) && memchr(it, ' ', il)) {
		/* words without an address: a name (one word without '@' is taken for an address
		 * that is not one, and reported) */
		name = it;
		name_len = il;
		mail_len = 0;
	}
	char field[IMPORT_FIELD_MAX];
	int x = 0;
	if (name) {
		snprintf(field, sizeof field, "contacts[%zu].name", k);
		x = import_text(set, d, c, "name", field, name, name_len, 0);
	}
	snprintf(field, sizeof field, "contacts[%zu].email", k);
	if (x >= 0 && mail_len)
		x = import_email(set, d, c, PROTO_F_EMAIL, field, mail, mail_len);
	if (x != 1)
		return x < 0 ? x : 0;
	proto_value *p = proto_value_map_put(&set->arena, c, PROTO_F_PUBLIC, 6);
	if (!p)
		return MAILLE_ENOMEM;
	p->type = PROTO_V_BOOL;
	p->u.b = true;
	if (*noted)
		return 0;
	*noted = true;
	return import_issue_add(set, d, IMPORT_NOTE, "contacts",
	                        "l'inventaire est public : l'adresse est marquée publique "
	                        "(public: true), à vérifier",
	                        "the inventory is public: the address is marked public "
	                        "(public: true), to check");
}

/* "risque : mesure", or "risque : description : mesure". */
static int risk_item(inv_reader *r, import_draft *d, proto_value *o, size_t k, const char *it,
                     size_t il, void *ctx)
{
	(void)ctx;
	import_set *set = r->set;
	const char *end = it + il, *c1 = memchr(it, ':', il);
	const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;
	char field[IMPORT_FIELD_MAX];
	snprintf(field, sizeof field, "risks[%zu].name", k);
	int x = import_text(set, d, o, "name", field, it, c1 ? (size_t)(c1 - it) : il, 0);
	if (x >= 0 && c2) {
		snprintf(field, sizeof field, "risks[%zu].description", k);
		x = import_text(set, d, o, "description", field, c1 + 1, (size_t)(c2 - c1 - 1),
		                IMPORT_TEXT_MULTILINE);
	}
	if (x >= 0 && c1) {
		const char *m = c2 ? c2 + 1 : c1 + 1;
		snprintf(field, sizeof field, "risks[%zu].mitigation", k);
		x = import_text(set, d, o, "mitigation", field, m, (size_t)(end - m),
		                IMPORT_TEXT_MULTILINE);
	}
	return x < 0 ? x : 0;
}

/* "titre : https://..." or an address: the address starts at the item's last "http". */
static int link_item(inv_reader *r, import_draft *d, proto_value *o, size_t k, const char *it,
                     size_t il, void *ctx)
{
	(void)ctx;
	import_set *set = r->set;
	const char *href = it;
	for (size_t i = 0; i + 4 <= il; i++)
		if (memcmp(it + i, "http", 4) == 0)
			href = it + i;
	size_t tl = (size_t)(href - it);
	while (tl && (it[tl - 1] == ' ' || it[tl - 1] == ':' || it[tl - 1] == '-'))
		tl--;
	char field[IMPORT_FIELD_MAX];
	snprintf(field, sizeof field, "links[%zu].href", k);
	int x = import_uri(set, d, o, "href", field, href, il - (size_t)(href - it));
	if (x != 1)
		return x < 0 ? x : 0;
	proto_value *rel = proto_value_map_put(&set->arena, o, "rel", 3);
	proto_value *v = rel ? proto_value_new_str(&set->arena, "related", 7) : NULL;
	if (!v)
		return MAILLE_ENOMEM;
	*rel = *v;
	snprintf(field, sizeof field, "links[%zu].title", k);
	x = tl ? import_text(set, d, o, "title", field, it, tl, 0) : 0;
	return x < 0 ? x : 0;
}

/* `Données traitées` with `Source des données` and `Données personnelles` beside it. */
static int do_data(inv_reader *r, import_draft *d, const csvr_cell *names,
                   const csvr_cell *providers, const csvr_cell *personal)
{
	import_set *set = r->set;
	size_t n = names ? count_items(names->s, names->len, ";") : 0;
	const csvr_cell *side[2] = { providers, personal };
	const char *header[2] = { "Source des données", "Données personnelles" };
	size_t side_n[2];
	for (int j = 0; j < 2; j++) {
		side_n[j] = side[j] ? count_items(side[j]->s, side[j]->len, ";") : 0;
		if (side_n[j] && side_n[j] != 1 && side_n[j] != n) {
			/* no way to tell which source each item belongs to: kept as written */
			int x = put_ext(r, d, header[j], side[j]->s, side[j]->len);
			if (!x)
				x = import_issue_add(set, d, IMPORT_NOTE, "data_sources",
				                     "« %s » a %zu éléments pour %zu données traitées : gardé "
				                     "sous extensions, à répartir à la main",
				                     "\"%s\" has %zu items for %zu data sources: kept under "
				                     "extensions, to share out by hand",
				                     header[j], side_n[j], n);
			if (x)
				return x;
			side_n[j] = 0;
		}
	}
	if (!n)
		return 0;
	proto_value *list = new_list_in(set, d->body, "data_sources");
	if (!list)
		return MAILLE_ENOMEM;
	const proto_vocab *pv = personal_vocab();
	size_t pos = 0, il, k = 0, side_pos[2] = { 0, 0 };
	const char *it, *side_it[2] = { NULL, NULL };
	size_t side_len[2] = { 0, 0 };
	while (next_item(names->s, names->len, &pos, ";", &it, &il)) {
		for (int j = 0; j < 2; j++)
			if (side_n[j] && (side_n[j] == n || !side_it[j]))
				next_item(side[j]->s, side[j]->len, &side_pos[j], ";", &side_it[j],
				          &side_len[j]);
		proto_value *o = proto_value_array_push(&set->arena, list);
		if (!o)
			return MAILLE_ENOMEM;
		o->type = PROTO_V_MAP;
		char field[IMPORT_FIELD_MAX];
		snprintf(field, sizeof field, "data_sources[%zu].name", k);
		int x = import_text(set, d, o, "name", field, it, il, 0);
		if (x >= 0 && side_n[0]) {
			snprintf(field, sizeof field, "data_sources[%zu].provider", k);
			x = import_text(set, d, o, "provider", field, side_it[0], side_len[0], 0);
		}
		if (x >= 0 && side_n[1]) {
			snprintf(field, sizeof field, "data_sources[%zu].personal_data", k);
			x = import_enum(set, d, o, "personal_data", field, pv, syn_personal, side_it[1],
			                side_len[1]);
		}
		if (x < 0)
			return x;
		if (o->u.map.n == 0)
			list->u.arr.n--;
		else
			k++;
	}
	if (list->u.arr.n == 0)
		proto_value_map_del(d->body, "data_sources");
	return 0;
}

/* A list of texts (seps: the separators besides line breaks), or of a vocabulary's values. */
static int do_list(inv_reader *r, import_draft *d, const char *key, const char *seps,
                   const proto_vocab *vocab, const char *s, size_t len)
{
	import_set *set = r->set;
	proto_value *list = new_list_in(set, d->body, key);
	proto_value *tmp = list ? proto_value_new(&set->arena, PROTO_V_MAP) : NULL;
	if (!tmp)
		return MAILLE_ENOMEM;
	size_t pos = 0, il, k = 0;
	const char *it;
	while (next_item(s, len, &pos, seps, &it, &il)) {
		char field[IMPORT_FIELD_MAX];
		snprintf(field, sizeof field, "%s[%zu]", key, k);
		int x = vocab ? import_enum(set, d, tmp, "v", field, vocab, NULL, it, il)
		              : import_text(set, d, tmp, "v", field, it, il, 0);
		if (x < 0)
			return x;
		if (x == 0)
			continue;
		const proto_value *v = proto_map_get(tmp, "v");
		bool dup = false;
		for (size_t i = 0; i < list->u.arr.n && !dup; i++)
			dup = list->u.arr.items[i].u.str.len == v->u.str.len &&
			      memcmp(list->u.arr.items[i].u.str.ptr, v->u.str.ptr, v->u.str.len) == 0;
		if (dup)
			continue; /* a list of the tables holds each value once */
		proto_value *slot = proto_value_array_push(&set->arena, list);
		if (!slot)
			return MAILLE_ENOMEM;
		*slot = *v;
		k++;
	}
	if (list->u.arr.n == 0)
		proto_value_map_del(d->body, key);
	return 0;
}

static int do_decisions(inv_reader *r, import_draft *d, const char *s, size_t len)
{
	double v;
	bool whole;
	const char *p = s;
	size_t n = len;
	import_trim(&p, &n);
	if (n && read_number(p, n, false, &v, &whole)) {
		proto_value *slot = proto_value_map_put(&r->set->arena, d->body, "decisions_per_year", 18);
		if (!slot)
			return MAILLE_ENOMEM;
		slot->type = PROTO_V_INT;
		slot->u.i = (int64_t)v;
		return 0;
	}
	int x = import_text(r->set, d, d->body, "decisions_per_year", "decisions_per_year", s, len, 0);
	return x < 0 ? x : 0;
}

/* A number into map[key]; anything else dropped with an issue. */
static int do_number(inv_reader *r, import_draft *d, proto_value *map, const char *key,
                     const char *field, const char *s, size_t len)
{
	double v;
	bool whole;
	import_trim(&s, &len);
	if (!len)
		return 0;
	if (!read_number(s, len, true, &v, &whole)) {
		char q[96];
		proto_schema_quote(q, sizeof q, s, len);
		return import_issue_add(r->set, d, IMPORT_DROPPED, field,
		                        "« %s » n'est pas un nombre : laissé de côté",
		                        "\"%s\" is not a number: left out", q);
	}
	proto_value *slot = proto_value_map_put(&r->set->arena, map, key, strlen(key));
	if (!slot)
		return MAILLE_ENOMEM;
	if (whole) {
		slot->type = PROTO_V_INT;
		slot->u.i = (int64_t)v;
	} else {
		slot->type = PROTO_V_FLOAT;
		slot->u.f = v;
	}
	return 0;
}

/* One cell of a known column into d (the data sources' columns are done together). */
static int do_cell(inv_reader *r, import_draft *d, const inv_column *c, const csvr_cell *cell)
{
	import_set *set = r->set;
	const char *s = cell->s;
	size_t len = cell->len;
	const char *f = c->field, *key = f;
	proto_value *map = d->body;
	const char *dot = f ? strchr(f, '.') : NULL;
	if (dot) {
		/* a field of an object (hosting.provider): the object is made on first use */
		char obj[32];
		snprintf(obj, sizeof obj, "%.*s", (int)(dot - f), f);
		if (!(map = new_map_in(set, d->body, obj)))
			return MAILLE_ENOMEM;
		key = dot + 1;
	}
	int x = 0;
	switch (c->kind) {
	case INV_TITLE:
		x = import_text_lang(set, d, d->body, PROTO_F_TITLE, PROTO_F_TITLE, "fr", s, len, 0);
		break;
	case INV_LINE:
		x = import_text(set, d, map, key, f, s, len, 0);
		break;
	case INV_TEXT:
		x = import_text(set, d, map, key, f, s, len, IMPORT_TEXT_MULTILINE);
		break;
	case INV_NUMBER:
		return do_number(r, d, map, key, f, s, len);
	case INV_ENUM:
		x = import_enum(set, d, d->body, f, f, import_vocab(INV_TYPE, f), synonyms_of(f), s,
		                len);
		break;
	case INV_THEMES:
		return do_list(r, d, f, ";,", import_vocab(INV_TYPE, f), s, len);
	case INV_LIST:
		return do_list(r, d, f, ";", NULL, s, len);
	case INV_WORDS:
		return do_list(r, d, f, ";,", NULL, s, len);
	case INV_BOOL:
		x = put_bool(set, d, map, key, f, s, len);
		break;
	case INV_URI:
		x = import_uri(set, d, d->body, f, f, s, len);
		break;
	case INV_CONTACTS: {
		bool noted = false;
		/* "Nom <adresse>" items: a name may hold a comma ("Direction X, pôle Y"), so only
		 * lines and ';' separate them; bare addresses may also be separated by ',' */
		bool named = memchr(s, '<', len) != NULL;
		return do_objects(r, d, PROTO_F_CONTACTS, named ? ";" : ";,", s, len, contact_item,
		                  &noted);
	}
	case INV_RISKS:
		return do_objects(r, d, "risks", "", s, len, risk_item, NULL);
	case INV_LINKS:
		return do_objects(r, d, "links", ";", s, len, link_item, NULL);
	case INV_DECISIONS:
		return do_decisions(r, d, s, len);
	case INV_EXT_DATE: {
		proto_value *ext = import_ext(set, d);
		char field[IMPORT_FIELD_MAX];
		snprintf(field, sizeof field, "extensions.%s.%s", set->format->name, c->header);
		x = ext ? import_date(set, d, ext, c->header, field, s, len) : MAILLE_ENOMEM;
		break;
	}
	case INV_EXT:
		return put_ext(r, d, c->header, s, len);
	case INV_DATA:
	case INV_PROVIDER:
	case INV_PERSONAL:
		break;
	}
	return x < 0 ? x : 0;
}

/* Objects a row's cells opened and left empty (hosting with a blank provider...) removed. */
static void drop_empty(proto_value *body, const char *key)
{
	const proto_value *v = proto_map_get(body, key);
	if (v && v->type == PROTO_V_MAP && v->u.map.n == 0)
		proto_value_map_del(body, key);
}

/* ---- the file -------------------------------------------------------------------------- */

/* Whether row repeats the header (every named column's cell says its header). */
static bool header_again(const csvr_table *t, size_t row)
{
	bool any = false;
	for (size_t c = 0; c < t->n_cols; c++) {
		const csvr_cell *h = csvr_at(t, 0, c), *v = csvr_at(t, row, c);
		if (!h->len)
			continue;
		if (!import_same_words(h->s, h->len, v->s, v->len))
			return false;
		any = true;
	}
	return any;
}

/* Whether every cell of row is blank (a spreadsheet's empty line: ";;;;"). */
static bool row_blank(const csvr_table *t, size_t row)
{
	for (size_t c = 0; c < t->n_cols; c++) {
		const csvr_cell *v = csvr_at(t, row, c);
		const char *s = v->s;
		size_t len = v->len;
		import_trim(&s, &len);
		if (len)
			return false;
	}
	return true;
}

/* The header read into r: each column known or kept under extensions. 0, or a file error. */
static int read_header(inv_reader *r)
{
	import_set *set = r->set;
	const csvr_table *t = r->t;
	r->of_col = proto_arena_alloc(&set->arena, t->n_cols * sizeof *r->of_col);
	r->ext_key = proto_arena_alloc(&set->arena, t->n_cols * sizeof *r->ext_key);
	if (!r->of_col || !r->ext_key)
		return MAILLE_ENOMEM;
	for (size_t k = 0; k < INV_N_COLUMNS; k++)
		r->col_of[k] = -1;
	for (size_t c = 0; c < t->n_cols; c++) {
		const csvr_cell *h = csvr_at(t, 0, c);
		const char *hs = h->s;
		size_t hl = h->len;
		import_trim(&hs, &hl);
		for (size_t k = 0; k < INV_N_COLUMNS && !r->of_col[c]; k++) {
			const inv_column *ic = &inv_columns[k];
			if (!import_same_words(hs, hl, ic->header, strlen(ic->header)) &&
			    !(ic->alias && import_same_words(hs, hl, ic->alias, strlen(ic->alias))) &&
			    !(ic->field && hl == strlen(ic->field) && memcmp(hs, ic->field, hl) == 0))
				continue;
			if (r->col_of[k] >= 0)
				return import_file_fail(set, r->src, MAILLE_EPROTO, t->lines[0], (unsigned)c + 1,
				                        ic->header,
				                        "la colonne « %s » apparaît deux fois dans l'en-tête",
				                        "column \"%s\" appears twice in the header", ic->header);
			r->col_of[k] = (int)c;
			r->of_col[c] = ic;
		}
		char key[64];
		if (hl)
			snprintf(key, sizeof key, "%.*s", (int)(hl < 60 ? hl : 60), hs);
		else
			snprintf(key, sizeof key, "colonne %zu", c + 1);
		/* a key cut in the middle of a character would not be UTF-8 */
		size_t kl = strlen(key);
		while (kl && !proto_utf8_valid((const uint8_t *)key, kl))
			key[--kl] = '\0';
		for (size_t o = 0; o < c && !r->of_col[c]; o++)
			if (!r->of_col[o] && strcmp(r->ext_key[o], key) == 0)
				snprintf(key + kl, sizeof key - kl, " (%zu)", c + 1);
		if (!(r->ext_key[c] = proto_arena_strndup(&set->arena, key, strlen(key))))
			return MAILLE_ENOMEM;
	}
	if (r->col_of[0] < 0)
		return import_file_fail(set, r->src, MAILLE_EPROTO, t->lines[0], 0, "Nom",
		                        "ce n'est pas un inventaire des algorithmes : l'en-tête n'a pas "
		                        "de colonne « Nom »",
		                        "this is not an algorithm inventory: the header has no \"Nom\" "
		                        "(name) column");
	return 0;
}

static int read_row(inv_reader *r, size_t row, import_draft *d)
{
	import_set *set = r->set;
	const csvr_table *t = r->t;
	for (size_t c = 0; c < t->n_cols; c++) {
		const csvr_cell *cell = csvr_at(t, row, c);
		const char *s = cell->s;
		size_t len = cell->len;
		import_trim(&s, &len);
		if (!len)
			continue;
		int x = r->of_col[c] ? do_cell(r, d, r->of_col[c], cell)
		                     : put_ext(r, d, r->ext_key[c], cell->s, cell->len);
		if (x)
			return x;
	}
	const csvr_cell *side[3] = { NULL, NULL, NULL };
	for (size_t k = 0; k < INV_N_COLUMNS; k++) {
		inv_kind kind = inv_columns[k].kind;
		if (r->col_of[k] >= 0 && kind >= INV_DATA && kind <= INV_PERSONAL)
			side[kind - INV_DATA] = csvr_at(t, row, (size_t)r->col_of[k]);
	}
	int x = do_data(r, d, side[0], side[1], side[2]);
	if (x)
		return x;
	drop_empty(d->body, "hosting");
	drop_empty(d->body, "environment");
	/* the path from the name, so that the same inventory imported again edits its records */
	const csvr_cell *name = csvr_at(t, row, (size_t)r->col_of[0]);
	char slug[100];
	size_t sl = proto_slugify(name->s, name->len, slug, sizeof slug);
	if (sl) {
		char path[sizeof slug + sizeof INV_TYPE + 1];
		snprintf(path, sizeof path, "%s/%s", INV_TYPE, slug);
		if (!(d->path = proto_arena_strndup(&set->arena, path, strlen(path))))
			return MAILLE_ENOMEM;
	}
	return 0;
}

int import_read_inventaire_csv(import_set *set, const import_src *src)
{
	csvr_table t;
	csvr_error err;
	memset(&err, 0, sizeof err);
	int x = csvr_read(&set->arena, src->buf, src->len, 0, &t, &err);
	if (x)
		return import_file_fail(set, src, x, err.line, 0, "", "%s%.0s", "%.0s%s", err.fr,
		                        err.en);
	inv_reader r = { .set = set, .src = src, .t = &t };
	if ((x = read_header(&r)))
		return x;
	size_t first = set->n;
	unsigned pending[IMPORT_ISSUES_MAX];
	size_t n_pending = 0;
	for (size_t row = 1; row < t.n_rows; row++) {
		if (row_blank(&t, row))
			continue;
		if (header_again(&t, row)) {
			if (set->n > first) {
				x = import_issue_add(set, &set->drafts[set->n - 1], IMPORT_NOTE, "",
				                     "ligne %u : l'en-tête est répété, ligne ignorée",
				                     "line %u: the header is repeated, line skipped",
				                     t.lines[row]);
				if (x)
					return x;
			} else if (n_pending < IMPORT_ISSUES_MAX) {
				pending[n_pending++] = t.lines[row];
			}
			continue;
		}
		import_draft *d = import_draft_new(set, src, INV_TYPE, "ligne %u", t.lines[row]);
		if (!d)
			return set->n >= IMPORT_RECORDS_MAX ? MAILLE_ETOOBIG : MAILLE_ENOMEM;
		for (size_t i = 0; i < n_pending; i++)
			if (import_issue_add(set, d, IMPORT_NOTE, "",
			                     "ligne %u : l'en-tête est répété, ligne ignorée",
			                     "line %u: the header is repeated, line skipped", pending[i]))
				return MAILLE_ENOMEM;
		n_pending = 0;
		if ((x = read_row(&r, row, d)))
			return x;
	}
	return 0;
}
