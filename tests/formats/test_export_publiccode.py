#!/usr/bin/env python3
"""`maille export --format publiccode`: the real publiccode.yml files of data/publiccode/
imported, their drafts completed and published, then exported: each file checked by a
validator written here (PyYAML and the rules of version 0.7 of the standard: required keys,
lengths, vocabularies, no key the standard does not know), imported back into the same
fields; a component the standard cannot describe whole listed with what it lacks and no file
written; usedBy naming exactly the territories whose REX names the component, never one that
only wrote a use case; components of another kind than software left out.

Usage: test_export_publiccode.py MAILLE_BINARY DATA_DIR SAMPLES_DIR

Three node directories in one federation: A (Métropole de Lyon) runs a daemon on 127.0.0.1 and
publishes the components, B (Ville de Grenoble) publishes a REX about one, C (Département de
l'Isère) a use case naming it; B and C `maille sync` with A. The daemon is stopped with SIGTERM
and must exit 0."""
import os
import re
import shutil
import sys
import unittest

import yaml

import harness
import importcase

DATA = None
SAMPLES = None
SIGNALEN = "component/signalen-frontend"

# ---- an independent validator: publiccode.yml 0.7 (docs/standard/schema.core.rst) --------

TOP_KEYS = {
    "publiccodeYmlVersion", "name", "applicationSuite", "url", "landingURL", "isBasedOn",
    "softwareVersion", "releaseDate", "logo", "monochromeLogo", "inputTypes", "outputTypes",
    "platforms", "categories", "usedBy", "fundedBy", "roadmap", "developmentStatus",
    "softwareType", "supports", "organisation", "intendedAudience", "description", "legal",
    "maintenance", "localisation", "dependsOn", "it", "IT",
}
REQUIRED = ["publiccodeYmlVersion", "name", "url", "platforms", "developmentStatus",
            "softwareType", "description", "legal", "maintenance", "localisation"]
LANG_KEYS = {"localisedName", "genericName", "shortDescription", "longDescription",
             "documentation", "apiDocumentation", "features", "screenshots", "videos", "awards"}
DEV_STATUS = {"concept", "development", "beta", "stable", "obsolete"}
SOFTWARE_TYPES = {"standalone/mobile", "standalone/iot", "standalone/desktop", "standalone/web",
                  "standalone/backend", "standalone/other", "addon", "library",
                  "configurationFiles"}
MAINTENANCE = {"internal", "contract", "community", "none"}
# docs/standard/categories-list.rst of version 0.7
CATEGORIES = set("""
accounting agile-project-management applicant-tracking application-development
appointment-scheduling backup billing-and-invoicing blog budgeting business-intelligence
business-process-management cad call-center-management cloud-management collaboration
communications compliance-management contact-management content-management crm
customer-service-and-support data-analytics data-collection data-visualization design
design-system digital-asset-management digital-citizenship document-management
donor-management e-commerce e-signature educational-content email-management email-marketing
employee-management enterprise-project-management enterprise-social-networking erp
event-management facility-management feedback-and-reviews-management financial-reporting
fleet-management fundraising gamification geographic-information-systems grant-management
graphic-design help-desk hr ide identity-management instant-messaging
integrated-library-system inventory-management it-asset-management it-development
it-management it-security it-service-management knowledge-management
learning-management-system marketing mind-mapping mobile-marketing mobile-payment
network-management office online-booking online-community payment-gateway payroll
predictive-analysis procurement productivity-suite project-collaboration project-management
property-management real-estate-management regulations-and-directives remote-support
resource-management sales-management seo service-desk social-media-management survey
talent-management task-management taxes-management test-management time-management
time-tracking translation video-conferencing video-editing visitor-management voip
warehouse-management web-collaboration web-conferencing website-builder whistleblowing
workflow-management other""".split())
# the SPDX ids these files use, as the SPDX list spells them
SPDX = {"Apache-2.0", "MPL-2.0", "AGPL-3.0-or-later", "EUPL-1.2", "MIT", "GPL-3.0-or-later"}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
URL = re.compile(r"^https?://[^\s/]+(/\S*)?$")
BCP47 = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def spdx_ok(expr):
    tokens = re.findall(r"\(|\)|[^\s()]+", expr)
    want_id, depth, after_with = True, 0, False
    for t in tokens:
        if t in ("AND", "OR", "WITH"):
            if want_id:
                return False
            want_id, after_with = True, t == "WITH"
        elif t == "(":
            if not want_id:
                return False
            depth += 1
        elif t == ")":
            if want_id or depth == 0:
                return False
            depth -= 1
        else:
            if not want_id or not (after_with or t in SPDX or t.startswith("LicenseRef-")):
                return False
            want_id, after_with = False, False
    return not want_id and depth == 0


