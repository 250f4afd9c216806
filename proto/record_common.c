/* proto/record_common.c: the fields every catalogue record has (methodology, use case,
 * component, REX), the vocabularies they share, and the search columns (proto/record.h).
 * The order of proto_record_common is the order validation reports in (schema.c); `form` and
 * `page` give the order of the publish form and of an entry page. */
#include <stdint.h>

#include "limits.h"
#include "record_def.h"
#include "schema.h"

/* clang-format off */

/* The store's full-text columns and their bm25 weights: the title weighs most, then the
 * summary and the keywords; the description is long, so each word of it counts least. */
const proto_search_column proto_search_columns[PROTO_SEARCH_N_] = {
	[PROTO_SEARCH_NONE] = { NULL, 0.0 },
	[PROTO_SEARCH_TITLE] = { "title", 10.0 },
	[PROTO_SEARCH_SUMMARY] = { "summary", 5.0 },
	[PROTO_SEARCH_DESCRIPTION] = { "description", 1.0 },
	[PROTO_SEARCH_KEYWORDS] = { PROTO_F_KEYWORDS, 3.0 },
	/* below the heading: a word of a REX's difficulties counts as one of the body */
	[PROTO_SEARCH_DETAILS] = { "details", 1.0 },
};

/* One list, two views: the vocabulary (with labels) and schema.h's plain arrays. */
#define VALUE_(v, fr, en) v,
#define TERM_(v, fr, en) T(v, fr, en),

#define THEMES_(X) \
	X("ia-democratie", "IA et démocratie", "AI in democracy") \
	X("ia-ressource-limitee", "IA à ressources limitées", "AI with limited resources") \
	X("ia-monde-incertain", "IA dans un monde incertain", "AI in an uncertain world") \
	X("transparence-algorithmes", "Transparence des algorithmes", "Transparency of algorithms") \
	X("donnees", "Données", "Data") \
	X("communs-numeriques", "Communs numériques", "Digital commons") \
	X("logiciel-libre", "Logiciel libre", "Free software") \
	X("sobriete-numerique", "Sobriété numérique", "Digital sobriety") \
	X("accessibilite", "Accessibilité", "Accessibility") \
	X("participation-citoyenne", "Participation citoyenne", "Citizen participation")

#define STATUSES_(X) \
	X("idea", "Idée", "Idea") \
	X("design", "Conception", "Design") \
	X("development", "Développement", "Development") \
	X("pilot", "Expérimentation", "Pilot") \
	X("production", "En production", "In production") \
	X("evaluation", "Évaluation", "Evaluation") \
	X("retired", "Arrêté", "Retired")

const char *const proto_schema_themes[] = { THEMES_(VALUE_) NULL };
const char *const proto_schema_statuses[] = { STATUSES_(VALUE_) NULL };

static const proto_vocab_term theme_terms[] = { THEMES_(TERM_) T_END };
static const proto_vocab_term status_terms[] = { STATUSES_(TERM_) T_END };
/* Closed for authoring like every vocabulary: a theme is added here, in a new version. */
const proto_vocab proto_vocab_themes = { "themes", theme_terms };
const proto_vocab proto_vocab_statuses = { "statuses", status_terms };

static const proto_vocab_term level_terms[] = {
	T("commune", "Commune", "Municipality"),
	T("epci", "Intercommunalité (EPCI)", "Inter-municipal body (EPCI)"),
	T("departement", "Département", "Département"),
	T("region", "Région", "Region"),
	T("country", "Pays", "Country"),
	T_END,
};
static const proto_vocab levels = { "territory_levels", level_terms };

static const proto_vocab_term rel_terms[] = {
	T("implements", "Met en œuvre", "Implements"),
	T("uses", "Utilise", "Uses"),
	T("based_on", "S'appuie sur", "Based on"),
	T("evaluates", "Évalue", "Evaluates"),
	T("about", "Porte sur", "About"),
	T("derived_from", "Dérivé de", "Derived from"),
	T("replaces", "Remplace", "Replaces"),
	T("similar_to", "Semblable à", "Similar to"),
	T("part_of", "Fait partie de", "Part of"),
	T_END,
};
static const proto_vocab rels = { PROTO_F_RELATIONS, rel_terms };

static const proto_vocab_term scheme_terms[] = {
	T("sill", "SILL (socle interministériel de logiciels libres)", "SILL (French free software list)"),
	T("cdl", "Catalogue du libre", "Catalogue du libre"),
	T("wikidata", "Wikidata", "Wikidata"),
	T("swh", "Software Heritage", "Software Heritage"),
	T("doi", "DOI", "DOI"),
	T("datagouv", "data.gouv.fr", "data.gouv.fr"),
	T("publiccode-url", "Adresse d'un publiccode.yml", "publiccode.yml address"),
	T("other", "Autre", "Other"),
	T_END,
};
static const proto_vocab schemes = { "identifier_schemes", scheme_terms };

