#!/usr/bin/env python3
"""`maille import inventaire-csv`: the inventory of public algorithms (CRPA L312-1-3) as CSV,
Etalab's items then Maille's fields as French headers, into use case drafts. The sample
inventory of a fictional commune (data/inventaire-csv/) read field by field against the CSV
as Python's own reader reads it; damaged files (Latin-1, unbalanced quotes, ragged rows, a
repeated header, HTML, a bad e-mail, spellings of one value); --publish; the round trip
through `export --format markdown`.

Usage: test_import_inventaire_csv.py MAILLE_BINARY DATA_DIR"""
import csv
import json
import os
import re
import sys
import unittest
import urllib.request

import harness

DATA = None
SAMPLE = "saint-aubin-des-pres.csv"

HEADER = ("Nom;Résumé;Description;Thèmes;Statut;Direction ou service;Contact;Finalité;"
          "Place dans la décision;Niveau d'automatisation;Type d'algorithme;"
          "Décisions individuelles;Public concerné;Contrôle humain;Risques;Données traitées;"
          "Données personnelles\n")
# One use case a CSV can hold whole: every required field given.
COMPLETE = ("Orientation des demandes de logement;Un barème classe les demandes.;"
            "Le barème est public.;transparence-algorithmes, donnees;En production;"
            "Direction de l'habitat;habitat@val-fleuri.fr;Classer les demandes;"
            "La commission décide;Aide à la décision;Règles;Non;Demandeurs de logement;"
            "Un agent relit chaque dossier;\"Erreur de saisie : une situation mal saisie : "
            "relecture\";Dossiers de demande;Identifiées\n")


def sample_rows():
    """The sample as a second reader (Python's csv) reads it: a dict per row."""
    with open(os.path.join(DATA, SAMPLE), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def lines(cell):
    return [x.strip() for x in re.split(r"[\r\n;]+", cell) if x.strip()]


def complete_drafts(folder):
    """The fields a CSV inventory lacks filled in, as a person would in each draft."""
    for name in os.listdir(folder):
        p = os.path.join(folder, name)
        with open(p, encoding="utf-8") as f:
            text = f.read()
        text = re.sub(r"^summary:$", "summary: Fiche de l'inventaire des algorithmes.", text,
                      flags=re.M)
        text = re.sub(r"^description:$", "description: Reprise de l'inventaire.", text,
                      flags=re.M)
        text = re.sub(r"^themes:$", "themes: [transparence-algorithmes]", text, flags=re.M)
        # risks read as "risque : mesure" lack their description
        text = re.sub(r"^(  - name: .*)\n(    mitigation: )", r"\1\n    description: À préciser.\n\2",
                      text, flags=re.M)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)


