/* proto/record_use_case.c: the fields of a use case (proto/record.h): an algorithm or AI
 * system a territory uses, described as the public-algorithm registers ask (CRPA, AI Act). */
#include <stdint.h>

#include "record_def.h"

/* clang-format off */
static const proto_vocab_term automation_terms[] = {
	T("fully_automated", "Entièrement automatisé", "Fully automated"),
	T("decision_support", "Aide à la décision", "Decision support"),
	T("no_individual_decision", "Pas de décision individuelle", "No individual decision"),
	T_END,
};
static const proto_vocab automation = { "automation_levels", automation_terms };

static const proto_vocab_term algorithm_terms[] = {
	T("rule_based", "À base de règles", "Rule-based"),
	T("machine_learning", "Apprentissage automatique", "Machine learning"),
	T("hybrid", "Hybride", "Hybrid"),
	T("generative_ai", "IA générative", "Generative AI"),
	T_END,
};
static const proto_vocab algorithms = { "algorithm_types", algorithm_terms };

static const proto_vocab_term personal_terms[] = {
	T("none", "Aucune", "None"),
	T("pseudonymised", "Pseudonymisées", "Pseudonymised"),
	T("identified", "Identifiantes", "Identified"),
	T_END,
};
static const proto_vocab personal = { "personal_data_levels", personal_terms };

/* EU AI Act risk levels. */
static const proto_vocab_term risk_terms[] = {
	T("minimal", "Risque minimal", "Minimal risk"),
	T("limited", "Risque limité", "Limited risk"),
	T("high", "Haut risque", "High risk"),
	T("unacceptable", "Risque inacceptable", "Unacceptable risk"),
	T_END,
};
static const proto_vocab risk_categories = { "risk_categories", risk_terms };

/* CRPA L311-3-1: an individual decision must state its legal basis and how to contest. */
static const proto_record_cond individual = { "individual_decisions", NULL, PROTO_REQUIRED };

static const proto_record_field risk_fields[] = {
	{ .name = "name", .example = "Biais", .pres = R, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Nom", "Name" },
	  .help = { "Le risque, en quelques mots.", "The risk, in a few words." },
	  .widget = PROTO_W_LINE, .form = 1 },
	{ .name = "description", .example = "Traitement inégal selon les quartiers.", .pres = R, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true,
	  .label = { "Description", "Description" },
	  .help = { "Comment il pourrait se produire et qui il toucherait.", "How it could happen and whom it would affect." },
	  .widget = PROTO_W_LINE, .form = 2 },
	{ .name = PROTO_F_MITIGATION, .example = "Audit trimestriel des résultats.", .pres = R, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true,
	  .label = { "Atténuation", "Mitigation" },
	  .help = { "Ce qui est fait pour le réduire.", "What is done to reduce it." },
	  .widget = PROTO_W_LINE, .form = 3 },
	F_END,
};
static const proto_record_obj risk_obj = { risk_fields, PROTO_CHECK_NONE, { NULL, NULL } };

static const proto_record_field data_source_fields[] = {
	{ .name = "name", .example = "Base métier", .pres = R, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Nom", "Name" },
	  .help = { "La source de données.", "The data source." },
	  .widget = PROTO_W_LINE, .form = 1 },
	{ .name = PROTO_F_PROVIDER, .pres = O, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Fournisseur", "Provider" },
	  .help = { "Qui produit ces données.", "Who produces the data." },
	  .widget = PROTO_W_LINE, .form = 2 },
	{ .name = PROTO_F_PERSONAL_DATA, .example = "pseudonymised", .pres = R, .kind = PROTO_FK_ENUM, .vocab = &personal,
	  .label = { "Données personnelles", "Personal data" },
	  .help = { "Si la source contient des données personnelles, et sous quelle forme.",
	            "Whether the source holds personal data, and in which form." },
	  .widget = PROTO_W_SELECT, .form = 3 },
	{ .name = PROTO_F_URL, .pres = O, .kind = PROTO_FK_URI,
	  .label = { "Adresse", "Address" },
	  .help = { "Où la source est décrite ou publiée.", "Where the source is described or published." } },
	F_END,
};
static const proto_record_obj data_source_obj = { data_source_fields, PROTO_CHECK_NONE, { NULL, NULL } };

