/* proto/record_coop.c: the cooperation records (proto/record.h; PROTOCOL.md §5): a call to
 * cooperate and a label are catalogue records; an expression of interest, an award and a
 * comment are acts about another record, which they name in full in their body (a target:
 * territory key and path) and by a digest in their path (proto/coop.h). A call's own `status`
 * replaces the common one: a call is open, in progress or closed, not in production. */
#include <stdint.h>

#include "limits.h"
#include "record_def.h"

/* clang-format off */
static const proto_vocab_term call_status_terms[] = {
	T("open", "Ouvert", "Open"),
	T("in_progress", "En cours", "In progress"),
	T("closed", "Clos", "Closed"),
	T_END,
};
static const proto_vocab call_statuses = { "call_statuses", call_status_terms };

static const proto_vocab_term cooperation_terms[] = {
	T("co_development", "Co-développement", "Co-development"),
	T("shared_procurement", "Groupement de commandes", "Shared procurement"),
	T("shared_hosting", "Hébergement mutualisé", "Shared hosting"),
	T("shared_study", "Étude ou évaluation partagée", "Shared study or evaluation"),
	T("training", "Formation", "Training"),
	T("other", "Autre", "Other"),
	T_END,
};
static const proto_vocab cooperation_kinds = { "cooperation_kinds", cooperation_terms };

static const proto_vocab_term contribution_terms[] = {
	T("skills", "Compétences", "Skills"),
	T("budget", "Part du budget", "Budget share"),
	T("data", "Données", "Data"),
	T("test_ground", "Terrain d'expérimentation", "Test ground"),
	T("other", "Autre", "Other"),
	T_END,
};
static const proto_vocab contribution_kinds = { "contribution_kinds", contribution_terms };

static const proto_vocab_term role_terms[] = {
	T("co_funder", "Co-financeur", "Co-funder"),
	T("co_developer", "Co-développeur", "Co-developer"),
	T("tester", "Testeur", "Tester"),
	T("observer", "Observateur", "Observer"),
	T_END,
};
static const proto_vocab interest_roles = { "interest_roles", role_terms };

static const proto_record_cond when_closed = { PROTO_F_STATUS, "closed", PROTO_REQUIRED };

static const proto_record_field contribution_fields[] = {
	{ .name = PROTO_F_KIND, .example = "skills", .pres = R, .kind = PROTO_FK_ENUM, .vocab = &contribution_kinds,
	  .label = { "Apport", "Contribution" },
	  .help = { "Ce qu'un partenaire apporterait.", "What a partner would bring." },
	  .widget = PROTO_W_SELECT, .form = 1 },
	{ .name = PROTO_F_DESCRIPTION, .example = "Un développeur ou une développeuse deux jours par semaine pendant six mois.",
	  .pres = R, .kind = PROTO_FK_TEXT, .multiline = true, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Précisions", "Details" },
	  .help = { "Ce qui est attendu, concrètement.", "What is expected, concretely." },
	  .widget = PROTO_W_LINE, .form = 2 },
	F_END,
};
static const proto_record_obj contribution_obj = { contribution_fields, PROTO_CHECK_NONE, { NULL, NULL } };

/* A record of the federation, named in full: the body says which record an act is about; the
 * path's digest only makes the act's name unique (PROTOCOL.md §5.1). */
static const proto_record_field target_fields[] = {
	{ .name = PROTO_F_TERRITORY, .pres = R, .kind = PROTO_FK_KEY,
	  .label = { "Territoire", "Territory" },
	  .help = { "La clé du territoire de la fiche.", "The key of the record's territory." } },
	{ .name = PROTO_F_PATH, .example = "call/mutualiser-un-assistant-de-transcription", .pres = R, .kind = PROTO_FK_PATH,
	  .label = { "Chemin", "Path" },
	  .help = { "Le chemin de la fiche dans son territoire.", "The record's path in its territory." } },
	F_END,
};
static const proto_record_obj target_obj = { target_fields, PROTO_CHECK_NONE, { NULL, NULL } };