static const proto_record_field contact_fields[] = {
	{ .name = "name", .pres = O, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Nom", "Name" },
	  .help = { "Personne ou service à contacter.", "Person or team to contact." } },
	{ .name = "role", .pres = O, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Rôle", "Role" },
	  .help = { "Sa fonction dans le projet.", "Their role in the project." } },
	{ .name = "email", .example = "numerique@exemple-territoire.fr", .pres = R, .kind = PROTO_FK_EMAIL,
	  .label = { "Courriel", "E-mail" },
	  .help = { "Adresse de contact ; une adresse fonctionnelle est bienvenue.",
	            "Contact address; a functional address is welcome." } },
	{ .name = PROTO_F_PUBLIC, .example = "true", .pres = R, .kind = PROTO_FK_BOOL,
	  .label = { "Adresse affichée", "Address shown" },
	  .help = { "Si l'adresse peut être affichée à tous.", "Whether the address may be shown to anyone." } },
	F_END,
};
const proto_record_obj proto_record_contact_obj = { contact_fields, PROTO_CHECK_NONE, { NULL, NULL } };

static const proto_record_field territory_ref_fields[] = {
	{ .name = "level", .example = "commune", .pres = R, .kind = PROTO_FK_ENUM, .vocab = &levels,
	  .label = { "Niveau", "Level" },
	  .help = { "Échelon du territoire.", "Level of the territory." } },
	{ .name = "code", .example = "69123", .pres = R, .kind = PROTO_FK_STR,
	  .label = { "Code", "Code" },
	  .help = { "Code officiel géographique (COG) ou SIREN de l'intercommunalité.",
	            "Official geographic code (COG), or the SIREN of an EPCI." } },
	{ .name = "cog_year", .example = "2025", .pres = R, .kind = PROTO_FK_INT, .lo = 1000, .hi = 9999,
	  .label = { "Millésime du COG", "COG year" },
	  .help = { "Année du code officiel géographique utilisé.", "Year of the geographic code used." } },
	{ .name = "label", .example = "Lyon", .pres = R, .kind = PROTO_FK_STR, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Libellé", "Label" },
	  .help = { "Nom du territoire, tel qu'on le lit.", "Name of the territory, as people read it." } },
	F_END,
};
static const proto_record_obj territory_ref_obj = { territory_ref_fields, PROTO_CHECK_NONE, { NULL, NULL } };

static const proto_record_field link_fields[] = {
	{ .name = PROTO_F_REL, .pres = R, .kind = PROTO_FK_STR,
	  .label = { "Nature du lien", "Kind of link" },
	  .help = { "Ce vers quoi pointe le lien : documentation, démonstration, article...",
	            "What the link points to: documentation, demo, article..." } },
	{ .name = PROTO_F_HREF, .pres = R, .kind = PROTO_FK_URI,
	  .label = { "Adresse", "Address" },
	  .help = { "Adresse http:// ou https://.", "An http:// or https:// address." } },
	{ .name = "title", .pres = O, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Titre", "Title" },
	  .help = { "Texte du lien.", "Text of the link." } },
	F_END,
};
static const proto_record_obj link_obj = { link_fields, PROTO_CHECK_NONE, { NULL, NULL } };

static const proto_record_field relation_fields[] = {
	{ .name = PROTO_F_REL, .pres = R, .kind = PROTO_FK_ENUM, .vocab = &rels,
	  .label = { "Relation", "Relation" },
	  .help = { "Comment cette fiche se rapporte à la cible.", "How this record relates to the target." } },
	{ .name = "target", .pres = R, .kind = PROTO_FK_REF,
	  .label = { "Cible", "Target" },
	  .help = { "Chemin d'une fiche du catalogue (component/mon-outil), ou URI http, https ou urn.",
	            "Path of a catalogue record (component/my-tool), or an http, https or urn URI." } },
	F_END,
};
static const proto_record_obj relation_obj = { relation_fields, PROTO_CHECK_NONE, { NULL, NULL } };

static const proto_record_field identifier_fields[] = {
	{ .name = "scheme", .pres = R, .kind = PROTO_FK_ENUM, .vocab = &schemes,
	  .label = { "Référentiel", "Scheme" },
	  .help = { "Le référentiel qui attribue l'identifiant.", "The registry that gives the identifier." } },
	{ .name = PROTO_F_VALUE, .pres = R, .kind = PROTO_FK_STR,
	  .label = { "Identifiant", "Identifier" },
	  .help = { "L'identifiant dans ce référentiel.", "The identifier in that registry." } },
	{ .name = PROTO_F_URL, .pres = O, .kind = PROTO_FK_URI,
	  .label = { "Adresse", "Address" },
	  .help = { "Page de l'identifiant dans le référentiel.", "Page of the identifier in the registry." } },
	F_END,
};
static const proto_record_obj identifier_obj = { identifier_fields, PROTO_CHECK_NONE, { NULL, NULL } };