def validate(doc):
    """What a publiccode.yml breaks of the standard's rules: a list of messages."""
    errs = []

    def need(cond, msg):
        if not cond:
            errs.append(msg)

    if not isinstance(doc, dict):
        return ["not a mapping"]
    for k in REQUIRED:
        need(k in doc, f"{k} missing")
    for k in doc:
        need(k in TOP_KEYS, f"unknown key {k}")
    need(doc.get("publiccodeYmlVersion") == "0.7", "publiccodeYmlVersion")
    need(isinstance(doc.get("name"), str) and doc["name"], "name")
    need(isinstance(doc.get("url"), str) and URL.match(doc["url"]), "url")
    if "landingURL" in doc:
        need(URL.match(str(doc["landingURL"])), "landingURL")
    if "releaseDate" in doc:
        need(isinstance(doc["releaseDate"], str) and DATE.match(doc["releaseDate"]),
             "releaseDate is not a YYYY-MM-DD string")
    if "softwareVersion" in doc:
        need(isinstance(doc["softwareVersion"], str), "softwareVersion is not a string")
    p = doc.get("platforms")
    need(isinstance(p, list) and p and all(isinstance(x, str) for x in p), "platforms")
    for c in doc.get("categories", []):
        need(c in CATEGORIES, f"category {c}")
    need(all(isinstance(u, str) for u in doc.get("usedBy", [])), "usedBy")
    for f in doc.get("fundedBy", []):
        need(isinstance(f, dict) and f.get("name") and URL.match(str(f.get("uri"))),
             "fundedBy")
    need(doc.get("developmentStatus") in DEV_STATUS, "developmentStatus")
    need(doc.get("softwareType") in SOFTWARE_TYPES, "softwareType")
    desc = doc.get("description")
    need(isinstance(desc, dict) and desc, "description")
    for lang, d in (desc or {}).items():
        need(BCP47.match(lang), f"description language {lang}")
        for k in d:
            need(k in LANG_KEYS, f"unknown key description.{lang}.{k}")
        s, l, f = d.get("shortDescription"), d.get("longDescription"), d.get("features")
        need(isinstance(s, str) and len(s) <= 150, f"description.{lang}.shortDescription")
        need(isinstance(l, str) and 150 <= len(l) <= 10000,
             f"description.{lang}.longDescription")
        need(isinstance(f, list) and f and all(isinstance(x, str) for x in f),
             f"description.{lang}.features")
        if "genericName" in d:
            need(len(d["genericName"]) <= 35, f"description.{lang}.genericName")
        for k in ("documentation", "apiDocumentation"):
            if k in d:
                need(URL.match(d[k]), f"description.{lang}.{k}")
    legal = doc.get("legal") or {}
    need(isinstance(legal.get("license"), str) and spdx_ok(legal["license"]), "legal.license")
    m = doc.get("maintenance") or {}
    need(m.get("type") in MAINTENANCE, "maintenance.type")
    if m.get("type") == "contract":
        need(m.get("contractors"), "maintenance.contractors")
    else:
        need("contractors" not in m, "maintenance.contractors outside a contract")
    if m.get("type") in ("internal", "community"):
        need(m.get("contacts"), "maintenance.contacts")
    for c in m.get("contacts", []):
        need(isinstance(c, dict) and isinstance(c.get("name"), str), "contact name")
    for c in m.get("contractors", []):
        need(isinstance(c, dict) and c.get("name") and isinstance(c.get("until"), str)
             and DATE.match(c["until"]), "contractor")
    loc = doc.get("localisation") or {}
    need(isinstance(loc.get("localisationReady"), bool), "localisation.localisationReady")
    al = loc.get("availableLanguages")
    need(isinstance(al, list) and al and all(BCP47.match(str(x)) for x in al),
         "localisation.availableLanguages")
    for kind, deps in (doc.get("dependsOn") or {}).items():
        need(kind in ("open", "proprietary", "hardware"), f"dependsOn.{kind}")
        for x in deps:
            need(isinstance(x, dict) and isinstance(x.get("name"), str) and x["name"],
                 "dependency name")
            for v in ("version", "versionMin", "versionMax"):
                need(v not in x or isinstance(x[v], str), f"dependency {v}")
    return errs


