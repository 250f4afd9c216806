#!/usr/bin/env python3
"""`maille export --format dcat`: the catalogue as DCAT-AP 3, read back by a second reader
(raptor2's `rapper` for Turtle; the JSON-LD expanded here and compared with the Turtle, triple
for triple), with the mandatory properties of DCAT-AP 3 on every catalogue, dataset,
distribution, data service and agent, and what the DCAT-AP 3 SHACL shapes check of the rest
(classes of objects, controlled vocabularies, cardinalities, dates); only public contacts;
each record's territory as its publisher; the filters (--type, --mine); a file replaced
whole.

Usage: test_export_dcat.py MAILLE_BINARY SAMPLES_DIR"""
import json
import os
import re
import subprocess
import sys
import unittest
import urllib.error
import urllib.request

import harness
from importcase import samples_copy

SAMPLES = None
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
VCARD = "http://www.w3.org/2006/vcard/ns#"

# DCAT-AP 3.0 mandatory properties, by class
MANDATORY = {
    DCAT + "Catalog": [DCT + "title", DCT + "description", DCT + "publisher"],
    DCAT + "Dataset": [DCT + "title", DCT + "description"],
    DCAT + "Distribution": [DCAT + "accessURL"],
    DCAT + "DataService": [DCT + "title", DCAT + "endpointURL"],
    FOAF + "Agent": [FOAF + "name"],
}

RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ADMS = "http://www.w3.org/ns/adms#"
XSD = "http://www.w3.org/2001/XMLSchema#"
EU = "http://publications.europa.eu/resource/authority/"

# What the DCAT-AP 3.0.0 SHACL shapes check of the properties the export writes, in Python so
# that the suite needs no SHACL validator: the class of each object (range.ttl, and the
# template dcat-ap-SHACL.ttl for the addresses), which a validator knows only from the
# graph's own rdf:type triples; the properties at most once (shapes.ttl); the temporal
# datatypes (shapes.ttl's DateOrDateTimeDataType_Shape).
RANGE = {
    DCAT + "Catalog": {DCT + "publisher": FOAF + "Agent", FOAF + "homepage": FOAF + "Document",
                       DCAT + "dataset": DCAT + "Dataset", DCAT + "service": DCAT + "DataService"},
    DCAT + "Dataset": {DCT + "publisher": FOAF + "Agent", DCT + "creator": FOAF + "Agent",
                       DCAT + "contactPoint": VCARD + "Kind",
                       DCAT + "distribution": DCAT + "Distribution",
                       DCAT + "landingPage": FOAF + "Document",
                       DCT + "language": DCT + "LinguisticSystem",
                       ADMS + "identifier": ADMS + "Identifier"},
    DCAT + "DataService": {DCT + "publisher": FOAF + "Agent", DCT + "creator": FOAF + "Agent",
                           DCAT + "contactPoint": VCARD + "Kind",
                           DCAT + "landingPage": FOAF + "Document",
                           DCT + "language": DCT + "LinguisticSystem",
                           DCT + "license": DCT + "LicenseDocument",
                           DCAT + "servesDataset": DCAT + "Dataset",
                           DCAT + "endpointURL": RDFS + "Resource"},
    DCAT + "Distribution": {DCT + "format": DCT + "MediaTypeOrExtent",
                            DCT + "license": DCT + "LicenseDocument",
                            DCAT + "accessURL": RDFS + "Resource"},
}
AT_MOST_ONCE = {
    DCAT + "Catalog": [DCT + "publisher", DCT + "modified", DCT + "issued", FOAF + "homepage"],
    DCAT + "Dataset": [DCT + "publisher", DCT + "modified", DCT + "issued"],
    DCAT + "DataService": [DCT + "publisher", DCT + "license"],
    DCAT + "Distribution": [DCT + "format", DCT + "license", DCT + "modified", DCT + "issued"],
}
TEMPORAL = {XSD + "date": r"\d{4}-\d{2}-\d{2}",
            XSD + "dateTime": r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})"}

