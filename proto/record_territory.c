/* proto/record_territory.c: the fields of a territory record (proto/record.h), the record a
 * territory publishes about itself at the path `territory` (PROTOCOL.md §1.3). It has no
 * common fields; `lang` says which language a plain-string name is in and `extensions` is
 * allowed on every record. The federation's other record types (member, vouch, node) have no
 * table yet: their fields are defined with the federation's membership protocol. */
#include "limits.h"
#include "record_def.h"

/* clang-format off */
static const proto_vocab_term kind_terms[] = {
	T("commune", "Commune", "Municipality"),
	T("epci", "Intercommunalité (EPCI)", "Inter-municipal body (EPCI)"),
	T("metropole", "Métropole", "Metropolis"),
	T("departement", "Département", "Département"),
	T("region", "Région", "Region"),
	T("etablissement_public", "Établissement public", "Public body"),
	T("association", "Association", "Association"),
	T("etat", "État", "State"),
	T("other", "Autre", "Other"),
	T_END,
};
static const proto_vocab kinds = { "territory_kinds", kind_terms };

const proto_record_field proto_record_territory_[] = {
	{ .name = PROTO_F_NAME, .pres = R, .kind = PROTO_FK_STR_OR_LANGMAP, .max_chars = PROTO_TITLE_MAX,
	  .label = { "Nom", "Name" },
	  .help = { "Le nom du territoire.", "The territory's name." },
	  .page = PROTO_PAGE_HEAD, .search = PROTO_SEARCH_TITLE },
	{ .name = PROTO_F_SIREN, .pres = REC, .kind = PROTO_FK_SIREN,
	  .label = { "SIREN", "SIREN" },
	  .help = { "Son numéro SIREN, 9 chiffres.", "Its SIREN number, 9 digits." }, .page = PAGE_LISTED },
	{ .name = PROTO_F_KIND, .pres = REC, .kind = PROTO_FK_ENUM, .vocab = &kinds,
	  .label = { "Nature", "Kind" },
	  .help = { "Quelle sorte de collectivité ou d'organisme.", "What sort of authority or body." }, .page = PAGE_LISTED },
	{ .name = PROTO_F_COG, .pres = O, .kind = PROTO_FK_STR,
	  .label = { "Code COG", "COG code" },
	  .help = { "Son code officiel géographique.", "Its official geographic code." }, .page = PAGE_LISTED },
	{ .name = PROTO_F_WEBSITE, .pres = O, .kind = PROTO_FK_URI,
	  .label = { "Site web", "Website" },
	  .help = { "Son site.", "Its website." }, .page = PAGE_LISTED },
	{ .name = PROTO_F_CONTACT, .pres = O, .kind = PROTO_FK_TEXT, .search = PROTO_SEARCH_DETAILS, .multiline = true,
	  .label = { "Contact", "Contact" },
	  .help = { "Comment joindre le référent du catalogue.", "How to reach the catalogue's contact person." },
	  .page = PAGE_LISTED },
	{ .name = PROTO_F_LANG, .pres = O, .kind = PROTO_FK_LANG,
	  .label = { "Langue", "Language" },
	  .help = { "Langue du nom quand il est écrit en texte simple.", "Language of the name when it is plain text." } },
	{ .name = PROTO_F_EXTENSIONS, .pres = O, .kind = PROTO_FK_MAP,
	  .label = { "Extensions", "Extensions" },
	  .help = { "Champs propres, jamais interprétés.", "Fields of its own, never interpreted." } },
	F_END,
};
/* clang-format on */