# ---- the fields the import maps, compared after the round trip -----------------------------

MAPPED = ["title", "summary", "description", "features", "keywords", "links", "lang",
          "component_kind", "licence", "repository_url", "landing_url", "version",
          "release_date", "development_status", "status", "software_type", "platforms",
          "maintenance", "dependencies", "funded_by", "relations"]

CATALA_EN = ("Catala is a domain-specific programming language designed for deriving "
             "correct-by-construction implementations from legislative texts, such as the "
             "computation of taxes and social benefits.")
CATALA_FR = ("Catala est un langage de programmation dédié à la traduction des textes "
             "législatifs en programmes corrects par construction, comme le calcul de "
             "l'impôt et des prestations sociales.")


class ExportPubliccode(harness.Case):
    @classmethod
    def setUpClass(cls):
        cls.begin("maille-export-publiccode-")
        # Lyon's node runs the federation's daemon; Grenoble and Isère join it
        cls.a, cls.b, cls.c = (cls.init(n, t, kind=k) for n, t, k in (
            ("a", "Métropole de Lyon", "metropole"), ("b", "Ville de Grenoble", "commune"),
            ("c", "Département de l'Isère", "departement")))
        cls.ok(cls.a, "federation", "new", "--name", "Réseau des communs numériques")
        cls.da = cls.daemon(cls.a, "--no-web")
        cls.ka = cls.key(cls.a)
        for joiner in (cls.b, cls.c):
            cls.js(joiner, "join", cls.js(cls.a, "invite")["token"])
        # A: the three real files imported, completed as a person would, published; a
        # dataset and the sample software component too
        drafts = cls.path("drafts")
        cls.js(cls.a, "import", "publiccode", DATA, "--out", drafts)
        edit(drafts, {"themes": "[logiciel-libre]", "status": "production",
                      "description": "Langage dédié."})
        rep = cls.js(cls.a, "import", "markdown", drafts)
        assert rep["incomplete"] == 0, rep
        for f in ("component-base-adresse-locale.md", "component-outil-transcription.md"):
            cls.ok(cls.a, "publish", os.path.join(SAMPLES, f))
        # B: a REX about Signalen, naming it in full; C: a use case naming it (not a REX)
        ref = f"{cls.ka}/{SIGNALEN}"
        cls.publish(cls.b, "rex.md", sample("rex-transcription-conseils.md", "about", ref,
                                            "rex/signalen-a-grenoble"))
        cls.publish(cls.c, "uc.md", sample("use-case-transcription-conseils.md", "components",
                                           ref, "use_case/signalements-isere"))
        for d in (cls.b, cls.c, cls.b):
            cls.ok(d, "sync", cls.da.addr)
        cls.out = cls.path("export")
        cls.rc, _, cls.err = cls.m(cls.a, "export", "--format", "publiccode", "--out", cls.out,
                                   "--all")

    @classmethod
    def tearDownClass(cls):
        cls.stop_daemons()
        cls.end()

    def load(self, name, out=None):
        with open(os.path.join(out or self.out, name), encoding="utf-8") as f:
            return yaml.safe_load(f)

    def test_files_are_valid(self):
        self.assertEqual(self.rc, 0, self.err)
        names = sorted(os.listdir(self.out))
        self.assertEqual(names, ["recommandations-collaboratives.publiccode.yml",
                                 "signalen-frontend.publiccode.yml"])
        for n in names:
            self.assertEqual(validate(self.load(n)), [], n)
        doc = self.load("signalen-frontend.publiccode.yml")
        self.assertEqual(doc["categories"], ["workflow-management", "task-management",
                                             "communications"])
        self.assertEqual(doc["description"]["nl"]["genericName"], "Signalen frontend")
        self.assertEqual(doc["dependsOn"]["open"][0], {"name": "nodeJS", "version": "16"})
        self.assertEqual(doc["legal"]["repoOwner"], "Gemeente Amsterdam")
        self.assertEqual(doc["localisation"], {"localisationReady": False,
                                               "availableLanguages": ["nl"]})
        self.assertIn("2 records exported (publiccode), 2 left out", self.err)

    def test_standard_output_and_the_validator(self):
        # without --out: one YAML document a component, the same as the files
        docs = list(yaml.safe_load_all(self.ok(self.a, "export", "--format", "publiccode",
                                               "--all")))
        names = [d["name"] for d in docs]
        # (Catala too once test_round_trip completed it)
        self.assertEqual(sorted(set(names) - {"Catala"}),
                         ["Recommandations Collaboratives", "Signalen frontend"])
        self.assertEqual(len(names), len(set(names)))
        for d in docs:
            self.assertEqual(validate(d), [], d["name"])
        # the validator refuses what the standard refuses
        doc = self.load("signalen-frontend.publiccode.yml")
        doc["description"]["nl"]["longDescription"] = "Te kort."
        doc["developmentStatus"] = "production"
        doc["categories"] = ["meldingen"]
        del doc["localisation"]
        self.assertEqual(validate(doc), ["localisation missing", "category meldingen",
                                         "developmentStatus",
                                         "description.nl.longDescription",
                                         "localisation.localisationReady",
                                         "localisation.availableLanguages"])

    def test_used_by_is_the_rex_territories_only(self):
        # this node sees both: the REX and the use case name the component
        users = self.js(self.a, "show", SIGNALEN)["cooperation"]["used_by"]
        self.assertEqual(sorted(u["type"] for u in users), ["rex", "use_case"])
        doc = self.load("signalen-frontend.publiccode.yml")
        # Grenoble's REX names it; Isère only wrote a use case; the source's own usedBy
        # (Gemeente Amsterdam...) is not what this node knows
        self.assertEqual(doc["usedBy"], ["Ville de Grenoble"])
        # without --all: the trusted territories (Grenoble is, vouched by Lyon)
        out = self.path("trusted")
        self.ok(self.a, "export", "--format", "publiccode", "--out", out)
        self.assertEqual(self.load("signalen-frontend.publiccode.yml", out)["usedBy"],
                         ["Ville de Grenoble"])
        recoco = self.load("recommandations-collaboratives.publiccode.yml")
        self.assertNotIn("usedBy", recoco)

    def test_incomplete_component_is_listed_not_written(self):
        self.assertFalse(any(n.startswith("catala") for n in os.listdir(self.out)))
        line = [x for x in self.err.splitlines() if "component/catala" in x]
        self.assertEqual(len(line), 1, self.err)
        for key in ("platforms (missing)", "localisation (missing)",
                    "description.fr.longDescription (under 150 characters)",
                    "description.en.longDescription (missing)",
                    "description.fr.features (missing)"):
            self.assertIn(key, line[0])
        # a component written in Maille: no localisation (no field of Maille's holds it,
        # extensions.publiccode.localisation does), maintenance without its contacts
        line = [x for x in self.err.splitlines() if "component/verbatim" in x]
        self.assertEqual(len(line), 1, self.err)
        self.assertIn("requires: maintenance.contacts (missing), localisation (missing)",
                      line[0])
        self.assertFalse(any(n.startswith("verbatim") for n in os.listdir(self.out)))
        # the dataset is not software: left out, not listed
        self.assertNotIn("base-adresse", self.err)
        rc, _, err = self.m(self.a, "export", "--format", "publiccode", "--out",
                            self.path("export-fr"), "--all", env={"LANG": "fr_FR.UTF-8"})
        self.assertEqual(rc, 0, err)
        self.assertIn("le standard publiccode.yml demande : platforms (absent)", err)

    def test_round_trip(self):
        """export -> import publiccode (a node of the same territory) -> publish: the same
        record for every mapped field; the keys kept under extensions.publiccode that the
        standard knows come back too."""
        # Catala completed: both languages' texts, platforms and its localisation
        catala = self.path("catala")
        shutil.copytree(self.path("drafts"), catala)
        for name in os.listdir(catala):
            if name != "catala.md":
                os.remove(os.path.join(catala, name))
        edit(catala, {}, [
            (r"^description: Langage dédié\.$",
             f"description:\n  fr: \"{CATALA_FR}\"\n  en: \"{CATALA_EN}\""),
            (r"^component_kind:", "platforms: [linux, mac, windows]\nfeatures:\n  fr: |-\n"
             "    - Traduction de la loi en code\n    - Compilation vers Python\n"
             "  en: \"- Law as code\"\ncomponent_kind:"),
            (r"^  publiccode:$", "  publiccode:\n    localisation:\n      localisationReady: "
             "false\n      availableLanguages: [en]"),
        ])
        self.ok(self.a, "import", "markdown", catala)
        out = self.path("export2")
        self.ok(self.a, "export", "--format", "publiccode", "--out", out, "--mine")
        self.assertEqual(validate(self.load("catala.publiccode.yml", out)), [])
        self.assertNotIn("creationDate", self.load("catala.publiccode.yml", out))
        other = self.path("same")
        self.ok(other, "init", "--name", "Métropole de Lyon", "--siren", "200046977",
                "--kind", "metropole")
        back = self.path("back")
        self.js(other, "import", "publiccode", out, "--out", back)
        edit(back, {"themes": "[logiciel-libre]"})
        rep = self.js(other, "import", "markdown", back)
        self.assertEqual(rep["incomplete"], 0, rep)
        for p in ("component/catala", SIGNALEN, "component/recommandations-collaboratives"):
            a = self.js(self.a, "show", p)["body"]
            b = self.js(other, "show", p)["body"]
            for k in MAPPED:
                if k == "development_status" and k not in a:
                    # derived from status (production: stable), which it reads back the same
                    self.assertEqual(b[k], "stable")
                    continue
                self.assertEqual(a.get(k), b.get(k), f"{p}: {k}")
            ea, eb = a["extensions"]["publiccode"], b["extensions"]["publiccode"]
            for k in ("publiccodeYmlVersion", "usedBy", "creationDate"):
                ea.pop(k, None)
                eb.pop(k, None)
            self.assertEqual(ea, eb, p)


def edit(out, fields, more=()):
    importcase.ImportCase.edit(None, out, fields, more)


def sample(name, key, ref, path):
    """A sample record of tools/samples at path, its list key naming ref only."""
    with open(os.path.join(SAMPLES, name), encoding="utf-8") as f:
        t = f.read()
    t = re.sub(r"^path: .*$", f"path: {path}", t, count=1, flags=re.M)
    t = re.sub(r"^%s:\n(  - .*\n)+" % key, f"{key}:\n  - {ref}\n", t, count=1, flags=re.M)
    return re.sub(r"^relations:\n(  .*\n)+", "", t, flags=re.M)


if __name__ == "__main__":
    harness.MAILLE = os.path.abspath(sys.argv[1])
    DATA, SAMPLES = sys.argv[2], sys.argv[3]
    unittest.main(argv=[sys.argv[0], "-v"])
