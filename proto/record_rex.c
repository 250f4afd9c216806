/* proto/record_rex.c: the fields of a REX, an experience report (proto/record.h): what a
 * territory learnt using a use case, component or methodology. After the required fields, the
 * verdict (results, recommendation) is what a reader looks for first, so those two are
 * recommended; the rest is optional. */
#include <stdint.h>

#include "record_def.h"

/* clang-format off */
static const proto_vocab_term declaration_terms[] = {
	T("user", "Utilisateur", "User"),
	T("referent_expert", "Référent expert", "Referent expert"),
	T("evaluator", "Évaluateur", "Evaluator"),
	T("abandoned", "Abandon", "Abandoned"),
	T_END,
};
static const proto_vocab declarations = { "rex_declarations", declaration_terms };

static const proto_vocab_term recommendation_terms[] = {
	T("recommend", "Recommandé", "Recommended"),
	T("recommend_with_conditions", "Recommandé sous conditions", "Recommended with conditions"),
	T("do_not_recommend", "Déconseillé", "Not recommended"),
	T_END,
};
static const proto_vocab recommendations = { "rex_recommendations", recommendation_terms };

static const proto_record_field period_fields[] = {
	{ .name = "start", .example = "2024-03-01", .pres = R, .kind = PROTO_FK_DATE,
	  .label = { "Début de la période", "Start of the period" },
	  .help = { "Quand l'expérience a commencé.", "When the experience started." },
	  .widget = PROTO_W_DATE, .form = 1 },
	{ .name = "end", .pres = O, .kind = PROTO_FK_DATE,
	  .label = { "Fin de la période", "End of the period" },
	  .help = { "Quand elle s'est terminée ; vide si elle continue.", "When it ended; empty if it goes on." },
	  .widget = PROTO_W_DATE, .form = 2 },
	F_END,
};
static const proto_record_obj period_obj = {
	period_fields, PROTO_CHECK_PERIOD,
	{ "la fin ne précède pas le début", "the end is not before the start" },
};

static const proto_record_field indicator_fields[] = {
	{ .name = "name", .pres = R, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Nom", "Name" },
	  .help = { "Ce qui est mesuré.", "What is measured." } },
	{ .name = PROTO_F_VALUE, .pres = R, .kind = PROTO_FK_NUM_OR_TEXT, .lo = INT64_MIN,
	  .label = { "Valeur", "Value" },
	  .help = { "La mesure.", "The measure." } },
	{ .name = "unit", .pres = R, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Unité", "Unit" },
	  .help = { "L'unité de la mesure.", "The unit of the measure." } },
	{ .name = "baseline", .pres = O, .kind = PROTO_FK_NUM_OR_TEXT, .lo = INT64_MIN,
	  .label = { "Référence", "Baseline" },
	  .help = { "La valeur avant le projet.", "The value before the project." } },
	{ .name = "date", .pres = R, .kind = PROTO_FK_DATE,
	  .label = { "Date", "Date" },
	  .help = { "Date de la mesure.", "Date of the measure." } },
	F_END,
};
static const proto_record_obj indicator_obj = { indicator_fields, PROTO_CHECK_NONE, { NULL, NULL } };

static const proto_record_field cost_fields[] = {
	{ .name = "amount", .pres = R, .kind = PROTO_FK_NUMBER, .lo = 0,
	  .label = { "Montant", "Amount" },
	  .help = { "Le coût.", "The cost." } },
	{ .name = "currency", .pres = R, .kind = PROTO_FK_CURRENCY,
	  .label = { "Devise", "Currency" },
	  .help = { "Code ISO 4217, par exemple EUR.", "ISO 4217 code, e.g. EUR." } },
	{ .name = "kind", .pres = R, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Nature", "Kind" },
	  .help = { "Ce que couvre le montant : licence, prestation, temps agent...",
	            "What the amount covers: licence, services, staff time..." } },
	{ .name = "funding", .pres = R, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Financement", "Funding" },
	  .help = { "Qui a payé.", "Who paid." } },
	F_END,
};
static const proto_record_obj cost_obj = { cost_fields, PROTO_CHECK_NONE, { NULL, NULL } };

static const proto_record_field deployment_fields[] = {
	{ .name = PROTO_F_URL, .pres = R, .kind = PROTO_FK_URI,
	  .label = { "Adresse", "Address" },
	  .help = { "Où le service déployé se trouve.", "Where the deployed service is." } },
	{ .name = "audience", .pres = R, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Public", "Audience" },
	  .help = { "Qui l'utilise.", "Who uses it." } },
	{ .name = "public", .pres = R, .kind = PROTO_FK_BOOL,
	  .label = { "Ouvert à tous", "Open to anyone" },
	  .help = { "S'il est ouvert à tous.", "Whether it is open to anyone." } },
	F_END,
};
static const proto_record_obj deployment_obj = { deployment_fields, PROTO_CHECK_NONE, { NULL, NULL } };

#define AREA_(n) .widget = PROTO_W_AREA, .form = (n), .page = PAGE_LISTED

