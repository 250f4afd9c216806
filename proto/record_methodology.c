/* proto/record_methodology.c: the fields of a methodology (proto/record.h): a guide, grid,
 * charter or other method that a territory offers for reuse. */
#include "record_def.h"

/* clang-format off */
static const proto_vocab_term kind_terms[] = {
	T("guide", "Guide", "Guide"),
	T("assessment_grid", "Grille d'évaluation", "Assessment grid"),
	T("charter", "Charte", "Charter"),
	T("usage_framework", "Cadre d'usage", "Usage framework"),
	T("inventory_method", "Méthode d'inventaire", "Inventory method"),
	T("procurement_clauses", "Clauses d'achat", "Procurement clauses"),
	T("training", "Formation", "Training"),
	T("template", "Modèle de document", "Template"),
	T("other", "Autre", "Other"),
	T_END,
};
static const proto_vocab kinds = { "method_kinds", kind_terms };

static const proto_vocab_term cover_terms[] = {
	T("transparency", "Transparence", "Transparency"),
	T("impact_assessment", "Analyse d'impact", "Impact assessment"),
	T("dpia", "AIPD", "DPIA"),
	T("environmental_footprint", "Empreinte environnementale", "Environmental footprint"),
	T("procurement", "Achat public", "Procurement"),
	T("participation", "Participation", "Participation"),
	T("sovereignty_reversibility", "Souveraineté et réversibilité", "Sovereignty and reversibility"),
	T("human_oversight", "Contrôle humain", "Human oversight"),
	T("data_governance", "Gouvernance des données", "Data governance"),
	T("inventory", "Inventaire", "Inventory"),
	T_END,
};
static const proto_vocab covers = { "method_covers", cover_terms };

static const proto_vocab_term audience_terms[] = {
	T("elected", "Élus", "Elected officials"),
	T("executives", "Direction générale", "Executives"),
	T("business_teams", "Équipes métier", "Business teams"),
	T("it", "Informatique", "IT"),
	T("dpo", "DPO", "DPO"),
	T("legal", "Juridique", "Legal"),
	T("data_team", "Équipe données", "Data team"),
	T("citizens", "Habitants", "Citizens"),
	T_END,
};
static const proto_vocab audiences = { "method_audiences", audience_terms };

static const proto_record_field step_fields[] = {
	{ .name = "title", .pres = R, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Titre", "Title" },
	  .help = { "Nom de l'étape.", "Name of the step." } },
	{ .name = "text", .pres = R, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true,
	  .label = { "Texte", "Text" },
	  .help = { "Ce qu'on fait à cette étape, en Markdown.", "What is done at this step, in Markdown." } },
	F_END,
};
static const proto_record_obj step_obj = { step_fields, PROTO_CHECK_NONE, { NULL, NULL } };

const proto_record_field proto_record_methodology_[] = {
	{ .name = "method_kind", .example = "guide", .pres = R, .kind = PROTO_FK_ENUM, .vocab = &kinds,
	  .label = { "Nature de la méthode", "Kind of method" },
	  .help = { "La forme que prend la méthode.", "The form the method takes." },
	  .widget = PROTO_W_SELECT, .form = 1, .page = PAGE_LISTED },
	{ .name = "covers", .pres = R, .kind = PROTO_FK_ENUMLIST, .vocab = &covers,
	  .label = { "Couvre", "Covers" },
	  .help = { "Les sujets que la méthode traite.", "The subjects the method deals with." },
	  .widget = PROTO_W_CHECKS, .form = 2, .page = PAGE_LISTED },
	{ .name = "audience", .pres = REC, .kind = PROTO_FK_ENUMLIST, .vocab = &audiences,
	  .label = { "Public", "Audience" },
	  .help = { "À qui la méthode s'adresse.", "Who the method is for." },
	  .widget = PROTO_W_CHECKS, .form = 3, .page = PAGE_LISTED },
	{ .name = "steps", .pres = REC, .kind = PROTO_FK_OBJLIST, .search = PROTO_SEARCH_DETAILS, .obj = &step_obj,
	  .label = { "Étapes", "Steps" },
	  .help = { "Les étapes de la méthode, dans l'ordre.", "The steps of the method, in order." },
	  .page = PAGE_LISTED },
	{ .name = "legal_basis", .pres = O, .kind = PROTO_FK_STRLIST, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Base légale", "Legal basis" },
	  .help = { "Textes sur lesquels la méthode s'appuie.", "Texts the method rests on." },
	  .page = PAGE_LISTED },
	{ .name = "effort", .pres = O, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true,
	  .label = { "Effort", "Effort" },
	  .help = { "Temps et moyens qu'il faut prévoir.", "Time and means to plan for." },
	  .page = PAGE_LISTED },
	{ .name = "prerequisites", .pres = O, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true,
	  .label = { "Prérequis", "Prerequisites" },
	  .help = { "Ce qu'il faut avoir avant de commencer.", "What is needed before starting." },
	  .page = PAGE_LISTED },
	F_END,
};
/* clang-format on */
