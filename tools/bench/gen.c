/* tools/bench/gen.c: realistic generated catalogue records (see gen.h). */
#include "gen.h"

#include <stdio.h>
#include <string.h>

#include "proto/schema.h"

/* splitmix64: small, fast, and good enough to vary sample records */
static uint64_t mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#define PICK(arr, s) (arr[mix(s) % (sizeof arr / sizeof arr[0])])

static const char *const subjects[] = {
	"Tri des demandes de crèche", "Attribution des logements sociaux",
	"Détection des fuites du réseau d'eau", "Chatbot d'accueil des usagers",
	"Transcription des conseils municipaux", "Prévision de fréquentation des piscines",
	"Lecture automatique des factures", "Inventaire des algorithmes publics",
	"Orientation des demandes de subvention", "Optimisation des tournées de collecte",
	"Analyse des avis de la concertation", "Cartographie des îlots de chaleur",
	"Assistant de rédaction des courriers", "Détection des dépôts sauvages",
	"Priorisation de l'entretien de la voirie", "Aide à l'instruction des permis",
	"Traduction des pages d'information", "Prévision des besoins en cantine",
	"Repérage du non-recours aux aides", "Suivi énergétique des bâtiments",
	"Recherche dans les délibérations", "Classement du courrier entrant",
	"Modération des signalements citoyens", "Comptage vélo par caméra",
};
static const char *const qualifiers[] = {
	"par apprentissage automatique", "à base de règles", "avec un modèle de langage local",
	"en logiciel libre", "mutualisé entre communes", "sobre en énergie", "sous contrôle humain",
	"avec évaluation d'impact", "publié en open data", "hébergé en France",
};
static const char *const sentences[] = {
	"Le service a d'abord cartographié les données disponibles et leurs producteurs.",
	"Une analyse d'impact sur la protection des données a été conduite avec le DPO.",
	"Les agents gardent la décision finale et peuvent corriger chaque proposition.",
	"Le code source est publié sous licence libre et documenté pour être réutilisé.",
	"La consommation électrique de l'entraînement a été mesurée et publiée.",
	"Un comité d'éthique associant des habitants a relu la méthode.",
	"La mention explicative prévue par le CRPA figure sur chaque décision individuelle.",
	"Les résultats sont comparés chaque trimestre à la situation de référence.",
	"Le prestataire s'est engagé sur la réversibilité et l'export des données.",
	"Les biais ont été recherchés sur les quartiers prioritaires de la ville.",
	"L'outil fonctionne hors ligne sur un serveur de la collectivité.",
	"Une formation de deux jours a été proposée aux équipes concernées.",
	"Le modèle a été réentraîné après une dérive constatée sur les données d'hiver.",
	"Les usagers peuvent demander une intervention humaine à tout moment.",
	"La transparence repose sur un registre public des algorithmes.",
	"Le retour d'expérience montre un gain de temps mesurable pour les agents.",
	"La sobriété a guidé le choix d'un petit modèle plutôt que d'un service en nuage.",
	"Les données personnelles sont pseudonymisées avant tout traitement.",
	"Une clause d'audit a été ajoutée au marché public.",
	"La gouvernance des données associe la direction juridique et la DSI.",
};
/* Communes named in the records: a long tail (each in ~1/120 of the records). */
const char *const gen_communes[] = {
	"Besançon", "Périgueux", "Saint-Étienne", "Orléans", "Nîmes", "Châteauroux", "Vénissieux",
	"Villeurbanne", "Montbéliard", "Épinal", "Évry", "Sète", "Béziers", "Fréjus", "Agen",
	"Annecy", "Chambéry", "Grenoble", "Valence", "Romans-sur-Isère", "Mâcon", "Dijon", "Auxerre",
	"Nevers", "Bourges", "Tours", "Blois", "Angers", "Laval", "Le Mans", "Rennes", "Brest",
	"Quimper", "Lorient", "Vannes", "Saint-Brieuc", "Nantes", "La Roche-sur-Yon", "Niort",
	"Poitiers", "Limoges", "Guéret", "Tulle", "Brive-la-Gaillarde", "Aurillac", "Rodez",
	"Albi", "Castres", "Montauban", "Cahors", "Toulouse", "Tarbes", "Pau", "Bayonne",
	"Mont-de-Marsan", "Bordeaux", "Angoulême", "Cognac", "Saintes", "La Rochelle", "Rochefort",
	"Lille", "Roubaix", "Tourcoing", "Dunkerque", "Calais", "Arras", "Lens", "Douai", "Amiens",
	"Beauvais", "Compiègne", "Laon", "Soissons", "Reims", "Troyes", "Châlons-en-Champagne",
	"Metz", "Nancy", "Thionville", "Strasbourg", "Colmar", "Mulhouse", "Belfort", "Vesoul",
	"Lons-le-Saunier", "Bourg-en-Bresse", "Roanne", "Clermont-Ferrand", "Vichy", "Moulins",
	"Montluçon", "Le Puy-en-Velay", "Privas", "Aubenas", "Avignon", "Carpentras", "Arles",
	"Marseille", "Aix-en-Provence", "Toulon", "Hyères", "Draguignan", "Nice", "Cannes",
	"Antibes", "Grasse", "Gap", "Digne-les-Bains", "Ajaccio", "Bastia", "Perpignan",
	"Narbonne", "Carcassonne", "Montpellier", "Alès", "Mende", "Millau", "Caen", "Rouen",
	"Le Havre", "Évreux", "Cherbourg-en-Cotentin", "Alençon", "Saint-Lô", NULL,
};
#define N_COMMUNES 120u
/* Syllables of project code names: 24^3 = 13 824 names, each in a handful of records. */
static const char *const syllables[] = {"ka", "lo", "mi", "ra", "zu", "te", "vo", "pa",
                                        "ni", "shu", "bo", "ge", "da", "fi", "ju", "ly",
                                        "xe", "wa", "qo", "ci", "hu", "ne", "so", "ty"};

