#!/usr/bin/env python3
"""`maille import publiccode`: the real publiccode.yml files of data/publiccode/ (versions 0.2
and "0") read into software component drafts, each mapped field checked against the source;
damaged files (an alias, two documents, bad UTF-8, nesting, not a publiccode.yml) refused
whole with the file and the line; damage inside a file reported per field; a completed draft
published, and the round trip through `export --format markdown` and `import markdown`.

Usage: test_import_publiccode.py MAILLE_BINARY DATA_DIR"""
import os
import shutil
import sys
import unittest

import harness
import importcase

DATA = None

# A publiccode.yml of a fictional commune, with the damage the field shows: a licence id in
# lower case, a deprecated SPDX id in the expression, HTML in the long description, an
# e-mail that is not one, an unquoted date, deprecated and country keys.
PORTAIL = """\
# Fichier publiccode.yml du portail famille
publiccodeYmlVersion: "0.3"
name: Portail Famille
url: https://forge.saint-aubin-exemple.fr/numerique/portail-famille
landingURL: https://famille.saint-aubin-exemple.fr
softwareVersion: 2.4
releaseDate: 2025-09-15
isBasedOn: https://forge.exemple-mutualisation.fr/socle/portail
platforms: [web, android]
categories: [e-government, appointment-scheduling]
developmentStatus: stable
softwareType: standalone/web
organisation:
  uri: https://www.saint-aubin-exemple.fr
description:
  fr:
    genericName: Portail citoyen
    shortDescription: Inscriptions à la cantine, au périscolaire et aux crèches en ligne.
    longDescription: >-
      <p>Le portail permet aux familles de <b>réserver</b> les repas&nbsp;et les
      activités.</p><p>Il est relié au logiciel de facturation.</p>
    features:
      - Réservation des repas
      - Paiement en ligne
    documentation: https://doc.saint-aubin-exemple.fr/portail
    screenshots: [img/accueil.png]
legal:
  license: agpl-3.0 OR mit
  mainCopyrightOwner: Ville de Saint-Aubin-sur-Loire
maintenance:
  type: internal
  contacts:
    - name: Service numérique
      email: numerique(at)saint-aubin-exemple.fr
      phone: "+33 2 00 00 00 00"
    - name: Direction des systèmes d'information
      email: dsi@saint-aubin-exemple.fr
localisation:
  localisationReady: true
  availableLanguages: [fr]
dependsOn:
  open:
    - name: PostgreSQL
      versionMin: "13"
    - name: Redis
      optional: true
fundedBy:
  - name: Ville de Saint-Aubin-sur-Loire
it:
  conforme:
    gdpr: true
"""


