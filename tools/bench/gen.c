/* tools/bench/gen.c: realistic generated catalogue records (see gen.h). */
#include "gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/coop.h"
#include "proto/record.h"
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

/* What one record is made from: its rng state and the words it reuses. */
typedef struct gen_ctx {
	proto_arena *a;
	uint64_t s;
	const proto_record_type *type;
	const char *title, *slug;
	char buf[4096];
} gen_ctx;

static void gen_fields(gen_ctx *g, proto_value *m, const proto_record_field *table, bool common);

/* Whether f feeds the heading's search columns (title, summary, description, keywords), the
 * text gen_searched writes; the type's own text fields (PROTO_SEARCH_DETAILS) are written as
 * any other field of their kind, when the record has them. */
static bool gen_heading(const proto_record_field *f)
{
	return f->search != PROTO_SEARCH_NONE && f->search != PROTO_SEARCH_DETAILS;
}

/* The value of a searched field: the title, a one-sentence summary, a long description that
 * names a project and a commune (the long tail real catalogues have), keywords. */
static void gen_searched(gen_ctx *g, proto_value *m, const proto_record_field *f)
{
	switch (f->search) {
	case PROTO_SEARCH_TITLE:
		put_fr(g->a, m, f->name, g->title);
		return;
	case PROTO_SEARCH_SUMMARY:
		text(&g->s, g->buf, 150, 1);
		put_fr(g->a, m, f->name, g->buf);
		return;
	case PROTO_SEARCH_DESCRIPTION: {
		char code[16], extra[160];
		text(&g->s, g->buf, sizeof g->buf, 6 + (int)(mix(&g->s) % 10));
		gen_codename(mix(&g->s) % 13824u, code, sizeof code);
		snprintf(extra, sizeof extra, " Projet %s, porté avec la ville de %s.", code,
		         gen_communes[mix(&g->s) % N_COMMUNES]);
		size_t bl = strlen(g->buf);
		snprintf(g->buf + bl, sizeof g->buf - bl, "%s", extra);
		put_fr(g->a, m, f->name, g->buf);
		return;
	}
	default: {
		proto_value *kw = put_list(g->a, m, f->name);
		push_str(g->a, kw, gen_words_rare[mix(&g->s) % 20]);
		push_str(g->a, kw, "intelligence artificielle");
	}
	}
}

static size_t vocab_n(const proto_vocab *v)
{
	size_t n = 0;
	while (v->terms[n].value)
		n++;
	return n;
}