const proto_record_field proto_record_rex_[] = {
	{ .name = "about", .pres = R, .kind = PROTO_FK_STRLIST, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Porte sur", "About" },
	  .help = { "Les fiches du catalogue concernées (chemins), ou ce dont il s'agit, en mots.",
	            "The catalogue records it is about (paths), or what it is about, in words." },
	  .widget = PROTO_W_REFS, .form = 1, .page = PAGE_LISTED, .display = PROTO_D_REFS },
	{ .name = PROTO_F_DECLARATION, .example = "user", .pres = R, .kind = PROTO_FK_ENUM, .vocab = &declarations,
	  .label = { "Déclaration", "Declaration" },
	  .help = { "À quel titre le territoire témoigne.", "In what capacity the territory reports." },
	  .widget = PROTO_W_SELECT, .form = 2, .page = PAGE_LISTED },
	{ .name = "period", .pres = R, .kind = PROTO_FK_OBJ, .obj = &period_obj,
	  .label = { "Période", "Period" },
	  .help = { "Quand l'expérience a eu lieu.", "When the experience took place." },
	  .widget = PROTO_W_INLINE, .form = 3, .page = PAGE_LISTED },
	{ .name = "context", .pres = R, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true,
	  .label = { "Contexte", "Context" },
	  .help = { "La situation de départ.", "The starting situation." }, AREA_(4) },
	{ .name = "objectives", .pres = R, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true,
	  .label = { "Objectifs", "Objectives" },
	  .help = { "Ce qui était visé.", "What was aimed for." }, AREA_(5) },
	{ .name = "what_was_done", .pres = R, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true,
	  .label = { "Ce qui a été fait", "What was done" },
	  .help = { "Les actions menées.", "The actions carried out." }, AREA_(6) },
	{ .name = "difficulties", .pres = R, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true,
	  .label = { "Difficultés", "Difficulties" },
	  .help = { "Ce qui a coincé.", "What went wrong." }, AREA_(7) },
	{ .name = "lessons_learned", .pres = R, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true,
	  .label = { "Enseignements", "Lessons learned" },
	  .help = { "Ce que vous referiez, ou pas.", "What you would do again, or not." }, AREA_(8) },
	{ .name = "results", .pres = REC, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true,
	  .label = { "Résultats", "Results" },
	  .help = { "Ce que l'expérience a produit.", "What the experience produced." }, AREA_(9) },
	{ .name = "indicators", .pres = O, .kind = PROTO_FK_OBJLIST, .search = PROTO_SEARCH_DETAILS, .obj = &indicator_obj,
	  .label = { "Indicateurs", "Indicators" },
	  .help = { "Des mesures datées.", "Dated measures." }, .page = PAGE_LISTED },
	{ .name = "recommendation", .pres = REC, .kind = PROTO_FK_ENUM, .vocab = &recommendations,
	  .label = { "Recommandation", "Recommendation" },
	  .help = { "Le conseil à un autre territoire.", "The advice to another territory." },
	  .widget = PROTO_W_SELECT, .form = 10, .page = PAGE_LISTED },
	{ .name = "rating", .pres = O, .kind = PROTO_FK_INT, .lo = 1, .hi = 4,
	  .label = { "Note", "Rating" },
	  .help = { "De 1 à 4.", "From 1 to 4." }, .page = PAGE_LISTED },
	{ .name = "cost", .pres = O, .kind = PROTO_FK_OBJ, .search = PROTO_SEARCH_DETAILS, .obj = &cost_obj,
	  .label = { "Coût", "Cost" },
	  .help = { "Ce que l'expérience a coûté.", "What the experience cost." }, .page = PAGE_LISTED },
	{ .name = "partners", .pres = O, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Partenaires", "Partners" },
	  .help = { "Les partenaires associés.", "The partners involved." }, .page = PAGE_LISTED },
	{ .name = "version_used", .pres = O, .kind = PROTO_FK_STR,
	  .label = { "Version utilisée", "Version used" },
	  .help = { "La version du composant utilisée.", "The version of the component used." }, .page = PAGE_LISTED },
	{ .name = "deployment", .pres = O, .kind = PROTO_FK_OBJ, .search = PROTO_SEARCH_DETAILS, .obj = &deployment_obj,
	  .label = { "Déploiement", "Deployment" },
	  .help = { "Le service en fonctionnement.", "The running service." }, .page = PAGE_LISTED },
	{ .name = "environment_observed", .pres = O, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true,
	  .label = { "Effets environnementaux observés", "Environmental effects" },
	  .help = { "Les effets constatés sur l'environnement.", "The effects on the environment seen." }, .page = PAGE_LISTED },
	{ .name = "dependency_observed", .pres = O, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true,
	  .label = { "Dépendances observées", "Dependencies observed" },
	  .help = { "Les dépendances à un fournisseur constatées.", "The dependencies on a supplier seen." },
	  .page = PAGE_LISTED },
	{ .name = "citizen_involvement", .pres = O, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true,
	  .label = { "Implication citoyenne", "Citizen involvement" },
	  .help = { "Comment les habitants ont été associés.", "How residents were involved." }, .page = PAGE_LISTED },
	{ .name = "available_for_contact", .pres = O, .kind = PROTO_FK_BOOL,
	  .label = { "Disponible pour échanger", "Available for contact" },
	  .help = { "Si d'autres territoires peuvent vous contacter à ce sujet.", "Whether other territories may contact you about it." },
	  .page = PAGE_LISTED },
	F_END,
};
/* clang-format on */
