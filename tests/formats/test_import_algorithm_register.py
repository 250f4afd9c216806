#!/usr/bin/env python3
"""`maille import algorithm-register`: the Eurocities / Dutch algorithm register, JSON and CSV,
standard 0.2, 0.3.1 and 1.0, into use_case drafts. The real record of data/ (Amsterdam's
classifier of public-space reports, standard 1.0, HTML in its texts, nulls, a list-valued
category) mapped field by field; the CSV template of 0.3.1 with the attributes' ids or their
Dutch names as headers, a repeated header row; damage reported per record and field; files that
cannot be read refused whole with the file and the line; a completed draft published, and the
round trip through `export --format markdown` and `import markdown`.

Usage: test_import_algorithm_register.py MAILLE_BINARY DATA_DIR"""
import json
import os
import shutil
import sys
import unittest

import harness
import importcase

DATA = None

# The 0.3.1 CSV template (attribute ids as headers, ';'), filled in by a fictional French
# metropolis: two records, the header row pasted again between them, HTML in a text, an
# address that is not one, statuses and categories spelt as people write them.
CSV_031 = (
    '"name";"description_short";"organization";"department";"contact_email";"status";'
    '"goal";"risks";"risk_category";"algorithm_type";"lawful_basis";"source_data";'
    '"human_intervention";"objection_procedure";"domain";"lang";"standard_version";'
    '"publication_date";"url";"monitoring"\n'
    '"Tri des demandes de logement social";"Classement des demandes par ancienneté et '
    'situation.";"Métropole de Saint-Aubin";"Direction de l\'habitat";'
    '"habitat@saint-aubin-exemple.fr";"Operational";"<p>Traiter les demandes <b>dans '
    'l\'ordre</b> fixé par le règlement.</p>";"Erreur de saisie d\'une situation.";'
    '"hoog risico";"rule-based";"Code de la construction et de l\'habitation, L441-1";'
    '"Fichier des demandes de logement";"Chaque classement est relu par un agent.";'
    '"Recours gracieux auprès de la direction de l\'habitat.";'
    '"housing, living and living environment";"fra";"0.3.1";"2025-03-01";'
    '"https://algorithmes.saint-aubin-exemple.fr/logement";"Revue trimestrielle."\n'
    '"name";"description_short";"organization";"department";"contact_email";"status";'
    '"goal";"risks";"risk_category";"algorithm_type";"lawful_basis";"source_data";'
    '"human_intervention";"objection_procedure";"domain";"lang";"standard_version";'
    '"publication_date";"url";"monitoring"\n'
    '"Détection des nids-de-poule";"Repérage des nids-de-poule sur les images des '
    'véhicules de collecte.";"Métropole de Saint-Aubin";"Voirie";"voirie(at)saint-aubin";'
    '"pilote";"Réparer plus tôt la chaussée.";"";"minimal risk";"self-learning";"";'
    '"Images des caméras des bennes";"Un agent valide chaque signalement.";"";'
    '"traffic and transportation";"fra";"0.3.1";"";"";""\n'
)

# The same template with the Dutch names of the attributes as headers.
CSV_NL = (
    'Naam;Korte omschrijving;Afdeling;Contact e-mailadres;Status;Doelen;Type algoritme;'
    'Taal;Kernwoorden\n'
    'Affectation des places en crèche;Proposition d\'affectation selon les critères votés.;'
    'Petite enfance;creches@ville-exemple.fr;beëindigd;Affecter les places;hybride;fra;'
    '"crèche, petite enfance; affectation"\n'
)