static const proto_record_field attachment_fields[] = {
	{ .name = "name", .pres = R, .kind = PROTO_FK_STR,
	  .label = { "Nom", "Name" },
	  .help = { "Nom du fichier.", "File name." } },
	{ .name = "media_type", .pres = R, .kind = PROTO_FK_STR,
	  .label = { "Type de média", "Media type" },
	  .help = { "Type MIME, par exemple application/pdf.", "MIME type, e.g. application/pdf." } },
	{ .name = "size", .pres = R, .kind = PROTO_FK_INT, .lo = 0, .hi = INT64_MAX,
	  .label = { "Taille", "Size" },
	  .help = { "Taille en octets.", "Size in bytes." } },
	{ .name = PROTO_F_DIGEST, .pres = R, .kind = PROTO_FK_DIGEST,
	  .label = { "Empreinte", "Digest" },
	  .help = { "Empreinte du fichier : 64 chiffres hexadécimaux en minuscules.",
	            "Digest of the file: 64 lower-case hexadecimal digits." } },
	/* Optional: records signed before the hash tree existed lack it; publish is to write it for
	 * every new attachment (PROTOCOL.md §6). */
	{ .name = PROTO_F_TREE, .pres = O, .kind = PROTO_FK_DIGEST,
	  .label = { "Arbre d'empreintes", "Hash tree" },
	  .help = { "Racine de l'arbre d'empreintes des morceaux du fichier : 64 chiffres hexadécimaux.",
	            "Root of the hash tree of the file's chunks: 64 hexadecimal digits." } },
	F_END,
};
static const proto_record_obj attachment_obj = { attachment_fields, PROTO_CHECK_NONE, { NULL, NULL } };

/* The common fields, in the order errors are reported; `type` is checked before, on its own.
 * A type with a status of its own (a call: open, in progress, closed) has the same table
 * without the common one (proto_record_type_common). */
#define COMMON_HEAD_ \
	{ .name = PROTO_F_TITLE, .pres = R, .kind = PROTO_FK_LANGMAP, .max_chars = PROTO_TITLE_MAX, \
	  .label = { "Titre", "Title" }, \
	  .help = { "Nom de la fiche, court et parlant.", "Name of the record, short and telling." }, \
	  .widget = PROTO_W_LINE, .form = 1, .page = PROTO_PAGE_HEAD, .search = PROTO_SEARCH_TITLE }, \
	{ .name = PROTO_F_SUMMARY, .pres = R, .kind = PROTO_FK_LANGMAP, .warn_chars = PROTO_SUMMARY_ADVISED, \
	  .label = { "Résumé", "Summary" }, \
	  .help = { "Une ou deux phrases, 150 caractères conseillés.", "One or two sentences; 150 characters advised." }, \
	  .widget = PROTO_W_LINE, .form = 2, .page = PROTO_PAGE_HEAD, .search = PROTO_SEARCH_SUMMARY }, \
	{ .name = PROTO_F_DESCRIPTION, .pres = R, .kind = PROTO_FK_LANGMAP, .multiline = true, \
	  .label = { "Description", "Description" }, \
	  .help = { "Présentation complète, en Markdown.", "Full presentation, in Markdown." }, \
	  .widget = PROTO_W_AREA, .form = 3, .page = PROTO_PAGE_HEAD, .search = PROTO_SEARCH_DESCRIPTION }, \
	{ .name = PROTO_F_THEMES, .pres = R, .kind = PROTO_FK_THEMES, .vocab = &proto_vocab_themes, \
	  .label = { "Thèmes", "Themes" }, \
	  .help = { "Les thèmes du catalogue dont la fiche relève, pris dans la liste.", \
	            "The catalogue's themes the record belongs to, from the list." }, \
	  .widget = PROTO_W_CHECKS, .form = 4, .page = 2, .filter = PROTO_FILTER_THEMES }, \
	{ .name = PROTO_F_KEYWORDS, .pres = O, .kind = PROTO_FK_STRLIST, \
	  .label = { "Mots-clés", "Keywords" }, \
	  .help = { "Mots qui aident à trouver la fiche.", "Words that help find the record." }, \
	  .widget = PROTO_W_COMMA, .form = 6, .page = 3, .search = PROTO_SEARCH_KEYWORDS }, \
	{ .name = PROTO_F_LANG, .pres = R, .kind = PROTO_FK_LANG, .dflt = "fr", \
	  .label = { "Langue", "Language" }, \
	  .help = { "Langue principale de la fiche (fr par défaut).", "Main language of the record (fr by default)." }, \
	  .page = 11 }, \
	{ .name = PROTO_F_CONTENT_LICENCE, .pres = R, .kind = PROTO_FK_LICENCE, .dflt = "etalab-2.0", \
	  .label = { "Licence du contenu", "Content licence" }, \
	  .help = { "Licence du texte de la fiche (etalab-2.0 par défaut).", \
	            "Licence of the record's text (etalab-2.0 by default)." }, \
	  .widget = PROTO_W_LINE, .form = 7, .page = 10, .filter = PROTO_FILTER_LICENCE }, \