class ImportPubliccode(importcase.ImportCase):
    FORMAT = "publiccode"

    def data(self, name):
        return os.path.join(DATA, name)

    def publish_drafts(self, out, **fields):
        fields.setdefault("themes", "[logiciel-libre]")
        self.edit(out, fields)
        return self.publish_folder(out)

    def imported(self, name, path, **fields):
        """The real file name imported, its one draft at path completed and published: the
        record's body, and the import's report."""
        out = self.path(name)
        texts, rep = self.drafts(self.data(name), out)
        self.assertEqual(list(texts), [path])
        self.publish_drafts(out, **fields)
        return self.body(path), rep

    def test_signalen_0_2_dutch_deprecated_keys(self):
        b, rep = self.imported("signalen-frontend.publiccode.yml", "component/signalen-frontend")
        self.assertEqual(b["component_kind"], "software")
        self.assertEqual(b["title"], {"nl": "Signalen frontend"})
        self.assertEqual(b["lang"], "nl")
        self.assertTrue(b["summary"]["nl"].startswith("Signalen is een open source proces-"))
        self.assertIn("300.000 meldingen", b["description"]["nl"])
        self.assertEqual(b["features"]["nl"], "- Meldingen classificeren\n- Meldingen routeren\n"
                         "- Meldingen behandelen\n- Rapporteren")
        self.assertEqual(b["repository_url"], "https://github.com/Amsterdam/signals-frontend")
        self.assertEqual(b["landing_url"], "https://signalen.org/")
        self.assertEqual(b["version"], "v1.49.0")
        self.assertEqual(b["release_date"], "2021-05-20")
        self.assertEqual(b["development_status"], "stable")
        self.assertEqual(b["status"], "production")
        self.assertEqual(b["software_type"], "standalone/web")
        self.assertEqual(b["platforms"], ["web"])
        self.assertEqual(b["licence"], "MPL-2.0")
        # categories and the deprecated genericName are keywords
        self.assertEqual(b["keywords"], ["workflow-management", "task-management",
                                         "communications", "Signalen frontend"])
        self.assertEqual(b["maintenance"]["type"], "community")
        self.assertEqual([c["email"] for c in b["maintenance"]["contacts"]],
                         ["a.vansomeren@s-hertogenbosch.nl", "r.van.sprang@amsterdam.nl"])
        self.assertEqual(b["dependencies"]["open"], ["nodeJS 16", "npm 7.10.0",
                                                     "signalen/frontend",
                                                     "signalen/classification",
                                                     "signalen/backend"])
        self.assertEqual(b["links"], [{"rel": "documentation",
                                       "href": "https://docs.signalen.org/"}])
        ext = b["extensions"]["publiccode"]
        self.assertEqual(ext["usedBy"], ["Gemeente Amsterdam", "Gemeente 's-Hertogenbosch"])
        self.assertEqual(ext["legal"]["repoOwner"], "Gemeente Amsterdam")
        self.assertEqual(ext["legal"]["mainCopyrightOwner"], "Signalen")
        self.assertEqual(ext["localisation"]["availableLanguages"], ["nl"])
        self.assertEqual(ext["publiccodeYmlVersion"], "0.2")
        self.assertIn(("status", "cleaned", "\"stable\" read as production"), self.issues(rep))

    def test_catala_two_languages_lower_case_licence(self):
        out = self.path("catala")
        texts, rep = self.drafts(self.data("catala.publiccode.yml"), out)
        text = texts["component/catala"]
        # what a publiccode.yml never has stays empty, commented, never invented
        self.assertRegex(text, r"# À compléter \(obligatoire\) : Thèmes.*\n(# .*\n)*themes:\n")
        self.assertRegex(text, r"\nstatus:\n")
        issues = self.issues(rep)
        self.assertIn(("licence", "cleaned", "\"apache-2.0\" read as Apache-2.0"), issues)
        self.assertIn(("platforms", "note", "the file lacks the key \"platforms\" the "
                       "publiccode.yml standard requires"), issues)
        self.assertIn(("description", "note", "the file lacks the key "
                       "\"description.fr.longDescription\" the publiccode.yml standard "
                       "requires"), issues)
        self.publish_drafts(out, status="production", description="Langage dédié.")
        b = self.body("component/catala")
        self.assertEqual(b["title"], {"fr": "Catala"})
        self.assertEqual(b["lang"], "fr")
        self.assertEqual(set(b["summary"]), {"fr", "en"})
        self.assertTrue(b["summary"]["en"].startswith("Domain-specific programming language"))
        self.assertEqual(b["licence"], "Apache-2.0")
        self.assertEqual(b["software_type"], "standalone/other")
        self.assertEqual(b["funded_by"], [
            "Institut National de Recherche en Informatique et en Automatique (INRIA) "
            "(https://team.inria.fr/prosecco/)"])
        self.assertEqual(b["links"][0]["rel"], "roadmap")
        ext = b["extensions"]["publiccode"]
        self.assertEqual(ext["usedBy"], ["Direction Générale des Finances Publiques (DGFiP)"])
        self.assertEqual(ext["creationDate"], "2020-04-17")
        self.assertEqual(ext["logo"], "https://github.com/CatalaLang.png")
        self.assertNotIn("platforms", b)

    def test_recoco_version_0_contractors_unquoted_date(self):
        b, _ = self.imported("recoco.publiccode.yml", "component/recommandations-collaboratives")
        self.assertEqual(b["licence"], "AGPL-3.0-or-later")
        self.assertEqual(b["status"], "pilot")
        self.assertEqual(b["development_status"], "beta")
        self.assertEqual(b["maintenance"]["type"], "contract")
        c = b["maintenance"]["contractors"][0]
        self.assertEqual(c["until"], "2026-12-31")  # an unquoted YAML date, kept as the date
        self.assertEqual(c["email"], "recommandations-collaboratives@beta.gouv.fr")
        self.assertEqual(b["release_date"], "2026-04-24")
        self.assertEqual(b["features"], {"fr": "- conseiller les collectivités"})
        self.assertEqual(sorted(l["rel"] for l in b["links"]),
                         ["api-documentation", "documentation"])
        self.assertEqual(b["keywords"], ["digital-citizenship"])
        self.assertEqual(b["extensions"]["publiccode"]["publiccodeYmlVersion"], "0")

    def test_damage_inside_a_file_is_reported_per_field(self):
        os.makedirs(self.path("portail"))
        src = self.write("portail/publiccode.yml", PORTAIL)
        out = self.path("portail-drafts")
        texts, rep = self.drafts(src, out)
        issues = self.issues(rep)
        self.assertIn(("maintenance.contacts[0].email", "dropped",
                       "\"numerique(at)saint-aubin-exemple.fr\" is not an e-mail address: "
                       "left out"), issues)
        self.assertIn(("description.fr", "cleaned",
                       "HTML tags removed: the text is kept without its formatting"), issues)
        self.assertIn(("licence", "cleaned", "\"agpl-3.0 OR mit\" is a deprecated SPDX "
                       "identifier: read as AGPL-3.0-only OR MIT"), issues)
        # the draft's header lists the issues in French
        text = texts["component/portail-famille"]
        self.assertIn("maintenance.contacts[0].email : « numerique(at)"
                      "saint-aubin-exemple.fr » n'est pas une adresse e-mail", text)
        self.publish_drafts(out)
        b = self.body("component/portail-famille")
        self.assertEqual(b["description"]["fr"], "Le portail permet aux familles de réserver "
                         "les repas\u00a0et les activités.\n\nIl est relié au logiciel de "
                         "facturation.")
        self.assertEqual(b["licence"], "AGPL-3.0-only OR MIT")
        self.assertEqual(b["version"], "2.4")  # an unquoted number is the version's text
        self.assertEqual(b["release_date"], "2025-09-15")
        self.assertEqual(b["maintenance"]["contacts"],
                         [{"name": "Service numérique", "phone": "+33 2 00 00 00 00"},
                          {"name": "Direction des systèmes d'information",
                           "email": "dsi@saint-aubin-exemple.fr"}])
        self.assertEqual(b["dependencies"]["open"], ["PostgreSQL >= 13", "Redis (optional)"])
        self.assertEqual(b["relations"], [{"rel": "based_on",
                                           "target": "https://forge.exemple-mutualisation.fr/"
                                                     "socle/portail"}])
        self.assertEqual(b["keywords"], ["e-government", "appointment-scheduling",
                                         "Portail citoyen"])
        self.assertEqual(b["platforms"], ["web", "android"])
        self.assertEqual(b["funded_by"], ["Ville de Saint-Aubin-sur-Loire"])
        ext = b["extensions"]["publiccode"]
        self.assertEqual(ext["organisation"], {"uri": "https://www.saint-aubin-exemple.fr"})
        self.assertEqual(ext["it"], {"conforme": {"gdpr": True}})
        self.assertEqual(ext["description"], {"fr": {"screenshots": ["img/accueil.png"]}})
        self.assertEqual(ext["legal"], {"mainCopyrightOwner": "Ville de Saint-Aubin-sur-Loire"})

    def test_code_gouv_variant_imports_with_what_is_missing(self):
        src = self.write("gouv.publiccode.yml", """\
publiccodeYmlVersion: '0'
name: Annuaire des services
url: https://git.exemple-departement.fr/annuaire
legal:
  license: EUPL-1.2
maintenance:
  type: Interne
description:
  fr:
    shortDescription: Annuaire des services du département.
""")
        texts, rep = self.drafts(src, self.path("gouv"))
        issues = self.issues(rep)
        for key in ("platforms", "developmentStatus", "softwareType", "localisation"):
            self.assertIn((key, "note", "the file lacks the key \"%s\" the publiccode.yml "
                           "standard requires" % key), issues)
        self.assertIn(("description", "note", "the file lacks the key "
                       "\"description.fr.longDescription\" the publiccode.yml standard "
                       "requires"), issues)
        self.assertIn(("maintenance.type", "cleaned", "\"Interne\" read as internal"), issues)
        self.assertEqual(rep["records"][0]["path"], "component/annuaire-des-services")

    def test_unknown_licence_and_status_are_reported(self):
        src = self.write("x.publiccode.yml", """\
publiccodeYmlVersion: "0.7"
name: Outil de tri
url: ssh://git@forge.exemple.fr/tri.git
developmentStatus: en cours
legal:
  license: Licence maison
description:
  fr:
    shortDescription: "Tri du courrier \ufffd l'arrivée."
""")
        texts, rep = self.drafts(src, self.path("x"))
        issues = self.issues(rep)
        self.assertIn(("licence", "note", "\"Licence\" is not a known SPDX identifier: kept "
                       "as written, to check"), issues)
        self.assertIn(("repository_url", "dropped", "\"ssh://git@forge.exemple.fr/tri.git\" is "
                       "not a web address (http or https): left out"), issues)
        self.assertIn(("development_status", "note", "\"en cours\" is not a value of the "
                       "publiccode.yml standard: kept, to check"), issues)
        self.assertTrue(any(f == "status" and k == "dropped" for f, k, _ in issues), issues)
        self.assertTrue(any(f == "summary.fr" and "replacement character" in m
                            for f, _, m in issues), issues)

    def test_files_that_cannot_be_read(self):
        cases = {
            "alias.yml": ("publiccodeYmlVersion: '0.2'\nname: &n Outil\nurl: *n\n", 2),
            "deux.yml": ("publiccodeYmlVersion: '0.2'\nname: Outil\n---\nname: Autre\n", 3),
            "syntaxe.yml": ("publiccodeYmlVersion: '0.2'\nname: [Outil\nurl: x\n", 0),
            "pas-publiccode.yml": ("title: Une fiche\nthemes: [donnees]\n", 1),
            "utf8.yml": (b"publiccodeYmlVersion: '0.2'\nname: Caf\xe9\n", 2),
            "profond.yml": ("publiccodeYmlVersion: '0.2'\nx: " + "[" * 40 + "]" * 40 + "\n", 2),
        }
        for name, (text, line) in cases.items():
            with self.subTest(name=name):
                p = self.write(name, text)
                err = self.fails(self.dir, "import", "publiccode", p, "--out",
                                 self.path("out-" + name))
                self.assertIn("nothing was written or published", err)
                self.assertIn(name + (":%d" % line if line else ""), err)
                self.assertFalse(os.path.exists(self.path("out-" + name)) and
                                 os.listdir(self.path("out-" + name)))
        err = self.fails(self.dir, "import", "publiccode", self.path("pas-publiccode.yml"))
        self.assertIn("not a publiccode.yml", err)
        err = self.fails(self.dir, "import", "publiccode", self.path("alias.yml"))
        self.assertIn("alias", err.lower())
        self.assertEqual(self.js(self.dir, "list"), [])

    def test_round_trip_through_markdown(self):
        out = self.path("rt")
        os.makedirs(self.path("src"))
        for name in os.listdir(DATA):
            shutil.copy(self.data(name), self.path("src", name))
        texts, rep = self.drafts(self.path("src"), out)
        self.assertEqual(len(texts), 3)
        self.publish_drafts(out, status="production", description="Texte de présentation.")
        self.round_trip(3)


if __name__ == "__main__":
    harness.MAILLE = os.path.abspath(sys.argv[1])
    DATA = sys.argv[2]
    unittest.main(argv=[sys.argv[0], "-v"])
