#!/usr/bin/env python3
"""`maille import dcat`: DCAT catalogues into dataset and api components, end to end with the
maille binary. On data.gouv.fr's RDF/XML of a commune's catalogue (data/dcat/vanves.dcat.rdf.xml,
see data/README.md) and on small fictional catalogues in Turtle, JSON-LD (DCAT-AP 3 and DCAT-US
1.1 contexts) and DCAT-US JSON: the mapped fields checked one by one against the source, the
issues expected; damaged files (an undeclared prefix, a cycle of blank nodes, an external
entity, an unknown context, deep nesting, Latin-1) refused whole with file and line; a
completed draft published, and the round trip through `export --format markdown`.

Usage: test_import_dcat.py MAILLE_BINARY DATA_DIR"""
import json
import os
import re
import sys
import unittest

import yaml

import harness

DATA = None


def data(name):
    return os.path.join(DATA, name)


def front(path):
    """The front matter of a Markdown draft as a dict, and its text after the front matter."""
    text = harness.read_text(path)
    m = re.match(r"---\n(.*?)\n---\n?(.*)", text, re.S)
    assert m, text
    return yaml.safe_load(m.group(1)), m.group(2)


def fill(path, values):
    """Fills the empty required fields of a draft (`key:` lines) with values."""
    text = harness.read_text(path)
    for k, v in values.items():
        text, n = re.subn(rf"^{k}:\n", f"{k}: {v}\n", text, count=1, flags=re.M)
        assert n == 1, (k, text)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


