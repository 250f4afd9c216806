#!/usr/bin/env python3
"""`maille import`, what every format shares: Maille's own Markdown records published at once
(a folder, a file, the standard input), the round trip with `export --format markdown`, a file
that cannot be read stopping everything, incomplete records listed (exit 1), --dry-run and
--json, and the drafts an outside format gives (their missing required fields commented).

Usage: test_import.py MAILLE_BINARY SAMPLES_DIR"""
import json
import os
import shutil
import sys
import unittest

import harness

SAMPLES = None


def samples_copy(dst):
    """The catalogue records of tools/samples (not the acts, not its README) into dst."""
    os.makedirs(dst)
    for name in sorted(os.listdir(SAMPLES)):
        if name.endswith(".md") and name != "README.md":
            shutil.copy(os.path.join(SAMPLES, name), dst)
    return dst


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

    def test_unknown_format_is_a_usage_error(self):
        err = self.fails(self.dir, "import", "excel", self.path(), rc=2)
        self.assertIn("unknown format \"excel\"", err)
        self.assertIn("publiccode", err)


if __name__ == "__main__":
    harness.MAILLE = os.path.abspath(sys.argv[1])
    SAMPLES = sys.argv[2]
    unittest.main(argv=[sys.argv[0], "-v"])
