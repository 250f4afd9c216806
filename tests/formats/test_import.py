#!/usr/bin/env python3
"""`maille import`, what every format shares: Maille's own Markdown records published at once
(a folder, a file, the standard input), the round trip with `export --format markdown`, a file
that cannot be read stopping everything, incomplete records listed (exit 1), --dry-run and
--json, and the drafts an outside format gives (their missing required fields commented).

Usage: test_import.py MAILLE_BINARY SAMPLES_DIR"""
import json
import os
import re
import sys
import unittest

import harness
import importcase

SAMPLES = None


def samples_copy(dst):
    """The catalogue records of tools/samples into dst (importcase.samples_copy)."""
    return importcase.samples_copy(SAMPLES, dst)


class Import(harness.Case):
    def setUp(self):
        self.begin("maille-import-")
        self.dir = self.path("node")
        self.ok(self.dir, "init", "--name", "Métropole de Lyon", "--siren", "200046977",
                "--kind", "metropole")

    def tearDown(self):
        self.end()

    def paths(self):
        return sorted(r["path"] for r in self.js(self.dir, "list"))

    def test_markdown_folder_publishes_and_round_trips(self):
        src = samples_copy(self.path("samples"))
        n = len(os.listdir(src))
        out = self.js(self.dir, "import", "markdown", src)
        self.assertEqual(out["published"], n)
        self.assertEqual(out["incomplete"], 0)
        before = self.paths()
        self.assertEqual(len(before), n)
        # export --format markdown gives a folder that import markdown takes back, the same
        # records at the same paths
        self.ok(self.dir, "export", "--format", "markdown", "--out", self.path("export"))
        out = self.js(self.dir, "import", "markdown", self.path("export"))
        self.assertEqual(out["published"], n)
        self.assertEqual(self.paths(), before)

    def test_a_file_that_cannot_be_read_stops_everything(self):
        src = samples_copy(self.path("samples"))
        self.write("samples/zz-broken.md", "---\ntype: rex\ntitle: &a x\n---\n")
        err = self.fails(self.dir, "import", "markdown", src)
        self.assertIn("zz-broken.md:3", err)
        self.assertIn("nothing was written or published", err)
        self.assertEqual(self.paths(), [])

    def test_incomplete_records_are_listed_and_the_others_published(self):
        src = samples_copy(self.path("samples"))
        n = len(os.listdir(src))
        self.write("samples/zz-draft.md", "---\ntype: use_case\ntitle: Tri des demandes\n---\n")
        rc, out, err = self.m(self.dir, "import", "markdown", src)
        self.assertEqual(rc, 1, err)
        self.assertIn("zz-draft.md: themes: missing required field", err)
        self.assertEqual(len(self.paths()), n)

    def test_dry_run_writes_nothing(self):
        src = samples_copy(self.path("samples"))
        out = self.js(self.dir, "import", "markdown", src, "--dry-run")
        self.assertTrue(out["dry_run"])
        self.assertEqual(out["published"], 0)
        self.assertEqual(out["complete"], len(os.listdir(src)))
        self.assertEqual(self.paths(), [])

    def test_unchanged_records_are_not_published_again(self):
        src = samples_copy(self.path("samples"))
        n = len(os.listdir(src))
        self.js(self.dir, "import", "markdown", src)
        ids = {r["path"]: r["id"] for r in self.js(self.dir, "list")}
        out = self.js(self.dir, "import", "markdown", src)
        self.assertEqual((out["published"], out["updated"], out["unchanged"]), (n, 0, n))
        self.assertEqual({r["path"]: r["id"] for r in self.js(self.dir, "list")}, ids)
        # one record edited: only it gets a new version
        name = sorted(os.listdir(src))[0]
        with open(os.path.join(src, name), encoding="utf-8") as f:
            text = f.read()
        text = text.replace("\nsummary: ", "\nsummary: Modifié. ", 1)
        with open(os.path.join(src, name), "w", encoding="utf-8") as f:
            f.write(text)
        rc, out, err = self.m(self.dir, "import", "markdown", src)
        self.assertEqual(rc, 0, err)
        self.assertIn(f"{n} records published (1 updated, {n - 1} unchanged)", out)
        after = {r["path"]: r["id"] for r in self.js(self.dir, "list")}
        self.assertEqual(sum(after[p] != ids[p] for p in ids), 1)

    def test_readme_of_a_folder_is_not_a_record(self):
        src = samples_copy(self.path("samples"))
        n = len(os.listdir(src))
        self.write("samples/README.md", "# Nos fiches\n\nLes fiches de la commune.\n")
        out = self.js(self.dir, "import", "markdown", src)
        self.assertEqual((out["published"], out["incomplete"]), (n, 0))
        self.assertNotIn("README.md", [os.path.basename(r["source"]) for r in out["records"]])

    def test_a_folder_of_3000_records_in_two_batches(self):
        """3 000 records: more than BULK_BATCH (2 000), so two transactions, signed in
        parallel; every record stored, found by path and by the search index."""
        with open(os.path.join(SAMPLES, "methodology-atelier-citoyen.md"), encoding="utf-8") as f:
            model = f.read()
        os.makedirs(self.path("many"))
        for i in range(3000):
            text = re.sub(r"(?m)^path: .*$", f"path: methodology/atelier-{i:04d}", model, count=1)
            word = "ornithorynque" if i == 2999 else "atelier"
            text = re.sub(r"(?m)^title: .*$", f"title: Atelier citoyen {i} {word}", text, count=1)
            with open(self.path("many", f"atelier-{i:04d}.md"), "w", encoding="utf-8") as f:
                f.write(text)
        out = self.js(self.dir, "import", "markdown", self.path("many"))
        self.assertEqual((out["published"], out["incomplete"], out["unchanged"]), (3000, 0, 0))
        self.assertEqual(self.js(self.dir, "show", "methodology/atelier-0000")["title"],
                         "Atelier citoyen 0 atelier")
        self.assertEqual(self.js(self.dir, "show", "methodology/atelier-2999")["title"],
                         "Atelier citoyen 2999 ornithorynque")
        found = self.js(self.dir, "search", "ornithorynque")
        self.assertEqual([r["path"] for r in found], ["methodology/atelier-2999"])
        self.assertEqual(self.js(self.dir, "status")["count"], 3001)  # and the territory
        self.ok(self.dir, "check")

    def many(self, n, edit=None):
        """n records of one title and no path (each takes its path from the title) into the
        folder many/, r-000.md...: a folder large enough to be read and checked on every
        core; edit(i, text) may change record i's file."""
        with open(os.path.join(SAMPLES, "methodology-atelier-citoyen.md"), encoding="utf-8") as f:
            model = re.sub(r"(?m)^path: .*\n", "", f.read(), count=1)
        os.makedirs(self.path("many"))
        for i in range(n):
            text = edit(i, model) if edit else model
            with open(self.path("many", f"r-{i:03d}.md"), "w", encoding="utf-8") as f:
                f.write(text)
        return self.path("many")

    def test_a_large_folder_keeps_the_files_order(self):
        """Read on every core, the records keep the files' order: the paths made from one
        title are numbered in that order, an incomplete record is reported where it is."""
        def edit(i, text):
            return re.sub(r"(?m)^themes: .*\n", "", text, count=1) if i == 57 else text
        src = self.many(150, edit)
        rc, out, err = self.m(self.dir, "import", "markdown", src, "--json")
        self.assertEqual(rc, 1, err)
        report = json.loads(out)
        self.assertEqual((report["published"], report["incomplete"]), (149, 1))
        base = "methodology/atelier-citoyen-sur-les-algorithmes-publics"
        self.assertEqual([os.path.basename(r["source"]) for r in report["records"]],
                         [f"r-{i:03d}.md" for i in range(150)])
        self.assertEqual([r["path"] for r in report["records"]],
                         [base] + [f"{base}-{i + 1}" for i in range(1, 150)])
        self.assertEqual([r["complete"] for r in report["records"]],
                         [i != 57 for i in range(150)])
        self.assertEqual(report["records"][57]["errors"][0]["field"], "themes")
        self.assertEqual(len(self.paths()), 149)
        self.assertNotIn(f"{base}-58", self.paths())

    def test_a_file_that_cannot_be_read_in_a_large_folder_stops_everything(self):
        def edit(i, text):
            return "---\ntype: rex\ntitle: &a x\n---\n" if i == 101 else text
        err = self.fails(self.dir, "import", "markdown", self.many(150, edit))
        self.assertIn("r-101.md:3", err)
        self.assertIn("1 file could not be read: nothing was written or published", err)
        self.assertEqual(self.paths(), [])

    def test_a_member_s_capability_refuses_the_paths_it_does_not_cover(self):
        self.ok(self.dir, "federation", "new", "--name", "Réseau des territoires")
        dt = self.daemon(self.dir, "--no-web")
        m = self.path("membre")
        self.ok(m, "init", "--member", "--name", "Poste de Camille")
        self.js(m, "join", self.js(self.dir, "invite")["token"])
        self.js(self.dir, "member", "add", self.key(m), "--name", "Camille Martin",
                "--prefix", "rex/")
        self.ok(m, "sync", dt.addr)
        src = samples_copy(self.path("samples"))
        names = os.listdir(src)
        rex = sum(n.startswith("rex-") for n in names)
        rc, out, err = self.m(m, "import", "markdown", src)
        self.assertEqual(rc, 1, out + err)
        self.assertIn(f"{rex} records published", out)
        self.assertIn("your capability does not cover use_case/", err)
        self.ok(m, "sync", dt.addr)
        mine = [r["path"] for r in self.js(self.dir, "list") if r["type"] == "rex"]
        self.assertEqual(len(mine), rex)
        self.assertFalse([r for r in self.js(self.dir, "list") if r["type"] == "use_case"])
        self.stop_daemons()

    def test_nothing_to_import_creates_nothing(self):
        os.makedirs(self.path("vide"))
        rc, out, err = self.m(self.dir, "import", "dcat", self.path("vide"), "--out",
                              self.path("brouillons"))
        self.assertEqual(rc, 1, out + err)
        self.assertIn("no file here fits the format dcat", err)
        self.assertIn("no record to import", err)
        self.assertFalse(os.path.exists(self.path("brouillons")))

    def test_unknown_format_is_a_usage_error(self):
        err = self.fails(self.dir, "import", "excel", self.path(), rc=2)
        self.assertIn("unknown format \"excel\"", err)
        self.assertIn("publiccode", err)


if __name__ == "__main__":
    harness.MAILLE = os.path.abspath(sys.argv[1])
    SAMPLES = sys.argv[2]
    unittest.main(argv=[sys.argv[0], "-v"])