/* An award names the version it was given to. */
static const proto_record_field version_fields[] = {
	{ .name = PROTO_F_TERRITORY, .pres = R, .kind = PROTO_FK_KEY,
	  .label = { "Territoire", "Territory" },
	  .help = { "La clé du territoire de la fiche.", "The key of the record's territory." } },
	{ .name = PROTO_F_PATH, .example = "component/outil-transcription", .pres = R, .kind = PROTO_FK_PATH,
	  .label = { "Chemin", "Path" },
	  .help = { "Le chemin de la fiche dans son territoire.", "The record's path in its territory." } },
	{ .name = PROTO_F_ENTRY, .pres = R, .kind = PROTO_FK_DIGEST,
	  .label = { "Version", "Version" },
	  .help = { "L'identifiant de la version examinée (64 chiffres hexadécimaux).",
	            "The id of the version examined (64 hex digits)." } },
	F_END,
};
static const proto_record_obj version_obj = { version_fields, PROTO_CHECK_NONE, { NULL, NULL } };

static const proto_record_field criterion_fields[] = {
	{ .name = PROTO_F_ID, .example = "transparence", .pres = R, .kind = PROTO_FK_STR,
	  .label = { "Identifiant", "Id" },
	  .help = { "Court, en minuscules, chiffres et tirets, unique dans le label.",
	            "Short, lower case, digits and hyphens, unique in the label." },
	  .widget = PROTO_W_LINE, .form = 1 },
	{ .name = PROTO_F_TEXT, .example = "Le registre des algorithmes publics décrit le système.",
	  .pres = R, .kind = PROTO_FK_TEXT, .multiline = true, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Critère", "Criterion" },
	  .help = { "Ce qui doit être vrai pour l'obtenir.", "What must hold to obtain it." },
	  .widget = PROTO_W_LINE, .form = 2 },
	F_END,
};
static const proto_record_obj criterion_obj = { criterion_fields, PROTO_CHECK_NONE, { NULL, NULL } };

static const proto_record_field evidence_fields[] = {
	{ .name = PROTO_F_CRITERION, .example = "transparence", .pres = R, .kind = PROTO_FK_STR,
	  .label = { "Critère", "Criterion" },
	  .help = { "L'identifiant du critère.", "The criterion's id." } },
	{ .name = PROTO_F_TEXT, .example = "Fiche publiée au registre le 12 mars 2026.", .pres = R, .kind = PROTO_FK_STR,
	  .multiline = true, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Preuve", "Evidence" },
	  .help = { "Ce qui montre que le critère est rempli.", "What shows the criterion is met." } },
	F_END,
};
static const proto_record_obj evidence_obj = { evidence_fields, PROTO_CHECK_NONE, { NULL, NULL } };

#define LANG_FIELD \
	{ .name = PROTO_F_LANG, .pres = O, .kind = PROTO_FK_LANG, \
	  .label = { "Langue", "Language" }, \
	  .help = { "Langue du texte.", "Language of the text." } }
#define EXTENSIONS_FIELD \
	{ .name = PROTO_F_EXTENSIONS, .pres = O, .kind = PROTO_FK_MAP, \
	  .label = { "Extensions", "Extensions" }, \
	  .help = { "Champs propres, jamais interprétés.", "Fields of its own, never interpreted." } }