class InventaireCsv(harness.Case):
    def setUp(self):
        self.begin("maille-inventaire-")
        self.dir = self.path("node")
        self.ok(self.dir, "init", "--name", "Saint-Aubin-des-Prés", "--siren", "200046977",
                "--kind", "commune")

    def tearDown(self):
        self.end()

    def sample(self):
        return os.path.join(DATA, SAMPLE)

    def drafts(self, src, out="drafts"):
        report = self.js(self.dir, "import", "inventaire-csv", src, "--out", self.path(out))
        return report, {r["path"]: r for r in report["records"]}

    def body(self, path):
        return self.js(self.dir, "show", path)["body"]

    def issues(self, record):
        return [(i["field"], i["kind"], i["message"]) for i in record["issues"]]

    def test_sample_gives_one_draft_a_row_at_the_name_s_path(self):
        report, recs = self.drafts(self.sample())
        rows = sample_rows()
        self.assertEqual(len(report["records"]), len(rows))
        self.assertEqual(report["complete"], 0)  # themes, summary... are not in the inventory
        for row in rows:
            slug = {"Attribution des places en crèche": "attribution-des-places-en-creche",
                    "Tri des signalements de voirie": "tri-des-signalements-de-voirie"}.get(row["Nom"])
            if slug:
                self.assertIn("use_case/" + slug, recs)
        first = recs["use_case/attribution-des-places-en-creche"]
        self.assertEqual(first["where"], "ligne 2")
        self.assertTrue(os.path.exists(first["file"]))
        with open(first["file"], encoding="utf-8") as f:
            text = f.read()
        self.assertIn("# À compléter (obligatoire) : Résumé.", text)
        self.assertIn("\nthemes:\n", text)

    def test_every_mapped_field_is_the_csv_s(self):
        report, recs = self.drafts(self.sample())
        complete_drafts(self.path("drafts"))
        out = self.js(self.dir, "import", "markdown", self.path("drafts"))
        self.assertEqual(out["published"], len(sample_rows()), out)
        for row in sample_rows():
            b = self.body("use_case/" + recs_path(recs, row["Nom"]))
            self.assertEqual(b["title"], {"fr": row["Nom"]})
            self.assertEqual(b["department"], row["Direction ou service"])
            self.assertEqual(b["purpose"], row["Finalité"])
            self.assertEqual(b["decision_process"], row["Place dans la décision"])
            self.assertEqual(b["affected_public"], row["Public concerné"])
            self.assertEqual(b["human_oversight"], row["Contrôle humain"])
            self.assertEqual(b.get("context"), row["Contexte"] or None)
            self.assertEqual(b.get("recourse"), row["Recours"] or None)
            self.assertEqual(b.get("legal_basis"), lines(row["Bases légales"]) or None)
            self.assertEqual(b["individual_decisions"], row["Décisions individuelles"] == "Oui")
            # the contacts: "Nom <adresse>" or an address, several separated by ';'
            emails = re.findall(r"[\w.-]+@[\w.-]+", row["Contact"])
            self.assertEqual([c["email"] for c in b["contacts"]], emails)
            self.assertTrue(all(c["public"] for c in b["contacts"]))
            # data sources: names with their providers and personal data, line by line
            names = lines(row["Données traitées"])
            providers = lines(row["Source des données"])
            self.assertEqual([d["name"] for d in b["data_sources"]], names)
            self.assertEqual([d.get("provider") for d in b["data_sources"]],
                             providers if len(providers) == len(names) else providers * len(names))
            # risks: "risque : mesure" a line
            risks = [r.split(":", 1) for r in lines(row["Risques"])]
            self.assertEqual([(r["name"], r["mitigation"]) for r in b["risks"]],
                             [(n.strip(), m.strip()) for n, m in risks])
            ext = b["extensions"]["inventaire-csv"]
            self.assertEqual(ext["Administration"], row["Administration"])
            self.assertEqual(ext["Périmètre"], row["Périmètre"])
            self.assertEqual(ext["Mode de collecte"], row["Mode de collecte"])
            d = row["Date de mise à jour"]
            self.assertEqual(ext["Date de mise à jour"],
                             d if "/" not in d else "-".join(reversed(d.split("/"))))
        b = self.body("use_case/attribution-des-places-en-creche")
        self.assertEqual(b["automation_level"], "decision_support")
        self.assertEqual(b["algorithm_type"], "rule_based")
        self.assertEqual(b["decisions_per_year"], 1450)
        self.assertEqual(b["status"], "production")
        self.assertEqual(b["risk_category"], "high")
        self.assertEqual(b["hosting"], {"provider": "Centre de données de la ville",
                                        "country": "FR", "sovereign": True})
        self.assertEqual(b["links"][0]["title"], "Délibération fixant les critères")
        self.assertEqual(b["links"][1], {"rel": "related",
                                         "href": "https://www.saint-aubin-des-pres.fr/petite-enfance/bareme"})
        self.assertEqual([d["personal_data"] for d in b["data_sources"]],
                         ["identified", "identified"])
        b = self.body("use_case/tri-des-signalements-de-voirie")
        self.assertEqual(b["decisions_per_year"], "environ 9 000")
        self.assertEqual(b["automation_level"], "decision_support")
        self.assertNotIn("legal_basis", b)
        b = self.body("use_case/calcul-du-tarif-de-la-restauration-scolaire")
        self.assertEqual(b["automation_level"], "fully_automated")
        self.assertEqual(b["hosting"]["sovereign"], False)
        self.assertEqual([c.get("name") for c in b["contacts"]], ["Régie enfance", "Service éducation"])
        b = self.body("use_case/assistant-de-redaction-des-courriers")
        self.assertEqual(b["algorithm_type"], "generative_ai")
        self.assertEqual([d["personal_data"] for d in b["data_sources"]], ["identified", "none"])

    def test_round_trip_through_export_markdown(self):
        self.drafts(self.sample())
        complete_drafts(self.path("drafts"))
        self.js(self.dir, "import", "markdown", self.path("drafts"))
        path = "use_case/attribution-des-places-en-creche"
        before = self.body(path)
        self.ok(self.dir, "export", "--format", "markdown", "--out", self.path("export"))
        other = self.path("other")
        self.ok(other, "init", "--name", "Saint-Aubin-des-Prés", "--siren", "200046977",
                "--kind", "commune")
        out = self.js(other, "import", "markdown", self.path("export"))
        self.assertEqual(out["incomplete"], 0)
        self.assertEqual(self.js(other, "show", path)["body"], before)

    def test_round_trip_through_export_inventaire_csv(self):
        """import → complete → publish → export --format inventaire-csv → import: the same
        record for every mapped field; the export read by Python's csv module too."""
        self.drafts(self.sample())
        complete_drafts(self.path("drafts"))
        self.js(self.dir, "import", "markdown", self.path("drafts"))
        use_cases = {r["path"] for r in self.js(self.dir, "list", "--type", "use_case")}
        out = self.path("inventaire.csv")
        self.ok(self.dir, "export", "--format", "inventaire-csv", "--mine", "--out", out)
        with open(out, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f, delimiter=";"))
        self.assertEqual(rows[0][:4], ["Nom", "Administration", "Direction ou service", "Contact"])
        self.assertEqual(len(rows) - 1, len(use_cases))
        self.assertTrue(all(len(r) == len(rows[0]) for r in rows))
        self.assertTrue(all(r[1] == "Saint-Aubin-des-Prés" for r in rows[1:]))
        other = self.path("other")
        self.ok(other, "init", "--name", "Saint-Aubin-des-Prés", "--siren", "200046977",
                "--kind", "commune")
        # the web catalogue serves the same file
        self.ok(self.dir, "federation", "new", "--name", "Coalition IA responsable (tests)")
        d = self.daemon(self.dir, web="127.0.0.1:0")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{d.port}/export/inventaire.csv",
                                        timeout=30) as resp:
                self.assertTrue(resp.headers["Content-Type"].startswith("text/csv"))
                served = resp.read()
        finally:
            self.stop_daemons()
        with open(out, "rb") as f:
            self.assertEqual(served, f.read())
        rep = self.js(other, "import", "inventaire-csv", out, "--publish")
        self.assertEqual((rep["published"], rep["incomplete"]), (len(use_cases), 0), rep)
        for path in use_cases:
            a, b = self.body(path), self.js(other, "show", path)["body"]
            # the columns the reader keeps under extensions are the file's, not the record's
            a.pop("extensions", None)
            b.pop("extensions", None)
            self.assertEqual(b, a, path)

    def test_publish_a_complete_row_and_list_the_incomplete(self):
        src = self.write("inventaire.csv", HEADER + COMPLETE +
                         "Tri du courrier;;;;;;;;;;;;;;;;\n")
        rc, out, err = self.m(self.dir, "import", "inventaire-csv", src, "--publish")
        self.assertEqual(rc, 1, out + err)
        self.assertIn("1 record published", out)
        self.assertIn("inventaire.csv, ligne 3: summary: missing required field", err)
        b = self.body("use_case/orientation-des-demandes-de-logement")
        self.assertEqual(b["themes"], ["transparence-algorithmes", "donnees"])
        self.assertEqual(b["risks"], [{"name": "Erreur de saisie",
                                       "description": "une situation mal saisie",
                                       "mitigation": "relecture"}])
        self.assertEqual(b["contacts"], [{"email": "habitat@val-fleuri.fr", "public": True}])
        self.assertEqual(b["individual_decisions"], False)
        with self.assertRaises(AssertionError):
            self.body("use_case/tri-du-courrier")

    def test_comma_delimiter_missing_columns_and_unknown_ones(self):
        src = self.write("court.csv", "NOM,niveau d'automatisation,Colonne maison,,Statut\n"
                                      "Tri des courriers,AIDE A LA DECISION,valeur libre,sans en-tête,\n")
        report, recs = self.drafts(src)
        r = recs["use_case/tri-des-courriers"]
        self.assertEqual(r["title"], "Tri des courriers")
        self.assertIn(("automation_level", "cleaned",
                       "\"AIDE A LA DECISION\" read as decision_support"), self.issues(r))
        with open(r["file"], encoding="utf-8") as f:
            text = f.read()
        self.assertIn('"Colonne maison": valeur libre', text)
        self.assertIn('"colonne 4": sans en-tête', text)
        self.assertIn("automation_level: decision_support", text)
        self.assertNotIn("\nstatus: ", text)

    def test_five_spellings_of_one_value_and_an_unknown_one(self):
        src = self.write("niveaux.csv", "Nom;Niveau d'automatisation\n"
                         "A;Aide à la décision\nB;aide a la decision\nC;AIDE-A-LA-DECISION\n"
                         "D;Outil d'aide à la décision\nE;Semi-automatisé\n"
                         "F;Décision entièrement automatisée\nG;au doigt mouillé\n")
        report, recs = self.drafts(src)
        got = {r["title"]: [i for i in r["issues"] if i["field"] == "automation_level"]
               for r in report["records"]}
        for t in "ABCDE":
            self.assertEqual(got[t][0]["kind"], "cleaned")
            self.assertTrue(got[t][0]["message"].endswith("read as decision_support"), got[t])
        self.assertTrue(got["F"][0]["message"].endswith("read as fully_automated"))
        self.assertEqual(got["G"][0]["kind"], "dropped")
        self.assertIn("\"au doigt mouillé\" is not a known value", got["G"][0]["message"])

    def test_repeated_header_html_and_bad_email_are_reported(self):
        src = self.write("colle.csv",
                         "Nom;Contact;Finalité;Décisions individuelles\n"
                         "Tarifs;tarifs@val-fleuri.fr;<p>Calculer <b>le tarif</b></p>;Oui\n"
                         "Nom;Contact;Finalité;Décisions individuelles\n"
                         "Bourses;bourses(at)val-fleuri.fr;Attribuer;peut-être\n")
        report, recs = self.drafts(src)
        self.assertEqual(sorted(recs), ["use_case/bourses", "use_case/tarifs"])
        tarifs = self.issues(recs["use_case/tarifs"])
        self.assertIn(("", "note", "line 3: the header is repeated, line skipped"), tarifs)
        self.assertIn(("purpose", "cleaned",
                       "HTML tags removed: the text is kept without its formatting"), tarifs)
        bourses = self.issues(recs["use_case/bourses"])
        self.assertIn(("contacts[0].email", "dropped",
                       "\"bourses(at)val-fleuri.fr\" is not an e-mail address: left out"), bourses)
        self.assertIn(("individual_decisions", "dropped",
                       "\"peut-être\" is neither \"Oui\" (yes) nor \"Non\" (no): left out"), bourses)
        with open(recs["use_case/tarifs"]["file"], encoding="utf-8") as f:
            self.assertIn("purpose: Calculer le tarif", f.read())

    def test_sources_that_cannot_be_shared_out_stay_in_extensions(self):
        src = self.write("sources.csv", "Nom;Données traitées;Source des données\n"
                         "Prévision;\"Tourniquets\nMétéo\nCalendrier\";\"Ville\nMétéo-France\"\n")
        report, recs = self.drafts(src)
        r = recs["use_case/prevision"]
        self.assertIn(("data_sources", "note",
                       "\"Source des données\" has 2 items for 3 data sources: kept under "
                       "extensions, to share out by hand"), self.issues(r))

    def assert_file_error(self, name, content, where, message):
        src = self.write(name, content)
        err = self.fails(self.dir, "import", "inventaire-csv", src, "--out", self.path("x"))
        self.assertIn(src + where, err)
        self.assertIn(message, err)
        self.assertIn("nothing was written or published", err)
        self.assertFalse(os.path.exists(self.path("x")) and os.listdir(self.path("x")))

    def test_file_errors_name_the_file_and_line(self):
        self.assert_file_error("latin1.csv",
                               "Nom;Finalité\nCalcul des bourses;Attribuer\n".encode("latin-1"),
                               ":1", "UTF-8")
        # the line where the quote opened, past a blank line, not the end of the file
        self.assert_file_error("guillemets.csv",
                               'Nom;Finalité\nTarifs;Calculer\n\n"Bourses;Attribuer\nCantine;Tarifer\n',
                               ":4:", "a quote opened and never closed")
        # a row is named by its first line, even when its first cell spans two
        self.assert_file_error("cellule.csv",
                               'Nom;Finalité\n"Bourses\ndes collèges";Attribuer;en trop\n', ":2:",
                               "the row has 3 cells, the header 2 columns")
        self.assert_file_error("lignes.csv", "Nom;Finalité;Statut\nTarifs;Calculer;Arrêté\n"
                               "Bourses;Attribuer\n", ":3", "")
        self.assert_file_error("tableur.csv", "Intitulé;Service\nTarifs;Finances\n", ":1",
                               "no \"Nom\" (name) column")
        self.assert_file_error("double.csv", "Nom;Statut;statut\nTarifs;Arrêté;Arrêté\n", ":1",
                               "column \"Statut\" appears twice")
        self.assertEqual([r["path"] for r in self.js(self.dir, "list")], [])


def recs_path(recs, title):
    for path, r in recs.items():
        if r["title"] == title:
            return path.split("/", 1)[1]
    raise AssertionError(f"no draft titled {title}")


if __name__ == "__main__":
    harness.MAILLE = os.path.abspath(sys.argv[1])
    DATA = sys.argv[2]
    unittest.main(argv=[sys.argv[0], "-v"])