#define COMMON_STATUS_ \
	{ .name = PROTO_F_STATUS, .pres = R, .kind = PROTO_FK_ENUM, .vocab = &proto_vocab_statuses, \
	  .label = { "Statut", "Status" }, \
	  .help = { "Où en est le projet.", "Where the project stands." }, \
	  .widget = PROTO_W_SELECT, .form = 5, .page = 1, .filter = PROTO_FILTER_STATUS }, \

#define COMMON_TAIL_ \
	{ .name = PROTO_F_DEPARTMENT, .example = "Direction du numérique", .pres = REC, .kind = PROTO_FK_STR, .search = PROTO_SEARCH_DETAILS, \
	  .label = { "Direction ou service", "Department" }, \
	  .help = { "Direction ou service qui porte le projet.", "Department in charge of the project." }, \
	  .widget = PROTO_W_LINE, .form = 8, .page = 4 }, \
	{ .name = PROTO_F_CONTACTS, .pres = REC, .kind = PROTO_FK_OBJLIST, .search = PROTO_SEARCH_DETAILS, .obj = &proto_record_contact_obj, \
	  .label = { "Contacts", "Contacts" }, \
	  .help = { "Qui peut répondre aux questions sur la fiche.", "Who can answer questions about the record." }, \
	  .widget = PROTO_W_CONTACT, .form = 9, .page = 5 }, \
	{ .name = "territories", .pres = REC, .kind = PROTO_FK_OBJLIST, .search = PROTO_SEARCH_DETAILS, .obj = &territory_ref_obj, \
	  .label = { "Territoires concernés", "Territories concerned" }, \
	  .help = { "Les territoires où le projet s'applique.", "The territories where the project applies." }, \
	  .page = 6 }, \
	{ .name = PROTO_F_LINKS, .pres = O, .kind = PROTO_FK_OBJLIST, .search = PROTO_SEARCH_DETAILS, .obj = &link_obj, \
	  .label = { "Liens", "Links" }, \
	  .help = { "Pages utiles hors du catalogue.", "Useful pages outside the catalogue." }, \
	  .page = 7 }, \
	{ .name = PROTO_F_RELATIONS, .pres = O, .kind = PROTO_FK_OBJLIST, .obj = &relation_obj, \
	  .label = { "Relations", "Relations" }, \
	  .help = { "Liens typés vers d'autres fiches ou ressources.", "Typed links to other records or resources." }, \
	  .display = PROTO_D_RELATIONS }, \
	{ .name = PROTO_F_IDENTIFIERS, .pres = O, .kind = PROTO_FK_OBJLIST, .obj = &identifier_obj, \
	  .label = { "Identifiants", "Identifiers" }, \
	  .help = { "Identifiants de la même chose dans d'autres référentiels.", \
	            "Identifiers of the same thing in other registries." }, \
	  .page = 8 }, \
	{ .name = PROTO_F_ATTACHMENTS, .pres = O, .kind = PROTO_FK_OBJLIST, .obj = &attachment_obj, \
	  .label = { "Pièces jointes", "Attachments" }, \
	  .help = { "Fichiers décrits par leur nom, type, taille et empreinte.", \
	            "Files described by their name, type, size and digest." }, \
	  .page = 9 }, \
	{ .name = PROTO_F_EXTENSIONS, .pres = O, .kind = PROTO_FK_MAP, \
	  .label = { "Extensions", "Extensions" }, \
	  .help = { "Champs propres à un territoire ou un groupe, jamais interprétés.", \
	            "Fields of a territory's or a group's own, never interpreted." } }, \

const proto_record_field proto_record_common[] = { COMMON_HEAD_ COMMON_STATUS_ COMMON_TAIL_ F_END };
const proto_record_field proto_record_common_own_status[] = { COMMON_HEAD_ COMMON_TAIL_ F_END };
/* clang-format on */