const proto_record_field proto_record_call_[] = {
	{ .name = PROTO_F_STATUS, .example = "open", .pres = R, .kind = PROTO_FK_ENUM, .vocab = &call_statuses,
	  .filter = PROTO_FILTER_STATUS, .dflt = "open",
	  .label = { "État de l'appel", "Call status" },
	  .help = { "Ouvert aux partenaires, en cours avec eux, ou clos.", "Open to partners, in progress with them, or closed." },
	  .widget = PROTO_W_SELECT, .form = 1, .page = PAGE_LISTED },
	{ .name = PROTO_F_COOPERATION, .example = "co_development", .pres = R, .kind = PROTO_FK_ENUM, .vocab = &cooperation_kinds,
	  .label = { "Forme de coopération", "Kind of cooperation" },
	  .help = { "Ce que le territoire propose de faire ensemble.", "What the territory proposes to do together." },
	  .widget = PROTO_W_SELECT, .form = 2, .page = PAGE_LISTED },
	{ .name = "need", .pres = R, .kind = PROTO_FK_LANGMAP, .multiline = true, .search = PROTO_SEARCH_DETAILS,
	  .example = "Transcrire et résumer les séances du conseil pour les publier sous huit jours.",
	  .label = { "Besoin", "Need" },
	  .help = { "Le besoin à couvrir ensemble.", "The need to meet together." },
	  .widget = PROTO_W_AREA, .form = 3, .page = PAGE_LISTED },
	{ .name = "contributions", .pres = REC, .kind = PROTO_FK_OBJLIST, .obj = &contribution_obj, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Apports attendus", "Expected contributions" },
	  .help = { "Ce que chaque partenaire apporterait : compétences, part du budget, données, terrain.",
	            "What each partner would bring: skills, budget share, data, test ground." },
	  .widget = PROTO_W_GROUPS, .form = 4, .page = PAGE_LISTED, .form_name = "contribution",
	  .item = { "Apport", "Contribution" } },
	{ .name = PROTO_F_DEADLINE, .example = "2027-03-31", .pres = REC, .kind = PROTO_FK_DATE,
	  .label = { "Date limite", "Deadline" },
	  .help = { "Jusqu'à quand les territoires peuvent se porter partenaires.", "Until when territories can join." },
	  .widget = PROTO_W_DATE, .form = 5, .page = PAGE_LISTED },
	{ .name = PROTO_F_OUTCOME, .pres = O, .kind = PROTO_FK_LANGMAP, .multiline = true, .cond = &when_closed,
	  .search = PROTO_SEARCH_DETAILS,
	  .label = { "Résultat", "Outcome" },
	  .help = { "Ce qu'il en est sorti, obligatoire quand l'appel est clos.", "What came of it, required once the call is closed." },
	  .widget = PROTO_W_AREA, .form = 6, .page = PAGE_LISTED },
	{ .name = "related", .pres = O, .kind = PROTO_FK_STRLIST,
	  .label = { "Fiches liées", "Related records" },
	  .help = { "Cas d'usage, composants ou méthodologies concernés (chemins).",
	            "Use cases, components or methodologies concerned (paths)." },
	  .widget = PROTO_W_REFS, .form = 7, .page = PAGE_LISTED, .display = PROTO_D_REFS },
	F_END,
};

const proto_record_field proto_record_label_[] = {
	{ .name = PROTO_F_ISSUER, .example = "Comité d'éthique du numérique de la Métropole", .pres = O, .kind = PROTO_FK_STR,
	  .search = PROTO_SEARCH_DETAILS,
	  .label = { "Émetteur", "Issuer" },
	  .help = { "L'instance qui délivre le label, si ce n'est pas le territoire lui-même.",
	            "The body that delivers the label, when it is not the territory itself." },
	  .widget = PROTO_W_LINE, .form = 1, .page = PAGE_LISTED },
	{ .name = PROTO_F_CRITERIA, .pres = R, .kind = PROTO_FK_OBJLIST, .obj = &criterion_obj, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Critères", "Criteria" },
	  .help = { "Chaque critère, avec un identifiant court et son texte.", "Each criterion, with a short id and its text." },
	  .widget = PROTO_W_GROUPS, .form = 2, .page = PAGE_LISTED, .form_name = "criterion",
	  .item = { "Critère", "Criterion" } },
	{ .name = PROTO_F_EVIDENCE, .pres = REC, .kind = PROTO_FK_LANGMAP, .multiline = true, .search = PROTO_SEARCH_DETAILS,
	  .example = "Le lien vers la fiche du registre, le compte rendu du comité, la grille d'impact remplie.",
	  .label = { "Preuves attendues", "Evidence expected" },
	  .help = { "Ce qu'un territoire doit montrer.", "What a territory must show." },
	  .widget = PROTO_W_AREA, .form = 3, .page = PAGE_LISTED },
	{ .name = PROTO_F_VALIDITY, .example = "24", .pres = REC, .kind = PROTO_FK_INT, .lo = 1, .hi = 120,
	  .label = { "Validité (mois)", "Validity (months)" },
	  .help = { "Combien de mois vaut une attribution.", "How many months an award lasts." },
	  .widget = PROTO_W_LINE, .form = 4, .page = PAGE_LISTED },
	F_END,
};

