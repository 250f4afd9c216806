/* proto/record.c: the table of record types and the lookups on the record tables
 * (proto/record.h). */
#include <stdio.h>
#include <string.h>

#include "record_def.h"

/* clang-format off */
/* Same order as proto_schema_types (schema.h). */
const proto_record_type proto_record_types[] = {
	{ "methodology", PROTO_RC_CATALOGUE, { "Méthodologie", "Methodology" },
	  { "Une méthode réutilisable : guide, grille d'évaluation, charte, clauses d'achat...",
	    "A reusable method: guide, assessment grid, charter, procurement clauses..." },
	  proto_record_methodology_, 4, NULL },
	{ "use_case", PROTO_RC_CATALOGUE, { "Cas d'usage", "Use case" },
	  { "Un algorithme ou un système d'IA qu'un territoire utilise, décrit comme le demandent les registres publics.",
	    "An algorithm or AI system a territory uses, described as public registers ask." },
	  proto_record_use_case_, 2, NULL },
	{ "component", PROTO_RC_CATALOGUE, { "Composant réutilisable", "Reusable component" },
	  { "Un logiciel, un jeu de données, un modèle, une API ou une configuration à réutiliser.",
	    "Software, a dataset, a model, an API or a configuration to reuse." },
	  proto_record_component_, 3, NULL },
	{ "rex", PROTO_RC_CATALOGUE, { "Retour d'expérience", "Experience report" },
	  { "Ce qu'un territoire a appris en utilisant un cas d'usage, un composant ou une méthodologie.",
	    "What a territory learnt using a use case, a component or a methodology." },
	  proto_record_rex_, 1, NULL },
	{ "call", PROTO_RC_CATALOGUE, { "Appel à coopération", "Call to cooperate" },
	  { "Ce qu'un territoire propose de faire avec d'autres : co-développement, groupement de commandes, hébergement, étude...",
	    "What a territory proposes to do with others: co-development, shared procurement, hosting, a study..." },
	  proto_record_call_, 5, proto_record_common_own_status },
	{ "label", PROTO_RC_CATALOGUE, { "Label", "Label" },
	  { "Un label : ses critères, les preuves attendues, sa durée de validité.",
	    "A label: its criteria, the evidence expected, how long it is valid." },
	  proto_record_label_, 6, NULL },
	{ "interest", PROTO_RC_ACT, { "Manifestation d'intérêt", "Expression of interest" },
	  { "Un territoire se porte partenaire d'un appel à coopération, avec un rôle.",
	    "A territory offers to join a call to cooperate, with a role." },
	  proto_record_interest_, 0, NULL },
	{ "award", PROTO_RC_ACT, { "Attribution de label", "Label award" },
	  { "L'émetteur d'un label dit qu'une version d'une fiche en remplit les critères.",
	    "A label's issuer says that a version of a record meets its criteria." },
	  proto_record_award_, 0, NULL },
	{ "comment", PROTO_RC_ACT, { "Commentaire", "Comment" },
	  { "Une contribution à la délibération sur une fiche ou en réponse à un commentaire.",
	    "A contribution to the deliberation on a record, or a reply to a comment." },
	  proto_record_comment_, 0, NULL },
	{ "territory", PROTO_RC_TERRITORY, { "Territoire", "Territory" },
	  { "La fiche d'un territoire sur lui-même, au chemin territory.",
	    "A territory's record about itself, at the path territory." },
	  proto_record_territory_, 0, NULL },
	{ "member", PROTO_RC_FEDERATION, { "Membre", "Member" },
	  { "Un membre de la fédération ; ses champs sont définis avec le protocole d'adhésion.",
	    "A member of the federation; its fields are defined with the membership protocol." },
	  NULL, 0, NULL },
	{ "vouch", PROTO_RC_FEDERATION, { "Parrainage", "Vouch" },
	  { "Un territoire se porte garant d'un autre ; ses champs sont définis avec le protocole d'adhésion.",
	    "A territory vouches for another; its fields are defined with the membership protocol." },
	  NULL, 0, NULL },
	{ "node", PROTO_RC_FEDERATION, { "Nœud", "Node" },
	  { "Un nœud de la fédération ; ses champs sont définis avec le protocole d'adhésion.",
	    "A node of the federation; its fields are defined with the membership protocol." },
	  NULL, 0, NULL },
};
/* clang-format on */

const size_t proto_record_n_types = sizeof proto_record_types / sizeof proto_record_types[0];

const char *const proto_schema_types[] = {
	"methodology", "use_case", "component", "rex", "call", "label", "interest", "award", "comment",
	"territory", "member", "vouch", "node", NULL,
};