void gen_codename(uint64_t k, char *ret, size_t cap)
{
	snprintf(ret, cap, "%s%s%s", syllables[k % 24], syllables[(k / 24) % 24],
	         syllables[(k / 576) % 24]);
}

const char *const gen_words_rare[] = {
	"piscines", "cantine", "délibérations", "îlots", "fuites", "crèche", "tournées",
	"factures", "subvention", "voirie", "caméra", "dérive", "permis", "non-recours",
	"signalements", "concertation", "traduction", "dépôts", "logements", "courriers", NULL,
};
const char *const gen_words_common[] = {
	"données", "agents", "algorithmes", "transparence", "modèle", "public", NULL,
};
static const char *const themes[] = {
	"ia-democratie", "ia-ressource-limitee", "ia-monde-incertain", "transparence-algorithmes",
	"donnees", "communs-numeriques", "logiciel-libre", "sobriete-numerique", "accessibilite",
	"participation-citoyenne",
};
static const char *const statuses[] = {"idea", "design", "development", "pilot", "production",
                                       "evaluation", "retired"};
static const char *const departments[] = {
	"Direction du numérique", "Direction de l'eau", "Direction de la petite enfance",
	"Direction des ressources humaines", "Direction de l'habitat", "Service des assemblées",
};

static proto_value *put(proto_arena *a, proto_value *m, const char *k)
{
	return proto_value_map_put(a, m, k, strlen(k));
}

static void put_str(proto_arena *a, proto_value *m, const char *k, const char *v)
{
	proto_value *s = proto_value_new_str(a, v, strlen(v));
	if (s)
		*put(a, m, k) = *s;
}

static void put_fr(proto_arena *a, proto_value *m, const char *k, const char *v)
{
	proto_value *lm = put(a, m, k);
	lm->type = PROTO_V_MAP;
	put_str(a, lm, "fr", v);
}

static void push_str(proto_arena *a, proto_value *arr, const char *v)
{
	proto_value *s = proto_value_new_str(a, v, strlen(v));
	proto_value *slot = proto_value_array_push(a, arr);
	if (s && slot)
		*slot = *s;
}

static proto_value *put_list(proto_arena *a, proto_value *m, const char *k)
{
	proto_value *l = put(a, m, k);
	l->type = PROTO_V_ARRAY;
	return l;
}

static void text(uint64_t *s, char *buf, size_t cap, int n)
{
	size_t len = 0;
	buf[0] = '\0';
	for (int i = 0; i < n && len + 1 < cap; i++) {
		int w = snprintf(buf + len, cap - len, "%s%s", i ? " " : "", PICK(sentences, s));
		if (w < 0 || (size_t)w >= cap - len)
			break;
		len += (size_t)w;
	}
}