NT_TERM = r'(<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@[A-Za-z-]+|\^\^<[^>]*>)?)'
NT_LINE = re.compile(r'^' + NT_TERM + r' ' + NT_TERM + r' ' + NT_TERM + r' \.$')


def nt_unescape(s):
    return re.sub(r'\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})|\\(.)',
                  lambda m: chr(int(m.group(1) or m.group(2), 16)) if (m.group(1) or m.group(2))
                  else {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}[m.group(3)], s)


def nt_term(t, labels=False):
    """A term of N-Triples as ("iri", v) / ("blank",) (with labels: ("blank", "_:label")) /
    ("lit", text, lang, datatype)."""
    if t.startswith("<"):
        return ("iri", t[1:-1])
    if t.startswith("_:"):
        return ("blank", t) if labels else ("blank",)
    m = re.match(r'^"((?:[^"\\]|\\.)*)"(?:@([A-Za-z-]+)|\^\^<([^>]*)>)?$', t)
    return ("lit", nt_unescape(m.group(1)), m.group(2), m.group(3))


def turtle_triples(path, labels=False):
    """The triples of a Turtle file as rapper (raptor2's own tool, not Maille) reads them; the
    subjects kept whole (blank nodes by their label), for the class checks; the blank objects
    too with labels."""
    p = subprocess.run(["rapper", "-q", "-i", "turtle", "-o", "ntriples", path],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise AssertionError(f"rapper refused {path}: {p.stderr}")
    out = []
    for line in p.stdout.splitlines():
        m = NT_LINE.match(line)
        if not m:
            raise AssertionError(f"not N-Triples: {line}")
        out.append((m.group(1), m.group(2)[1:-1], nt_term(m.group(3), labels)))
    return out


def jsonld_triples(path):
    """The triples of our JSON-LD (a @context of prefixes, a @graph of nodes whose values are
    {"@id"} or {"@value", "@language"|"@type"}), expanded by hand."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    ctx = doc["@context"]

    def expand(name):
        p, _, local = name.partition(":")
        return ctx[p] + local if p in ctx and not local.startswith("//") else name

    out = []
    for node in doc["@graph"]:
        s = node["@id"] if node["@id"].startswith("_:") else "<" + node["@id"] + ">"
        for t in node.get("@type", []):
            out.append((s, RDF_TYPE, ("iri", expand(t))))
        for k, vals in node.items():
            if k.startswith("@"):
                continue
            for v in vals:
                if "@id" in v:
                    o = ("blank",) if v["@id"].startswith("_:") else ("iri", v["@id"])
                else:
                    dt = v.get("@type")
                    o = ("lit", v["@value"], v.get("@language"), expand(dt) if dt else None)
                out.append((s, expand(k), o))
    return out


def anonymous(triples):
    """The triples with blank subjects made anonymous: a multiset to compare graphs."""
    return sorted((("_" if s.startswith("_:") else s), p, o) for s, p, o in triples)


class ExportDcat(harness.Case):
    @classmethod
    def setUpClass(cls):
        cls.begin("maille-export-dcat-")
        cls.dir = cls.path("node")
        cls.ok(cls.dir, "init", "--name", "Métropole de Lyon", "--siren", "200046977",
               "--kind", "metropole")
        src = samples_copy(SAMPLES, cls.path("samples"))
        # a component whose contact is not public, and an API without an address
        cls.write("samples/zz-prive.md", PRIVATE)
        cls.write("samples/zz-api.md", API_WITHOUT_ADDRESS)
        cls.ok(cls.dir, "import", "markdown", src)
        cls.records = cls.js(cls.dir, "list")
        cls.ok(cls.dir, "export", "--format", "dcat", "--out", cls.path("cat"),
               "--base-url", "http://127.0.0.1:8080")
        cls.ttl = turtle_triples(cls.path("cat", "catalog.ttl"))

    @classmethod
    def tearDownClass(cls):
        cls.end()

    def subjects_of(self, triples, cls_iri):
        return {s for s, p, o in triples if p == RDF_TYPE and o == ("iri", cls_iri)}

    def test_mandatory_properties(self):
        for cls_iri, props in MANDATORY.items():
            subjects = self.subjects_of(self.ttl, cls_iri)
            self.assertTrue(subjects, cls_iri)
            for s in subjects:
                have = {p for s2, p, _ in self.ttl if s2 == s}
                for p in props:
                    self.assertIn(p, have, f"{s} ({cls_iri}) lacks {p}")

    def test_objects_have_the_class_the_shapes_require(self):
        """range.ttl: a validator knows an object's class only from the graph, so each object
        of a ranged property is a node (never a literal) typed there."""
        ttl = turtle_triples(self.path("cat", "catalog.ttl"), labels=True)
        types = {}
        for s, p, o in ttl:
            if p == RDF_TYPE:
                types.setdefault(s, set()).add(o[1])
        checked = set()
        for cls_iri, ranges in RANGE.items():
            for s in self.subjects_of(ttl, cls_iri):
                for s2, p, o in ttl:
                    if s2 != s or p not in ranges:
                        continue
                    self.assertNotEqual(o[0], "lit", f"{s} {p}: a literal, not a node")
                    node = "<" + o[1] + ">" if o[0] == "iri" else o[1]
                    self.assertIn(ranges[p], types.get(node, set()), f"{s} {p} {node}")
                    checked.add(p)
        # the properties that carried literals or untyped addresses before are all there
        for p in (DCT + "format", DCT + "language", DCT + "license", DCAT + "landingPage",
                  FOAF + "homepage", DCAT + "accessURL", DCAT + "endpointURL"):
            self.assertIn(p, checked)

    def test_controlled_vocabularies(self):
        """mdr-vocabularies.shape.ttl: dct:language a concept of the EU language authority;
        a known dct:format one of the EU file types, an unknown one a labelled node."""
        in_scheme = {(s, o[1]) for s, p, o in self.ttl if p == SKOS + "inScheme"}
        langs = {o[1] for s, p, o in self.ttl if p == DCT + "language"}
        self.assertEqual(langs, {EU + "language/FRA"})
        self.assertIn(("<" + EU + "language/FRA>", EU + "language"), in_scheme)
        formats = [o for s, p, o in self.ttl if p == DCT + "format"]
        self.assertIn(("iri", EU + "file-type/CSV"), formats)
        self.assertIn(("iri", EU + "file-type/GEOJSON"), formats)
        for f in formats:
            if f[0] == "iri":
                self.assertIn(("<" + f[1] + ">", EU + "file-type"), in_scheme)
        labels = [o[1] for s, p, o in self.ttl if p == RDFS + "label"]
        self.assertIn("Tableur maison", labels)
        mails = [o for s, p, o in self.ttl if p == VCARD + "hasEmail"]
        self.assertTrue(mails)
        for o in mails:
            self.assertEqual(o[0], "iri")
            self.assertTrue(o[1].startswith("mailto:"), o)

    def test_cardinalities_and_dates(self):
        for cls_iri, props in AT_MOST_ONCE.items():
            for s in self.subjects_of(self.ttl, cls_iri):
                for p in props:
                    n = len([1 for s2, p2, _ in self.ttl if s2 == s and p2 == p])
                    self.assertLessEqual(n, 1, f"{s} ({cls_iri}) has {n} {p}")
        dates = [o for s, p, o in self.ttl if p in (DCT + "modified", DCT + "issued")]
        self.assertTrue([o for o in dates if o[3] == XSD + "date"])
        for o in dates:
            self.assertEqual(o[0], "lit")
            self.assertIn(o[3], TEMPORAL, o)
            self.assertRegex(o[1], "^" + TEMPORAL[o[3]] + "$")

    def test_one_resource_per_record(self):
        datasets = self.subjects_of(self.ttl, DCAT + "Dataset")
        services = self.subjects_of(self.ttl, DCAT + "DataService")
        # every record but the API without an address
        self.assertEqual(len(datasets) + len(services), len(self.records) - 1)
        self.assertEqual(len(services), 1)
        ids = {o[1] for s, p, o in self.ttl if p == DCT + "identifier" and s in datasets}
        for r in self.records:
            if r["path"] != "component/api-sans-adresse":
                self.assertIn(f"urn:maille:{r['author']}/{r['path']}", ids | {
                    o[1] for s, p, o in self.ttl if p == DCT + "identifier" and s in services})
        # the catalogue names them all
        cat = self.subjects_of(self.ttl, DCAT + "Catalog").pop()
        listed = {"<" + o[1] + ">" for s, p, o in self.ttl
                  if s == cat and p in (DCAT + "dataset", DCAT + "service")}
        self.assertEqual(listed, datasets | services)

    def test_dataset_distributions_and_publisher(self):
        base = "http://127.0.0.1:8080/entry/component/base-adresse-locale-de-la-metropole"
        ds = [s for s in self.subjects_of(self.ttl, DCAT + "Dataset") if s.startswith("<" + base)]
        self.assertEqual(len(ds), 1)
        ds = ds[0]
        titles = [o for s, p, o in self.ttl if s == ds and p == DCT + "title"]
        self.assertEqual(titles, [("lit", "Base adresse locale de la Métropole", "fr", None)])
        dists = [o for s, p, o in self.ttl if s == ds and p == DCAT + "distribution"]
        # its own distributions (the sample has two); its page is its IRI, not a distribution
        self.assertEqual(len(dists), 2)
        self.assertEqual(len([1 for s, p, o in self.ttl if p == DCAT + "accessURL"
                              and o[1].endswith("/bal.csv")]), 1)
        pub = [o for s, p, o in self.ttl if s == ds and p == DCT + "publisher"]
        self.assertEqual(len(pub), 1)
        agent = "<" + pub[0][1] + ">"
        names = [o[1] for s, p, o in self.ttl if s == agent and p == FOAF + "name"]
        self.assertEqual(names, ["Métropole de Lyon"])
        sirens = [o[1] for s, p, o in self.ttl if s == agent and p == DCT + "identifier"]
        self.assertEqual(sirens, ["200046977"])

    def test_only_public_contacts(self):
        mails = {o[1] for s, p, o in self.ttl if p == VCARD + "hasEmail"}
        self.assertIn("mailto:sig@exemple-metropole.fr", mails)
        self.assertNotIn("mailto:agent.prive@exemple-metropole.fr", mails)
        with open(self.path("cat", "catalog.jsonld"), encoding="utf-8") as f:
            self.assertNotIn("agent.prive@", f.read())

    def test_jsonld_is_the_same_graph(self):
        self.assertEqual(anonymous(jsonld_triples(self.path("cat", "catalog.jsonld"))),
                         anonymous(self.ttl))

    def test_skipped_api_is_said(self):
        rc, _, err = self.m(self.dir, "export", "--format", "dcat", "--out", self.path("x.ttl"))
        self.assertEqual(rc, 0, err)
        self.assertIn("component/api-sans-adresse: not exported: API without an address", err)
        self.assertIn("left out", err)

    def test_web_catalogue_serves_the_same_catalogue(self):
        """/catalog.ttl and /catalog.jsonld of the node's web catalogue: the CLI's export with
        the web catalogue's own address in the links, the catalogue page's filters."""
        self.ok(self.dir, "federation", "new", "--name", "Coalition IA responsable (tests)")
        d = self.daemon(self.dir, web="127.0.0.1:0")
        try:
            base = f"http://127.0.0.1:{d.port}"
            with urllib.request.urlopen(base + "/catalog.ttl", timeout=30) as resp:
                self.assertTrue(resp.headers["Content-Type"].startswith("text/turtle"))
                served = self.write("served.ttl", resp.read())
            with urllib.request.urlopen(base + "/catalog.jsonld", timeout=30) as resp:
                self.assertTrue(resp.headers["Content-Type"].startswith("application/ld+json"))
                jsonld = self.write("served.jsonld", resp.read())
            with urllib.request.urlopen(base + "/catalog.ttl?type=rex", timeout=30) as resp:
                rex = self.write("served-rex.ttl", resp.read())
            self.ok(self.dir, "export", "--format", "dcat", "--out", self.path("cli.ttl"),
                    "--base-url", base)
        finally:
            self.stop_daemons()
        web, cli = turtle_triples(served), turtle_triples(self.path("cli.ttl"))
        modified = DCT + "modified"
        strip = lambda ts: anonymous([t for t in ts if not (t[1] == modified and
                                                            "catalog" in t[0])])
        self.assertEqual(strip(web), strip(cli))
        # each answer stamps the catalogue with its own second: the rest is the same graph
        self.assertEqual(strip(jsonld_triples(jsonld)), strip(web))
        n_rex = len([r for r in self.records if r["type"] == "rex"])
        self.assertEqual(len(self.subjects_of(turtle_triples(rex), DCAT + "Dataset")), n_rex)

    def test_progress_on_a_terminal(self):
        """On a terminal, the export says how far it is, file by file."""
        target = self.path("suivi.ttl")
        rc, _, text = harness.run_on_tty([harness.MAILLE, "--dir", self.dir, "export", "--format",
                                          "dcat", "--out", target])
        self.assertEqual(rc, 0, text)
        n = len(self.records)
        self.assertIn(f"{target}: {n} / {n} records", text)

    def test_filters_and_outputs(self):
        rc, out, err = self.m(self.dir, "export", "--format", "dcat", "--type", "rex")
        self.assertEqual(rc, 0, err)
        path = self.write("rex.ttl", out)
        triples = turtle_triples(path)
        rex = [r for r in self.records if r["type"] == "rex"]
        self.assertEqual(len(self.subjects_of(triples, DCAT + "Dataset")), len(rex))
        # a .jsonld file alone; a second export replaces it
        target = self.path("one.jsonld")
        for _ in range(2):
            self.ok(self.dir, "export", "--format", "dcat", "--mine", "--out", target)
            with open(target, encoding="utf-8") as f:
                self.assertIn("@graph", json.load(f))
        self.assertEqual([n for n in os.listdir(self.tmp) if n.startswith("one.jsonld")],
                         ["one.jsonld"])
        err = self.fails(self.dir, "export", "--format", "dcat", "rex/x", rc=2)
        self.assertIn("takes no PATH", err)
        # --type chooses the records of json too (the synopsis gives every format the
        # filters); --base-url still has no meaning there
        doc = self.js(self.dir, "export", "--format", "json", "--type", "rex")
        self.assertEqual({e["type"] for e in doc["entries"]}, {"rex"})
        err = self.fails(self.dir, "export", "--format", "json", "--base-url", "http://x", rc=2)
        self.assertIn("--base-url does not apply to --format json", err)
        err = self.fails(self.dir, "export", "--format", "excel", rc=2)
        self.assertIn("json, markdown, dcat", err)


PRIVATE = """---
type: component
title: Jeu de données des interventions de voirie
summary: Les interventions de voirie de l'année, par quartier.
themes: [donnees]
status: production
component_kind: dataset
licence: etalab-2.0
contacts:
  - name: Agent de la voirie
    email: agent.prive@exemple-metropole.fr
    public: false
distributions:
  - access_url: https://donnees.exemple-metropole.fr/voirie.csv
    format: CSV
    licence: etalab-2.0
  - access_url: https://donnees.exemple-metropole.fr/voirie.ods
    format: Tableur maison
    licence: etalab-2.0
---
Une ligne par intervention : date, adresse, nature des travaux.
"""

API_WITHOUT_ADDRESS = """---
type: component
path: component/api-sans-adresse
title: API des horaires des piscines
summary: Les horaires d'ouverture des piscines, en JSON.
themes: [donnees]
status: development
component_kind: api
licence: etalab-2.0
---
Une API encore en développement, sans adresse publique.
"""

HYDRA = "http://www.w3.org/ns/hydra/core#"


class WebCatalogPages(harness.Case):
    """A catalogue of more records than a page of the web's /catalog.ttl holds (500) comes in
    pages linked by Hydra, as data.gouv.fr's and CKAN's harvesters walk them: following next
    from the catalogue's address gives every record once."""
    N = 1203

    @classmethod
    def setUpClass(cls):
        cls.begin("maille-export-pages-")
        cls.dir = cls.path("node")
        cls.ok(cls.dir, "init", "--name", "Département de la Drôme")
        cls.ok(cls.dir, "federation", "new", "--name", "Coalition IA responsable (tests)")
        example = cls.ok(cls.dir, "new", "methodology", "--example")
        os.makedirs(cls.path("md", "methodology"))
        for i in range(cls.N):
            text = example.replace("title: Méthode d'inventaire des algorithmes publics",
                                   f"title: Méthode d'inventaire n° {i + 1}", 1)
            cls.write(f"md/methodology/inventaire-{i + 1:04d}.md", text)
        cls.ok(cls.dir, "import", "markdown", cls.path("md"))

    @classmethod
    def tearDownClass(cls):
        cls.end()

    def walk(self, base, first):
        """The pages from first, following hydra:next: each page's triples."""
        pages, url, seen = [], first, set()
        while url:
            self.assertNotIn(url, seen)
            seen.add(url)
            with urllib.request.urlopen(url, timeout=60) as resp:
                data = resp.read()
            name = f"page-{len(pages)}" + (".jsonld" if ".jsonld" in url else ".ttl")
            path = self.write(name, data)
            triples = jsonld_triples(path) if name.endswith(".jsonld") else turtle_triples(path)
            pages.append(triples)
            views = [s for s, p, o in triples if p == RDF_TYPE and o == ("iri", HYDRA + "PartialCollectionView")]
            self.assertEqual(len(views), 1, url)
            total = [o[1] for s, p, o in triples if s == views[0] and p == HYDRA + "totalItems"]
            self.assertEqual(total, [str(self.N)])
            nxt = [o[1] for s, p, o in triples if s == views[0] and p == HYDRA + "next"]
            # the older vocabulary says the same
            self.assertEqual(nxt, [o[1] for s, p, o in triples
                                   if s == views[0] and p == HYDRA + "nextPage"])
            url = nxt[0] if nxt else None
        return pages

    def test_pages_hold_every_record_once(self):
        d = self.daemon(self.dir, web="127.0.0.1:0")
        try:
            base = f"http://127.0.0.1:{d.port}"
            for flavour in ("ttl", "jsonld"):
                with self.subTest(flavour=flavour):
                    pages = self.walk(base, f"{base}/catalog.{flavour}?type=methodology")
                    self.assertEqual(len(pages), 3)
                    datasets = [s for t in pages for s, p, o in t
                                if p == RDF_TYPE and o == ("iri", DCAT + "Dataset")]
                    self.assertEqual(len(datasets), self.N)
                    self.assertEqual(len(set(datasets)), self.N)
                    # the filter is kept in the links; the last page has no next
                    last = pages[-1]
                    prev = [o[1] for s, p, o in last if p == HYDRA + "previous"]
                    self.assertEqual(prev, [f"{base}/catalog.{flavour}?type=methodology&page=2"])
            try:
                urllib.request.urlopen(base + "/catalog.ttl?page=4", timeout=30)
                self.fail("a page past the last was served")
            except urllib.error.HTTPError as e:
                self.assertEqual(e.code, 404)
        finally:
            self.stop_daemons()


if __name__ == "__main__":
    harness.MAILLE = os.path.abspath(sys.argv[1])
    SAMPLES = sys.argv[2]
    unittest.main(argv=[sys.argv[0], "-v"])