static const proto_record_field hosting_fields[] = {
	{ .name = PROTO_F_PROVIDER, .pres = R, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Hébergeur", "Provider" },
	  .help = { "Qui héberge le système.", "Who hosts the system." } },
	{ .name = "country", .pres = R, .kind = PROTO_FK_STR,
	  .label = { "Pays", "Country" },
	  .help = { "Pays où les données sont hébergées.", "Country where the data is hosted." } },
	{ .name = "sovereign", .pres = R, .kind = PROTO_FK_BOOL,
	  .label = { "Souverain", "Sovereign" },
	  .help = { "Si l'hébergement échappe aux lois extraterritoriales.", "Whether the hosting is out of reach of extraterritorial laws." } },
	F_END,
};
static const proto_record_obj hosting_obj = { hosting_fields, PROTO_CHECK_NONE, { NULL, NULL } };

static const proto_record_field environment_fields[] = {
	{ .name = "compute", .pres = R, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Calcul", "Compute" },
	  .help = { "Les moyens de calcul utilisés.", "The computing resources used." } },
	{ .name = "energy_kwh_per_year", .pres = R, .kind = PROTO_FK_NUMBER, .lo = 0,
	  .label = { "Énergie (kWh par an)", "Energy (kWh per year)" },
	  .help = { "Consommation estimée.", "Estimated consumption." } },
	{ .name = "method", .pres = R, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true,
	  .label = { "Méthode", "Method" },
	  .help = { "Comment l'estimation a été faite.", "How the estimate was made." } },
	F_END,
};
static const proto_record_obj environment_obj = { environment_fields, PROTO_CHECK_NONE, { NULL, NULL } };

#define AREA_(n) .widget = PROTO_W_AREA, .form = (n), .page = PAGE_LISTED