proto_value *gen_record(proto_arena *a, uint64_t seed, uint64_t index, char *ret_path, size_t cap)
{
	uint64_t s = seed * 1000003u + index;
	static const char *const types[] = {"use_case", "rex", "component", "methodology"};
	const char *type = types[index % 4];
	proto_value *b = proto_value_new(a, PROTO_V_MAP);
	if (!b)
		return NULL;
	char title[200], buf[4096];
	snprintf(title, sizeof title, "%s %s", PICK(subjects, &s), PICK(qualifiers, &s));
	char slug[100];
	proto_slugify(title, strlen(title), slug, sizeof slug);
	snprintf(ret_path, cap, "%s/%.60s-%llu", type, slug, (unsigned long long)index);

	put_str(a, b, "type", type);
	put_fr(a, b, "title", title);
	text(&s, buf, 150, 1);
	put_fr(a, b, "summary", buf);
	text(&s, buf, sizeof buf, 6 + (int)(mix(&s) % 10));
	{
		/* the long tail that real catalogues have: places and project names */
		char code[16], extra[160];
		gen_codename(mix(&s) % 13824u, code, sizeof code);
		snprintf(extra, sizeof extra, " Projet %s, porté avec la ville de %s.", code,
		         gen_communes[mix(&s) % N_COMMUNES]);
		size_t bl = strlen(buf);
		snprintf(buf + bl, sizeof buf - bl, "%s", extra);
	}
	put_fr(a, b, "description", buf);
	proto_value *th = put_list(a, b, "themes");
	push_str(a, th, PICK(themes, &s));
	if (mix(&s) % 2)
		push_str(a, th, PICK(themes, &s) == themes[0] ? themes[1] : themes[2]);
	proto_value *kw = put_list(a, b, "keywords");
	push_str(a, kw, gen_words_rare[mix(&s) % 20]);
	push_str(a, kw, "intelligence artificielle");
	put_str(a, b, "lang", "fr");
	put_str(a, b, "content_licence", "etalab-2.0");
	put_str(a, b, "status", PICK(statuses, &s));
	put_str(a, b, "department", PICK(departments, &s));
	proto_value *contacts = put_list(a, b, "contacts");
	proto_value *c = proto_value_array_push(a, contacts);
	c->type = PROTO_V_MAP;
	put_str(a, c, "email", "numerique@exemple-territoire.fr");
	proto_value *pub = put(a, c, "public");
	pub->type = PROTO_V_BOOL;
	pub->u.b = true;
	proto_value *terrs = put_list(a, b, "territories");
	proto_value *t = proto_value_array_push(a, terrs);
	t->type = PROTO_V_MAP;
	put_str(a, t, "level", "commune");
	put_str(a, t, "code", "69123");
	proto_value *y = put(a, t, "cog_year");
	y->type = PROTO_V_INT;
	y->u.i = 2025;
	put_str(a, t, "label", "Lyon");

	if (strcmp(type, "use_case") == 0) {
		text(&s, buf, sizeof buf, 2);
		put_str(a, b, "purpose", buf);
		text(&s, buf, sizeof buf, 2);
		put_str(a, b, "decision_process", buf);
		put_str(a, b, "automation_level", "decision_support");
		put_str(a, b, "algorithm_type", mix(&s) % 2 ? "machine_learning" : "rule_based");
		proto_value *ind = put(a, b, "individual_decisions");
		ind->type = PROTO_V_BOOL;
		ind->u.b = false;
		put_str(a, b, "affected_public", "Usagers du service public");
		put_str(a, b, "human_oversight", "Chaque proposition est validée par un agent.");
		proto_value *risks = put_list(a, b, "risks");
		proto_value *r = proto_value_array_push(a, risks);
		r->type = PROTO_V_MAP;
		put_str(a, r, "name", "Biais");
		put_str(a, r, "description", "Traitement inégal selon les quartiers.");
		put_str(a, r, "mitigation", "Audit trimestriel des résultats.");
		proto_value *ds = put_list(a, b, "data_sources");
		proto_value *d = proto_value_array_push(a, ds);
		d->type = PROTO_V_MAP;
		put_str(a, d, "name", "Base métier");
		put_str(a, d, "personal_data", "pseudonymised");
	} else if (strcmp(type, "rex") == 0) {
		proto_value *about = put_list(a, b, "about");
		char target[160];
		snprintf(target, sizeof target, "use_case/%.60s", slug);
		push_str(a, about, target);
		put_str(a, b, "declaration", "user");
		proto_value *period = put(a, b, "period");
		period->type = PROTO_V_MAP;
		put_str(a, period, "start", "2024-03-01");
		const char *fields[] = {"context", "objectives", "what_was_done", "difficulties",
		                        "lessons_learned"};
		for (size_t i = 0; i < 5; i++) {
			text(&s, buf, sizeof buf, 2);
			put_str(a, b, fields[i], buf);
		}
	} else if (strcmp(type, "component") == 0) {
		put_str(a, b, "component_kind", "software");
		put_str(a, b, "licence", "EUPL-1.2");
		put_str(a, b, "repository_url", "https://forge.exemple-territoire.fr/numerique/outil");
	} else {
		put_str(a, b, "method_kind", "guide");
		proto_value *covers = put_list(a, b, "covers");
		push_str(a, covers, "transparency");
		push_str(a, covers, "impact_assessment");
	}
	return b;
}
