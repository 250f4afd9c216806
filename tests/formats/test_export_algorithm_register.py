#!/usr/bin/env python3
"""`maille export --format algorithm-register`: use cases as an algorithm register of the
Eurocities / Dutch standard 0.3.1, CSV and JSON. Two records (Amsterdam's real record of the
Dutch register, standard 1.0; a French use case written for the tests, standard 0.3.1) imported,
completed, published, exported in both flavours; the CSV read by Python's csv module (a second
reader) with the attributes' ids as headers, the JSON checked against the standard's attribute
list and its enumerations; each file imported back gives the same records, field for field.

Usage: test_export_algorithm_register.py MAILLE_BINARY DATA_DIR SAMPLES_DIR"""
import csv
import io
import json
import os
import re
import sys
import unittest

import harness
import importcase
import test_import_algorithm_register as importer

DATA = None
SAMPLES = None

# The attributes of the standard 0.3.1 in its order, and the values of its enumerations
# (English; its domains aside), from _data/schema-v0_3_1.yaml of the Algoritmeregister/standard
# repository (which carries no licence file: the list is written here, not the file copied).
ATTRIBUTES = [
    "name", "description_short", "organization", "department", "contact_email",
    "contact_phone", "contact_name", "area", "domain", "website", "status", "remark",
    "decision_making_process", "goal", "impact", "risks", "risk_category", "proportionality",
    "lawful_basis", "documentation", "training_data", "source_data", "data_bias",
    "connected_data_sources", "DPIA_description", "DPIA_url", "algorithm_type", "description",
    "methods_and_models", "performance", "alternatives_considered", "product_information",
    "codebase_url", "product_page", "AIA_description", "AIA_url", "monitoring", "type",
    "human_intervention", "objection_procedure", "rollback", "standard_version", "uuid", "lang",
    "publication_date", "last_change_date", "revision_date", "revision_note", "keywords",
]
ENUMS = {
    "status": ["planned", "design", "development", "pilot", "evaluation", "operational",
               "retired"],
    "risk_category": ["minimal risk", "limited risk", "high risk", "unacceptable"],
    "algorithm_type": ["self-learning", "rule-based", "hybrid"],
    "type": ["descriptive", "diagnostic", "predictive", "prescriptive"],
}
URLS = ("website", "documentation", "DPIA_url", "product_information", "codebase_url",
        "product_page", "AIA_url")
DATES = ("publication_date", "last_change_date", "revision_date")
# The fields written as the register's texts: completed as a plain string (a person's way),
# one comes back in the record's language, the same text.
TEXTS = ("title", "summary", "description", "purpose", "decision_process", "human_oversight",
         "recourse", "model_description", "monitoring", "alternatives_considered", "rollback")

AMSTERDAM = "amsterdam-meldingen.v1.0.json"
FRENCH = "saint-aubin-stationnement.v0.3.1.json"
TITLES = {AMSTERDAM: {"nl": "Meldingen openbare ruimte"},
          FRENCH: {"fr": "Lecture automatique des plaques pour le contrôle du stationnement "
                         "payant"}}