_Static_assert(sizeof proto_record_types / sizeof proto_record_types[0] ==
                   sizeof proto_schema_types / sizeof proto_schema_types[0] - 1,
               "proto_record_types[] and proto_schema_types[] list the same types");

const proto_record_field *proto_record_type_common(const proto_record_type *t)
{
	if (!t || t->cls != PROTO_RC_CATALOGUE)
		return NULL;
	return t->common ? t->common : proto_record_common;
}

const proto_record_type *proto_record_type_find(const char *s, size_t len)
{
	if (!s)
		return NULL;
	for (size_t i = 0; i < proto_record_n_types; i++)
		if (strlen(proto_record_types[i].name) == len &&
		    memcmp(proto_record_types[i].name, s, len) == 0)
			return &proto_record_types[i];
	return NULL;
}

const proto_record_field *proto_record_field_find(const proto_record_field *fields,
                                                  const char *name)
{
	for (const proto_record_field *f = fields; f && f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

const proto_record_field *proto_record_type_field(const proto_record_type *t, const char *name)
{
	const proto_record_field *f;

	if (!t || !name)
		return NULL;
	if ((f = proto_record_field_find(t->fields, name)))
		return f;
	return proto_record_field_find(proto_record_type_common(t), name);
}

proto_presence proto_record_presence(const proto_record_field *f, const proto_value *parent)
{
	const proto_record_cond *c = f->cond;
	const proto_value *v;

	if (!c)
		return f->pres;
	v = proto_map_get(parent, c->field);
	if (!v)
		return f->pres;
	if (!c->value)
		return v->type == PROTO_V_BOOL && v->u.b ? c->pres : f->pres;
	return v->type == PROTO_V_STR && v->u.str.ptr && v->u.str.len == strlen(c->value) &&
	               memcmp(v->u.str.ptr, c->value, v->u.str.len) == 0
	           ? c->pres
	           : f->pres;
}

const char *proto_vocab_label(const proto_vocab *vocab, const char *value, bool en)
{
	for (const proto_vocab_term *t = vocab ? vocab->terms : NULL; t && t->value; t++)
		if (strcmp(t->value, value) == 0)
			return en ? t->label.en : t->label.fr;
	return NULL;
}

/* Depth-first over a table and its nested tables (bounded by the tables themselves): a field
 * by name (fields first, then vocabularies when vocab is set). */
static const char *label_in(const proto_record_field *fields, const char *name, bool en,
                            bool vocab, unsigned depth)
{
	const char *l;

	if (depth > 4)
		return NULL;
	for (const proto_record_field *f = fields; f && f->name; f++) {
		if (!vocab && strcmp(f->name, name) == 0)
			return en ? f->label.en : f->label.fr;
		if (vocab && (l = proto_vocab_label(f->vocab, name, en)))
			return l;
		if (f->obj && (l = label_in(f->obj->fields, name, en, vocab, depth + 1)))
			return l;
	}
	return NULL;
}

/* Record types first, then top-level fields of every table, nested ones, then vocabulary
 * values: a name that is both a field and a value (none is, with different labels) reads as
 * the field. */
const char *proto_record_label(const char *name, bool en)
{
	const char *l;

	if (!name)
		return NULL;
	for (size_t i = 0; i < proto_record_n_types; i++)
		if (strcmp(proto_record_types[i].name, name) == 0)
			return en ? proto_record_types[i].label.en : proto_record_types[i].label.fr;
	for (int pass = 0; pass < 2; pass++) {
		if ((l = label_in(proto_record_common, name, en, pass, 0)))
			return l;
		for (size_t i = 0; i < proto_record_n_types; i++)
			if ((l = label_in(proto_record_types[i].fields, name, en, pass, 0)))
				return l;
	}
	return NULL;
}

const char *proto_record_theme(const proto_value *t, size_t i)
{
	if (!t)
		return NULL;
	if (t->type == PROTO_V_STR)
		return i == 0 ? t->u.str.ptr : NULL;
	if (t->type != PROTO_V_ARRAY)
		return NULL;
	for (size_t k = 0; k < t->u.arr.n && t->u.arr.items; k++) {
		if (t->u.arr.items[k].type != PROTO_V_STR)
			continue;
		if (i-- == 0)
			return t->u.arr.items[k].u.str.ptr;
	}
	return NULL;
}

const char *proto_record_filter_field(const proto_record_type *t, proto_filter flt)
{
	for (const proto_record_field *f = proto_record_common; f->name; f++)
		if (f->filter == flt)
			return f->name;
	for (size_t i = 0; i < proto_record_n_types; i++) {
		if (t && t != &proto_record_types[i])
			continue;
		for (const proto_record_field *f = proto_record_types[i].fields; f && f->name; f++)
			if (f->filter == flt)
				return f->name;
	}
	return NULL;
}

void proto_record_type_list(char *ret, size_t cap, bool publishable_only)
{
	size_t n = 0;

	if (!cap)
		return;
	ret[0] = '\0';
	for (size_t i = 0; i < proto_record_n_types; i++) {
		if (publishable_only && !proto_record_types[i].publish)
			continue;
		int w = snprintf(ret + n, cap - n, "%s%s", n ? ", " : "", proto_record_types[i].name);
		if (w < 0 || (size_t)w >= cap - n)
			return;
		n += (size_t)w;
	}
}

/* clang-format off */
proto_fr_en proto_record_kind_text(proto_field_kind k)
{
	static const proto_fr_en names[] = {
		[PROTO_FK_STR] = { "texte", "string" },
		[PROTO_FK_URI] = { "adresse http(s)", "http(s) URL" },
		[PROTO_FK_REF] = { "chemin de fiche ou URI", "entry path or URI" },
		[PROTO_FK_EMAIL] = { "courriel", "e-mail address" },
		[PROTO_FK_DATE] = { "date AAAA-MM-JJ", "date YYYY-MM-DD" },
		[PROTO_FK_LANG] = { "étiquette de langue", "language tag" },
		[PROTO_FK_LICENCE] = { "licence SPDX", "SPDX licence" },
		[PROTO_FK_SIREN] = { "SIREN (9 chiffres)", "SIREN (9 digits)" },
		[PROTO_FK_DIGEST] = { "empreinte (64 hex)", "digest (64 hex)" },
		[PROTO_FK_KEY] = { "clé de territoire (64 hex)", "territory key (64 hex)" },
		[PROTO_FK_PATH] = { "chemin de fiche", "record path" },
		[PROTO_FK_CURRENCY] = { "devise ISO 4217", "ISO 4217 currency" },
		[PROTO_FK_LANGMAP] = { "texte par langue", "language map" },
		[PROTO_FK_STR_OR_LANGMAP] = { "texte, ou texte par langue", "string or language map" },
		[PROTO_FK_TEXT] = { "texte, texte par langue ou liste", "string, language map or list" },
		[PROTO_FK_NUM_OR_TEXT] = { "nombre ou texte", "number or text" },
		[PROTO_FK_STRLIST] = { "liste de textes", "list of strings" },
		[PROTO_FK_THEMES] = { "liste de thèmes", "list of themes" },
		[PROTO_FK_ENUM] = { "valeur de la liste", "one of the values" },
		[PROTO_FK_ENUMLIST] = { "valeurs de la liste", "list of the values" },
		[PROTO_FK_BOOL] = { "vrai ou faux", "true or false" },
		[PROTO_FK_INT] = { "entier", "integer" },
		[PROTO_FK_NUMBER] = { "nombre", "number" },
		[PROTO_FK_MAP] = { "table libre", "free map" },
		[PROTO_FK_OBJ] = { "objet", "object" },
		[PROTO_FK_OBJLIST] = { "liste d'objets", "list of objects" },
		[PROTO_FK_REFLIST] = { "liste de textes ou d'objets", "list of strings or maps" },
	};
	return names[k];
}

proto_fr_en proto_record_presence_text(proto_presence p)
{
	static const proto_fr_en names[] = {
		[PROTO_OPTIONAL] = { "facultatif", "optional" },
		[PROTO_RECOMMENDED] = { "recommandé", "recommended" },
		[PROTO_REQUIRED] = { "obligatoire", "required" },
	};
	return names[p];
}

proto_fr_en proto_record_widget_text(proto_widget w)
{
	static const proto_fr_en names[] = {
		[PROTO_W_NONE] = { "", "" },
		[PROTO_W_LINE] = { "ligne", "line" },
		[PROTO_W_AREA] = { "zone de texte", "text area" },
		[PROTO_W_SELECT] = { "liste déroulante", "select" },
		[PROTO_W_CHECKS] = { "cases à cocher", "check boxes" },
		[PROTO_W_BOOL] = { "case à cocher", "check box" },
		[PROTO_W_DATE] = { "date", "date" },
		[PROTO_W_LINES] = { "une valeur par ligne", "one value per line" },
		[PROTO_W_COMMA] = { "valeurs séparées par des virgules", "comma-separated values" },
		[PROTO_W_INLINE] = { "ses champs", "its fields" },
		[PROTO_W_GROUPS] = { "groupes numérotés", "numbered groups" },
		[PROTO_W_CONTACT] = { "courriel et case « public »", "e-mail and public box" },
		[PROTO_W_REFS] = { "fiches cochées et autres", "ticked records and others" },
	};
	return names[w];
}
/* clang-format on */