class ImportAlgorithmRegister(importcase.ImportCase):
    FORMAT = "algorithm-register"

    # the nested members a register never gives: a risk's name and mitigation, a data
    # source's personal data
    NESTED = ((r"^risks:\n  - description:", "risks:\n  - name: Erreur\n"
               "    mitigation: Relecture par un agent.\n    description:"),
              (r"^data_sources:\n  - name:", "data_sources:\n  - personal_data: none\n    name:"))

    REQUIRED = {
        "themes": "[transparence-algorithmes]", "description": "Présentation.",
        "decision_process": "Aide à la décision.", "automation_level": "decision_support",
        "algorithm_type": "machine_learning", "individual_decisions": "false",
        "affected_public": "Habitants.", "summary": "Résumé.", "purpose": "Objectif.",
        "human_oversight": "Relecture.", "status": "production",
        "risks": "[{name: Erreur, description: Mauvais classement., mitigation: Relecture.}]",
        "data_sources": "[{name: Base métier, personal_data: none}]",
    }

    def publish_drafts(self, out):
        self.edit(out, self.REQUIRED, self.NESTED)
        return self.publish_folder(out)

    def test_amsterdam_1_0(self):
        src = os.path.join(DATA, "amsterdam-meldingen.v1.0.json")
        out = self.path("ams")
        _, rep = self.drafts(src, out)
        path = "use_case/gemeente-amsterdam-meldingen-openbare-ruimte"
        self.assertEqual([r["path"] for r in rep["records"]], [path])
        self.assertEqual(rep["records"][0]["where"], "fiche n°1")
        issues = self.issues(rep)
        for field in ("purpose.nl", "human_oversight.nl", "model_description.nl",
                      "risks[0].description", "data_sources[0].name", "keywords"):
            self.assertIn((field, "cleaned", "HTML tags removed: the text is kept without its "
                           "formatting"), issues)
        self.assertIn(("status", "cleaned", "\"In gebruik\" read as production"), issues)
        self.assertIn(("risks[0]", "note", "the register does not give name and mitigation: "
                       "to write"), issues)
        with open(rep["records"][0]["file"], encoding="utf-8") as f:
            text = f.read()
        self.assertRegex(text, r"\nautomation_level:\n")  # never invented
        self.publish_drafts(out)
        b = self.body(path)
        with open(src, encoding="utf-8") as f:
            s = json.load(f)[0]
        self.assertEqual(b["lang"], "nl")  # NLD
        self.assertEqual(b["title"], {"nl": s["name"]})
        self.assertEqual(b["summary"], {"nl": s["description_short"].strip()})
        self.assertEqual(b["status"], "production")
        self.assertTrue(b["purpose"]["nl"].startswith("Als er op straat of in een park"))
        self.assertIn("\n\nMaar de gemeente is een complexe organisatie", b["purpose"]["nl"])
        self.assertNotIn("<", b["purpose"]["nl"])
        self.assertTrue(b["human_oversight"]["nl"].startswith("Alle meldingen die met minder "
                                                              "dan 40% zekerheid"))
        self.assertTrue(b["model_description"]["nl"].startswith("Architectuur van het model"))
        self.assertTrue(b["risks"][0]["description"]["nl"].startswith("Er zitten weinig "
                                                                       "risico’s"))
        self.assertTrue(b["data_sources"][0]["name"]["nl"].startswith("Meldingen De dataset"))
        self.assertEqual(b["keywords"], ["Openbare orde en veiligheid",
                                         "Meldingen Klachten Natural language processing"])
        ext = b["extensions"]["algorithm-register"]
        self.assertEqual(ext, {"id": s["id"], "type": "Nee",
                               "publication_category": "Impactvolle algoritmes",
                               "standard_version": "1.0"})
        for k in ("organization", "provider", "lawful_basis", "url"):  # null or blank
            self.assertNotIn(k, ext)
        self.assertNotIn("legal_basis", b)
        self.assertNotIn("public_register_url", b)

    def test_csv_0_3_1_repeated_header_and_damage(self):
        src = self.write("registre.csv", CSV_031)
        out = self.path("csv")
        _, rep = self.drafts(src, out)
        recs = rep["records"]
        self.assertEqual([r["path"] for r in recs],
                         ["use_case/tri-des-demandes-de-logement-social",
                          "use_case/detection-des-nids-de-poule"])
        self.assertEqual([r["where"] for r in recs], ["ligne 2", "ligne 4"])
        first, second = self.issues(rep, 0), self.issues(rep, 1)
        self.assertIn(("", "note", "line 3 repeats the header row: left out"), second)
        self.assertIn(("purpose.fr", "cleaned", "HTML tags removed: the text is kept without "
                       "its formatting"), first)
        self.assertIn(("status", "cleaned", "\"Operational\" read as production"), first)
        self.assertIn(("risk_category", "cleaned", "\"hoog risico\" read as high"), first)
        self.assertIn(("contacts[0].email", "dropped", "\"voirie(at)saint-aubin\" is not an "
                       "e-mail address: left out"), second)
        self.assertIn(("status", "cleaned", "\"pilote\" read as pilot"), second)
        self.assertIn(("algorithm_type", "cleaned", "\"self-learning\" read as "
                       "machine_learning"), second)
        self.publish_drafts(out)
        b = self.body("use_case/tri-des-demandes-de-logement-social")
        self.assertEqual(b["lang"], "fr")
        self.assertEqual(b["title"], {"fr": "Tri des demandes de logement social"})
        self.assertEqual(b["department"], "Direction de l'habitat")
        self.assertEqual(b["contacts"], [{"email": "habitat@saint-aubin-exemple.fr",
                                          "public": True}])
        self.assertEqual(b["purpose"], {"fr": "Traiter les demandes dans l'ordre fixé par le "
                                              "règlement."})
        self.assertEqual(b["risk_category"], "high")
        self.assertEqual(b["algorithm_type"], "rule_based")
        self.assertEqual(b["legal_basis"], ["Code de la construction et de l'habitation, "
                                            "L441-1"])
        self.assertEqual(b["recourse"], {"fr": "Recours gracieux auprès de la direction de "
                                               "l'habitat."})
        self.assertEqual(b["monitoring"], {"fr": "Revue trimestrielle."})
        self.assertEqual(b["public_register_url"],
                         "https://algorithmes.saint-aubin-exemple.fr/logement")
        self.assertEqual(b["keywords"], ["housing, living and living environment"])
        ext = b["extensions"]["algorithm-register"]
        self.assertEqual(ext["organization"], "Métropole de Saint-Aubin")
        self.assertEqual(ext["publication_date"], "2025-03-01")
        self.assertEqual(ext["standard_version"], "0.3.1")
        b2 = self.body("use_case/detection-des-nids-de-poule")
        self.assertNotIn("contacts", b2)
        self.assertEqual(b2["status"], "pilot")
        self.assertEqual(b2["risk_category"], "minimal")

    def test_csv_dutch_headers(self):
        src = self.write("register-nl.csv", CSV_NL)
        _, rep = self.drafts(src, self.path("nl"))
        self.assertEqual(rep["records"][0]["path"], "use_case/affectation-des-places-en-creche")
        issues = self.issues(rep)
        self.assertIn(("status", "cleaned", "\"beëindigd\" read as retired"), issues)
        self.assertIn(("algorithm_type", "cleaned", "\"hybride\" read as hybrid"), issues)
        self.publish_drafts(self.path("nl"))
        b = self.body("use_case/affectation-des-places-en-creche")
        self.assertEqual(b["department"], "Petite enfance")
        self.assertEqual(b["keywords"], ["crèche", "petite enfance", "affectation"])
        self.assertEqual(b["status"], "retired")

    def test_csv_1_0_titles_and_a_contact_page(self):
        src = self.write("register-1.0.csv", (
            "Naam;Organisatienaam;Thema;Status;Doel en impact;Contactgegevens;Risicobeheer;"
            "Versie publicatiestandaard;Bron-ID;Taal\n"
            "Planification des tournées de collecte;Ville de Saint-Aubin;Verkeer;In gebruik;"
            "Réduire les kilomètres parcourus.;https://www.saint-aubin-exemple.fr/contact;"
            "Une tournée oubliée : relecture par le chef d'équipe.;1.0;collecte-42;fra\n"))
        _, rep = self.drafts(src, self.path("v10"))
        self.assertEqual(rep["records"][0]["path"], "use_case/collecte-42")  # the source's id
        self.publish_drafts(self.path("v10"))
        b = self.body("use_case/collecte-42")
        self.assertEqual(b["status"], "production")
        self.assertEqual(b["purpose"], {"fr": "Réduire les kilomètres parcourus."})
        self.assertEqual(b["links"], [{"rel": "contact",
                                       "href": "https://www.saint-aubin-exemple.fr/contact"}])
        self.assertNotIn("contacts", b)
        self.assertEqual(b["keywords"], ["Verkeer"])
        self.assertEqual(b["risks"][0]["description"],
                         {"fr": "Une tournée oubliée : relecture par le chef d'équipe."})
        self.assertEqual(b["extensions"]["algorithm-register"],
                         {"organization": "Ville de Saint-Aubin", "standard_version": "1.0",
                          "source_id": "collecte-42"})

    def test_two_records_of_one_name_take_two_paths(self):
        src = self.write("doublon.json", json.dumps([
            {"name": "Tri du courrier", "lang": "fra", "standard_version": "0.3.1"},
            {"name": "Tri du courrier", "lang": "fra", "standard_version": "0.3.1"}]))
        _, rep = self.drafts(src, self.path("doublon"))
        self.assertEqual([r["path"] for r in rep["records"]],
                         ["use_case/tri-du-courrier", "use_case/tri-du-courrier-2"])
        self.assertIn(("path", "note", "use_case/tri-du-courrier is already the path of a record "
                       "read earlier in this import: this one takes "
                       "use_case/tri-du-courrier-2"),
                      self.issues(rep, 1))

    def test_0_2_json_type_is_the_algorithm_type(self):
        src = self.write("registre-0.2.json", json.dumps({
            "name": "Prévision de fréquentation des piscines", "schema": "0.2",
            "id": "piscines-2024", "type": "Zelflerend", "MPRD": False, "DPIA": True,
            "DPIA_description": "Analyse d'impact faite en 2024.", "status": "In gebruik",
            "contact_email": "mailto:sports@ville-exemple.fr", "lang": "fra",
            "description": "Le modèle prévoit la fréquentation&nbsp;du lendemain.",
            "revision_date": None}, ensure_ascii=False))
        _, rep = self.drafts(src, self.path("v02"))
        self.assertEqual(rep["records"][0]["path"], "use_case/piscines-2024")
        self.assertIn(("algorithm_type", "cleaned", "\"Zelflerend\" read as machine_learning"),
                      self.issues(rep))
        self.assertIn(("description.fr", "cleaned", "HTML entities replaced by their "
                       "characters"), self.issues(rep))
        self.publish_drafts(self.path("v02"))
        b = self.body("use_case/piscines-2024")
        self.assertEqual(b["algorithm_type"], "machine_learning")
        self.assertEqual(b["impact_assessments"], ["Analyse d'impact faite en 2024."])
        self.assertEqual(b["contacts"][0]["email"], "sports@ville-exemple.fr")
        self.assertEqual(b["extensions"]["algorithm-register"],
                         {"schema": "0.2", "id": "piscines-2024", "MPRD": False, "DPIA": True})

    def test_files_that_cannot_be_read(self):
        cases = {
            "syntaxe.json": ('[{"name": "Tri",\n "status": }]', "syntaxe.json:2"),
            "profond.json": ('[{"name": "Tri", "x": ' + "[" * 40 + "]" * 40 + "}]",
                             "nested more than 32 levels"),
            "autre.json": ('{"title": "Une fiche", "themes": ["donnees"]}',
                           "not an algorithm register"),
            "inegal.csv": ("name;status\nTri;In gebruik;en trop\n", "inegal.csv:2"),
            "guillemets.csv": ('name;status\n"Tri;In gebruik\n', "a quote opened and never closed"),
            "autre.csv": ("Nom;Prénom\nDupont;Jeanne\n", "not an algorithm register"),
            "latin1.json": (b'[{"name": "Pr\xe9vision"}]', "not valid UTF-8"),
        }
        for name, (text, want) in cases.items():
            with self.subTest(name=name):
                p = self.write(name, text)
                err = self.fails(self.dir, "import", "algorithm-register", p, "--out",
                                 self.path("out-" + name))
                self.assertIn(want, err)
                self.assertIn("nothing was written or published", err)
        self.assertEqual(self.js(self.dir, "list"), [])

    def test_round_trip_through_markdown(self):
        os.makedirs(self.path("src"))
        shutil.copy(os.path.join(DATA, "amsterdam-meldingen.v1.0.json"), self.path("src"))
        with open(self.path("src", "registre.csv"), "w", encoding="utf-8") as f:
            f.write(CSV_031)
        out = self.path("rt")
        _, rep = self.drafts(self.path("src"), out)
        self.assertEqual(len(rep["records"]), 3)
        self.publish_drafts(out)
        self.round_trip(3)


if __name__ == "__main__":
    harness.MAILLE = os.path.abspath(sys.argv[1])
    DATA = sys.argv[2]
    unittest.main(argv=[sys.argv[0], "-v"])
