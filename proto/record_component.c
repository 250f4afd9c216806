/* proto/record_component.c: the fields of a reusable component (proto/record.h): software, a
 * dataset, a model, an API or a configuration. The kind decides which other fields are
 * required or recommended, following what each kind is exported to: the publiccode.yml 0.4
 * core for software (developmentStatus, softwareType, platforms, maintenance), DCAT
 * distributions for datasets, a model card for models. */
#include "record_def.h"

/* clang-format off */
static const proto_vocab_term kind_terms[] = {
	T("software", "Logiciel", "Software"),
	T("dataset", "Jeu de données", "Dataset"),
	T("model", "Modèle", "Model"),
	T("api", "API", "API"),
	T("configuration", "Configuration", "Configuration"),
	T_END,
};
static const proto_vocab kinds = { "component_kinds", kind_terms };

/* publiccode.yml's maintenance.type values. */
static const proto_vocab_term maintenance_terms[] = {
	T("internal", "Interne", "Internal"),
	T("contract", "Sous contrat", "Under contract"),
	T("community", "Communauté", "Community"),
	T("none", "Aucune", "None"),
	T_END,
};
static const proto_vocab maintenance_types = { "maintenance_types", maintenance_terms };

static const proto_record_cond if_software = { PROTO_F_COMPONENT_KIND, "software", PROTO_REQUIRED };
static const proto_record_cond rec_software = { PROTO_F_COMPONENT_KIND, "software", PROTO_RECOMMENDED };
static const proto_record_cond rec_dataset = { PROTO_F_COMPONENT_KIND, "dataset", PROTO_RECOMMENDED };
static const proto_record_cond rec_model = { PROTO_F_COMPONENT_KIND, "model", PROTO_RECOMMENDED };

static const proto_record_field maintenance_fields[] = {
	{ .name = "type", .pres = R, .kind = PROTO_FK_ENUM, .vocab = &maintenance_types,
	  .label = { "Type de maintenance", "Kind of maintenance" },
	  .help = { "Qui maintient le composant.", "Who maintains the component." } },
	/* publiccode.yml makes these depend on the type (none has neither): optional here. */
	{ .name = "contacts", .pres = O, .kind = PROTO_FK_REFLIST,
	  .label = { "Contacts", "Contacts" },
	  .help = { "Les personnes qui maintiennent.", "The people who maintain it." } },
	{ .name = "contractors", .pres = O, .kind = PROTO_FK_REFLIST,
	  .label = { "Prestataires", "Contractors" },
	  .help = { "Les entreprises sous contrat.", "The companies under contract." } },
	F_END,
};
static const proto_record_obj maintenance_obj = { maintenance_fields, PROTO_CHECK_NONE, { NULL, NULL } };

static const proto_record_field dependencies_fields[] = {
	{ .name = "open", .pres = O, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Libres", "Open" },
	  .help = { "Dépendances sous licence libre.", "Dependencies under a free licence." } },
	{ .name = "proprietary", .pres = O, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Propriétaires", "Proprietary" },
	  .help = { "Dépendances propriétaires.", "Proprietary dependencies." } },
	{ .name = "hardware", .pres = O, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Matériel", "Hardware" },
	  .help = { "Matériel nécessaire.", "Hardware needed." } },
	F_END,
};
static const proto_record_obj dependencies_obj = { dependencies_fields, PROTO_CHECK_NONE, { NULL, NULL } };

static const proto_record_field distribution_fields[] = {
	{ .name = PROTO_F_ACCESS_URL, .pres = R, .kind = PROTO_FK_URI,
	  .label = { "Adresse d'accès", "Access URL" },
	  .help = { "Où obtenir les données.", "Where to get the data." } },
	{ .name = PROTO_F_FORMAT, .pres = R, .kind = PROTO_FK_STR,
	  .label = { "Format", "Format" },
	  .help = { "Format des fichiers : CSV, GeoJSON...", "File format: CSV, GeoJSON..." } },
	{ .name = PROTO_F_LICENCE, .pres = R, .kind = PROTO_FK_LICENCE,
	  .label = { "Licence", "Licence" },
	  .help = { "Licence de cette distribution.", "Licence of this distribution." } },
	F_END,
};
static const proto_record_obj distribution_obj = { distribution_fields, PROTO_CHECK_NONE, { NULL, NULL } };

/* A model card is written by whoever knows part of it: every member is optional. */
static const proto_record_field model_card_fields[] = {
	{ .name = "base_model", .pres = O, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Modèle de base", "Base model" },
	  .help = { "Le modèle dont celui-ci est dérivé.", "The model this one derives from." } },
	{ .name = "training_data", .pres = O, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true,
	  .label = { "Données d'entraînement", "Training data" },
	  .help = { "Sur quelles données il a été entraîné.", "What data it was trained on." } },
	{ .name = "intended_use", .pres = O, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true,
	  .label = { "Usage prévu", "Intended use" },
	  .help = { "Ce pour quoi il est fait.", "What it is made for." } },
	{ .name = "limitations", .pres = O, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true,
	  .label = { "Limites", "Limitations" },
	  .help = { "Ce qu'il fait mal ou ne doit pas faire.", "What it does badly or must not do." } },
	{ .name = "evaluation", .pres = O, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true,
	  .label = { "Évaluation", "Evaluation" },
	  .help = { "Comment ses résultats ont été mesurés.", "How its results were measured." } },
	{ .name = "energy", .pres = O, .kind = PROTO_FK_NUM_OR_TEXT, .search = PROTO_SEARCH_DETAILS, .lo = 0,
	  .label = { "Énergie", "Energy" },
	  .help = { "Énergie d'entraînement ou d'usage, chiffrée ou décrite.", "Energy of training or use, as a figure or in words." } },
	F_END,
};
static const proto_record_obj model_card_obj = { model_card_fields, PROTO_CHECK_NONE, { NULL, NULL } };