class ImportDcat(harness.Case):
    def setUp(self):
        self.begin("maille-import-dcat-")
        self.dir = self.path("node")
        self.ok(self.dir, "init", "--name", "Communauté d'agglomération du Val de Bièvre",
                "--siren", "200046977", "--kind", "epci")

    def tearDown(self):
        self.end()

    def imp(self, src, out="drafts"):
        rc, stdout, err = self.m(self.dir, "import", "dcat", src, "--out", self.path(out))
        self.assertEqual(rc, 0, err)
        return err

    def draft(self, name, out="drafts"):
        return front(self.path(out, name))

    def refused(self, name, text):
        """A damaged file: exit 1, nothing written; stderr."""
        src = self.write(name, text)
        err = self.fails(self.dir, "import", "dcat", src, "--out", self.path("out"))
        self.assertIn("nothing was written or published", err)
        self.assertEqual(os.listdir(self.path("out")) if os.path.exists(self.path("out")) else [],
                         [])
        return err

    # ---- the real file: data.gouv.fr's RDF/XML ---------------------------------------------

    def test_vanves_datasets_and_their_distributions(self):
        err = self.imp(data("vanves.dcat.rdf.xml"))
        self.assertEqual(sorted(os.listdir(self.path("drafts"))),
                         ["bureau-de-vote-vanves.md", "explore-v2-1.md",
                          "vfe-public-219200755-20240506.md"])
        d, body = self.draft("bureau-de-vote-vanves.md")
        self.assertEqual(d["type"], "component")
        self.assertEqual(d["component_kind"], "dataset")
        self.assertEqual(d["path"], "component/bureau-de-vote-vanves")
        self.assertEqual(d["title"], "Bureaux de vote - Vanves")
        self.assertEqual(body.strip(), "La liste des 23 bureaux de vote à Vanves")
        self.assertEqual(d["keywords"],
                         ["administration-finances-publiques", "bureaux-de-vote", "elections"])
        self.assertEqual(d["release_date"], "2019-04-19")  # dct:modified
        self.assertEqual(d["department"], "Vanves")  # the publisher's vcard:fn
        self.assertEqual(d["identifiers"], [
            {"scheme": "other",
             "value": "https://vanves-seineouest.opendatasoft.com/explore/dataset/bureau-de-vote-vanves/",
             "url": "https://vanves-seineouest.opendatasoft.com/explore/dataset/bureau-de-vote-vanves/"},
            {"scheme": "datagouv", "value": "61892c9d076a4d62434a1318",
             "url": "https://www.data.gouv.fr/datasets/61892c9d076a4d62434a1318/"}])
        # the four distributions in the file's order, dcat:accessURL as access_url, dct:format,
        # no licence ("License Not Specified")
        self.assertEqual([(x["access_url"], x["format"]) for x in d["distributions"]], [
            ("https://www.data.gouv.fr/datasets/r/5dd4e0b2-4d96-4f36-b73e-b78ec993703c", "csv"),
            ("https://www.data.gouv.fr/datasets/r/0f80d285-72f8-49f8-a691-1dad6bd2f6db", "json"),
            ("https://www.data.gouv.fr/datasets/r/d78d1245-6e8e-44d8-88cd-87b1dd66034f", "json"),
            ("https://www.data.gouv.fr/datasets/r/b18fb2bd-6c8b-47a8-84fb-cdc8e29f4f1a", "zip")])
        self.assertTrue(all("licence" not in x for x in d["distributions"]))
        self.assertIsNone(d["licence"])  # present and empty, to complete
        ext = d["extensions"]["dcat"]
        self.assertEqual(ext["distributions"][0]["dcat:downloadURL"],
                         "https://vanves-seineouest.opendatasoft.com/api/explore/v2.1/catalog/"
                         "datasets/bureau-de-vote-vanves/exports/csv?use_labels=true")
        self.assertEqual(ext["distributions"][3]["dct:title"], "bureau-de-vote-vanves.zip")
        self.assertEqual(ext["distributions"][0]["dcat:mediaType"], "text/csv")
        self.assertEqual(ext["dct:issued"], "2019-04-19T12:21:56")
        self.assertEqual(ext["dct:publisher"],  # its name is the department
                         "https://www.data.gouv.fr/api/1/contacts/67b7c3b0e2714e0e9de260a3/")
        self.assertEqual(ext["geodcatap:distributor"],
                         "https://www.data.gouv.fr/organizations/54884a24c751df7226a3fc16/")
        self.assertIsNone(d["themes"])  # DCAT has no Maille theme: to choose
        # the issues, named by record and field
        where = "vanves.dcat.rdf.xml, dcat:Dataset <https://vanves-seineouest.opendatasoft.com/explore/dataset/bureau-de-vote-vanves/>"
        self.assertIn(where + ": distributions[].licence: the source says the licence is not "
                      "specified (\"License Not Specified\"): to write", err)
        self.assertIn(where + ": release_date: \"2019-04-19T12:21:56\" read as 2019-04-19", err)
        self.assertEqual(err.count(where + ": distributions[].licence"), 1)

        d2, _ = self.draft("vfe-public-219200755-20240506.md")
        self.assertEqual(len(d2["distributions"]), 2)
        self.assertEqual(d2["identifiers"][1]["value"], "66397176ff2a31840e29304c")

    def test_vanves_data_service_is_an_api(self):
        self.imp(data("vanves.dcat.rdf.xml"))
        d, body = self.draft("explore-v2-1.md")
        self.assertEqual(d["component_kind"], "api")
        self.assertEqual(d["path"], "component/explore-v2-1")
        self.assertEqual(d["title"], "Explore API v2 https://vanves-seineouest.opendatasoft.com")
        self.assertEqual(d["links"], [
            {"rel": "endpoint", "href": "https://vanves-seineouest.opendatasoft.com/api/explore/v2.1/"},
            {"rel": "describedby",
             "href": "https://vanves-seineouest.opendatasoft.com/api/explore/v2.1/swagger.json"}])
        # the datasets it serves, by the paths their drafts take
        self.assertEqual(d["relations"], [
            {"rel": "uses", "target": "component/vfe-public-219200755-20240506"},
            {"rel": "uses", "target": "component/bureau-de-vote-vanves"}])
        self.assertEqual(d["landing_url"],
                         "https://vanves-seineouest.opendatasoft.com/api/explore/v2.1/console")
        self.assertEqual(d["release_date"], "2024-07-12")
        self.assertNotIn("distributions", d)
        self.assertIsNone(d["description"])  # an empty dct:description is no description

    # ---- Turtle, JSON-LD, DCAT-US JSON -------------------------------------------------------

    def test_turtle(self):
        err = self.imp(data("bievre-mobilites.ttl"))
        d, body = self.draft("stationnements-velos-bievre.md")
        self.assertEqual(d["path"], "component/stationnements-velos-bievre")  # dct:identifier
        self.assertEqual(d["title"], {"fr": "Stationnements vélos du Val de Bièvre",
                                      "en": "Bicycle parking in Val de Bièvre"})
        self.assertIn("mis à jour chaque trimestre", body)
        # keywords, and a theme's label (DCAT's themes are never Maille's themes)
        self.assertEqual(d["keywords"], ["vélo", "stationnement", "mobilités douces",
                                         "Déplacements"])
        self.assertIsNone(d["themes"])
        self.assertEqual(d["extensions"]["dcat"]["dcat:theme"],
                         "http://publications.europa.eu/resource/authority/data-theme/TRAN")
        self.assertEqual(d["licence"], "etalab-2.0")  # Etalab's page → SPDX
        self.assertEqual(d["lang"], "fr")  # the EU's FRA
        self.assertEqual(d["department"], "Communauté d'agglomération du Val de Bièvre")
        self.assertEqual(d["contacts"], [{"name": "Service mobilités",
                                          "email": "mobilites@agglo-bievre-exemple.fr",
                                          "public": True}])
        self.assertIn("contacts[].public: address published by the catalogue", err)
        self.assertEqual(d["landing_url"],
                         "https://data.agglo-bievre-exemple.fr/jeux/stationnements-velos/presentation")
        self.assertEqual(d["release_date"], "2024-09-30")
        self.assertEqual(d["extensions"]["dcat"]["dct:issued"], "2021-03-15")
        self.assertEqual(d["distributions"], [
            {"access_url": "https://data.agglo-bievre-exemple.fr/jeux/stationnements-velos/csv",
             "format": "CSV", "licence": "etalab-2.0"},
            {"access_url": "https://geo.agglo-bievre-exemple.fr/wfs?SERVICE=WFS&REQUEST=GetCapabilities",
             "format": "WFS", "licence": "ODbL-1.0"}])
        dx = d["extensions"]["dcat"]["distributions"]
        self.assertEqual(dx[0]["dcat:byteSize"], 48213)
        self.assertEqual(dx[1]["dcat:accessService"], "https://data.agglo-bievre-exemple.fr/api/velos")
        # a blank node kept whole, as a map
        self.assertEqual(d["extensions"]["dcat"]["dct:spatial"]["skos:prefLabel"], "Val de Bièvre")
        a, body = self.draft("api-velos.md")
        self.assertEqual(a["component_kind"], "api")
        self.assertEqual(a["licence"], "etalab-2.0")
        self.assertEqual(a["relations"], [{"rel": "uses",
                                           "target": "component/stationnements-velos-bievre"}])

    def test_jsonld_dcat_ap_3(self):
        err = self.imp(data("rennes-exemple-dcat-ap3.jsonld"))
        d, body = self.draft("qualite-air-stations.md")
        self.assertEqual(d["title"], "Qualité de l'air : mesures horaires des stations")
        self.assertEqual(body.strip().splitlines()[-1], "Données validées chaque mois.")
        self.assertEqual(d["keywords"], ["qualité de l'air", "pollution", "environnement"])
        self.assertEqual(d["department"], "Métropole Exemple — Direction de l'environnement")
        self.assertEqual(d["contacts"][0]["email"], "observatoire-air@metropole-exemple.fr")
        self.assertEqual(d["contacts"][0]["name"], "Observatoire de l'air")
        self.assertIn({"scheme": "datagouv", "value": "5d0a1b2c3d4e5f6a7b8c9d0e",
                       "url": "https://www.data.gouv.fr/datasets/5d0a1b2c3d4e5f6a7b8c9d0e/"},
                      d["identifiers"])
        self.assertEqual(d["release_date"], "2025-01-31")
        self.assertEqual(d["extensions"]["dcat"]["releaseDate"], "2019-06-01")
        self.assertEqual(d["distributions"], [
            {"access_url": "https://donnees.metropole-exemple.fr/jeux/qualite-air/telecharger",
             "format": "CSV", "licence": "etalab-2.0"}])
        # the dataset names no licence, its one distribution does
        self.assertEqual(d["licence"], "etalab-2.0")
        self.assertIn("licence: the dataset's licence taken from its distributions (etalab-2.0)",
                      err)
        a, _ = self.draft("api-air.md")
        self.assertEqual(a["links"][0], {"rel": "endpoint",
                                         "href": "https://donnees.metropole-exemple.fr/api/air/v2"})
        self.assertEqual(a["relations"], [{"rel": "uses", "target": "component/qualite-air-stations"}])

    def test_jsonld_dcat_us(self):
        err = self.imp(data("nantes-exemple-dcat-us.jsonld"))
        d, body = self.draft("arbres-alignement.md")
        self.assertEqual(d["title"], "Arbres d'alignement")
        self.assertEqual(d["licence"], "ODbL-1.0")
        self.assertEqual(d["department"], "Ville Exemple")
        self.assertEqual(d["contacts"][0], {"name": "Direction des espaces verts",
                                            "email": "espaces-verts@ville-exemple.fr",
                                            "public": True})
        self.assertEqual(d["keywords"], ["arbres", "patrimoine végétal", "voirie", "Environnement"])
        self.assertEqual(d["release_date"], "2024-11-04")
        self.assertIn("release_date: \"2024-11-04T08:15:00+01:00\" read as 2024-11-04", err)
        self.assertEqual([x["access_url"] for x in d["distributions"]], [
            "https://data.ville-exemple.fr/explore/dataset/arbres-alignement/download?format=csv",
            "https://data.ville-exemple.fr/api/explore/v2.1/catalog/datasets/arbres-alignement/records"])
        self.assertEqual([x["licence"] for x in d["distributions"]], ["ODbL-1.0", "ODbL-1.0"])
        self.assertIn("distributions[].licence: distribution with no licence: the dataset's "
                      "(ODbL-1.0)", err)
        # DCAT-US's own keys kept as the source wrote them
        self.assertEqual(d["extensions"]["dcat"]["accessLevel"], "public")
        self.assertEqual(d["extensions"]["dcat"]["spatial"], "47.18,-1.64,47.30,-1.47")

    def test_dcat_us_json_of_a_french_portal(self):
        err = self.imp(data("lorient-exemple.data.json"))
        d, body = self.draft("horaires-decheteries.md")
        self.assertEqual(d["title"], "Horaires des déchèteries")
        self.assertEqual(body.strip(), "Jours et heures d'ouverture des déchèteries du territoire.")
        self.assertIn("description: HTML tags removed", err)
        self.assertEqual(d["licence"], "etalab-2.0")
        self.assertEqual(d["identifiers"], [{"scheme": "other", "value": "horaires-decheteries"}])
        # an address that is not one: reported, the contact point kept under extensions
        self.assertIn("contacts[].email: \"dechets(at)agglo-exemple.fr\" is not an e-mail "
                      "address: left out", err)
        self.assertNotIn("contacts", d)
        self.assertEqual(d["extensions"]["dcat"]["contactPoint"]["hasEmail"],
                         "mailto:dechets(at)agglo-exemple.fr")
        self.assertEqual([x["format"] for x in d["distributions"]], ["csv", "API"])
        v, _ = self.draft("points-apport-verre.md")
        self.assertEqual(v["keywords"], ["verre"])
        self.assertEqual(v["release_date"], "2025-01-12")
        self.assertIsNone(v["licence"])
        self.assertIn("licence: the source says the licence "
                      "is not specified (\"License Not Specified\")", err)

    def test_data_gouv_dataset_address_and_standard_input(self):
        rdf = ('<?xml version="1.0" encoding="UTF-8"?>\n'
               '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
               'xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/">\n'
               '  <dcat:Dataset rdf:about="https://www.data.gouv.fr/datasets/5e1f2a3b4c5d6e7f8a9b0c1d/">\n'
               '    <dct:title xml:lang="fr-FR">Budget primitif 2025</dct:title>\n'
               '    <dct:license>lov2</dct:license>\n'
               '  </dcat:Dataset>\n</rdf:RDF>\n')
        rc, out, err = self.m(self.dir, "import", "dcat", "-", "--out", self.path("drafts"),
                              input_text=rdf)
        self.assertEqual(rc, 0, err)
        d, _ = self.draft("5e1f2a3b4c5d6e7f8a9b0c1d.md")
        self.assertEqual(d["path"], "component/5e1f2a3b4c5d6e7f8a9b0c1d")
        self.assertEqual(d["identifiers"], [
            {"scheme": "datagouv", "value": "5e1f2a3b4c5d6e7f8a9b0c1d",
             "url": "https://www.data.gouv.fr/datasets/5e1f2a3b4c5d6e7f8a9b0c1d/"}])
        self.assertEqual(d["title"], "Budget primitif 2025")  # fr-FR's: French, the default
        self.assertEqual(d["licence"], "etalab-2.0")  # data.gouv.fr's id of Licence Ouverte 2.0
        # the standard input is named in words, not "-", in the draft (and the messages)
        self.assertIn("(standard input)", harness.read_text(self.path("drafts", "5e1f2a3b4c5d6e7f8a9b0c1d.md")))

    def test_inline_context_with_dcat_us_definitions(self):
        src = self.write("en-ligne.jsonld", json.dumps({
            "@context": {"dcat": "http://www.w3.org/ns/dcat#", "dc": "http://purl.org/dc/terms/",
                         "title": "dc:title", "keyword": {"@id": "dcat:keyword"}},
            "@type": "dcat:Dataset", "title": "Comptages routiers", "keyword": ["trafic"],
            "dc:identifier": "comptages-routiers"}))
        self.imp(src)
        d, _ = self.draft("comptages-routiers.md")
        self.assertEqual((d["title"], d["keywords"]), ("Comptages routiers", ["trafic"]))

    # ---- damaged files ----------------------------------------------------------------------

    def test_undeclared_prefix_is_a_file_error_with_its_line(self):
        err = self.refused("sans-prefixe.ttl",
                           "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n\n"
                           "<https://exemple.fr/jeu> a dcat:Dataset ;\n"
                           "    dct:title \"Sans préfixe\" .\n")
        self.assertIn("sans-prefixe.ttl:4: the prefix of \"dct:title\" is not declared (@prefix)",
                      err)

    def test_turtle_syntax_error_has_its_line(self):
        err = self.refused("syntaxe.ttl", "@prefix dct: <http://purl.org/dc/terms/> .\n"
                                          "<https://exemple.fr/a> dct:title \"x\" ;\n"
                                          "  dct:title \"y\" ,, .\n")
        self.assertIn("syntaxe.ttl:3: unreadable Turtle", err)

    def test_graph_block_is_a_file_error(self):
        # a TriG graph block is not Turtle; raptor2 2.0.15 crashes on one named by an empty
        # IRI ("<>{"), so the reader refuses braces before raptor reads the file; braces
        # inside strings, IRIs' neighbours and comments stay readable
        err = self.refused("graphe.ttl", "<https://exemple.fr/a> <https://exemple.fr/b> \"c\" .\n<>{")
        self.assertIn("graphe.ttl:2: unreadable Turtle: a brace outside a string", err)
        self.write("accolades.ttl", "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n"
                                    "@prefix dct: <http://purl.org/dc/terms/> .\n"
                                    "# un commentaire { avec accolades }\n"
                                    "<https://exemple.fr/jeux/json> a dcat:Dataset ;\n"
                                    "  dct:title \"Schéma {JSON}\"@fr ;\n"
                                    "  dct:description \"\"\"Sur deux lignes\n{ \\\" } fin\"\"\" .\n")
        rc, out, err = self.m(self.dir, "import", "dcat", self.path("accolades.ttl"), "--dry-run")
        self.assertIn("1 record read", out, err)

    def test_cycle_of_blank_nodes_ends_with_an_issue(self):
        self.write("cycle.ttl", "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n"
                                "@prefix dct: <http://purl.org/dc/terms/> .\n"
                                "<https://exemple.fr/jeux/cycle> a dcat:Dataset ; dct:title \"Cycle\" ;\n"
                                "  dct:spatial _:a .\n"
                                "_:a dct:isPartOf _:b .\n_:b dct:isPartOf _:a .\n")
        err = self.imp(self.path("cycle.ttl"))
        self.assertIn("blank nodes that refer to each other (a cycle): the cycle is cut", err)
        d, _ = self.draft("jeux-cycle.md")
        self.assertEqual(d["extensions"]["dcat"]["dct:spatial"], {"dct:isPartOf": {}})

    def test_external_entity_is_not_read(self):
        secret = self.write("secret.txt", "contenu-confidentiel-7f3a\n")
        self.write("xxe.rdf",
                   '<?xml version="1.0" encoding="UTF-8"?>\n'
                   f'<!DOCTYPE rdf:RDF [ <!ENTITY s SYSTEM "file://{secret}"> ]>\n'
                   '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                   'xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/">\n'
                   '  <dcat:Dataset rdf:about="https://exemple.fr/jeux/xxe">\n'
                   '    <dct:title>Titre &s;</dct:title>\n'
                   '  </dcat:Dataset>\n</rdf:RDF>\n')
        rc, out, err = self.m(self.dir, "import", "dcat", self.path("xxe.rdf"), "--out",
                              self.path("drafts"))
        self.assertIn(rc, (0, 1))
        self.assertNotIn("contenu-confidentiel", out + err)
        for name in os.listdir(self.path("drafts")) if os.path.isdir(self.path("drafts")) else []:
            self.assertNotIn("contenu-confidentiel", harness.read_text(self.path("drafts", name)))
        d, _ = self.draft("jeux-xxe.md")
        self.assertEqual(d["title"], "Titre")

    def test_entity_bomb_is_refused(self):
        ents = ['<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">']
        for p, c in zip("bcdefgh", "abcdefg"):
            ents.append(f'<!ENTITY {p} "{("&" + c + ";") * 20}">')
        err = self.refused("bombe.rdf",
                           '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(ents) +
                           '\n]>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                           'xmlns:dct="http://purl.org/dc/terms/">\n'
                           '<rdf:Description rdf:about="https://exemple.fr/a"><dct:title>&h;'
                           '</dct:title></rdf:Description></rdf:RDF>\n')
        self.assertIn("bombe.rdf:", err)
        self.assertIn("unreadable RDF/XML", err)

    def test_unknown_context_is_refused_by_name(self):
        err = self.refused("schema.jsonld", '{"@context": "https://schema.org/", '
                                            '"@type": "Dataset", "name": "Arbres"}')
        self.assertIn("schema.jsonld: @context: unknown JSON-LD context: https://schema.org/", err)
        # an inline context of prefixes is known only when they are those of a built-in one
        # (Maille's own export's: dct is Dublin Core there, not another vocabulary)
        err = self.refused("local.jsonld", '{"@context": {"dct": "http://example.org/dc#"}, '
                                           '"@type": "http://www.w3.org/ns/dcat#Dataset", '
                                           '"dct:title": "Arbres"}')
        self.assertIn("unknown JSON-LD context: inline context, term \"dct\"", err)
        # in French
        env = harness.env_with({"LANG": "fr_FR.UTF-8"})
        rc, out, err = harness.run("--dir", self.dir, "import", "dcat", self.path("schema.jsonld"),
                                   env=env)
        self.assertEqual(rc, 1)
        self.assertIn("contexte JSON-LD inconnu : https://schema.org/", err)

    def test_deep_nesting_and_json_syntax(self):
        deep = {"a": "x"}
        for _ in range(40):
            deep = {"a": deep}
        err = self.refused("profond.json", json.dumps({"dataset": [{"title": "x", "spatial": deep}]}))
        self.assertIn("profond.json: JSON nested deeper than 32 levels", err)
        err = self.refused("casse.json", '{"dataset": [\n  {"title": "x",}\n]}')
        self.assertIn("casse.json:2: unreadable JSON", err)
        err = self.refused("autre.json", '{"records": []}')
        self.assertIn("neither DCAT JSON-LD", err)

    def test_latin1_and_no_dataset(self):
        err = self.refused("latin1.rdf",
                           b'<?xml version="1.0" encoding="ISO-8859-1"?>\n'
                           b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
                           b'<rdf:Description rdf:about="https://exemple.fr/a"/>\n'
                           b'<!-- D\xe9chets -->\n</rdf:RDF>\n')
        self.assertIn("latin1.rdf:4: bytes that are not UTF-8", err)
        err = self.refused("vide.ttl", "@prefix dct: <http://purl.org/dc/terms/> .\n"
                                       "<https://exemple.fr/a> dct:title \"Pas un jeu\" .\n")
        self.assertIn("no dcat:Dataset nor dcat:DataService", err)

    def test_lists_are_bounded(self):
        words = ", ".join(f'"mot {i}"' for i in range(1200))
        self.write("mots.ttl", "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n"
                               "@prefix dct: <http://purl.org/dc/terms/> .\n"
                               "<https://exemple.fr/jeux/mots-cles> a dcat:Dataset ;\n"
                               f"  dct:title \"Mots\" ; dcat:keyword {words} .\n")
        err = self.imp(self.path("mots.ttl"))
        self.assertEqual(err.count("keywords: more than 1000 values: the next ones are left out"), 1)
        d, _ = self.draft("mots-cles.md")
        self.assertEqual(len(d["keywords"]), 1000)
        self.assertEqual(d["keywords"][-1], "mot 999")

    # ---- publishing and the round trip -------------------------------------------------------

    def test_completed_drafts_publish_and_round_trip(self):
        self.imp(data("bievre-mobilites.ttl"))
        fill(self.path("drafts", "stationnements-velos-bievre.md"),
             {"summary": "Arceaux et abris vélos de l'agglomération.", "themes": "[donnees]",
              "status": "production"})
        fill(self.path("drafts", "api-velos.md"),
             {"summary": "API des stationnements et comptages vélos.", "themes": "[donnees]",
              "status": "production"})
        out = self.js(self.dir, "import", "markdown", self.path("drafts"))
        self.assertEqual((out["published"], out["incomplete"]), (2, 0))
        rec = json.loads(self.ok(self.dir, "show", "component/stationnements-velos-bievre", "--json"))
        body = rec.get("body", rec)
        self.assertEqual(body["distributions"][1]["licence"], "ODbL-1.0")
        self.assertEqual(body["contacts"][0]["email"], "mobilites@agglo-bievre-exemple.fr")
        # export → import gives the same records
        before = self.bodies()
        self.ok(self.dir, "export", "--format", "markdown", "--out", self.path("export"))
        out = self.js(self.dir, "import", "markdown", self.path("export"))
        self.assertEqual(out["published"], 2)
        self.assertEqual(self.bodies(), before)

    def test_dcat_round_trip(self):
        """import dcat → complete → publish → export --format dcat (Turtle and JSON-LD) →
        import dcat gives the same drafts: every field DCAT carries, the same paths."""
        self.imp(data("bievre-mobilites.ttl"), out="first")
        names = sorted(os.listdir(self.path("first")))
        self.assertEqual(len(names), 2)
        for name in names:
            fill(self.path("first", name), {"summary": "Les vélos de l'agglomération.",
                                            "themes": "[donnees]", "status": "production"})
        out = self.js(self.dir, "import", "markdown", self.path("first"))
        self.assertEqual(out["incomplete"], 0, out)
        before = self.bodies()
        self.ok(self.dir, "export", "--format", "dcat", "--mine", "--out", self.path("cat"))
        # DCAT carries neither Maille's themes nor its status; the rest comes back
        kept = lambda b: {k: v for k, v in b.items()
                          if k not in ("themes", "status", "extensions", "territories")}
        for flavour in ("catalog.ttl", "catalog.jsonld"):
            with self.subTest(flavour=flavour):
                again = "again-" + flavour
                self.imp(self.path("cat", flavour), out=again)
                got = {}
                for name in os.listdir(self.path(again)):
                    fm, text = front(self.path(again, name))
                    if text.strip() and not fm.get("description"):
                        fm["description"] = text.strip()
                    got[fm["path"]] = fm
                self.assertEqual(sorted(got), sorted(before))
                for path, body in before.items():
                    g = {k: v for k, v in got[path].items() if v is not None and k != "path"}
                    g.setdefault("lang", "fr")
                    g.setdefault("content_licence", "etalab-2.0")
                    if isinstance(g.get("title"), str):
                        g["title"] = {"fr": g["title"]}
                    for k in ("summary", "description"):
                        if isinstance(g.get(k), str):
                            g[k] = {"fr": g[k]}
                    want = kept(body)
                    want["description"] = {k: v.strip() for k, v in want["description"].items()}
                    self.maxDiff = None
                    self.assertEqual(kept(g), want, path)

    def bodies(self):
        """The decoded bodies of this territory's components, by path."""
        dump = json.loads(self.ok(self.dir, "export"))
        entries = dump["entries"] if isinstance(dump, dict) else dump
        return {e["path"]: e["body"] for e in entries
                if e.get("path", "").startswith("component/") and e.get("body")}


if __name__ == "__main__":
    harness.MAILLE = os.path.abspath(sys.argv[1])
    DATA = sys.argv[2]
    unittest.main(argv=[sys.argv[0], "-v"])