/* A value of f's kind into m (the table's example when it has one). */
static void gen_value(gen_ctx *g, proto_value *m, const proto_record_field *f)
{
	proto_arena *a = g->a;
	const char *ex = f->example ? f->example : f->dflt;
	if (gen_heading(f)) {
		gen_searched(g, m, f);
		return;
	}
	switch (f->kind) {
	case PROTO_FK_THEMES: {
		const proto_vocab_term *t = f->vocab->terms;
		proto_value *th = put_list(a, m, f->name);
		size_t n = vocab_n(f->vocab);
		push_str(a, th, t[mix(&g->s) % n].value);
		if (mix(&g->s) % 2)
			push_str(a, th, t[mix(&g->s) % n].value == t[0].value ? t[1].value : t[2].value);
		return;
	}
	case PROTO_FK_ENUM:
		put_str(a, m, f->name, ex ? ex : f->vocab->terms[mix(&g->s) % vocab_n(f->vocab)].value);
		return;
	case PROTO_FK_ENUMLIST: {
		proto_value *l = put_list(a, m, f->name);
		for (size_t i = 0; i < 2 && f->vocab->terms[i].value; i++)
			push_str(a, l, f->vocab->terms[i].value);
		return;
	}
	case PROTO_FK_BOOL:
	case PROTO_FK_INT: {
		proto_value *v = put(a, m, f->name);
		if (f->kind == PROTO_FK_BOOL) {
			v->type = PROTO_V_BOOL;
			v->u.b = ex && strcmp(ex, "true") == 0;
		} else {
			v->type = PROTO_V_INT;
			v->u.i = ex ? strtoll(ex, NULL, 10) : f->lo;
		}
		return;
	}
	case PROTO_FK_OBJ:
	case PROTO_FK_OBJLIST: {
		proto_value *o;
		if (f->kind == PROTO_FK_OBJ) {
			o = put(a, m, f->name);
		} else {
			o = proto_value_array_push(a, put_list(a, m, f->name));
			if (!o)
				return;
		}
		o->type = PROTO_V_MAP;
		gen_fields(g, o, f->obj->fields, false);
		return;
	}
	case PROTO_FK_STRLIST: {
		proto_value *l = put_list(a, m, f->name);
		if (f->display == PROTO_D_REFS) {
			/* a record of the first other type the web publishes, with the same slug */
			const proto_record_type *to = NULL;
			for (size_t i = 0; i < proto_record_n_types; i++) {
				const proto_record_type *t = &proto_record_types[i];
				if (t->publish && t != g->type && (!to || t->publish < to->publish))
					to = t;
			}
			snprintf(g->buf, sizeof g->buf, "%s/%.60s", to ? to->name : "", g->slug);
			push_str(a, l, g->buf);
		} else {
			push_str(a, l, ex ? ex : PICK(subjects, &g->s));
		}
		return;
	}
	case PROTO_FK_DATE:
		put_str(a, m, f->name, ex ? ex : "2024-03-01");
		return;
	case PROTO_FK_URI:
		put_str(a, m, f->name, ex ? ex : "https://www.exemple-territoire.fr/");
		return;
	case PROTO_FK_LICENCE:
		put_str(a, m, f->name, ex ? ex : "etalab-2.0");
		return;
	default:
		if (ex) {
			put_str(a, m, f->name, ex);
		} else if (f->multiline) {
			text(&g->s, g->buf, sizeof g->buf, 2);
			put_str(a, m, f->name, g->buf);
		} else {
			put_str(a, m, f->name, PICK(subjects, &g->s));
		}
	}
}

/* The fields of table the record has: the required ones (conditions applied to what is
 * already written), the common recommended ones, and those of the heading's search columns. */
static void gen_fields(gen_ctx *g, proto_value *m, const proto_record_field *table, bool common)
{
	for (const proto_record_field *f = table; f && f->name; f++) {
		proto_presence p = proto_record_presence(f, m);
		if (p == PROTO_REQUIRED || (common && p == PROTO_RECOMMENDED) || gen_heading(f))
			gen_value(g, m, f);
	}
}

static bool gen_type_ok(const proto_record_type *t)
{
	return t->cls == PROTO_RC_CATALOGUE && strcmp(t->name, PROTO_T_CALL) != 0 &&
	       strcmp(t->name, PROTO_T_LABEL) != 0;
}

proto_value *gen_record(proto_arena *a, uint64_t seed, uint64_t index, char *ret_path, size_t cap)
{
	gen_ctx g;
	char title[200], slug[100];
	g.a = a;
	g.s = seed * 1000003u + index;
	/* the four catalogue types of what territories did, in turn; calls to cooperate and
	 * labels are few in a federation (and the figures in the README were measured on these
	 * four) */
	size_t n_cat = 0;
	for (size_t i = 0; i < proto_record_n_types; i++)
		n_cat += gen_type_ok(&proto_record_types[i]);
	for (size_t i = 0, k = index % n_cat; i < proto_record_n_types; i++)
		if (gen_type_ok(&proto_record_types[i]) && k-- == 0)
			g.type = &proto_record_types[i];
	proto_value *b = proto_value_new(a, PROTO_V_MAP);
	if (!b)
		return NULL;
	snprintf(title, sizeof title, "%s %s", PICK(subjects, &g.s), PICK(qualifiers, &g.s));
	proto_slugify(title, strlen(title), slug, sizeof slug);
	snprintf(ret_path, cap, "%s/%.60s-%llu", g.type->name, slug, (unsigned long long)index);
	g.title = title;
	g.slug = slug;
	put_str(a, b, PROTO_F_TYPE, g.type->name);
	gen_fields(&g, b, proto_record_type_common(g.type), true);
	gen_fields(&g, b, g.type->fields, false);
	return b;
}