const proto_record_field proto_record_interest_[] = {
	{ .name = PROTO_F_CALL, .pres = R, .kind = PROTO_FK_OBJ, .obj = &target_obj, .display = PROTO_D_TARGET,
	  .label = { "Appel", "Call" },
	  .help = { "L'appel à coopération.", "The call to cooperate." }, .page = PROTO_PAGE_HEAD },
	{ .name = PROTO_F_ROLE, .example = "co_developer", .pres = R, .kind = PROTO_FK_ENUM, .vocab = &interest_roles,
	  .label = { "Rôle", "Role" },
	  .help = { "Le rôle que le territoire propose de tenir.", "The role the territory offers to play." },
	  .page = PAGE_LISTED },
	{ .name = PROTO_F_MESSAGE, .example = "Nous pouvons tester l'outil sur nos conseils municipaux dès janvier.",
	  .pres = REC, .kind = PROTO_FK_STR, .multiline = true, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Message", "Message" },
	  .help = { "Ce que le territoire veut dire au porteur de l'appel.", "What the territory says to the call's author." },
	  .page = PAGE_LISTED },
	{ .name = PROTO_F_CONTACTS, .pres = O, .kind = PROTO_FK_OBJLIST, .obj = &proto_record_contact_obj,
	  .label = { "Contacts", "Contacts" },
	  .help = { "Qui joindre.", "Whom to reach." }, .page = PAGE_LISTED },
	LANG_FIELD,
	EXTENSIONS_FIELD,
	F_END,
};

const proto_record_field proto_record_award_[] = {
	{ .name = PROTO_F_LABEL, .pres = R, .kind = PROTO_FK_OBJ, .obj = &target_obj, .display = PROTO_D_TARGET,
	  .label = { "Label", "Label" },
	  .help = { "Le label attribué, du territoire qui l'attribue.", "The label awarded, of the territory that awards it." },
	  .page = PROTO_PAGE_HEAD },
	{ .name = PROTO_F_TARGET, .pres = R, .kind = PROTO_FK_OBJ, .obj = &version_obj, .display = PROTO_D_TARGET,
	  .label = { "Fiche", "Record" },
	  .help = { "La version de la fiche qui remplit les critères.", "The version of the record that meets the criteria." },
	  .page = PROTO_PAGE_HEAD },
	{ .name = PROTO_F_CRITERIA, .pres = R, .kind = PROTO_FK_STRLIST,
	  .label = { "Critères remplis", "Criteria met" },
	  .help = { "Les identifiants des critères du label.", "The ids of the label's criteria." }, .page = PAGE_LISTED },
	{ .name = PROTO_F_EVIDENCE, .pres = O, .kind = PROTO_FK_OBJLIST, .obj = &evidence_obj, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Preuves", "Evidence" },
	  .help = { "Pour un critère, ce qui montre qu'il est rempli.", "For a criterion, what shows it is met." },
	  .page = PAGE_LISTED },
	{ .name = PROTO_F_AWARDED, .pres = R, .kind = PROTO_FK_DATE,
	  .label = { "Attribué le", "Awarded on" },
	  .help = { "Le jour de l'attribution.", "The day it was awarded." }, .page = PAGE_LISTED },
	{ .name = PROTO_F_UNTIL, .example = "2028-12-31", .pres = REC, .kind = PROTO_FK_DATE,
	  .label = { "Valable jusqu'au", "Valid until" },
	  .help = { "Le dernier jour de validité.", "The last day it is valid." }, .page = PAGE_LISTED },
	LANG_FIELD,
	EXTENSIONS_FIELD,
	F_END,
};

const proto_record_field proto_record_comment_[] = {
	{ .name = PROTO_F_TARGET, .pres = R, .kind = PROTO_FK_OBJ, .obj = &target_obj, .display = PROTO_D_TARGET,
	  .label = { "En réponse à", "In reply to" },
	  .help = { "La fiche ou le commentaire auquel il répond.", "The record or comment it answers." },
	  .page = PROTO_PAGE_HEAD },
	{ .name = PROTO_F_TEXT, .example = "Nous avons le même besoin : pouvez-vous partager votre cahier des charges ?",
	  .pres = R, .kind = PROTO_FK_STR, .multiline = true, .search = PROTO_SEARCH_DETAILS,
	  .label = { "Texte", "Text" },
	  .help = { "Markdown limité au texte, à l'emphase, aux liens et aux listes ; 8 Kio au plus.",
	            "Markdown limited to text, emphasis, links and lists; 8 KiB at most." },
	  .page = PAGE_LISTED },
	LANG_FIELD,
	EXTENSIONS_FIELD,
	F_END,
};
/* clang-format on */