#define LINE_(n) .widget = PROTO_W_LINE, .form = (n), .page = PAGE_LISTED

const proto_record_field proto_record_component_[] = {
	{ .name = PROTO_F_COMPONENT_KIND, .example = "software", .pres = R, .kind = PROTO_FK_ENUM, .vocab = &kinds,
	  .label = { "Nature du composant", "Kind of component" },
	  .help = { "Ce qu'est le composant ; elle décide des autres champs attendus.",
	            "What the component is; it decides which other fields are expected." },
	  .widget = PROTO_W_SELECT, .form = 1, .page = PAGE_LISTED },
	{ .name = PROTO_F_LICENCE, .example = "EUPL-1.2", .pres = R, .kind = PROTO_FK_LICENCE, .filter = PROTO_FILTER_SW_LICENCE,
	  .label = { "Licence", "Licence" },
	  .help = { "Identifiant SPDX, par exemple EUPL-1.2.", "An SPDX identifier, e.g. EUPL-1.2." }, LINE_(2) },
	{ .name = "repository_url", .example = "https://forge.exemple-territoire.fr/numerique/outil", .pres = O, .kind = PROTO_FK_URI, .cond = &if_software,
	  .label = { "Dépôt de code", "Code repository" },
	  .help = { "Où se trouve le code source.", "Where the source code is." }, LINE_(3) },
	{ .name = PROTO_F_LANDING_URL, .pres = O, .kind = PROTO_FK_URI,
	  .label = { "Page d'accueil", "Landing page" },
	  .help = { "La page qui présente le composant.", "The page that presents the component." }, LINE_(4) },
	{ .name = "version", .pres = O, .kind = PROTO_FK_STR,
	  .label = { "Version", "Version" },
	  .help = { "La dernière version publiée.", "The latest version released." }, LINE_(5) },
	{ .name = PROTO_F_RELEASE_DATE, .pres = O, .kind = PROTO_FK_DATE,
	  .label = { "Date de publication", "Release date" },
	  .help = { "Date de cette version.", "Date of that version." }, .page = PAGE_LISTED },
	{ .name = "development_status", .pres = O, .kind = PROTO_FK_STR, .cond = &rec_software,
	  .label = { "État de développement", "Development status" },
	  .help = { "Comme dans publiccode.yml : concept, development, beta, stable, obsolete.",
	            "As in publiccode.yml: concept, development, beta, stable, obsolete." }, .page = PAGE_LISTED },
	{ .name = "software_type", .pres = O, .kind = PROTO_FK_STR, .cond = &rec_software,
	  .label = { "Type de logiciel", "Software type" },
	  .help = { "Comme dans publiccode.yml : standalone/web, library...", "As in publiccode.yml: standalone/web, library..." },
	  .page = PAGE_LISTED },
	{ .name = "platforms", .pres = O, .kind = PROTO_FK_STRLIST, .cond = &rec_software,
	  .label = { "Plateformes", "Platforms" },
	  .help = { "Où il fonctionne : web, linux, windows...", "Where it runs: web, linux, windows..." }, .page = PAGE_LISTED },
	{ .name = "features", .pres = O, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true,
	  .label = { "Fonctionnalités", "Features" },
	  .help = { "Ce que le composant sait faire.", "What the component can do." }, .page = PAGE_LISTED },
	{ .name = "maintenance", .pres = REC, .kind = PROTO_FK_OBJ, .search = PROTO_SEARCH_DETAILS, .obj = &maintenance_obj,
	  .label = { "Maintenance", "Maintenance" },
	  .help = { "Qui le maintient et comment.", "Who maintains it and how." }, .page = PAGE_LISTED },
	{ .name = "dependencies", .pres = O, .kind = PROTO_FK_OBJ, .search = PROTO_SEARCH_DETAILS, .obj = &dependencies_obj,
	  .label = { "Dépendances", "Dependencies" },
	  .help = { "Ce dont il a besoin pour fonctionner.", "What it needs to run." }, .page = PAGE_LISTED },
	{ .name = "funded_by", .pres = O, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Financé par", "Funded by" },
	  .help = { "Les financeurs.", "The funders." }, .page = PAGE_LISTED },
	{ .name = PROTO_F_DISTRIBUTIONS, .pres = O, .kind = PROTO_FK_OBJLIST, .search = PROTO_SEARCH_DETAILS, .obj = &distribution_obj, .cond = &rec_dataset,
	  .label = { "Distributions", "Distributions" },
	  .help = { "Les fichiers ou accès du jeu de données (DCAT).", "The dataset's files or access points (DCAT)." },
	  .page = PAGE_LISTED },
	{ .name = "model_card", .pres = O, .kind = PROTO_FK_OBJ, .search = PROTO_SEARCH_DETAILS, .obj = &model_card_obj, .cond = &rec_model,
	  .label = { "Fiche du modèle", "Model card" },
	  .help = { "Ce qu'il faut savoir du modèle.", "What to know about the model." }, .page = PAGE_LISTED },
	F_END,
};
/* clang-format on */