const proto_record_field proto_record_use_case_[] = {
	{ .name = "purpose", .pres = R, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true,
	  .label = { "Finalité", "Purpose" },
	  .help = { "Ce que le traitement doit accomplir.", "What the processing is meant to achieve." }, AREA_(1) },
	{ .name = "decision_process", .pres = R, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true,
	  .label = { "Processus de décision", "Decision process" },
	  .help = { "Où l'algorithme intervient dans la décision.", "Where the algorithm takes part in the decision." }, AREA_(2) },
	{ .name = "automation_level", .example = "decision_support", .pres = R, .kind = PROTO_FK_ENUM, .vocab = &automation,
	  .label = { "Niveau d'automatisation", "Automation level" },
	  .help = { "Qui décide au final : la machine ou un agent.", "Who decides in the end: the machine or an agent." },
	  .widget = PROTO_W_SELECT, .form = 3, .page = PAGE_LISTED },
	{ .name = "algorithm_type", .pres = R, .kind = PROTO_FK_ENUM, .vocab = &algorithms,
	  .label = { "Type d'algorithme", "Algorithm type" },
	  .help = { "La famille de technique employée.", "The family of technique used." },
	  .widget = PROTO_W_SELECT, .form = 4, .page = PAGE_LISTED },
	{ .name = "individual_decisions", .example = "false", .pres = R, .kind = PROTO_FK_BOOL,
	  .label = { "Décisions individuelles", "Individual decisions" },
	  .help = { "Si le traitement fonde des décisions sur des personnes (CRPA L311-3-1).",
	            "Whether the processing underlies decisions about individuals (CRPA L311-3-1)." },
	  .widget = PROTO_W_BOOL, .form = 5, .page = PAGE_LISTED },
	{ .name = "affected_public", .example = "Usagers du service public", .pres = R, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true,
	  .label = { "Public concerné", "Affected public" },
	  .help = { "Qui est touché par les décisions.", "Who is affected by the decisions." }, AREA_(6) },
	{ .name = "human_oversight", .example = "Chaque proposition est validée par un agent.", .pres = R, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true,
	  .label = { "Contrôle humain", "Human oversight" },
	  .help = { "Comment un agent vérifie et peut corriger.", "How an agent checks and can correct." }, AREA_(7) },
	{ .name = PROTO_F_RISKS, .pres = R, .kind = PROTO_FK_OBJLIST, .search = PROTO_SEARCH_DETAILS, .obj = &risk_obj,
	  .label = { "Risques", "Risks" },
	  .help = { "Les risques identifiés et leur atténuation.", "The risks identified and their mitigation." },
	  .widget = PROTO_W_GROUPS, .form = 10, .page = PAGE_LISTED, .form_name = "risk",
	  .item = { "Risque", "Risk" } },
	{ .name = PROTO_F_DATA_SOURCES, .pres = R, .kind = PROTO_FK_OBJLIST, .search = PROTO_SEARCH_DETAILS, .obj = &data_source_obj,
	  .label = { "Sources de données", "Data sources" },
	  .help = { "Les données que le traitement utilise.", "The data the processing uses." },
	  .widget = PROTO_W_GROUPS, .form = 11, .page = PAGE_LISTED, .form_name = "ds",
	  .item = { "Source de données", "Data source" } },
	{ .name = "legal_basis", .pres = O, .kind = PROTO_FK_STRLIST, .search = PROTO_SEARCH_DETAILS, .cond = &individual,
	  .label = { "Base légale", "Legal basis" },
	  .help = { "Les textes qui fondent le traitement.", "The texts the processing rests on." },
	  .widget = PROTO_W_LINES, .form = 8, .page = PAGE_LISTED },
	{ .name = "recourse", .pres = O, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true, .cond = &individual,
	  .label = { "Voies de recours", "Recourse" },
	  .help = { "Comment contester une décision.", "How to contest a decision." }, AREA_(9) },
	{ .name = "context", .pres = REC, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true,
	  .label = { "Contexte", "Context" },
	  .help = { "Pourquoi le projet a été lancé.", "Why the project was started." }, .page = PAGE_LISTED },
	{ .name = "model_description", .pres = REC, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true,
	  .label = { "Description du modèle", "Model description" },
	  .help = { "Le fonctionnement du modèle, ses paramètres principaux.", "How the model works, its main parameters." },
	  .page = PAGE_LISTED },
	{ .name = "decisions_per_year", .pres = REC, .kind = PROTO_FK_NUM_OR_TEXT, .search = PROTO_SEARCH_DETAILS, .lo = 0,
	  .label = { "Décisions par an", "Decisions per year" },
	  .help = { "Nombre, ou ordre de grandeur écrit.", "A number, or an order of magnitude in words." },
	  .page = PAGE_LISTED },
	{ .name = "risk_category", .pres = REC, .kind = PROTO_FK_ENUM, .vocab = &risk_categories,
	  .label = { "Catégorie de risque (AI Act)", "Risk category (AI Act)" },
	  .help = { "Le niveau de risque au sens du règlement européen sur l'IA.", "The risk level under the EU AI Act." },
	  .page = PAGE_LISTED },
	{ .name = "impact_assessments", .pres = REC, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true,
	  .label = { "Analyses d'impact", "Impact assessments" },
	  .help = { "AIPD et autres analyses conduites.", "DPIA and other assessments carried out." }, .page = PAGE_LISTED },
	{ .name = "alternatives_considered", .pres = REC, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true,
	  .label = { "Alternatives étudiées", "Alternatives considered" },
	  .help = { "Les autres solutions envisagées.", "The other solutions considered." }, .page = PAGE_LISTED },
	{ .name = "monitoring", .pres = REC, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true,
	  .label = { "Suivi", "Monitoring" },
	  .help = { "Comment le fonctionnement est surveillé dans le temps.", "How the system is watched over time." },
	  .page = PAGE_LISTED },
	{ .name = "rollback", .pres = REC, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true,
	  .label = { "Réversibilité", "Rollback plan" },
	  .help = { "Comment revenir en arrière si besoin.", "How to go back if needed." }, .page = PAGE_LISTED },
	{ .name = "suppliers", .pres = REC, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Fournisseurs", "Suppliers" },
	  .help = { "Les prestataires impliqués.", "The suppliers involved." }, .page = PAGE_LISTED },
	{ .name = "hosting", .pres = REC, .kind = PROTO_FK_OBJ, .search = PROTO_SEARCH_DETAILS, .obj = &hosting_obj,
	  .label = { "Hébergement", "Hosting" },
	  .help = { "Où et par qui le système est hébergé.", "Where and by whom the system is hosted." }, .page = PAGE_LISTED },
	{ .name = "environment", .pres = REC, .kind = PROTO_FK_OBJ, .search = PROTO_SEARCH_DETAILS, .obj = &environment_obj,
	  .label = { "Environnement", "Environment" },
	  .help = { "L'empreinte énergétique du système.", "The system's energy footprint." }, .page = PAGE_LISTED },
	{ .name = "public_register_url", .pres = REC, .kind = PROTO_FK_URI,
	  .label = { "Registre public", "Public register" },
	  .help = { "La page du registre des algorithmes publics.", "The page in the public-algorithm register." },
	  .page = PAGE_LISTED },
	{ .name = "components", .pres = REC, .kind = PROTO_FK_STRLIST,
	  .label = { "Composants", "Components" },
	  .help = { "Les composants utilisés : chemins de fiches ou noms.", "The components used: record paths or names." },
	  .page = PAGE_LISTED, .display = PROTO_D_REFS },
	F_END,
};
/* clang-format on */