class ExportAlgorithmRegister(importcase.ImportCase):
    FORMAT = "algorithm-register"

    @classmethod
    def setUpClass(cls):
        """One node for the suite: the two records imported, completed and published, then
        exported into a folder (both flavours)."""
        cls.begin("maille-export-algorithm-register-")
        cls.dir = cls.path("node")
        cls.ok(cls.dir, "init", "--name", "Métropole de Lyon", "--siren", "200046977",
               "--kind", "metropole")
        cls.published = {}
        for name in (AMSTERDAM, FRENCH):
            out = cls.path("drafts-" + name)
            rep = cls.js(cls.dir, "import", "algorithm-register", os.path.join(DATA, name),
                         "--out", out)
            cls.complete(out)
            path = rep["records"][0]["path"]
            cls.published[name] = cls.js(cls.dir, "show", path)["body"]
        cls.export = cls.path("export")
        cls.ok(cls.dir, "export", "--format", "algorithm-register", "--out", cls.export)
        cls.csv_file = os.path.join(cls.export, "algorithm-register.csv")
        cls.json_file = os.path.join(cls.export, "algorithm-register.json")

    @classmethod
    def tearDownClass(cls):
        cls.end()

    def setUp(self):
        pass

    def tearDown(self):
        pass

    @classmethod
    def complete(cls, out):
        """The drafts of out completed as test_import_algorithm_register does, and published."""
        case = importer.ImportAlgorithmRegister
        importcase.ImportCase.edit(cls, out, case.REQUIRED, case.NESTED)
        rep = cls.js(cls.dir, "import", "markdown", out)
        if rep["incomplete"]:
            raise AssertionError(rep)

    def by_title(self, records):
        """{source file: record} by the record's name."""
        out = {}
        for r in records:
            for name, title in TITLES.items():
                if r["name"] == next(iter(title.values())):
                    out[name] = r
        self.assertEqual(sorted(out), sorted(TITLES))
        return out

    def test_folder_has_both_flavours(self):
        self.assertEqual(sorted(os.listdir(self.export)),
                         ["algorithm-register.csv", "algorithm-register.json"])

    def test_csv_read_by_python_with_the_attributes_as_headers(self):
        with open(self.csv_file, "rb") as f:
            raw = f.read()
        self.assertTrue(raw.startswith(b"\xef\xbb\xbf"))  # what Excel needs for accents
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""),
                               delimiter=";", strict=True))
        self.assertEqual(rows[0], ATTRIBUTES)
        self.assertEqual(len(rows), 3)
        recs = self.by_title([dict(zip(rows[0], r)) for r in rows[1:]])
        fr, nl = recs[FRENCH], recs[AMSTERDAM]
        want = {"lang": "fr", "standard_version": "0.3.1", "status": "operational",
                "domain": "traffic and transportation",
                "keywords": "stationnement, lecture de plaques, contrôle",
                "contact_email": "stationnement@saint-aubin-des-pres.fr",
                "organization": "Ville de Saint-Aubin-des-Prés"}  # kept by the import
        self.assertEqual({k: fr[k] for k in want}, want)
        self.assertEqual((nl["lang"], nl["status"]), ("nl", "operational"))
        self.assertIn("\n\nQuand aucun droit", fr["description"])  # a quoted line break
        self.assertEqual(nl["organization"], "Métropole de Lyon")  # the territory
        # Maille's fields without an attribute are not invented into the register
        self.assertNotIn("Habitants.", raw.decode("utf-8-sig"))  # affected_public
        self.assertNotIn("transparence-algorithmes", raw.decode("utf-8-sig"))  # themes

    def test_json_holds_the_standard_s_attributes_only(self):
        with open(self.json_file, encoding="utf-8") as f:
            records = json.load(f)
        self.assertEqual(len(records), 2)
        for r in records:
            keys = list(r)
            self.assertTrue(set(keys) <= set(ATTRIBUTES), set(keys) - set(ATTRIBUTES))
            self.assertEqual(keys, sorted(keys, key=ATTRIBUTES.index))  # the standard's order
            self.assertEqual(r["standard_version"], "0.3.1")
            for k, v in r.items():
                self.assertIsInstance(v, str, k)
                if k in ENUMS:
                    self.assertIn(v, ENUMS[k], k)
                if k in URLS:
                    self.assertRegex(v, r"^https?://", k)
                if k in DATES:
                    self.assertRegex(v, r"^\d{4}-\d{2}-\d{2}$", k)
            self.assertRegex(r.get("contact_email", "a@b"), r"^[^@\s]+@[^@\s]+$")
        recs = self.by_title(records)
        fr = recs[FRENCH]
        self.assertEqual(fr["DPIA_url"],
                         "https://www.saint-aubin-des-pres.fr/stationnement/lapi/aipd.pdf")
        self.assertTrue(fr["AIA_description"].startswith("Grille d'évaluation"))
        self.assertEqual(fr["last_change_date"], "2025-06-16")  # kept
        self.assertEqual(fr["risk_category"], "limited risk")
        self.assertEqual(fr["algorithm_type"], "rule-based")
        self.assertNotIn("AIA_url", fr)  # nothing to say: left out, not null
        self.assertRegex(recs[AMSTERDAM]["last_change_date"], r"^20\d\d-")  # the version's

    def round_trip(self, src):
        """src imported back, completed the same way and published: the records the first
        import gave, field for field; in extensions only what the standard has."""
        out = self.path("back-" + os.path.basename(src))
        rep = self.js(self.dir, "import", "algorithm-register", src, "--out", out)
        paths = [r["path"] for r in rep["records"]]
        self.assertEqual(len(paths), 2)
        self.complete(out)
        back = {}
        for p in paths:
            b = self.body(p)
            for name, title in TITLES.items():
                if b["title"] == title:
                    back[name] = b
        self.assertEqual(sorted(back), sorted(TITLES))
        for name, before in self.published.items():
            after = dict(back[name])
            ext_after = after.pop("extensions")["algorithm-register"]
            before = dict(before)
            ext_before = before.pop("extensions")["algorithm-register"]
            for k in TEXTS:
                if isinstance(before.get(k), str):
                    before[k] = {before["lang"]: before[k]}
            self.maxDiff = None
            self.assertEqual(after, before, name)
            # the standard's attributes come back; the version is the export's; other keys
            # have no attribute in 0.3.1
            # (1.0's id, publication_category; its type, a yes or no, is not 0.3.1's)
            want = {k: v for k, v in ext_before.items()
                    if k in ATTRIBUTES and (k not in ENUMS or v in ENUMS[k])}
            want["standard_version"] = "0.3.1"
            want.setdefault("organization", "Métropole de Lyon")
            want.setdefault("last_change_date", ext_after.get("last_change_date"))
            self.assertEqual(ext_after, want, name)
        return back

    def test_round_trip_csv(self):
        self.round_trip(self.csv_file)

    def test_round_trip_json(self):
        self.round_trip(self.json_file)

    def test_one_flavour_by_extension_and_standard_output(self):
        one = self.path("registre.json")
        self.ok(self.dir, "export", "--format", "algorithm-register", "--out", one)
        with open(one, encoding="utf-8") as f:
            self.assertEqual(len(json.load(f)), 2)
        out = self.ok(self.dir, "export", "--format", "algorithm-register")
        self.assertTrue(out.startswith("\ufeffname;description_short;"))  # CSV first
        err = self.fails(self.dir, "export", "--format", "algorithm-register", "--type",
                         "component", rc=2)
        self.assertIn("holds records of type use_case only", err)

    def test_a_contact_not_public_and_a_type_the_standard_lacks_are_left_out(self):
        """A sample use case (generative AI) of another node, its one contact made private."""
        other = self.path("other")
        self.ok(other, "init", "--name", "Ville de Vanves", "--siren", "219200755",
                "--kind", "commune")
        with open(os.path.join(SAMPLES, "use-case-assistant-rh.md"), encoding="utf-8") as f:
            text = f.read()
        self.assertIn("algorithm_type: generative_ai", text)
        text, n = re.subn(r"(email: rh-innovation@exemple-metropole\.fr\n    public:) true",
                          r"\1 false", text)
        self.assertEqual(n, 1)
        self.ok(other, "publish", self.write("assistant-rh.md", text))
        out = self.path("other.json")
        self.ok(other, "export", "--format", "algorithm-register", "--out", out)
        with open(out, encoding="utf-8") as f:
            raw = f.read()
        [r] = json.loads(raw)
        self.assertEqual(r["name"], "Assistant conversationnel RH pour les agents")
        self.assertNotIn("rh-innovation", raw)
        for k in ("contact_email", "contact_name", "algorithm_type"):
            self.assertNotIn(k, r)
        self.assertEqual(r["organization"], "Ville de Vanves")


if __name__ == "__main__":
    harness.MAILLE = os.path.abspath(sys.argv[1])
    DATA = sys.argv[2]
    SAMPLES = sys.argv[3]
    unittest.main(argv=[sys.argv[0], "-v"])
